"""Scenario discovery (PRIM, sim/runs/discover.py) finds a box that is known by construction."""

from __future__ import annotations

import numpy as np

from sim.runs.discover import choose, prim


def test_prim_finds_the_planted_box():
    # 400 sets on [0,1]^3; cases: x0 < 0.3 and x2 > 0.5 (15% of the sets), x1 irrelevant
    rng = np.random.default_rng(1)
    x = rng.random((400, 3))
    cases = (x[:, 0] < 0.3) & (x[:, 2] > 0.5)
    trajectory = prim(x, cases)
    assert trajectory[0].coverage == 1.0 and trajectory[0].mass == 1.0
    assert abs(trajectory[0].density - cases.mean()) < 1e-12
    assert all(b.mass < a.mass for a, b in zip(trajectory, trajectory[1:]))  # every step peels
    assert trajectory[-1].mass <= 0.05 + 0.05  # stops near mass_min
    counts = [int(((s.lower > x.min(0)) | (s.upper < x.max(0))).sum()) for s in trajectory]
    box = trajectory[choose(trajectory, 0.5, 0.8, counts)]
    assert box.coverage >= 0.5
    # the box must sit on the planted one: x0's upper bound near 0.3, x2's lower near 0.5, and
    # x1 barely touched (peels of 5% pick the densest cut; 400 points leave ~0.05 of slack)
    assert 0.25 <= box.upper[0] <= 0.4 and 0.4 <= box.lower[2] <= 0.6
    assert box.upper[1] - box.lower[1] > 0.8
    assert box.density > 0.8  # vs 0.15 in the whole space


def test_choose_takes_the_densest_box_with_enough_coverage():
    class S:
        def __init__(self, c, d):
            self.coverage, self.density = c, d

    t = [S(1.0, 0.2), S(0.9, 0.5), S(0.6, 0.7), S(0.4, 0.95)]
    assert choose(t, 0.5) == 2  # none reaches density 0.8 with coverage 0.5: the densest
    assert choose(t, 0.3) == 3
    # boxes 2 and 3 both qualify at density >= 0.7: the one restricting fewer parameters wins
    assert choose(t, 0.3, 0.7, restrictions=[0, 1, 2, 5]) == 2
    assert choose(t, 0.3, 0.7, restrictions=[0, 1, 3, 3]) == 3  # equal: the denser
