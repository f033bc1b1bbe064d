"""Shared training machinery: strategy, the run directory (`run_dir`), checkpoints and resume,
the schedule, summaries, evaluation during training, export, the loop."""

from an_tf.training.checkpointing import Checkpointer
from an_tf.training.checkpointing import seed_generator_states
from an_tf.training.config import TrainingConfig
from an_tf.training.config import TrainResult
from an_tf.training.export import restore_model_for_export
from an_tf.training.export import save_model_atomically, track_model_variables
from an_tf.training.loop import run_training
from an_tf.training.randomness import replica_seed
from an_tf.training.schedule import Schedule
from an_tf.training.strategy import configure_cpu_devices
from an_tf.training.strategy import create_strategy
from an_tf.training.strategy import is_chief
from an_tf.training.summaries import SummaryWriter
from an_tf.training.summaries import image_grid
from an_tf.training.summaries import layout_pictures

__all__ = [
    "Checkpointer",
    "Schedule",
    "SummaryWriter",
    "TrainResult",
    "TrainingConfig",
    "configure_cpu_devices",
    "create_strategy",
    "image_grid",
    "is_chief",
    "layout_pictures",
    "replica_seed",
    "restore_model_for_export",
    "run_training",
    "save_model_atomically",
    "track_model_variables",
    "seed_generator_states",
]
