//! Issue 13: messages that say what to do, and output people can read.

#[macro_use]
mod common;

use common::{bundled_store, factgraph};
use predicates::prelude::*;

fn query_cmd(args: &[&str]) -> assert_cmd::assert::Assert {
    factgraph()
        .arg("query")
        .args(args)
        .arg("--store")
        .arg(bundled_store())
        .assert()
}

#[test]
fn a_query_argument_naming_a_file_is_read_as_that_file() {
    let out = query_cmd(&["queries/signatories.rq"])
        .success()
        .stderr(predicate::str::contains(
            "reading the query from the file queries/signatories.rq",
        ))
        .stderr(predicate::str::contains("expected CONSTRUCT").not())
        .get_output()
        .stdout
        .clone();
    let expected = factgraph()
        .args(["query", "-f", "queries/signatories.rq", "--store"])
        .arg(bundled_store())
        .output()
        .expect("factgraph runs")
        .stdout;
    assert_eq!(out, expected);
    // A file name that names no file says so, and how to give one.
    query_cmd(&["queries/no-such-query.rq"])
        .code(2)
        .stderr(predicate::str::contains("no such file exists"))
        .stderr(predicate::str::contains("-f FILE"))
        .stderr(predicate::str::contains("expected CONSTRUCT").not());
}

#[test]
fn an_update_says_the_store_is_read_only_and_how_data_changes() {
    query_cmd(&["INSERT DATA { <http://ex/a> <http://ex/b> <http://ex/c> }"])
        .code(2)
        .stderr(predicate::str::contains("read-only"))
        .stderr(predicate::str::contains("factgraph load"))
        .stderr(predicate::str::contains("expected CONSTRUCT").not());
}

#[test]
fn an_unknown_prefix_is_named_with_its_place_and_the_known_ones() {
    query_cmd(&["SELECT * WHERE {\n  ?s fgx:p ?o }"])
        .code(2)
        .stderr(predicate::str::contains(
            "unknown prefix fgx: at 2:6 (known: fg, fgr, org, schema,",
        ))
        .stderr(predicate::str::contains("u{00B7}").not())
        .stderr(predicate::str::contains("Prefix not found").not());
    // Other syntax errors keep their place and lose the grammar's character ranges.
    query_cmd(&["SELECT ?x WHERE { ?x ?y }"])
        .code(2)
        .stderr(predicate::str::contains("at 1:"))
        .stderr(predicate::str::contains("u{").not());
}

#[test]
fn the_table_prints_only_what_parses_back() {
    let out = query_cmd(&[
        "--format",
        "table",
        "SELECT ?p ?c WHERE { ?p a ?c ; schema:name \"Ali Seddiki\" } LIMIT 1",
    ])
    .success()
    .get_output()
    .stdout
    .clone();
    let out = String::from_utf8(out).expect("UTF-8");
    assert!(
        out.contains("<https://w3id.org/factgraph/id/person/ali-seddiki>"),
        "{out}"
    );
    assert!(!out.contains("fgr:person/"), "{out}");
    // A cell pasted back into a query works.
    query_cmd(&[
        "ASK { <https://w3id.org/factgraph/id/person/ali-seddiki> schema:name ?n }",
        "--format",
        "table",
    ])
    .success()
    .stdout("true\n");
}

#[test]
fn construct_writes_instances_as_full_iris() {
    let out = query_cmd(&[
        "CONSTRUCT { ?p schema:name ?n } WHERE { ?p schema:name ?n FILTER(?n = \"Ali Seddiki\") }",
    ])
    .success()
    .get_output()
    .stdout
    .clone();
    let out = String::from_utf8(out).expect("UTF-8");
    assert!(
        out.contains("<https://w3id.org/factgraph/id/person/ali-seddiki>"),
        "{out}"
    );
    assert!(!out.contains("\\/"), "{out}");
    assert!(out.ends_with('\n'), "{out:?}");
}

#[test]
fn select_star_keeps_the_order_of_the_query() {
    query_cmd(&[
        "SELECT * WHERE { ?zulu schema:name ?alpha } LIMIT 1",
        "--format",
        "csv",
    ])
    .success()
    .stdout(predicate::str::starts_with("zulu,alpha\r\n"));
}

#[test]
fn a_service_without_federate_names_the_flag_and_prints_no_header() {
    query_cmd(&[
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "--format",
        "csv",
    ])
    .code(1)
    .stdout("")
    .stderr(predicate::str::contains("--federate"))
    .stderr(predicate::str::contains("is not supported").not());
}

#[test]
fn json_and_xml_results_end_with_a_newline() {
    for format in ["json", "xml"] {
        for q in [
            "SELECT ?n WHERE { ?p schema:name ?n } LIMIT 2",
            "ASK { ?s ?p ?o }",
        ] {
            let out = query_cmd(&[q, "--format", format])
                .success()
                .get_output()
                .stdout
                .clone();
            assert_eq!(out.last(), Some(&b'\n'), "{format}: {q}");
            assert_ne!(out.get(out.len() - 2), Some(&b'\n'), "{format}: {q}");
        }
    }
}

#[test]
fn a_missing_data_directory_is_named_with_what_was_expected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("no-such-data");
    factgraph()
        .arg("load")
        .arg(&missing)
        .arg("--store")
        .arg(dir.path().join("store.db"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "the data directory {} does not exist; expected a data directory holding a mapping (*.rml.ttl or *.yarrrml.yml)",
            missing.display()
        )));
}

#[test]
fn help_shows_no_store_from_the_environment() {
    factgraph()
        .args(["query", "--help"])
        .env("FACTGRAPH_STORE", "/secret/place.db")
        .assert()
        .success()
        .stdout(predicate::str::contains("[env: FACTGRAPH_STORE]"))
        .stdout(predicate::str::contains("FACTGRAPH_STORE=").not())
        .stdout(predicate::str::contains("/secret/place.db").not());
}

#[test]
fn an_unreachable_api_says_what_it_tries_and_what_to_do() {
    // Port 9 (discard) of this machine: nothing listens, the connection is refused at once.
    let dir = common::copy_dir(&common::root().join("data"));
    let cache = tempfile::tempdir().expect("temp dir");
    let out = factgraph()
        .arg("link")
        .arg(dir.path())
        .args([
            "--api",
            "http://127.0.0.1:9/w/api.php",
            "--retries",
            "1",
            "--cache",
        ])
        .arg(cache.path())
        .output()
        .expect("factgraph runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("warning: cannot reach http://127.0.0.1:9/w/api.php (")
            && stderr.contains("retry 1 of 1 in 1 s"),
        "{stderr}"
    );
    assert!(stderr.contains("--dump FILE"), "{stderr}");
    assert!(
        stderr.contains(&format!("the cache ({})", cache.path().display())),
        "{stderr}"
    );
    assert!(!stderr.contains("io: "), "{stderr}");
    assert!(
        stderr.trim_end().ends_with("re-used by the next run"),
        "{stderr}"
    );
    assert!(!dir.path().join("links.csv").exists());
}

/// The triples of `text` in `format`, graph names dropped.
fn triples(text: &[u8], format: oxigraph::io::RdfFormat) -> std::collections::BTreeSet<String> {
    oxigraph::io::RdfParser::from_format(format)
        .for_slice(text)
        .map(|q| {
            let q = q.expect("parses");
            format!("{} {} {}", q.subject, q.predicate, q.object)
        })
        .collect()
}

fn export(args: &[&str]) -> Vec<u8> {
    factgraph()
        .arg("export")
        .args(args)
        .arg("--store")
        .arg(bundled_store())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

/// Checks the layout of readable Turtle: prefixes sorted, then subject blocks sorted, one
/// blank line between them.
fn assert_readable(turtle: &str) {
    let mut lines = turtle.lines();
    let prefixes: Vec<&str> = lines
        .by_ref()
        .take_while(|l| l.starts_with("@prefix"))
        .collect();
    assert!(prefixes.len() > 5, "{turtle}");
    let mut sorted = prefixes.clone();
    sorted.sort();
    assert_eq!(prefixes, sorted, "prefixes sorted");
    let body: Vec<&str> = lines.collect();
    let blocks: Vec<&[&str]> = body.split(|l| l.is_empty()).collect();
    assert!(blocks.len() > 20, "{} blocks", blocks.len());
    let subjects: Vec<&str> = blocks
        .iter()
        .map(|b| {
            assert!(!b.is_empty(), "one blank line between subjects, not two");
            assert!(b[0].ends_with(" ;") || b[0].ends_with(" ."), "{b:?}");
            assert!(b.last().is_some_and(|l| l.ends_with(" .")), "{b:?}");
            assert!(b[1..].iter().all(|l| l.starts_with("    ")), "{b:?}");
            b[0].split(' ').next().unwrap_or_default()
        })
        .collect();
    let mut sorted = subjects.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(subjects, sorted, "subjects sorted, each once");
}

#[test]
fn export_is_sorted_grouped_without_the_ontology_and_parses_back() {
    use oxigraph::io::RdfFormat;
    let turtle = String::from_utf8(export(&[])).expect("UTF-8");
    assert_readable(&turtle);
    assert!(!turtle.contains("owl:ObjectProperty"), "no ontology");
    assert!(turtle.contains("\n\ncommitment:emplois-1500-2027 a fg:Commitment ;\n    fg:commitmentKind fg:JobCreation ;\n"));
    // The same graph as the store's data (N-Quads, written by another writer), less the
    // ontology's graph.
    let all = export(&["--format", "nquads", "--with-ontology"]);
    let data: std::collections::BTreeSet<String> =
        oxigraph::io::RdfParser::from_format(RdfFormat::NQuads)
            .for_slice(&all)
            .map(|q| q.expect("parses"))
            .filter(|q| q.graph_name.to_string() != "<https://w3id.org/factgraph/graph/ontology>")
            .map(|q| format!("{} {} {}", q.subject, q.predicate, q.object))
            .collect();
    assert!(data.len() > 150);
    assert_eq!(triples(turtle.as_bytes(), RdfFormat::Turtle), data);
    assert_eq!(
        triples(&export(&["--format", "nquads"]), RdfFormat::NQuads),
        data
    );
    // With the ontology: every triple of the store.
    let with = String::from_utf8(export(&["--with-ontology"])).expect("UTF-8");
    assert_readable(&with);
    assert!(with.contains("owl:ObjectProperty"));
    assert_eq!(
        triples(with.as_bytes(), RdfFormat::Turtle),
        triples(&all, RdfFormat::NQuads)
    );
    // TriG keeps the ontology's graph apart.
    let trig = String::from_utf8(export(&["--format", "trig", "--with-ontology"])).expect("UTF-8");
    assert!(
        trig.contains("\n<https://w3id.org/factgraph/graph/ontology> {\n    "),
        "{trig}"
    );
}

#[test]
fn queries_still_see_the_ontology() {
    query_cmd(&["ASK { fg:Commitment a owl:Class }", "--format", "csv"])
        .success()
        .stdout("true\n");
}

#[test]
fn export_and_map_use_the_mappings_prefixes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = common::copy_dir(&common::root().join("data"));
    let mapping = data.path().join("mapping.rml.ttl");
    let text = std::fs::read_to_string(&mapping).expect("mapping");
    std::fs::write(
        &mapping,
        text.replacen(
            "@prefix schema:  <http://schema.org/> .",
            "@prefix s: <http://schema.org/> .\n@prefix schema:  <http://schema.org/> .",
            1,
        ),
    )
    .expect("mapping written");
    for format in ["turtle", "trig"] {
        let out = factgraph()
            .arg("map")
            .arg(data.path())
            .args(["--quiet", "--format", format])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let out = String::from_utf8(out).expect("UTF-8");
        // The user's (shorter) name for schema.org wins over factgraph's.
        assert!(out.contains("@prefix s: <http://schema.org/> .\n"), "{out}");
        assert!(!out.contains("@prefix schema:"), "{out}");
        assert!(out.contains(" s:name "), "{out}");
        if format == "turtle" {
            assert_readable(&out);
        }
    }
    let out = factgraph()
        .arg("export")
        .arg("--prefixes-from")
        .arg(data.path())
        .arg("--store")
        .arg(bundled_store())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).expect("UTF-8");
    assert!(out.contains(" s:name "), "{out}");
    drop(dir);
}

#[test]
fn a_terminal_of_width_zero_gets_a_whole_table() {
    // `script` gives the query a terminal; `stty cols 0` makes it report width 0.
    let Ok(status) = std::process::Command::new("script")
        .arg("--version")
        .output()
    else {
        skip_notice!("SKIPPED: no `script` (util-linux) to give the query a terminal");
        return;
    };
    if !status.status.success() {
        skip_notice!("SKIPPED: `script` does not run here");
        return;
    }
    let binary = assert_cmd::cargo::cargo_bin("factgraph");
    let command = format!(
        "stty cols 0 rows 0; '{}' query --store '{}' 'SELECT ?n WHERE {{ ?p schema:name ?n FILTER(?n = \"Ali Seddiki\") }}'",
        binary.display(),
        bundled_store().display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("FACTGRAPH_STORE")
        .output()
        .expect("script runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("│ Ali Seddiki │"), "{stdout}");
}
