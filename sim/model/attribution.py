"""Attribution: the slots of a feed and the one origin each impression gets (sim.vocabulary.Origin).

A feed of ``feed.size`` items has size - round(``feed.size`` x ``feed.ad_load``) organic slots,
filled by its feed (feed/): a compressed feed, whose items stand for the many a real reader
scrolls past. Its ad market (auction.py) sells ``feed.ad_slots`` ad slots a reader-day, the
number of ads a real reader is shown on a day of use (null: round(size x ad_load), the
compressed feed's own ad slots).

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
    """Ad slots per reader-day: feed.ad_slots, or round(feed.size x feed.ad_load) when null."""
    if cfg.feed.ad_slots is not None:
        return int(cfg.feed.ad_slots)
    return int(round(cfg.feed.size * cfg.feed.ad_load))


def organic_slots(cfg) -> int:
    """Organic slots per reader-day: feed.size - round(feed.size x feed.ad_load)."""
    return cfg.feed.size - int(round(cfg.feed.size * cfg.feed.ad_load))


def organic_origin(root: np.ndarray, direct: np.ndarray) -> np.ndarray:
    """Origin codes of organic impressions from their contents' roots and whether a followee
    posted (``direct``) rather than reshared the content."""
    earned = np.where(ROOT_IS_PAID[root], Origin.EARNED_FROM_PAID, Origin.EARNED_FROM_ORGANIC)
    return np.where(direct, root, earned).astype(np.int8)


def ad_origin(count: int) -> np.ndarray:
    """Origin codes of ``count`` impressions won in the ad auction."""
    return np.full(count, Origin.AD, np.int8)
