"""Download-free metrics of a class-conditional generator with a small classifier in Inception's
role (`ShapesClassifier` on the built-in shapes, `DataClassifier` on any labelled dataset):
accuracy w.r.t. the conditioning label, Fréchet distance of its features overall ("fd") and per
class ("intra_fd", the mean over classes), an IS-like score; on the shapes, AN's layouts are also
scored against the objects found by their colour (layout_metrics).

Shape letters: B batch, R resolution, D features, K classes, r layout resolution, n entities.
"""

import numpy as np

from an_tf.metrics.inception_score import InceptionScoreAccumulator
from an_tf.metrics.intra_fid import ClassMoments, fid_of, intra_fid
from an_tf.metrics.layout_metrics import LayoutStatistics, colour_object_mask
from an_tf.metrics.streaming import DistributedMapper, dequantize, noise_and_labels, quantize


def generated_mapper(generator, classifier, strategy=None, layouts=False):
    """The `DistributedMapper` (z, labels) -> pixels, features, logits (and layouts) that
    `evaluate_with_classifier` uses; reuse it across calls to trace once."""
    def generate(z, labels):
        if layouts:
            images, maps = generator(z, labels, training=False, return_layouts=True)
        else:
            images, maps = generator(z, labels, training=False), {}
        pixels = quantize(images)  # (B,R,R,3) uint8
        features, logits = classifier(pixels)
        return {"pixels": pixels, "features": features, "logits": logits,
                **{f"layout:{name}": layout for name, layout in maps.items()}}

    return DistributedMapper(generate, strategy)


def layouts_of(outputs):
    """{layer: layout} of a mapper's outputs (keys "layout:<layer>")."""
    return {key.split(":", 1)[1]: value for key, value in outputs.items()
            if key.startswith("layout:")}


def evaluate_with_classifier(generator, classifier, real, num_samples=5000, batch_size=100,
                             seed=0, num_splits=10, strategy=None, shapes_layouts=False,
                             mapper=None):
    """Metrics of `generator` (labels cycling through the classes) against `real`, the
    `ClassMoments` of the classifier's features of real images.

    Returns: {"accuracy", "fd", "is_like", "is_like_std", "num_samples"}, with "intra_fd" and
    "intra_fd_per_class" {label: FD} when every class got >= 2 samples, and with
    shapes_layouts, "g_layout_object_iou/<layer>" and "g_entities_used/<layer>". `mapper`: a
    `generated_mapper` of the same arguments, if one exists already.
    """
    mapper = mapper or generated_mapper(generator, classifier, strategy, shapes_layouts)
    generated, layouts = ClassMoments(), LayoutStatistics("g_")
    scores = InceptionScoreAccumulator(num_samples, num_splits)
    correct = 0
    for z, labels in noise_and_labels(num_samples, generator.z_dim, generator.num_classes,
                                      batch_size, seed):
        outputs = mapper(z=z, labels=labels)
        correct += int(np.sum(outputs["logits"].argmax(-1) == labels))
        generated.update(outputs["features"], labels)
        scores.update(outputs["logits"])
        if shapes_layouts:
            masks = colour_object_mask(dequantize(outputs["pixels"]), labels)
            layouts.update(layouts_of(outputs), masks)
    score, score_std = scores.result()
    results = {"accuracy": correct / num_samples,
               "fd": fid_of(generated.overall(), real.overall()),
               "is_like": score, "is_like_std": score_std, "num_samples": num_samples}
    if num_samples >= 2 * generator.num_classes:
        intra, per_class = intra_fid(generated, real)
        results.update(intra_fd=intra,
                       intra_fd_per_class={str(label): value for label, value in
                                           per_class.items()})
    return {**results, **layouts.result()}
