//! `factgraph map`: runs mappings without any store and writes the quads to a writer.
//!
//! N-Triples and N-Quads are written on every core by the engine's parallel executor (rows
//! kept in order, so the output is deterministic); Turtle goes through Oxigraph's serialiser
//! with factgraph's prefixes and the instance namespaces the mappings' templates use.

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::line_writer;
use crate::rdf_io::{self, RdfOutput, WriterSink};
use crate::rml::model::{Mapping, ObjectMap, TermMap, Value};
use crate::rml::{self, RmlError};

/// The formats `map` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MapFormat {
    /// N-Quads (graphs kept).
    Nquads,
    /// N-Triples (quads of named graphs are written as triples).
    Ntriples,
    /// Turtle with prefixes (quads of named graphs are written as triples).
    Turtle,
}

/// What a `map` run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MapSummary {
    /// Rows read, over all triples maps.
    pub rows: u64,
    /// Quads written (duplicates included).
    pub quads: u64,
    /// Quads of named graphs written as triples (formats without graphs).
    pub flattened: u64,
}

/// Runs `mappings` in order and writes their quads to `out` in `format`.
///
/// `progress` is called now and then with the number of quads written so far (for a
/// progress bar; pass `&|_| {}` when nobody watches). Errors of the writer come back as
/// [`RmlError::Sink`].
pub fn map_to_writer(
    mappings: &[Mapping],
    format: MapFormat,
    out: &mut dyn Write,
    progress: &dyn Fn(u64),
) -> Result<MapSummary, RmlError> {
    let quads = match format {
        MapFormat::Nquads => true,
        MapFormat::Ntriples => false,
        MapFormat::Turtle => return map_turtle(mappings, out, progress),
    };
    let flattened = AtomicU64::new(0);
    let mut total = MapSummary::default();
    for m in mappings {
        let mut written = total.quads;
        let s = rml::execute_parallel(
            m,
            workers(),
            || (Vec::with_capacity(1 << 18), 0u64),
            |(bytes, n): &mut (Vec<u8>, u64), q| {
                if !quads && !q.graph_name.is_default_graph() {
                    flattened.fetch_add(1, Ordering::Relaxed);
                }
                line_writer::append_quad(bytes, q, quads);
                *n += 1;
                Ok(())
            },
            |(bytes, n)| {
                out.write_all(&bytes)?;
                written += n;
                progress(written);
                Ok(())
            },
        )?;
        total.rows += s.rows;
        total.quads += s.quads;
    }
    out.flush().map_err(|e| RmlError::Sink(Box::new(e)))?;
    total.flattened = flattened.into_inner();
    Ok(total)
}

fn map_turtle(
    mappings: &[Mapping],
    out: &mut dyn Write,
    progress: &dyn Fn(u64),
) -> Result<MapSummary, RmlError> {
    let namespaces = instance_namespaces(mappings);
    let mut sink = WriterSink::new(RdfOutput::Turtle.format(), &namespaces, out);
    let mut total = MapSummary::default();
    for m in mappings {
        let mut counted = |q: oxrdf::QuadRef<'_>| {
            total.quads += 1;
            if total.quads % 65_536 == 0 {
                progress(total.quads);
            }
            rml::QuadSink::push(&mut sink, q)
        };
        let s = rml::execute(m, &mut counted)?;
        total.rows += s.rows;
    }
    total.flattened = sink.flattened;
    sink.finish().map_err(|e| RmlError::Sink(Box::new(e)))?;
    Ok(total)
}

/// The instance namespaces (`https://w3id.org/factgraph/id/<kind>/`) the mappings' templates
/// start with, so that Turtle output can give them prefixes.
pub fn instance_namespaces(mappings: &[Mapping]) -> BTreeSet<String> {
    let mut namespaces = BTreeSet::new();
    let mut add = |t: &TermMap| {
        if let Value::Template(tpl) = &t.value {
            if let Some(ns) = rdf_io::instance_namespace(tpl.leading_text()) {
                namespaces.insert(ns.to_owned());
            }
        }
    };
    for m in mappings {
        for tm in &m.triples_maps {
            add(&tm.subject.term);
            for pom in &tm.predicate_object_maps {
                for o in &pom.objects {
                    if let ObjectMap::Term(t) = o {
                        add(t);
                    }
                }
            }
        }
    }
    namespaces
}

/// Mapping threads: one per core.
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}
