"""The words every part of the tool shares: how an impression came, ideology bands, targeting.

One definition each, used by the model, the outputs, the reports and the classroom, so that
a name cannot mean two things in two places.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Origin(IntEnum):
    """How an impression came: its value is the code stored in the model's arrays.

    ``ad``, ``owned`` and ``amplified`` are also the *root* origins that start a cascade; a
    reshare is earned, from paid or from organic, by the root of what was reshared.
    """

    AD = 0
    OWNED = 1
    AMPLIFIED = 2
    EARNED_FROM_PAID = 3
    EARNED_FROM_ORGANIC = 4

    @property
    def key(self) -> str:
        """The name used in column names and files (``earned_from_paid``)."""
        return self.name.lower()

    @property
    def paid(self) -> bool:
        """Rooted in money: bought directly (ad, paid amplifier) or a reshare of it."""
        return self in PAID

    @property
    def label(self) -> str:
        return LABELS[self]


PAID = frozenset({Origin.AD, Origin.AMPLIFIED, Origin.EARNED_FROM_PAID})
ROOTS = (Origin.AD, Origin.OWNED, Origin.AMPLIFIED)
LABELS = {
    Origin.AD: "ad",
    Origin.OWNED: "owned accounts",
    Origin.AMPLIFIED: "paid amplifiers",
    Origin.EARNED_FROM_PAID: "earned from paid",
    Origin.EARNED_FROM_ORGANIC: "earned from organic",
}
ORIGINS = tuple(o.key for o in Origin)  # column-name order
PAID_ORIGINS = tuple(o.key for o in Origin if o.paid)
ROOT_ORIGINS = tuple(o.key for o in ROOTS)  # what can start a cascade
IS_PAID = np.array([o.paid for o in Origin])  # indexed by origin code
ROOT_IS_PAID = np.array([o.paid for o in ROOTS])  # indexed by root origin code

IDEOLOGY_BANDS = ("far_left", "left", "centre", "right", "far_right")
BAND_LABELS = ("far left", "left", "centre", "right", "far right")
BAND_EDGES = np.array([-0.6, -0.2, 0.2, 0.6])  # ideology cut points between the bands

# From coarsest to finest: a policy allowing one level allows the coarser ones.
TARGETING_LEVELS = ("broad", "segments", "ideology", "micro")


def ideology_band(ideology: np.ndarray) -> np.ndarray:
    """Band index (0 = far left .. 4 = far right) of each ideology value."""
    return np.searchsorted(BAND_EDGES, ideology, side="right")
