"""The classroom model behind the web app: one population under one or two policy regimes.

Kept apart from ``sim.app`` (the Solara page) so that it can be built, stepped and checked
without a browser. ``ClassroomModel`` is the Mesa model that SolaraViz drives: its keyword
arguments are the app's controls; it wraps one ``SimModel`` per regime, built from the same
config and seed (and the same follower matrix), so the regimes start from identical users and
differ only by policy (DESIGN section 3: common random numbers). The drawings read the models'
arrays and the ``steps`` table; nothing here loops over users or edges in Python.
"""

from __future__ import annotations

import math

import mesa
import numpy as np
import scipy.sparse as sp

from ..config import Config, ConfigError
from ..configure import CONF_DIR, compose
from ..model import SimModel
from ..model.population import AMPLIFIER, OFFICIAL, SOCKPUPPET
from ..report.style import ORIGIN_COLORS, ORIGIN_LABELS, STACK_ORDER
from ..vocabulary import IS_PAID, ORIGINS, PAID_ORIGINS

SCENARIOS = tuple(sorted(p.stem for p in (CONF_DIR / "scenario").glob("*.yaml")))
POLICIES = tuple(sorted(p.stem for p in (CONF_DIR / "policy").glob("*.yaml")))
TARGETING = ("micro", "ideology", "segments", "broad")
RANKINGS = tuple(sorted(p.stem for p in (CONF_DIR / "ranking").glob("*.yaml")))
OFF = "off"
LAYOUT_SEED = 7  # the picture's layout is fixed; the model's seed does not move it

# The app's controls and their defaults. Defaults are the two_party scenario (3:1 budgets,
# equal appeal) on 300 users, compared without rules and under a ban: in 20 days candidate
# A's political reach there is mostly bought (money share ~0.8) and under the ban it is not
# (0; docs/classroom.md has the measured numbers).
DEFAULTS = dict(
    scenario_name="two_party", policy="none", compare="ban", budget_a=45.0, budget_b=15.0,
    appeal_a=1.0, appeal_b=1.0, targeting="micro", ranking="engagement", n=300, seed=0,
    persuasion=0.005, skepticism=0.5, label_effect=0.1, detection=0.005, days=30,
)


def classroom_config(*, scenario_name, policy, budget_a, budget_b, appeal_a, appeal_b, targeting,
                     ranking, n, seed, persuasion, skepticism, label_effect, detection, days) -> Config:
    """A typed Config composed from sim/conf exactly as ``python -m sim`` composes it.

    (``scenario_name``, not ``scenario``: Mesa's Model and SolaraViz reserve ``scenario``.)

    The budget, appeal and targeting controls apply to the scenario's first two campaigns
    (the candidates A and B). Targeting ``ideology`` aims each at its own side, ``segments``
    at half of the segments. ``skepticism`` is the population's mean skepticism: Beta(4m,
    4(1-m)), which at m = 0.5 is the default Beta(2, 2). ``detection`` is the daily chance that
    enforcement (on under ban and cap) catches an account in a coordinated posting group.
    """
    if not 0 < skepticism < 1:
        raise ConfigError(f"skepticism = {skepticism!r}: must be in (0, 1)")
    overrides = [
        f"scenario={scenario_name}", f"policy={policy}", f"ranking={ranking}", f"seed={seed}",
        f"steps={days}", f"population.n={n}", "network.cache=false", "output.figure=false",
        f"behavior.persuasion={persuasion}", f"behavior.label_effect={label_effect}",
        f"policy.enforcement.detection_rate={detection}",
        f"population.skepticism_a={4 * skepticism:g}",
        f"population.skepticism_b={4 * (1 - skepticism):g}",
    ]
    for i, (budget, appeal) in enumerate(((budget_a, appeal_a), (budget_b, appeal_b))):
        camp = f"scenario.campaigns.{i}"
        overrides += [f"{camp}.budget={budget}", f"{camp}.appeal={appeal}",
                      f"{camp}.targeting={targeting}"]
        if targeting == "ideology":
            overrides.append(f"{camp}.ideology_band=" + ("[-1.0,0.0]" if i == 0 else "[0.0,1.0]"))
        elif targeting == "segments":
            overrides.append(f"{camp}.target_segments=[0,1,2,3]")
    return compose(*overrides)


class ClassroomModel(mesa.Model):
    """One or two SimModels (regimes ``policy`` and ``compare``) on one population, stepped
    together. ``compare="off"`` runs a single regime."""

    def __init__(self, *, scenario_name=DEFAULTS["scenario_name"], policy=DEFAULTS["policy"],
                 compare=DEFAULTS["compare"], budget_a=DEFAULTS["budget_a"],
                 budget_b=DEFAULTS["budget_b"], appeal_a=DEFAULTS["appeal_a"],
                 appeal_b=DEFAULTS["appeal_b"], targeting=DEFAULTS["targeting"],
                 ranking=DEFAULTS["ranking"], n=DEFAULTS["n"], seed=DEFAULTS["seed"],
                 persuasion=DEFAULTS["persuasion"], skepticism=DEFAULTS["skepticism"],
                 label_effect=DEFAULTS["label_effect"], detection=DEFAULTS["detection"],
                 days=DEFAULTS["days"]):
        super().__init__(rng=int(seed))
        self.params = dict(
            scenario_name=scenario_name, budget_a=budget_a, budget_b=budget_b, appeal_a=appeal_a,
            appeal_b=appeal_b, targeting=targeting, ranking=ranking, n=int(n), seed=int(seed),
            persuasion=persuasion, skepticism=skepticism, label_effect=label_effect,
            detection=detection, days=int(days))
        self.regimes = [policy] + ([compare] if compare != OFF else [])
        first = SimModel(classroom_config(policy=policy, **self.params), log=True)
        self.runs = [first] + [
            SimModel(classroom_config(policy=p, **self.params), log=True,
                     follows=first.follows.users.copy())
            for p in self.regimes[1:]]
        self.layout = network_layout(first)

    def step(self) -> None:
        for run in self.runs:
            run.step()
        self.running = self.runs[0].running


# ---------------------------------------------------------------- numbers


def day_numbers(run: SimModel) -> dict:
    """What the app prints for one regime: today's impressions (paid/organic), totals (all, and
    of the first two campaigns A and B), money share of political reach so far, and A's
    expected vote share."""
    t = run.metrics.steps_table()
    if len(t.get("step", [])) == 0:
        return {"day": 0, "impressions": 0, "paid": 0, "organic": 0, "total": 0,
                "total_a": 0, "total_b": 0, "money_share": math.nan, "vote_share_a": math.nan}
    today = t["step"] == t["step"].max()
    paid = sum(t[f"impressions_{o}"] for o in PAID_ORIGINS)
    political = np.isin(t["campaign"], [c.cfg.name for c in run.campaigns if c.cfg.political])
    a = t["campaign"] == run.campaigns[0].cfg.name
    b = t["campaign"] == run.campaigns[1].cfg.name
    imp_political = t["impressions"][political].sum()
    return {
        "day": int(t["step"].max()),
        "impressions": int(t["impressions"][today].sum()),
        "paid": int(paid[today].sum()),
        "organic": int(t["impressions"][today].sum() - paid[today].sum()),
        "total": int(t["impressions"].sum()),
        "total_a": int(t["impressions"][a].sum()), "total_b": int(t["impressions"][b].sum()),
        "money_share": float(paid[political].sum() / imp_political) if imp_political else math.nan,
        "vote_share_a": float(t["vote_share"][today & a][0]),
    }


def format_numbers(regime: str, d: dict) -> str:
    """One line per regime (the browser test reads these back)."""
    money = "n/a" if math.isnan(d["money_share"]) else f"{100 * d['money_share']:.0f}%"
    vote = "n/a" if math.isnan(d["vote_share_a"]) else f"{100 * d['vote_share_a']:.2f}%"
    return (f"{regime}: day {d['day']}, {d['impressions']} impressions today "
            f"({d['paid']} paid, {d['organic']} organic), {d['total']} in total "
            f"(A {d['total_a']}, B {d['total_b']}), "
            f"money share {money}, A vote share {vote}")


def seen_today(run: SimModel) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks over users: saw paid content today, saw organic content today."""
    paid = np.zeros(run.n, bool)
    organic = np.zeros(run.n, bool)
    if run.log and run.log["impressions"]:
        imp = run.log["impressions"][-1]
        is_paid = IS_PAID[imp["origin"]]
        paid[imp["users"][is_paid]] = True
        organic[imp["users"][~is_paid]] = True
    return paid, organic


# ---------------------------------------------------------------- layout and drawing


def network_layout(run: SimModel, iterations: int = 60) -> np.ndarray:
    """Positions (users, then campaign accounts) from a spring layout of the follower graph
    at the start, with a fixed seed; flipped so that the left of the picture is the left of
    the ideology scale. Computed once per model, so the picture stays still between steps."""
    import networkx as nx

    n, size = run.n, run.population.size
    u = run.follows.users.tocoo()
    a = run.follows.follows_accounts.tocoo()
    rows = np.concatenate([u.row, a.row])
    cols = np.concatenate([u.col, a.col + n])
    adj = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(size, size)).tocsr()
    adj = ((adj + adj.T) > 0).astype(float)
    rng = np.random.default_rng(LAYOUT_SEED)
    start = np.column_stack([run.population.ideology, rng.uniform(-1, 1, size)])
    graph = nx.from_scipy_sparse_array(adj)
    pos = nx.spring_layout(graph, pos=dict(enumerate(start)), iterations=iterations,
                           seed=LAYOUT_SEED)
    xy = np.array([pos[i] for i in range(size)])
    if np.corrcoef(xy[:n, 0], run.population.ideology[:n])[0, 1] < 0:
        xy[:, 0] *= -1
    return xy


def draw_network(ax, run: SimModel, xy: np.ndarray, title: str) -> None:
    """Follower network: users coloured by opinion; orange ring = saw paid content today,
    blue ring = saw organic content today; squares = campaign accounts, triangles =
    sockpuppets, diamonds = paid amplifiers, black x = suspended."""
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    pop, n = run.population, run.n
    u = run.follows.users.tocoo()
    a = run.follows.follows_accounts.tocoo()
    src = np.concatenate([u.row, a.row])
    dst = np.concatenate([u.col, a.col + n])
    ax.add_collection(LineCollection(np.stack([xy[src], xy[dst]], axis=1), colors="#9a9a9a",
                                     linewidths=0.25, alpha=0.12, zorder=0))
    paid, organic = seen_today(run)
    users = np.arange(n)
    regular = users[pop.kind[:n] != AMPLIFIER]
    amps = users[pop.kind[:n] == AMPLIFIER]
    style = dict(cmap="PRGn", vmin=-1, vmax=1, edgecolors="none")
    ax.scatter(*xy[:n][paid].T, s=110, facecolors="none", edgecolors=ORIGIN_COLORS["ad"],
               linewidths=1.6, zorder=2)
    ax.scatter(*xy[:n][organic].T, s=55, facecolors="none", edgecolors=ORIGIN_COLORS["owned"],
               linewidths=1.6, zorder=3)
    ax.scatter(*xy[regular].T, c=pop.opinion[regular], s=16, zorder=4, **style)
    ax.scatter(*xy[amps].T, c=pop.opinion[amps], s=60, marker="D", zorder=5,
               **{**style, "edgecolors": "black"})
    accounts = np.arange(n, pop.size)
    for kind, marker, size in ((OFFICIAL, "s", 120), (SOCKPUPPET, "v", 50)):
        idx = accounts[pop.kind[n:] == kind]
        ax.scatter(*xy[idx].T, c=pop.opinion[idx], s=size, marker=marker, zorder=5,
                   **{**style, "edgecolors": "black"})
    for camp in run.campaigns:
        ax.annotate(camp.cfg.name, xy[camp.official], fontsize=8, weight="bold", zorder=7,
                    xytext=(5, 5), textcoords="offset points")
    gone = np.flatnonzero(pop.suspended)
    ax.scatter(*xy[gone].T, marker="x", s=70, c="black", linewidths=1.5, zorder=6)
    ax.set_title(f"{title}: day {run.steps}, {int(paid.sum())} users saw paid, "
                 f"{int(organic.sum())} saw organic content", fontsize=9)
    ax.set_xticks([]); ax.set_yticks([])
    ax.set_aspect("equal", adjustable="datalim")
    for side in ax.spines.values():
        side.set_visible(False)
    ring = dict(marker="o", linestyle="", markerfacecolor="none", markersize=8, markeredgewidth=1.6)
    handles = [
        Line2D([], [], markeredgecolor=ORIGIN_COLORS["ad"], label="saw paid today", **ring),
        Line2D([], [], markeredgecolor=ORIGIN_COLORS["owned"], label="saw organic today", **ring),
        Line2D([], [], marker="s", linestyle="", color="grey", markeredgecolor="black",
               label="campaign account"),
        Line2D([], [], marker="D", linestyle="", color="grey", markeredgecolor="black",
               label="paid amplifier"),
        Line2D([], [], marker="x", linestyle="", color="black", label="suspended"),
    ]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, -0.13), ncol=3,
              fontsize=7, frameon=False)


def origin_series(run: SimModel) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Days and daily impressions by origin, summed over campaigns."""
    t = run.metrics.steps_table()
    days = np.arange(1, run.steps + 1)
    step = np.asarray(t.get("step", []), dtype=int)
    return days, {o: np.bincount(step, weights=t[f"impressions_{o}"], minlength=run.steps + 1)[1:]
                  if len(step) else np.zeros(0) for o in ORIGINS}


def draw_origins(ax, run: SimModel, title: str, ymax: float | None = None) -> None:
    """Daily impressions by origin, stacked (paid origins warm, organic cool)."""
    days, series = origin_series(run)
    ax.stackplot(days, [series[o] for o in STACK_ORDER], step="mid",
                 colors=[ORIGIN_COLORS[o] for o in STACK_ORDER],
                 labels=[ORIGIN_LABELS[o] for o in STACK_ORDER])
    ax.set_xlim(0.5, run.cfg.steps + 0.5)
    if ymax:
        ax.set_ylim(0, ymax)
    ax.set_xlabel("day")
    ax.set_ylabel("impressions per day")
    ax.set_title(f"{title}: impressions by origin", fontsize=9)
    ax.legend(fontsize=7, loc="upper left", ncol=3, frameon=False)


def max_daily_impressions(runs) -> float:
    """A shared y limit, so that side-by-side charts compare at one scale (headroom for the
    legend)."""
    peaks = [sum(s for s in origin_series(r)[1].values()).max(initial=0) for r in runs]
    return 1.5 * max(peaks + [1])


def draw_comparison(axes, runs, regimes) -> None:
    """Money share of political reach (cumulative) and A's vote share, one line per regime."""
    for run, regime, dash in zip(runs, regimes, ("-", "--")):
        t = run.metrics.steps_table()
        if len(t.get("step", [])) == 0:
            continue
        political = np.isin(t["campaign"], [c.cfg.name for c in run.campaigns if c.cfg.political])
        step = t["step"].astype(int)
        paid = sum(t[f"impressions_{o}"] for o in PAID_ORIGINS)
        cum_paid = np.cumsum(np.bincount(step[political], weights=paid[political]))[1:]
        cum_all = np.cumsum(np.bincount(step[political], weights=t["impressions"][political]))[1:]
        days = np.arange(1, len(cum_all) + 1)
        share = np.divide(cum_paid, cum_all, out=np.full(len(cum_all), np.nan), where=cum_all > 0)
        axes[0].plot(days, 100 * share, dash, color="black", label=regime)
        a = t["campaign"] == run.campaigns[0].cfg.name
        axes[1].plot(t["step"][a], 100 * t["vote_share"][a], dash, color="#7b3294", label=regime)
    steps = runs[0].cfg.steps
    axes[0].set(xlim=(0.5, steps + 0.5), ylim=(0, 100), xlabel="day", ylabel="%",
                title="money share of political reach")
    axes[1].set(xlim=(0.5, steps + 0.5), xlabel="day", ylabel="%",
                title=f"{runs[0].campaigns[0].cfg.name}'s expected vote share (mind the scale)")
    for ax in axes:
        ax.title.set_fontsize(9)
        ax.legend(fontsize=7, frameon=False)
