"""The whole inpainting state survives a checkpoint: generator (both stages, AN or CA branch),
both critics, both optimizers."""

import pytest

from an_tf import training
from an_tf.inpainting.pipeline import InpaintingConfig, build_model
from an_tf.training import checkpointing
from tests.training import state_checks


@pytest.mark.parametrize("attention, mask_type", [("an", "rect"), ("contextual", "free_form")])
def test_every_variable_round_trips_into_a_fresh_build(tmp_path, attention, mask_type):
    config = InpaintingConfig(image_size=32, box_size=16, channels=4, num_entities=4,
                              critic_channels=4, attention=attention, mask_type=mask_type)
    trained = build_model(config)
    state_checks.randomize(trained)
    training.Checkpointer(str(tmp_path), **checkpointing.run_objects(trained)).save(2)
    fresh = build_model(config)
    training.Checkpointer(str(tmp_path), **checkpointing.run_objects(fresh)).restore_latest()
    state_checks.assert_same_state(trained, fresh, attention)
