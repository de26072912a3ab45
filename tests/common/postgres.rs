//! A throwaway PostgreSQL server for the tests of SQL sources: its own cluster in a temporary
//! directory, listening on 127.0.0.1 at a free port, with a password (SCRAM), stopped and
//! removed on drop. `scripts/setup.sh --test` installs the server binaries; the package's own
//! cluster is never used. As root, the server runs as the `postgres` user (PostgreSQL refuses
//! root), through `runuser`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running server with one database holding the tables a test asked for.
pub struct PgServer {
    /// The DSN as RML-IO's D2RQ descriptions write it: `jdbc:postgresql://127.0.0.1:PORT/DB`.
    pub dsn: String,
    /// The role the test connects as.
    pub user: String,
    /// Its password.
    pub password: String,
    /// The port on 127.0.0.1.
    pub port: u16,
    /// The database name.
    pub database: String,
    pg_ctl: PathBuf,
    data: PathBuf,
    as_postgres: bool,
    _dir: tempfile::TempDir,
}

/// The newest installed `initdb` (Debian keeps them under /usr/lib/postgresql/VERSION/bin).
fn initdb() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("FACTGRAPH_PG_BIN") {
        return Some(PathBuf::from(dir).join("initdb")).filter(|p| p.exists());
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let p = e.path().join("bin/initdb");
            p.exists().then_some((version, p))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// Runs `program args` (as the postgres user when `as_postgres`), Err with its output if it fails.
fn run(as_postgres: bool, program: &Path, args: &[&str]) -> Result<String, String> {
    let mut c = if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    let out = c
        .args(args)
        .output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{} {} failed: {}{}",
            program.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

impl PgServer {
    /// Starts a server with an empty database `factgraph`; Err says why it could not.
    pub fn start() -> Result<Self, String> {
        let initdb = initdb()
            .ok_or("PostgreSQL's initdb is not installed (scripts/setup.sh --test installs it)")?;
        let bin = initdb.parent().ok_or("initdb has no directory")?;
        let pg_ctl = bin.join("pg_ctl");
        let as_postgres = is_root();
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let data = dir.path().join("data");
        let password = "factgraph-test-password".to_owned();
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, format!("{password}\n")).map_err(|e| e.to_string())?;
        if as_postgres {
            // The server's files belong to postgres; the temp dir itself must be enterable.
            let status = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(dir.path())
                .status()
                .map_err(|e| e.to_string())?;
            if !status.success() {
                return Err("chown of the server's directory to postgres failed".into());
            }
        }
        let (data_s, pw_s) = (data.display().to_string(), pwfile.display().to_string());
        run(
            as_postgres,
            &initdb,
            &[
                "-D",
                &data_s,
                "-U",
                "factgraph",
                "--pwfile",
                &pw_s,
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        let port = free_port()?;
        let log = dir.path().join("server.log");
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            dir.path().display()
        );
        let log_s = log.display().to_string();
        if let Err(e) = run(
            as_postgres,
            &pg_ctl,
            &[
                "-D", &data_s, "-o", &options, "-l", &log_s, "-w", "-t", "60", "start",
            ],
        ) {
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!("{e}\nserver log:\n{tail}"));
        }
        let server = Self {
            dsn: format!("jdbc:postgresql://127.0.0.1:{port}/factgraph"),
            user: "factgraph".into(),
            password,
            port,
            database: "factgraph".into(),
            pg_ctl,
            data,
            as_postgres,
            _dir: dir,
        };
        server.psql("postgres", "CREATE DATABASE factgraph")?;
        Ok(server)
    }

    /// Starts a server whose database holds table `name` made from `csv_file` (see
    /// [`Self::load_csv_table`]).
    pub fn start_with_csv_table(name: &str, csv_file: &Path) -> Result<Self, String> {
        let server = Self::start()?;
        server.load_csv_table(name, csv_file)?;
        Ok(server)
    }

    /// Runs SQL in `database` through psql over TCP with the password; Err with psql's message.
    pub fn psql(&self, database: &str, sql: &str) -> Result<String, String> {
        let out = Command::new("psql")
            .env("PGPASSWORD", &self.password)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                &self.user,
                "-d",
                database,
            ])
            .args(["-c", sql])
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "psql: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    /// Creates table `name` (quoted, so its case is kept) from a CSV file with a header: a column
    /// whose values are all integers is `integer`, any other `text`; empty cells are NULL.
    pub fn load_csv_table(&self, name: &str, csv_file: &Path) -> Result<(), String> {
        let mut reader =
            csv::Reader::from_path(csv_file).map_err(|e| format!("{}: {e}", csv_file.display()))?;
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| e.to_string())?
            .iter()
            .map(str::to_owned)
            .collect();
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.map(|r| r.iter().map(str::to_owned).collect()))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        let quote_id = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let quote_lit = |s: &str| format!("'{}'", s.replace('\'', "''"));
        let integer: Vec<bool> = (0..headers.len())
            .map(|c| {
                rows.iter().all(|r| {
                    r.get(c)
                        .is_none_or(|v| v.is_empty() || v.parse::<i64>().is_ok())
                })
            })
            .collect();
        let columns: Vec<String> = headers
            .iter()
            .zip(&integer)
            .map(|(h, &int)| format!("{} {}", quote_id(h), if int { "integer" } else { "text" }))
            .collect();
        let mut sql = format!("CREATE TABLE {} ({});", quote_id(name), columns.join(", "));
        for r in &rows {
            let values: Vec<String> = r
                .iter()
                .zip(&integer)
                .map(|(v, &int)| match (v.is_empty(), int) {
                    (true, _) => "NULL".to_owned(),
                    (false, true) => v.clone(),
                    (false, false) => quote_lit(v),
                })
                .collect();
            sql.push_str(&format!(
                "INSERT INTO {} VALUES ({});",
                quote_id(name),
                values.join(", ")
            ));
        }
        self.psql(&self.database, &sql).map(drop)
    }

    /// The environment the RML-IO cases' D2RQ descriptions read (`$CONNECTIONDSN`, `$USERNAME`,
    /// `$PASSWORD`).
    pub fn env(&self) -> [(&'static str, String); 3] {
        [
            ("CONNECTIONDSN", self.dsn.clone()),
            ("USERNAME", self.user.clone()),
            ("PASSWORD", self.password.clone()),
        ]
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let data = self.data.display().to_string();
        let _ = run(
            self.as_postgres,
            &self.pg_ctl,
            &["-D", &data, "-m", "immediate", "-w", "stop"],
        );
    }
}
