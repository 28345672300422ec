"""Feed ranking and the ad auction.

Organic candidates come from one sparse product: (follows of today's readers) x (what each
account shared). Each candidate's value packs two counts: direct posts by followees (the
author's own post reaching its followers) times DIRECT, plus reshares by followees. The
ranking then keeps the best ``k`` per reader; the auction fills ad slots, second price.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

DIRECT = float(2**20)  # weight of a direct post in the packed candidate value


def share_matrix(sharers, local_content, direct, n_rows, n_cols) -> sp.csr_matrix:
    """Who shared which (locally numbered) content; a pair counts once."""
    keys = np.unique(np.asarray(sharers, np.int64) * n_cols + local_content
                     + np.where(direct, 0, n_rows * n_cols))
    is_reshare = keys >= n_rows * n_cols
    keys = keys - np.where(is_reshare, n_rows * n_cols, 0)
    rows, cols = np.divmod(keys, n_cols)
    vals = np.where(is_reshare, 1.0, DIRECT)
    return sp.csr_matrix((vals, (rows, cols)), shape=(n_rows, n_cols))


def candidates(readers, follow_mats, share_mats):
    """Sum over (follows, shares) pairs of follows[readers] @ shares; returns CSR with
    one row per reader and packed (direct, reshare) counts as values."""
    total = None
    for follows, shares in zip(follow_mats, share_mats):
        if shares.nnz == 0:
            continue
        part = follows[readers] @ shares
        total = part if total is None else total + part
    if total is None:
        return sp.csr_matrix((len(readers), share_mats[0].shape[1]))
    total = total.tocsr()
    total.sum_duplicates()
    return total


def unpack(values: np.ndarray):
    """Split packed candidate values into (has a direct post, number of followees sharing)."""
    direct_posts = np.floor(values / DIRECT)
    reshares = values - direct_posts * DIRECT
    return direct_posts > 0, direct_posts + reshares


def top_k_per_row(indptr: np.ndarray, scores: np.ndarray, k: int | None) -> np.ndarray:
    """Mask of the ``k`` highest-scoring entries of each CSR row (ties: earlier entry first).

    Only rows with more than ``k`` entries are sorted: one stable argsort of
    row + normalised rank, so the cost follows the crowded rows, not all candidates.
    """
    keep = np.ones(len(scores), dtype=bool)
    if k is None:
        return keep
    counts = np.diff(indptr)
    if not (counts > k).any():
        return keep
    rows = np.repeat(np.arange(len(counts)), counts)
    crowded = np.flatnonzero(counts[rows] > k)
    s = scores[crowded]
    span = s.max() - s.min()
    norm = (s - s.min()) / span if span > 0 else np.zeros_like(s)
    order = crowded[np.argsort(rows[crowded] + 0.999 * (1.0 - norm), kind="stable")]
    ordered_rows = rows[order]
    rank = np.arange(len(order)) - np.searchsorted(ordered_rows, ordered_rows, side="left")
    keep[order[rank >= k]] = False
    return keep


def second_price(effective_bids: np.ndarray):
    """One auction per row; columns are bidders, -inf where a bidder is not eligible.

    Returns the winning column and the runner-up's effective bid (what the winner pays, per
    unit of its own quality). Rows with fewer than two finite bids get a runner-up of 0.
    """
    n, m = effective_bids.shape
    if m == 1:
        return np.zeros(n, dtype=np.int64), np.zeros(n)
    top2 = np.argpartition(-effective_bids, 1, axis=1)[:, :2]
    rows = np.arange(n)
    first, second = effective_bids[rows, top2[:, 0]], effective_bids[rows, top2[:, 1]]
    swap = second > first
    winner = np.where(swap, top2[:, 1], top2[:, 0])
    runner_up = np.where(swap, first, second)
    return winner, np.where(np.isfinite(runner_up), runner_up, 0.0)


def within_budget(prices: np.ndarray, budget: float, order: np.ndarray) -> np.ndarray:
    """Mask of the wins a campaign can pay for: in ``order``, until the budget runs out."""
    ordered = prices[order]
    ok_sorted = np.cumsum(ordered) <= budget + 1e-9
    ok = np.empty(len(prices), dtype=bool)
    ok[order] = ok_sorted
    return ok
