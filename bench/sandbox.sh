#!/usr/bin/env bash
# What one sandboxed command costs: `shelltutor sandbox -c true` side by side with a bare `bash -c true` and with
# bubblewrap (`bwrap --ro-bind / / --dev /dev bash -c true`), measured by hyperfine. Prints the ratios.
# Target (docs/sandbox.md): about 1.3x bare bash at most, and faster than bwrap.
#
#   bench/sandbox.sh                 build release, 500 runs each
#   RUNS=2000 bench/sandbox.sh       more runs
#   SHELLTUTOR=path/to/shelltutor bench/sandbox.sh   measure a given binary
# Needs hyperfine (and bubblewrap for the comparison): sudo apt-get install -y hyperfine bubblewrap
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
runs="${RUNS:-500}"

if ! command -v hyperfine >/dev/null; then
    echo "hyperfine is missing: sudo apt-get install -y hyperfine" >&2
    exit 1
fi

bin="${SHELLTUTOR:-}"
if [ -z "$bin" ]; then
    cargo build --release --quiet --bin shelltutor
    bin="$PWD/target/release/shelltutor"
fi
sandboxed="$bin sandbox -c true"
if ! "$bin" sandbox -c true >/dev/null 2>&1; then
    # Until the subcommand is wired into the CLI, measure the same code path through the crate's example.
    cargo build --release --quiet -p sandbox --example one_shot
    sandboxed="$PWD/target/release/examples/one_shot true"
    echo "note: '$bin sandbox -c true' failed; measuring the sandbox crate's one_shot example instead" >&2
fi

commands=("bash -c true" "$sandboxed")
if command -v bwrap >/dev/null && bwrap --ro-bind / / --dev /dev bash -c true 2>/dev/null; then
    commands+=("bwrap --ro-bind / / --dev /dev bash -c true")
else
    echo "note: bwrap is missing or does not work here; comparing with bare bash only" >&2
fi

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
hyperfine --shell=none --warmup 50 --runs "$runs" --export-csv "$results" "${commands[@]}"

# CSV columns: command,mean,stddev,median,user,system,min,max (seconds).
awk -F, -v sandboxed="$sandboxed" '
    NR == 1 { next }
    { mean[$1] = $2; median[$1] = $4 }
    END {
        s = mean[sandboxed]; b = mean["bash -c true"]; w = mean["bwrap --ro-bind / / --dev /dev bash -c true"]
        printf "\nmean: sandbox %.2f ms, bash %.2f ms", s * 1000, b * 1000
        if (w) printf ", bwrap %.2f ms", w * 1000
        printf "\nsandbox / bash  = %.2fx (target <= 1.3x)\n", s / b
        if (w) printf "sandbox / bwrap = %.2fx (target < 1.0x)\n", s / w
    }' "$results"
