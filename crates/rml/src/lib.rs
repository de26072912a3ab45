//! The RML processor: reads an RML mapping (RML-Core with RML-CC collections and containers,
//! or the older rml.io + R2RML vocabulary) and runs it over CSV, JSON (JSONPath) and XML
//! (XPath) logical sources, streaming quads to a [`QuadSink`]. Term maps may call functions
//! (RML-FNML, `rml:functionExecution`); the library of GREL and IDLab functions is listed in
//! `FUNCTIONS.md`. Mappings may also be written in YARRRML (`*.yarrrml.yml`, see [`yarrrml`]),
//! translated into RML-Core Turtle on the way in.
//!
//! It knows nothing of the store: whatever consumes quads implements [`QuadSink`].
//!
//! ```no_run
//! use factgraph_rml::{self as rml, ParseOptions};
//! let mapping = rml::parse_mapping_file("data/mapping.rml.ttl".as_ref(), &ParseOptions::default())?;
//! let mut quads = Vec::new();
//! let stats = rml::execute(&mapping, &mut quads)?;
//! println!("{} quads from {} rows", stats.quads, stats.rows);
//! # Ok::<_, factgraph_rml::RmlError>(())
//! ```

pub mod error;
pub mod exec;
mod functions;
mod gather;
pub mod line_writer;
pub mod model;
mod multi;
pub mod parse;
pub mod partition;
mod source;
pub mod template;
pub mod term_checks;
pub mod vocab;
pub mod yarrrml;

pub use error::RmlError;
pub use exec::{execute, execute_parallel, is_absolute_iri, QuadSink, SinkError, Stats};
pub use model::{Mapping, MappingWarning};
pub use parse::{parse_mapping_file, parse_mapping_str, ParseOptions};
pub use partition::Share;

#[cfg(test)]
mod tests;
