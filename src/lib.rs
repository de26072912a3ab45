//! factgraph: curated CSV facts → RML mapping → an embedded Oxigraph knowledge graph.
//!
//! The flow runs one way: [`rml`] maps CSV to quads and knows nothing of the store;
//! [`store`] loads quads into Oxigraph and knows nothing of CSV; [`query`] and [`rdf_io`]
//! read the store; the binary (`src/main.rs`) only parses arguments and reports errors.

pub mod digest_auth;
#[cfg(feature = "store")]
pub mod enrich;
#[cfg(feature = "store")]
pub mod federate;
pub mod fuzzing;
pub use factgraph_rml::line_writer;
#[cfg(feature = "store")]
pub mod link;
#[cfg(feature = "store")]
pub mod map;
#[cfg(feature = "store")]
pub mod ontology;
pub mod prefixes;
pub mod project;
#[cfg(feature = "store")]
pub mod push;
#[cfg(feature = "store")]
pub mod query;
#[cfg(feature = "store")]
pub mod rdf_io;
pub use factgraph_rml as rml;
#[cfg(feature = "store")]
pub mod serve;
#[cfg(feature = "store")]
pub mod shacl;
pub mod sparql_text;
#[cfg(feature = "store")]
pub mod store;
#[cfg(feature = "store")]
pub mod targets;
#[cfg(feature = "store")]
pub mod turtle;
pub mod validate;
