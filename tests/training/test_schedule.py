"""Tests of training.schedule: the steps at which summaries, samples, evaluations and checkpoints
happen, and how far the loop may run in one call."""

from an_tf.training.schedule import Schedule


def _stops(schedule, step=0):
    stops = []
    while step < schedule.train_steps:
        step = schedule.next_stop(step)
        stops.append(step)
    return stops


def test_next_stop_is_the_first_step_where_anything_is_due():
    schedule = Schedule(train_steps=10, steps_per_loop=4, summary_every=3, sample_every=100,
                        checkpoint_every=5)
    assert _stops(schedule) == [3, 5, 6, 9, 10]
    assert _stops(Schedule(train_steps=7, steps_per_loop=4, summary_every=100,
                           checkpoint_every=100, sample_every=100)) == [4, 7]


def test_evaluations_add_stops_only_when_on():
    off = Schedule(train_steps=8, steps_per_loop=8, summary_every=8, sample_every=8,
                   checkpoint_every=8)
    assert _stops(off) == [8]
    assert _stops(Schedule(**{**vars(off), "eval_every": 3})) == [3, 6, 8]
    assert not any(off.due(step).evaluation for step in range(1, 9))


def test_everything_is_due_at_the_last_step_and_at_its_multiples():
    schedule = Schedule(train_steps=7, summary_every=2, sample_every=3, checkpoint_every=4,
                        eval_every=6)
    due = {step: schedule.due(step) for step in range(1, 8)}
    assert [s for s, d in due.items() if d.summary] == [2, 4, 6, 7]
    assert [s for s, d in due.items() if d.sample] == [3, 6, 7]
    assert [s for s, d in due.items() if d.checkpoint] == [4, 7]
    assert [s for s, d in due.items() if d.evaluation] == [6, 7]
