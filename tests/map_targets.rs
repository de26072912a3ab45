//! `factgraph map` with RML-IO logical targets: quads go to the targets of the term maps
//! that made them, the rest to `-o`; targets appear only complete; target problems name the
//! mapping file and line.

#[macro_use]
mod common;

use std::io::Read as _;
use std::path::Path;

use oxigraph::io::{RdfFormat, RdfParser};

const PREFIXES: &str = "@prefix rml: <http://w3id.org/rml/> .
@prefix ex: <http://example.com/> .
@prefix formats: <http://www.w3.org/ns/formats/> .
";

const PEOPLE: &str = "id,name,city\n1,Ann,Paris\n2,Bob,Lyon\n";

/// A triples map over people.csv; `extra` goes inside its subject map.
fn people_map(name: &str, subject_extra: &str, poms: &str) -> String {
    format!(
        "ex:{name} a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:CSV; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"people.csv\" ] ];
  rml:subjectMap [ rml:template \"http://example.com/person/{{id}}\" {subject_extra} ];
  {poms} .
"
    )
}

fn target(name: &str, path: &str, options: &str) -> String {
    format!(
        "ex:{name} a rml:LogicalTarget;
  rml:target [ a rml:FilePath; rml:root rml:MappingDirectory; rml:path \"{path}\" ]{options} .
"
    )
}

fn setup(mapping: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("people.csv"), PEOPLE).expect("write csv");
    std::fs::write(
        dir.path().join("mapping.rml.ttl"),
        format!("{PREFIXES}{mapping}"),
    )
    .expect("write mapping");
    dir
}

fn map(dir: &Path) -> std::process::Output {
    common::factgraph()
        .current_dir(dir)
        .args([
            "map",
            "--mapping",
            "mapping.rml.ttl",
            "--quiet",
            "-o",
            "default.nq",
        ])
        .output()
        .expect("factgraph runs")
}

/// The sorted lines of an N-Quads / N-Triples text, each parsed and written back.
fn quads(text: &[u8], format: RdfFormat) -> Vec<String> {
    let mut v: Vec<String> = RdfParser::from_format(format)
        .for_slice(text)
        .map(|q| q.expect("valid RDF").to_string())
        .collect();
    v.sort();
    v
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Files of `dir` whose name contains `.partial` (left-over temporary files).
fn partial_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial"))
        .collect()
}

#[test]
fn two_targets_and_the_default_output() {
    let mapping = format!(
        "{}{}{}",
        target("T1", "people.nq", "; rml:serialization formats:N-Quads"),
        target("T2", "out/cities.nt", "; rml:serialization formats:N-Triples"),
        people_map(
            "People",
            "; rml:logicalTarget ex:T1",
            "rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"name\" ] ];
  rml:predicateObjectMap [ rml:predicateMap [ rml:constant ex:city; rml:logicalTarget ex:T2 ]; rml:objectMap [ rml:reference \"city\" ] ]",
        ) + &people_map(
            "Plain",
            "",
            "rml:predicateObjectMap [ rml:predicate ex:id; rml:objectMap [ rml:reference \"id\" ] ]",
        )
    );
    let dir = setup(&mapping);
    std::fs::create_dir(dir.path().join("out")).expect("mkdir");
    let run = map(dir.path());
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        quads(&read(&dir.path().join("people.nq")), RdfFormat::NQuads),
        [
            "<http://example.com/person/1> <http://example.com/city> \"Paris\"",
            "<http://example.com/person/1> <http://example.com/name> \"Ann\"",
            "<http://example.com/person/2> <http://example.com/city> \"Lyon\"",
            "<http://example.com/person/2> <http://example.com/name> \"Bob\"",
        ]
    );
    assert_eq!(
        quads(
            &read(&dir.path().join("out/cities.nt")),
            RdfFormat::NTriples
        ),
        [
            "<http://example.com/person/1> <http://example.com/city> \"Paris\"",
            "<http://example.com/person/2> <http://example.com/city> \"Lyon\"",
        ]
    );
    assert_eq!(
        quads(&read(&dir.path().join("default.nq")), RdfFormat::NQuads),
        [
            "<http://example.com/person/1> <http://example.com/id> \"1\"",
            "<http://example.com/person/2> <http://example.com/id> \"2\"",
        ]
    );
    assert!(partial_files(dir.path()).is_empty());
}

#[test]
fn gzip_target() {
    let mapping = format!(
        "{}{}",
        target("T1", "people.ttl.gz", "; rml:serialization formats:Turtle; rml:compression rml:gzip"),
        people_map(
            "People",
            "; rml:logicalTarget ex:T1",
            "rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"name\" ] ]",
        )
    );
    let dir = setup(&mapping);
    let run = map(dir.path());
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(dir.path().join("people.ttl.gz")).expect("gz written"),
    )
    .read_to_end(&mut text)
    .expect("valid gzip");
    assert_eq!(
        quads(&text, RdfFormat::Turtle),
        [
            "<http://example.com/person/1> <http://example.com/name> \"Ann\"",
            "<http://example.com/person/2> <http://example.com/name> \"Bob\"",
        ]
    );
    assert!(
        read(&dir.path().join("default.nq")).is_empty(),
        "nothing for the default output"
    );
}

#[test]
fn a_failing_run_leaves_no_target_behind() {
    // The first triples map writes its target; the second fails on its data (a JSON source,
    // which only the engine reads): the target must not appear, nor its temporary file.
    let mapping = format!(
        "{}{}
ex:Broken a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:JSONPath; rml:iterator \"$[*]\";
    rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"bad.json\" ] ];
  rml:subjectMap [ rml:reference \"$.iri\" ];
  rml:predicateObjectMap [ rml:predicate ex:p; rml:object \"x\" ] .
",
        target("T1", "people.nq", ""),
        people_map("People", "; rml:logicalTarget ex:T1", "rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"name\" ] ]"),
    );
    let dir = setup(&mapping);
    std::fs::write(
        dir.path().join("bad.json"),
        r#"[{"iri": "not an IRI at all"}]"#,
    )
    .expect("write json");
    let run = map(dir.path());
    assert!(!run.status.success(), "the map should fail");
    assert!(
        !dir.path().join("people.nq").exists(),
        "a target was left behind"
    );
    assert!(
        partial_files(dir.path()).is_empty(),
        "{:?}",
        partial_files(dir.path())
    );
    assert!(!dir.path().join("default.nq").exists());
}

#[test]
fn an_unwritable_target_names_the_mapping_line() {
    let mapping = format!(
        "{}{}",
        target("T1", "no/such/dir/people.nq", ""),
        people_map("People", "; rml:logicalTarget ex:T1", "rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"name\" ] ]"),
    );
    let dir = setup(&mapping);
    let run = map(dir.path());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    // The target is defined on line 4 (after the three prefix lines).
    assert!(
        stderr.contains("mapping.rml.ttl:4") && stderr.contains("no/such/dir/people.nq"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_serialization_is_an_error_naming_the_line() {
    let mapping = format!(
        "{}{}",
        target("T1", "people.nq", ";\n  rml:serialization formats:Nope"),
        people_map("People", "; rml:logicalTarget ex:T1", "rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"name\" ] ]"),
    );
    let dir = setup(&mapping);
    let run = map(dir.path());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("mapping.rml.ttl:4")
            && stderr.contains("Nope")
            && stderr.contains("formats:N-Quads"),
        "{stderr}"
    );
    assert!(!dir.path().join("people.nq").exists());
}

#[test]
fn load_keeps_the_quads_of_targets() {
    let mapping = format!(
        "{}{}",
        target("T1", "people.nq", ""),
        people_map("People", "; rml:logicalTarget ex:T1", "rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"name\" ] ]"),
    );
    let dir = setup(&mapping);
    let store = dir.path().join("store.db");
    let run = common::factgraph()
        .args(["load", "--quiet", "--no-check", "--store"])
        .arg(&store)
        .arg(dir.path())
        .output()
        .expect("factgraph runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let names = common::query(
        &store,
        "SELECT ?n WHERE { ?s <http://example.com/name> ?n } ORDER BY ?n",
        "csv",
    );
    assert_eq!(names.lines().skip(1).collect::<Vec<_>>(), ["Ann", "Bob"]);
    assert!(
        !dir.path().join("people.nq").exists(),
        "load writes no target"
    );
}

#[test]
fn a_partitioned_run_refuses_logical_targets() {
    let mapping = format!(
        "{}{}",
        target("T1", "people.nq", "; rml:serialization formats:N-Quads"),
        people_map(
            "People",
            "; rml:logicalTarget ex:T1",
            "rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"name\" ] ]",
        )
    );
    let dir = setup(&mapping);
    let run = common::factgraph()
        .current_dir(dir.path())
        .args(["map", "--mapping", "mapping.rml.ttl", "--quiet"])
        .args(["--partition", "1/2", "-o", "default.nq"])
        .output()
        .expect("factgraph runs");
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(
        err.contains("mapping.rml.ttl:")
            && err.contains("--partition")
            && err.contains("people.nq"),
        "{err}"
    );
    assert!(!dir.path().join("people.nq").exists());
    // One share of one is the whole run: targets are written.
    let whole = common::factgraph()
        .current_dir(dir.path())
        .args(["map", "--mapping", "mapping.rml.ttl", "--quiet"])
        .args(["--partition", "0/1", "-o", "default.nq"])
        .output()
        .expect("factgraph runs");
    assert!(
        whole.status.success(),
        "{}",
        String::from_utf8_lossy(&whole.stderr)
    );
    assert!(dir.path().join("people.nq").exists());
}
