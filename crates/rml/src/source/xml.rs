//! XML logical sources: the iterator and references are XPath 1.0.
//!
//! XPath is evaluated by `sxd-xpath` over an `sxd-document` DOM: a complete XPath 1.0
//! implementation (all axes, predicates, the core function library, namespaces through a
//! context), pure Rust, MIT/Apache-2.0, with few dependencies. `xee-xpath` (XPath 3.1) was
//! the alternative: more expressive but young (0.1) and much heavier to build; RML asks for
//! XPath 1.0. The document is loaded whole (no streaming for XML yet).
//!
//! Namespaces: prefixes declared with `rml:namespace` in the reference formulation are
//! bound in the XPath context (RML-IO); XPath 1.0 has no default namespace.

use std::io::Read as _;

use sxd_xpath::{Context, Factory, Value, XPath};

use super::{open, Item, Location, Natural, Record};
use crate::error::RmlError;
use crate::exec::mapping_error;
use crate::model::{Mapping, TriplesMap};

/// Compiles an XPath of the mapping, naming the mapping line on error.
fn compile(
    factory: &Factory,
    mapping: &Mapping,
    tm: &TriplesMap,
    what: &str,
    expr: &str,
) -> Result<XPath, RmlError> {
    parse(factory, what, expr).map_err(|message| mapping_error(mapping, tm, message))
}

/// Parses an XPath 1.0 expression; the error is the message to show.
pub(crate) fn parse(factory: &Factory, what: &str, expr: &str) -> Result<XPath, String> {
    match factory.build(expr) {
        Ok(Some(x)) => Ok(x),
        Ok(None) => Err(format!(
            "the {what} is an empty XPath; expected e.g. \"/root/item\" or \"name\""
        )),
        Err(e) => Err(format!(
            "the {what} \"{expr}\" is not a valid XPath 1.0 expression: {e}"
        )),
    }
}

/// The line and column (1-based) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (u64, u64) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() as u64 + 1;
    let column = before
        .rsplit_once('\n')
        .map_or(before, |(_, l)| l)
        .chars()
        .count() as u64
        + 1;
    (line, column)
}

/// See [`super::for_each_record`].
pub(crate) fn for_each_record(
    mapping: &Mapping,
    tm: &TriplesMap,
    namespaces: &[(String, String)],
    references: &[String],
    each: &mut dyn FnMut(&Record) -> Result<(), RmlError>,
) -> Result<u64, RmlError> {
    let factory = Factory::new();
    let iterator = tm.source.iterator.as_deref().unwrap_or("/");
    let iterator_path = compile(&factory, mapping, tm, "iterator", iterator)?;
    let paths = references
        .iter()
        .map(|r| compile(&factory, mapping, tm, "reference", r))
        .collect::<Result<Vec<_>, _>>()?;
    let display = tm.source.path.display().to_string();
    let mut text = String::new();
    open(mapping, tm, "an XML file")?
        .read_to_string(&mut text)
        .map_err(|e| RmlError::Data {
            file: display.clone(),
            line: 1,
            column: 1,
            message: format!("read error: {e}; expected UTF-8 XML"),
        })?;
    let package = sxd_document::parser::parse(&text).map_err(|e| {
        let (line, column) = line_column(&text, e.location());
        RmlError::Data {
            file: display.clone(),
            line,
            column,
            message: format!("invalid XML: {e}; expected a well-formed XML document"),
        }
    })?;
    let doc = package.as_document();
    let mut context = Context::new();
    for (prefix, uri) in namespaces {
        context.set_namespace(prefix, uri);
    }
    let evaluation_error = |e: sxd_xpath::ExecutionError, expr: &str, n: u64| {
        RmlError::Data {
        file: display.clone(),
        line: 0,
        column: 0,
        message: format!("the XPath \"{expr}\" cannot be evaluated (node {n}): {e}; expected a declared namespace prefix and known functions"),
    }
    };
    let nodes = match iterator_path
        .evaluate(&context, doc.root())
        .map_err(|e| evaluation_error(e, iterator, 0))?
    {
        Value::Nodeset(ns) => ns.document_order(),
        _ => {
            return Err(mapping_error(
                mapping,
                tm,
                format!("the iterator \"{iterator}\" does not select nodes; expected a location path such as \"/root/item\""),
            ))
        }
    };
    let mut record = Record::new(display.clone(), references.len());
    let mut count = 0;
    for node in nodes {
        count += 1;
        record.location = Location::XmlNode(count);
        for ((values, path), expr) in record.values.iter_mut().zip(&paths).zip(references) {
            values.clear();
            let value = path
                .evaluate(&context, node)
                .map_err(|e| evaluation_error(e, expr, count))?;
            match value {
                Value::Nodeset(ns) => {
                    values.extend(ns.document_order().into_iter().map(|n| Item {
                        text: n.string_value(),
                        natural: Natural::String,
                    }))
                }
                other => values.push(Item {
                    text: other.string(),
                    natural: Natural::String,
                }),
            }
        }
        each(&record)?;
    }
    Ok(count)
}
