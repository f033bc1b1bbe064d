"""Inpainting data pipelines (determinism, shapes, sharding) and sample pictures."""

import numpy as np
import tensorflow as tf

from an_tf.inpainting import data_pipeline
from an_tf.inpainting import evaluation
from an_tf.inpainting import pipeline
from tests.inpainting.helpers import tiny_generator

CONFIG = pipeline.InpaintingConfig(image_size=32, photo_shorter_side=48, box_size=16,
                                   max_shrink=2, channels=4, num_entities=4, critic_channels=4)


def first_batches(mask_type, seed, count=2):
    images = pipeline.source_images(CONFIG, "train")
    dataset = data_pipeline.train_dataset(images, 4, 32, mask_type, 16, 2, None, seed)
    return list(dataset.take(count).as_numpy_iterator())


def test_train_dataset_is_deterministic_with_one_mask_per_example():
    first, again = first_batches("rect", 0), first_batches("rect", 0)
    for a, b in zip(first, again):
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])
    batch = first[0]
    assert batch["images"].shape == (4, 32, 32, 3) and batch["images"].dtype == np.float32
    assert batch["masks"].shape == (4, 32, 32, 1) and batch["boxes"].shape == (4, 4)
    assert -1.0 <= batch["images"].min() and batch["images"].max() <= 1.0
    assert len({m.tobytes() for m in batch["masks"]}) > 1
    other = first_batches("free_form", 1, count=1)[0]
    assert not np.array_equal(other["images"], batch["images"])


def test_per_replica_batches():
    context = tf.distribute.InputContext(num_input_pipelines=1, input_pipeline_id=0,
                                         num_replicas_in_sync=2)
    dataset = pipeline.make_dataset_fn(CONFIG, batch_size=4)(context)
    assert next(iter(dataset))["images"].shape == (2, 32, 32, 3)


def test_eval_batches_and_evaluation():
    config = pipeline.InpaintingConfig.from_dict({**vars(CONFIG), "eval_crops_per_image": 3,
                                                  "unknown_flag": 1})
    batches = list(pipeline.eval_batches(config, 4, "center").as_numpy_iterator())
    assert sum(len(b["images"]) for b in batches) == 6  # 2 eval photos x 3 crops
    np.testing.assert_array_equal(batches[0]["masks"][0, 8:24, 8:24], 1.0)
    results = evaluation.evaluate(tiny_generator(), batches)
    assert results["num_images"] == 6
    assert set(results["refined"]) == {"psnr", "ssim", "l1", "l2"}
    assert "refined" in evaluation.format_table({"center": results})


def test_sample_pictures():
    batch = next(iter(pipeline.eval_batches(CONFIG, 2, "center")))
    pictures = pipeline.sample_pictures(tiny_generator(), batch)
    for name in ("input", "coarse", "refined", "completed", "layout_argmax"):
        assert pictures[name].ndim == 4 and pictures[name].shape[0] == 2, name
    assert pictures["comparison"].shape == (2, 5, 32, 32, 3)
    assert pictures["layout_entities"].shape == (2, 4, 32, 32, 3)  # shown at the image size
    assert pictures["layout_argmax"].shape == (2, 32, 32, 3)
    assert "layout_argmax" not in pipeline.sample_pictures(tiny_generator("none"), batch)
