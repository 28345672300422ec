"""Feed candidates: which contents could enter each reader's feed today.

Organic candidates are (reader, content) pairs: what the accounts a reader follows shared.
Two engines compute them: ``pull``, one sparse product (follows of today's readers) x (shares),
the plain reference; and ``push``, which walks only the follower lists of today's sharers and
is the fast default. Both give identical candidates (tested). Each candidate's value packs two
counts: direct posts by followees times DIRECT, plus reshares by followees.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..kernels import group_pairs, push_shares

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
    today's sharers, not to every reader's follow list: the pushed (reader, content) pairs are
    grouped by reader (linear in the pairs and the population) and counted, direct posts and
    reshares apart. Same output
    as ``candidates_pull``.
    """
    sources = [(matrix, share) for matrix, share in zip(followers, shares) if len(share[0])]
    size = sum(int(np.diff(matrix.indptr)[share[0]].sum()) for matrix, share in sources)
    who, key, k = np.empty(size, np.int64), np.empty(size, np.int64), 0
    for matrix, (rows, c, v) in sources:
        k = push_shares(matrix.indptr, matrix.indices, rows, c, v == DIRECT, is_reader, who, key, k)
    # per reader, its pushed contents sorted and counted (a counting sort by reader: kernels.py)
    users, cols, n_direct, n_reshare = group_pairs(who[:k], key[:k], len(is_reader))
    return users, cols, n_direct * DIRECT + n_reshare


def unpack(values: np.ndarray):
    """Split packed candidate values into (has a direct post, number of followees sharing)."""
    direct_posts = np.floor(values / DIRECT)
    reshares = values - direct_posts * DIRECT
    return direct_posts > 0, direct_posts + reshares
