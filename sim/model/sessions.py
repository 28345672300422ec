"""Sessions: whether a user opens the feed today, and how that responds to what it showed.

A user opens the feed with probability activity x h, capped at 1. h starts at 1 and follows the
quality of the feeds the user was shown: the mean predicted engagement per organic item (the
political items' own, the non-political ones' from their selection, attention.py) relative
to the quality of a feed of the same reader ranked for engagement. The user remembers
log(quality / reference) as an exponential average with weight ``behavior.session_memory`` on
the latest feed, and h = exp(``behavior.session_elasticity`` x that memory). A feed that shows
what its readers engage with less (a chronological one) is opened less often, and with fewer
readers fewer ad slots are sold (Guess et al. 2023: time spent fell on a chronological feed).
"""

from __future__ import annotations

import numpy as np

from .kernels import draw_readers


class Sessions:
    """Per-user memory of feed quality and the daily draw of who opens the feed."""

    def __init__(self, cfg, n: int):
        self.cfg = cfg  # BehaviorConfig
        self.memory = np.zeros(n)  # remembered log(quality / reference)
        self.factor = np.ones(n)  # exp(elasticity x memory), kept for the readers who change

    def open(self, activity: np.ndarray, suspended: np.ndarray, rng) -> np.ndarray:
        """Today's readers (sorted user ids)."""
        return draw_readers(rng.random(len(activity)), activity, self.factor, suspended)

    def update(self, readers: np.ndarray, log_quality: np.ndarray) -> None:
        """Readers remember today's log(quality / reference) (NaN: nothing shown, no update);
        only readers whose memory is or becomes non-zero are touched."""
        ok = np.isfinite(log_quality) & ((log_quality != 0) | (self.memory[readers] != 0))
        who, w = readers[ok], self.cfg.session_memory
        self.memory[who] = (1 - w) * self.memory[who] + w * log_quality[ok]
        self.factor[who] = np.exp(self.cfg.session_elasticity * self.memory[who])
