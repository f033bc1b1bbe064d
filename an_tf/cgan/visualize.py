"""Sample grids, AN layout pictures and AN statistics of the AN cGAN during training (Wang et al.,
CVPR 2020, supplement Figure 4: binarized argmax layout and one attention map per entity).

Shape letters: K classes shown, S samples per class, R resolution, r layout resolution, n entities.
"""

import numpy as np
from PIL import Image, ImageDraw, ImageFont
import tensorflow as tf

from an_tf.data.synthetic_shapes import best_entity_iou
from an_tf.training.summaries import image_grid, layout_pictures


def entity_usage(layout, min_share=0.01):
    """Number of entities that win the argmax on at least `min_share` of all positions."""
    winners = np.asarray(layout).argmax(-1).ravel()  # (B*r*r,)
    shares = np.bincount(winners, minlength=np.asarray(layout).shape[-1]) / winners.size
    return int((shares >= min_share).sum())


def _layout_values(prefix, layouts, an_layers, num_layout_examples):
    """Pictures and scalars of each AN layer's layout {name: (B, r, r, n)}."""
    values = {}
    for name, layout in layouts.items():
        layout = np.asarray(layout)[:num_layout_examples]
        pictures = layout_pictures(layout)
        num_examples, size, _, num_entities = layout.shape
        values[f"{prefix}layout_argmax/{name}"] = pictures["argmax"][None]  # (1,B,r,r,3)
        values[f"{prefix}layout_entities/{name}"] = pictures["entities"].reshape(
            num_examples, num_entities, size, size, 3)  # one row of n maps per example
        values[f"{prefix}an_entities_used/{name}"] = np.float32(entity_usage(layout))
        values[f"{prefix}an_gamma/{name}"] = np.float32(an_layers[name].gamma.numpy())
    return values


def categorical_interpolation(generator, z, first_class, second_class, num_steps=8):
    """Images (S, num_steps, R, R, 3): each row one noise vector of `z` (S, Z), the class
    weights going linearly from `first_class` to `second_class` (supplement Figure 9)."""
    fractions = np.linspace(0.0, 1.0, num_steps, dtype=np.float32)  # (T,)
    weights = np.zeros((num_steps, generator.num_classes), np.float32)  # (T,K)
    weights[:, first_class] += 1.0 - fractions
    weights[:, second_class] += fractions
    rows = len(z)
    images = generator(tf.constant(np.repeat(z, num_steps, axis=0)),
                       tf.constant(np.tile(weights, (rows, 1))), training=False)  # (S*T,R,R,3)
    images = np.asarray(images)
    return images.reshape((rows, num_steps) + images.shape[1:])


def labelled_rows_picture(table, row_names, max_chars=18):
    """uint8 picture of a (rows, cols, R, R, 3) table in [-1, 1] with each row's name written
    in a left margin (Pillow's default font)."""
    grid = table_picture(table)  # (H,W,3) uint8
    font = ImageFont.load_default()
    names = [str(name)[:max_chars] for name in row_names]
    margin = 6 + max(int(font.getlength(name)) for name in names)
    picture = Image.new("RGB", (margin + grid.shape[1], grid.shape[0]), (255, 255, 255))
    picture.paste(Image.fromarray(grid), (margin, 0))
    draw = ImageDraw.Draw(picture)
    row_height = np.asarray(table).shape[2] + 2  # image_grid's padding
    for row, name in enumerate(names):
        draw.text((3, row * row_height + row_height // 2 - 6), name, fill=(0, 0, 0), font=font)
    return np.asarray(picture)


def make_sample_fn(num_classes, z_dim, real_batch=None, classes_shown=8, samples_per_class=8,
                   num_layout_examples=4, seed=1234, class_names=None):
    """sample_fn(model, step) for `run_training`: fixed noise, so grids are comparable over steps.

    Returns a dict with
      "samples": (K, S, R, R, 3) table, one row per class, from the sampling (EMA) generator;
      "samples_named": with `class_names` (list of num_classes str), the same table as one
        picture (1, H, W, 3) with each row's class name in a left margin;
      "interpolation": (4, 8, R, R, 3), categorical interpolation between the first and last class;
      "layout_argmax/<block>", "layout_entities/<block>": G's AN layouts (supplement Figure 4);
      "an_gamma/<block>", "an_entities_used/<block>": scalars per AN layer of G;
      with `real_batch` ({"image", "label"[, "mask"]}, or a function returning it, called once at
      the first sample so that no TF op runs before the training's device set-up) and AN in D:
      the same for D's layouts on the real images ("d_" prefix), and with a "mask":
      "d_layout_object_iou/<block>", the mean best-entity IoU with the ground-truth object masks
      (see `best_entity_iou`).
    """
    classes = np.linspace(0, num_classes - 1, min(classes_shown, num_classes)).round()
    classes = classes.astype(np.int32)
    labels = np.repeat(classes, samples_per_class)  # (K*S,)
    z = np.random.default_rng(seed).standard_normal((labels.size, z_dim)).astype(np.float32)

    real = {}

    def sample_fn(model, step):
        del step  # the same noise at every step
        if real_batch is not None and not real:
            real.update(real_batch() if callable(real_batch) else real_batch)
        generator = model.sampling_generator
        images, layouts = generator(tf.constant(z), tf.constant(labels), training=False,
                                    return_layouts=True)  # (K*S,R,R,3)
        images = np.asarray(images)
        values = {"samples": images.reshape((-1, samples_per_class) + images.shape[1:])}
        if class_names is not None:
            picture = labelled_rows_picture(values["samples"], [class_names[c] for c in classes])
            values["samples_named"] = (picture.astype(np.float32) / 127.5 - 1.0)[None]
        if num_classes > 1:
            values["interpolation"] = categorical_interpolation(generator, z[:4], 0,
                                                                num_classes - 1)
        values.update(_layout_values("", layouts, generator.an_layers(), num_layout_examples))
        if real:
            values.update(_real_layout_values(model.discriminator, real, num_layout_examples))
        return values

    return sample_fn


def _real_layout_values(discriminator, real_batch, num_layout_examples):
    _, layouts = discriminator(real_batch["image"], real_batch["label"], training=False,
                               return_layouts=True)
    values = _layout_values("d_", layouts, discriminator.an_layers(), num_layout_examples)
    if "mask" in real_batch:
        for name, layout in layouts.items():
            iou = best_entity_iou(layout, real_batch["mask"])
            values[f"d_layout_object_iou/{name}"] = np.float32(iou.mean())
    if layouts:
        values["d_real_images"] = np.asarray(real_batch["image"][:num_layout_examples])[None]
    return values


def _upsample(pictures, size):
    """Nearest-neighbour upsampling of (B, r, r, 3) pictures to (B, size, size, 3)."""
    factor = size // pictures.shape[1]
    return np.repeat(np.repeat(pictures, factor, axis=1), factor, axis=2)


def _generated_layouts(generator, z, labels, layer):
    """Images (B, R, R, 3) and the layout (B, r, r, n) of AN layer `layer` (None: the first)."""
    images, layouts = generator(tf.constant(z), tf.constant(labels), training=False,
                                return_layouts=True)
    if not layouts:
        raise ValueError(f"the generator has no AN layer (attention={generator.attention!r})")
    name = layer or sorted(layouts)[0]
    if name not in layouts:
        raise ValueError(f"no AN layer {name!r}: the generator has {sorted(layouts)}")
    return np.asarray(images), np.asarray(layouts[name])


def layout_table(generator, z, labels, layer=None):
    """Supplement Figures 4/5: (B, 2, R, R, 3) in [-1, 1], each generated image of noise `z`
    (B, Z) and class `labels` (B,) beside its binarized layout (argmax entity, fixed palette)."""
    images, layout = _generated_layouts(generator, z, labels, layer)
    argmax = _upsample(layout_pictures(layout)["argmax"], images.shape[1])
    return np.stack([images, argmax], axis=1)


def entity_table(generator, z, labels, layer=None):
    """(B, 1 + n, R, R, 3) in [-1, 1]: each generated image, then its n per-entity attention
    maps (min-max normalised, upsampled)."""
    images, layout = _generated_layouts(generator, z, labels, layer)
    batch, _, _, num_entities = layout.shape
    maps = _upsample(layout_pictures(layout)["entities"], images.shape[1])  # (B*n,R,R,3)
    maps = maps.reshape((batch, num_entities) + maps.shape[1:])
    return np.concatenate([images[:, None], maps], axis=1)


def table_picture(table):
    """uint8 picture of a (rows, cols, R, R, 3) table of images in [-1, 1]."""
    table = np.asarray(table)
    return image_grid(table.reshape((-1,) + table.shape[2:]), ncols=table.shape[1])
