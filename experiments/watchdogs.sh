#!/usr/bin/env bash
# Watchdog brief: transparency's effect on foreign and undeclared reach as a function of the
# watchdogs' coverage and lag (sim/conf/experiment/watchdogs.yaml: 200 runs, 10,000 users,
# 30 days, ~4 min on 2 cores). Draws the watchdog_sweep figure with the others.
# One regime (transparency): figures only, with it as the baseline.
REPORT_ARGS="--baseline transparency --no-brief --figures watchdog_sweep,reach_by_origin" exec "$(dirname "$0")/brief.sh" watchdogs "" \
  population.n=10000 "$@"
