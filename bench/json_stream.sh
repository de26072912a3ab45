#!/usr/bin/env bash
# Peak memory of `factgraph map` on a large JSON array (streamed element by element), beside
# Morph-KGC on the same file when asked.
#
#   bench/json_stream.sh [SIZE_MB] [--morph]
#
# Writes BENCH_WORK (default /tmp/factgraph-json-bench)/people.json: one top-level object whose
# "people" array holds SIZE_MB (default 1024) megabytes of records (id, name, email, org, age,
# nested address), and a mapping iterating `$.people[*]` with five predicate-object maps and
# references written as plain names (`name`, `address.city`: what Morph-KGC reads; factgraph
# reads them as `$.name`). Then runs the factgraph binary (default flags) and, with --morph, Morph-KGC 2.10 through
# bench/morph_kgc.sh (limited to MORPH_MAX_SECONDS, default 1800), each under /usr/bin/time -v,
# and prints wall time, peak RSS and triples.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
size_mb=1024
morph=0
for a in "$@"; do
  case "$a" in
    --morph) morph=1 ;;
    *[!0-9]*) echo "usage: $0 [SIZE_MB] [--morph]" >&2; exit 1 ;;
    *) size_mb=$a ;;
  esac
done
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/factgraph/target}
work=${BENCH_WORK:-/tmp/factgraph-json-bench}
mkdir -p "$work"
(cd "$root" && cargo build --release --quiet --bin factgraph)
bin="$CARGO_TARGET_DIR/release/factgraph"

if [ ! -f "$work/people.json" ] || [ "$(stat -c %s "$work/people.json")" -lt $((size_mb * 1000000)) ]; then
  echo "bench: writing $size_mb MB of JSON to $work/people.json" >&2
  python3 - "$work/people.json" "$size_mb" <<'PY'
import json, sys
path, size = sys.argv[1], int(sys.argv[2]) * 1_000_000
orgs = ["inetum", "amdie", "ocp", "maroc-telecom", "attijariwafa"]
with open(path, "w", encoding="utf-8") as f:
    f.write('{"source": "synthetic", "people": [\n')
    written, i = 0, 0
    while written < size:
        rec = {
            "id": i,
            "name": f"Personne {i} Zoë Krüger",
            "email": f"p{i}@example.org",
            "org": orgs[i % len(orgs)],
            "age": 20 + i % 50,
            "address": {"city": "Casablanca" if i % 2 else "Rabat", "country": "MA"},
        }
        line = ("," if i else "") + json.dumps(rec, ensure_ascii=False) + "\n"
        f.write(line)
        written += len(line.encode())
        i += 1
    f.write("]}\n")
print(f"{i} records", file=sys.stderr)
PY
fi
cat > "$work/mapping.rml.ttl" <<'TTL'
@prefix rml: <http://w3id.org/rml/> .
@prefix ex: <http://example.com/> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:People a rml:TriplesMap ;
  rml:logicalSource [ a rml:LogicalSource ;
    rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path "people.json" ] ;
    rml:referenceFormulation rml:JSONPath ; rml:iterator "$.people[*]" ] ;
  rml:subjectMap [ rml:template "http://example.com/person/{id}" ; rml:class schema:Person ] ;
  rml:predicateObjectMap
    [ rml:predicate schema:name ; rml:objectMap [ rml:reference "name" ] ] ,
    [ rml:predicate schema:email ; rml:objectMap [ rml:reference "email" ] ] ,
    [ rml:predicate schema:worksFor ; rml:objectMap [ rml:template "http://example.com/org/{org}" ] ] ,
    [ rml:predicate ex:age ; rml:objectMap [ rml:reference "age" ; rml:datatype xsd:integer ] ] ,
    [ rml:predicate schema:addressLocality ; rml:objectMap [ rml:reference "address.city" ] ] .
TTL

echo "| tool | exit | wall | peak RSS | output |"
echo "| --- | --- | --- | --- | --- |"
start=$(date +%s.%N)
/usr/bin/time -v "$bin" map "$work" --quiet --format nquads -o "$work/factgraph.nq" 2>"$work/factgraph.time" && code=0 || code=$?
end=$(date +%s.%N)
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/factgraph.time")
printf '| factgraph map | %s | %.1f s | %d MB | %s triples |\n' "$code" "$(echo "$end - $start" | bc)" "$((rss / 1024))" "$(wc -l <"$work/factgraph.nq")"
if [ "$morph" = 1 ]; then
  start=$(date +%s.%N)
  timeout "${MORPH_MAX_SECONDS:-1800}" /usr/bin/time -v "$root/bench/morph_kgc.sh" "$work/mapping.rml.ttl" "$work/morph.nq" 2>"$work/morph.time" && code=0 || code=$?
  end=$(date +%s.%N)
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/morph.time")
  printf '| Morph-KGC 2.10 | %s | %.1f s | %d MB | %s triples |\n' "$code" "$(echo "$end - $start" | bc)" "$(( ${rss:-0} / 1024))" "$(wc -l <"$work/morph.nq" 2>/dev/null || echo 0)"
fi
if [ "$morph" = 1 ] && [ -s "$work/morph.nq" ]; then
  # Morph-KGC ends lines with "  ." (two spaces): normalise before comparing.
  if cmp -s <(sed 's/ *\.$/ ./' "$work/factgraph.nq" | LC_ALL=C sort -u) <(sed 's/ *\.$/ ./' "$work/morph.nq" | LC_ALL=C sort -u); then
    echo "same triples from both tools"
  else
    echo "the two outputs differ"
  fi
fi
rm -f "$work/factgraph.nq" "$work/morph.nq"
