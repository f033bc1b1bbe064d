"""The mathematics of the metrics, for any generator and any data: Fréchet distance, streaming
moments and per-class moments (Intra-FID), the 2015 TF Inception graph and the Inception Score,
the download-free classifiers (of the built-in shapes, or of any labelled images), layout metrics,
bootstrap intervals and the streaming helpers (docs/evaluation.md). Imports no pipeline and not
the training package: a cGAN run's evaluation (its references, restoring its generator, the
evaluator used during training) is `an_tf.cgan.evaluation`."""

from an_tf.metrics.bootstrap import bootstrap_difference_ci, bootstrap_mean_ci
from an_tf.metrics.class_features import ClassFeatureStore, cached_class_features
from an_tf.metrics.classifier_eval import evaluate_with_classifier
from an_tf.metrics.data_classifier import DataClassifier, load_or_train_data_classifier
from an_tf.metrics.frechet import frechet_distance
from an_tf.metrics.generator_eval import InceptionProtocol, evaluate_generator, real_class_moments
from an_tf.metrics.inception import InceptionFileError, InceptionNetwork
from an_tf.metrics.inception_score import InceptionScoreAccumulator, inception_score
from an_tf.metrics.intra_fid import ClassMoments, fid_of, intra_fid
from an_tf.metrics.layout_metrics import LayoutStatistics, colour_object_mask
from an_tf.metrics.moments import RunningMoments
from an_tf.metrics.shapes_classifier import ShapesClassifier, load_or_train_classifier
from an_tf.metrics.shapes_eval import evaluate_generator_on_shapes
from an_tf.metrics.stats_cache import cached_class_moments
from an_tf.metrics.streaming import DistributedMapper, quantize

__all__ = [
    "ClassFeatureStore",
    "ClassMoments",
    "DataClassifier",
    "DistributedMapper",
    "InceptionFileError",
    "InceptionNetwork",
    "InceptionProtocol",
    "InceptionScoreAccumulator",
    "LayoutStatistics",
    "RunningMoments",
    "ShapesClassifier",
    "bootstrap_difference_ci",
    "bootstrap_mean_ci",
    "cached_class_features",
    "cached_class_moments",
    "colour_object_mask",
    "evaluate_generator",
    "evaluate_generator_on_shapes",
    "evaluate_with_classifier",
    "fid_of",
    "frechet_distance",
    "inception_score",
    "intra_fid",
    "load_or_train_classifier",
    "load_or_train_data_classifier",
    "quantize",
    "real_class_moments",
]
