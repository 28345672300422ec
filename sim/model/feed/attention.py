"""Attention: campaign posts compete with non-political content for a reader's organic slots.

A reader-day has a number of organic slots (the feed's size minus its ad slots) and, besides
its political candidates, M non-political candidates (``feed.candidates_per_followee`` x the
accounts it follows), which are never materialised. A political candidate ranked i-th among
the reader's political candidates is shown iff its score beats the (slots - i + 1)-th best
non-political score, i.e. fewer than ``slots`` items rank above it: political candidates that
beat the non-political competition take slots, best first, exactly as if all M + P candidates
were ranked together. Only the order statistics that decide are drawn, from exponential
spacings: the j-th largest of M uniforms is 1 - G_j / G_{M+1}, with G_j a sum of j standard
exponentials, so a reader costs two gamma draws plus one exponential per political candidate.
The ranker turns a uniform quantile into the score of a non-political item
(``Ranker.competitor_score``). The quality of the non-political part of a feed follows from the
same selection in closed form (:func:`selection_lift`).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ..arrays import argsort_ints
from ..kernels import order_quantiles, rank_in_groups


def group_ranks(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For sorted ``groups``: each entry's group number (0, 1, ...), the groups' first
    positions and their sizes."""
    n = len(groups)
    first = np.r_[True, groups[1:] != groups[:-1]] if n else np.zeros(0, bool)
    start = np.flatnonzero(first)
    return np.cumsum(first) - 1, start, np.diff(np.r_[start, n])


def rank_in_group(groups: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """0-based rank of each entry by descending score within its group (``groups`` sorted;
    ties: earlier entry first), one pass over the groups (kernels.py)."""
    _, start, count = group_ranks(groups)
    return rank_in_groups(start, count, np.asarray(scores, np.float64))


def compete(users, scores, slots, nonpolitical, competitor, rng) -> np.ndarray:
    """Which political candidates are shown (module docstring).

    ``users``: each candidate's reader, sorted; ``scores``: the ranker's scores; ``slots`` and
    ``nonpolitical``: organic slots and non-political candidates (M) of each candidate's reader;
    ``competitor(u, positions)``: scores of the non-political items at uniform quantiles ``u``
    for the candidates at ``positions``. Returns a mask of the shown candidates.
    """
    n = len(users)
    shown = np.zeros(n, bool)
    if n == 0:
        return shown
    grp, _, count = group_ranks(users)
    rank = rank_in_group(users, scores)
    slots = np.asarray(slots, np.int64)
    m = np.asarray(nonpolitical, np.int64)
    j = slots - rank  # the non-political order statistic to beat: (slots - i + 1)-th largest
    considered = rank < slots
    shown[considered & (j > m)] = True  # fewer non-political candidates than that: free slot
    need = np.flatnonzero(considered & (j <= m))
    if len(need) == 0:
        return shown
    # Per reader, j runs over lo .. min(slots, M) with lo = slots - min(P, slots) + 1: sort by
    # (reader, j) and accumulate G_j = G_lo + exponentials; G_{M+1} adds a Gamma(M + 1 - J).
    need = need[argsort_ints(grp[need] * (int(slots.max()) + 2) + j[need])]
    g, jj, mm = grp[need], j[need], m[need]
    first = np.r_[True, g[1:] != g[:-1]]
    last = np.r_[g[1:] != g[:-1], True]
    lo = slots[need] - np.minimum(count[g], slots[need]) + 1
    inc = rng.standard_exponential(len(need))
    inc[first] = rng.standard_gamma(lo[first])
    u = order_quantiles(first, inc, rng.standard_gamma((mm[last] - jj[last] + 1).astype(float)))
    shown[need] = scores[need] > competitor(u, need)
    return shown


def nonpolitical_shown(slots, nonpolitical, political_candidates, political_shown):
    """Non-political items shown per reader: the slots that political content leaves, up to
    what there is; none when political content overfills the slots (``feed.competition=false``
    shows every political candidate, however many)."""
    filled = np.minimum(slots, np.asarray(nonpolitical) + political_candidates)
    return np.maximum(filled - political_shown, 0)


def selection_lift(share, sigma_content: float, sigma_noise: float) -> np.ndarray:
    """Mean engagement of the items a ranker shows over the mean of all candidates, when it
    shows the top ``share`` by a noisy prediction.

    Log engagement t ~ N(mu, s_c^2), prediction t + e with e ~ N(0, s_n^2): selecting the top
    share p of predictions gives E[exp t | selected] / E[exp t] = Phi(beta - z_p) / p, with
    z_p = Phi^-1(1 - p) and beta = s_c^2 / sqrt(s_c^2 + s_n^2) (the bivariate-normal
    selection formula; continuous approximation of the top-K order statistics).
    """
    p = np.clip(np.asarray(share, float), 1e-12, 1.0)
    spread = np.hypot(sigma_content, sigma_noise)
    if spread == 0:
        return np.ones_like(p)
    beta = sigma_content**2 / spread
    return special.ndtr(beta - special.ndtri(1.0 - p)) / p
