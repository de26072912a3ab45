#!/usr/bin/env bash
# What one RML-FNML function per row costs: the same CSV mapping with and without a
# grel:toUpperCase on one object, through the binary (default flags), best of RUNS runs each,
# alternating.
#
#   bench/functions.sh [ROWS] [RUNS]     (defaults: 1000000 rows, 3 runs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rows=${1:-1000000}
runs=${2:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/factgraph/target}
(cd "$root" && cargo build --release --quiet --bin factgraph)
bin="$CARGO_TARGET_DIR/release/factgraph"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/plain" "$work/function"
awk -v n="$rows" 'BEGIN { print "id,name,city,age"; for (i = 0; i < n; i++) printf "p%d,Personne %d Zoë,Casablanca %d,%d\n", i, i, i % 97, 20 + i % 50 }' > "$work/plain/people.csv"
cp "$work/plain/people.csv" "$work/function/people.csv"
head() {
  cat <<'TTL'
@prefix rml: <http://w3id.org/rml/> .
@prefix grel: <http://users.ugent.be/~bjdmeest/function/grel.ttl#> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<#People> a rml:TriplesMap ;
  rml:logicalSource [ rml:referenceFormulation rml:CSV ;
    rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path "people.csv" ] ] ;
  rml:subjectMap [ rml:template "http://example.com/person/{id}" ; rml:class schema:Person ] ;
  rml:predicateObjectMap
    [ rml:predicate schema:address ; rml:objectMap [ rml:reference "city" ] ] ,
    [ rml:predicate schema:age ; rml:objectMap [ rml:reference "age" ; rml:datatype xsd:integer ] ] ,
TTL
}
{ head; echo '    [ rml:predicate schema:name ; rml:objectMap [ rml:reference "name" ] ] .'; } > "$work/plain/m.rml.ttl"
{ head; cat <<'TTL'
    [ rml:predicate schema:name ; rml:objectMap [ rml:functionExecution [
        rml:function grel:toUpperCase ;
        rml:input [ rml:parameter grel:valueParam ; rml:inputValueMap [ rml:reference "name" ] ] ] ;
      rml:return grel:stringOut ] ] .
TTL
} > "$work/function/m.rml.ttl"

best() { sort -n | sed -n 1p; }
declare -A times
for ((r = 0; r < runs; r++)); do
  for v in plain function; do
    s=$(date +%s.%N)
    "$bin" map "$work/$v" --quiet -o /dev/null
    e=$(date +%s.%N)
    times[$v]+="$(echo "$e - $s" | bc) "
  done
done
p=$(echo "${times[plain]}" | tr ' ' '\n' | grep . | best)
f=$(echo "${times[function]}" | tr ' ' '\n' | grep . | best)
echo "| mapping ($rows rows, 4 triples a row) | best of $runs |"
echo "| --- | ---: |"
echo "| plain | $p s |"
echo "| one grel:toUpperCase per row | $f s |"
echo "ratio: $(echo "scale=2; $f / $p" | bc)×"
