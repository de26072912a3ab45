//! The HTTP layer of `factgraph serve`: requests and responses as plain values (so the
//! protocol and the pages are functions a test can call without a socket), URL and form
//! decoding, content negotiation, and a tiny_http server served by a fixed pool of workers.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// The largest request body read (a query or a form); larger ones get 413.
pub const MAX_BODY: u64 = 4 << 20;

/// An HTTP request, body read whole.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The method, upper-case (`GET`, `POST` …).
    pub method: String,
    /// The path, still percent-encoded (`/entity`).
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// Headers, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// A request for `target` (`/path?query`) with `method`, no headers and no body.
    pub fn new(method: &str, target: &str) -> Self {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Request {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header (builder style).
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// Sets the body (builder style).
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The media type of the body, lower-case, without parameters.
    pub fn content_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// The decoded parameters of the query string, in order.
    pub fn params(&self) -> Vec<(String, String)> {
        parse_form(&self.query)
    }

    /// The first value of query-string parameter `name`.
    pub fn param(&self, name: &str) -> Option<String> {
        self.params()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

/// An HTTP response.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers (names as written).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with a `Content-Type`.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: body.into(),
        }
    }

    /// A plain-text response (errors of the protocol endpoint).
    pub fn text(status: u16, message: impl Into<String>) -> Self {
        let mut message = message.into();
        if !message.ends_with('\n') {
            message.push('\n');
        }
        Self::new(status, "text/plain; charset=utf-8", message)
    }

    /// An HTML page.
    pub fn html(status: u16, page: String) -> Self {
        Self::new(status, "text/html; charset=utf-8", page)
    }

    /// A response without a body.
    pub fn empty(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header (builder style).
    #[must_use]
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Decodes `application/x-www-form-urlencoded` text (also a URL's query string).
pub fn parse_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_component(name), decode_component(value))
        })
        .collect()
}

/// Decodes one form component: `+` is a space, `%XX` a byte; invalid UTF-8 becomes U+FFFD.
pub fn decode_component(s: &str) -> String {
    let spaced = s.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

/// Characters left as they are in a URL component: RFC 3986 unreserved.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `s` for use as one query-string value or path segment.
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// One media range of an `Accept` header.
#[derive(Debug, Clone, PartialEq)]
struct MediaRange {
    kind: String,
    subtype: String,
    q: f32,
}

fn parse_accept(accept: &str) -> Vec<MediaRange> {
    accept
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let media = parts.next()?.trim().to_ascii_lowercase();
            let (kind, subtype) = media.split_once('/')?;
            let mut q = 1.0;
            for p in parts {
                if let Some((name, value)) = p.split_once('=') {
                    if name.trim().eq_ignore_ascii_case("q") {
                        q = value.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0);
                    }
                }
            }
            Some(MediaRange {
                kind: kind.trim().to_owned(),
                subtype: subtype.trim().to_owned(),
                q,
            })
        })
        .collect()
}

/// Picks what to send from `offers` (media type, value), listed in the server's order of
/// preference, for an `Accept` header: the offer with the highest quality, where the quality
/// of an offer is that of the most specific range matching it. No header (or an empty one)
/// accepts the first offer; `None` when nothing offered is acceptable (406).
pub fn negotiate<T: Copy>(accept: Option<&str>, offers: &[(&str, T)]) -> Option<T> {
    let ranges = match accept.map(str::trim) {
        None | Some("") => return offers.first().map(|(_, v)| *v),
        Some(a) => parse_accept(a),
    };
    let mut best: Option<(f32, T)> = None;
    for (media, value) in offers {
        let Some((kind, subtype)) = media.split_once('/') else {
            continue;
        };
        let mut quality: Option<(u8, f32)> = None;
        for r in &ranges {
            let specificity = if r.kind == kind && r.subtype == subtype {
                2
            } else if r.kind == kind && r.subtype == "*" {
                1
            } else if r.kind == "*" && r.subtype == "*" {
                0
            } else {
                continue;
            };
            if quality.is_none_or(|(s, _)| specificity > s) {
                quality = Some((specificity, r.q));
            }
        }
        if let Some((_, q)) = quality {
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, *value));
            }
        }
    }
    best.map(|(_, v)| v)
}

/// Errors of the HTTP layer.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The address does not resolve or cannot be bound.
    #[error("cannot listen on {addr}: {message}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// Why.
        message: String,
    },
}

/// A bound HTTP server, not yet answering.
pub struct HttpServer {
    server: Arc<tiny_http::Server>,
    addr: SocketAddr,
}

/// Stops a running [`HttpServer`] from another thread.
#[derive(Clone)]
pub struct StopHandle {
    server: Arc<tiny_http::Server>,
    stopped: Arc<AtomicBool>,
    workers: usize,
}

impl StopHandle {
    /// Makes every worker return after the request it is answering.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        for _ in 0..self.workers {
            self.server.unblock();
        }
    }
}

impl HttpServer {
    /// Binds `addr` (`127.0.0.1:7878`, `localhost:0` …).
    pub fn bind(addr: &str) -> Result<Self, HttpError> {
        let bind_error = |message: String| HttpError::Bind {
            addr: addr.to_owned(),
            message,
        };
        let addrs: Vec<SocketAddr> = addr
            .to_socket_addrs()
            .map_err(|e| bind_error(e.to_string()))?
            .collect();
        let listener = TcpListener::bind(&addrs[..]).map_err(|e| bind_error(e.to_string()))?;
        let local = listener
            .local_addr()
            .map_err(|e| bind_error(e.to_string()))?;
        let server = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| bind_error(e.to_string()))?;
        Ok(HttpServer {
            server: Arc::new(server),
            addr: local,
        })
    }

    /// The address actually bound (the port chosen when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle that stops [`HttpServer::run`] with `workers` workers.
    pub fn stop_handle(&self, workers: usize) -> StopHandle {
        StopHandle {
            server: Arc::clone(&self.server),
            stopped: Arc::new(AtomicBool::new(false)),
            workers,
        }
    }

    /// Answers requests with `handler` on `workers` threads (at least one) until `stop` is
    /// used. Each worker takes the next request from the connections tiny_http reads, so at
    /// most `workers` requests are evaluated at once and the others wait their turn.
    pub fn run<H>(self, workers: usize, handler: H, stop: &StopHandle)
    where
        H: Fn(&Request) -> Response + Send + Sync + 'static,
    {
        let handler = Arc::new(handler);
        let threads: Vec<_> = (0..workers.max(1))
            .map(|i| {
                let server = Arc::clone(&self.server);
                let handler = Arc::clone(&handler);
                let stopped = Arc::clone(&stop.stopped);
                thread::Builder::new()
                    .name(format!("factgraph-serve-{i}"))
                    .spawn(move || loop {
                        match server.recv() {
                            Ok(request) => answer(request, &*handler),
                            Err(_) if stopped.load(Ordering::SeqCst) => break,
                            Err(_) => {}
                        }
                    })
            })
            .collect();
        for t in threads.into_iter().flatten() {
            let _ = t.join();
        }
    }
}

/// Reads a tiny_http request, runs `handler` and writes the response.
fn answer(mut request: tiny_http::Request, handler: &dyn Fn(&Request) -> Response) {
    let (path, query) = request
        .url()
        .split_once('?')
        .map(|(p, q)| (p.to_owned(), q.to_owned()))
        .unwrap_or_else(|| (request.url().to_owned(), String::new()));
    let headers = request
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_ascii_lowercase(),
                h.value.as_str().to_owned(),
            )
        })
        .collect();
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body);
    let response = match read {
        Err(e) => Response::text(400, format!("cannot read the request body: {e}")),
        Ok(_) if body.len() as u64 > MAX_BODY => Response::text(
            413,
            format!("the request body is larger than {MAX_BODY} bytes"),
        ),
        Ok(_) => {
            let req = Request {
                method: request.method().as_str().to_ascii_uppercase(),
                path,
                query,
                headers,
                body,
            };
            handler(&req)
        }
    };
    let mut out = tiny_http::Response::from_data(response.body).with_status_code(response.status);
    for (name, value) in &response.headers {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            out.add_header(h);
        }
    }
    // The client may have gone; nothing to tell it then.
    let _ = request.respond(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_plus_and_percent() {
        assert_eq!(
            parse_form("query=SELECT+%3Fs%0A&x=%C3%A9&empty=&flag"),
            vec![
                ("query".to_owned(), "SELECT ?s\n".to_owned()),
                ("x".to_owned(), "é".to_owned()),
                ("empty".to_owned(), String::new()),
                ("flag".to_owned(), String::new()),
            ]
        );
        let iri = "https://w3id.org/factgraph/id/org/inetum?a=b&c";
        assert_eq!(decode_component(&encode_component(iri)), iri);
        assert_eq!(encode_component("a b/é"), "a%20b%2F%C3%A9");
    }

    #[test]
    fn negotiation_follows_quality_and_specificity() {
        let offers = [("application/json", 1), ("text/csv", 2), ("text/xml", 3)];
        assert_eq!(negotiate(None, &offers), Some(1));
        assert_eq!(negotiate(Some("text/csv"), &offers), Some(2));
        assert_eq!(
            negotiate(Some("text/*;q=0.5, application/json;q=0.4"), &offers),
            Some(2)
        );
        assert_eq!(negotiate(Some("*/*;q=0.1, text/xml"), &offers), Some(3));
        assert_eq!(negotiate(Some("*/*, text/csv;q=0"), &offers), Some(1));
        assert_eq!(negotiate(Some("image/png"), &offers), None);
        assert_eq!(
            negotiate(
                Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
                &offers
            ),
            Some(1)
        );
    }
}
