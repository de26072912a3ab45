//! Logical sources read as records of multi-valued references (JSON, XML, and CSV when a
//! mapping mixes it with them).
//!
//! Each source evaluates the references a triples map uses once per iteration and hands the
//! executor a [`Record`]: for every reference, the values it selected (none when null or
//! missing, several when it selects several nodes). The CSV hot path of [`crate::exec`] does
//! not go through here; it reads columns in place.

pub(crate) mod access;
pub(crate) mod csv;
pub(crate) mod json;
pub(crate) mod sheet;
pub(crate) mod sparql;
#[cfg(feature = "sql")]
pub(crate) mod sql;
pub(crate) mod view;
pub(crate) mod xml;
pub(crate) mod xml_stream;

#[cfg(test)]
mod io_tests;
#[cfg(test)]
mod tests;

use crate::error::RmlError;
use crate::model::{Mapping, ReferenceFormulation, TriplesMap};

/// The natural RDF datatype of a value (RML-Core: JSON numbers and booleans keep their type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Natural {
    /// A string (or anything without a natural datatype): a plain literal.
    String,
    /// A JSON integer: `xsd:integer`.
    Integer,
    /// A JSON number with a fraction or exponent: `xsd:double`.
    Double,
    /// A JSON boolean: `xsd:boolean`.
    Boolean,
    /// A SQL `numeric`: `xsd:decimal`.
    Decimal,
    /// A SQL `date`: `xsd:date`.
    Date,
    /// A SQL `timestamp`: `xsd:dateTime`.
    DateTime,
}

impl Natural {
    /// The datatype IRI, `None` for strings.
    pub(crate) fn datatype(self) -> Option<&'static str> {
        match self {
            Self::String => None,
            Self::Integer => Some("http://www.w3.org/2001/XMLSchema#integer"),
            Self::Double => Some("http://www.w3.org/2001/XMLSchema#double"),
            Self::Boolean => Some("http://www.w3.org/2001/XMLSchema#boolean"),
            Self::Decimal => Some("http://www.w3.org/2001/XMLSchema#decimal"),
            Self::Date => Some("http://www.w3.org/2001/XMLSchema#date"),
            Self::DateTime => Some("http://www.w3.org/2001/XMLSchema#dateTime"),
        }
    }
}

/// One value a reference selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    /// Its lexical form.
    pub text: String,
    /// Its natural datatype.
    pub natural: Natural,
}

/// Where a record stands in its file, for messages.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Location {
    /// Byte offset of a CSV record.
    CsvByte(u64),
    /// Byte offset at or before the start of a JSON value (whitespace and `,` may precede it).
    JsonByte(u64),
    /// The n-th node (1-based) the JSONPath iterator selected in a loaded document.
    JsonNode(u64),
    /// The n-th node (1-based) the XML iterator selected.
    XmlNode(u64),
    /// Byte offset of a streamed XML element.
    XmlByte(u64),
    /// A row (1-based) of a spreadsheet's sheet.
    SheetRow(u64),
    /// The n-th solution (1-based) of a SPARQL query.
    Solution(u64),
    /// The n-th row (1-based) a SQL query returned.
    #[cfg_attr(not(feature = "sql"), allow(dead_code))]
    Row(u64),
}

/// One iteration of a logical source: the values of every reference of the triples map.
pub(crate) struct Record {
    /// `values[i]`: what reference `i` selected.
    pub values: Vec<Vec<Item>>,
    /// The data file (for messages).
    pub file: String,
    /// Where the record is.
    pub location: Location,
}

impl Record {
    fn new(file: String, references: usize) -> Self {
        Self {
            values: vec![Vec::new(); references],
            file,
            location: Location::CsvByte(0),
        }
    }

    /// A data error located at this record.
    pub(crate) fn error(&self, message: String) -> RmlError {
        data_error(&self.file, self.location, message)
    }
}

/// A data error in `file` at `location`.
pub(crate) fn data_error(file: &str, location: Location, message: String) -> RmlError {
    {
        let (line, column, message) = match location {
            Location::CsvByte(b) => (crate::exec::line_at(file, b), 1, message),
            Location::JsonByte(b) => {
                let (l, c) = json::line_column_of_value(file, b);
                (l, c, message)
            }
            Location::XmlByte(b) => {
                let (l, c) = xml_stream::line_column_at(file, b);
                (l, c, message)
            }
            Location::SheetRow(n) => (n, 1, message),
            Location::Solution(n) => (0, 0, format!("{message} (in solution {n} of the query)")),
            Location::Row(n) => (0, 0, format!("{message} (in row {n} of the result)")),
            Location::JsonNode(n) | Location::XmlNode(n) => (
                0,
                0,
                format!("{message} (in node {n} selected by the iterator)"),
            ),
        };
        RmlError::Data {
            file: file.to_owned(),
            line,
            column,
            message,
        }
    }
}

/// The position of each reference among the `names` of a tabular source's columns (a sheet's
/// header, a query's variables, a table's columns); a reference that names none gives
/// `missing(reference, list)`, `list` being the names quoted and comma-separated.
pub(crate) fn column_positions<S: AsRef<str>>(
    references: &[String],
    names: &[S],
    missing: impl Fn(&str, &str) -> RmlError,
) -> Result<Vec<usize>, RmlError> {
    references
        .iter()
        .map(|r| {
            names.iter().position(|n| n.as_ref() == r).ok_or_else(|| {
                let list = names
                    .iter()
                    .map(|n| format!("\"{}\"", n.as_ref()))
                    .collect::<Vec<_>>()
                    .join(", ");
                missing(r, &list)
            })
        })
        .collect()
}

/// Checks the syntax of an iterator or reference (`what`) of a source read with
/// `formulation`; the error is the message to show. CSV column names are always valid.
pub(crate) fn check_expression(
    formulation: &ReferenceFormulation,
    what: &str,
    expr: &str,
) -> Result<(), String> {
    match formulation {
        ReferenceFormulation::Csv => Ok(()),
        ReferenceFormulation::JsonPath => json::parse(expr)
            .map(drop)
            .map_err(|e| json::invalid(what, expr, &e)),
        ReferenceFormulation::XPath { .. } => {
            xml::parse(&sxd_xpath::Factory::new(), what, expr).map(drop)
        }
        ReferenceFormulation::View(v) => view::check_reference(v, what, expr),
        ReferenceFormulation::SparqlResults if what == "iterator" => sparql::check(expr),
        ReferenceFormulation::SparqlResults
        | ReferenceFormulation::SqlTable
        | ReferenceFormulation::SqlQuery => Ok(()),
    }
}

/// Reads the logical source of `tm`, evaluating `references` on every iteration and calling
/// `each` with the record; returns the number of records.
pub(crate) fn for_each_record(
    mapping: &Mapping,
    tm: &TriplesMap,
    references: &[String],
    each: &mut dyn FnMut(&Record) -> Result<(), RmlError>,
) -> Result<u64, RmlError> {
    // `rml:null` values other than the empty cell: references selecting them select nothing.
    let nulls = tm.source.access.nulls.as_deref().filter(|n| !n.is_empty());
    let mut filtered;
    let mut without_nulls;
    let each: &mut dyn FnMut(&Record) -> Result<(), RmlError> = match nulls {
        None => each,
        Some(nulls) => {
            filtered = Record::new(String::new(), references.len());
            without_nulls = move |r: &Record| {
                filtered.file.clone_from(&r.file);
                filtered.location = r.location;
                for (to, from) in filtered.values.iter_mut().zip(&r.values) {
                    to.clear();
                    to.extend(from.iter().filter(|i| !nulls.contains(&i.text)).cloned());
                }
                each(&filtered)
            };
            &mut without_nulls
        }
    };
    match &tm.source.formulation {
        ReferenceFormulation::Csv if crate::model::is_spreadsheet(&tm.source.path) => {
            sheet::for_each_record(mapping, tm, references, each)
        }
        ReferenceFormulation::Csv => csv::for_each_record(mapping, tm, references, each),
        ReferenceFormulation::JsonPath => json::for_each_record(mapping, tm, references, each),
        ReferenceFormulation::XPath { namespaces } => {
            xml::for_each_record(mapping, tm, namespaces, references, each)
        }
        ReferenceFormulation::View(v) => view::for_each_record(mapping, tm, v, references, each),
        ReferenceFormulation::SparqlResults => {
            sparql::for_each_record(mapping, tm, references, each)
        }
        ReferenceFormulation::SqlTable | ReferenceFormulation::SqlQuery => {
            sql_records(mapping, tm, references, each)
        }
    }
}

#[cfg(feature = "sql")]
fn sql_records(
    mapping: &Mapping,
    tm: &TriplesMap,
    references: &[String],
    each: &mut dyn FnMut(&Record) -> Result<(), RmlError>,
) -> Result<u64, RmlError> {
    match &tm.source.access.kind {
        crate::model::AccessKind::Database(db) => {
            sql::for_each_record(mapping, tm, db, references, each)
        }
        crate::model::AccessKind::File => Err(crate::exec::mapping_error(
            mapping,
            tm,
            "a SQL reference formulation needs a d2rq:Database source".into(),
        )),
    }
}

#[cfg(not(feature = "sql"))]
fn sql_records(
    mapping: &Mapping,
    tm: &TriplesMap,
    _references: &[String],
    _each: &mut dyn FnMut(&Record) -> Result<(), RmlError>,
) -> Result<u64, RmlError> {
    Err(crate::exec::mapping_error(
        mapping,
        tm,
        "SQL sources are not available: factgraph-rml was built without its `sql` feature".into(),
    ))
}

/// Opens the data file of `tm` through [`access::open_reader`] (compression, encoding),
/// turning "not found" into a mapping error that says so.
pub(crate) fn open(
    mapping: &Mapping,
    tm: &TriplesMap,
    expected: &str,
) -> Result<access::SourceRead, RmlError> {
    access::open_reader(mapping, tm, expected)
}
