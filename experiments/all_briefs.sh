#!/usr/bin/env bash
# Every brief docs/brief.md draws on, from scratch, and the figures it shows copied into
# docs/figures. The policy comparison quotes the parameter ensemble (experiments/ensemble.sh)
# when results/ensemble/effects.parquet exists. Wall time: docs/brief.md. Env as brief.sh.
set -euo pipefail
here="$(dirname "$0")"
cd "$here/.."
ensemble=results/ensemble
if [ -f "$ensemble/effects.parquet" ]; then
  REPORT_ARGS="--ensemble $ensemble" "$here/policy_comparison.sh"
else
  echo "no $ensemble/effects.parquet: the brief will not show ensemble ranges (run experiments/ensemble.sh)"
  "$here/policy_comparison.sh"
fi
for name in ranking_comparison budget_inequality ad_ban_loophole incumbent_challenger watchdogs; do
  "$here/$name.sh"
done
b=results/briefs
for f in reach_by_origin money_advantage vote_turnout_effects who_sees_what cascade_sizes \
         impressions_over_time; do
  cp "$b/policy_comparison/figures/$f.png" docs/figures/
done
cp "$b/policy_comparison/figures/brief.pdf" docs/figures/brief.pdf
cp "$b/ranking_comparison/figures/ranking_money_share.png" docs/figures/
cp "$b/budget_inequality/figures/money_advantage.png" docs/figures/budget_inequality_money_advantage.png
cp "$b/ad_ban_loophole/figures/reach_by_origin.png" docs/figures/ad_ban_loophole_reach_by_origin.png
cp "$b/incumbent_challenger/figures/reach_by_origin.png" docs/figures/incumbent_challenger_reach_by_origin.png
cp "$b/incumbent_challenger/figures/money_by_size.png" docs/figures/incumbent_challenger_money_by_size.png
cp "$b/watchdogs/figures/watchdog_sweep.png" docs/figures/watchdog_sweep.png
echo "figures copied to docs/figures"
