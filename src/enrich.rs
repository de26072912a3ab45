//! `factgraph enrich`: copy a few facts about the linked entities from Wikidata into the named
//! graph [`GRAPH`], kept apart from the curated facts so that they can be refreshed alone.
//!
//! The linked entities are those with `owl:sameAs wd:Q…` in the curated data or an accepted
//! row in `DIR/links.csv`. For each linked item, the facts are written about the item itself
//! (`wd:Q…`), in Wikidata's own vocabulary, so that local and federated queries read alike:
//!
//! | fact | triple |
//! | --- | --- |
//! | labels (fr, en, ar by default) | `wd:Q rdfs:label "…"@lang` |
//! | descriptions | `wd:Q schema:description "…"@lang` |
//! | country (P17) | `wd:Q wdt:P17 wd:Q…` |
//! | coordinates (P625, on Earth) | `wd:Q wdt:P625 "Point(lon lat)"^^geo:wktLiteral` |
//! | official website (P856) | `wd:Q wdt:P856 <url>` |
//! | inception (P571) | `wd:Q wdt:P571 "2001"^^xsd:gYear` (year, month or day, as precise as Wikidata says) |
//!
//! The quads go to `DIR/wikidata.nq` (sorted, so that a refresh diffs well), which `load`
//! adds to the store with the mapped data, the ontology and the accepted links.

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::{rdfs, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};

use crate::link::api::{Api, ApiOptions, ApiStats};
use crate::link::dump::DumpStats;
use crate::link::wikidata::{self, Entity, Filter, Value, ENTITY_NS};
use crate::link::{dump, entities, links_csv, LinkError, Source};

/// The named graph of the facts copied from Wikidata.
pub const GRAPH: &str = "https://w3id.org/factgraph/graph/wikidata";

/// The file, in the data directory, that holds them.
pub const FILE_NAME: &str = "wikidata.nq";

const WDT: &str = "http://www.wikidata.org/prop/direct/";
const SCHEMA_DESCRIPTION: &str = "http://schema.org/description";
const WKT_LITERAL: &str = "http://www.opengis.net/ont/geosparql#wktLiteral";
const EARTH: &str = "http://www.wikidata.org/entity/Q2";

/// Options of `factgraph enrich`.
#[derive(Debug, Clone)]
pub struct EnrichOptions {
    /// The data directory.
    pub dir: PathBuf,
    /// A mapping file instead of `DIR/*.rml.ttl`.
    pub mapping: Option<PathBuf>,
    /// Base IRI for the mapping.
    pub base: Option<String>,
    /// Where the facts come from.
    pub source: Source,
    /// Languages of the labels and descriptions copied.
    pub langs: Vec<String>,
    /// Replace `DIR/wikidata.nq` even when this run has fewer facts or items than it holds
    /// (by default such a run is refused with [`LinkError::Fewer`] and the file kept).
    pub allow_fewer: bool,
}

/// What `enrich` did.
#[derive(Debug, Clone, Default)]
pub struct EnrichReport {
    /// Linked items.
    pub items: usize,
    /// Items found in the source.
    pub found: usize,
    /// Items with at least one fact written.
    pub items_with_facts: usize,
    /// Linked items the source did not give (`Q…`), sorted by number.
    pub missing: Vec<String>,
    /// Quads written.
    pub quads: usize,
    /// What `DIR/wikidata.nq` held before this run: (quads, items), when it existed.
    pub previous: Option<(usize, usize)>,
    /// The file written.
    pub output: PathBuf,
    /// API counts, when the API was used.
    pub api: Option<ApiStats>,
    /// Dump counts (malformed lines skipped), when a dump was read.
    pub dump: Option<DumpStats>,
}

/// Runs `enrich`: writes `DIR/wikidata.nq`.
pub fn run(options: &EnrichOptions) -> Result<EnrichReport, LinkError> {
    let store = entities::mapped_store(
        &options.dir,
        options.mapping.as_deref(),
        options.base.clone(),
    )?;
    let mut items: BTreeSet<u64> = entities::targets(&store)?
        .iter()
        .filter_map(|t| t.linked)
        .collect();
    let rows = links_csv::read(&options.dir.join(links_csv::FILE_NAME))?;
    items.extend(links_csv::accepted(&rows).values());
    let filter = Filter {
        langs: &options.langs,
        properties: wikidata::ENRICH_PROPERTIES,
        descriptions: true,
    };
    let mut report = EnrichReport {
        items: items.len(),
        output: options.dir.join(FILE_NAME),
        ..EnrichReport::default()
    };
    let found: Vec<Entity> = match &options.source {
        Source::Dump(path) => {
            let mut found = Vec::new();
            let wanted: HashSet<String> = items.iter().map(|q| format!("Q{q}")).collect();
            let stats = dump::for_each_line(path, |line| {
                // Lines that cannot be about a wanted item are not parsed; the test is a
                // superset (whatever the JSON spacing), the parse decides.
                if !may_be_any(line, &wanted) {
                    return Ok(());
                }
                let e = dump::parse_line(line, filter)?;
                if wanted.contains(&e.id) {
                    found.push(e);
                }
                Ok(())
            })?;
            report.dump = Some(stats);
            found
        }
        Source::Api(api_options) => {
            let mut api = Api::new(ApiOptions::clone(api_options));
            let ids: Vec<String> = items.iter().map(|q| format!("Q{q}")).collect();
            let found = api.entities(&ids, filter)?;
            report.api = Some(api.stats.clone());
            found
        }
    };
    let found_numbers: HashSet<u64> = found.iter().filter_map(Entity::number).collect();
    report.found = found_numbers.len();
    report.missing = items
        .iter()
        .filter(|q| !found_numbers.contains(q))
        .map(|q| format!("Q{q}"))
        .collect();
    let mut quads: Vec<Quad> = found
        .iter()
        .flat_map(|e| facts(e, &options.langs))
        .collect();
    let mut lines: Vec<String> = quads.drain(..).map(|q| format!("{q} .")).collect();
    lines.sort();
    lines.dedup();
    report.quads = lines.len();
    report.items_with_facts = count_subjects(&lines);
    report.previous = previous_counts(&report.output)?;
    if let Some((old_quads, old_items)) = report.previous {
        if !options.allow_fewer && (report.quads < old_quads || report.items_with_facts < old_items)
        {
            return Err(LinkError::Fewer {
                path: report.output.clone(),
                old_quads,
                old_items,
                new_quads: report.quads,
                new_items: report.items_with_facts,
                found: report.found,
                linked: report.items,
                missing: report.missing.clone(),
            });
        }
    }
    write_lines(&report.output, &lines)?;
    Ok(report)
}

/// Whether a dump line may be the entity of a wanted id: false only when every `"id"` key of
/// the line is followed (after any JSON whitespace, as `json.dumps` writes `"id": "Q42"`) by a
/// plain string that is not wanted. A line with no readable `"id"` key, or an id written with
/// escapes, may be anything: the parser decides.
fn may_be_any(line: &[u8], wanted: &HashSet<String>) -> bool {
    let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let skip_ws = |s: &[u8], mut i: usize| {
        while s.get(i).is_some_and(ws) {
            i += 1;
        }
        i
    };
    let mut seen_id = false;
    let mut from = 0;
    while let Some(pos) = find(&line[from..], b"\"id\"") {
        let mut i = skip_ws(line, from + pos + 4);
        from += pos + 4;
        if line.get(i) != Some(&b':') {
            continue;
        }
        i = skip_ws(line, i + 1);
        if line.get(i) != Some(&b'"') {
            continue;
        }
        let start = i + 1;
        let Some(len) = line[start..].iter().position(|b| *b == b'"' || *b == b'\\') else {
            return true;
        };
        if line[start + len] == b'\\' {
            return true;
        }
        seen_id = true;
        if std::str::from_utf8(&line[start..start + len]).is_ok_and(|id| wanted.contains(id)) {
            return true;
        }
    }
    !seen_id
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Distinct subjects of N-Quads lines (the first term of each).
fn count_subjects(lines: &[String]) -> usize {
    lines
        .iter()
        .filter_map(|l| l.split(' ').next())
        .collect::<HashSet<_>>()
        .len()
}

/// (quads, items) of the existing `wikidata.nq`, or `None` when there is none. Lines that
/// do not parse still count as facts: a damaged file is not a reason to shrink it silently.
fn previous_counts(path: &Path) -> Result<Option<(usize, usize)>, LinkError> {
    let text = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(LinkError::Io {
                path: path.to_owned(),
                source,
            })
        }
    };
    let mut quads = 0;
    let mut subjects = HashSet::new();
    for line in text.split(|b| *b == b'\n') {
        let line = line.trim_ascii();
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        quads += 1;
        let subject = RdfParser::from_format(RdfFormat::NQuads)
            .for_slice(line)
            .next()
            .and_then(Result::ok)
            .map_or_else(|| line.to_vec(), |q| q.subject.to_string().into_bytes());
        subjects.insert(subject);
    }
    Ok(Some((quads, subjects.len())))
}

fn write_lines(path: &Path, lines: &[String]) -> Result<(), LinkError> {
    let tmp = path.with_extension("nq.partial");
    let err = |source| LinkError::Io {
        path: path.to_owned(),
        source,
    };
    let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(err)?);
    for l in lines {
        writeln!(f, "{l}").map_err(err)?;
    }
    f.flush().map_err(err)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(err)
}

/// The facts copied for one item.
pub fn facts(e: &Entity, langs: &[String]) -> Vec<Quad> {
    let Some(n) = e.number() else {
        return Vec::new();
    };
    let subject = NamedNode::new_unchecked(format!("{ENTITY_NS}Q{n}"));
    let graph = GraphName::NamedNode(NamedNode::new_unchecked(GRAPH));
    let mut out = Vec::new();
    let mut push = |p: NamedNode, o: Term| {
        out.push(Quad::new(subject.clone(), p, o, graph.clone()));
    };
    for (lang, text) in &e.labels {
        if langs.contains(lang) {
            if let Ok(l) = Literal::new_language_tagged_literal(text, lang) {
                push(rdfs::LABEL.into_owned(), l.into());
            }
        }
    }
    for (lang, text) in &e.descriptions {
        if langs.contains(lang) {
            if let Ok(l) = Literal::new_language_tagged_literal(text, lang) {
                push(NamedNode::new_unchecked(SCHEMA_DESCRIPTION), l.into());
            }
        }
    }
    let wdt = |p: &str| NamedNode::new_unchecked(format!("{WDT}{p}"));
    for c in e.items("P17") {
        push(
            wdt("P17"),
            NamedNode::new_unchecked(format!("{ENTITY_NS}Q{c}")).into(),
        );
    }
    for v in e.values("P625") {
        if let Value::Coordinate {
            latitude,
            longitude,
            globe,
        } = v
        {
            if globe == EARTH {
                push(
                    wdt("P625"),
                    Literal::new_typed_literal(
                        format!("Point({longitude} {latitude})"),
                        NamedNode::new_unchecked(WKT_LITERAL),
                    )
                    .into(),
                );
            }
        }
    }
    for v in e.values("P856") {
        if let Value::String(url) = v {
            if let Ok(iri) = NamedNode::new(url) {
                push(wdt("P856"), iri.into());
            }
        }
    }
    for v in e.values("P571") {
        if let Value::Time { time, precision } = v {
            if let Some(l) = time_literal(time, *precision) {
                push(wdt("P571"), l.into());
            }
        }
    }
    out
}

/// A Wikidata time (`+2001-05-12T00:00:00Z`) at its precision: `xsd:gYear` (9),
/// `xsd:gYearMonth` (10) or `xsd:date` (11); coarser precisions are left out.
pub fn time_literal(time: &str, precision: u8) -> Option<Literal> {
    let (sign, rest) = match time.as_bytes().first()? {
        b'+' => ("", &time[1..]),
        b'-' => ("-", &time[1..]),
        _ => ("", time),
    };
    let date = rest.split('T').next()?;
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.is_empty() || !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = format!("{sign}{y:0>4}");
    let good = |s: &str| s.len() == 2 && s != "00" && s.bytes().all(|b| b.is_ascii_digit());
    match precision {
        9 => Some(Literal::new_typed_literal(year, xsd::G_YEAR)),
        10 if good(m) => Some(Literal::new_typed_literal(
            format!("{year}-{m}"),
            xsd::G_YEAR_MONTH,
        )),
        11 if good(m) && good(d) => Some(Literal::new_typed_literal(
            format!("{year}-{m}-{d}"),
            xsd::DATE,
        )),
        _ => None,
    }
}

/// Errors of [`file_quads`].
#[derive(Debug, thiserror::Error)]
pub enum EnrichFileError {
    /// Cannot read the file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Not N-Quads, or a quad outside the Wikidata graph.
    #[error("{}: {message}", path.display())]
    Content {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The quads of `DIR/wikidata.nq` (none when absent), as `load` adds them. Every quad must be
/// in the graph [`GRAPH`]: the file holds facts from Wikidata and nothing else.
pub fn file_quads(dir: &Path) -> Result<Vec<Quad>, EnrichFileError> {
    let path = dir.join(FILE_NAME);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(EnrichFileError::Io { path, source }),
    };
    let graph = GraphName::NamedNode(NamedNode::new_unchecked(GRAPH));
    let mut out = Vec::new();
    for q in RdfParser::from_format(RdfFormat::NQuads).for_slice(&bytes) {
        let q = q.map_err(|e| EnrichFileError::Content {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if q.graph_name != graph {
            return Err(EnrichFileError::Content {
                path,
                message: format!(
                    "a quad outside the graph <{GRAPH}>: {q}; this file holds only what `factgraph enrich` writes"
                ),
            });
        }
        if !matches!(&q.subject, NamedOrBlankNode::NamedNode(s) if s.as_str().starts_with(ENTITY_NS))
        {
            return Err(EnrichFileError::Content {
                path,
                message: format!("a quad about something else than a Wikidata item: {q}"),
            });
        }
        out.push(q);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefilter_finds_ids_whatever_the_spacing() {
        let wanted: HashSet<String> = ["Q42".to_owned()].into();
        for line in [
            r#"{"type":"item","id":"Q42","labels":{}}"#,
            r#"{"type": "item", "id": "Q42", "labels": {}}"#,
            "{\"type\" : \"item\" ,\t\"id\"\t:\r\n \"Q42\"}",
            // Written with escapes, or with no plain "id" key: only the parser can tell.
            r#"{"id": "Q\u0034\u0032"}"#,
            r#"{"\u0069d": "Q42"}"#,
        ] {
            assert!(may_be_any(line.as_bytes(), &wanted), "{line}");
        }
        for line in [
            r#"{"type":"item","id":"Q43","claims":{"P31":[{"id":"Q43$1"}]}}"#,
            r#"{"type": "item", "id": "Q420", "descriptions": {"en": {"value": "id"}}}"#,
        ] {
            assert!(!may_be_any(line.as_bytes(), &wanted), "{line}");
        }
    }

    #[test]
    fn times_keep_their_precision() {
        let t = |s, p| time_literal(s, p).map(|l| l.to_string());
        assert_eq!(
            t("+2001-00-00T00:00:00Z", 9).as_deref(),
            Some("\"2001\"^^<http://www.w3.org/2001/XMLSchema#gYear>")
        );
        assert_eq!(
            t("+2021-04-00T00:00:00Z", 10).as_deref(),
            Some("\"2021-04\"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>")
        );
        assert_eq!(
            t("+1970-01-31T00:00:00Z", 11).as_deref(),
            Some("\"1970-01-31\"^^<http://www.w3.org/2001/XMLSchema#date>")
        );
        assert_eq!(t("+1970-00-00T00:00:00Z", 11), None);
        assert_eq!(t("+1900-00-00T00:00:00Z", 7), None);
    }
}
