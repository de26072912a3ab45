#!/usr/bin/env python3
"""Writes a synthetic Wikidata JSON dump of about SIZE bytes (default 1 GB) in the official
format (a JSON array, one entity a line), to measure `factgraph link --dump` on a large dump.

Usage: bench/wikidata_dump.py OUT.json [SIZE_IN_MB]

Entities look like real items: labels, descriptions and aliases in 3 to 14 of 40 languages,
a few statements with references, sitelinks: about 5 KB a line (real items run from a few hundred
bytes to megabytes). Ids are synthetic (Q900000000 and up; no real item has them). One entity in 25
is a class with P279 edges, so the
subclass graph is large, and the items of tests/fixtures/wikidata/dump.json are spread
through the file, so that `link` finds the same candidates as on the small fixture.
Deterministic: the same SIZE gives the same bytes.
"""
import json
import os
import random
import sys

out_path = sys.argv[1]
size = int(sys.argv[2]) * 1_000_000 if len(sys.argv) > 2 else 1_000_000_000
rng = random.Random(20240415)

LANGS = ["en", "fr", "de", "es", "it", "nl", "pl", "pt", "ru", "ar", "zh", "ja", "sv", "uk",
         "ca", "cs", "da", "fi", "hu", "id", "ko", "no", "ro", "sk", "tr", "vi", "he", "el",
         "bg", "sr", "hr", "lt", "lv", "et", "sl", "fa", "hi", "bn", "ta", "eu"]
WORDS = ["alpha", "borealis", "centrum", "delta", "estuaire", "fjord", "granit", "horizon",
         "isthme", "jardin", "kasbah", "lumière", "medina", "nordique", "oasis", "plateau",
         "quartz", "rivière", "sahara", "tamis", "urbain", "vallée", "wadi", "xénon", "yourte",
         "zénith", "atlas", "bastion", "citadelle", "dune"]
PROPS = ["P31", "P17", "P131", "P625", "P856", "P571", "P18", "P373", "P646", "P214",
         "P227", "P244", "P268", "P269", "P349", "P1566", "P910", "P935", "P1705", "P2044"]


def snak_item(prop, num):
    return {"snaktype": "value", "property": prop, "hash": "%040x" % rng.getrandbits(160),
            "datavalue": {"value": {"entity-type": "item", "numeric-id": num, "id": "Q%d" % num},
                          "type": "wikibase-entityid"}, "datatype": "wikibase-item"}


def snak_string(prop, s):
    return {"snaktype": "value", "property": prop, "hash": "%040x" % rng.getrandbits(160),
            "datavalue": {"value": s, "type": "string"}, "datatype": "external-id"}


def statement(qid, i, mainsnak):
    return {"mainsnak": mainsnak, "type": "statement",
            "id": "%s$%08X-%04X-%04X-%04X-%012X" % (qid, i, i, i, i, rng.getrandbits(48)),
            "rank": "normal",
            "references": [{"hash": "%040x" % rng.getrandbits(160),
                            "snaks": {"P143": [snak_item("P143", 328)]},
                            "snaks-order": ["P143"]}]}


def entity(n, is_class):
    qid = "Q%d" % (900_000_000 + n)
    name = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 4))).title()
    langs = rng.sample(LANGS, rng.randint(3, 14))
    labels = {l: {"language": l, "value": name} for l in langs}
    descriptions = {l: {"language": l, "value": "synthetic benchmark entity %d (%s)" % (n, l)}
                    for l in langs}
    aliases = {l: [{"language": l, "value": name + " " + rng.choice(WORDS)}] for l in langs[:3]}
    claims = {}
    i = 0
    if is_class:
        for _ in range(rng.randint(1, 3)):
            parent = 900_000_000 + rng.randrange(0, max(1, n))
            claims.setdefault("P279", []).append(statement(qid, i, snak_item("P279", parent)))
            i += 1
    else:
        claims["P31"] = [statement(qid, i, snak_item("P31", 900_000_000 + 25 * rng.randrange(0, max(1, n // 25) + 1)))]
        i += 1
    for p in rng.sample(PROPS[1:], rng.randint(2, 8)):
        claims.setdefault(p, []).append(statement(qid, i, snak_string(p, "%x" % rng.getrandbits(64))))
        i += 1
    sitelinks = {l + "wiki": {"site": l + "wiki", "title": name, "badges": []} for l in langs[:4]}
    return {"type": "item", "id": qid, "labels": labels, "descriptions": descriptions,
            "aliases": aliases, "claims": claims, "sitelinks": sitelinks, "lastrevid": 2_000_000_000 + n}


fixture_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                            "wikidata", "dump.json")
fixture = [l.rstrip("\n").rstrip(",") for l in open(fixture_path, encoding="utf-8")
           if l.startswith("{")]

written = 0
n = 0
with open(out_path, "w", encoding="utf-8") as out:
    out.write("[\n")
    first = True
    # Spread the fixture through the file: one fixture line every `every` entities.
    every = 10_000
    while written < size:
        if n % every == every // 2 and fixture:
            line = fixture.pop(0)
        else:
            line = json.dumps(entity(n, n % 25 == 0), ensure_ascii=False, separators=(",", ":"))
        n += 1
        if not first:
            out.write(",\n")
        first = False
        out.write(line)
        written += len(line.encode("utf-8")) + 2
    for line in fixture:
        out.write(",\n" + line)
    out.write("\n]\n")
print("wrote %s: %d entities, %.1f MB" % (out_path, n, os.path.getsize(out_path) / 1e6))
