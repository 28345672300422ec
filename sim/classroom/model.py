"""The classroom model behind the web app: one population under one or two policy regimes, and
the numbers the app shows.

Kept apart from the page (``app.py``) so that it can be built, stepped and checked without a
browser, and so that the lesson plan (``lesson.py``) runs exactly what the app runs.
``ClassroomModel`` wraps one ``SimModel`` per regime, built from the same config and seed (and
the same follower matrix), so the regimes start from identical users and differ only by policy
(common random numbers). Every number on screen is read from the models' own tables: the
``steps`` table and ``SimModel.summary()``.

The choices the app offers are read from ``sim/conf`` (scenarios, policy regimes with their
``label``/``color``, rankers), so a preset added there appears in the app without an edit here.
"""

from __future__ import annotations

import copy
import hashlib
import io
import math
from dataclasses import dataclass
from functools import cache, lru_cache

import mesa
import numpy as np
from omegaconf import OmegaConf

from ..config import Config, ConfigError, ScenarioConfig
from ..configure import CONF_DIR, compose, typed
from ..model import SimModel
from ..vocabulary import IS_PAID, ORIGINS, PAID_ORIGINS

OFF = "off"
LAYOUT_SEED = 7  # the picture's layout is fixed; the model's seed does not move it
TARGETING = ("micro", "ideology", "segments", "broad")


def _stems(group: str) -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml")))


SCENARIOS = _stems("scenario")
POLICIES = _stems("policy")
RANKINGS = _stems("ranking")  # the feed issue's rankers appear here once their YAML exists


@cache
def policy_style(name: str) -> tuple[str, str]:
    """A regime's label and colour, as its YAML gives them (figures use the same)."""
    node = OmegaConf.load(CONF_DIR / "policy" / f"{name}.yaml")
    return str(node.get("label") or name), str(node.get("color") or "#555555")


@cache
def ranking_note(name: str) -> str:
    """The first comment line of a ranker's YAML: what it does, in a few words."""
    for line in (CONF_DIR / "ranking" / f"{name}.yaml").read_text().splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return ""


# ---------------------------------------------------------------- the controls


@dataclass(frozen=True)
class Control:
    """One of the app's settings: its key (a ``ClassroomModel`` keyword), label, and range or
    choices. ``{a}``/``{b}`` in a label stand for the scenario's first two campaigns."""

    key: str
    label: str
    kind: str  # "choice", "float" or "int"
    lo: float = 0
    hi: float = 0
    step: float = 1
    help: str = ""

    def text(self, names=("A", "B")) -> str:
        return self.label.format(a=names[0], b=names[1])


CONTROLS = (
    Control("scenario_name", "Scenario", "choice", help="who campaigns, with what budgets"),
    Control("policy", "Regime (left)", "choice", help="the rules on the left"),
    Control("compare", "Compare with (right)", "choice", help="the rules on the right ('off': none)"),
    Control("budget_a", "Budget of {a} ($ per 1,000 users)", "float", 0, 300, 5),
    Control("budget_b", "Budget of {b} ($ per 1,000 users)", "float", 0, 300, 5),
    Control(
        "appeal_a",
        "Appeal of {a}'s messages",
        "float",
        0.2,
        3.0,
        0.1,
        help="how engaging: 1 = ordinary, 2 = twice as likely to be engaged with",
    ),
    Control("appeal_b", "Appeal of {b}'s messages", "float", 0.2, 3.0, 0.1),
    Control(
        "targeting",
        "Ad targeting ({a} and {b})",
        "choice",
        help="micro: the platform picks each user; ideology: own side; segments; broad",
    ),
    Control("ranking", "Feed ranking", "choice"),
    Control("n", "Users", "int", 100, 1000, 50),
    Control("seed", "Seed", "int", 0, 999, 1, help="another seed: other users, same rules"),
    Control(
        "persuasion",
        "Persuasion per exposure",
        "float",
        0.0,
        0.05,
        0.001,
        help="how far one message moves an opinion it is close to",
    ),
    Control(
        "skepticism",
        "Mean skepticism",
        "float",
        0.05,
        0.95,
        0.05,
        help="how much users discount content labeled as paid",
    ),
    Control("label_effect", "Effect of a 'paid' label", "float", 0.0, 1.0, 0.05),
    Control(
        "detection",
        "Enforcement: daily detection rate",
        "float",
        0.0,
        0.2,
        0.005,
        help="daily chance enforcement (ban, caps) catches a coordinated account",
    ),
    Control("days", "Days", "int", 10, 60, 5),
)
CONTROL = {c.key: c for c in CONTROLS}
BUTTONS = ("Step", "Play", "Stop", "Run to day", "Reset", "Defaults")  # the page's, by these names
CHOICES = {
    "scenario_name": SCENARIOS,
    "policy": POLICIES,
    "compare": POLICIES + (OFF,),
    "targeting": TARGETING,
    "ranking": RANKINGS,
}

# Plain names and one-line stories of the scenarios (sim/conf/scenario/*.yaml; a new YAML
# shows by its file name until it gets a line here, and a test asks for one).
SCENARIO_TEXT = {
    "two_party": (
        "Two candidates, 3:1 money",
        "A has three times B's money, their messages are equally engaging; a civic "
        "'Vote' campaign buys non-partisan ads.",
    ),
    "paid_amplifiers": (
        "Paid posters (loophole)",
        "A pays supporters with large followings to post copies of its messages "
        "and moves its ad money to more of them if ads are banned; B only buys ads.",
    ),
    "foreign_operation": (
        "A foreign operation",
        "Two candidates and a foreign campaign with a tiny ad budget and many "
        "posts from fake pages (sockpuppets).",
    ),
    "foreign_2016": (
        "Foreign operation, 2016",
        "Like the foreign operation, its sizes set from the 2016 case.",
    ),
    "incumbent_challenger": (
        "Incumbent vs challenger",
        "An incumbent with a large following against a challenger with more "
        "money, plus down-ballot campaigns, a dark-money group, news outlets "
        "and ordinary users posting.",
    ),
    "optimizer_2016": (
        "Optimiser vs broadcaster",
        "One campaign gets the platform's staff embedded to tune its ads, the other "
        "uses the self-service tools; budgets in the 2016 ratio ($44M to $28M).",
    ),
    "organizers_2020": (
        "Paid organizers (2020)",
        "A pays 50 supporters per 1,000 users $2,500 a month each to post "
        "identical messages daily, hence A's budget of $125,000 per 1,000 users; "
        "B buys ads with $30.",
    ),
    "facebook_2020": (
        "Facebook 2020 ad prices",
        "As 'Two candidates, 3:1 money', with bids set so that ads cost what they cost on Facebook in 2020.",
    ),
    "twitter_2018": (
        "Twitter 2018 ad prices",
        "Two candidates, with bids set so that ads cost what they cost on Twitter in 2018.",
    ),
}

# Every regime in plain words (sim/conf/policy/*.yaml; a test asks for each one).
REGIME_TEXT = {
    "none": "no limits: political ads with precise (micro-)targeting, no labels, no caps, nobody "
    "hunting fake or paid accounts.",
    "ban": "no political ads (civic, non-partisan ads still run, as in Twitter's 2019 ban); the "
    "platform hunts accounts that post identical copies together. Ads a campaign does not "
    "declare as political slip through unless the platform's review catches them.",
    "transparency": "political ads carry a 'paid for by' label and go into a public ad library, "
    "where watchdogs look for foreign and hidden sponsors; paid posters must say "
    "they are paid.",
    "cap": "limits: at most 3 ads a day per person per campaign, 2 identical posts a day per "
    "account, coarse targeting only; the platform hunts coordinated accounts.",
    "limited_targeting": "political ads may be aimed only at broad groups (age, gender, place: Google's "
    "2019 rule), not at individual supporters; no labels or caps.",
    "no_reshares": "reshared posts are taken out of feeds (the 2020 Facebook experiment): people "
    "see only what the accounts they follow posted themselves.",
    "demote_political": "political posts are shown lower in personalised feeds (as Facebook did from 2021).",
    "chronological_option": "one user in five chooses a feed in time order, with no "
    "recommendations (the EU's Digital Services Act makes platforms "
    "offer one).",
    "no_embedding": "the platform no longer lends its staff to campaigns to tune their ads (Facebook, "
    "2018). Only the 'Optimiser vs broadcaster' scenario has a campaign with "
    "embedded staff; in every other scenario this is the same as no rules.",
}


def choice_text(key: str, value: str) -> str:
    """How a choice reads in its menu: regimes by their label (as figures name them), scenarios
    by their plain name."""
    if key in ("policy", "compare"):
        return "off (one regime)" if value == OFF else policy_style(value)[0]
    if key == "scenario_name":
        return SCENARIO_TEXT.get(value, (value,))[0]
    return str(value)


# The defaults: the two_party scenario (3:1 budgets, equal appeal) on 300 users, compared
# without rules and under a ban, where in 20 days A's political reach is mostly bought and
# under the ban it is not (docs/classroom.md has the numbers, computed by lesson.py).
DEFAULTS = dict(
    scenario_name="two_party",
    policy="none",
    compare="ban",
    budget_a=45.0,
    budget_b=15.0,
    appeal_a=1.0,
    appeal_b=1.0,
    targeting="micro",
    ranking="engagement",
    n=300,
    seed=0,
    persuasion=0.005,
    skepticism=0.5,
    label_effect=0.1,
    detection=0.005,
    days=30,
)


def _nice_up(x: float) -> float:
    """The smallest of 1, 2, 3, 5 x 10^k that is >= x."""
    if x <= 0:
        return 1.0
    p = 10 ** math.floor(math.log10(x))
    return next(m * p for m in (1, 2, 3, 5, 10) if m * p >= x * (1 - 1e-9))


def _scenario(name: str) -> ScenarioConfig:
    """A scenario's YAML over the schema's defaults (what Hydra composes, ~100x faster); a YAML
    with more than ``name`` and ``campaigns`` goes through Hydra."""
    node = OmegaConf.load(CONF_DIR / "scenario" / f"{name}.yaml")
    if set(node) <= {"name", "campaigns"}:
        return typed(ScenarioConfig, OmegaConf.to_container(node, resolve=True))
    return compose(f"scenario={name}").scenario


def scenario_campaigns(name: str) -> list:
    """A scenario's campaigns (typed CampaignConfig), as composed for a run."""
    return _scenario(name).campaigns


@cache
def scenario_settings(name: str) -> dict:
    """What choosing a scenario loads: its first two campaigns' names, budgets, appeals and
    targeting, and slider ranges that fit them. A budget slider reaches 3x the campaign's
    budget, and far enough to pay all its amplifiers every day (budgets and amplifiers are both
    per 1,000 users; a post costs its flat pay plus its per-follower pay, taken at ~100
    followers, a generous figure for the app's small networks)."""
    camps = scenario_campaigns(name)[:2]
    if len(camps) < 2:
        raise ConfigError(f"scenario = {name!r}: the classroom needs at least two campaigns")
    days = DEFAULTS["days"]
    out = {"names": tuple(c.name for c in camps), "targeting": camps[0].targeting}
    for key, c in zip("ab", camps):
        amp = c.amplifiers
        per_post = amp.pay_per_post + amp.pay_per_1000_followers * 100 / 1000
        pay_all = amp.per_1000_users * amp.posts_per_day * per_post * days
        out[f"budget_{key}"] = float(c.budget)
        out[f"appeal_{key}"] = float(c.appeal)
        out[f"budget_{key}_max"] = _nice_up(max(3 * c.budget, 1.5 * pay_all, 10))
        out[f"appeal_{key}_max"] = max(3.0, _nice_up(2 * c.appeal))
    return out


def scenario_defaults(name: str) -> dict:
    """The control values a scenario brings (budgets, appeals, targeting of A and B)."""
    s = scenario_settings(name)
    return {k: s[k] for k in ("budget_a", "budget_b", "appeal_a", "appeal_b", "targeting")}


def apply_setting(settings: dict, key: str, value) -> dict:
    """``settings`` with one control changed, as the app changes it: choosing another scenario
    loads that scenario's budgets, appeals and targeting first."""
    if key not in CONTROL:
        raise ConfigError(f"{key!r} is not a control; controls: {', '.join(CONTROL)}")
    out = dict(settings)
    if key == "scenario_name" and value != out["scenario_name"]:
        out.update(scenario_defaults(value))
    out[key] = value
    return out


def control_range(key: str, scenario: str) -> tuple[float, float]:
    """A numeric control's range; budgets and appeals follow the scenario."""
    c = CONTROL[key]
    if key.startswith(("budget_", "appeal_")):
        return c.lo, scenario_settings(scenario)[f"{key}_max"]
    return c.lo, c.hi


def classroom_config(
    *,
    scenario_name,
    policy,
    budget_a,
    budget_b,
    appeal_a,
    appeal_b,
    targeting,
    ranking,
    n,
    seed,
    persuasion,
    skepticism,
    label_effect,
    detection,
    days,
) -> Config:
    """A typed Config composed from sim/conf exactly as ``python -m sim`` composes it.

    (``scenario_name``, not ``scenario``: Mesa's Model reserves ``scenario``.)

    The budget, appeal and targeting controls apply to the scenario's first two campaigns
    (the candidates A and B). Targeting ``ideology`` aims each at its own side, ``segments``
    at half of the segments. ``skepticism`` is the population's mean skepticism: Beta(4m,
    4(1-m)), which at m = 0.5 is the default Beta(2, 2). ``detection`` is the daily chance that
    enforcement (on under ban and cap) catches an account in a coordinated posting group. A
    group counts as coordinated from 10 accounts per 10,000 users (at least 2): paid posters
    are hired per 1,000 users, so a classroom-sized network has a handful of them, and the
    default absolute threshold of 10 accounts would never be reached.
    """
    if not 0 < skepticism < 1:
        raise ConfigError(f"skepticism = {skepticism!r}: must be in (0, 1)")
    overrides = [
        f"scenario={scenario_name}",
        f"policy={policy}",
        f"ranking={ranking}",
        f"seed={seed}",
        f"steps={days}",
        f"population.n={n}",
        "network.cache=false",
        "output.figure=false",
        f"behavior.persuasion={persuasion}",
        f"behavior.label_effect={label_effect}",
        f"policy.enforcement.detection_rate={detection}",
        f"policy.enforcement.coordination_threshold={max(2, round(10 * n / 10_000))}",
        f"population.skepticism_a={4 * skepticism:g}",
        f"population.skepticism_b={4 * (1 - skepticism):g}",
    ]
    for i, (budget, appeal) in enumerate(((budget_a, appeal_a), (budget_b, appeal_b))):
        camp = f"scenario.campaigns.{i}"
        overrides += [f"{camp}.budget={budget}", f"{camp}.appeal={appeal}", f"{camp}.targeting={targeting}"]
        if targeting == "ideology":
            overrides.append(f"{camp}.ideology_band=" + ("[-1.0,0.0]" if i == 0 else "[0.0,1.0]"))
        elif targeting == "segments":
            overrides.append(f"{camp}.target_segments=[0,1,2,3]")
    return copy.deepcopy(_compose(tuple(overrides)))


@lru_cache(maxsize=64)
def _compose(overrides: tuple) -> Config:
    """Hydra's compose takes ~0.3 s; a Reset often repeats a regime's settings (a copy is
    handed out, so no model shares a config)."""
    return compose(*overrides)


class ClassroomModel(mesa.Model):
    """One or two SimModels (regimes ``policy`` and ``compare``) on one population, stepped
    together. ``compare="off"`` runs a single regime."""

    def __init__(self, **settings):
        unknown = set(settings) - set(DEFAULTS)
        if unknown:
            raise ConfigError(
                f"unknown classroom setting(s) {sorted(unknown)}; allowed: {', '.join(DEFAULTS)}"
            )
        p = {**DEFAULTS, **settings}
        super().__init__(rng=int(p["seed"]))
        self.settings = p  # every control's value, as the app compares them with its own
        self.params = {k: v for k, v in p.items() if k not in ("policy", "compare")}
        self.params.update(n=int(p["n"]), seed=int(p["seed"]), days=int(p["days"]))
        self.regimes = [p["policy"]] + ([p["compare"]] if p["compare"] != OFF else [])
        first = SimModel(classroom_config(policy=p["policy"], **self.params), log=True)
        self.runs = [first] + [
            SimModel(classroom_config(policy=r, **self.params), log=True, follows=first.follows.users.copy())
            for r in self.regimes[1:]
        ]
        self.names = [c.cfg.name for c in first.campaigns]
        self.layout = network_layout(first)

    @property
    def days(self) -> int:
        return self.runs[0].cfg.steps

    @property
    def day(self) -> int:
        return self.runs[0].steps

    def step(self) -> None:
        for run in self.runs:
            run.step()
        self.running = self.runs[0].running


# ---------------------------------------------------------------- numbers


def day_numbers(run: SimModel) -> dict:
    """The key numbers of one regime, from its steps table: today's impressions (paid,
    organic), totals (all, and of the first two campaigns A and B), money share of political
    reach so far, and A's expected vote share today and its change since the start."""
    t = run.metrics.steps_table()
    start = run.metrics.start["votes"]
    share0 = float(start[0] / start.sum()) if start.sum() else math.nan
    if len(t.get("step", [])) == 0:
        return {
            "day": 0,
            "impressions": 0,
            "paid": 0,
            "organic": 0,
            "total": 0,
            "total_a": 0,
            "total_b": 0,
            "money_share": math.nan,
            "vote_share_a": share0,
            "vote_change_a": 0.0,
        }
    today = t["step"] == t["step"].max()
    paid = sum(t[f"impressions_{o}"] for o in PAID_ORIGINS)
    political = np.isin(t["campaign"], [c.cfg.name for c in run.campaigns if c.cfg.political])
    a = t["campaign"] == run.campaigns[0].cfg.name
    b = t["campaign"] == run.campaigns[1].cfg.name
    imp_political = t["impressions"][political].sum()
    vote = float(t["vote_share"][today & a][0])
    return {
        "day": int(t["step"].max()),
        "impressions": int(t["impressions"][today].sum()),
        "paid": int(paid[today].sum()),
        "organic": int(t["impressions"][today].sum() - paid[today].sum()),
        "total": int(t["impressions"].sum()),
        "total_a": int(t["impressions"][a].sum()),
        "total_b": int(t["impressions"][b].sum()),
        "money_share": float(paid[political].sum() / imp_political) if imp_political else math.nan,
        "vote_share_a": vote,
        "vote_change_a": vote - share0,
    }


COUNTERS = (  # (summary column, heading on screen)
    *((f"impressions_{o}", o) for o in ORIGINS),
    ("impressions", "total"),
    ("money_share", "money share"),
    ("spend", "spent $"),
    ("budget", "budget $"),
    ("amplifiers", "paid posters"),
    ("accounts_suspended", "accounts suspended"),
    ("reshares", "reshares"),
    ("vote_share_change", "vote share change (points)"),
)


def campaign_counters(run: SimModel) -> list[dict]:
    """Per campaign, the run so far: impressions by origin and in all, money share, spend and
    budget (US$), paid posters recruited, accounts suspended, reshares, and the change of its
    expected vote share (NaN for non-candidates). Straight from ``SimModel.summary()``."""
    keys = ["campaign", *(k for k, _ in COUNTERS)]
    return [{k: c[k] for k in keys} for c in run.summary()["campaigns"]]


def steps_frame(model: ClassroomModel):
    """The day-by-day table of every regime (one row per regime, day and campaign) as a
    DataFrame: the run's steps.parquet columns with the regime in front."""
    import pandas as pd

    return pd.concat(
        [
            pd.DataFrame(run.metrics.steps_table()).assign(regime=regime)[
                ["regime", *run.metrics.steps_table()]
            ]
            for regime, run in zip(model.regimes, model.runs)
        ],
        ignore_index=True,
    )


def steps_csv(model: ClassroomModel) -> bytes:
    buf = io.StringIO()
    steps_frame(model).to_csv(buf, index=False)
    return buf.getvalue().encode()


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


# ---------------------------------------------------------------- the picture's layout


def follower_edges(run: SimModel) -> tuple[np.ndarray, np.ndarray]:
    """The follower graph at the start as (follower, followee) index pairs, users first, then
    campaign accounts (index n + account)."""
    u = run.follows.users.tocoo()
    a = run.follows.follows_accounts.tocoo()
    return (
        np.concatenate([u.row, a.row]).astype(np.int64),
        np.concatenate([u.col, a.col + run.n]).astype(np.int64),
    )


def network_layout(run: SimModel) -> np.ndarray:
    """The layout of the run's follower graph, recomputed only when the graph changed (a Reset
    that changes budgets or rules keeps the users and their follows)."""
    src, dst = follower_edges(run)
    key = (
        run.population.size,
        hashlib.sha1(np.concatenate([src, dst]).tobytes() + run.population.ideology.tobytes()).hexdigest(),
    )
    if key not in _LAYOUTS:
        if len(_LAYOUTS) >= 8:
            _LAYOUTS.pop(next(iter(_LAYOUTS)))
        _LAYOUTS[key] = force_layout(run)
    return _LAYOUTS[key].copy()


_LAYOUTS: dict = {}


def force_layout(run: SimModel, iterations: int = 50) -> np.ndarray:
    """Positions in [0, 1]^2 (users, then campaign accounts) from a force-directed layout
    (Fruchterman-Reingold) of the follower graph at the start, begun with x = ideology, so that
    the left of the picture is the left of the ideology scale; a fixed seed for the rest.

    Dense NumPy over all pairs: O(size^2) per iteration, ~10 ms at the app's 1,000 users
    (networkx's spring layout took ~10 s there). Computed once per model, so the picture stays
    still between steps."""
    size = run.population.size
    src, dst = follower_edges(run)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    rng = np.random.default_rng(LAYOUT_SEED)
    pos = np.column_stack([(run.population.ideology + 1) / 2, rng.uniform(0, 1, size)]).astype(np.float32)
    k = np.float32(1 / math.sqrt(size))
    temp, cool = 0.1, 0.1 / (iterations + 1)
    for _ in range(iterations):
        dx = pos[:, 0, None] - pos[None, :, 0]
        dy = pos[:, 1, None] - pos[None, :, 1]
        d2 = np.maximum(dx * dx + dy * dy, np.float32(1e-6))
        rep = k * k / d2  # repulsion k^2/d along the unit vector (delta / d)
        disp = np.column_stack([(dx * rep).sum(1), (dy * rep).sum(1)])
        de = pos[src] - pos[dst]
        pull = de * (np.sqrt((de * de).sum(1)) / k)[:, None]  # attraction d^2/k along the edge
        for j in range(2):
            disp[:, j] -= np.bincount(src, pull[:, j], size) - np.bincount(dst, pull[:, j], size)
        length = np.maximum(np.sqrt((disp * disp).sum(1)), 1e-9)
        pos += disp * (np.minimum(length, temp) / length)[:, None]
        temp -= cool
    n = run.n
    if np.corrcoef(pos[:n, 0], run.population.ideology[:n])[0, 1] < 0:
        pos[:, 0] = 1 - pos[:, 0]
    return place_loners(pos.astype(float), np.bincount(np.concatenate([src, dst]), minlength=size) == 0, n)


LONER_BAND = 0.08  # the strip at the bottom of the picture for accounts with no follower edges


def place_loners(pos: np.ndarray, alone: np.ndarray, n: int) -> np.ndarray:
    """Scale the connected users (the first ``n`` nodes) of a layout to fill [0, 1] x
    [LONER_BAND + 0.04, 1], keep the accounts inside it, and put the nodes with no edges (a
    foreign operation's sockpuppet pages have no followers in the graph) in a row along the
    bottom. Repulsion alone pushes those far out, and accounts with few followers drift out
    too: either squeezed the users into a corner of the picture."""
    pos = pos.copy()
    linked = ~alone
    users = linked.copy()
    users[n:] = False
    ref = users if users.any() else linked
    if ref.any():
        lo, hi = pos[ref].min(0), pos[ref].max(0)
        pos[linked] = np.clip((pos[linked] - lo) / np.maximum(hi - lo, 1e-9), 0, 1)
    top = LONER_BAND + 0.04 if alone.any() else 0.0
    pos[linked, 1] = top + (1 - top) * pos[linked, 1]
    k = int(alone.sum())
    if k:
        order = np.argsort(pos[alone, 0], kind="stable")  # keep their left-right order
        xs = np.empty(k)
        xs[order] = (np.arange(k) + 0.5) / k
        pos[alone] = np.column_stack([xs, np.full(k, LONER_BAND / 2)])
    return pos
