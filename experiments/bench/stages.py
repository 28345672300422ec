"""Where a step's time goes: the stages of the day, timed by wrapping the model's functions.

``profiled()`` wraps, for as long as it is active, the functions that do each stage's work
(class attributes and module functions, listed in STAGES) with a timer. Time is charged to the
innermost stage that is running (a stage called inside another is not counted twice); what is
in none is "other". Nothing is wrapped outside ``profiled()``: a run without the profile pays
nothing, and the model's code carries no timing hooks. A listed function that no longer exists
(renamed by later work) is reported, not fatal: the bench says which, and the table shows the
rest under "other".
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import time

# stage -> "module:attribute" of the functions whose time is the stage's (innermost wins)
STAGES: dict[str, list[str]] = {
    "campaigns": [
        "sim.model.campaigns:Campaign.post",
        "sim.model.campaigns:Campaign.pay_amplifiers",
        "sim.model.campaigns:Campaign.settle",
        "sim.model.model:SimModel.ad_budgets",
    ],
    "filtering": ["sim.model.model:SimModel._filter_posts"],
    "sessions": ["sim.model.sessions:Sessions.open", "sim.model.sessions:Sessions.update"],
    "candidates": ["sim.model.feed.feed:OrganicFeed.candidates", "sim.model.feed.feed:OrganicFeed.batch"],
    "recommendations": ["sim.model.feed.feed:OrganicFeed.recommend"],
    "ranking": [
        "sim.model.feed.rankers:Engagement.score",
        "sim.model.feed.rankers:Chronological.score",
        "sim.model.feed.rankers:Bridging.score",
    ],
    "attention": ["sim.model.feed.feed:compete", "sim.model.feed.feed:OrganicFeed._measure"],
    "auction": ["sim.model.auction:AdAuction.sell"],
    "reactions": ["sim.model.model:SimModel.react"],
    "follows": ["sim.model.follows:Follows.follow", "sim.model.follows:Follows.follow_users"],
    "seen": ["sim.model.content:SeenSet.add"],
    "metrics": ["sim.model.metrics:Metrics.observe"],
    "enforcement": ["sim.model.platform:Platform.enforce"],
}
ORDER = [*STAGES, "other"]


class Profile:
    """CPU seconds per stage, accumulated over the steps run inside ``profiled()`` (CPU time,
    not wall time: on a shared machine other jobs change the wall time, far less the CPU time)."""

    def __init__(self):
        self.seconds = dict.fromkeys(ORDER, 0.0)
        self.missing: list[str] = []
        self._stack: list[list] = []  # [stage, start, time in nested stages]

    def enter(self, stage: str) -> None:
        self._stack.append([stage, time.process_time(), 0.0])

    def leave(self) -> None:
        stage, start, nested = self._stack.pop()
        spent = time.process_time() - start
        self.seconds[stage] += spent - nested
        if self._stack:
            self._stack[-1][2] += spent

    def step_done(self, total: float) -> None:
        """Charge what no stage took of a step of ``total`` CPU seconds to "other"."""
        self.seconds["other"] += total

    def shares(self) -> dict[str, float]:
        """Share of the profiled step time in each stage (sums to 1)."""
        staged = sum(v for k, v in self.seconds.items() if k != "other")
        other = max(self.seconds["other"] - staged, 0.0)
        total = staged + other
        out = {k: v / total for k, v in self.seconds.items() if k != "other"}
        out["other"] = other / total
        return out


def _wrap(profile: Profile, stage: str, fn):
    @functools.wraps(fn)
    def timed(*args, **kwargs):
        profile.enter(stage)
        try:
            return fn(*args, **kwargs)
        finally:
            profile.leave()

    return timed


@contextlib.contextmanager
def profiled(profile: Profile):
    """Wrap every function of STAGES with ``profile``'s timer while active."""
    undo = []
    try:
        for stage, targets in STAGES.items():
            for target in targets:
                module_name, path = target.split(":")
                owner = importlib.import_module(module_name)
                *parents, name = path.split(".")
                try:
                    for part in parents:
                        owner = getattr(owner, part)
                    original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
                except (AttributeError, KeyError):
                    profile.missing.append(target)
                    continue
                undo.append((owner, name, original))
                setattr(owner, name, _wrap(profile, stage, original))
        yield profile
    finally:
        for owner, name, original in reversed(undo):
            setattr(owner, name, original)
