#!/usr/bin/env python3
"""Tell whether two RDF files hold the same RDF dataset.

    bench/same_graph.py A.nq B.nq
    bench/same_graph.py --pairs < PAIRS     (lines "A.nq<TAB>B.nq"; prints one line a pair:
                                            "same" or "different: …"; exit 0)

Prints "same graph: N quads" and exits 0 when they do, with blank nodes equal up to renaming,
"x" equal to "x"^^xsd:string and language tags compared without regard to case (RDF 1.1).
Otherwise prints the quads found on one side only (at most 20 a side, blank nodes in a
canonical labelling) and exits 1. Exit 2 for a usage or parse error.

Files are read by extension: .nq, .nt, .ttl, .trig, .n3, .jsonld, .rdfxml/.rdf/.xml, .rdfjson
(RDF 1.1 JSON Alternate Serialization), each possibly compressed (.gz, .zip, .tar.gz, .tar.xz:
the archive's one file) and in UTF-8 or UTF-16 (told by its byte order mark), as the RML-IO
logical targets are written.

Needs rdflib: run it with the venv of bench/morph_kgc.sh, or it re-runs itself there when
the interpreter it was started with has no rdflib.
"""
import os
import sys

try:
    import rdflib
except ImportError:  # pragma: no cover - depends on the interpreter
    venv = os.environ.get("FACTGRAPH_VENV", os.path.expanduser("~/.cache/factgraph/venv"))
    venv_python = os.path.join(venv, "bin", "python")
    if os.path.exists(venv_python) and os.path.realpath(sys.prefix) != os.path.realpath(venv):
        os.execv(venv_python, [venv_python, *sys.argv])
    sys.exit("same_graph.py: needs rdflib (pip install rdflib, or create the venv with bench/morph_kgc.sh)")

from urllib.parse import quote, unquote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import RDF, XSD

# Keep lexical forms as written: "01"^^xsd:integer and "1"^^xsd:integer are different terms.
rdflib.NORMALIZE_LITERALS = False

SHOWN = 20
GRAPH_PREFIX = "urn:x-same-graph:"      # a quad in named graph G becomes a triple with predicate G/p
QUAD = URIRef(GRAPH_PREFIX + "quad")     # a quad in a blank-node graph is reified
Q_GRAPH, Q_S, Q_P, Q_O = RDF.type, RDF.subject, RDF.predicate, RDF.object


def norm(term):
    if isinstance(term, Literal):
        if term.datatype == XSD.string:
            return Literal(str(term))
        if term.language:
            return Literal(str(term), lang=term.language.lower())
    return term


class Unreadable(Exception):
    pass


FORMATS = {".nq": "nquads", ".nt": "nt", ".ttl": "turtle", ".trig": "trig", ".n3": "n3",
           ".jsonld": "json-ld", ".rdfxml": "xml", ".rdf": "xml", ".xml": "xml", ".rdfjson": "rdfjson"}
QUAD_FORMATS = {"nquads", "trig", "json-ld"}


def unpack(path):
    """(name of the content, its bytes): the file itself, or the one file of its archive."""
    import gzip
    import tarfile
    import zipfile
    if path.endswith((".tar.gz", ".tar.xz")):
        with tarfile.open(path) as t:
            members = [m for m in t.getmembers() if m.isfile()]
            if len(members) != 1:
                raise Unreadable(f"{path}: expected one file in the archive, found {len(members)}")
            return members[0].name, t.extractfile(members[0]).read()
    if path.endswith(".zip"):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if not n.endswith("/")]
            if len(names) != 1:
                raise Unreadable(f"{path}: expected one file in the archive, found {len(names)}")
            return names[0], z.read(names[0])
    if path.endswith(".gz"):
        with gzip.open(path) as f:
            return path[:-3], f.read()
    with open(path, "rb") as f:
        return path, f.read()


def text_of(data):
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def rdf_json(text):
    """The triples of an RDF/JSON document (values that are JSON numbers read as their text)."""
    import json
    doc = json.loads(text)
    def node(v):
        return BNode(v[2:]) if v.startswith("_:") else URIRef(v)
    for s, preds in doc.items():
        for p, objects in preds.items():
            for o in objects:
                value = o["value"] if isinstance(o["value"], str) else json.dumps(o["value"])
                if o["type"] == "uri":
                    obj = URIRef(value)
                elif o["type"] == "bnode":
                    obj = node(value)
                elif "lang" in o:
                    obj = Literal(value, lang=o["lang"])
                elif "datatype" in o:
                    obj = Literal(value, datatype=URIRef(o["datatype"]))
                else:
                    obj = Literal(value)
                yield node(s), URIRef(p), obj


def read(path):
    """The quads of an RDF file, as a set of (s, p, o, g) with g None for the default graph."""
    try:
        name, data = unpack(path)
        ext = os.path.splitext(name)[1].lower()
        fmt = FORMATS.get(ext)
        if fmt is None:
            raise Unreadable(f"{path}: unknown RDF extension {ext!r}")
        text = text_of(data)
        raw = []
        if fmt == "rdfjson":
            raw = [(s, p, o, None) for s, p, o in rdf_json(text)]
        elif fmt in QUAD_FORMATS:
            ds = rdflib.Dataset()
            ds.parse(data=text, format=fmt)
            for s, p, o, g in ds.quads((None, None, None, None)):
                gid = getattr(g, "identifier", g)
                if gid is None or gid == rdflib.graph.DATASET_DEFAULT_GRAPH_ID:
                    gid = None
                raw.append((s, p, o, gid))
        else:
            g = Graph()
            g.parse(data=text, format=fmt)
            raw = [(s, p, o, None) for s, p, o in g]
    except Unreadable:
        raise
    except Exception as e:  # rdflib raises several kinds
        raise Unreadable(f"cannot read {path}: {e}") from e
    return {(norm(s), p, norm(o), gid) for s, p, o, gid in raw}


def has_bnode(q):
    return any(isinstance(t, BNode) for t in q)


def encode(quads):
    """Quads with blank nodes as one graph, so that rdflib can compare them up to renaming."""
    g = Graph()
    for s, p, o, gid in quads:
        if gid is None:
            g.add((s, p, o))
        elif isinstance(gid, URIRef):
            g.add((s, URIRef(GRAPH_PREFIX + quote(str(gid), safe="") + "/" + quote(str(p), safe="")), o))
        else:
            r = BNode()
            g.add((r, Q_GRAPH, QUAD))
            g.add((r, URIRef(GRAPH_PREFIX + "graph"), gid))
            g.add((r, Q_S, s))
            g.add((r, Q_P, p))
            g.add((r, Q_O, o))
    return g


def decode(triples):
    triples = set(triples)
    reified = {}
    for r, _, _ in {t for t in triples if t[1] == Q_GRAPH and t[2] == QUAD}:
        parts = {p: o for (s, p, o) in triples if s == r}
        quad_graph = URIRef(GRAPH_PREFIX + "graph")
        if all(k in parts for k in (Q_S, Q_P, Q_O, quad_graph)) and len(parts) == 5:
            reified[r] = (parts[Q_S], parts[Q_P], parts[Q_O], parts[quad_graph])
    out = list(reified.values())
    for s, p, o in triples:
        if s in reified:
            continue
        ps = str(p)
        if ps.startswith(GRAPH_PREFIX) and "/" in ps:
            gname, pred = ps[len(GRAPH_PREFIX):].split("/", 1)
            out.append((s, URIRef(unquote(pred)), o, URIRef(unquote(gname))))
        else:
            out.append((s, p, o, None))
    return out


def line(q):
    s, p, o, g = q
    parts = [t.n3() for t in (s, p, o)] + ([g.n3()] if g is not None else [])
    return " ".join(parts) + " ."


def show(label, quads):
    quads = sorted(quads, key=line)
    print(f"only in {label}: {len(quads)} quads")
    for q in quads[:SHOWN]:
        print("  " + line(q))
    if len(quads) > SHOWN:
        print(f"  … and {len(quads) - SHOWN} more")


def differences(a_path, b_path):
    """(a, b, quads only in a, quads only in b)."""
    a, b = read(a_path), read(b_path)

    a_ground = {q for q in a if not has_bnode(q)}
    b_ground = {q for q in b if not has_bnode(q)}
    a_blank, b_blank = a - a_ground, b - b_ground

    only_a, only_b = a_ground - b_ground, b_ground - a_ground
    if a_blank or b_blank:
        ia, ib = to_isomorphic(encode(a_blank)), to_isomorphic(encode(b_blank))
        if ia != ib:
            _, first, second = graph_diff(ia, ib)
            only_a |= set(decode(first))
            only_b |= set(decode(second))
    return a, b, only_a, only_b


def same_lines(a_path, b_path):
    """For files rdflib cannot read (IRIs with spaces, as the UnsafeIRI cases expect): the
    same set of lines, blank lines and spacing before the final dot aside."""
    def lines(path):
        with open(path, encoding="utf-8") as f:
            return {" ".join(l.split()).removesuffix(" .") for l in f if l.strip()}
    return lines(a_path) == lines(b_path)


def pairs():
    for row in sys.stdin:
        row = row.rstrip("\n")
        if not row:
            continue
        a_path, b_path = row.split("\t")
        try:
            a, b, only_a, only_b = differences(a_path, b_path)
        except Unreadable as e:
            if same_lines(a_path, b_path):
                print("same (compared line by line: not valid N-Quads for rdflib)")
            else:
                print(f"different: {e}")
            continue
        if not only_a and not only_b and len(a) == len(b):
            print("same")
        else:
            first = sorted(map(line, only_a))[:2] + sorted(map(line, only_b))[:2]
            print(f"different: {len(only_a)} quads only in {a_path}, {len(only_b)} only in {b_path}; {first}")
        sys.stdout.flush()
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--pairs":
        return pairs()
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    a_path, b_path = argv[1], argv[2]
    try:
        a, b, only_a, only_b = differences(a_path, b_path)
    except Unreadable as e:
        print(f"same_graph.py: {e}", file=sys.stderr)
        return 2
    if not only_a and not only_b and len(a) == len(b):
        print(f"same graph: {len(a)} quads")
        return 0
    print(f"different graphs: {a_path} has {len(a)} quads, {b_path} has {len(b)}")
    show(a_path, only_a)
    show(b_path, only_b)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
