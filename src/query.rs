//! SPARQL over the store: predeclared prefixes, and results written as an aligned table,
//! the W3C results formats (CSV, TSV, JSON, XML) or RDF for graph results.

use std::io::Write;

use comfy_table::{presets, ContentArrangement, Table};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::Term;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryEvaluationError, QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

use crate::prefixes::{compact, PREFIXES};

/// How query results are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum QueryOutput {
    /// An aligned table for people (SELECT/ASK).
    Table,
    /// SPARQL 1.1 CSV results.
    Csv,
    /// SPARQL 1.1 TSV results.
    Tsv,
    /// SPARQL 1.1 Query Results JSON.
    Json,
    /// SPARQL Query Results XML.
    Xml,
    /// Turtle (CONSTRUCT/DESCRIBE).
    Turtle,
    /// N-Triples (CONSTRUCT/DESCRIBE).
    Ntriples,
}

/// Errors of a query.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The query does not parse.
    #[error("{source_name}: SPARQL syntax error: {message}")]
    Syntax {
        /// Where the query came from (`query` or a file path).
        source_name: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// Evaluation failed.
    #[error("query evaluation failed: {0}")]
    Evaluation(#[from] QueryEvaluationError),
    /// The format does not fit the kind of result.
    #[error("--format {format} cannot write {kind}; use {expected}")]
    Format {
        /// The requested format.
        format: &'static str,
        /// What the query returns.
        kind: &'static str,
        /// Formats that fit.
        expected: &'static str,
    },
    /// Writing failed.
    #[error("writing the results failed: {0}")]
    Io(#[from] std::io::Error),
}

/// What a query returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuerySummary {
    /// Solutions (SELECT), with their count.
    Solutions(usize),
    /// A boolean (ASK).
    Boolean(bool),
    /// Triples (CONSTRUCT/DESCRIBE), with their count.
    Triples(usize),
}

/// A SPARQL evaluator with factgraph's prefixes predeclared.
pub fn evaluator() -> SparqlEvaluator {
    let mut e = SparqlEvaluator::new();
    for (p, ns) in PREFIXES {
        e = match e.clone().with_prefix(*p, *ns) {
            Ok(e) => e,
            Err(_) => e,
        };
    }
    e
}

/// Runs `query` on `store` and writes the results to `out`.
///
/// The default graph of the query is the union of all graphs of the store. Without a
/// `format`, solutions are written as a table when `terminal` is true and as CSV otherwise;
/// graphs as Turtle.
pub fn run(
    store: &Store,
    query: &str,
    source_name: &str,
    format: Option<QueryOutput>,
    terminal: bool,
    out: &mut dyn Write,
) -> Result<QuerySummary, QueryError> {
    run_with(
        evaluator(),
        store,
        query,
        source_name,
        format,
        terminal,
        out,
    )
}

/// [`run`] with a given evaluator (e.g. [`crate::federate::evaluator`], which lets
/// `SERVICE` calls reach remote endpoints).
pub fn run_with(
    evaluator: SparqlEvaluator,
    store: &Store,
    query: &str,
    source_name: &str,
    format: Option<QueryOutput>,
    terminal: bool,
    out: &mut dyn Write,
) -> Result<QuerySummary, QueryError> {
    let mut prepared = evaluator
        .parse_query(query)
        .map_err(|e| QueryError::Syntax {
            source_name: source_name.to_owned(),
            message: e.to_string(),
        })?;
    prepared.dataset_mut().set_default_graph_as_union();
    let results = prepared.on_store(store).execute()?;
    let solutions_format = |f: Option<QueryOutput>| match f {
        None if terminal => Ok(None),
        None | Some(QueryOutput::Csv) => Ok(Some(QueryResultsFormat::Csv)),
        Some(QueryOutput::Table) => Ok(None),
        Some(QueryOutput::Tsv) => Ok(Some(QueryResultsFormat::Tsv)),
        Some(QueryOutput::Json) => Ok(Some(QueryResultsFormat::Json)),
        Some(QueryOutput::Xml) => Ok(Some(QueryResultsFormat::Xml)),
        Some(QueryOutput::Turtle) => Err("turtle"),
        Some(QueryOutput::Ntriples) => Err("ntriples"),
    };
    match results {
        QueryResults::Boolean(b) => {
            match solutions_format(format) {
                Ok(Some(f)) => {
                    QueryResultsSerializer::from_format(f)
                        .serialize_boolean_to_writer(&mut *out, b)?;
                    if matches!(f, QueryResultsFormat::Csv | QueryResultsFormat::Tsv) {
                        writeln!(out)?;
                    }
                }
                Ok(None) => writeln!(out, "{b}")?,
                Err(format) => {
                    return Err(QueryError::Format {
                        format,
                        kind: "the result of an ASK query",
                        expected: "table, csv, tsv, json or xml",
                    })
                }
            }
            Ok(QuerySummary::Boolean(b))
        }
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let format = solutions_format(format).map_err(|format| QueryError::Format {
                format,
                kind: "the solutions of a SELECT query",
                expected: "table, csv, tsv, json or xml",
            })?;
            let mut count = 0;
            match format {
                Some(f) => {
                    let mut tracked = LastByte {
                        inner: &mut *out,
                        last: None,
                    };
                    let mut w = QueryResultsSerializer::from_format(f)
                        .serialize_solutions_to_writer(&mut tracked, variables)?;
                    for s in solutions {
                        w.serialize(&s?)?;
                        count += 1;
                    }
                    w.finish()?;
                    // The CSV and TSV serialisers leave the last row unterminated.
                    if matches!(f, QueryResultsFormat::Csv | QueryResultsFormat::Tsv)
                        && tracked.last != Some(b'\n')
                    {
                        tracked.write_all(if f == QueryResultsFormat::Csv {
                            b"\r\n"
                        } else {
                            b"\n"
                        })?;
                    }
                }
                None => {
                    let mut table = Table::new();
                    table
                        .load_preset(presets::UTF8_FULL_CONDENSED)
                        .set_content_arrangement(ContentArrangement::Dynamic)
                        .set_header(variables.iter().map(|v| v.as_str().to_owned()));
                    for s in solutions {
                        let s = s?;
                        table.add_row(
                            variables
                                .iter()
                                .map(|v| s.get(v).map(display_term).unwrap_or_default()),
                        );
                        count += 1;
                    }
                    writeln!(out, "{table}")?;
                }
            }
            Ok(QuerySummary::Solutions(count))
        }
        QueryResults::Graph(triples) => {
            let f = match format {
                None | Some(QueryOutput::Turtle) => RdfFormat::Turtle,
                Some(QueryOutput::Ntriples) => RdfFormat::NTriples,
                Some(other) => {
                    return Err(QueryError::Format {
                        format: match other {
                            QueryOutput::Table => "table",
                            QueryOutput::Csv => "csv",
                            QueryOutput::Tsv => "tsv",
                            QueryOutput::Json => "json",
                            _ => "xml",
                        },
                        kind: "the triples of a CONSTRUCT or DESCRIBE query",
                        expected: "turtle or ntriples",
                    })
                }
            };
            let mut serializer = RdfSerializer::from_format(f);
            if f == RdfFormat::Turtle {
                for (p, ns) in PREFIXES {
                    serializer = serializer
                        .clone()
                        .with_prefix(*p, *ns)
                        .unwrap_or(serializer);
                }
            }
            let mut w = serializer.for_writer(&mut *out);
            let mut count = 0;
            for t in triples {
                w.serialize_triple(&t?)?;
                count += 1;
            }
            w.finish()?;
            Ok(QuerySummary::Triples(count))
        }
    }
}

/// A writer that remembers the last byte written.
struct LastByte<'a> {
    inner: &'a mut dyn Write,
    last: Option<u8>,
}

impl Write for LastByte<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        if n > 0 {
            self.last = Some(buf[n - 1]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// How a term is shown in a table: prefixed IRIs, literal values without quotes.
pub fn display_term(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => compact(n.as_str()),
        Term::BlankNode(b) => b.to_string(),
        Term::Literal(l) => l.value().to_owned(),
        #[allow(unreachable_patterns)]
        _ => t.to_string(),
    }
}
