#!/usr/bin/env bash
# The command reference's speed, side by side in one hyperfine run: `shelltutor ref rm` and
# `shelltutor explain 'rm -rf ~/old'` against `man -P cat rm` (and `tldr rm` when tealdeer is installed); and
# `explain` of a command without a card, whose option meanings come from its man page, against `man -P cat` of
# that page. Prints each mean and its ratio to `man -P cat rm`.
# Targets (docs/reference.md): ref and explain under 5 ms; explain of a card-less command no slower than man.
#
#   bench/reference.sh                 build release, 300 runs each
#   RUNS=1000 bench/reference.sh
#   SHELLTUTOR=path/to/shelltutor bench/reference.sh
# Needs hyperfine and man: sudo apt-get install -y hyperfine man-db
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
runs="${RUNS:-300}"
for tool in hyperfine man; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: sudo apt-get install -y hyperfine man-db" >&2; exit 1; }
done

bin="${SHELLTUTOR:-}"
if [ -z "$bin" ]; then
    cargo build --release --quiet --bin shelltutor
    bin="$PWD/target/release/shelltutor"
fi
# A command without a card whose man page has many options.
nocard="${NOCARD:-uname}"
"$bin" ref "$nocard" --json | grep -q '"card": false' || { echo "$nocard has a card; set NOCARD" >&2; exit 1; }

json="$(mktemp)"
trap 'rm -f "$json"' EXIT
commands=(
    "man -P cat rm"
    "$bin ref rm --plain --no-pager"
    "$bin explain 'rm -rf ~/old'"
    "man -P cat $nocard"
    "$bin explain '$nocard -a --kernel-name'"
    "$bin ref $nocard --plain --no-pager"
)
if command -v tldr >/dev/null; then
    commands+=("tldr rm")
fi
# MANPAGER and PAGER would otherwise change what man does; -N runs without a shell in between.
MANPAGER=cat PAGER=cat hyperfine --warmup 20 --runs "$runs" -N --export-json "$json" "${commands[@]}" >/dev/null

python3 - "$json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
floor = results[0]["mean"]
print(f'{"command":<58} {"mean":>9}  {"ratio to man -P cat rm":>22}')
for r in results:
    print(f'{r["command"]:<58} {r["mean"]*1000:6.2f} ms  {r["mean"]/floor:22.2f}')
PY
