"""Configuration and result of a training run (`an_tf.training.run_training`)."""

import dataclasses

from an_tf.training.divergence import ON_NAN_CHOICES

STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")
MIXED_PRECISION_POLICIES = (None, "mixed_float16", "mixed_bfloat16")
_POSITIVE_FIELDS = (
    "train_steps", "batch_size", "checkpoint_every", "summary_every", "sample_every",
    "steps_per_loop", "keep_checkpoints", "num_cpu_devices",
)


@dataclasses.dataclass(frozen=True)
class TrainingConfig:
    """Everything `run_training` needs besides the model and the data.

    Args:
        workdir: directory of the run: checkpoints, TensorBoard events, PNG grids, config.json.
            Re-running with the same workdir resumes from its latest checkpoint.
        train_steps: total number of optimisation steps (a resumed run also stops there).
        batch_size: GLOBAL batch size, split evenly over the replicas of the strategy.
        strategy: "default" (one device), "mirrored" (all GPUs, else all logical CPUs),
            "multi_worker" (MultiWorkerMirroredStrategy from TF_CONFIG) or "tpu".
        tpu: TPU name or address for strategy "tpu" (None: the local TPU VM).
        seed: seed of Python, NumPy, TensorFlow and Keras random generators.
        mixed_precision: None, "mixed_float16" or "mixed_bfloat16": the global Keras dtype policy.
        checkpoint_every: steps between checkpoints (one is also written at the end).
        summary_every: steps between TensorBoard scalar summaries.
        sample_every: steps between calls of `sample_fn` (images as TensorBoard images and PNGs).
        steps_per_loop: training steps run inside one `tf.function` call (fewer Python round trips).
        keep_checkpoints: number of most recent checkpoints kept.
        export_dir: if set, `export_fn(model, export_dir)` is called at the end of training.
        num_cpu_devices: if > 1, split the CPU into this many logical devices before TF starts, so
            that strategy "mirrored" has that many replicas on a CPU-only machine (demos, tests).
        on_nan: "stop" (a non-finite loss or gradient ends the run without saving) or "skip"
            (that update is not applied and is counted in the "skipped_updates" summary).
        restore_from: resume from this checkpoint (a step number, "latest", "best" or a path
            prefix) instead of the newest one that verifies (`training.verify`).
        eval_every: steps between calls of `run_training`'s `evaluate_fn` (and one at the end);
            0: no evaluation during training. The evaluation function says by which result the
            best checkpoint is kept (`training.eval_hook`).
    """

    workdir: str
    train_steps: int
    batch_size: int
    strategy: str = "default"
    tpu: str | None = None
    seed: int = 0
    mixed_precision: str | None = None
    checkpoint_every: int = 1000
    summary_every: int = 100
    sample_every: int = 1000
    steps_per_loop: int = 1
    keep_checkpoints: int = 3
    export_dir: str | None = None
    num_cpu_devices: int = 1
    on_nan: str = "stop"
    restore_from: str | None = None
    eval_every: int = 0

    def __post_init__(self):
        if not self.workdir:
            raise ValueError("TrainingConfig.workdir must be a non-empty path")
        for name in _POSITIVE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"TrainingConfig.{name} must be an integer >= 1, got {value!r}")
        if isinstance(self.eval_every, bool) or not isinstance(self.eval_every, int) \
                or self.eval_every < 0:
            raise ValueError(f"TrainingConfig.eval_every must be an integer >= 0, "
                             f"got {self.eval_every!r}")
        if self.strategy not in STRATEGIES:
            raise ValueError(
                f"TrainingConfig.strategy must be one of {STRATEGIES}, got {self.strategy!r}")
        if self.on_nan not in ON_NAN_CHOICES:
            raise ValueError(
                f"TrainingConfig.on_nan must be one of {ON_NAN_CHOICES}, got {self.on_nan!r}")
        if self.mixed_precision not in MIXED_PRECISION_POLICIES:
            raise ValueError(
                f"TrainingConfig.mixed_precision must be one of {MIXED_PRECISION_POLICIES}, "
                f"got {self.mixed_precision!r}")


@dataclasses.dataclass(frozen=True)
class TrainResult:
    """What `run_training` returns.

    Args:
        step: the step reached (== config.train_steps unless training was already further).
        metrics: the last metrics returned by `train_step`, averaged over replicas, as floats
            (empty if no step was run in this call).
        workdir: the run's directory.
    """

    step: int
    metrics: dict[str, float]
    workdir: str
