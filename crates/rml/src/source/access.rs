//! RML-IO access to a source file: `rml:compression` (gzip, zip, tar.gz, tar.xz, each
//! streamed; an archive is read for its first file) and `rml:encoding` (UTF-16 transcoded to
//! UTF-8 on the fly, the BOM deciding the byte order). Every reader of a file source (CSV,
//! JSON, XML, RDF) opens it through [`open_reader`].

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};

use crate::error::RmlError;
use crate::exec::mapping_error;
use crate::model::{Compression, Encoding, Mapping, TriplesMap};

/// A decoded byte stream (decompressed, transcoded).
type Decoded = Box<dyn Read + Send>;

/// A byte stream of a source, decompressed and in UTF-8: the file itself when it needs no
/// decoding, so that `map --partition` can seek in it ([`crate::partition`]); a decoded stream
/// cannot seek (the partition refuses such sources before it tries).
pub(crate) enum SourceRead {
    /// A plain UTF-8 file, read as is.
    Plain(File),
    /// A decompressed or transcoded stream.
    Decoded(Decoded),
}

impl Read for SourceRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Self::Plain(f) => f.read(buf),
            Self::Decoded(d) => d.read(buf),
        }
    }
}

impl Seek for SourceRead {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        match self {
            Self::Plain(f) => f.seek(pos),
            Self::Decoded(_) => Err(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "a compressed or transcoded source cannot be read from the middle",
            )),
        }
    }
}

/// Opens the data file of `tm` (`expected` says what it should be, for messages), undoing its
/// compression and transcoding it to UTF-8. A missing file, a broken archive or an empty one
/// is a mapping error naming the triples map's line and the source.
pub(crate) fn open_reader(
    mapping: &Mapping,
    tm: &TriplesMap,
    expected: &str,
) -> Result<SourceRead, RmlError> {
    let path = &tm.source.path;
    let access = &tm.source.access;
    let fail = |message: String| mapping_error(mapping, tm, message);
    let file = File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            fail(format!(
                "the source file \"{}\" does not exist (looked for {}); expected {expected}",
                tm.source.written,
                path.display()
            ))
        } else {
            RmlError::Io {
                path: path.clone(),
                source: e,
            }
        }
    })?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(fail(format!(
            "the source \"{}\" is a directory ({}); expected {expected}",
            tm.source.written,
            path.display()
        )));
    }
    let broken = |what: &str, e: &dyn std::fmt::Display| {
        fail(format!(
            "the source file \"{}\" is not a valid {what} archive ({e}); expected {what} data as rml:compression says",
            tm.source.written
        ))
    };
    // The magic bytes first: a file that is not what rml:compression says is refused here,
    // with the source's name, rather than as a read error halfway.
    let mut file = file;
    let mut magic = Vec::with_capacity(6);
    (&mut file)
        .take(6)
        .read_to_end(&mut magic)
        .map_err(|e| RmlError::Io {
            path: path.clone(),
            source: e,
        })?;
    let expected_magic: &[u8] = match access.compression {
        Compression::Gzip | Compression::TarGz => &[0x1f, 0x8b],
        Compression::TarXz => &[0xfd, b'7', b'z', b'X', b'Z', 0],
        Compression::Zip => b"PK",
        Compression::None => &[],
    };
    if !magic.starts_with(expected_magic) {
        let what = match access.compression {
            Compression::Gzip => "gzip",
            Compression::TarGz => "tar.gz",
            Compression::TarXz => "tar.xz",
            _ => "zip",
        };
        return Err(broken(what, &"it does not start as one"));
    }
    if access.compression == Compression::None && access.encoding == Encoding::Utf8 {
        file.seek(SeekFrom::Start(0)).map_err(|e| RmlError::Io {
            path: path.clone(),
            source: e,
        })?;
        return Ok(SourceRead::Plain(file));
    }
    let file = std::io::Cursor::new(magic).chain(file);
    let plain: Decoded = match access.compression {
        Compression::None => Box::new(file),
        Compression::Gzip => Box::new(Annotated {
            inner: flate2::read::MultiGzDecoder::new(BufReader::new(file)),
            what: format!("broken gzip data in \"{}\"", tm.source.written),
        }),
        Compression::TarGz => {
            let gz = flate2::read::MultiGzDecoder::new(BufReader::new(file));
            let gz = Annotated {
                inner: gz,
                what: format!("broken tar.gz data in \"{}\"", tm.source.written),
            };
            first_tar_entry(Box::new(gz)).map_err(|e| broken("tar.gz", &e))?
        }
        Compression::TarXz => {
            let xz = lzma_rust2::XzReader::new(BufReader::new(file), true);
            let xz = Annotated {
                inner: xz,
                what: format!("broken tar.xz data in \"{}\"", tm.source.written),
            };
            first_tar_entry(Box::new(xz)).map_err(|e| broken("tar.xz", &e))?
        }
        Compression::Zip => {
            // The zip reader borrows its archive: the first file is inflated into memory.
            drop(file);
            let file = File::open(path).map_err(|e| RmlError::Io {
                path: path.clone(),
                source: e,
            })?;
            let mut archive =
                zip::ZipArchive::new(BufReader::new(file)).map_err(|e| broken("zip", &e))?;
            let index = (0..archive.len())
                .find(|&i| archive.by_index(i).is_ok_and(|f| f.is_file()))
                .ok_or_else(|| broken("zip", &"it holds no file"))?;
            let mut entry = archive.by_index(index).map_err(|e| broken("zip", &e))?;
            let mut bytes = Vec::new();
            entry
                .read_to_end(&mut bytes)
                .map_err(|e| broken("zip", &e))?;
            Box::new(std::io::Cursor::new(bytes))
        }
    };
    Ok(SourceRead::Decoded(match access.encoding {
        Encoding::Utf8 => plain,
        Encoding::Utf16 => {
            // UTF-16 text has a byte order mark or, for the Latin letters and digits of most
            // data, zero bytes; a UTF-8 file declared UTF-16 has neither and would be read as
            // nonsense without a word.
            let mut plain = plain;
            let mut head = Vec::with_capacity(256);
            (&mut plain)
                .take(256)
                .read_to_end(&mut head)
                .map_err(|e| RmlError::Io {
                    path: path.clone(),
                    source: e,
                })?;
            let bom = head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]);
            if !bom && head.len() >= 2 && !head.contains(&0) {
                return Err(fail(format!(
                    "the source file \"{}\" is declared rml:UTF-16 but is not UTF-16 (no byte order mark, no zero byte in its first {} bytes); expected UTF-16 text, or rml:encoding rml:UTF-8",
                    tm.source.written,
                    head.len()
                )));
            }
            Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(encoding_rs::UTF_16LE))
                    .bom_override(true)
                    .build(std::io::Cursor::new(head).chain(plain)),
            )
        }
    }))
}

/// A decompressor whose errors say which source is broken.
struct Annotated<R> {
    inner: R,
    what: String,
}

impl<R: Read> Read for Annotated<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner
            .read(buf)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", self.what)))
    }
}

/// The first regular file of a tar stream, streamed: headers are read block by block (with
/// `tar::Header`), entries before it (directories, PAX and GNU long-name records) skipped.
fn first_tar_entry(mut tar: Decoded) -> std::io::Result<Decoded> {
    use std::io::{Error, ErrorKind};
    loop {
        let mut block = [0u8; 512];
        tar.read_exact(&mut block).map_err(|e| {
            if e.kind() == ErrorKind::UnexpectedEof {
                Error::new(ErrorKind::InvalidData, "it holds no file")
            } else {
                e
            }
        })?;
        if block.iter().all(|&b| b == 0) {
            return Err(Error::new(ErrorKind::InvalidData, "it holds no file"));
        }
        let header = tar::Header::from_byte_slice(&block);
        header
            .cksum()
            .ok()
            .filter(|&sum| {
                let computed: u32 = block
                    .iter()
                    .enumerate()
                    .map(|(i, &b)| {
                        if (148..156).contains(&i) {
                            32
                        } else {
                            u32::from(b)
                        }
                    })
                    .sum();
                sum == computed
            })
            .ok_or_else(|| Error::new(ErrorKind::InvalidData, "bad tar header checksum"))?;
        let size = header.entry_size()?;
        if header.entry_type().is_file() {
            return Ok(Box::new(tar.take(size)));
        }
        let padded = size.div_ceil(512) * 512;
        std::io::copy(&mut (&mut tar).take(padded), &mut std::io::sink())?;
    }
}

/// Opens `path` again to find where an error stands, undoing what [`open_reader`] undid,
/// recognised by its magic bytes (gzip, xz, zip, then a tar header, then a UTF-16 BOM): the
/// byte offsets of data errors count in the decoded UTF-8 text. Only called on errors.
pub(crate) fn reopen(path: &str) -> std::io::Result<SourceRead> {
    let mut file = File::open(path)?;
    let mut magic = Vec::with_capacity(6);
    (&mut file).take(6).read_to_end(&mut magic)?;
    let file = std::io::Cursor::new(magic.clone()).chain(file);
    let decoded: Decoded = if magic.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file)))
    } else if magic.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Box::new(lzma_rust2::XzReader::new(BufReader::new(file), true))
    } else if magic.starts_with(b"PK\x03\x04") {
        let mut archive = zip::ZipArchive::new(std::fs::File::open(path)?)?;
        let index = (0..archive.len())
            .find(|&i| archive.by_index(i).is_ok_and(|f| f.is_file()))
            .ok_or_else(|| std::io::Error::other("no file in the archive"))?;
        let mut bytes = Vec::new();
        archive.by_index(index)?.read_to_end(&mut bytes)?;
        Box::new(std::io::Cursor::new(bytes))
    } else {
        Box::new(file)
    };
    let mut head = Vec::with_capacity(512);
    let mut decoded = decoded;
    (&mut decoded).take(512).read_to_end(&mut head)?;
    let is_tar = head.len() == 512 && &head[257..262] == b"ustar";
    let mut decoded: Decoded = Box::new(std::io::Cursor::new(head).chain(decoded));
    if is_tar {
        decoded = first_tar_entry(decoded)?;
    }
    let mut bom = Vec::with_capacity(2);
    (&mut decoded).take(2).read_to_end(&mut bom)?;
    let utf16 = bom == [0xff, 0xfe] || bom == [0xfe, 0xff];
    let decoded: Decoded = Box::new(std::io::Cursor::new(bom).chain(decoded));
    Ok(SourceRead::Decoded(if utf16 {
        Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding_rs::UTF_16LE))
                .bom_override(true)
                .build(decoded),
        )
    } else {
        decoded
    }))
}
