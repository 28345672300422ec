"""Record the golden runs: their digests (bits), their outcomes and the outcomes' spread over
seeds. Three uses:

    python -m tests.golden.record              # re-record tests/golden/ on purpose (a change
                                               # of numbers an issue asks for: say which in the
                                               # commit); needs a clean work tree
    python -m tests.golden.record --at COMMIT  # this machine's bits of COMMIT's code, into
                                               # .golden/ (what tests/test_golden.py compares
                                               # with when the recording came from elsewhere)
    python -m tests.golden.record --bits-only --out FILE   # this checkout's bits, into FILE

Re-recording writes digests.json (the bits, the commit whose code made them and this machine's
fingerprint) and outcomes.json (summary.json's values, and for each its standard deviation over
SPREAD_SEEDS other seeds: the tolerance when another machine's bits cannot be compared).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from sim.io import write_atomic
from tests.golden.digest import (
    CASES,
    FIGURE_CASES,
    case_id,
    current,
    fingerprint,
    fingerprint_id,
    outcomes,
    run_digests,
    with_seed,
)

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
DIGESTS, OUTCOMES = HERE / "digests.json", HERE / "outcomes.json"
LOCAL = ROOT / ".golden"  # this machine's baselines (git-ignored)
SPREAD_SEEDS = 12  # seeds per case for the outcomes' spread: 11 degrees of freedom
SPREAD_SEED0 = 1000  # far from the cases' own seeds (0-11)


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def local_baseline(commit: str, fp: dict | None = None) -> Path:
    """Where ``--at COMMIT`` keeps this machine's bits of COMMIT."""
    return LOCAL / f"{fingerprint_id(fp or fingerprint())}-{commit[:12]}.json"


def cli_digests(index: int, tmp: Path) -> tuple[str, dict]:
    """One case through ``python -m sim``, as a user runs it."""
    case, run_dir = CASES[index], tmp / str(index)
    args = [sys.executable, "-m", "sim", *current(case), "network.cache=false",
            f"hydra.run.dir={run_dir}", "output.quiet=true",
            f"output.figure={'true' if index in FIGURE_CASES else 'false'}"]
    subprocess.run(args, cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return case_id(case), {"files": run_digests(run_dir), "values": outcomes(run_dir)}


def api_run(overrides: list[str], figure: bool) -> tuple[dict, dict]:
    """One run through the notebook API: (digests, outcomes)."""
    import sim

    with tempfile.TemporaryDirectory() as tmp:
        sim.simulate(*overrides, "network.cache=false", out=tmp, figure=figure)
        return run_digests(Path(tmp)), outcomes(Path(tmp))


def spread(index: int) -> tuple[str, dict]:
    """The case's outcomes over SPREAD_SEEDS other seeds: the standard deviation of each value
    that varies, and the names of the values that are not numbers and vary."""
    case = CASES[index]
    runs = [api_run(with_seed(current(case), SPREAD_SEED0 + k), False)[1] for k in range(SPREAD_SEEDS)]
    sd, varying = {}, []
    for key in runs[0]:
        values = [r.get(key) for r in runs]
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) == len(values):
            s = statistics.stdev(numbers)
            if s > 0:
                sd[key] = s
        elif len({json.dumps(v) for v in values}) > 1:
            varying.append(key)
    return case_id(case), {"sd": sd, "varying": varying}


def pool(n: int = 2) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"))


def rerecord() -> None:
    # the digests name the commit whose code made them: only tests may differ from it
    dirty = [line for line in git("status", "--porcelain").splitlines()
             if not line[3:].startswith("tests/")]
    if dirty:
        sys.exit("error: commit your changes first: the digests name the commit that made them\n"
                 + "\n".join(dirty))
    commit = git("rev-parse", "HEAD")
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(2) as threads:
        recorded = dict(threads.map(lambda i: cli_digests(i, Path(tmp)), range(len(CASES))))
    with pool() as workers:
        spreads = dict(workers.map(spread, range(len(CASES))))
    DIGESTS.write_text(json.dumps(
        {"recorded_at": commit, "fingerprint": fingerprint(),
         "cases": {k: v["files"] for k, v in recorded.items()}}, indent=1, sort_keys=True) + "\n")
    OUTCOMES.write_text(json.dumps(
        {"spread_seeds": SPREAD_SEEDS,
         "cases": {k: {"values": v["values"], **spreads[k]} for k, v in recorded.items()}},
        sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {DIGESTS} and {OUTCOMES} ({len(recorded)} runs at {commit[:12]}, "
          f"{SPREAD_SEEDS} seeds each for the spread)")


def bits_only(out: Path) -> None:
    """This checkout's digests of every case, in-process (the API gives the CLI's files: the
    golden test checks that)."""
    with pool() as workers:
        digests = list(workers.map(api_run, [current(c) for c in CASES],
                                   [i in FIGURE_CASES for i in range(len(CASES))]))
    cases = {case_id(c): d for c, (d, _) in zip(CASES, digests)}
    text = json.dumps({"fingerprint": fingerprint(), "cases": cases}, indent=1, sort_keys=True)
    write_atomic(out, lambda tmp: Path(tmp).write_text(text + "\n"))


def at(commit: str, out: Path | None = None) -> Path:
    """Run COMMIT's code on this machine, with this environment's libraries, in a git worktree;
    its digests go to ``out`` (default: .golden/FINGERPRINT-COMMIT.json)."""
    commit = git("rev-parse", "--verify", f"{commit}^{{commit}}")
    out = (out or local_baseline(commit)).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        git("worktree", "add", "--detach", str(tree), commit)
        try:
            # COMMIT's model with today's cases and recorder
            for f in HERE.glob("*.py"):
                (tree / "tests" / "golden" / f.name).write_text(f.read_text())
            env = {**os.environ, "PYTHONPATH": str(tree)}
            subprocess.run([sys.executable, "-m", "tests.golden.record", "--bits-only", "--out",
                            str(out)], cwd=tree, env=env, check=True)
        finally:
            git("worktree", "remove", "--force", str(tree))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.golden.record", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--at", metavar="COMMIT", help="this machine's bits of COMMIT's code")
    parser.add_argument("--bits-only", action="store_true", help="this checkout's bits only")
    parser.add_argument("--out", type=Path, help="where --at or --bits-only write")
    args = parser.parse_args()
    if args.at:
        print(f"wrote {at(args.at, args.out)}")
    elif args.bits_only:
        bits_only(args.out or local_baseline(git("rev-parse", "HEAD")))
    else:
        rerecord()


if __name__ == "__main__":
    main()
