//! Quotes against their sources: every `fg:quote` value must be the exact words of the source
//! the fact is derived from.
//!
//! What a quote is and where a source's text lives are said once, in the mapping, with the
//! ontology's terms, so a user's own dataset gets the same check as the bundled one:
//!
//! - a triples map whose predicate-object maps give `fg:quote` (a reference to a column) and
//!   `prov:wasDerivedFrom` (a template, reference or constant IRI) makes quoted facts;
//! - a triples map whose subjects are those sources and which gives `fg:textFile` (a reference
//!   to a column) says where each source's full text is: a UTF-8 file, relative to the CSV
//!   file that names it.
//!
//! Only CSV sources are read here (the checks of JSON and XML sources are the engine's).
//!
//! A quote that is not a verbatim substring of its source's text is an error,
//! `FILE:LINE:COLUMN: quote not found in <text file>`, with the closest passage as a hint.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use super::table::Scanner;
use super::{Problem, Report, Severity};
use crate::rml::model::{Mapping, ObjectMap, ReferenceFormulation, TermMap, TermType, Value};
use crate::rml::template::{push_iri_safe, Segment};

/// `fg:quote`: the exact words of the source that support a fact.
pub const FG_QUOTE: &str = "https://w3id.org/factgraph/ns#quote";
/// `fg:textFile`: the file holding a source's full text.
pub const FG_TEXT_FILE: &str = "https://w3id.org/factgraph/ns#textFile";
/// `prov:wasDerivedFrom`: the source a fact comes from.
pub const PROV_WAS_DERIVED_FROM: &str = "http://www.w3.org/ns/prov#wasDerivedFrom";

/// The term maps of `tm`'s predicate-object maps whose predicate is the constant `predicate`.
fn objects_of<'a>(
    m: &'a Mapping,
    tm: usize,
    predicate: &'a str,
) -> impl Iterator<Item = &'a TermMap> + 'a {
    m.triples_maps[tm]
        .predicate_object_maps
        .iter()
        .filter(move |pom| {
            pom.predicates.iter().any(|p| {
                matches!(&p.value, Value::Constant(oxrdf::Term::NamedNode(n)) if n.as_str() == predicate)
            })
        })
        .flat_map(|pom| pom.objects.iter())
        .filter_map(|o| match o {
            ObjectMap::Term(t) => Some(t),
            ObjectMap::Ref(_) => None,
        })
}

/// The value of an IRI-valued term map for one row, or None when a referenced cell is empty.
fn expand(t: &TermMap, header: &[String], fields: &[String]) -> Option<String> {
    let cell = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .and_then(|i| fields.get(i))
            .filter(|v| !v.is_empty())
    };
    match &t.value {
        Value::Constant(c) => match c {
            oxrdf::Term::NamedNode(n) => Some(n.as_str().to_owned()),
            _ => None,
        },
        Value::Reference(r) => cell(r).cloned(),
        // What a function returns is only known when mapping.
        Value::Function(_) => None,
        Value::Template(tpl) => {
            let mut out = String::new();
            for s in &tpl.segments {
                match s {
                    Segment::Text(x) => out.push_str(x),
                    Segment::Reference(r) => push_iri_safe(&mut out, cell(r)?),
                }
            }
            Some(out)
        }
    }
}

/// A CSV file read whole: its header, and its records with the line each starts on.
type Table = (Vec<String>, Vec<(u64, Vec<String>)>);

/// Reads a CSV file whole, as the scanner sees it: header and records with their lines.
/// Structural problems are left to the main checks, which report them.
fn read_table(path: &Path) -> Option<Table> {
    let file = File::open(path).ok()?;
    let mut scratch = Report::default();
    let mut scanner = Scanner::new(file, path.display().to_string());
    let header = scanner.header(&mut scratch)?;
    let mut rows = Vec::new();
    while let Some(r) = scanner.next_record(&mut scratch) {
        rows.push((r.line, r.fields));
    }
    Some((header, rows))
}

/// A source's text, read once.
enum Text {
    Read { shown: String, text: String },
    Unreadable,
}

/// Checks the quotes of `m` against the texts of their sources. A text file that cannot be
/// read leaves its quotes unchecked: a warning, or an error when `strict`.
pub fn check(m: &Mapping, strict: bool, report: &mut Report) {
    // Sources: subject IRI → text file, from the maps that give fg:textFile.
    let mut text_files: HashMap<String, PathBuf> = HashMap::new();
    let mut texts: HashMap<PathBuf, Text> = HashMap::new();
    let mut tables: HashMap<PathBuf, Option<Table>> = HashMap::new();
    for (i, tm) in m.triples_maps.iter().enumerate() {
        let Some(Value::Reference(col)) = objects_of(m, i, FG_TEXT_FILE).next().map(|t| &t.value)
        else {
            continue;
        };
        if tm.subject.term.term_type != TermType::Iri
            || tm.source.formulation != ReferenceFormulation::Csv
        {
            continue;
        }
        let table = tables
            .entry(tm.source.path.clone())
            .or_insert_with(|| read_table(&tm.source.path));
        let Some((header, rows)) = table else {
            continue;
        };
        let Some(c) = header.iter().position(|h| h == col) else {
            continue;
        };
        let dir = tm.source.path.parent().unwrap_or(Path::new("."));
        for (line, fields) in rows.iter() {
            let (Some(iri), Some(f)) = (
                expand(&tm.subject.term, header, fields),
                fields.get(c).filter(|f| !f.is_empty()),
            ) else {
                continue;
            };
            let path = dir.join(f);
            if !texts.contains_key(&path) {
                let shown = path.display().to_string();
                let text = match std::fs::read_to_string(&path) {
                    Ok(text) => Text::Read { shown, text },
                    Err(e) => {
                        let severity = if strict {
                            Severity::Error
                        } else {
                            Severity::Warning
                        };
                        report.push(Problem::new(
                            severity,
                            "data.source-text",
                            tm.source.path.display().to_string(),
                            *line,
                            c as u64 + 1,
                            format!("the source's text file {shown} cannot be read, so the quotes derived from it are not checked: {e}"),
                            "a UTF-8 file holding the source's full text, relative to this CSV file",
                        ));
                        Text::Unreadable
                    }
                };
                texts.insert(path.clone(), text);
            }
            text_files.insert(iri, path);
        }
    }
    if text_files.is_empty() {
        return;
    }
    // Quoted facts.
    let mut checked: std::collections::HashSet<(PathBuf, String)> = Default::default();
    for (i, tm) in m.triples_maps.iter().enumerate() {
        let quote_cols: Vec<&str> = objects_of(m, i, FG_QUOTE)
            .filter_map(|t| match &t.value {
                Value::Reference(r) => Some(r.as_str()),
                _ => None,
            })
            .collect();
        let derived: Vec<&TermMap> = objects_of(m, i, PROV_WAS_DERIVED_FROM).collect();
        if quote_cols.is_empty()
            || derived.is_empty()
            || tm.source.formulation != ReferenceFormulation::Csv
        {
            continue;
        }
        let table = tables
            .entry(tm.source.path.clone())
            .or_insert_with(|| read_table(&tm.source.path));
        let Some((header, rows)) = table else {
            continue;
        };
        let file = tm.source.path.display().to_string();
        for col in quote_cols {
            let Some(c) = header.iter().position(|h| h == col) else {
                continue;
            };
            // Two triples maps over one file with the same quote column check it once.
            if !checked.insert((tm.source.path.clone(), col.to_owned())) {
                continue;
            }
            for (line, fields) in rows.iter() {
                let Some(quote) = fields.get(c).filter(|q| !q.is_empty()) else {
                    continue;
                };
                for d in &derived {
                    let Some(text_file) =
                        expand(d, header, fields).and_then(|s| text_files.get(&s))
                    else {
                        continue;
                    };
                    let Some(Text::Read { shown, text }) = texts.get(text_file) else {
                        continue;
                    };
                    if text.contains(quote.as_str()) {
                        continue;
                    }
                    report.push(Problem::error(
                        "data.quote",
                        &file,
                        *line,
                        c as u64 + 1,
                        format!(
                            "quote not found in {shown}: {}",
                            closest_passage(quote, text)
                        ),
                        "the exact words of the source, character for character",
                    ));
                }
            }
        }
    }
}

/// The largest `k <= max` for which `piece(k)` occurs in `text`, and where (a piece of size k
/// contains every smaller one, so the search halves).
fn longest_found<'q>(
    text: &str,
    max: usize,
    piece: impl Fn(usize) -> &'q str,
) -> (usize, Option<usize>) {
    let (mut lo, mut hi, mut at) = (0usize, max, text.find(piece(0)));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        match text.find(piece(mid)) {
            Some(p) => {
                lo = mid;
                at = Some(p);
            }
            None => hi = mid - 1,
        }
    }
    (lo, at.filter(|_| lo > 0))
}

/// Where `quote` parts from `text`: anchored on the longest start (or end) of the quote that
/// the text holds, the words around the first difference, from the source and from the quote.
pub fn closest_passage(quote: &str, text: &str) -> String {
    const CONTEXT: usize = 40;
    let q: Vec<(usize, char)> = quote.char_indices().collect();
    let byte_at = |k: usize| q.get(k).map_or(quote.len(), |(b, _)| *b);
    let prefix = |k: usize| &quote[..byte_at(k)];
    let suffix = |k: usize| &quote[byte_at(q.len() - k)..];
    let (p_len, p_at) = longest_found(text, q.len(), prefix);
    let (s_len, s_at) = longest_found(text, q.len(), suffix);
    let first = |s: &str| -> String {
        let mut out: String = s.chars().take(CONTEXT).collect();
        if s.chars().nth(CONTEXT).is_some() {
            out.push('…');
        }
        out.replace('\n', " ")
    };
    let last = |s: &str| -> String {
        let chars: Vec<char> = s.chars().collect();
        let mut out: String = chars[chars.len().saturating_sub(CONTEXT)..]
            .iter()
            .collect();
        if chars.len() > CONTEXT {
            out.insert(0, '…');
        }
        out.replace('\n', " ")
    };
    match (p_at, s_at) {
        (Some(p), _) if p_len >= s_len => {
            let matched = prefix(p_len);
            format!(
                "it matches the source up to \"{}\", where the source goes on \"{}\" and the quote \"{}\"",
                last(matched),
                first(&text[p + matched.len()..]),
                first(&quote[matched.len()..])
            )
        }
        (_, Some(s)) => {
            let matched = suffix(s_len);
            format!(
                "it matches the source from \"{}\" on, where the source has before it \"{}\" and the quote \"{}\"",
                first(matched),
                last(&text[..s]),
                last(&quote[..quote.len() - matched.len()])
            )
        }
        _ => "no passage of the source starts or ends like it".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::closest_passage;

    #[test]
    fn the_hint_shows_where_the_quote_parts_from_the_source() {
        let text = "Le Maroc et Inetum ont signé, lundi à Rabat, un mémorandum d'entente.";
        assert_eq!(
            closest_passage("ont signé, mardi à Rabat", text),
            "it matches the source up to \"ont signé, \", where the source goes on \"lundi à Rabat, un mémorandum d'entente.\" and the quote \"mardi à Rabat\""
        );
        // A changed first word: anchored on the end.
        assert_eq!(
            closest_passage("Les Maroc et Inetum", text),
            "it matches the source from \" Maroc et Inetum\" on, where the source has before it \"Le\" and the quote \"Les\""
        );
        assert_eq!(
            closest_passage("zzz", text),
            "no passage of the source starts or ends like it"
        );
    }
}
