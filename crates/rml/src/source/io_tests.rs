//! Tests of the RML-IO source descriptions: compression, encodings, null values, RDF files
//! queried with SPARQL, SQL databases, spreadsheets, and their errors.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use crate::{execute, parse_mapping_file, ParseOptions, RmlError};

const PREFIXES: &str = "@prefix rml: <http://w3id.org/rml/> .\n@prefix ex: <http://example.com/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix formats: <http://www.w3.org/ns/formats/> .\n@prefix d2rq: <http://www.wiwiss.fu-berlin.de/suhl/bizer/D2RQ/0.1#> .\n";

const FRIENDS: &str = "id,name,age\n0,Monica Geller,33\n1,Rachel Green,\n";

/// Runs `mapping` (after the prefixes) in a directory holding `files`; sorted N-Quads lines.
fn run_in(dir: &Path, mapping: &str, files: &[(&str, Vec<u8>)]) -> Result<Vec<String>, RmlError> {
    for (name, content) in files {
        fs::write(dir.join(name), content).unwrap();
    }
    let path = dir.join("mapping.rml.ttl");
    fs::write(&path, format!("{PREFIXES}{mapping}")).unwrap();
    let m = parse_mapping_file(&path, &ParseOptions::default())?;
    let mut quads: Vec<oxrdf::Quad> = Vec::new();
    execute(&m, &mut quads)?;
    let mut lines: Vec<String> = quads.iter().map(|q| format!("{q} .")).collect();
    lines.sort();
    Ok(lines)
}

fn run(mapping: &str, files: &[(&str, Vec<u8>)]) -> Result<Vec<String>, RmlError> {
    let dir = tempfile::tempdir().unwrap();
    run_in(dir.path(), mapping, files)
}

/// A CSV triples map over `source` (the inside of `rml:source [ … ]`).
fn friends_map(source: &str) -> String {
    format!(
        "ex:TM a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:CSV;
    rml:source [ {source} ] ];
  rml:subjectMap [ rml:template \"http://example.com/{{id}}\" ];
  rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"name\" ] ];
  rml:predicateObjectMap [ rml:predicate ex:age; rml:objectMap [ rml:reference \"age\" ] ] .\n"
    )
}

fn plain_friends() -> Vec<String> {
    run(
        &friends_map("a rml:RelativePathSource; rml:path \"f.csv\""),
        &[("f.csv", FRIENDS.into())],
    )
    .unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// A tar archive with a directory entry, then `name` holding `bytes`.
fn tar_of(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_size(0);
    dir.set_mode(0o755);
    dir.set_cksum();
    b.append_data(&mut dir, "data/", std::io::empty()).unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_size(bytes.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, name, bytes).unwrap();
    b.into_inner().unwrap()
}

#[test]
fn compressed_sources_give_the_plain_graph() {
    let want = plain_friends();
    assert_eq!(want.len(), 3, "{want:?}");
    let gz = run(
        &friends_map(
            "a rml:FilePath; rml:path \"f.csv.gz\"; rml:compression rml:gzip; rml:null \"\"",
        ),
        &[("f.csv.gz", gzip(FRIENDS.as_bytes()))],
    )
    .unwrap();
    assert_eq!(gz, want);
    let targz = run(
        &friends_map(
            "a rml:FilePath; rml:path \"f.tar.gz\"; rml:compression rml:targz; rml:null \"\"",
        ),
        &[("f.tar.gz", gzip(&tar_of("data/f.csv", FRIENDS.as_bytes())))],
    )
    .unwrap();
    assert_eq!(targz, want);
    let mut xz =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6)).unwrap();
    xz.write_all(&tar_of("f.csv", FRIENDS.as_bytes())).unwrap();
    let tarxz = run(
        &friends_map(
            "a rml:FilePath; rml:path \"f.tar.xz\"; rml:compression rml:tarxz; rml:null \"\"",
        ),
        &[("f.tar.xz", xz.finish().unwrap())],
    )
    .unwrap();
    assert_eq!(tarxz, want);
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.add_directory("dir/", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.start_file("dir/f.csv", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(FRIENDS.as_bytes()).unwrap();
    let zipped = z.finish().unwrap().into_inner();
    let out = run(
        &friends_map("a rml:FilePath; rml:path \"f.zip\"; rml:compression rml:zip; rml:null \"\""),
        &[("f.zip", zipped)],
    )
    .unwrap();
    assert_eq!(out, want);
}

#[test]
fn a_broken_archive_is_an_error_naming_the_line_and_the_source() {
    for (compression, file) in [
        ("gzip", "f.csv.gz"),
        ("zip", "f.zip"),
        ("targz", "f.tar.gz"),
        ("tarxz", "f.tar.xz"),
    ] {
        let e = run(
            &friends_map(&format!(
                "a rml:FilePath; rml:path \"{file}\"; rml:compression rml:{compression}"
            )),
            &[(file, b"id,name,age\nnot compressed at all\n".to_vec())],
        )
        .unwrap_err();
        let text = e.to_string();
        assert!(
            matches!(e, RmlError::Mapping { line: Some(_), .. }),
            "{compression}: {text}"
        );
        assert!(
            text.contains("mapping.rml.ttl:") || text.contains(file),
            "{text}"
        );
        assert!(text.contains(file), "{compression}: {text}");
    }
}

#[test]
fn unknown_compression_and_encoding_are_mapping_errors() {
    let e = run(
        &friends_map("a rml:FilePath; rml:path \"f.csv\"; rml:compression rml:rar"),
        &[("f.csv", FRIENDS.into())],
    )
    .unwrap_err();
    assert!(e.to_string().contains("mapping.rml.ttl:"), "{e}");
    let e = run(
        &friends_map("a rml:FilePath; rml:path \"f.csv\"; rml:compression ex:rar"),
        &[("f.csv", FRIENDS.into())],
    )
    .unwrap_err();
    assert!(e.to_string().contains("rml:compression"), "{e}");
    assert!(e.to_string().contains("mapping.rml.ttl:8:"), "{e}");
    let e = run(
        &friends_map("a rml:FilePath; rml:path \"f.csv\"; rml:encoding ex:Latin1"),
        &[("f.csv", FRIENDS.into())],
    )
    .unwrap_err();
    assert!(e.to_string().contains("rml:encoding"), "{e}");
    assert!(e.to_string().contains("mapping.rml.ttl:8:"), "{e}");
}

#[test]
fn a_missing_compressed_file_names_the_source() {
    let e = run(
        &friends_map("a rml:FilePath; rml:path \"nope.csv.gz\"; rml:compression rml:gzip"),
        &[],
    )
    .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("nope.csv.gz") && text.contains("does not exist"),
        "{text}"
    );
    assert!(text.contains("mapping.rml.ttl:"), "{text}");
}

#[test]
fn utf16_sources_are_transcoded_whatever_their_byte_order() {
    let want = plain_friends();
    for big_endian in [false, true] {
        let mut bytes = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for u in FRIENDS.encode_utf16() {
            bytes.extend(if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        let out = run(
            &friends_map(
                "a rml:FilePath; rml:path \"f.csv\"; rml:encoding rml:UTF-16; rml:null \"\"",
            ),
            &[("f.csv", bytes)],
        )
        .unwrap();
        assert_eq!(out, want, "big endian: {big_endian}");
    }
}

#[test]
fn null_values_select_nothing() {
    let data = "id,name,age\n0,NULL,\n1,n/a,34\n";
    // RML-IO's rml:FilePath without rml:null: the empty cell is an empty string.
    let out = run(
        &friends_map("a rml:FilePath; rml:path \"f.csv\""),
        &[("f.csv", data.into())],
    )
    .unwrap();
    assert!(
        out.contains(&"<http://example.com/0> <http://example.com/age> \"\" .".to_owned()),
        "{out:?}"
    );
    assert!(
        out.contains(&"<http://example.com/0> <http://example.com/name> \"NULL\" .".to_owned()),
        "{out:?}"
    );
    // Several null values.
    let out = run(
        &friends_map("a rml:FilePath; rml:path \"f.csv\"; rml:null \"NULL\", \"n/a\", \"\""),
        &[("f.csv", data.into())],
    )
    .unwrap();
    assert_eq!(
        out,
        vec!["<http://example.com/1> <http://example.com/age> \"34\" .".to_owned()]
    );
    // One null value: the empty cell is then a value.
    let out = run(
        &friends_map("a rml:FilePath; rml:path \"f.csv\"; rml:null \"NULL\""),
        &[("f.csv", data.into())],
    )
    .unwrap();
    assert!(
        out.contains(&"<http://example.com/0> <http://example.com/age> \"\" .".to_owned()),
        "{out:?}"
    );
    assert!(!out.iter().any(|l| l.contains("\"NULL\"")), "{out:?}");
    // factgraph's own default (rml:RelativePathSource): the empty cell is null.
    let out = run(
        &friends_map("a rml:RelativePathSource; rml:path \"f.csv\""),
        &[("f.csv", data.into())],
    )
    .unwrap();
    assert!(!out.iter().any(|l| l.contains("\"\"")), "{out:?}");
    // In JSON too.
    let m = "ex:TM a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:JSONPath; rml:iterator \"$[*]\";
    rml:source [ a rml:FilePath; rml:path \"f.json\"; rml:null \"-\" ] ];
  rml:subjectMap [ rml:template \"http://example.com/{$.id}\" ];
  rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"$.name\" ] ] .\n";
    let out = run(
        m,
        &[(
            "f.json",
            br#"[{"id":1,"name":"-"},{"id":2,"name":"B"}]"#.to_vec(),
        )],
    )
    .unwrap();
    assert_eq!(
        out,
        vec!["<http://example.com/2> <http://example.com/name> \"B\" .".to_owned()]
    );
}

const PEOPLE_TTL: &str = "@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/a> foaf:name \"Ann\"@en ; foaf:age 33 ; foaf:knows <http://example.org/b> .
<http://example.org/b> foaf:name \"Bob\" .
";

fn sparql_map(file: &str, query: &str) -> String {
    format!(
        "ex:TM a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation formats:SPARQL_Results_CSV;
    rml:source [ a rml:FilePath; rml:path \"{file}\" ];
    rml:iterator \"\"\"{query}\"\"\" ];
  rml:subjectMap [ rml:reference \"p\" ];
  rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"name\" ] ];
  rml:predicateObjectMap [ rml:predicate ex:age; rml:objectMap [ rml:reference \"age\" ] ] .\n"
    )
}

#[test]
fn rdf_files_are_queried_with_sparql() {
    let q = "PREFIX foaf: <http://xmlns.com/foaf/0.1/> SELECT ?p ?name ?age WHERE { ?p foaf:name ?name OPTIONAL { ?p foaf:age ?age } }";
    let out = run(
        &sparql_map("people.ttl", q),
        &[("people.ttl", PEOPLE_TTL.into())],
    )
    .unwrap();
    assert_eq!(
        out,
        vec![
            // Values are lexical forms (CSV results): no language tag, no datatype.
            "<http://example.org/a> <http://example.com/age> \"33\" .".to_owned(),
            "<http://example.org/a> <http://example.com/name> \"Ann\" .".to_owned(),
            // ?age unbound: no term.
            "<http://example.org/b> <http://example.com/name> \"Bob\" .".to_owned(),
        ]
    );
    // Compressed RDF: the format is guessed through the compression suffix.
    let out_gz = run(
        &sparql_map("people.ttl.gz", q).replace(
            "rml:path \"people.ttl.gz\"",
            "rml:path \"people.ttl.gz\"; rml:compression rml:gzip",
        ),
        &[("people.ttl.gz", gzip(PEOPLE_TTL.as_bytes()))],
    )
    .unwrap();
    assert_eq!(out_gz, out);
}

#[test]
fn sparql_source_mistakes_are_errors_with_their_line() {
    // Not a query: refused when the mapping is read.
    let e = run(
        &sparql_map("people.ttl", "SELECT WHERE {"),
        &[("people.ttl", PEOPLE_TTL.into())],
    )
    .unwrap_err();
    assert!(matches!(e, RmlError::Mapping { line: Some(_), .. }), "{e}");
    assert!(e.to_string().contains("SPARQL"), "{e}");
    // Not a SELECT.
    let e = run(
        &sparql_map("people.ttl", "ASK { ?s ?p ?o }"),
        &[("people.ttl", PEOPLE_TTL.into())],
    )
    .unwrap_err();
    assert!(e.to_string().contains("not a SELECT"), "{e}");
    // A reference that is no variable of the query.
    let e = run(
        &sparql_map(
            "people.ttl",
            "SELECT ?p ?name WHERE { ?p <http://xmlns.com/foaf/0.1/name> ?name }",
        ),
        &[("people.ttl", PEOPLE_TTL.into())],
    )
    .unwrap_err();
    assert!(e.to_string().contains("\"age\" is not a variable"), "{e}");
    assert!(e.to_string().contains("mapping.rml.ttl:"), "{e}");
    // Invalid RDF: the data file's line.
    let e = run(
        &sparql_map("people.ttl", "SELECT * WHERE { ?p ?x ?name }"),
        &[("people.ttl", "<a> <b> .\n".into())],
    )
    .unwrap_err();
    assert!(matches!(e, RmlError::Data { line: 1, .. }), "{e}");
    // Not an RDF file.
    let e = run(
        &sparql_map("people.csv", "SELECT * WHERE { ?p ?x ?name }"),
        &[("people.csv", "x".into())],
    )
    .unwrap_err();
    assert!(e.to_string().contains("not a known RDF file"), "{e}");
}

#[cfg(feature = "sql")]
/// A SQL triples map; the user and password are read from `${vars}_USER`, `${vars}_PASSWORD`.
fn sql_map(dsn: &str, formulation: &str, iterator: &str, vars: &str) -> String {
    format!(
        "<#DB> a rml:Source, d2rq:Database;
  d2rq:jdbcDSN \"{dsn}\";
  d2rq:username \"${vars}_USER\";
  d2rq:password \"${vars}_PASSWORD\" .
ex:TM a rml:TriplesMap;
  rml:logicalSource [ rml:source <#DB>; rml:referenceFormulation rml:{formulation}; rml:iterator \"{iterator}\" ];
  rml:subjectMap [ rml:template \"http://example.com/{{id}}\" ];
  rml:predicateObjectMap [ rml:predicate ex:v; rml:objectMap [ rml:reference \"v\" ] ] .\n"
    )
}

#[cfg(feature = "sql")]
#[test]
fn sql_connection_problems_name_the_line_and_the_dsn_but_not_the_password() {
    // A variable that is not set.
    let e = run(
        &sql_map(
            "$FACTGRAPH_TEST_SQL_UNSET_DSN",
            "SQL2008Table",
            "t",
            "FACTGRAPH_TEST_SQL_BAD",
        ),
        &[],
    )
    .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("FACTGRAPH_TEST_SQL_UNSET_DSN") && text.contains("not set"),
        "{text}"
    );
    assert!(text.contains("mapping.rml.ttl:6:"), "{text}");
    // An unreachable server (nothing listens on port 1).
    std::env::set_var("FACTGRAPH_TEST_SQL_BAD_USER", "someone");
    std::env::set_var("FACTGRAPH_TEST_SQL_BAD_PASSWORD", "s3cret-password");
    let e = run(
        &sql_map(
            "jdbc:postgresql://127.0.0.1:1/db",
            "SQL2008Table",
            "t",
            "FACTGRAPH_TEST_SQL_BAD",
        ),
        &[],
    )
    .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("jdbc:postgresql://127.0.0.1:1/db") && text.contains("cannot connect"),
        "{text}"
    );
    assert!(text.contains("mapping.rml.ttl:6:"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
    // A DSN of another database.
    let e = run(
        &sql_map(
            "jdbc:mysql://127.0.0.1/db",
            "SQL2008Table",
            "t",
            "FACTGRAPH_TEST_SQL_BAD",
        ),
        &[],
    )
    .unwrap_err();
    assert!(e.to_string().contains("not supported"), "{e}");
    // A database with a reference formulation that is not SQL.
    let e = run(
        &sql_map(
            "jdbc:postgresql://127.0.0.1:1/db",
            "CSV",
            "t",
            "FACTGRAPH_TEST_SQL_BAD",
        ),
        &[],
    )
    .unwrap_err();
    assert!(e.to_string().contains("d2rq:Database"), "{e}");
}

// Tables and queries against a real server, natural datatypes and the errors a user meets are
// tested through the binary by the root crate's tests/sql_source.rs, which starts PostgreSQL on
// 127.0.0.1 itself (tests/common/postgres.rs).

fn sheet_map(file: &str, iterator: Option<&str>) -> String {
    let iterator = iterator
        .map(|i| format!("rml:iterator \"{i}\";"))
        .unwrap_or_default();
    format!(
        "ex:TM a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:CSV; {iterator}
    rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"{file}\" ] ];
  rml:subjectMap [ rml:template \"http://example.com/{{id}}\" ];
  rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"name\" ] ];
  rml:predicateObjectMap [ rml:predicate ex:age; rml:objectMap [ rml:reference \"age\"; rml:datatype xsd:integer ] ];
  rml:predicateObjectMap [ rml:predicate ex:height; rml:objectMap [ rml:reference \"height\"; rml:datatype xsd:decimal ] ];
  rml:predicateObjectMap [ rml:predicate ex:joined; rml:objectMap [ rml:reference \"joined\"; rml:datatype xsd:date ] ];
  rml:predicateObjectMap [ rml:predicate ex:member; rml:objectMap [ rml:reference \"member\"; rml:datatype xsd:boolean ] ];
  rml:predicateObjectMap [ rml:predicate ex:code; rml:objectMap [ rml:reference \"code\" ] ] .\n"
    )
}

/// The fixtures of `tests/fixtures/spreadsheet` (made by its `make_fixtures.py`).
fn fixture(name: &str) -> Vec<u8> {
    fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/spreadsheet")
            .join(name),
    )
    .unwrap()
}

#[test]
fn spreadsheets_give_the_graph_of_the_same_csv() {
    let csv = run(
        &sheet_map("friends.csv", None),
        &[("friends.csv", fixture("friends.csv"))],
    )
    .unwrap();
    assert_eq!(csv.len(), 4 * 6 - 3, "{csv:?}");
    for (file, sheet) in [
        ("friends.xlsx", Some("Friends")),
        ("friends.xlsx", None),
        ("friends.ods", None),
    ] {
        let out = run(&sheet_map(file, sheet), &[(file, fixture(file))]).unwrap();
        assert_eq!(out, csv, "{file} {sheet:?}");
    }
    // Another sheet, another table.
    let e = run(
        &sheet_map("friends.xlsx", Some("Other")),
        &[("friends.xlsx", fixture("friends.xlsx"))],
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("\"id\" is not a column of the sheet \"Other\""),
        "{e}"
    );
}

#[test]
fn spreadsheet_mistakes_name_the_line_and_the_source() {
    let e = run(
        &sheet_map("friends.xlsx", Some("Nope")),
        &[("friends.xlsx", fixture("friends.xlsx"))],
    )
    .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("no sheet \"Nope\"") && text.contains("\"Friends\", \"Other\""),
        "{text}"
    );
    assert!(text.contains("mapping.rml.ttl:"), "{text}");
    let e = run(
        &sheet_map("broken.xlsx", None),
        &[("broken.xlsx", b"not a workbook".to_vec())],
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("broken.xlsx") && e.to_string().contains("cannot be read"),
        "{e}"
    );
    let e = run(&sheet_map("missing.ods", None), &[]).unwrap_err();
    assert!(
        e.to_string().contains("missing.ods") && e.to_string().contains("does not exist"),
        "{e}"
    );
}

#[test]
fn data_errors_in_compressed_or_utf16_files_point_into_the_decoded_text() {
    // Row 3 has a field too few: the error names line 3 of the CSV, not of the archive.
    let bad = "id,name,age\n0,A,1\n1,B\n";
    let map = |file: &str, extra: &str| {
        friends_map(&format!("a rml:FilePath; rml:path \"{file}\"; {extra}"))
    };
    let e = run(
        &map("f.csv.gz", "rml:compression rml:gzip"),
        &[("f.csv.gz", gzip(bad.as_bytes()))],
    )
    .unwrap_err();
    assert!(matches!(e, RmlError::Data { line: 3, .. }), "{e}");
    let e = run(
        &map("f.tar.gz", "rml:compression rml:targz"),
        &[("f.tar.gz", gzip(&tar_of("f.csv", bad.as_bytes())))],
    )
    .unwrap_err();
    assert!(matches!(e, RmlError::Data { line: 3, .. }), "{e}");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in bad.encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let e = run(
        &map("f.csv", "rml:encoding rml:UTF-16"),
        &[("f.csv", utf16)],
    )
    .unwrap_err();
    assert!(matches!(e, RmlError::Data { line: 3, .. }), "{e}");
    // JSON: an object where a scalar is expected, on line 3 of the decoded document.
    let json = "[\n{\"id\": 1, \"name\": \"A\"},\n{\"id\": 2, \"name\": {\"x\": 1}}\n]";
    let m = "ex:TM a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:JSONPath; rml:iterator \"$[*]\";
    rml:source [ a rml:FilePath; rml:path \"f.json.gz\"; rml:compression rml:gzip ] ];
  rml:subjectMap [ rml:template \"http://example.com/{$.id}\" ];
  rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"$.name\" ] ] .\n";
    let e = run(m, &[("f.json.gz", gzip(json.as_bytes()))]).unwrap_err();
    assert!(matches!(e, RmlError::Data { line: 3, .. }), "{e}");
}

#[test]
fn a_truncated_gzip_file_is_named_in_the_error() {
    let long: String = (0..2000).map(|i| format!("{i},N{i},{i}\n")).collect();
    let mut bytes = gzip(format!("id,name,age\n{long}").as_bytes());
    bytes.truncate(bytes.len() / 2);
    let e = run(
        &friends_map("a rml:FilePath; rml:path \"f.csv.gz\"; rml:compression rml:gzip"),
        &[("f.csv.gz", bytes)],
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("broken gzip data in \"f.csv.gz\""),
        "{e}"
    );
}

#[test]
fn a_utf8_file_declared_utf16_is_refused() {
    let e = run(
        &friends_map("a rml:FilePath; rml:path \"f.csv\"; rml:encoding rml:UTF-16"),
        &[("f.csv", FRIENDS.into())],
    )
    .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("\"f.csv\" is declared rml:UTF-16 but is not UTF-16"),
        "{text}"
    );
    assert!(text.contains("mapping.rml.ttl:"), "{text}");
    // Without a BOM, UTF-16 text (little-endian) is still read.
    let bytes: Vec<u8> = FRIENDS.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let out = run(
        &friends_map("a rml:FilePath; rml:path \"f.csv\"; rml:encoding rml:UTF-16; rml:null \"\""),
        &[("f.csv", bytes)],
    )
    .unwrap();
    assert_eq!(out, plain_friends());
}
