"""Download-free evaluation of a cGAN trained on the built-in synthetic shapes: the cached
`ShapesClassifier` plays Inception's role (accuracy w.r.t. the conditioning label, Fréchet
distance of its features overall and per class, an IS-like score), and AN's layouts are scored
against the objects (see layout_metrics).

Shape letters: B batch, R resolution, D features, K classes, r layout resolution, n entities.
"""

import numpy as np

from an_tf.data.synthetic_shapes import best_entity_iou, load_synthetic_shapes
from an_tf.metrics.inception_score import InceptionScoreAccumulator
from an_tf.metrics.intra_fid import ClassMoments, fid_of, intra_fid
from an_tf.metrics.layout_metrics import LayoutStatistics, colour_object_mask
from an_tf.metrics.streaming import (DistributedMapper, dequantize, noise_and_labels,
                                     quantize)

REAL_SEED = 7003  # held-out real images: neither the classifier's nor the GAN runs' data


def real_shapes(resolution, num_classes, num_examples, batch_size=100, seed=REAL_SEED):
    """Batches {"image", "label", "mask"} of held-out real synthetic shapes (numpy)."""
    dataset = load_synthetic_shapes(resolution, num_classes, num_examples, seed=seed)
    return dataset.batch(batch_size).as_numpy_iterator()


def _generated_mapper(generator, classifier, strategy):
    def generate(z, labels):
        images, layouts = generator(z, labels, training=False, return_layouts=True)
        pixels = quantize(images)  # (B,R,R,3) uint8
        features, logits = classifier(pixels)
        return {"pixels": pixels, "features": features, "logits": logits,
                **{f"layout:{name}": layout for name, layout in layouts.items()}}

    return DistributedMapper(generate, strategy)


def _layouts(outputs):
    return {key.split(":", 1)[1]: value for key, value in outputs.items()
            if key.startswith("layout:")}


def evaluate_generator_on_shapes(generator, classifier, real, num_samples=5000, batch_size=100,
                                 seed=0, num_splits=10, strategy=None):
    """Metrics of `generator` (labels cycling through the classes) against `real`, the
    `ClassMoments` of the classifier's features of real images."""
    mapper = _generated_mapper(generator, classifier, strategy)
    generated, layouts = ClassMoments(), LayoutStatistics("g_")
    scores = InceptionScoreAccumulator(num_samples, num_splits)
    correct = 0
    for z, labels in noise_and_labels(num_samples, generator.z_dim, generator.num_classes,
                                      batch_size, seed):
        outputs = mapper(z=z, labels=labels)
        correct += int(np.sum(outputs["logits"].argmax(-1) == labels))
        generated.update(outputs["features"], labels)
        scores.update(outputs["logits"])
        masks = colour_object_mask(dequantize(outputs["pixels"]), labels)
        layouts.update(_layouts(outputs), masks)
    score, score_std = scores.result()
    intra, _ = intra_fid(generated, real)
    return {"accuracy": correct / num_samples, "fd": fid_of(generated.overall(), real.overall()),
            "intra_fd": intra, "is_like": score, "is_like_std": score_std,
            "num_samples": num_samples, **layouts.result()}


def discriminator_layout_metrics(discriminator, batches, strategy=None):
    """D's AN layouts on real batches {"image", "label", "mask"}: "d_layout_object_iou/<layer>"
    (as `d_layout_object_iou` in training, over all batches) and "d_entities_used/<layer>"."""
    mapper = DistributedMapper(lambda image, label: {
        f"layout:{name}": layout for name, layout in discriminator(
            image, label, training=False, return_layouts=True)[1].items()}, strategy)
    statistics = LayoutStatistics("d_")
    for batch in batches:
        outputs = mapper(image=batch["image"], label=batch["label"])
        statistics.update(_layouts(outputs), batch["mask"])
    return statistics.result()


def chance_layout_iou(batches):
    """The IoU of a layout that ignores the objects (one entity everywhere): the objects' mean
    area fraction, the level to beat."""
    ious = [best_entity_iou(np.zeros(batch["mask"].shape[:3], np.int64), batch["mask"])
            for batch in batches]
    return float(np.concatenate(ious).mean())
