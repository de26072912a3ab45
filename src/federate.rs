//! SPARQL 1.1 Federated Query for `factgraph query --federate`: a `SERVICE <endpoint> { … }`
//! block is sent to the endpoint (such as `https://query.wikidata.org/sparql`) over HTTP.
//!
//! Off by default: without `--federate` factgraph installs no service handler, so a query
//! with `SERVICE` fails (or, with `SERVICE SILENT`, gets no solutions from it) and never
//! reaches the network. With it, each SERVICE block is POSTed as a SELECT query with
//! factgraph's User-Agent ([`crate::link::api::USER_AGENT`], as Wikimedia asks) and a
//! timeout, and the JSON or XML results are read back.

use std::io::Read;
use std::time::Duration;

use oxigraph::model::NamedNode;
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput,
};
use oxigraph::sparql::{
    DefaultServiceHandler, QueryEvaluationError, QuerySolutionIter, SparqlEvaluator,
};
use oxiri::Iri;
use spargebra::algebra::GraphPattern;

use crate::link::api::USER_AGENT;

/// The default timeout of one SERVICE call.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Sends SERVICE blocks to remote SPARQL endpoints over HTTP.
pub struct HttpService {
    agent: ureq::Agent,
}

impl HttpService {
    /// A handler whose calls each take at most `timeout`.
    pub fn new(timeout: Duration) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .user_agent(USER_AGENT)
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .max_redirects(3)
            .build()
            .into();
        HttpService { agent }
    }
}

fn service_error(message: String) -> QueryEvaluationError {
    QueryEvaluationError::Service(message.into())
}

impl DefaultServiceHandler for HttpService {
    type Error = QueryEvaluationError;

    fn handle(
        &self,
        service_name: &NamedNode,
        pattern: &GraphPattern,
        base_iri: Option<&Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, QueryEvaluationError> {
        let query = spargebra::Query::Select {
            dataset: None,
            pattern: pattern.clone(),
            base_iri: base_iri.cloned(),
        }
        .to_string();
        let endpoint = service_name.as_str();
        let mut response = self
            .agent
            .post(endpoint)
            .header("Content-Type", "application/sparql-query")
            .header(
                "Accept",
                "application/sparql-results+json, application/sparql-results+xml;q=0.9",
            )
            .send(query.as_bytes())
            .map_err(|e| service_error(format!("SERVICE <{endpoint}>: {e}")))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let body: String = response
                .body_mut()
                .read_to_string()
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect();
            return Err(service_error(format!(
                "SERVICE <{endpoint}> answered HTTP {status}: {body}"
            )));
        }
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let format = QueryResultsFormat::from_media_type(&content_type).ok_or_else(|| {
            service_error(format!(
                "SERVICE <{endpoint}> answered with Content-Type `{content_type}`, not SPARQL results"
            ))
        })?;
        let body: Box<dyn Read> = Box::new(response.into_body().into_reader());
        let ReaderQueryResultsParserOutput::Solutions(reader) =
            QueryResultsParser::from_format(format)
                .for_reader(body)
                .map_err(|e| service_error(format!("SERVICE <{endpoint}>: {e}")))?
        else {
            return Err(service_error(format!(
                "SERVICE <{endpoint}> answered a boolean, not solutions"
            )));
        };
        Ok(QuerySolutionIter::new(
            reader.variables().into(),
            reader.map(|s| s.map_err(|e| QueryEvaluationError::Service(Box::new(e)))),
        ))
    }
}

/// factgraph's evaluator ([`crate::query::evaluator`]) with SERVICE calls sent over HTTP.
pub fn evaluator(timeout: Duration) -> SparqlEvaluator {
    crate::query::evaluator().with_default_service_handler(HttpService::new(timeout))
}
