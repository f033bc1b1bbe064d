"""Benchmark: images per second of the input pipelines of the AN experiments (Wang et al., CVPR
2020), with all cores and with one core (tf.data private thread pool of 1 thread), on generated
JPEGs of the datasets' typical sizes (ImageNet ~500x375, Paris StreetView 936x537).

- imagenet: JPEG bytes -> decode -> `an_tf.data.imagenet.centre_crop_and_resize` (the map of
  `load_imagenet`) -> shuffle -> batch -> prefetch, as `an_tf.cgan.pipeline.make_dataset_fn`; the
  tfds reader itself is replaced by in-memory JPEG bytes (ImageNet cannot be downloaded here).
- image_folder: the project's own `inpainting.data_pipeline.source_records` + `train_dataset`
  (read, decode, random crop, flip, mask) on a folder of generated JPEGs (Paris StreetView is read
  the same way, from its folder).

The result is compared with the images per second a training step consumes (`--consumer`, from
benchmarks/train_step.py) and turned into accelerator steps per second one core can feed.

    python benchmarks/input_pipeline.py [--batches 20] [--quick]
"""

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

# name: (JPEG height, width, output resolution, paper batch size)
PIPELINES = {"imagenet": (375, 500, 128, 256), "image_folder": (537, 936, 256, 16)}


def generated_jpegs(count, height, width, seed=0):
    """`count` JPEG byte strings of smooth random content plus noise (compresses like a photo,
    unlike pure noise, which would make decoding unrealistically slow)."""
    import tensorflow as tf  # noqa: PLC0415

    generator = tf.random.Generator.from_seed(seed)
    out = []
    for _ in range(count):
        coarse = generator.uniform([1, height // 16, width // 16, 3], 0, 255)
        smooth = tf.image.resize(coarse, [height, width], method="bicubic")[0]  # (H,W,3)
        noisy = smooth + generator.normal([height, width, 3], stddev=8.0)
        pixels = tf.cast(tf.clip_by_value(noisy, 0, 255), tf.uint8)
        out.append(tf.io.encode_jpeg(pixels, quality=90).numpy())
    return out


def imagenet_dataset(jpegs, resolution, batch):
    """The cGAN's ImageNet pipeline from JPEG bytes (tfds' reader replaced by memory)."""
    import tensorflow as tf  # noqa: PLC0415

    from an_tf.data.imagenet import centre_crop_and_resize  # noqa: PLC0415

    def preprocess(encoded, label):
        image = tf.io.decode_jpeg(encoded, channels=3)  # (H,W,3) uint8, as tfds decodes
        return {"image": centre_crop_and_resize(image, resolution), "label": label}

    labels = tf.range(len(jpegs)) % 1000
    dataset = tf.data.Dataset.from_tensor_slices((jpegs, labels)).repeat()
    dataset = dataset.map(preprocess, num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.shuffle(256, seed=0)
    return dataset.batch(batch, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def folder_dataset(folder, resolution, batch):
    """The inpainting pipeline as `make_dataset_fn` builds it for an image folder (and for Paris
    StreetView, which is read as a folder too)."""
    from an_tf.inpainting import data_pipeline  # noqa: PLC0415

    records = data_pipeline.source_records("image_folder", "train", folder=folder)
    box = resolution // 2
    return data_pipeline.train_dataset(records, batch, resolution, "rect", box, resolution // 16)


def images_per_second(dataset, threads, batches, warmup):
    """Images per second over `batches` batches after `warmup`, with a `threads`-thread pool."""
    import tensorflow as tf  # noqa: PLC0415

    options = tf.data.Options()
    options.threading.private_threadpool_size = threads
    iterator = iter(dataset.with_options(options))
    for _ in range(warmup):
        next(iterator)
    start = time.perf_counter()
    images = 0
    for _ in range(batches):
        element = next(iterator)
        images += int(next(iter(element.values())).shape[0])
    return images / (time.perf_counter() - start)


def measure(name, args, scratch):
    height, width, resolution, paper_batch = PIPELINES[name]
    if args.quick:
        height, width, resolution = height // 4, width // 4, resolution // 4
    jpegs = generated_jpegs(args.distinct_images, height, width)
    if name == "imagenet":
        dataset = imagenet_dataset(jpegs, resolution, args.batch)
    else:
        for index, data in enumerate(jpegs):
            with open(os.path.join(scratch, f"{index:04d}.jpg"), "wb") as stream:
                stream.write(data)
        dataset = folder_dataset(scratch, resolution, args.batch)
    row = {"pipeline": name, "jpeg": f"{width}x{height}", "resolution": resolution,
           "mean_jpeg_kb": sum(map(len, jpegs)) / len(jpegs) / 1024}
    for threads in sorted({1, os.cpu_count()}):
        row[f"images_per_s_{threads}_threads"] = images_per_second(
            dataset, threads, args.batches, args.warmup)
    per_core = row["images_per_s_1_threads"]
    row["paper_batch"] = paper_batch
    row["steps_per_s_one_core_feeds_at_paper_batch"] = per_core / paper_batch
    consumer = args.consumer.get(name)
    if consumer:
        row["consumer_images_per_s"] = consumer
        row["headroom_all_cores"] = row[f"images_per_s_{os.cpu_count()}_threads"] / consumer
    return row


def parse_consumer(text):
    """"imagenet=12.5,image_folder=3" -> dict; images/s the training steps consume."""
    out = {}
    for part in filter(None, text.split(",")):
        name, _, value = part.partition("=")
        if name not in PIPELINES:
            raise argparse.ArgumentTypeError(f"unknown pipeline {name!r} in {text!r}")
        out[name] = _common.positive_float(value)
    return out


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=_common.positive_int, default=20)
    parser.add_argument("--warmup", type=_common.positive_int, default=3)
    parser.add_argument("--batch", type=_common.positive_int, default=16)
    parser.add_argument("--distinct-images", type=_common.positive_int, default=64)
    parser.add_argument("--consumer", type=parse_consumer, default={},
                        help="images/s the training step consumes, e.g. imagenet=20,image_folder=2")
    parser.add_argument("--quick", action="store_true", help="small images, few batches")
    args = parser.parse_args(argv)
    if args.quick:
        args.batches, args.warmup, args.batch, args.distinct_images = 4, 1, 4, 8
    return args


def main(argv=None):
    args = parse_args(argv)
    _common.quiet_tensorflow()
    with tempfile.TemporaryDirectory() as scratch:
        rows = [measure(name, args, scratch) for name in PIPELINES]
    cores = os.cpu_count()
    document = {"benchmark": "input_pipeline", "machine": _common.provenance(),
                "settings": {"batch": args.batch, "batches": args.batches,
                             "distinct_images": args.distinct_images}, "results": rows}
    _common.emit(document, rows, ["pipeline", "jpeg", "resolution", "images_per_s_1_threads",
                                  f"images_per_s_{cores}_threads",
                                  "steps_per_s_one_core_feeds_at_paper_batch"])


if __name__ == "__main__":
    main()
