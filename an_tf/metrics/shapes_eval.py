"""Download-free evaluation of a cGAN trained on the built-in synthetic shapes: the cached
`ShapesClassifier` plays Inception's role (accuracy w.r.t. the conditioning label, Fréchet
distance of its features overall and per class, an IS-like score), and AN's layouts are scored
against the objects (see layout_metrics).

Shape letters: B batch, R resolution, D features, K classes, r layout resolution, n entities.
"""

import numpy as np

from an_tf.data.synthetic_shapes import best_entity_iou, load_synthetic_shapes
from an_tf.metrics.classifier_eval import evaluate_with_classifier, layouts_of
from an_tf.metrics.layout_metrics import LayoutStatistics
from an_tf.metrics.streaming import DistributedMapper

REAL_SEED = 7003  # held-out real images: neither the classifier's nor the GAN runs' data


def real_shapes(resolution, num_classes, num_examples, batch_size=100, seed=REAL_SEED):
    """Batches {"image", "label", "mask"} of held-out real synthetic shapes (numpy)."""
    dataset = load_synthetic_shapes(resolution, num_classes, num_examples, seed=seed)
    return dataset.batch(batch_size).as_numpy_iterator()


def evaluate_generator_on_shapes(generator, classifier, real, num_samples=5000, batch_size=100,
                                 seed=0, num_splits=10, strategy=None):
    """Metrics of `generator` (labels cycling through the classes) against `real`, the
    `ClassMoments` of the classifier's features of real images, with G's layouts scored."""
    return evaluate_with_classifier(generator, classifier, real, num_samples, batch_size, seed,
                                    num_splits, strategy, shapes_layouts=True)


def discriminator_layout_metrics(discriminator, batches, strategy=None):
    """D's AN layouts on real batches {"image", "label", "mask"}: "d_layout_object_iou/<layer>"
    (as `d_layout_object_iou` in training, over all batches) and "d_entities_used/<layer>"."""
    mapper = DistributedMapper(lambda image, label: {
        f"layout:{name}": layout for name, layout in discriminator(
            image, label, training=False, return_layouts=True)[1].items()}, strategy)
    statistics = LayoutStatistics("d_")
    for batch in batches:
        outputs = mapper(image=batch["image"], label=batch["label"])
        statistics.update(layouts_of(outputs), batch["mask"])
    return statistics.result()


def chance_layout_iou(batches):
    """The IoU of a layout that ignores the objects (one entity everywhere): the objects' mean
    area fraction, the level to beat."""
    ious = [best_entity_iou(np.zeros(batch["mask"].shape[:3], np.int64), batch["mask"])
            for batch in batches]
    return float(np.concatenate(ious).mean())
