#!/usr/bin/env bash
# Set up (first time only) and run the test suite; extra arguments go to pytest.
# Two passes: every test but the browser ones on both cores (pytest-xdist; a test file's tests
# run on one worker, one after another, so that module fixtures (a sweep, a report, a test
# cluster, the golden baseline a new CPU records once) are built once), then the browser tests
# by themselves, since they time what a person would see (only when the arguments select any).
# SIM_TEST_WORKERS=0: the first pass in one process.
set -euo pipefail
cd "$(dirname "$0")"
py="$(bash scripts/bootstrap.sh | tail -n 1)"
count="$(mktemp)"
trap 'rm -f "$count"' EXIT
status=0
SIM_ALONE_COUNT="$count" "$py" -m pytest -n "${SIM_TEST_WORKERS:-2}" --dist loadfile --alone=skip "$@" ||
    status=$?
if [ "$(cat "$count")" != "" ] && [ "$(cat "$count")" != 0 ]; then
    alone=0
    "$py" -m pytest --alone=only "$@" || alone=$?
    # pytest's 5 is "no test selected"
    if [ "$status" -eq 0 ] || [ "$status" -eq 5 ]; then status=$alone; fi
fi
exit "$status"
