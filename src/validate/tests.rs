//! Unit tests of the input checks on small in-memory files.

use super::table::Scanner;
use super::*;

fn scan(text: &[u8]) -> (Option<Vec<String>>, Vec<super::table::Record>, Report) {
    let mut report = Report::default();
    let mut s = Scanner::new(text, "t.csv");
    let header = s.header(&mut report);
    let mut rows = Vec::new();
    if header.is_some() {
        while let Some(r) = s.next_record(&mut report) {
            rows.push(r);
        }
    }
    (header, rows, report)
}

fn codes(r: &Report) -> Vec<(&'static str, u64, u64)> {
    let mut v: Vec<_> = r
        .problems
        .iter()
        .map(|p| (p.code, p.line, p.column))
        .collect();
    v.sort_by_key(|c| (c.1, c.2));
    v
}

#[test]
fn well_formed_with_bom_crlf_and_newlines_in_quotes() {
    let (h, rows, r) =
        scan(b"\xEF\xBB\xBFid,name\r\n1,\"Ann\r\nMarie\"\r\n\r\n2,\"say \"\"hi\"\"\"\r\n3,last");
    assert_eq!(h.unwrap(), ["id", "name"]);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let got: Vec<(u64, Vec<String>)> = rows.into_iter().map(|r| (r.line, r.fields)).collect();
    assert_eq!(
        got,
        [
            (2, vec!["1".into(), "Ann\r\nMarie".into()]),
            (5, vec!["2".into(), "say \"hi\"".into()]),
            (6, vec!["3".into(), "last".into()]),
        ]
    );
}

#[test]
fn structural_problems_are_all_found() {
    let (_, _, r) = scan(b"id,,id\n1,2\n1,2,3\n\"x\"y,2,3\n4,5,\"open\n6,7,8\n");
    assert_eq!(
        codes(&r),
        [
            ("csv.empty-header", 1, 2),
            ("csv.duplicate-header", 1, 3),
            ("csv.ragged-row", 2, 3),
            ("csv.text-after-quote", 4, 1),
            ("csv.unterminated-quote", 5, 3),
        ]
    );
}

#[test]
fn invalid_utf8_is_located() {
    let (_, _, r) = scan(b"id,name\n1,ok\n2,\"Cr\xE9\nteil\"\n");
    assert_eq!(codes(&r), [("csv.invalid-utf8", 3, 2)]);
    assert!(r.problems[0].message.contains("0xE9"), "{}", r.problems[0]);
}

#[test]
fn empty_file() {
    for text in [&b""[..], b"\n\n", b"\xEF\xBB\xBF"] {
        let (h, _, r) = scan(text);
        assert!(h.is_none());
        assert_eq!(codes(&r), [("csv.empty-file", 1, 1)]);
    }
}

#[test]
fn stray_quote_is_a_warning() {
    let (_, rows, r) = scan(b"a,b\nx\"y,z\n");
    assert_eq!(rows[0].fields, ["x\"y", "z"]);
    assert_eq!(r.errors(), 0);
    assert_eq!(r.warnings(), 1);
}

#[test]
fn display_is_file_line_column() {
    let p = Problem::error("x", "a.csv", 3, 2, "bad", "good");
    assert_eq!(p.to_string(), "a.csv:3:2: bad; expected good");
    let w = Problem::warning("x", "a.csv", 3, 0, "odd", "");
    assert_eq!(w.to_string(), "a.csv:3: warning: odd");
}

#[test]
fn report_caps_each_kind_per_file() {
    let mut r = Report::default();
    for i in 0..(MAX_PER_KIND as u64 + 5) {
        r.push(Problem::error("k", "f", i + 1, 1, "bad", ""));
    }
    assert_eq!(r.problems.len(), MAX_PER_KIND);
    assert_eq!(r.errors(), MAX_PER_KIND + 5);
    assert!(r.summary().contains("5 more not listed"));
}

#[test]
fn json_and_xml_sources_are_skipped_not_rejected() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("orgs.csv"), "id,city\n1,RBA\n").unwrap();
    // Not CSV at all: read as CSV, these would be ragged rows and missing columns.
    std::fs::write(
        dir.path().join("cities.json"),
        "[{\"code\": \"RBA\", \"name\": \"Rabat, Morocco\"}]",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("people.xml"),
        "<people><p id=\"1\"/></people>",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("mapping.rml.ttl"),
        r#"@prefix rml: <http://w3id.org/rml/> . @prefix ex: <http://example.com/> .
ex:Orgs a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:CSV; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path "orgs.csv" ] ];
  rml:subjectMap [ rml:template "http://example.com/org/{id}" ];
  rml:predicateObjectMap [ rml:predicate ex:city; rml:objectMap [ rml:parentTriplesMap ex:Cities;
    rml:joinCondition [ rml:child "city"; rml:parent "$.code" ] ] ] .
ex:Cities a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:JSONPath; rml:iterator "$[*]"; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path "cities.json" ] ];
  rml:subjectMap [ rml:template "http://example.com/city/{$.code}" ];
  rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference "$.name" ] ] .
ex:People a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:XPath; rml:iterator "/people/p"; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path "people.xml" ] ];
  rml:subjectMap [ rml:template "http://example.com/person/{@id}" ] .
"#,
    )
    .unwrap();
    let (mappings, report) = check_dir(dir.path(), None, &ParseOptions::default(), false).unwrap();
    assert_eq!(mappings.len(), 1);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn logical_views_are_skipped_not_rejected() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("orgs.csv"), "id,name\n1,Acme\n").unwrap();
    // The view's fields ("key", "label", "#") are no columns of orgs.csv: they must not be
    // reported; the triples map that reads orgs.csv itself is still checked.
    std::fs::write(
        dir.path().join("mapping.rml.ttl"),
        r##"@prefix rml: <http://w3id.org/rml/> . @prefix ex: <http://example.com/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Source a rml:LogicalSource; rml:referenceFormulation rml:CSV;
  rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path "orgs.csv" ] .
ex:View a rml:LogicalView; rml:viewOn ex:Source;
  rml:field [ rml:fieldName "key"; rml:reference "id" ];
  rml:field [ rml:fieldName "label"; rml:template "{name} ({id})" ] .
ex:FromView a rml:TriplesMap; rml:logicalSource ex:View;
  rml:subjectMap [ rml:template "http://example.com/org/{key}" ];
  rml:predicateObjectMap [ rml:predicate ex:label; rml:objectMap [ rml:reference "label" ] ];
  rml:predicateObjectMap [ rml:predicate ex:row; rml:objectMap [ rml:reference "#"; rml:datatype xsd:integer ] ] .
ex:Direct a rml:TriplesMap; rml:logicalSource ex:Source;
  rml:subjectMap [ rml:template "http://example.com/org/{id}" ];
  rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference "missing" ] ] .
"##,
    )
    .unwrap();
    let (mappings, report) = check_dir(dir.path(), None, &ParseOptions::default(), false).unwrap();
    assert_eq!(mappings.len(), 1);
    let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("missing"), "{problems:?}");
}

#[test]
fn function_valued_maps_are_skipped_but_their_inputs_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("orgs.csv"), "id,name,size\n1,Acme,big\n").unwrap();
    let mapping = |input: &str| {
        format!(
            r#"@prefix rml: <http://w3id.org/rml/> . @prefix ex: <http://example.com/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix grel: <http://users.ugent.be/~bjdmeest/function/grel.ttl#> .
ex:Orgs a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:CSV; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path "orgs.csv" ] ];
  rml:subjectMap [ rml:functionExecution [ rml:function grel:toLowerCase;
      rml:input [ rml:parameter grel:valueParam; rml:inputValueMap [ rml:template "http://example.com/org/{{name}}" ] ] ];
    rml:class ex:Org ];
  rml:predicateObjectMap [ rml:predicate ex:size; rml:objectMap [ rml:datatype xsd:integer;
    rml:functionExecution [ rml:function grel:string_length;
      rml:input [ rml:parameter grel:valueParam; rml:inputValueMap [ rml:reference "{input}" ] ] ] ] ] .
"#
        )
    };
    // The subject and the integer are a function's results: nothing to check in the row
    // ("big" is not an integer, but it is not what the map produces).
    std::fs::write(dir.path().join("mapping.rml.ttl"), mapping("size")).unwrap();
    let (mappings, report) = check_dir(dir.path(), None, &ParseOptions::default(), false).unwrap();
    assert_eq!(mappings.len(), 1);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    // The columns the inputs read must exist.
    std::fs::write(dir.path().join("mapping.rml.ttl"), mapping("sise")).unwrap();
    let (_, report) = check_dir(dir.path(), None, &ParseOptions::default(), false).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.to_string().contains("sise")),
        "{:?}",
        report.problems
    );
}
