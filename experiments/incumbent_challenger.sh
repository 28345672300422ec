#!/usr/bin/env bash
# Incumbent-versus-challenger brief (docs/brief.md, "Twitter's 2019 ban, counterfactually"):
# the four regimes on the same 20 seeds, scenario incumbent_challenger, 10,000 users, 30 days:
# 80 runs, ~3 min on 2 cores.
exec "$(dirname "$0")/brief.sh" incumbent_challenger "" population.n=10000 "$@"
