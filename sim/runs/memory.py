"""How much memory a run will need, checked before building it.

A population too large for the machine would otherwise end in a MemoryError (or the kernel's
out-of-memory killer) minutes into building the network. The peak is close to linear in users
and follows:

    peak ~ 460 MiB + 450 bytes per user + 45 bytes per follow + 230 bytes per content

The per-user term holds the user's arrays and a day's impressions, mostly ads: the calibrated
default world sells 60 ad slots of each reader-day and serves ~3.4 impressions per user a day.
Measured 2026-12-03 (peak RSS of a whole 30-day default run, network cached, Python and imports
included): 100,000 users 645 MB, 300,000 users 1,123 MB, 1,000,000 users (20.2M follows, 1.8M
planned posts) 2,734 MB; with the follows and contents at their terms below, a line through
them gives 413 MB + 997 bytes per user, every run within 14 MB of it. Creatives that differ in
price (``market.creative_sigma`` 0.7) sell more ad impressions a reader-day; re-measured
2026-12-04 the same way: 100,000 users 604 MB, 1,000,000 users 3,134 MB, a line through them
1,488 bytes per user, so the term was 1,500 (the estimate: 722 MB and 3,263 MB; it had fallen
370 MB short at 1M). Most of that was the seen record's pair per ad impression (8 bytes, kept
all run); since ads are recorded by the auction's counts instead (content.AdViews: one byte per
user per campaign-day of ads, ~150 MB at 1M over 30 days), the same runs peak at 431 MB and
1,936 MB (bench of aec4ed1), a line through them 430 bytes per user: the term is 450 (the
estimate: 589 and 2,112 MiB with BASE at 420 MiB, 629 and 2,152 MiB now). A run of more days or more
campaigns needs more: one byte per user per campaign-day of ads. Before the calibrated world
(4 ad slots) the per-user term was 150 bytes (7 runs from 10,000 users x 20 follows to
2,000,000 x 20, least squares, every run within 15 MB of the fit; 1,000,000 users with
20,000,000 follows: 1.14 GB). A scenario with more ad slots or more active users needs more
than the estimate says. The follows' and contents' terms come from that fit and from a run of
10,000 users whose 20,000 sockpuppets post 6,000,000 contents (1.52 GB against 0.18 GB without
them).

The fixed part was 170 MB until the step's compiled kernels (sim/model/kernels.py) brought numba
and llvmlite: importing sim.model went from 147 to 260 MB peak RSS and a 5,000-user run from 162
to 300 MB, 337 MB when it compiles the kernels (the first run after an install or a change to
them). It also holds the libraries' code mapped from disk, and how much of it counts as resident
depends on the page cache, not on the run: the kernel maps the neighbours of a touched page when
they are cached, so a freshly installed environment (every library file just written, all of it
cached) shows more. The same 5,000-user run peaked at 346 MB in an older environment and 399 MB
in a fresh clone's (CI: 400 MB), with the same 180 MB of the process's own (anonymous) memory and
161 against 213 MB of library files (2026-12-03). BASE covers the fresh case. As kernels were
added, compiling them took more: the same run peaked at 411 MiB (205 MiB anonymous) alone or
beside another test process here, and at 431 MiB in a fresh clone's CI run, tests on both cores
(2026-12-04), over the 427 MiB that BASE 420 MiB gave; BASE is now 460 MiB.
tests/test_memory_estimate.py checks that the estimate covers a small run.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..config import FILE_NETWORKS, Config, ConfigError, planned_contents

# Python, NumPy, SciPy, Mesa, numba compiling the kernels: a cold-cache run of 5,000 users (9
# campaigns, 60 ad slots a reader-day) peaks at 411-431 MiB, the most in a fresh install (above)
BASE_BYTES = 460 * 2**20
BYTES_PER_USER = 450  # the user's arrays, a day's impressions, the ads seen (docstring)
BYTES_PER_FOLLOW = 45
BYTES_PER_CONTENT = 230
FILE_FACTOR = 8  # reading an edge list peaks at ~8x its size (20M edges, 276 MB: 2.2 GB)
SKIP = "SIM_MEMORY_CHECK"  # =off: run whatever the estimate says


def follows(cfg: Config) -> int:
    """Expected follows: the network's, plus campaign accounts' followers."""
    n = cfg.population.n
    if cfg.network.kind in FILE_NETWORKS:
        from ..network_file import read

        count = read(cfg.network).graph.nnz
    else:
        count = n * cfg.network.mean_degree
    for c in cfg.scenario.campaigns:
        count += c.official_followers * n + c.sockpuppets.count * c.sockpuppets.followers
    return int(count)


def estimate_bytes(cfg: Config) -> int:
    return int(
        BASE_BYTES
        + BYTES_PER_USER * cfg.population.n
        + BYTES_PER_FOLLOW * follows(cfg)
        + BYTES_PER_CONTENT * planned_contents(cfg)[0]
    )


def available_bytes() -> int | None:
    """Memory available to a new process: the machine's (Linux MemAvailable), or less when the
    process runs under a memory limit (a Slurm job's cgroup); None where unknown."""
    found = []
    try:
        with open("/proc/meminfo") as fh:
            found += [int(line.split()[1]) * 1024 for line in fh if line.startswith("MemAvailable:")]
    except (OSError, ValueError, IndexError):
        pass
    room = _cgroup_room()
    if room is not None:
        found.append(room)
    return min(found) if found else None


def _cgroup_room() -> int | None:
    """The memory limit of this process's cgroup (v2 or v1) minus its usage, if limited."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        hier, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if hier == "0" and not controllers:
            names, roots = ("memory.max", "memory.current"), [Path("/sys/fs/cgroup")]
        elif "memory" in controllers.split(","):
            names = ("memory.limit_in_bytes", "memory.usage_in_bytes")
            roots = [Path("/sys/fs/cgroup/memory")]
        else:
            continue
        for base in (roots[0] / path.lstrip("/"), roots[0]):  # in a container: its own root
            try:
                limit, usage = ((base / n).read_text().strip() for n in names)
                if limit != "max" and int(limit) < 2**60:
                    return int(limit) - int(usage)
                break
            except (OSError, ValueError):
                continue
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
            "anyway)"
        )


def check_file(path, key: str = "network.path") -> None:
    """Refuse a network file too large to read in the memory available now."""
    if os.environ.get(SKIP, "").lower() in ("off", "0", "false", "no"):
        return
    need, have = FILE_FACTOR * os.path.getsize(path), available_bytes()
    if have is not None and need > have:
        raise ConfigError(
            f"{key} = '{path}': reading it needs about {_gb(need)} of memory, "
            f"{_gb(have)} available ({SKIP}=off to try anyway)"
        )
