"""Digests of a run's output files that depend only on the numbers, not on provenance; the
run's outcomes (summary.json's values); and the fingerprint of the machine that made them.

The golden test (tests/test_golden.py) keeps these for a fixed set of configurations, so that a
change of code layout that must not change results is checked to the last bit. Provenance
(config hash, version, git commit, the resolved config) and Parquet schema metadata are left out:
they describe a run, they are not its results.

Bits are comparable only between runs with the same fingerprint: NumPy's exp, log, log1p, expm1
and power take other SIMD code paths on other CPUs (AVX-512 against AVX2 here) and differ in the
last bits; other library versions may too. Outcomes are comparable everywhere, within the
spread that seeds give.
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

import numpy as np

# the libraries whose versions can change a run's numbers
NUMERIC_LIBRARIES = ("numpy", "scipy", "pandas", "pyarrow", "matplotlib", "mesa", "hydra-core")


def simd_levels() -> list[str]:
    """NumPy's SIMD dispatch targets that this process uses (the CPU's, less any disabled by
    NPY_DISABLE_CPU_FEATURES)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]


def fingerprint() -> dict:
    """What decides the bits of a run besides the code: CPU architecture and the SIMD levels
    NumPy dispatches to, Python and the numeric libraries' versions."""
    fp = {"machine": platform.machine(), "simd": simd_levels(), "python": platform.python_version()}
    for lib in NUMERIC_LIBRARIES:
        try:
            fp[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            fp[lib] = None
    return fp


def fingerprint_id(fp: dict) -> str:
    return hashlib.sha256(json.dumps(fp, sort_keys=True).encode()).hexdigest()[:12]


def fingerprint_difference(recorded: dict, here: dict) -> str:
    """``simd ['X86_V3'] -> ['X86_V3', 'X86_V4', 'AVX512_ICL']; numpy 2.1.0 -> 2.5.5``."""
    keys = sorted(set(recorded) | set(here))
    return "; ".join(f"{k} {recorded.get(k)} -> {here.get(k)}" for k in keys
                     if recorded.get(k) != here.get(k))

# describe a run, are not its results (the policy's name is kept: it is a result of composing)
PROVENANCE = ("config", "config_hash", "version", "git_commit", "versions", "files", "policy_label",
              "policy_color", "policy_phrase")


def table_digest(path: Path) -> str:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    h = hashlib.sha256()
    for name in table.column_names:
        column = table.column(name).to_numpy(zero_copy_only=False)
        h.update(f"{name}:{column.dtype}:{len(column)}".encode())
        h.update(json.dumps(column.tolist()).encode() if column.dtype == object
                 else np.ascontiguousarray(column).tobytes())
    return h.hexdigest()[:20]


def results(path: Path) -> dict:
    """A summary.json without its provenance."""
    data = json.loads(Path(path).read_text())
    for key in PROVENANCE:
        data.pop(key, None)
    return data


def summary_digest(path: Path) -> str:
    return hashlib.sha256(json.dumps(results(path), sort_keys=True).encode()).hexdigest()[:20]


def figure_digest(path: Path) -> str:
    """The figure's pixels (PNG metadata names the Matplotlib version, not the picture)."""
    import matplotlib.image

    return hashlib.sha256(np.ascontiguousarray(matplotlib.image.imread(path)).tobytes()).hexdigest()[:20]


def outcomes(run_dir: Path) -> dict:
    """summary.json's results as flat ``path: value`` pairs (``campaigns.0.money_share``)."""
    flat: dict = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}{k}.", v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(f"{prefix}{i}.", v)
        else:
            flat[prefix[:-1]] = value

    walk("", results(Path(run_dir) / "summary.json"))
    return flat


def run_digests(run_dir: Path) -> dict[str, str]:
    run_dir = Path(run_dir)
    out = {}
    for path in sorted(run_dir.iterdir()):
        if path.suffix == ".parquet":
            out[path.name] = table_digest(path)
        elif path.name == "summary.json":
            out[path.name] = summary_digest(path)
        elif path.suffix == ".png":
            out[path.name] = figure_digest(path)
    return out


# The fixed set: every regime, two scenarios, two network kinds, two seeds at 2,000 users;
# plus single runs that reach the other code paths (composition, foreign operation, caps on
# spend and audience, chronological ranking, the pull engine, the feed-ranking mechanisms).
BASE = ("population.n=2000",)
GRID = [(f"policy={p}", f"scenario={s}", f"network={k}", f"seed={seed}")
        for p in ("none", "ban", "transparency", "cap")
        for s in ("two_party", "paid_amplifiers")
        for k in ("homophilous_pa", "erdos_renyi")
        for seed in (0, 1)]
EXTRA = [
    ("policy=[transparency,cap]", "seed=2"),
    ("scenario=foreign_operation", "policy=transparency", "seed=3"),
    ("policy.spend_cap=20", "policy.min_audience=0.5", "policy.frequency_cap=1", "seed=4"),
    ("ranking=chronological", "seed=5"),
    ("engine=pull", "policy=cap", "seed=6"),
    ("scenario=organizers_2020", "policy=ban", "seed=7"),
    ("network=sbm", "policy=cap", "policy.targeting_allowed=ideology", "seed=8"),
    # feed ranking: recommendations and follows between users, bridging with the ranking
    # levers composed with the ban, a platform preset with out-group attacks
    ("ranking=for_you", "seed=9"),
    ("ranking=bridging", "policy=[ban,chronological_option,demote_political]", "seed=10"),
    ("platform=facebook_2020", "policy=no_reshares", "scenario.campaigns.1.outgroup_share=0.5",
     "seed=11"),
]
CASES = [BASE + g for g in GRID] + [BASE + e for e in EXTRA]
FIGURE_CASES = {0, len(GRID)}  # runs that also draw figure.png


def case_id(overrides) -> str:
    return " ".join(overrides)


def with_seed(overrides, seed: int) -> list[str]:
    """The case with another seed (the spread of its outcomes over seeds)."""
    return [o for o in overrides if not o.startswith("seed=")] + [f"seed={seed}"]


# Overrides renamed since the digests were recorded (the levers became objects, the engine and
# the platform's prediction noise moved into ``feed``): same setting, new key.
RENAMED = {
    "engine": "feed.engine",
    "policy.spend_cap": "policy.spend_cap.per_1000_users",
    "policy.min_audience": "policy.targeting.min_audience",
    "policy.frequency_cap": "policy.frequency_cap.per_day",
    "policy.targeting_allowed": "policy.targeting.allowed",
}


def current(overrides) -> list[str]:
    """A recorded case's overrides under today's key names."""
    out = []
    for o in overrides:
        key, _, value = o.partition("=")
        out.append(f"{RENAMED.get(key, key)}={value}")
    return out
