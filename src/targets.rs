//! RML-IO logical targets of `factgraph map`: one writer per target file, in the target's
//! serialisation, encoding and compression.
//!
//! A quad goes to the union of the targets of the term maps that made it, or to the default
//! output (`map -o`, stdout) when they name none (see [`rml::QuadSink::push_to_targets`]).
//! Each target is written to a temporary file beside its name and renamed when the whole
//! run has succeeded, so that nothing half-written is ever left under a target's name: on
//! an error the temporary files are removed. Every target is written, an unreferenced one
//! empty. Two targets of the same file share it when their options agree.
//!
//! N-Quads and N-Triples stream through factgraph's line writer, Turtle (and N3, written as
//! Turtle, a subset), TriG, JSON-LD and RDF/XML through Oxigraph's serialisers; RDF/JSON
//! (triples only) is gathered and written at the end. Formats without graphs write quads of
//! named graphs as triples. UTF-16 is little-endian with a byte order mark. `zip`, `tarxz`
//! and `targz` hold one file, named as the target without the archive's extension; its
//! content is spooled to an anonymous temporary file first, since archives record sizes.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

use oxigraph::io::{JsonLdProfileSet, RdfFormat};
use oxrdf::{Quad, QuadRef, Term};

use crate::map::{MapFormat, MapSummary};
use crate::rdf_io::WriterSink;
use crate::rml::model::{Compression, Encoding, LogicalTarget, Mapping, Serialization, TargetSet};
use crate::rml::{self, QuadSink, RmlError, SinkError};
use crate::turtle::Prefixes;

/// A logical target that cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The file (or its temporary file) cannot be created, written or renamed.
    #[error("{at}: logical target {name}: cannot write {path}: {source}")]
    Io {
        /// The mapping file and line of the target.
        at: Place,
        /// The target (`<iri>` or `_:b0`).
        name: String,
        /// The file as written in the mapping.
        path: String,
        /// The cause.
        source: io::Error,
    },
    /// Two targets name one file with different options.
    #[error("{at}: logical target {name}: {path} is also written by the logical target {other} with another serialization, encoding or compression; expected one set of options for one file")]
    Conflict {
        /// The mapping file and line of the target.
        at: Place,
        /// The target.
        name: String,
        /// The file as written in the mapping.
        path: String,
        /// The other target.
        other: String,
    },
}

/// A mapping file and the line of a target in it, as `FILE:LINE`.
#[derive(Debug, Clone)]
pub struct Place {
    /// The mapping file.
    pub file: String,
    /// The line of the target, when known.
    pub line: Option<u64>,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}", self.file),
            None => write!(f, "{}", self.file),
        }
    }
}

/// Runs `mappings`, some of which have logical targets: quads without a target go to `out`
/// in `format` (as [`crate::map::map_to_writer_with`] writes them), the others to their
/// targets' files, which appear only when everything has been written.
pub fn map_with_targets(
    mappings: &[Mapping],
    format: MapFormat,
    prefixes: &Prefixes,
    out: &mut dyn Write,
    progress: &dyn Fn(u64),
) -> Result<MapSummary, RmlError> {
    let sink_err = |e: TargetError| RmlError::Sink(Box::new(e));
    let mut writers: Vec<TargetWriter> = Vec::new();
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    let mut locals: Vec<Vec<usize>> = Vec::with_capacity(mappings.len());
    for m in mappings {
        let file = m.file.display().to_string();
        let mut local = Vec::with_capacity(m.targets.len());
        for t in &m.targets {
            let key = absolute(&t.path);
            if let Some(&i) = by_path.get(&key) {
                let other = &writers[i].target;
                if (other.serialization, other.encoding, other.compression)
                    != (t.serialization, t.encoding, t.compression)
                {
                    return Err(sink_err(TargetError::Conflict {
                        at: Place { file, line: t.line },
                        name: t.name.clone(),
                        path: t.written.clone(),
                        other: other.name.clone(),
                    }));
                }
                local.push(i);
                continue;
            }
            writers.push(TargetWriter::open(t, &file).map_err(sink_err)?);
            by_path.insert(key, writers.len() - 1);
            local.push(writers.len() - 1);
        }
        locals.push(local);
    }
    let mut default = DefaultOut::new(format, out);
    let mut summary = MapSummary::default();
    for (m, local) in mappings.iter().zip(&locals) {
        let mut router = Router {
            default: &mut default,
            writers: &mut writers,
            local,
            quads: summary.quads,
            progress,
            chosen: Vec::new(),
        };
        let stats = rml::execute(m, &mut router)?;
        summary.rows += stats.rows;
        summary.quads += stats.quads;
    }
    let prefixes = prefixes.clone().with_instance_namespaces(
        crate::map::instance_namespaces(mappings)
            .iter()
            .map(String::as_str),
    );
    summary.flattened = default.finish(&prefixes)?;
    // Every target complete before any is renamed.
    let mut done = Vec::with_capacity(writers.len());
    for w in writers {
        done.push(w.finish().map_err(sink_err)?);
    }
    for d in done {
        d.persist().map_err(sink_err)?;
    }
    Ok(summary)
}

/// The path as an absolute one (so that `./a.nq` and `a.nq` are one file).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// Hands each quad to the default output or to its targets' writers.
struct Router<'a, 'o> {
    default: &'a mut DefaultOut<'o>,
    writers: &'a mut [TargetWriter],
    /// The writer of each target of the mapping being run.
    local: &'a [usize],
    quads: u64,
    progress: &'a dyn Fn(u64),
    /// Reused: the writers of one quad, without repetition.
    chosen: Vec<usize>,
}

impl Router<'_, '_> {
    fn count(&mut self) {
        self.quads += 1;
        if self.quads.is_multiple_of(65_536) {
            (self.progress)(self.quads);
        }
    }
}

impl QuadSink for Router<'_, '_> {
    fn push(&mut self, quad: QuadRef<'_>) -> Result<(), SinkError> {
        self.count();
        self.default.push(quad)
    }

    fn push_to_targets(&mut self, quad: QuadRef<'_>, targets: TargetSet) -> Result<(), SinkError> {
        self.count();
        self.chosen.clear();
        for t in targets.iter() {
            if let Some(&w) = self.local.get(t) {
                if !self.chosen.contains(&w) {
                    self.chosen.push(w);
                }
            }
        }
        for &w in &self.chosen {
            self.writers[w].push(quad)?;
        }
        Ok(())
    }
}

/// The default output: streamed lines, or gathered for sorted Turtle and TriG.
enum DefaultOut<'o> {
    Lines(WriterSink<&'o mut dyn Write>),
    Gathered {
        quads: Vec<Quad>,
        trig: bool,
        out: &'o mut dyn Write,
    },
}

impl<'o> DefaultOut<'o> {
    fn new(format: MapFormat, out: &'o mut dyn Write) -> Self {
        let lines = match format {
            MapFormat::Nquads => RdfFormat::NQuads,
            MapFormat::Ntriples => RdfFormat::NTriples,
            MapFormat::Turtle | MapFormat::Trig => {
                return Self::Gathered {
                    quads: Vec::new(),
                    trig: format == MapFormat::Trig,
                    out,
                }
            }
        };
        Self::Lines(WriterSink::new(lines, &Default::default(), out))
    }

    fn push(&mut self, quad: QuadRef<'_>) -> Result<(), SinkError> {
        match self {
            Self::Lines(w) => w.push(quad),
            Self::Gathered { quads, .. } => {
                quads.push(quad.into_owned());
                Ok(())
            }
        }
    }

    /// Ends the output; returns how many quads of named graphs were written as triples.
    fn finish(self, prefixes: &Prefixes) -> Result<u64, RmlError> {
        let sink = |e: io::Error| RmlError::Sink(Box::new(e));
        match self {
            Self::Lines(w) => {
                let flattened = w.flattened;
                w.finish().and_then(|o| o.flush()).map_err(sink)?;
                Ok(flattened)
            }
            Self::Gathered { quads, trig, out } => {
                let written =
                    crate::turtle::write(quads, prefixes, trig, &mut *out).map_err(sink)?;
                out.flush().map_err(sink)?;
                Ok(written.flattened)
            }
        }
    }
}

/// One target being written.
struct TargetWriter {
    target: LogicalTarget,
    at: Place,
    temp: tempfile::NamedTempFile,
    body: Body,
}

/// What the serialiser writes into.
enum Body {
    Rdf(WriterSink<Encoder>),
    /// RDF/JSON: subject → predicate → objects, written at the end.
    RdfJson {
        triples: BTreeMap<String, BTreeMap<String, Vec<serde_json::Value>>>,
        out: Encoder,
    },
}

impl TargetWriter {
    fn open(target: &LogicalTarget, file: &str) -> Result<Self, TargetError> {
        let at = Place {
            file: file.to_owned(),
            line: target.line,
        };
        let io_err = |source| TargetError::Io {
            at: at.clone(),
            name: target.name.clone(),
            path: target.written.clone(),
            source,
        };
        let dir = match target.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        let name = target
            .path
            .file_name()
            .ok_or_else(|| io_err(io::Error::other("the path names no file")))?
            .to_string_lossy()
            .into_owned();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".partial");
        // A file for people to read, not the private mode of temporary files.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
        let temp = builder.tempfile_in(&dir).map_err(io_err)?;
        let handle = temp.as_file().try_clone().map_err(io_err)?;
        let stage = match target.compression {
            Compression::None => Stage::Plain(BufWriter::new(handle)),
            Compression::Gzip => Stage::Gzip(Box::new(flate2::write::GzEncoder::new(
                BufWriter::new(handle),
                flate2::Compression::default(),
            ))),
            Compression::Zip | Compression::TarXz | Compression::TarGz => {
                Stage::Spool(BufWriter::new(tempfile::tempfile_in(&dir).map_err(io_err)?))
            }
        };
        let mut encoder = Encoder {
            stage,
            utf16: target.encoding == Encoding::Utf16,
            pending: Vec::new(),
            wide: Vec::new(),
        };
        if encoder.utf16 {
            encoder.stage.write_all(&[0xFF, 0xFE]).map_err(io_err)?;
        }
        let format = match target.serialization {
            Serialization::NQuads => Some(RdfFormat::NQuads),
            Serialization::NTriples => Some(RdfFormat::NTriples),
            Serialization::Turtle | Serialization::N3 => Some(RdfFormat::Turtle),
            Serialization::TriG => Some(RdfFormat::TriG),
            Serialization::JsonLd => Some(RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            }),
            Serialization::RdfXml => Some(RdfFormat::RdfXml),
            Serialization::RdfJson => None,
        };
        let body = match format {
            Some(f) => Body::Rdf(WriterSink::new(f, &Default::default(), encoder)),
            None => Body::RdfJson {
                triples: BTreeMap::new(),
                out: encoder,
            },
        };
        Ok(Self {
            target: target.clone(),
            at,
            temp,
            body,
        })
    }

    fn push(&mut self, quad: QuadRef<'_>) -> Result<(), SinkError> {
        match &mut self.body {
            Body::Rdf(w) => w.push(quad),
            Body::RdfJson { triples, .. } => {
                let subject = quad.subject.to_string();
                let subject = subject
                    .strip_prefix('<')
                    .and_then(|s| s.strip_suffix('>'))
                    .map_or(subject.clone(), str::to_owned);
                triples
                    .entry(subject)
                    .or_default()
                    .entry(quad.predicate.as_str().to_owned())
                    .or_default()
                    .push(rdf_json_object(quad.object.into_owned()));
                Ok(())
            }
        }
    }

    /// Ends the document and the compression; the file is complete but not yet renamed.
    fn finish(self) -> Result<Finished, TargetError> {
        let Self {
            target,
            at,
            temp,
            body,
        } = self;
        let io_err = |source| TargetError::Io {
            at: at.clone(),
            name: target.name.clone(),
            path: target.written.clone(),
            source,
        };
        let encoder = match body {
            Body::Rdf(w) => w.finish(),
            Body::RdfJson { triples, mut out } => serde_json::to_vec_pretty(&triples)
                .map_err(io::Error::other)
                .and_then(|j| out.write_all(&j).map(|()| out)),
        }
        .map_err(io_err)?;
        encoder.finish(&target, &temp).map_err(io_err)?;
        Ok(Finished {
            temp,
            path: target.path.clone(),
            at,
            name: target.name,
            written: target.written,
        })
    }
}

/// The name of the one file inside an archive: the target's without the archive extension.
fn entry_name(target: &LogicalTarget) -> String {
    let name = target
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let suffix = match target.compression {
        Compression::Zip => ".zip",
        Compression::TarXz => ".tar.xz",
        Compression::TarGz => ".tar.gz",
        Compression::None | Compression::Gzip => "",
    };
    match name.strip_suffix(suffix) {
        Some(stem) if !stem.is_empty() => stem.to_owned(),
        _ => name,
    }
}

/// A complete target waiting to be renamed into place.
struct Finished {
    temp: tempfile::NamedTempFile,
    path: PathBuf,
    at: Place,
    name: String,
    written: String,
}

impl Finished {
    fn persist(self) -> Result<(), TargetError> {
        let Self {
            temp,
            path,
            at,
            name,
            written,
        } = self;
        temp.persist(&path).map(drop).map_err(|e| TargetError::Io {
            at,
            name,
            path: written,
            source: e.error,
        })
    }
}

/// An RDF/JSON object (`{"type": "uri"|"bnode"|"literal", "value": …, "lang"|"datatype": …}`).
fn rdf_json_object(term: Term) -> serde_json::Value {
    use serde_json::json;
    match term {
        Term::NamedNode(n) => json!({"type": "uri", "value": n.into_string()}),
        Term::BlankNode(b) => json!({"type": "bnode", "value": format!("_:{}", b.as_str())}),
        Term::Literal(l) => {
            let (value, datatype, language) = l.destruct();
            match (language, datatype) {
                (Some(lang), _) => json!({"type": "literal", "value": value, "lang": lang}),
                (None, Some(d)) if d != oxrdf::vocab::xsd::STRING => {
                    json!({"type": "literal", "value": value, "datatype": d.into_string()})
                }
                (None, _) => json!({"type": "literal", "value": value}),
            }
        }
    }
}

/// Where a target's bytes go before its file: straight, gzip-compressed on the fly, or
/// spooled for an archive.
enum Stage {
    Plain(BufWriter<File>),
    /// Boxed: the encoder's state is eight times the size of the other variants.
    Gzip(Box<flate2::write::GzEncoder<BufWriter<File>>>),
    Spool(BufWriter<File>),
}

impl Write for Stage {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(w) | Self::Spool(w) => w.write(buf),
            Self::Gzip(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(w) | Self::Spool(w) => w.flush(),
            Self::Gzip(w) => w.flush(),
        }
    }
}

/// UTF-8 text in, the target's encoding out.
struct Encoder {
    stage: Stage,
    utf16: bool,
    /// UTF-16: the bytes of a character split between two writes.
    pending: Vec<u8>,
    /// UTF-16: reused output buffer.
    wide: Vec<u8>,
}

impl Encoder {
    /// Ends the compression (or builds the archive) into the target's temporary file.
    fn finish(self, target: &LogicalTarget, temp: &tempfile::NamedTempFile) -> io::Result<()> {
        if !self.pending.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the output ends inside a UTF-8 character",
            ));
        }
        match self.stage {
            Stage::Plain(w) => w
                .into_inner()
                .map_err(io::IntoInnerError::into_error)?
                .sync_all(),
            Stage::Gzip(g) => g
                .finish()?
                .into_inner()
                .map_err(io::IntoInnerError::into_error)?
                .sync_all(),
            Stage::Spool(w) => {
                let mut content = w.into_inner().map_err(io::IntoInnerError::into_error)?;
                let size = content.stream_position()?;
                content.rewind()?;
                let file = BufWriter::new(temp.as_file().try_clone()?);
                let entry = entry_name(target);
                let file = match target.compression {
                    Compression::Zip => {
                        let mut zip = zip::ZipWriter::new(file);
                        let options = zip::write::SimpleFileOptions::default()
                            .compression_method(zip::CompressionMethod::Deflated)
                            .unix_permissions(0o644);
                        zip.start_file(entry, options).map_err(io::Error::other)?;
                        io::copy(&mut content, &mut zip)?;
                        zip.finish().map_err(io::Error::other)?
                    }
                    Compression::TarGz => {
                        let gz =
                            flate2::write::GzEncoder::new(file, flate2::Compression::default());
                        tar_into(gz, &entry, size, &mut content)?.finish()?
                    }
                    Compression::TarXz => {
                        let xz =
                            lzma_rust2::XzWriter::new(file, lzma_rust2::XzOptions::with_preset(6))?;
                        tar_into(xz, &entry, size, &mut content)?.finish()?
                    }
                    Compression::None | Compression::Gzip => file,
                };
                file.into_inner()
                    .map_err(io::IntoInnerError::into_error)?
                    .sync_all()
            }
        }
    }
}

/// A tar archive of one file `entry` (`size` bytes read from `content`) written into `out`.
fn tar_into<W: Write>(out: W, entry: &str, size: u64, content: &mut File) -> io::Result<W> {
    let mut builder = tar::Builder::new(out);
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    );
    header.set_entry_type(tar::EntryType::Regular);
    builder.append_data(&mut header, entry, content)?;
    builder.into_inner()
}

impl Write for Encoder {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.utf16 {
            return self.stage.write(buf);
        }
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(s) => s.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
        };
        // The prefix is valid UTF-8 (checked above).
        let text = std::str::from_utf8(&self.pending[..valid]).unwrap_or_default();
        self.wide.clear();
        for unit in text.encode_utf16() {
            self.wide.extend_from_slice(&unit.to_le_bytes());
        }
        self.stage.write_all(&self.wide)?;
        self.pending.drain(..valid);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stage.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_encoder_splits_characters_across_writes() {
        let mut e = Encoder {
            stage: Stage::Spool(BufWriter::new(tempfile::tempfile().unwrap())),
            utf16: true,
            pending: Vec::new(),
            wide: Vec::new(),
        };
        let text = "é€😀";
        let bytes = text.as_bytes();
        for b in bytes {
            e.write_all(std::slice::from_ref(b)).unwrap();
        }
        assert!(e.pending.is_empty());
        let Stage::Spool(w) = e.stage else { panic!() };
        let mut f = w.into_inner().unwrap();
        f.rewind().unwrap();
        let mut out = Vec::new();
        io::Read::read_to_end(&mut f, &mut out).unwrap();
        let want: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(out, want);
    }

    #[test]
    fn rdf_json_objects() {
        let lit = oxrdf::Literal::new_typed_literal("1", oxrdf::vocab::xsd::INTEGER);
        assert_eq!(
            rdf_json_object(lit.into()),
            serde_json::json!({"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"})
        );
        let lit = oxrdf::Literal::new_language_tagged_literal_unchecked("a", "en");
        assert_eq!(
            rdf_json_object(lit.into()),
            serde_json::json!({"type": "literal", "value": "a", "lang": "en"})
        );
    }
}
