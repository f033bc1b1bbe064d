"""The cGAN's evaluation during training (`run_training(..., evaluate_fn=CGANEvaluator(...))`):
the sampling generator (the EMA one when there is one) scored with the Inception graph (FID, IS)
when a graph is given, else with the download-free classifier metrics (accuracy, FD, intra-FD,
IS-like, with the classifier's held-out accuracy on real images). The feature network and the
real statistics are prepared once per run (cached on disk, so once per dataset), not at each call.

Every call uses the same noise (seed) and calls the networks with training=False: it reads the
model and changes nothing (the hook also restores every random state; tested bit for bit).
"""

from an_tf.cgan.evaluation import references
from an_tf.metrics import classifier_eval, generator_eval
from an_tf.metrics.generator_eval import InceptionProtocol
from an_tf.metrics.inception import InceptionNetwork


class CGANEvaluator:
    """evaluate_fn(model, step) -> dict of metrics of a `ConditionalGAN`.

    Args:
        config: the run's `CGANConfig`; workdir: the run's directory (real statistics cache).
        num_samples: generated samples per evaluation (labels cycling through the classes).
        batch_size: evaluation batch size; seed: seed of the noise (the same at every call).
        data_seed: the run's --seed (the synthetic data depends on it).
        inception_path: a 2015 Inception frozen graph (None: the download-free metrics).
        num_real_examples: real images for the statistics (0: all; the Inception path only).
        classifier: `references.ClassifierOptions` of the download-free classifier.
    Attributes: best_metric ("fid" or "fd", lower is better).
    """

    def __init__(self, config, workdir, num_samples=1000, batch_size=100, seed=0,
                 inception_path=None, num_real_examples=5000,
                 classifier=references.ClassifierOptions(), data_seed=0):
        self.config, self.workdir = config, workdir
        self.num_samples, self.batch_size, self.seed = num_samples, batch_size, seed
        self.inception_path, self.num_real_examples = inception_path, num_real_examples
        self.classifier_options, self.data_seed = classifier, data_seed
        self.best_metric = "fid" if inception_path else "fd"
        self.network, self.real, self._mapper = None, None, None

    def prepare(self):
        """Loads the feature network and the real statistics (computed and cached if absent)."""
        if self.real is not None:
            return
        if self.inception_path:
            self.network = InceptionNetwork(self.inception_path)
            self.real = references.inception_reference(
                self.workdir, self.config, self.network, "train", self.num_real_examples,
                self.batch_size, seed=self.data_seed)
        else:
            self.network = references.load_classifier(self.config, self.classifier_options,
                                                      self.data_seed)
            self.real = references.classifier_reference(
                self.workdir, self.config, self.network, self.num_real_examples or 5000,
                self.batch_size, seed=self.data_seed)

    def __call__(self, model, step):
        del step  # the same noise at every step: the curve shows the generator's change only
        self.prepare()
        generator = model.sampling_generator
        shapes = self.config.dataset == "synthetic"
        if self._mapper is None:  # traced once per run, not at each evaluation
            self._mapper = (generator_eval.generated_mapper(generator, self.network)
                            if self.inception_path else classifier_eval.generated_mapper(
                                generator, self.network, layouts=shapes))
        if self.inception_path:
            protocol = InceptionProtocol(num_samples=self.num_samples,
                                         num_splits=min(10, self.num_samples),
                                         intra_fid_samples_per_class=0,
                                         batch_size=self.batch_size, seed=self.seed)
            return generator_eval.evaluate_generator(generator, self.network, self.real, protocol,
                                                     mapper=self._mapper)
        results = classifier_eval.evaluate_with_classifier(
            generator, self.network, self.real, self.num_samples, self.batch_size, self.seed,
            num_splits=min(10, self.num_samples), shapes_layouts=shapes, mapper=self._mapper)
        return {**results, "classifier_accuracy": self.network.accuracy}
