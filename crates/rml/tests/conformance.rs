//! The W3C KG-Construct RML-Core test cases (CSV and JSON), the RML-CC (collections and
//! containers) and the RML-FNML (functions) test cases, run through the library.
//!
//! Suites are read from the workplace's `shared/conformance/` beside the clone
//! (`rml-core-csv`, `rml-core-json`, `rml-cc`, `rml-fnml`), or from `FACTGRAPH_RML_CORE_TESTS` /
//! `FACTGRAPH_RML_JSON_TESTS` / `FACTGRAPH_RML_CC_TESTS` / `FACTGRAPH_RML_FNML_TESTS`; an absent
//! suite is reported as SKIPPED. Each case is copied to a temporary directory, its `mapping.ttl`
//! parsed with the case's base IRI (the README's "Default Base IRI" — `http://example.com/` for
//! the JSON cases — else `http://example.com/base/`, which the CSV and RML-CC cases expect),
//! executed into a `Vec`, and compared with `output.nq` (`default.nq` in RML-CC) as datasets with
//! blank nodes canonicalized (RDFC-1.0). Cases marked `error=true` must fail.

mod common;

use std::path::{Path, PathBuf};

use common::{canonical, difference, expected, say};
use factgraph_rml::{self as rml, ParseOptions};
use oxrdf::Quad;

/// Cases allowed to fail, each with its reason. Keep this list short.
const KNOWN_FAILURES: &[&str] = &[];

const DEFAULT_BASE: &str = "http://example.com/base/";

fn suite_dir(env: &str, name: &str) -> PathBuf {
    match std::env::var_os(env) {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/conformance")
            .join(name),
    }
}

/// The base IRI the case's README declares, or the CSV suite's.
fn base_of(case: &Path) -> String {
    std::fs::read_to_string(case.join("README.md"))
        .ok()
        .and_then(|readme| {
            readme.lines().find_map(|l| {
                l.strip_prefix("**Default Base IRI**:")
                    .map(|b| b.trim().to_owned())
            })
        })
        .unwrap_or_else(|| DEFAULT_BASE.to_owned())
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// Runs one case; Ok(()) when it behaves as the suite says.
fn run_case(dir: &Path, id: &str, must_fail: bool) -> Result<(), String> {
    let original = dir.join(id);
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    copy_dir(&original, tmp.path()).map_err(|e| e.to_string())?;
    let case = tmp.path();
    let result = rml::parse_mapping_file(
        &case.join("mapping.ttl"),
        &ParseOptions {
            base: Some(base_of(case)),
        },
    )
    .and_then(|m| {
        let mut quads: Vec<Quad> = Vec::new();
        rml::execute(&m, &mut quads).map(|_| quads)
    });
    match (result, must_fail) {
        (Err(e), true) => {
            if std::env::var_os("FACTGRAPH_CONFORMANCE_VERBOSE").is_some() {
                say(format_args!("ok {id}: refused with: {e}"));
            }
            Ok(())
        }
        (Ok(q), true) => Err(format!("expected an error, got {} quads", q.len())),
        (Err(e), false) => Err(format!("unexpected error: {e}")),
        (Ok(q), false) => {
            let got = canonical(q);
            let want = expected(case)?;
            if got == want {
                return Ok(());
            }
            Err(difference(&got, &want, 5))
        }
    }
}

/// Runs a suite; returns the ids of the failing cases (printed with their reasons).
fn run_suite(name: &str, env: &str, dir: &Path, at_least: usize) -> Option<Vec<String>> {
    let metadata = dir.join("metadata.csv");
    if !metadata.exists() {
        say(format_args!(
            "SKIPPED: {name} conformance suite not found at {} (set {env})",
            dir.display()
        ));
        return None;
    }
    let mut reader = csv::Reader::from_path(&metadata).expect("metadata.csv is readable");
    let headers = reader.headers().expect("metadata.csv has a header").clone();
    let id_col = headers.iter().position(|h| h == "ID").expect("ID column");
    let err_col = headers
        .iter()
        .position(|h| h == "error")
        .expect("error column");
    let (mut passed, mut failed) = (0, Vec::new());
    for row in reader.records() {
        let row = row.expect("metadata.csv row");
        let id = &row[id_col];
        match run_case(dir, id, &row[err_col] == "true") {
            Ok(()) => passed += 1,
            Err(why) => {
                say(format_args!("FAIL {id}: {why}"));
                failed.push(id.to_owned());
            }
        }
    }
    say(format_args!(
        "{name}: {passed}/{} passed",
        passed + failed.len()
    ));
    assert!(
        passed + failed.len() >= at_least,
        "only {} cases ran",
        passed + failed.len()
    );
    Some(failed)
}

fn check(failed: Vec<String>) {
    let unexpected: Vec<&String> = failed
        .iter()
        .filter(|id| !KNOWN_FAILURES.contains(&id.as_str()))
        .collect();
    assert!(unexpected.is_empty(), "cases failed: {unexpected:?}");
}

#[test]
fn rml_core_csv() {
    let dir = suite_dir("FACTGRAPH_RML_CORE_TESTS", "rml-core-csv");
    if let Some(failed) = run_suite("rml-core-csv", "FACTGRAPH_RML_CORE_TESTS", &dir, 48) {
        check(failed);
    }
}

#[test]
fn rml_core_json() {
    let dir = suite_dir("FACTGRAPH_RML_JSON_TESTS", "rml-core-json");
    if let Some(failed) = run_suite("rml-core-json", "FACTGRAPH_RML_JSON_TESTS", &dir, 76) {
        check(failed);
    }
}

#[test]
fn rml_cc() {
    let dir = suite_dir("FACTGRAPH_RML_CC_TESTS", "rml-cc");
    if let Some(failed) = run_suite("rml-cc", "FACTGRAPH_RML_CC_TESTS", &dir, 35) {
        check(failed);
    }
}

#[test]
fn rml_fnml() {
    let dir = suite_dir("FACTGRAPH_RML_FNML_TESTS", "rml-fnml");
    if let Some(failed) = run_suite("rml-fnml", "FACTGRAPH_RML_FNML_TESTS", &dir, 20) {
        check(failed);
    }
}
