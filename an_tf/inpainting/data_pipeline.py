"""tf.data pipelines of the inpainting experiments: random crops + one random mask per example for
training, centre crops + centred (or fixed-seed free-form) masks for evaluation.

Every random choice is stateless and seeded by (seed, element index), so a pipeline is a pure
function of its seed and its iterator state can be checkpointed.
Elements are dicts: images (B,H,W,3) float32 in [-1,1], masks (B,H,W,1) float32, boxes (B,4) int32.
"""

import tensorflow as tf

from an_tf.data import image_folder
from an_tf.data import masks as masks_lib
from an_tf.data import package_photos

DATASETS = ("package_photos", "paris_streetview", "image_folder")
SHUFFLE_BUFFER = 64  # decoded images: the file order is shuffled too, where the source can


def source_images(dataset, split, data_dir=None, manual_dir=None, folder=None,
                  photo_shorter_side=None, seed=0):
    """Finite tf.data.Dataset of (H, W, 3) uint8 images.

    Args:
        dataset: "package_photos" (embedded, offline), "paris_streetview" (tfds builder reading
            `manual_dir`), or "image_folder" (any folder: `folder`, with "train"/"eval" splits taken
            from `folder`/train and `folder`/eval when those exist).
        split: "train" or "eval".
        photo_shorter_side: package photos are resized to this shorter side first (demo speed).
        seed: seed of the file-order shuffling of the training split.
    """
    if split not in ("train", "eval"):
        raise ValueError(f"split must be 'train' or 'eval', got {split!r}")
    if dataset == "package_photos":
        return package_photos.package_photos_dataset(split, shorter_side=photo_shorter_side)
    if dataset == "paris_streetview":
        import tensorflow_datasets as tfds  # noqa: PLC0415 (heavy import, only for this source)

        from an_tf.data.paris_streetview import ParisStreetView  # noqa: PLC0415
        builder = ParisStreetView(data_dir=data_dir)
        builder.download_and_prepare(
            download_config=tfds.download.DownloadConfig(manual_dir=manual_dir))
        images = builder.as_dataset(split="train" if split == "train" else "test",
                                    shuffle_files=split == "train",
                                    read_config=tfds.ReadConfig(shuffle_seed=seed))
        return images.map(lambda example: example["image"])
    if dataset == "image_folder":
        if not folder:
            raise ValueError("dataset='image_folder' needs a folder")
        split_folder = tf.io.gfile.join(folder, split)
        return image_folder.image_folder_dataset(
            split_folder if tf.io.gfile.isdir(split_folder) else folder,
            shuffle_files=split == "train", seed=seed)
    raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}")


def _attach_masks(images, index, mask_type, seed, box_size, max_shrink):
    """Adds one mask (and box) for a single (H,W,3) example, seeded by (seed, index)."""
    height, width = images.shape[0], images.shape[1]
    mask_seed = tf.stack([tf.cast(seed, tf.int64) + 7919, tf.cast(index, tf.int64)])
    masks = masks_lib.make_masks(mask_type, mask_seed, 1, height, width, box_size, max_shrink)
    return {"images": images, "masks": masks["masks"][0], "boxes": masks["boxes"][0]}


def train_dataset(images, batch_size, image_size, mask_type="rect", box_size=128, max_shrink=16,
                  load_size=None, seed=0, input_context=None):
    """Infinite, deterministic dataset of training batches (per replica when `input_context`).

    Args:
        images: finite dataset of (H, W, 3) uint8 images (`source_images`).
        batch_size: GLOBAL batch size; divided by the number of replicas via `input_context`.
    """
    if input_context is not None:
        batch_size = input_context.get_per_replica_batch_size(batch_size)
        if input_context.num_input_pipelines > 1:
            seed = seed * 1009 + input_context.input_pipeline_id  # different crops per pipeline
    count = int(images.cardinality())
    buffer = count if 0 < count <= SHUFFLE_BUFFER else SHUFFLE_BUFFER
    dataset = images.shuffle(buffer, seed=seed, reshuffle_each_iteration=True).repeat()
    dataset = dataset.enumerate()

    def prepare(index, image):
        crop_seed = tf.stack([tf.cast(seed, tf.int64), index])
        crop = image_folder.random_crop(image, image_size, crop_seed, load_size)
        flipped = tf.image.stateless_random_flip_left_right(crop, crop_seed + 1)
        return _attach_masks(flipped, index, mask_type, seed, box_size, max_shrink)

    dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def eval_dataset(images, batch_size, image_size, mask_type="center", box_size=128, load_size=None,
                 crops_per_image=1, seed=1234):
    """Finite, deterministic evaluation batches: the centre crop of every image (plus, when
    `crops_per_image` > 1, fixed-seed random crops: useful for the few embedded photos), with
    centred-box or fixed-seed masks."""

    def crops(image):
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
