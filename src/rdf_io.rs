//! Writing RDF: the output formats, prefixes for Turtle and TriG, a [`QuadSink`] that streams to
//! a writer, and the export of a whole store.

use std::collections::BTreeSet;
use std::io::Write;

use oxigraph::io::{RdfFormat, RdfSerializer, WriterQuadSerializer};
use oxigraph::model::{QuadRef, TermRef};
use oxigraph::store::{StorageError, Store};

use crate::line_writer::LineWriter;
use crate::prefixes::{instance_prefix, INSTANCES, PREFIXES};
use crate::rml::{QuadSink, SinkError};
use crate::turtle::Prefixes;

/// RDF serialisations factgraph writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RdfOutput {
    /// Turtle, with prefixes.
    Turtle,
    /// N-Triples.
    Ntriples,
    /// N-Quads.
    Nquads,
    /// TriG, with prefixes.
    Trig,
    /// RDF/XML.
    Rdfxml,
}

impl RdfOutput {
    /// The Oxigraph format.
    pub fn format(self) -> RdfFormat {
        match self {
            Self::Turtle => RdfFormat::Turtle,
            Self::Ntriples => RdfFormat::NTriples,
            Self::Nquads => RdfFormat::NQuads,
            Self::Trig => RdfFormat::TriG,
            Self::Rdfxml => RdfFormat::RdfXml,
        }
    }
}

/// A serializer for `format` with factgraph's prefixes and the given instance namespaces
/// (where the format has prefixes).
pub fn serializer(format: RdfFormat, namespaces: &BTreeSet<String>) -> RdfSerializer {
    let mut s = RdfSerializer::from_format(format);
    if !matches!(
        format,
        RdfFormat::Turtle | RdfFormat::TriG | RdfFormat::RdfXml
    ) {
        return s;
    }
    for (p, ns) in PREFIXES {
        s = s.clone().with_prefix(*p, *ns).unwrap_or(s);
    }
    if format != RdfFormat::RdfXml {
        for ns in namespaces {
            let Some(kind) = ns.strip_prefix(INSTANCES).and_then(|k| k.strip_suffix('/')) else {
                continue;
            };
            if let Some(p) = instance_prefix(kind) {
                s = s.clone().with_prefix(p, ns.as_str()).unwrap_or(s);
            }
        }
    }
    s
}

/// The instance namespace (`https://w3id.org/factgraph/id/<kind>/`) an IRI falls in, if any.
pub fn instance_namespace(iri: &str) -> Option<&str> {
    let rest = iri.strip_prefix(INSTANCES)?;
    let slash = rest.find('/')?;
    Some(&iri[..INSTANCES.len() + slash + 1])
}

/// Streams quads to a writer. In formats without graphs, quads of named graphs are written
/// as triples and counted in [`WriterSink::flattened`].
pub struct WriterSink<W: Write> {
    inner: Inner<W>,
    datasets: bool,
    /// Quads whose graph name was dropped because the format has no graphs.
    pub flattened: u64,
}

enum Inner<W: Write> {
    /// N-Triples and N-Quads: factgraph's own fast writer.
    Lines(LineWriter<W>),
    /// Every other format: Oxigraph's serialisers (boxed: much larger than the other).
    Rdf(Box<WriterQuadSerializer<W>>),
}

impl<W: Write> WriterSink<W> {
    /// Starts writing `format` to `writer` with prefixes for `namespaces`.
    pub fn new(format: RdfFormat, namespaces: &BTreeSet<String>, writer: W) -> Self {
        let inner = match format {
            RdfFormat::NTriples => Inner::Lines(LineWriter::new(writer, false)),
            RdfFormat::NQuads => Inner::Lines(LineWriter::new(writer, true)),
            _ => Inner::Rdf(Box::new(serializer(format, namespaces).for_writer(writer))),
        };
        Self {
            inner,
            datasets: format.supports_datasets(),
            flattened: 0,
        }
    }

    /// Ends the document and returns the writer.
    pub fn finish(self) -> std::io::Result<W> {
        match self.inner {
            Inner::Lines(w) => w.finish(),
            Inner::Rdf(w) => w.finish(),
        }
    }
}

impl<W: Write> QuadSink for WriterSink<W> {
    fn push(&mut self, quad: QuadRef<'_>) -> Result<(), SinkError> {
        if !self.datasets && !quad.graph_name.is_default_graph() {
            self.flattened += 1;
        }
        match &mut self.inner {
            Inner::Lines(w) => w.write_quad(quad)?,
            Inner::Rdf(w) if self.datasets => w.serialize_quad(quad)?,
            Inner::Rdf(w) => w.serialize_triple(quad)?,
        }
        Ok(())
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportSummary {
    /// Quads written.
    pub quads: u64,
    /// Quads whose graph name was dropped (triple formats).
    pub flattened: u64,
}

/// Errors of export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the store failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Writing failed.
    #[error("writing the output failed: {0}")]
    Io(#[from] std::io::Error),
}

/// What `export` writes besides the data.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Also write the ontology (the graph [`crate::ontology::GRAPH`]).
    pub with_ontology: bool,
    /// Prefixes for Turtle and TriG (the mapping's, when known); instance prefixes are added.
    pub prefixes: Option<Prefixes>,
}

/// Writes the quads of `store` in `format`: the default graph first, then named graphs,
/// without the ontology's graph unless asked. Turtle and TriG are sorted and grouped by
/// subject ([`crate::turtle`]); the other formats stream.
pub fn export<W: Write>(
    store: &Store,
    format: RdfFormat,
    options: &ExportOptions,
    mut writer: W,
) -> Result<(W, ExportSummary), ExportError> {
    let ontology = oxigraph::model::NamedNode::new_unchecked(crate::ontology::GRAPH);
    let mut graphs: Vec<oxigraph::model::GraphName> =
        vec![oxigraph::model::GraphName::DefaultGraph];
    for g in store.named_graphs() {
        let g = g?;
        if !options.with_ontology
            && g.as_ref() == oxigraph::model::NamedOrBlankNodeRef::from(ontology.as_ref())
        {
            continue;
        }
        graphs.push(g.into());
    }
    let mut summary = ExportSummary::default();
    if matches!(format, RdfFormat::Turtle | RdfFormat::TriG) {
        let mut quads = Vec::new();
        let mut namespaces = BTreeSet::new();
        let mut ontology_quads = 0;
        for g in &graphs {
            for q in store.quads_for_pattern(None, None, None, Some(g.as_ref())) {
                let q = q?;
                for t in [TermRef::from(q.subject.as_ref()), q.object.as_ref()] {
                    if let TermRef::NamedNode(n) = t {
                        if let Some(ns) = instance_namespace(n.as_str()) {
                            if !namespaces.contains(ns) {
                                namespaces.insert(ns.to_owned());
                            }
                        }
                    }
                }
                if q.graph_name.as_ref()
                    == oxigraph::model::GraphNameRef::NamedNode(ontology.as_ref())
                {
                    ontology_quads += 1;
                }
                quads.push(q);
            }
        }
        summary.quads = quads.len() as u64;
        let prefixes = options
            .prefixes
            .clone()
            .unwrap_or_default()
            .with_instance_namespaces(namespaces.iter().map(String::as_str));
        let written =
            crate::turtle::write(quads, &prefixes, format == RdfFormat::TriG, &mut writer)?;
        // The ontology asked for in Turtle is meant to join the data.
        summary.flattened = written.flattened.saturating_sub(ontology_quads);
        writer.flush()?;
        return Ok((writer, summary));
    }
    let mut sink = WriterSink::new(format, &BTreeSet::new(), writer);
    let mut ontology_quads = 0;
    for g in &graphs {
        let is_ontology = *g == oxigraph::model::GraphName::NamedNode(ontology.clone());
        for q in store.quads_for_pattern(None, None, None, Some(g.as_ref())) {
            let q = q?;
            sink.push(q.as_ref()).map_err(sink_to_io)?;
            summary.quads += 1;
            ontology_quads += u64::from(is_ontology);
        }
    }
    // The ontology asked for in a format without graphs is meant to join the data.
    summary.flattened = if format.supports_datasets() {
        sink.flattened
    } else {
        sink.flattened.saturating_sub(ontology_quads)
    };
    Ok((sink.finish()?, summary))
}

fn sink_to_io(e: SinkError) -> std::io::Error {
    match e.downcast::<std::io::Error>() {
        Ok(e) => *e,
        Err(e) => std::io::Error::other(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_instance_namespaces() {
        assert_eq!(
            instance_namespace("https://w3id.org/factgraph/id/person/ghita-mezzour"),
            Some("https://w3id.org/factgraph/id/person/")
        );
        assert_eq!(instance_namespace("https://w3id.org/factgraph/id/x"), None);
        assert_eq!(instance_namespace("http://schema.org/name"), None);
    }

    #[test]
    fn turtle_uses_instance_prefixes() {
        let mut ns = BTreeSet::new();
        ns.insert("https://w3id.org/factgraph/id/person/".to_owned());
        let mut sink = WriterSink::new(RdfFormat::Turtle, &ns, Vec::new());
        let s = oxigraph::model::NamedNode::new_unchecked(
            "https://w3id.org/factgraph/id/person/ali-seddiki",
        );
        let p = oxigraph::model::NamedNode::new_unchecked("http://schema.org/name");
        let o = oxigraph::model::Literal::new_simple_literal("Ali Seddiki");
        sink.push(QuadRef::new(
            &s,
            &p,
            &o,
            oxigraph::model::GraphNameRef::DefaultGraph,
        ))
        .unwrap();
        let out = String::from_utf8(sink.finish().unwrap()).unwrap();
        assert!(
            out.contains("person:ali-seddiki schema:name \"Ali Seddiki\""),
            "{out}"
        );
    }
}
