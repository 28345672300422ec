"""The parameters set by judgement, and the values that are plausible for each.

One declaration feeds the sensitivity analysis (``python -m sim sensitivity``) and the parameter
ensemble (``python -m sim ensemble``), and docs/model.md's table of plausible ranges. A range
says how far the value could reasonably be from the default given what is known (the reason is
in ``why``); it is not a measured interval. Keys are Hydra override keys, so a range applies to
any scenario that has the key (campaign keys name the scenario's first campaign).

Two kinds: *judgement* parameters (the model's own; the ensemble draws them, since a policy
effect should hold whatever their plausible value) and *scenario* inputs (a campaign's budget:
what a user studies, not what is unknown; the sensitivity analysis includes them, the ensemble
does not). ``regimes``: the parameter acts only under these policies (the sensitivity analysis,
run without rules, leaves it out).
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
    scenario: bool = False  # a scenario input, not a judgement
    regimes: tuple[str, ...] = ()  # acts only under these policies (empty: under every one)


UNCERTAINTIES: tuple[Uncertainty, ...] = (
    Uncertainty(
        "behavior.persuasion",
        0.001,
        0.02,
        "opinion step per exposure; ads move vote choice <= ~0.7 pp (Coppock 2020)",
    ),
    Uncertainty(
        "behavior.epsilon",
        0.1,
        0.6,
        "bounded-confidence radius: from many opinion clusters to one (Deffuant 2000)",
    ),
    Uncertainty(
        "behavior.engage_base",
        0.02,
        0.2,
        "per-impression engagement of an aligned item; platforms' rates span ~1-20%",
    ),
    Uncertainty(
        "population.sharer_fraction",
        0.1,
        0.5,
        "users who ever reshare politics; ~25-30% post about politics (Pew, A16)",
    ),
    Uncertainty(
        "population.reshare_b",
        4.0,
        19.0,
        "Beta(1, b) reshare propensity of sharers: mean 0.2 to 0.05 per exposure",
    ),
    Uncertainty("ranking.social_proof_weight", 0.0, 1.0, "weight of followees' shares in ranking"),
    Uncertainty(
        "market.commercial_cpm",
        10.0,
        40.0,
        "competing commercial bids; political CPMs $14-$91, average ~$23-26 (A4)",
    ),
    Uncertainty(
        "network.homophily",
        0.6,
        0.95,
        "share of follows within one's side; political follow networks are highly segregated",
    ),
    Uncertainty(
        "behavior.label_effect",
        0.0,
        0.5,
        "engagement lost to a 'paid' label; field studies find it small (A18)",
    ),
    Uncertainty(
        "feed.political_engagement",
        1.0,
        20.0,
        "engagement of political relative to non-political content: Facebook-like ~2 "
        "(fitted to Guess 2023) to beyond Twitter-like ~10 (fitted to Huszar 2022)",
    ),
    # Calibrated effects (issue 13): ranges from the field studies' intervals (docs/model.md).
    Uncertainty(
        "behavior.persuasion_half_life",
        3.0,
        21.0,
        "days for persuasion to fade by half; 50-75% gone within a week (Hill et al. "
        "2008: 3.5-7 days), some effect lasting 6 weeks in presidential races (Hill et "
        "al. 2013)",
    ),
    Uncertainty(
        "behavior.turnout_nudge",
        -0.00017,
        0.00022,
        "mean logit shift per call to action; fitted ~0 to Aggarwal et al. 2023, range "
        "= their average effect's derived 95% CI (-0.35 to +0.45 pp; 0.0003 gives "
        "+0.61 pp in the design)",
    ),
    Uncertainty(
        "behavior.turnout_nudge_alignment",
        0.0,
        0.00074,
        "logit shift per call to action per unit of leaning; fitted 0.00037 to Aggarwal "
        "et al. 2023's subgroup contrast 0.7 pp, range = its 95% CI (0 to 1.4 pp)",
    ),
    Uncertainty(
        "behavior.turnout_nudge_social",
        0.0028,
        0.033,
        "logit shift of the once-per-election social message; Bond et al. 2012's 95% CI (+0.06 to +0.72 pp)",
    ),
    Uncertainty(
        "market.delivery_relevance",
        0.5,
        1.0,
        "weight of creative-reader alignment in ad delivery: with the audit's ads on lowest-cost "
        "bidding, 0.5 just gives Ali et al. 2021's >65% / <40% split (measured by party "
        "registration, a noisy proxy); 1 is the users' own affinity",
    ),
    Uncertainty(
        "market.creative_sigma",
        0.45,
        0.8,
        "log-sd of each creative's predicted quality; 0.7 reproduces the spread of per-ad CPMs "
        "within the 2020 presidential campaigns on Snapchat (pooled log-sd 0.63); 0.45 and 0.8 "
        "reproduce Trump's ads (0.45) and Biden's (0.72) alone",
    ),
    # Feed ranking (issue 11) and policy mechanisms (issue 12): ranges from docs/model.md.
    Uncertainty(
        "feed.candidates_per_followee",
        2.0,
        10.0,
        "non-political candidates per followee a day; ~20% of candidates shown "
        "(Backstrom 2013, press figures)",
    ),
    Uncertainty("feed.nonpolitical_sigma", 0.5, 1.5, "log-sd of ordinary posts' engagement"),
    Uncertainty(
        "behavior.session_elasticity",
        0.1,
        0.5,
        "sessions per unit of feed quality: Instagram -11% to Facebook -21% time spent "
        "on a chronological feed (Guess et al. 2023a, secondary)",
    ),
    Uncertainty(
        "behavior.outgroup_boost",
        1.5,
        2.5,
        "engagement with out-group attacks by the same side: 'about twice as often' "
        "(Rathje et al. 2021, abstract)",
    ),
    Uncertainty("population.segment_signal", 0.2, 0.7, "how well demographic cells predict partisanship"),
    Uncertainty(
        "population.activity_a", 0.25, 1.0, "Beta(a, 1.5) daily chance of opening the feed: mean 0.14 to 0.40"
    ),
    Uncertainty("feed.ad_load", 0.1, 0.3, "share of feed slots sold as ads (1 in 10 to 3 in 10)"),
    Uncertainty(
        "scenario.campaigns.0.micro_fraction", 0.05, 0.5, "share of users in a micro-targeted audience"
    ),
    Uncertainty(
        "scenario.campaigns.0.official_followers",
        0.01,
        0.15,
        "the main campaign's initial following, share of users",
    ),
    Uncertainty(
        "scenario.campaigns.0.bid_ceiling",
        1.2,
        5.0,
        "most an underspending campaign's bid may rise, x its bid",
    ),
    Uncertainty(
        "policy.labels.recall",
        0.1,
        0.6,
        "viewers who notice and recall a 'paid for by' label (Jost et al. 2022; Kruikemeier et al. 2016)",
        regimes=("transparency",),
    ),
    Uncertainty(
        "allocation.substitution",
        0.25,
        1.0,
        "share of a closed channel's money that moves to the campaign's open ones (rest: off "
        "this ecosystem, TV, mail); none measured: 'that money ... isn't leaving politics' "
        "(Tech for Campaigns, Vice 2019), judgement",
        regimes=("ban",),
    ),
    Uncertainty(
        "allocation.elasticity",
        0.0,
        4.0,
        "how strongly moved money follows impressions per dollar (0: evenly; 4: nearly all to "
        "the best channel); judgement",
        regimes=("ban",),
    ),
    Uncertainty(
        "allocation.volunteer_cost",
        10.0,
        200.0,
        "US$ to recruit one volunteer poster; judgement (field programmes' cost per volunteer)",
        regimes=("ban",),
    ),
    Uncertainty(
        "policy.ad_review.recall",
        0.2,
        0.99,
        "undeclared political ads the platform's review catches (Le Pochat et al. "
        "2022: 0.38; the authors' US figure ~0.99, secondary)",
        regimes=("ban", "transparency"),
    ),
    Uncertainty(
        "policy.watchdogs.visibility",
        2.0,
        200.0,
        "ad impressions per 1,000 users a day at which the library's readers flag a suspect "
        "sponsor with probability 1 - 1/e at full coverage; judgement (a candidate at the "
        "default budget shows ~50-100 a day)",
        regimes=("transparency",),
    ),
    Uncertainty(
        "policy.watchdogs.takedown_days",
        7.0,
        365.0,
        "mean days from a watchdog's flag to the platform's takedown (geometric); Facebook "
        "took 210 days on average for Edelson et al. 2020's 16 inauthentic clusters (NYU "
        "press release, secondary); a week where a report forces the platform's hand",
        regimes=("transparency",),
    ),
    Uncertainty(
        "scenario.campaigns.0.budget",
        75.0,
        675.0,
        "the main campaign's budget, US$ per 1,000 users (1:1 to 9:1 against B's $75)",
        scenario=True,
    ),
)


def as_params(
    keys=None, *, judgement_only: bool = False, without_rules: bool = False
) -> dict[str, tuple[float, float, bool]]:
    """``{key: (low, high, is_integer)}`` of the declared uncertainties: those named in
    ``keys``, else all; ``judgement_only`` leaves out scenario inputs (the ensemble),
    ``without_rules`` the parameters that act only under a policy (the sensitivity analysis)."""
    chosen = [
        u
        for u in UNCERTAINTIES
        if (keys is None or u.key in keys)
        and not (judgement_only and u.scenario)
        and not (without_rules and u.regimes)
    ]
    return {u.key: (u.low, u.high, u.integer) for u in chosen}
