"""Benchmark: full runs at 10k, 100k and 1M users against two baselines, on this machine.

    python experiments/bench/bench.py [--sizes 10000 100000 1000000] [--steps 30]

For each size, in a fresh process (so peak memory is that run's own): network build (cached
on disk after the first time), model set-up, every step of the default scenario (ranking,
auction, reactions, follows, attribution, metrics). Baselines: (a) the floor, one sparse
product over the whole follower graph (F @ x) per step; (b) the naive per-agent Mesa version
of the organic-spread step (naive_mesa.py), at 10k and 100k. Prints a table and writes JSON
to results/bench/ so runs can be compared over time.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
NAIVE_SIZES = (10_000, 100_000)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def one_size(n: int, steps: int, naive_steps: int) -> dict:
    """Measure one population size (runs inside its own process)."""
    import numpy as np

    from sim.config import Config
    from sim.configure import compose as make_config
    from sim.model import SimModel

    cfg: Config = make_config(
        f"population.n={n}", f"steps={steps}", "network.cache_dir=results/.network_cache"
    )
    t0 = time.perf_counter()
    model = SimModel(cfg)
    setup = time.perf_counter() - t0
    step_times = []
    for i in range(steps):
        t = time.perf_counter()
        model.step()
        step_times.append(time.perf_counter() - t)
        if (i + 1) % 10 == 0:
            log(f"  n={n:,}: step {i + 1}/{steps}")
    model.summary()
    run = time.perf_counter() - t0
    follows = model.follows.users
    x = np.random.default_rng(0).random(follows.shape[1])
    t = time.perf_counter()
    for _ in range(steps):
        follows @ x
    floor = (time.perf_counter() - t) / steps
    result = {
        "users": n,
        "edges": int(follows.nnz),
        "steps": steps,
        "setup_s": setup,
        "run_s": run,
        "step_mean_s": float(np.mean(step_times)),
        "step_max_s": float(np.max(step_times)),
        "user_steps_per_s": n * steps / sum(step_times),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "floor_step_s": floor,
        "step_over_floor": float(np.mean(step_times)) / floor,
        "impressions": int(model.metrics.impressions.sum()),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--naive-steps", type=int, default=3)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, args.steps, args.naive_steps)))
        return
    results = []
    for n in args.sizes:
        log(f"n={n:,}: starting (fresh process)")
        t = time.perf_counter()
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--steps",
                str(args.steps),
                "--naive-steps",
                str(args.naive_steps),
            ],
            capture_output=False,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        results[-1]["process_wall_s"] = time.perf_counter() - t
        log(f"n={n:,}: done in {results[-1]['process_wall_s']:.1f} s")
    print(format_table(results))
    out_dir = ROOT / "results" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    record = {
        "date": stamp,
        "machine": platform.platform(),
        "python": platform.python_version(),
        "cpus": __import__("os").cpu_count(),
        "results": results,
    }
    from sim.io import write_json

    path = write_json(out_dir / f"bench-{stamp}.json", record)
    print(f"written: {path}")


if __name__ == "__main__":
    main()
