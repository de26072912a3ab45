//! RML-IO: an RDF file queried with SPARQL (`rml:referenceFormulation
//! formats:SPARQL_Results_CSV`, `rml:iterator` a `SELECT` query). The file is parsed with
//! `oxrdfio` (its format guessed from the extension, after decompression) into an in-memory
//! `oxrdf::Dataset` and the query evaluated by Oxigraph's evaluator `spareval` — no store.
//! Each solution is one record; a reference is a variable, its value as SPARQL CSV results
//! write it: the lexical form of a literal, the IRI of an IRI, `_:id` for a blank node, and
//! no value when unbound.

use oxrdf::{Dataset, Term};
use oxrdfio::{RdfFormat, RdfParser};
use spareval::{QueryEvaluator, QueryResults};
use spargebra::SparqlParser;

use super::{Item, Location, Natural, Record};
use crate::error::RmlError;
use crate::exec::mapping_error;
use crate::model::{Mapping, TriplesMap};

/// Checks the syntax of a query (`rml:iterator`); the error is the message to show.
pub(crate) fn check(query: &str) -> Result<(), String> {
    SparqlParser::new()
        .parse_query(query)
        .map(drop)
        .map_err(|e| format!("the rml:iterator is not a valid SPARQL query: {e}"))
}

/// See [`super::for_each_record`].
pub(crate) fn for_each_record(
    mapping: &Mapping,
    tm: &TriplesMap,
    references: &[String],
    each: &mut dyn FnMut(&Record) -> Result<(), RmlError>,
) -> Result<u64, RmlError> {
    let fail = |message: String| mapping_error(mapping, tm, message);
    let text = tm.source.iterator.as_deref().unwrap_or_default();
    let query = SparqlParser::new()
        .parse_query(text)
        .map_err(|e| fail(format!("the rml:iterator is not a valid SPARQL query: {e}")))?;
    let path = &tm.source.path;
    // The format from the extension, looking through a compression suffix.
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let stem = name
        .trim_end_matches(".gz")
        .trim_end_matches(".zip")
        .trim_end_matches(".xz")
        .trim_end_matches(".tar");
    let format = stem
        .rsplit_once('.')
        .and_then(|(_, ext)| RdfFormat::from_extension(ext))
        .ok_or_else(|| {
            fail(format!(
                "the source \"{}\" of a SPARQL query is not a known RDF file; expected .nt, .nq, .ttl, .trig, .n3, .rdf or .jsonld",
                tm.source.written
            ))
        })?;
    let reader = super::open(mapping, tm, "an RDF file")?;
    let display = path.display().to_string();
    let mut dataset = Dataset::new();
    for quad in RdfParser::from_format(format).for_reader(reader) {
        let quad = quad.map_err(|e| {
            let (line, column) = match &e {
                oxrdfio::RdfParseError::Syntax(s) => s
                    .location()
                    .map_or((0, 0), |l| (l.start.line + 1, l.start.column + 1)),
                oxrdfio::RdfParseError::Io(_) => (0, 0),
            };
            RmlError::Data {
                file: display.clone(),
                line,
                column,
                message: format!("invalid RDF: {e}; expected {format}"),
            }
        })?;
        dataset.insert(&quad);
    }
    let results = QueryEvaluator::new()
        .prepare(&query)
        .execute(&dataset)
        .map_err(|e| fail(format!("the SPARQL query failed: {e}")))?;
    let QueryResults::Solutions(solutions) = results else {
        return Err(fail(
            "the rml:iterator query is not a SELECT query; expected SELECT (one record per solution)"
                .into(),
        ));
    };
    let variables: Vec<String> = solutions
        .variables()
        .iter()
        .map(|v| v.as_str().to_owned())
        .collect();
    let columns = super::column_positions(references, &variables, |r, list| {
        fail(format!(
            "the reference \"{r}\" is not a variable of the query; expected one of {list}"
        ))
    })?;
    let mut record = Record::new(display, references.len());
    let mut count = 0;
    for solution in solutions {
        let solution = solution.map_err(|e| fail(format!("the SPARQL query failed: {e}")))?;
        count += 1;
        record.location = Location::Solution(count);
        for (values, &c) in record.values.iter_mut().zip(&columns) {
            values.clear();
            if let Some(term) = solution.values().get(c).and_then(Option::as_ref) {
                values.push(Item {
                    text: match term {
                        Term::NamedNode(n) => n.as_str().to_owned(),
                        Term::BlankNode(b) => format!("_:{}", b.as_str()),
                        Term::Literal(l) => l.value().to_owned(),
                        #[allow(unreachable_patterns)]
                        other => other.to_string(),
                    },
                    natural: Natural::String,
                });
            }
        }
        each(&record)?;
    }
    Ok(count)
}
