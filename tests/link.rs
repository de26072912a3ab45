//! `factgraph link` against a Wikidata dump, `links.csv` and the human decisions in it,
//! `load` turning accepted rows into owl:sameAs, and `factgraph enrich`. The dump is the
//! fixture of tests/fixtures/wikidata (synthetic items and decoys); nothing reaches the
//! internet.

mod common;
mod link_support;

use std::io::Write;
use std::path::Path;

use common::{copy_dir, factgraph, query, root};
use link_support::{dump, dump_entities, python_json, rows, top, write_dump, DECOYS, RIGHT};

const HEADER: &str = "entity,name,qid,label,description,score,status,reviewed_by,reviewed_on\n";

fn data_copy() -> tempfile::TempDir {
    copy_dir(&root().join("data"))
}

fn link(dir: &Path, extra: &[&str]) -> std::process::Output {
    factgraph()
        .arg("link")
        .arg(dir)
        .arg("--dump")
        .arg(dump())
        .args(extra)
        .output()
        .expect("factgraph runs")
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "factgraph failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn dump_ranks_the_right_item_first_and_accepts_no_decoy() {
    let dir = data_copy();
    ok(&link(dir.path(), &["--accept-above", "85"]));
    let rows = rows(&dir.path().join("links.csv"));
    let best = top(&rows);
    // Every unlinked organisation and person, and nothing for the linked places.
    assert_eq!(
        best.iter().map(|(e, _)| e.as_str()).collect::<Vec<_>>(),
        RIGHT.iter().map(|(e, _)| *e).collect::<Vec<_>>()
    );
    for (entity, qid) in RIGHT {
        assert!(
            best.contains(&(entity.to_string(), qid.to_string())),
            "{entity}: expected {qid} first, got {best:?}"
        );
    }
    for r in &rows {
        assert!(
            !(DECOYS.contains(&r.qid.as_str()) && r.status == "accepted"),
            "decoy accepted: {r:?}"
        );
        assert!(r.score >= 0.0 && r.score <= 100.0);
    }
    // The scholarly article and the disambiguation page are dropped, not just ranked low.
    assert!(!rows
        .iter()
        .any(|r| r.qid == "Q990000202" || r.qid == "Q990000203"));
    // The human named Inetum is there, far below the company.
    let inetum: Vec<_> = rows
        .iter()
        .filter(|r| r.entity.ends_with("/org/inetum"))
        .collect();
    assert_eq!(inetum[0].qid, "Q990000001");
    let human = inetum.iter().find(|r| r.qid == "Q990000201").unwrap();
    assert!(inetum[0].score - human.score >= 40.0, "{inetum:?}");
    // Two humans named Ali Seddiki: the one working for AMDIE's candidate wins, but the
    // margin is too thin to accept either.
    let ali: Vec<_> = rows
        .iter()
        .filter(|r| r.entity.ends_with("/person/ali-seddiki"))
        .collect();
    assert_eq!(ali[0].qid, "Q990000014");
    assert!(ali.iter().all(|r| r.status == "proposed"), "{ali:?}");
    // The clear ones are accepted, with who and when.
    for r in rows.iter().filter(|r| r.status == "accepted") {
        assert!(
            RIGHT.contains(&(r.entity.as_str(), r.qid.as_str())),
            "{r:?}"
        );
        assert!(r.reviewed_by.contains("--accept-above 85"), "{r:?}");
    }
    assert_eq!(rows.iter().filter(|r| r.status == "accepted").count(), 5);
}

#[test]
fn without_accept_above_everything_stays_proposed() {
    let dir = data_copy();
    let stderr = ok(&link(dir.path(), &[]));
    assert!(
        stderr.contains("9 entities, 3 already linked, 6 looked up"),
        "{stderr}"
    );
    let rows = rows(&dir.path().join("links.csv"));
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.status == "proposed"));
    // Ranked by score within each entity.
    for w in rows.windows(2) {
        if w[0].entity == w[1].entity {
            assert!(w[0].score >= w[1].score, "{w:?}");
        }
    }
}

#[test]
fn gzip_and_bzip2_dumps_give_the_same_links() {
    let dir = data_copy();
    let tmp = tempfile::tempdir().unwrap();
    let plain = std::fs::read(dump()).unwrap();
    let gz = tmp.path().join("dump.json.gz");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(&plain).unwrap();
    std::fs::write(&gz, e.finish().unwrap()).unwrap();
    let bz = tmp.path().join("dump.json.bz2");
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    e.write_all(&plain).unwrap();
    std::fs::write(&bz, e.finish().unwrap()).unwrap();
    let mut outputs = Vec::new();
    for (d, name) in [(dump(), "plain.csv"), (gz, "gz.csv"), (bz, "bz2.csv")] {
        let out = tmp.path().join(name);
        let o = factgraph()
            .arg("link")
            .arg(dir.path())
            .arg("--dump")
            .arg(&d)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        ok(&o);
        outputs.push(std::fs::read_to_string(&out).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
    assert!(
        !dir.path().join("links.csv").exists(),
        "-o writes elsewhere"
    );
}

#[test]
fn a_homonymous_city_in_another_country_ranks_below() {
    let dir = data_copy();
    let places = dir.path().join("places.csv");
    let text = std::fs::read_to_string(&places).unwrap();
    assert!(text.contains("rabat,City,Rabat,maroc,Q3551"));
    std::fs::write(&places, text.replace(",maroc,Q3551", ",maroc,")).unwrap();
    ok(&link(dir.path(), &["--accept-above", "85"]));
    let rows = rows(&dir.path().join("links.csv"));
    let rabat: Vec<_> = rows
        .iter()
        .filter(|r| r.entity.ends_with("/place/rabat"))
        .collect();
    assert_eq!(rabat[0].qid, "Q990000301", "{rabat:?}");
    assert_eq!(rabat[0].status, "accepted");
    let other = rabat.iter().find(|r| r.qid == "Q990000302").unwrap();
    assert!(rabat[0].score - other.score >= 20.0, "{rabat:?}");
    assert_eq!(other.status, "proposed");
}

#[test]
fn human_decisions_survive_a_rerun() {
    let dir = data_copy();
    let path = dir.path().join("links.csv");
    let decisions = [
        // A person said no to the company for Inetum.
        "https://w3id.org/factgraph/id/org/inetum,Inetum,Q990000001,Inetum,,90,rejected,ana,2026-01-05\n",
        // …and chose an item for Ghita Mezzour by hand.
        "https://w3id.org/factgraph/id/person/ghita-mezzour,Ghita Mezzour,Q990000012,\"Mezzour, Ghita\",hand-picked,77,accepted,ana,2026-01-05\n",
        // A decision on an entity that is no longer in the data.
        "https://w3id.org/factgraph/id/org/gone,Gone,Q990000999,Gone,,50,rejected,bo,2025-12-31\n",
    ];
    let stale = "https://w3id.org/factgraph/id/org/amdie,AMDIE,Q990000888,Old,,12,proposed,,\n";
    let mut text = HEADER.to_owned();
    for d in &decisions {
        text.push_str(d);
    }
    text.push_str(stale);
    std::fs::write(&path, &text).unwrap();
    ok(&link(dir.path(), &["--accept-above", "85"]));
    let after = std::fs::read_to_string(&path).unwrap();
    for d in &decisions {
        assert!(
            after.contains(d),
            "decision rewritten or lost: {d}\n{after}"
        );
    }
    assert!(
        !after.contains("Q990000888"),
        "stale proposal kept:\n{after}"
    );
    let rows = rows(&path);
    // The rejected candidate is not proposed again, nor accepted.
    let inetum: Vec<_> = rows
        .iter()
        .filter(|r| r.entity.ends_with("/org/inetum"))
        .collect();
    assert_eq!(
        inetum
            .iter()
            .filter(|r| r.qid == "Q990000001")
            .map(|r| r.status.as_str())
            .collect::<Vec<_>>(),
        ["rejected"]
    );
    assert!(inetum.iter().all(|r| r.status != "accepted"));
    // An entity with an accepted row is left alone: no new rows.
    assert_eq!(
        rows.iter()
            .filter(|r| r.entity.ends_with("/person/ghita-mezzour"))
            .count(),
        1
    );
    // A second run changes nothing.
    ok(&link(dir.path(), &["--accept-above", "85"]));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), after);
}

#[test]
fn load_turns_only_accepted_rows_into_same_as() {
    let dir = data_copy();
    std::fs::write(
        dir.path().join("links.csv"),
        format!(
            "{HEADER}https://w3id.org/factgraph/id/org/inetum,Inetum,Q990000001,Inetum,,90,accepted,ana,2026-01-05\n\
             https://w3id.org/factgraph/id/org/amdie,AMDIE,Q990000002,AMDIE,,90,proposed,,\n\
             https://w3id.org/factgraph/id/person/ali-seddiki,Ali Seddiki,Q990000204,Ali Seddiki,,90,rejected,ana,2026-01-05\n"
        ),
    )
    .unwrap();
    let store = dir.path().join("store.db");
    factgraph()
        .arg("load")
        .arg(dir.path())
        .arg("--store")
        .arg(&store)
        .assert()
        .success();
    let out = query(
        &store,
        "SELECT ?e ?wd WHERE { ?e owl:sameAs ?wd } ORDER BY ?e",
        "csv",
    );
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    assert_eq!(
        lines,
        [
            "e,wd",
            "https://w3id.org/factgraph/id/org/inetum,http://www.wikidata.org/entity/Q990000001",
            "https://w3id.org/factgraph/id/place/casablanca,http://www.wikidata.org/entity/Q7903",
            "https://w3id.org/factgraph/id/place/maroc,http://www.wikidata.org/entity/Q1028",
            "https://w3id.org/factgraph/id/place/rabat,http://www.wikidata.org/entity/Q3551",
        ]
    );
}

#[test]
fn a_wrong_links_csv_is_refused_with_its_line() {
    let dir = data_copy();
    std::fs::write(
        dir.path().join("links.csv"),
        format!("{HEADER}https://w3id.org/factgraph/id/org/inetum,Inetum,Q990000001,Inetum,,90,maybe,,\n"),
    )
    .unwrap();
    let store = dir.path().join("store.db");
    let out = factgraph()
        .arg("load")
        .arg(dir.path())
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("links.csv:2") && err.contains("status `maybe`"),
        "{err}"
    );
    let out = link(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn link_refuses_a_file_that_is_not_a_dump() {
    let dir = data_copy();
    let out = factgraph()
        .arg("link")
        .arg(dir.path())
        .arg("--dump")
        .arg(dir.path().join("people.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Wikidata JSON dump"));
    assert!(!dir.path().join("links.csv").exists());
}

#[test]
fn enrich_copies_facts_into_the_wikidata_graph() {
    let dir = data_copy();
    ok(&link(dir.path(), &["--accept-above", "85"]));
    let store = dir.path().join("store.db");
    let o = factgraph()
        .arg("enrich")
        .arg(dir.path())
        .arg("--dump")
        .arg(dump())
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    let stderr = ok(&o);
    assert!(stderr.contains("wikidata.nq"), "{stderr}");
    let nq = std::fs::read_to_string(dir.path().join("wikidata.nq")).unwrap();
    assert!(nq
        .lines()
        .all(|l| l.ends_with("<https://w3id.org/factgraph/graph/wikidata> .")));
    let out = query(
        &store,
        "SELECT ?label ?country ?site ?inception WHERE {
           <https://w3id.org/factgraph/id/org/inetum> owl:sameAs ?wd .
           GRAPH <https://w3id.org/factgraph/graph/wikidata> {
             ?wd rdfs:label ?label ; wdt:P17 ?country ; wdt:P856 ?site ; wdt:P571 ?inception
             FILTER(LANG(?label) = \"fr\")
           }
         }",
        "csv",
    );
    assert_eq!(
        out.lines().nth(1).map(str::trim_end),
        Some("Inetum,http://www.wikidata.org/entity/Q142,https://example.org/inetum,1970")
    );
    // The curated facts are not in that graph; the facts are not in the default graph.
    let out = query(
        &store,
        "ASK { GRAPH <https://w3id.org/factgraph/graph/wikidata> { ?s a ?c } }",
        "csv",
    );
    assert_eq!(out.trim(), "false");
    // Refreshing rewrites the file the same way.
    let before = nq.clone();
    factgraph()
        .arg("enrich")
        .arg(dir.path())
        .arg("--dump")
        .arg(dump())
        .arg("--no-load")
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("wikidata.nq")).unwrap(),
        before
    );
}

#[test]
fn organisations_and_memberships_in_named_graphs_are_linked_alike() {
    // The same data, but the mapping puts the organisations and the memberships in named
    // graphs (rml:graphMap): link reads the union of the graphs, as `query` does.
    let plain = data_copy();
    let named = data_copy();
    let mapping = named.path().join("mapping.rml.ttl");
    let text = std::fs::read_to_string(&mapping).unwrap();
    let orgs = "rml:class org:Organization ]";
    let memberships = "rml:class org:Membership ]";
    assert!(text.contains(orgs) && text.contains(memberships));
    let text = text
        .replace(
            orgs,
            "rml:class org:Organization ; rml:graphMap [ rml:constant <https://example.org/graph/orgs> ] ]",
        )
        .replace(
            memberships,
            "rml:class org:Membership ; rml:graphMap [ rml:constant <https://example.org/graph/memberships> ] ]",
        );
    std::fs::write(&mapping, text).unwrap();
    let expected = ok(&link(plain.path(), &[]));
    let stderr = ok(&link(named.path(), &[]));
    assert!(
        stderr.contains("9 entities, 3 already linked, 6 looked up"),
        "organisations in a named graph were not found:\n{stderr}"
    );
    assert_eq!(
        stderr.replace(named.path().to_str().unwrap(), "DIR"),
        expected.replace(plain.path().to_str().unwrap(), "DIR")
    );
    let rows_named = rows(&named.path().join("links.csv"));
    // The membership (in its named graph) ties Ali Seddiki to AMDIE: the homonym working
    // there ranks first, as with the plain mapping.
    let ali: Vec<_> = rows_named
        .iter()
        .filter(|r| r.entity.ends_with("/person/ali-seddiki"))
        .collect();
    assert_eq!(
        ali.first().map(|r| r.qid.as_str()),
        Some("Q990000014"),
        "{ali:?}"
    );
    assert_eq!(
        std::fs::read_to_string(named.path().join("links.csv")).unwrap(),
        std::fs::read_to_string(plain.path().join("links.csv")).unwrap()
    );
}

fn enrich(dir: &Path, dump: &Path, extra: &[&str]) -> std::process::Output {
    factgraph()
        .arg("enrich")
        .arg(dir)
        .arg("--dump")
        .arg(dump)
        .args(extra)
        .output()
        .expect("factgraph runs")
}

#[test]
fn a_dump_written_with_json_dumps_spacing_reads_like_the_compact_one() {
    // Python's json.dumps writes `"id": "Q42"`, not `"id":"Q42"`: the same dump.
    let tmp = tempfile::tempdir().unwrap();
    let spaced = tmp.path().join("spaced.json");
    write_dump(&spaced, &dump_entities(), python_json);
    assert!(std::fs::read_to_string(&spaced)
        .unwrap()
        .contains("\"id\": \"Q990000001\""));

    let compact_dir = data_copy();
    ok(&link(compact_dir.path(), &["--accept-above", "85"]));
    let stderr = ok(&enrich(compact_dir.path(), &dump(), &["--no-load"]));
    let expected = std::fs::read_to_string(compact_dir.path().join("wikidata.nq")).unwrap();
    assert!(expected.lines().count() > 10, "{stderr}\n{expected}");

    let spaced_dir = data_copy();
    let o = factgraph()
        .arg("link")
        .arg(spaced_dir.path())
        .arg("--dump")
        .arg(&spaced)
        .args(["--accept-above", "85"])
        .output()
        .unwrap();
    ok(&o);
    // link reads the spaced dump alike (same candidates, same scores, same decisions).
    assert_eq!(
        std::fs::read_to_string(spaced_dir.path().join("links.csv")).unwrap(),
        std::fs::read_to_string(compact_dir.path().join("links.csv")).unwrap()
    );
    let stderr = ok(&enrich(spaced_dir.path(), &spaced, &["--no-load"]));
    assert!(!stderr.contains(" 0 found"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(spaced_dir.path().join("wikidata.nq")).unwrap(),
        expected,
        "{stderr}"
    );
}

#[test]
fn enrich_that_finds_fewer_keeps_the_facts_and_fails() {
    let dir = data_copy();
    ok(&link(dir.path(), &["--accept-above", "85"]));
    let store = dir.path().join("store.db");
    let store_arg = store.to_str().unwrap();
    ok(&enrich(dir.path(), &dump(), &["--store", store_arg]));
    let nq = dir.path().join("wikidata.nq");
    let before = std::fs::read_to_string(&nq).unwrap();
    let facts = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/factgraph/graph/wikidata> { ?s ?p ?o } }";
    let count_before = query(&store, facts, "csv");
    assert!(before.contains("/Q990000001>"));

    // A dump without Inetum's item (another dump, a truncated one …).
    let tmp = tempfile::tempdir().unwrap();
    let smaller = tmp.path().join("smaller.json");
    let entities: Vec<_> = dump_entities()
        .into_iter()
        .filter(|e| e["id"] != "Q990000001")
        .collect();
    write_dump(&smaller, &entities, |e| e.to_string());
    let o = enrich(dir.path(), &smaller, &["--store", store_arg]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("fewer") && stderr.contains("--allow-fewer") && stderr.contains("kept"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Q990000001"),
        "the missing item is named: {stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&nq).unwrap(),
        before,
        "the file is kept"
    );
    assert_eq!(
        query(&store, facts, "csv"),
        count_before,
        "the store is kept"
    );

    // An empty dump is refused the same way.
    let empty = tmp.path().join("empty.json");
    std::fs::write(&empty, "[\n]\n").unwrap();
    let o = enrich(dir.path(), &empty, &["--no-load"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert_eq!(std::fs::read_to_string(&nq).unwrap(), before);

    // Asked for explicitly, the smaller set replaces the old one, and says so.
    let o = enrich(
        dir.path(),
        &smaller,
        &["--store", store_arg, "--allow-fewer"],
    );
    let stderr = ok(&o);
    assert!(stderr.contains("replaced"), "{stderr}");
    let after = std::fs::read_to_string(&nq).unwrap();
    assert!(!after.contains("/Q990000001>") && after.lines().count() < before.lines().count());
    assert_ne!(query(&store, facts, "csv"), count_before);
}

#[test]
fn a_pretty_printed_json_file_is_refused_not_read_as_empty() {
    // Valid JSON, but not one entity a line: refused with its line, never "0 found".
    let dir = data_copy();
    ok(&link(dir.path(), &["--accept-above", "85"]));
    let tmp = tempfile::tempdir().unwrap();
    let pretty = tmp.path().join("pretty.json");
    std::fs::write(
        &pretty,
        serde_json::to_string_pretty(&serde_json::Value::Array(dump_entities())).unwrap(),
    )
    .unwrap();
    let o = enrich(dir.path(), &pretty, &["--no-load"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("not a Wikidata JSON dump") && stderr.contains("one JSON entity a line"),
        "{stderr}"
    );
    assert!(!dir.path().join("wikidata.nq").exists());
    let links_before = std::fs::read_to_string(dir.path().join("links.csv")).unwrap();
    let o = factgraph()
        .arg("link")
        .arg(dir.path())
        .arg("--dump")
        .arg(&pretty)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("links.csv")).unwrap(),
        links_before
    );
}
