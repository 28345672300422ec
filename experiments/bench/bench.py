"""Benchmark: full runs at 10k, 100k and 1M users against two baselines, on this machine.

    python experiments/bench/bench.py [--sizes 10000 100000 1000000] [--steps 30] [--repeats 1]
    python experiments/bench/bench.py --sizes 10000000 --naive-steps 0   # the 10M scale run

For each size, in a fresh process (so peak memory is that run's own): network build (cached
on disk after the first time), model set-up, every step of the default scenario (ranking,
auction, reactions, follows, attribution, metrics). Baselines: (a) the floor, one sparse
product over the whole follower graph (F @ x) per step; (b) the naive per-agent Mesa version
of the organic-spread step (naive_mesa.py), at 10k and 100k. Prints a table and writes JSON
to results/bench/ so runs can be compared over time.

The profile (stages.py): the share of the step's CPU time in each stage of the day, and the
step over the floor (wall and CPU time), per size, printed as a second table. The JSON of a
run is also kept per commit, in experiments/bench/results/<commit>.json (committed with the
code it measured), so a regression shows as a larger step / floor ratio or a stage's larger
share, whatever the machine's load. With ``--repeats k`` every size runs k times (fresh
processes) and the table keeps the fastest run (least CPU time per step: the least disturbed
by other jobs on a shared machine); the JSON keeps all.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from experiments.bench.stages import ORDER, Profile, profiled  # noqa: E402

NAIVE_SIZES = (10_000, 100_000)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def one_size(n: int, steps: int, naive_steps: int) -> dict:
    """Measure one population size (runs inside its own process)."""
    from sim.config import Config
    from sim.configure import compose as make_config
    from sim.model import SimModel

    cfg: Config = make_config(
        f"population.n={n}", f"steps={steps}", "network.cache_dir=results/.network_cache"
    )
    t0 = time.perf_counter()
    model = SimModel(cfg)
    setup = time.perf_counter() - t0
    step_times, step_cpu = [], []
    profile = Profile()
    draws: list = []
    with profiled(profile), counted_draws(draws):
        for i in range(steps):
            t, c = time.perf_counter(), time.process_time()
            model.step()
            step_times.append(time.perf_counter() - t)
            step_cpu.append(time.process_time() - c)
            profile.step_done(step_cpu[-1])
            if (i + 1) % 10 == 0:
                log(f"  n={n:,}: step {i + 1}/{steps}")
    model.summary()
    run = time.perf_counter() - t0
    follows = model.follows.users
    x = np.random.default_rng(0).random(follows.shape[1]).astype(follows.dtype)  # no upcast copy
    floors, floors_cpu = [], []
    for _ in range(steps):  # the floor: followers matrix times a vector, one per day
        t, c = time.perf_counter(), time.process_time()
        follows @ x
        floors.append(time.perf_counter() - t)
        floors_cpu.append(time.process_time() - c)
    floor = float(np.median(floors))
    draws_s = replay_draws(draws) / steps
    result = {
        "users": n,
        "edges": int(follows.nnz),
        "steps": steps,
        "setup_s": setup,
        "run_s": run,
        "step_mean_s": float(np.mean(step_times)),
        "step_max_s": float(np.max(step_times)),
        "step_cpu_mean_s": float(np.mean(step_cpu)),  # CPU time: less disturbed by other jobs
        "floor_cpu_s": float(np.median(floors_cpu)),
        "step_cpu_over_floor_cpu": float(np.mean(step_cpu)) / float(np.median(floors_cpu)),
        "user_steps_per_s": n * steps / sum(step_times),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "floor_step_s": floor,
        "step_over_floor": float(np.mean(step_times)) / floor,
        "impressions": int(model.metrics.impressions.sum()),
        "draws_per_step": sum(int(np.prod(shape)) for _, shape, _ in draws) / steps,
        "draws_step_s": draws_s,
        "draws_over_floor": draws_s / floor,
        "stage_shares": profile.shares(),
        "stages_missing": profile.missing,
    }
    if n in NAIVE_SIZES and naive_steps:
        from experiments.bench.naive_mesa import time_per_step

        # Same work as the naive reference: organic spread only (no ad budgets), whole step.
        budgets = [f"scenario.campaigns.{i}.budget=0" for i in range(len(cfg.scenario.campaigns))]
        organic = SimModel(
            make_config(
                f"population.n={n}", f"steps={steps}", *budgets, "network.cache_dir=results/.network_cache"
            )
        )
        t = time.perf_counter()
        organic.run()
        result["organic_step_s"] = (time.perf_counter() - t) / steps
        log(f"  n={n:,}: naive Mesa reference ({naive_steps} steps)")
        naive = time_per_step(follows, naive_steps)
        result["naive_step_s"] = naive
        result["speedup_vs_naive"] = naive / result["step_mean_s"]  # whole step vs organic only
        result["organic_speedup_vs_naive"] = naive / result["organic_step_s"]  # same work
    return result


@contextmanager
def counted_draws(calls: list):
    """Record the (helper, shape, sigma) of every draw the step makes through sim.model.threads'
    draw helpers (the auction's pacing draws and lognormal bids and qualities, the ranker's
    prediction noise): a part of the step's random numbers, so the draw floor is a lower bound."""
    from sim.model import threads

    plain = threads.uniform, threads.lognormal

    def uniform(rng, shape, threads=None):
        calls.append(("uniform", tuple(np.atleast_1d(shape)), 0.0))
        return plain[0](rng, shape, threads)

    def lognormal(rng, sigma, size, scale=1.0):
        calls.append(("lognormal", (int(size),), sigma))
        return plain[1](rng, sigma, size, scale)

    threads.uniform, threads.lognormal = uniform, lognormal
    try:
        yield
    finally:
        threads.uniform, threads.lognormal = plain


def replay_draws(calls: list) -> float:
    """Seconds to make the recorded draws again, as the model makes them (one PCG64 stream, the
    parts that split on the threads): the time no step that draws them can beat. The model's
    results depend on these draws' values (the golden digests), so they are part of its work,
    not overhead."""
    from sim.model import threads

    rng = np.random.default_rng(0)
    t = time.perf_counter()
    for kind, shape, sigma in calls:
        if kind == "uniform":
            threads.uniform(rng, shape)
        else:
            threads.lognormal(rng, sigma, shape[0])
    return time.perf_counter() - t


def format_table(results: list[dict]) -> str:
    """Markdown table (also pasted into the README's Performance section)."""
    lines = [
        "| users | edges | run s | step ms | user-steps/s | peak MB | step / floor "
        "| organic-only step ms | naive Mesa step ms | same-work speed-up | full-step speed-up |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        naive = f"{1000 * r['naive_step_s']:.0f}" if "naive_step_s" in r else "-"
        organic_up = f"{r['organic_speedup_vs_naive']:.0f}x" if "naive_step_s" in r else "-"
        whole_up = f"{r['speedup_vs_naive']:.0f}x" if "naive_step_s" in r else "-"
        organic_ms = f"{1000 * r['organic_step_s']:.1f}" if "organic_step_s" in r else "-"
        lines.append(
            f"| {r['users']:,} | {r['edges']:,} | {r['run_s']:.2f} | {1000 * r['step_mean_s']:.1f} "
            f"| {r['user_steps_per_s']:.3g} | {r['peak_rss_mb']:.0f} | {r['step_over_floor']:.1f} "
            f"| {organic_ms} | {naive} | {organic_up} | {whole_up} |"
        )
    return "\n".join(lines)


def format_profile(results: list[dict]) -> str:
    """Markdown table: per size, the share of the step in each stage, the floor and the ratio."""
    lines = [
        "| users | step ms | floor ms | step / floor | step CPU ms | floor CPU ms | CPU step / floor "
        "| draws ms | draws / floor | " + " | ".join(ORDER) + " |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + "---:|" * len(ORDER),
    ]
    for r in results:
        shares = r.get("stage_shares", {})
        draws = (  # records from before the draw floor have none
            f"{1000 * r['draws_step_s']:.1f} | {r['draws_over_floor']:.1f}"
            if "draws_step_s" in r
            else "- | -"
        )
        lines.append(
            f"| {r['users']:,} | {1000 * r['step_mean_s']:.1f} | {1000 * r['floor_step_s']:.2f} "
            f"| {r['step_over_floor']:.1f} | {1000 * r['step_cpu_mean_s']:.1f} "
            f"| {1000 * r['floor_cpu_s']:.2f} "
            f"| {r['step_cpu_over_floor_cpu']:.1f} | {draws} | "
            + " | ".join(f"{100 * shares.get(k, 0.0):.0f}%" for k in ORDER)
            + " |"
        )
    missing = sorted({m for r in results for m in r.get("stages_missing", [])})
    if missing:
        lines.append(f"\n(not found, counted as other: {', '.join(missing)})")
    return "\n".join(lines)


def commit() -> str:
    """The checked-out commit (with -dirty when the tree has changes), or "unknown"."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--naive-steps", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=1, help="runs per size; the table keeps the fastest")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, args.steps, args.naive_steps)))
        return
    results, runs = [], []
    for n in args.sizes:
        tries = []
        for rep in range(args.repeats):
            log(f"n={n:,}: starting (fresh process, run {rep + 1}/{args.repeats})")
            t = time.perf_counter()
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(n), "--steps", str(args.steps)]
                + ["--naive-steps", str(args.naive_steps)],
                stdout=subprocess.PIPE,
                text=True,
                check=True,
            )
            tries.append(json.loads(out.stdout.strip().splitlines()[-1]))
            tries[-1]["process_wall_s"] = time.perf_counter() - t
            log(f"n={n:,}: done in {tries[-1]['process_wall_s']:.1f} s")
        runs += tries
        results.append(min(tries, key=lambda r: r["step_cpu_mean_s"]))
    print(format_table(results))
    print()
    print(format_profile(results))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    record = {
        "date": stamp,
        "commit": commit(),
        "machine": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "results": results,
        "runs": runs,
    }
    from sim.io import write_json

    path = write_json(ROOT / "results" / "bench" / f"bench-{stamp}.json", record)
    kept = write_json(ROOT / "experiments" / "bench" / "results" / f"{record['commit']}.json", keep(record))
    print(f"written: {path}, {kept}")


def keep(record: dict) -> dict:
    """The commit's record with this run's sizes replaced (other sizes, measured by earlier runs
    of the same commit, stay: a 10M run does not erase the 100k profile)."""
    path = ROOT / "experiments" / "bench" / "results" / f"{record['commit']}.json"
    if not path.exists():
        return record
    old = json.loads(path.read_text())
    sizes = {r["users"] for r in record["results"]}
    return {
        **record,
        "results": sorted(
            [r for r in old["results"] if r["users"] not in sizes] + record["results"],
            key=lambda r: r["users"],
        ),
        "runs": [r for r in old.get("runs", []) if r["users"] not in sizes] + record["runs"],
    }


if __name__ == "__main__":
    main()
