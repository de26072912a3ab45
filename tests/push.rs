//! `factgraph push`: against a real, independent Oxigraph server on 127.0.0.1 (skipped with a
//! notice when its binary is absent), and against a scripted server that fails on purpose
//! (retries, refusals, blank nodes kept whole across chunks).

#[macro_use]
mod common;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use factgraph::digest_auth::Challenge;
use factgraph::push::{push, AuthScheme, PushError, PushOptions};
use oxigraph::model::{
    BlankNode, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term,
};
use oxigraph::store::Store;

// ---------------------------------------------------------------- a real Oxigraph server

/// The `oxigraph` server binary: `$FACTGRAPH_OXIGRAPH`, else the one `scripts/setup.sh --test` installs in
/// the venv `${FACTGRAPH_VENV:-$HOME/.cache/factgraph/venv}` (PyPI package `oxigraph`).
fn oxigraph_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FACTGRAPH_OXIGRAPH") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let venv = std::env::var_os("FACTGRAPH_VENV")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/factgraph/venv"))
        })?;
    Some(venv.join("bin/oxigraph")).filter(|p| p.is_file())
}

/// An `oxigraph serve` on a free loopback port, killed when dropped.
struct Oxigraph {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Oxigraph {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn start_oxigraph(binary: &PathBuf) -> Oxigraph {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let child = Command::new(binary)
        .args(["serve", "--location"])
        .arg(dir.path())
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("oxigraph serve starts");
    let server = Oxigraph {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    };
    // Wait until it accepts connections (bounded: 200 tries).
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("oxigraph serve did not listen on 127.0.0.1:{port}");
}

/// Runs a SELECT with one COUNT on the server and returns the number.
fn remote_count(server: &Oxigraph, query: &str) -> usize {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(&format!("{}/query", server.base))
        .header("Content-Type", "application/sparql-query")
        .header("Accept", "text/csv")
        .send(query.as_bytes())
        .expect("the server answers");
    let body = response.body_mut().read_to_string().expect("text");
    assert_eq!(response.status().as_u16(), 200, "{body}");
    body.lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("not a count: {body}"))
}

const ALL_QUADS: &str =
    "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }";

#[test]
fn push_to_an_oxigraph_server_sends_every_triple() {
    let Some(binary) = oxigraph_binary() else {
        skip_notice!(
            "SKIPPED: no oxigraph server binary (set FACTGRAPH_OXIGRAPH, or run scripts/setup.sh --test, which \
             pip-installs `oxigraph` into ${{FACTGRAPH_VENV:-$HOME/.cache/factgraph/venv}})"
        );
        return;
    };
    let store = common::bundled_store();
    let local = factgraph::store::open_read(store)
        .expect("the bundled store")
        .store
        .len()
        .expect("count");
    assert!(local > 400, "{local} quads");
    let server = start_oxigraph(&binary);
    let endpoint = format!("{}/store", server.base);
    let run_push = |extra: &[&str]| {
        common::factgraph()
            .args([
                "push",
                "--endpoint",
                &endpoint,
                "--chunk-size",
                "100",
                "--store",
            ])
            .arg(store)
            .args(extra)
            .assert()
            .success();
    };
    run_push(&[]);
    let remote = remote_count(&server, ALL_QUADS);
    assert!(
        remote >= local,
        "the server holds {remote} quads, the store {local}"
    );
    // PUT replaces: a second push leaves the same graph, not twice as many triples.
    run_push(&["--quiet"]);
    assert_eq!(remote_count(&server, ALL_QUADS), remote);

    // Everything into one named graph.
    let graph = "https://example.org/graph/factgraph";
    run_push(&["--graph", graph, "--quiet"]);
    let distinct: HashSet<_> = factgraph::store::open_read(store)
        .expect("the bundled store")
        .store
        .iter()
        .map(|q| {
            let q = q.expect("quad");
            (q.subject, q.predicate, q.object)
        })
        .collect();
    let in_graph = remote_count(
        &server,
        &format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"),
    );
    assert!(
        in_graph >= distinct.len(),
        "{in_graph} < {}",
        distinct.len()
    );
}

// ---------------------------------------------------------------- a scripted server

/// One request the scripted server received.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    target: String,
    authorization: Option<String>,
    content_type: Option<String>,
    body: String,
}

/// A server on 127.0.0.1 that answers with `script` in order, then 204; it handles at most
/// 100 connections.
fn scripted(script: Vec<(u16, &'static str)>) -> (String, Arc<Mutex<Vec<Received>>>) {
    scripted_with_headers(
        script
            .into_iter()
            .map(|(status, body)| (status, body, String::new()))
            .collect(),
    )
}

/// [`scripted`] with header lines (each ending in `\r\n`) added to each answer.
fn scripted_with_headers(
    script: Vec<(u16, &'static str, String)>,
) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    std::thread::spawn(move || {
        let mut script = script.into_iter();
        for stream in listener.incoming().take(100) {
            let Ok(mut stream) = stream else { continue };
            let Some(received) = read_request(&mut stream) else {
                continue;
            };
            seen.lock().expect("log").push(received);
            let (status, body, headers) = script.next().unwrap_or((204, "", String::new()));
            let _ = write!(
                stream,
                "HTTP/1.1 {status} Scripted\r\n{headers}Content-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (format!("http://{addr}/store"), log)
}

fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.insert(n.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        method,
        target,
        authorization: headers.get("authorization").cloned(),
        content_type: headers.get("content-type").cloned(),
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn ex(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("http://example.org/{local}"))
}

fn small_store() -> Store {
    let store = Store::new().expect("store");
    let p = ex("p");
    for i in 0..5 {
        store
            .insert(&Quad::new(
                ex(&format!("s{i}")),
                p.clone(),
                Literal::from(i),
                GraphNameRef::DefaultGraph,
            ))
            .expect("insert");
    }
    for i in 0..3 {
        store
            .insert(&Quad::new(
                ex(&format!("t{i}")),
                p.clone(),
                Literal::from(i),
                NamedNodeRef::new_unchecked("http://example.org/g"),
            ))
            .expect("insert");
    }
    store
}

fn options(endpoint: &str) -> PushOptions<'static> {
    PushOptions {
        endpoint: endpoint.to_owned(),
        chunk_triples: 2,
        retries: 3,
        backoff: Duration::from_millis(1),
        timeout: Duration::from_secs(30),
        ..PushOptions::default()
    }
}

#[test]
fn passing_failures_are_retried_and_graphs_go_in_put_then_post_chunks() {
    let (endpoint, log) = scripted(vec![(503, "busy"), (503, "busy")]);
    let summary = push(
        &small_store(),
        &PushOptions {
            auth: Some(("u".into(), "p".into())),
            ..options(&endpoint)
        },
    )
    .expect("the push succeeds after two retries");
    assert_eq!(summary.retries, 2);
    assert_eq!(summary.graphs, 2);
    assert_eq!(summary.triples, 8);
    assert_eq!(summary.requests, 5);
    let log = log.lock().expect("log").clone();
    assert_eq!(log.len(), 7);
    let ok: Vec<(String, String)> = log[2..]
        .iter()
        .map(|r| (r.method.clone(), r.target.clone()))
        .collect();
    let g = "/store?graph=http%3A%2F%2Fexample%2Eorg%2Fg";
    assert_eq!(
        ok,
        [
            ("PUT", "/store?default"),
            ("POST", "/store?default"),
            ("POST", "/store?default"),
            ("PUT", g),
            ("POST", g),
        ]
        .map(|(m, t)| (m.to_owned(), t.to_owned()))
    );
    for r in &log {
        assert_eq!(r.authorization.as_deref(), Some("Basic dTpw"));
        assert_eq!(r.content_type.as_deref(), Some("application/n-triples"));
    }
    let sent: usize = log[2..].iter().map(|r| r.body.lines().count()).sum();
    assert_eq!(sent, 8);
}

#[test]
fn a_refusal_stops_the_push_with_the_servers_message() {
    let (endpoint, log) = scripted(vec![(401, "wrong password")]);
    let err = push(&small_store(), &options(&endpoint)).expect_err("refused");
    match err {
        PushError::Status { status, body, .. } => {
            assert_eq!(status, 401);
            assert_eq!(body, "wrong password");
        }
        other => panic!("unexpected error: {other}"),
    }
    assert_eq!(
        log.lock().expect("log").len(),
        1,
        "a refusal is not retried"
    );
}

#[test]
fn the_push_gives_up_after_its_retries() {
    let (endpoint, log) = scripted(vec![(503, "down"); 10]);
    let err = push(
        &small_store(),
        &PushOptions {
            retries: 2,
            ..options(&endpoint)
        },
    )
    .expect_err("gives up");
    assert!(
        matches!(err, PushError::Status { status: 503, .. }),
        "{err}"
    );
    assert_eq!(log.lock().expect("log").len(), 3);
}

#[test]
fn an_endpoint_that_is_not_http_is_refused() {
    let err = push(&small_store(), &options("ftp://example.org/store")).expect_err("refused");
    assert!(matches!(err, PushError::Endpoint(_)));
}

#[test]
fn triples_sharing_a_blank_node_travel_in_one_request() {
    let store = Store::new().expect("store");
    let p = ex("p");
    let b = |id: &str| BlankNode::new_unchecked(id);
    let triples: Vec<(NamedOrBlankNode, Term)> = vec![
        (b("a").into(), b("b").into()),
        (b("b").into(), Literal::from(1).into()),
        (b("b").into(), b("c").into()),
        (b("c").into(), Literal::from(2).into()),
        (ex("x").into(), Literal::from(3).into()),
        (ex("y").into(), b("d").into()),
        (b("d").into(), Literal::from(4).into()),
        (b("e").into(), Literal::from(5).into()),
        (ex("z").into(), Literal::from(6).into()),
    ];
    for (s, o) in &triples {
        store
            .insert(&Quad::new(
                s.clone(),
                p.clone(),
                o.clone(),
                GraphNameRef::DefaultGraph,
            ))
            .expect("insert");
    }
    let (endpoint, log) = scripted(vec![]);
    let summary = push(&store, &options(&endpoint)).expect("push");
    assert_eq!(summary.triples, triples.len() as u64);
    let log = log.lock().expect("log").clone();
    assert!(log.len() >= 4, "{} requests", log.len());
    // Each blank node label appears in one request only.
    let mut owner: HashMap<String, usize> = HashMap::new();
    for (i, r) in log.iter().enumerate() {
        for word in r.body.split_whitespace().filter(|w| w.starts_with("_:")) {
            let first = *owner.entry(word.to_owned()).or_insert(i);
            assert_eq!(first, i, "{word} is split between requests {first} and {i}");
        }
    }
    assert_eq!(owner.len(), 5);
}

/// The value of `name="…"` or `name=…` in a Digest `Authorization` header.
fn digest_param<'a>(header: &'a str, name: &str) -> &'a str {
    header
        .split(", ")
        .find_map(|p| p.strip_prefix(&format!("{name}=")))
        .map(|v| v.trim_matches('"'))
        .unwrap_or_else(|| panic!("no {name} in {header}"))
}

#[test]
fn digest_challenges_are_answered_and_a_stale_nonce_renewed() {
    let challenge = |nonce: &str, stale: bool| {
        format!(
            "WWW-Authenticate: Digest realm=\"r\", nonce=\"{nonce}\", qop=\"auth\", algorithm=MD5, stale={stale}\r\n"
        )
    };
    let (endpoint, log) = scripted_with_headers(vec![
        (401, "", challenge("n1", false)), // the empty POST asking for a challenge
        (201, "", String::new()),          // PUT, nonce n1
        (401, "", challenge("n2", true)),  // POST, n1 gone stale
        (200, "", String::new()),          // the same POST, nonce n2
    ]);
    let summary = push(
        &small_store(),
        &PushOptions {
            auth: Some(("u".into(), "p w".into())),
            auth_scheme: AuthScheme::Digest,
            ..options(&endpoint)
        },
    )
    .expect("the push succeeds");
    assert_eq!(summary.retries, 0, "answering a challenge is not a retry");
    assert_eq!(summary.requests, 5);
    assert_eq!(summary.triples, 8);
    let log = log.lock().expect("log");
    assert_eq!(log.len(), 7, "{log:#?}");
    assert_eq!(
        (
            log[0].method.as_str(),
            log[0].body.as_str(),
            &log[0].authorization
        ),
        ("POST", "", &None)
    );
    let expected = [
        ("PUT", "n1", "00000001"),
        ("POST", "n1", "00000002"),
        ("POST", "n2", "00000001"),
        ("POST", "n2", "00000002"),
        ("PUT", "n2", "00000003"),
        ("POST", "n2", "00000004"),
    ];
    for (r, (method, nonce, nc)) in log[1..].iter().zip(expected) {
        let auth = r.authorization.as_deref().expect("credentials");
        assert_eq!(r.method, method);
        assert_eq!(digest_param(auth, "nonce"), nonce, "{auth}");
        assert_eq!(digest_param(auth, "nc"), nc, "{auth}");
        assert_eq!(digest_param(auth, "uri"), r.target, "{auth}");
        // The answer is the one RFC 7616 defines for this request.
        let mut c = Challenge::parse(&challenge(nonce, false)["WWW-Authenticate: ".len()..])
            .expect("challenge");
        let mut again = String::new();
        for _ in 0..u32::from_str_radix(nc, 16).expect("hex") {
            again =
                c.authorization_with(method, &r.target, "u", "p w", digest_param(auth, "cnonce"));
        }
        assert_eq!(
            digest_param(auth, "response"),
            digest_param(&again, "response"),
            "{auth}"
        );
    }
}

#[test]
fn wrong_digest_credentials_stop_the_push() {
    let challenge =
        "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", qop=\"auth\"\r\n".to_owned();
    let (endpoint, log) = scripted_with_headers(vec![
        (401, "", challenge.clone()),
        (401, "", challenge.clone()),
        (401, "no", challenge.clone()),
        (401, "no", challenge),
    ]);
    let err = push(
        &small_store(),
        &PushOptions {
            auth: Some(("u".into(), "p".into())),
            auth_scheme: AuthScheme::Digest,
            ..options(&endpoint)
        },
    )
    .expect_err("refused");
    assert!(
        matches!(&err, PushError::Digest { message, .. } if message.contains("refused the credentials")),
        "{err}"
    );
    // The probe, the answer, one more answer to a fresh nonce, then no more.
    assert_eq!(log.lock().expect("log").len(), 3);
}
