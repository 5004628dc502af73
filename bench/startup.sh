#!/usr/bin/env bash
# Startup cost of rendering a lesson: `shelltutor show whoami --plain --no-pager` side by side with `cat` of the
# same lesson file (the floor of starting any process and writing the text), measured by hyperfine.
# The design's target: well under 10 ms of wall time.
#
#   bench/startup.sh              build release, 300 runs each
#   RUNS=1000 bench/startup.sh
#   BASELINE=/tmp/old-shelltutor bench/startup.sh   also an older build, side by side in the same run
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
runs="${RUNS:-300}"
command -v hyperfine >/dev/null || { echo "hyperfine is missing: sudo apt-get install -y hyperfine" >&2; exit 1; }

cargo build --release --quiet --bin shelltutor
bin="$PWD/target/release/shelltutor"
json="$(mktemp)"
trap 'rm -f "$json"' EXIT

baseline=()
if [[ -n "${BASELINE:-}" ]]; then
    baseline=("$BASELINE show whoami --plain --no-pager")
fi
hyperfine --warmup 20 --runs "$runs" -N --export-json "$json" \
    "cat lessons/01-whoami.md" \
    "${baseline[@]}" \
    "$bin show whoami --plain --no-pager" \
    "$bin list"

python3 - "$json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
floor = results[0]["mean"]
for r in results:
    print(f'{r["command"]:<60} {r["mean"]*1000:7.2f} ms ± {r["stddev"]*1000:.2f}  ({r["mean"]/floor:.2f}x cat)')
PY
