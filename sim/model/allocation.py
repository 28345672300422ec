"""Where a campaign's money goes: its channels, their returns per dollar, and the daily split.

A campaign's channels (docs/model.md 3.3, "Where the money goes") are its ads on each platform,
paid posters (if it runs a poster programme: more of its next recruits, each hired when the
money set aside pays its posts to the end of the run), organic staff (money that adds official
posts a day, with diminishing returns) and volunteers (money that recruits supporters who then
post unpaid from their own accounts). Each day the campaign has a pot (what is left, spread
over the days left) and splits it with one rule, :func:`allocate`:

- every open channel of its planned *mix* (``base``: the ads, split over the platforms by their
  attention shares) keeps its base share, tilted toward the better observed returns:
  ``base_k r_k^e``, rescaled to the open base total (``e``: ``allocation.elasticity``);
- the base share of a closed channel (a ban, a blackout, an advertiser block, a takedown) is
  *moved* in part, ``allocation.substitution`` (``s``), to every open channel in proportion to
  ``r_k^e``; the rest, ``1 - s``, is not spent (kept out of the pot from then on);
- a channel that cannot take its money (a spend cap reached, staff at their most posts, no
  supporters left to recruit) keeps its capacity and its excess moves the same way.

So ``s = 0`` is today's model (a closed channel's money is not spent), ``s = 1`` a campaign that
spends its whole budget somewhere; ``e = 0`` moves money evenly over the open channels, a large
``e`` all of it to the best return. Returns are impressions per dollar: ads' from the receipts
(smoothed), the others' from the impressions of the campaign's own posts per follower.
Loops run over channels (a handful), never over users.
"""

from __future__ import annotations

import math

import numpy as np

POSTERS, STAFF, VOLUNTEERS = "posters", "staff", "volunteers"


def allocate(
    pot: float,
    base: np.ndarray,
    open_: np.ndarray,
    returns: np.ndarray,
    capacity: np.ndarray,
    substitution: float,
    elasticity: float,
) -> np.ndarray:
    """Today's money per channel (US$; sums to at most ``pot``): ``base`` the planned shares
    (summing to 1), ``open_`` which channels may take money today, ``returns`` their estimated
    impressions per dollar (> 0), ``capacity`` the most each can take today (inf: no limit)."""
    money = np.zeros(len(base))
    if pot <= 0:
        return money
    r = np.where(open_, np.maximum(returns, 1e-12), 0.0)
    # r^e relative to the best, so a large elasticity cannot overflow
    pull = np.where(open_, (r / r.max()) ** elasticity, 0.0) if open_.any() else r
    kept = base * open_ * pull
    if kept.sum() > 0:
        kept *= (base * open_).sum() / kept.sum()
    closed = float(base[~open_].sum())
    money = pot * kept
    moving = pot * closed * substitution
    full = ~open_.copy()
    for _ in range(len(base) + 1):
        weights = np.where(full, 0.0, pull)
        if moving > 1e-12 and weights.sum() > 0:
            money += moving * weights / weights.sum()
        excess = np.maximum(money - capacity, 0.0)
        if excess.sum() <= 1e-12:
            break
        money = np.minimum(money, capacity)
        full |= money >= capacity
        moving = float(excess.sum()) * substitution  # what a full channel cannot take moves on
    return money


def staff_posts(money: float, cost: float, most: int) -> int:
    """Extra official posts that ``money`` pays for today: ``most`` (1 - exp(-money / (most
    cost))), diminishing returns (the first post costs ``cost``, each next one more)."""
    if money <= 0 or cost <= 0 or most <= 0:
        return most if money > 0 and cost <= 0 else 0
    return int(math.floor(most * (1.0 - math.exp(-money / (most * cost))) + 1e-9))


def staff_money(posts: int, cost: float, most: int) -> float:
    """What ``posts`` extra official posts cost today (the inverse of :func:`staff_posts`)."""
    if posts <= 0:
        return 0.0
    if posts >= most:
        posts = most - 0.5  # the last post costs a finite amount at 1/2 a post short of ``most``
    return float(-most * cost * math.log(1.0 - posts / most))


class Channels:
    """A campaign's channels, their smoothed returns per dollar, and the money each got."""

    def __init__(self, names: list[str], base: np.ndarray, prior: np.ndarray, smoothing: float):
        self.names = names
        self.base = base / base.sum() if base.sum() > 0 else base
        self.returns = prior.astype(float)
        self.smoothing = smoothing
        self.spent = np.zeros(len(names))  # US$ per channel over the run
        self.index = {name: k for k, name in enumerate(names)}

    def observe(self, k: int, impressions: float, dollars: float) -> None:
        """A day's return of channel ``k`` (impressions bought with ``dollars``): smoothed in."""
        if dollars > 0:
            self.returns[k] += self.smoothing * (impressions / dollars - self.returns[k])
