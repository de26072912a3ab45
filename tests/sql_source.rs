//! The SQL source (RML-IO's `d2rq:Database` with `rml:SQL2008Table` / `rml:SQL2008Query`)
//! through the binary, against a real PostgreSQL started on 127.0.0.1 by the test
//! (tests/common/postgres.rs): natural datatypes of every column type, NULLs, a query, and the
//! errors a user meets (unknown table, unreachable server, missing variable), none of which may
//! print the password.

#[macro_use]
mod common;

use common::postgres::PgServer;

/// The server, or None after a SKIPPED notice (an error when FACTGRAPH_REQUIRE_POSTGRES is set,
/// as in CI).
fn server() -> Option<PgServer> {
    match PgServer::start() {
        Ok(s) => Some(s),
        Err(why) if std::env::var_os("FACTGRAPH_REQUIRE_POSTGRES").is_none() => {
            skip_notice!("SKIPPED: PostgreSQL could not start: {why}");
            None
        }
        Err(why) => panic!("PostgreSQL could not start: {why}"),
    }
}

/// A mapping over `iterator` read as `formulation` from the database of $FG_DSN.
fn mapping(formulation: &str, iterator: &str, column: &str) -> String {
    format!(
        r#"@prefix rml: <http://w3id.org/rml/> .
@prefix d2rq: <http://www.wiwiss.fu-berlin.de/suhl/bizer/D2RQ/0.1#> .
<#DB> a d2rq:Database ; d2rq:jdbcDSN "$FG_DSN" ; d2rq:username "$FG_USER" ; d2rq:password "$FG_PASSWORD" .
<#Map> a rml:TriplesMap ;
  rml:logicalSource [ rml:source <#DB> ; rml:referenceFormulation rml:{formulation} ;
    rml:iterator "{iterator}" ] ;
  rml:subjectMap [ rml:template "http://example.com/{{id}}" ] ;
  rml:predicateObjectMap [ rml:predicate <http://example.com/v> ; rml:objectMap [ rml:reference "{column}" ] ] .
"#
    )
}

/// Runs `factgraph map` on `mapping` with the server's credentials in the environment
/// (`dsn` replacing the server's own when given); (exit code, stdout, stderr).
fn map(server: &PgServer, mapping: &str, dsn: Option<&str>) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("mapping.rml.ttl");
    std::fs::write(&file, mapping).expect("write mapping");
    let out = common::factgraph()
        .env("FG_DSN", dsn.unwrap_or(&server.dsn))
        .env("FG_USER", &server.user)
        .env("FG_PASSWORD", &server.password)
        .args(["map", "--format", "ntriples", "--quiet", "--mapping"])
        .arg(&file)
        .arg(dir.path())
        .output()
        .expect("factgraph runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn sql_tables_and_queries_through_the_binary() {
    let Some(server) = server() else { return };
    server
        .psql(
            &server.database,
            "CREATE TABLE \"Typed\" (id integer, i bigint, n numeric(5,2), f double precision,
               b boolean, d date, ts timestamp, t text);
             INSERT INTO \"Typed\" VALUES (1, 10, 3.50, 2.5, true, '2024-01-31', '2024-01-31 10:20:30', 'x'),
               (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL);",
        )
        .expect("table");
    let xsd = "http://www.w3.org/2001/XMLSchema#";
    for (column, want) in [
        ("i", format!("\"10\"^^<{xsd}integer>")),
        ("n", format!("\"3.50\"^^<{xsd}decimal>")),
        ("f", format!("\"2.5\"^^<{xsd}double>")),
        ("b", format!("\"true\"^^<{xsd}boolean>")),
        ("d", format!("\"2024-01-31\"^^<{xsd}date>")),
        ("ts", format!("\"2024-01-31T10:20:30\"^^<{xsd}dateTime>")),
        ("t", "\"x\"".to_owned()),
    ] {
        let (code, out, err) = map(&server, &mapping("SQL2008Table", "Typed", column), None);
        assert_eq!(code, 0, "{column}: {err}");
        // Row 2 is all NULL: no term.
        assert_eq!(
            out.trim(),
            format!("<http://example.com/1> <http://example.com/v> {want} ."),
            "{column}"
        );
    }
    let (code, out, err) = map(
        &server,
        &mapping(
            "SQL2008Query",
            "SELECT id, t || '!' AS v FROM \\\"Typed\\\" WHERE id = 1",
            "v",
        ),
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.trim(),
        "<http://example.com/1> <http://example.com/v> \"x!\" ."
    );

    // More rows than one fetch of the cursor (10,000): every row, once.
    server
        .psql(
            &server.database,
            "CREATE TABLE \"Many\" AS SELECT g AS id, 'n' || g AS t FROM generate_series(1, 25001) g",
        )
        .expect("table");
    let (code, out, err) = map(&server, &mapping("SQL2008Table", "Many", "t"), None);
    assert_eq!(code, 0, "{err}");
    let lines: std::collections::BTreeSet<&str> = out.lines().collect();
    assert_eq!((out.lines().count(), lines.len()), (25001, 25001));
    assert!(out.contains("<http://example.com/25001> <http://example.com/v> \"n25001\" ."));

    // A table that does not exist: exit 2, the line of the mapping, the table's name.
    let (code, _, err) = map(&server, &mapping("SQL2008Table", "Nope", "t"), None);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("mapping.rml.ttl:") && err.contains("Nope"),
        "{err}"
    );
    assert!(!err.contains(&server.password), "{err}");

    // A server that is not there: the DSN is named, never the password.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let dsn = format!("jdbc:postgresql://127.0.0.1:{closed}/factgraph");
    let (code, _, err) = map(&server, &mapping("SQL2008Table", "Typed", "t"), Some(&dsn));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&dsn) && err.contains("mapping.rml.ttl:"),
        "{err}"
    );
    assert!(!err.contains(&server.password), "{err}");
}

#[test]
fn a_missing_variable_is_named() {
    // No server needed: the variable is read before any connection.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("mapping.rml.ttl");
    std::fs::write(&file, mapping("SQL2008Table", "Typed", "t")).expect("write mapping");
    let out = common::factgraph()
        .env_remove("FG_DSN")
        .args(["map", "--quiet", "--mapping"])
        .arg(&file)
        .arg(dir.path())
        .output()
        .expect("factgraph runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("FG_DSN") && err.contains("mapping.rml.ttl:3"),
        "{err}"
    );
}
