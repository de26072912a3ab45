//! The command line, end to end: load → query → export, map, errors and exit codes.

mod common;

use common::{bundled_store, copy_dir, factgraph, load_quietly, query, root};
use predicates::prelude::*;

fn count(store: &std::path::Path) -> u64 {
    let csv = query(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "csv");
    csv.lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("a count")
}

#[test]
fn load_query_export_round_trip() {
    let store = bundled_store();
    let n = count(store);
    assert!(n > 100, "only {n} triples loaded");
    let out = factgraph()
        .args(["export", "--with-ontology", "--store"])
        .arg(store)
        .output()
        .unwrap();
    assert!(out.status.success());
    let turtle = String::from_utf8(out.stdout).unwrap();
    assert!(turtle.starts_with("@prefix"), "Turtle starts with prefixes");
    assert!(
        turtle.contains("person:ghita-mezzour"),
        "instance prefixes are used"
    );
    let triples = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .for_slice(&turtle)
        .collect::<Result<Vec<_>, _>>()
        .expect("exported Turtle parses");
    let unique: std::collections::HashSet<_> = triples.into_iter().collect();
    assert_eq!(
        unique.len() as u64,
        n,
        "export holds every triple of the store"
    );
}

#[test]
fn export_every_format_parses_back() {
    let store = bundled_store();
    let n = count(store);
    for (flag, format) in [
        ("ntriples", oxigraph::io::RdfFormat::NTriples),
        ("nquads", oxigraph::io::RdfFormat::NQuads),
        ("trig", oxigraph::io::RdfFormat::TriG),
        ("rdfxml", oxigraph::io::RdfFormat::RdfXml),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out");
        factgraph()
            .args([
                "export",
                "--quiet",
                "--with-ontology",
                "--format",
                flag,
                "-o",
            ])
            .arg(&file)
            .arg("--store")
            .arg(store)
            .assert()
            .success()
            .stdout("");
        let data = std::fs::read(&file).unwrap();
        let quads: std::collections::HashSet<_> = oxigraph::io::RdfParser::from_format(format)
            .for_slice(&data)
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{flag} output parses: {e}"));
        assert_eq!(quads.len() as u64, n, "{flag}");
    }
}

#[test]
fn map_small_mapping_gives_expected_ntriples() {
    let dir = root().join("tests/fixtures/small");
    let out = factgraph()
        .args(["map", "--quiet", "--format", "ntriples"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut got: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    got.sort();
    let expected = std::fs::read_to_string(dir.join("expected.nt")).unwrap();
    let mut want: Vec<String> = expected.lines().map(String::from).collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn map_turtle_and_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data.ttl");
    factgraph()
        .args(["map", "data", "--format", "turtle", "-o"])
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains("mapped"));
    let ttl = std::fs::read_to_string(&file).unwrap();
    let triples = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .for_slice(&ttl)
        .count();
    assert!(triples > 100, "{triples}");
}

#[test]
fn query_formats() {
    let store = bundled_store();
    let q = "SELECT ?n WHERE { ?p a schema:Person ; schema:name ?n } ORDER BY ?n";
    let csv = query(store, q, "csv");
    assert!(csv.starts_with("n\r\n"), "{csv}");
    assert!(csv.contains("Ghita Mezzour"));
    let tsv = query(store, q, "tsv");
    assert!(tsv.contains("\"Ghita Mezzour\""), "{tsv}");
    let json = query(store, q, "json");
    assert!(json.contains("\"head\":{\"vars\":[\"n\"]}"), "{json}");
    let xml = query(store, q, "xml");
    assert!(xml.contains("<variable name=\"n\"/>"), "{xml}");
    let table = query(store, q, "table");
    assert!(table.contains("│ Ghita Mezzour"), "{table}");
    let ask = query(store, "ASK { ?x owl:sameAs wd:Q1028 }", "json");
    assert!(ask.contains("\"boolean\":true"), "{ask}");
    let ttl = query(
        store,
        "CONSTRUCT { ?p schema:name ?n } WHERE { ?p a schema:Person ; schema:name ?n }",
        "turtle",
    );
    assert_eq!(
        oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
            .for_slice(&ttl)
            .count(),
        4
    );
    factgraph()
        .args(["query", q, "--format", "turtle", "--store"])
        .arg(store)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "--format turtle cannot write the solutions of a SELECT query",
        ));
}

#[test]
fn query_from_file_and_stdin() {
    let store = bundled_store();
    factgraph()
        .args([
            "query",
            "-f",
            "queries/signatories.rq",
            "--format",
            "csv",
            "--store",
        ])
        .arg(store)
        .assert()
        .success()
        .stdout(predicate::str::contains("Jacques Pommeraud"));
    factgraph()
        .args(["query", "-", "--format", "csv", "--store"])
        .arg(store)
        .write_stdin("SELECT ?n WHERE { ?p a schema:Person ; schema:name ?n }")
        .assert()
        .success()
        .stdout(predicate::str::contains("Ali Seddiki"));
}

#[test]
fn sparql_syntax_error_exits_2_with_position() {
    factgraph()
        .args(["query", "SELECT ?x WHERE { ?x ?y }", "--store"])
        .arg(bundled_store())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("query: SPARQL syntax error")
                .and(predicate::str::contains("1:")),
        );
}

#[test]
fn missing_store_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    factgraph()
        .args(["query", "ASK {}", "--store"])
        .arg(dir.path().join("nothing"))
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("no factgraph store at")
                .and(predicate::str::contains("factgraph load")),
        );
}

#[test]
fn malformed_csv_row_exits_2_and_keeps_the_previous_graph() {
    let data = copy_dir(&root().join("data"));
    let store_dir = tempfile::tempdir().unwrap();
    let store = store_dir.path().join("db");
    load_quietly(&store, data.path());
    let before = count(&store);

    let people = data.path().join("people.csv");
    let mut text = std::fs::read_to_string(&people).unwrap();
    text.push_str("broken-row,Someone,extra,fields\n");
    let broken_line = text.lines().count();
    std::fs::write(&people, text).unwrap();
    factgraph()
        .args(["load", "--store"])
        .arg(&store)
        .arg(data.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(format!("people.csv:{broken_line}:"))
                .and(predicate::str::contains("fields but the header has")),
        );
    assert_eq!(count(&store), before, "the previous graph is still there");
    // No leftover generation directories.
    let gens = std::fs::read_dir(&store)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("gen-")
        })
        .count();
    assert_eq!(gens, 1);
}

#[test]
fn reload_replaces_the_graph() {
    let data = copy_dir(&root().join("tests/fixtures/small"));
    let store_dir = tempfile::tempdir().unwrap();
    let store = store_dir.path().join("db");
    load_quietly(&store, data.path());
    let people = "SELECT (COUNT(*) AS ?n) WHERE { ?p a schema:Person }";
    assert!(query(&store, people, "csv").contains("\r\n3"));
    std::fs::write(
        data.path().join("people.csv"),
        "id,name,org,joined\np9,Solo,o1,2020\n",
    )
    .unwrap();
    load_quietly(&store, data.path());
    assert!(
        query(&store, people, "csv").contains("\r\n1"),
        "the old people are gone"
    );
}

#[test]
fn not_a_store_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("precious.txt"), "keep me").unwrap();
    factgraph()
        .args(["load", "data", "--store"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a factgraph store"));
    assert!(dir.path().join("precious.txt").exists());
}

#[test]
fn bad_mapping_exits_2_with_file_and_line() {
    let data = copy_dir(&root().join("tests/fixtures/small"));
    let mapping = data.path().join("mapping.rml.ttl");
    let text = std::fs::read_to_string(&mapping)
        .unwrap()
        .replace("\"people.csv\"", "\"nobody.csv\"");
    std::fs::write(&mapping, text).unwrap();
    factgraph()
        .args(["map"])
        .arg(data.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("mapping.rml.ttl:6:")
                .and(predicate::str::contains("nobody.csv\" does not exist")),
        );
}

#[test]
fn help_lists_commands() {
    factgraph().arg("--help").assert().success().stdout(
        predicate::str::contains("load")
            .and(predicate::str::contains("query"))
            .and(predicate::str::contains("export"))
            .and(predicate::str::contains("map")),
    );
}
