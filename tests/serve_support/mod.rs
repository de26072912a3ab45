//! Helpers of the serve, browser and push tests: a `factgraph serve` child process on a free
//! loopback port, and a small HTTP client.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running `factgraph serve`, killed when dropped.
pub struct Served {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Served {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `factgraph serve --bind 127.0.0.1:0 --store STORE ARGS…` and waits for the line
/// that says which port it got.
pub fn serve(store: &Path, args: &[&str]) -> Served {
    serve_on("127.0.0.1:0", store, args)
}

/// [`serve`] on another `--bind` address.
pub fn serve_on(bind: &str, store: &Path, args: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .args(["serve", "--bind", bind, "--store"])
        .arg(store)
        .args(args)
        .env_remove("FACTGRAPH_STORE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("factgraph serve starts");
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut reader = BufReader::new(stderr);
    let mut line = String::new();
    reader.read_line(&mut line).expect("serve writes to stderr");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let _ = child.kill();
            panic!("factgraph serve did not start: {line}")
        });
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = reader.read_to_end(&mut sink);
    });
    Served { child, addr }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: u16,
    /// Content-Type, if any.
    pub content_type: String,
    /// All headers, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl Answer {
    /// The first value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(120)))
        .build()
        .into()
}

fn answer(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut response = response.expect("the server answers");
    let status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_ascii_lowercase(),
                v.to_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let content_type = headers
        .iter()
        .find(|(n, _)| n == "content-type")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let body = response.body_mut().read_to_string().expect("a UTF-8 body");
    Answer {
        status,
        content_type,
        headers,
        body,
    }
}

/// GET `url` with an Accept header (none when empty).
pub fn get(url: &str, accept: &str) -> Answer {
    let mut request = agent().get(url);
    if !accept.is_empty() {
        request = request.header("Accept", accept);
    }
    answer(request.call())
}

/// POST `body` as `content_type` to `url` with an Accept header.
pub fn post(url: &str, content_type: &str, body: &str, accept: &str) -> Answer {
    answer(
        agent()
            .post(url)
            .header("Content-Type", content_type)
            .header("Accept", accept)
            .send(body.as_bytes()),
    )
}

/// A request with any method and no body.
pub fn request(method: &str, url: &str) -> Answer {
    let request = ureq::http::Request::builder()
        .method(method)
        .uri(url)
        .header("Origin", "http://example.org")
        .header("Access-Control-Request-Method", "POST")
        .body(())
        .expect("a request");
    answer(agent().run(request))
}

/// Percent-encodes a query-string value.
pub fn enc(s: &str) -> String {
    factgraph::serve::http::encode_component(s)
}

/// `/query?query=…`.
pub fn query_path(q: &str) -> String {
    format!("/query?query={}", enc(q))
}
