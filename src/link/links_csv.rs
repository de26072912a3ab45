//! `links.csv`: the candidates `factgraph link` proposes and the decisions people take on them.
//!
//! Columns: `entity,name,qid,label,description,score,status,reviewed_by,reviewed_on`.
//! `status` is `proposed`, `accepted` or `rejected`. Rows with a decision (accepted or
//! rejected) are never rewritten by `factgraph link`: they are kept exactly as read. `load`
//! turns accepted rows into `owl:sameAs wd:Q…`; the others add nothing.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use oxigraph::model::{GraphName, NamedNode, Quad};

use super::wikidata::{qid_number, ENTITY_NS};

/// The file name in a data directory.
pub const FILE_NAME: &str = "links.csv";

/// The columns, in order.
pub const COLUMNS: [&str; 9] = [
    "entity",
    "name",
    "qid",
    "label",
    "description",
    "score",
    "status",
    "reviewed_by",
    "reviewed_on",
];

const SAME_AS: &str = "http://www.w3.org/2002/07/owl#sameAs";

/// Errors reading or writing `links.csv`.
#[derive(Debug, thiserror::Error)]
pub enum LinksError {
    /// The file cannot be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A row is wrong.
    #[error("{}:{line}: {message}", path.display())]
    Row {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong and what was expected.
        message: String,
    },
}

/// What a person (or `--accept-above`) decided about a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Proposed by `factgraph link`, not decided yet.
    Proposed,
    /// The candidate is the entity: `load` adds `owl:sameAs`.
    Accepted,
    /// The candidate is not the entity; `link` will not propose it again.
    Rejected,
}

impl Status {
    /// The word written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Proposed => "proposed",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
        }
    }
}

/// One row of `links.csv`, its fields as written.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRow {
    /// The entity's IRI.
    pub entity: String,
    /// The entity's name in the graph.
    pub name: String,
    /// The candidate (`Q…`).
    pub qid: String,
    /// The candidate's label.
    pub label: String,
    /// The candidate's description.
    pub description: String,
    /// The score, 0–100, as written.
    pub score: String,
    /// The decision.
    pub status: Status,
    /// Who decided.
    pub reviewed_by: String,
    /// When (`YYYY-MM-DD`).
    pub reviewed_on: String,
}

impl LinkRow {
    /// Whether a decision was taken on the row (accepted or rejected).
    pub fn is_decision(&self) -> bool {
        self.status != Status::Proposed
    }

    /// The score as a number (0 when absent or unreadable).
    pub fn score_value(&self) -> f64 {
        self.score.trim().parse().unwrap_or(0.0)
    }
}

/// Reads `path`; a missing file is an empty list.
pub fn read(path: &Path) -> Result<Vec<LinkRow>, LinksError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(LinksError::Io {
                path: path.to_owned(),
                source,
            })
        }
    };
    let row_err = |line: u64, message: String| LinksError::Row {
        path: path.to_owned(),
        line,
        message,
    };
    let mut lines = Lines::new(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| row_err(1, csv_message(&e)))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
    };
    let mut index = [0usize; 9];
    for (i, c) in COLUMNS.iter().enumerate() {
        index[i] = col(c).ok_or_else(|| {
            row_err(
                1,
                format!(
                    "no column `{c}`; the header must name the columns {}",
                    COLUMNS.join(",")
                ),
            )
        })?;
    }
    let mut rows = Vec::new();
    let mut accepted: HashMap<String, (String, u64)> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
            row_err(line, csv_message(&e))
        })?;
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        let get = |i: usize| record.get(index[i]).unwrap_or("").to_owned();
        let entity = get(0).trim().to_owned();
        if NamedNode::new(&entity).is_err() {
            return Err(row_err(
                line,
                format!("entity `{entity}` is not an IRI; expected the entity's full IRI"),
            ));
        }
        let status = match get(6).trim() {
            "proposed" | "" => Status::Proposed,
            "accepted" => Status::Accepted,
            "rejected" => Status::Rejected,
            other => {
                return Err(row_err(
                    line,
                    format!("status `{other}`: expected proposed, accepted or rejected"),
                ))
            }
        };
        let qid = get(2).trim().to_owned();
        if qid_number(&qid).is_none() && !(qid.is_empty() && status == Status::Proposed) {
            return Err(row_err(
                line,
                format!("qid `{qid}`: expected a Wikidata item id such as Q42"),
            ));
        }
        if status == Status::Accepted {
            if let Some((other, other_line)) = accepted.get(&entity) {
                if *other != qid {
                    return Err(row_err(
                        line,
                        format!(
                            "{entity} has two accepted candidates, {other} (line {other_line}) and {qid}; keep one"
                        ),
                    ));
                }
            }
            accepted.insert(entity.clone(), (qid.clone(), line));
        }
        rows.push(LinkRow {
            entity,
            name: get(1),
            qid,
            label: get(3),
            description: get(4),
            score: get(5),
            status,
            reviewed_by: get(7),
            reviewed_on: get(8),
        });
    }
    Ok(rows)
}

/// What the csv crate found wrong, without its own line number (it drifts; see [`Lines`]).
fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "the row has {len} fields but the header has {expected_len}; expected {expected_len} (quote fields that contain commas)"
        ),
        csv::ErrorKind::Utf8 { err, .. } => format!(
            "invalid UTF-8 in field {}; expected UTF-8 text (save the file as UTF-8)",
            err.field() + 1
        ),
        _ => e.to_string(),
    }
}

/// Line numbers as editors count them (CRLF, LF or a lone CR end a line) for the byte offsets
/// the csv crate gives, which come in increasing order. The csv crate's own line numbers
/// drift: after CRLF they name the line before, and a record after blank lines is placed at
/// the first blank line.
struct Lines<'a> {
    bytes: &'a [u8],
    /// Bytes before `at` are counted.
    at: usize,
    line: u64,
    after_cr: bool,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Lines {
            bytes,
            at: 0,
            line: 1,
            after_cr: false,
        }
    }

    fn step(&mut self) {
        match self.bytes[self.at] {
            b'\r' => self.line += 1,
            b'\n' if !self.after_cr => self.line += 1,
            _ => {}
        }
        self.after_cr = self.bytes[self.at] == b'\r';
        self.at += 1;
    }

    /// The line of the record the csv crate places at byte `offset`.
    fn line_at(&mut self, offset: u64) -> u64 {
        let offset = usize::try_from(offset).map_or(self.bytes.len(), |o| o.min(self.bytes.len()));
        if offset < self.at {
            *self = Lines::new(self.bytes);
        }
        while self.at < offset {
            self.step();
        }
        // The offset may point at the end of the previous line (the LF of a CRLF, blank
        // lines): a record never starts with a line break, so skip them.
        while self.at < self.bytes.len() && matches!(self.bytes[self.at], b'\r' | b'\n') {
            self.step();
        }
        self.line
    }
}

/// Writes `rows` to `path` (through a temporary file renamed over it).
pub fn write(path: &Path, rows: &[LinkRow]) -> Result<(), LinksError> {
    let tmp = path.with_extension("csv.partial");
    let io_err = |source| LinksError::Io {
        path: path.to_owned(),
        source,
    };
    let result = (|| -> Result<(), std::io::Error> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(File::create(&tmp)?);
        w.write_record(COLUMNS)?;
        for r in rows {
            w.write_record([
                r.entity.as_str(),
                &r.name,
                &r.qid,
                &r.label,
                &r.description,
                &r.score,
                r.status.as_str(),
                &r.reviewed_by,
                &r.reviewed_on,
            ])?;
        }
        let mut inner = w.into_inner().map_err(|e| e.into_error())?;
        inner.flush()?;
        inner.sync_all()?;
        Ok(())
    })();
    match result {
        Ok(()) => std::fs::rename(&tmp, path).map_err(io_err),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(io_err(e))
        }
    }
}

/// The accepted links of `rows`: entity IRI → item number.
pub fn accepted(rows: &[LinkRow]) -> BTreeMap<String, u64> {
    rows.iter()
        .filter(|r| r.status == Status::Accepted)
        .filter_map(|r| Some((r.entity.clone(), qid_number(&r.qid)?)))
        .collect()
}

/// The `owl:sameAs` quads of the accepted rows of `DIR/links.csv` (none when the file is
/// absent), in the default graph, as `load` adds them.
pub fn accepted_quads(dir: &Path) -> Result<Vec<Quad>, LinksError> {
    let path = dir.join(FILE_NAME);
    let rows = read(&path)?;
    let same_as = NamedNode::new_unchecked(SAME_AS);
    let mut quads = Vec::new();
    for (entity, q) in accepted(&rows) {
        let subject = NamedNode::new(&entity).map_err(|e| LinksError::Row {
            path: path.clone(),
            line: 0,
            message: e.to_string(),
        })?;
        quads.push(Quad::new(
            subject,
            same_as.clone(),
            NamedNode::new_unchecked(format!("{ENTITY_NS}Q{q}")),
            GraphName::DefaultGraph,
        ));
    }
    Ok(quads)
}

/// Today's date, `YYYY-MM-DD` (UTC).
pub fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_checks_and_writes_back_the_same_text() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        let text = "entity,name,qid,label,description,score,status,reviewed_by,reviewed_on\n\
            https://w3id.org/factgraph/id/org/x,X,Q990000001,X,\"a, b\",95,accepted,ana,2026-01-02\n\
            https://w3id.org/factgraph/id/org/x,X,Q990000002,X,,40,rejected,ana,2026-01-02\n\
            https://w3id.org/factgraph/id/org/y,Y,Q990000003,Y,,80,proposed,,\n";
        std::fs::write(&p, text).unwrap();
        let rows = read(&p).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].description, "a, b");
        assert_eq!(
            accepted(&rows).into_iter().collect::<Vec<_>>(),
            vec![("https://w3id.org/factgraph/id/org/x".to_owned(), 990000001)]
        );
        write(&p, &rows).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
        let quads = accepted_quads(dir.path()).unwrap();
        assert_eq!(quads.len(), 1);
        assert_eq!(
            quads[0].to_string(),
            "<https://w3id.org/factgraph/id/org/x> <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q990000001>"
        );
    }

    #[test]
    fn refuses_bad_rows_with_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        let head = "entity,name,qid,label,description,score,status,reviewed_by,reviewed_on\n";
        for (body, line, needle) in [
            ("https://e/x,X,Q1,,,,maybe,,\n", 2, "status `maybe`"),
            ("https://e/x,X,42,,,,accepted,,\n", 2, "qid `42`"),
            ("x,X,Q1,,,,accepted,,\n", 2, "not an IRI"),
            (
                "https://e/x,X,Q1,,,,accepted,,\nhttps://e/x,X,Q2,,,,accepted,,\n",
                3,
                "two accepted candidates, Q1 (line 2) and Q2",
            ),
        ] {
            std::fs::write(&p, format!("{head}{body}")).unwrap();
            let e = read(&p).unwrap_err().to_string();
            assert!(
                e.contains(&format!("{FILE_NAME}:{line}: ")) && e.contains(needle),
                "{e}"
            );
        }
        std::fs::write(&p, "entity,qid\n").unwrap();
        assert!(read(&p)
            .unwrap_err()
            .to_string()
            .contains("no column `name`"));
    }

    #[test]
    fn errors_name_the_line_an_editor_shows() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        let head = "entity,name,qid,label,description,score,status,reviewed_by,reviewed_on";
        let good = "https://e/x,X,Q1,,,,proposed,,";
        let bad = "https://e/y,Y,Q2,,,,maybe,,";
        let multi_line = "https://e/z,Z,Q3,,\"two\nlines\",,proposed,,";
        // (file, the line of the bad row)
        for (text, line) in [
            (format!("{head}\n{good}\n{good}\n{bad}\n"), 4),
            (format!("{head}\r\n{good}\r\n{good}\r\n{bad}\r\n"), 4),
            (format!("{head}\r{good}\r{bad}\r"), 3),
            (format!("{head}\n{good}\n\n\n{bad}\n"), 5),
            (format!("{head}\r\n\r\n{good}\r\n\r\n{bad}\r\n"), 5),
            (format!("{head}\n{multi_line}\n{bad}\n"), 4),
            (format!("\u{feff}{head}\n{bad}\n"), 2),
        ] {
            std::fs::write(&p, &text).unwrap();
            let e = read(&p).unwrap_err().to_string();
            assert!(
                e.contains(&format!("{FILE_NAME}:{line}: status `maybe`")),
                "{text:?}: {e}"
            );
        }
        // Errors found by the csv reader itself carry the right line too, and no other.
        std::fs::write(&p, format!("{head}\r\n{good}\r\n{good},extra\r\n")).unwrap();
        let e = read(&p).unwrap_err().to_string();
        assert!(
            e.ends_with(&format!(
                "{FILE_NAME}:3: the row has 10 fields but the header has 9; expected 9 (quote fields that contain commas)"
            )),
            "{e}"
        );
    }

    #[test]
    fn today_is_a_date() {
        let t = today();
        assert_eq!(t.len(), 10);
        assert!(t.starts_with("20"));
    }
}
