"""The parameters set by judgement, and the values that are plausible for each.

One declaration feeds the sensitivity analysis (``python -m sim sensitivity``) and the parameter
ensemble (``python -m sim ensemble``), and docs/model.md's table of plausible ranges. A range
says how far the value could reasonably be from the default given what is known (the reason is
in ``why``); it is not a measured interval. Keys are Hydra override keys, so a range applies to
any scenario that has the key (campaign keys name the scenario's first campaigns).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Uncertainty:
    key: str
    low: float
    high: float
    why: str
    integer: bool = False


UNCERTAINTIES: tuple[Uncertainty, ...] = (
    Uncertainty("behavior.persuasion", 0.001, 0.02,
                "opinion step per exposure; ads move vote choice <= ~0.7 pp (Coppock 2020)"),
    Uncertainty("behavior.epsilon", 0.1, 0.6,
                "bounded-confidence radius: from many opinion clusters to one (Deffuant 2000)"),
    Uncertainty("behavior.engage_base", 0.02, 0.2,
                "per-impression engagement of an aligned item; platforms' rates span ~1-20%"),
    Uncertainty("population.sharer_fraction", 0.1, 0.5,
                "users who ever reshare politics; ~25-30% post about politics (Pew, A16)"),
    Uncertainty("population.reshare_b", 4.0, 19.0,
                "Beta(1, b) reshare propensity of sharers: mean 0.2 to 0.05 per exposure"),
    Uncertainty("ranking.social_proof_weight", 0.0, 1.0, "weight of followees' shares in ranking"),
    Uncertainty("market.commercial_cpm", 10.0, 40.0,
                "competing commercial bids; political CPMs $14-$91, average ~$23-26 (A4)"),
    Uncertainty("network.homophily", 0.6, 0.95,
                "share of follows within one's side; political follow networks are highly "
                "segregated"),
    Uncertainty("behavior.label_effect", 0.0, 0.5,
                "engagement lost to a 'paid' label; field studies find it small (A18)"),
    Uncertainty("feed.political_engagement", 1.0, 20.0,
                "engagement of political relative to non-political content: Facebook-like ~2 "
                "(fitted to Guess 2023) to beyond Twitter-like ~10 (fitted to Huszar 2022)"),
)


def as_params(keys=None) -> dict[str, tuple[float, float, bool]]:
    """``{key: (low, high, is_integer)}`` of the declared uncertainties (or of ``keys``)."""
    chosen = [u for u in UNCERTAINTIES if keys is None or u.key in keys]
    return {u.key: (u.low, u.high, u.integer) for u in chosen}
