#!/usr/bin/env bash
# Policy comparison brief (docs/brief.md): the four regimes none, ban, transparency, cap on the
# same 20 seeds, two_party scenario, 10,000 users, 30 days: 80 runs, ~2.5 min on 2 cores.
#   experiments/policy_comparison.sh [extra hydra overrides, e.g. population.n=100000]
exec "$(dirname "$0")/brief.sh" policy_comparison "" population.n=10000 "$@"
