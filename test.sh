#!/usr/bin/env bash
# Set up (first time only) and run the test suite; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
py="$(bash scripts/bootstrap.sh | tail -n 1)"
exec "$py" -m pytest "$@"
