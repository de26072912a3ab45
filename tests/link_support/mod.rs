//! Helpers of the `link` tests: the fixture dump, and tiny HTTP servers on 127.0.0.1 that
//! stand in for the Wikidata API and a SPARQL endpoint. Nothing here reaches the internet.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::{json, Value};

/// The fixture dump (official format; synthetic items, see make_dump.py).
pub fn dump() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wikidata/dump.json")
}

/// The fixture's entities, as JSON.
pub fn dump_entities() -> Vec<Value> {
    std::fs::read_to_string(dump())
        .expect("fixture dump")
        .lines()
        .map(|l| l.trim().trim_end_matches(','))
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("fixture line is JSON"))
        .collect()
}

/// The right item for each unlinked organisation and person of the bundled data.
pub const RIGHT: &[(&str, &str)] = &[
    ("https://w3id.org/factgraph/id/org/amdie", "Q990000002"),
    ("https://w3id.org/factgraph/id/org/inetum", "Q990000001"),
    (
        "https://w3id.org/factgraph/id/person/ali-seddiki",
        "Q990000014",
    ),
    (
        "https://w3id.org/factgraph/id/person/ghita-mezzour",
        "Q990000012",
    ),
    (
        "https://w3id.org/factgraph/id/person/jacques-pommeraud",
        "Q990000013",
    ),
    (
        "https://w3id.org/factgraph/id/person/mohcine-jazouli",
        "Q990000011",
    ),
];

/// The decoys: a human named like an organisation, a scholarly article named like a person,
/// a disambiguation page, a homonym, a near namesake, a homonymous city in another country.
pub const DECOYS: &[&str] = &[
    "Q990000201",
    "Q990000202",
    "Q990000203",
    "Q990000204",
    "Q990000205",
    "Q990000302",
];

/// A row of links.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub entity: String,
    pub name: String,
    pub qid: String,
    pub label: String,
    pub score: f64,
    pub status: String,
    pub reviewed_by: String,
}

/// Reads links.csv.
pub fn rows(path: &std::path::Path) -> Vec<Row> {
    let mut r = csv::Reader::from_path(path).expect("links.csv");
    let headers = r.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "entity",
            "name",
            "qid",
            "label",
            "description",
            "score",
            "status",
            "reviewed_by",
            "reviewed_on"
        ]
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            Row {
                entity: rec[0].to_owned(),
                name: rec[1].to_owned(),
                qid: rec[2].to_owned(),
                label: rec[3].to_owned(),
                score: rec[5].parse().unwrap_or(0.0),
                status: rec[6].to_owned(),
                reviewed_by: rec[7].to_owned(),
            }
        })
        .collect()
}

/// The first row of each entity (the best candidate): entity → qid.
pub fn top(rows: &[Row]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for r in rows {
        if !out.iter().any(|(e, _)| *e == r.entity) {
            out.push((r.entity.clone(), r.qid.clone()));
        }
    }
    out
}

/// An HTTP request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The decoded query parameters.
    pub fn params(&self) -> Vec<(String, String)> {
        let query = self.target.split_once('?').map_or("", |(_, q)| q);
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect()
    }

    pub fn param(&self, name: &str) -> Option<String> {
        self.params()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An HTTP response.
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(v: &Value) -> Self {
        Response {
            status: 200,
            content_type: "application/json; charset=utf-8".to_owned(),
            headers: Vec::new(),
            body: serde_json::to_vec(v).unwrap(),
        }
    }
}

type Handler = Box<dyn FnMut(&Request) -> Response + Send>;

/// A one-connection-at-a-time HTTP/1.1 server on 127.0.0.1, stopped when dropped.
pub struct Server {
    pub addr: SocketAddr,
    pub log: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(mut handler: Handler) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log2, stop2) = (log.clone(), stop.clone());
        let handle = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                if let Some(req) = read_request(&stream) {
                    let resp = handler(&req);
                    log2.lock().unwrap().push(req);
                    let _ = write_response(stream, resp);
                }
            }
        });
        Server {
            addr,
            log,
            stop,
            handle: Some(handle),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

fn write_response(mut stream: TcpStream, r: Response) -> std::io::Result<()> {
    let reason = match r.status {
        200 => "OK",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Other",
    };
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        r.status,
        r.content_type,
        r.body.len()
    );
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(&r.body)?;
    stream.flush()
}

fn texts(e: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(labels) = e["labels"].as_object() {
        for (lang, v) in labels {
            out.push((lang.clone(), v["value"].as_str().unwrap_or("").to_owned()));
        }
    }
    if let Some(aliases) = e["aliases"].as_object() {
        for (lang, vs) in aliases {
            for v in vs.as_array().into_iter().flatten() {
                out.push((lang.clone(), v["value"].as_str().unwrap_or("").to_owned()));
            }
        }
    }
    out
}

/// A stand-in for `https://www.wikidata.org/w/api.php` serving the fixture entities with the
/// answers' exact JSON shape. `failures` are statuses answered, in order, before the real
/// answers (429 comes with `Retry-After: 0`).
pub fn wikidata_api(failures: Vec<u16>) -> Server {
    let entities = dump_entities();
    let mut failures: VecDeque<u16> = failures.into();
    Server::start(Box::new(move |req: &Request| {
        if let Some(status) = failures.pop_front() {
            let mut r = Response::json(&json!({"error": "try later"}));
            r.status = status;
            if status == 429 {
                r.headers.push(("Retry-After".into(), "0".into()));
            }
            return r;
        }
        match req.param("action").as_deref() {
            Some("wbsearchentities") => search(&entities, req),
            Some("wbgetentities") => get(&entities, req),
            _ => Response::json(
                &json!({"error": {"code": "badvalue", "info": "Unrecognized value for parameter \"action\"."}}),
            ),
        }
    }))
}

fn search(entities: &[Value], req: &Request) -> Response {
    let text = req.param("search").unwrap_or_default();
    let language = req.param("language").unwrap_or_else(|| "en".into());
    let limit: usize = req.param("limit").and_then(|l| l.parse().ok()).unwrap_or(7);
    let needle = text.to_lowercase();
    let mut hits = Vec::new();
    for e in entities.iter().filter(|e| e["type"] == "item") {
        let id = e["id"].as_str().unwrap_or("");
        let matched = texts(e)
            .into_iter()
            .find(|(_, t)| t.to_lowercase().starts_with(&needle));
        let Some((lang, matched_text)) = matched else {
            continue;
        };
        let label = e["labels"][&language]["value"]
            .as_str()
            .or_else(|| e["labels"]["mul"]["value"].as_str())
            .or_else(|| e["labels"]["en"]["value"].as_str())
            .unwrap_or("");
        let description = e["descriptions"][&language]["value"]
            .as_str()
            .or_else(|| e["descriptions"]["en"]["value"].as_str())
            .unwrap_or("");
        let num: u64 = id[1..].parse().unwrap_or(0);
        hits.push(json!({
            "id": id,
            "title": id,
            "pageid": num,
            "concepturi": format!("http://www.wikidata.org/entity/{id}"),
            "repository": "wikidata",
            "url": format!("//www.wikidata.org/wiki/{id}"),
            "display": {
                "label": {"value": label, "language": language},
                "description": {"value": description, "language": language}
            },
            "label": label,
            "description": description,
            "match": {"type": "label", "language": lang, "text": matched_text}
        }));
    }
    hits.truncate(limit);
    Response::json(&json!({
        "searchinfo": {"search": text},
        "search": hits,
        "success": 1
    }))
}

fn get(entities: &[Value], req: &Request) -> Response {
    let ids = req.param("ids").unwrap_or_default();
    let languages: Vec<String> = req
        .param("languages")
        .unwrap_or_default()
        .split('|')
        .map(str::to_owned)
        .collect();
    let props = req.param("props").unwrap_or_default();
    let mut out = serde_json::Map::new();
    for id in ids.split('|') {
        match entities.iter().find(|e| e["id"] == id) {
            Some(e) => {
                let mut e = e.clone();
                let obj = e.as_object_mut().unwrap();
                obj.remove("sitelinks");
                for field in ["labels", "descriptions", "aliases"] {
                    if !props.split('|').any(|p| p == field) {
                        obj.remove(field);
                    } else if let Some(m) = obj.get_mut(field).and_then(|m| m.as_object_mut()) {
                        m.retain(|lang, _| languages.contains(lang));
                    }
                }
                out.insert(id.to_owned(), e);
            }
            None => {
                out.insert(id.to_owned(), json!({"id": id, "missing": ""}));
            }
        }
    }
    Response::json(&json!({"entities": out, "success": 1}))
}

/// JSON as Python's `json.dumps` writes it by default: `", "` between items and `": "` after
/// keys (and non-ASCII escaped as `\uXXXX`).
pub fn python_json(v: &Value) -> String {
    fn string(s: &str, out: &mut String) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 || !c.is_ascii() => {
                    let mut buf = [0u16; 2];
                    for unit in c.encode_utf16(&mut buf) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    string(k, out);
                    out.push_str(": ");
                    write(v, out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write(v, out);
                }
                out.push(']');
            }
            Value::String(s) => string(s, out),
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(v, &mut out);
    out
}

/// Writes `entities` as a dump in the official layout (`[`, one entity a line with a trailing
/// comma but the last, `]`), each line written by `line`.
pub fn write_dump(path: &std::path::Path, entities: &[Value], line: impl Fn(&Value) -> String) {
    let mut text = String::from("[\n");
    for (i, e) in entities.iter().enumerate() {
        text.push_str(&line(e));
        if i + 1 < entities.len() {
            text.push(',');
        }
        text.push('\n');
    }
    text.push_str("]\n");
    std::fs::write(path, text).expect("dump written");
}
