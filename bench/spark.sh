#!/usr/bin/env bash
# What Spark costs and gives (issue 17): scripts/spark-map on local[1] and local[2] against a
# plain `factgraph map` of the same synthetic data, in the same go.
#
#   bench/spark.sh [ROWS]        (default 1000000 rows of memberships.csv; synth gives ≈18
#                                 quads per row)
#
# Runs, each writing N-Quads to files under $WORK (removed after each run):
#   map               factgraph map DIR --no-check -o plain.nq (every core: reader, workers, writer)
#   map, 1 thread     the same with FACTGRAPH_THREADS=1 (one mapping thread)
#   share 0 and N-1  factgraph map --partition K/N with FACTGRAPH_THREADS=1 (N-1 also scans
#                    (N-1)/N of every file to find its first record)
#   spark local[1]    scripts/spark-map --master local[1] --partitions $PARTITIONS --no-check
#   spark local[2]    scripts/spark-map --master local[2] --partitions $PARTITIONS --no-check
# Each Spark task maps its share with one mapping thread (spark.task.cpus = 1). The check after
# each Spark run: the parts hold as many lines as map's output (each record is mapped by
# exactly one share, so even duplicate lines must match in number). Prints a Markdown table.
#
# Environment: FACTGRAPH (default target/release/factgraph under CARGO_TARGET_DIR), SYNTH (the
# synth example next to it), WORK (default /tmp/factgraph-spark), PARTITIONS (default 4).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
factgraph=${FACTGRAPH:-$target/release/factgraph}
synth=${SYNTH:-$target/release/examples/synth}
work=${WORK:-/tmp/factgraph-spark}
partitions=${PARTITIONS:-4}
rows=${1:-1000000}

for bin in "$factgraph" "$synth"; do
    [ -x "$bin" ] || { echo "missing $bin (cargo build --release --bin factgraph --example synth)" >&2; exit 1; }
done
mkdir -p "$work"
data=$work/data-$rows
if [ ! -f "$data/.done" ]; then
    rm -rf "$data"
    "$synth" --rows "$rows" --out "$data" >&2
    touch "$data/.done"
fi
bytes=$(du -sb --exclude=.done "$data" | cut -f1)
load=$(cut -d' ' -f1-3 /proc/loadavg)

declare -a labels times cpus quads
# timed LABEL CMD...: runs CMD (stderr to $work/run.log), records wall and CPU seconds (user +
# system of the process and the children it waited for) and the quads it says it mapped.
timed() {
    local label=$1
    shift
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" 2>"$work/run.log"
    read -r wall user sys < "$work/time"
    labels+=("$label")
    times+=("$wall")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')")
    quads+=("$(grep -o 'into [0-9]* quads' "$work/run.log" | awk '{ n += $2 } END { print n + 0 }')")
}

timed "factgraph map (all cores)" \
    "$factgraph" map "$data" --no-check --format nquads -o "$work/plain.nq"
lines=$(wc -l < "$work/plain.nq")
rm -f "$work/plain.nq"

FACTGRAPH_THREADS=1 timed "factgraph map, 1 mapping thread" \
    "$factgraph" map "$data" --no-check --format nquads -o "$work/plain.nq"
rm -f "$work/plain.nq"

# The first and the last share alone: the last scans (N-1)/N of every file before its records.
for k in 0 $((partitions - 1)); do
    FACTGRAPH_THREADS=1 timed "factgraph map --partition $k/$partitions, 1 mapping thread" \
        "$factgraph" map "$data" --partition "$k/$partitions" --format nquads -o "$work/share.nq"
    rm -f "$work/share.nq"
done

declare -a notes
for master in "local[1]" "local[2]"; do
    out=$work/out
    rm -rf "$out"
    timed "spark-map $master, $partitions shares" \
        "$root/scripts/spark-map" --master "$master" --partitions "$partitions" --no-check \
        --factgraph "$factgraph" --out "$out" "$data"
    got=$(cat "$out"/part-*.nq | wc -l)
    if [ "$got" != "$lines" ]; then
        echo "spark-map $master: $got lines, map wrote $lines" >&2
        exit 1
    fi
    notes+=("$master: $(grep -o 'Spark start [0-9.]* s, slowest share [0-9.]* s' "$work/run.log")")
    quads[${#quads[@]} - 1]=$lines
    rm -rf "$out"
done

plain=${times[0]}
echo "synthetic data: $rows rows of memberships.csv, $((bytes / 1000000)) MB of CSV; $lines quads"
echo
echo "| run | wall s | CPU s | quads | quads/s (wall) | quads per CPU s | wall vs map |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for i in "${!labels[@]}"; do
    awk -v l="${labels[$i]}" -v t="${times[$i]}" -v c="${cpus[$i]}" -v q="${quads[$i]}" -v p="$plain" \
        'BEGIN { printf "| %s | %.1f | %s | %d | %.0f | %s | %.2f× |\n", l, t, (l ~ /spark/ ? "–" : c), q, q / t, (l ~ /spark/ ? "–" : sprintf("%.0f", q / c)), t / p }'
done
echo
for n in "${notes[@]}"; do echo "- $n"; done
echo "- load average before: $load"
