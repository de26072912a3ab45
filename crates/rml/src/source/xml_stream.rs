//! Streaming of XML sources whose iterator is a plain absolute path (`/people/person`).
//!
//! `quick-xml` reads the file event by event; each element the path selects is copied out as
//! a small document of its own (with the namespace declarations in scope at that point) and
//! handed to the XPath evaluator, so memory holds one element at a time. This is only done
//! when the result cannot differ from evaluating over the whole document: the iterator's
//! steps are unprefixed element names (matching elements in no namespace, as XPath 1.0 does),
//! and every reference stays inside the element (no absolute paths, `..` or axes).

use std::collections::BTreeMap;
use std::io::BufReader;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, ResolveResult};
use quick_xml::{NsReader, Writer};

use crate::error::RmlError;

/// The element names of a streamable iterator, or `None`.
pub(crate) fn streamable_steps(iterator: &str) -> Option<Vec<String>> {
    let path = iterator.trim().strip_prefix('/')?;
    let steps: Vec<String> = path.split('/').map(str::to_owned).collect();
    steps.iter().all(|s| is_ncname(s)).then_some(steps)
}

fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Does the reference only look inside the context element?
pub(crate) fn is_local(reference: &str) -> bool {
    if reference.contains("..") || reference.contains("::") || reference.contains("//") {
        return false;
    }
    // A `/` that starts a path (not one between two steps) is absolute.
    let mut previous: Option<char> = None;
    for c in reference.chars() {
        if c == '/'
            && previous.is_none_or(|p| {
                !(p.is_alphanumeric() || matches!(p, '_' | '-' | '.' | '*' | ')' | ']'))
            })
        {
            return false;
        }
        if !c.is_whitespace() {
            previous = Some(c);
        } else {
            previous = Some(' ');
        }
    }
    true
}

/// Line and column (1-based) of byte `offset` of `file`; only called to report an error.
pub(crate) fn line_column_at(file: &str, offset: u64) -> (u64, u64) {
    use std::io::Read as _;
    let Ok(f) = super::access::reopen(file) else {
        return (0, 0);
    };
    let mut bytes = Vec::new();
    if f.take(offset).read_to_end(&mut bytes).is_err() {
        return (0, 0);
    }
    let text = String::from_utf8_lossy(&bytes);
    let line = text.matches('\n').count() as u64 + 1;
    let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    (line, column)
}

/// Reads `file`, calling `each` with every element the steps select, as a standalone XML
/// document, and the byte offset where the element starts.
pub(crate) fn stream(
    file: super::access::SourceRead,
    display: &str,
    steps: &[String],
    each: &mut dyn FnMut(&str, u64) -> Result<(), RmlError>,
) -> Result<(), RmlError> {
    let mut reader = NsReader::from_reader(BufReader::with_capacity(1 << 16, file));
    let mut buf = Vec::new();
    let mut depth = 0usize;
    // How many leading steps the current path matches.
    let mut matched = 0usize;
    // The element being copied: its writer, its depth, where it started.
    let mut capture: Option<(Writer<Vec<u8>>, usize, u64)> = None;
    let xml_error = |reader: &NsReader<BufReader<super::access::SourceRead>>,
                     e: &dyn std::fmt::Display| {
        let (line, column) = line_column_at(display, reader.error_position());
        RmlError::Data {
            file: display.to_owned(),
            line,
            column,
            message: format!("invalid XML: {e}; expected a well-formed XML document"),
        }
    };
    loop {
        let start_offset = reader.buffer_position();
        let (ns, event) = match reader.read_resolved_event_into(&mut buf) {
            Ok(r) => r,
            Err(e) => {
                let e = e.to_string();
                return Err(xml_error(&reader, &e));
            }
        };
        let unbound = matches!(ns, ResolveResult::Unbound);
        let write = |capture: &mut Option<(Writer<Vec<u8>>, usize, u64)>, event: Event<'_>| {
            if let Some((w, _, _)) = capture {
                // Writing into a Vec cannot fail.
                let _ = w.write_event(event);
            }
        };
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                depth += 1;
                if capture.is_some() {
                    write(&mut capture, Event::Start(e));
                } else if matched == depth - 1
                    && depth <= steps.len()
                    && unbound
                    && e.local_name().as_ref() == steps[depth - 1].as_bytes()
                {
                    matched = depth;
                    if depth == steps.len() {
                        let start = with_scope(&reader, &e);
                        let mut w = Writer::new(Vec::new());
                        let _ = w.write_event(Event::Start(start));
                        capture = Some((w, depth, start_offset));
                    }
                }
            }
            Event::Empty(e) => {
                if capture.is_some() {
                    write(&mut capture, Event::Empty(e));
                } else if matched == depth
                    && depth + 1 == steps.len()
                    && unbound
                    && e.local_name().as_ref() == steps[depth].as_bytes()
                {
                    let start = with_scope(&reader, &e);
                    let mut w = Writer::new(Vec::new());
                    let _ = w.write_event(Event::Empty(start));
                    emit(w.into_inner(), display, start_offset, each)?;
                }
            }
            Event::End(e) => {
                let done = matches!(&capture, Some((_, d, _)) if *d == depth);
                write(&mut capture, Event::End(e));
                if done {
                    if let Some((w, _, offset)) = capture.take() {
                        emit(w.into_inner(), display, offset, each)?;
                    }
                }
                depth = depth.saturating_sub(1);
                matched = matched.min(depth);
            }
            Event::Decl(_) | Event::DocType(_) => {}
            other => write(&mut capture, other),
        }
        buf.clear();
    }
    Ok(())
}

fn emit(
    bytes: Vec<u8>,
    display: &str,
    offset: u64,
    each: &mut dyn FnMut(&str, u64) -> Result<(), RmlError>,
) -> Result<(), RmlError> {
    match String::from_utf8(bytes) {
        Ok(text) => each(&text, offset),
        Err(e) => {
            let (line, column) = line_column_at(display, offset);
            Err(RmlError::Data {
                file: display.to_owned(),
                line,
                column,
                message: format!("invalid UTF-8 in the element: {e}; expected UTF-8 XML"),
            })
        }
    }
}

/// The start tag with the namespace declarations in scope added (those it does not make
/// itself), so that the copied element means what it meant in the document.
fn with_scope<'a>(
    reader: &NsReader<BufReader<super::access::SourceRead>>,
    e: &BytesStart<'a>,
) -> BytesStart<'a> {
    let mut start = e.clone();
    let declared: Vec<Vec<u8>> = e
        .attributes()
        .flatten()
        .map(|a| a.key.as_ref().to_vec())
        .collect();
    let mut scope: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    for (prefix, ns) in reader.prefixes() {
        let key = match prefix {
            PrefixDeclaration::Default => b"xmlns".to_vec(),
            PrefixDeclaration::Named(p) => [b"xmlns:".as_slice(), p].concat(),
        };
        scope.insert(key, ns.as_ref().to_vec());
    }
    for (key, value) in scope {
        if !declared.contains(&key) {
            start.push_attribute((key.as_slice(), value.as_slice()));
        }
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_stream() {
        assert_eq!(
            streamable_steps("/a/b"),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        for not in ["/a//b", "//b", "/a/b[1]", "/a/x:b", "a/b", "/a/*", "/a/@id"] {
            assert_eq!(streamable_steps(not), None, "{not}");
        }
    }

    #[test]
    fn local_references() {
        for r in [
            "name",
            "@id",
            "a/b/text()",
            "count(alias)",
            "concat(a, '-', b)",
        ] {
            assert!(is_local(r), "{r}");
        }
        for r in ["/a/b", "../x", "ancestor::a", "count(//x)", "concat(a, /b)"] {
            assert!(!is_local(r), "{r}");
        }
    }
}
