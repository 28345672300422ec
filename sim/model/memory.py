"""How much memory a run will need, checked before building it.

A population too large for the machine would otherwise end in a MemoryError (or the kernel's
out-of-memory killer) minutes into building the network. The peak is close to linear in users
and follows; measured on this machine (peak RSS of a whole 30-day default run, network
generated, Python and imports included; 7 runs from 10,000 users x 20 follows to 2,000,000 x
20, least squares, every run within 15 MB of the fit):

    peak ~ 170 MB + 150 bytes per user + 45 bytes per follow + 230 bytes per content

(1,000,000 users with 20,000,000 follows: 1.14 GB measured, 1.15 GB estimated; contents, from
a run of 10,000 users whose 20,000 sockpuppets post 6,000,000 contents: 1.52 GB against
0.18 GB without them.)
"""

from __future__ import annotations

import os

from ..config import FILE_NETWORKS, Config, ConfigError, planned_contents

BASE_BYTES = 170 * 2**20
BYTES_PER_USER = 150
BYTES_PER_FOLLOW = 45
BYTES_PER_CONTENT = 230
SKIP = "SIM_MEMORY_CHECK"  # =off: run whatever the estimate says


def follows(cfg: Config) -> int:
    """Expected follows: the network's, plus campaign accounts' followers."""
    n = cfg.population.n
    if cfg.network.kind in FILE_NETWORKS:
        from .network import read

        count = read(cfg.network).graph.nnz
    else:
        count = n * cfg.network.mean_degree
    for c in cfg.scenario.campaigns:
        count += c.official_followers * n + c.sockpuppets.count * c.sockpuppets.followers
    return int(count)


def estimate_bytes(cfg: Config) -> int:
    return int(BASE_BYTES + BYTES_PER_USER * cfg.population.n + BYTES_PER_FOLLOW * follows(cfg)
               + BYTES_PER_CONTENT * planned_contents(cfg)[0])


def available_bytes() -> int | None:
    """Memory available to a new process (Linux: MemAvailable), None where unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _gb(x: float) -> str:
    return f"{x / 2**30:.1f} GB"


def check_memory(cfg: Config) -> None:
    """Refuse, in one line, a run that will not fit in the memory available now."""
    if os.environ.get(SKIP, "").lower() in ("off", "0", "false", "no"):
        return
    need, have = estimate_bytes(cfg), available_bytes()
    if have is not None and need > have:
        raise ConfigError(
            f"population.n = {cfg.population.n}: needs about {_gb(need)} of memory "
            f"({follows(cfg):,} follows, {planned_contents(cfg)[0]:,} posts), {_gb(have)} "
            f"available; use a smaller population.n or network.mean_degree ({SKIP}=off to try "
            "anyway)")
