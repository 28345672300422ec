"""Every number docs/brief.md quotes, section by section, from the collected brief sweeps.

docs/brief.md's numbers come from this script, so that the page can be brought up to date after
a model change: re-run the parameter ensemble (experiments/ensemble.sh) and the briefs
(experiments/all_briefs.sh, which also re-draws the figures), re-run the small robustness designs
below, run this script and copy its numbers into the page. Means are over seeds with 95% t
intervals, differences are same-seed differences (sim.stats), counts are per 1,000 users; shares
in %, differences of shares in percentage points (pp). The ensemble ranges are the ones the policy
comparison's brief.json quotes (median and 5-95% across plausible values of the judgement parameters).

    python experiments/brief_numbers.py [results/briefs] [--ensemble results/ensemble]
        [--caps-robustness DIR ...] [--platforms DIR ...] [--money DIR ...] [--ecosystem DIR ...]

A section or a line whose columns the collected tables lack (an older or newer model) says so and
the script goes on; outcomes that only some model versions have (money's share of all political
impressions, spend on staff and volunteers) are printed where they exist. The ensemble section
reads the ensemble's collected runs, so it gives the median and 5-95% across parameter sets of any
outcome, levels as well as same-seed effects, and the scenario discovery box if
``python -m sim ensemble discover`` wrote one (DIR/discovery/discovery.json).
--money: sweeps that vary the money mechanisms (e.g. allocation.substitution) next to policy: the
money outcomes per value and regime. --ecosystem: sweeps of a several-platform world (platforms=...)
over the platforms' policies (platforms.N.policy, which become the regimes): each campaign's ad
dollars and impressions per platform, from the runs' summary.json.

--caps-robustness: sweeps of budget_inequality at 12:1 (A at $900 per 1,000 users) under no rules
and caps that vary one plausible value; the caps' same-seed effect on A's share of the candidates'
impressions is printed per value. --platforms: ranking_comparison under no rules on the platform
presets. The designs docs/brief.md quotes (4 and 6 seeds, under ~1 min each with one worker):

    python -m sim -m +experiment=budget_inequality scenario.campaigns.0.budget=900 policy=none,cap \\
        'seed=range(4)' population.segment_signal=0,0.8 hydra.sweep.dir=DIR   (then: bid ceilings,
        scenario.campaigns.0.bid_ceiling=1.2,5 instead of the segment signal)
    python -m sim -m +experiment=ranking_comparison platform=twitter,facebook_2020 policy=none \\
        'seed=range(6)' hydra.sweep.dir=DIR
    python -m sim -m scenario=incumbent_challenger platforms=ecosystem_2019 \\
        platforms.0.policy=none,ban 'seed=range(5)' population.n=10000 hydra.sweep.dir=DIR  (--ecosystem)
    python -m sim collect DIR

The tables of experiments/money_moves.py and experiments/ecosystem_2019.sh (run by all_briefs.sh
into results/briefs/*.txt) are printed at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path

from sim.config import ConfigError
from sim.report.brief import ensemble_phrase, fmt
from sim.report.figures import exposure_shares, ranking_effects, rankings, watchdog_effects
from sim.report.tables import Sweep, find_collected
from sim.stats import mean_ci, paired_differences
from sim.vocabulary import IDEOLOGY_BANDS

BUDGET = "scenario.campaigns.0.budget"
COVERAGE, LAG = "policy.watchdogs.coverage", "policy.watchdogs.lag"
LOOPHOLE = ("policy.enforcement.enabled", "scenario.campaigns.0.reallocate_ad_budget")
# the loophole's regimes (policy, enforcement, reallocation of the ad budget to paid posters)
NO_RULES, BAN, BAN_POSTERS, BAN_ENFORCED = (
    "none, enforcement=off, reallocation=off",
    "ban, enforcement=off, reallocation=off",
    "ban, enforcement=off, reallocation=on",
    "ban, enforcement=on, reallocation=on",
)
PER_1000 = (
    "impressions",
    "impressions_ad",
    "impressions_owned",
    "impressions_amplified",
    "impressions_earned_from_organic",
    "impressions_funded",
)
# where a campaign's money goes, as the model version records it (spend = their sum)
CHANNELS = ("spend_ads", "spend_amplifiers", "spend_staff", "spend_volunteers")
# money's share of a campaign's reach / of all political impressions, newest definition first
MONEY_SHARES = ("money_reach_share", "money_share")
POLITICAL_SHARES = ("money_share_of_political", "ad_share_of_political")
ORGANIC = ("impressions_owned", "impressions_earned_from_organic")
ZERO_END = re.compile(r"[\[ ][+-]?0\.0*[,\]]")  # an interval end printed as zero: "[-0.0," or " -0.0]"


# ------------------------------------------------------------------ reading


def only(sweep: Sweep, col: str, value) -> Sweep:
    """The sweep restricted to one value of a setting (a budget, a ranker, a platform)."""
    return dataclasses.replace(sweep, runs=sweep.runs[sweep.runs[col].astype(str) == str(value)])


def table(sweep: Sweep, campaign: str | None):
    """A campaign's rows, or one row per run (campaign None); counts become per 1,000 users, and
    ``organic`` is owned plus earned-from-organic impressions."""
    rows = sweep.run_level() if campaign is None else sweep.runs[sweep.runs["campaign"] == campaign]
    rows = rows.assign(**sweep.per_1000(rows, [c for c in PER_1000 if c in rows.columns]))
    return rows.assign(organic=rows[[c for c in ORGANIC if c in rows.columns]].sum(axis=1))


def has(sweep: Sweep, *cols: str) -> bool:
    """Whether the collected table has every one of these columns (model versions differ)."""
    return all(c in sweep.runs.columns for c in cols)


def level(sweep: Sweep, col: str, regime: str, campaign: str | None = None):
    """Mean over seeds (95% CI) of a column under a regime."""
    rows = table(sweep, campaign)
    return mean_ci(rows.loc[rows["policy"] == regime, col])


def diff(sweep: Sweep, col: str, regime: str, baseline: str = "none", campaign: str | None = None):
    """Same-seed difference regime - baseline (95% CI), paired within each setting of the sweep."""
    d = paired_differences(table(sweep, campaign), col, [], regime, baseline, sweep.pair_on)
    return mean_ci(d["diff"])


def varying(sweep: Sweep) -> list[str]:
    """The settings that take more than one value in the sweep."""
    return [c for c in sweep.settings if sweep.runs[c].nunique() > 1]


# ------------------------------------------------------------------ printing


def pct(est) -> str:
    return fmt(est)


def signed(est, scale: float = 100, unit: str = " pp") -> str:
    """A difference, flagged when its interval spans zero (then: no detectable difference); when it
    does not, with as many decimals as it takes for no end of the interval to print as zero."""
    if est.spans_zero:
        return fmt(est, scale, unit, signed=True) + " (spans zero)"
    for digits in (None, 2, 3, 4):
        text = fmt(est, scale, unit, signed=True, digits=digits)
        if not ZERO_END.search(text):
            break
    return text


def pp(est, unit: str = " pp") -> str:
    return signed(est, unit=unit)


def count(est) -> str:
    return f"{est.mean:,.0f} [{est.lo:,.0f}, {est.hi:,.0f}]"


def slope(est, difference: bool = False) -> str:
    """A slope (money advantage), or a difference of slopes."""
    return signed(est, 1, "") if difference else fmt(est, 1, "", digits=2)


def say(label: str, value) -> None:
    """One number; ``value`` may be a function, called here, so that a column this model version
    lacks costs that line only (it prints n/a and why)."""
    if callable(value):
        try:
            value = value()
        except (KeyError, IndexError, ValueError) as exc:
            value = f"n/a ({type(exc).__name__}: {exc})"
    print(f"  {label}: {value}")


def heading(title: str, sweep: Sweep) -> None:
    runs = sweep.run_level()
    print(
        f"\n== {title} ({sweep.source}): {len(runs)} runs, {runs['seed'].nunique()} seeds, "
        f"{len(sweep.regimes)} regimes, users {sorted(set(runs['population']))}"
    )


def ensemble_range(sweep: Sweep, regime: str, campaign: str, outcome: str, scale: float = 100) -> str:
    found = sweep.ensemble_range(regime, campaign, outcome)
    if found is None:
        return "no ensemble"
    m, lo, hi, sets = found
    return f"median {scale * m:+.3g}, 5-95% {scale * lo:+.3g} to {scale * hi:+.3g} ({sets} sets)"


# ------------------------------------------------------------------ sections


def policy_comparison(s: Sweep) -> None:
    heading("Policy comparison", s)
    for camp in ("A", "B"):
        say(f"{camp} money share, no rules", pct(level(s, "money_share", "none", camp)))
        for col in ("impressions_ad", "impressions", "organic"):
            say(
                f"{camp} {col} per 1,000, no rules / ban",
                " / ".join(count(level(s, col, r, camp)) for r in ("none", "ban")),
            )
    for regime in ("transparency", "cap"):
        say(f"A money share diff, {regime}", pp(diff(s, "money_share", regime, campaign="A")))
    money_by_regime(s)
    spending(s)
    say("ads' share of political impressions, no rules", pct(level(s, "ad_share_of_political", "none")))
    for regime in s.regimes:
        say(f"money advantage, {regime}", slope(level(s, "money_advantage", regime)))
    for regime in ("transparency", "cap"):
        say(
            f"money advantage diff, {regime}",
            slope(diff(s, "money_advantage", regime), True)
            + "; ensemble "
            + ensemble_range(s, regime, "(run)", "money_advantage", 1),
        )
    say(
        "candidate reach share under the ban, A / B",
        " / ".join(pct(level(s, "candidate_reach_share", "ban", c)) for c in ("A", "B")),
    )
    for regime in ("ban", "transparency", "cap"):
        say(f"{regime}: A vote-share change diff", pp(diff(s, "vote_share_change", regime, campaign="A")))
        say(f"{regime}: turnout change diff", pp(diff(s, "turnout_change", regime)))
        say(f"{regime}: ensemble", ensemble_phrase(s, regime, "A", True) or "none")
    bands = [f"band_{b}" for b in IDEOLOGY_BANDS]
    for kind in ("paid", "organic"):
        shares = dict(zip(IDEOLOGY_BANDS, exposure_shares(s, "none", kind, bands)["A"]))
        say(f"A's {kind} impressions by band, no rules", {b: pct(e) for b, e in shares.items()})
        a = table(s, "A")
        a = a[a["policy"] == "none"]
        on = a[[f"{kind}_band_{b}" for b in IDEOLOGY_BANDS]]
        for side, picked in (("left of centre", IDEOLOGY_BANDS[:2]), ("right of centre", IDEOLOGY_BANDS[3:])):
            share = on[[f"{kind}_band_{b}" for b in picked]].sum(axis=1) / on.sum(axis=1)
            say(f"A's {kind} impressions, share {side}", pct(mean_ci(share)))


def spending(s: Sweep) -> None:
    """spend_status and the lowest share of its budget each campaign spent where ads may run."""
    allowed = s.runs[(s.runs["policy"] != "ban") & (s.runs["budget"] > 0)]
    say("spend_status where ads are allowed", allowed["spend_status"].value_counts().to_dict())
    say(
        "lowest spend / budget there, by campaign",
        (allowed["spend"] / allowed["budget"]).groupby(allowed["campaign"]).min().round(4).to_dict(),
    )


def money_by_regime(s: Sweep) -> None:
    """The outcome that answers the policy question, per regime: money's share of each
    candidate's reach and of all political impressions, with same-seed differences from no rules
    (where the sweep has no rules), and where each campaign's dollars went."""
    base = baseline_of(s)
    cands = [c for c in ("A", "B", "Challenger", "Incumbent") if c in s.campaigns]
    for regime in s.regimes:
        for col in [c for c in MONEY_SHARES if has(s, c)]:
            say(
                f"{regime}: {col}, " + " / ".join(cands),
                " / ".join(pct(level(s, col, regime, c)) for c in cands),
            )
            if base and regime != base:
                say(
                    f"{regime}: {col} - {base}, " + " / ".join(cands),
                    " / ".join(pp(diff(s, col, regime, base, c)) for c in cands),
                )
        for col in [c for c in POLITICAL_SHARES if has(s, c)]:
            say(f"{regime}: {col}", pct(level(s, col, regime)))
            if base and regime != base:
                say(f"{regime}: {col} - {base}", pp(diff(s, col, regime, base)))
    channels(s)


def baseline_of(s: Sweep) -> str | None:
    """No rules: the regime whose every part is "none" (a several-platform sweep's "none,
    policy=none"), else the first built on it, else None."""
    plain = [r for r in s.regimes if all(part.split("=")[-1] == "none" for part in r.split(", "))]
    return (plain or [r for r in s.regimes if r.split(",")[0] == "none"] or [None])[0]


def channels(s: Sweep) -> None:
    """Dollars per 1,000 users by channel, per regime and paying campaign, and the share of its
    budget each spent (means over seeds)."""
    cols = [c for c in CHANNELS if has(s, c)]
    for regime in s.regimes:
        for camp in s.paying:
            rows = s.runs[(s.runs["campaign"] == camp) & (s.runs["policy"] == regime)]
            per = rows[cols].div(rows["population"], axis=0) * 1000
            spent = rows["spend"] / rows["budget"].where(rows["budget"] > 0)
            say(
                f"{regime}: {camp} $ per 1,000 users by channel; spent / budget",
                ", ".join(f"{c.removeprefix('spend_')} {per[c].mean():,.1f}" for c in cols)
                + f"; {100 * spent.mean():.1f}%",
            )


def money_design(s: Sweep) -> None:
    """A sweep over the money mechanisms (allocation.substitution, a spend cap, ...): the money
    outcomes per value of each varied setting."""
    heading("Money mechanisms", s)
    for col in varying(s) or [None]:
        for value in sorted(s.runs[col].unique()) if col else [None]:
            print(f"  [{col} = {value}]" if col else "  [all]")
            money_by_regime(only(s, col, value) if col else s)


def platform_rows(s: Sweep):
    """One row per (run, platform, campaign) from each run's summary.json, where a several-platform
    run keeps its breakdown (collect leaves it there), with the run's regime, seed and settings."""
    import json

    import pandas as pd

    sweep_dir = Path(s.source).parent if Path(s.source).name == "collected" else Path(s.source)
    rows = []
    for _, run in s.run_level().iterrows():
        summary = json.loads((sweep_dir / str(run["run_dir"]) / "summary.json").read_text())
        keep = {c: run[c] for c in ("policy", "seed", "population", *s.settings)}
        rows += [{**row, **keep} for row in summary.get("platforms") or []]
    return pd.DataFrame(rows)


def platforms_money(s: Sweep) -> None:
    """Where the money goes across platforms: per regime (the policy of each platform), each
    paying campaign's ad dollars and impressions per 1,000 users on each platform and the money
    share there; then the cross-platform outcomes (money_by_regime)."""
    heading("Money across platforms", s)
    rows = platform_rows(s)
    if rows.empty:
        print("  (one platform: no per-platform rows in summary.json)")
    else:
        rows = rows.assign(**s.per_1000(rows, ["spend_ads", "impressions"]))
        for (regime, platform), grp in rows.groupby(["policy", "platform"], sort=False):
            rules = grp["platform_policy"].iloc[0] if "platform_policy" in grp else "?"
            for camp in [c for c in s.paying if c in set(grp["campaign"])]:
                mine = grp[grp["campaign"] == camp]
                say(
                    f"{regime}: {platform} ({rules}), {camp}: ad $, impressions per 1,000 users; money share",
                    f"{mean_ci(mine['spend_ads']).mean:,.2f} / {count(mean_ci(mine['impressions']))}; "
                    + pct(mean_ci(mine["money_share"])),
                )
    money_by_regime(s)
    if "Challenger" in s.campaigns:
        for regime in s.regimes:
            say(
                f"{regime}: Challenger share of the candidates' impressions",
                pct(level(s, "candidate_reach_share", regime, "Challenger")),
            )
        base = baseline_of(s) or s.regimes[0]
        for regime in [r for r in s.regimes if r != base]:
            say(
                f"{regime} - {base}: Challenger share of the candidates' impressions",
                pp(diff(s, "candidate_reach_share", regime, base, "Challenger")),
            )


def platform_regimes(folder: Path) -> tuple[str, ...]:
    """The per-platform policy columns a several-platform sweep varies (platforms.N.policy): they
    are its regimes."""
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(find_collected(folder) / "runs.parquet").names
    except (ConfigError, OSError):
        return ()
    return tuple(c for c in names if re.fullmatch(r"platforms\.\d+\.policy", c))


def ensemble_section(folder: Path) -> None:
    """Median and 5-95% across the ensemble's parameter sets (and the value at the defaults) of
    levels and same-seed effects, from its collected runs; the discovery box if there is one."""
    s = Sweep.load(folder / "runs")
    design = "design"
    sets = sorted(d for d in s.runs[design].unique() if d != "default")
    print(
        f"\n== Ensemble ({folder}): {len(sets)} parameter sets + the defaults, "
        f"{s.runs['seed'].nunique()} seeds, regimes {', '.join(s.regimes)}"
    )

    def spread(col: str, regime: str, campaign: str | None, baseline: str | None = None) -> str:
        scale, unit = (1, "") if col == "money_advantage" else (100, " (% or pp)")
        rows = table(s, campaign)
        if baseline is None:
            rows = rows[rows["policy"] == regime].rename(columns={col: "diff"})
        else:
            rows = paired_differences(rows, col, [], regime, baseline, s.pair_on)
        per_set = rows.groupby(design)["diff"].mean()
        at_default = per_set.get("default", float("nan"))
        x = per_set.drop("default", errors="ignore").dropna()
        q = x.quantile([0.05, 0.5, 0.95]).to_numpy() * scale
        return (
            f"defaults {scale * at_default:+.3g}; median {q[1]:+.3g}, 5-95% {q[0]:+.3g} to {q[2]:+.3g}, "
            f"min {scale * x.min():+.3g}, max {scale * x.max():+.3g}{unit} ({len(x)} sets)"
        )

    for col in [c for c in MONEY_SHARES if has(s, c)]:
        say(f"level, no rules: A {col}", lambda col=col: spread(col, "none", "A"))
    for col in [c for c in POLITICAL_SHARES if has(s, c)]:
        say(f"level, no rules: {col}", lambda col=col: spread(col, "none", None))
        if "ban" in s.regimes:  # docs/brief.md quotes what is left of it under the ban
            say(f"level, ban: {col}", lambda col=col: spread(col, "ban", None))
    for regime in [r for r in s.regimes if r != "none"]:
        for col, camp in [
            *[(c, "A") for c in MONEY_SHARES if has(s, c)],
            *[(c, None) for c in POLITICAL_SHARES if has(s, c)],
            ("candidate_reach_share", "A"),
            ("vote_share_change", "A"),
            ("turnout_change", None),
            ("money_advantage", None),
        ]:
            say(
                f"effect, {regime} - none: {camp or '(run)'} {col}",
                lambda col=col, camp=camp, regime=regime: spread(col, regime, camp, "none"),
            )
    found = folder / "discovery" / "discovery.json"
    if found.is_file():
        import json

        d = json.loads(found.read_text())
        say("discovery", d.get("question"))
        say(
            "discovery box",
            f"{d['box']}; coverage {d['coverage']:.0%}, density {d['density']:.0%}, "
            f"{d['cases']} cases of {d['sets']} sets, {d['sets_in_box']} sets in the box",
        )
        say("discovery sentence", d.get("sentence", ""))
    else:
        say("discovery", f"none ({found} missing: run python -m sim ensemble discover {folder} ...)")


def budget_inequality(s: Sweep) -> None:
    heading("Budget inequality", s)
    spending(s)
    top = only(s, BUDGET, 900)
    for camp in ("A", "B"):
        say(
            f"12:1, no rules: {camp} share of candidates' spend / impressions",
            " / ".join(
                pct(level(top, c, "none", camp)) for c in ("candidate_spend_share", "candidate_reach_share")
            ),
        )
    for regime in s.regimes:
        say(f"money advantage (all budgets), {regime}", slope(level(s, "money_advantage", regime)))
    for regime in ("transparency", "cap"):
        say(f"money advantage diff, {regime}", slope(diff(s, "money_advantage", regime), True))
        say(
            f"12:1: A's share of the candidates' impressions, diff {regime}",
            pp(diff(top, "candidate_reach_share", regime, campaign="A")),
        )
    say(
        "ban: A's share of the candidates' impressions, all budgets",
        pct(level(s, "candidate_reach_share", "ban", "A")),
    )
    say(
        "ban: by budget",
        {
            str(b): pct(level(only(s, BUDGET, b), "candidate_reach_share", "ban", "A"))
            for b in sorted(s.runs[BUDGET].unique())
        },
    )


def caps_robustness(s: Sweep) -> None:
    heading("Caps at 12:1 across plausible values", s)
    for col in varying(s):
        for value in sorted(s.runs[col].unique()):
            sub = only(s, col, value)
            say(
                f"{col} = {value}: A's share of the candidates' impressions, caps - no rules",
                pp(diff(sub, "candidate_reach_share", "cap", campaign="A")),
            )


def ad_ban_loophole(s: Sweep) -> None:
    heading("Ad-ban loophole", s)
    for regime in (NO_RULES, BAN, BAN_POSTERS, BAN_ENFORCED):
        print(f"  [{regime}]")
        for col, show in (
            ("money_share", pct),
            ("candidate_reach_share", pct),
            ("amplifiers", count),
            ("accounts_suspended", count),
            ("impressions_amplified", count),
            ("impressions", count),
        ):
            say(f"  A {col}", show(level(s, col, regime, "A")))
        a = table(s, "A")
        a = a[a["policy"] == regime]
        say("  A share of budget paid to posters", pct(mean_ci(a["spend_amplifiers"] / a["budget"])))
        say("  B impressions per 1,000", count(level(s, "impressions", regime, "B")))
    for col in ("impressions_amplified", "impressions"):
        say(f"A {col} per 1,000, reallocation on - off", count(diff(s, col, BAN_POSTERS, BAN, "A")))
        say(f"A {col} per 1,000, enforcement on - off", count(diff(s, col, BAN_ENFORCED, BAN_POSTERS, "A")))
    with_posters, without = (level(s, "impressions_amplified", r, "A").mean for r in (BAN_POSTERS, BAN))
    say("A amplified impressions, reallocation on / off - 1", f"{with_posters / without - 1:+.0%}")
    taken, won = (diff(s, "impressions", *pair, "A") for pair in ((NO_RULES, BAN), (BAN_POSTERS, BAN)))
    say("A impressions per 1,000, no rules - ban", count(taken))
    say("share of them won back by reallocation", f"{won.mean / taken.mean:.0%}")


def incumbent_challenger(s: Sweep) -> None:
    heading("Incumbent and challenger", s)
    say("ads' share of political impressions, no rules", pct(level(s, "ad_share_of_political", "none")))
    money_by_regime(s)
    for regime in s.regimes:
        for camp in ("Challenger", "Incumbent"):
            say(
                f"{regime}: {camp} share of candidates' impressions",
                pct(level(s, "candidate_reach_share", regime, camp)),
            )
    for regime in ("ban", "transparency", "cap"):
        say(
            f"{regime}: Challenger share of the candidates' impressions, diff",
            pp(diff(s, "candidate_reach_share", regime, campaign="Challenger")),
        )
    say(
        "ban: Challenger vote-share change diff",
        pp(diff(s, "vote_share_change", "ban", campaign="Challenger")),
    )
    say("ban: turnout change diff", pp(diff(s, "turnout_change", "ban")))
    for regime in s.regimes:
        dark = table(s, "Dark money")
        dark = dark[dark["policy"] == regime]
        reviewed = dark["undeclared_ads_run"] + dark["undeclared_ads_caught"]
        say(
            f"{regime}: dark money ad / all impressions per 1,000; review caught",
            " / ".join(count(level(s, c, regime, "Dark money")) for c in ("impressions_ad", "impressions"))
            + "; "
            + (pct(mean_ci(dark["undeclared_ads_caught"] / reviewed)) if reviewed.sum() else "n/a"),
        )
    for regime in ("none", "ban"):
        say(
            f"money share by campaign, {regime} (%)",
            {
                c: round(100 * level(s, "money_share", regime, c).mean, 1)
                for c in s.campaigns
                if table(s, c)["budget"].max() > 0
            },
        )


def watchdogs(s: Sweep) -> None:
    heading("Watchdogs", s)
    for (scenario, coverage, lag), est in sorted(watchdog_effects(s).items()):
        say(f"{scenario}, coverage {coverage:g}, lag {lag:g}: suspect impressions removed", pct(est))
    suspect = s.runs[s.runs["suspect"].astype(bool)]
    for (scenario, camp), rows in suspect.groupby(["scenario", "campaign"]):
        untouched = rows[rows[LAG] == rows[LAG].max()]  # the longest lag takes nothing down
        per_day = untouched["impressions_ad"] / untouched["population"] * 1000 / untouched["steps"]
        say(
            f"{scenario}, {camp}: ad impressions per 1,000 users a day, nothing taken down",
            f"{mean_ci(per_day).mean:.2f}",
        )
        flagged = rows.groupby([COVERAGE, LAG])["detected_day"].apply(lambda d: int(d.notna().sum()))
        say(
            f"{scenario}, {camp}: seeds flagged (of {rows['seed'].nunique()}) by coverage, lag",
            {f"{c:g}, {lag:g}": n for (c, lag), n in flagged.items()},
        )


def ranking_comparison(s: Sweep, regimes=None, title: str = "Ranking comparison") -> None:
    heading(title, s)
    effects, ranks = ranking_effects(s), rankings(s)
    for regime in regimes or s.regimes:
        for camp in s.candidates:
            base = effects[regime, "engagement", camp][0]
            say(f"{regime}, {camp}: money share under engagement ranking", pct(base))
            for rk in ranks[1:]:
                say(f"{regime}, {camp}: {rk} - engagement", pp(effects[regime, rk, camp][1]))
    for regime in [r for r in regimes or s.regimes if r != "none"]:
        say(
            f"{regime}: largest gap from no rules' differences, by ranker (pp)",
            {
                rk: round(
                    100
                    * max(
                        abs(effects[regime, rk, c][1].mean - effects["none", rk, c][1].mean)
                        for c in s.candidates
                    ),
                    1,
                )
                for rk in ranks[1:]
            },
        )
    for outcome in ("sessions", "political_share"):  # run-level: the same on every campaign's row
        relative = ranking_effects(s, outcome)
        for regime in regimes or s.regimes:
            base = relative[regime, "engagement", "A"][0].mean
            say(
                f"{regime}: {outcome} relative to engagement ranking",
                {rk: pp(relative[regime, rk, "A"][1].scaled(1 / base), "%") for rk in ranks[1:]},
            )
    for regime in regimes or s.regimes:
        for col in ("impressions_ad", "organic"):
            say(
                f"{regime}: A {col} per 1,000 by ranker",
                {rk: count(level(only(s, "ranking", rk), col, regime, "A")) for rk in ranks},
            )


def platforms(s: Sweep) -> None:
    for value in sorted(s.runs["platform"].unique()):
        ranking_comparison(only(s, "platform", value), ["none"], f"Rankers on platform={value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("briefs", nargs="?", default="results/briefs", type=Path)
    parser.add_argument("--ensemble", default="results/ensemble", help="parameter ensemble folder")
    parser.add_argument("--caps-robustness", nargs="*", default=[], metavar="DIR")
    parser.add_argument("--platforms", nargs="*", default=[], metavar="DIR")
    parser.add_argument("--money", nargs="*", default=[], metavar="DIR")
    parser.add_argument("--ecosystem", nargs="*", default=[], metavar="DIR")
    args = parser.parse_args()
    ensemble = args.ensemble if (Path(args.ensemble) / "effects.parquet").is_file() else None
    sections = [
        (policy_comparison, args.briefs / "policy_comparison/sweep", {"ensemble": ensemble}),
        (budget_inequality, args.briefs / "budget_inequality/sweep", {}),
        *[(caps_robustness, folder, {}) for folder in args.caps_robustness],
        (ad_ban_loophole, args.briefs / "ad_ban_loophole/sweep", {"regime_by": LOOPHOLE}),
        (incumbent_challenger, args.briefs / "incumbent_challenger/sweep", {}),
        (watchdogs, args.briefs / "watchdogs/sweep", {}),
        (ranking_comparison, args.briefs / "ranking_comparison/sweep", {}),
        *[(platforms, folder, {}) for folder in args.platforms or ()],
        *[(money_design, folder, {}) for folder in args.money],
        *[(platforms_money, f, {"regime_by": platform_regimes(f)}) for f in args.ecosystem],
    ]
    for section, folder, options in sections:
        try:
            sweep = Sweep.load(folder, **options)
        except ConfigError as exc:  # not collected (yet): say so and go on with the others
            print(f"\n== {section.__name__}: skipped, {exc}")
            continue
        run_section(section, sweep)
    if ensemble:
        run_section(ensemble_section, Path(ensemble))
    for text in sorted(args.briefs.glob("*.txt")):  # all_briefs.sh's extra experiments print tables
        print(f"\n== {text.stem} ({text})\n{text.read_text()}")


def run_section(section, arg) -> None:
    """A section; a column this model version lacks stops that section only, saying which."""
    try:
        section(arg)
    except (KeyError, ValueError, ConfigError) as exc:
        print(f"  (section {section.__name__} stopped: {type(exc).__name__}: {exc})")


if __name__ == "__main__":
    main()
