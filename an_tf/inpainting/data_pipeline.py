"""tf.data pipelines of the inpainting experiments: random (multi-scale) crops + one random mask per
example for training, centre crops + centred (or fixed-seed free-form) masks for evaluation.

Training is index-based: element k of the stream is a pure function of (seed, k): its source image
is entry k mod N of a stateless permutation keyed by (seed, epoch = k // N)
(`an_tf.data.streams.shuffled_indices`), and its crop, flip and mask are seeded by (seed, k).
The stream can therefore start at any training step without producing
the elements before it (`train_dataset(..., start_step=s)`), which makes resuming cheap under
strategies whose iterators cannot be checkpointed.
Elements are dicts: images (B,H,W,3) float32 in [-1,1], masks (B,H,W,1) float32, boxes (B,4) int32.
"""

import dataclasses
import os

import tensorflow as tf

from an_tf.data import image_folder
from an_tf.data import masks as masks_lib
from an_tf.data import package_photos
from an_tf.data import procedural_scenes
from an_tf.data import streams

DATASETS = ("package_photos", "paris_streetview", "image_folder", "procedural_scenes")
PARIS_FOLDERS = {"train": "paris_train_original", "eval": "paris_eval_gt"}


@dataclasses.dataclass(frozen=True)
class Records:
    """Randomly accessible source images: `values[i]` is encoded image bytes, or a file path when
    `is_path[i]`."""

    values: tuple
    is_path: tuple

    def __len__(self):
        return len(self.values)


def source_records(dataset, split, manual_dir=None, folder=None, photo_shorter_side=None,
                   photo_subset="all"):
    """The split's images as `Records` (package photos in memory, folders by path).

    Args:
        dataset: "package_photos" (embedded, offline), "paris_streetview" (the files of
            `manual_dir`/paris_train_original or paris_eval_gt) or "image_folder" (`folder`,
            split by the rule of `an_tf.data.image_folder`: `folder`/train and `folder`/eval in
            a split layout, else all of `folder`; without eval/, "eval" reads the training
            images).
        split: "train" or "eval".
        photo_shorter_side: package photos are resized to this shorter side first (demo speed).
        photo_subset: package photos: "all" or "scenes" (training photos without textures).
    """
    if split not in ("train", "eval"):
        raise ValueError(f"split must be 'train' or 'eval', got {split!r}")
    if dataset == "package_photos":
        encoded = package_photos.encoded_photos(split, photo_shorter_side, photo_subset)
        return Records(tuple(encoded), (False,) * len(encoded))
    if dataset == "paris_streetview":
        if not manual_dir:
            raise ValueError("dataset='paris_streetview' needs manual_dir")
        return _folder_records(image_folder.FolderListing.of(
            os.path.join(manual_dir, PARIS_FOLDERS[split])))
    if dataset == "image_folder":
        if not folder:
            raise ValueError("dataset='image_folder' needs a folder")
        listing = image_folder.FolderListing.of(folder)
        split_folder = listing.split_folder(split)
        if split_folder is None:  # no held-out images: evaluate on the training images
            split_folder = listing.split_folder("train")
        return _folder_records(listing, split_folder)
    if dataset == "procedural_scenes":
        raise ValueError("procedural_scenes are generated, not read: use scene_train_dataset / "
                         "scene_eval_dataset")
    raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}")


def _folder_records(listing, relative=""):
    """Readable images of folder `relative` of a `FolderListing`, in walk order: read by path
    when TF decodes them as they are, else converted to PNG (`an_tf.data.image_folder`)."""
    checked = image_folder.scan_listed_images(listing, relative)
    return Records(checked.sources, tuple(not converted for converted in checked.converted))


def decode_record(value, is_path):
    """One record -> (H, W, 3) uint8."""
    encoded = tf.cond(is_path, lambda: tf.io.read_file(value), lambda: value)
    return image_folder.decode_rgb(encoded)


def source_images(records):
    """Finite tf.data.Dataset of the records' (H, W, 3) uint8 images, in order."""
    slices = (tf.constant(records.values, tf.string), tf.constant(records.is_path, tf.bool))
    return tf.data.Dataset.from_tensor_slices(slices).map(decode_record)


def _attach_masks(images, index, mask_type, seed, box_size, max_shrink):
    """Adds one mask (and box) for a single (H,W,3) example, seeded by (seed, index)."""
    height, width = images.shape[0], images.shape[1]
    mask_seed = tf.stack([tf.cast(seed, tf.int64) + 7919, tf.cast(index, tf.int64)])
    masks = masks_lib.make_masks(mask_type, mask_seed, 1, height, width, box_size, max_shrink)
    return {"images": images, "masks": masks["masks"][0], "boxes": masks["boxes"][0]}


def downscaled(image, size, scale):
    """(H,W,3) image shrunk by `scale` >= 1 (shorter side kept >= `size`), float32 [0, 255]: a
    size x size crop of it covers a (scale*size)^2 region of the original."""
    shorter = tf.cast(tf.reduce_min(tf.shape(image)[:2]), tf.float32)
    target = tf.maximum(tf.cast(size, tf.float32), tf.round(shorter / scale))
    return tf.cond(target < shorter,
                   lambda: image_folder.resize_shorter_side(image, tf.cast(target, tf.int32)),
                   lambda: tf.cast(image, tf.float32))


def _pipeline_share(start_step, batch_size, seed, input_context):
    """(first element index, per-replica batch size, seed) of this input pipeline: pipelines of a
    multi-pipeline strategy get their own seed, hence different examples."""
    if input_context is not None:
        batch_size = input_context.get_per_replica_batch_size(batch_size)
        if input_context.num_input_pipelines > 1:
            seed = seed * 1009 + input_context.input_pipeline_id
    return streams.first_element(start_step, batch_size, input_context), batch_size, seed


def train_dataset(records, batch_size, image_size, mask_type="rect", box_size=128, max_shrink=16,
                  load_size=None, seed=0, input_context=None, start_step=0, max_crop_scale=1.0):
    """Infinite, deterministic dataset of training batches (per replica when `input_context`).

    Args:
        records: `Records` of the training images (`source_records`).
        batch_size: GLOBAL batch size; divided by the number of replicas via `input_context`.
        start_step: the first batch is the one a run started at step 0 uses at this step
            (bit-identical), at a cost independent of `start_step`.
        max_crop_scale: each crop covers a random (s * image_size)^2 region, s ~ U(1, this),
            resized to image_size (1: plain crops, the paper's). More varied content per image.
    """
    if not len(records):
        raise ValueError("the training set is empty")
    first, batch_size, seed = _pipeline_share(start_step, batch_size, seed, input_context)
    values = tf.constant(records.values, tf.string)
    is_path = tf.constant(records.is_path, tf.bool)

    def prepare(index, source):
        image = decode_record(values[source], is_path[source])
        crop_seed = tf.stack([tf.cast(seed, tf.int64), index])
        scale = tf.random.stateless_uniform([], crop_seed + 2, 1.0, max(max_crop_scale, 1.0))
        if max_crop_scale > 1:
            image = downscaled(image, image_size, scale)
        crop = image_folder.random_crop(image, image_size, crop_seed, load_size)
        flipped = tf.image.stateless_random_flip_left_right(crop, crop_seed + 1)
        return _attach_masks(flipped, index, mask_type, seed, box_size, max_shrink)

    dataset = tf.data.Dataset.zip(tf.data.Dataset.counter(start=first, dtype=tf.int64),
                                  streams.shuffled_indices(len(records), seed, start=first))
    dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def eval_dataset(images, batch_size, image_size, mask_type="center", box_size=128, load_size=None,
                 crops_per_image=1, seed=1234, crop_scale=1.0):
    """Finite, deterministic evaluation batches: the centre crop of every image (plus, when
    `crops_per_image` > 1, fixed-seed random crops: useful for the few embedded photos), with
    centred-box or fixed-seed masks. `crop_scale` shrinks the images first, as training's
    multi-scale crops do (1: none)."""

    def crops(image):
        if crop_scale > 1:
            image = downscaled(image, image_size, crop_scale)
        center = image_folder.center_crop(image, image_size, load_size)[tf.newaxis]
        if crops_per_image == 1:
            return tf.data.Dataset.from_tensor_slices(center)
        seeds = tf.random.experimental.stateless_split([seed, 0], crops_per_image - 1)
        extra = tf.map_fn(lambda s: image_folder.random_crop(image, image_size, s, load_size),
                          seeds, fn_output_signature=tf.float32)
        return tf.data.Dataset.from_tensor_slices(tf.concat([center, extra], axis=0))

    dataset = images.flat_map(crops).enumerate()
    dataset = dataset.map(lambda index, image: _attach_masks(image, index, mask_type, seed,
                                                             box_size, 0))
    return dataset.batch(batch_size)


def scene_train_dataset(batch_size, image_size, mask_type="rect", box_size=128, max_shrink=16,
                        seed=0, input_context=None, start_step=0):
    """Infinite training batches of procedural scenes (`an_tf.data.procedural_scenes`): element k
    is scene k of the training stream of `seed` with its mask seeded by (seed, k), so that, as
    `train_dataset`, the stream starts at any step at no cost (bit-identical)."""
    first, batch_size, seed = _pipeline_share(start_step, batch_size, seed, input_context)

    def prepare(index):
        image = procedural_scenes.make_scene(index, image_size, seed, "train")["image"]
        return _attach_masks(image, index, mask_type, seed, box_size, max_shrink)

    dataset = tf.data.Dataset.counter(start=first, dtype=tf.int64)
    dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def scene_eval_dataset(batch_size, image_size, num_scenes, mask_type="center", box_size=128,
                       split="eval", seed=0, mask_seed=1234):
    """Finite, deterministic batches of `num_scenes` procedural scenes with centred-box or
    fixed-seed masks, plus their object masks ("object_masks", (B,H,W,1)) for scoring AN's
    layout. split="eval": the held-out stream (the same for every seed); "train": the first
    scenes of the training stream of `seed`."""

    def prepare(index, scene):
        example = _attach_masks(scene["image"], index, mask_type, mask_seed, box_size, 0)
        return dict(example, object_masks=scene["object_mask"])

    scenes = procedural_scenes.scenes_dataset(image_size, num_scenes, seed, split)
    return scenes.enumerate().map(prepare).batch(batch_size)
