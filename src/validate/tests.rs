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
