//! `factgraph link` and `enrich` through the Wikidata API, and `query --federate`, against
//! servers the tests start on 127.0.0.1 (answers in the exact JSON shape of the real
//! services). Nothing reaches the internet.

mod common;
mod link_support;

use common::{copy_dir, factgraph, root};
use link_support::{rows, top, wikidata_api, Response, Server, DECOYS, RIGHT};

fn user_agent() -> String {
    format!(
        "factgraph/{} (https://github.com/factgraph/factgraph)",
        env!("CARGO_PKG_VERSION")
    )
}

fn run_link(dir: &std::path::Path, api: &str, cache: &std::path::Path) -> std::process::Output {
    factgraph()
        .arg("link")
        .arg(dir)
        .args([
            "--api",
            api,
            "--requests-per-second",
            "100",
            "--accept-above",
            "85",
        ])
        .arg("--cache")
        .arg(cache)
        .output()
        .expect("factgraph runs")
}

#[test]
fn api_candidates_rank_like_the_dump_and_a_rerun_works_offline() {
    let dir = copy_dir(&root().join("data"));
    let cache = tempfile::tempdir().unwrap();
    let server = wikidata_api(Vec::new());
    let api = server.url("/w/api.php");
    let out = run_link(dir.path(), &api, cache.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.path().join("links.csv");
    let rows = rows(&path);
    let best = top(&rows);
    for (entity, qid) in RIGHT {
        assert!(
            best.contains(&(entity.to_string(), qid.to_string())),
            "{entity}: expected {qid} first, got {best:?}"
        );
    }
    assert!(rows
        .iter()
        .all(|r| !(DECOYS.contains(&r.qid.as_str()) && r.status == "accepted")));
    let requests = server.requests();
    assert!(!requests.is_empty());
    let ua = user_agent();
    for r in &requests {
        assert_eq!(r.method, "GET");
        assert_eq!(r.header("user-agent"), Some(ua.as_str()), "{r:?}");
        assert_eq!(r.param("format").as_deref(), Some("json"));
    }
    assert!(requests
        .iter()
        .any(|r| r.param("action").as_deref() == Some("wbsearchentities")));
    assert!(requests
        .iter()
        .any(|r| r.param("action").as_deref() == Some("wbgetentities")));
    let first = std::fs::read_to_string(&path).unwrap();

    // The server is gone: the cache answers everything.
    drop(server);
    std::fs::remove_file(&path).unwrap();
    let out = run_link(dir.path(), &api, cache.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("0 API requests"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), first);

    // enrich through the API (a fresh server; its facts land in wikidata.nq).
    let server = wikidata_api(Vec::new());
    let out = factgraph()
        .arg("enrich")
        .arg(dir.path())
        .args(["--api", &server.url("/w/api.php"), "--no-load"])
        .arg("--cache")
        .arg(cache.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let nq = std::fs::read_to_string(dir.path().join("wikidata.nq")).unwrap();
    assert!(nq.contains("<http://www.wikidata.org/entity/Q990000001> <http://www.wikidata.org/prop/direct/P856> <https://example.org/inetum> <https://w3id.org/factgraph/graph/wikidata> ."), "{nq}");
    let gets: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.param("action").as_deref() == Some("wbgetentities"))
        .collect();
    assert_eq!(gets.len(), 1);
    assert_eq!(
        gets[0].param("languages").as_deref(),
        Some("fr|en|ar"),
        "{gets:?}"
    );
}

#[test]
fn the_client_retries_after_429_and_5xx() {
    let dir = copy_dir(&root().join("data"));
    let cache = tempfile::tempdir().unwrap();
    let server = wikidata_api(vec![429, 503]);
    let out = run_link(dir.path(), &server.url("/w/api.php"), cache.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("(2 retries)"), "{stderr}");
    let requests = server.requests();
    // The same request, three times: 429, 503, then the answer.
    assert_eq!(requests[0].target, requests[1].target);
    assert_eq!(requests[1].target, requests[2].target);
    let best = top(&rows(&dir.path().join("links.csv")));
    assert!(best.contains(&(RIGHT[1].0.to_owned(), RIGHT[1].1.to_owned())));
}

#[test]
fn an_api_that_keeps_failing_is_an_error_not_a_hang() {
    let dir = copy_dir(&root().join("data"));
    let cache = tempfile::tempdir().unwrap();
    let server = Server::start(Box::new(|_| {
        let mut r =
            Response::json(&serde_json::json!({"error": {"code": "badtoken", "info": "no"}}));
        r.status = 403;
        r
    }));
    let out = run_link(dir.path(), &server.url("/w/api.php"), cache.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HTTP 403"));
    assert_eq!(server.requests().len(), 1, "a 403 is not retried");
    assert!(!dir.path().join("links.csv").exists());
}

fn sparql_endpoint() -> Server {
    Server::start(Box::new(|_| {
        Response {
        status: 200,
        content_type: "application/sparql-results+json".to_owned(),
        headers: Vec::new(),
        body: br#"{"head":{"vars":["label"]},"results":{"bindings":[{"label":{"type":"literal","value":"Inetum","xml:lang":"fr"}}]}}"#.to_vec(),
    }
    }))
}

#[test]
fn service_calls_run_only_with_federate() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.db");
    factgraph()
        .args(["load", "data", "--quiet", "--store"])
        .arg(&store)
        .assert()
        .success();
    let endpoint = sparql_endpoint();
    let q = format!(
        "SELECT ?label WHERE {{ SERVICE <{}> {{ wd:Q990000001 rdfs:label ?label }} }}",
        endpoint.url("/sparql")
    );
    // Off by default: the query fails and nothing is sent.
    let out = factgraph()
        .args(["query", &q, "--format", "csv", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(endpoint.requests().is_empty());
    // With --federate the SERVICE block is sent, with factgraph's User-Agent.
    let out = factgraph()
        .args(["query", &q, "--format", "csv", "--federate", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"),
        "label\nInetum\n"
    );
    let requests = endpoint.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.header("user-agent"), Some(user_agent().as_str()));
    assert_eq!(r.header("content-type"), Some("application/sparql-query"));
    let sent = String::from_utf8_lossy(&r.body);
    assert!(
        sent.contains("<http://www.wikidata.org/entity/Q990000001>") && sent.contains("SELECT"),
        "{sent}"
    );
}

#[test]
fn federated_results_join_local_facts() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.db");
    factgraph()
        .args(["load", "data", "--quiet", "--store"])
        .arg(&store)
        .assert()
        .success();
    let endpoint = sparql_endpoint();
    let q = format!(
        "SELECT ?name ?label WHERE {{ <https://w3id.org/factgraph/id/org/inetum> schema:name ?name . SERVICE <{}> {{ wd:Q990000001 rdfs:label ?label }} }}",
        endpoint.url("/sparql")
    );
    let out = factgraph()
        .args([
            "query",
            &q,
            "--format",
            "csv",
            "--federate",
            "--service-timeout",
            "5",
            "--store",
        ])
        .arg(&store)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"),
        "name,label\nInetum,Inetum\n"
    );
}
