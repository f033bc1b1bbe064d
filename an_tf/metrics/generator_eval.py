"""FID, Inception Score and Intra-FID of a class-conditional generator, streamed in batches under
any tf.distribute strategy, with the published protocol (see docs/evaluation.md): generated images
quantized to uint8, TF1 bilinear resizing to 299 (in `InceptionNetwork`), 50,000 samples for FID
and IS (10 splits), 5,000 per class for Intra-FID.

Shape letters: B batch, Z noise size, R resolution, D features, K classes.
"""

import dataclasses

import numpy as np

from an_tf.metrics.inception_score import InceptionScoreAccumulator
from an_tf.metrics.intra_fid import ClassMoments, fid_of
from an_tf.metrics.moments import RunningMoments
from an_tf.metrics.streaming import DistributedMapper, noise_and_labels, quantize


@dataclasses.dataclass(frozen=True)
class InceptionProtocol:
    """Sample counts of the evaluation (defaults: the published protocol).

    Args:
        num_samples: generated samples for FID and IS (labels cycle through the classes).
        num_splits: IS splits.
        intra_fid_samples_per_class: generated samples of each class for Intra-FID (0: skip it).
        intra_fid_classes: the classes averaged in Intra-FID (None: all).
        batch_size: global batch size.
        seed: seed of the noise.
    """

    num_samples: int = 50000
    num_splits: int = 10
    intra_fid_samples_per_class: int = 5000
    intra_fid_classes: tuple | None = None
    batch_size: int = 100
    seed: int = 0


def real_class_moments(network, batches, strategy=None, into=None):
    """The network's features of real batches {"image" (B,R,R,3) in [-1, 1], "label" (B,)} (an
    iterable of numpy dicts), quantized like the generated ones, streamed into `into` (a
    `ClassFeatureStore`, or by default a new `ClassMoments`), which is returned."""
    mapper = DistributedMapper(lambda image: {"features": network(quantize(image))[0]}, strategy)
    moments = ClassMoments() if into is None else into
    for batch in batches:
        outputs = mapper(image=np.asarray(batch["image"]))
        moments.update(outputs["features"], np.asarray(batch["label"]))
    return moments


def generated_mapper(generator, network, strategy=None):
    """The `DistributedMapper` (z, labels) -> features, logits that `evaluate_generator` uses;
    reuse it across calls to trace once."""
    def generate(z, labels):
        features, logits = network(quantize(generator(z, labels, training=False)))
        return {"features": features, "logits": logits}

    return DistributedMapper(generate, strategy)


def evaluate_generator(generator, network, real, protocol=InceptionProtocol(), strategy=None,
                       mapper=None):
    """{"fid", "inception_score", "inception_score_std", "intra_fid", "intra_fid_per_class",
    "num_samples", ...} of `generator` against `real` (`ClassMoments` or `ClassFeatureStore` of
    real features). Intra-FID holds one class's statistics at a time. `mapper`: a
    `generated_mapper` of the same arguments, if one exists already."""
    mapper = mapper or generated_mapper(generator, network, strategy)
    overall = RunningMoments()
    scores = InceptionScoreAccumulator(protocol.num_samples, protocol.num_splits)
    for z, labels in noise_and_labels(protocol.num_samples, generator.z_dim,
                                      generator.num_classes, protocol.batch_size, protocol.seed):
        outputs = mapper(z=z, labels=labels)
        overall.update(outputs["features"])
        scores.update(outputs["logits"])
    score, score_std = scores.result()
    results = {"fid": fid_of(overall, real.overall()), "inception_score": score,
               "inception_score_std": score_std, "num_samples": protocol.num_samples}
    if protocol.intra_fid_samples_per_class:
        classes = protocol.intra_fid_classes or range(generator.num_classes)
        per_class = {}
        for label in classes:
            generated = RunningMoments()
            for z, labels in noise_and_labels(protocol.intra_fid_samples_per_class,
                                              generator.z_dim, generator.num_classes,
                                              protocol.batch_size, protocol.seed + 1 + label,
                                              label=label):
                generated.update(mapper(z=z, labels=labels)["features"])
            per_class[str(label)] = fid_of(generated, real.class_moments(label))
        results.update(intra_fid=float(np.mean(list(per_class.values()))),
                       intra_fid_per_class=per_class,
                       intra_fid_samples_per_class=protocol.intra_fid_samples_per_class)
    return results
