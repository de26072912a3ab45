#!/usr/bin/env bash
# What the default input checks cost (issue 11 item 6): `factgraph map` and `factgraph load`
# with default flags against the same command with --no-check, on synthetic data.
#
#   bench/checks.sh [ROWS...]      (default: 200000 600000; synth gives ≈18 triples per row)
#
# For each ROWS, each command and each mode the command runs REPEAT times (default 3); the
# table gives the shortest wall time (the run least disturbed by other work on the machine)
# and the largest peak RSS (`/usr/bin/time -v`, "Maximum resident set size"), and the ratio of
# the default to --no-check for both. map writes N-Triples to stdout, sent to /dev/null; load writes a new
# store under $WORK. Prints a Markdown table on stdout.
#
# Environment: FACTGRAPH (default target/release/factgraph under CARGO_TARGET_DIR), SYNTH (the
# synth example, built next to it), WORK (default /tmp/factgraph-checks: data and stores),
# REPEAT (default 3), COMMANDS (default "map load").
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
factgraph=${FACTGRAPH:-$target/release/factgraph}
synth=${SYNTH:-$target/release/examples/synth}
work=${WORK:-/tmp/factgraph-checks}
repeat=${REPEAT:-3}
read -r -a commands <<< "${COMMANDS:-map load}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(200000 600000)

for bin in "$factgraph" "$synth"; do
    [ -x "$bin" ] || { echo "missing $bin (cargo build --release --bin factgraph --example synth)" >&2; exit 1; }
done
mkdir -p "$work"

# run LABEL CMD... → "seconds kilobytes" of one run (the command must succeed).
run() {
    local log
    log=$(mktemp)
    if ! /usr/bin/time -v "$@" >/dev/null 2>"$log"; then
        cat "$log" >&2
        rm -f "$log"
        return 1
    fi
    local wall kb
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    rm -f "$log"
    # h:mm:ss or m:ss.ss → seconds
    awk -v t="$wall" -v kb="$kb" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f %d\n", s, kb }'
}

# best CMD... → "min-seconds max-kilobytes" over $repeat runs.
best() {
    local t kb bt="" bkb=0
    for _ in $(seq "$repeat"); do
        [ -n "${store:-}" ] && rm -rf "$store"
        read -r t kb < <(run "$@")
        if [ -z "$bt" ] || awk -v a="$t" -v b="$bt" 'BEGIN { exit !(a < b) }'; then bt=$t; fi
        [ "$kb" -gt "$bkb" ] && bkb=$kb
    done
    echo "$bt $bkb"
}

echo "| rows | command | default: wall s | default: peak MB | --no-check: wall s | --no-check: peak MB | time ratio | memory ratio |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for rows in "${sizes[@]}"; do
    data=$work/s$rows
    [ -f "$data/memberships.csv" ] || "$synth" --rows "$rows" --out "$data" >/dev/null 2>&1
    for cmd in "${commands[@]}"; do
        if [ "$cmd" = map ]; then
            store=""
            args=(map "$data" -q)
        else
            store=$work/store.db
            args=(load "$data" --store "$store" -q)
        fi
        read -r dt dkb < <(best "$factgraph" "${args[@]}")
        read -r nt nkb < <(best "$factgraph" "${args[@]}" --no-check)
        [ -n "$store" ] && rm -rf "$store"
        awk -v r="$rows" -v c="$cmd" -v dt="$dt" -v dkb="$dkb" -v nt="$nt" -v nkb="$nkb" 'BEGIN {
            printf "| %d | %s | %.2f | %.0f | %.2f | %.0f | %.2f× | %.2f× |\n", r, c, dt, dkb / 1024, nt, nkb / 1024, dt / nt, dkb / nkb }'
    done
done
