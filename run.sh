#!/usr/bin/env bash
# Set up (first time only) and run the default scenario; extra arguments are Hydra overrides,
# e.g. ./run.sh policy=ban   or   ./run.sh -m policy=none,ban seed=0,1
set -euo pipefail
cd "$(dirname "$0")"
py="$(SIM_EXTRAS="" bash scripts/bootstrap.sh | tail -n 1)"
exec "$py" -m sim "$@"
