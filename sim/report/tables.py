"""A collected sweep (``python -m sim collect``) as the figures and the brief read it.

The collected folder holds ``runs.parquet`` (one row per run and campaign), ``steps.parquet``
and ``cascades.parquet``. :class:`Sweep` keeps the successful runs and knows which columns are
the sweep's settings, so that seeds are averaged and same-seed runs are paired per setting.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from ..config import ConfigError
from ..provenance import git_commit
from ..version import __version__
from .style import SPARE_COLORS

# Hydra groups and top-level keys that a sweep may vary; any override of a nested key
# (e.g. ``scenario.campaigns.0.budget``) has a dot in its column name.
SETTING_KEYS = ("scenario", "network", "ranking", "steps", "population")
SHORT = {
    "reallocate_ad_budget": "reallocation",  # names of regime variants in figures
    "policy.enforcement.enabled": "enforcement",
}
FEW_SEEDS = 5  # below this the footer and the brief warn: t intervals from 2-4 seeds are wide
REQUIRED = (
    "policy",
    "seed",
    "campaign",
    "money_share",
    "reach_share",
    "budget_share",
    "vote_share_change",
    "turnout_change",
    "money_advantage",
    "population",
)


def find_collected(path: str | Path) -> Path:
    """The folder holding ``runs.parquet``: the path itself, its ``collected/``, or the parent
    of a ``runs.parquet`` file."""
    path = Path(path)
    if path.is_file() and path.name == "runs.parquet":
        return path.parent
    for folder in (path / "collected", path):
        if (folder / "runs.parquet").is_file():
            return folder
    raise ConfigError(
        f"input = {str(path)!r}: no runs.parquet there; give a collected "
        f"runs.parquet or a multirun folder (`python -m sim report` collects one itself; "
        f"`python -m sim collect DIR` does it alone)"
    )


def report_date() -> str:
    """Today's date, or the one ``SOURCE_DATE_EPOCH`` fixes (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=UTC).date().isoformat()
    return date.today().isoformat()


@dataclass
class Sweep:
    runs: object  # pandas DataFrame, one row per (run, campaign), successful runs only
    steps: object = None
    cascades: object = None
    source: str = ""
    failed: int = 0
    settings: list[str] = field(default_factory=list)
    ensemble: object = None  # effects.parquet of a parameter ensemble (python -m sim ensemble)

    @classmethod
    def load(cls, path: str | Path, regime_by: tuple[str, ...] = (), ensemble=None) -> Sweep:
        """Read a collected folder. ``regime_by`` names override columns (e.g.
        ``policy.enforcement``) whose values become part of the regime, next to ``policy``;
        ``ensemble``: a parameter ensemble's folder (or its effects.parquet), whose ranges the
        brief reports beside the seed intervals."""
        import pandas as pd

        folder = find_collected(path)
        runs = pd.read_parquet(folder / "runs.parquet")
        missing = [c for c in REQUIRED if c not in runs.columns]
        if missing:
            raise ConfigError(
                f"runs.parquet columns = {missing}: missing; the collected table "
                f"must have {', '.join(REQUIRED)}"
            )
        failed = 0
        if "status" in runs.columns:
            ok = runs["status"].fillna("ok") == "ok"
            failed = int(runs.loc[~ok, ["policy", "seed"]].drop_duplicates().shape[0])
            runs = runs[ok]
        if runs.empty:
            raise ConfigError(f"input = {str(folder)!r}: no successful runs in runs.parquet")
        bad = [c for c in regime_by if c not in runs.columns]
        if bad:
            raise ConfigError(
                f"regime_by = {bad}: not columns of runs.parquet; override "
                f"columns are {', '.join(override_columns(folder, runs.columns))}"
            )
        extra = {}
        for name in ("steps", "cascades"):
            file = folder / f"{name}.parquet"
            table = pd.read_parquet(file) if file.is_file() else None
            extra[name] = None if table is None or table.empty else _regimes(table, regime_by)
        settings = [
            c for c in override_columns(folder, runs.columns) if c not in ("policy", "seed", *regime_by)
        ]
        if ensemble is not None:
            file = Path(ensemble)
            file = file / "effects.parquet" if file.is_dir() else file
            if not file.is_file():
                raise ConfigError(
                    f"ensemble = {str(ensemble)!r}: no effects.parquet there; run "
                    "python -m sim ensemble first"
                )
            extra["ensemble"] = pd.read_parquet(file)
        return cls(
            _regimes(runs, regime_by).reset_index(drop=True),
            source=str(folder),
            failed=failed,
            settings=settings,
            **extra,
        )

    # ------------------------------------------------------------ structure

    @property
    def regimes(self) -> list[str]:
        """Regimes in the order the sweep lists them; a regime's variants follow it."""
        found = list(dict.fromkeys(self.runs["policy"]))
        bases = list(dict.fromkeys(r.split(",")[0] for r in found))
        return sorted(found, key=lambda r: (bases.index(r.split(",")[0]), r))

    def _policy_field(self, regime: str, column: str):
        """A regime's label, colour or phrase as its runs recorded them (None if absent). A
        label names the levers an override changed ("no rules, frequency cap 1/day"); where
        the runs of a regime recorded several (a sweep over a lever, or --regime-by), only
        the preset's part they share ("no rules")."""
        if column not in self.runs.columns:
            return None
        base, *rest = regime.split(", ")
        runs = self.runs
        mine = runs["policy"] == regime if not rest else runs["policy"].str.split(",").str[0] == base
        values = list(dict.fromkeys(str(v) for v in runs.loc[mine, column].dropna()))
        if len(values) <= 1 and not rest:
            return values[0] if values else None
        values = values or [""]
        common = os.path.commonprefix(values)
        if common not in values:  # cut back to the preset's part: "caps, enforcement o" -> "caps"
            common = common.rsplit(", ", 1)[0].rsplit(" (", 1)[0] if ", " in common or " (" in common else ""
        return common.strip() or None

    def regime_label(self, regime: str, sep: str = "\n") -> str:
        """Display name (from the policy config); variants ("ban, enforcement=on") add their
        parts, on new lines in figures or joined by ``sep``."""
        base, *rest = regime.split(", ")
        return sep.join([self._policy_field(regime, "policy_label") or base, *rest])

    def regime_phrase(self, regime: str) -> str:
        """ "under the ad ban": how the brief's sentences name the regime."""
        base, *rest = regime.split(", ")
        phrase = self._policy_field(regime, "policy_phrase") or f"under regime {base}"
        return phrase + (f" ({', '.join(rest)})" if rest else "")

    def regime_colors(self) -> dict[str, str]:
        """Colour per regime: its configured colour (a variant takes a spare one), spare
        colours for the others, in regime order."""
        spare = iter(SPARE_COLORS * (1 + len(self.regimes) // len(SPARE_COLORS)))
        fixed = {
            r: self._policy_field(r.split(", ")[0], "policy_color") for r in self.regimes if "," not in r
        }
        return {r: fixed.get(r) or next(spare) for r in self.regimes}

    def resolve_baseline(self, name: str) -> str:
        """``name`` itself, or the first regime variant built on it (``none, ...``)."""
        if name in self.regimes:
            return name
        variants = [r for r in self.regimes if r.split(",")[0] == name]
        if not variants:
            raise ConfigError(
                f"baseline = {name!r}: not in the sweep; must be one of {', '.join(self.regimes)}"
            )
        return variants[0]

    @property
    def campaigns(self) -> list[str]:
        return list(dict.fromkeys(self.runs["campaign"]))

    @property
    def paying(self) -> list[str]:
        """Campaigns with money to spend in some run (news pages and ordinary users posting
        about the race have none: they have no paid exposure to show)."""
        money = self.runs.groupby("campaign", sort=False)["budget"].max()
        return [c for c in self.campaigns if money.get(c, 0) > 0]

    @property
    def candidates(self) -> list[str]:
        """Campaigns that count in vote share: candidates (their votes gained is a number; tables
        from before that column: their vote-share change is)."""
        col = "votes_gained" if "votes_gained" in self.runs.columns else "vote_share_change"
        finite = self.runs.groupby("campaign", sort=False)[col].apply(lambda s: s.notna().any())
        return [c for c in self.campaigns if finite.get(c, False)]

    @property
    def pair_on(self) -> list[str]:
        """Columns identifying one replication: the seed within one setting of the sweep."""
        return ["seed", *self.settings]

    def ensemble_range(self, regime: str, campaign: str, outcome: str):
        """(median, 5%, 95%, parameter sets) of a regime's effect across the parameter ensemble,
        or None (no ensemble, or not that regime, campaign or outcome)."""
        if self.ensemble is None:
            return None
        e = self.ensemble
        row = e[(e["policy"] == regime) & (e["campaign"] == campaign) & (e["outcome"] == outcome)]
        if len(row) == 0 or not row["sets"].iloc[0]:
            return None
        r = row.iloc[0]
        return float(r["median"]), float(r["p05"]), float(r["p95"]), int(r["sets"])

    def run_level(self):
        """One row per run (run-level outcomes are repeated on every campaign row)."""
        return self.runs.drop_duplicates(["policy", *self.pair_on])

    def per_1000(self, table, columns):
        """Counts per 1,000 users, so that sweeps over population size compare."""
        return table[columns].div(table["population"], axis=0) * 1000

    # ------------------------------------------------------------ provenance

    def provenance(self, figure: str) -> dict:
        runs = self.run_level()
        hashes = sorted(set(runs["config_hash"])) if "config_hash" in runs else []
        col = lambda c: sorted({str(v) for v in runs[c].dropna()}) if c in runs else []  # noqa
        return {
            "figure": figure,
            "package": "sim",
            "version": __version__,
            "git_commit": git_commit(),
            "date": report_date(),
            "source": self.source,
            "runs": int(len(runs)),
            "failed_runs": self.failed,
            "seeds": int(runs["seed"].nunique()),
            "regimes": self.regimes,
            "population": sorted(int(v) for v in runs["population"].unique()),
            "steps": sorted(int(v) for v in runs["steps"].unique()) if "steps" in runs else [],
            "scenario": col("scenario"),
            "settings": self.settings,
            "run_versions": col("version"),
            "run_git_commits": col("git_commit"),
            "config_hashes": hashes,
            "config_hashes_digest": hashlib.sha256(",".join(hashes).encode()).hexdigest()[:12],
        }


def override_columns(folder: Path, columns) -> list[str]:
    """The sweep's override columns: as ``sim.collect`` records them in the table's metadata,
    else guessed (nested keys have a dot, summary fields never do; the group names in
    SETTING_KEYS repeat summary fields whose values are the setting anyway)."""
    import json

    import pyarrow.parquet as pq

    meta = pq.read_schema(Path(folder) / "runs.parquet").metadata or {}
    recorded = json.loads(meta.get(b"sim", b"{}")).get("override_columns")
    if recorded is not None:
        return [c for c in recorded if c in columns]
    return [c for c in columns if "." in c or c in (*SETTING_KEYS, "policy", "seed")]


def _regimes(table, regime_by):
    """``policy`` extended with the values of the ``regime_by`` columns ("ban, enforcement=on")."""
    if not regime_by or "policy" not in table.columns:
        return table
    label = table["policy"].astype(str)
    for col in regime_by:
        short = SHORT.get(col) or SHORT.get(col.rsplit(".", 1)[-1], col.rsplit(".", 1)[-1])
        value = table[col].astype(str).replace({"True": "on", "False": "off"})
        label = label + f", {short}=" + value
    return table.assign(policy=label)


def footer(prov: dict) -> str:
    """The one-line provenance printed under every figure."""
    commit = f" ({prov['git_commit'][:7]})" if prov.get("git_commit") else ""
    pop = "/".join(f"{p:,}" for p in prov["population"])
    hashes = prov["config_hashes"]
    cfg = (
        f"config {hashes[0]}"
        if len(hashes) == 1
        else f"{len(hashes)} configs, digest {prov['config_hashes_digest']}"
    )
    scen = "/".join(prov.get("scenario") or []) or "n/a"
    few = (
        f"FEW SEEDS ({prov['seeds']} < {FEW_SEEDS}): intervals are wide and unstable | "
        if prov["seeds"] < FEW_SEEDS
        else ""
    )
    return (
        f"{few}sim {prov['version']}{commit} | scenario {scen} | {prov['runs']} runs, "
        f"{prov['seeds']} seeds | {pop} users | {cfg} | {prov['date']}"
    )
