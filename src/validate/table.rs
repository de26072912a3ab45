//! CSV structure: a streaming RFC 4180 scanner that finds every structural problem of a file,
//! with its line and field, instead of stopping at the first.
//!
//! It reads exactly what the executor's CSV reader (the `csv` crate, as `rml::exec`
//! configures it) reads from a well-formed file — a UTF-8 BOM is skipped, `\n`, `\r\n` and `\r`
//! end records, empty lines are skipped, `""` inside a quoted field is one `"` — so the values
//! it hands to the value checks are the values the mapping will see. Where the `csv` crate is
//! lenient (text after a closing quote, a file ending inside quotes) it reports an error.

use std::io::Read;

use super::{Problem, Report};

/// One record of a CSV file, with its fields owned (see [`Scanner::next_row`] for the
/// borrowed, allocation-free form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The line the record starts on (1-based).
    pub line: u64,
    /// The fields (invalid UTF-8 replaced by U+FFFD, after being reported).
    pub fields: Vec<String>,
    /// The record does not have as many fields as the header (already reported).
    pub ragged: bool,
}

/// One record of a CSV file, borrowed from the scanner until its next call.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// The line the record starts on (1-based).
    pub line: u64,
    /// The record does not have as many fields as the header (already reported).
    pub ragged: bool,
    text: &'a str,
    ends: &'a [usize],
}

impl<'a> Row<'a> {
    /// Field `i` (0-based); `None` past the last field.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end)
    }

    /// Field `i`, or `""` past the last field.
    pub fn field(&self, i: usize) -> &'a str {
        self.get(i).unwrap_or("")
    }

    /// How many fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// No field at all (never the case of a record the scanner returns).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The fields, owned.
    pub fn to_vec(&self) -> Vec<String> {
        (0..self.len()).map(|i| self.field(i).to_owned()).collect()
    }
}

/// Records read ahead in one piece, handed from the thread that scans a file to the one that
/// checks its rows.
#[derive(Debug, Default)]
pub struct Batch {
    text: String,
    ends: Vec<usize>,
    /// (line, ragged, text start, text end, first end, field count) of each record.
    rows: Vec<(u64, bool, usize, usize, usize, usize)>,
}

impl Batch {
    /// Adds a copy of `row`.
    pub fn push(&mut self, row: &Row<'_>) {
        let start = self.text.len();
        self.text.push_str(row.text);
        let first = self.ends.len();
        self.ends.extend_from_slice(row.ends);
        self.rows.push((
            row.line,
            row.ragged,
            start,
            self.text.len(),
            first,
            row.ends.len(),
        ));
    }

    /// How many records.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// No record.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Empties the batch, keeping its buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.rows.clear();
    }

    /// The records, in order.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> + '_ {
        self.rows
            .iter()
            .map(|&(line, ragged, start, end, first, n)| Row {
                line,
                ragged,
                text: self.text.get(start..end).unwrap_or(""),
                ends: &self.ends[first..first + n],
            })
    }
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

/// Bytes that end a run of plain bytes in an unquoted field.
const UNQUOTED_STOP: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'"' as usize] = true;
    t
};

/// How much of the file is read at a time.
const READ_SIZE: usize = 1 << 18;

/// Reads a CSV file record by record, reporting structural problems into a [`Report`].
///
/// Plain runs of bytes (inside an unquoted field up to the next `,`, `"` or line break;
/// inside a quoted field up to the next `"` or line break) are copied in bulk; every byte that
/// can change the state goes through the exact state machine, so lines and fields of the
/// messages are those of a byte-by-byte reading. A record's fields are kept in one reused
/// buffer: reading allocates nothing per row.
pub struct Scanner<R> {
    reader: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    file: String,
    state: State,
    line: u64,
    /// The bytes of the record's fields, one after the other (the last one being read).
    bytes: Vec<u8>,
    /// The line each field of the record starts on.
    field_lines: Vec<u64>,
    /// The text of the record's fields so far, one after the other.
    text: String,
    /// Where each field of `text` ends.
    ends: Vec<usize>,
    record_line: u64,
    /// The line of the record ready to be returned.
    ready_line: u64,
    ready: bool,
    field_line: u64,
    header_len: Option<usize>,
    started: bool,
    eof: bool,
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
            reader,
            buf: Vec::new(),
            pos: 0,
            len: 0,
            file: file.into(),
            state: State::FieldStart,
            line: 1,
            bytes: Vec::new(),
            field_lines: Vec::new(),
            text: String::new(),
            ends: Vec::new(),
            record_line: 1,
            ready_line: 1,
            ready: false,
            field_line: 1,
            header_len: None,
            started: false,
            eof: false,
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
        if !self.next_raw(report) {
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
        }
        let line = self.ready_line;
        let fields = self.row(false).to_vec();
        self.header_len = Some(fields.len());
        for (i, name) in fields.iter().enumerate() {
            if name.trim().is_empty() {
                self.fail(
                    report,
                    Problem::error(
                        "csv.empty-header",
                        &self.file,
                        line,
                        i as u64 + 1,
                        format!("column {} of the header has no name", i + 1),
                        "every column named in the header row",
                    ),
                );
            } else if let Some(first) = fields[..i].iter().position(|n| n == name) {
                self.fail(
                    report,
                    Problem::error(
                        "csv.duplicate-header",
                        &self.file,
                        line,
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
        Some(fields)
    }

    /// The next data record, owned; `None` at the end of the file (see [`Self::next_row`]).
    pub fn next_record(&mut self, report: &mut Report) -> Option<Record> {
        let row = self.next_row(report)?;
        Some(Record {
            line: row.line,
            fields: row.to_vec(),
            ragged: row.ragged,
        })
    }

    /// The next data record, `None` at the end of the file (or after an unterminated quote,
    /// which swallows the rest of it, or a read error; both reported).
    pub fn next_row(&mut self, report: &mut Report) -> Option<Row<'_>> {
        if !self.next_raw(report) {
            return None;
        }
        self.rows += 1;
        let mut ragged = false;
        if let Some(expected) = self.header_len {
            let len = self.ends.len();
            // A field holding a line break was quoted: if a quote was left open by mistake, the
            // record runs on to wherever the next quote closes it.
            let spanning = if self.text.contains(['\n', '\r']) {
                (0..len).find(|&i| self.row(false).field(i).contains(['\n', '\r']))
            } else {
                None
            };
            if let Some(i) = spanning {
                let text = self.row(false).field(i);
                let opened = self.field_lines.get(i).copied().unwrap_or(self.ready_line);
                let closed = opened + line_breaks(text.as_bytes());
                if len != expected {
                    ragged = true;
                    self.fail(
                        report,
                        Problem::error(
                            "csv.ragged-row",
                            &self.file,
                            opened,
                            i as u64 + 1,
                            format!(
                                "the quoted field {} opened on this line is closed only on line {closed}, so lines {opened} to {closed} were read as one row of {len} field{} (the header has {expected})",
                                i + 1,
                                if len == 1 { "" } else { "s" }
                            ),
                            "a closing '\"' on this line (write '\"\"' for a quote inside a quoted field)",
                        ),
                    );
                    return Some(self.row(ragged));
                }
                // The count happens to match, but whole rows may have been swallowed: a line of
                // the field with as many commas as a row has is one.
                let looks_like_rows = text
                    .split(['\n', '\r'])
                    .skip(1)
                    .filter(|l| l.matches(',').count() + 1 >= expected && expected > 1)
                    .count();
                if looks_like_rows > 0 {
                    report.push(Problem::warning(
                        "csv.swallowed-rows",
                        &self.file,
                        opened,
                        i as u64 + 1,
                        format!(
                            "the quoted field {} opened on this line runs to line {closed} and holds {}",
                            i + 1,
                            if looks_like_rows == 1 {
                                "a line that looks like a row of the file".to_owned()
                            } else {
                                format!("{looks_like_rows} lines that look like rows of the file")
                            }
                        ),
                        "a closing '\"' on this line, unless the field really spans lines",
                    ));
                }
            }
            if len != expected {
                ragged = true;
                let line = self.ready_line;
                self.fail(
                    report,
                    Problem::error(
                        "csv.ragged-row",
                        &self.file,
                        line,
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
        Some(self.row(ragged))
    }

    fn row(&self, ragged: bool) -> Row<'_> {
        Row {
            line: self.ready_line,
            ragged,
            text: &self.text,
            ends: &self.ends,
        }
    }

    fn eof_reported_error(&self, report: &Report) -> bool {
        report.problems.iter().any(|p| {
            p.file == self.file && matches!(p.code, "csv.unterminated-quote" | "file.unreadable")
        })
    }

    /// Reads more of the file into `buf`; false at the end of the file or on a read error
    /// (reported).
    fn refill(&mut self, report: &mut Report) -> bool {
        if self.buf.len() < READ_SIZE {
            self.buf.resize(READ_SIZE, 0);
        }
        // Keep what was not consumed yet (only a BOM cut short at the start).
        let keep = self.len - self.pos;
        self.buf.copy_within(self.pos..self.len, 0);
        self.pos = 0;
        self.len = keep;
        loop {
            match self.reader.read(&mut self.buf[keep..]) {
                Ok(0) => return false,
                Ok(n) => {
                    self.len += n;
                    return true;
                }
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
                    return false;
                }
            }
        }
    }

    /// Reads up to the end of the next record; true when one is ready (its fields in `text`
    /// and `ends`, its line in `ready_line`).
    fn next_raw(&mut self, report: &mut Report) -> bool {
        if self.ready {
            self.ready = false;
            self.text.clear();
            self.ends.clear();
            self.bytes.clear();
            self.field_lines.clear();
        }
        loop {
            if self.pos == self.len || !self.started {
                if self.eof {
                    return false;
                }
                let more = self.refill(report);
                if self.eof {
                    // A read error (reported): the file ends here.
                    return false;
                }
                if !self.started {
                    // A UTF-8 BOM is skipped (one cut short by the end of the file is data).
                    const BOM: &[u8; 3] = b"\xEF\xBB\xBF";
                    let have = &self.buf[..self.len];
                    if more && have.len() < 3 && BOM.starts_with(have) {
                        continue;
                    }
                    self.started = true;
                    if have.starts_with(BOM) {
                        self.pos = 3;
                    }
                    if more || self.pos < self.len {
                        continue;
                    }
                }
                if !more {
                    if self.pos < self.len {
                        continue;
                    }
                    self.eof = true;
                    self.finish(report);
                    return self.take_ready();
                }
                continue;
            }
            self.scan(report);
            if self.take_ready() {
                return true;
            }
        }
    }

    fn take_ready(&mut self) -> bool {
        self.ready
    }

    /// Consumes bytes of `buf` until a record is ready or the buffer is used up.
    fn scan(&mut self, report: &mut Report) {
        while self.pos < self.len && !self.ready {
            let bytes = &self.buf[self.pos..self.len];
            // Plain runs are copied in bulk: they hold no line break, so only `after_cr`
            // and the starts of the record and field need updating.
            let run = match self.state {
                State::FieldStart | State::Unquoted => bytes
                    .iter()
                    .position(|&b| UNQUOTED_STOP[b as usize])
                    .unwrap_or(bytes.len()),
                State::Quoted => memchr::memchr3(b'"', b'\n', b'\r', bytes).unwrap_or(bytes.len()),
                State::QuoteInQuoted => 0,
            };
            if run > 0 {
                if self.state == State::FieldStart {
                    if self.ends.is_empty() && self.bytes.is_empty() {
                        self.record_line = self.line;
                    }
                    self.field_line = self.line;
                    self.state = State::Unquoted;
                }
                self.bytes.extend_from_slice(&bytes[..run]);
                self.after_cr = false;
                self.pos += run;
                continue;
            }
            let b = bytes[0];
            self.pos += 1;
            self.step(b, report);
        }
    }

    /// Ends the field being read.
    fn end_field(&mut self) {
        self.stray_quote = false;
        self.ends.push(self.bytes.len());
        self.field_lines.push(self.field_line);
    }

    /// Turns the bytes of the fields read into text: the whole record is validated at once
    /// (SIMD); only when that fails is each field validated, and its invalid bytes reported
    /// and replaced by U+FFFD.
    fn settle(&mut self, report: &mut Report) {
        self.text.clear();
        let upto = self.ends.last().copied().unwrap_or(0);
        // Valid as a whole and cut at character boundaries: each field is valid.
        if let Ok(s) = simdutf8::basic::from_utf8(&self.bytes[..upto]) {
            if self.ends.iter().all(|&e| s.is_char_boundary(e)) {
                self.text.push_str(s);
                return;
            }
        }
        let bytes = std::mem::take(&mut self.bytes);
        let mut start = 0;
        for i in 0..self.ends.len() {
            let field = &bytes[start..self.ends[i]];
            start = self.ends[i];
            match std::str::from_utf8(field) {
                Ok(s) => self.text.push_str(s),
                Err(e) => {
                    let at = e.valid_up_to();
                    let len = e.error_len().unwrap_or(field.len() - at);
                    let line = self.field_lines[i] + line_breaks(&field[..at]);
                    let bad: String = field[at..at + len]
                        .iter()
                        .map(|b| format!("0x{b:02X} "))
                        .collect();
                    let before = String::from_utf8_lossy(&field[..at]);
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
                            i as u64 + 1,
                            format!(
                                "invalid UTF-8 in field {}: bytes {}after \"{before}\"",
                                i + 1,
                                bad
                            ),
                            "UTF-8 text (save the file as UTF-8)",
                        ),
                    );
                    self.text.push_str(&String::from_utf8_lossy(field));
                }
            }
            self.ends[i] = self.text.len();
        }
        self.bytes = bytes;
    }

    /// The record read is complete.
    fn record_done(&mut self, report: &mut Report) {
        self.settle(report);
        self.ready = true;
        self.ready_line = self.record_line;
    }

    /// Ends the record being read (an empty line is no record).
    fn end_record(&mut self, report: &mut Report) {
        if self.ends.is_empty() && self.bytes.is_empty() && self.state == State::FieldStart {
            return;
        }
        self.end_field();
        self.record_done(report);
    }

    /// Takes one byte.
    fn step(&mut self, b: u8, report: &mut Report) {
        if self.ends.is_empty() && self.bytes.is_empty() && self.state == State::FieldStart {
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
                    self.end_field();
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
                b'"' if self.stray_quote => self.bytes.push(b),
                b'"' => {
                    self.stray_quote = true;
                    let n = self.ends.len();
                    report.push(Problem::warning(
                        "csv.stray-quote",
                        &self.file,
                        self.line,
                        n as u64 + 1,
                        format!(
                            "a '\"' inside the unquoted field {} is kept as it is",
                            n + 1
                        ),
                        "the whole field quoted, with each '\"' inside it doubled (RFC 4180)",
                    ));
                    self.bytes.push(b);
                }
                _ => {
                    if self.state == State::FieldStart {
                        self.field_line = self.line;
                    }
                    self.bytes.push(b);
                    self.state = State::Unquoted;
                }
            },
            State::Quoted => {
                if b == b'"' {
                    self.state = State::QuoteInQuoted;
                } else {
                    self.bytes.push(b);
                }
            }
            State::QuoteInQuoted => match b {
                b'"' => {
                    self.bytes.push(b'"');
                    self.state = State::Quoted;
                }
                b',' => {
                    self.end_field();
                    self.state = State::FieldStart;
                }
                b'\n' | b'\r' => {
                    self.state = State::FieldStart;
                    // The record is not empty: it has at least this (quoted) field.
                    self.end_field();
                    self.record_done(report);
                }
                _ => {
                    let n = self.ends.len();
                    self.fail(report, Problem::error(
                        "csv.text-after-quote",
                        &self.file,
                        self.line,
                        n as u64 + 1,
                        format!("text after the closing quote of field {}", n + 1),
                        "a comma or the end of the line right after a closing '\"' (write '\"\"' for a quote inside a quoted field)",
                    ));
                    self.bytes.push(b);
                    self.state = State::Unquoted;
                }
            },
        }
    }

    /// At the end of the input.
    fn finish(&mut self, report: &mut Report) {
        match self.state {
            State::Quoted => {
                // The fields completed before are reported as they would have been.
                self.settle(report);
                let n = self.ends.len();
                self.fail(report, Problem::error(
                    "csv.unterminated-quote",
                    &self.file,
                    self.field_line,
                    n as u64 + 1,
                    format!(
                        "the quoted field {} opened on this line is never closed: the rest of the file was read into it",
                        n + 1
                    ),
                    "a closing '\"' (write '\"\"' for a quote inside a quoted field)",
                ));
                self.ends.clear();
                self.text.clear();
                self.bytes.clear();
                self.field_lines.clear();
            }
            State::QuoteInQuoted => {
                self.state = State::FieldStart;
                self.end_field();
                self.record_done(report);
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
