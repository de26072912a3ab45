#!/usr/bin/env python3
"""Renders the results of bench/run.sh as Markdown and splices them into BENCH.md.

    report.py compare|memory RESULTS.tsv BENCH.md

RESULTS.tsv holds `key<TAB>name<TAB>value` lines (key is N, or `meta`). The compare report
replaces what lies between `<!-- results:begin -->` and `<!-- results:end -->` in BENCH.md, the
memory report what lies between `<!-- memory:begin -->` and `<!-- memory:end -->`; the rest of
the file (the hand-written method and notes) is kept. The Markdown is also printed. Standard
library only.
"""

import os
import sys
from collections import defaultdict

SKELETON = """# Benchmarks

Produced by `bench/run.sh`; see that script for the method.

## Results

<!-- results:begin -->
<!-- results:end -->

## Peak memory of `factgraph map` on ≥10 million triples

<!-- memory:begin -->
<!-- memory:end -->
"""


def load(path):
    meta, runs = {}, defaultdict(dict)
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, name, value = line.rstrip("\n").split("\t", 2)
            if key == "meta":
                meta[name] = value
            else:
                runs[int(key)][name] = value
    return meta, dict(sorted(runs.items()))


def num(r, k):
    v = r.get(k)
    try:
        return float(v) if v not in (None, "") else None
    except ValueError:
        return None


def grouped(x):
    return f"{int(round(x)):,}" if x is not None else "—"


def secs(x):
    return f"{x:.2f}" if x is not None else "—"


def mib(kb):
    return f"{kb / 1024:,.0f}" if kb is not None else "—"


def rate(count, seconds):
    if count is None or not seconds:
        return None
    return count / seconds


def machine(meta):
    mem = num(meta, "mem_kb")
    lines = [
        f"- Date: {meta.get('date', '?')}",
        f"- Machine: {meta.get('nproc', '?')} cores ({meta.get('cpu', '?')}), "
        f"{mem / 1024 / 1024:.1f} GiB memory, {meta.get('kernel', '?')}" if mem else "- Machine: ?",
        f"- Load average (1, 5, 15 min) at start: {meta.get('loadavg_start', '?')}; at end: {meta.get('loadavg_end', '?')}",
        f"- factgraph {meta.get('factgraph', '?')}, oxigraph crate {meta.get('oxigraph', '?')}, {meta.get('rustc', '?')}",
    ]
    if "morph_kgc" in meta:
        lines.append(
            f"- Morph-KGC {meta['morph_kgc']} on Python {meta.get('python', '?')} (default settings of "
            f"`bench/morph_kgc.sh`: N-Quads output, a pool of 2 × cores worker processes); "
            f"outputs compared through pyoxigraph {meta.get('pyoxigraph', '?')}"
        )
    lines.append(f"- Synthetic data: `examples/synth.rs`, seed {meta.get('seed', '?')}")
    return "\n".join(lines)


def compare_report(meta, runs):
    out = [machine(meta), ""]
    out.append(
        "| N | step | wall (s) | CPU (s) | throughput | peak RSS (MiB) | process tree RSS (MiB, sampled) "
        "| CPU busy before (%) |"
    )
    out.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, r in runs.items():
        distinct = num(r, "distinct")
        rows = num(r, "csv_rows")
        steps = [
            ("synth", "generate the CSV (examples/synth)", rows, "rows/s"),
            ("map", "**factgraph map** → N-Triples", distinct, "triples/s"),
            ("morph", "Morph-KGC 2.10 → N-Quads", distinct, "triples/s"),
            ("load", "**factgraph load** (map + bulk load + count)", distinct, "triples/s"),
            ("peer", "Oxigraph bulk loader on the N-Triples (parse + load + count)", distinct, "triples/s"),
        ]
        for key, label, count, unit in steps:
            if key == "morph" and "morph.skipped" in r:
                out.append(f"| {n:,} | {label} | skipped: {r['morph.skipped']} | | | | | |")
                continue
            s = num(r, f"{key}.seconds")
            if s is None:
                continue
            out.append(
                f"| {n:,} | {label} | {secs(s)} | {secs(num(r, f'{key}.cpu_seconds'))} | {grouped(rate(count, s))} {unit} | "
                f"{mib(num(r, f'{key}.rss_kb'))} | {mib(num(r, f'{key}.tree_rss_kb'))} "
                f"| {r.get(f'{key}.busy_before', '—')} |"
            )
    out.append("")
    out.append(
        "| N | CSV rows (MB) | triples written by map | distinct triples | map throughput: factgraph / Morph-KGC "
        "| load time: factgraph / Oxigraph bulk loader | same triples as Morph-KGC |"
    )
    out.append("| ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for n, r in runs.items():
        map_s, morph_s = num(r, "map.seconds"), num(r, "morph.seconds")
        load_s, peer_s = num(r, "load.seconds"), num(r, "peer.seconds")
        speedup = f"{morph_s / map_s:.1f} ×" if map_s and morph_s else "— (Morph-KGC skipped)"
        load_ratio = f"{load_s / peer_s:.2f}" if load_s and peer_s else "—"
        if r.get("compare.same") == "yes":
            same = f"yes ({grouped(num(r, 'compare.distinct_b'))} = {grouped(num(r, 'compare.distinct_a'))})"
        elif r.get("compare.same") == "no":
            same = (
                f"**no**: {grouped(num(r, 'compare.only_a'))} only in factgraph, "
                f"{grouped(num(r, 'compare.only_b'))} only in Morph-KGC"
            )
        else:
            same = "not checked"
        csv_mb = num(r, "csv_bytes")
        out.append(
            f"| {n:,} | {grouped(num(r, 'csv_rows'))} ({csv_mb / 1e6:,.0f}) | {grouped(num(r, 'map.lines'))} "
            f"| {grouped(num(r, 'distinct'))} | {speedup} | {load_ratio} | {same} |"
        )
    for n, r in runs.items():
        if r.get("compare.examples"):
            out.append("")
            out.append(f"Differences at N={n:,} (first lines): `{r['compare.examples'][:1500]}`")
    return "\n".join(out)


def memory_report(meta, runs):
    out = [machine(meta), ""]
    out.append(
        "| N | CSV rows (MB) | triples written | distinct triples | wall (s) | CPU (s) | triples/s | peak RSS (MiB) |"
    )
    out.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, r in runs.items():
        s = num(r, "map.seconds")
        out.append(
            f"| {n:,} | {grouped(num(r, 'csv_rows'))} ({num(r, 'csv_bytes') / 1e6:,.0f}) | {grouped(num(r, 'map.lines'))} "
            f"| {grouped(num(r, 'distinct'))} | {secs(s)} | {secs(num(r, 'map.cpu_seconds'))} "
            f"| {grouped(rate(num(r, 'distinct'), s))} "
            f"| {mib(num(r, 'map.rss_kb'))} |"
        )
    return "\n".join(out)


def splice(path, marker, body):
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else SKELETON
    begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
    if begin not in text or end not in text:
        text = text.rstrip("\n") + f"\n\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{head}{begin}\n{body}\n{end}{tail}")


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("compare", "memory"):
        sys.exit("usage: report.py compare|memory RESULTS.tsv BENCH.md")
    mode, results, bench_md = sys.argv[1:]
    meta, runs = load(results)
    if mode == "compare":
        body, marker = compare_report(meta, runs), "results"
    else:
        body, marker = memory_report(meta, runs), "memory"
    print(body)
    splice(bench_md, marker, body)
    print(f"\nreport.py: written into {bench_md} ({marker} section)", file=sys.stderr)


if __name__ == "__main__":
    main()
