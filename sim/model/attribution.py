"""Attribution: the slots of a feed and the one origin each impression gets (sim.vocabulary.Origin).

A feed of ``feed.size`` items has round(``feed.size`` x ``feed.ad_load``) ad slots, sold by a
platform's ad market (auction.py); the rest are organic slots, filled by its feed (feed/).

A content's *root* origin is fixed when it is created: ``ad`` (an ad creative), ``owned`` (a
post of a campaign's own account, official or sockpuppet) or ``amplified`` (a paid poster's
post). An impression of a post seen because a followee *posted* it keeps the root; seen
because a followee *reshared* it, it is earned: ``earned_from_paid`` when the root was bought
(ad or amplified), else ``earned_from_organic``. Ads shown in ad slots are ``ad``. So every
impression has exactly one origin and origins sum to the total.
"""

from __future__ import annotations

import numpy as np

from ..vocabulary import ROOT_IS_PAID, Origin


def ad_slots(cfg) -> int:
    """Ad slots per feed: round(feed.size x feed.ad_load)."""
    return int(round(cfg.feed.size * cfg.feed.ad_load))


def organic_origin(root: np.ndarray, direct: np.ndarray) -> np.ndarray:
    """Origin codes of organic impressions from their contents' roots and whether a followee
    posted (``direct``) rather than reshared the content."""
    earned = np.where(ROOT_IS_PAID[root], Origin.EARNED_FROM_PAID, Origin.EARNED_FROM_ORGANIC)
    return np.where(direct, root, earned).astype(np.int8)


def ad_origin(count: int) -> np.ndarray:
    """Origin codes of ``count`` impressions won in the ad auction."""
    return np.full(count, Origin.AD, np.int8)
