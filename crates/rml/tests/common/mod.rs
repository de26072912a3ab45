//! Helpers shared by the engine's suite harnesses (`conformance.rs`, `rml_io_sources.rs`,
//! `lv.rs`): RDFC-1.0 comparison, the expected output of a case, messages that show.
#![allow(dead_code)]

use std::path::Path;

use oxrdf::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use oxrdf::{Dataset, Quad};

/// Writes to stderr directly: the harness's capture would hide `eprintln!` of passing tests,
/// and the score and SKIPPED lines must show.
pub fn say(message: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

/// The quads as a dataset with blank nodes canonicalised (RDFC-1.0), so that equal graphs
/// compare equal.
pub fn canonical(quads: impl IntoIterator<Item = Quad>) -> Dataset {
    let mut d: Dataset = quads.into_iter().collect();
    d.canonicalize(CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
    });
    d
}

/// The expected output of a case: `output.nq`, or `default.nq` in the suites whose cases also
/// write RML-IO targets.
pub fn expected(case: &Path) -> Result<Dataset, String> {
    let path = ["output.nq", "default.nq"]
        .iter()
        .map(|f| case.join(f))
        .find(|p| p.exists())
        .unwrap_or_else(|| case.join("output.nq"));
    let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    // Lenient: RMLTC0027b expects IRIs with spaces (rml:UnsafeIRI).
    let quads = oxttl::NQuadsParser::new()
        .lenient()
        .for_slice(&text)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(canonical(quads))
}

/// Why `got` is not `want`: up to `n` missing and `n` unexpected quads.
pub fn difference(got: &Dataset, want: &Dataset, n: usize) -> String {
    let missing: Vec<String> = want
        .iter()
        .filter(|q| !got.contains(*q))
        .take(n)
        .map(|q| q.to_string())
        .collect();
    let extra: Vec<String> = got
        .iter()
        .filter(|q| !want.contains(*q))
        .take(n)
        .map(|q| q.to_string())
        .collect();
    format!("graphs differ; missing {missing:?}; unexpected {extra:?}")
}
