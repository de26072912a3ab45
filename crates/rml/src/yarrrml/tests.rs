//! Unit tests of the YARRRML translation.

use super::*;

fn tr(y: &str) -> String {
    match translate_str(y, "t.yarrrml.yml") {
        Ok(t) => t.turtle,
        Err(e) => panic!("{e}"),
    }
}

fn error(y: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.yarrrml.yml");
    std::fs::write(&path, y).unwrap();
    match parse_yarrrml_file(&path, &ParseOptions::default()) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn short_forms_translate() {
    let t = tr("prefixes:\n  ex: http://example.com/\nmappings:\n  person:\n    sources: [people.csv~csv]\n    s: ex:$(id)\n    po:\n      - [a, foaf:Person]\n      - [ex:name, $(name), en~lang]\n      - [ex:age, $(age), xsd:integer]\n      - [ex:knows, ex:$(friend)~iri]\n");
    assert!(
        t.contains("rml:template \"http://example.com/{id}\""),
        "{t}"
    );
    assert!(
        t.contains("rml:reference \"name\" ; rml:language \"en\""),
        "{t}"
    );
    assert!(
        t.contains("rml:datatype <http://www.w3.org/2001/XMLSchema#integer>"),
        "{t}"
    );
    assert!(
        t.contains("rml:template \"http://example.com/{friend}\" ]"),
        "{t}"
    );
    assert!(
        t.contains("rml:constant <http://xmlns.com/foaf/0.1/Person>"),
        "{t}"
    );
}

#[test]
fn errors_point_at_the_yaml_line() {
    let e = error("mappings:\n  p:\n    sources: [a.csv~csv]\n    s: http://e.com/$(id\n");
    assert!(
        e.contains("t.yarrrml.yml:4:") && e.contains("bad template"),
        "{e}"
    );
    let e = error("mappings:\n  p:\n    sources: [a.csv~csv]\n    subjcts: http://e.com/$(id)\n");
    assert!(
        e.contains("t.yarrrml.yml:4:") && e.contains("did you mean `subjects`"),
        "{e}"
    );
    let e = error("mappings:\n  p:\n    sources: [a.csv~csv\n    s: x\n");
    assert!(
        e.contains("t.yarrrml.yml:") && e.contains("invalid YAML"),
        "{e}"
    );
}

#[test]
fn turtle_errors_are_moved_to_yaml_lines() {
    // The datatype is checked by the Turtle reader; the message names the YAML line.
    let e = error("mappings:\n  p:\n    sources: [a.csv~csv]\n    s: http://e.com/$(id)\n    po:\n      - [http://e.com/p, $(v), xsd:integr]\n");
    assert!(e.contains("t.yarrrml.yml:6:"), "{e}");
}
