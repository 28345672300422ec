#!/usr/bin/env bash
# Sobol indices of every declared plausible range (sim/runs/uncertainties.py, 26 parameters) at
# 100,000 users, 30 days, one shared seed: N = 64 -> 64 x 28 = 1,792 runs. Writes
# results/sobol/indices.parquet (docs/sensitivity.md). Wall time on 2 cores: see that page.
#   experiments/sobol.sh [N] (default 64)   Env: PYTHON, JOBS (2), OUT, USERS (100000)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-results/sobol}
case $out in /*) abs=$out ;; *) abs=$PWD/$out ;; esac
py=${PYTHON:-python}
fixed="population.n=${USERS:-100000} network.cache=false"
"$py" -m sim sensitivity sample "$out" --n "${1:-64}" --fixed "$fixed"
"$py" -m sim -m -cd "$abs" '+design=glob(*)' "hydra.sweep.dir=$abs/runs" $fixed \
  output.figure=false output.quiet=true hydra/launcher=joblib "hydra.launcher.n_jobs=${JOBS:-2}"
"$py" -m sim sensitivity analyze "$out"
