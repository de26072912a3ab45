//! The W3C KG-Construct RML-Core CSV test cases, run through the library.
//!
//! Cases are read from `../shared/conformance/rml-core-csv` (override with
//! `FACTGRAPH_RML_CORE_TESTS`); when the folder is absent the suite says it was skipped.
//! Expected output is compared as an RDF dataset, blank nodes up to renaming (RDFC-1.0).

#[macro_use]
mod common;

use std::path::{Path, PathBuf};

use factgraph::rml::{self, ParseOptions};
use oxrdf::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use oxrdf::{Dataset, Quad};

const BASE: &str = "http://example.com/base/";

fn suite_dir() -> PathBuf {
    match std::env::var_os("FACTGRAPH_RML_CORE_TESTS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/rml-core-csv"),
    }
}

fn canonical(quads: impl IntoIterator<Item = Quad>) -> Dataset {
    let mut d: Dataset = quads.into_iter().collect();
    d.canonicalize(CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
    });
    d
}

fn expected(case: &Path) -> Result<Dataset, String> {
    let path = case.join("output.nq");
    let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let quads = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::NQuads)
        .for_slice(&text)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(canonical(quads))
}

/// Runs one case; Ok(()) when it behaves as the suite says.
fn run_case(dir: &Path, id: &str, must_fail: bool) -> Result<(), String> {
    let case = dir.join(id);
    let result = rml::parse_mapping_file(
        &case.join("mapping.ttl"),
        &ParseOptions {
            base: Some(BASE.into()),
        },
    )
    .and_then(|m| {
        let mut quads: Vec<Quad> = Vec::new();
        rml::execute(&m, &mut quads).map(|_| quads)
    });
    match (result, must_fail) {
        (Err(_), true) => Ok(()),
        (Ok(q), true) => Err(format!("expected an error, got {} quads", q.len())),
        (Err(e), false) => Err(format!("unexpected error: {e}")),
        (Ok(q), false) => {
            let got = canonical(q);
            let want = expected(&case)?;
            if got == want {
                Ok(())
            } else {
                let missing: Vec<String> = want
                    .iter()
                    .filter(|q| !got.contains(*q))
                    .take(5)
                    .map(|q| q.to_string())
                    .collect();
                let extra: Vec<String> = got
                    .iter()
                    .filter(|q| !want.contains(*q))
                    .take(5)
                    .map(|q| q.to_string())
                    .collect();
                Err(format!(
                    "graphs differ; missing {missing:?}; unexpected {extra:?}"
                ))
            }
        }
    }
}

#[test]
fn rml_core_csv_conformance() {
    let dir = suite_dir();
    let metadata = dir.join("metadata.csv");
    if !metadata.exists() {
        skip_notice!(
            "SKIPPED: RML-Core conformance suite not found at {} (set FACTGRAPH_RML_CORE_TESTS)",
            dir.display()
        );
        return;
    }
    let mut reader = csv::Reader::from_path(&metadata).expect("metadata.csv is readable");
    let headers = reader.headers().expect("metadata.csv has a header").clone();
    let id_col = headers.iter().position(|h| h == "ID").expect("ID column");
    let err_col = headers
        .iter()
        .position(|h| h == "error")
        .expect("error column");
    let (mut passed, mut failed) = (0, 0);
    for row in reader.records() {
        let row = row.expect("metadata.csv row");
        let id = &row[id_col];
        match run_case(&dir, id, &row[err_col] == "true") {
            Ok(()) => passed += 1,
            Err(why) => {
                failed += 1;
                println!("FAIL {id}: {why}");
            }
        }
    }
    println!("rml-core-csv: {passed} passed, {failed} failed");
    assert_eq!(failed, 0, "{failed} RML-Core cases failed");
    assert!(passed >= 48, "only {passed} cases ran");
}
