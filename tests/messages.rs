//! Issue 13: messages that say what to do, and output people can read.

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
            "the data directory {} does not exist; expected a data directory holding a mapping (*.rml.ttl)",
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
