#!/usr/bin/env bash
# Twitter's 2019 ban at Twitter's scale (docs/brief.md, docs/model.md 1.2 "The 2019 ecosystem"):
# the challenger's share of the candidates' impressions before and after the ban, on Twitter alone
# with Twitter-sized budgets and in the three-platform 2019 ecosystem (experiments/ecosystem_2019.py).
# Env: PYTHON (default python), JOBS (2), SEEDS (10), USERS (10000): 60 runs, ~10 min on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-python}" experiments/ecosystem_2019.py --seeds "${SEEDS:-10}" --users "${USERS:-10000}" \
  --jobs "${JOBS:-2}" "$@"
