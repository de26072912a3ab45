//! Shares of a run (`factgraph map --partition K/N`): which records of its logical source a
//! triples map maps when N runs, one per share, together give the graph of one run.
//!
//! - **What is split.** The records a triples map iterates over. The parents of joins are
//!   always read whole (every share builds the same join index), so a child record finds
//!   every parent whichever share maps it.
//! - **CSV on the fast path** is split by byte range: share K of a file of L bytes owns the
//!   records that *start* in `[K·L/N, (K+1)·L/N)`. The share scans the file from its start
//!   ([`csv_share`]: quote-aware, no parsing into fields, so a quoted field holding line
//!   breaks is never mistaken for a record boundary) to the first record at or after its
//!   start, seeks the CSV reader there and reads as many records as its range holds.
//!   Positions stay those of the whole file: errors name the line of the whole file.
//! - **Other record sources** (JSON and XML, CSV read with them): each share reads the source
//!   from its start and maps the records it owns (a [`Filter`]): records located by a byte
//!   offset (CSV, streamed JSON arrays and XML elements) by the same byte ranges, and stops
//!   once past its range; records located by an ordinal (JSONPath over a loaded document,
//!   XPath, logical views) by ordinal modulo N.
//! - **Fresh blank nodes** (value-less blank node maps, RML-CC collections) are named after
//!   the mapping file, the triples map, the record's ordinal in the whole source and a
//!   counter ([`fresh_blank`]): the same in a whole run and in the share that maps the
//!   record, and never the same for two records. A run is thus reproducible byte for byte.
//! - **What cannot be split**: a triples map that gathers *named* RML-CC collections
//!   (members gathered across records) is mapped whole by share 0 and skipped by the others.

use std::cell::Cell;
use std::fmt;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use oxrdf::BlankNode;

use crate::error::RmlError;
use crate::model::{
    GatherMap, Mapping, ObjectMap, ReferenceFormulation, TermMap, TriplesMap, Value,
};
use crate::source::{Location, Record};

/// One share of a run split N ways: `index` in `0..count` (0-based, as Spark numbers its
/// partitions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    index: u64,
    count: u64,
}

/// Why `K/N` is not a share.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    /// Not two whole numbers separated by `/`.
    #[error("\"{0}\" is not a share; expected K/N, e.g. 0/4 (K counts from 0)")]
    Syntax(String),
    /// N = 0.
    #[error("a run cannot be split into 0 shares; expected N of 1 or more in K/N")]
    NoShares,
    /// K ≥ N.
    #[error("share {index} of {count} does not exist; expected K from 0 to {} in K/{count} (K counts from 0)", .count - 1)]
    OutOfRange {
        /// K.
        index: u64,
        /// N.
        count: u64,
    },
}

impl Share {
    /// Share `index` (0-based) of `count`.
    pub fn new(index: u64, count: u64) -> Result<Self, ShareError> {
        if count == 0 {
            return Err(ShareError::NoShares);
        }
        if index >= count {
            return Err(ShareError::OutOfRange { index, count });
        }
        Ok(Self { index, count })
    }

    /// K, from 0.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// N.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The bytes `[start, end)` of a file of `len` bytes whose records this share owns.
    pub fn byte_range(&self, len: u64) -> (u64, u64) {
        let at = |k: u64| (u128::from(len) * u128::from(k) / u128::from(self.count)) as u64;
        (at(self.index), at(self.index + 1))
    }

    /// Does this share own the record with this ordinal (0-based)?
    pub fn owns_ordinal(&self, ordinal: u64) -> bool {
        ordinal % self.count == self.index
    }
}

impl FromStr for Share {
    type Err = ShareError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let syntax = || ShareError::Syntax(s.to_owned());
        let (k, n) = s.split_once('/').ok_or_else(syntax)?;
        let number = |t: &str| -> Result<u64, ShareError> {
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(syntax());
            }
            t.parse().map_err(|_| syntax())
        };
        Self::new(number(k.trim())?, number(n.trim())?)
    }
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Can the records of `tm` be split between shares? Not when it gathers named RML-CC
/// collections: their members come from every record.
pub(crate) fn splittable(tm: &TriplesMap) -> bool {
    fn named_gather(t: &TermMap) -> bool {
        match &t.gather {
            None => false,
            Some(g) => {
                !matches!(&t.value, Value::Template(tpl) if tpl.segments.is_empty())
                    || gather_items_named(g)
            }
        }
    }
    fn gather_items_named(g: &GatherMap) -> bool {
        g.items.iter().any(|o| match o {
            ObjectMap::Term(t) => named_gather(t),
            ObjectMap::Ref(_) => false,
        })
    }
    !named_gather(&tm.subject.term)
        && tm.predicate_object_maps.iter().all(|pom| {
            pom.objects.iter().all(|o| match o {
                ObjectMap::Term(t) => !named_gather(t),
                ObjectMap::Ref(_) => true,
            })
        })
}

/// What one share does with the records of a triples map run through [`crate::multi`].
pub(crate) enum Filter {
    /// Map every record (no share, or share 0 of a triples map that cannot be split).
    All,
    /// Map none (another share maps this triples map whole).
    Nothing,
    /// Map the records this share owns.
    Share {
        share: Share,
        /// The byte range owned, for records located by byte.
        range: (u64, u64),
        /// May the run stop at the first record past `range` (the source is read in order)?
        ordered: bool,
    },
}

/// The verdict of a [`Filter`] on one record.
pub(crate) enum Verdict {
    /// Map it.
    Map,
    /// Another share maps it.
    Skip,
    /// Every record from here on belongs to later shares.
    Stop,
}

impl Filter {
    /// The filter of `tm`'s records in `mapping`'s share, if any.
    pub(crate) fn new(mapping: &Mapping, tm: &TriplesMap) -> Result<Self, RmlError> {
        let Some(share) = mapping.share else {
            return Ok(Self::All);
        };
        if share.count == 1 {
            return Ok(Self::All);
        }
        if !splittable(tm) {
            return Ok(if share.index == 0 {
                Self::All
            } else {
                Self::Nothing
            });
        }
        let ordered = !matches!(tm.source.formulation, ReferenceFormulation::View(_));
        let len = if ordered {
            std::fs::metadata(&tm.source.path).map_or(0, |m| m.len())
        } else {
            0
        };
        let (from, mut to) = share.byte_range(len);
        if share.index + 1 == share.count {
            // The last share takes whatever lies past the file's length (offsets in decoded
            // text, a file that grew): no record is left to no one.
            to = u64::MAX;
        }
        Ok(Self::Share {
            share,
            range: (from, to),
            ordered,
        })
    }

    /// Whether this share maps `rec`, the `ordinal`-th record (0-based) of the source.
    pub(crate) fn verdict(&self, rec: &Record, ordinal: u64) -> Verdict {
        match self {
            Self::All => Verdict::Map,
            Self::Nothing => Verdict::Stop,
            Self::Share {
                share,
                range,
                ordered,
            } => {
                let byte = match rec.location {
                    Location::CsvByte(b) | Location::JsonByte(b) | Location::XmlByte(b)
                        if *ordered =>
                    {
                        b
                    }
                    _ => {
                        return if share.owns_ordinal(ordinal) {
                            Verdict::Map
                        } else {
                            Verdict::Skip
                        }
                    }
                };
                if byte < range.0 {
                    Verdict::Skip
                } else if byte < range.1 {
                    Verdict::Map
                } else {
                    Verdict::Stop
                }
            }
        }
    }
}

/// What a file is when its first bytes say it is not plain text (compressed, an archive,
/// UTF-16): byte ranges of it are not ranges of records.
pub(crate) fn not_plain(path: &Path) -> Option<&'static str> {
    let mut head = [0u8; 6];
    let n = File::open(path).and_then(|mut f| f.read(&mut head)).ok()?;
    let head = &head[..n];
    let kinds: [(&[u8], &'static str); 7] = [
        (&[0x1f, 0x8b], "gzip-compressed"),
        (&[0xfd, b'7', b'z', b'X', b'Z', 0], "xz-compressed"),
        (b"BZh", "bzip2-compressed"),
        (b"PK\x03\x04", "a zip archive"),
        (&[0x28, 0xb5, 0x2f, 0xfd], "zstd-compressed"),
        (&[0xff, 0xfe], "UTF-16 text"),
        (&[0xfe, 0xff], "UTF-16 text"),
    ];
    kinds
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, what)| *what)
}

/// Where the records of one share of a CSV file lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CsvShare {
    /// Byte offset of the share's first record (or the end of the file).
    pub start: u64,
    /// Line of `start` as the csv crate counts (1-based, `\n` bytes before it plus one).
    pub line: u64,
    /// Records before `start`, the header included.
    pub record: u64,
    /// Records the share owns.
    pub records: u64,
}

/// Where CSV reading is in a record (the states of `csv_core` that matter for where records
/// start: `"` opens a quoted field only at the start of a field, `""` inside one is a quote).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scan {
    /// Between records (line breaks here are blank lines, skipped).
    StartRecord,
    /// At the start of a field.
    StartField,
    /// In an unquoted field.
    InField,
    /// In a quoted field.
    InQuoted,
    /// Just after a `"` in a quoted field: a second `"` is a quote, anything else ends the
    /// quoting.
    AfterQuote,
}

/// Finds the records of `share` in the CSV file `path` (comma-separated, `"` quotes, a
/// header record first): those that start in the share's byte range. Reads the file from
/// its start to the end of the range, looking at each byte once and keeping no field.
pub(crate) fn csv_share(path: &Path, share: Share, delimiter: u8) -> std::io::Result<CsvShare> {
    let len = std::fs::metadata(path)?.len();
    let (from, to) = share.byte_range(len);
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut state = Scan::StartRecord;
    let (mut pos, mut lines, mut records) = (0u64, 1u64, 0u64);
    let mut found = CsvShare {
        start: len,
        line: 1,
        record: 0,
        records: 0,
    };
    let mut started = false;
    'read: loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        let mut i = 0;
        while i < chunk.len() {
            // Inside a field only a few bytes matter: jump to the next one.
            let skip = match state {
                Scan::InQuoted => memchr::memchr(b'"', &chunk[i..]),
                Scan::InField => memchr::memchr3(delimiter, b'\n', b'\r', &chunk[i..]),
                _ => Some(0),
            }
            .unwrap_or(chunk.len() - i);
            if skip > 0 {
                if state == Scan::InQuoted {
                    lines += memchr::memchr_iter(b'\n', &chunk[i..i + skip]).count() as u64;
                }
                i += skip;
                pos += skip as u64;
                continue;
            }
            let b = chunk[i];
            let terminator = b == b'\n' || b == b'\r';
            if state == Scan::StartRecord && !terminator {
                // A record starts here (record 0 is the header).
                if records > 0 && pos >= from {
                    if pos >= to {
                        break 'read;
                    }
                    if !started {
                        started = true;
                        found.start = pos;
                        found.line = lines;
                        found.record = records;
                    }
                    found.records += 1;
                }
                records += 1;
                state = Scan::StartField;
            }
            state = match (state, b) {
                (Scan::StartRecord, _) => Scan::StartRecord,
                (Scan::StartField, b'"') => Scan::InQuoted,
                (Scan::StartField | Scan::InField | Scan::AfterQuote, _) if b == delimiter => {
                    Scan::StartField
                }
                (Scan::StartField | Scan::InField | Scan::AfterQuote, _) if terminator => {
                    Scan::StartRecord
                }
                (Scan::StartField | Scan::InField, _) => Scan::InField,
                (Scan::InQuoted, b'"') => Scan::AfterQuote,
                (Scan::InQuoted, _) => Scan::InQuoted,
                (Scan::AfterQuote, b'"') => Scan::InQuoted,
                (Scan::AfterQuote, _) => Scan::InField,
            };
            if b == b'\n' {
                lines += 1;
            }
            pos += 1;
            i += 1;
        }
    }
    if !started {
        found.line = lines;
        found.record = records;
    }
    Ok(found)
}

thread_local! {
    /// The record whose fresh blank nodes are being made: (hash of the mapping file's name
    /// and the triples map, record ordinal, blank nodes made for it so far).
    static FRESH: Cell<Option<(u64, u64, u64)>> = const { Cell::new(None) };
}

/// While alive, the fresh blank nodes made on this thread are named after the records of
/// one triples map ([`fresh_record`]); random again once dropped.
pub(crate) struct Fresh(());

impl Fresh {
    /// Starts naming after the records of `tm` of `mapping`.
    pub(crate) fn begin(mapping: &Mapping, tm: &TriplesMap) -> Self {
        // The file's name, not its path: shares on other machines see other paths.
        let mut h = std::hash::DefaultHasher::new();
        mapping.file.file_name().hash(&mut h);
        tm.name.hash(&mut h);
        FRESH.with(|f| f.set(Some((h.finish(), 0, 0))));
        Self(())
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        FRESH.with(|f| f.set(None));
    }
}

/// The next fresh blank nodes are made for the record with this ordinal (`u64::MAX`: after
/// the last record).
pub(crate) fn fresh_record(ordinal: u64) {
    FRESH.with(|f| {
        if let Some((h, _, _)) = f.get() {
            f.set(Some((h, ordinal, 0)));
        }
    });
}

/// A fresh blank node: named after the current record (see [`Fresh`]), random outside a
/// run.
pub(crate) fn fresh_blank() -> BlankNode {
    FRESH.with(|f| match f.get() {
        Some((h, ordinal, n)) => {
            f.set(Some((h, ordinal, n + 1)));
            if ordinal == u64::MAX {
                BlankNode::new_unchecked(format!("f{h:016x}end{n}"))
            } else {
                BlankNode::new_unchecked(format!("f{h:016x}r{ordinal}n{n}"))
            }
        }
        None => BlankNode::default(),
    })
}

/// The error that ends the reading of a source once past the share's records (never shown:
/// [`is_past_share`] tells it apart).
#[derive(Debug)]
struct PastShare;

impl fmt::Display for PastShare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("past the records of this share")
    }
}

impl std::error::Error for PastShare {}

/// See [`PastShare`].
pub(crate) fn past_share() -> RmlError {
    RmlError::Sink(Box::new(PastShare))
}

/// Is `e` [`past_share`]'s?
pub(crate) fn is_past_share(e: &RmlError) -> bool {
    matches!(e, RmlError::Sink(b) if b.is::<PastShare>())
}

/// Moves the CSV reader of `tm` (its header read) to the first record of `mapping`'s share
/// and returns how many records to read from there; `None`: every record (no share).
pub(crate) fn seek_csv(
    mapping: &Mapping,
    tm: &TriplesMap,
    csv: &mut crate::exec::Csv,
) -> Result<Option<u64>, RmlError> {
    let Some(share) = mapping.share.filter(|s| s.count > 1) else {
        return Ok(None);
    };
    if let Some(what) = not_plain(&tm.source.path) {
        return Err(crate::exec::mapping_error(
            mapping,
            tm,
            format!(
                "--partition cannot split \"{}\": it is {what}, and shares are byte ranges of plain UTF-8 text; decompress or convert it first, or map it without --partition",
                tm.source.written
            ),
        ));
    }
    let found = csv_share(&tm.source.path, share, b',').map_err(|e| RmlError::Io {
        path: tm.source.path.clone(),
        source: e,
    })?;
    let mut at = csv::Position::new();
    at.set_byte(found.start)
        .set_line(found.line)
        .set_record(found.record);
    csv.reader
        .seek(at)
        .map_err(|e| crate::exec::csv_error(&csv.file, e))?;
    Ok(Some(found.records))
}

#[cfg(test)]
mod tests;
