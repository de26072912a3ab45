//! A catalogue of bad inputs: CSV, mappings, SPARQL, command-line arguments and store paths.
//! Each case asserts the exact message and the exit code (0 ok, 1 usage or environment,
//! 2 bad input). The CSV and mapping cases live in `tests/fixtures/bad/`: `base/` is a valid
//! data directory, and each other directory holds the one file that breaks it.
//!
//! For every broken data directory, `load` must also refuse it with the same messages and
//! leave the graph loaded before in place.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, factgraph, query, root};

struct Case {
    name: &'static str,
    extra: &'static [&'static str],
    code: i32,
    stdout: &'static str,
    stderr: &'static str,
}

/// `factgraph validate . --quiet` in the broken directory.
const CASES: &[Case] = &[
    Case {
        name: "csv-duplicate-header-name",
        extra: &[],
        code: 2,
        stdout: r#"./orgs.csv:1:5: the column name "name" is used twice (columns 2 and 5); expected each column name once
./mapping.rml.ttl:9: the reference "currency" names no column of orgs.csv; expected one of "id", "name", "lang", "founded", "name", "wikidata" (triples map <http://example.com/Orgs>)
"#,
        stderr: "error: 2 errors in the input\n",
    },
    Case {
        name: "csv-empty-file",
        extra: &[],
        code: 2,
        stdout: r#"./orgs.csv:1:1: the file is empty; expected a header row naming the columns, then one row per record
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "csv-empty-header-name",
        extra: &[],
        code: 2,
        stdout: r#"./orgs.csv:1:4: column 4 of the header has no name; expected every column named in the header row
./mapping.rml.ttl:9: the reference "founded" names no column of orgs.csv; expected one of "id", "name", "lang", "", "currency", "wikidata" (triples map <http://example.com/Orgs>)
"#,
        stderr: "error: 2 errors in the input\n",
    },
    Case {
        name: "csv-invalid-utf8",
        extra: &[],
        code: 2,
        stdout: r#"./orgs.csv:2:2: invalid UTF-8 in field 2: bytes 0xE9 after "Soci"; expected UTF-8 text (save the file as UTF-8)
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "csv-quote-closed-later",
        extra: &[],
        code: 2,
        stdout: r#"./people.csv:2:2: the quoted field 2 opened on this line is closed only on line 4, so lines 2 to 4 were read as one row of 4 fields (the header has 12); expected a closing '"' on this line (write '""' for a quote inside a quoted field)
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "csv-text-after-quote",
        extra: &[],
        code: 2,
        stdout: r#"./people.csv:3:2: text after the closing quote of field 2; expected a comma or the end of the line right after a closing '"' (write '""' for a quote inside a quoted field)
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "csv-too-few-fields",
        extra: &[],
        code: 2,
        stdout: r#"./people.csv:3:3: the row has 2 fields but the header has 12; expected 12 (quote fields that contain commas)
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "csv-too-many-fields",
        extra: &[],
        code: 2,
        stdout: r#"./people.csv:3:13: the row has 13 fields but the header has 12; expected 12 (quote fields that contain commas)
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "csv-unterminated-quote",
        extra: &[],
        code: 2,
        stdout: r#"./people.csv:3:2: the quoted field 2 opened on this line is never closed: the rest of the file was read into it; expected a closing '"' (write '""' for a quote inside a quoted field)
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "ids-dangling-join",
        extra: &["--strict"],
        code: 2,
        stdout: r#"./people.csv:3:10: "acme-corp" (column "org") refers to no row of orgs.csv; expected a value of column "id" of orgs.csv
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "ids-dangling-template",
        extra: &["--strict"],
        code: 2,
        stdout: r#"./people.csv:2:12: "carol" (column "knows") refers to nothing: no row of people.csv makes <http://example.com/person/carol>; expected the id of a row of people.csv
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "ids-duplicate",
        extra: &["--strict"],
        code: 2,
        stdout: r#"./people.csv:4:1: duplicate id: line 2 already makes <http://example.com/person/ann> (triples map <http://example.com/People>); expected each row with its own id
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "mapping-https-namespace",
        extra: &[],
        code: 2,
        stdout: r#"./mapping.rml.ttl:9: <https://w3id.org/rml/TriplesMap> is not an RML term: the RML namespace is <http://w3id.org/rml/>, not <https://w3id.org/rml/> (check the @prefix declarations)
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "mapping-missing-column",
        extra: &[],
        code: 2,
        stdout: r#"./mapping.rml.ttl:19: the reference "nmae" names no column of people.csv; expected one of "id", "name", "born", "height", "weight", "active", "children", "last_seen", "since", "org", "homepage", "knows" (triples map <http://example.com/People>)
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "mapping-missing-file",
        extra: &[],
        code: 2,
        stdout: r#"./mapping.rml.ttl:9: the source file "organisations.csv" does not exist (looked for ./organisations.csv); expected a CSV file (triples map <http://example.com/Orgs>)
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "mapping-turtle-syntax",
        extra: &[],
        code: 2,
        stdout: r#"./mapping.rml.ttl:35:105: invalid Turtle: blank node property lists should end with a ']'
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "mapping-unknown-datatype",
        extra: &[],
        code: 2,
        stdout: r#"./mapping.rml.ttl:29: unknown XSD datatype <http://www.w3.org/2001/XMLSchema#interger>; did you mean xsd:integer?
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "mapping-unknown-term",
        extra: &[],
        code: 2,
        stdout: r#"./mapping.rml.ttl:22: unknown RML term <http://w3id.org/rml/tempate>; did you mean rml:template?
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "value-boolean",
        extra: &[],
        code: 2,
        stdout: r#"./people.csv:3:6: "yes" in column "active" is not a valid xsd:boolean; expected an xsd:boolean: "true", "false", "1" or "0"
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "value-currency",
        extra: &[],
        code: 2,
        stdout: r#"./orgs.csv:2:5: "euro" in column "currency" is not an ISO 4217 currency code; expected three capital letters of ISO 4217, such as "MAD" or "EUR"
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "value-date",
        extra: &[],
        code: 2,
        stdout: r#"./people.csv:3:3: "03/11/1975" in column "born" is not a valid xsd:date; expected an xsd:date YYYY-MM-DD, such as "2024-04-15"
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "value-datetime",
        extra: &[],
        code: 2,
        stdout: r#"./people.csv:3:8: "2024-04-16 18:00" in column "last_seen" is not a valid xsd:dateTime; expected an xsd:dateTime YYYY-MM-DDThh:mm:ss with an optional time zone, such as "2024-04-15T09:30:00Z"
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "value-decimal",
        extra: &[],
        code: 2,
        stdout: r#"./people.csv:3:4: "1.82m" in column "height" is not a valid xsd:decimal; expected an xsd:decimal: digits with an optional sign and decimal point, no thousands separator, such as "50000000" or "2.5"
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "value-double",
        extra: &[],
        code: 2,
        stdout: r#"./people.csv:3:5: "heavy" in column "weight" is not a valid xsd:double; expected an xsd:double such as "1.5", "1.5E3" or "INF"
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "value-gyear",
        extra: &[],
        code: 2,
        stdout: r#"./orgs.csv:2:4: "99" in column "founded" is not a valid xsd:gYear; expected an xsd:gYear YYYY, such as "2027"
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "value-gyearmonth",
        extra: &[],
        code: 2,
        stdout: r#"./people.csv:3:9: "2020-1" in column "since" is not a valid xsd:gYearMonth; expected an xsd:gYearMonth YYYY-MM, such as "2024-04"
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "value-integer",
        extra: &[],
        code: 2,
        stdout: r#"./people.csv:3:7: "two" in column "children" is not a valid xsd:integer; expected an xsd:integer: digits with an optional sign and no separator, such as "1500"
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "value-invalid-iri",
        extra: &["--base", "http://example.com/base/"],
        code: 2,
        stdout: r#"./people.csv:3:11: <http://example.com/base/bob home page> made from column "homepage" is not a valid IRI (RFC 3987); expected values that make a valid IRI
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "value-language-tag",
        extra: &[],
        code: 2,
        stdout: r#"./orgs.csv:2:3: "en_GB" in column "lang" is not a BCP 47 language tag; expected a language tag such as "fr" or "en-GB"
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "value-relative-iri",
        extra: &[],
        code: 2,
        stdout: r#"./people.csv:3:11: <www.bob.example.com> is a relative IRI and the mapping has no base IRI (made from column "homepage"); expected an absolute IRI (or give --base IRI, or @base in the mapping)
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "value-wikidata-id",
        extra: &[],
        code: 2,
        stdout: r#"./orgs.csv:2:6: "1028" in column "wikidata" is not a Wikidata item id; expected "Q" followed by digits, such as "Q1028" (leave it empty when unknown)
"#,
        stderr: "error: 1 error in the input\n",
    },
    Case {
        name: "warning-spaces-in-iri",
        extra: &[],
        code: 0,
        stdout: r#"./people.csv:2:12: warning: "bob " in column "knows" has leading or trailing spaces, which become %20 in the IRI; expected the value without surrounding spaces
./people.csv:2:12: warning: "bob " (column "knows") refers to nothing: no row of people.csv makes <http://example.com/person/bob%20>; expected the id of a row of people.csv
"#,
        stderr: "",
    },
    Case {
        name: "warning-stray-quote",
        extra: &[],
        code: 0,
        stdout: r#"./people.csv:2:2: warning: a '"' inside the unquoted field 2 is kept as it is; expected the whole field quoted, with each '"' inside it doubled (RFC 4180)
"#,
        stderr: "",
    },
    Case {
        name: "warning-swallowed-rows",
        extra: &[],
        code: 0,
        stdout: r#"./people.csv:2:2: warning: the quoted field 2 opened on this line runs to line 4 and holds a line that looks like a row of the file; expected a closing '"' on this line, unless the field really spans lines
"#,
        stderr: "",
    },
];

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/bad")
}

/// The base directory with the case's files laid over it.
fn case_dir(name: &str) -> tempfile::TempDir {
    let dir = copy_dir(&fixtures().join("base"));
    for e in std::fs::read_dir(fixtures().join(name)).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    dir
}

fn triples(store: &Path) -> String {
    query(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "csv")
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = factgraph().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().expect("exits, not killed"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn catalogue_covers_every_fixture() {
    let mut dirs: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "base")
        .collect();
    dirs.sort();
    let names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
    assert_eq!(dirs, names);
    assert!(CASES.len() >= 25);
}

#[test]
fn base_is_valid() {
    let (code, stdout, stderr) = run(&fixtures().join("base"), &["validate", ".", "--quiet"]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
}

#[test]
fn validate_reports_each_bad_input_exactly() {
    for c in CASES {
        let dir = case_dir(c.name);
        let mut args = vec!["validate", ".", "--quiet"];
        args.extend(c.extra);
        let (code, stdout, stderr) = run(dir.path(), &args);
        assert_eq!(
            (code, stdout.as_str(), stderr.as_str()),
            (c.code, c.stdout, c.stderr),
            "case {}",
            c.name
        );
    }
}

#[test]
fn load_refuses_each_bad_input_and_keeps_the_previous_graph() {
    let store_dir = tempfile::tempdir().unwrap();
    let store = store_dir.path().join("db");
    let base = fixtures().join("base");
    let (code, _, stderr) = run(
        &base,
        &["load", ".", "--quiet", "--store", store.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    let before = triples(&store);
    for c in CASES {
        let dir = case_dir(c.name);
        let mut args = vec!["load", ".", "--quiet", "--store", store.to_str().unwrap()];
        args.extend(c.extra);
        let (code, stdout, stderr) = run(dir.path(), &args);
        assert_eq!(stdout, "", "case {}", c.name);
        if c.code == 0 {
            assert_eq!(code, 0, "case {}: {stderr}", c.name);
            // Put the base graph back.
            let (code, _, _) = run(
                &base,
                &["load", ".", "--quiet", "--store", store.to_str().unwrap()],
            );
            assert_eq!(code, 0);
            continue;
        }
        let errors: Vec<&str> = c
            .stdout
            .lines()
            .filter(|l| !l.contains(": warning: "))
            .collect();
        let expected = if c.name.starts_with("mapping-turtle")
            || c.name.starts_with("mapping-unknown")
            || c.name.starts_with("mapping-https")
        {
            // A mapping that does not parse stops the load at once.
            format!("error: {}\n", errors[0])
        } else {
            format!(
                "{}\n{}; nothing was loaded and the store is unchanged\n",
                errors.join("\n"),
                c.stderr.trim_end()
            )
        };
        assert_eq!((code, stderr), (2, expected), "case {}", c.name);
        assert_eq!(
            triples(&store),
            before,
            "case {}: the previous graph is kept",
            c.name
        );
    }
}

#[test]
fn map_refuses_bad_input_too() {
    let dir = case_dir("value-gyear");
    let (code, stdout, stderr) = run(dir.path(), &["map", ".", "--quiet"]);
    assert_eq!(stdout, "");
    assert_eq!(
        (code, stderr.as_str()),
        (
            2,
            "./orgs.csv:2:4: \"99\" in column \"founded\" is not a valid xsd:gYear; expected an xsd:gYear YYYY, such as \"2027\"\nerror: 1 error in the input; nothing was mapped\n"
        )
    );
}

#[test]
fn validate_json_is_for_machines() {
    let dir = case_dir("value-currency");
    let (code, stdout, _) = run(dir.path(), &["validate", ".", "--format", "json"]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["input"]["errors"], 1);
    assert_eq!(v["input"]["warnings"], 0);
    let p = &v["input"]["problems"][0];
    assert_eq!(p["file"], "./orgs.csv");
    assert_eq!(p["line"], 2);
    assert_eq!(p["column"], 5);
    assert_eq!(p["severity"], "error");
    assert_eq!(p["code"], "value.currency");
    assert_eq!(
        p["message"],
        "\"euro\" in column \"currency\" is not an ISO 4217 currency code"
    );
    assert_eq!(
        p["expected"],
        "three capital letters of ISO 4217, such as \"MAD\" or \"EUR\""
    );
}

// ---------------------------------------------------------------- SPARQL

fn small_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("db");
    factgraph()
        .args(["load", "tests/fixtures/small", "--quiet", "--store"])
        .arg(&store)
        .assert()
        .success();
    (dir, store)
}

fn assert_fails(args: &[&str], store: Option<&Path>, code: i32, stderr: &str) {
    let mut cmd = factgraph();
    cmd.args(args);
    if let Some(s) = store {
        cmd.arg("--store").arg(s);
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).as_ref()
        ),
        (Some(code), stderr),
        "{args:?}"
    );
}

#[test]
fn sparql_mistakes() {
    let (_dir, store) = small_store();
    assert_fails(
        &["query", "SELECT ?x WHERE { ?x ?y }"],
        Some(&store),
        2,
        "error: query: SPARQL syntax error: at 1:26: expected one of LATERAL, SERVICE, a term\n",
    );
    assert_fails(
        &["query", "SELECT ?x WHERE { ?x ?p ?y }", "--format", "turtle"],
        Some(&store),
        1,
        "error: --format turtle cannot write the solutions of a SELECT query; use table, csv, tsv, json or xml\n",
    );
    assert_fails(
        &["query", "-f", "no/such/query.rq"],
        Some(&store),
        1,
        "error: cannot read the query file no/such/query.rq: No such file or directory (os error 2)\n",
    );
}

// ---------------------------------------------------------------- command line

#[test]
fn command_line_mistakes_exit_1() {
    assert_fails(
        &["frobnicate"],
        None,
        1,
        "error: unrecognized subcommand 'frobnicate'\n\nUsage: factgraph [OPTIONS] <COMMAND>\n\nFor more information, try '--help'.\n",
    );
    assert_fails(
        &["export", "--format", "bogus"],
        None,
        1,
        "error: invalid value 'bogus' for '--format <FORMAT>'\n  [possible values: turtle, ntriples, nquads, trig, rdfxml]\n\nFor more information, try '--help'.\n",
    );
    assert_fails(
        &["validate", "--format", "turtle"],
        None,
        1,
        "error: --format turtle writes the SHACL validation report: give --shacl too\n",
    );
    assert_fails(
        &["load", "data", "--bogus"],
        None,
        1,
        "error: unexpected argument '--bogus' found\n\n  tip: to pass '--bogus' as a value, use '-- --bogus'\n\nUsage: factgraph load <DIR>\n\nFor more information, try '--help'.\n",
    );
    assert_fails(
        &["load", "no/such/dir", "--store", "unused.db"],
        None,
        1,
        "error: the data directory no/such/dir does not exist; expected a data directory holding a mapping (*.rml.ttl or *.yarrrml.yml) and the files it names (the default is ./data)\n",
    );
    assert_fails(
        &["map", "--mapping", "no/such/mapping.rml.ttl"],
        None,
        2,
        "error: no/such/mapping.rml.ttl: No such file or directory (os error 2)\n",
    );
    assert_fails(
        &["load", "tests/fixtures", "--store", "unused.db"],
        None,
        2,
        "error: tests/fixtures: no mapping found; expected a file named *.rml.ttl or *.yarrrml.yml (or give --mapping FILE)\n",
    );
    assert!(!root().join("unused.db").exists());
}

// ---------------------------------------------------------------- store paths

#[test]
fn missing_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nothing");
    assert_fails(
        &["query", "ASK {}"],
        Some(&path),
        1,
        &format!(
            "error: no factgraph store at {}; run `factgraph load` first (or give --store)\n",
            path.display()
        ),
    );
}

#[test]
fn not_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "not a store").unwrap();
    let expected = |p: &Path| {
        format!(
            "error: {} is not a factgraph store (expected a directory made by `factgraph load`, or a path that does not exist yet)\n",
            p.display()
        )
    };
    assert_fails(&["query", "ASK {}"], Some(&file), 1, &expected(&file));
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "keep me").unwrap();
    assert_fails(
        &["load", "tests/fixtures/small"],
        Some(&other),
        1,
        &expected(&other),
    );
    assert_eq!(
        std::fs::read_to_string(other.join("notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn read_only_store_path() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root ignores permissions: use a read-only file system then.
    let path = if std::fs::create_dir(ro.join("probe")).is_ok() {
        PathBuf::from("/sys/factgraph-test.db")
    } else {
        ro.join("store.db")
    };
    let why = std::fs::create_dir(&path).unwrap_err();
    assert_fails(
        &["load", "tests/fixtures/small"],
        Some(&path),
        1,
        &format!("error: {}: {why}\n", path.display()),
    );
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn read_only_store_can_still_be_queried() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, store) = small_store();
    let before = triples(&store);
    let set = |mode: u32| {
        for e in walk(&store) {
            let m = if e.is_dir() { mode | 0o111 } else { mode };
            std::fs::set_permissions(&e, std::fs::Permissions::from_mode(m)).unwrap();
        }
    };
    set(0o444);
    assert_eq!(triples(&store), before);
    set(0o644);
}

fn walk(p: &Path) -> Vec<PathBuf> {
    let mut out = vec![p.to_owned()];
    if p.is_dir() && !p.is_symlink() {
        for e in std::fs::read_dir(p).unwrap() {
            out.extend(walk(&e.unwrap().path()));
        }
    }
    out
}

#[test]
fn store_locked_by_another_process() {
    let (_dir, store) = small_store();
    let before = triples(&store);
    // This test process holds the lock a running load would hold, with its pid in it.
    let pid = std::process::id();
    let lock = std::fs::File::create(store.join("load.lock")).unwrap();
    lock.lock().unwrap();
    std::fs::write(store.join("load.lock"), format!("{pid}\n")).unwrap();
    // --no-wait refuses at once.
    assert_fails(
        &["load", "data", "--no-wait"],
        Some(&store),
        1,
        &format!(
            "error: another load (pid {pid}) is running on {}; not waiting for it (--no-wait)\n",
            store.display()
        ),
    );
    assert_eq!(triples(&store), before);
    // Without it the load says it waits, waits, then loads.
    use std::io::BufRead;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("factgraph"))
        .current_dir(root())
        .env_remove("FACTGRAPH_STORE")
        .args(["load", "data", "--quiet", "--store"])
        .arg(&store)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(
        line.starts_with(&format!("waiting for the load started by pid {pid} on ")),
        "{line}"
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(child.try_wait().unwrap().is_none(), "the load did not wait");
    assert_eq!(triples(&store), before);
    drop(lock);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    assert!(
        rest.contains(&format!("the load by pid {pid} has ended")),
        "{rest}"
    );
    assert_ne!(triples(&store), before, "the waiting load loaded");
}

// ---------------------------------------------------------------- SHACL

#[test]
fn load_shacl_refuses_a_graph_that_violates_the_shapes() {
    let data = copy_dir(&root().join("data"));
    let (_dir, store) = small_store();
    let before = triples(&store);
    let commitments = data.path().join("commitments.csv");
    let text =
        std::fs::read_to_string(&commitments)
            .unwrap()
            .replacen(",JobCreation,", ",JobCreaton,", 1);
    std::fs::write(&commitments, text).unwrap();
    let dir = data.path().to_str().unwrap();
    assert_fails(
        &["load", dir, "--quiet", "--shacl"],
        Some(&store),
        2,
        "error: the new graph was not activated (the previous one is kept): the graph does not conform to the SHACL shapes: 1 violation (fgr:commitment/emplois-1500-2027 fg:commitmentKind: fg:JobCreaton is not one of fg:JobCreation, fg:Investment, fg:HeadcountGrowth, fg:NewFacility (sh:InConstraintComponent)); run `factgraph validate --shacl` for the list\n",
    );
    assert_eq!(triples(&store), before);
}

// ---------------------------------------------------------------- awkward but valid

#[test]
fn awkward_but_valid_input_maps_exactly() {
    let dir = tempfile::tempdir().unwrap();
    // A BOM, CRLF line ends, a space in a value that goes into an IRI, a newline, a comma and
    // doubled quotes inside a quoted field.
    std::fs::write(
        dir.path().join("people.csv"),
        b"\xEF\xBB\xBFid,name,note\r\nann smith,Ann,\"two\r\nlines, and a \"\"quote\"\"\"\r\nbob,Bob,plain\r\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("people.rml.ttl"),
        r#"@prefix rml: <http://w3id.org/rml/> .
@prefix ex: <http://example.com/> .
ex:People a rml:TriplesMap ;
  rml:logicalSource [ rml:referenceFormulation rml:CSV ;
    rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path "people.csv" ] ] ;
  rml:subjectMap [ rml:template "http://example.com/person/{id}" ; rml:class ex:Person ] ;
  rml:predicateObjectMap
    [ rml:predicate ex:name ; rml:objectMap [ rml:reference "name" ] ] ,
    [ rml:predicate ex:note ; rml:objectMap [ rml:reference "note" ; rml:language "en" ] ] .
"#,
    )
    .unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["validate", ".", "--quiet"]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
    let (code, stdout, stderr) = run(dir.path(), &["map", ".", "--quiet", "--format", "ntriples"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            r#"<http://example.com/person/ann%20smith> <http://example.com/name> "Ann" ."#,
            r#"<http://example.com/person/ann%20smith> <http://example.com/note> "two\r\nlines, and a \"quote\""@en ."#,
            "<http://example.com/person/ann%20smith> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.com/Person> .",
            r#"<http://example.com/person/bob> <http://example.com/name> "Bob" ."#,
            r#"<http://example.com/person/bob> <http://example.com/note> "plain"@en ."#,
            "<http://example.com/person/bob> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.com/Person> .",
        ]
    );
}

/// What RML allows (a repeated subject, a join or an IRI to no row) is a warning by default:
/// validate and load succeed. `--strict`, or `strict = true` in the directory's
/// factgraph.toml, makes it the error of the catalogue above.
#[test]
fn rml_allowed_problems_are_warnings_unless_strict() {
    for c in CASES.iter().filter(|c| c.name.starts_with("ids-")) {
        let dir = case_dir(c.name);
        let (code, stdout, stderr) = run(dir.path(), &["validate", ".", "--quiet"]);
        assert_eq!(code, 0, "case {}: {stdout}{stderr}", c.name);
        let error_line = c.stdout.lines().next().unwrap();
        let (at, what) = error_line.split_once(": ").unwrap();
        assert_eq!(
            stdout,
            format!("{at}: warning: {what}\n"),
            "case {}: the same problem, as a warning",
            c.name
        );
        let store = dir.path().join("db");
        let (code, _, stderr) = run(
            dir.path(),
            &["load", ".", "--quiet", "--store", store.to_str().unwrap()],
        );
        assert_eq!(
            code, 0,
            "case {}: load refused RML-valid data: {stderr}",
            c.name
        );
        std::fs::write(
            dir.path().join("factgraph.toml"),
            "[check]\nstrict = true\n",
        )
        .unwrap();
        let (code, stdout, _) = run(dir.path(), &["validate", ".", "--quiet"]);
        assert_eq!(
            (code, stdout.as_str()),
            (2, c.stdout),
            "case {} with factgraph.toml",
            c.name
        );
    }
}

#[test]
fn a_wrong_settings_file_is_named_with_its_line() {
    let dir = case_dir("ids-duplicate");
    std::fs::write(dir.path().join("factgraph.toml"), "[check]\nstrict = yes\n").unwrap();
    let (code, _, stderr) = run(dir.path(), &["validate", ".", "--quiet"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("factgraph.toml:2:10:"), "{stderr}");
}
