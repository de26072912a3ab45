//! The test PostgreSQL server itself (tests/common/postgres.rs) starts, holds a table made from
//! a CSV file with typed columns, and answers over TCP with its password.

#[macro_use]
mod common;

use common::postgres::PgServer;

#[test]
fn server_starts_with_a_table_from_csv() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("Friends.csv");
    std::fs::write(&csv, "id,name,age\n0,Monica Geller,33\n1,Rachel Green,\n").expect("write");
    let server = match PgServer::start_with_csv_table("Friends", &csv) {
        Ok(s) => s,
        Err(why) if std::env::var_os("FACTGRAPH_REQUIRE_POSTGRES").is_none() => {
            skip_notice!("SKIPPED: PostgreSQL could not start: {why}");
            return;
        }
        Err(why) => panic!("PostgreSQL could not start: {why}"),
    };
    let out = server
        .psql(
            &server.database,
            "SELECT pg_typeof(age)::text, count(*), count(age) FROM \"Friends\" GROUP BY 1",
        )
        .expect("query");
    assert!(
        out.contains("integer") && out.contains(" 2 ") && out.contains(" 1"),
        "{out}"
    );
    let wrong = std::process::Command::new("psql")
        .env("PGPASSWORD", "not-the-password")
        .args(["-X", "-h", "127.0.0.1", "-p", &server.port.to_string()])
        .args(["-U", &server.user, "-d", &server.database, "-c", "SELECT 1"])
        .output()
        .expect("psql runs");
    assert!(!wrong.status.success(), "a wrong password is refused");
}
