#!/usr/bin/env bash
# Resident memory of the interactive tutor during a short session: the peak (VmHWM) and current (VmRSS) resident
# set of the tutor process, read from /proc while it waits at its prompt after a few commands and tutor commands.
# The design's aim: under 20 MiB.
#
#   bench/memory.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
cargo build --release --quiet --bin shelltutor
bin="$PWD/target/release/shelltutor"

work="$(mktemp -d)"
trap 'rm -rf "$work"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true' EXIT
mkfifo "$work/input"
SHELLTUTOR_DATA_DIR="$work/data" "$bin" --plain <"$work/input" >"$work/out" 2>&1 &
pid=$!
exec 3>"$work/input"
for line in whoami "" ":hint" "id -un" "" ":answer b" "" pwd ":diff" "mkdir -p a/b/c" ":undo" ":progress" ":lessons"; do
    printf '%s\n' "$line" >&3
    sleep 0.2
done
sleep 0.5
grep -E 'VmHWM|VmRSS' "/proc/$pid/status"
printf ':quit\n' >&3
exec 3>&-
wait "$pid"
