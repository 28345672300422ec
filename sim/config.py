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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from .vocabulary import TARGETING_LEVELS


class ConfigError(ValueError):
    """A configuration value outside what the model allows; the message is one line."""


def rng_(lo: float | None = None, hi: float | None = None, *, lo_open=False, choices=None):
    """Field metadata: the allowed interval (closed unless ``lo_open``) or set of choices."""
    return {"lo": lo, "hi": hi, "lo_open": lo_open, "choices": choices}


PROB = rng_(0.0, 1.0)
POSITIVE = rng_(0.0, None, lo_open=True)
NONNEG = rng_(0.0, None)
POSITION = rng_(-1.0, 1.0)


def f(default, meta=None):
    """A dataclass field with range metadata (lists and dicts get a factory)."""
    if isinstance(default, (list, dict)) or dataclasses.is_dataclass(default):
        return field(default_factory=lambda: _copy(default), metadata=meta or {})
    return field(default=default, metadata=meta or {})


def _copy(value):
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value)
    return type(value)(value)


NETWORK_KINDS = ("homophilous_pa", "erdos_renyi", "configuration", "sbm", "edgelist", "gml")


@dataclass
class PopulationConfig:
    n: int = f(10_000, rng_(10, 50_000_000))
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


@dataclass
class NetworkConfig:
    kind: str = f("homophilous_pa", rng_(choices=NETWORK_KINDS))
    mean_degree: float = f(20.0, POSITIVE)  # mean out-degree (follows per user)
    degree_sigma: float = f(1.0, NONNEG)  # lognormal spread of out-degree (homophilous_pa)
    homophily: float = f(0.8, PROB)  # probability a follow stays on one's own ideological side
    fitness_exponent: float = f(2.5, rng_(2.0, None, lo_open=True))  # follower-count power law
    path: str = ""  # edge list or GML file for kind edgelist / gml
    cache: bool = True  # keep generated graphs on disk, keyed by their parameters
    cache_dir: str = "results/.network_cache"


@dataclass
class FeedConfig:
    size: int = f(20, rng_(1, 1000))
    ad_load: float = f(0.2, PROB)  # share of feed slots that are ad slots
    political_slots: Optional[int] = f(3, rng_(0, 1000))  # null: no attention limit
    engine: str = f("push", rng_(choices=("push", "pull")))  # candidate engine; same results
    prediction_noise: float = f(0.5, NONNEG)  # lognormal sigma of the platform's predictions


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
    turnout_nudge_alignment: float = f(0.0017, rng_(-1.0, 1.0))
    turnout_nudge_social: float = f(0.0179, rng_(0.0, 5.0))  # once per user and election (Bond 2012)
    persuasion_half_life: Optional[float] = f(5.0, POSITIVE)  # days; null: persuasion never decays
    vote_temperature: float = f(0.2, POSITIVE)  # softness of the candidate choice


@dataclass
class MarketConfig:
    commercial_cpm: float = f(20.0, POSITIVE)  # median competing (non-political) bid, $ CPM
    commercial_sigma: float = f(0.6, NONNEG)
    pacing_gain: float = f(1.0, rng_(0.0, 1.0, lo_open=True))
    # Exponent on the creative-reader alignment (affinity) in the platform's predicted relevance,
    # the auction's quality factor: 0 delivers regardless of alignment (Ali et al. 2021).
    delivery_relevance: float = f(0.35, rng_(0.0, 10.0))


@dataclass
class AmplifierConfig:
    count: int = f(0, rng_(0, None))
    pay_per_post: float = f(80.0, NONNEG)
    posts_per_day: int = f(1, rng_(0, 100))
    identical: bool = True
    disclosed: bool = False
    recruit: str = f("supporters", rng_(choices=("supporters", "influencers")))  # random or most-followed


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
    micro_noise: float = f(0.5, NONNEG)  # noise of the platform's response prediction
    objective: str = f("mix", rng_(choices=("persuade", "mobilize", "mix")))
    cta_share: float = f(0.5, PROB)  # share of its content with a call to action
    official_followers: float = f(0.05, PROB)  # initial followers, share of users
    posts_per_day: int = f(2, rng_(0, 100))
    # Its accounts (official, amplifiers, sockpuppets) post only on the first posting_days days
    # (a launch burst, a one-off message; null: every day). Validation seeds single cascades.
    posting_days: Optional[int] = f(None, rng_(0, 100_000))
    reallocate_ad_budget: bool = False
    amplifiers: AmplifierConfig = f(AmplifierConfig())
    sockpuppets: SockpuppetConfig = f(SockpuppetConfig())


@dataclass
class ScenarioConfig:
    name: str = "custom"
    campaigns: list[CampaignConfig] = f([])


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
    policy: Any = None  # a Policy (sim.model.levers); None: no rules
    scenario: ScenarioConfig = f(ScenarioConfig())
    output: OutputConfig = f(OutputConfig())


# ---------------------------------------------------------------- validation


def _describe(meta: dict) -> str:
    if meta.get("choices"):
        return "one of " + ", ".join(meta["choices"])
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is not None and hi is not None:
        return f"in [{lo}, {hi}]"
    if lo is not None:
        return f"> {lo}" if meta.get("lo_open") else f">= {lo}"
    return f"<= {hi}"


def _check_value(path: str, value: Any, meta: dict) -> None:
    if value is None or not meta:
        return
    if meta.get("choices"):
        if value not in meta["choices"]:
            raise ConfigError(f"{path} = {value!r}: must be {_describe(meta)}")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_value(f"{path}[{i}]", item, meta)
        return
    lo, hi = meta.get("lo"), meta.get("hi")
    bad = isinstance(value, float) and math.isnan(value)
    if lo is not None:
        bad |= value <= lo if meta.get("lo_open") else value < lo
    if hi is not None:
        bad |= value > hi
    if bad:
        raise ConfigError(f"{path} = {value!r}: must be {_describe(meta)}")


def _walk(obj: Any, path: str) -> None:
    """Check every field of a dataclass tree (plug-ins and lists or dicts of them included)."""
    for fld in dataclasses.fields(obj):
        value = getattr(obj, fld.name)
        sub = f"{path}.{fld.name}" if path else fld.name
        if dataclasses.is_dataclass(value):
            _walk(value, sub)
        elif isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
            for i, item in enumerate(value):
                _walk(item, f"{sub}[{i}]")
        elif isinstance(value, dict) and any(dataclasses.is_dataclass(v) for v in value.values()):
            # a "flat" dict's entries are named as the config names them (policy.<lever>)
            where = path if fld.metadata.get("flat") else sub
            for key, item in value.items():
                _walk(item, f"{where}.{key}" if where else key)
        else:
            _check_value(sub, value, dict(fld.metadata))


def validate(cfg: Config) -> Config:
    """Check every range and the cross-field rules; raise ConfigError with one line."""
    _walk(cfg, "")
    names = [c.name for c in cfg.scenario.campaigns]
    if not names:
        raise ConfigError("scenario.campaigns = []: must list at least one campaign")
    if len(set(names)) != len(names):
        raise ConfigError(f"scenario.campaigns names = {names}: must be unique")
    for i, c in enumerate(cfg.scenario.campaigns):
        where = f"scenario.campaigns[{i}]"
        lo, hi = (c.ideology_band + [None, None])[:2]
        if len(c.ideology_band) != 2 or lo > hi:
            raise ConfigError(f"{where}.ideology_band = {c.ideology_band}: must be [lo, hi], lo <= hi")
        for s in c.target_segments:
            if not 0 <= s < cfg.population.segments:
                raise ConfigError(
                    f"{where}.target_segments = {c.target_segments}: segment ids must be "
                    f"in [0, {cfg.population.segments - 1}] (population.segments)"
                )
        if c.targeting == "segments" and not c.target_segments:
            raise ConfigError(f"{where}.target_segments = []: targeting 'segments' needs segment ids")
    if cfg.network.kind in ("edgelist", "gml"):
        path = Path(cfg.network.path)
        if not cfg.network.path or not path.is_file():
            raise ConfigError(
                f"network.path = {cfg.network.path!r}: must be an existing {cfg.network.kind} file"
            )
    if cfg.network.kind not in ("edgelist", "gml") and cfg.network.mean_degree >= cfg.population.n:
        raise ConfigError(
            f"network.mean_degree = {cfg.network.mean_degree}: must be < population.n "
            f"({cfg.population.n})"
        )
    return cfg


# ---------------------------------------------------------------- conversion


def to_dict(value: Any) -> Any:
    """The config as plain data; a plug-in becomes its config node, ``_target_`` first."""
    if hasattr(value, "as_config"):  # a part with its own config shape (the Policy)
        return value.as_config()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {fld.name: to_dict(getattr(value, fld.name)) for fld in dataclasses.fields(value)}
        return {"_target_": value.target(), **out} if isinstance(value, Plugin) else out
    if isinstance(value, dict):
        return {k: to_dict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_dict(v) for v in value]
    return value


def config_hash(cfg: Config) -> str:
    """A short, stable hash of everything that determines a run's outputs (not output options)."""
    data = to_dict(cfg)
    data.pop("output", None)
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
