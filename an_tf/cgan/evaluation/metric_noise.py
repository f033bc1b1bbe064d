"""Each download-free metric's own sampling noise on the built-in shapes (the chaos floor,
experiments/chaos_floor.py): the FD / intra-FD between independent sets of real images, and
finished runs scored again with other sample seeds."""

from an_tf.cgan.evaluation import run_eval
from an_tf.metrics.generator_eval import real_class_moments
from an_tf.metrics.intra_fid import fid_of, intra_fid
from an_tf.metrics.shapes_classifier import load_or_train_classifier
from an_tf.metrics.shapes_eval import REAL_SEED, real_shapes

METRICS = ("accuracy", "fd", "intra_fd")


def real_vs_real(evaluation, resolution, num_classes, pairs):
    """[{"fd", "intra_fd"}] between two independent sets of `evaluation.num_real` real images,
    for each of `pairs` pairs (seeds apart from every run's and the evaluation's own);
    `evaluation`: an `an_tf.cgan.study.StudyEvaluation`."""
    classifier = load_or_train_classifier(
        evaluation.classifier_dir, resolution, num_classes,
        evaluation.classifier_train_examples, evaluation.classifier_epochs)
    results = []
    for pair in range(pairs):
        first, second = (real_class_moments(classifier, real_shapes(
            resolution, num_classes, evaluation.num_real, seed=REAL_SEED + 100 + 2 * pair + k))
            for k in range(2))
        results.append({"fd": fid_of(first.overall(), second.overall()),
                        "intra_fd": intra_fid(first, second)[0]})
    return results


def sample_seed_scores(workdir, evaluation, sample_seeds):
    """{sample seed: {metric: value}} of the finished run in `workdir` scored with each of
    `sample_seeds` (its own score, under its run seed, is in its result.json)."""
    scores = {}
    for sample_seed in sample_seeds:
        result = run_eval.evaluate_download_free(
            workdir, evaluation.classifier_dir, evaluation.num_samples, evaluation.num_real,
            seed=sample_seed, classifier_options={
                "train_examples": evaluation.classifier_train_examples,
                "epochs": evaluation.classifier_epochs})
        scores[str(sample_seed)] = {metric: result[metric] for metric in METRICS}
    return scores
