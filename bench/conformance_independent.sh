#!/usr/bin/env bash
# Runs the RML-Core CSV cases through the factgraph binary and judges the output with an
# independent RDF library (rdflib, through bench/same_graph.py), not with factgraph's own code.
#
#   bench/conformance_independent.sh [SUITE_DIR]
#
# SUITE_DIR defaults to $FACTGRAPH_RML_CORE_TESTS or ../shared/conformance/rml-core-csv.
set -uo pipefail
cd "$(dirname "$0")/.."
suite=${1:-${FACTGRAPH_RML_CORE_TESTS:-../shared/conformance/rml-core-csv}}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/factgraph/target}"
cargo build --release --quiet || exit 1
bin="$CARGO_TARGET_DIR/release/factgraph"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
while IFS=, read -r id _; do
  [ "$id" = ID ] && continue
  error=$(grep "^$id," "$suite/metadata.csv" | awk -F, '{print $NF}' | tr -d '\r')
  out="$work/$id.nq"
  if "$bin" map --quiet --mapping "$suite/$id/mapping.ttl" --base http://example.com/base/ --format nquads -o "$out" 2>"$work/err"; then
    if [ "$error" = true ]; then
      echo "FAIL $id: expected an error"; failed=$((failed + 1))
    elif bench/same_graph.py "$out" "$suite/$id/output.nq" >"$work/cmp" 2>&1; then
      passed=$((passed + 1))
    else
      echo "FAIL $id:"; cat "$work/cmp"; failed=$((failed + 1))
    fi
  else
    code=$?
    if [ "$error" = true ] && [ "$code" -eq 2 ]; then
      passed=$((passed + 1))
    else
      echo "FAIL $id: exit $code: $(cat "$work/err")"; failed=$((failed + 1))
    fi
  fi
done < "$suite/metadata.csv"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
