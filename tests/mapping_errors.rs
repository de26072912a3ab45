//! Mapping mistakes are reported as `mapping.ttl:LINE: what is wrong (triples map <…>)`, exit 2.

mod common;

use common::factgraph;
use predicates::prelude::*;

const HEAD: &str = "@prefix rml: <http://w3id.org/rml/> .
@prefix ex: <http://example.com/> .
";

const SOURCE: &str = "rml:logicalSource [ rml:referenceFormulation rml:CSV ;
    rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path \"people.csv\" ] ]";

/// Runs `factgraph map` on a mapping (HEAD + body) beside a small people.csv; returns stderr.
fn map_error(body: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("people.csv"), "id,name\n1,Ann\n").unwrap();
    std::fs::write(dir.path().join("mapping.ttl"), format!("{HEAD}{body}")).unwrap();
    let out = factgraph()
        .args(["map", "--mapping"])
        .arg(dir.path().join("mapping.ttl"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).unwrap()
}

fn assert_has(stderr: &str, parts: &[&str]) {
    for p in parts {
        assert!(stderr.contains(p), "expected {p:?} in {stderr:?}");
    }
}

#[test]
fn misspelt_term() {
    let e = map_error(&format!(
        "ex:TM a rml:TriplesMap ; {SOURCE} ;\n  rml:subjectMap [ rml:tempate \"http://ex.com/{{id}}\" ] .\n"
    ));
    assert_has(&e, &["mapping.ttl:5: unknown RML term <http://w3id.org/rml/tempate>; did you mean rml:template?"]);
}

#[test]
fn no_subject_map() {
    let e = map_error(&format!("ex:TM a rml:TriplesMap ;\n  {SOURCE} .\n"));
    assert_has(
        &e,
        &[
            "mapping.ttl:3: the triples map has no subject map",
            "(triples map <http://example.com/TM>)",
        ],
    );
}

#[test]
fn two_subject_maps() {
    let e = map_error(&format!(
        "ex:TM a rml:TriplesMap ; {SOURCE} ;\n  rml:subjectMap [ rml:template \"http://ex.com/{{id}}\" ] , [ rml:template \"http://ex.com/b/{{id}}\" ] .\n"
    ));
    assert_has(
        &e,
        &[
            "mapping.ttl:3: the triples map has 2 subject maps",
            "(triples map <http://example.com/TM>)",
        ],
    );
}

#[test]
fn literal_graph_map() {
    let e = map_error(&format!(
        "ex:TM a rml:TriplesMap ; {SOURCE} ;\n  rml:subjectMap [ rml:template \"http://ex.com/{{id}}\" ;\n    rml:graphMap [ rml:reference \"name\" ; rml:termType rml:Literal ] ] .\n"
    ));
    assert_has(
        &e,
        &[
            "mapping.ttl:6: a graph map cannot produce a literal",
            "(triples map <http://example.com/TM>)",
        ],
    );
}

#[test]
fn unclosed_brace() {
    let e = map_error(&format!(
        "ex:TM a rml:TriplesMap ; {SOURCE} ;\n  rml:subjectMap [\n rml:template \"http://ex.com/{{id\" ] .\n"
    ));
    assert_has(
        &e,
        &[
            "mapping.ttl:6: invalid template \"http://ex.com/{id\": unclosed '{'",
            "(triples map <http://example.com/TM>)",
        ],
    );
}

#[test]
fn missing_column() {
    let e = map_error(&format!(
        "ex:TM a rml:TriplesMap ; {SOURCE} ;\n  rml:subjectMap [ rml:template \"http://ex.com/{{ident}}\" ] .\n"
    ));
    assert_has(&e, &["mapping.ttl:3: the reference \"ident\" names no column of people.csv; expected one of \"id\", \"name\"", "(triples map <http://example.com/TM>)"]);
}

#[test]
fn join_on_missing_parent_map() {
    let e = map_error(&format!(
        "ex:TM a rml:TriplesMap ; {SOURCE} ;\n  rml:subjectMap [ rml:template \"http://ex.com/{{id}}\" ] ;\n  rml:predicateObjectMap [ rml:predicate ex:knows ;\n    rml:objectMap [ rml:parentTriplesMap ex:Nobody ; rml:joinCondition [ rml:child \"id\" ; rml:parent \"id\" ] ] ] .\n"
    ));
    assert_has(&e, &["mapping.ttl:7: rml:parentTriplesMap <http://example.com/Nobody> is not a triples map of this mapping", "(triples map <http://example.com/TM>)"]);
}

#[test]
fn turtle_syntax_error_has_line_and_column() {
    let e = map_error("ex:TM a rml:TriplesMap ;\n  rml:subjectMap [ rml:template \"x\" \n");
    assert_has(&e, &["mapping.ttl:", "invalid Turtle"]);
}

#[test]
fn missing_base_for_relative_iri_is_a_data_error() {
    let e = map_error(&format!(
        "ex:TM a rml:TriplesMap ; {SOURCE} ;\n  rml:subjectMap [ rml:template \"{{name}}\" ; rml:termType rml:IRI ] .\n"
    ));
    assert_has(
        &e,
        &[
            "people.csv:2:2: <Ann> is a relative IRI and the mapping has no base IRI",
            "--base",
        ],
    );
}

#[test]
fn base_option_and_document_base() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("people.csv"), "id,name\n1,Ann\n").unwrap();
    let body = format!("ex:TM a rml:TriplesMap ; {SOURCE} ;\n  rml:subjectMap [ rml:template \"{{name}}\" ; rml:termType rml:IRI ] ;\n  rml:predicateObjectMap [ rml:predicate ex:id ; rml:objectMap [ rml:reference \"id\" ] ] .\n");
    std::fs::write(
        dir.path().join("m.ttl"),
        format!("@base <http://doc.example/> .\n{HEAD}{body}"),
    )
    .unwrap();
    factgraph()
        .args(["map", "-q", "--format", "ntriples", "--mapping"])
        .arg(dir.path().join("m.ttl"))
        .assert()
        .success()
        .stdout("<http://doc.example/Ann> <http://example.com/id> \"1\" .\n");
    factgraph()
        .args([
            "map",
            "-q",
            "--format",
            "ntriples",
            "--base",
            "http://cli.example/",
            "--mapping",
        ])
        .arg(dir.path().join("m.ttl"))
        .assert()
        .success()
        .stdout(predicate::str::starts_with("<http://cli.example/Ann>"));
}
