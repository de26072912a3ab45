//! Loading into Virtuoso (Debian's `virtuoso-opensource-7-bin`, which `scripts/setup.sh --test`
//! installs): a server started here on 127.0.0.1 with a temporary database, then
//!
//! * the bulk loader (`ld_dir` / `rdf_loader_run` / `checkpoint` through `isql-vt`) on N-Quads
//!   shards of `factgraph map`, with the ontology beside them;
//! * `factgraph push` to `/sparql-graph-crud-auth` with Digest credentials;
//!
//! each on a fresh server, after which Virtuoso counts, graph by graph, as many triples as
//! `factgraph query` does on the store `factgraph load` made of the same data: the bundled
//! data/, and a larger synthetic set (examples/synth.rs). Skipped, with a notice, only when
//! the `virtuoso-t` binary is absent.

#[macro_use]
mod common;

#[allow(dead_code)]
#[path = "../examples/synth.rs"]
mod synth;

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where `factgraph` puts the store's default graph in Virtuoso, which has none to address.
const DATA_GRAPH: &str = "https://w3id.org/factgraph/graph/data";
const ONTOLOGY_GRAPH: &str = "https://w3id.org/factgraph/graph/ontology";

/// `$FACTGRAPH_VIRTUOSO`, else `virtuoso-t` on the PATH.
fn virtuoso_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FACTGRAPH_VIRTUOSO") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    on_path("virtuoso-t")
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The last lines of a file, for failure messages.
fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_else(|e| format!("({}: {e})", path.display()));
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A Virtuoso server on free loopback ports with its database in a temporary directory;
/// killed (and the directory removed) when dropped.
struct Virtuoso {
    child: Child,
    isql: PathBuf,
    isql_port: u16,
    http_port: u16,
    log: PathBuf,
    dir: tempfile::TempDir,
}

impl Drop for Virtuoso {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Virtuoso {
    /// Starts `virtuoso-t` with its own `virtuoso.ini`; the bulk loader may read files under
    /// `allowed`. Waits (at most 120 s) until its log says it is online and both ports accept
    /// connections.
    fn start(binary: &Path, allowed: &[&Path]) -> Virtuoso {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path();
        let (isql_port, http_port) = (free_port(), free_port());
        let mut dirs = vec![".".to_owned()];
        dirs.extend(allowed.iter().map(|p| p.display().to_string()));
        let ini = format!(
            "[Database]\n\
             DatabaseFile = {db}/virtuoso.db\n\
             ErrorLogFile = {db}/virtuoso.log\n\
             LockFile = {db}/virtuoso.lck\n\
             TransactionFile = {db}/virtuoso.trx\n\
             xa_persistent_file = {db}/virtuoso.pxa\n\
             ErrorLogLevel = 7\n\
             FileExtend = 200\n\
             MaxCheckpointRemap = 2000\n\
             Striping = 0\n\
             TempStorage = TempDatabase\n\
             \n\
             [TempDatabase]\n\
             DatabaseFile = {db}/virtuoso-temp.db\n\
             TransactionFile = {db}/virtuoso-temp.trx\n\
             MaxCheckpointRemap = 2000\n\
             Striping = 0\n\
             \n\
             [Parameters]\n\
             ServerPort = 127.0.0.1:{isql_port}\n\
             ServerThreads = 10\n\
             CheckpointInterval = 60\n\
             NumberOfBuffers = 20000\n\
             MaxDirtyBuffers = 15000\n\
             DirsAllowed = {dirs}\n\
             CaseMode = 2\n\
             \n\
             [HTTPServer]\n\
             ServerPort = 127.0.0.1:{http_port}\n\
             ServerThreads = 4\n\
             MaxClientConnections = 4\n\
             \n\
             [SPARQL]\n\
             ResultSetMaxRows = 100000\n",
            db = db.display(),
            dirs = dirs.join(", "),
        );
        let ini_path = db.join("virtuoso.ini");
        fs::write(&ini_path, ini).expect("virtuoso.ini written");
        let log = db.join("virtuoso.log");
        let out = fs::File::create(db.join("stdout.log")).expect("stdout.log");
        let err = out.try_clone().expect("stdout.log");
        let child = Command::new(binary)
            .arg("+foreground")
            .arg("+configfile")
            .arg(&ini_path)
            .current_dir(db)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("{} does not start: {e}", binary.display()));
        let isql = binary
            .parent()
            .map(|d| d.join("isql-vt"))
            .filter(|p| p.is_file())
            .or_else(|| on_path("isql-vt"))
            .expect("isql-vt next to virtuoso-t or on the PATH");
        let mut server = Virtuoso {
            child,
            isql,
            isql_port,
            http_port,
            log,
            dir,
        };
        server.wait_until_listening(Duration::from_secs(120));
        server
    }

    fn wait_until_listening(&mut self, timeout: Duration) {
        let start = Instant::now();
        let listening = |port: u16| {
            TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(1))
                .is_ok()
        };
        loop {
            // Ports are touched only once the log says the server is online: 7.2.5 crashed
            // once (GPF in Dkernel.c) while its ports were polled as it started up.
            let online =
                fs::read_to_string(&self.log).is_ok_and(|l| l.contains("Server online at"));
            if online && listening(self.isql_port) && listening(self.http_port) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "virtuoso-t exited ({status}) before listening on 127.0.0.1:{} and :{}\n\
                     --- virtuoso.log (end) ---\n{}\n--- stdout/stderr ---\n{}",
                    self.isql_port,
                    self.http_port,
                    tail(&self.log, 30),
                    tail(&self.dir.path().join("stdout.log"), 20)
                );
            }
            if start.elapsed() > timeout {
                panic!(
                    "virtuoso-t did not listen on 127.0.0.1:{} (isql) and :{} (HTTP) within {} s\n\
                     --- virtuoso.log (end) ---\n{}",
                    self.isql_port,
                    self.http_port,
                    timeout.as_secs(),
                    tail(&self.log, 30)
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Runs SQL through `isql-vt` as dba; fails on any error it reports.
    fn isql(&self, sql: &str) -> String {
        let out = Command::new(&self.isql)
            .arg(format!("127.0.0.1:{}", self.isql_port))
            .args(["dba", "dba"])
            .arg(format!("exec={sql}"))
            .stdin(Stdio::null())
            .output()
            .expect("isql-vt runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && !stdout.contains("*** Error") && !stderr.contains("*** Error"),
            "isql-vt failed on `{sql}`: {stdout}{stderr}\n--- virtuoso.log (end) ---\n{}",
            tail(&self.log, 20)
        );
        stdout
    }

    fn http(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.http_port)
    }

    /// The rows of a SELECT on `/sparql`, as CSV.
    fn select(&self, query: &str) -> Vec<Vec<String>> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent
            .get(&self.http("/sparql"))
            .query("query", query)
            .header("Accept", "text/csv")
            .call()
            .expect("Virtuoso answers on /sparql");
        let body = response.body_mut().read_to_string().expect("text");
        assert_eq!(response.status().as_u16(), 200, "{query}\n{body}");
        csv_rows(&body)
    }

    /// Triples per named graph, from Virtuoso's SPARQL endpoint.
    fn graph_counts(&self) -> BTreeMap<String, u64> {
        self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            .into_iter()
            .map(|r| (r[0].clone(), count(&r[1])))
            .collect()
    }
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("CSV").iter().map(str::to_owned).collect())
        .collect()
}

fn count(cell: &str) -> u64 {
    cell.trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a count: {cell:?}"))
}

/// What the local store holds, per graph (the default graph under [`DATA_GRAPH`]), and in all,
/// as `factgraph query` counts it. Its default graph is the union of the store's graphs, each
/// quad of each graph once (spareval does not merge them), so `{ ?s ?p ?o }` counts every quad
/// and the store's own default graph holds what `GRAPH ?g` does not.
fn local_counts(store: &Path) -> (BTreeMap<String, u64>, u64) {
    let named: BTreeMap<String, u64> = csv_rows(&common::query(
        store,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        "csv",
    ))
    .into_iter()
    .map(|r| (r[0].clone(), count(&r[1])))
    .collect();
    let total = count(
        &csv_rows(&common::query(
            store,
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
            "csv",
        ))[0][0],
    );
    let in_named: u64 = named.values().sum();
    assert!(
        total > in_named,
        "{total} quads, {in_named} in named graphs"
    );
    let mut graphs = named;
    graphs.insert(DATA_GRAPH.to_owned(), total - in_named);
    (graphs, total)
}

/// Virtuoso's counts for the graphs it did not have when it started, and their sum, with the
/// brief's query restricted to those graphs.
fn remote_counts(
    server: &Virtuoso,
    baseline: &BTreeMap<String, u64>,
) -> (BTreeMap<String, u64>, u64) {
    let graphs: BTreeMap<String, u64> = server
        .graph_counts()
        .into_iter()
        .filter(|(g, _)| !baseline.contains_key(g))
        .collect();
    let list: Vec<String> = graphs.keys().map(|g| format!("<{g}>")).collect();
    let total = server.select(&format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g IN ({})) }}",
        list.join(", ")
    ));
    (graphs, count(&total[0][0]))
}

/// The shards as `scripts/spark-map` writes them: `factgraph map --partition K/N --format
/// nquads DIR` into `part-KKKKK.nq` for each K; returns their number of lines.
fn shards(data: &Path, out: &Path, parts: usize) -> usize {
    (0..parts)
        .map(|k| {
            let part = out.join(format!("part-{k:05}.nq"));
            common::factgraph()
                .args(["map", "--quiet", "--format", "nquads", "--partition"])
                .arg(format!("{k}/{parts}"))
                .arg("--output")
                .arg(&part)
                .arg(data)
                .assert()
                .success();
            BufReader::new(fs::File::open(&part).expect("share output"))
                .lines()
                .count()
        })
        .sum()
}

/// Bulk load and push of the data in `data` (a directory `factgraph load` reads); `parts`
/// shards.
fn check_dataset(binary: &Path, data: &Path, parts: usize, chunk: usize) {
    let work = tempfile::tempdir().expect("temp dir");
    let store = work.path().join("store.db");
    common::load_quietly(&store, data);
    let (local, local_total) = local_counts(&store);
    // The union of the graphs counts each quad once: the store's own count agrees.
    let quads = factgraph::store::open_read(&store)
        .expect("the store")
        .store
        .len()
        .expect("count");
    assert_eq!(
        local_total, quads as u64,
        "factgraph query and the store disagree"
    );

    // 1. Bulk loader: shards of `map` into DATA_GRAPH, the ontology into its graph.
    let shard_dir = work.path().join("shards");
    let onto_dir = work.path().join("ontology");
    fs::create_dir_all(&shard_dir).expect("mkdir");
    fs::create_dir_all(&onto_dir).expect("mkdir");
    let lines = shards(data, &shard_dir, parts);
    fs::copy(
        common::root().join("ontology/factgraph.ttl"),
        onto_dir.join("factgraph.ttl"),
    )
    .expect("ontology copied");
    {
        let server = Virtuoso::start(binary, &[&shard_dir, &onto_dir]);
        let baseline = server.graph_counts();
        assert!(
            !baseline.contains_key(DATA_GRAPH),
            "a fresh database already has {DATA_GRAPH}"
        );
        server.isql(&format!(
            "ld_dir('{}', '*.nq', '{DATA_GRAPH}'); ld_dir('{}', 'factgraph.ttl', '{ONTOLOGY_GRAPH}'); \
             rdf_loader_run(); checkpoint;",
            shard_dir.display(),
            onto_dir.display()
        ));
        let list = server.isql(
            "SELECT ll_file, ll_state, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_state <> 2 OR ll_error IS NOT NULL;",
        );
        assert!(
            list.contains("0 Rows."),
            "files not loaded or loaded with errors:\n{list}"
        );
        let loaded = server.isql("SELECT COUNT(*) FROM DB.DBA.LOAD_LIST;");
        assert!(
            loaded.contains(&format!("\n{}\n", parts + 1)),
            "expected {} files in the load list: {loaded}",
            parts + 1
        );
        let (remote, remote_total) = remote_counts(&server, &baseline);
        assert_eq!(
            remote, local,
            "bulk load of {lines} lines in {parts} shards: Virtuoso's graphs (left) differ from the store's (right)"
        );
        assert_eq!(remote_total, local_total);
        eprintln!(
            "{}: bulk load of {lines} N-Quads lines in {parts} shards: Virtuoso counts {remote_total} triples in {:?}, as the store does",
            data.display(),
            remote
        );
    }

    // 2. push: every graph of the store, the default one to DATA_GRAPH, with Digest.
    let server = Virtuoso::start(binary, &[]);
    let baseline = server.graph_counts();
    let endpoint = server.http("/sparql-graph-crud-auth");
    let run_push = || {
        common::factgraph()
            .args(["push", "--quiet", "--endpoint", &endpoint])
            .args(["--default-graph-to", DATA_GRAPH])
            .args(["--user", "dba", "--password", "dba", "--auth", "digest"])
            .args(["--chunk-size", &chunk.to_string(), "--store"])
            .arg(&store)
            .assert()
            .success();
    };
    run_push();
    let (remote, remote_total) = remote_counts(&server, &baseline);
    assert_eq!(
        remote, local,
        "push: Virtuoso's graphs (left) differ from the store's (right)"
    );
    assert_eq!(remote_total, local_total);
    eprintln!(
        "{}: push in chunks of {chunk}: Virtuoso counts {remote_total} triples in {:?}, as the store does",
        data.display(),
        remote
    );
    // A second push replaces (PUT first), it does not add.
    run_push();
    assert_eq!(remote_counts(&server, &baseline).1, local_total);
}

#[test]
fn bulk_load_and_push_of_the_bundled_data_match_the_store() {
    let Some(binary) = virtuoso_binary() else {
        skip_notice!(
            "SKIPPED: no virtuoso-t binary (set FACTGRAPH_VIRTUOSO, or run scripts/setup.sh --test, \
             which installs Debian's virtuoso-opensource-7-bin)"
        );
        return;
    };
    // Chunks of 100 triples: the push is many POSTs after the PUT, on one Digest nonce.
    check_dataset(&binary, &common::root().join("data"), 3, 100);
}

#[test]
fn bulk_load_and_push_of_synthetic_data_match_the_store() {
    let Some(binary) = virtuoso_binary() else {
        skip_notice!("SKIPPED: no virtuoso-t binary (see the other test of tests/virtuoso.rs)");
        return;
    };
    let data = tempfile::tempdir().expect("temp dir");
    // About 18 triples per row: some 70,000 triples.
    synth::generate(data.path(), 4_000, 7).expect("synthetic data written");
    check_dataset(&binary, data.path(), 4, 20_000);
}

#[test]
fn push_with_wrong_digest_credentials_says_so() {
    let Some(binary) = virtuoso_binary() else {
        skip_notice!("SKIPPED: no virtuoso-t binary (see the other tests of tests/virtuoso.rs)");
        return;
    };
    let server = Virtuoso::start(&binary, &[]);
    let endpoint = server.http("/sparql-graph-crud-auth");
    let out = common::factgraph()
        .args(["push", "--quiet", "--endpoint", &endpoint])
        .args(["--default-graph-to", DATA_GRAPH])
        .args(["--user", "dba", "--password", "not-dba", "--auth", "digest"])
        .args(["--retries", "0", "--store"])
        .arg(common::bundled_store())
        .output()
        .expect("factgraph runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("Digest authentication failed")
            && stderr.contains("refused the credentials"),
        "{stderr}"
    );
    // Basic credentials to a Digest-only endpoint: told which to use.
    let out = common::factgraph()
        .args(["push", "--quiet", "--endpoint", &endpoint])
        .args(["--default-graph-to", DATA_GRAPH])
        .args([
            "--user",
            "dba",
            "--password",
            "dba",
            "--retries",
            "0",
            "--store",
        ])
        .arg(common::bundled_store())
        .output()
        .expect("factgraph runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("--auth digest"), "{stderr}");
}
