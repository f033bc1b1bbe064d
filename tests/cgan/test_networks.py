"""Shapes and wiring of an_tf.cgan.Generator and Discriminator (supplement section 2)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from an_tf.cgan import Discriminator, Generator
from an_tf.layers import AttentiveNormalization
from an_tf.layers.conditional_batch_norm import ConditionalBatchNormalization
from an_tf.layers.self_attention import SelfAttention
from tests.cgan.helpers import Z_DIM, tiny_discriminator, tiny_generator


def _all_layers(model):
    return list(model._flatten_layers(include_self=False, recursive=True))


@pytest.mark.parametrize("resolution, g_blocks, d_blocks", [
    (32, ["up_block_8", "up_block_16", "up_block_32_an"],
     ["down_block_16", "down_block_8", "down_block_4"]),
    (64, ["up_block_8", "up_block_16", "up_block_32_an", "up_block_64"],
     ["down_block_32_an", "down_block_16", "down_block_8", "down_block_4"]),
    (128, ["up_block_8", "up_block_16", "up_block_32_an", "up_block_64", "up_block_128"],
     ["down_block_64", "down_block_32_an", "down_block_16", "down_block_8", "down_block_4"]),
])
def test_paper_layout_at_each_resolution(resolution, g_blocks, d_blocks):
    d_an = (32,) if resolution > 32 else ()
    generator = Generator(resolution=resolution, num_classes=5, z_dim=Z_DIM, channels=1,
                          num_entities=3)
    discriminator = Discriminator(resolution=resolution, num_classes=5, channels=1,
                                  an_resolutions=d_an, embedding_dim=2, num_entities=3)
    assert [b.name for b in generator.blocks] == g_blocks
    assert [b.name for b in discriminator.blocks] == d_blocks
    # Widths: G 16ch, 8ch, 4ch, 2ch, ch at 128 (1024 ... 64 for ch = 64); D ch ... 16ch.
    assert generator.widths == (16, 8, 4, 2, 1)[-len(g_blocks):]
    assert discriminator.widths == (1, 2, 4, 8, 16)[:len(d_blocks)]
    z, labels = tf.random.normal([2, Z_DIM]), tf.constant([0, 4])
    images, g_layouts = generator(z, labels, training=True, return_layouts=True)
    assert images.shape == (2, resolution, resolution, 3) and images.dtype == tf.float32
    assert {k: tuple(v.shape) for k, v in g_layouts.items()} == {"up_block_32_an": (2, 32, 32, 3)}
    logits, d_layouts = discriminator(images, labels, training=True, return_layouts=True)
    assert logits.shape == (2,) and logits.dtype == tf.float32
    # In D, AN sits before the block's average pooling: at twice the block's output resolution.
    expected = {"down_block_32_an": (2, 64, 64, 3)} if d_an else {}
    assert {k: tuple(v.shape) for k, v in d_layouts.items()} == expected


def test_concat_conditioning_enters_at_16x16():
    discriminator = tiny_discriminator(embedding_dim=6)  # 32^2: blocks 16, 8, 4
    after_concat = discriminator.blocks[1]
    assert after_concat.conv1.layer.kernel.shape == (3, 3, 4 + 6, 8)  # C + E input channels
    assert discriminator.class_embedding.layer.embeddings.shape == (4, 6)
    images = tf.random.uniform([2, 32, 32, 3], -1, 1)
    same = discriminator(tf.concat([images[:1]] * 2, 0), tf.constant([0, 1]))
    assert abs(float(same[0] - same[1])) > 0  # the label changes the logit


def test_projection_conditioning():
    discriminator = tiny_discriminator(conditioning="projection")
    assert discriminator.class_embedding.name == "class_projection"
    assert discriminator.class_embedding.layer.embeddings.shape == (4, 16)  # (classes, 4ch)
    features = tf.random.uniform([1, 32, 32, 3], -1, 1)
    logits = discriminator(tf.concat([features] * 2, 0), tf.constant([1, 3]))
    assert abs(float(logits[0] - logits[1])) > 0


def test_generator_labels_select_cbn_rows():
    generator = tiny_generator(attention="none")
    z = tf.random.normal([1, Z_DIM])
    same = generator(tf.concat([z, z], 0), tf.constant([0, 1]), training=False)
    np.testing.assert_array_equal(same[0], same[1])  # gains start at 1 and biases at 0
    generator.blocks[0].norm1.bias.embeddings.assign(tf.random.normal([4, 16]))
    different = generator(tf.concat([z, z], 0), tf.constant([0, 1]), training=False)
    assert np.abs(np.asarray(different[0] - different[1])).max() > 1e-4


@pytest.mark.parametrize("attention", ["an", "self_attention", "none"])
def test_attention_options(attention):
    generator = tiny_generator(attention=attention, channels=8)
    discriminator = tiny_discriminator(attention=attention, channels=8)
    for model in (generator, discriminator):
        layers = _all_layers(model)
        an = [layer for layer in layers if isinstance(layer, AttentiveNormalization)]
        sa = [layer for layer in layers if isinstance(layer, SelfAttention)]
        assert len(an) == (attention == "an") and len(sa) == (attention == "self_attention")
    if attention == "self_attention":
        assert list(generator.attention_layers) == ["32"]
        assert discriminator.attention_layers["16"].name == "self_attention_16"
    images = generator(tf.random.normal([2, Z_DIM]), tf.constant([1, 2]), training=True)
    assert discriminator(images, tf.constant([1, 2]), training=True).shape == (2,)


def test_spectral_norm_on_every_conv_dense_and_embedding():
    """Every Conv2D, Dense and Embedding is wrapped, except AN's own convolutions (AN's entity
    filters carry the orthogonality loss) and the CBN gain/bias tables (initialised to 1 / 0)."""
    for model in (tiny_generator(attention="self_attention", channels=8),
                  tiny_discriminator(attention="self_attention", channels=8),
                  tiny_generator(), tiny_discriminator(conditioning="projection")):
        wrapped = {id(layer.layer) for layer in _all_layers(model)
                   if isinstance(layer, keras.layers.SpectralNormalization)}
        exempt = set()
        for layer in _all_layers(model):
            if isinstance(layer, (AttentiveNormalization, ConditionalBatchNormalization)):
                exempt |= {id(sub) for sub in layer._flatten_layers(include_self=False)}
        plain = [layer.name for layer in _all_layers(model)
                 if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense,
                                       keras.layers.Embedding))
                 and id(layer) not in wrapped | exempt]
        assert not plain, plain
        assert len(wrapped) >= 3 * len(model.blocks)


def test_summary_shows_blocks_by_name():
    lines = []
    tiny_generator().summary(print_fn=lambda line, **_: lines.append(line))
    tiny_discriminator().summary(print_fn=lambda line, **_: lines.append(line))
    text = "\n".join(lines)
    for name in ("up_block_8", "up_block_32_an", "output_conv", "down_block_16_an",
                 "class_embedding", "logit"):
        assert name in text


def test_functional_api_and_config_round_trip():
    generator, discriminator = tiny_generator(), tiny_discriminator()
    z_input = keras.Input((Z_DIM,))
    label_input = keras.Input((), dtype="int32")
    images = generator(z_input, label_input)
    combined = keras.Model([z_input, label_input], discriminator(images, label_input))
    assert combined([tf.random.normal([3, Z_DIM]), tf.constant([0, 1, 2])]).shape == (3,)
    for model in (generator, discriminator):
        clone = model.__class__.from_config(model.get_config())
        assert clone.get_config() == model.get_config()
        assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]


def test_mixed_precision_outputs_float32():
    keras.config.set_dtype_policy("mixed_float16")
    generator, discriminator = tiny_generator(), tiny_discriminator()
    images = generator(tf.random.normal([2, Z_DIM]), tf.constant([0, 1]), training=True)
    logits = discriminator(images, tf.constant([0, 1]), training=True)
    assert images.dtype == tf.float32 and logits.dtype == tf.float32
    assert generator.blocks[0].conv1.compute_dtype == "float16"
    assert np.all(np.isfinite(logits))


@pytest.mark.parametrize("factory, kwargs, match", [
    (Generator, {"resolution": 48}, "resolution"),
    (Generator, {"resolution": 32, "an_resolutions": (64,)}, "an_resolutions"),
    (Generator, {"attention": "sa"}, "attention"),
    (Generator, {"channels": 0}, "channels"),
    (Discriminator, {"resolution": 32, "an_resolutions": (32,)}, "an_resolutions"),
    (Discriminator, {"conditioning": "acgan"}, "conditioning"),
])
def test_bad_arguments_raise_one_line(factory, kwargs, match):
    with pytest.raises(ValueError, match=match) as error:
        factory(**kwargs)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("resolution", [32, 64, 128])
def test_defaults_are_valid_at_every_resolution_and_ignored_without_attention(resolution):
    from an_tf.cgan.discriminator import Discriminator
    from an_tf.cgan.generator import Generator

    for attention in ("none", "an"):
        d = Discriminator(resolution=resolution, num_classes=10, channels=1, attention=attention)
        g = Generator(resolution=resolution, num_classes=10, channels=1, attention=attention)
        uses_an = [b.normalization == "an" for b in d.blocks + g.blocks]
        assert any(uses_an) == (attention == "an")
    assert Discriminator(resolution=32, num_classes=10, channels=1).an_resolutions == (8,)
    Discriminator(resolution=32, num_classes=10, channels=1, attention="none",
                  an_resolutions=(3,))  # not used, so not checked


def test_class_embedding_keeps_large_labels_exact_under_mixed_bfloat16():
    from an_tf.cgan.discriminator import Discriminator

    keras.config.set_dtype_policy("mixed_bfloat16")
    d = Discriminator(resolution=32, num_classes=1000, channels=1, embedding_dim=2)
    rows = d.class_embedding(tf.constant([256.0, 257.0, 999.0]))  # bfloat16 would round these
    table = d.class_embedding.layer.embeddings.numpy()
    assert not np.allclose(rows[0], rows[1])
    assert np.isfinite(np.asarray(rows, np.float32)).all() and table.shape == (1000, 2)
