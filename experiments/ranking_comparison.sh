#!/usr/bin/env bash
# Ranking comparison brief (docs/brief.md): the four rankers x the four regimes on the same 10
# seeds, two_party scenario, 10,000 users, 30 days: 160 runs, ~5 min on 2 cores. The figure
# ranking_money_share shows money's share of each candidate's reach per ranker and regime;
# same-seed differences from engagement ranking: sim.report.figures.ranking_effects.
#   experiments/ranking_comparison.sh [extra hydra overrides, e.g. platform=twitter]
exec "$(dirname "$0")/brief.sh" ranking_comparison "" population.n=10000 "$@"
