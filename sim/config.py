"""The configuration schema: typed dataclasses, plug-in parts, range checks, hashing.

Hydra/OmegaConf check types and unknown keys; they do not check ranges. Every numeric field
carries its allowed range in ``metadata`` and :func:`validate` walks the tree once, so one
function gives every field the same one-line error ("field = value: must be ..."). Defaults are
documented with their sources in docs/model.md.

Two parts are *plug-ins*, chosen in the config by the class that implements them (Hydra's
``_target_``): the feed ranker (``ranking``) and the policy levers (``policy``). A plug-in is a
dataclass that subclasses :class:`Plugin`; its fields are its parameters, with the same range
metadata, so they are typed, validated and hashed like every other field. This module knows
none of them: ``sim.configure`` loads them by name.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from .vocabulary import TARGETING_LEVELS


class ConfigError(ValueError):
    """A configuration value outside what the model allows; the message is one line."""


_WARNED: set[str] = set()


def warn(message: str) -> None:
    """Tell the user, once per process, of something the run does that they may not expect
    (one line on stderr; a run reads its config twice, it warns once)."""
    if message not in _WARNED:
        _WARNED.add(message)
        print(f"warning: {message}", file=sys.stderr, flush=True)


def rng_(lo: float | None = None, hi: float | None = None, *, lo_open=False, hi_open=False, choices=None):
    """Field metadata: the allowed interval (closed unless ``lo_open`` / ``hi_open``) or set of
    choices. A numeric field with no ``hi`` may still not exceed :data:`LARGEST`."""
    return {"lo": lo, "hi": hi, "lo_open": lo_open, "hi_open": hi_open, "choices": choices}


# The largest value any numeric field takes unless it declares its own maximum: money summed
# over the largest population (50M users x 1e9 $ per 1,000 users = 5e13 $) still adds up to
# the cent in float64 (53-bit mantissa, exact to ~9e15), and counts stay far inside int64.
LARGEST = 1e9


PROB = rng_(0.0, 1.0)
POSITIVE = rng_(0.0, None, lo_open=True)
NONNEG = rng_(0.0, None)
POSITION = rng_(-1.0, 1.0)
# the log-sd of a lognormal draw: at 10, a 6-sd draw is e^60 (1e26) and products of a few stay
# far inside float64; far beyond, draws overflow to inf and scores to NaN
LOG_SD = rng_(0.0, 10.0)


def f(default, meta=None):
    """A dataclass field with range metadata (lists and dicts get a factory)."""
    if isinstance(default, (list, dict)) or dataclasses.is_dataclass(default):
        return field(default_factory=lambda: _copy(default), metadata=meta or {})
    return field(default=default, metadata=meta or {})


def _copy(value):
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value)
    return type(value)(value)


PLATFORM_HELP = ("embedded", "self_service", "none")
NETWORK_KINDS = ("homophilous_pa", "erdos_renyi", "configuration", "sbm", "edgelist", "gml")


@dataclass
class PopulationConfig:
    n: Optional[int] = f(10_000, rng_(10, 50_000_000))  # null: a network file's node count
    ideology_peaks: float = f(0.45, rng_(0.0, 1.0))  # two normal modes at +-peaks
    ideology_sd: float = f(0.25, POSITIVE)
    left_share: float = f(0.5, PROB)
    opinion_noise: float = f(0.1, NONNEG)  # opinion starts at ideology + N(0, noise)
    activity_a: float = f(0.5, POSITIVE)  # Beta(a, b) daily probability of opening the feed
    activity_b: float = f(1.5, POSITIVE)
    reshare_dist: str = f("mixture", rng_(choices=("mixture", "fixed")))
    sharer_fraction: float = f(0.3, PROB)  # share of users who ever reshare politics
    reshare_a: float = f(1.0, POSITIVE)  # Beta(a, b) per-exposure reshare probability of sharers
    reshare_b: float = f(9.0, POSITIVE)
    reshare_fixed: float = f(0.1, PROB)  # used when reshare_dist == "fixed"
    skepticism_a: float = f(2.0, POSITIVE)
    skepticism_b: float = f(2.0, POSITIVE)
    turnout_a: float = f(6.0, POSITIVE)
    turnout_b: float = f(4.0, POSITIVE)
    segments: int = f(8, rng_(1, 1000))
    # How much the segments (demographic cells) say about ideology: 0 = nothing (random cells),
    # 1 = cells are ideology quantiles. Coarse targeting can only aim as well as this allows.
    segment_signal: float = f(0.5, PROB)


@dataclass
class NetworkConfig:
    kind: str = f("homophilous_pa", rng_(choices=NETWORK_KINDS))
    mean_degree: float = f(20.0, POSITIVE)  # mean out-degree (follows per user)
    degree_sigma: float = f(1.0, LOG_SD)  # lognormal spread of out-degree (homophilous_pa)
    homophily: float = f(0.8, PROB)  # probability a follow stays on one's own ideological side
    fitness_exponent: float = f(2.5, rng_(2.0, None, lo_open=True))  # follower-count power law
    cache: bool = True  # keep generated graphs on disk, keyed by their parameters
    cache_dir: str = "results/.network_cache"
    # A network of one's own (kind edgelist / gml; docs/model.md 3.2): the file, how to read
    # its edges, and which node attributes set which user state.
    path: str = ""  # edge list or GML file
    directed: bool = True  # false: every edge is a follow both ways (undirected data)
    header: Optional[bool] = None  # edge list: the first line names the columns (null: detect)
    weights: str = f("refuse", rng_(choices=("refuse", "use")))  # a weight column / attribute
    min_weight: float = f(0.0, rng_(None, None))  # weights=use: a follow where weight > this
    node_table: str = ""  # CSV or Parquet file of node attributes, one row per node
    node_id_column: str = ""  # its column of node labels ("": the first column)
    ideology_attribute: str = ""  # node attribute giving each user's ideology (its centre)
    ideology_values: dict[Any, float] = f({}, POSITION)  # attribute value -> ideology centre
    segment_attribute: str = ""  # node attribute giving each user's segment

    def __post_init__(self):
        # keys as text: a file's values are matched by their text ("0", "Mr. Hi")
        self.ideology_values = {str(k): v for k, v in dict(self.ideology_values).items()}


@dataclass
class FeedConfig:
    size: int = f(20, rng_(1, 1000))
    ad_load: float = f(0.2, PROB)  # share of feed slots that are ad slots
    # Ads a reader is shown on a day of use, sold by the ad market (the organic feed stays the
    # compressed size x (1 - ad_load)): ~300 stories shown a day (Backstrom 2013) x ~20% ads;
    # null: round(size x ad_load), the compressed feed's own share (docs/model.md)
    ad_slots: Optional[int] = f(60, rng_(0, 1000))
    engine: str = f("push", rng_(choices=("push", "pull")))  # candidate engine; same results
    prediction_noise: float = f(0.5, LOG_SD)  # lognormal sigma of the platform's predictions
    # Attention (sim/model/feed/attention.py): campaign content competes with non-political
    # content for the organic slots (size minus ad slots). false: every political candidate is
    # shown (no attention limit; the theory limits).
    competition: bool = True
    candidates_per_followee: float = f(4.0, NONNEG)  # non-political candidates a day per followee
    political_engagement: float = f(5.0, POSITIVE)  # aligned political post vs median non-political
    nonpolitical_sigma: float = f(1.0, NONNEG)  # lognormal sd of non-political engagement
    # Out-of-network recommendations (sim/model/feed/recommendations.py), for rankers with an
    # out_of_network share: yesterday's most-engaged campaign posts platform-wide.
    pool_size: int = f(50, rng_(1, 100_000))  # items in the platform-wide pool
    recommended_candidates: int = f(5, rng_(0, 1000))  # pool items drawn per reader


@dataclass
class BehaviorConfig:
    engage_base: float = f(0.08, PROB)
    affinity_scale: float = f(0.5, POSITIVE)  # engagement x exp(-|ideology - position| / scale)
    affinity: bool = True  # false: ideological distance does not matter (validation)
    source_followed: float = f(1.0, NONNEG)
    source_ad: float = f(0.6, NONNEG)
    label_effect: float = f(0.1, PROB)  # a "paid" label cuts engagement by effect x skepticism
    follow_prob: float = f(0.05, PROB)
    epsilon: float = f(0.3, rng_(0.0, 2.0))  # bounded-confidence radius
    persuasion: float = f(0.005, PROB)  # opinion step per exposure within epsilon
    # Calibrated turnout and persuasion (docs/model.md "Behaviour"; fitted in docs/validation.md).
    # Turnout moves on the logit scale; per call-to-action exposure by nudge + nudge_alignment x
    # the reader's leaning toward the message's side (Aggarwal et al. 2023: ~0 on average,
    # + for the message's leaners, - for the other side's).
    turnout_nudge: float = f(0.0, rng_(-1.0, 1.0))
    turnout_nudge_alignment: float = f(0.00037, rng_(-1.0, 1.0))
    turnout_nudge_social: float = f(0.0179, rng_(0.0, 5.0))  # once per user and election (Bond 2012)
    persuasion_half_life: Optional[float] = f(5.0, POSITIVE)  # days; null: persuasion never decays
    vote_temperature: float = f(0.2, POSITIVE)  # softness of the candidate choice
    # Out-group language (Rathje et al. 2021) multiplies engagement of same-side readers.
    outgroup_boost: float = f(2.0, rng_(1.0, None))
    # Sessions (sim/model/sessions.py): the chance to open the feed moves with its quality.
    session_elasticity: float = f(0.25, NONNEG)  # d log(sessions) / d log(feed quality)
    session_memory: float = f(0.5, PROB)  # weight of the latest feed in the quality remembered


@dataclass
class MarketConfig:
    commercial_cpm: float = f(20.0, POSITIVE)  # median competing (non-political) bid, $ CPM
    commercial_sigma: float = f(0.6, LOG_SD)
    pacing_gain: float = f(1.0, rng_(0.0, 1.0, lo_open=True))
    # Exponent on the creative-reader alignment (affinity) in the platform's predicted relevance,
    # the auction's quality factor: 0 delivers regardless of alignment (Ali et al. 2021).
    delivery_relevance: float = f(0.6, rng_(0.0, 10.0))
    # log-sd of each creative's quality as the platform predicts it (one draw per campaign, day
    # and ad slot): engaging creatives win cheaper. 0: all creatives alike. 0.7 reproduces the
    # spread of per-ad CPMs within the two 2020 presidential campaigns' ads on Snapchat (Snap
    # Political Ads Library 2020; docs/model.md 3.3, "Ad market").
    creative_sigma: float = f(0.7, LOG_SD)


@dataclass
class AllocationConfig:
    """How campaigns move money between channels (sim/model/allocation.py; docs/model.md 3.3,
    "Where the money goes"): ``substitution``, the share of a closed or full channel's money
    that moves to the open ones (0: it is not spent, today's model before allocation; 1: the
    whole budget is spent somewhere); ``elasticity``, how strongly shares follow the observed
    impressions per dollar (0: evenly; large: all to the best); ``smoothing``, the weight of a
    day's observed return; organic staff cost ``staff_cost`` US$ per 1,000 users per extra
    official post (diminishing: at most ``staff_max_posts`` extra posts a day); a volunteer
    costs ``volunteer_cost`` US$ to recruit."""

    substitution: float = f(1.0, PROB)
    elasticity: float = f(1.0, rng_(0.0, 20.0))
    smoothing: float = f(0.3, rng_(0.0, 1.0, lo_open=True))
    staff_cost: float = f(0.01, NONNEG)
    staff_max_posts: int = f(4, rng_(0, 100))
    volunteer_cost: float = f(50.0, POSITIVE)


@dataclass
class AmplifierConfig:
    """Paid posters: hired per 1,000 users and paid per post (a flat wage) plus per 1,000 of
    their followers (influencer rates), so a scenario means the same at any population size."""

    per_1000_users: float = f(0.0, rng_(0.0, 1000.0))  # at most every user
    pay_per_post: float = f(80.0, NONNEG)
    pay_per_1000_followers: float = f(0.0, NONNEG)  # US$ per post per 1,000 followers
    posts_per_day: int = f(1, rng_(0, 100))
    identical: bool = True
    disclosure: float = f(0.1, PROB)  # share of posters who disclose the payment unasked
    recruit: str = f("supporters", rng_(choices=("supporters", "influencers")))  # random or most-followed


@dataclass
class VolunteerConfig:
    """Unpaid supporters who post about the race from their own accounts (organic roots)."""

    per_1000_users: float = f(0.0, rng_(0.0, 1000.0))  # at most every user
    posts_per_day: int = f(1, rng_(0, 100))


@dataclass
class SockpuppetConfig:
    count: int = f(0, rng_(0, 100_000))
    posts_per_day: int = f(4, rng_(0, 100))
    followers: float = f(200.0, NONNEG)  # mean initial followers per sockpuppet
    identical: bool = False


@dataclass
class CampaignConfig:
    name: str = "campaign"
    sponsor: str = ""
    political: bool = True
    candidate: bool = True  # counts in vote share
    foreign: bool = False
    position: float = f(0.0, POSITION)
    appeal: float = f(1.0, NONNEG)
    budget: float = f(0.0, NONNEG)  # US$ per 1,000 users over the run (scale-free scenarios)
    bid: float = f(25.0, NONNEG)  # $ CPM
    targeting: str = f("broad", rng_(choices=TARGETING_LEVELS))
    target_segments: list[int] = f([])
    ideology_band: list[float] = f([-1.0, 1.0])
    micro_fraction: float = f(0.2, rng_(0.0, 1.0, lo_open=True))
    micro_noise: float = f(0.5, LOG_SD)  # noise of the platform's response prediction
    objective: str = f("mix", rng_(choices=("persuade", "mobilize", "mix")))
    # share of its content with a call to action; null: what its platform help gives
    cta_share: Optional[float] = f(0.5, PROB)
    outgroup_share: float = f(0.0, PROB)  # share of its posts attacking the out-group
    official_followers: float = f(0.05, PROB)  # initial followers, share of users
    posts_per_day: int = f(2, rng_(0, 100))
    # Its accounts (official, amplifiers, sockpuppets) post only on the first posting_days days
    # (a launch burst, a one-off message; null: every day). Validation seeds single cascades.
    posting_days: Optional[int] = f(None, rng_(0, 100_000))
    # true: a ban's ad budget hires more paid posters at set-up (the 2020 loophole); false: no
    # money moves between channels; null: as ``allocation`` says (sim/model/allocation.py)
    reallocate_ad_budget: Optional[bool] = None
    amplifiers: AmplifierConfig = f(AmplifierConfig())
    sockpuppets: SockpuppetConfig = f(SockpuppetConfig())
    volunteers: VolunteerConfig = f(VolunteerConfig())
    # --- strategy, disclosure and platform help (docs/model.md 3.3, "Campaign strategy")
    bid_ceiling: float = f(2.0, rng_(1.0, 100.0))  # most the pacing may raise its bid, x bid
    # bid_cap: ``bid`` caps what it pays; lowest_cost: the platform bids for it with no cap
    # against the commercial market (Meta's default, LOWEST_COST_WITHOUT_CAP; auction.py)
    bid_strategy: str = f("bid_cap", rng_(choices=("bid_cap", "lowest_cost")))
    expand_audience: bool = True  # widen to lookalikes when its budget goes unspent
    declares_political: bool = True  # false: runs its political ads undeclared
    inauthentic: bool = False  # hides who runs it (fake pages); watchdogs look for it
    platform_help: str = f("self_service", rng_(choices=PLATFORM_HELP))


@dataclass
class ScenarioConfig:
    name: str = "custom"
    campaigns: list[CampaignConfig] = f([])


@dataclass
class PlatformConfig:
    """One platform of a several-platform run (sim/model/platform.py): its name, its share of
    users' attention, who is on it (``reach``, ``overlap``), its part of the campaigns' ad
    budgets (``ad_weight``), its rules (a policy preset of conf/policy; empty: the run's policy)
    and its feed ranking (a ranker preset of conf/ranking; empty: the run's ranking)."""

    name: str = "platform"
    share: float = f(1.0, rng_(0.0, 1.0, lo_open=True))
    # share of users on this platform (null: every user); users on several platforms spread
    # their reading over theirs by ``share`` (docs/model.md 1.2, "Who is on which platform")
    reach: Optional[float] = f(None, rng_(0.0, 1.0, lo_open=True))
    # how much being on it goes with using social media at all: its loading on the common
    # factor of a one-factor Gaussian copula (0: independent of the other platforms; judgement)
    overlap: float = f(0.5, rng_(0.0, 1.0, hi_open=True))
    # weight of this platform in each campaign's split of its daily ad budget over the platforms
    # that take its ads that day (null: its attention ``share``); the real split of political ad
    # spend between platforms, where known (conf/platforms/ecosystem_2019.yaml)
    ad_weight: Optional[float] = f(None, NONNEG)
    policy: str = ""
    ranking: str = ""  # a ranker preset of conf/ranking; empty: the run's ranking
    rules: Any = field(default=None, metadata={"transient": True})  # the preset's Policy
    ranker: Any = field(default=None, metadata={"transient": True})  # the preset's Ranker


@dataclass
class OutputConfig:
    figure: bool = True
    quiet: bool = False


class Plugin:
    """Base of the parts a config chooses by class (``_target_``): rankers and policy levers.

    Subclasses are dataclasses whose fields are their parameters (with range metadata)."""

    @classmethod
    def target(cls) -> str:
        """The ``_target_`` that names this class in a config."""
        return f"{cls.__module__}.{cls.__qualname__}"


@dataclass
class Config:
    seed: int = f(0, rng_(0, 2**63 - 1))
    steps: int = f(30, rng_(1, 100_000))
    population: PopulationConfig = f(PopulationConfig())
    network: NetworkConfig = f(NetworkConfig())
    ranking: Any = None  # a Ranker (sim.model.feed.rankers); None: engagement ranking
    feed: FeedConfig = f(FeedConfig())
    behavior: BehaviorConfig = f(BehaviorConfig())
    market: MarketConfig = f(MarketConfig())
    allocation: AllocationConfig = f(AllocationConfig())
    policy: Any = None  # a Policy (sim.model.levers); None: no rules
    # the platforms (none listed: one, with ``policy`` and ``ranking``: sim/model/platform.py)
    platforms: list[PlatformConfig] = f([])
    scenario: ScenarioConfig = f(ScenarioConfig())
    output: OutputConfig = f(OutputConfig())
    # keys inside lists that a design row sets (sim/runs/design.py): applied to the fields above
    # by sim.configure.to_config and then empty, so not part of the recorded config
    design_values: Any = field(default=None, metadata={"transient": True})


# ---------------------------------------------------------------- validation


def _num(x) -> str:
    """A bound as a user would type it: 10, 0.5, 1e9."""
    if isinstance(x, float) and x.is_integer() and abs(x) >= 1e6:
        return f"{x:.0e}".replace("e+0", "e").replace("e+", "e")
    return str(x)


def _bounds(meta: dict) -> tuple:
    """(lo, hi, lo_open, hi_open) with the implicit limits of every numeric field."""
    lo, hi = meta.get("lo"), meta.get("hi")
    return (
        -LARGEST if lo is None else lo,
        LARGEST if hi is None else hi,
        bool(meta.get("lo_open")),
        bool(meta.get("hi_open")),
    )


def describe(meta: dict, kind: str = "") -> str:
    """What a field allows, as the error messages say it: "one of a, b", "a finite number in
    (0.0, 1.0]" (brackets: ends included, parentheses: ends excluded)."""
    if meta.get("choices"):
        return "one of " + ", ".join(str(c) for c in meta["choices"])
    lo, hi, lo_open, hi_open = _bounds(meta)
    what = {"int": "an integer ", "float": "a finite number "}.get(kind, "")
    return f"{what}in {'(' if lo_open else '['}{_num(lo)}, {_num(hi)}{')' if hi_open else ']'}"


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_value(path: str, value: Any, meta: dict) -> None:
    """One value against its field's metadata; every number is also checked to be finite and
    within :data:`LARGEST`, whether or not the field declares a range."""
    if value is None:
        return
    if meta.get("choices"):
        if value not in meta["choices"]:
            raise ConfigError(f"{path} = {value!r}: must be {describe(meta)}")
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_value(f"{path}.{i}", item, meta)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _check_value(f"{path}.{key}", item, meta)
        return
    if not _is_number(value):
        return
    lo, hi, lo_open, hi_open = _bounds(meta)
    bad = not math.isfinite(value)
    bad = bad or (value <= lo if lo_open else value < lo) or (value >= hi if hi_open else value > hi)
    if bad:
        kind = "float" if isinstance(value, float) else "int"
        raise ConfigError(f"{path} = {value!r}: must be {describe(meta, kind)}")


def _walk(obj: Any, path: str) -> None:
    """Check every field of a dataclass tree (plug-ins and lists or dicts of them included)."""
    for fld in dataclasses.fields(obj):
        value = getattr(obj, fld.name)
        sub = f"{path}.{fld.name}" if path else fld.name
        if dataclasses.is_dataclass(value):
            _walk(value, sub)
        elif isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
            for i, item in enumerate(value):
                _walk(item, f"{sub}.{i}")
        elif isinstance(value, dict) and any(dataclasses.is_dataclass(v) for v in value.values()):
            # a "flat" dict's entries are named as the config names them (policy.<lever>)
            where = path if fld.metadata.get("flat") else sub
            for key, item in value.items():
                _walk(item, f"{where}.{key}" if where else key)
        else:
            _check_value(sub, value, dict(fld.metadata))


def field_meta(obj: Any, path: str) -> dict | None:
    """The range metadata of the field at a dotted ``path`` ("population.n") below a dataclass
    (instance or class), or None when there is no such field."""
    for part in path.split("."):
        if isinstance(obj, type) and dataclasses.is_dataclass(obj):
            obj = obj()
        if isinstance(obj, dict):
            obj = obj.get(part)
            continue
        if isinstance(obj, list):
            obj = obj[int(part)] if part.isdigit() and int(part) < len(obj) else None
            continue
        fld = (
            next((x for x in dataclasses.fields(obj) if x.name == part), None)
            if dataclasses.is_dataclass(obj)
            else None
        )
        if fld is None:
            return None
        meta, obj = dict(fld.metadata), getattr(obj, part)
    return meta


FILE_NETWORKS = ("edgelist", "gml")


def check_fields(cfg: Config) -> Config:
    """Check every field against its own range (not the rules across fields)."""
    _walk(cfg, "")
    return cfg


def validate(cfg: Config) -> Config:
    """Check every range and the cross-field rules; raise ConfigError with one line."""
    _walk(cfg, "")
    net = cfg.network
    if net.kind in FILE_NETWORKS:
        check_files(net)
    n = cfg.population.n
    if n is None:
        raise ConfigError(
            f"population.n = None: must be {describe(_meta(PopulationConfig, 'n'), 'int')} "
            "(null only with a network file: its node count)"
        )
    names = [c.name for c in cfg.scenario.campaigns]
    if not names:
        raise ConfigError("scenario.campaigns = []: must list at least one campaign")
    if len(set(names)) != len(names):
        raise ConfigError(f"scenario.campaigns names = {names}: must be unique")
    for i, c in enumerate(cfg.scenario.campaigns):
        where = f"scenario.campaigns.{i}"
        lo, hi = (c.ideology_band + [None, None])[:2]
        if len(c.ideology_band) != 2 or not -1 <= lo <= hi <= 1:
            raise ConfigError(
                f"{where}.ideology_band = {c.ideology_band}: must be [lo, hi] with -1 <= lo <= hi <= 1"
            )
        for s in c.target_segments:
            if not 0 <= s < cfg.population.segments:
                raise ConfigError(
                    f"{where}.target_segments = {c.target_segments}: segment ids must be "
                    f"in [0, {cfg.population.segments - 1}] (population.segments)"
                )
        if c.targeting == "segments" and not c.target_segments:
            raise ConfigError(f"{where}.target_segments = []: targeting 'segments' needs segment ids")
        for what, value in (("sockpuppets.followers", c.sockpuppets.followers * bool(c.sockpuppets.count)),):
            if value > n:  # followers are drawn from the n users
                raise ConfigError(f"{where}.{what} = {value!r}: must be <= population.n ({n})")
    total, (where, why) = planned_contents(cfg)
    if total > MAX_CONTENTS:
        raise ConfigError(
            f"{where}: the run would create {total:,} contents ({why}); the model "
            f"holds at most {MAX_CONTENTS:,} (2^28) per run: fewer accounts, "
            "posts per day or steps"
        )
    net = cfg.network
    if net.kind not in FILE_NETWORKS:
        if net.mean_degree >= n:
            raise ConfigError(f"network.mean_degree = {net.mean_degree}: must be < population.n ({n})")
        for key in ("path", "node_table", "ideology_attribute", "ideology_values", "segment_attribute"):
            if getattr(net, key):
                raise ConfigError(
                    f"network.{key} = {getattr(net, key)!r}: applies only to a "
                    f"network file (network=edgelist or gml), not {net.kind}"
                )
    if net.ideology_values and not net.ideology_attribute:
        raise ConfigError(
            f"network.ideology_values = {net.ideology_values}: needs "
            "network.ideology_attribute (the node attribute they map)"
        )
    return cfg


MAX_CONTENTS = 2**28  # content ids per run (sim.model.content.KEY_SHIFT: the seen-set key)


def planned_contents(cfg: Config) -> tuple[int, tuple[str, str]]:
    """Contents the campaigns' accounts will post in the run at most (identical copies share one
    per disclosure; ad creatives, a few per campaign, not counted), and the largest contributor:
    its key and value, and how it adds up."""
    n = cfg.population.n or 0
    total, largest, found = 0, -1, ("steps", "")
    for i, c in enumerate(cfg.scenario.campaigns):
        days = cfg.steps if c.posting_days is None else min(cfg.steps, c.posting_days)
        where = f"scenario.campaigns.{i}"
        amp, vol, sp = c.amplifiers, c.volunteers, c.sockpuppets
        hired = math.ceil(amp.per_1000_users * n / 1000)
        if c.reallocate_ad_budget and amp.pay_per_post * amp.posts_per_day > 0:
            hired += math.ceil(c.budget * n / 1000 / (amp.pay_per_post * amp.posts_per_day * days))
        hired = min(hired, n)
        parts = [
            (c.posts_per_day, 1, f"{where}.posts_per_day", "1 official account"),
            (
                amp.posts_per_day,
                min(2, hired) if amp.identical else hired,  # disclosed or not
                f"{where}.amplifiers.posts_per_day",
                f"{hired:,} amplifiers",
            ),
            (
                vol.posts_per_day,
                math.ceil(vol.per_1000_users * n / 1000),
                f"{where}.volunteers.posts_per_day",
                f"{math.ceil(vol.per_1000_users * n / 1000):,} volunteers",
            ),
            (
                sp.posts_per_day,
                1 if sp.identical else sp.count,
                f"{where}.sockpuppets.posts_per_day",
                f"{sp.count:,} sockpuppets",
            ),
        ]
        for per_day, accounts, key, who in parts:
            count = per_day * accounts * days
            total += count
            if count > largest:
                largest, found = count, (f"{key} = {per_day}", f"{who} x {per_day} posts a day x {days} days")
    return total, found


def check_files(net: NetworkConfig) -> None:
    """The network file (and node table) exist as files (not folders, devices or pipes)."""
    for key in ("path", "node_table"):
        value = getattr(net, key)
        if (value or key == "path") and not Path(value).is_file():
            what = (
                f"an existing {net.kind} file"
                if key == "path"
                else "an existing CSV or Parquet file (or empty)"
            )
            raise ConfigError(f"network.{key} = {value!r}: must be {what}")


def _meta(cls, name: str) -> dict:
    return dict(next(x for x in dataclasses.fields(cls) if x.name == name).metadata)


# ---------------------------------------------------------------- conversion


def to_dict(value: Any) -> Any:
    """The config as plain data; a plug-in becomes its config node, ``_target_`` first."""
    if hasattr(value, "as_config"):  # a part with its own config shape (the Policy)
        return value.as_config()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {
            fld.name: to_dict(getattr(value, fld.name))
            for fld in dataclasses.fields(value)
            if not fld.metadata.get("transient")
        }
        return {"_target_": value.target(), **out} if isinstance(value, Plugin) else out
    if isinstance(value, dict):
        return {k: to_dict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_dict(v) for v in value]
    return value


def config_hash(cfg: Config) -> str:
    """A short, stable hash of everything that determines a run's outputs (not output options)."""
    return hash_of(to_dict(cfg))


def hash_of(data: dict) -> str:
    """:func:`config_hash` of a config as plain data (a summary's ``config``, read back)."""
    data = {k: v for k, v in data.items() if k != "output"}
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
