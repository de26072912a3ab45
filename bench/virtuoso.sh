#!/usr/bin/env bash
# Loading into Virtuoso at scale, measured in one go on the same synthetic data
# (examples/synth.rs, about 18 triples per row):
#
#   1. factgraph load          checks, mapping and the local store (with the ontology)
#   2. factgraph map           N-Quads, cut into SHARDS files part-NNNNN.nq of whole lines
#   3. Virtuoso bulk loader    ld_dir + LOADERS rdf_loader_run() at once + checkpoint (isql-vt)
#   4. factgraph push          the store into Virtuoso's /sparql-graph-crud-auth (Digest auth),
#                              each graph by PUT then POSTed chunks, on a fresh database
#
# and checks that Virtuoso then counts as many triples as the local store. Virtuoso runs on
# 127.0.0.1 with its own virtuoso.ini and a database under WORK, removed at the end. Prints a
# Markdown table.
#
#   bench/virtuoso.sh [ROWS]       (default 56000 rows: about 1M triples)
#
# Environment: TARGET (default ${CARGO_TARGET_DIR:-target}/release, holding factgraph and
# examples/synth: cargo build --release --bin factgraph --example synth), WORK (default
# /tmp/factgraph-virtuoso), SHARDS and LOADERS (default: the number of cores), BUFFERS
# (Virtuoso's NumberOfBuffers, 8 KB each; default 250000, about 2 GB), CHUNK (push
# --chunk-size, default its own).
set -euo pipefail

rows=${1:-56000}
root=$(cd "$(dirname "$0")/.." && pwd)
target=${TARGET:-${CARGO_TARGET_DIR:-$root/target}/release}
factgraph=$target/factgraph
synth=$target/examples/synth
work=${WORK:-/tmp/factgraph-virtuoso}
cores=$(nproc)
shards=${SHARDS:-$cores}
loaders=${LOADERS:-$cores}
buffers=${BUFFERS:-250000}
data_graph=https://w3id.org/factgraph/graph/data

for bin in "$factgraph" "$synth"; do
  [ -x "$bin" ] || { echo "missing $bin (cargo build --release --bin factgraph --example synth)" >&2; exit 1; }
done
for bin in virtuoso-t isql-vt; do
  command -v "$bin" >/dev/null || { echo "missing $bin (scripts/setup.sh --test installs it)" >&2; exit 1; }
done

mkdir -p "$work"
data=$work/data-$rows
store=$work/store-$rows.db
shard_dir=$work/shards-$rows
db=$work/virtuoso
[ -f "$data/memberships.csv" ] || "$synth" --rows "$rows" --out "$data" >/dev/null 2>&1

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "-" }'; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

vpid=""
stop_virtuoso() {
  if [ -n "$vpid" ]; then
    kill "$vpid" 2>/dev/null || true
    wait "$vpid" 2>/dev/null || true
    vpid=""
  fi
}
trap 'stop_virtuoso; rm -rf "$db"' EXIT

# Starts Virtuoso on fresh free ports with an empty database in $db; sets isql_port, http_port.
start_virtuoso() {
  stop_virtuoso
  rm -rf "$db"
  mkdir -p "$db"
  isql_port=$(free_port)
  http_port=$(free_port)
  cat >"$db/virtuoso.ini" <<EOF
[Database]
DatabaseFile = $db/virtuoso.db
ErrorLogFile = $db/virtuoso.log
LockFile = $db/virtuoso.lck
TransactionFile = $db/virtuoso.trx
xa_persistent_file = $db/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = $db/virtuoso-temp.db
TransactionFile = $db/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:$isql_port
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = $buffers
MaxDirtyBuffers = $((buffers * 3 / 4))
DirsAllowed = ., $shard_dir
CaseMode = 2

[HTTPServer]
ServerPort = 127.0.0.1:$http_port
ServerThreads = 4
MaxClientConnections = 4

[SPARQL]
ResultSetMaxRows = 100000
EOF
  (cd "$db" && exec virtuoso-t +foreground +configfile "$db/virtuoso.ini" >"$db/stdout.log" 2>&1) &
  vpid=$!
  # Wait for "Server online" in its log before touching the ports: 7.2.5 crashed once (GPF in
  # Dkernel.c) while its ports were polled as it started up.
  local i
  for i in $(seq 1 600); do
    if grep -q 'Server online at' "$db/virtuoso.log" 2>/dev/null; then
      if (exec 3<>"/dev/tcp/127.0.0.1/$isql_port") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$http_port") 2>/dev/null; then
        return 0
      fi
    fi
    kill -0 "$vpid" 2>/dev/null || break
    sleep 0.2
  done
  echo "virtuoso-t did not listen on 127.0.0.1:$isql_port and :$http_port; its log ends with:" >&2
  tail -n 30 "$db/virtuoso.log" "$db/stdout.log" >&2 || true
  exit 1
}

isql() {
  local out
  out=$(isql-vt "127.0.0.1:$isql_port" dba dba "exec=$1" 2>&1)
  if grep -q '\*\*\* Error' <<<"$out"; then
    echo "isql-vt failed on $1: $out" >&2
    echo "virtuoso.log ends with:" >&2
    tail -n 30 "$db/virtuoso.log" >&2 || true
    exit 1
  fi
  printf '%s\n' "$out"
}
# The first number isql prints alone on a line (the value of a one-cell result).
isql_number() { isql "$1" | grep -E '^[0-9]+$' | head -n 1; }
local_number() { "$factgraph" query --format csv --store "$store" "$1" | sed -n 2p | tr -d '\r'; }

echo "bench/virtuoso.sh: $rows rows of synthetic data in $data; $cores cores; Virtuoso $(virtuoso-t --help 2>&1 | sed -n 2p)" >&2

# 1. factgraph load
rm -rf "$store"
t0=$(now)
"$factgraph" load --quiet --store "$store" "$data"
t1=$(now)
load_s=$(secs "$t0" "$t1")
# The query's default graph is the union of the store's graphs, each quad once: all quads.
local_total=$(local_number 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }')
local_named=$(local_number 'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }')
local_data=$((local_total - local_named))

# 2. factgraph map into shards
rm -rf "$shard_dir"
mkdir -p "$shard_dir"
t0=$(now)
# The shares of `map --partition`, as scripts/spark-map writes them, one after the other.
for ((k = 0; k < shards; k++)); do
  "$factgraph" map --quiet --format nquads --partition "$k/$shards" \
    --output "$shard_dir/part-$(printf %05d "$k").nq" "$data"
done
t1=$(now)
map_s=$(secs "$t0" "$t1")
lines=$(cat "$shard_dir"/part-*.nq | wc -l)

# 3. Virtuoso's bulk loader
start_virtuoso
t0=$(now)
isql "ld_dir('$shard_dir', '*.nq', '$data_graph');" >/dev/null
pids=()
for _ in $(seq 1 "$loaders"); do
  isql "rdf_loader_run();" >/dev/null &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
isql "checkpoint;" >/dev/null
t1=$(now)
bulk_s=$(secs "$t0" "$t1")
failed=$(isql_number "SELECT COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_state <> 2 OR ll_error IS NOT NULL;")
bulk_count=$(isql_number "SPARQL SELECT COUNT(*) FROM <$data_graph> WHERE { ?s ?p ?o };")
[ "$failed" = 0 ] || { echo "bulk load: $failed files not loaded:" >&2; isql "SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST;" >&2; exit 1; }

# 4. factgraph push into a fresh database
start_virtuoso
t0=$(now)
"$factgraph" push --quiet --store "$store" \
  --endpoint "http://127.0.0.1:$http_port/sparql-graph-crud-auth" \
  --default-graph-to "$data_graph" --user dba --password dba --auth digest \
  ${CHUNK:+--chunk-size "$CHUNK"}
t1=$(now)
push_s=$(secs "$t0" "$t1")
push_data=$(isql_number "SPARQL SELECT COUNT(*) FROM <$data_graph> WHERE { ?s ?p ?o };")
push_onto=$(isql_number "SPARQL SELECT COUNT(*) FROM <https://w3id.org/factgraph/graph/ontology> WHERE { ?s ?p ?o };")
push_total=$((push_data + push_onto))
stop_virtuoso

printf '\n%s rows → %s triples in the default graph (%s N-Quads lines), %s in the ontology graph; %s cores\n\n' \
  "$rows" "$local_data" "$lines" "$local_named" "$cores"
echo "| step | triples | seconds | triples/s | Virtuoso counts |"
echo "| --- | ---: | ---: | ---: | ---: |"
echo "| \`factgraph load\` (checks, mapping, local store) | $local_total | $load_s | $(rate "$local_total" "$load_s") | |"
echo "| \`factgraph map --partition\` → $shards N-Quads shards | $lines | $map_s | $(rate "$lines" "$map_s") | |"
echo "| Virtuoso bulk load ($loaders × \`rdf_loader_run\`, \`checkpoint\`) | $lines | $bulk_s | $(rate "$lines" "$bulk_s") | $bulk_count |"
echo "| map + bulk load | $lines | $(awk -v a="$map_s" -v b="$bulk_s" 'BEGIN { printf "%.1f", a + b }') | $(rate "$lines" "$(awk -v a="$map_s" -v b="$bulk_s" 'BEGIN { print a + b }')") | |"
echo "| \`factgraph push\` → Virtuoso (Digest, chunks of ${CHUNK:-100000}) | $local_total | $push_s | $(rate "$local_total" "$push_s") | $push_total |"

status=0
if [ "$bulk_count" != "$local_data" ]; then
  echo "MISMATCH: the bulk load gave $bulk_count triples in <$data_graph>, the store has $local_data in its default graph" >&2
  status=1
fi
if [ "$push_total" != "$local_total" ]; then
  echo "MISMATCH: push gave $push_total triples in Virtuoso, the store has $local_total" >&2
  status=1
fi
exit $status
