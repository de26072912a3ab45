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
    assert!(t.contains("rml:datatype xsd:integer"), "{t}");
    assert!(
        t.contains("rml:template \"http://example.com/{friend}\" ]"),
        "{t}"
    );
    assert!(t.contains("rml:constant foaf:Person"), "{t}");
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

fn quads(y: &str, files: &[(&str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let path = dir.path().join("t.yarrrml.yml");
    std::fs::write(&path, y).unwrap();
    let mapping =
        parse_yarrrml_file(&path, &ParseOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut out: Vec<oxrdf::Quad> = Vec::new();
    crate::execute(&mapping, &mut out).unwrap_or_else(|e| panic!("{e}"));
    let mut v: Vec<String> = out.iter().map(ToString::to_string).collect();
    v.sort();
    v
}

#[test]
fn json_sources_blank_nodes_graphs_and_nested_functions() {
    let q = quads(
        "prefixes:\n  ex: http://e.com/\nmappings:\n  p:\n    sources: ['people.json~jsonpath', '$.people[*]']\n    s: _:$(id)\n    graphs: ex:g\n    po:\n      - p: ex:name\n        o:\n          function: grel:toUpperCase\n          parameters:\n            - parameter: grel:valueParameter\n              value:\n                function: grel:string_trim\n                parameters: [[grel:valueParameter, $(name)]]\n      - [ex:tag, \"{x}\"]\n",
        &[("people.json", r#"{"people":[{"id":"a","name":"  ann "}]}"#)],
    );
    assert_eq!(q.len(), 2, "{q:#?}");
    assert!(
        q.iter()
            .any(|l| l.contains("<http://e.com/name> \"ANN\" <http://e.com/g>")),
        "{q:#?}"
    );
    assert!(
        q.iter()
            .any(|l| l.contains("<http://e.com/tag> \"{x}\" <http://e.com/g>")),
        "{q:#?}"
    );
    assert!(q.iter().all(|l| l.starts_with("_:")), "{q:#?}");
}

#[test]
fn several_sources_and_joins_on_them() {
    let y = "prefixes:\n  ex: http://e.com/\nmappings:\n  a:\n    sources: [[a1.csv~csv], [a2.csv~csv]]\n    s: ex:a/$(id)\n    po:\n      - p: ex:b\n        o:\n          mapping: b\n          condition:\n            function: equal\n            parameters: [[str1, $(b)], [str2, $(id)]]\n  b:\n    sources: [b.csv~csv]\n    s: ex:b/$(id)\n";
    let q = quads(
        y,
        &[
            ("a1.csv", "id,b\n1,x\n"),
            ("a2.csv", "id,b\n2,y\n"),
            ("b.csv", "id\nx\ny\n"),
        ],
    );
    assert_eq!(
        q,
        vec![
            "<http://e.com/a/1> <http://e.com/b> <http://e.com/b/x>".to_owned(),
            "<http://e.com/a/2> <http://e.com/b> <http://e.com/b/y>".to_owned(),
        ]
    );
}

#[test]
fn unknown_names_and_unsupported_keys_are_errors_with_lines() {
    let e = error("mappings:\n  a:\n    sources: [a.csv~csv]\n    po:\n      - p: http://e.com/p\n        o:\n          mapping: bb\n  b:\n    sources: [a.csv~csv]\n");
    assert!(
        e.contains("t.yarrrml.yml:7:") && e.contains("no mapping named `bb`"),
        "{e}"
    );
    let e = error("sources:\n  people: [a.csv~csv]\nmappings:\n  a:\n    sources: peple\n");
    assert!(
        e.contains("t.yarrrml.yml:5:") && e.contains("did you mean `people`"),
        "{e}"
    );
    let e = error("mappings:\n  a:\n    sources: [a.csv~tsv]\n");
    assert!(
        e.contains("t.yarrrml.yml:3:") && e.contains("unknown reference formulation"),
        "{e}"
    );
    let e = error("mappings:\n  a:\n    sources: [a.csv~csv]\n    targets: [out.nq]\n");
    assert!(
        e.contains("t.yarrrml.yml:4:") && e.contains("not supported"),
        "{e}"
    );
    let e = error("mappings:\n  a:\n    sources: [a.csv~csv]\n    s: http://e.com/$()\n");
    assert!(
        e.contains("t.yarrrml.yml:4:") && e.contains("names no reference"),
        "{e}"
    );
}

#[test]
fn a_repeated_key_is_an_error() {
    let e = error("mappings:\n  a:\n    sources: [a.csv~csv]\n    s: http://e.com/$(id)\n    s: http://e.com/x/$(id)\n");
    assert!(e.contains("t.yarrrml.yml:5:"), "{e}");
}

#[test]
fn conditions_on_entries_and_mappings_filter_terms() {
    let y = "prefixes:\n  ex: http://e.com/\nmappings:\n  a:\n    sources: [a.csv~csv]\n    s: ex:a/$(id)\n    condition:\n      function: idlab-fn:notEqual\n      parameters: [[grel:valueParam, $(id)], [grel:valueParam2, '3']]\n    po:\n      - p: ex:name\n        o: $(name)\n        condition:\n          function: grel:string_contains\n          parameters:\n            - [grel:valueParam, $(name)]\n            - [grel:param_string_sub, n]\n";
    let q = quads(y, &[("a.csv", "id,name\n1,ann\n2,bob\n3,nina\n")]);
    assert_eq!(
        q,
        vec!["<http://e.com/a/1> <http://e.com/name> \"ann\"".to_owned()]
    );
}

#[test]
fn xml_sources_base_and_relative_iris() {
    let y = "base: http://e.com/base/\nmappings:\n  p:\n    sources:\n      - [people.xml~xpath, /people/person]\n    s: $(@id)\n    po:\n      - [http://e.com/name, $(name)]\n      - [http://e.com/friend, $(friend)~iri]\n";
    let q = quads(
        y,
        &[(
            "people.xml",
            "<people><person id=\"a\"><name>Ann</name><friend>b</friend></person></people>",
        )],
    );
    assert_eq!(
        q,
        vec![
            "<http://e.com/base/a> <http://e.com/friend> <http://e.com/base/b>".to_owned(),
            "<http://e.com/base/a> <http://e.com/name> \"Ann\"".to_owned(),
        ]
    );
}

#[test]
fn an_undeclared_prefix_is_an_error() {
    let e = error("mappings:\n  a:\n    sources: [a.csv~csv]\n    s: ex:$(id)\n");
    assert!(
        e.contains("t.yarrrml.yml:4:")
            && e.contains("`ex:` in `ex:$(id)` is not a declared prefix"),
        "{e}"
    );
    let e = error("mappings:\n  a:\n    sources: [a.csv~csv]\n    s: urn:x:$(id)\n    po:\n      - [http://e.com/p, ex:thing~iri]\n");
    assert!(e.contains("t.yarrrml.yml:6:") && e.contains("`ex:`"), "{e}");
}

#[test]
fn messages_name_the_yarrrml_mapping() {
    assert_eq!(mapping_name("<yarrrml:my%20map>"), "my map");
    assert_eq!(mapping_name("<http://e.com/x>"), "<http://e.com/x>");
    let e = error("mappings:\n  people:\n    sources: [a.csv~csv]\n    s: http://e.com/$(id)\n    po:\n      - [http://e.com/p, $(v), xsd:integer]\n      - [http://e.com/p, $(v), $(lang)~lang]\n      - [http://e.com/p, x]\n      - p: http://e.com/p\n        o:\n          mapping: people\n          condition:\n            function: equal\n            parameters: [[str1, $(a)], [str2, $(b)]]\n        g: '$(g)'\n      - [http://e.com/q, $(v), \"en us~lang\"]\n");
    assert!(
        e.contains("t.yarrrml.yml:16:") && e.contains("(triples map people)"),
        "{e}"
    );
}
