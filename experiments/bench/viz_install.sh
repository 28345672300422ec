#!/usr/bin/env bash
# How long ./app.sh takes to set up the classroom app the first time: a copy of this checkout,
# a fresh .venv, scripts/bootstrap.sh with the viz extra (as app.sh runs it). Prints the wall
# time, the number of packages and the size. NO_CACHE=1 also bypasses pip's download cache (a
# machine that has never installed these packages).
#   experiments/bench/viz_install.sh            NO_CACHE=1 experiments/bench/viz_install.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git -C "$root" ls-files -z | (cd "$root" && xargs -0 cp --parents -t "$work")
cp "$root/pyproject.toml" "$work/"  # uncommitted changes to the extras count too
[ -n "${NO_CACHE:-}" ] && export PIP_NO_CACHE_DIR=1
start=$(date +%s.%N)
SIM_EXTRAS=viz bash "$work/scripts/bootstrap.sh" >/dev/null
end=$(date +%s.%N)
packages=$("$work/.venv/bin/python" -m pip list --format=freeze 2>/dev/null | wc -l)
size=$(du -sh "$work/.venv" | cut -f1)
"$work/.venv/bin/python" -c "import sim.classroom.app" >/dev/null
printf 'viz install: %.0f s, %s packages, %s (%s pip cache)\n' "$(echo "$end - $start" | bc)" \
    "$packages" "$size" "$([ -n "${NO_CACHE:-}" ] && echo without || echo with)"
