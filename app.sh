#!/usr/bin/env bash
# Set up (first time only: the app's packages, ~1 min, see README) and serve the classroom app
# on http://127.0.0.1:8765 (works offline); extra arguments go to `python -m sim app`
# (--port P, --host H). A .venv set up by ./test.sh (dev, a superset of viz) is used as it is.
set -euo pipefail
cd "$(dirname "$0")"
extras=viz
compgen -G ".venv/.installed-*-dev" >/dev/null && extras=dev
py="$(SIM_EXTRAS=$extras bash scripts/bootstrap.sh | tail -n 1)"
exec "$py" -m sim app "$@"
