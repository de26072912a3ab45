//! Finding and reading the mappings of a data directory.

use std::path::{Path, PathBuf};

use crate::rml::{self, Mapping, ParseOptions, RmlError};

/// The suffix that marks mapping files in a data directory.
pub const MAPPING_SUFFIX: &str = ".rml.ttl";

/// Every suffix that marks a mapping file: RML Turtle, and YARRRML ([`rml::yarrrml::SUFFIXES`]).
pub const MAPPING_SUFFIXES: [&str; 3] = [
    MAPPING_SUFFIX,
    rml::yarrrml::SUFFIXES[0],
    rml::yarrrml::SUFFIXES[1],
];

/// Errors finding mappings.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// The directory does not exist or cannot be read.
    #[error("{}", dir_message(dir, error))]
    Dir {
        /// The directory.
        dir: PathBuf,
        /// The cause (said in the message, in words, so not a `source`).
        error: std::io::Error,
    },
    /// No mapping in the directory.
    #[error("{}: no mapping found; expected a file named *{MAPPING_SUFFIX} or *.yarrrml.yml (or give --mapping FILE)", .0.display())]
    NoMapping(PathBuf),
    /// A mapping is wrong.
    #[error(transparent)]
    Rml(#[from] RmlError),
    /// The settings file of the data directory is wrong.
    #[error("{}:{line}:{column}: {message}", file.display())]
    Settings {
        /// The settings file.
        file: PathBuf,
        /// Line (1-based).
        line: u64,
        /// Column (1-based).
        column: u64,
        /// What is wrong.
        message: String,
    },
    /// The settings file of the data directory cannot be read.
    #[error("{}: {source}", file.display())]
    SettingsIo {
        /// The settings file.
        file: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// The settings file of a data directory.
pub const SETTINGS_FILE: &str = "factgraph.toml";

/// Settings of a data directory, read from its [`SETTINGS_FILE`] (all optional):
///
/// ```toml
/// [check]
/// strict = true   # repeated subjects, references to no row, unknown RML classes are errors
/// ```
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The input checks.
    #[serde(default)]
    pub check: CheckSettings,
}

/// The `[check]` table of the settings.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSettings {
    /// What RML allows but a curator may not want (a subject made by two rows, a join or an
    /// IRI that refers to no row, an unknown class on a mapping node) is an error, not a warning.
    #[serde(default)]
    pub strict: bool,
}

impl Settings {
    /// The settings of the directory holding the mappings: `mapping`'s directory when given,
    /// else `dir`. No settings file means the defaults.
    pub fn read(dir: &Path, mapping: Option<&Path>) -> Result<Self, ProjectError> {
        let dir = match mapping {
            Some(m) => m.parent().unwrap_or(Path::new(".")),
            None => dir,
        };
        let file = dir.join(SETTINGS_FILE);
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => return Err(ProjectError::SettingsIo { file, source }),
        };
        toml::from_str(&text).map_err(|e| {
            let at = e.span().map_or(0, |r| r.start).min(text.len());
            let before = &text[..at];
            let line = before.matches('\n').count() as u64 + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
            ProjectError::Settings {
                file,
                line,
                column,
                message: format!(
                    "{}; expected settings such as `[check]` with `strict = true`",
                    e.message()
                ),
            }
        })
    }
}

/// What went wrong reading a data directory, saying what it should hold.
fn dir_message(dir: &Path, source: &std::io::Error) -> String {
    let what =
        format!("a data directory holding a mapping (*{MAPPING_SUFFIX} or *.yarrrml.yml) and the files it names");
    match source.kind() {
        std::io::ErrorKind::NotFound => format!(
            "the data directory {} does not exist; expected {what} (the default is ./data)",
            dir.display()
        ),
        std::io::ErrorKind::NotADirectory => {
            format!("{} is not a directory; expected {what}", dir.display())
        }
        _ => format!("cannot read the data directory {}: {source}", dir.display()),
    }
}

/// The mapping files of `dir` (`*.rml.ttl`, `*.yarrrml.yml`, `*.yarrrml.yaml`), sorted by name.
pub fn mapping_files(dir: &Path) -> Result<Vec<PathBuf>, ProjectError> {
    let entries = std::fs::read_dir(dir).map_err(|error| ProjectError::Dir {
        dir: dir.to_owned(),
        error,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| MAPPING_SUFFIXES.iter().any(|s| n.ends_with(s)))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(ProjectError::NoMapping(dir.to_owned()));
    }
    Ok(files)
}

/// Reads the mappings to run: `mapping` if given, else every mapping file of `dir`
/// ([`mapping_files`]); YARRRML is translated on the way in.
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
