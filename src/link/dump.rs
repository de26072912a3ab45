//! Streaming reader of Wikidata JSON dumps (`latest-all.json`, plain, `.gz` or `.bz2`).
//!
//! The official format is one JSON array with one entity a line:
//!
//! ```text
//! [
//! {"type":"item","id":"Q1",…},
//! {"type":"item","id":"Q2",…}
//! ]
//! ```
//!
//! Lines are read one at a time into a reused buffer, so memory stays bounded by the longest
//! line whatever the size of the dump. The compression is recognised by its magic bytes
//! (`1f 8b` gzip, `BZh` bzip2); multi-member gzip and multi-stream bzip2 files (as parallel
//! compressors write them, and as Wikimedia publishes) are read to the end.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::wikidata::{parse_entity, Entity, Filter};

/// Errors reading a dump.
#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    /// The file cannot be opened or read (or decompressed).
    #[error("{}: {source}", path.display())]
    Io {
        /// The dump.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file does not look like a Wikidata JSON dump.
    #[error("{}:{line}: not a Wikidata JSON dump: {message}", path.display())]
    Format {
        /// The dump.
        path: PathBuf,
        /// 1-based line number (of the decompressed text).
        line: u64,
        /// What was wrong.
        message: String,
    },
}

/// Counts of a pass over a dump.
#[derive(Debug, Clone, Default)]
pub struct DumpStats {
    /// Entity lines parsed.
    pub entities: u64,
    /// Bytes of decompressed text read.
    pub bytes: u64,
    /// Lines that did not parse as an entity and were skipped.
    pub bad_lines: u64,
    /// The first such line, for the message.
    pub first_bad_line: Option<(u64, String)>,
}

/// Opens a dump file, decompressing gzip or bzip2 as its first bytes say.
pub fn open(path: &Path) -> Result<Box<dyn BufRead>, DumpError> {
    let io_err = |source| DumpError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = BufReader::with_capacity(1 << 20, File::open(path).map_err(io_err)?);
    let magic = file.fill_buf().map_err(io_err)?;
    let reader: Box<dyn BufRead> = if magic.starts_with(&[0x1f, 0x8b]) {
        Box::new(BufReader::with_capacity(
            1 << 20,
            flate2::bufread::MultiGzDecoder::new(file),
        ))
    } else if magic.starts_with(b"BZh") {
        Box::new(BufReader::with_capacity(
            1 << 20,
            bzip2::bufread::MultiBzDecoder::new(file),
        ))
    } else {
        Box::new(file)
    };
    Ok(reader)
}

/// Calls `each` with every entity line of the dump at `path` (without its trailing comma),
/// one at a time, in a reused buffer. `each` decides whether and how to parse the line (with
/// [`parse_line`]), so that cheap tests can skip most lines; a [`DumpError::Format`] it returns
/// is counted in the stats and the line skipped, other errors stop the pass.
pub fn for_each_line(
    path: &Path,
    mut each: impl FnMut(&[u8]) -> Result<(), DumpError>,
) -> Result<DumpStats, DumpError> {
    let mut reader = open(path)?;
    for_each_line_in(path, &mut reader, &mut each)
}

fn for_each_line_in(
    path: &Path,
    reader: &mut dyn BufRead,
    each: &mut dyn FnMut(&[u8]) -> Result<(), DumpError>,
) -> Result<DumpStats, DumpError> {
    let mut stats = DumpStats::default();
    let mut buf = Vec::with_capacity(1 << 16);
    let mut line_no = 0u64;
    let mut seen_content = false;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|source| DumpError::Io {
                path: path.to_owned(),
                source,
            })?;
        if n == 0 {
            break;
        }
        line_no += 1;
        stats.bytes += n as u64;
        let line = trim(&buf);
        if line.is_empty() || line == b"[" || line == b"]" {
            continue;
        }
        let line = trim(line.strip_suffix(b",").unwrap_or(line));
        if !seen_content {
            seen_content = true;
            if !line.starts_with(b"{") {
                return Err(DumpError::Format {
                    path: path.to_owned(),
                    line: line_no,
                    message: format!(
                        "expected one JSON entity a line, found `{}`",
                        String::from_utf8_lossy(&line[..line.len().min(40)])
                    ),
                });
            }
        }
        // One whole JSON object a line, whatever the spacing inside; anything else (a line of
        // a pretty-printed file) is malformed whatever `each` would make of it.
        let result = if line.starts_with(b"{") && line.ends_with(b"}") {
            each(line)
        } else {
            Err(DumpError::Format {
                path: PathBuf::new(),
                line: 0,
                message: format!(
                    "not one JSON object: `{}`",
                    String::from_utf8_lossy(&line[..line.len().min(40)])
                ),
            })
        };
        stats.entities += 1;
        match result {
            Ok(()) => {}
            Err(DumpError::Format { message, .. }) => {
                stats.entities -= 1;
                stats.bad_lines += 1;
                if stats.first_bad_line.is_none() {
                    stats.first_bad_line = Some((line_no, message));
                }
            }
            Err(e) => return Err(e),
        }
    }
    // Not one entity read, only malformed lines: this is no dump (a pretty-printed JSON
    // file, one cut short …), and saying "nothing found" would hide it.
    if stats.entities == 0 {
        if let Some((line, message)) = stats.first_bad_line.take() {
            return Err(DumpError::Format {
                path: path.to_owned(),
                line,
                message: format!(
                    "no line holds a whole entity ({} malformed lines; a dump has one JSON entity a line); the first: {message}",
                    stats.bad_lines
                ),
            });
        }
    }
    Ok(stats)
}

/// Parses a dump line with `filter`; a malformed line becomes [`DumpError::Format`] (which
/// [`for_each_line`] counts and skips).
pub fn parse_line(line: &[u8], filter: Filter<'_>) -> Result<Entity, DumpError> {
    parse_entity(line, filter).map_err(|e| DumpError::Format {
        path: PathBuf::new(),
        line: 0,
        message: e.to_string(),
    })
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}

/// Reads a whole (small) dump into memory: for tests and tools.
pub fn read_all(path: &Path, filter: Filter<'_>) -> Result<Vec<Entity>, DumpError> {
    let mut out = Vec::new();
    for_each_line(path, |line| {
        out.push(parse_line(line, filter)?);
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn langs() -> Vec<String> {
        vec!["en".to_owned()]
    }

    const DUMP: &str = "[\n{\"type\":\"item\",\"id\":\"Q990000001\",\"labels\":{\"en\":{\"language\":\"en\",\"value\":\"A\"}},\"claims\":{}},\n{\"type\":\"item\",\"id\":\"Q990000002\",\"labels\":{},\"claims\":[]}\n]\n";

    #[test]
    fn reads_plain_gzip_and_bzip2() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("d.json");
        std::fs::write(&plain, DUMP).unwrap();
        let gz = dir.path().join("d.json.gz");
        {
            // Two gzip members, as parallel compressors write them.
            let mut f = File::create(&gz).unwrap();
            let (a, b) = DUMP.split_at(60);
            for part in [a, b] {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(part.as_bytes()).unwrap();
                f.write_all(&e.finish().unwrap()).unwrap();
            }
        }
        let bz = dir.path().join("d.json.bz2");
        {
            let mut f = File::create(&bz).unwrap();
            let (a, b) = DUMP.split_at(60);
            for part in [a, b] {
                let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
                e.write_all(part.as_bytes()).unwrap();
                f.write_all(&e.finish().unwrap()).unwrap();
            }
        }
        let langs = langs();
        let filter = Filter {
            langs: &langs,
            properties: &[],
            descriptions: false,
        };
        for p in [&plain, &gz, &bz] {
            let all = read_all(p, filter).unwrap();
            let ids: Vec<_> = all.iter().map(|e| e.id.as_str()).collect();
            assert_eq!(ids, ["Q990000001", "Q990000002"], "{}", p.display());
            assert_eq!(all[0].labels, vec![("en".into(), "A".into())]);
        }
    }

    #[test]
    fn refuses_what_is_not_a_dump_and_skips_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        std::fs::write(&p, "id,name\n1,2\n").unwrap();
        let langs = langs();
        let filter = Filter {
            langs: &langs,
            properties: &[],
            descriptions: false,
        };
        assert!(matches!(
            read_all(&p, filter),
            Err(DumpError::Format { line: 1, .. })
        ));
        std::fs::write(&p, "[\n{\"id\":\"Q1\"},\n{\"id\":\n{\"id\":\"Q2\"}\n]\n").unwrap();
        let mut n = 0;
        let stats = for_each_line(&p, |l| {
            parse_line(l, filter)?;
            n += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!((n, stats.entities, stats.bad_lines), (2, 2, 1));
        assert_eq!(stats.first_bad_line.map(|(l, _)| l), Some(3));
        // Pretty-printed JSON: no line is an entity, which is an error, not an empty dump.
        std::fs::write(&p, "[\n  {\n    \"id\": \"Q1\"\n  }\n]\n").unwrap();
        assert!(matches!(
            read_all(&p, filter),
            Err(DumpError::Format { line: 2, .. })
        ));
    }
}
