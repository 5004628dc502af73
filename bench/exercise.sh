#!/usr/bin/env bash
# What an exercise session costs, measured side by side in one hyperfine run per question (the machines are
# noisy: compare ratios, not milliseconds). Prints the table of docs/sandbox.md ("Performance"):
#
#   1. a line typed in a running exercise (piped REPL, `true`), until its check result   vs  bash -c true
#   2. the same with 10,000 files in the home                                            vs  10 files
#   3. :undo after a line that changed one file, 10,000 files in the home                vs  10 files
#      (timed in process by `cargo bench --bench history`, with 100,000 files too: a sub-millisecond `:undo`
#      disappears in the noise of whole sessions)
#   4. shelltutor sandbox -c true                           vs  bwrap --ro-bind / / --dev /dev bash -c true
#   5. starting an exercise (environment + setup `true`), then :quit                     vs  the same bwrap
#
# A line's cost cannot be timed alone inside a running tutor, so (1) and (2) time whole piped sessions that differ
# only in what is measured (N lines of `true` against none) and divide the difference by N. Setup (making 10,000
# files) is in both sessions and cancels out.
#
#   bench/exercise.sh                      build release, default runs
#   RUNS=50 LINES=200 bench/exercise.sh    more runs, longer sessions
#   SHELLTUTOR=path/to/shelltutor bench/exercise.sh
#   BENCH_TMPDIR=/tmp bench/exercise.sh   sandbox folders on another file system (default: /dev/shm, a tmpfs)
#
# The sandbox folders live in $TMPDIR. On the development VM's ext4, creating 10,000 files takes 1-5 s (against
# 0.05 s on tmpfs) and varies run to run by seconds, which drowns the per-line differences measured here; the
# default is therefore a tmpfs, which measures the tutor rather than the disk. BENCH_TMPDIR=/tmp shows the disk.
# Needs hyperfine and bubblewrap: sudo apt-get install -y hyperfine bubblewrap
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
runs="${RUNS:-20}"
lines="${LINES:-400}"

for tool in hyperfine bwrap; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool is missing: sudo apt-get install -y hyperfine bubblewrap" >&2
        exit 1
    fi
done

bin="${SHELLTUTOR:-}"
if [ -z "$bin" ]; then
    cargo build --release --quiet --bin shelltutor
    bin="$PWD/target/release/shelltutor"
fi

bench_tmp="${BENCH_TMPDIR:-/dev/shm}"
[ -d "$bench_tmp" ] && [ -w "$bench_tmp" ] || bench_tmp="${TMPDIR:-/tmp}"
export TMPDIR="$bench_tmp"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SHELLTUTOR_DATA_DIR="$work/data" SHELLTUTOR_LESSONS="$work/lessons" NO_COLOR=1
mkdir -p "$work/lessons"

# Two exercises that never pass (so every line is checked in full), one with 10 files in the home, one with 10,000.
exercise() {
    local title=$1 files=$2
    cat <<EOF
## Exercise: $title

Nothing to do.

\`\`\`sh setup
mkdir -p files && cd files && seq -f 'f%g' $files | xargs touch && cd ~
\`\`\`

\`\`\`check
exists never-made
\`\`\`

\`\`\`sh solution
touch never-made
\`\`\`

EOF
}
{
    printf '+++\ntitle = "Bench"\n+++\n\n'
    exercise "Small" 10
    exercise "Large" 10000
    # What the issue times for starting an exercise: the environment and a setup of `true`.
    exercise "Start" 0 | sed 's/^mkdir -p files .*/true/'
} > "$work/lessons/01-bench.md"

# The sessions, as files piped into the tutor.
printf ':quit\n' > "$work/quit"
{ for _ in $(seq "$lines"); do echo true; done; echo :quit; } > "$work/lines"

session() { echo "$bin start bench/$1 < $work/$2 > /dev/null"; }
bwrap_true="bwrap --ro-bind / / --dev /dev bash -c true"

csv() { echo "$work/$1.csv"; }
measure() {
    local name=$1
    shift
    hyperfine --shell=bash --warmup 2 --runs "$runs" --export-csv "$(csv "$name")" "$@" >&2
}

echo "measuring (runs: $runs, lines per session: $lines) ..." >&2
measure lines "bash -c true" "$(session small quit)" "$(session small lines)" \
    "$(session large quit)" "$(session large lines)"
echo "timing the history module (undo, diff) on homes of 10, 10,000 and 100,000 files ..." >&2
cargo bench --quiet --bench history > "$work/history.txt"
measure oneshot "$bwrap_true" "$bin sandbox -c true" "$(session start quit)"

# CSV columns: command,mean,stddev,median,user,system,min,max (seconds). Medians throughout.
median() { awk -F, -v c="$2" 'NR > 1 && $1 == c { print $4 }' "$(csv "$1")"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
ms() { awk -v a="$1" 'BEGIN { printf "%.2f ms", a * 1000 }'; }
per_line() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { print (b - a) / n }'; }

bash_true=$(median lines "bash -c true")
small_line=$(per_line "$(median lines "$(session small quit)")" "$(median lines "$(session small lines)")" "$lines")
large_line=$(per_line "$(median lines "$(session large quit)")" "$(median lines "$(session large lines)")" "$lines")
# history FILES AFTER_LINE_US UNDO_US DIFF_US START_MS
# In seconds: columns 3-5 are microseconds, column 6 milliseconds.
history() {
    awk -v n="$1" -v c="$2" '$1 == "history" && $2 == n { print $c / (c == 6 ? 1e3 : 1e6) }' "$work/history.txt"
}
small_undo=$(history 10 4)
large_undo=$(history 10000 4)
huge_undo=$(history 100000 4)
large_diff=$(history 10000 5)
small_diff=$(history 10 5)
start_10k=$(history 10000 6)
start_100k=$(history 100000 6)
us() { awk -v a="$1" 'BEGIN { printf "%.0f µs", a * 1e6 }'; }
bwrap=$(median oneshot "$bwrap_true")
one_shot=$(median oneshot "$bin sandbox -c true")
start=$(median oneshot "$(session start quit)")

cat <<EOF

Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),
sandbox folders in $TMPDIR ($(df --output=fstype "$TMPDIR" | tail -1));
medians of $runs runs; per-line costs from sessions of $lines lines; undo and diff timed in process (200 rounds).

| what | measured | compared with | ratio | target |
|---|---|---|---|---|
| a line in a running exercise (piped, \`true\`) | $(ms "$small_line") | \`bash -c true\` $(ms "$bash_true") | $(ratio "$small_line" "$bash_true") | <= 1.3x |
| the same, 10,000 files in the home | $(ms "$large_line") | 10 files $(ms "$small_line") | $(ratio "$large_line" "$small_line") | <= 1.2x |
| \`:undo\` of one changed file, 10,000 files | $(us "$large_undo") | 10 files $(us "$small_undo") | $(ratio "$large_undo" "$small_undo") | <= 1.5x |
| \`:undo\` of one changed file, 100,000 files | $(us "$huge_undo") | 10 files $(us "$small_undo") | $(ratio "$huge_undo" "$small_undo") | works |
| \`:diff\`, 10,000 files | $(us "$large_diff") | 10 files $(us "$small_diff") | $(ratio "$large_diff" "$small_diff") | |
| \`shelltutor sandbox -c true\` | $(ms "$one_shot") | bwrap $(ms "$bwrap") | $(ratio "$one_shot" "$bwrap") | < 1x |
| starting an exercise (setup \`true\`) and \`:quit\` | $(ms "$start") | bwrap $(ms "$bwrap") | $(ratio "$start" "$bwrap") | <= 2x |

The one cost that grows with the home is paid once, when an exercise starts: copying the home for undo and
diff took $(ms "$start_10k") for 10,000 files and $(ms "$start_100k") for 100,000.
EOF
