//! The factgraph ontology, compiled into the binary and loaded with every `load`.

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, NamedNode, Quad};

/// The named graph the ontology is loaded into, so that `export` can leave it out; queries
/// still see it through the union default graph.
pub const GRAPH: &str = "https://w3id.org/factgraph/graph/ontology";

/// `ontology/factgraph.ttl`, as built into this binary.
pub const FACTGRAPH_TTL: &str = include_str!("../ontology/factgraph.ttl");

/// The ontology's triples, in the graph [`GRAPH`].
pub fn quads() -> Result<Vec<Quad>, String> {
    let graph = GraphName::from(NamedNode::new_unchecked(GRAPH));
    RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(FACTGRAPH_TTL)
        .map(|q| q.map(|q| Quad::new(q.subject, q.predicate, q.object, graph.clone())))
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
