#!/usr/bin/env bash
# Every brief docs/brief.md draws on, from scratch, the figures it shows copied into docs/figures,
# and scenario discovery on the parameter ensemble (experiments/ensemble.sh) when it exists: the
# policy comparison quotes the ensemble's ranges, and `python -m sim ensemble discover` finds where
# the ban's vote effect on A is small (docs/figures/discovery_ban_vote.png). Wall time: docs/brief.md.
#   experiments/all_briefs.sh [NAME ...]   only these briefs (default: all, in the order below;
#                                          the names are the scripts in this folder, plus
#                                          "discovery" and any experiments/*money*.{sh,py},
#                                          *ecosystem*.sh and *2019*.sh that exist)
# Env as brief.sh, plus DISCOVER_THRESHOLD (pp, default 0.02), ENSEMBLE (results/ensemble),
# BRIEF_ARGS (hydra overrides every brief sweep gets, e.g. 'seed=range(5)' when time is short),
# USERS (10000) and MONEY_SEEDS (3) for a Python experiment (experiments/money_moves.py). The
# extra experiments' text outputs go to results/briefs/NAME.txt (brief_numbers.py prints them).
set -euo pipefail
here="$(dirname "$0")"
cd "$here/.."
py=${PYTHON:-python}
ensemble=${ENSEMBLE:-results/ensemble}
b=results/briefs
mkdir -p "$b"
extra=()  # the experiments of issue 23 (where the money goes; the 2019 ecosystem), when present
for f in "$here"/*money*.sh "$here"/*money*.py "$here"/*ecosystem*.sh "$here"/*2019*.sh; do
  [ -f "$f" ] || continue
  n=$(basename "$f"); n=${n%.*}
  [[ " ${extra[*]} " == *" $n "* ]] || extra+=("$n")
done
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  names=(policy_comparison discovery "${extra[@]}" incumbent_challenger budget_inequality ad_ban_loophole
         ranking_comparison watchdogs)
fi

for name in "${names[@]}"; do  # every name known before anything runs
  case $name in
    policy_comparison | discovery) ;;
    *) [ -f "$here/$name.sh" ] || [ -f "$here/$name.py" ] || { echo "error: brief = '$name': no $here/$name.sh" >&2; exit 2; } ;;
  esac
done

copy() {  # copy SRC DEST-NAME: a brief's figure into docs/figures
  cp "$1" "docs/figures/$2"
}

for name in "${names[@]}"; do
  start=$SECONDS
  case $name in
    policy_comparison)
      if [ -f "$ensemble/effects.parquet" ]; then
        REPORT_ARGS="--ensemble $ensemble" "$here/policy_comparison.sh" ${BRIEF_ARGS:-}
      else
        echo "no $ensemble/effects.parquet: the brief will not show ensemble ranges (run experiments/ensemble.sh)"
        "$here/policy_comparison.sh" ${BRIEF_ARGS:-}
      fi
      for f in reach_by_origin money_advantage vote_turnout_effects who_sees_what cascade_sizes \
               impressions_over_time; do
        copy "$b/policy_comparison/figures/$f.png" "$f.png"
      done
      copy "$b/policy_comparison/figures/brief.pdf" brief.pdf
      ;;
    discovery)
      if [ -f "$ensemble/effects.parquet" ]; then
        "$py" -m sim ensemble discover "$ensemble" --outcome vote_share_change --campaign A --regime ban \
          --threshold "${DISCOVER_THRESHOLD:-0.02}" --abs
        copy "$ensemble/discovery/discovery.png" discovery_ban_vote.png
      else
        echo "no $ensemble/effects.parquet: no scenario discovery (run experiments/ensemble.sh)"
      fi
      ;;
    ranking_comparison)
      "$here/$name.sh" ${BRIEF_ARGS:-}
      copy "$b/ranking_comparison/figures/ranking_money_share.png" ranking_money_share.png
      ;;
    budget_inequality)
      "$here/$name.sh" ${BRIEF_ARGS:-}
      copy "$b/budget_inequality/figures/money_advantage.png" budget_inequality_money_advantage.png
      ;;
    ad_ban_loophole)
      "$here/$name.sh" ${BRIEF_ARGS:-}
      copy "$b/ad_ban_loophole/figures/reach_by_origin.png" ad_ban_loophole_reach_by_origin.png
      ;;
    incumbent_challenger)
      "$here/$name.sh" ${BRIEF_ARGS:-}
      copy "$b/incumbent_challenger/figures/reach_by_origin.png" incumbent_challenger_reach_by_origin.png
      copy "$b/incumbent_challenger/figures/money_by_size.png" incumbent_challenger_money_by_size.png
      ;;
    watchdogs)
      "$here/$name.sh" ${BRIEF_ARGS:-}
      copy "$b/watchdogs/figures/watchdog_sweep.png" watchdog_sweep.png
      ;;
    *)
      if [ -f "$here/$name.sh" ]; then
        "$here/$name.sh" | tee "$b/$name.txt"
      else  # a Python experiment (experiments/money_moves.py): the brief's size, MONEY_SEEDS seeds
        "$py" -m "experiments.$name" --n "${USERS:-10000}" --seeds "${MONEY_SEEDS:-3}" | tee "$b/$name.txt"
      fi
      ;;
  esac
  echo "[all_briefs] $name: $((SECONDS - start)) s"
done
echo "figures copied to docs/figures"
