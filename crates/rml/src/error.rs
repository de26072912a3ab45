//! Errors of the RML processor: each names the file, the line and what was expected.

use std::path::PathBuf;

/// An error raised while reading a mapping or running it.
#[derive(Debug, thiserror::Error)]
pub enum RmlError {
    /// The mapping file is not valid Turtle.
    #[error("{file}:{line}:{column}: invalid Turtle: {message}")]
    Syntax {
        /// The mapping file.
        file: String,
        /// Line (1-based).
        line: u64,
        /// Column (1-based).
        column: u64,
        /// The parser's message.
        message: String,
    },
    /// The mapping is valid Turtle but not a valid RML mapping.
    #[error("{file}:{}{message}{}", line.map(|l| format!("{l}: ")).unwrap_or_else(|| " ".into()), triples_map.as_ref().map(|t| format!(" (triples map {t})")).unwrap_or_default())]
    Mapping {
        /// The mapping file.
        file: String,
        /// Line of the offending node, when known.
        line: Option<u64>,
        /// The triples map concerned, when there is one.
        triples_map: Option<String>,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A row of a logical source cannot be read or produces an invalid term.
    #[error("{file}:{line}:{column}: {message}")]
    Data {
        /// The CSV file.
        file: String,
        /// Line of the row (1-based).
        line: u64,
        /// Column (1-based field number; 1 when the whole row is concerned).
        column: u64,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The consumer of the generated quads failed (disk full, store error…).
    #[error("writing the output failed: {0}")]
    Sink(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl RmlError {
    /// Is this an error in the user's input (mapping or data), as opposed to the environment?
    pub fn is_input_error(&self) -> bool {
        match self {
            Self::Syntax { .. } | Self::Mapping { .. } | Self::Data { .. } => true,
            Self::Io { source, .. } => source.kind() == std::io::ErrorKind::NotFound,
            Self::Sink(_) => false,
        }
    }
}
