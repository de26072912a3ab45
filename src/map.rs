//! `factgraph map`: runs mappings without any store and writes the quads to a writer.
//!
//! N-Triples and N-Quads are written on every core by the engine's parallel executor (rows
//! kept in order, so the output is deterministic); Turtle and TriG are gathered, then written
//! sorted and grouped by subject ([`crate::turtle`]) with the given prefixes (the mapping's)
//! and the instance namespaces the mappings' templates use.

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::line_writer;
use crate::rdf_io;
use crate::rml::model::{Mapping, ObjectMap, TermMap, Value};
use crate::rml::{self, RmlError};
use crate::turtle::Prefixes;

/// The formats `map` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MapFormat {
    /// N-Quads (graphs kept).
    Nquads,
    /// N-Triples (quads of named graphs are written as triples).
    Ntriples,
    /// Turtle with prefixes, sorted by subject (quads of named graphs are written as triples).
    Turtle,
    /// TriG with prefixes, sorted by graph and subject (graphs kept).
    Trig,
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
    map_to_writer_with(mappings, format, &Prefixes::new(), out, progress)
}

/// [`map_to_writer`] with the prefixes of Turtle and TriG output (e.g. the mapping's own,
/// [`Prefixes::with_user`]).
pub fn map_to_writer_with(
    mappings: &[Mapping],
    format: MapFormat,
    prefixes: &Prefixes,
    out: &mut dyn Write,
    progress: &dyn Fn(u64),
) -> Result<MapSummary, RmlError> {
    // A share of a run cannot write logical targets: every share would write the same files.
    for m in mappings
        .iter()
        .filter(|m| m.share.is_some_and(|s| s.count() > 1))
    {
        if let Some(t) = m.targets.first() {
            return Err(RmlError::Mapping {
                file: m.file.display().to_string(),
                line: t.line,
                triples_map: None,
                message: format!(
                    "--partition cannot write the logical target {} (\"{}\"): every share would write the same file; expected a mapping without rml:logicalTarget for a partitioned run, or a run without --partition",
                    t.name, t.written
                ),
            });
        }
    }
    // RML-IO: quads with logical targets go to their files (src/targets.rs).
    if mappings.iter().any(|m| !m.targets.is_empty()) {
        return crate::targets::map_with_targets(mappings, format, prefixes, out, progress);
    }
    let quads = match format {
        MapFormat::Nquads => true,
        MapFormat::Ntriples => false,
        MapFormat::Turtle => return map_turtle(mappings, prefixes, false, out, progress),
        MapFormat::Trig => return map_turtle(mappings, prefixes, true, out, progress),
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
    prefixes: &Prefixes,
    trig: bool,
    out: &mut dyn Write,
    progress: &dyn Fn(u64),
) -> Result<MapSummary, RmlError> {
    let namespaces = instance_namespaces(mappings);
    let prefixes = prefixes
        .clone()
        .with_instance_namespaces(namespaces.iter().map(String::as_str));
    let mut all: Vec<oxrdf::Quad> = Vec::new();
    let mut total = MapSummary::default();
    for m in mappings {
        let mut gather = |q: oxrdf::QuadRef<'_>| {
            all.push(q.into_owned());
            if all.len().is_multiple_of(65_536) {
                progress(all.len() as u64);
            }
            Ok(())
        };
        let s = rml::execute(m, &mut gather)?;
        total.rows += s.rows;
    }
    total.quads = all.len() as u64;
    let written = crate::turtle::write(all, &prefixes, trig, out)
        .and_then(|w| out.flush().map(|()| w))
        .map_err(|e| RmlError::Sink(Box::new(e)))?;
    total.flattened = written.flattened;
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

/// Mapping threads: one per core, or `FACTGRAPH_THREADS` when set to a number of 1 or more
/// (scripts/spark-map sets it to the cores of a Spark task).
pub fn workers() -> usize {
    std::env::var("FACTGRAPH_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
}
