"""an_tf.cgan.pipeline and visualize: config checks, datasets, sample_fn, run_training resume."""

import numpy as np
import pytest
import tensorflow as tf

from an_tf.cgan import pipeline
from an_tf.cgan.visualize import categorical_interpolation, entity_usage, make_sample_fn
from tests.cgan.helpers import synthetic_batch, tiny_gan

SMOKE = pipeline.CGANConfig(
    dataset="synthetic", synthetic_examples=32, resolution=32, num_classes=4, z_dim=8,
    channels=4, num_entities=4, embedding_dim=4, d_an_resolutions=(16,), shuffle_buffer=8)


def test_config_validation_is_one_line():
    for kwargs, match in [({"d_an_resolutions": (32,)}, "an_resolutions"),
                          ({"attention": "x"}, "attention"),
                          ({"conditioning": "x"}, "conditioning"),
                          ({"dataset": "cifar"}, "dataset"),
                          ({"dataset": "imagenet2012", "num_classes": 4}, "num_classes")]:
        with pytest.raises(ValueError, match=match) as error:
            pipeline.CGANConfig(**{**SMOKE.__dict__, **kwargs})
        assert "\n" not in str(error.value)


def test_config_from_hparams_strings_and_ema():
    config = pipeline.cgan_config_from_hparams(
        {**SMOKE.__dict__, "resolution": "32", "g_an_resolutions": ["32"], "ema_decay": 0.0,
         "workdir": "ignored"})
    assert config.resolution == 32 and config.g_an_resolutions == (32,)
    assert config.ema_decay is None


def test_dataset_per_replica_batches_and_shards():
    make = pipeline.make_dataset_fn(pipeline.make_data_source(SMOKE), global_batch_size=4,
                                    seed=0)
    context = tf.distribute.InputContext(num_input_pipelines=2, input_pipeline_id=1,
                                         num_replicas_in_sync=2)
    first = next(iter(make(context)))
    assert first["image"].shape == (2, 32, 32, 3) and first["label"].dtype == tf.int32
    again = next(iter(make(context)))
    np.testing.assert_array_equal(first["image"], again["image"])  # deterministic
    other = next(iter(make(tf.distribute.InputContext(2, 0, 2))))
    assert not np.array_equal(first["image"], other["image"])  # a different shard


def test_sample_fn_values():
    gan = tiny_gan()
    real = synthetic_batch(size=4)
    values = make_sample_fn(4, 8, real_batch=lambda: real, samples_per_class=3)(gan, 0)
    assert values["samples"].shape == (4, 3, 32, 32, 3)  # one row per class
    assert values["interpolation"].shape == (4, 8, 32, 32, 3)  # 4 noise vectors, 8 steps
    assert values["layout_argmax/up_block_32_an"].shape == (1, 4, 32, 32, 3)
    assert values["layout_entities/up_block_32_an"].shape == (4, 4, 32, 32, 3)  # (B, n, r, r, 3)
    assert values["an_gamma/up_block_32_an"] == 0.0  # AN's gamma starts at 0
    assert 1 <= values["an_entities_used/up_block_32_an"] <= 4
    assert values["d_layout_argmax/down_block_16_an"].shape == (1, 4, 32, 32, 3)
    assert 0.0 <= values["d_layout_object_iou/down_block_16_an"] <= 1.0
    for value in values.values():
        assert np.all(np.isfinite(value))


def test_categorical_interpolation_ends_at_the_two_classes():
    gan = tiny_gan()
    for block in gan.generator.blocks:  # make the classes differ
        block.norm1.bias.embeddings.assign(tf.random.normal(block.norm1.bias.embeddings.shape))
    z = np.random.default_rng(0).normal(size=(2, 8)).astype("float32")
    table = categorical_interpolation(gan.generator, z, 1, 3, num_steps=5)
    assert table.shape == (2, 5, 32, 32, 3)
    for column, label in ((0, 1), (4, 3)):
        hard = gan.generator(z, tf.constant([label, label]), training=False)
        np.testing.assert_allclose(table[:, column], hard, atol=1e-5)
    assert np.abs(table[:, 2] - table[:, 0]).max() > 1e-3


def test_entity_usage():
    layout = np.zeros((1, 10, 10, 3))
    layout[..., 0] = 1.0
    layout[0, 0, 0] = [0, 0, 2.0]  # entity 2 wins 1 % of the positions
    assert entity_usage(layout) == 2 and entity_usage(layout, min_share=0.05) == 1


def _batches(dataset, count):
    return [batch for batch in dataset.take(count).as_numpy_iterator()]


@pytest.mark.parametrize("context", [tf.distribute.InputContext(),
                                     tf.distribute.InputContext(2, 1, 2)])
def test_dataset_from_a_start_step_equals_the_straight_stream(context):
    # 32 examples, 4 per step: step 9 is in the third epoch (each epoch a new permutation).
    make = pipeline.make_dataset_fn(pipeline.make_data_source(SMOKE), global_batch_size=4,
                                    seed=3)
    straight = _batches(make(context, 0), 16)  # two epochs of this pipeline's examples
    resumed = _batches(make(context, 9), 3)
    for expected, actual in zip(straight[9:], resumed):
        np.testing.assert_array_equal(expected["image"], actual["image"])
        np.testing.assert_array_equal(expected["label"], actual["label"])
    keys = np.concatenate([b["image"].sum(axis=(1, 2, 3)) for b in straight]).reshape(2, -1)
    np.testing.assert_allclose(np.sort(keys[0]), np.sort(keys[1]))  # each epoch: all examples
    assert not np.array_equal(keys[0], keys[1])  # in a new order


def test_imagenet_stream_from_a_start_step_equals_the_straight_stream():
    import tensorflow_datasets as tfds

    config = pipeline.CGANConfig(dataset="imagenet2012", resolution=32, channels=4,
                                 d_an_resolutions=(16,), shuffle_buffer=4)
    make = pipeline.make_dataset_fn(pipeline.make_data_source(config), global_batch_size=2,
                                    seed=0)
    with tfds.testing.mock_data(num_examples=6):
        tf.random.set_seed(5)  # a global seed (run_training sets one) must not matter
        straight = _batches(make(tf.distribute.InputContext(), 0), 7)
        tf.random.set_seed(6)
        resumed = _batches(make(tf.distribute.InputContext(), 4), 3)
    for expected, actual in zip(straight[4:], resumed):
        np.testing.assert_array_equal(expected["label"], actual["label"])
        np.testing.assert_array_equal(expected["image"], actual["image"])
