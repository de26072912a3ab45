#!/usr/bin/env bash
# Peak memory of `factgraph link --dump` on a synthetic 1 GB Wikidata dump.
#
#   bench/link_memory.sh [SIZE_MB] [WORKDIR]     (default 1000 MB in ${TMPDIR:-/tmp}/factgraph-link-bench)
#
# Writes the dump with bench/wikidata_dump.py (once; kept for re-runs), also as .gz, then runs
# `factgraph link data --dump DUMP -o OUT` under /usr/bin/time -v (apt-get install time) and
# prints the peak resident memory ("Maximum resident set size") and the wall time of each run.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb="${1:-1000}"
work="${2:-${TMPDIR:-/tmp}/factgraph-link-bench}"
mkdir -p "$work"
dump="$work/dump-${size_mb}mb.json"
if [ ! -s "$dump" ]; then
  python3 bench/wikidata_dump.py "$dump" "$size_mb"
fi
if [ ! -s "$dump.gz" ]; then
  gzip -1 -c "$dump" > "$dump.gz"
fi
if [ ! -x /usr/bin/time ]; then
  echo "needs GNU time: apt-get install -y time" >&2
  exit 1
fi
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/factgraph"
[ -x "$bin" ] || cargo build --release
for d in "$dump" "$dump.gz"; do
  out="$work/links.csv"
  rm -f "$out"
  /usr/bin/time -v "$bin" link data --dump "$d" -o "$out" 2> "$work/time.txt" >/dev/null || {
    cat "$work/time.txt" >&2
    exit 1
  }
  rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
  bytes=$(stat -c %s "$d")
  printf '%s (%d MB on disk): peak RSS %.1f MB, wall %s\n' "$(basename "$d")" $((bytes / 1000000)) "$(echo "$rss_kb / 1024" | bc -l)" "$wall"
  grep -E "entities \(|best" "$work/time.txt" | sed 's/^/  /'
done
