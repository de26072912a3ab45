//! Tests of the JSON and XML sources and of the multi-valued executor.

use super::json::streamable_keys;
use crate::tests::run;
use crate::RmlError;

fn json_source(file: &str, iterator: &str) -> String {
    format!("rml:logicalSource [ rml:referenceFormulation rml:JSONPath; rml:iterator \"{iterator}\"; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"{file}\" ] ]")
}

fn xml_source(file: &str, iterator: &str) -> String {
    format!("rml:logicalSource [ rml:referenceFormulation rml:XPath; rml:iterator \"{iterator}\"; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"{file}\" ] ]")
}

#[test]
fn streamable_iterators_are_recognised() {
    assert_eq!(streamable_keys("$[*]"), Some(vec![]));
    assert_eq!(
        streamable_keys("$.students[*]"),
        Some(vec!["students".into()])
    );
    assert_eq!(
        streamable_keys("$.a.b_c[*]"),
        Some(vec!["a".into(), "b_c".into()])
    );
    assert_eq!(
        streamable_keys("$['a b'][\"c\"][*]"),
        Some(vec!["a b".into(), "c".into()])
    );
    assert_eq!(streamable_keys("$.a.*"), Some(vec!["a".into()]));
    for not in [
        "$..a[*]",
        "$.a[0]",
        "$.a[?@.x]",
        "$.a",
        "$.a[*].b[*]",
        "$.1a[*]",
        "a[*]",
    ] {
        assert_eq!(streamable_keys(not), None, "{not}");
    }
}

#[test]
fn multi_valued_references_give_one_term_each_and_templates_the_product() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/{{$.names[*]}}/{{$.n[*]}}\" ];
         rml:predicateObjectMap [ rml:predicate ex:tag; rml:objectMap [ rml:reference \"$.tags[*]\" ] ] .",
        json_source("d.json", "$.items[*]")
    );
    let out = run(
        &m,
        &[(
            "d.json",
            r#"{"items": [{"names": ["a", "b"], "n": [1, 2], "tags": ["x", "y"]}]}"#,
        )],
    )
    .unwrap();
    let mut want = Vec::new();
    for s in ["a/1", "a/2", "b/1", "b/2"] {
        for t in ["x", "y"] {
            want.push(format!(
                "<http://example.com/{s}> <http://example.com/tag> \"{t}\" ."
            ));
        }
    }
    want.sort();
    assert_eq!(out, want);
}

#[test]
fn nulls_and_missing_values_give_no_term() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/{{$.id}}\" ];
         rml:predicateObjectMap [ rml:predicate ex:v; rml:objectMap [ rml:reference \"$.v\" ] ];
         rml:predicateObjectMap [ rml:predicate ex:m; rml:objectMap [ rml:reference \"$.m[*]\" ] ];
         rml:predicateObjectMap [ rml:predicate ex:w; rml:objectMap [ rml:template \"w{{$.w}}\"; rml:termType rml:Literal ] ] .",
        json_source("d.json", "$[*]")
    );
    let out = run(
        &m,
        &[(
            "d.json",
            r#"[{"id": 1, "v": null, "w": "1"}, {"id": null, "v": "lost"}, {"id": 3, "v": "kept", "m": [null, "m"]}]"#,
        )],
    )
    .unwrap();
    assert_eq!(
        out,
        [
            "<http://example.com/1> <http://example.com/w> \"w1\" .",
            "<http://example.com/3> <http://example.com/m> \"m\" .",
            "<http://example.com/3> <http://example.com/v> \"kept\" ."
        ]
    );
}

#[test]
fn json_values_keep_their_natural_datatype_unless_the_map_gives_one() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/{{$.id}}\" ];
         rml:predicateObjectMap [ rml:predicate ex:i; rml:objectMap [ rml:reference \"$.i\" ] ];
         rml:predicateObjectMap [ rml:predicate ex:d; rml:objectMap [ rml:reference \"$.d\" ] ];
         rml:predicateObjectMap [ rml:predicate ex:b; rml:objectMap [ rml:reference \"$.b\" ] ];
         rml:predicateObjectMap [ rml:predicate ex:s; rml:objectMap [ rml:reference \"$.i\"; rml:datatype xsd:string ] ];
         rml:predicateObjectMap [ rml:predicate ex:l; rml:objectMap [ rml:reference \"$.b\"; rml:language \"en\" ] ];
         rml:predicateObjectMap [ rml:predicate ex:t; rml:objectMap [ rml:template \"{{$.i}}\"; rml:termType rml:Literal ] ] .",
        json_source("d.json", "$[*]")
    );
    let out = run(
        &m,
        &[("d.json", r#"[{"id": "x", "i": 42, "d": 2.5, "b": true}]"#)],
    )
    .unwrap();
    assert_eq!(
        out,
        [
            "<http://example.com/x> <http://example.com/b> \"true\"^^<http://www.w3.org/2001/XMLSchema#boolean> .",
            "<http://example.com/x> <http://example.com/d> \"2.5\"^^<http://www.w3.org/2001/XMLSchema#double> .",
            "<http://example.com/x> <http://example.com/i> \"42\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
            "<http://example.com/x> <http://example.com/l> \"true\"@en .",
            "<http://example.com/x> <http://example.com/s> \"42\" .",
            "<http://example.com/x> <http://example.com/t> \"42\" .",
        ]
    );
}

#[test]
fn iterators_that_cannot_stream_load_the_document() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/{{$.id}}\" ] ;
         rml:predicateObjectMap [ rml:predicate ex:p; rml:object ex:o ] .",
        json_source("d.json", "$..items[?@.keep == true]")
    );
    let out = run(
        &m,
        &[(
            "d.json",
            r#"{"a": {"items": [{"id": 1, "keep": true}, {"id": 2}]}, "items": [{"id": 3, "keep": true}]}"#,
        )],
    )
    .unwrap();
    assert_eq!(
        out,
        [
            "<http://example.com/1> <http://example.com/p> <http://example.com/o> .",
            "<http://example.com/3> <http://example.com/p> <http://example.com/o> .",
        ]
    );
}

#[test]
fn streaming_skips_other_keys_and_iterates_object_members() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/{{$.id}}\" ] ;
         rml:predicateObjectMap [ rml:predicate ex:p; rml:object ex:o ] .",
        json_source("d.json", "$.data.rows[*]")
    );
    let doc = r#"{"before": [{"id": 9}], "data": {"x": {"rows": [{"id": 8}]}, "rows": {"k1": {"id": 1}, "k2": {"id": 2}}}, "after": 1}"#;
    let out = run(&m, &[("d.json", doc)]).unwrap();
    assert_eq!(
        out,
        [
            "<http://example.com/1> <http://example.com/p> <http://example.com/o> .",
            "<http://example.com/2> <http://example.com/p> <http://example.com/o> .",
        ]
    );
}

#[test]
fn invalid_json_names_line_and_column() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/{{$.id}}\" ] .",
        json_source("d.json", "$.rows[*]")
    );
    let err = run(
        &m,
        &[(
            "d.json",
            "{\"rows\": [\n  {\"id\": 1},\n  {\"id\": 2,, }\n]}",
        )],
    )
    .unwrap_err();
    match &err {
        RmlError::Data {
            line,
            column,
            message,
            file,
        } => {
            assert!(file.ends_with("d.json"), "{err}");
            assert_eq!((*line, *column), (3, 12), "{err}");
            assert!(message.contains("invalid JSON"), "{err}");
        }
        other => panic!("expected a data error, got {other}"),
    }
    // The same through the non-streaming reader.
    let m = m.replace("$.rows[*]", "$.rows[0]");
    let err = run(
        &m,
        &[(
            "d.json",
            "{\"rows\": [\n  {\"id\": 1},\n  {\"id\": 2,, }\n]}",
        )],
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            RmlError::Data {
                line: 3,
                column: 12,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn invalid_jsonpath_names_the_mapping_line() {
    let m = format!(
        "\nex:TM a rml:TriplesMap; {};\n  rml:subjectMap [ rml:template \"http://example.com/{{$.id[}}\" ] .",
        json_source("d.json", "$[*]")
    );
    let err = run(&m, &[("d.json", "[{\"id\": 1}]")]).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("mapping.rml.ttl:7:") && text.contains("\"$.id[\" is not a valid JSONPath"),
        "{text}"
    );
}

#[test]
fn data_errors_point_at_the_json_element() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:reference \"$.iri\" ] .",
        json_source("d.json", "$[*]")
    );
    let err = run(
        &m,
        &[(
            "d.json",
            "[\n  {\"iri\": \"http://ok.example/\"},\n  {\"iri\": \"bad iri\"}\n]",
        )],
    )
    .unwrap_err();
    assert!(
        matches!(&err, RmlError::Data { line: 3, column: 3, message, .. } if message.contains("not a valid IRI")),
        "{err}"
    );
}

#[test]
fn joins_across_json_and_csv() {
    let m = format!(
        "ex:Person a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/p/{{$.id}}\" ];
           rml:predicateObjectMap [ rml:predicate ex:city; rml:objectMap [ rml:parentTriplesMap ex:City;
             rml:joinCondition [ rml:child \"$.cities[*]\"; rml:parent \"code\" ] ] ] .
         ex:City a rml:TriplesMap; rml:logicalSource [ rml:referenceFormulation rml:CSV; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"c.csv\" ] ];
           rml:subjectMap [ rml:template \"http://example.com/c/{{name}}\" ];
           rml:predicateObjectMap [ rml:predicate ex:resident; rml:objectMap [ rml:parentTriplesMap ex:Person;
             rml:joinCondition [ rml:child \"code\"; rml:parent \"$.cities[*]\" ] ] ] .",
        json_source("p.json", "$[*]")
    );
    let out = run(
        &m,
        &[
            (
                "p.json",
                r#"[{"id": 1, "cities": ["RBA", "CAS"]}, {"id": 2, "cities": ["CAS"]}]"#,
            ),
            ("c.csv", "code,name\nRBA,Rabat\nCAS,Casablanca\nFEZ,Fes\n"),
        ],
    )
    .unwrap();
    assert_eq!(
        out,
        [
            "<http://example.com/c/Casablanca> <http://example.com/resident> <http://example.com/p/1> .",
            "<http://example.com/c/Casablanca> <http://example.com/resident> <http://example.com/p/2> .",
            "<http://example.com/c/Rabat> <http://example.com/resident> <http://example.com/p/1> .",
            "<http://example.com/p/1> <http://example.com/city> <http://example.com/c/Casablanca> .",
            "<http://example.com/p/1> <http://example.com/city> <http://example.com/c/Rabat> .",
            "<http://example.com/p/2> <http://example.com/city> <http://example.com/c/Casablanca> .",
        ]
    );
}

#[test]
fn xml_sources_with_xpath_attributes_and_namespaces() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/{{@id}}\" ];
           rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"name\" ] ];
           rml:predicateObjectMap [ rml:predicate ex:alias; rml:objectMap [ rml:reference \"alias\" ] ];
           rml:predicateObjectMap [ rml:predicate ex:count; rml:objectMap [ rml:reference \"count(alias)\"; rml:datatype xsd:integer ] ] .
         ex:NS a rml:TriplesMap;
           rml:logicalSource [ rml:referenceFormulation [ a rml:XPathReferenceFormulation;
               rml:namespace [ rml:namespacePrefix \"f\"; rml:namespaceURL \"http://factgraph.example/ns\" ] ];
             rml:iterator \"/people/f:extra\"; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"p.xml\" ] ];
           rml:subjectMap [ rml:template \"http://example.com/extra/{{f:code}}\" ] ;
           rml:predicateObjectMap [ rml:predicate ex:p; rml:object ex:o ] .",
        xml_source("p.xml", "/people/person")
    );
    let xml = r#"<?xml version="1.0"?>
<people xmlns:x="http://factgraph.example/ns">
  <person id="1"><name>Ghita</name><alias>G</alias><alias>GM</alias></person>
  <person id="2"><name>Sam &amp; Co</name></person>
  <x:extra><x:code>E1</x:code></x:extra>
</people>"#;
    let out = run(&m, &[("p.xml", xml)]).unwrap();
    assert_eq!(
        out,
        [
            "<http://example.com/1> <http://example.com/alias> \"G\" .",
            "<http://example.com/1> <http://example.com/alias> \"GM\" .",
            "<http://example.com/1> <http://example.com/count> \"2\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
            "<http://example.com/1> <http://example.com/name> \"Ghita\" .",
            "<http://example.com/2> <http://example.com/count> \"0\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
            "<http://example.com/2> <http://example.com/name> \"Sam & Co\" .",
            "<http://example.com/extra/E1> <http://example.com/p> <http://example.com/o> .",
        ]
    );
}

#[test]
fn xml_errors_name_file_line_and_mapping() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/{{@id}}\" ] .",
        xml_source("p.xml", "/people/person")
    );
    let err = run(&m, &[("p.xml", "<people>\n<person id=\"1\">\n</people>")]).unwrap_err();
    assert!(
        matches!(&err, RmlError::Data { line: 3, .. } if err.to_string().contains("invalid XML")),
        "{err}"
    );
    let bad = m.replace("/people/person", "/people/[");
    let err = run(&bad, &[("p.xml", "<people/>")]).unwrap_err();
    assert!(
        matches!(&err, RmlError::Mapping { .. }) && err.to_string().contains("not a valid XPath"),
        "{err}"
    );
}

#[test]
fn execute_parallel_runs_json_sources_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = String::from("[");
    for i in 0..10_000 {
        if i > 0 {
            doc.push(',');
        }
        doc.push_str(&format!("{{\"id\": {i}}}"));
    }
    doc.push(']');
    std::fs::write(dir.path().join("d.json"), doc).unwrap();
    let text = format!(
        "{}ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/{{$.id}}\" ];
           rml:predicateObjectMap [ rml:predicate ex:n; rml:objectMap [ rml:reference \"$.id\" ] ] .",
        crate::tests::PREFIXES,
        json_source("d.json", "$[*]")
    );
    let path = dir.path().join("m.ttl");
    let m = crate::parse_mapping_str(&text, &path, &crate::ParseOptions::default()).unwrap();
    let mut all: Vec<oxrdf::Quad> = Vec::new();
    let stats = crate::execute_parallel(
        &m,
        2,
        Vec::<oxrdf::Quad>::new,
        |c, q| {
            c.push(q.into_owned());
            Ok(())
        },
        |c| {
            all.extend(c);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!((stats.rows, stats.quads), (10_000, 10_000));
    assert_eq!(all.len(), 10_000);
    assert_eq!(all[9_999].subject.to_string(), "<http://example.com/9999>");
}

#[test]
fn legacy_ql_jsonpath_mappings_read_json() {
    let m = "@prefix rr: <http://www.w3.org/ns/r2rml#> .
        @prefix rmlio: <http://semweb.mmlab.be/ns/rml#> .
        @prefix ql: <http://semweb.mmlab.be/ns/ql#> .
        ex:TM a rr:TriplesMap;
          rmlio:logicalSource [ rmlio:source \"d.json\"; rmlio:referenceFormulation ql:JSONPath; rmlio:iterator \"$.items[*]\" ];
          rr:subjectMap [ rr:template \"http://example.com/{id}\" ];
          rr:predicateObjectMap [ rr:predicate ex:name; rr:objectMap [ rmlio:reference \"name\" ] ] .";
    let out = run(
        m,
        &[("d.json", r#"{"items": [{"id": "a", "name": "Rabat"}]}"#)],
    )
    .unwrap();
    assert_eq!(
        out,
        ["<http://example.com/a> <http://example.com/name> \"Rabat\" ."]
    );
}

#[test]
fn streamed_xml_gives_what_the_whole_document_gives() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- people -->
<people xmlns:x="http://factgraph.example/ns">
  <person id="1"><name>Ghita &amp; <![CDATA[<Co>]]></name><x:role>CEO</x:role><!-- c --></person>
  <group><person id="nested"><name>not selected</name></person></group>
  <x:person id="other-namespace"><name>not selected</name></x:person>
  <person id="2"><name>Sam</name><person id="inner"><name>inner</name></person></person>
  <person id="3"/>
</people>"#;
    let mapping = |iterator: &str| {
        format!(
            "ex:TM a rml:TriplesMap;
               rml:logicalSource [ rml:referenceFormulation [ a rml:XPathReferenceFormulation;
                   rml:namespace [ rml:namespacePrefix \"f\"; rml:namespaceURL \"http://factgraph.example/ns\" ] ];
                 rml:iterator \"{iterator}\"; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"p.xml\" ] ];
               rml:subjectMap [ rml:template \"http://example.com/{{@id}}\" ];
               rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"name\" ] ];
               rml:predicateObjectMap [ rml:predicate ex:role; rml:objectMap [ rml:reference \"f:role\" ] ];
               rml:predicateObjectMap [ rml:predicate ex:n; rml:objectMap [ rml:reference \"count(*)\" ] ] ."
        )
    };
    // `/people/person` streams; the predicate `[true()]` forces the whole-document reader.
    let streamed = run(&mapping("/people/person"), &[("p.xml", xml)]).unwrap();
    let whole = run(&mapping("/people/person[true()]"), &[("p.xml", xml)]).unwrap();
    assert_eq!(streamed, whole);
    assert_eq!(
        streamed,
        [
            "<http://example.com/1> <http://example.com/n> \"2\" .",
            "<http://example.com/1> <http://example.com/name> \"Ghita & <Co>\" .",
            "<http://example.com/1> <http://example.com/role> \"CEO\" .",
            "<http://example.com/2> <http://example.com/n> \"2\" .",
            "<http://example.com/2> <http://example.com/name> \"Sam\" .",
            "<http://example.com/3> <http://example.com/n> \"0\" .",
        ]
    );
}
