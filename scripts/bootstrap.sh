#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 and install the project into it (once per pyproject
# change). Sourced by run.sh and test.sh; prints the venv's python path on stdout's last line.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
extras="${SIM_EXTRAS-dev}"   # run.sh asks for none (the core); test.sh for dev (everything)
# The tested versions: requirements/{core,viz,dev}.lock (exact versions and hashes, refreshed
# by scripts/lock.sh). SIM_LOCKED=0 installs from pyproject.toml's ranges instead (newest allowed).
locked="${SIM_LOCKED-1}"
lock="$root/requirements/${extras:-core}.lock"

python_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }

find_python() {
    local c
    for c in "${PYTHON:-}" python3.13 python3.12 python3 python; do
        [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && python_ok "$c" && { command -v "$c"; return; }
    done
    # pyenv installs whose shims are not active (python3 set to an older version)
    for c in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 \
             /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
        [ -x "$c" ] && python_ok "$c" && { echo "$c"; return; }
    done
    echo "error: no Python >= 3.12 found (Mesa 3.5 needs it); install one or set PYTHON=/path/to/python3.12" >&2
    exit 1
}

if [ ! -x "$venv/bin/python" ] || ! python_ok "$venv/bin/python"; then
    rm -rf "$venv"
    py="$(find_python)"
    echo "setting up $venv with $($py --version)" >&2
    "$py" -m venv "$venv"
fi
hash="$(cat "$root/pyproject.toml" "$root"/requirements/*.lock 2>/dev/null | sha256sum | cut -c1-12)"
[ "$locked" = 1 ] && hash="$hash-locked"
stamp="$venv/.installed-$hash-${extras:-core}"
# the core is part of every install: any install of this pyproject will do for run.sh
if [ -z "$extras" ] && compgen -G "$venv/.installed-$hash-*" >/dev/null; then
    stamp="$(compgen -G "$venv/.installed-$hash-*" | head -n 1)"
fi
if [ ! -f "$stamp" ]; then
    log="$venv/install.log"
    spec="$root${extras:+[$extras]}"
    echo "installing sim${extras:+[$extras]} and its dependencies into $venv (log: $log)" >&2
    # the distribution was called "sim" before it became paid-reach-sim: an old install of it
    # would leave a second copy of the sim package behind
    unsim='{ ! "$venv/bin/python" -m pip show sim >/dev/null 2>&1 || "$venv/bin/python" -m pip uninstall -y sim; }'
    if [ "$locked" = 1 ]; then
        [ -f "$lock" ] || { echo "error: no lock file $lock (SIM_EXTRAS=$extras)" >&2; exit 1; }
        echo "  locked versions from ${lock#$root/}" >&2
        # the locked dependencies (hashes checked), then the package itself without resolving
        { "$venv/bin/python" -m pip install --progress-bar off --upgrade pip && eval "$unsim" &&
          "$venv/bin/python" -m pip install --progress-bar off --require-hashes -r "$lock" &&
          "$venv/bin/python" -m pip install --progress-bar off --no-deps -e "$root"; } >"$log" 2>&1 &
    else
        { "$venv/bin/python" -m pip install --upgrade pip && eval "$unsim" &&
          "$venv/bin/python" -m pip install --progress-bar off -e "$spec"; } >"$log" 2>&1 &
    fi
    pid=$!
    started=$SECONDS
    # progress: what pip is doing now, every few seconds (one updating line on a terminal,
    # a line every 15 s in a log)
    while kill -0 "$pid" 2>/dev/null; do
        sleep 3
        now="$(grep -E '^ *(Collecting|Downloading|Building|Installing collected|Successfully)' \
               "$log" 2>/dev/null | tail -n 1 | sed -E 's/^ +//; s/ \(.*//' | cut -c1-70 || true)"
        count="$(grep -c '^Collecting' "$log" 2>/dev/null || true)"
        elapsed=$((SECONDS - started))
        if [ -t 2 ]; then
            printf '\r  %4ds  %3s packages  %s\033[K' "$elapsed" "${count:-0}" "$now" >&2
        elif [ $((elapsed % 15)) -lt 3 ]; then
            echo "  still installing (${elapsed} s, ${count:-0} packages): $now" >&2
        fi
    done
    [ -t 2 ] && printf '\r\033[K' >&2
    if ! wait "$pid"; then
        tail -n 20 "$log" >&2
        echo "error: installing into $venv failed; see $log" >&2
        exit 1
    fi
    echo "installed in $((SECONDS - started)) s" >&2
    rm -f "$venv"/.installed-*
    touch "$stamp"
fi
echo "$venv/bin/python"
