#!/usr/bin/env bash
# Parameter ensemble of the policy comparison (issue #13): 32 Latin-hypercube sets of the
# judgement parameters (sim/runs/uncertainties.py) + the defaults, x 3 seeds x 4 regimes,
# two_party, 10,000 users, 30 days: 396 runs. Writes results/ensemble/effects.parquet, which
# experiments/policy_comparison.sh's brief quotes. Wall time on 2 cores: see docs/sensitivity.md.
#   experiments/ensemble.sh [extra --fixed overrides]   Env: PYTHON, JOBS (2), OUT
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-results/ensemble}
rm -rf "$out"
exec "${PYTHON:-python}" -m sim ensemble run "$out" --sets 32 --seeds 3 --jobs "${JOBS:-2}" \
  --fixed "population.n=10000 network.cache=false $*"
