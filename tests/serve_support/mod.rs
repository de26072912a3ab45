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

/// A text of a neighbourhood diagram with its estimated box: class, text, x, y, w, h.
#[derive(Debug, Clone)]
pub struct SvgText {
    /// Its `class` attribute (`edge-label`, `node-label`, `center`, `legend`).
    pub class: String,
    /// The text, unescaped.
    pub text: String,
    /// Left, top, width, height.
    pub rect: (f64, f64, f64, f64),
}

impl SvgText {
    /// True when the two boxes share some area.
    pub fn intersects(&self, o: &SvgText) -> bool {
        let (ax, ay, aw, ah) = self.rect;
        let (bx, by, bw, bh) = o.rect;
        ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah
    }
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(tag[start..start + len].to_owned())
}

/// The `<text>` elements of an SVG, each with a box computed here from its position, anchor,
/// font size (12 px unless said) and number of characters: 0.6 em per character, 0.8 em of
/// ascent, 0.25 em of descent (DejaVu Sans, the fonts' widest fallback, averages under
/// 0.6 em on these labels).
pub fn svg_texts(svg: &str) -> Vec<SvgText> {
    let mut out = Vec::new();
    for part in svg.split("<text").skip(1) {
        let Some((tag, rest)) = part.split_once('>') else {
            continue;
        };
        let Some((inner, _)) = rest.split_once("</text>") else {
            continue;
        };
        let num = |n: &str| attr(tag, n).and_then(|v| v.parse::<f64>().ok());
        let (Some(x), Some(y)) = (num("x"), num("y")) else {
            continue;
        };
        let size = num("font-size").unwrap_or(12.0);
        let text = inner
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&nbsp;", "\u{a0}")
            .replace("&amp;", "&");
        let w = text.chars().count() as f64 * size * 0.6;
        let left = match attr(tag, "text-anchor").as_deref() {
            Some("middle") => x - w / 2.0,
            Some("end") => x - w,
            _ => x,
        };
        out.push(SvgText {
            class: attr(tag, "class").unwrap_or_default(),
            text,
            rect: (left, y - size * 0.8, w, size * 1.05),
        });
    }
    out
}

/// The `viewBox` of an SVG: min x, min y, width, height.
pub fn svg_view_box(svg: &str) -> Option<(f64, f64, f64, f64)> {
    let v: Vec<f64> = attr(svg, "viewBox")?
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    (v.len() == 4).then(|| (v[0], v[1], v[2], v[3]))
}

/// Asserts that no two texts of the SVG overlap and that all are inside its `viewBox`.
pub fn assert_svg_texts_apart(svg: &str, page: &str) {
    let texts = svg_texts(svg);
    assert!(!texts.is_empty(), "{page}: no text in the diagram");
    let (vx, vy, vw, vh) = svg_view_box(svg).expect("a viewBox");
    for (i, a) in texts.iter().enumerate() {
        let (x, y, w, h) = a.rect;
        assert!(
            x >= vx && y >= vy && x + w <= vx + vw && y + h <= vy + vh,
            "{page}: {a:?} is outside the viewBox {:?}",
            (vx, vy, vw, vh)
        );
        for b in &texts[i + 1..] {
            assert!(!a.intersects(b), "{page}: {a:?} overlaps {b:?}");
        }
    }
}

/// A store loaded from a copy of the bundled data/ with `tests/fixtures/pages/wikidata.nq`
/// (facts as `enrich` writes them for Q1028 and Q3551), shared by the tests of one binary.
pub fn store_with_wikidata() -> &'static Path {
    static STORE: std::sync::OnceLock<(tempfile::TempDir, std::path::PathBuf)> =
        std::sync::OnceLock::new();
    let (_, path) = STORE.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).expect("data dir");
        copy_flat(&root.join("data"), &data);
        std::fs::copy(
            root.join("tests/fixtures/pages/wikidata.nq"),
            data.join("wikidata.nq"),
        )
        .expect("fixture");
        let store = dir.path().join("store.db");
        let status = Command::new(env!("CARGO_BIN_EXE_factgraph"))
            .args(["load", "--quiet", "--store"])
            .arg(&store)
            .arg(&data)
            .env_remove("FACTGRAPH_STORE")
            .status()
            .expect("factgraph load runs");
        assert!(status.success(), "load with wikidata.nq failed");
        (dir, store)
    });
    path
}

fn copy_flat(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).expect("readable dir") {
        let e = e.expect("dir entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_flat(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}
