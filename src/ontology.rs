//! The factgraph ontology, compiled into the binary and loaded with every `load`.

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::Quad;

/// `ontology/factgraph.ttl`, as built into this binary.
pub const FACTGRAPH_TTL: &str = include_str!("../ontology/factgraph.ttl");

/// The ontology's triples, in the default graph.
pub fn quads() -> Result<Vec<Quad>, String> {
    RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(FACTGRAPH_TTL)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("ontology/factgraph.ttl: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ontology_parses_and_declares_core_classes() {
        let quads = super::quads().unwrap();
        assert!(quads.len() > 50, "only {} triples", quads.len());
        for class in ["Agreement", "Commitment"] {
            let iri = format!("https://w3id.org/factgraph/ns#{class}");
            assert!(
                quads
                    .iter()
                    .any(|q| q.subject.to_string() == format!("<{iri}>")),
                "{class} is not described"
            );
        }
    }
}
