"""Policy levers: what ads may run and how, and enforcement against coordinated posting.

A regime is just a PolicyConfig; the presets in conf/policy/ set a few levers each and compose
(``policy=[transparency,cap]``). Civic (non-political) campaigns may always advertise.
"""

from __future__ import annotations

import numpy as np

from .config import TARGETING_LEVELS, CampaignConfig, PolicyConfig


def ads_allowed(campaign: CampaignConfig, policy: PolicyConfig) -> bool:
    return policy.political_ads or not campaign.political


def budget_limit(campaign: CampaignConfig, policy: PolicyConfig, n_users: int) -> float:
    """The most a campaign may spend in the run, in US$: its budget or the spend cap if
    lower. Both are given per 1,000 users, so a scenario means the same at any size."""
    per_1k = campaign.budget if policy.spend_cap is None else min(campaign.budget, policy.spend_cap)
    return per_1k * n_users / 1000.0


def targeting_level(campaign: CampaignConfig, policy: PolicyConfig) -> str:
    """The targeting a campaign gets: its own, or broad if the policy forbids that level."""
    allowed = TARGETING_LEVELS.index(policy.targeting_allowed)
    return campaign.targeting if TARGETING_LEVELS.index(campaign.targeting) <= allowed else "broad"


def identical_cap_mask(posters: np.ndarray, is_copy: np.ndarray, cap: int | None) -> np.ndarray:
    """Keep at most ``cap`` posts of identical (copy-paste) content per account per day.

    ``is_copy`` marks posts whose text was handed out for copying; posts are kept in the
    order given.
    """
    keep = np.ones(len(posters), dtype=bool)
    if cap is None or len(posters) == 0:
        return keep
    copies = np.flatnonzero(is_copy)
    order = copies[np.argsort(posters[copies], kind="stable")]
    sorted_posters = posters[order]
    rank = np.arange(len(order)) - np.searchsorted(sorted_posters, sorted_posters, side="left")
    keep[order[rank >= cap]] = False
    return keep


def coordinated_accounts(posters: np.ndarray, contents: np.ndarray, threshold: int):
    """Accounts that posted a content which at least ``threshold`` distinct accounts posted."""
    if len(posters) == 0:
        return np.empty(0, dtype=np.int64)
    pairs = np.unique(np.stack([contents, posters]), axis=1)
    ids, inverse, counts = np.unique(pairs[0], return_inverse=True, return_counts=True)
    return np.unique(pairs[1][counts[inverse] >= threshold])


def enforce(policy: PolicyConfig, posters, contents, is_copy, suspended: np.ndarray, rng):
    """Apply the day's enforcement to queued posts.

    Returns (mask of posts that go out, accounts newly suspended). Suspended accounts post
    nothing; copies over the identical-content cap are throttled; with enforcement on, each
    account in a coordinated identical-posting group is caught with ``detection_rate``, and
    its queued posts are dropped.
    """
    keep = ~suspended[posters]
    keep &= identical_cap_mask(posters, is_copy, policy.identical_cap)
    caught = np.empty(0, dtype=np.int64)
    if policy.enforcement:
        suspects = coordinated_accounts(posters[keep], contents[keep],
                                        policy.coordination_threshold)
        caught = suspects[rng.random(len(suspects)) < policy.detection_rate]
        suspended[caught] = True
        keep &= ~suspended[posters]
    return keep, caught
