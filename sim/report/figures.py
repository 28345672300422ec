"""The policy-brief figures, drawn from a collected sweep (:class:`sim.tables.Sweep`).

Every ``draw_*`` function draws into a Matplotlib figure or subfigure, so the same code makes
the stand-alone figures and the panels of the one-page brief. :func:`save` writes PNG (300 dpi),
PDF and SVG plus a JSON sidecar with the provenance that is also printed under the figure.
Means are over seeds with 95% t intervals (:mod:`sim.stats`).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..io import write_atomic, write_json
from ..stats import mean_ci, paired_differences
from ..vocabulary import BAND_LABELS, IDEOLOGY_BANDS, ORIGINS, ROOT_ORIGINS
from .style import ORIGIN_COLORS, ORIGIN_LABELS, STACK_ORDER, stack_origins, style
from .tables import Sweep, footer

FORMATS = ("png", "pdf", "svg")
COLUMN, PAGE = 3.4, 7.0  # inches: one column, full text width
MARKERS = "osD^vP*X"
DODGE = 0.006  # horizontal offset between regimes in the money-advantage plot (share units)
MOVES_X = 0.02  # settings that change a campaign's share of the money by this much draw paths
WATCHDOG_DODGE = 1.07  # factor between coverages' positions on the watchdog plot's log lag axis
TITLE_CHARS_PER_IN = 11  # characters of a figure title per inch of width (bold, 12 pt)
REACH_COLUMNS = 4  # campaigns per row of the reach figure


def _errbar(ax, x, est, color, lo=-math.inf, hi=math.inf, **kw):
    """A 95% CI whisker; ``lo``/``hi`` clip it to the quantity's range (shares in [0, 1])."""
    low, high = max(est.lo, lo), min(est.hi, hi)
    ax.errorbar(
        x,
        est.mean,
        yerr=[[est.mean - low], [high - est.mean]],
        fmt="none",
        ecolor=color,
        elinewidth=0.8,
        capsize=2,
        **kw,
    )


def wrap(text: str, chars: int) -> str:
    """``text`` with each of its lines wrapped to ``chars`` characters."""
    import textwrap

    return "\n".join(w for line in text.split("\n") for w in textwrap.wrap(line, max(chars, 12)))


def width_in(fig) -> float:
    return fig.bbox.width / fig.dpi


def suptitle(fig, title: str) -> None:
    """The figure's title wrapped to the figure's width (a title naming a long variant, "no
    rules, enforcement=off, reallocation=off", ran past the canvas)."""
    fig.suptitle(wrap(title, int(TITLE_CHARS_PER_IN * width_in(fig))))


def chars_per_in(fontsize: float) -> float:
    """Characters of text per inch at this size (a character is ~0.55 of the size wide)."""
    return 72 / (0.55 * fontsize)


def legend_columns(fig, labels: list[str], fontsize: float, most: int) -> int:
    """As many legend columns (up to ``most``) as the figure's width holds for these labels
    (a row of four variant names ran past the canvas)."""
    chars = max((len(line) for label in labels for line in label.split("\n")), default=1) + 6
    return max(1, min(most, len(labels), int(width_in(fig) * chars_per_in(fontsize) / chars)))


# ------------------------------------------------------------------ 1. reach by origin


def draw_reach(fig, sweep: Sweep, candidates_only: bool = False) -> str:
    """Stacked mean impressions by origin per regime, one panel per campaign (per candidate
    with ``candidates_only``: the brief's one row of panels); one whisker per bar: the 95% CI
    of all impressions (the top of the stack)."""
    regimes, runs = sweep.regimes, sweep.runs
    campaigns = (sweep.candidates or sweep.campaigns) if candidates_only else sweep.campaigns
    ncols = min(REACH_COLUMNS, len(campaigns))
    grid = fig.subplots(math.ceil(len(campaigns) / ncols), ncols, sharey=True, squeeze=False)
    axes = grid.ravel()
    for ax in axes[len(campaigns) :]:
        ax.set_visible(False)
    cols = [f"impressions_{o}" for o in ORIGINS]
    scaled = sweep.per_1000(runs, cols).assign(policy=runs["policy"], campaign=runs["campaign"])
    for ax, camp in zip(axes, campaigns):
        for i, regime in enumerate(regimes):
            rows = scaled[(scaled["campaign"] == camp) & (scaled["policy"] == regime)]
            bottom = 0.0
            for o in STACK_ORDER:
                height = float(rows[f"impressions_{o}"].mean())
                ax.bar(
                    i,
                    height,
                    bottom=bottom,
                    width=0.7,
                    color=ORIGIN_COLORS[o],
                    label=ORIGIN_LABELS[o] if (ax is axes[0] and i == 0) else None,
                )
                bottom += height
            _errbar(ax, i, mean_ci(rows[cols].sum(axis=1)), "#222222")
        many = len(regimes) > 4  # long variant labels: upright, so they do not overlap
        ax.set_xticks(
            range(len(regimes)),
            [sweep.regime_label(r) for r in regimes],
            rotation=90 if many else 30,
            ha="center" if many else "right",
        )
        ax.set_title(f"Campaign {camp}" if len(campaigns) <= REACH_COLUMNS else camp)
        ax.tick_params(axis="x", length=0)
    ylabel = "impressions per 1,000 users\n(mean over seeds, 95% CI of the total)"
    if len(grid) > 1:  # one label for the rows: two long ones would run into each other
        fig.supylabel(ylabel, fontsize="medium")
    else:
        grid[0][0].set_ylabel(ylabel)
    fig.legend(loc="outside lower center", ncol=5, handlelength=1, columnspacing=1)
    title = "Where each campaign's reach comes from, by policy regime"
    if len(campaigns) < len(sweep.campaigns):
        title = "Where the candidates' reach comes from, by policy regime"  # all: reach_by_origin
    suptitle(fig, title)
    return title


# ------------------------------------------------------------------ 2. money advantage


def draw_money_advantage(fig, sweep: Sweep) -> str:
    """The candidates' share of impressions against their share of the money spent, per regime
    and candidate (tables from before spend-based shares: all campaigns, budget shares)."""
    runs, regimes = sweep.runs, sweep.regimes
    spend_based = "candidate_spend_share" in runs.columns
    xcol, ycol = (
        ("candidate_spend_share", "candidate_reach_share") if spend_based else ("budget_share", "reach_share")
    )
    runs = runs[runs[xcol].notna()]
    campaigns = [c for c in sweep.campaigns if c in set(runs["campaign"])]
    colors = sweep.regime_colors()
    ax = fig.subplots()
    money = "spend" if spend_based else "budget"
    # The diagonal is named in the legend: a note inside the axes was crossed by the paths.
    ax.plot([0, 1], [0, 1], ls="--", lw=0.8, color="#999999", zorder=0, label=f"reach share = {money} share")
    keys = ["campaign", *sweep.settings]
    # Settings that move a campaign's share of the money (a budget sweep) draw each campaign's
    # path across them, and campaigns are set apart (equal budgets put both at 50%); settings
    # that leave it in place (rankers) would stack their points at one x: those are set apart.
    x_of = runs.groupby(["policy", *keys], sort=False)[xcol].mean()
    paths = (
        bool(sweep.settings)
        and float(x_of.groupby(["policy", "campaign"]).agg(lambda v: v.max() - v.min()).max()) >= MOVES_X
    )
    setting_list = (
        list(runs.groupby(sweep.settings, sort=False).groups) if sweep.settings and not paths else []
    )
    per_regime = len(campaigns) if paths else max(len(setting_list), 1)
    slots = len(regimes) * per_regime
    slopes = sweep.run_level()
    for i, regime in enumerate(regimes):
        rows = runs[runs["policy"] == regime]
        pts = {}  # per campaign: its path as its share changes across settings
        for key, grp in rows.groupby(keys, sort=False):
            key = key if isinstance(key, tuple) else (key,)
            camp, setting = key[0], key[1:] if len(key) > 2 else key[1] if len(key) == 2 else None
            within = campaigns.index(camp) if paths else setting_list.index(setting) if setting_list else 0
            dx = (i * per_regime + within - (slots - 1) / 2) * DODGE
            x = float(grp[xcol].mean())
            est = mean_ci(grp[ycol])
            if not math.isfinite(x) or not math.isfinite(est.mean):
                continue
            pts.setdefault(camp, []).append((x + dx, est.mean))
            marker = MARKERS[campaigns.index(camp) % len(MARKERS)]
            ax.plot(x + dx, est.mean, marker, color=colors[regime], ms=4, mfc="white", mew=1.1)
            if math.isfinite(est.lo):
                _errbar(ax, x + dx, est, colors[regime])
        for path in pts.values() if paths else ():
            xs, ys = np.array(sorted(path)).T
            ax.plot(xs, ys, color=colors[regime], lw=1)
        slope = mean_ci(slopes.loc[slopes["policy"] == regime, "money_advantage"].dropna())
        label = wrap(_slope_label(sweep, regime, slope, sep=", "), int(width_in(fig) * chars_per_in(6.5)) - 8)
        ax.plot([], [], "s", color=colors[regime], ms=5, label=label)
    for j, camp in enumerate(campaigns):
        ax.plot([], [], MARKERS[j % len(MARKERS)], color="#555555", mfc="white", label=f"campaign {camp}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    _percent_axes(ax)
    who = "candidates'" if spend_based else "campaigns'"  # short labels: a brief panel is small
    ax.set_xlabel(f"{who} share of {'spending' if spend_based else 'budget'} (%)")
    ax.set_ylabel("share of\nimpressions (%)")  # two lines: one ran into the title of a brief's panel
    labels = ax.get_legend_handles_labels()[1]
    fig.legend(
        loc="outside lower center",
        ncol=1 if len(regimes) > 2 else legend_columns(fig, labels, 6.5, 2),
        title="regime: slope [95% CI]",
        fontsize=6.5,
        columnspacing=1,
    )
    title = f"Does money buy reach?\nReach share against {money} share"
    suptitle(fig, title)
    return title


def _slope_label(sweep: Sweep, regime, est, sep: str = "\n") -> str:
    label = sweep.regime_label(regime, sep)
    if not math.isfinite(est.mean):
        return f"{label}: n/a (spent alike or nothing)"
    if not math.isfinite(est.lo):
        return f"{label}: {est.mean:.2f}"
    return f"{label}: {est.mean:.2f} [{est.lo:.2f}, {est.hi:.2f}]"


def _percent_axes(ax) -> None:
    """Tick labels of shares (0-1) as percentages."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _pos: f"{100 * v:.0f}")
    ax.xaxis.set_major_formatter(fmt)
    ax.yaxis.set_major_formatter(fmt)


# ------------------------------------------------------------------ 3. paired differences


def paired_effects(sweep: Sweep, baseline: str = "none") -> dict:
    """Same-seed differences against ``baseline`` for each other regime: the vote-share change
    of every candidate campaign and the turnout change (in fractions; x100 for pp)."""
    out = {}
    runs, level = sweep.runs, sweep.run_level()
    for regime in sweep.regimes:
        if regime == baseline:
            continue
        vote = {}
        for camp in sweep.candidates:
            sub = runs[runs["campaign"] == camp]
            d = paired_differences(sub, "vote_share_change", [], regime, baseline, sweep.pair_on)
            vote[camp] = mean_ci(d["diff"])
        d = paired_differences(level, "turnout_change", [], regime, baseline, sweep.pair_on)
        out[regime] = {"vote_share_change": vote, "turnout_change": mean_ci(d["diff"])}
    return out


def draw_effects(fig, sweep: Sweep, baseline: str = "none") -> str:
    """Dots with 95% CIs of same-seed differences against the baseline, in percentage points."""
    effects = paired_effects(sweep, baseline)
    regimes = list(effects)
    colors = sweep.regime_colors()
    cands = sweep.candidates
    ax_v, ax_t = fig.subplots(1, 2, width_ratios=[max(len(cands), 1), 1.2])
    width = 0.6 / max(len(regimes), 1)
    for i, regime in enumerate(regimes):
        off = (i - (len(regimes) - 1) / 2) * width
        for j, camp in enumerate(cands):
            _spread(
                ax_v, j + off, sweep.ensemble_range(regime, camp, "vote_share_change"), colors[regime], width
            )
            _dot(
                ax_v,
                j + off,
                effects[regime]["vote_share_change"][camp].scaled(100),
                colors[regime],
                label=sweep.regime_label(regime) if j == 0 else None,
            )
        _spread(ax_t, off, sweep.ensemble_range(regime, "(run)", "turnout_change"), colors[regime], width)
        _dot(ax_t, off, effects[regime]["turnout_change"].scaled(100), colors[regime])
    for ax in (ax_v, ax_t):
        ax.axhline(0, color="#888888", lw=0.7, zorder=0)
        ax.tick_params(axis="x", length=0)
    ax_v.set_xticks(range(len(cands)), [f"Campaign {c}" for c in cands])
    ax_v.set_xlim(-0.5, len(cands) - 0.5)
    ax_t.set_xticks([0], ["all users"])
    ax_t.set_xlim(-0.5, 0.5)
    # A short axis label (a long one ran past the canvas); what dot and bar mean is told
    # under the panels, in the legend's title.
    ax_v.set_ylabel(wrap(f"difference from {sweep.regime_label(baseline, ', ')}\n(percentage points)", 26))
    ax_v.set_title("Vote-share change")
    ax_t.set_title("Turnout change")
    meaning = "dot: mean over seeds, 95% CI" + (
        "; light bar: 5-95% over plausible parameters" if sweep.ensemble is not None else ""
    )
    cue = scale_cue(effects)
    fig.legend(
        loc="outside lower center",
        ncol=legend_columns(fig, [sweep.regime_label(r) for r in regimes], 7, 6),
        title=f"{meaning}\n{cue}" if cue else meaning,
        title_fontsize=6.5,
    )
    title = f"Effect of each regime on votes and turnout, against {sweep.regime_label(baseline, ', ')}"
    suptitle(fig, title)
    return title


def scale_cue(effects: dict) -> str:
    """For scale: the largest effect shown, in people ("0.03 pp = 3 in 10,000 voters"), so that
    a detectable effect is not read as a large one."""
    sizes = [
        abs(e.mean)
        for r in effects.values()
        for e in (*r["vote_share_change"].values(), r["turnout_change"])
        if math.isfinite(e.mean)
    ]
    if not sizes:
        return ""
    pp = 100 * max(sizes)
    per = 10 ** max(2, math.ceil(-math.log10(max(max(sizes), 1e-9))))  # 1-10 in per
    return (
        f"For scale: the largest effect shown is {pp:.2g} pp, about {max(sizes) * per:.2g} in "
        f"{per:,} voters (1 pp = 1 in 100)."
    )


def _spread(ax, x, found, color, width):
    """A light bar from the 5th to the 95th percentile of the effect over the parameter
    ensemble, behind the seed interval (nothing without an ensemble)."""
    if found is None:
        return
    _, lo, hi, _ = found
    bars = ax.bar(
        x, 100 * (hi - lo), bottom=100 * lo, width=0.7 * width, color=color, alpha=0.18, linewidth=0, zorder=0
    )
    for bar in bars:  # a bar's base is "sticky" (no margin below it): the spread looked cut off
        bar.sticky_edges.y.clear()


def _dot(ax, x, est, color, label=None):
    if not math.isfinite(est.mean):
        return
    ax.plot(x, est.mean, "o", color=color, label=label)
    if math.isfinite(est.lo):
        _errbar(ax, x, est, color)


# ------------------------------------------------------------------ 4. who sees what


def exposure_shares(sweep: Sweep, regime: str, kind: str, groups: list[str]) -> dict:
    """Per campaign: the mean share (95% CI) of its paid or organic impressions in each group
    (ideology band or segment), computed per run then averaged over seeds."""
    runs = sweep.runs[sweep.runs["policy"] == regime]
    cols = [f"{kind}_{g}" for g in groups]
    out = {}
    for camp in sweep.campaigns:
        sub = runs[runs["campaign"] == camp][cols].astype(float)
        total = sub.sum(axis=1).replace(0, np.nan)
        shares = sub.div(total, axis=0)
        out[camp] = [mean_ci(shares[c]) for c in cols]
    return out


def draw_exposure(
    fig, sweep: Sweep, regime: str = "none", rows=("band", "segment"), candidates_only: bool = False
) -> str:
    """Grouped bars: paid versus organic impressions of each campaign with money to spend by
    ideology band (top) and by segment (bottom), as shares of the campaign's paid / organic
    impressions; ``candidates_only``: the paying candidates alone (the brief's narrow panel)."""
    segs = sorted(int(c.rsplit("_", 1)[1]) for c in sweep.runs.columns if c.startswith("paid_segment_"))
    panels = {
        "band": ([f"band_{b}" for b in IDEOLOGY_BANDS], BAND_LABELS, "ideology band"),
        "segment": ([f"segment_{s}" for s in segs], [str(s) for s in segs], "segment"),
    }
    rows = [(r, *panels[r]) for r in rows]
    camps = sweep.paying or sweep.campaigns
    if candidates_only or len(camps) > REACH_COLUMNS:  # too many to read side by side
        camps = [c for c in camps if c in sweep.candidates] or camps
    axes = fig.subplots(len(rows), len(camps), sharey="row", squeeze=False)
    kinds = (
        ("paid", ORIGIN_COLORS["ad"], "paid (ad, amplified, earned from paid)"),
        ("organic", ORIGIN_COLORS["owned"], "organic (owned, earned from organic)"),
    )
    for r, (_, groups, labels, xlabel) in enumerate(rows):
        shares = {k: exposure_shares(sweep, regime, k, groups) for k, _, _ in kinds}
        for c, camp in enumerate(camps):
            ax = axes[r][c]
            for k, (kind, color, label) in enumerate(kinds):
                for g, est in enumerate(shares[kind][camp]):
                    if not math.isfinite(est.mean):
                        continue
                    x = g + (k - 0.5) * 0.4
                    ax.bar(
                        x,
                        100 * est.mean,
                        width=0.4,
                        color=color,
                        label=label if (r == 0 and c == 0 and g == 0) else None,
                    )
                    if math.isfinite(est.lo):
                        _errbar(ax, x, est.scaled(100), "#222222", lo=0, hi=100)
            ax.set_xticks(
                range(len(labels)), labels, rotation=30 if r == 0 else 0, ha="right" if r == 0 else "center"
            )
            ax.tick_params(axis="x", length=0)
            ax.set_xlabel(xlabel)
            if r == 0:
                ax.set_title(f"Campaign {camp}")
        axes[r][0].set_ylabel("share of the campaign's\nimpressions (%)")
    fig.legend(loc="outside lower center", ncol=2)
    title = f"Who sees what ({sweep.regime_label(regime, ', ')}): paid and organic exposure by group"
    suptitle(fig, title)
    return title


# ------------------------------------------------------------------ 5. cascade sizes


def ccdf(sizes) -> tuple[np.ndarray, np.ndarray]:
    """Distinct sizes s and the share of cascades with size >= s."""
    s = np.sort(np.asarray(sizes))
    values, first = np.unique(s, return_index=True)
    return values, 1.0 - first / len(s)


def draw_cascades(fig, sweep: Sweep) -> str:
    """CCDF of cascade size on log-log axes, one panel per regime, one line per root origin,
    pooled over campaigns and seeds."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    cas = sweep.cascades
    regimes = sweep.regimes
    ncols = min(4, len(regimes))
    grid = fig.subplots(math.ceil(len(regimes) / ncols), ncols, sharex=True, sharey=True, squeeze=False)
    axes = grid.ravel()
    for ax in axes[len(regimes) :]:
        ax.set_visible(False)
    for ax, regime in zip(axes, regimes):
        sub = cas[cas["policy"] == regime]
        for root in ROOT_ORIGINS:
            sizes = sub.loc[sub["root_origin"] == root, "size"]
            if len(sizes) == 0:
                continue
            x, y = ccdf(sizes)
            ax.step(x, y, where="post", color=ORIGIN_COLORS[root])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(sweep.regime_label(regime))
        ax.set_xlabel("cascade size (posts)")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    for row in grid:
        row[0].set_ylabel("share of cascades\nof at least this size")

    present = [r for r in ROOT_ORIGINS if (cas["root_origin"] == r).any()]
    fig.legend(
        [Line2D([], [], color=ORIGIN_COLORS[r]) for r in present],
        [ORIGIN_LABELS[r] for r in present],
        loc="outside lower center",
        ncol=3,
        title="root of the cascade (size = root posts + reshares)",
    )
    title = "How far content spreads: cascade sizes by the origin of their root"
    suptitle(fig, title)
    return title


# ------------------------------------------------------------------ 6. timeline


def draw_timeline(fig, sweep: Sweep, seed: int | None = None) -> str:
    """Daily impressions by origin (per 1,000 users), stacked; rows are regimes, columns are
    the campaigns with money to spend (the others' reach is all organic). The mean over seeds,
    or one run when ``seed`` is given."""
    steps, regimes, camps = sweep.steps, sweep.regimes, sweep.paying or sweep.campaigns
    if seed is not None:
        steps = steps[steps["seed"] == seed]
    cols = [f"impressions_{o}" for o in ORIGINS]
    keys = ["policy", *[c for c in sweep.pair_on if c in steps.columns]]
    pops = sweep.run_level()[[*keys, "population"]].drop_duplicates(keys)
    steps = steps.merge(pops, on=keys, how="left", validate="many_to_one")
    scaled = sweep.per_1000(steps, cols)
    scaled[["policy", "campaign", "step"]] = steps[["policy", "campaign", "step"]]
    mean = scaled.groupby(["policy", "campaign", "step"])[cols].mean()
    axes = fig.subplots(len(regimes), len(camps), sharex=True, sharey=True, squeeze=False)
    for r, regime in enumerate(regimes):
        for c, camp in enumerate(camps):
            ax = axes[r][c]
            if (regime, camp) in mean.index.droplevel("step"):
                m = mean.loc[(regime, camp)]
                stack_origins(
                    ax,
                    m.index.to_numpy(),
                    {o: m[f"impressions_{o}"].to_numpy() for o in STACK_ORDER},
                    legend=(r == 0 and c == 0),
                )
            if r == 0:
                ax.set_title(f"Campaign {camp}" if len(camps) <= REACH_COLUMNS else camp)
            if c == 0:
                ax.set_ylabel(f"{sweep.regime_label(regime)}\nper 1,000 users")
            if r == len(regimes) - 1:
                ax.set_xlabel("day")
    fig.legend(loc="outside lower center", ncol=5, handlelength=1, columnspacing=1)
    which = f"seed {seed}" if seed is not None else f"mean of {sweep.run_level()['seed'].nunique()} seeds"
    title = f"Daily impressions by origin ({which})"
    suptitle(fig, title)
    return title


# ------------------------------------------------------------------ 7. money share by size


def draw_money_by_size(fig, sweep: Sweep) -> str:
    """Money's share of each campaign's impressions against its size (budget per 1,000 users,
    log scale), one line per regime: do small campaigns depend on money more than big ones?"""
    from matplotlib.ticker import FuncFormatter

    runs, colors = sweep.runs, sweep.regime_colors()
    runs = runs.assign(size=runs["budget"] / runs["population"] * 1000)
    ax = fig.subplots()
    sized = runs[runs["size"] > 0]
    names = {}
    for camp, grp in sized.groupby("campaign", sort=False):
        names.setdefault(round(float(grp["size"].mean()), 6), []).append(camp)
    # campaigns of one size (e.g. two sides' PACs) side by side, each with its own error bars
    apart = {c: 1.25 ** (k - (len(cs) - 1) / 2) for cs in names.values() for k, c in enumerate(cs)}
    for i, regime in enumerate(sweep.regimes):
        rows = sized[sized["policy"] == regime]
        dodge = 1 + 0.04 * (i - (len(sweep.regimes) - 1) / 2)  # multiplicative: log axis
        for j, (camp, grp) in enumerate(rows.groupby("campaign", sort=False)):
            est = mean_ci(grp["money_share"])
            if not math.isfinite(est.mean):
                continue
            x = float(grp["size"].mean()) * dodge * apart[camp]
            ax.plot(
                x,
                est.mean,
                "o",
                color=colors[regime],
                ms=3.5,
                label=sweep.regime_label(regime, " ") if j == 0 else None,
            )
            if math.isfinite(est.lo):
                _errbar(ax, x, est, colors[regime], lo=0, hi=1)
    ax.set_xscale("log")
    ax.set_xticks(sorted(names), [f"${v:g}\n{', '.join(names[v])}" for v in sorted(names)], fontsize=6)
    ax.minorticks_off()
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{100 * v:.0f}"))
    ax.set_xlabel("budget, US$ per 1,000 users (log scale)")
    ax.set_ylabel("share of its impressions\nrooted in money (%)")
    labels = [sweep.regime_label(r, " ") for r in sweep.regimes]
    fig.legend(loc="outside lower center", ncol=legend_columns(fig, labels, 6.5, 4), fontsize=6.5)
    title = "Money's share of reach by campaign size"
    suptitle(fig, title)
    return title


# ------------------------------------------------------------------ 8. watchdog sweep

COVERAGE, LAG = "policy.watchdogs.coverage", "policy.watchdogs.lag"


def watchdog_effects(sweep: Sweep):
    """Per scenario, coverage and lag: the share of suspect sponsors' impressions that the
    watchdogs removed (1 - with / without takedowns, same seed), mean and 95% CI over seeds.
    The baseline of each (scenario, coverage, seed) is its run at the longest lag (a lag of at
    least the run's length takes nothing down within the run)."""
    level = sweep.run_level()
    keys = [c for c in ("scenario", COVERAGE, "seed") if c in level.columns]
    longest = level[LAG].max()
    base = level[level[LAG] == longest].set_index(keys)["suspect_impressions"]
    out = {}
    for key, grp in level.groupby([c for c in keys if c != "seed"] + [LAG]):
        *setting, lag = key
        idx = [tuple(setting) + (s,) if len(keys) > 1 else s for s in grp["seed"]]
        ref = base.reindex(idx).to_numpy(float)
        removed = 1.0 - grp["suspect_impressions"].to_numpy(float) / np.where(ref > 0, ref, np.nan)
        out[(*setting, lag)] = mean_ci(removed[np.isfinite(removed)])
    return out


def draw_watchdog_sweep(fig, sweep: Sweep) -> str:
    """Share of suspect reach removed against the lag to takedown, one line per coverage, one
    panel per scenario."""
    effects = watchdog_effects(sweep)
    scenarios = sorted({k[0] for k in effects})
    coverages = sorted({k[1] for k in effects})
    axes = fig.subplots(1, len(scenarios), sharey=True, squeeze=False)[0]
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    for ax, scen in zip(axes, scenarios):
        for i, cov in enumerate(coverages):
            color = cmap(0.15 + 0.7 * i / max(len(coverages) - 1, 1))
            # Coverages often remove the same share: each is shifted a little along the log
            # axis, so coinciding points and whiskers stay apart.
            dodge = WATCHDOG_DODGE ** (i - (len(coverages) - 1) / 2)
            pts = sorted((k[2] * dodge, v) for k, v in effects.items() if k[0] == scen and k[1] == cov)
            ax.plot(
                [p[0] for p in pts],
                [100 * p[1].mean for p in pts],
                "o-",
                color=color,
                ms=3,
                lw=1,
                label=f"coverage {cov:g}" if ax is axes[0] else None,
            )
            for lag, est in pts:
                if math.isfinite(est.lo):
                    _errbar(ax, lag, est.scaled(100), color, hi=100)  # no more than all is removed
        ax.set_xscale("log")
        lags = sorted({k[2] for k in effects})
        ax.set_xticks(lags, [f"{v:g}" for v in lags])
        ax.minorticks_off()
        ax.set_title(scen)
        ax.set_xlabel("lag from an ad to its sponsor's takedown (days, log)")
        ax.axhline(0, color="#888888", lw=0.7, zorder=0)
    axes[0].set_ylabel("suspect sponsors' impressions\nremoved (%, 95% CI, at most 100)")
    fig.legend(loc="outside lower center", ncol=len(coverages))
    title = "What watchdogs reading the ad library remove, by coverage and lag"
    suptitle(fig, title)
    return title


# ------------------------------------------------------------------ saving


# ------------------------------------------------------------------ 7. ranking x regime


RANKING_ORDER = ("engagement", "chronological", "for_you", "bridging")


def rankings(sweep: Sweep) -> list[str]:
    """The rankers a sweep ran (the ``ranking`` override), built-in ones first."""
    if "ranking" not in sweep.runs.columns:
        return []
    found = list(dict.fromkeys(sweep.runs["ranking"].astype(str)))
    return sorted(found, key=lambda r: (RANKING_ORDER.index(r) if r in RANKING_ORDER else 99, r))


def ranking_effects(sweep: Sweep, outcome: str = "money_share", baseline: str = "engagement"):
    """Per regime, ranker and candidate: the mean ``outcome`` (95% CI) and its same-seed
    difference from the ``baseline`` ranker under the same regime."""
    runs, out = sweep.runs, {}
    pair_on = [c for c in sweep.pair_on if c != "ranking"]
    for regime in sweep.regimes:
        for camp in sweep.candidates:
            sub = runs[(runs["policy"] == regime) & (runs["campaign"] == camp)]
            base = sub[sub["ranking"].astype(str) == baseline].set_index(pair_on)[outcome]
            for rk in rankings(sweep):
                mine = sub[sub["ranking"].astype(str) == rk].set_index(pair_on)[outcome]
                diff = (mine - base).dropna()
                out[regime, rk, camp] = (mean_ci(mine), mean_ci(diff))
    return out


def draw_ranking(fig, sweep: Sweep, outcome: str = "money_share") -> str:
    """Money's share of each candidate's reach under each ranker (dots, 95% CIs), grouped by
    regime; rankers differ in colour. Same-seed differences from engagement ranking are in
    ``ranking_effects`` (the brief's sentences)."""
    effects = ranking_effects(sweep, outcome)
    ranks, regimes, cands = rankings(sweep), sweep.regimes, sweep.candidates
    palette = dict(zip(ranks, ("#000000", "#E69F00", "#0072B2", "#009E73", "#CC79A7")))
    axes = fig.subplots(1, len(cands), sharey=True, squeeze=False)[0]
    width = 0.7 / max(len(ranks), 1)
    for ax, camp in zip(axes, cands):
        for i, regime in enumerate(regimes):
            for k, rk in enumerate(ranks):
                level, _ = effects[regime, rk, camp]
                _dot(
                    ax,
                    i + (k - (len(ranks) - 1) / 2) * width,
                    level,
                    palette.get(rk, "#777777"),
                    label=rk.replace("_", " ") if (ax is axes[0] and i == 0) else None,
                )
        ax.set_xticks(range(len(regimes)), [sweep.regime_label(r) for r in regimes], rotation=30, ha="right")
        ax.set_title(f"Campaign {camp}")
        ax.tick_params(axis="x", length=0)
        ax.set_ylim(-0.03, 1.03)
    from matplotlib.ticker import FuncFormatter

    axes[0].yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{100 * v:.0f}"))
    axes[0].set_ylabel("impressions rooted in money (%)\n(mean over seeds, 95% CI)")
    fig.legend(loc="outside lower center", ncol=len(ranks), title="feed ranking")
    title = "What the ranking algorithm does to money's share of reach"
    suptitle(fig, title)
    return title


def has_variants(sweep: Sweep) -> bool:
    """Regimes named by their variants ("ad ban, enforcement=on"): long labels, on 2-3 lines."""
    return any(", " in r for r in sweep.regimes)


def reach_height(sweep: Sweep) -> float:
    """Inches per row of campaign panels: more when many regimes' names stand upright."""
    return 3.0 + (1.2 if len(sweep.regimes) > 4 else 0.0)


def effects_legend_height(sweep: Sweep) -> float:
    """Extra inches for the effects legend when its regime labels take several lines."""
    return 0.5 * math.ceil((len(sweep.regimes) - 1) / 5) + 0.4 if has_variants(sweep) else 0.0


def money_legend_height(sweep: Sweep) -> float:
    """Extra inches for the money-advantage legend: a line per regime beyond four (two lines
    when a variant's name wraps)."""
    per = 0.24 if has_variants(sweep) else 0.13
    return per * max(0, len(sweep.regimes) - 4) + (0.5 if has_variants(sweep) else 0.0)


FIGURES = {  # name: (draw function, width, height in inches; None: set by HEIGHTS)
    "reach_by_origin": (draw_reach, PAGE, None),
    "money_advantage": (draw_money_advantage, COLUMN, None),
    "vote_turnout_effects": (draw_effects, PAGE, None),
    "who_sees_what": (draw_exposure, PAGE, 4.6),
    "cascade_sizes": (draw_cascades, PAGE, None),
    "impressions_over_time": (draw_timeline, PAGE, None),
    "money_by_size": (draw_money_by_size, COLUMN, 3.6),
}
# Figures of one kind of sweep: drawn when the sweep varies these settings.
SWEEP_FIGURES = {  # name: (settings it needs, draw function, width, height)
    "ranking_money_share": (("ranking",), draw_ranking, PAGE, 3.2),
    "watchdog_sweep": ((COVERAGE, LAG), draw_watchdog_sweep, PAGE, 3.0),
}
HEIGHTS = {  # inches, for the figures whose size grows with the sweep
    "reach_by_origin": lambda s: reach_height(s) * math.ceil(len(s.campaigns) / REACH_COLUMNS),
    "money_advantage": lambda s: 4.6 + money_legend_height(s),
    "vote_turnout_effects": lambda s: 2.8 + effects_legend_height(s),
    "impressions_over_time": lambda s: 1.0 + 1.1 * len(s.regimes),
    "cascade_sizes": lambda s: 0.9 + 1.8 * math.ceil(len(s.regimes) / 4),
}


def save(fig, out: Path, name: str, prov: dict, formats=FORMATS, dpi: int = 300) -> list[Path]:
    """Write ``name``.png/.pdf/.svg and ``name``.json atomically, without dates inside the
    files (the date is in the footer), so the same table on the same day gives the same bytes."""
    title = " ".join(str(prov.get("title") or name).split())
    meta = {
        "png": {"Software": None, "Title": title},
        "pdf": {
            "CreationDate": None,
            "Producer": None,
            "Title": title,
            "Subject": footer(prov),
            "Creator": f"sim {prov.get('version', '')}",
        },
        "svg": {"Date": None, "Title": title},
    }
    paths = []
    for fmt in formats:
        path = out / f"{name}.{fmt}"
        write_atomic(path, lambda tmp, fmt=fmt: fig.savefig(tmp, format=fmt, dpi=dpi, metadata=meta[fmt]))
        paths.append(path)
    paths.append(write_json(out / f"{name}.json", {**prov, "files": [p.name for p in paths]}))
    return paths


def footer_lines(prov: dict, width_in: float) -> str:
    """The provenance footer, wrapped to the figure's width (5 pt text: ~26 characters/inch)."""
    import textwrap

    return "\n".join(textwrap.wrap(footer(prov), int(26 * width_in), break_on_hyphens=False))


def with_footer(fig, prov: dict, width_in: float, height_in: float):
    """Split ``fig`` into a body subfigure (returned, for drawing) and a footer strip holding
    the provenance line(s), so legends placed outside the axes never overlap it."""
    text = footer_lines(prov, width_in)
    foot = (0.03 + 0.085 * (text.count("\n") + 1)) / height_in
    body, strip = fig.subfigures(2, 1, height_ratios=[1 - foot, foot])
    strip.text(0.005, 0.5, text, fontsize=5, color="#777777", ha="left", va="center", linespacing=1.2)
    return body


def run_checks(fig, name: str) -> dict[str, list[str]]:
    """The figure checks (sim/report/checks.py); each problem is printed as a warning."""
    from .checks import check

    found = check(fig)
    for problems in found.values():
        for problem in problems:
            print(f"warning: figure {name}: {problem}")
    return found


def figure(name: str, sweep: Sweep, out: Path, **options) -> list[Path]:
    """Draw one named figure in the house style and save it with its provenance."""
    import matplotlib.pyplot as plt

    draw, width, height = FIGURES[name] if name in FIGURES else SWEEP_FIGURES[name][1:]
    height = height or HEIGHTS[name](sweep)  # grows with the regimes (campaigns: reach)
    prov = sweep.provenance(name)
    with style():
        fig = plt.figure(figsize=(width, height))
        body = with_footer(fig, prov, width, height)
        title = draw(body, sweep, **options)
        prov.update(title=title, options=dict(options), checks=run_checks(fig, name))
        try:
            return save(fig, Path(out), name, prov)
        finally:
            plt.close(fig)
