"""When things happen in a training run: summaries, samples, evaluations, checkpoints, the end.

Each happens at the multiples of its interval and at the last step (`train_steps`), so a run that
ends between two intervals still writes its final summary, pictures, evaluation and checkpoint.
The loop runs the steps between two such stops in one call (at most `steps_per_loop`).
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Due:
    """What is due at one step."""

    summary: bool
    sample: bool
    evaluation: bool
    checkpoint: bool


@dataclasses.dataclass(frozen=True)
class Schedule:
    """The steps of a run's periodic work.

    Args:
        train_steps: the last step.
        steps_per_loop: at most this many steps between two stops.
        summary_every, sample_every, checkpoint_every: intervals (>= 1).
        eval_every: interval of the evaluations; 0: none.
    """

    train_steps: int
    steps_per_loop: int = 1
    summary_every: int = 100
    sample_every: int = 1000
    checkpoint_every: int = 1000
    eval_every: int = 0

    @classmethod
    def of(cls, config):
        """The schedule of a `TrainingConfig`."""
        return cls(config.train_steps, config.steps_per_loop, config.summary_every,
                   config.sample_every, config.checkpoint_every, config.eval_every)

    def _intervals(self):
        intervals = [self.summary_every, self.sample_every, self.checkpoint_every]
        return intervals + ([self.eval_every] if self.eval_every else [])

    def next_stop(self, step):
        """The first step after `step` at which something is due, or the loop's chunk ends."""
        stops = [self.train_steps, step + self.steps_per_loop]
        stops += [(step // every + 1) * every for every in self._intervals()]
        return min(stops)

    def due(self, step):
        """The `Due` of `step` (everything at the last step; evaluations only if eval_every)."""
        final = step == self.train_steps

        def at(every):
            return bool(every) and (step % every == 0 or final)

        return Due(summary=at(self.summary_every), sample=at(self.sample_every),
                   evaluation=at(self.eval_every), checkpoint=at(self.checkpoint_every))
