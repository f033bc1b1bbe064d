"""Inpainting data pipelines (determinism, shapes, sharding) and sample pictures."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from an_tf.inpainting import data_pipeline
from an_tf.inpainting import evaluation
from an_tf.inpainting import pipeline
from tests.inpainting.helpers import tiny_generator

CONFIG = pipeline.InpaintingConfig(image_size=32, photo_shorter_side=48, box_size=16,
                                   max_shrink=2, channels=4, num_entities=4, critic_channels=4)


def first_batches(mask_type, seed, count=2):
    records = pipeline.source_records(CONFIG, "train")
    dataset = data_pipeline.train_dataset(records, 4, 32, mask_type, 16, 2, None, seed)
    return list(dataset.take(count).as_numpy_iterator())


def assert_same_batches(first, second):
    assert len(first) == len(second)
    for a, b in zip(first, second):
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])


@pytest.mark.parametrize("pipelines, pipeline_id, replicas", [(None, None, None), (1, 0, 2),
                                                                (2, 1, 2)])
def test_dataset_from_start_step_equals_skipping_the_batches_before(pipelines, pipeline_id,
                                                                    replicas):
    context = None if pipelines is None else tf.distribute.InputContext(
        num_input_pipelines=pipelines, input_pipeline_id=pipeline_id,
        num_replicas_in_sync=replicas)
    config = dataclasses.replace(CONFIG, max_crop_scale=1.5)
    make_dataset = pipeline.make_dataset_fn(config, batch_size=4, seed=5)
    per_step = 1 if context is None else replicas // pipelines  # per-replica batches per step
    start = 4  # > one epoch of the 11 training photos: crosses a reshuffle
    straight = list(make_dataset(context).take((start + 2) * per_step).as_numpy_iterator())
    resumed = list(make_dataset(context, start).take(2 * per_step).as_numpy_iterator())
    assert_same_batches(straight[start * per_step:], resumed)


def test_train_dataset_is_deterministic_with_one_mask_per_example():
    first, again = first_batches("rect", 0), first_batches("rect", 0)
    assert_same_batches(first, again)
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
    assert set(results["refined"]) == set(evaluation.NAMES)
    # The known pixels are exact: whole-image L2 = hole L2 x hole fraction (16x16 of 32x32).
    np.testing.assert_allclose(results["refined"]["l2"], results["refined"]["hole_l2"] / 4,
                               rtol=1e-5)
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


SCENES = dataclasses.replace(CONFIG, dataset="procedural_scenes", eval_scenes=3)


def test_procedural_scenes_stream_starts_at_any_step_bit_identically():
    make_dataset = pipeline.make_dataset_fn(SCENES, batch_size=2, seed=3)
    straight = list(make_dataset(None).take(4).as_numpy_iterator())
    resumed = list(make_dataset(None, 2).take(2).as_numpy_iterator())
    assert_same_batches(straight[2:], resumed)
    assert straight[0]["images"].shape == (2, 32, 32, 3)
    other_seed = next(pipeline.make_dataset_fn(SCENES, 2, seed=4)(None).as_numpy_iterator())
    assert not np.array_equal(other_seed["images"], straight[0]["images"])


def test_procedural_scenes_evaluation_is_held_out_and_carries_object_masks():
    held_out = list(pipeline.eval_batches(SCENES, 2, "center").as_numpy_iterator())
    assert [len(b["images"]) for b in held_out] == [2, 1]
    assert held_out[0]["object_masks"].shape == (2, 32, 32, 1)
    again = next(pipeline.eval_batches(SCENES, 2, "center", seed=9).as_numpy_iterator())
    np.testing.assert_array_equal(again["images"], held_out[0]["images"])  # seed-independent
    training = next(pipeline.eval_batches(SCENES, 2, "center", "train", seed=3)
                    .as_numpy_iterator())
    first_train = next(pipeline.make_dataset_fn(SCENES, 2, seed=3)(None).as_numpy_iterator())
    np.testing.assert_allclose(training["images"], first_train["images"], atol=1e-6)
    assert np.abs(training["images"] - held_out[0]["images"]).mean() > 0.05


def test_evaluation_scores_the_an_layout_against_the_objects():
    generator = tiny_generator()
    results = evaluation.evaluate(generator, pipeline.eval_batches(SCENES, 2, "center"))
    layout = results["layout"]
    assert 0.0 <= layout["layout_object_iou"] <= 1.0
    assert 0.0 < layout["object_fraction"] < 1.0
    assert "AN layout" in evaluation.format_table({"center": results})
    none = tiny_generator(attention="none")
    assert "layout" not in evaluation.evaluate(none, pipeline.eval_batches(SCENES, 2, "center"))
