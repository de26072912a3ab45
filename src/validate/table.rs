//! CSV structure: a streaming RFC 4180 scanner that finds every structural problem of a file,
//! with its line and field, instead of stopping at the first.
//!
//! It reads exactly what the executor's CSV reader (the `csv` crate, as `rml::exec`
//! configures it) reads from a well-formed file — a UTF-8 BOM is skipped, `\n`, `\r\n` and `\r`
//! end records, empty lines are skipped, `""` inside a quoted field is one `"` — so the values
//! it hands to the value checks are the values the mapping will see. Where the `csv` crate is
//! lenient (text after a closing quote, a file ending inside quotes) it reports an error.

use std::io::{BufRead, BufReader, Read};

use super::{Problem, Report};

/// One record of a CSV file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The line the record starts on (1-based).
    pub line: u64,
    /// The fields (invalid UTF-8 replaced by U+FFFD, after being reported).
    pub fields: Vec<String>,
    /// The record does not have as many fields as the header (already reported).
    pub ragged: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field.
    FieldStart,
    /// In an unquoted field.
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// Just after a `"` inside a quoted field: a second `"` or the end of the field follows.
    QuoteInQuoted,
}

/// Reads a CSV file record by record, reporting structural problems into a [`Report`].
pub struct Scanner<R> {
    reader: BufReader<R>,
    file: String,
    state: State,
    line: u64,
    field: Vec<u8>,
    fields: Vec<String>,
    record_line: u64,
    field_line: u64,
    header_len: Option<usize>,
    eof: bool,
    bom_pos: usize,
    bom_seen: Vec<u8>,
    ready: std::collections::VecDeque<Record>,
    /// Data records returned so far (the header not included).
    pub rows: u64,
    /// An error was found: some records were lost or misread, so the file's ids are not
    /// all known.
    pub damaged: bool,
    stray_quote: bool,
    after_cr: bool,
}

impl<R: Read> Scanner<R> {
    /// A scanner of `reader`, which messages call `file`.
    pub fn new(reader: R, file: impl Into<String>) -> Self {
        Self {
            reader: BufReader::with_capacity(1 << 16, reader),
            file: file.into(),
            state: State::FieldStart,
            line: 1,
            field: Vec::new(),
            fields: Vec::new(),
            record_line: 1,
            field_line: 1,
            header_len: None,
            eof: false,
            bom_pos: 0,
            bom_seen: Vec::new(),
            ready: std::collections::VecDeque::new(),
            rows: 0,
            damaged: false,
            stray_quote: false,
            after_cr: false,
        }
    }

    /// Reports an error that makes the file's records unreliable.
    fn fail(&mut self, report: &mut Report, p: Problem) {
        self.damaged = true;
        report.push(p);
    }

    /// Reads the header row and checks its names (none empty, none twice). `None` when the
    /// file has no header (an empty file, reported) or cannot be read (reported).
    pub fn header(&mut self, report: &mut Report) -> Option<Vec<String>> {
        let Some(header) = self.next_raw(report) else {
            if !self.eof_reported_error(report) {
                self.fail(
                    report,
                    Problem::error(
                        "csv.empty-file",
                        &self.file,
                        1,
                        1,
                        "the file is empty",
                        "a header row naming the columns, then one row per record",
                    ),
                );
            }
            return None;
        };
        self.header_len = Some(header.fields.len());
        for (i, name) in header.fields.iter().enumerate() {
            if name.trim().is_empty() {
                self.fail(
                    report,
                    Problem::error(
                        "csv.empty-header",
                        &self.file,
                        header.line,
                        i as u64 + 1,
                        format!("column {} of the header has no name", i + 1),
                        "every column named in the header row",
                    ),
                );
            } else if let Some(first) = header.fields[..i].iter().position(|n| n == name) {
                self.fail(
                    report,
                    Problem::error(
                        "csv.duplicate-header",
                        &self.file,
                        header.line,
                        i as u64 + 1,
                        format!(
                            "the column name \"{name}\" is used twice (columns {} and {})",
                            first + 1,
                            i + 1
                        ),
                        "each column name once",
                    ),
                );
            }
        }
        Some(header.fields)
    }

    /// The next data record, `None` at the end of the file (or after an unterminated quote,
    /// which swallows the rest of it, or a read error; both reported).
    pub fn next_record(&mut self, report: &mut Report) -> Option<Record> {
        let mut record = self.next_raw(report)?;
        self.rows += 1;
        if let Some(expected) = self.header_len {
            let len = record.fields.len();
            if len != expected {
                record.ragged = true;
                self.fail(
                    report,
                    Problem::error(
                        "csv.ragged-row",
                        &self.file,
                        record.line,
                        (len.min(expected) + 1) as u64,
                        format!(
                            "the row has {len} field{} but the header has {expected}",
                            if len == 1 { "" } else { "s" }
                        ),
                        format!("{expected} (quote fields that contain commas)"),
                    ),
                );
            }
        }
        Some(record)
    }

    fn eof_reported_error(&self, report: &Report) -> bool {
        report.problems.iter().any(|p| {
            p.file == self.file && matches!(p.code, "csv.unterminated-quote" | "file.unreadable")
        })
    }

    /// The next record, structure checked but field count not.
    fn next_raw(&mut self, report: &mut Report) -> Option<Record> {
        loop {
            if let Some(r) = self.ready.pop_front() {
                return Some(r);
            }
            if self.eof {
                return None;
            }
            let buf = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.fail(
                        report,
                        Problem::error(
                            "file.unreadable",
                            &self.file,
                            self.line,
                            0,
                            format!("read error: {e}"),
                            "",
                        ),
                    );
                    self.eof = true;
                    return None;
                }
            };
            if buf.is_empty() {
                self.eof = true;
                // A BOM cut short is data after all.
                let partial = std::mem::take(&mut self.bom_seen);
                for b in partial {
                    self.step(b, report);
                }
                self.finish(report);
                continue;
            }
            let chunk = buf.to_vec();
            let n = chunk.len();
            self.reader.consume(n);
            for b in chunk {
                if self.bom_pos < 3 {
                    const BOM: &[u8; 3] = b"\xEF\xBB\xBF";
                    if b == BOM[self.bom_pos] {
                        self.bom_pos += 1;
                        self.bom_seen.push(b);
                        if self.bom_pos == 3 {
                            self.bom_seen.clear();
                        }
                        continue;
                    }
                    self.bom_pos = 3;
                    for p in std::mem::take(&mut self.bom_seen) {
                        self.step(p, report);
                    }
                }
                self.step(b, report);
            }
        }
    }

    /// Ends the field being read.
    fn end_field(&mut self, report: &mut Report) {
        self.stray_quote = false;
        let bytes = std::mem::take(&mut self.field);
        let text = match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                let bytes = e.as_bytes();
                let at = e.utf8_error().valid_up_to();
                let len = e.utf8_error().error_len().unwrap_or(bytes.len() - at);
                let line = self.field_line + line_breaks(&bytes[..at]);
                let bad: String = bytes[at..at + len]
                    .iter()
                    .map(|b| format!("0x{b:02X} "))
                    .collect();
                let before = String::from_utf8_lossy(&bytes[..at]);
                let before: String = {
                    let chars: Vec<char> = before.chars().collect();
                    chars[chars.len().saturating_sub(20)..].iter().collect()
                };
                self.fail(
                    report,
                    Problem::error(
                        "csv.invalid-utf8",
                        &self.file,
                        line,
                        self.fields.len() as u64 + 1,
                        format!(
                            "invalid UTF-8 in field {}: bytes {}after \"{before}\"",
                            self.fields.len() + 1,
                            bad
                        ),
                        "UTF-8 text (save the file as UTF-8)",
                    ),
                );
                String::from_utf8_lossy(bytes).into_owned()
            }
        };
        self.fields.push(text);
    }

    /// Ends the record being read (an empty line is no record).
    fn end_record(&mut self, report: &mut Report) {
        if self.fields.is_empty() && self.field.is_empty() && self.state == State::FieldStart {
            return;
        }
        self.end_field(report);
        let fields = std::mem::take(&mut self.fields);
        self.ready.push_back(Record {
            line: self.record_line,
            fields,
            ragged: false,
        });
    }

    /// Takes one byte.
    fn step(&mut self, b: u8, report: &mut Report) {
        if self.fields.is_empty() && self.field.is_empty() && self.state == State::FieldStart {
            self.record_line = self.line;
        }
        // Lines end with \n, \r\n or a lone \r, as editors count them. (The csv crate
        // counts only \n, and counts the \n of a \r\n one record late.)
        match b {
            b'\r' => self.line += 1,
            b'\n' if !self.after_cr => self.line += 1,
            _ => {}
        }
        self.after_cr = b == b'\r';
        match self.state {
            State::FieldStart | State::Unquoted => match b {
                b',' => {
                    self.end_field(report);
                    self.state = State::FieldStart;
                }
                b'\n' | b'\r' => {
                    self.end_record(report);
                    self.state = State::FieldStart;
                }
                b'"' if self.state == State::FieldStart => {
                    self.field_line = self.line;
                    self.state = State::Quoted;
                }
                b'"' if self.stray_quote => self.field.push(b),
                b'"' => {
                    self.stray_quote = true;
                    report.push(Problem::warning(
                        "csv.stray-quote",
                        &self.file,
                        self.line,
                        self.fields.len() as u64 + 1,
                        format!(
                            "a '\"' inside the unquoted field {} is kept as it is",
                            self.fields.len() + 1
                        ),
                        "the whole field quoted, with each '\"' inside it doubled (RFC 4180)",
                    ));
                    self.field.push(b);
                }
                _ => {
                    if self.state == State::FieldStart {
                        self.field_line = self.line;
                    }
                    self.field.push(b);
                    self.state = State::Unquoted;
                }
            },
            State::Quoted => {
                if b == b'"' {
                    self.state = State::QuoteInQuoted;
                } else {
                    self.field.push(b);
                }
            }
            State::QuoteInQuoted => match b {
                b'"' => {
                    self.field.push(b'"');
                    self.state = State::Quoted;
                }
                b',' => {
                    self.end_field(report);
                    self.state = State::FieldStart;
                }
                b'\n' | b'\r' => {
                    self.state = State::FieldStart;
                    // The record is not empty: it has at least this (quoted) field.
                    self.end_field(report);
                    let fields = std::mem::take(&mut self.fields);
                    self.ready.push_back(Record {
                        line: self.record_line,
                        fields,
                        ragged: false,
                    });
                }
                _ => {
                    self.fail(report, Problem::error(
                        "csv.text-after-quote",
                        &self.file,
                        self.line,
                        self.fields.len() as u64 + 1,
                        format!(
                            "text after the closing quote of field {}",
                            self.fields.len() + 1
                        ),
                        "a comma or the end of the line right after a closing '\"' (write '\"\"' for a quote inside a quoted field)",
                    ));
                    self.field.push(b);
                    self.state = State::Unquoted;
                }
            },
        }
    }

    /// At the end of the input.
    fn finish(&mut self, report: &mut Report) {
        match self.state {
            State::Quoted => {
                self.fail(report, Problem::error(
                    "csv.unterminated-quote",
                    &self.file,
                    self.field_line,
                    self.fields.len() as u64 + 1,
                    format!(
                        "the quoted field {} opened on this line is never closed: the rest of the file was read into it",
                        self.fields.len() + 1
                    ),
                    "a closing '\"' (write '\"\"' for a quote inside a quoted field)",
                ));
                self.fields.clear();
                self.field.clear();
            }
            State::QuoteInQuoted => {
                self.state = State::FieldStart;
                self.end_field(report);
                let fields = std::mem::take(&mut self.fields);
                self.ready.push_back(Record {
                    line: self.record_line,
                    fields,
                    ragged: false,
                });
            }
            State::FieldStart | State::Unquoted => self.end_record(report),
        }
        self.state = State::FieldStart;
    }
}

/// The line breaks in `bytes` (`\n`, `\r\n` and a lone `\r` count one each).
fn line_breaks(bytes: &[u8]) -> u64 {
    let mut n = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\r' || (b == b'\n' && (i == 0 || bytes[i - 1] != b'\r')) {
            n += 1;
        }
    }
    n
}
