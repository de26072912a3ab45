//! What a mapping asks of its files, and the run of those checks over each file.
//!
//! From the mapping: the files it names must exist, the columns it references must be in the
//! header, literal values must be valid for the datatype the mapping declares, language maps
//! must give BCP 47 tags, IRI term maps must make absolute IRIs (RFC 3987), `schema:currency`
//! values must be ISO 4217 codes, values put into Wikidata entity IRIs must be item ids, and
//! ids and references must hold ([`super::references`]). Each file is read once, however many
//! triples maps use it.

use std::collections::HashSet;
use std::fs::File;

use super::quotes::Quotes;
use super::references::Rules;
use super::table::{Batch, Row, Scanner};
use super::values;
use super::{Problem, Report, Severity};
use crate::rml::model::{LangOrDatatype, Mapping, ObjectMap, TermMap, TermType, Value};
use crate::rml::template::{push_iri_safe, Segment, Template};

/// Rows handed at a time from the thread that scans a file to the checks.
const ROWS_PER_BATCH: usize = 1024;

/// `schema:currency`, whose values are ISO 4217 codes.
const SCHEMA_CURRENCY: &str = "http://schema.org/currency";

/// A value made from a row: a column, a template, or several columns (a join key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// One column.
    Column(String),
    /// A template over columns.
    Template(Template),
    /// Several columns (a join's key).
    Columns(Vec<String>),
}

impl Expr {
    fn compile(&self, header: &[String]) -> Option<CExpr> {
        let col = |name: &str| header.iter().position(|h| h == name);
        Some(match self {
            Self::Column(c) => CExpr::Column(col(c)?),
            Self::Template(t) => CExpr::Template(
                t.segments
                    .iter()
                    .map(|s| match s {
                        Segment::Text(t) => Some(CSeg::Text(t.clone())),
                        Segment::Reference(r) => col(r).map(CSeg::Column),
                    })
                    .collect::<Option<_>>()?,
            ),
            Self::Columns(c) => CExpr::Columns(c.iter().map(|c| col(c)).collect::<Option<_>>()?),
        })
    }
}

/// An [`Expr`] compiled against a header.
#[derive(Debug, Clone)]
enum CExpr {
    Column(usize),
    Template(Vec<CSeg>),
    Columns(Vec<usize>),
}

#[derive(Debug, Clone)]
enum CSeg {
    Text(String),
    Column(usize),
}

impl CExpr {
    /// Writes the value of the row into `out`; false when a cell it needs is empty (RML then
    /// makes no term). Template values are made IRI-safe when `iri`.
    fn eval(&self, fields: &Row<'_>, iri: bool, out: &mut String) -> bool {
        out.clear();
        let cell = |c: &usize| fields.field(*c);
        match self {
            Self::Column(c) => {
                out.push_str(cell(c));
                !out.is_empty()
            }
            Self::Template(segments) => {
                for s in segments {
                    match s {
                        CSeg::Text(t) => out.push_str(t),
                        CSeg::Column(c) => {
                            let v = cell(c);
                            if v.is_empty() {
                                return false;
                            }
                            if iri {
                                push_iri_safe(out, v);
                            } else {
                                out.push_str(v);
                            }
                        }
                    }
                }
                true
            }
            Self::Columns(cols) => {
                for (i, c) in cols.iter().enumerate() {
                    let v = cell(c);
                    if v.is_empty() {
                        return false;
                    }
                    if i > 0 {
                        out.push('\u{1F}');
                    }
                    out.push_str(v);
                }
                true
            }
        }
    }

    /// Is this an IRI template whose every expansion is a valid absolute IRI, whatever the
    /// values (so the rows need not be checked one by one)?
    ///
    /// An IRI-safe value is made of `iunreserved` characters and `%XX` only: no delimiter
    /// (`/ ? # : @ [ ]`), so it cannot change where the components of the IRI start and end,
    /// and it is valid anywhere in a path, a query or a fragment. So when the text before the
    /// first reference already holds the scheme and the whole authority, and every `%` of
    /// the text is a complete `%XX`, one expansion (with `a` for each value) that is valid
    /// means every expansion is. Otherwise (a reference in the scheme or the authority, a
    /// relative IRI …) the rows are checked one by one.
    fn iri_always_valid(&self) -> bool {
        let Self::Template(segments) = self else {
            return false;
        };
        let Some(first) = segments.iter().position(|s| matches!(s, CSeg::Column(_))) else {
            return false;
        };
        let complete_escapes = |t: &str| {
            let b = t.as_bytes();
            b.iter().enumerate().all(|(i, &c)| {
                c != b'%'
                    || (b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                        && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
            })
        };
        let mut lead = String::new();
        let mut sample = String::new();
        for (i, s) in segments.iter().enumerate() {
            match s {
                CSeg::Text(t) => {
                    if !complete_escapes(t) {
                        return false;
                    }
                    if i < first {
                        lead.push_str(t);
                    }
                    sample.push_str(t);
                }
                CSeg::Column(_) => sample.push('a'),
            }
        }
        let Some((scheme, rest)) = lead.split_once(':') else {
            return false;
        };
        let mut chars = scheme.bytes();
        if !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
        {
            return false;
        }
        if let Some(authority) = rest.strip_prefix("//") {
            if !authority.contains(['/', '?', '#']) {
                return false;
            }
        }
        values::is_absolute_iri(&sample)
    }

    /// Writes into `out` what identifies the value: the value itself, except for a template
    /// of one reference, where the raw cell stands for the IRI (the same text around it in
    /// every template of its shape, and IRI-safe encoding is one-to-one), so no encoding
    /// is needed. False when a cell it needs is empty.
    fn key(&self, fields: &Row<'_>, out: &mut String) -> bool {
        if let Self::Template(segments) = self {
            let mut cols = segments.iter().filter_map(|s| match s {
                CSeg::Column(c) => Some(*c),
                CSeg::Text(_) => None,
            });
            if let (Some(c), None) = (cols.next(), cols.next()) {
                out.clear();
                out.push_str(fields.field(c));
                return !out.is_empty();
            }
        }
        self.eval(fields, matches!(self, Self::Template(_)), out)
    }

    /// The columns the value reads, in order.
    fn columns(&self) -> Vec<usize> {
        match self {
            Self::Column(c) => vec![*c],
            Self::Template(s) => s
                .iter()
                .filter_map(|s| match s {
                    CSeg::Column(c) => Some(*c),
                    CSeg::Text(_) => None,
                })
                .collect(),
            Self::Columns(c) => c.clone(),
        }
    }
}

/// What is checked of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// A literal of this datatype (a full IRI).
    Datatype(String),
    /// A language tag (the value of a language map).
    Language,
    /// An IRI, resolved against the base when relative.
    Iri { base: Option<String> },
    /// An ISO 4217 code.
    Currency,
    /// A Wikidata item id (the raw value put into a Wikidata entity IRI).
    Wikidata,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Check {
    triples_map: usize,
    kind: Kind,
    expr: Expr,
}

/// The checks of one mapping, ready to run.
pub struct Plan<'m> {
    mapping: &'m Mapping,
    checks: Vec<Check>,
    rules: Rules,
    /// Severity of what RML itself allows (a repeated subject, a reference to no row): a
    /// warning, or an error for a curator who asked for strict checks.
    lenient: Severity,
}

impl<'m> Plan<'m> {
    /// Derives the checks from `mapping`.
    pub fn new(mapping: &'m Mapping) -> Self {
        let mut checks: Vec<Check> = Vec::new();
        for (i, tm) in mapping.triples_maps.iter().enumerate() {
            let mut add = |kind: Kind, expr: Expr| {
                let c = Check {
                    triples_map: i,
                    kind,
                    expr,
                };
                let same_file = |o: &Check| {
                    mapping.triples_maps[o.triples_map].source == tm.source
                        && o.kind == c.kind
                        && o.expr == c.expr
                };
                if !checks.iter().any(same_file) {
                    checks.push(c);
                }
            };
            term_checks(&tm.subject.term, mapping, &mut add);
            for g in &tm.subject.graphs {
                term_checks(g, mapping, &mut add);
            }
            for pom in &tm.predicate_object_maps {
                let currency = pom.predicates.iter().any(|p| {
                    matches!(&p.value, Value::Constant(oxrdf::Term::NamedNode(n)) if n.as_str() == SCHEMA_CURRENCY)
                });
                for t in pom.predicates.iter().chain(&pom.graphs) {
                    term_checks(t, mapping, &mut add);
                }
                for om in &pom.objects {
                    let ObjectMap::Term(t) = om else { continue };
                    term_checks(t, mapping, &mut add);
                    if currency && t.term_type == TermType::Literal {
                        if let Some(e) = expr_of(t) {
                            add(Kind::Currency, e);
                        }
                    }
                }
            }
        }
        Self {
            mapping,
            checks,
            rules: Rules::new(mapping),
            lenient: Severity::Warning,
        }
    }

    /// Strict checks: repeated subjects and references to no row are errors, not warnings.
    pub fn strict(mut self, strict: bool) -> Self {
        self.lenient = Severity::of_allowed(strict);
        self
    }

    /// Reads every file the mapping names and reports what is wrong into `report`.
    pub fn run(mut self, report: &mut Report) {
        let m = self.mapping;
        let mut quotes = Quotes::new(m, self.lenient == Severity::Error);
        let mapping_file = m.file.display().to_string();
        let mut pending: Vec<Pending> = Vec::new();
        let mut seen = HashSet::new();
        // Groups whose ids are not all known (a file missing or damaged): references into
        // them are not reported, since they could be false alarms.
        let mut incomplete: HashSet<usize> = HashSet::new();
        // Files read (or given up on), and the files whose rows make each group's ids.
        let mut done: HashSet<std::path::PathBuf> = HashSet::new();
        let mut group_sources: Vec<Vec<std::path::PathBuf>> =
            vec![Vec::new(); self.rules.groups.len()];
        for k in &self.rules.keys {
            if let Some(g) = k.group {
                group_sources[g].push(m.triples_maps[k.triples_map].source.path.clone());
            }
        }
        let groups_of = |source: &crate::rml::model::LogicalSource| -> Vec<usize> {
            self.rules
                .keys
                .iter()
                .filter(|k| m.triples_maps[k.triples_map].source == *source)
                .filter_map(|k| k.group)
                .collect()
        };
        for tm in &m.triples_maps {
            if !seen.insert(&tm.source.path) {
                continue;
            }
            let source = &tm.source;
            if !source.is_plain_csv() {
                // Only plain CSV files are checked here; JSON, XML, compressed, UTF-16,
                // spreadsheet, SQL and SPARQL sources (and files with their own rml:null
                // values) are left to the executor, and ids they would define are unknown
                // (no dangling-id reports).
                incomplete.extend(groups_of(source));
                done.insert(source.path.clone());
                continue;
            }
            let users: Vec<usize> = (0..m.triples_maps.len())
                .filter(|&i| m.triples_maps[i].source == *source)
                .collect();
            let at = |i: usize| {
                let t = &m.triples_maps[i];
                (t.line.unwrap_or(0), t.name.clone())
            };
            let file = source.path.display().to_string();
            let reader = match File::open(&source.path) {
                Ok(f) => f,
                Err(e) => {
                    incomplete.extend(groups_of(source));
                    let (line, name) = at(users[0]);
                    report.push(if e.kind() == std::io::ErrorKind::NotFound {
                        Problem::error(
                            "mapping.missing-file",
                            &mapping_file,
                            line,
                            0,
                            format!(
                                "the source file \"{}\" does not exist (looked for {})",
                                source.written,
                                source.path.display()
                            ),
                            format!("a CSV file (triples map {name})"),
                        )
                    } else {
                        Problem::error(
                            "file.unreadable",
                            &file,
                            0,
                            0,
                            format!("cannot be read: {e}"),
                            "",
                        )
                    });
                    continue;
                }
            };
            if source.path.is_dir() {
                incomplete.extend(groups_of(source));
                let (line, name) = at(users[0]);
                report.push(Problem::error(
                    "mapping.missing-file",
                    &mapping_file,
                    line,
                    0,
                    format!("the source \"{}\" is a directory", source.written),
                    format!("a CSV file (triples map {name})"),
                ));
                continue;
            }
            report.files += 1;
            let first_problem = report.problems.len();
            let mut scanner = Scanner::new(reader, file.clone());
            let Some(header) = scanner.header(report) else {
                incomplete.extend(groups_of(source));
                continue;
            };
            // Every column any triples map of this file references must be in the header.
            let mut missing: HashSet<&str> = HashSet::new();
            for &i in &users {
                let t = &m.triples_maps[i];
                let mut refs: Vec<&str> = Vec::new();
                collect_refs(&t.subject.term, &mut refs);
                for g in &t.subject.graphs {
                    collect_refs(g, &mut refs);
                }
                for pom in &t.predicate_object_maps {
                    for x in pom.predicates.iter().chain(&pom.graphs) {
                        collect_refs(x, &mut refs);
                    }
                    for om in &pom.objects {
                        match om {
                            ObjectMap::Term(x) => collect_refs(x, &mut refs),
                            ObjectMap::Ref(r) if !r.has_join() => {
                                collect_refs(&m.triples_maps[r.parent].subject.term, &mut refs)
                            }
                            ObjectMap::Ref(r) => {
                                for (child, _) in &r.conditions {
                                    collect_refs(child, &mut refs);
                                }
                            }
                        }
                    }
                }
                // Join conditions whose parent is this map name columns of this file too.
                for other in &m.triples_maps {
                    for pom in &other.predicate_object_maps {
                        for om in &pom.objects {
                            if let ObjectMap::Ref(r) = om {
                                if r.parent == i {
                                    for (_, parent) in &r.conditions {
                                        collect_refs(parent, &mut refs);
                                    }
                                }
                            }
                        }
                    }
                }
                let (line, name) = at(i);
                for r in refs {
                    if !header.iter().any(|h| h == r) && missing.insert(r) {
                        let available: Vec<String> =
                            header.iter().map(|h| format!("\"{h}\"")).collect();
                        report.push(Problem::error(
                            "mapping.missing-column",
                            &mapping_file,
                            line,
                            0,
                            format!(
                                "the reference \"{r}\" names no column of {}",
                                source.written
                            ),
                            format!("one of {} (triples map {name})", available.join(", ")),
                        ));
                    }
                }
            }
            // Compile what applies to this file (skipping what names a missing column).
            // (check, compiled value, its columns, IRI-safe expansion, valid whatever the
            // values)
            let checks: Vec<(Check, CExpr, Vec<usize>, bool, bool)> = self
                .checks
                .iter()
                .filter(|c| m.triples_maps[c.triples_map].source == *source)
                .filter_map(|c| {
                    let expr = c.expr.compile(&header)?;
                    let cols = expr.columns();
                    let iri =
                        matches!(c.kind, Kind::Iri { .. }) && matches!(c.expr, Expr::Template(_));
                    let always_valid = iri && expr.iri_always_valid();
                    Some((c.clone(), expr, cols, iri, always_valid))
                })
                .collect();
            let mut keys: Vec<KeyState> = self
                .rules
                .keys
                .iter()
                .filter(|k| m.triples_maps[k.triples_map].source == *source)
                .filter_map(|k| {
                    let Some(expr) = k.expr.compile(&header) else {
                        incomplete.extend(k.group);
                        return None;
                    };
                    Some((
                        k.triples_map,
                        k.group,
                        k.duplicates,
                        expr,
                        Default::default(),
                    ))
                })
                .collect();
            // (group, IRI template, compiled value, every file of the group read already)
            let refs: Vec<(usize, bool, CExpr, bool)> = self
                .rules
                .refs
                .iter()
                .filter(|r| m.triples_maps[r.triples_map].source == *source)
                .filter_map(|r| {
                    Some((
                        r.group,
                        matches!(r.expr, Expr::Template(_)),
                        r.expr.compile(&header)?,
                        group_sources[r.group].iter().all(|p| done.contains(p)),
                    ))
                })
                .collect();
            let file_quotes = quotes.for_file(m, &source.path, &header);
            let mut buf = String::new();
            // The file is scanned on its own thread, a few thousand rows ahead of the checks
            // of its rows (in batches, whose buffers come back to be reused). Its problems are
            // merged afterwards.
            let (to_check, scanned) = std::sync::mpsc::sync_channel::<Batch>(4);
            let (give_back, recycled) = std::sync::mpsc::channel::<Batch>();
            std::thread::scope(|scope| {
                let scanning = scope.spawn(move || {
                    let mut found = Report::default();
                    let mut batch = Batch::default();
                    while let Some(row) = scanner.next_row(&mut found) {
                        batch.push(&row);
                        if batch.len() >= ROWS_PER_BATCH {
                            if to_check.send(std::mem::take(&mut batch)).is_err() {
                                break;
                            }
                            if let Ok(b) = recycled.try_recv() {
                                batch = b;
                            }
                        }
                    }
                    if !batch.is_empty() {
                        let _ = to_check.send(batch);
                    }
                    (found, scanner.rows, scanner.damaged)
                });
                for mut batch in scanned {
                    for record in batch.rows() {
                        if !file_quotes.is_empty() {
                            quotes.check_row(&file_quotes, &header, &record, &file);
                        }
                        if record.ragged {
                            continue;
                        }
                        let f = &record;
                        let line = record.line;
                        let col_name = |c: usize| header.get(c).map_or("", String::as_str);
                        for (check, expr, cols, iri, always_valid) in &checks {
                            let iri = *iri;
                            if *always_valid {
                                // Only whether the template makes a term (no empty cell) matters.
                                if cols.iter().any(|&c| f.field(c).is_empty()) {
                                    continue;
                                }
                            } else {
                                if !expr.eval(f, iri, &mut buf) {
                                    continue;
                                }
                                let first = cols.first().copied().unwrap_or(0);
                                if let Some(p) = check_value(&check.kind, &buf, cols, &header) {
                                    report.push(Problem::error(
                                        p.0,
                                        &file,
                                        line,
                                        first as u64 + 1,
                                        p.1,
                                        p.2,
                                    ));
                                }
                            }
                            // Spaces around a value put into an IRI become %20: probably unintended.
                            if iri {
                                for &c in cols {
                                    let v = f.field(c);
                                    if v.trim() != v && !v.trim().is_empty() {
                                        report.push(Problem::warning(
                                    "value.spaces-in-iri",
                                    &file,
                                    line,
                                    c as u64 + 1,
                                    format!(
                                        "\"{v}\" in column \"{}\" has leading or trailing spaces, which become %20 in the IRI",
                                        col_name(c)
                                    ),
                                    "the value without surrounding spaces",
                                ));
                                    }
                                }
                            }
                        }
                        for (tm, group, duplicates, expr, seen) in &mut keys {
                            if !expr.key(f, &mut buf) {
                                continue;
                            }
                            let h = key_hash(&buf);
                            if *duplicates {
                                if let Some(first) = seen.get(&h) {
                                    expr.eval(f, matches!(expr, CExpr::Template(_)), &mut buf);
                                    let cols = expr.columns();
                                    let c = cols
                                        .iter()
                                        .copied()
                                        .find(|&c| col_name(c) == "id")
                                        .or_else(|| cols.last().copied())
                                        .unwrap_or(0);
                                    report.push(Problem::new(
                                self.lenient,
                                "data.duplicate-id",
                                &file,
                                line,
                                c as u64 + 1,
                                format!(
                                    "duplicate id: line {first} already makes <{buf}> (triples map {})",
                                    m.triples_maps[*tm].name
                                ),
                                "each row with its own id",
                            ));
                                } else {
                                    seen.insert(h, line);
                                }
                            }
                            if let Some(g) = group {
                                self.rules.groups[*g].keys.insert(h);
                            }
                        }
                        for &(group, iri, ref expr, closed) in &refs {
                            let group = &group;
                            let iri = &iri;
                            if !expr.key(f, &mut buf) {
                                continue;
                            }
                            let h = key_hash(&buf);
                            // Every file of the group read already: check now, keep nothing.
                            if closed
                                && (incomplete.contains(group)
                                    || self.rules.groups[*group].keys.contains(&h))
                            {
                                continue;
                            }
                            let cols = expr.columns();
                            expr.eval(f, *iri, &mut buf);
                            let p = Pending {
                                group: *group,
                                hash: h,
                                key: buf.clone(),
                                file: file.clone(),
                                line,
                                column: cols.first().copied().unwrap_or(0),
                                shown: cols
                                    .iter()
                                    .map(|&c| {
                                        format!("\"{}\" (column \"{}\")", f.field(c), col_name(c))
                                    })
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                iri: *iri,
                            };
                            if closed {
                                report.push(p.problem(&self.rules.groups[p.group], self.lenient));
                            } else {
                                pending.push(p);
                            }
                        }
                    }
                    batch.clear();
                    let _ = give_back.send(batch);
                }
                // The scanning thread only ends by itself; a panic there is one here.
                let (found, rows, damaged) = match scanning.join() {
                    Ok(r) => r,
                    Err(e) => std::panic::resume_unwind(e),
                };
                report.append(found);
                report.rows += rows;
                if damaged {
                    incomplete.extend(groups_of(source));
                }
            });
            done.insert(source.path.clone());
            // List this file's problems in the order of the file; on one field, the CSV
            // structure's first (the scanner found them before the row was checked).
            report.problems[first_problem..].sort_by_key(|p| {
                let structure = p.code.starts_with("csv.") || p.code == "file.unreadable";
                (p.file != file, p.line, p.column, !structure)
            });
        }
        for p in pending {
            let g = &self.rules.groups[p.group];
            if !incomplete.contains(&p.group) && !g.keys.contains(&p.hash) {
                report.push(p.problem(g, self.lenient));
            }
        }
        quotes.finish(report);
    }
}

/// A key rule at work on a file: triples map, group, report duplicates, the compiled key,
/// and the line where each key was first seen.
type KeyState = (
    usize,
    Option<usize>,
    bool,
    CExpr,
    rustc_hash::FxHashMap<u128, u64>,
);

/// A 128-bit hash of a key (SipHash-1-3, 128-bit output): sets of ids hold hashes, not
/// strings, so that their memory does not depend on the length of the ids. A false match
/// of two different keys (odds about n²/2¹²⁹) could only hide a problem, never report one
/// that is not there, except between two ids of one file (a duplicate); at 10⁷ ids the odds
/// are below 10⁻²⁴.
pub(crate) fn key_hash(key: &str) -> u128 {
    use siphasher::sip128::Hasher128;
    use std::hash::Hasher;
    let mut h = siphasher::sip128::SipHasher13::new();
    h.write(key.as_bytes());
    h.finish128().as_u128()
}

/// A reference waiting for every file to be read.
struct Pending {
    group: usize,
    /// The key's hash.
    hash: u128,
    /// The value as made (the IRI, for a template), for the message.
    key: String,
    file: String,
    line: u64,
    column: usize,
    shown: String,
    iri: bool,
}

impl Pending {
    /// The problem of a reference that names no member of `g`.
    fn problem(&self, g: &super::references::Group, severity: Severity) -> Problem {
        let what = if self.iri {
            format!(
                "{} refers to nothing: no row of {} makes <{}>",
                self.shown, g.files, self.key
            )
        } else {
            format!("{} refers to no row of {}", self.shown, g.files)
        };
        Problem::new(
            severity,
            "data.dangling-reference",
            &self.file,
            self.line,
            self.column as u64 + 1,
            what,
            g.what.clone(),
        )
    }
}

/// The value of a term map that is read from the row (not a constant, not a function's result).
fn expr_of(t: &TermMap) -> Option<Expr> {
    match &t.value {
        // Constants and function results are not read from the row: nothing to check.
        Value::Constant(_) | Value::Function(_) => None,
        Value::Reference(r) => Some(Expr::Column(r.clone())),
        Value::Template(t) => Some(Expr::Template(t.clone())),
    }
}

fn collect_refs<'a>(t: &'a TermMap, out: &mut Vec<&'a str>) {
    out.extend(t.references());
}

/// The checks a term map (and its language or datatype map) asks for.
fn term_checks(t: &TermMap, mapping: &Mapping, add: &mut dyn FnMut(Kind, Expr)) {
    let Some(expr) = expr_of(t) else { return };
    match t.term_type {
        TermType::Iri => {
            if let Value::Template(tpl) = &t.value {
                let lead = tpl.leading_text();
                if values::WIKIDATA_ENTITY.contains(&lead) && tpl.segments.len() == 2 {
                    if let Some(r) = tpl.references().next() {
                        add(Kind::Wikidata, Expr::Column(r.to_owned()));
                    }
                }
            }
            add(
                Kind::Iri {
                    base: mapping.base.clone(),
                },
                expr,
            );
        }
        TermType::BlankNode => {}
        TermType::Literal => {
            if let Some(LangOrDatatype::Constant(d)) = t.datatype.as_deref() {
                add(Kind::Datatype(d.clone()), expr);
            }
            if let Some(LangOrDatatype::Map(lm)) = t.language.as_deref() {
                if let Some(e) = expr_of(lm) {
                    add(Kind::Language, e);
                }
            }
            if let Some(LangOrDatatype::Map(dm)) = t.datatype.as_deref() {
                term_checks(dm, mapping, add);
            }
        }
    }
}

/// Checks one value; `Some((code, what is wrong, what was expected))` when it fails.
fn check_value(
    kind: &Kind,
    value: &str,
    cols: &[usize],
    header: &[String],
) -> Option<(&'static str, String, String)> {
    let from = || {
        let names: Vec<String> = cols
            .iter()
            .map(|&c| format!("\"{}\"", header.get(c).map_or("", String::as_str)))
            .collect();
        format!(
            "column{} {}",
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        )
    };
    match kind {
        Kind::Datatype(d) => match values::check_datatype(d, value) {
            Some(Err(expected)) => Some((
                "value.datatype",
                format!(
                    "\"{value}\" in {} is not a valid {}",
                    from(),
                    d.strip_prefix(values::XSD)
                        .map_or_else(|| format!("<{d}>"), |l| format!("xsd:{l}"))
                ),
                expected.to_owned(),
            )),
            _ => None,
        },
        Kind::Language => (!values::is_language_tag(value)).then(|| {
            (
                "value.language",
                format!("\"{value}\" in {} is not a BCP 47 language tag", from()),
                "a language tag such as \"fr\" or \"en-GB\"".to_owned(),
            )
        }),
        Kind::Currency => (!values::is_currency_code(value)).then(|| {
            (
                "value.currency",
                format!("\"{value}\" in {} is not an ISO 4217 currency code", from()),
                "three capital letters of ISO 4217, such as \"MAD\" or \"EUR\"".to_owned(),
            )
        }),
        Kind::Wikidata => (!values::is_wikidata_item(value)).then(|| {
            (
                "value.wikidata",
                format!("\"{value}\" in {} is not a Wikidata item id", from()),
                "\"Q\" followed by digits, such as \"Q1028\" (leave it empty when unknown)"
                    .to_owned(),
            )
        }),
        Kind::Iri { base } => {
            if values::is_absolute_iri(value) {
                return None;
            }
            match base {
                None => Some((
                    "value.relative-iri",
                    format!(
                        "<{value}> is a relative IRI and the mapping has no base IRI (made from {})",
                        from()
                    ),
                    "an absolute IRI (or give --base IRI, or @base in the mapping)".to_owned(),
                )),
                Some(b) if values::is_absolute_iri(&format!("{b}{value}")) => None,
                Some(b) => Some((
                    "value.iri",
                    format!(
                        "<{b}{value}> made from {} is not a valid IRI (RFC 3987)",
                        from()
                    ),
                    "values that make a valid IRI".to_owned(),
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut never says "always valid" of a template that some value makes invalid.
    #[test]
    fn iri_always_valid_holds_for_every_value() {
        let header: Vec<String> = vec!["a".into(), "b".into()];
        let values = [
            "x", "1", "é", "a b", "%", "%zz", "a/b", "a:b", "[x]", "?q", "#f", "@", "\u{FFFE}",
            "\u{E000}", "😀", "-", "~", "..", "\u{7F}", "a\"b", "<>", " ",
        ];
        let cases = [
            ("http://ex.com/{a}", true),
            ("https://w3id.org/factgraph/id/{a}/{b}", true),
            ("https://w3id.org/factgraph/ns#{a}", true),
            ("http://ex.com/x?q={a}&r={b}", true),
            ("urn:x:{a}", true),
            ("mailto:{a}", true),
            ("{a}", false),
            ("{a}:x", false),
            ("http://{a}/x", false),
            ("http://ex.com:{a}/", false),
            ("http://ex.com/%{a}", false),
            ("x/{a}", false),
            ("http://ex.com/[{a}]", false),
        ];
        for (template, expected) in cases {
            let t = Template::parse(template).unwrap();
            let c = Expr::Template(t).compile(&header).unwrap();
            assert_eq!(c.iri_always_valid(), expected, "{template}");
            if !expected {
                continue;
            }
            for a in values {
                for b in values {
                    let text = format!("{a},{b}\n");
                    let mut report = Report::default();
                    let mut s = Scanner::new(text.as_bytes(), "t.csv");
                    let row = s.next_row(&mut report).unwrap();
                    let mut out = String::new();
                    if c.eval(&row, true, &mut out) {
                        assert!(values::is_absolute_iri(&out), "{template} {out}");
                    }
                }
            }
        }
    }
}
