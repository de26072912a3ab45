//! `factgraph push`: sends the store's graphs to a remote triple store through the SPARQL 1.1
//! Graph Store HTTP Protocol, so a graph that outgrows one machine can live in a clustered
//! store (GraphDB, Virtuoso, Neptune, Fuseki, Oxigraph server …).
//!
//! Each graph is sent as N-Triples: the first chunk with `PUT` (which replaces the remote
//! graph), the following chunks with `POST` (which adds to it). Triples that share a blank
//! node always travel in the same chunk, since a blank node means a different node in each
//! request. Requests that fail for a passing reason (connection refused or reset, timeouts,
//! 408, 429, 5xx) are retried with exponential backoff; other answers stop the push with the
//! server's message. Remote graphs the store does not have are left alone.
//!
//! Credentials go as HTTP Basic (sent with every request), or as HTTP Digest
//! ([`crate::digest_auth`]): the challenge is fetched once with an empty `POST` (which adds
//! nothing), then answered on each request with the next nonce count; a new challenge (a stale
//! nonce) is answered again without counting a retry. Virtuoso's `/sparql-graph-crud-auth`
//! takes only Digest.

use std::collections::HashMap;
use std::io;
use std::thread;
use std::time::Duration;

use base64::Engine;

use crate::digest_auth::{self, Challenge, DigestError};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNode, NamedOrBlankNode, Quad, Term, Triple};
use oxigraph::store::{StorageError, Store};

/// Triples a chunk holds by default (about 10–20 MB of N-Triples).
pub const DEFAULT_CHUNK: usize = 100_000;

/// Where the store's triples go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Each graph of the store to the remote graph of the same name (the default graph to
    /// the remote default graph).
    Mirror,
    /// Every triple of the store, whatever its graph, into this remote graph.
    Graph(NamedNode),
    /// Every triple of the store into the remote default graph.
    Default,
}

/// How credentials are sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuthScheme {
    /// HTTP Basic, with every request.
    #[default]
    Basic,
    /// HTTP Digest (RFC 7616), answering the server's challenge.
    Digest,
}

/// How to push.
pub struct PushOptions<'a> {
    /// The Graph Store Protocol endpoint (`http://host:7878/store`); `?graph=` or `?default`
    /// is appended.
    pub endpoint: String,
    /// Where the triples go.
    pub target: Target,
    /// With [`Target::Mirror`], the remote named graph that receives the store's default
    /// graph, for endpoints that have no default graph (Virtuoso's); `None`: the remote
    /// default graph (`?default`).
    pub default_graph_to: Option<NamedNode>,
    /// Credentials (user, password).
    pub auth: Option<(String, String)>,
    /// How the credentials are sent.
    pub auth_scheme: AuthScheme,
    /// Triples per request.
    pub chunk_triples: usize,
    /// Retries of a failed request.
    pub retries: u32,
    /// Wait before the first retry; doubled at each further one.
    pub backoff: Duration,
    /// Timeout of one request.
    pub timeout: Duration,
    /// Called with the number of triples sent so far.
    pub progress: Option<&'a dyn Fn(u64)>,
}

impl Default for PushOptions<'_> {
    fn default() -> Self {
        PushOptions {
            endpoint: String::new(),
            target: Target::Mirror,
            default_graph_to: None,
            auth: None,
            auth_scheme: AuthScheme::Basic,
            chunk_triples: DEFAULT_CHUNK,
            retries: 5,
            backoff: Duration::from_millis(500),
            timeout: Duration::from_secs(300),
            progress: None,
        }
    }
}

/// What a push did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushSummary {
    /// Remote graphs written.
    pub graphs: usize,
    /// Triples sent.
    pub triples: u64,
    /// Requests that succeeded.
    pub requests: u64,
    /// Requests sent again after a passing failure.
    pub retries: u64,
    /// Named graphs of the store left out because their name is a blank node, which the
    /// protocol cannot address.
    pub skipped_graphs: usize,
}

/// Errors of a push.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The endpoint is not an http(s) URL.
    #[error("the endpoint `{0}` is not an http:// or https:// URL")]
    Endpoint(String),
    /// The server refused a request.
    #[error("{method} {url} answered HTTP {status}: {body}")]
    Status {
        /// PUT or POST.
        method: &'static str,
        /// The graph's URL.
        url: String,
        /// The status.
        status: u16,
        /// The start of the server's answer.
        body: String,
    },
    /// The request could not be sent, even after retries.
    #[error("{method} {url} failed after {attempts} attempts: {message}")]
    Transport {
        /// PUT or POST.
        method: &'static str,
        /// The graph's URL.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last error.
        message: String,
    },
    /// The server asked for Digest credentials and refused them, or its challenge cannot be
    /// answered.
    #[error("{url}: Digest authentication failed: {message}")]
    Digest {
        /// The graph's URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// Reading the store failed.
    #[error("reading the store failed: {0}")]
    Storage(#[from] StorageError),
    /// Writing N-Triples failed.
    #[error("writing N-Triples failed: {0}")]
    Io(#[from] io::Error),
}

/// The URL of a remote graph: `ENDPOINT?graph=IRI`, or `ENDPOINT?default`.
pub fn graph_url(endpoint: &str, graph: Option<&NamedNode>) -> String {
    let sep = if endpoint.contains('?') { '&' } else { '?' };
    match graph {
        Some(g) => format!(
            "{endpoint}{sep}graph={}",
            percent_encoding::utf8_percent_encode(g.as_str(), percent_encoding::NON_ALPHANUMERIC)
        ),
        None => format!("{endpoint}{sep}default"),
    }
}

/// Sends requests, retrying passing failures.
struct Client<'a> {
    agent: ureq::Agent,
    /// The Basic `Authorization` header.
    authorization: Option<String>,
    /// The Digest challenge being answered, once the server gave one.
    challenge: Option<Challenge>,
    /// Whether the server was asked for a challenge (it may need none).
    probed: bool,
    options: &'a PushOptions<'a>,
    summary: PushSummary,
}

/// The Digest challenge of a response: `None` when it has none, an error when it has one
/// this client cannot answer.
fn digest_challenge(
    response: &ureq::http::Response<ureq::Body>,
) -> Option<Result<Challenge, DigestError>> {
    let mut unanswerable = None;
    for value in response.headers().get_all("www-authenticate") {
        let Ok(value) = value.to_str() else { continue };
        match Challenge::parse(value) {
            Ok(c) => return Some(Ok(c)),
            Err(DigestError::NoChallenge(_)) => {}
            Err(e) => unanswerable = Some(Err(e)),
        }
    }
    unanswerable
}

/// The start of a response's body, for messages.
fn body_text(response: &mut ureq::http::Response<ureq::Body>) -> String {
    let text: String = response
        .body_mut()
        .read_to_string()
        .unwrap_or_default()
        .chars()
        .take(500)
        .collect();
    text.trim().to_owned()
}

fn retryable(status: u16) -> bool {
    matches!(status, 408 | 425 | 429 | 500 | 502 | 503 | 504)
}

impl Client<'_> {
    /// Asks the server for a Digest challenge with an empty `POST` (which adds nothing).
    /// `Ok(None)` when the server takes the request without credentials.
    fn fetch_challenge(&mut self, url: &str) -> Result<Option<Challenge>, PushError> {
        let mut response =
            self.request("POST", url, None, &[])
                .map_err(|e| PushError::Transport {
                    method: "POST",
                    url: url.to_owned(),
                    attempts: 1,
                    message: format!("asking for a Digest challenge: {e}"),
                })?;
        let status = response.status().as_u16();
        let challenge = digest_challenge(&response);
        // Read the (short) answer so that the connection can be used again.
        let text = body_text(&mut response);
        match (status, challenge) {
            (200..=299, _) => Ok(None),
            (_, Some(Ok(c))) => Ok(Some(c)),
            (_, Some(Err(e))) => Err(PushError::Digest {
                url: url.to_owned(),
                message: e.to_string(),
            }),
            (401, None) => Err(PushError::Digest {
                url: url.to_owned(),
                message: "the server answered HTTP 401 without a Digest challenge".to_owned(),
            }),
            (status, None) => Err(PushError::Status {
                method: "POST",
                url: url.to_owned(),
                status,
                body: text,
            }),
        }
    }

    /// Whether the server answers a request without credentials with a Digest challenge
    /// (servers such as Virtuoso send none when refusing Basic credentials).
    fn asks_for_digest(&self, url: &str) -> bool {
        self.request("POST", url, None, &[]).is_ok_and(|mut r| {
            let _ = body_text(&mut r);
            r.status().as_u16() == 401 && digest_challenge(&r).is_some()
        })
    }

    /// The `Authorization` header of the next request to `url`, if any.
    fn authorization(&mut self, method: &str, url: &str) -> Result<Option<String>, PushError> {
        if self.options.auth_scheme == AuthScheme::Basic {
            return Ok(self.authorization.clone());
        }
        let Some((user, password)) = &self.options.auth else {
            return Ok(None);
        };
        if !self.probed {
            self.challenge = self.fetch_challenge(url)?;
            self.probed = true;
        }
        Ok(self
            .challenge
            .as_mut()
            .map(|c| c.authorization(method, &digest_auth::request_target(url), user, password)))
    }

    /// One request, as it goes on the wire.
    fn request(
        &self,
        method: &str,
        url: &str,
        authorization: Option<String>,
        body: &[u8],
    ) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let request = match method {
            "PUT" => self.agent.put(url),
            _ => self.agent.post(url),
        }
        .header("Content-Type", "application/n-triples");
        match authorization {
            Some(auth) => request.header("Authorization", auth).send(body),
            None => request.send(body),
        }
    }

    fn send(&mut self, method: &'static str, url: &str, body: &[u8]) -> Result<(), PushError> {
        let mut attempt: u32 = 0;
        let mut answered_challenges = 0;
        loop {
            attempt += 1;
            let (passing, error) = match self.authorization(method, url) {
                // The challenge could not be fetched: a passing failure like any other.
                Err(PushError::Transport { message, .. }) => (
                    true,
                    PushError::Transport {
                        method: "POST",
                        url: url.to_owned(),
                        attempts: attempt,
                        message,
                    },
                ),
                Err(e) => return Err(e),
                Ok(authorization) => match self.request(method, url, authorization, body) {
                    Ok(mut response) => {
                        let status = response.status().as_u16();
                        if (200..300).contains(&status) {
                            self.summary.requests += 1;
                            return Ok(());
                        }
                        if status == 401 && self.options.auth_scheme == AuthScheme::Digest {
                            let fresh = digest_challenge(&response);
                            let text = body_text(&mut response);
                            // A new nonce (the first, or one replacing a stale one): answer it;
                            // a refusal of an answer to a fresh nonce means wrong credentials.
                            match fresh {
                                Some(Err(e)) => {
                                    return Err(PushError::Digest {
                                        url: url.to_owned(),
                                        message: e.to_string(),
                                    })
                                }
                                Some(Ok(c))
                                    if answered_challenges == 0
                                        || (c.stale && answered_challenges < 3) =>
                                {
                                    answered_challenges += 1;
                                    self.challenge = Some(c);
                                    attempt -= 1;
                                    continue;
                                }
                                _ => {
                                    return Err(PushError::Digest {
                                        url: url.to_owned(),
                                        message: format!(
                                            "the server refused the credentials (HTTP 401{})",
                                            if text.is_empty() {
                                                String::new()
                                            } else {
                                                format!(": {text}")
                                            }
                                        ),
                                    })
                                }
                            }
                        }
                        if status == 401
                            && self.options.auth_scheme == AuthScheme::Basic
                            && (digest_challenge(&response).is_some()
                                || (self.authorization.is_some() && self.asks_for_digest(url)))
                        {
                            return Err(PushError::Digest {
                            url: url.to_owned(),
                            message: "the server asks for Digest credentials: give --user, --password and --auth digest"
                                .to_owned(),
                        });
                        }
                        let text = body_text(&mut response);
                        (
                            retryable(status),
                            PushError::Status {
                                method,
                                url: url.to_owned(),
                                status,
                                body: text,
                            },
                        )
                    }
                    Err(e) => (
                        {
                            // The server may have closed the connection on a refused nonce before
                            // reading the body: ask for a fresh challenge on the next attempt.
                            self.challenge = None;
                            self.probed = false;
                            true
                        },
                        PushError::Transport {
                            method,
                            url: url.to_owned(),
                            attempts: attempt,
                            message: e.to_string(),
                        },
                    ),
                },
            };
            if !passing || attempt > self.options.retries {
                return Err(error);
            }
            self.summary.retries += 1;
            let factor = 1u32 << (attempt - 1).min(6);
            thread::sleep(
                self.options
                    .backoff
                    .saturating_mul(factor)
                    .min(Duration::from_secs(60)),
            );
        }
    }
}

/// Streams one remote graph out in chunks: PUT first, then POST.
struct Upload {
    url: String,
    serializer: Option<oxigraph::io::WriterQuadSerializer<Vec<u8>>>,
    count: usize,
    sent: bool,
}

impl Upload {
    fn new(url: String) -> Self {
        Upload {
            url,
            serializer: None,
            count: 0,
            sent: false,
        }
    }

    fn add(&mut self, triple: &Triple) -> io::Result<()> {
        let s = self.serializer.get_or_insert_with(|| {
            RdfSerializer::from_format(RdfFormat::NTriples).for_writer(Vec::new())
        });
        s.serialize_triple(triple)?;
        self.count += 1;
        Ok(())
    }

    /// Sends what is buffered (a PUT even when empty, if nothing was sent yet).
    fn flush(&mut self, client: &mut Client<'_>, sent_total: &mut u64) -> Result<(), PushError> {
        if self.count == 0 && self.sent {
            return Ok(());
        }
        let body = match self.serializer.take() {
            Some(s) => s.finish()?,
            None => Vec::new(),
        };
        let method = if self.sent { "POST" } else { "PUT" };
        client.send(method, &self.url, &body)?;
        self.sent = true;
        *sent_total += self.count as u64;
        client.summary.triples += self.count as u64;
        self.count = 0;
        if let Some(p) = client.options.progress {
            p(*sent_total);
        }
        Ok(())
    }
}

fn has_blank_node(t: &Triple) -> bool {
    matches!(t.subject, NamedOrBlankNode::BlankNode(_)) || matches!(t.object, Term::BlankNode(_))
}

/// Groups triples so that triples sharing a blank node (directly or through others) are in
/// one group.
fn blank_node_groups(triples: Vec<Triple>) -> Vec<Vec<Triple>> {
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    let mut id = |b: &str, parent: &mut Vec<usize>| -> usize {
        *ids.entry(b.to_owned()).or_insert_with(|| {
            parent.push(parent.len());
            parent.len() - 1
        })
    };
    let mut first_node = Vec::with_capacity(triples.len());
    for t in &triples {
        let s = match &t.subject {
            NamedOrBlankNode::BlankNode(b) => Some(id(b.as_str(), &mut parent)),
            _ => None,
        };
        let o = match &t.object {
            Term::BlankNode(b) => Some(id(b.as_str(), &mut parent)),
            _ => None,
        };
        if let (Some(s), Some(o)) = (s, o) {
            let (rs, ro) = (find(&mut parent, s), find(&mut parent, o));
            if rs != ro {
                parent[rs] = ro;
            }
        }
        first_node.push(s.or(o).unwrap_or(0));
    }
    let mut groups: HashMap<usize, Vec<Triple>> = HashMap::new();
    let mut order = Vec::new();
    for (t, n) in triples.into_iter().zip(first_node) {
        let root = find(&mut parent, n);
        groups
            .entry(root)
            .or_insert_with(|| {
                order.push(root);
                Vec::new()
            })
            .push(t);
    }
    order
        .into_iter()
        .filter_map(|r| groups.remove(&r))
        .collect()
}

/// Sends `quads` (read lazily) to one remote graph.
fn push_graph(
    client: &mut Client<'_>,
    url: String,
    quads: impl Iterator<Item = Result<Quad, StorageError>>,
    sent_total: &mut u64,
) -> Result<(), PushError> {
    let chunk = client.options.chunk_triples.max(1);
    let mut upload = Upload::new(url);
    let mut with_blank_nodes = Vec::new();
    for q in quads {
        let t = Triple::from(q?);
        if has_blank_node(&t) {
            with_blank_nodes.push(t);
            continue;
        }
        upload.add(&t)?;
        if upload.count >= chunk {
            upload.flush(client, sent_total)?;
        }
    }
    for group in blank_node_groups(with_blank_nodes) {
        if upload.count > 0 && upload.count + group.len() > chunk {
            upload.flush(client, sent_total)?;
        }
        for t in &group {
            upload.add(t)?;
        }
    }
    upload.flush(client, sent_total)?;
    client.summary.graphs += 1;
    Ok(())
}

/// Pushes the graphs of `store` as `options` say.
pub fn push(store: &Store, options: &PushOptions<'_>) -> Result<PushSummary, PushError> {
    let endpoint = options.endpoint.trim();
    if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
        return Err(PushError::Endpoint(endpoint.to_owned()));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .user_agent(concat!("factgraph/", env!("CARGO_PKG_VERSION")))
        .http_status_as_error(false)
        .timeout_global(Some(options.timeout))
        .build()
        .into();
    let authorization = options.auth.as_ref().map(|(user, password)| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )
    });
    let mut client = Client {
        agent,
        authorization,
        challenge: None,
        probed: false,
        options,
        summary: PushSummary::default(),
    };
    let mut sent = 0u64;
    match &options.target {
        Target::Mirror => {
            let default = GraphNameRef::DefaultGraph;
            if store
                .quads_for_pattern(None, None, None, Some(default))
                .next()
                .is_some()
            {
                push_graph(
                    &mut client,
                    graph_url(endpoint, options.default_graph_to.as_ref()),
                    store.quads_for_pattern(None, None, None, Some(default)),
                    &mut sent,
                )?;
            }
            let graphs: Vec<NamedOrBlankNode> = store.named_graphs().collect::<Result<_, _>>()?;
            for g in graphs {
                let NamedOrBlankNode::NamedNode(name) = &g else {
                    client.summary.skipped_graphs += 1;
                    continue;
                };
                push_graph(
                    &mut client,
                    graph_url(endpoint, Some(name)),
                    store.quads_for_pattern(None, None, None, Some(g.as_ref().into())),
                    &mut sent,
                )?;
            }
        }
        Target::Graph(g) => push_graph(
            &mut client,
            graph_url(endpoint, Some(g)),
            store.iter(),
            &mut sent,
        )?,
        Target::Default => push_graph(
            &mut client,
            graph_url(endpoint, None),
            store.iter(),
            &mut sent,
        )?,
    }
    Ok(client.summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{BlankNode, Literal};

    #[test]
    fn graph_urls_are_encoded() {
        let g = NamedNode::new_unchecked("https://w3id.org/factgraph/graph/wikidata?x=1");
        assert_eq!(
            graph_url("http://127.0.0.1:7878/store", Some(&g)),
            "http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id%2Eorg%2Ffactgraph%2Fgraph%2Fwikidata%3Fx%3D1"
        );
        assert_eq!(
            graph_url("http://h/ds?x=y", None),
            "http://h/ds?x=y&default"
        );
    }

    #[test]
    fn triples_sharing_blank_nodes_stay_together() {
        let p = NamedNode::new_unchecked("http://example.org/p");
        let a = BlankNode::new_unchecked("a");
        let b = BlankNode::new_unchecked("b");
        let c = BlankNode::new_unchecked("c");
        let x = NamedNode::new_unchecked("http://example.org/x");
        let triples = vec![
            Triple::new(a.clone(), p.clone(), Literal::from(1)),
            Triple::new(c.clone(), p.clone(), Literal::from(2)),
            Triple::new(x.clone(), p.clone(), b.clone()),
            Triple::new(b.clone(), p.clone(), a.clone()),
            Triple::new(c.clone(), p.clone(), Literal::from(3)),
        ];
        let groups = blank_node_groups(triples);
        let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![3, 2]);
    }
}
