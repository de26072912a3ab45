//! SPARQL over the store: predeclared prefixes, and results written as an aligned table,
//! the W3C results formats (CSV, TSV, JSON, XML) or RDF for graph results.

use std::io::Write;

use comfy_table::{presets, ContentArrangement, Table};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Term, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryEvaluationError, QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

use crate::prefixes::{to_sparql, PREFIXES};
use crate::sparql_text;

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
        /// What is wrong and where (`line:column`), from [`syntax_message`].
        message: String,
    },
    /// The text is a SPARQL update (`INSERT DATA`, `DELETE`, `LOAD`, …): the store is
    /// read-only for queries.
    #[error("{source_name}: this is a SPARQL update, and the store is read-only for queries; to change the data, edit the CSV files (or the mapping) and run `factgraph load`")]
    Update {
        /// Where the query came from (`query` or a file path).
        source_name: String,
    },
    /// Evaluation failed.
    #[error("query evaluation failed: {0}")]
    Evaluation(QueryEvaluationError),
    /// The query calls a remote endpoint (`SERVICE <iri>`), which `factgraph query` only
    /// reaches with `--federate`.
    #[error("the query calls SERVICE {0}, and factgraph reaches no remote endpoint unless asked: add --federate to send SERVICE blocks over the network (SERVICE SILENT skips them instead)")]
    ServiceOff(oxigraph::model::NamedNode),
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

impl From<QueryEvaluationError> for QueryError {
    fn from(e: QueryEvaluationError) -> Self {
        match e {
            QueryEvaluationError::UnsupportedService(service) => QueryError::ServiceOff(service),
            e => QueryError::Evaluation(e),
        }
    }
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

/// Whether `query` is a SPARQL update (it parses as one, or starts with an update keyword).
pub fn is_update(query: &str) -> bool {
    evaluator().parse_update(query).is_ok()
        || sparql_text::looks_like_update(&sparql_text::tokens(query))
}

/// What to tell a person about a query that does not parse: an unknown prefix by name, with
/// its place (`line:column`) and the known prefixes; text that looks like a file name as such;
/// else the parser's message, `line:column` first, without the character ranges of its
/// grammar.
pub fn syntax_message(query: &str, error: &oxigraph::sparql::SparqlSyntaxError) -> String {
    let raw = error.to_string();
    let tokens = sparql_text::tokens(query);
    if raw.contains("Prefix not found") {
        let known: Vec<&str> = PREFIXES.iter().map(|(p, _)| *p).collect();
        if let Some((prefix, at)) = sparql_text::first_unknown_prefix(&tokens, &known) {
            let mut all: Vec<String> = known.iter().map(|p| (*p).to_owned()).collect();
            all.extend(sparql_text::declared_prefixes(&tokens));
            return format!(
                "unknown prefix {prefix}: at {at} (known: {}); declare it with PREFIX {prefix}: <namespace>",
                all.join(", ")
            );
        }
    }
    let text = query.trim();
    if !text.is_empty()
        && !text.contains(char::is_whitespace)
        && (text.ends_with(".rq") || text.ends_with(".sparql") || text.contains('/'))
    {
        return format!(
            "`{text}` is not a SPARQL query (it looks like a file name, but no such file exists); to read a query from a file, give -f FILE"
        );
    }
    tidy_parser_message(&raw)
}

/// `error at 1:26: expected one of A, B, ['a'..='z' | …]` → `at 1:26: expected one of A, B,
/// a term`: the grammar's character classes say nothing to a person.
fn tidy_parser_message(raw: &str) -> String {
    let Some(rest) = raw.strip_prefix("error at ") else {
        return raw.to_owned();
    };
    let Some((at, expected)) = rest.split_once(": ") else {
        return raw.to_owned();
    };
    let list = expected
        .strip_prefix("expected one of ")
        .or_else(|| expected.strip_prefix("expected "));
    let Some(list) = list else {
        return format!("at {at}: {expected}");
    };
    // Split on ", " outside brackets.
    let (mut items, mut depth, mut start) = (Vec::new(), 0i32, 0);
    let bytes = list.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'[' => depth += 1,
            b']' => depth -= 1,
            b',' if depth == 0 && bytes.get(i + 1) == Some(&b' ') => {
                items.push(&list[start..i]);
                start = i + 2;
            }
            _ => {}
        }
    }
    items.push(&list[start..]);
    let mut shown: Vec<String> = Vec::new();
    let mut classes = false;
    for item in items {
        let item = item.trim();
        if item.contains("..") || item.contains("\\u{") || item.contains('|') || item == "[_]" {
            classes = true;
            continue;
        }
        let item = item
            .strip_prefix("['")
            .and_then(|i| i.strip_suffix("']"))
            .map(|c| format!("'{c}'"))
            .unwrap_or_else(|| item.to_owned());
        if !shown.contains(&item) {
            shown.push(item);
        }
    }
    if classes {
        shown.push("a term".to_owned());
    }
    match shown.len() {
        0 => format!("at {at}: unexpected text"),
        1 => format!("at {at}: expected {}", shown[0]),
        _ => format!("at {at}: expected one of {}", shown.join(", ")),
    }
}

/// How wide the table may be: comfy-table's dynamic arrangement needs the terminal's width,
/// and one that reports 0 columns (or none) would squeeze every column to one character.
fn arrangement(terminal_width: Option<u16>) -> ContentArrangement {
    match terminal_width {
        Some(w) if w > 0 => ContentArrangement::Dynamic,
        _ => ContentArrangement::Disabled,
    }
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
    let mut prepared = evaluator.parse_query(query).map_err(|e| {
        if is_update(query) {
            QueryError::Update {
                source_name: source_name.to_owned(),
            }
        } else {
            QueryError::Syntax {
                source_name: source_name.to_owned(),
                message: syntax_message(query, &e),
            }
        }
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
                    let mut tracked = LastByte {
                        inner: &mut *out,
                        last: None,
                    };
                    QueryResultsSerializer::from_format(f)
                        .serialize_boolean_to_writer(&mut tracked, b)?;
                    if tracked.last != Some(b'\n') {
                        writeln!(tracked)?;
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
            let mut variables = solutions.variables().to_vec();
            // Oxigraph sorts the variables of `SELECT *`; people expect the query's order.
            if let Some(order) = sparql_text::select_star_order(&sparql_text::tokens(query)) {
                let rank = |v: &Variable| {
                    order
                        .iter()
                        .position(|o| o == v.as_str())
                        .unwrap_or(usize::MAX)
                };
                variables.sort_by_key(rank);
            }
            let format = solutions_format(format).map_err(|format| QueryError::Format {
                format,
                kind: "the solutions of a SELECT query",
                expected: "table, csv, tsv, json or xml",
            })?;
            // The first solution is computed before anything is written, so that a query
            // failing at once (a SERVICE without --federate) prints no header.
            let mut solutions = solutions.peekable();
            if let Some(Err(_)) = solutions.peek() {
                if let Some(Err(e)) = solutions.next() {
                    return Err(e.into());
                }
            }
            let mut count = 0;
            match format {
                Some(f) => {
                    let mut tracked = LastByte {
                        inner: &mut *out,
                        last: None,
                    };
                    let mut w = QueryResultsSerializer::from_format(f)
                        .serialize_solutions_to_writer(&mut tracked, variables.clone())?;
                    for s in solutions {
                        let s = s?;
                        w.serialize(
                            variables
                                .iter()
                                .filter_map(|v| s.get(v).map(|t| (v.as_ref(), t.as_ref()))),
                        )?;
                        count += 1;
                    }
                    w.finish()?;
                    // The serialisers leave the last line unterminated.
                    if tracked.last != Some(b'\n') {
                        tracked.write_all(if f == QueryResultsFormat::Csv {
                            b"\r\n"
                        } else {
                            b"\n"
                        })?;
                    }
                }
                None => {
                    let mut table = Table::new();
                    table.load_preset(presets::UTF8_FULL_CONDENSED);
                    let width = table.width();
                    table
                        .set_content_arrangement(arrangement(width))
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
                // Not `fgr:`: its local names hold `/`, which Turtle would escape
                // (`fgr:person\/ali-seddiki`); the full IRI reads better.
                for (p, ns) in PREFIXES.iter().filter(|(p, _)| *p != "fgr") {
                    serializer = serializer
                        .clone()
                        .with_prefix(*p, *ns)
                        .unwrap_or(serializer);
                }
            }
            let mut triples = triples.peekable();
            if let Some(Err(_)) = triples.peek() {
                if let Some(Err(e)) = triples.next() {
                    return Err(e.into());
                }
            }
            let mut tracked = LastByte {
                inner: &mut *out,
                last: None,
            };
            let mut w = serializer.for_writer(&mut tracked);
            let mut count = 0;
            for t in triples {
                w.serialize_triple(&t?)?;
                count += 1;
            }
            w.finish()?;
            if count > 0 && tracked.last != Some(b'\n') {
                writeln!(tracked)?;
            }
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

/// How a term is shown in a table: IRIs as SPARQL reads them back (a prefixed name when one
/// fits without escapes, else `<iri>`), literal values without quotes.
pub fn display_term(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => to_sparql(n.as_str()),
        Term::BlankNode(b) => b.to_string(),
        Term::Literal(l) => l.value().to_owned(),
        #[allow(unreachable_patterns)]
        _ => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_terminal_of_width_zero_gets_no_width_limit() {
        assert!(matches!(arrangement(Some(0)), ContentArrangement::Disabled));
        assert!(matches!(arrangement(None), ContentArrangement::Disabled));
        assert!(matches!(arrangement(Some(80)), ContentArrangement::Dynamic));
    }

    #[test]
    fn parser_messages_lose_the_character_classes() {
        let m = tidy_parser_message(
            "error at 1:26: expected one of OPTIONAL, Prefix not found, ['%'], ['-' | '0' ..= '9' | '\\u{00B7}'], ['.'], [':']",
        );
        assert_eq!(
            m,
            "at 1:26: expected one of OPTIONAL, Prefix not found, '%', '.', ':', a term"
        );
    }
}
