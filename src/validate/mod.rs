//! Input checks: every problem of the CSV files and the mapping found in one run, each reported
//! like a compiler would, as `FILE:LINE:COLUMN: what is wrong; what was expected`.
//!
//! The checks are derived from the mapping, so they apply to any data directory, not only to
//! the bundled one:
//!
//! - [`table`]: CSV structure (unterminated quotes, ragged rows, invalid UTF-8, empty files,
//!   empty or duplicated header names);
//! - [`plan`]: what the mapping asks of each file (columns it references, files it names,
//!   datatypes, language maps, IRIs, currencies, Wikidata ids);
//! - [`values`]: the value checks themselves (XML Schema datatypes through `oxsdatatypes`,
//!   BCP 47 through `oxilangtag`, RFC 3987 through `iri-string`, ISO 4217, Wikidata ids);
//! - [`quotes`]: every `fg:quote` is the exact words of the text of its source;
//! - [`references`]: duplicate ids and references to ids that do not exist, derived from the
//!   mapping's joins and from IRI templates that match the subject template of a typed map.
//!
//! ```no_run
//! use factgraph::validate;
//! use factgraph::rml::ParseOptions;
//! let (mappings, report) = validate::check_dir("data".as_ref(), None, &ParseOptions::default(), false)?;
//! for problem in &report.problems {
//!     eprintln!("{problem}");
//! }
//! println!("{}", report.summary());
//! # Ok::<_, factgraph::project::ProjectError>(())
//! ```

pub mod plan;
pub mod quotes;
pub mod references;
pub mod table;
pub mod values;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::project::{self, ProjectError};
use crate::rml::{self, Mapping, ParseOptions, RmlError};

/// How serious a problem is: errors make `validate` (and `load`, `map`) fail, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input is wrong: nothing is loaded or mapped.
    Error,
    /// Probably a mistake, but the input maps.
    Warning,
}

impl Severity {
    /// The severity of what RML allows but a curator may not want (a repeated subject, a
    /// reference to no row, an unknown class on a mapping node): an error when `strict`.
    pub fn of_allowed(strict: bool) -> Self {
        if strict {
            Self::Error
        } else {
            Self::Warning
        }
    }
}

/// One problem, located in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// A stable identifier of the kind of problem (`csv.ragged-row`, `value.datatype` …).
    pub code: &'static str,
    /// The file concerned, as the user named it.
    pub file: String,
    /// Line (1-based); 0 when the problem concerns the whole file.
    pub line: u64,
    /// Column: the 1-based field number in a CSV file, the character in a mapping; 0 when unknown.
    pub column: u64,
    /// What is wrong.
    pub message: String,
    /// What was expected, when that can be said.
    pub expected: Option<String>,
}

impl Problem {
    /// A problem of the given severity.
    pub fn new(
        severity: Severity,
        code: &'static str,
        file: impl Into<String>,
        line: u64,
        column: u64,
        message: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Self {
            severity,
            code,
            file: file.into(),
            line,
            column,
            message: message.into(),
            expected: Some(expected.into()).filter(|e: &String| !e.is_empty()),
        }
    }

    /// An error.
    pub fn error(
        code: &'static str,
        file: impl Into<String>,
        line: u64,
        column: u64,
        message: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Error, code, file, line, column, message, expected)
    }

    /// A warning.
    pub fn warning(
        code: &'static str,
        file: impl Into<String>,
        line: u64,
        column: u64,
        message: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Self::new(
            Severity::Warning,
            code,
            file,
            line,
            column,
            message,
            expected,
        )
    }

    /// The problem an RML error stands for (a mapping that does not parse, a file that
    /// cannot be read …).
    pub fn from_rml(e: &RmlError) -> Self {
        match e {
            RmlError::Syntax {
                file,
                line,
                column,
                message,
            } => Self::error(
                "mapping.syntax",
                file,
                *line,
                *column,
                format!("invalid Turtle: {message}"),
                "",
            ),
            RmlError::Mapping {
                file,
                line,
                triples_map,
                message,
            } => {
                // The same text as the error's own display.
                let (what, expected) = split_expected(message);
                let (what, expected) = match (triples_map, expected) {
                    (Some(t), "") => (format!("{what} (triples map {t})"), String::new()),
                    (Some(t), e) => (what.to_owned(), format!("{e} (triples map {t})")),
                    (None, e) => (what.to_owned(), e.to_owned()),
                };
                Self::error(
                    "mapping.invalid",
                    file,
                    line.unwrap_or(0),
                    0,
                    what,
                    expected,
                )
            }
            RmlError::Data {
                file,
                line,
                column,
                message,
            } => {
                let (what, expected) = split_expected(message);
                Self::error("data.invalid", file, *line, *column, what, expected)
            }
            RmlError::Io { path, source } => Self::error(
                "file.unreadable",
                path.display().to_string(),
                0,
                0,
                format!("cannot be read: {source}"),
                "",
            ),
            RmlError::Sink(e) => Self::error("internal", "", 0, 0, e.to_string(), ""),
        }
    }
}

/// Splits `"what is wrong; expected X"` into its two halves.
fn split_expected(message: &str) -> (&str, &str) {
    match message.split_once("; expected ") {
        Some((what, expected)) => (what, expected),
        None => (message, ""),
    }
}

impl fmt::Display for Problem {
    /// `FILE:LINE:COLUMN: [warning: ]what is wrong; expected what was expected` (the line and
    /// column are left out where there is none).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.file.is_empty() {
            write!(f, "{}:", self.file)?;
        }
        if self.line > 0 {
            write!(f, "{}:", self.line)?;
            if self.column > 0 {
                write!(f, "{}:", self.column)?;
            }
        }
        if !self.file.is_empty() || self.line > 0 {
            f.write_str(" ")?;
        }
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(e) = &self.expected {
            write!(f, "; expected {e}")?;
        }
        Ok(())
    }
}

/// How many errors of one kind are reported per file before the rest are only counted.
pub const MAX_PER_KIND: usize = 50;

/// How many warnings of one kind are reported per file before the rest are only counted:
/// the first few lines, enough to find the pattern.
pub const MAX_WARNINGS_PER_KIND: usize = 5;

/// Every problem of a run, in the order found, with what was checked.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Report {
    /// The problems (at most [`MAX_PER_KIND`] of one kind per file).
    pub problems: Vec<Problem>,
    /// Files read.
    pub files: usize,
    /// Data rows read.
    pub rows: u64,
    /// Problems not listed because their kind already had [`MAX_PER_KIND`] in the file.
    pub omitted: u64,
    #[serde(skip)]
    per_kind: HashMap<(String, &'static str), usize>,
    #[serde(skip)]
    omitted_errors: usize,
}

impl Report {
    /// Adds a problem (or only counts it, past [`MAX_PER_KIND`] of its kind in its file).
    pub fn push(&mut self, p: Problem) {
        let n = self.per_kind.entry((p.file.clone(), p.code)).or_insert(0);
        *n += 1;
        let max = match p.severity {
            Severity::Error => MAX_PER_KIND,
            Severity::Warning => MAX_WARNINGS_PER_KIND,
        };
        if *n > max {
            self.omitted += 1;
            if p.severity == Severity::Error {
                self.omitted_errors += 1;
            }
            return;
        }
        self.problems.push(p);
    }

    /// Adds the problems of `other` (found apart, e.g. on another thread) after those of
    /// `self`, each kind of each file still capped.
    pub fn append(&mut self, other: Report) {
        let mut unlisted = other.per_kind;
        for p in other.problems {
            if let Some(n) = unlisted.get_mut(&(p.file.clone(), p.code)) {
                *n -= 1;
            }
            self.push(p);
        }
        for (kind, n) in unlisted {
            *self.per_kind.entry(kind).or_insert(0) += n;
        }
        self.omitted += other.omitted;
        self.omitted_errors += other.omitted_errors;
        self.files += other.files;
        self.rows += other.rows;
    }

    /// Counts `n` problems of the given severity that are not listed (already past the cap
    /// of their kind).
    pub fn count_omitted(&mut self, file: &str, code: &'static str, severity: Severity, n: usize) {
        *self.per_kind.entry((file.to_owned(), code)).or_insert(0) += n;
        self.omitted += n as u64;
        if severity == Severity::Error {
            self.omitted_errors += n;
        }
    }

    /// Errors, listed or not.
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
            + self.omitted_errors
    }

    /// Warnings, listed or not.
    pub fn warnings(&self) -> usize {
        self.problems.len() + self.omitted as usize - self.errors()
    }

    /// No errors (warnings allowed)?
    pub fn is_ok(&self) -> bool {
        self.errors() == 0
    }

    /// `2 errors, 1 warning (15 files, 40 rows checked)`.
    pub fn summary(&self) -> String {
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        let mut s = format!(
            "{}, {} ({}, {} checked)",
            plural(self.errors(), "error"),
            plural(self.warnings(), "warning"),
            plural(self.files, "file"),
            plural(self.rows as usize, "row"),
        );
        if self.omitted > 0 {
            s.push_str(&format!(
                "; {} more not listed (at most {MAX_PER_KIND} errors and {MAX_WARNINGS_PER_KIND} warnings of a kind per file)",
                self.omitted
            ));
        }
        s
    }

    /// The report as JSON: `{"errors":N,"warnings":N,"files":N,"rows":N,"problems":[…]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "errors": self.errors(),
            "warnings": self.warnings(),
            "files": self.files,
            "rows": self.rows,
            "omitted": self.omitted,
            "problems": self.problems,
        })
    }
}

/// Input checks failed: the run stops before anything is mapped or loaded.
#[derive(Debug, thiserror::Error)]
#[error("{errors} error{} in the input{}", if *.errors == 1 { "" } else { "s" }, .outcome)]
pub struct Invalid {
    /// How many errors.
    pub errors: usize,
    /// What follows, for the message: `"; nothing was loaded"`, or empty.
    pub outcome: &'static str,
}

/// Reads the mappings of `dir` (or `mapping`) and checks them and every file they name.
/// Returns the mappings that could be read and the report; a mapping that does not parse is
/// a problem of the report, not an `Err`. `Err` only when there is nothing to check (the
/// directory is missing or holds no mapping).
///
/// `strict` (or `strict = true` in the directory's `factgraph.toml`) makes what RML allows
/// but a curator may not want errors instead of warnings: see [`check_mappings`].
pub fn check_dir(
    dir: &Path,
    mapping: Option<&Path>,
    options: &ParseOptions,
    strict: bool,
) -> Result<(Vec<Mapping>, Report), ProjectError> {
    let strict = strict || project::Settings::read(dir, mapping)?.check.strict;
    let files = match mapping {
        Some(m) => vec![m.to_owned()],
        None => project::mapping_files(dir)?,
    };
    let mut report = Report::default();
    let mut mappings = Vec::new();
    for f in &files {
        report.files += 1;
        match rml::parse_mapping_file(f, options) {
            Ok(m) => mappings.push(m),
            Err(e) => report.push(Problem::from_rml(&e)),
        }
    }
    check_mappings(&mappings, strict, &mut report);
    Ok((mappings, report))
}

/// Checks every file the (already parsed) `mappings` name against what they ask of it.
///
/// What changes the meaning of the output is an error (a misspelt term, a missing column, a
/// value invalid for its datatype). What RML allows is a warning, or an error when `strict`:
/// a subject made by two rows (`data.duplicate-id`), a join or an IRI that refers to no row
/// (`data.dangling-reference`), an unknown class on a mapping node (`mapping.unknown-class`).
pub fn check_mappings(mappings: &[Mapping], strict: bool, report: &mut Report) {
    let lenient = Severity::of_allowed(strict);
    for m in mappings {
        let file = m.file.display().to_string();
        for w in &m.warnings {
            report.push(Problem::new(
                lenient,
                "mapping.unknown-class",
                &file,
                w.line,
                0,
                w.message.clone(),
                "",
            ));
        }
        // The quotes are checked in the same reading of the files as the rest.
        plan::Plan::new(m).strict(strict).run(report);
    }
}

#[cfg(test)]
mod tests;
