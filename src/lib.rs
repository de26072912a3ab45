//! factgraph: curated CSV facts → RML mapping → an embedded Oxigraph knowledge graph.
//!
//! The flow runs one way: [`rml`] maps CSV to quads and knows nothing of the store;
//! [`store`] loads quads into Oxigraph and knows nothing of CSV; [`query`] and [`rdf_io`]
//! read the store; the binary (`src/main.rs`) only parses arguments and reports errors.

pub mod enrich;
pub mod federate;
pub mod line_writer;
pub mod link;
pub mod ontology;
pub mod prefixes;
pub mod project;
pub mod push;
pub mod query;
pub mod rdf_io;
pub mod rml;
pub mod serve;
pub mod store;
