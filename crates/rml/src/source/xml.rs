//! XML logical sources: the iterator and references are XPath 1.0.
//!
//! XPath is evaluated by `sxd-xpath` over an `sxd-document` DOM: a complete XPath 1.0
//! implementation (all axes, predicates, the core function library, namespaces through a
//! context), pure Rust, MIT/Apache-2.0, with few dependencies. `xee-xpath` (XPath 3.1) was
//! the alternative: more expressive but young (0.1) and much heavier to build; RML asks for
//! XPath 1.0.
//!
//! Namespaces: prefixes declared with `rml:namespace` in the reference formulation are
//! bound in the XPath context (RML-IO); XPath 1.0 has no default namespace.
//!
//! Iterators that are plain element paths (`/people/person`) with references that stay
//! inside the element are streamed (see [`super::xml_stream`]); others load the document.

use std::io::Read as _;

use sxd_document::dom::ChildOfRoot;
use sxd_xpath::nodeset::Node;
use sxd_xpath::{Context, Factory, Value, XPath};

use super::{open, xml_stream, Item, Location, Natural, Record};
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
    let mut context = Context::new();
    for (prefix, uri) in namespaces {
        context.set_namespace(prefix, uri);
    }
    let mut record = Record::new(display.clone(), references.len());
    let mut count = 0;
    let mut file = open(mapping, tm, "an XML file")?;
    if let Some(steps) = xml_stream::streamable_steps(iterator)
        .filter(|_| references.iter().all(|r| xml_stream::is_local(r)))
    {
        xml_stream::stream(file, &display, &steps, &mut |fragment, offset| {
            count += 1;
            record.location = Location::XmlByte(offset);
            let package = sxd_document::parser::parse(fragment).map_err(|e| {
                record.error(format!(
                    "invalid XML: {e}; expected a well-formed XML element"
                ))
            })?;
            let doc = package.as_document();
            let element = doc.root().children().into_iter().find_map(|c| match c {
                ChildOfRoot::Element(e) => Some(e),
                _ => None,
            });
            if let Some(element) = element {
                fill(&mut record, &context, element.into(), &paths, references)?;
                each(&record)?;
            }
            Ok(())
        })?;
        return Ok(count);
    }
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(|e| RmlError::Data {
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
    let nodes = match iterator_path
        .evaluate(&context, doc.root())
        .map_err(|e| record.error(evaluation_message(&e, iterator)))?
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
    for node in nodes {
        count += 1;
        record.location = Location::XmlNode(count);
        fill(&mut record, &context, node, &paths, references)?;
        each(&record)?;
    }
    Ok(count)
}

fn evaluation_message(e: &sxd_xpath::ExecutionError, expr: &str) -> String {
    format!("the XPath \"{expr}\" cannot be evaluated: {e}; expected declared namespace prefixes and known functions")
}

/// Evaluates every reference with `node` as the context node.
fn fill(
    record: &mut Record,
    context: &Context<'_>,
    node: Node<'_>,
    paths: &[XPath],
    references: &[String],
) -> Result<(), RmlError> {
    for (i, (path, expr)) in paths.iter().zip(references).enumerate() {
        let value = path
            .evaluate(context, node)
            .map_err(|e| record.error(evaluation_message(&e, expr)))?;
        let values = &mut record.values[i];
        values.clear();
        match value {
            Value::Nodeset(ns) => values.extend(ns.document_order().into_iter().map(|n| Item {
                text: n.string_value(),
                natural: Natural::String,
            })),
            other => values.push(Item {
                text: other.string(),
                natural: Natural::String,
            }),
        }
    }
    Ok(())
}
