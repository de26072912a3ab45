//! The SPARQL 1.1 Protocol at `/query`: query operations by GET, by POST of a form and by POST
//! of `application/sparql-query`; content negotiation of the results; updates refused (403);
//! a per-query timeout and a cap on results; and the SPARQL 1.1 Service Description when
//! `/query` is asked for without a query.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{
    CancellationToken, QueryEvaluationError, QueryResults, QuerySolution, Variable,
};
use oxigraph::store::Store;

use super::http::{negotiate, parse_form, Request, Response};
use super::{Limits, Shared};
use crate::query;

/// A query operation as the protocol carries it.
#[derive(Debug, Clone, Default)]
pub struct SparqlRequest {
    /// The query text.
    pub query: String,
    /// `default-graph-uri` parameters: the default graph is their merge.
    pub default_graphs: Vec<String>,
    /// `named-graph-uri` parameters: the named graphs the query may use.
    pub named_graphs: Vec<String>,
}

/// Why a query operation failed; each maps to an HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// The query does not parse (400); the message is the parser's, with line and column.
    #[error("SPARQL syntax error: {0}")]
    Syntax(String),
    /// The text is a SPARQL update (403).
    #[error("this endpoint is read-only: SPARQL updates are refused")]
    Update,
    /// A `default-graph-uri` or `named-graph-uri` is not an IRI (400).
    #[error("{param} is not an absolute IRI: {value}")]
    GraphIri {
        /// The parameter.
        param: &'static str,
        /// Its value.
        value: String,
    },
    /// The query ran longer than the timeout (503).
    #[error("the query did not finish within {} s; narrow it, or ask the server's operator for a longer --timeout", .0.as_secs_f64())]
    Timeout(Duration),
    /// Evaluation failed (500).
    #[error("query evaluation failed: {0}")]
    Evaluation(QueryEvaluationError),
    /// The query's thread could not be started or died (500).
    #[error("the query could not run: {0}")]
    Thread(String),
    /// As many queries as [`Limits::max_queries`] are being evaluated (503).
    #[error("the server is evaluating {0} queries already; try again in a moment")]
    Busy(usize),
}

impl ProtocolError {
    /// The HTTP status that reports this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::Syntax(_) | Self::GraphIri { .. } => 400,
            Self::Update => 403,
            Self::Timeout(_) | Self::Busy(_) => 503,
            Self::Evaluation(_) | Self::Thread(_) => 500,
        }
    }
}

/// The result of a query, held in memory (at most [`Limits::max_results`] rows or triples).
#[derive(Debug)]
pub enum Outcome {
    /// ASK.
    Boolean(bool),
    /// SELECT.
    Solutions {
        /// The projected variables.
        variables: Vec<Variable>,
        /// The rows.
        rows: Vec<QuerySolution>,
        /// True when rows were left out because of the cap.
        truncated: bool,
    },
    /// CONSTRUCT or DESCRIBE.
    Graph {
        /// The triples.
        triples: Vec<Triple>,
        /// True when triples were left out because of the cap.
        truncated: bool,
    },
}

impl Outcome {
    /// True when the cap on results cut this outcome short.
    pub fn truncated(&self) -> bool {
        match self {
            Outcome::Boolean(_) => false,
            Outcome::Solutions { truncated, .. } | Outcome::Graph { truncated, .. } => *truncated,
        }
    }
}

fn graph_names(param: &'static str, values: &[String]) -> Result<Vec<NamedNode>, ProtocolError> {
    values
        .iter()
        .map(|v| {
            NamedNode::new(v.as_str()).map_err(|_| ProtocolError::GraphIri {
                param,
                value: v.clone(),
            })
        })
        .collect()
}

/// Queries being evaluated in this process, those past their timeout included.
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// One query counted in [`RUNNING`] until dropped (by the thread evaluating it, when it
/// really stops).
struct Running;

impl Running {
    fn start(max: usize) -> Result<Self, ProtocolError> {
        RUNNING
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (max == 0 || n < max).then_some(n + 1)
            })
            .map(|_| Running)
            .map_err(ProtocolError::Busy)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Evaluates a query on `snapshot` with factgraph's predeclared prefixes, within `limits`.
///
/// The default graph is the union of the store's graphs unless the query has FROM / FROM
/// NAMED or the request gives `default-graph-uri` / `named-graph-uri` (which win over the
/// query's own dataset, as the protocol says). SERVICE calls are not made.
///
/// With a timeout, the query runs on its own thread and the answer is
/// [`ProtocolError::Timeout`] as soon as the time is up; the query is cancelled: Oxigraph's
/// evaluator stops at its next read of the store, and the rows are checked here one by one.
/// A query that computes long without reading the store (a product of large `VALUES`)
/// only stops at its next read; such queries keep their slot of [`Limits::max_queries`]
/// until they stop, so they cannot pile up threads.
pub fn evaluate(
    snapshot: &Shared,
    request: &SparqlRequest,
    limits: &Limits,
) -> Result<Outcome, ProtocolError> {
    let running = Running::start(limits.max_queries)?;
    let token = CancellationToken::new();
    let Some(timeout) = limits.timeout else {
        let outcome = run(snapshot.store(), request, limits.max_results, &token);
        drop(running);
        return outcome;
    };
    let (done, answer) = mpsc::sync_channel(1);
    let (snapshot, request, cap, cancel) = (
        Arc::clone(snapshot),
        request.clone(),
        limits.max_results,
        token.clone(),
    );
    thread::Builder::new()
        .name("factgraph-query".into())
        .spawn(move || {
            let _ = done.send(run(snapshot.store(), &request, cap, &cancel));
            drop(snapshot);
            drop(running);
        })
        .map_err(|e| ProtocolError::Thread(e.to_string()))?;
    match answer.recv_timeout(timeout) {
        Ok(outcome) => outcome,
        Err(RecvTimeoutError::Timeout) => {
            token.cancel();
            Err(ProtocolError::Timeout(timeout))
        }
        Err(RecvTimeoutError::Disconnected) => Err(ProtocolError::Thread(
            "the query's thread ended without an answer".into(),
        )),
    }
}

fn run(
    store: &Store,
    request: &SparqlRequest,
    max_results: usize,
    token: &CancellationToken,
) -> Result<Outcome, ProtocolError> {
    let mut prepared = match query::evaluator()
        .with_cancellation_token(token.clone())
        .parse_query(&request.query)
    {
        Ok(p) => p,
        Err(e) => {
            // The same words as the command line: unknown prefixes by name and place.
            return Err(if query::is_update(&request.query) {
                ProtocolError::Update
            } else {
                ProtocolError::Syntax(query::syntax_message(&request.query, &e))
            });
        }
    };
    if request.default_graphs.is_empty() && request.named_graphs.is_empty() {
        if prepared.dataset().is_default_dataset() {
            prepared.dataset_mut().set_default_graph_as_union();
        }
    } else {
        let default = graph_names("default-graph-uri", &request.default_graphs)?;
        let named = graph_names("named-graph-uri", &request.named_graphs)?;
        let dataset = prepared.dataset_mut();
        dataset.set_default_graph(default.into_iter().map(GraphName::from).collect());
        dataset.set_available_named_graphs(named.into_iter().map(NamedOrBlankNode::from).collect());
    }
    let failed = |e: QueryEvaluationError| {
        if token.is_cancelled() || matches!(e, QueryEvaluationError::Cancelled) {
            ProtocolError::Timeout(Duration::ZERO)
        } else {
            ProtocolError::Evaluation(e)
        }
    };
    let cap = if max_results == 0 {
        usize::MAX
    } else {
        max_results
    };
    let outcome = match prepared.on_store(store).execute().map_err(failed)? {
        QueryResults::Boolean(b) => Outcome::Boolean(b),
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let mut rows = Vec::new();
            let mut truncated = false;
            for s in solutions {
                let s = s.map_err(failed)?;
                if token.is_cancelled() {
                    return Err(ProtocolError::Timeout(Duration::ZERO));
                }
                if rows.len() == cap {
                    truncated = true;
                    break;
                }
                rows.push(s);
            }
            Outcome::Solutions {
                variables,
                rows,
                truncated,
            }
        }
        QueryResults::Graph(iter) => {
            let mut triples = Vec::new();
            let mut truncated = false;
            for t in iter {
                let t = t.map_err(failed)?;
                if token.is_cancelled() {
                    return Err(ProtocolError::Timeout(Duration::ZERO));
                }
                if triples.len() == cap {
                    truncated = true;
                    break;
                }
                triples.push(t);
            }
            Outcome::Graph { triples, truncated }
        }
    };
    // A cancelled evaluation may end early without an error (an aggregate over the rows
    // seen so far): never answer with that.
    if token.is_cancelled() {
        return Err(ProtocolError::Timeout(Duration::ZERO));
    }
    Ok(outcome)
}

/// The result formats offered, by media type, in order of preference.
const RESULT_OFFERS: &[(&str, QueryResultsFormat)] = &[
    ("application/sparql-results+json", QueryResultsFormat::Json),
    ("application/json", QueryResultsFormat::Json),
    ("application/sparql-results+xml", QueryResultsFormat::Xml),
    ("application/xml", QueryResultsFormat::Xml),
    ("text/xml", QueryResultsFormat::Xml),
    ("text/csv", QueryResultsFormat::Csv),
    ("text/tab-separated-values", QueryResultsFormat::Tsv),
];

/// The graph formats offered, by media type, in order of preference.
const GRAPH_OFFERS: &[(&str, RdfFormat)] = &[
    ("text/turtle", RdfFormat::Turtle),
    ("application/x-turtle", RdfFormat::Turtle),
    ("application/n-triples", RdfFormat::NTriples),
    ("application/rdf+xml", RdfFormat::RdfXml),
    ("application/xml", RdfFormat::RdfXml),
    ("text/xml", RdfFormat::RdfXml),
];

/// A format named by the `format` parameter (for links, where no Accept header can be set).
fn named_format(name: &str) -> Option<(Option<QueryResultsFormat>, Option<RdfFormat>)> {
    Some(match name.to_ascii_lowercase().as_str() {
        "json" | "srj" => (Some(QueryResultsFormat::Json), None),
        "xml" | "srx" => (Some(QueryResultsFormat::Xml), Some(RdfFormat::RdfXml)),
        "csv" => (Some(QueryResultsFormat::Csv), None),
        "tsv" => (Some(QueryResultsFormat::Tsv), None),
        "turtle" | "ttl" => (None, Some(RdfFormat::Turtle)),
        "ntriples" | "nt" => (None, Some(RdfFormat::NTriples)),
        "rdfxml" | "rdf" => (None, Some(RdfFormat::RdfXml)),
        _ => return None,
    })
}

/// A text media type with `charset=utf-8` (once).
fn with_charset(media_type: &str) -> String {
    if media_type.starts_with("text/") && !media_type.contains("charset") {
        format!("{media_type}; charset=utf-8")
    } else {
        media_type.to_owned()
    }
}

fn not_acceptable(offers: &[&str]) -> Response {
    let mut list: Vec<&str> = offers.to_vec();
    list.dedup();
    Response::text(
        406,
        format!(
            "none of the accepted media types can be produced; this result can be sent as {}",
            list.join(", ")
        ),
    )
}

/// Writes `outcome` in the format the request negotiates.
pub fn respond(outcome: &Outcome, request: &Request, limits: &Limits) -> Response {
    let accept = request.header("accept");
    let named = request.param("format");
    let named = match named.as_deref().map(|n| (n, named_format(n))) {
        Some((n, None)) => {
            return Response::text(
                400,
                format!(
                    "unknown format `{n}`: use json, xml, csv, tsv, turtle, ntriples or rdfxml"
                ),
            )
        }
        Some((_, Some(f))) => Some(f),
        None => None,
    };
    let mut body = Vec::new();
    let written = match outcome {
        Outcome::Boolean(_) | Outcome::Solutions { .. } => {
            let format = match named {
                Some((Some(f), _)) => f,
                Some((None, _)) => {
                    return Response::text(
                        400,
                        "this query returns solutions: use format json, xml, csv or tsv",
                    )
                }
                None => match negotiate(accept, RESULT_OFFERS) {
                    Some(f) => f,
                    None => {
                        return not_acceptable(
                            &RESULT_OFFERS.iter().map(|(m, _)| *m).collect::<Vec<_>>(),
                        )
                    }
                },
            };
            write_results(outcome, format, &mut body).map(|()| format.media_type())
        }
        Outcome::Graph { triples, .. } => {
            let format = match named {
                Some((_, Some(f))) => f,
                Some((_, None)) => {
                    return Response::text(
                        400,
                        "this query returns a graph: use format turtle, ntriples or rdfxml",
                    )
                }
                None => match negotiate(accept, GRAPH_OFFERS) {
                    Some(f) => f,
                    None => {
                        return not_acceptable(
                            &GRAPH_OFFERS.iter().map(|(m, _)| *m).collect::<Vec<_>>(),
                        )
                    }
                },
            };
            write_triples(triples, format, &mut body).map(|()| format.media_type())
        }
    };
    match written {
        Ok(media_type) => {
            let content_type = with_charset(media_type);
            let mut response = Response::new(200, &content_type, body);
            if outcome.truncated() {
                response = response.with_header("X-SPARQL-MaxRows", limits.max_results.to_string());
            }
            response
        }
        Err(e) => Response::text(500, format!("writing the results failed: {e}")),
    }
}

fn write_results(
    outcome: &Outcome,
    format: QueryResultsFormat,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    let serializer = QueryResultsSerializer::from_format(format);
    match outcome {
        Outcome::Boolean(b) => {
            serializer.serialize_boolean_to_writer(&mut *out, *b)?;
        }
        Outcome::Solutions {
            variables, rows, ..
        } => {
            let mut w = serializer.serialize_solutions_to_writer(&mut *out, variables.clone())?;
            for row in rows {
                w.serialize(row)?;
            }
            w.finish()?;
        }
        Outcome::Graph { .. } => {}
    }
    // The CSV and TSV serialisers leave the last line unterminated.
    match format {
        QueryResultsFormat::Csv if out.last() != Some(&b'\n') => out.extend_from_slice(b"\r\n"),
        QueryResultsFormat::Tsv if out.last() != Some(&b'\n') => out.push(b'\n'),
        _ => {}
    }
    Ok(())
}

fn write_triples(triples: &[Triple], format: RdfFormat, out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut w = crate::rdf_io::serializer(format, &Default::default()).for_writer(out);
    for t in triples {
        w.serialize_triple(t)?;
    }
    w.finish()?;
    Ok(())
}

/// What a request to `/query` asks for.
enum Operation {
    Query(SparqlRequest),
    Describe,
}

fn graph_params(params: &[(String, String)], request: &mut SparqlRequest) {
    for (name, value) in params {
        match name.as_str() {
            "default-graph-uri" => request.default_graphs.push(value.clone()),
            "named-graph-uri" => request.named_graphs.push(value.clone()),
            _ => {}
        }
    }
}

fn read_only() -> Response {
    Response::text(403, ProtocolError::Update.to_string())
}

fn operation(request: &Request) -> Result<Operation, Response> {
    let url_params = request.params();
    let has = |params: &[(String, String)], name: &str| params.iter().any(|(n, _)| n == name);
    match request.method.as_str() {
        "GET" | "HEAD" => {
            if has(&url_params, "update") {
                return Err(read_only());
            }
            let Some((_, text)) = url_params.iter().find(|(n, _)| n == "query") else {
                return Ok(Operation::Describe);
            };
            let mut q = SparqlRequest {
                query: text.clone(),
                ..SparqlRequest::default()
            };
            graph_params(&url_params, &mut q);
            Ok(Operation::Query(q))
        }
        "POST" => {
            let body = || String::from_utf8(request.body.clone());
            match request.content_type().as_deref() {
                Some("application/x-www-form-urlencoded") => {
                    let Ok(text) = body() else {
                        return Err(Response::text(400, "the form is not UTF-8"));
                    };
                    let form = parse_form(&text);
                    if has(&form, "update") {
                        return Err(read_only());
                    }
                    let Some((_, query)) = form.iter().find(|(n, _)| n == "query") else {
                        return Err(Response::text(400, "the form has no `query` parameter"));
                    };
                    let mut q = SparqlRequest {
                        query: query.clone(),
                        ..SparqlRequest::default()
                    };
                    graph_params(&form, &mut q);
                    Ok(Operation::Query(q))
                }
                Some("application/sparql-query") => {
                    let Ok(text) = body() else {
                        return Err(Response::text(400, "the query is not UTF-8"));
                    };
                    let mut q = SparqlRequest {
                        query: text,
                        ..SparqlRequest::default()
                    };
                    graph_params(&url_params, &mut q);
                    Ok(Operation::Query(q))
                }
                Some("application/sparql-update") => Err(read_only()),
                other => Err(Response::text(
                    415,
                    format!(
                        "POST a query as application/sparql-query or as a form \
                         (application/x-www-form-urlencoded), not {}",
                        other.unwrap_or("a body without Content-Type")
                    ),
                )),
            }
        }
        "PUT" | "DELETE" | "PATCH" => Err(read_only().with_header("Allow", "GET, POST, OPTIONS")),
        _ => Err(Response::text(405, "use GET or POST").with_header("Allow", "GET, POST, OPTIONS")),
    }
}

/// Answers a request to the query endpoint.
pub fn handle(snapshot: &Shared, request: &Request, limits: &Limits) -> Response {
    let sparql = match operation(request) {
        Ok(Operation::Query(q)) => q,
        Ok(Operation::Describe) => return service_description(snapshot.store(), request),
        Err(response) => return response,
    };
    let response = match evaluate(snapshot, &sparql, limits) {
        Ok(outcome) => respond(&outcome, request, limits),
        Err(e) => Response::text(e.status(), e.to_string()),
    };
    response.with_header("Vary", "Accept")
}

const SD: &str = "http://www.w3.org/ns/sparql-service-description#";
const FORMATS: &str = "http://www.w3.org/ns/formats/";
const VOID: &str = "http://rdfs.org/ns/void#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

fn iri(s: &str) -> NamedNode {
    NamedNode::new_unchecked(s)
}

/// The SPARQL 1.1 Service Description of the endpoint, in a negotiated RDF syntax.
pub fn service_description(store: &Store, request: &Request) -> Response {
    let format = match request.param("format").as_deref().and_then(named_format) {
        Some((_, Some(f))) => f,
        _ => match negotiate(request.header("accept"), GRAPH_OFFERS) {
            Some(f) => f,
            None => {
                return not_acceptable(&GRAPH_OFFERS.iter().map(|(m, _)| *m).collect::<Vec<_>>())
            }
        },
    };
    let host = request.header("host").unwrap_or("localhost");
    let endpoint = NamedNode::new(format!("http://{host}{}", request.path))
        .unwrap_or_else(|_| iri("http://localhost/query"));
    let sd = |local: &str| iri(&format!("{SD}{local}"));
    let service = BlankNode::default();
    let dataset = BlankNode::default();
    let default_graph = BlankNode::default();
    let mut triples = vec![
        Triple::new(service.clone(), iri(RDF_TYPE), sd("Service")),
        Triple::new(service.clone(), sd("endpoint"), endpoint),
        Triple::new(
            service.clone(),
            sd("supportedLanguage"),
            sd("SPARQL11Query"),
        ),
        Triple::new(service.clone(), sd("feature"), sd("UnionDefaultGraph")),
    ];
    for f in [
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "RDF_XML",
    ] {
        triples.push(Triple::new(
            service.clone(),
            sd("resultFormat"),
            iri(&format!("{FORMATS}{f}")),
        ));
    }
    triples.extend([
        Triple::new(service.clone(), sd("defaultDataset"), dataset.clone()),
        Triple::new(dataset.clone(), iri(RDF_TYPE), sd("Dataset")),
        Triple::new(dataset.clone(), sd("defaultGraph"), default_graph.clone()),
        Triple::new(default_graph.clone(), iri(RDF_TYPE), sd("Graph")),
    ]);
    if let Ok(n) = store.len() {
        // The default graph of queries is the union of all graphs.
        triples.push(Triple::new(
            default_graph,
            iri(&format!("{VOID}triples")),
            Literal::from(n as i64),
        ));
    }
    for g in store.named_graphs().flatten() {
        let named = BlankNode::default();
        triples.push(Triple::new(
            dataset.clone(),
            sd("namedGraph"),
            named.clone(),
        ));
        triples.push(Triple::new(named.clone(), sd("name"), Term::from(g)));
    }
    let mut serializer = RdfSerializer::from_format(format);
    for (p, ns) in [("sd", SD), ("formats", FORMATS), ("void", VOID)] {
        serializer = serializer.clone().with_prefix(p, ns).unwrap_or(serializer);
    }
    let mut body = Vec::new();
    let mut w = serializer.for_writer(&mut body);
    for t in &triples {
        if let Err(e) = w.serialize_triple(t) {
            return Response::text(500, e.to_string());
        }
    }
    if let Err(e) = w.finish() {
        return Response::text(500, e.to_string());
    }
    Response::new(200, &with_charset(format.media_type()), body).with_header("Vary", "Accept")
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{GraphNameRef, NamedNodeRef, QuadRef};

    fn store() -> Shared {
        let store = Store::new().expect("in-memory store");
        let inetum = NamedNodeRef::new_unchecked("https://w3id.org/factgraph/id/org/inetum");
        store
            .insert(QuadRef::new(
                inetum,
                NamedNodeRef::new_unchecked("http://schema.org/name"),
                &Literal::new_language_tagged_literal_unchecked("Inetum", "fr"),
                GraphNameRef::DefaultGraph,
            ))
            .expect("insert");
        store
            .insert(QuadRef::new(
                inetum,
                NamedNodeRef::new_unchecked(RDF_TYPE),
                NamedNodeRef::new_unchecked("http://www.w3.org/ns/org#Organization"),
                NamedNodeRef::new_unchecked("https://example.org/g"),
            ))
            .expect("insert");
        Arc::new(store)
    }

    fn limits() -> Limits {
        Limits {
            timeout: Some(Duration::from_secs(60)),
            max_results: 10,
            max_queries: 0,
        }
    }

    fn get(store: &Shared, query: &str, accept: &str) -> Response {
        let request = Request::new(
            "GET",
            &format!(
                "/query?query={}",
                super::super::http::encode_component(query)
            ),
        )
        .with_header("Accept", accept);
        handle(store, &request, &limits())
    }

    #[test]
    fn default_graph_is_the_union_and_prefixes_are_predeclared() {
        let r = get(
            &store(),
            "SELECT ?n WHERE { ?o a org:Organization ; schema:name ?n }",
            "text/csv",
        );
        assert_eq!(r.status, 200);
        assert_eq!(String::from_utf8_lossy(&r.body), "n\r\nInetum\r\n");
    }

    #[test]
    fn graph_parameters_override_the_union() {
        let store = store();
        let q = "ASK { ?o a org:Organization }";
        let mut request = SparqlRequest {
            query: q.into(),
            default_graphs: vec!["https://example.org/other".into()],
            named_graphs: vec![],
        };
        assert!(matches!(
            evaluate(&store, &request, &limits()),
            Ok(Outcome::Boolean(false))
        ));
        request.default_graphs = vec!["https://example.org/g".into()];
        assert!(matches!(
            evaluate(&store, &request, &limits()),
            Ok(Outcome::Boolean(true))
        ));
        request.default_graphs = vec!["not an iri".into()];
        assert!(matches!(
            evaluate(&store, &request, &limits()),
            Err(ProtocolError::GraphIri { .. })
        ));
    }

    #[test]
    fn updates_are_refused_and_syntax_errors_explained() {
        let store = store();
        let r = get(&store, "INSERT DATA { <a:b> <a:c> <a:d> }", "*/*");
        assert_eq!(r.status, 403);
        let r = get(&store, "SELECT ?x WHERE { ?x ", "*/*");
        assert_eq!(r.status, 400);
        assert!(String::from_utf8_lossy(&r.body).starts_with("SPARQL syntax error"));
        let form = Request::new("POST", "/query")
            .with_header("Content-Type", "application/x-www-form-urlencoded")
            .with_body("update=CLEAR+ALL");
        assert_eq!(handle(&store, &form, &limits()).status, 403);
        assert_eq!(store.store().len().ok(), Some(2));
    }

    #[test]
    fn results_are_capped() {
        let r = get(
            &store(),
            "SELECT ?i WHERE { VALUES ?i { 1 2 3 4 5 6 7 8 9 10 11 12 } }",
            "application/json",
        );
        assert_eq!(r.status, 200);
        assert_eq!(r.header("X-SPARQL-MaxRows"), Some("10"));
        let json: serde_json::Value = serde_json::from_slice(&r.body).expect("JSON");
        assert_eq!(
            json["results"]["bindings"].as_array().map(Vec::len),
            Some(10)
        );
    }

    #[test]
    fn construct_negotiates_graph_formats() {
        let store = store();
        let q = "CONSTRUCT { ?s schema:name ?n } WHERE { ?s schema:name ?n }";
        let r = get(&store, q, "application/n-triples");
        assert_eq!(r.header("Content-Type"), Some("application/n-triples"));
        assert!(String::from_utf8_lossy(&r.body).contains("<http://schema.org/name> \"Inetum\"@fr"));
        let r = get(&store, q, "application/sparql-results+json");
        assert_eq!(r.status, 406);
    }

    #[test]
    fn service_description_names_the_endpoint() {
        let request = Request::new("GET", "/query").with_header("Host", "127.0.0.1:7878");
        let r = handle(&store(), &request, &limits());
        assert_eq!(r.status, 200);
        let text = String::from_utf8_lossy(&r.body);
        assert!(
            text.contains("sd:endpoint <http://127.0.0.1:7878/query>"),
            "{text}"
        );
        assert!(text.contains("sd:SPARQL11Query"));
        assert!(text.contains("<https://example.org/g>"));
    }
}
