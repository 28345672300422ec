"""Compiled kernels (numba) for the step's work that arrays do badly: merging sorted runs,
radix sorts of packed integer keys, counting sorts of small-range integer keys, grouping
pushed (reader, content) pairs reader by reader, the ad auction's slots, and per-impression
passes that array code makes with several temporaries (reactions, the political exposures and
their pulls, the metrics' counts). Each does exactly what the NumPy expression it replaces did
(same order, same values: the golden digests are unchanged); they only avoid the full sorts
and temporaries.

Compiled on first use and cached on disk beside this file (``cache=True``), so a process pays
the compilation once per installation, not per run.
"""

from __future__ import annotations

import math

import numba
import numpy as np

jit = numba.njit(cache=True, nogil=True)
# Where numba found Intel's SVML it vectorises loops of exp with SVML's exp, whose last bits
# differ from the C library's: lognormal_from_normal would then not be numpy's lognormal, and
# sim.model.threads.lognormal draws with numpy instead (same bits, one core).
SCALAR_EXP = not getattr(numba.config, "USING_SVML", False)


@jit
def merge_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The sorted union (with repeats) of two sorted int64 arrays, in one linear pass."""
    out = np.empty(len(a) + len(b), np.int64)
    i = j = k = 0
    while i < len(a) and j < len(b):
        if b[j] < a[i]:
            out[k] = b[j]
            j += 1
        else:
            out[k] = a[i]
            i += 1
        k += 1
    while i < len(a):
        out[k] = a[i]
        i += 1
        k += 1
    while j < len(b):
        out[k] = b[j]
        j += 1
        k += 1
    return out


RADIX_BITS = 11  # a digit of the radix sort: 2,048 counters, which stay in the L1 cache


@jit
def radix_sort(keys: np.ndarray) -> np.ndarray:
    """``np.sort(keys)`` for int64 keys, by least-significant-digit radix passes over the bits
    the largest key uses (a packed (user, content) key at 1M users: 5 passes). Linear work: at
    3.4M keys ~2.5x faster than NumPy's sort on this machine. Negative keys: NumPy's sort."""
    n = len(keys)
    if n == 0 or keys.min() < 0:
        return np.sort(keys)
    top, bits = keys.max(), 0
    while (top >> bits) > 0:
        bits += 1
    src, dst = keys.copy(), np.empty(n, np.int64)
    mask = (1 << RADIX_BITS) - 1
    count = np.empty(1 << RADIX_BITS, np.int64)
    shift = 0
    while shift < bits:
        count[:] = 0
        for i in range(n):
            count[(src[i] >> shift) & mask] += 1
        total = 0
        for d in range(1 << RADIX_BITS):
            c = count[d]
            count[d] = total
            total += c
        for i in range(n):
            d = (src[i] >> shift) & mask
            dst[count[d]] = src[i]
            count[d] += 1
        src, dst = dst, src
        shift += RADIX_BITS
    return src


@jit
def bucket_starts(values: np.ndarray, top: int) -> np.ndarray:
    """Where each value's bucket starts in a counting sort of integers in [0, top) (length top + 1:
    the last entry is len(values))."""
    start = np.zeros(top + 1, np.int64)
    for v in values:
        start[v + 1] += 1
    for v in range(top):
        start[v + 1] += start[v]
    return start


@jit
def counting_argsort(values: np.ndarray, top: int) -> np.ndarray:
    """Stable argsort of integers in [0, top): one counting pass and one placing pass."""
    start = bucket_starts(values, top)
    order = np.empty(len(values), np.int64)
    for i in range(len(values)):
        v = values[i]
        order[start[v]] = i
        start[v] += 1
    return order


@jit
def push_shares(indptr, indices, rows, cols, direct, is_reader, who, key, k: int) -> int:
    """Push each share (sharer ``rows[s]``, column ``cols[s]``, ``direct[s]``) to the sharer's
    followers (CSR ``indptr``, ``indices``) who read today: append them to ``who`` and
    ``key`` = column * 2 + (0 if direct else 1) from position ``k``; returns the new end."""
    for s in range(len(rows)):
        flag = 0 if direct[s] else 1
        c = cols[s] * 2 + flag
        for p in range(indptr[rows[s]], indptr[rows[s] + 1]):
            u = indices[p]
            if is_reader[u]:
                who[k] = u
                key[k] = c
                k += 1
    return k


@jit
def group_pairs(who: np.ndarray, key: np.ndarray, n: int):
    """Distinct (reader, column) pairs of pushed shares (``key`` = column * 2 + 0 for a direct
    post, + 1 for a reshare), sorted by reader then column, with the number of direct posts
    and of reshares pushed for each. ``who`` in [0, n): a counting sort by reader, then each
    reader's few keys sorted."""
    m = len(who)
    start = bucket_starts(who, n)
    fill = start[:-1].copy()
    by_reader = np.empty(m, np.int64)
    for i in range(m):
        w = who[i]
        by_reader[fill[w]] = key[i]
        fill[w] += 1
    out_user = np.empty(m, np.int64)
    out_col = np.empty(m, np.int64)
    n_direct = np.empty(m, np.int64)
    n_reshare = np.empty(m, np.int64)
    k = 0
    for u in range(n):
        lo, hi = start[u], start[u + 1]
        if hi == lo:
            continue
        if hi - lo <= 16:  # most readers have a few keys: insertion sort (np.sort costs ~50 ns)
            for a in range(lo + 1, hi):
                x, b = by_reader[a], a - 1
                while b >= lo and by_reader[b] > x:
                    by_reader[b + 1] = by_reader[b]
                    b -= 1
                by_reader[b + 1] = x
        else:
            by_reader[lo:hi].sort()
        c = -1
        for p in range(lo, hi):  # indices, not a slice: a view per reader costs as much
            x = by_reader[p]
            if x >> 1 != c:
                c = x >> 1
                out_user[k], out_col[k], n_direct[k], n_reshare[k] = u, c, 0, 0
                k += 1
            if x & 1:
                n_reshare[k - 1] += 1
            else:
                n_direct[k - 1] += 1
    return out_user[:k], out_col[:k], n_direct[:k], n_reshare[:k]


@jit
def rank_in_groups(start: np.ndarray, count: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """0-based rank of each entry by descending score within its group (groups: consecutive
    entries, given by their ``start`` and ``count``; ties: earlier entry first). A small
    group counts, for each entry, the entries that beat it; a large one is sorted (stable)."""
    rank = np.zeros(len(scores), np.int64)
    for g in range(len(start)):
        lo, k = start[g], count[g]
        if k <= 32:
            for i in range(lo, lo + k):
                s, r = scores[i], 0
                for j in range(lo, lo + k):
                    if scores[j] > s or (scores[j] == s and j < i):
                        r += 1
                rank[i] = r
        else:
            order = np.argsort(-scores[lo : lo + k], kind="mergesort")
            for r in range(k):
                rank[lo + order[r]] = r
    return rank


@jit
def member(run: np.ndarray, keys: np.ndarray, hit: np.ndarray) -> None:
    """Set ``hit[i]`` where ``keys[i]`` is in the sorted ``run``. Keys that come in increasing
    order (a day's candidates) are found by galloping on from the previous one, so a sorted
    batch costs about one pass over the part of the run it spans; others by bisection."""
    n = len(run)
    if n == 0:
        return
    pos, last = 0, keys[0] if len(keys) else 0
    for i in range(len(keys)):
        key = keys[i]
        if key < last:
            pos = 0
        last = key
        # gallop: find hi with run[hi] >= key, from pos
        step, lo, hi = 1, pos, pos
        while hi < n and run[hi] < key:
            lo = hi + 1
            hi = pos + step
            step *= 2
        if hi > n:
            hi = n
        while lo < hi:  # first index in [lo, hi) with run[index] >= key
            mid = (lo + hi) // 2
            if run[mid] < key:
                lo = mid + 1
            else:
                hi = mid
        pos = lo
        if lo < n and run[lo] == key:
            hit[i] = True


@jit
def order_quantiles(first: np.ndarray, inc: np.ndarray, tail_draw: np.ndarray) -> np.ndarray:
    """attention.compete's uniform quantiles u = 1 - G_j / G_{M+1}, group by group (``first``
    marks each group's first entry; ``inc``: its increments, the first a gamma; ``tail_draw``:
    one gamma per group), with the same float operations in the same order as the array code
    it replaces: a running sum over all entries, each group's base subtracted."""
    n = len(inc)
    g_of = np.empty(n, np.float64)
    total, base = 0.0, 0.0
    for i in range(n):
        total = inc[i] if i == 0 else total + inc[i]
        if first[i]:
            base = total - inc[i]
        g_of[i] = total - base
    u = np.empty(n, np.float64)
    end, group = n, len(tail_draw)
    for i in range(n - 1, -1, -1):  # backwards: each group's tail is known from its last entry
        if i == end - 1:
            group -= 1
            tail = g_of[i] + tail_draw[group]
        u[i] = 1.0 - g_of[i] / tail
        if first[i]:
            end = i
    return u


@jit
def fade(opinion: np.ndarray, base: np.ndarray, keep: float) -> np.ndarray:
    """Move each ``opinion[i]`` (i < len(base)) that differs from ``base[i]`` back toward it,
    keeping the share ``keep`` of the distance (base + (opinion - base) x keep, as the array code
    did); returns those users, sorted. One pass, no masks or gathers over the population."""
    moved = np.empty(len(base), np.int64)
    k = 0
    for i in range(len(base)):
        if opinion[i] != base[i]:
            opinion[i] = base[i] + (opinion[i] - base[i]) * keep
            moved[k] = i
            k += 1
    return moved[:k]


@jit
def reactions(u, weight, reshare_rate, engage_base: float):
    """(engaged, reshared) of each impression from its uniform draw ``u``: reshared below
    min(reshare_rate x weight, 1), engaged below the larger of that and min(engage_base x weight,
    1); the products, minima and maxima of the array code in one pass (NaN as np.minimum)."""
    engaged = np.empty(len(u), np.bool_)
    reshared = np.empty(len(u), np.bool_)
    for i in range(len(u)):
        p_reshare = reshare_rate[i] * weight[i]
        p_reshare = 1.0 if p_reshare > 1.0 else p_reshare
        p_engage = engage_base * weight[i]
        p_engage = 1.0 if p_engage > 1.0 else p_engage
        p_engage = p_reshare if p_reshare > p_engage or p_reshare != p_reshare else p_engage
        engaged[i] = u[i] < p_engage
        reshared[i] = u[i] < p_reshare
    return engaged, reshared


@jit
def political_exposures(users, items, campaign, political, positions, skepticism, labeled, effect: float):
    """The impressions of political content, as bounded confidence reads them: the reader,
    the message's position (its campaign's) and the label's discount of persuasion,
    1 - effect x skepticism x labeled (behavior.label_factor, same order of operations); the
    masks, gathers and products of the array code in one pass over the impressions."""
    who = np.empty(len(users), np.int64)
    position = np.empty(len(users))
    factor = np.empty(len(users))
    k = 0
    for i in range(len(users)):
        c = campaign[items[i]]
        if political[c]:
            who[k] = users[i]
            position[k] = positions[c]
            factor[k] = 1.0 - effect * skepticism[users[i]] * labeled[items[i]]
            k += 1
    return who[:k], position[:k], factor[:k]


@jit
def pulls(opinion, users, position, factor, epsilon: float, persuasion: float):
    """The exposures that move an opinion (bounded confidence): the users whose opinion is
    within ``epsilon`` of the message's ``position``, and the pull of each, persuasion x
    factor x gap; the gather, masks and products of the array code in one pass."""
    who = np.empty(len(users), np.int64)
    pull = np.empty(len(users))
    k = 0
    for i in range(len(users)):
        gap = position[i] - opinion[users[i]]
        if abs(gap) < epsilon:
            who[k] = users[i]
            pull[k] = persuasion * factor[i] * gap
            k += 1
    return who[:k], pull[:k]


@jit
def tally2(out, a, b) -> None:
    """``out[a[i], b[i]] += 1`` for every i: counts of index pairs added in place, in one pass
    (the ravel_multi_index and bincount of the array code made two, and a temporary)."""
    n0, n1 = out.shape
    for i in range(len(a)):
        x, y = a[i], b[i]
        if x < 0 or x >= n0 or y < 0 or y >= n1:
            raise IndexError("tally: an index is out of range")
        out[x, y] += 1


@jit
def tally3(out, a, b, c) -> None:
    """``out[a[i], b[i], c[i]] += 1`` for every i (as tally2, for triples)."""
    n0, n1, n2 = out.shape
    for i in range(len(a)):
        x, y, z = a[i], b[i], c[i]
        if x < 0 or x >= n0 or y < 0 or y >= n1 or z < 0 or z >= n2:
            raise IndexError("tally: an index is out of range")
        out[x, y, z] += 1


@jit
def draw_readers(u: np.ndarray, activity: np.ndarray, factor: np.ndarray, suspended: np.ndarray):
    """Users i with ``u[i] < activity[i] x factor[i]`` and not suspended, sorted: the mask,
    product and flatnonzero of the array code in one pass."""
    out = np.empty(len(u), np.int64)
    k = 0
    for i in range(len(u)):
        if u[i] < activity[i] * factor[i] and not suspended[i]:
            out[k] = i
            k += 1
    return out[:k]


# ---------------------------------------------------------------- the ad auction (auction.py)
# One ad slot of every reader at a time, all campaigns in one pass over the readers: the masks,
# where()s, running best/second and argsorts of the array code, without its temporaries.


@jit
def ad_eligibility(lo, hi, audience, shown, caps, active, draw_row, draws, joins, eligible, some) -> None:
    """Which campaign may bid for which of the readers ``lo``..``hi - 1`` in this slot, into
    ``eligible`` (campaigns x readers): one with budget left (``active``), the reader in its
    audience and under its cap (``shown`` < ``caps``), and, for a throttled campaign
    (``draw_row`` >= 0), a pacing draw ``draws[draw_row]`` below its ``joins``. ``some``: the
    readers where any campaign may bid. (A range of readers: sim/model/threads.py.)"""
    n_b, n = audience.shape[0], hi - lo
    any_ = some[lo:hi]
    any_[:] = False
    # branch-free inner loops over views from 0 (vectorised by the compiler; indexing the whole
    # rows from ``lo`` instead was ~15x slower, 2026-12-04)
    for j in range(n_b):
        e, a, s, cap, t = eligible[j, lo:hi], audience[j, lo:hi], shown[j, lo:hi], caps[j], draw_row[j]
        if not active[j]:
            e[:] = False
        elif t < 0:
            for i in range(n):
                e[i] = a[i] & (s[i] < cap)
                any_[i] |= e[i]
        else:
            d, q = draws[t, lo:hi], joins[j, lo:hi]
            for i in range(n):
                e[i] = a[i] & (s[i] < cap) & (d[i] < q[i])
                any_[i] |= e[i]


@jit
def lognormal_from_normal(lo, hi, z, sigma: float, scale: float, out) -> None:
    """``out[i] = scale * exp(0.0 + sigma * z[i])`` for i in [lo, hi): ``scale *
    rng.lognormal(0, sigma, n)`` bit for bit, from ``z = rng.standard_normal(n)`` drawn from
    the same stream (numpy's lognormal is exp(mean + sigma * z) with the C library's exp, as
    a compiled scalar call is; NumPy's own ``np.exp`` is a SIMD version that differs in the
    last bit for ~4% of values). The exponentials, a third of the draw's cost, then split over
    the threads; the normal draws stay one sequential stream. (A range: sim/model/threads.py.)"""
    for i in range(lo, hi):
        out[i] = scale * math.exp(0.0 + sigma * z[i])


@jit
def ad_slot_bids(
    lo, hi, rows, eligible, effective, quality, next_quality, shown, commercial, uncapped, winner_of, price_of
):
    """Second-price auctions for one slot of the readers ``rows[lo:hi]`` (the rules:
    sim/model/auction.py; ties go to the earlier bidder, the commercial bid first): each
    reader's winner (``winner_of``: campaign + 1, 0 for none) and price ($ per impression,
    ``price_of``). ``next_quality`` (campaigns x the day's ads, or no columns when creatives are
    alike): the quality of each campaign's m-th creative of the day, the one a reader shown m of
    its ads (``shown``) gets next. Returns the wins per campaign (index j + 1). (A range of
    rows: sim/model/threads.py.)"""
    n_b = eligible.shape[0]
    alike = next_quality.shape[1] == 0
    any_uncapped = False
    for j in range(n_b):
        any_uncapped = any_uncapped or uncapped[j]
    counts = np.zeros(n_b + 1, np.int64)
    for i in range(lo, hi):
        r = rows[i]
        best, second, win = -np.inf, -np.inf, -1  # over the campaigns (win: -1 none)
        if not any_uncapped:  # the commercial bid takes part as bidder 0
            best, win = commercial[i], n_b
        for j in range(n_b):
            if not eligible[j, r]:
                bid = -np.inf
            elif alike:
                bid = effective[j, r]
            else:
                bid = effective[j, r] * next_quality[j, shown[j, r]]
            if bid > best:
                second, best, win = best, bid, j
            elif bid > second:
                second = bid
        if not np.isfinite(second):
            second = 0.0
        if any_uncapped:
            if win < 0 or not (uncapped[win] or best > commercial[i]):
                continue
            second = max(second, commercial[i])
        elif win == n_b:  # the commercial market won
            continue
        paid_for = quality[win, r] if alike else quality[win, r] * next_quality[win, shown[win, r]]
        winner_of[r] = win + 1
        price_of[r] = second / paid_for / 1000.0
        counts[win + 1] += 1
    return counts


@jit
def ad_slot_settle(rows, counts, limit, by_priority, winner_of, price_of):
    """Each campaign's budget stop after a slot's auctions (``ad_slot_bids``, whose ``counts``
    these are): campaign j's wins are paid for in ``by_priority`` order while the running sum of
    prices stays <= ``limit[j]``. Returns, grouped by campaign (``offsets``) in row order: the
    readers won, their prices ($ per impression) and whether paid for. ``winner_of`` /
    ``price_of``: work arrays over all readers, zeroed again here.

    The pass in the random order (over every reader, in no order memory likes) is needed only
    where a budget may bind: where a campaign's total is below its limit by more than any
    order's rounding can move a running sum (k prices: within 2k units of the last place; the
    margin is 4k), every running sum is too, and all its wins are paid, whatever the order."""
    n_b = len(limit)
    counts = counts.copy()
    for j in range(n_b):
        counts[j + 1] += counts[j]
    fill = counts[:-1].copy()
    who = np.empty(counts[n_b], np.int64)
    price = np.empty(counts[n_b])
    ok = np.ones(counts[n_b], np.bool_)
    total = np.zeros(n_b)
    for r in rows:
        w = winner_of[r]
        if w > 0:
            k = fill[w - 1]
            who[k], price[k] = r, price_of[r]
            fill[w - 1] += 1
            total[w - 1] += price_of[r]
    binds = False
    for j in range(n_b):
        wins = counts[j + 1] - counts[j]
        if wins > 0 and not total[j] * (1.0 + 4.0 * wins * 2.0**-53) < limit[j]:
            binds = True
    if binds:
        spent = np.zeros(n_b)
        paid = np.zeros(len(winner_of), np.bool_)
        for r in by_priority:
            w = winner_of[r]
            if w > 0:
                spent[w - 1] += price_of[r]
                paid[r] = spent[w - 1] <= limit[w - 1]
        for k in range(len(who)):
            ok[k] = paid[who[k]]
    for k in range(len(who)):
        winner_of[who[k]], price_of[who[k]] = 0, 0.0
    return counts, who, price, ok


@jit
def group_by_key(keys: np.ndarray, weights: np.ndarray, top: int):
    """The distinct ``keys`` (integers in [0, top)), sorted; where each one's entries start in
    the returned ``weights``, which are ordered by key, stably (a counting sort): what an argsort
    and two gathers gave, for np.add.reduceat to sum in the same order."""
    start = bucket_starts(keys, top)
    fill = start[:-1].copy()
    ordered = np.empty(len(weights), weights.dtype)
    for i in range(len(keys)):
        k = keys[i]
        ordered[fill[k]] = weights[i]
        fill[k] += 1
    distinct = np.empty(len(keys), np.int64)
    first = np.empty(len(keys), np.int64)
    g = 0
    for v in range(top):
        if start[v + 1] > start[v]:
            distinct[g], first[g] = v, start[v]
            g += 1
    return distinct[:g], first[:g], ordered


@jit
def mark_reached(reached, reached_any, reach, users, camp, origin) -> None:
    """Mark each impression's (user, campaign, origin) and (user, campaign) as reached and add
    the users a campaign reaches for the first time to its ``reach``: the fancy-index writes,
    sort and de-duplication of the array code in one pass."""
    for i in range(len(users)):
        u, c = users[i], camp[i]
        reached[u, c, origin[i]] = True
        if not reached_any[u, c]:
            reached_any[u, c] = True
            reach[c] += 1


@jit
def impression_counts(
    items,
    users,
    origin,
    engaged,
    reshared,
    content_campaign,
    content_funded,
    is_paid,
    user_side,
    campaign_side,
    user_band,
    user_segment,
    content_stats,
    by_origin,
    funded_count,
    engagements,
    reshares,
    cross,
    by_band,
    by_segment,
):
    """The metrics' per-impression counts in one pass (Metrics._record_reactions; the gathers,
    masks and bincounts of the array code made a pass and a temporary each). Adds, per
    impression: its content's impressions and reshares (``content_stats`` columns 1, 2); its
    campaign's impressions by origin, engagements, reshares; impressions of a money-funded
    organic post (funded content, not a paid origin); impressions by a reader on the other
    side of the campaign's position (a campaign at 0 has none); impressions by (paid-rooted?,
    reader's ideology band) and by (paid-rooted?, reader's segment). Returns each impression's
    campaign and whether it counted as funded. An index out of range raises IndexError."""
    n = len(items)
    camp = np.empty(n, np.int64)
    funded = np.empty(n, np.bool_)
    n_contents, n_camps, n_origins = len(content_stats), by_origin.shape[0], by_origin.shape[1]
    n_bands, n_segments = by_band.shape[2], by_segment.shape[2]
    for i in range(n):
        item, u, o = items[i], users[i], origin[i]
        if item < 0 or item >= n_contents or o < 0 or o >= n_origins or u < 0 or u >= len(user_band):
            raise IndexError("impression_counts: an index is out of range")
        c = content_campaign[item]
        b, s = user_band[u], user_segment[u]
        if c < 0 or c >= n_camps or b < 0 or b >= n_bands or s < 0 or s >= n_segments:
            raise IndexError("impression_counts: an index is out of range")
        camp[i] = c
        content_stats[item, 1] += 1
        by_origin[c, o] += 1
        if engaged[i]:
            engagements[c] += 1
        if reshared[i]:
            content_stats[item, 2] += 1
            reshares[c] += 1
        paid = 1 if is_paid[o] else 0
        funded[i] = content_funded[item] and paid == 0
        if funded[i]:
            funded_count[c] += 1
        side = campaign_side[c]
        if side != 0 and user_side[u] != side:
            cross[c] += 1
        by_band[c, paid, b] += 1
        by_segment[c, paid, s] += 1
    return camp, funded
