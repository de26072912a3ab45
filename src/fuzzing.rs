//! The bodies of the fuzz targets (`fuzz/`), kept in the library so that the inputs the
//! fuzzers found are replayed by an ordinary test (`tests/fuzz_regressions.rs`).
//!
//! Each function must never panic on any input, except through the invariants it asserts.

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::rml::{self, ParseOptions};
use crate::validate::{self, table::Scanner, Report};

/// The mapping the CSV target runs: two sources, joins, typed literals, a language map,
/// IRI templates (absolute, relative to the base, and Wikidata), a currency and a datatype map.
pub const CSV_MAPPING: &str = r#"@prefix rml: <http://w3id.org/rml/> .
@prefix ex: <http://example.com/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <http://schema.org/> .
@base <http://example.com/base/> .
ex:A a rml:TriplesMap ;
  rml:logicalSource [ rml:referenceFormulation rml:CSV ;
    rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path "a.csv" ] ] ;
  rml:subjectMap [ rml:template "http://example.com/a/{id}" ; rml:class ex:A ] ;
  rml:predicateObjectMap
    [ rml:predicate ex:n ; rml:objectMap [ rml:reference "n" ; rml:datatype xsd:integer ] ] ,
    [ rml:predicate ex:d ; rml:objectMap [ rml:reference "d" ; rml:datatype xsd:date ] ] ,
    [ rml:predicate ex:t ; rml:objectMap [ rml:reference "t" ; rml:languageMap [ rml:reference "l" ] ] ] ,
    [ rml:predicate schema:currency ; rml:objectMap [ rml:reference "c" ] ] ,
    [ rml:predicate ex:wd ; rml:objectMap [ rml:template "http://www.wikidata.org/entity/{q}" ] ] ,
    [ rml:predicate ex:rel ; rml:objectMap [ rml:template "{id}/{n}" ; rml:termType rml:IRI ] ] ,
    [ rml:predicate ex:b ; rml:objectMap [ rml:reference "b" ; rml:termType rml:IRI ] ] .
ex:B a rml:TriplesMap ;
  rml:logicalSource [ rml:referenceFormulation rml:CSV ;
    rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path "b.csv" ] ] ;
  rml:subjectMap [ rml:template "http://example.com/b/{id}" ; rml:class ex:B ] ;
  rml:predicateObjectMap
    [ rml:predicate ex:a ; rml:objectMap [ rml:parentTriplesMap ex:A ;
        rml:joinCondition [ rml:child "a" ; rml:parent "id" ] ] ] ,
    [ rml:predicate ex:a2 ; rml:objectMap [ rml:template "http://example.com/a/{a}" ] ] ,
    [ rml:predicate ex:g ; rml:objectMap [ rml:reference "v" ;
        rml:datatypeMap [ rml:template "http://www.w3.org/2001/XMLSchema#{dt}" ] ] ] .
"#;

/// A directory of this process for the target's files.
fn work_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("factgraph-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&d);
        d
    })
}

/// CSV → checks → RML. `data` holds `a.csv`, a NUL byte, then `b.csv`. Asserts that
/// (1) the scanner reads what the `csv` crate reads from any file it finds no problem in, and
/// (2) when the checks find no error, the mapping runs without error.
pub fn csv_rml(data: &[u8]) {
    let (a, b) = match data.iter().position(|&x| x == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b"id,a,v,dt\n"[..]),
    };
    csv_agrees_with_scanner(a);
    let dir = work_dir();
    if std::fs::write(dir.join("a.csv"), a).is_err()
        || std::fs::write(dir.join("b.csv"), b).is_err()
    {
        return;
    }
    static MAPPING: OnceLock<rml::Mapping> = OnceLock::new();
    let mapping = MAPPING.get_or_init(|| {
        rml::parse_mapping_str(
            CSV_MAPPING,
            &dir.join("mapping.rml.ttl"),
            &ParseOptions::default(),
        )
        .unwrap_or_else(|e| panic!("the fuzz mapping is valid: {e}"))
    });
    let mut report = Report::default();
    validate::check_mappings(std::slice::from_ref(mapping), true, &mut report);
    let mut quads = Vec::new();
    let result = rml::execute(mapping, &mut quads);
    if report.is_ok() {
        if let Err(e) = result {
            panic!("the checks passed but the mapping failed: {e}\nreport: {report:?}");
        }
    }
}

/// Asserts that on input the scanner finds no problem in, it reads the same records as the
/// `csv` crate configured as the executor configures it. Line numbers are not compared: the
/// fuzzer found that the csv crate's are wrong after a `\r\n` (its `\n` is counted one record
/// late), a lone `\r` (not counted) and a blank line (not counted); the scanner counts lines
/// as editors do.
pub fn csv_agrees_with_scanner(text: &[u8]) {
    let mut report = Report::default();
    let mut scanner = Scanner::new(text, "x.csv");
    let mut ours: Vec<(u64, Vec<String>)> = Vec::new();
    if let Some(h) = scanner.header(&mut report) {
        ours.push((0, h));
        while let Some(r) = scanner.next_record(&mut report) {
            ours.push((r.line, r.fields));
        }
    }
    if !report.problems.is_empty() {
        return;
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut theirs: Vec<(u64, Vec<String>)> = Vec::new();
    for (i, r) in reader.records().enumerate() {
        let r = match r {
            Ok(r) => r,
            Err(e) => panic!("the scanner found no problem but csv failed: {e}"),
        };
        let line = if i == 0 {
            0
        } else {
            r.position().map_or(0, csv::Position::line)
        };
        theirs.push((line, r.iter().map(str::to_owned).collect()));
    }
    let fields = |v: Vec<(u64, Vec<String>)>| v.into_iter().map(|r| r.1).collect::<Vec<_>>();
    assert_eq!(
        fields(ours),
        fields(theirs),
        "scanner and csv crate disagree on {text:?}"
    );
}

/// Mapping text → parser → derivation of the checks (no file is read).
pub fn mapping_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let path = work_dir().join("fuzz.rml.ttl");
    if let Ok(m) = rml::parse_mapping_str(&text, &path, &ParseOptions::default()) {
        let _ = validate::plan::Plan::new(&m);
        let _ = validate::references::Rules::new(&m);
        let _ = m.sources();
    }
}
