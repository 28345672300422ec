#!/usr/bin/env bash
# Refresh the locked versions that ./run.sh, ./test.sh and ./app.sh install (requirements/*.lock):
# uv resolves pyproject.toml's ranges to exact versions with hashes, for every platform and
# Python >= 3.12 (--universal). The dev lock is the superset; the core and viz locks are
# constrained by it, so one package has one version in all three. Needs uv (in the dev extra).
#     scripts/lock.sh                 # re-resolve to the newest versions the ranges allow
#     scripts/lock.sh --upgrade-package numpy   # extra arguments go to every uv call
set -euo pipefail
cd "$(dirname "$0")/.."
uv="$(command -v uv || echo .venv/bin/uv)"
common=(--universal --python-version 3.12 --generate-hashes --quiet "$@")
"$uv" pip compile pyproject.toml --extra dev "${common[@]}" -o requirements/dev.lock
"$uv" pip compile pyproject.toml --extra viz -c requirements/dev.lock "${common[@]}" -o requirements/viz.lock
"$uv" pip compile pyproject.toml -c requirements/dev.lock "${common[@]}" -o requirements/core.lock
grep -hE '^(numpy|scipy|pandas|pyarrow|matplotlib|mesa|hydra-core)==' requirements/dev.lock | cut -d' ' -f1
