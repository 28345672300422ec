"""Re-record tests/golden/digests.json from the current code, through ``python -m sim``.

Only for a change of numbers that an issue asks for (say which, in the commit message); a
change of code layout must leave the digests as they are.

    python -m tests.golden.record
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.golden.digest import CASES, FIGURE_CASES, case_id, current, run_digests

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).parent / "digests.json"


def one(index: int, tmp: Path) -> tuple[str, dict]:
    case, run_dir = CASES[index], tmp / str(index)
    args = [sys.executable, "-m", "sim", *current(case), "network.cache=false",
            f"hydra.run.dir={run_dir}", "output.quiet=true",
            f"output.figure={'true' if index in FIGURE_CASES else 'false'}"]
    subprocess.run(args, cwd=ROOT, check=True)
    return case_id(case), run_digests(run_dir)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(2) as pool:
        digests = dict(pool.map(lambda i: one(i, Path(tmp)), range(len(CASES))))
    OUT.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT} ({len(digests)} runs)")


if __name__ == "__main__":
    main()
