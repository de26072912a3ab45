//! Finding and reading the mappings of a data directory.

use std::path::{Path, PathBuf};

use crate::rml::{self, Mapping, ParseOptions, RmlError};

/// The suffix that marks mapping files in a data directory.
pub const MAPPING_SUFFIX: &str = ".rml.ttl";

/// Errors finding mappings.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// The directory does not exist or cannot be read.
    #[error("{}: {source}", dir.display())]
    Dir {
        /// The directory.
        dir: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// No mapping in the directory.
    #[error("{}: no mapping found; expected a file named *{MAPPING_SUFFIX} (or give --mapping FILE)", .0.display())]
    NoMapping(PathBuf),
    /// A mapping is wrong.
    #[error(transparent)]
    Rml(#[from] RmlError),
}

/// The mapping files of `dir` (`*.rml.ttl`), sorted by name.
pub fn mapping_files(dir: &Path) -> Result<Vec<PathBuf>, ProjectError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ProjectError::Dir {
        dir: dir.to_owned(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(MAPPING_SUFFIX))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(ProjectError::NoMapping(dir.to_owned()));
    }
    Ok(files)
}

/// Reads the mappings to run: `mapping` if given, else every `*.rml.ttl` of `dir`.
pub fn read_mappings(
    dir: &Path,
    mapping: Option<&Path>,
    options: &ParseOptions,
) -> Result<Vec<Mapping>, ProjectError> {
    let files = match mapping {
        Some(m) => vec![m.to_owned()],
        None => mapping_files(dir)?,
    };
    files
        .iter()
        .map(|f| rml::parse_mapping_file(f, options).map_err(ProjectError::from))
        .collect()
}
