"""Analytic results the model must reproduce in its limiting cases (docs/validation.md).

Why these formulas: with no ads, no attention limit, no social proof, everyone reading every
day and a fixed reshare probability T, the model's rules are those of *site* percolation on the
directed follower graph. A user sees a content at most once (the seen set), decides once, on
that first exposure, to reshare with probability T, and a reshare reaches *all* of the
resharer's followers the next day: the random choice is per user (site), not per follow (bond).

Conventions: F[u, v] = 1 means u follows v; information flows v -> u. ``k`` is a user's
follower count (column sums of F), ``j`` their followee count (row sums).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special, stats


def site_percolation(followers: np.ndarray, followees: np.ndarray, T: float) -> dict:
    """Directed configuration-model site percolation from one exposed user.

    followers, followees: per-user degree sequences (their joint empirical distribution is
    used, so degree correlations within a user are respected).

    Forward (will an exposed user's cascade be large?): a user reached along a follow edge is
    picked in proportion to its followee count j; it reshares with probability T and then
    exposes its k followers. Its extinction probability w solves
        w = 1 - T + T * G1(w),   G1(x) = sum_i j_i x^k_i / sum_i j_i.
    A seed is exposed directly (not along an edge), so P(large) = T * (1 - G0(w)),
    G0(x) = mean_i x^k_i.

    Backward (is a random user exposed by a large cascade?): a followee reached backwards
    along an edge is picked in proportion to its follower count k; it must reshare (T) and
    itself be exposed. The probability y that such an edge brings nothing solves
        y = 1 - T * (1 - H1(y)),  H1(x) = sum_i k_i x^j_i / sum_i k_i,
    the exposed fraction is E = 1 - mean_i y^j_i, and the resharing fraction is T * E.

    For Erdos-Renyi (Poisson in and out degrees, mean c) both reduce to S = 1 - exp(-c T S):
    E = S and P(large) = T * S.
    """
    k = np.asarray(followers, dtype=float)
    j = np.asarray(followees, dtype=float)

    def g1(x):
        return float(np.sum(j * x**k) / j.sum())

    def h1(x):
        return float(np.sum(k * x**j) / k.sum())

    w = 1.0 - _largest_root(lambda a: T * (1.0 - g1(1.0 - a)))
    y = 1.0 - T * _largest_root(lambda a: 1.0 - h1(1.0 - T * a))
    exposed = 1.0 - float(np.mean(y**j))
    return {
        "p_large": T * (1.0 - float(np.mean(w**k))),
        "exposed": exposed,
        "resharers": T * exposed,
        "mean_offspring": T * float(np.sum(j * k) / j.sum()),
    }


def _largest_root(g) -> float:
    """Largest root in [0, 1] of g(a) = a for g increasing with g(0) = 0 (the giant's size):
    iterate from a = 1 down; returns 0 below the threshold."""
    a = 1.0
    for _ in range(1_000_000):
        nxt = g(a)
        if abs(nxt - a) < 1e-13:
            return float(max(nxt, 0.0))
        a = nxt
    return float(max(a, 0.0))


def erdos_renyi_giant(R: float) -> float:
    """S solving S = 1 - exp(-R S) (0 for R <= 1): the ER site-percolation exposed fraction."""
    if R <= 1.0:
        return 0.0
    return float(1.0 + special.lambertw(-R * math.exp(-R)).real / R)


def borel_pmf(n: np.ndarray, lam: float) -> np.ndarray:
    """Borel distribution: total progeny of a Poisson(lam) branching process from one
    individual, P(n) = exp(-lam n) (lam n)^(n-1) / n!, n >= 1."""
    n = np.asarray(n, dtype=float)
    return np.exp(-lam * n + (n - 1) * np.log(lam * n) - special.gammaln(n + 1))


def subcritical_resharers_pmf(z: np.ndarray, c: float, T: float) -> np.ndarray:
    """Resharers of a cascade from one exposed user, Poisson(c) followers, below threshold:
    0 with probability 1 - T, else Borel(c T)."""
    z = np.asarray(z)
    out = np.where(z == 0, 1.0 - T, 0.0)
    pos = z >= 1
    out[pos] = T * borel_pmf(z[pos], c * T)
    return out


def capped_binomial_mean(s: int, p: float, cap: int) -> float:
    """E[min(Bin(s, p), cap)]: ads a user gets in a day from s slots entered with probability
    p, under a frequency cap."""
    x = np.arange(s + 1)
    return float(np.sum(np.minimum(x, cap) * stats.binom.pmf(x, s, p)))


def capped_reach(impressions_per_user: float, slots: int, cap: int) -> float:
    """Share of users reached by a buy of ``impressions_per_user`` x N impressions spread at
    random over N users (each of ``slots`` ad slots entered with one probability p) under a
    frequency cap: solve E[min(Bin(slots, p), cap)] = B / N for p; reach = 1 - (1 - p)^slots."""
    if impressions_per_user >= cap:
        return 1.0
    p = optimize.brentq(lambda q: capped_binomial_mean(slots, q, cap) - impressions_per_user, 0.0, 1.0)
    return 1.0 - (1.0 - p) ** slots


def deffuant_clusters(epsilon: float, width: float = 2.0) -> int:
    """Deffuant et al. (2000): major opinion clusters ~ floor(1 / (2 d)) for threshold d on the
    unit interval; the model's opinions span ``width`` (= 2 for [-1, 1]), so d = epsilon / width."""
    return int(math.floor(width / (2.0 * epsilon)))
