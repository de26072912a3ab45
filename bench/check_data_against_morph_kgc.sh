#!/usr/bin/env bash
# Maps data/ (or DIR) with factgraph and with Morph-KGC 2.10 and checks both give the same graph.
#
#   bench/check_data_against_morph_kgc.sh [DIR]
#
# Needs network access to PyPI the first time (bench/morph_kgc.sh makes a venv).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-data}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/factgraph/target}"
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$CARGO_TARGET_DIR/release/factgraph" map "$dir" --format nquads -o "$work/factgraph.nq"
for m in "$dir"/*.rml.ttl; do
  bench/morph_kgc.sh "$m" "$work/morph-$(basename "$m").nq"
done
cat "$work"/morph-*.nq > "$work/morph.nq"
bench/same_graph.py "$work/factgraph.nq" "$work/morph.nq"
