#!/usr/bin/env bash
# Side-by-side benchmark of factgraph against Morph-KGC and Oxigraph's own bulk loader.
#
#   bench/run.sh [N...]          for each N (default: 100000 1000000): synthetic data with N rows in
#                                the largest table, then, on the same files:
#                                  factgraph map → N-Triples, Morph-KGC 2.10 → N-Quads (same mapping),
#                                  factgraph load → new store, Oxigraph's bulk loader on factgraph's
#                                  N-Triples → new store;
#                                checks that factgraph and Morph-KGC produce the same set of triples,
#                                and writes the table into BENCH.md (between its results markers).
#   bench/run.sh --json [MB]     a JSON array of MB megabytes (default 1024): factgraph map (streamed)
#                                beside Morph-KGC 2.10 on the same file and mapping, wall time, peak
#                                RSS, and whether the two outputs are the same triples
#                                (bench/json_stream.sh)
#   bench/run.sh --memory [N]    factgraph map's peak memory on ≥10 million triples (default N:
#                                600000, ≈11M triples); written between BENCH.md's memory markers.
#
# Every step is timed (wall clock, and CPU time: user + system of the process and its children)
# and its peak RSS taken from `/usr/bin/time -v` (the largest process); the RSS summed over the
# process tree is also sampled every 0.2 s, which matters for Morph-KGC (a pool of worker
# processes). Throughput is distinct triples of the mapped graph per second of wall time, the same
# numerator for every tool. Before each timed step the script waits (up to BENCH_IDLE_WAIT seconds,
# default 600) for the CPUs to be idle, and records how busy they were.
#
# Environment: SKIP_MORPH=1 skips Morph-KGC; MORPH_MAX_SECONDS (default 900) skips it when the rate
# measured at a smaller N predicts a longer run; BENCH_WORK (default /tmp/factgraph-bench) holds the
# data (≈15 GB at N=1000000; removed afterwards unless KEEP=1); BENCH_MD (default BENCH.md);
# SEED (default 42); CARGO_TARGET_DIR (default ~/.cache/factgraph/target); FACTGRAPH_VENV (the venv
# of bench/morph_kgc.sh, which also provides pyoxigraph for the comparison).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/factgraph/target}
work=${BENCH_WORK:-/tmp/factgraph-bench}
bench_md=${BENCH_MD:-$root/BENCH.md}
morph_max=${MORPH_MAX_SECONDS:-900}
venv=${FACTGRAPH_VENV:-$HOME/.cache/factgraph/venv}
seed=${SEED:-42}

mode=compare
if [ "${1:-}" = "--json" ]; then
  exec "$root/bench/json_stream.sh" "${2:-1024}" --morph
fi
if [ "${1:-}" = "--memory" ]; then
  mode=memory
  shift
  [ $# -le 1 ] || { echo "usage: $0 --memory [N]" >&2; exit 1; }
  sizes=("${1:-600000}")
else
  sizes=("$@")
  [ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
fi
for n in "${sizes[@]}"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "$0: N must be a number, got \"$n\"" >&2; exit 1; }
done

log() { echo "bench: $*" >&2; }

if [ ! -x /usr/bin/time ]; then
  log "installing GNU time (/usr/bin/time)"
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

log "building (release) in $CARGO_TARGET_DIR"
(cd "$root" && cargo build --release --bin factgraph --example synth --example oxigraph_bulk_load)
# Copies, so that another build into the same target directory cannot swap them mid-run.
mkdir -p "$work/bin"
cp "$CARGO_TARGET_DIR/release/factgraph" "$CARGO_TARGET_DIR/release/examples/synth" \
  "$CARGO_TARGET_DIR/release/examples/oxigraph_bulk_load" "$work/bin/"
fg=$work/bin/factgraph
synth=$work/bin/synth
peer=$work/bin/oxigraph_bulk_load
results=$work/results-$mode.tsv
: >"$results"
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$results"; }

# Sum of the RSS (KiB) of a process and all its descendants.
tree_rss() {
  ps -e -o pid=,ppid=,rss= | awk -v root="$1" '
    { parent[$1] = $2; rss[$1] = $3 }
    END {
      total = 0
      for (p in rss) {
        q = p
        while (q != "" && q != 0 && q != 1) { if (q == root) { total += rss[p]; break } q = parent[q] }
      }
      print total
    }'
}

# Percentage of CPU time busy over the next second (all cores), from /proc/stat.
cpu_busy() {
  local a b
  a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
  sleep 1
  b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); busy = y[1] - x[1]; idle = y[2] - x[2];
    printf "%d", (busy + idle) ? 100 * busy / (busy + idle) : 0 }'
}

# Waits (at most BENCH_IDLE_WAIT seconds, default 600) until other processes leave the CPUs
# mostly idle (< 15 % busy), so that a timed step does not share them; records what it saw.
wait_idle() {
  local n=$1 key=$2 waited=0 busy
  busy=$(cpu_busy)
  while [ "$busy" -ge 15 ] && [ "$waited" -lt "${BENCH_IDLE_WAIT:-600}" ]; do
    [ "$waited" -eq 0 ] && log "waiting for the CPUs to be idle ($busy % busy) before $key"
    sleep 4
    waited=$((waited + 5))
    busy=$(cpu_busy)
  done
  record "$n" "$key.busy_before" "$busy"
}

# measure N KEY CMD...: runs CMD (stdout → KEY.out, stderr → KEY.err in the run directory) and
# records KEY.seconds, KEY.rss_kb (GNU time, largest process) and KEY.tree_rss_kb (sampled).
measure() {
  local n=$1 key=$2
  shift 2
  local tf="$run/$key.time" peak=0 s rc=0
  local t0 t1
  wait_idle "$n" "$key"
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$tf" "$@" >"$run/$key.out" 2>"$run/$key.err" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    s=$(tree_rss "$pid")
    [ "$s" -gt "$peak" ] && peak=$s
    sleep 0.2
  done
  wait "$pid" || rc=$?
  t1=$(date +%s.%N)
  if [ "$rc" -ne 0 ]; then
    log "$key failed (exit $rc):"
    tail -n 20 "$run/$key.err" >&2
    return "$rc"
  fi
  local secs rss cpu
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tf")
  cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { t += $2 } END { printf "%.2f", t }' "$tf")
  record "$n" "$key.seconds" "$secs"
  record "$n" "$key.cpu_seconds" "$cpu"
  record "$n" "$key.rss_kb" "$rss"
  record "$n" "$key.tree_rss_kb" "$peak"
  log "$key: ${secs} s (CPU ${cpu} s), max RSS $((rss / 1024)) MiB (tree ≈ $((peak / 1024)) MiB)"
}

record meta date "$(date -u +%Y-%m-%dT%H:%MZ)"
record meta nproc "$(nproc)"
record meta cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
record meta mem_kb "$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)"
record meta kernel "$(uname -sr)"
record meta loadavg_start "$(cut -d' ' -f1-3 /proc/loadavg)"
dirty=""
[ -z "$(git -C "$root" status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null)" ] || dirty=" + uncommitted changes to src/, Cargo.toml or Cargo.lock"
record meta factgraph "$("$fg" --version 2>/dev/null | head -n1) (commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$dirty)"
record meta oxigraph "$(awk '/^name = "oxigraph"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock")"
record meta rustc "$(rustc --version)"
record meta seed "$seed"

morph_rate=""  # distinct triples per second measured on the previous N
if [ "$mode" = compare ] && [ "${SKIP_MORPH:-0}" != 1 ]; then
  log "warming up Morph-KGC on data/ (creates its venv when missing; not timed)"
  bash "$root/bench/morph_kgc.sh" "$root/data/mapping.rml.ttl" "$work/warmup.nq" 2>/dev/null
  rm -f "$work/warmup.nq"
  record meta morph_kgc "$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("morph-kgc"))')"
  record meta python "$("$venv/bin/python" -c 'import sys; print(sys.version.split()[0])')"
  record meta pyoxigraph "$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("pyoxigraph"))')"
fi

for n in "${sizes[@]}"; do
  run=$work/n$n
  rm -rf "$run"
  mkdir -p "$run"
  log "N=$n: generating"
  measure "$n" synth "$synth" --rows "$n" --out "$run/csv" --seed "$seed"
  record "$n" csv_rows "$(awk '/^synth: / { print $2 }' "$run/synth.err")"
  record "$n" csv_bytes "$(cat "$run"/csv/*.csv | wc -c)"

  log "N=$n: factgraph map"
  measure "$n" map "$fg" map "$run/csv" --format ntriples -o "$run/factgraph.nt"
  lines=$(wc -l <"$run/factgraph.nt")
  record "$n" map.lines "$lines"
  record "$n" map.bytes "$(wc -c <"$run/factgraph.nt")"

  if [ "$mode" = memory ]; then
    record "$n" distinct "$(LC_ALL=C sort -u -S 25% --parallel=2 -T "$run" "$run/factgraph.nt" | wc -l)"
    [ "${KEEP:-0}" = 1 ] || rm -rf "$run"
    continue
  fi

  log "N=$n: factgraph load"
  measure "$n" load "$fg" load "$run/csv" --store "$run/store-factgraph"
  record "$n" load.quads "$(sed -n 's/^loaded \([0-9]*\) quads.*/\1/p' "$run/load.err" | head -n1)"

  log "N=$n: Oxigraph bulk loader on factgraph's N-Triples"
  measure "$n" peer "$peer" "$run/factgraph.nt" "$run/store-oxigraph"
  record "$n" peer.quads "$(awk '$1 == "quads" { print $2 }' "$run/peer.out")"
  record "$n" peer.load_seconds "$(awk '$1 == "seconds" { print $2 }' "$run/peer.out")"
  rm -rf "$run/store-factgraph" "$run/store-oxigraph"

  morph=no
  if [ "${SKIP_MORPH:-0}" = 1 ]; then
    record "$n" morph.skipped "SKIP_MORPH=1"
  elif [ -n "$morph_rate" ] && awk -v l="$lines" -v r="$morph_rate" -v m="$morph_max" 'BEGIN { exit !(l / r > m) }'; then
    est=$(awk -v l="$lines" -v r="$morph_rate" 'BEGIN { printf "%.0f", l / r / 60 }')
    record "$n" morph.skipped "estimated ${est} min at the rate measured on a smaller N (limit $((morph_max / 60)) min)"
    log "N=$n: skipping Morph-KGC (≈${est} min expected)"
  else
    log "N=$n: Morph-KGC"
    if measure "$n" morph bash "$root/bench/morph_kgc.sh" "$run/csv/mapping.rml.ttl" "$run/morph.nq"; then
      record "$n" morph.lines "$(wc -l <"$run/morph.nq")"
      morph=yes
    else
      record "$n" morph.skipped "failed: $(tail -n 1 "$run/morph.err" | cut -c1-200)"
    fi
  fi

  if [ "$morph" = yes ]; then
    log "N=$n: comparing factgraph's and Morph-KGC's triples"
    rc=0
    "$venv/bin/python" "$root/bench/compare_nt.py" "$run/factgraph.nt" "$run/morph.nq" --work "$run/compare" \
      >"$run/compare.out" 2>"$run/compare.err" || rc=$?
    [ "$rc" -le 1 ] || { cat "$run/compare.err" >&2; exit 1; }
    while IFS='=' read -r k v; do record "$n" "compare.$k" "$v"; done <"$run/compare.out"
    record "$n" distinct "$(awk -F= '$1 == "distinct_a" { print $2 }' "$run/compare.out")"
    if [ "$rc" -eq 1 ]; then
      log "N=$n: the outputs DIFFER:"
      cat "$run/compare.err" >&2
      record "$n" compare.examples "$(tr '\n' ' ' <"$run/compare.err" | cut -c1-2000)"
    fi
    morph_rate=$(awk -v d="$(awk -F= '$1 == "distinct_b" { print $2 }' "$run/compare.out")" \
      -v s="$(awk -F'\t' -v n="$n" '$1 == n && $2 == "morph.seconds" { print $3 }' "$results")" 'BEGIN { print d / s }')
  else
    record "$n" distinct "$(LC_ALL=C sort -u -S 25% --parallel=2 -T "$run" "$run/factgraph.nt" | wc -l)"
  fi
  [ "${KEEP:-0}" = 1 ] || rm -rf "$run"
done
record meta loadavg_end "$(cut -d' ' -f1-3 /proc/loadavg)"

python3 "$root/bench/report.py" "$mode" "$results" "$bench_md"
