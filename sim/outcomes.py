"""Every output column, declared once: its name, level, unit and meaning.

The run summary (sim/model/metrics.py) is checked against these declarations when it is built,
the output files carry their descriptions in their Parquet schema, ``collect``, ``sensitivity``
and the reports take their headline outcomes from here, and docs/outputs.md is generated from
this list (``python -m sim docs``). An undeclared column is an error, so the declaration cannot
fall behind the code.

A *family* is a set of columns of one meaning, one per origin, ideology band or segment
(``impressions_{origin}``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .vocabulary import IDEOLOGY_BANDS, ORIGINS

# level: (where it is written, one row per ...)
LEVELS = {
    "step": ("steps.parquet", "day and campaign"),
    "campaign": ("summary.json `campaigns`, collected runs.parquet", "run and campaign"),
    "run": ("summary.json, collected runs.parquet (same on every campaign row)", "run"),
    "provenance": ("summary.json, collected runs.parquet, every file's schema metadata", "run"),
    "platform": ("summary.json `platforms` (a run with several platforms)", "run, platform and campaign"),
    "cascade": ("cascades.parquet", "content (a cascade)"),
    "ad": ("ad_library.parquet (policy with an ad library)", "ad shown"),
    "collected": ("collected runs.parquet (python -m sim collect)", "run and campaign"),
    "paired": (
        "collected paired.parquet (python -m sim collect --paired)",
        "regime, setting, campaign and outcome",
    ),
    "ensemble": (
        "effects.parquet of a parameter ensemble (python -m sim ensemble)",
        "regime, campaign and headline outcome",
    ),
    "discovery": (
        "discovery/trajectory.parquet and box.parquet (python -m sim ensemble discover)",
        "peeling step / parameter",
    ),
    "figure": (
        "a report's figure sidecars NAME.json and brief.json (python -m sim report)",
        "key of the JSON file (each figure is NAME.png at 300 dpi, NAME.pdf and NAME.svg; the brief "
        "is brief.pdf and brief.png)",
    ),
}
FAMILIES = {"origin": ORIGINS, "band": IDEOLOGY_BANDS, "segment": None}  # None: 0..segments-1


@dataclass(frozen=True)
class Outcome:
    name: str  # the column; a family's name holds {origin}, {band} or {segment}
    level: str
    unit: str
    meaning: str
    headline: bool = False  # compared between regimes in briefs, sensitivity, paired tables

    @property
    def family(self) -> str | None:
        found = re.search(r"\{(\w+)\}", self.name)
        return found.group(1) if found else None

    def columns(self, segments: int) -> list[str]:
        """The column names this declaration stands for."""
        fam = self.family
        if fam is None:
            return [self.name]
        values = FAMILIES[fam] if FAMILIES[fam] is not None else range(segments)
        return [self.name.replace("{" + fam + "}", str(v)) for v in values]

    def matches(self, column: str) -> bool:
        if self.family is None:
            return column == self.name
        pattern = re.escape(self.name).replace(re.escape("{" + self.family + "}"), r"(\w+)")
        return re.fullmatch(pattern, column) is not None


def O(name, level, unit, meaning, headline=False) -> Outcome:  # noqa: E743 - short for the table
    return Outcome(name, level, unit, meaning, headline)


_ORIGIN = (
    "`ad` (won in the ad auction), `owned` (posted by the campaign's own accounts), "
    "`amplified` (posted by its paid amplifiers), `earned_from_paid` / "
    "`earned_from_organic` (a reshare of content whose root was bought / not)"
)

OUTCOMES: tuple[Outcome, ...] = (
    # ------------------------------------------------------------ per day and campaign
    O("step", "step", "day", "day of the run, from 1"),
    O("campaign", "step", "name", "campaign (scenario.campaigns[].name)"),
    O("impressions_{origin}", "step", "impressions", f"impressions that day by origin: {_ORIGIN}"),
    O("impressions", "step", "impressions", "impressions that day, all origins"),
    O(
        "reach",
        "step",
        "users",
        "cumulative: distinct users who have seen the campaign's content "
        "(any origin) from day 1 up to and including this day; never falls, and the last day's "
        "value is the run's reach",
    ),
    O("engagements", "step", "count", "engagements (likes, clicks, reshares) that day"),
    O("reshares", "step", "count", "reshares that day"),
    O("new_followers", "step", "users", "new followers of the campaign's accounts that day"),
    O("ad_budget", "step", "US$", "the day's ad budget (what is left over the days left)"),
    O("spend_ads", "step", "US$", "spent on ads that day"),
    O("spend_amplifiers", "step", "US$", "paid to amplifiers that day"),
    O("spend", "step", "US$", "spent that day (ads + amplifiers)"),
    O(
        "pacing",
        "step",
        "probability (0-1)",
        "pacing level p after the day (the pacing controller): "
        "the campaign joins a reader's auctions with probability 1 - (1 - p)^(q / mean q), q its "
        "predicted relevance for the reader; p where relevance is equal",
    ),
    O(
        "mean_opinion",
        "step",
        "[-1, 1]",
        "mean opinion of all users at the end of the day (same on every campaign's row)",
    ),
    O(
        "vote_share",
        "step",
        "share (0-1)",
        "the candidate's expected share of the vote (NaN for non-candidates)",
    ),
    O("mean_turnout", "step", "probability (0-1)", "mean turnout propensity of all users"),
    O("suspended", "step", "accounts", "the campaign's accounts suspended so far"),
    # ------------------------------------------------------------ per run and campaign
    O("campaign", "campaign", "name", "campaign (scenario.campaigns[].name)"),
    O("sponsor", "campaign", "name", "who pays (the name in an ad library)"),
    O("political", "campaign", "bool", "a political campaign (false: civic, non-partisan)"),
    O("foreign", "campaign", "bool", "a foreign sponsor"),
    O(
        "targeting_used",
        "campaign",
        "level",
        "the targeting its ads got after the policy (broad, segments, ideology, micro)",
    ),
    O("impressions_{origin}", "campaign", "impressions", f"impressions in the run by origin: {_ORIGIN}"),
    O("impressions", "campaign", "impressions", "impressions in the run, all origins"),
    O(
        "reach",
        "campaign",
        "users",
        "distinct users who saw the campaign's content at least once "
        "in the run, any origin (a user counts once however often she saw it)",
    ),
    O("reach_{origin}", "campaign", "users", "distinct users who saw it through each origin"),
    O(
        "money_share",
        "campaign",
        "share (0-1)",
        "share of the campaign's impressions rooted in money: (ad + amplified + earned_from_paid) / all",
        headline=True,
    ),
    O(
        "impressions_funded",
        "campaign",
        "impressions",
        "impressions (owned or earned from organic) of posts money paid for: the extra official "
        "posts of its staff money and the posts of volunteers its money recruited",
    ),
    O(
        "money_reach_share",
        "campaign",
        "share (0-1)",
        "money_share counting also impressions_funded: (ad + amplified + earned_from_paid + "
        "impressions_funded) / all",
    ),
    O(
        "earned_paid_ratio",
        "campaign",
        "ratio",
        "earned_from_paid / (ad + amplified): reshares won per bought impression",
    ),
    O("organic_paid_ratio", "campaign", "ratio", "(owned + earned_from_organic) / money-rooted impressions"),
    O(
        "budget_per_1000_users",
        "campaign",
        "US$ per 1,000 users",
        "its budget as configured (scenario.campaigns.N.budget), before any policy cap",
    ),
    O(
        "budget",
        "campaign",
        "US$",
        "the most it may spend in the run, in total: "
        "budget_per_1000_users (capped by the policy's spend cap) x users / 1,000",
    ),
    O("spend", "campaign", "US$", "spent in the run (ads + amplifiers + staff + volunteers)"),
    O("spend_ads", "campaign", "US$", "spent on ads"),
    O("spend_amplifiers", "campaign", "US$", "paid to amplifiers"),
    O(
        "spend_staff",
        "campaign",
        "US$",
        "spent on organic staff: extra official posts a day (sim/model/allocation.py)",
    ),
    O("spend_volunteers", "campaign", "US$", "spent recruiting volunteers (sim/model/allocation.py)"),
    O("effective_cpm", "campaign", "US$ per 1,000", "1,000 x spend / money-rooted impressions"),
    O("ad_cpm", "campaign", "US$ per 1,000", "1,000 x ad spend / ad impressions"),
    O("engagements", "campaign", "count", "engagements in the run"),
    O("reshares", "campaign", "count", "reshares in the run"),
    O("new_followers", "campaign", "users", "new followers of its accounts in the run"),
    O(
        "vote_share_start",
        "campaign",
        "share (0-1)",
        "expected vote share at the start (NaN: not a candidate)",
    ),
    O("vote_share_end", "campaign", "share (0-1)", "expected vote share at the end"),
    O(
        "vote_share_change",
        "campaign",
        "share (0-1)",
        "end minus start (x100 for percentage points)",
        headline=True,
    ),
    O("votes_gained", "campaign", "votes", "expected votes at the end minus at the start"),
    O("cost_per_vote", "campaign", "US$", "spend / votes gained (NaN when none gained)"),
    O(
        "cross_ideology_share",
        "campaign",
        "share (0-1)",
        "share of its impressions on users of the other ideological side (NaN for a campaign at position 0)",
    ),
    O(
        "reach_share",
        "campaign",
        "share (0-1)",
        "its impressions / all campaigns' impressions",
        headline=True,
    ),
    O("budget_share", "campaign", "share (0-1)", "its budget / all campaigns' budgets"),
    O("reach_budget_ratio", "campaign", "ratio", "reach_share / budget_share"),
    O("accounts_suspended", "campaign", "accounts", "its accounts suspended by the end"),
    O(
        "amplifiers",
        "campaign",
        "accounts",
        "paid amplifiers it recruited (per_1000_users x "
        "users / 1,000, plus those hired with a reallocated ad budget)",
    ),
    O("cascades", "campaign", "count", "its contents that were seen or posted (cascades)"),
    O("cascade_mean_size", "campaign", "accounts", "mean cascade size (roots + reshares)"),
    O("cascade_max_size", "campaign", "accounts", "largest cascade"),
    O(
        "paid_band_{band}",
        "campaign",
        "impressions",
        "money-rooted impressions (ad, amplified, "
        "earned_from_paid) on users whose ideology (fixed, in [-1, 1]; < 0 left) is in each band: "
        "far_left [-1, -0.6), left [-0.6, -0.2), centre [-0.2, 0.2), right [0.2, 0.6), far_right "
        "[0.6, 1]",
    ),
    O(
        "organic_band_{band}",
        "campaign",
        "impressions",
        "organic impressions (owned, earned_from_organic) by the same ideology bands",
    ),
    O(
        "paid_segment_{segment}",
        "campaign",
        "impressions",
        "money-rooted impressions on users of "
        "each segment: 0..population.segments-1, demographic cells drawn at random (or from a "
        "network file's segment attribute), the only user groups segment targeting can address",
    ),
    O("organic_segment_{segment}", "campaign", "impressions", "organic impressions by segment"),
    # strategy, platform help, disclosure, accountability (docs/model.md 3.3)
    O("spend_share", "campaign", "share (0-1)", "its spend / all campaigns' spend"),
    O(
        "spend_per_1000_users",
        "campaign",
        "US$ per 1,000 users",
        "spend per 1,000 users: the campaign's size, comparable across population sizes",
    ),
    O(
        "spend_status",
        "campaign",
        "text",
        "why it spent what it did: `spent` (>= 95% of its "
        "budget), `no budget`, `taken down`, `ads not allowed`, `market full at its bid ceiling` "
        "(bid at bid_ceiling and audience as wide as allowed), `pacing` (still adapting)",
    ),
    O(
        "bid_multiplier",
        "campaign",
        "ratio",
        "its bid at the end over its configured bid "
        "(raised by the pacing controller when it underspends; at most bid_ceiling)",
    ),
    O("audience_share", "campaign", "share (0-1)", "share of users in its ad audience at the end"),
    O(
        "audience_expansions",
        "campaign",
        "count",
        "times it widened its audience to lookalikes "
        "(next-ranked users or cells) because its budget went unspent",
    ),
    O(
        "platform_help",
        "campaign",
        "level",
        "the platform help it got (embedded, self_service, none) after the policy",
    ),
    O(
        "undeclared",
        "campaign",
        "bool",
        "it ran political ads without declaring them where declaring would have stopped or labeled them",
    ),
    O(
        "undeclared_ads_run",
        "campaign",
        "ads",
        "its undeclared political ad creatives the "
        "platform's review let through (a campaign that bids on a day submits that day's "
        "feed.ad_slots creatives)",
    ),
    O(
        "undeclared_ads_caught",
        "campaign",
        "ads",
        "its undeclared political ad creatives the platform's review stopped",
    ),
    O("amplifiers_disclosed", "campaign", "accounts", "its paid amplifiers who disclose the payment"),
    O("volunteers", "campaign", "accounts", "unpaid supporters posting for it (at set-up)"),
    O("volunteers_recruited", "campaign", "accounts", "volunteers its money recruited during the run"),
    O("suspect", "campaign", "bool", "foreign, inauthentic or undeclared: what watchdogs look for"),
    O("detected_day", "campaign", "day", "day of the ads by which watchdogs flagged it (NaN: never)"),
    O("takedown_day", "campaign", "day", "day it was taken down (NaN: never)"),
    O(
        "candidate_reach_share",
        "campaign",
        "share (0-1)",
        "its impressions / all candidates' impressions (NaN for non-candidates)",
    ),
    O(
        "candidate_spend_share",
        "campaign",
        "share (0-1)",
        "its spend / all candidates' spend (NaN for non-candidates)",
    ),
    # ------------------------------------------------------------ per run
    O(
        "money_advantage",
        "run",
        "slope",
        "slope of candidate_reach_share on "
        "candidate_spend_share across the candidates: 0 = reach is not bought, 1 = reach share "
        "equals the share of money spent; NaN when the candidates' spend shares differ by less "
        "than 0.05 (e.g. no candidate may spend)",
        headline=True,
    ),
    O(
        "money_share_of_political",
        "run",
        "share (0-1)",
        "impressions rooted in money (ad, amplified, earned from paid, and "
        "impressions of posts that staff or recruited-volunteer money paid for) / all impressions "
        "of political campaigns: money's share of the political reach voters get, all channels "
        "and platforms",
    ),
    O(
        "ad_share_of_political",
        "run",
        "share (0-1)",
        "ad impressions / all impressions of political "
        "campaigns (candidates, news, users posting, foreign...): ads' share of political exposure",
    ),
    O(
        "undeclared_missed_share",
        "run",
        "share (0-1)",
        "undeclared political ad creatives the review "
        "let through / all it reviewed; NaN when there were none",
    ),
    O(
        "suspect_impressions",
        "run",
        "impressions",
        "impressions of foreign, inauthentic or undeclared sponsors' content, all origins",
    ),
    O("foreign_impressions", "run", "impressions", "impressions of foreign sponsors' content"),
    O(
        "undeclared_impressions",
        "run",
        "impressions",
        "ad impressions of sponsors running undeclared political ads",
    ),
    O("suspect_ad_spend", "run", "US$", "ad spend of suspect sponsors"),
    O("detected_spend", "run", "US$", "ad spend (whole run) of the suspect sponsors that watchdogs flagged"),
    O("detected_spend_share", "run", "share (0-1)", "detected_spend / suspect_ad_spend"),
    O("turnout_start", "run", "probability (0-1)", "mean turnout propensity at the start"),
    O("turnout_end", "run", "probability (0-1)", "mean turnout propensity at the end"),
    O(
        "turnout_change",
        "run",
        "probability (0-1)",
        "end minus start (x100 for percentage points)",
        headline=True,
    ),
    O("opinion_mean_start", "run", "[-1, 1]", "mean opinion at the start"),
    O("opinion_mean_end", "run", "[-1, 1]", "mean opinion at the end"),
    O("polarization_start", "run", "variance", "variance of opinions at the start"),
    O("polarization_end", "run", "variance", "variance of opinions at the end"),
    O(
        "impressions",
        "run",
        "impressions",
        "impressions of all campaigns (`run_impressions` in collected tables)",
    ),
    # ------------------------------------------------------------ feed ranking and attention
    O(
        "impressions_recommended",
        "step",
        "impressions",
        "of the day's impressions, those that were out-of-network recommendations",
    ),
    O(
        "sessions",
        "step",
        "share (0-1)",
        "share of users who opened the feed that day (same on every campaign's row)",
    ),
    O(
        "impressions_recommended_{origin}",
        "campaign",
        "impressions",
        "of impressions_{origin}, "
        "those that were out-of-network recommendations (they keep their content's root origin)",
    ),
    O(
        "amplification_ratio",
        "campaign",
        "ratio",
        "Huszar et al. 2022's measure: users reached "
        "per day by the campaign's organic-rooted posts (owned, earned_from_organic) per user on "
        "ranked feeds over the same per user on chronological feeds (NaN unless "
        "policy.chronological_option.share is in (0, 1))",
    ),
    O(
        "daily_organic_reach",
        "campaign",
        "share (0-1)",
        "mean share of users who saw the campaign's "
        "organic-rooted posts (owned, earned_from_organic) each day: Huszar et al.'s reach; its "
        "ratio between same-seed runs of two rankers is their amplification ratio",
    ),
    O(
        "hostile_share",
        "campaign",
        "share (0-1)",
        "share of its organic-slot impressions that were posts attacking the out-group",
    ),
    O("sessions", "run", "share (0-1)", "mean share of users who opened the feed per day"),
    O(
        "political_share",
        "run",
        "share (0-1)",
        "share of the organic feed items shown that were campaign content (all campaigns, civic included)",
    ),
    O(
        "shown_share",
        "run",
        "share (0-1)",
        "organic feed items shown / organic candidates (campaign "
        "and non-political, in-network and recommended)",
    ),
    O(
        "out_of_network_share",
        "run",
        "share (0-1)",
        "share of the organic feed items shown that were out-of-network recommendations",
    ),
    O(
        "political_out_of_network_share",
        "run",
        "share (0-1)",
        "share of campaign content shown in organic slots that was recommended",
    ),
    O("user_follows", "run", "follows", "follows between regular users made during the run"),
    # ------------------------------------------------------------ provenance of a run
    O(
        "seed",
        "provenance",
        "int",
        "the run's seed (one seed: one network and population under every policy)",
    ),
    O("config_hash", "provenance", "hex", "hash of everything that determines the outputs"),
    O("version", "provenance", "text", "version of the sim package"),
    O("git_commit", "provenance", "hex", "commit of the code, when run from a git checkout"),
    O("versions", "provenance", "text", "versions of Python, Mesa, NumPy, SciPy, Hydra"),
    O("policy", "provenance", "name", "the policy regime (composed presets joined by +)"),
    O("policy_label", "provenance", "text", "how figures name the regime"),
    O("policy_color", "provenance", "colour", "the regime's colour in figures (empty: a spare colour)"),
    O("policy_phrase", "provenance", "text", "how the brief's sentences name the regime"),
    O("scenario", "provenance", "name", "the scenario"),
    O("population", "provenance", "users", "regular users (population.n)"),
    O("steps", "provenance", "days", "days simulated"),
    O("config", "provenance", "object", "the whole resolved config (summary.json only)"),
    O(
        "files",
        "provenance",
        "bytes",
        "every other output file of the run and its size "
        "(summary.json only, written last): the run is complete when each is there at that size",
    ),
    # ------------------------------------------------------------ per platform (several platforms)
    O(
        "platform",
        "platform",
        "name",
        "the platform (platforms[].name); the campaign's outcomes "
        "over all platforms are its `campaigns` entry",
    ),
    O(
        "platform_policy",
        "platform",
        "name",
        "the platform's rules (a policy preset; the run's policy where the platform names none)",
    ),
    O(
        "platform_ranking",
        "platform",
        "name",
        "the platform's feed ranker (its class; the run's ranking where the platform names none)",
    ),
    O(
        "attention_share",
        "platform",
        "share",
        "the platform's share of users' reading (platforms[].share, normalised over the platforms)",
    ),
    O("campaign", "platform", "name", "campaign (scenario.campaigns[].name)"),
    O(
        "impressions_{origin}",
        "platform",
        "impressions",
        f"the campaign's impressions on the platform over the run, by origin: {_ORIGIN}",
    ),
    O("impressions", "platform", "impressions", "the campaign's impressions on the platform"),
    O(
        "money_share",
        "platform",
        "share",
        "share of the campaign's impressions on the platform "
        "rooted in paid reach (ad, amplified, earned from paid)",
    ),
    O(
        "impressions_funded",
        "platform",
        "impressions",
        "of which impressions (owned or earned from organic) of posts money paid for: extra staff "
        "posts and recruited volunteers' posts",
    ),
    O(
        "money_reach_share",
        "platform",
        "share",
        "share of the campaign's impressions on the platform rooted in money: paid origins plus "
        "impressions_funded",
    ),
    O("spend_ads", "platform", "US$", "what the campaign spent on ads on the platform"),
    # ------------------------------------------------------------ cascades
    O("content_id", "cascade", "id", "the content (identical copies share one id)"),
    O("campaign", "cascade", "name", "its campaign"),
    O("root_origin", "cascade", "origin", "how it started: ad, owned or amplified"),
    O("created_step", "cascade", "day", "day it was created"),
    O("roots", "cascade", "accounts", "accounts that posted it (1 for an ad)"),
    O("impressions", "cascade", "impressions", "times it was seen"),
    O("reshares", "cascade", "count", "times it was reshared"),
    O("size", "cascade", "accounts", "roots + reshares"),
    # ------------------------------------------------------------ ad library
    O("ad_id", "ad", "id", "the ad creative (content id)"),
    O("campaign", "ad", "name", "its campaign"),
    O("sponsor", "ad", "name", "who paid for it"),
    O("political", "ad", "bool", "declared political (as the library shows it)"),
    O(
        "undeclared",
        "ad",
        "bool",
        "a political ad run undeclared (not visible as such in a real library; kept for analysis)",
    ),
    O("day", "ad", "day", "day it ran"),
    O("spend", "ad", "US$", "spent on it"),
    O("impressions", "ad", "impressions", "times it was shown"),
    O("labeled", "ad", "bool", 'it carried a "paid for by" label'),
    O("targeting", "ad", "level", "the targeting it got"),
    O("reach_segment_{segment}", "ad", "impressions", "its impressions by segment"),
    O("reach_ideology_{band}", "ad", "impressions", "its impressions by ideology band"),
    # ------------------------------------------------------------ collected sweep tables
    O("run_dir", "collected", "path", "the run folder, relative to the sweep folder"),
    O(
        "status",
        "collected",
        "text",
        "ok, failed (the run raised: FAILED.json) or damaged (a "
        "file of a finished run is cut short or unreadable; re-running the sweep redoes it)",
    ),
    O("error", "collected", "text", "what went wrong, one line (null when ok)"),
    O("run_impressions", "collected", "impressions", "impressions of all campaigns in the run"),
    O("opinion_mean_change", "collected", "[-1, 1]", "opinion_mean_end - opinion_mean_start"),
    O("polarization_change", "collected", "variance", "polarization_end - polarization_start", headline=True),
    # ------------------------------------------------------------ paired comparisons
    O("outcome", "paired", "name", "the headline outcome compared"),
    O("n", "paired", "pairs", "same-seed pairs with both sides defined"),
    O("baseline_mean", "paired", "outcome's unit", "mean under the baseline regime"),
    O("regime_mean", "paired", "outcome's unit", "mean under the regime"),
    O("mean_diff", "paired", "outcome's unit", "mean same-seed difference (regime - baseline)"),
    O("ci_low", "paired", "outcome's unit", "95% t interval of the difference, low end"),
    O("ci_high", "paired", "outcome's unit", "95% t interval of the difference, high end"),
    O(
        "unit",
        "paired",
        "text",
        "the unit of baseline_mean, regime_mean, mean_diff, ci_low and "
        "ci_high: the outcome's own (share (0-1), probability (0-1), slope...)",
    ),
    O(
        "mean_diff_pp",
        "paired",
        "percentage points",
        "mean_diff x 100, as the brief states it, "
        "for outcomes that are shares or probabilities (null for the others)",
    ),
    O("ci_low_pp", "paired", "percentage points", "ci_low x 100 (null unless a share or probability)"),
    O("ci_high_pp", "paired", "percentage points", "ci_high x 100 (null unless a share or probability)"),
    # ------------------------------------------------------------ parameter ensemble
    O(
        "default_diff",
        "ensemble",
        "outcome's unit",
        "the effect (same-seed difference against the baseline) with every parameter at its default",
    ),
    O("default_ci_low", "ensemble", "outcome's unit", "95% seed interval of that effect, low end"),
    O("default_ci_high", "ensemble", "outcome's unit", "95% seed interval, high end"),
    O(
        "median",
        "ensemble",
        "outcome's unit",
        "median of the effect over the parameter sets "
        "drawn from the plausible ranges (sim/runs/uncertainties.py)",
    ),
    O("p05", "ensemble", "outcome's unit", "5th percentile of the effect over parameter sets"),
    O("p95", "ensemble", "outcome's unit", "95th percentile of the effect over parameter sets"),
    O("sets", "ensemble", "count", "parameter sets with the effect defined"),
    O("seeds", "ensemble", "count", "seeds per parameter set"),
    # ------------------------------------------------------------ scenario discovery (PRIM)
    O("step", "discovery", "count", "peeling step (0: the whole parameter space)"),
    O("coverage", "discovery", "share (0-1)", "cases in the box / all cases"),
    O("density", "discovery", "share (0-1)", "cases in the box / parameter sets in the box"),
    O("mass", "discovery", "share (0-1)", "parameter sets in the box / all parameter sets"),
    O("sets_in_box", "discovery", "count", "parameter sets in the box"),
    O(
        "restricted",
        "discovery",
        "count or flag",
        "trajectory: parameters the box restricts; box: whether it restricts this parameter",
    ),
    O("parameter", "discovery", "name", "a judgement parameter of the ensemble"),
    O("low", "discovery", "parameter's unit", "the box's lower bound"),
    O("high", "discovery", "parameter's unit", "the box's upper bound"),
    O("range_low", "discovery", "parameter's unit", "lowest value drawn in the ensemble"),
    O("range_high", "discovery", "parameter's unit", "highest value drawn in the ensemble"),
    # ------------------------------------------------------------ report figures' sidecars
    O("figure", "figure", "name", "the figure (brief: the one-page brief)"),
    O("package", "figure", "name", "the package that drew it (sim)"),
    O("version", "figure", "version", "its version"),
    O("git_commit", "figure", "commit", "the drawing code's git commit (null outside a git checkout)"),
    O("date", "figure", "date", "the day it was drawn (also in the footer; the files carry no date)"),
    O("source", "figure", "path", "the collected sweep it was drawn from"),
    O("runs", "figure", "count", "runs behind it"),
    O("failed_runs", "figure", "count", "runs of the sweep that failed (left out)"),
    O("seeds", "figure", "count", "distinct seeds"),
    O("regimes", "figure", "names", "the regimes compared, in the figure's order"),
    O("population", "figure", "users", "the runs' population sizes"),
    O("steps", "figure", "days", "the runs' lengths"),
    O("scenario", "figure", "names", "the runs' scenarios"),
    O("settings", "figure", "names", "the swept keys that are settings, not regimes or seeds"),
    O("run_versions", "figure", "versions", "the package versions that made the runs"),
    O("run_git_commits", "figure", "commits", "the git commits that made the runs"),
    O("config_hashes", "figure", "hashes", "every run's config hash"),
    O("config_hashes_digest", "figure", "hash", "a digest of them (in the footer)"),
    O("title", "figure", "text", "the figure's title (not in brief.json)"),
    O("options", "figure", "mapping", "options it was drawn with, e.g. its baseline (not in brief.json)"),
    O(
        "checks",
        "figure",
        "mapping",
        "per check of sim/report/checks.py (inside, one_error_bar, legend_drawn, text_clear, "
        "labels_apart, panels_sized): the problems found, empty when it passed",
    ),
    O("files", "figure", "names", "the files written"),
    O("sentences", "figure", "text", "brief.json only: the brief's sentences"),
    O("numbers", "figure", "mapping", "brief.json only: every number the sentences use (fractions, not %)"),
)


class UndeclaredOutput(KeyError):
    """A column written that sim/outcomes.py does not declare."""


def declared(level: str) -> list[Outcome]:
    return [o for o in OUTCOMES if o.level == level]


def names(level: str, segments: int) -> list[str]:
    """Every column of a level, in declaration order, families expanded."""
    return list(_names(level, segments))


@functools.cache  # OUTCOMES is a constant tuple; the classroom app orders rows every day
def _names(level: str, segments: int) -> tuple[str, ...]:
    return tuple(c for o in declared(level) for c in o.columns(segments))


def pp_scale(name: str) -> float | None:
    """100 for an outcome that is a share or a probability (its differences read in percentage
    points, as the brief states them), None for the others."""
    unit = next((o.unit for o in OUTCOMES if o.matches(name) and o.level not in ("paired",)), "")
    return 100.0 if unit.startswith(("share", "probability")) else None


def unit_of(name: str) -> str:
    return next((o.unit for o in OUTCOMES if o.matches(name) and o.level != "paired"), "")


def headline(level: str) -> tuple[str, ...]:
    return tuple(o.name for o in declared(level) if o.headline)


def lookup(column: str, levels) -> Outcome:
    """The declaration of a column written at one of ``levels``."""
    for o in OUTCOMES:
        if o.level in levels and o.matches(column):
            return o
    raise UndeclaredOutput(f"column {column!r} ({', '.join(levels)}) is not declared in sim/outcomes.py")


def ordered(level: str, values: dict, segments: int) -> dict:
    """``values`` in declaration order; raises if a value is undeclared or one is missing."""
    expected = _names(level, segments)
    if len(values) != len(expected) or not all(k in values for k in expected):
        extra = [k for k in values if k not in expected]
        missing = [k for k in expected if k not in values]
        raise UndeclaredOutput(f"{level} outcomes: undeclared {extra}, missing {missing}")
    return {k: values[k] for k in expected}


def describe(columns, levels) -> dict[str, str]:
    """Column -> "unit | meaning", for a file's schema metadata."""
    out = {}
    for col in columns:
        o = lookup(col, levels)
        out[col] = f"{o.unit} | {o.meaning}"
    return out
