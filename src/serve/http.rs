//! The HTTP layer of `factgraph serve`: requests and responses as plain values (so the
//! protocol and the pages are functions a test can call without a socket), URL and form
//! decoding, content negotiation, and the server, with bounded resources.
//!
//! # The server
//!
//! [`HttpServer`] runs [hyper](https://hyper.rs) (HTTP/1.1) on a small tokio runtime: a
//! connection is a task, not a thread, so hundreds of idle or hostile clients cost memory,
//! not threads. Bounds ([`HttpLimits`]):
//!
//! - at most `max_connections` connections at once; one more is answered `503 Service
//!   Unavailable` (with `Retry-After`) and closed;
//! - the request head must arrive whole within `header_timeout` (also the keep-alive idle
//!   time), else the connection is closed; at most `max_header_bytes` of it (431);
//! - the body must arrive within `body_timeout` (408) and hold at most `max_body_bytes`
//!   (413);
//! - a response the client does not read for `write_timeout` closes the connection;
//! - the handlers (blocking: store reads, query evaluation) run on at most `workers`
//!   threads; the runtime itself has two.
//!
//! Why hyper and not the alternatives: tiny_http (used before) spawns a thread per
//! connection without limit and has no read timeout; oxhttp (Oxigraph's server) has
//! `with_max_concurrent_connections` and `with_global_timeout`, but it is also a thread per
//! connection, and when full its accept loop waits for a free slot, so 400 silent clients
//! queue every new request behind them instead of getting a 503, and its timeout applies to
//! each read, not to the whole request head (a client sending a byte every few seconds stays
//! forever). hyper gives a deadline on the whole head, a header size limit, and keeps
//! connections off threads; the connection cap and the 503 are ours, a few lines below.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};

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

/// Bounds on connections and requests (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// Connections open at once; one more gets 503 and is closed.
    pub max_connections: usize,
    /// Time for a whole request head to arrive; also how long an idle keep-alive connection
    /// stays open.
    pub header_timeout: Duration,
    /// Time for a whole request body to arrive (408 after it).
    pub body_timeout: Duration,
    /// Time a response may wait for the client to read it before the connection is closed.
    pub write_timeout: Duration,
    /// The largest request head (request line and headers), in bytes (431 above it).
    pub max_header_bytes: usize,
    /// The largest request body, in bytes (413 above it).
    pub max_body_bytes: u64,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            max_header_bytes: 64 << 10,
            max_body_bytes: MAX_BODY,
        }
    }
}

/// Connections being refused at once (each gets its 503 within two seconds); past this,
/// excess connections are closed without an answer.
const MAX_REFUSING: usize = 64;

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
    /// The server's runtime could not start.
    #[error("cannot start the server: {0}")]
    Runtime(#[source] io::Error),
}

/// A bound HTTP server, not yet answering.
pub struct HttpServer {
    listeners: Vec<std::net::TcpListener>,
    addr: SocketAddr,
    limits: HttpLimits,
    stop: StopHandle,
}

/// Stops a running [`HttpServer`] from another thread.
#[derive(Clone)]
pub struct StopHandle {
    stop: Arc<watch::Sender<bool>>,
}

impl StopHandle {
    /// Makes [`HttpServer::run`] stop accepting connections and return.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }
}

impl HttpServer {
    /// Binds `addr` (`127.0.0.1:7878`, `localhost:0`, `[::1]:7878` …). A host name is
    /// resolved and every address it names is bound (IPv4 first), on the same port; those
    /// that cannot be bound are skipped as long as one can.
    pub fn bind(addr: &str, limits: HttpLimits) -> Result<Self, HttpError> {
        let bind_error = |message: String| HttpError::Bind {
            addr: addr.to_owned(),
            message,
        };
        let mut addrs: Vec<SocketAddr> = addr
            .to_socket_addrs()
            .map_err(|e| bind_error(e.to_string()))?
            .collect();
        addrs.sort_by_key(SocketAddr::is_ipv6);
        addrs.dedup();
        let mut listeners = Vec::new();
        let mut first_error = None;
        let mut port = None;
        for mut a in addrs {
            if let Some(p) = port {
                a.set_port(p);
            }
            match std::net::TcpListener::bind(a).and_then(|l| {
                l.set_nonblocking(true)?;
                let local = l.local_addr()?;
                Ok((l, local))
            }) {
                Ok((l, local)) => {
                    port.get_or_insert(local.port());
                    listeners.push((l, local));
                }
                Err(e) => {
                    first_error.get_or_insert(e.to_string());
                }
            }
        }
        let Some(local) = listeners.first().map(|(_, a)| *a) else {
            return Err(bind_error(
                first_error.unwrap_or_else(|| "the name resolves to no address".into()),
            ));
        };
        Ok(HttpServer {
            listeners: listeners.into_iter().map(|(l, _)| l).collect(),
            addr: local,
            limits,
            stop: StopHandle {
                stop: Arc::new(watch::channel(false).0),
            },
        })
    }

    /// The address actually bound (the port chosen when 0 was asked for); with several
    /// addresses, the first (IPv4 before IPv6).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle that stops [`HttpServer::run`].
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Answers requests with `handler`, on at most `workers` threads at once (at least one),
    /// until stopped.
    pub fn run<H>(self, workers: usize, handler: H) -> Result<(), HttpError>
    where
        H: Fn(&Request) -> Response + Send + Sync + 'static,
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .max_blocking_threads(workers.max(1))
            .thread_name("factgraph-serve")
            .enable_all()
            .build()
            .map_err(HttpError::Runtime)?;
        let shared = Arc::new(Shared {
            handler: Box::new(handler),
            limits: self.limits,
            slots: Arc::new(Semaphore::new(self.limits.max_connections.max(1))),
            refusing: Arc::new(Semaphore::new(MAX_REFUSING)),
        });
        let stop = self.stop.stop.subscribe();
        let result = runtime.block_on(async move {
            let mut loops = Vec::new();
            for listener in self.listeners {
                let listener = TcpListener::from_std(listener).map_err(HttpError::Runtime)?;
                loops.push(tokio::spawn(accept_loop(
                    listener,
                    Arc::clone(&shared),
                    stop.clone(),
                )));
            }
            for l in loops {
                let _ = l.await;
            }
            Ok(())
        });
        runtime.shutdown_timeout(Duration::from_secs(1));
        result
    }
}

/// What every connection task shares.
struct Shared {
    handler: Box<dyn Fn(&Request) -> Response + Send + Sync>,
    limits: HttpLimits,
    /// One permit per open connection.
    slots: Arc<Semaphore>,
    /// One permit per connection being refused.
    refusing: Arc<Semaphore>,
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            _ = stop.wait_for(|stopped| *stopped) => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors, or a connection reset before it was accepted:
                // wait a little rather than spin.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        match Arc::clone(&shared.slots).try_acquire_owned() {
            Ok(slot) => {
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    serve_connection(stream, &shared).await;
                    drop(slot);
                });
            }
            Err(_) => {
                if let Ok(permit) = Arc::clone(&shared.refusing).try_acquire_owned() {
                    tokio::spawn(async move {
                        refuse(stream).await;
                        drop(permit);
                    });
                }
            }
        }
    }
}

/// Answers 503 to a connection over the limit, without reading its request.
async fn refuse(mut stream: TcpStream) {
    let body = "factgraph serve: too many connections at once; try again in a moment\n";
    let message = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        stream.write_all(message.as_bytes()).await?;
        stream.shutdown().await?;
        // Read what the client sends until it closes, so that closing does not reset the
        // connection before the client has read the answer.
        let mut buf = [0u8; 4096];
        while stream.read(&mut buf).await? > 0 {}
        Ok::<_, io::Error>(())
    })
    .await;
}

async fn serve_connection(stream: TcpStream, shared: &Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(WriteDeadline::new(stream, shared.limits.write_timeout));
    let service_shared = Arc::clone(shared);
    let service = hyper::service::service_fn(move |request| {
        let shared = Arc::clone(&service_shared);
        async move { Ok::<_, Infallible>(answer(request, &shared).await) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(shared.limits.header_timeout)
        .max_header_size(shared.limits.max_header_bytes.max(1024));
    // Errors are the client's (gone, too slow, malformed): hyper has answered what it could.
    let _ = builder.serve_connection(io, service).await;
}

/// Reads the body of a hyper request, runs the handler on a blocking thread and converts the
/// response.
async fn answer(
    request: hyper::Request<Incoming>,
    shared: &Arc<Shared>,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let limits = &shared.limits;
    let collected = tokio::time::timeout(
        limits.body_timeout,
        Limited::new(
            body,
            usize::try_from(limits.max_body_bytes).unwrap_or(usize::MAX),
        )
        .collect(),
    )
    .await;
    let body = match collected {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return closing(Response::text(
                413,
                format!(
                    "the request body is larger than {} bytes",
                    limits.max_body_bytes
                ),
            ))
        }
        Ok(Err(e)) => {
            return closing(Response::text(
                400,
                format!("cannot read the request body: {e}"),
            ))
        }
        Err(_) => {
            return closing(Response::text(
                408,
                format!(
                    "the request body did not arrive within {} s",
                    limits.body_timeout.as_secs_f64()
                ),
            ))
        }
    };
    let target = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let request = Request {
        method: parts.method.as_str().to_ascii_uppercase(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    };
    let handler_shared = Arc::clone(shared);
    let response = tokio::task::spawn_blocking(move || (handler_shared.handler)(&request))
        .await
        .unwrap_or_else(|_| Response::text(500, "the request handler failed"));
    to_hyper(response)
}

/// A response after which the connection is closed (the rest of the request is not read).
fn closing(response: Response) -> hyper::Response<Full<Bytes>> {
    to_hyper(response.with_header("Connection", "close"))
}

fn to_hyper(response: Response) -> hyper::Response<Full<Bytes>> {
    let mut out = hyper::Response::new(Full::new(Bytes::from(response.body)));
    *out.status_mut() = hyper::StatusCode::from_u16(response.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in &response.headers {
        if let (Ok(n), Ok(v)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(value),
        ) {
            out.headers_mut().append(n, v);
        }
    }
    out
}

/// A TCP stream whose writes fail with `TimedOut` when the peer reads nothing for a while
/// (so a client that stops reading its response cannot hold a connection forever).
struct WriteDeadline {
    stream: TcpStream,
    timeout: Duration,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl WriteDeadline {
    fn new(stream: TcpStream, timeout: Duration) -> Self {
        WriteDeadline {
            stream,
            timeout,
            stalled: None,
        }
    }

    /// After a write that made no progress: fails once the stall has lasted `timeout`.
    fn pending<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let timeout = self.timeout;
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        if stalled.as_mut().poll(cx).is_ready() {
            self.stalled = None;
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client did not read the response",
            )));
        }
        Poll::Pending
    }
}

impl AsyncRead for WriteDeadline {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for WriteDeadline {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_write(cx, buf) {
            Poll::Pending => this.pending(cx),
            ready => {
                this.stalled = None;
                ready
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_flush(cx) {
            Poll::Pending => this.pending(cx),
            ready => {
                this.stalled = None;
                ready
            }
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
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
