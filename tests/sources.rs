//! RML-IO sources through the binary: the same table as CSV, as an `.xlsx` workbook and as an
//! `.ods` workbook (`tests/fixtures/spreadsheet`, made by its `make_fixtures.py`) gives the
//! same graph with `factgraph map`, input checks on; a gzipped CSV too.

mod common;

use std::io::Write as _;
use std::path::Path;

use common::{factgraph, root};

/// A mapping of the fixture table read from `source` (the inside of `rml:source [ … ]`),
/// with `iterator` (the sheet) when given.
fn mapping(source: &str, iterator: Option<&str>) -> String {
    let iterator = iterator
        .map(|i| format!("rml:iterator \"{i}\";"))
        .unwrap_or_default();
    format!(
        "@prefix rml: <http://w3id.org/rml/> .
@prefix ex: <http://example.com/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Friends a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:CSV; {iterator} rml:source [ {source} ] ];
  rml:subjectMap [ rml:template \"http://example.com/friend/{{id}}\"; rml:class ex:Friend ];
  rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"name\" ] ];
  rml:predicateObjectMap [ rml:predicate ex:age; rml:objectMap [ rml:reference \"age\"; rml:datatype xsd:integer ] ];
  rml:predicateObjectMap [ rml:predicate ex:height; rml:objectMap [ rml:reference \"height\"; rml:datatype xsd:decimal ] ];
  rml:predicateObjectMap [ rml:predicate ex:joined; rml:objectMap [ rml:reference \"joined\"; rml:datatype xsd:date ] ];
  rml:predicateObjectMap [ rml:predicate ex:member; rml:objectMap [ rml:reference \"member\"; rml:datatype xsd:boolean ] ];
  rml:predicateObjectMap [ rml:predicate ex:code; rml:objectMap [ rml:reference \"code\" ] ] .
"
    )
}

/// Runs `factgraph map` on `mapping` written into `dir`; the sorted N-Quads lines.
fn map(dir: &Path, name: &str, mapping: &str) -> Vec<String> {
    let path = dir.join(name);
    std::fs::write(&path, mapping).unwrap();
    let out_file = dir.join(format!("{name}.nq"));
    let out = factgraph()
        .current_dir(dir)
        .args(["map", "--quiet", "--format", "nquads", "--mapping"])
        .arg(&path)
        .arg("-o")
        .arg(&out_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<String> = std::fs::read_to_string(&out_file)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    lines.sort();
    lines
}

#[test]
fn a_table_as_csv_xlsx_ods_or_gzip_gives_the_same_graph() {
    let fixtures = root().join("tests/fixtures/spreadsheet");
    let dir = tempfile::tempdir().unwrap();
    for f in ["friends.csv", "friends.xlsx", "friends.ods"] {
        std::fs::copy(fixtures.join(f), dir.path().join(f)).unwrap();
    }
    let csv = map(
        dir.path(),
        "csv.rml.ttl",
        &mapping(
            "a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"friends.csv\"",
            None,
        ),
    );
    // 4 friends, a type and 6 values each, 3 cells empty.
    assert_eq!(csv.len(), 4 * 7 - 3, "{csv:#?}");
    assert!(
        csv.contains(&"<http://example.com/friend/0> <http://example.com/age> \"33\"^^<http://www.w3.org/2001/XMLSchema#integer> .".to_owned()),
        "{csv:#?}"
    );
    for (file, sheet) in [
        ("friends.xlsx", Some("Friends")),
        ("friends.xlsx", None),
        ("friends.ods", None),
    ] {
        let got = map(
            dir.path(),
            &format!("{}.rml.ttl", file.replace('.', "_")),
            &mapping(
                &format!(
                    "a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"{file}\""
                ),
                sheet,
            ),
        );
        assert_eq!(got, csv, "{file} (sheet {sheet:?})");
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(fixtures.join("friends.csv")).unwrap())
        .unwrap();
    std::fs::write(dir.path().join("friends.csv.gz"), gz.finish().unwrap()).unwrap();
    let got = map(
        dir.path(),
        "gz.rml.ttl",
        &mapping(
            "a rml:RelativePathSource; rml:path \"friends.csv.gz\"; rml:compression rml:gzip",
            None,
        ),
    );
    assert_eq!(got, csv, "friends.csv.gz");
}
