"""InpaintingGenerator against the supplement's component list (section 1), shapes and options."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from an_tf.inpainting import components
from an_tf.inpainting.generator import InpaintingGenerator
from tests.inpainting.helpers import tiny_generator

# The supplement's list, transcribed independently of the implementation:
# ("conv", kernel, filters, stride, dilation, activation) or ("up",).
ENCODER = [("conv", 5, 32, 1, 1, "elu"), ("conv", 3, 64, 2, 1, "elu"), ("conv", 3, 64, 1, 1, "elu"),
           ("conv", 3, 128, 2, 1, "elu"), ("conv", 3, 128, 1, 1, "elu")]
BOTTLENECK = [("conv", 3, 128, 1, d, "elu") for d in (2, 4, 8, 16)]
DECODER1 = [("up",), ("conv", 3, 64, 1, 1, "elu"), ("conv", 3, 64, 1, 1, "elu"), ("up",),
            ("conv", 3, 32, 1, 1, "elu"), ("conv", 3, 16, 1, 1, "elu"),
            ("conv", 3, 3, 1, 1, "linear")]
DECODER2 = [("conv", 3, 128, 1, 1, "elu"), ("conv", 3, 128, 1, 1, "elu")] + DECODER1


def describe(stack):
    rows = []
    for step in stack.steps:
        if isinstance(step, keras.layers.UpSampling2D):
            assert step.interpolation == "nearest" and tuple(step.size) == (2, 2)
            rows.append(("up",))
        else:
            assert step.padding == "same"
            rows.append(("conv", step.kernel_size[0], step.filters, step.strides[0],
                         step.dilation_rate[0], step.activation.__name__))
    return rows


@pytest.fixture(scope="module")
def full_width_generator():
    generator = InpaintingGenerator(channels=32)
    generator.build(((None, 256, 256, 3), (None, 256, 256, 1)))
    return generator


def test_components_follow_the_supplement(full_width_generator):
    g = full_width_generator
    assert describe(g.coarse_encoder) == ENCODER
    assert describe(g.refine_encoder) == ENCODER
    assert describe(g.branch_encoder) == ENCODER
    assert describe(g.coarse_bottleneck) == BOTTLENECK
    assert describe(g.refine_bottleneck) == BOTTLENECK
    assert describe(g.coarse_decoder) == DECODER1 and g.coarse_decoder.clip_output
    assert describe(g.refine_decoder) == DECODER2 and g.refine_decoder.clip_output


def test_attentive_branch_follows_the_supplement(full_width_generator):
    branch = full_width_generator.attentive_branch
    conv = branch.input_conv
    assert (conv.kernel_size, conv.filters, conv.strides, conv.dilation_rate) == (
        (3, 3), 128, (1, 1), (1, 1))
    assert conv.activation.__name__ == "linear"  # no activation before AN
    assert not branch.elu_after_an
    assert describe(branch.output_convs) == [("conv", 3, 128, 1, 1, "elu")] * 2


def test_every_component_instance_has_its_own_weights(full_width_generator):
    g = full_width_generator
    kernels = [g.coarse_encoder, g.refine_encoder, g.branch_encoder]
    ids = {id(stack.steps[0].kernel) for stack in kernels}
    assert len(ids) == 3
    assert g.coarse_bottleneck.steps[0].kernel is not g.refine_bottleneck.steps[0].kernel
    paths = [w.path for w in g.weights]
    assert len(paths) == len(set(paths))
    # Input widths: X = image + mask (4); the refinement input (paste) is the coarse result
    # pasted into the hole + mask (4).
    assert g.coarse_encoder.steps[0].kernel.shape == (5, 5, 4, 32)
    assert g.refine_encoder.steps[0].kernel.shape == (5, 5, 4, 32)
    assert g.refine_decoder.steps[0].kernel.shape == (3, 3, 256, 128)  # concat(X~af, X~bf)


@pytest.mark.parametrize("size", [(256, 256), (64, 96)])
def test_shapes_and_range(size):
    generator = tiny_generator()
    images = tf.random.uniform((1,) + size + (3,), -1, 1, seed=1)
    masks = tf.ones((1,) + size + (1,))
    coarse, refined, layout = generator((images, masks), training=True, return_layout=True)
    assert coarse.shape == refined.shape == (1,) + size + (3,)
    assert coarse.dtype == refined.dtype == tf.float32
    assert layout.shape == (1, size[0] // 4, size[1] // 4, 4)
    assert float(tf.reduce_max(tf.abs(refined))) <= 1.0
    np.testing.assert_allclose(tf.reduce_sum(layout, -1), 1.0, atol=1e-5)


def test_attention_variants():
    images, masks = tf.zeros([2, 32, 40, 3]), tf.ones([2, 32, 40, 1])
    none = tiny_generator("none")
    coarse, refined = none((images, masks))
    assert refined.shape == (2, 32, 40, 3)
    assert none.branch_encoder is None and none.refine_decoder.steps[0].kernel.shape[2] == 16
    contextual = tiny_generator("contextual")
    assert contextual((images, masks))[1].shape == (2, 32, 40, 3)
    with pytest.raises(ValueError, match="return_layout"):
        none((images, masks), return_layout=True)
    with pytest.raises(ValueError, match="attention"):
        InpaintingGenerator(attention="self")


def test_holes_are_zeroed_and_elu_flag():
    generator = tiny_generator(ones_channel=True, elu_after_an=True)
    images = tf.random.uniform([1, 16, 16, 3], -1, 1, seed=2)
    masks = tf.ones([1, 16, 16, 1])
    first = generator((images, masks))[1]
    second = generator((images * 0.0 - 0.5, masks))[1]  # hole content must not matter
    np.testing.assert_allclose(first, second, atol=1e-6)
    assert generator.coarse_encoder.steps[0].kernel.shape[2] == 5
    assert generator.attentive_branch.elu_after_an


def test_rejects_sizes_that_are_not_multiples_of_the_stride():
    with pytest.raises(ValueError, match="multiples of 4") as error:
        tiny_generator()((tf.zeros([1, 30, 32, 3]), tf.zeros([1, 30, 32, 1])))
    assert "\n" not in str(error.value)  # one line, not Keras' wrapped report
    with pytest.raises(ValueError, match="multiples of 8"):
        tiny_generator("contextual")((tf.zeros([1, 36, 32, 3]), tf.zeros([1, 36, 32, 1])))


def test_config_round_trip_and_mixed_precision():
    generator = tiny_generator(elu_after_an=True)
    clone = InpaintingGenerator.from_config(generator.get_config())
    assert clone.get_config() == generator.get_config()
    keras.config.set_dtype_policy("mixed_float16")
    generator = tiny_generator()
    coarse, refined = generator((tf.zeros([1, 16, 16, 3]), tf.ones([1, 16, 16, 1])), training=True)
    assert coarse.dtype == refined.dtype == tf.float32
    assert np.all(np.isfinite(refined))


@pytest.mark.parametrize("stage2_input", ["paste", "concat"])
def test_stage2_input(stage2_input):
    generator = tiny_generator(stage2_input=stage2_input, ones_channel=True)
    rng = np.random.default_rng(0)
    images = tf.constant(rng.uniform(-1, 1, (2, 16, 16, 3)), tf.float32)
    coarse = tf.constant(rng.uniform(-1, 1, (2, 16, 16, 3)), tf.float32)
    masks = np.zeros((2, 16, 16, 1), np.float32)
    masks[:, 4:12, 2:10] = 1.0
    x = tf.concat(generator._network_input(images, masks), axis=-1)  # holed image, ones, mask
    got = generator._stage2_input(coarse, images, masks, x).numpy()
    holed, rest = images * (1 - masks), [np.ones_like(masks), masks]
    if stage2_input == "paste":  # CA / released code: X~ * m + image * (1 - m), ones, mask
        expected = np.concatenate([coarse * masks + holed] + rest, axis=-1)
    else:  # the supplement's literal concat(X~, X)
        expected = np.concatenate([coarse, holed] + rest, axis=-1)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    generator((images, masks))
    assert generator.refine_encoder.steps[0].kernel.shape[2] == expected.shape[-1]


def test_max_dilation_caps_the_bottleneck():
    generator = tiny_generator(max_dilation=4)
    generator((tf.zeros([1, 16, 16, 3]), tf.ones([1, 16, 16, 1])))
    for stack in (generator.coarse_bottleneck, generator.refine_bottleneck):
        assert [row[4] for row in describe(stack)] == [2, 4, 4, 4]
    assert [row[4] for row in describe(tiny_generator().coarse_bottleneck)] == [2, 4, 8, 16]
    clone = InpaintingGenerator.from_config(generator.get_config())
    assert clone.max_dilation == 4 and clone.stage2_input == "paste"


@pytest.mark.parametrize("kwargs, message", [({"stage2_input": "add"}, "stage2_input"),
                                             ({"max_dilation": -1}, "max_dilation")])
def test_rejects_bad_stage2_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        InpaintingGenerator(**kwargs)


def test_scaled_filters():
    assert components.scaled_filters(128, 8) == 32
    assert components.scaled_filters(3, 8) == 3
    assert components.scaled_filters(16, 1) == 1


def _an_layer(generator):
    return generator.attentive_branch.attentive_normalization


def test_an_options_reach_the_an_layer_and_round_trip():
    options = {"temperature": 5.0, "orthogonal_weight": 0.0, "ssr_weight_init": 0.3,
               "variant": "official"}
    generator = tiny_generator(an_options=options)
    layer = _an_layer(generator)
    assert (layer.temperature, layer.orthogonal_weight, layer.ssr_weight_init, layer.variant,
            layer.num_entities, layer.seed) == (5.0, 0.0, 0.3, "official", 4, 1)
    config = generator.get_config()
    assert config["an_options"] == options
    clone = InpaintingGenerator.from_config(config)
    assert clone.get_config() == config and _an_layer(clone).variant == "official"
    branch = components.AttentiveBranch.from_config(generator.attentive_branch.get_config())
    assert branch.an_options == options


def test_configs_saved_before_an_options_still_load():
    """Saved models of older versions carry the AN arguments one by one."""
    config = tiny_generator().get_config()
    del config["an_options"]
    config.update(temperature=2.0, orthogonal_weight=1e-3, ssr_weight_init=0.1,
                  an_variant="official")
    clone = InpaintingGenerator.from_config(config)
    assert clone.an_options == {"temperature": 2.0, "orthogonal_weight": 1e-3,
                                "ssr_weight_init": 0.1, "variant": "official"}
    assert (_an_layer(clone).temperature, _an_layer(clone).variant) == (2.0, "official")
    old_branch = {"name": "attentive_branch", "channels": 4, "num_entities": 4,
                  "temperature": 3.0, "an_variant": "paper", "seed": None}
    assert components.AttentiveBranch.from_config(old_branch).an_options == {
        "temperature": 3.0, "variant": "paper"}


def test_a_keras_file_round_trip_keeps_the_an_options(tmp_path):
    generator = tiny_generator(an_options={"temperature": 4.0})
    inputs = (tf.zeros([1, 16, 16, 3]), tf.ones([1, 16, 16, 1]))
    expected = generator(inputs)[1]
    path = str(tmp_path / "generator.keras")
    generator.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.an_options == {"temperature": 4.0}
    np.testing.assert_allclose(loaded(inputs)[1], expected, atol=1e-6)
