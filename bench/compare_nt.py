#!/usr/bin/env python3
"""Do two N-Triples / N-Quads files hold the same set of quads? Streams; scales to ~10^8 lines.

    compare_nt.py A B [--work DIR] [--keep]

Each file is parsed and written back by pyoxigraph (canonical N-Quads: one spelling for every
IRI and literal, whatever escapes or spacing the producer used), then `LC_ALL=C sort -u` and
`cmp`. Blank nodes are not canonicalised: use bench/same_graph.py for data with blank nodes
(factgraph's data has none). Memory stays flat: quads go through in chunks of 100,000, and
sort(1) spills to disk.

Prints `key=value` lines (distinct_a, distinct_b, only_a, only_b, same) and, when the sets
differ, up to five examples from each side on stderr. Exit status: 0 same, 1 different,
2 error. Needs pyoxigraph (the Morph-KGC venv of bench/morph_kgc.sh has it).
"""

import argparse
import itertools
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import pyoxigraph
except ImportError:
    sys.exit("compare_nt.py: pyoxigraph is missing; run it with the venv of bench/morph_kgc.sh")

NQUADS = "application/n-quads"


def normalise(src: str, dst: str) -> None:
    """Parses src as N-Quads (N-Triples is a subset) and writes canonical N-Quads to dst.

    `parse` streams, but `serialize` collects its whole input first (~600 bytes a quad), so
    quads go to it in chunks: N-Quads has no header, and the chunks simply follow each other.
    """
    with open(src, "rb") as i, open(dst, "wb") as o:
        quads = pyoxigraph.parse(i, NQUADS)
        while True:
            chunk = list(itertools.islice(quads, 100_000))
            if not chunk:
                break
            pyoxigraph.serialize(chunk, o, NQUADS)


def sort_unique(src: str, dst: str, tmp: str) -> int:
    env = dict(os.environ, LC_ALL="C")
    subprocess.run(
        ["sort", "-u", "-S", "25%", "--parallel=2", "-T", tmp, "-o", dst, src],
        check=True,
        env=env,
    )
    with open(dst, "rb") as f:
        return sum(1 for _ in f)


def comm_count(a: str, b: str, column: str) -> tuple[int, list[str]]:
    """Lines only in a (column "-23") or only in b ("-13"): count and the first five."""
    env = dict(os.environ, LC_ALL="C")
    p = subprocess.Popen(["comm", column, a, b], stdout=subprocess.PIPE, env=env)
    n, first = 0, []
    assert p.stdout is not None
    for line in p.stdout:
        n += 1
        if len(first) < 5:
            first.append(line.decode("utf-8", "replace").rstrip("\n"))
    p.wait()
    return n, first


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--work", help="directory for the normalised files (default: a new temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the normalised, sorted files")
    args = ap.parse_args()

    work = args.work or tempfile.mkdtemp(prefix="compare_nt.")
    os.makedirs(work, exist_ok=True)
    try:
        sorted_files = []
        counts = []
        for name, src in (("a", args.a), ("b", args.b)):
            norm = os.path.join(work, f"{name}.norm.nq")
            srt = os.path.join(work, f"{name}.sorted.nq")
            normalise(src, norm)
            counts.append(sort_unique(norm, srt, work))
            os.remove(norm)
            sorted_files.append(srt)
        same = subprocess.run(["cmp", "-s", *sorted_files]).returncode == 0
        print(f"distinct_a={counts[0]}")
        print(f"distinct_b={counts[1]}")
        if same:
            print("only_a=0\nonly_b=0\nsame=yes")
            return 0
        only_a, ex_a = comm_count(*sorted_files, "-23")
        only_b, ex_b = comm_count(*sorted_files, "-13")
        print(f"only_a={only_a}\nonly_b={only_b}\nsame=no")
        for label, n, ex in (("only in " + args.a, only_a, ex_a), ("only in " + args.b, only_b, ex_b)):
            if n:
                print(f"{label} ({n}):", file=sys.stderr)
                for line in ex:
                    print("  " + line, file=sys.stderr)
        return 1
    except (OSError, SyntaxError, ValueError, subprocess.CalledProcessError) as e:
        print(f"compare_nt.py: {e}", file=sys.stderr)
        return 2
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)
        elif not args.keep:
            for f in ("a.sorted.nq", "b.sorted.nq"):
                try:
                    os.remove(os.path.join(work, f))
                except FileNotFoundError:
                    pass


if __name__ == "__main__":
    sys.exit(main())
