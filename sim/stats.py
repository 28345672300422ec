"""Statistics, in one place: means with 95% confidence intervals across seeds, and paired
(same-seed) differences.

Seeds are independent replications, so a t interval on their mean is the honest interval for
small numbers of seeds (20 in a brief). Regimes run on the same seed share the network and the
population (common random numbers, DESIGN section 3), so comparisons against a baseline are
made on same-seed differences, whose variance is much smaller than that of either side.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A mean over ``n`` seeds with its 95% t interval [lo, hi] (NaN when n < 2)."""

    mean: float
    lo: float
    hi: float
    n: int

    @property
    def spans_zero(self) -> bool:
        """True unless the whole interval lies on one side of zero (an undefined interval
        counts as spanning zero: nothing is detectable from one seed)."""
        return not (self.lo > 0 or self.hi < 0)

    def scaled(self, factor: float) -> Estimate:
        """The same estimate in other units (a negative factor swaps the interval's ends)."""
        lo, hi = (
            sorted((self.lo * factor, self.hi * factor))
            if factor < 0
            else (self.lo * factor, self.hi * factor)
        )
        return Estimate(self.mean * factor, lo, hi, self.n)

    def as_dict(self) -> dict:
        return asdict(self)


def mean_ci(values, level: float = LEVEL) -> Estimate:
    """Mean and t interval (95% by default) of the finite values (NaN runs, e.g. failed ones,
    are left out)."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n < 2:
        return Estimate(mean, math.nan, math.nan, n)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return Estimate(mean, mean - half, mean + half, n)


def paired_differences(table, value: str, by: list[str], regime: str, baseline: str, pair_on: list[str]):
    """Same-seed differences ``value(regime) - value(baseline)``, one row per pair.

    ``table`` is a pandas DataFrame with a ``policy`` column; ``pair_on`` are the columns that
    identify a replication (seed and the sweep's other settings); ``by`` are kept (e.g.
    campaign). Rows without a partner are dropped, so the two sides are always the same seeds.
    """
    keys = list(by) + list(pair_on)
    side = [table[table["policy"] == p].set_index(keys)[value] for p in (regime, baseline)]
    joined = side[0].to_frame("treated").join(side[1].to_frame("base"), how="inner")
    joined["diff"] = joined["treated"] - joined["base"]
    return joined.reset_index()
