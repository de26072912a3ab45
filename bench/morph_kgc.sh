#!/usr/bin/env bash
# Runs Morph-KGC 2.10 (an independent RML processor) on an RML mapping and writes N-Quads.
#
#   bench/morph_kgc.sh MAPPING OUT.nq
#
# The Python venv lives at ${FACTGRAPH_MORPH_VENV:-$HOME/.cache/factgraph/morph-venv} (its own:
# Morph-KGC pins an rdflib that pySHACL, in the tests' venv, cannot use); it is created and
# morph-kgc 2.10 installed there (from PyPI) when missing. Relative sources are resolved as RML
# says: against the mapping's directory (rml:MappingDirectory) or the caller's working directory.
# Morph-KGC's log goes to stderr; its warnings and errors make this script fail.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 MAPPING OUT.nq" >&2
  exit 1
fi

mapping=$(realpath -- "$1")
out=$(realpath -m -- "$2")
[ -f "$mapping" ] || { echo "$0: no mapping at $1" >&2; exit 1; }

venv=${FACTGRAPH_MORPH_VENV:-$HOME/.cache/factgraph/morph-venv}
if ! "$venv/bin/python" -c 'import morph_kgc, sys; from importlib.metadata import version; sys.exit(not version("morph-kgc").startswith("2.10."))' 2>/dev/null; then
  echo "$0: installing morph-kgc 2.10 into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'morph-kgc==2.10.*' >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Morph-KGC 2.10 reads rml:source only as a literal path: it does not know RML-IO's
# rml:RelativePathSource (rml:root, rml:path) and would take the source node's id for a file
# name. Rewrite each such source into the literal absolute path it denotes; nothing else changes.
"$venv/bin/python" - "$mapping" "$work/mapping.ttl" <<'PY'
import os, sys
import rdflib
from rdflib import Literal, Namespace

RML = Namespace("http://w3id.org/rml/")
src_file, dst_file = sys.argv[1], sys.argv[2]
g = rdflib.Graph()
g.parse(src_file, format="turtle")
roots = {RML.MappingDirectory: os.path.dirname(src_file), RML.CurrentWorkingDirectory: os.getcwd()}
for ls, source in list(g.subject_objects(RML.source)):
    path = g.value(source, RML.path)
    if path is None:
        continue
    root = g.value(source, RML.root, default=RML.CurrentWorkingDirectory)
    if isinstance(root, Literal):
        base = str(root)
    elif root in roots:
        base = roots[root]
    else:
        sys.exit(f"unsupported rml:root {root}")
    g.remove((ls, RML.source, source))
    g.remove((source, None, None))
    g.add((ls, RML.source, Literal(os.path.join(base, str(path)))))
g.serialize(dst_file, format="turtle")
PY

cat >"$work/config.ini" <<EOF
[CONFIGURATION]
output_file: $work/out.nq
output_format: N-QUADS
na_values:
logging_level: WARNING

[DataSource]
mappings: $work/mapping.ttl
EOF

(cd "$(dirname "$mapping")" && "$venv/bin/python" -m morph_kgc "$work/config.ini") 2>"$work/log" || {
  cat "$work/log" >&2
  exit 1
}
cat "$work/log" >&2
if grep -qE 'WARNING|ERROR|CRITICAL' "$work/log"; then
  echo "$0: Morph-KGC reported warnings or errors (above)" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
mv "$work/out.nq" "$out"
echo "$0: $(wc -l <"$out") quads in $out" >&2
