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
//!
//! The texts are read first ([`Quotes::new`]); the quotes are checked row by row as
//! [`super::plan`] reads each data file, so no file is read twice and none is kept whole.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use super::table::{Row, Scanner};
use super::{Problem, Report, Severity, MAX_PER_KIND};
use crate::rml::model::{Mapping, ObjectMap, TermMap, TermType, Value};
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
fn expand(t: &TermMap, header: &[String], fields: &Row<'_>) -> Option<String> {
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
        Value::Reference(r) => cell(r).map(str::to_owned),
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

/// A source's text, read once.
enum Text {
    Read { shown: String, text: String },
    Unreadable,
}

/// One quote column of one triples map, checked over the rows of its file, with what was
/// found so far: the first [`MAX_PER_KIND`] problems (the most a file can list) and how many
/// more.
struct Column {
    triples_map: usize,
    path: PathBuf,
    column: String,
    listed: Vec<Problem>,
    more: usize,
}

/// The quote checks of one mapping: the sources' texts, read before the data files, and the
/// quote columns, checked as [`super::plan`] reads each file once (no table is kept in
/// memory). Problems are listed as if each quote column were checked in turn, in the order
/// of the mapping.
pub struct Quotes {
    text_files: HashMap<String, PathBuf>,
    texts: HashMap<PathBuf, Text>,
    columns: Vec<Column>,
    /// The problems found reading the sources (texts that cannot be read).
    report: Report,
}

/// The quote columns of one file at work: (index in `columns`, column in the header,
/// derived-from term maps).
pub(crate) type FileQuotes<'m> = Vec<(usize, usize, Vec<&'m TermMap>)>;

impl Quotes {
    /// Reads the text files of the sources `m` names (through the maps that give
    /// `fg:textFile`). A text file that cannot be read leaves its quotes unchecked: a
    /// warning, or an error when `strict`.
    pub fn new(m: &Mapping, strict: bool) -> Self {
        let mut q = Self {
            text_files: HashMap::new(),
            texts: HashMap::new(),
            columns: Vec::new(),
            report: Report::default(),
        };
        let report = &mut q.report;
        for (i, tm) in m.triples_maps.iter().enumerate() {
            let Some(Value::Reference(col)) =
                objects_of(m, i, FG_TEXT_FILE).next().map(|t| &t.value)
            else {
                continue;
            };
            if tm.subject.term.term_type != TermType::Iri || !tm.source.is_plain_csv() {
                continue;
            }
            let Ok(file) = File::open(&tm.source.path) else {
                continue;
            };
            // Structural problems are left to the main checks, which report them.
            let mut scratch = Report::default();
            let mut scanner = Scanner::new(file, tm.source.path.display().to_string());
            let Some(header) = scanner.header(&mut scratch) else {
                continue;
            };
            let Some(c) = header.iter().position(|h| h == col) else {
                continue;
            };
            let dir = tm.source.path.parent().unwrap_or(Path::new("."));
            while let Some(row) = scanner.next_row(&mut scratch) {
                let (Some(iri), Some(f)) = (
                    expand(&tm.subject.term, &header, &row),
                    row.get(c).filter(|f| !f.is_empty()),
                ) else {
                    continue;
                };
                let path = dir.join(f);
                if !q.texts.contains_key(&path) {
                    let shown = path.display().to_string();
                    let text = match std::fs::read_to_string(&path) {
                        Ok(text) => Text::Read { shown, text },
                        Err(e) => {
                            report.push(Problem::new(
                                Severity::of_allowed(strict),
                                "data.source-text",
                                tm.source.path.display().to_string(),
                                row.line,
                                c as u64 + 1,
                                format!("the source's text file {shown} cannot be read, so the quotes derived from it are not checked: {e}"),
                                "a UTF-8 file holding the source's full text, relative to this CSV file",
                            ));
                            Text::Unreadable
                        }
                    };
                    q.texts.insert(path.clone(), text);
                }
                q.text_files.insert(iri, path);
            }
        }
        // Without any text to compare with, there is nothing to check.
        if !q.texts.values().any(|t| matches!(t, Text::Read { .. })) {
            return q;
        }
        // Quoted facts: each quote column of a file once, with the first map that uses it.
        let mut checked: std::collections::HashSet<(PathBuf, String)> = Default::default();
        for (i, tm) in m.triples_maps.iter().enumerate() {
            let quote_cols: Vec<&str> = objects_of(m, i, FG_QUOTE)
                .filter_map(|t| match &t.value {
                    Value::Reference(r) => Some(r.as_str()),
                    _ => None,
                })
                .collect();
            let derived = objects_of(m, i, PROV_WAS_DERIVED_FROM).count();
            if quote_cols.is_empty() || derived == 0 || !tm.source.is_plain_csv() {
                continue;
            }
            for col in quote_cols {
                if checked.insert((tm.source.path.clone(), col.to_owned())) {
                    q.columns.push(Column {
                        triples_map: i,
                        path: tm.source.path.clone(),
                        column: col.to_owned(),
                        listed: Vec::new(),
                        more: 0,
                    });
                }
            }
        }
        q
    }

    /// The quote columns to check in the file at `path`, whose header is `header`.
    pub(crate) fn for_file<'m>(
        &self,
        m: &'m Mapping,
        path: &Path,
        header: &[String],
    ) -> FileQuotes<'m> {
        self.columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.path == path)
            .filter_map(|(k, c)| {
                let at = header.iter().position(|h| *h == c.column)?;
                let derived: Vec<&TermMap> =
                    objects_of(m, c.triples_map, PROV_WAS_DERIVED_FROM).collect();
                Some((k, at, derived))
            })
            .collect()
    }

    /// Checks the quotes of one row of `file`.
    pub(crate) fn check_row(
        &mut self,
        at_work: &FileQuotes<'_>,
        header: &[String],
        row: &Row<'_>,
        file: &str,
    ) {
        for (k, c, derived) in at_work {
            let Some(quote) = row.get(*c).filter(|q| !q.is_empty()) else {
                continue;
            };
            for d in derived {
                let Some(text_file) = expand(d, header, row).and_then(|s| self.text_files.get(&s))
                else {
                    continue;
                };
                let Some(Text::Read { shown, text }) = self.texts.get(text_file) else {
                    continue;
                };
                if memchr::memmem::find(text.as_bytes(), quote.as_bytes()).is_some() {
                    continue;
                }
                let column = &mut self.columns[*k];
                if column.listed.len() >= MAX_PER_KIND {
                    column.more += 1;
                    continue;
                }
                column.listed.push(Problem::error(
                    "data.quote",
                    file,
                    row.line,
                    *c as u64 + 1,
                    format!(
                        "quote not found in {shown}: {}",
                        closest_passage(quote, text)
                    ),
                    "the exact words of the source, character for character",
                ));
            }
        }
    }

    /// Adds what was found to `report`: the sources' problems, then each quote column's in
    /// turn.
    pub fn finish(self, report: &mut Report) {
        report.append(self.report);
        for c in self.columns {
            // Listed problems first: what is past the cap of a column is past the cap of
            // its file too.
            for p in c.listed {
                report.push(p);
            }
            if c.more > 0 {
                let file = c.path.display().to_string();
                report.count_omitted(&file, "data.quote", Severity::Error, c.more);
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
