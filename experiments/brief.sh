#!/usr/bin/env bash
# One brief from scratch: run a sweep preset (sim/conf/experiment/NAME.yaml), collect it, draw.
#   experiments/brief.sh NAME REGIME_BY [hydra overrides...]
# REGIME_BY: comma-separated override columns that split regimes ("" for policy only).
# Env: OUT (default results/briefs/NAME), PYTHON (default python), JOBS (joblib workers, 2),
# REPORT_ARGS (extra options of python -m sim report, e.g. "--baseline transparency").
# Uses Hydra's joblib launcher when hydra-joblib-launcher is installed, else runs in turn.
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1; regime_by=$2; shift 2
out=${OUT:-results/briefs/$name}
py=${PYTHON:-python}
launcher=()
if "$py" -c "import hydra_plugins.hydra_joblib_launcher" 2>/dev/null; then
  launcher=(hydra/launcher=joblib "hydra.launcher.n_jobs=${JOBS:-2}")
fi
rm -rf "$out/sweep" "$out/figures"  # from scratch: no stale runs mixed in
"$py" -m sim -m "+experiment=$name" "hydra.sweep.dir=$out/sweep" "${launcher[@]}" "$@"
"$py" -m sim collect "$out/sweep"
"$py" -m sim report "$out/sweep" --out "$out/figures" ${regime_by:+--regime-by "$regime_by"} ${REPORT_ARGS:-}
echo "brief: $out/figures/brief.pdf"
