"""The one-page brief: headline numbers in words, with their 95% CIs, over the key figures.

:func:`headline` returns the sentences together with every number it used, so a test can
recompute them from the table. Wording rule: a same-seed difference whose interval contains
zero is reported as "no detectable difference", never as a rise or fall.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

from ..stats import Estimate, mean_ci, paired_differences
from .figures import (
    draw_effects,
    draw_exposure,
    draw_money_advantage,
    draw_reach,
    effects_legend_height,
    money_legend_height,
    reach_height,
    run_checks,
    save,
    with_footer,
)
from .style import style
from .tables import FEW_SEEDS, Sweep

A4 = (8.27, 11.69)


def _digits(est: Estimate, scale: float) -> int:
    """Decimals that show the interval's half-width to one significant digit (1 to 4)."""
    half = (est.hi - est.lo) / 2 * scale
    if not math.isfinite(half) or half <= 0:
        return 1
    return min(4, max(1, -math.floor(math.log10(half))))


def fmt(
    est: Estimate, scale: float = 100, unit: str = "%", signed: bool = False, digits: int | None = None
) -> str:
    """``12.3% [10.1, 14.5]``: the mean and its 95% CI, in ``unit`` after scaling."""
    if not math.isfinite(est.mean):
        return "n/a"
    d = _digits(est, scale) if digits is None else digits
    sign = "+" if signed else ""
    num = lambda v: f"{v * scale:{sign}.{d}f}"  # noqa: E731
    ci = f"[{num(est.lo)}, {num(est.hi)}]" if math.isfinite(est.lo) else "[no CI: one seed]"
    return f"{num(est.mean)}{unit} {ci}"


def diff_phrase(subject: str, est: Estimate) -> str:
    """ "<subject> was 1.2 pp [0.4, 2.0] higher" or "<subject> showed no detectable
    difference (...)" when the interval contains zero."""
    if est.spans_zero:
        return (
            f"{subject} showed no detectable difference "
            f"({fmt(est, unit=' pp', signed=True)}, interval spans zero)"
        )
    word = "higher" if est.mean > 0 else "lower"
    return f"{subject} was {fmt(est.scaled(-1) if est.mean < 0 else est, unit=' pp')} {word}"


def main_campaign(sweep: Sweep) -> str:
    """The candidate with the largest budget share (the 'money' side of the comparison)."""
    cands = sweep.candidates or sweep.campaigns
    share = sweep.runs.groupby("campaign")["budget_share"].mean()
    return max(cands, key=lambda c: (share.get(c, 0), -cands.index(c)))


def headline(sweep: Sweep, baseline: str = "none", campaign: str | None = None) -> tuple[list[str], dict]:
    """The brief's sentences and the numbers behind them (fractions, not percent)."""
    camp = campaign or main_campaign(sweep)
    runs = sweep.runs[sweep.runs["campaign"] == camp]
    level = sweep.run_level()
    prov = sweep.provenance("brief")
    numbers = {
        "campaign": camp,
        "baseline": baseline,
        "seeds": prov["seeds"],
        "population": prov["population"],
        "regimes": {},
    }
    for regime in sweep.regimes:
        entry = {
            "money_share": mean_ci(runs.loc[runs["policy"] == regime, "money_share"]),
            "money_advantage": mean_ci(level.loc[level["policy"] == regime, "money_advantage"].dropna()),
        }
        if regime != baseline:
            for key, table in (("money_share", runs), ("vote_share_change", runs), ("turnout_change", level)):
                d = paired_differences(table, key, [], regime, baseline, sweep.pair_on)
                entry[f"{key}_diff"] = mean_ci(d["diff"])
        numbers["regimes"][regime] = entry
    sentences = [_setup(sweep, prov, baseline)]
    base = numbers["regimes"].get(baseline)
    for regime, e in numbers["regimes"].items():
        if regime == baseline or base is None:
            continue
        sentences.append(_regime_sentence(sweep, camp, regime, baseline, base, e, camp in sweep.candidates))
    sentences.append(
        "Money advantage (slope of the candidates' reach share on their share of "
        "the money spent; 0 = reach is not bought, 1 = reach share equals spend "
        "share; n/a where the candidates spent nothing or alike, within 5 points): "
        + "; ".join(
            f"{sweep.regime_label(r, ', ')} {fmt(e['money_advantage'], 1, '', digits=2)}"
            for r, e in numbers["regimes"].items()
        )
        + "."
        + _slope_spread(sweep, baseline)
    )
    numbers = _plain(numbers)
    return sentences, numbers


def _setup(sweep: Sweep, prov: dict, baseline: str) -> str:
    pop = "/".join(f"{p:,}" for p in prov["population"])
    days = "/".join(str(s) for s in prov["steps"])
    failed = f" ({prov['failed_runs']} failed runs left out)" if prov["failed_runs"] else ""
    few = (
        f" Only {prov['seeds']} seeds: the intervals are wide and unstable; "
        f"use at least {FEW_SEEDS} before quoting a number."
        if prov["seeds"] < FEW_SEEDS
        else ""
    )
    n = len(sweep.regimes)
    against = (
        f"; differences are same-seed differences against {sweep.regime_label(baseline, ', ')}"
        if n > 1
        else ""
    )
    return (
        f"{n} regime{'s' if n > 1 else ''} x {prov['seeds']} seeds, {pop} users, {days} days, "
        f"scenario {'/'.join(prov['scenario']) or 'n/a'}{failed}; means over seeds with "
        f"95% confidence intervals in brackets{against}.{few}"
    )


def _regime_sentence(sweep, camp, regime, baseline, base, e, candidate: bool) -> str:
    d = e["money_share_diff"]
    head = f"{sweep.regime_phrase(regime).capitalize()}, money's share of Campaign {camp}'s reach"
    if d.spans_zero:
        money = (
            f"{head} showed no detectable difference from {sweep.regime_label(baseline, ', ')}: "
            f"{fmt(base['money_share'])} vs {fmt(e['money_share'])} (difference "
            f"{fmt(d, unit=' pp', signed=True)}, interval spans zero)"
        )
    else:
        verb = "rose" if d.mean > 0 else "fell"
        money = (
            f"{head} {verb} from {fmt(base['money_share'])} to {fmt(e['money_share'])} "
            f"(difference {fmt(d, unit=' pp', signed=True)})"
        )
    parts = [money]
    if candidate:
        parts.append(diff_phrase("its vote-share change", e["vote_share_change_diff"]))
    parts.append(diff_phrase("turnout change", e["turnout_change_diff"]))
    spread = ensemble_phrase(sweep, regime, camp, candidate)
    return "; ".join(parts) + "." + (f" {spread}." if spread else "")


def ensemble_phrase(sweep: Sweep, regime: str, camp: str, candidate: bool) -> str:
    """What the same differences become over plausible values of the judgement parameters
    (the parameter ensemble): median and 5-95% range, in percentage points."""
    wanted = [("money_share", camp, "money's share"), ("turnout_change", "(run)", "turnout")]
    if candidate:
        wanted.insert(1, ("vote_share_change", camp, "vote-share change"))
    found = [(label, sweep.ensemble_range(regime, c, o)) for o, c, label in wanted]
    found = [(label, r) for label, r in found if r is not None]
    if not found:
        return ""
    sets = found[0][1][3]
    ranges = "; ".join(
        f"{label} {100 * m:+.{_dp(lo, hi)}f} pp ({100 * lo:+.{_dp(lo, hi)}f} to {100 * hi:+.{_dp(lo, hi)}f})"
        for label, (m, lo, hi, _) in found
    )
    return (
        f"Across {sets} sets of plausible values of the model's judgement parameters "
        f"(median, 5-95%): {ranges}"
    )


def _slope_spread(sweep: Sweep, baseline: str) -> str:
    """The money advantage's same-seed difference from the baseline across the parameter
    ensemble, for the regimes where candidates may spend (median, 5-95%)."""
    found = [(r, sweep.ensemble_range(r, "(run)", "money_advantage")) for r in sweep.regimes if r != baseline]
    found = [(r, x) for r, x in found if x is not None]
    if not found:
        return ""
    return (
        f" Across {found[0][1][3]} sets of plausible values of the judgement parameters, its "
        f"difference from {sweep.regime_label(baseline, ', ')} (median, 5-95%): "
        + "; ".join(
            f"{sweep.regime_label(r, ', ')} {m:+.2f} ({lo:+.2f} to {hi:+.2f})" for r, (m, lo, hi, _) in found
        )
        + "."
    )


def _dp(lo: float, hi: float) -> int:
    """Decimals that show a range's width (in pp) to about two significant digits."""
    width = abs(hi - lo) * 100
    return 1 if not math.isfinite(width) or width <= 0 else min(3, max(0, 1 - math.floor(math.log10(width))))


def _plain(numbers: dict) -> dict:
    """Estimates as dicts (JSON-ready)."""
    out = dict(numbers)
    out["regimes"] = {r: {k: v.as_dict() for k, v in e.items()} for r, e in numbers["regimes"].items()}
    return out


def write_brief(
    sweep: Sweep, out: Path, baseline: str = "none", regime_exposure: str | None = None
) -> list[Path]:
    """brief.pdf (one page: title, sentences, four key figures, provenance) + brief.json. The
    page is A4 unless a sweep of many regimes needs more room for its sentences, legends and
    labels; then it grows taller (text once ran over the figures of an 8-regime sweep)."""
    import matplotlib.pyplot as plt

    sentences, numbers = headline(sweep, baseline)
    prov = {**sweep.provenance("brief"), "sentences": sentences, "numbers": numbers}
    lines = _bullets(sentences)
    heights = [  # inches: the text block, then the three rows of figures
        HEADER_IN + len(lines) * LINE_IN + 0.15,
        reach_height(sweep) - 0.3,
        2.3 + effects_legend_height(sweep),
        3.0 + 1.5 * money_legend_height(sweep),  # (a narrower panel than the figure's)
    ]
    room = A4[1] - 0.4 - heights[0]  # for the figures on an A4 page, under the text
    if 0 < sum(heights[1:]) - room <= SQUEEZE_IN:  # a little short: the figures give way
        heights[1:] = [h * room / sum(heights[1:]) for h in heights[1:]]
    size = (A4[0], max(A4[1], sum(heights) + 0.4))
    heights[-1] += size[1] - 0.4 - sum(heights)  # an A4 page's spare room goes to the last row
    with style():
        fig = plt.figure(figsize=size)
        body = with_footer(fig, prov, *size)
        text, reach, effects, bottom = body.subfigures(4, 1, height_ratios=heights)
        _text_block(text, sweep, lines, heights[0])
        draw_reach(reach, sweep, candidates_only=True)  # the page has room for one row
        if len(sweep.regimes) > 1:
            draw_effects(effects, sweep, baseline)
        else:  # a sweep of seeds or of settings under one regime: nothing to compare it with
            effects.text(
                0.5,
                0.5,
                f"One policy regime in this sweep "
                f"({sweep.regime_label(sweep.regimes[0], ', ')}): no effects of a "
                "regime to show.\nSweep policy=none,ban,... (or use --regime-by KEY to "
                "compare the values of a swept key) for this panel.",
                ha="center",
                va="center",
                fontsize=8,
                color="#444444",
            )
        left, right = bottom.subfigures(1, 2, width_ratios=[1, 1.5])
        draw_money_advantage(left, sweep)
        draw_exposure(right, sweep, regime_exposure or baseline, rows=("band",), candidates_only=True)
        prov["checks"] = run_checks(fig, "brief")
        paths = save(fig, Path(out), "brief", prov, formats=("pdf", "png"), dpi=150)
        plt.close(fig)
    return paths


SQUEEZE_IN = 0.6  # inches the figures may shrink by to keep the page A4
HEADER_IN = 0.78  # inches above the sentences: the title and the line under it
LINE_IN = 7.4 * 1.35 / 72  # one line of the sentences (7.4 pt text, line spacing 1.35)


def _bullets(sentences: list[str]) -> list[str]:
    """The sentences as bullet points wrapped to the page's width."""
    lines = []
    for s in sentences:
        wrapped = textwrap.wrap(s, 132)
        lines += ["\u2022 " + wrapped[0]] + ["   " + w for w in wrapped[1:]]
    return lines


def _text_block(fig, sweep: Sweep, lines: list[str], height_in: float) -> None:
    """Title, subtitle and sentences, placed in inches from the top of their block."""
    at = lambda inches: 1 - inches / height_in  # noqa: E731
    scen = ", ".join(sorted({str(s) for s in sweep.runs.get("scenario", [])})) or "sweep"
    fig.text(
        0.01,
        at(0.08),
        "Paid versus organic reach under platform policy regimes",
        fontsize=13,
        fontweight="bold",
        va="top",
    )
    fig.text(
        0.01,
        at(0.38),
        f"Simulated brief, scenario {scen}. Each impression is attributed to "
        "how its cascade started: bought (ads, paid amplifiers)\nor won (the campaign's "
        "own posts), and whether it was reshared.",
        fontsize=8,
        color="#444444",
        va="top",
    )
    fig.text(0.01, at(HEADER_IN), "\n".join(lines), fontsize=7.4, va="top", linespacing=1.35)
