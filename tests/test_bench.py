"""The benchmark's draw floor (experiments/bench/bench.py): counting the step's draws leaves the
run unchanged and puts the draw helpers back; the replay makes the draws it counted."""

from __future__ import annotations

import numpy as np

from experiments.bench.bench import counted_draws, replay_draws
from sim.model import SimModel, threads
from tests.conftest import make_config


def test_counting_the_draws_changes_nothing_and_is_undone():
    plain = threads.uniform, threads.lognormal
    runs, calls = [], []
    for count in (False, True):
        model = SimModel(make_config("population.n=2000", "steps=3"))
        if count:
            with counted_draws(calls):
                model.run()
        else:
            model.run()
        runs.append(model.metrics.summary())
    np.testing.assert_equal(runs[0], runs[1])
    assert (threads.uniform, threads.lognormal) == plain
    kinds = {kind for kind, _, _ in calls}
    assert kinds == {"uniform", "lognormal"}  # the auction's pacing draws, its bids and the ranker's noise
    assert replay_draws(calls) > 0
