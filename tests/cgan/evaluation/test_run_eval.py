"""run_eval.restore_gan: a run's GAN built under the run's dtype policy, the caller's global
policy restored afterwards (also when the checkpoint is missing)."""

import keras
import pytest

from an_tf.cgan.evaluation.run_eval import restore_gan
from tests.cgan.helpers import smoke_workdir


def test_restore_gan_builds_as_trained_and_restores_the_policy(tmp_path_factory):
    workdir = smoke_workdir(tmp_path_factory)  # a float32 run of 2 steps
    keras.config.set_dtype_policy("mixed_float16")
    gan, config, step = restore_gan(workdir)
    assert step == 2 and config.resolution == 32
    assert gan.generator.dtype_policy.name == "float32"  # the run's policy, not the caller's
    assert keras.config.dtype_policy().name == "mixed_float16"
    with pytest.raises(FileNotFoundError, match="no 'best' checkpoint"):
        restore_gan(workdir, checkpoint="best")
    assert keras.config.dtype_policy().name == "mixed_float16"
