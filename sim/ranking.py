"""Feed ranking and the ad auction.

Organic candidates are (reader, content) pairs: what the accounts a reader follows shared.
Two engines compute them: ``pull``, one sparse product (follows of today's readers) x (shares),
the plain reference; and ``push``, which walks only the follower lists of today's sharers and
is the fast default. Both give identical candidates (tested). Each candidate's value packs two
counts: direct posts by followees times DIRECT, plus reshares by followees. The ranking keeps
the best ``k`` per reader; the auction fills ad slots, second price.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .arrays import runs

DIRECT = float(2**20)  # weight of a direct post in the packed candidate value


def share_triplets(sharers, local_content, direct):
    """Who shared which (locally numbered) content, one entry per (sharer, content) pair, with
    the packed value: DIRECT for a direct post, 1 for a reshare (a direct post wins)."""
    sharers = np.asarray(sharers, np.int64)
    local_content = np.asarray(local_content, np.int64)
    width = int(local_content.max()) + 1 if len(local_content) else 1
    keys = sharers * width + local_content
    order = np.lexsort((~np.asarray(direct, bool), keys))  # per key, direct first
    keys, direct = keys[order], np.asarray(direct, bool)[order]
    first = np.ones(len(keys), bool)
    first[1:] = keys[1:] != keys[:-1]
    rows, cols = np.divmod(keys[first], width)
    return rows, cols, np.where(direct[first], DIRECT, 1.0)


def candidates_pull(readers, follows, shares, n_cols):
    """Reference engine: sum over sources of follows[readers] @ shares (one sparse product).

    ``follows`` are CSR matrices (users x sharers), ``shares`` matching (rows, cols, values)
    triplets. Returns (users, cols, values) sorted by user then column.
    """
    total = sp.csr_matrix((len(readers), n_cols))
    for matrix, (rows, cols, vals) in zip(follows, shares):
        if len(rows):
            share = sp.csr_matrix((vals, (rows, cols)), shape=(matrix.shape[1], n_cols))
            total = total + matrix[readers] @ share
    total = total.tocsr()
    total.sum_duplicates()
    total.eliminate_zeros()
    users = np.repeat(readers, np.diff(total.indptr))
    return users, total.indices.astype(np.int64), total.data


def candidates_push(is_reader, followers, shares, n_cols):
    """Fast engine: push each share to its sharer's followers, keep readers, merge duplicates.

    ``followers`` are CSR matrices (sharers x users). Work is proportional to the followers of
    today's sharers, not to every reader's follow list (nor to the population): the pushed
    (reader, content) keys are sorted, direct posts and reshares apart, and counted. Same output
    as ``candidates_pull``.
    """
    keys = {True: [], False: []}
    for matrix, (rows, c, v) in zip(followers, shares):
        if not len(rows):
            continue
        starts, lens = matrix.indptr[rows], np.diff(matrix.indptr)[rows]
        offsets = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(lens.sum())
        who = matrix.indices[offsets].astype(np.int64)
        pair = who * n_cols + np.repeat(c, lens)
        direct = np.repeat(v == DIRECT, lens)
        keep = is_reader[who]
        keys[True].append(pair[keep & direct])
        keys[False].append(pair[keep & ~direct])
    counted = {d: runs(np.sort(np.concatenate(k))) if k else runs(np.zeros(0, np.int64))
               for d, k in keys.items()}
    merged = np.sort(np.concatenate([counted[True][0], counted[False][0]]))
    merged, _ = runs(merged)
    values = np.zeros(len(merged))
    for is_direct, (k, count) in counted.items():
        values[np.searchsorted(merged, k)] += count * (DIRECT if is_direct else 1.0)
    users, cols = np.divmod(merged, n_cols)
    return users, cols, values


def unpack(values: np.ndarray):
    """Split packed candidate values into (has a direct post, number of followees sharing)."""
    direct_posts = np.floor(values / DIRECT)
    reshares = values - direct_posts * DIRECT
    return direct_posts > 0, direct_posts + reshares


def top_k_per_group(groups: np.ndarray, scores: np.ndarray, k: int | None) -> np.ndarray:
    """Mask of the ``k`` highest-scoring entries of each group (``groups`` sorted; ties:
    earlier entry first).

    Only groups with more than ``k`` entries are sorted: one stable argsort of
    group rank + normalised score, so the cost follows the crowded feeds, not all candidates.
    """
    keep = np.ones(len(scores), dtype=bool)
    if k is None or len(groups) == 0:
        return keep
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    counts = np.diff(np.r_[starts, len(groups)])
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


def second_price(bids: list[np.ndarray]):
    """Second-price auctions, one per row; ``bids`` holds one array per bidder (effective
    bids, -inf where not eligible).

    Returns the winning bidder's index and the runner-up's effective bid (what the winner pays
    per unit of its own quality); 0 where there is no runner-up. Ties go to the earlier bidder.
    Column by column with a running best and second: no row-wise sort or partition.
    """
    best = np.full(len(bids[0]), -np.inf)
    second = np.full(len(bids[0]), -np.inf)
    winner = np.zeros(len(bids[0]), dtype=np.int64)
    for j, bid in enumerate(bids):  # over bidders: a handful of campaigns and the market
        better = bid > best
        second = np.where(better, best, np.maximum(second, bid))
        winner[better] = j
        best = np.where(better, bid, best)
    return winner, np.where(np.isfinite(second), second, 0.0)


def within_budget(prices: np.ndarray, budget: float, order: np.ndarray) -> np.ndarray:
    """Mask of the wins a campaign can pay for: in ``order``, until the budget runs out."""
    ordered = prices[order]
    ok_sorted = np.cumsum(ordered) <= budget + 1e-9
    ok = np.empty(len(prices), dtype=bool)
    ok[order] = ok_sorted
    return ok
