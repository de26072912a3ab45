//! The organisations, people and places of a data directory's mapped graph, with their names,
//! their Wikidata id when the curated data gives one, and what ties them to each other
//! (memberships, sites, presences, containing places): the context a candidate is checked
//! against.

use std::collections::BTreeMap;
use std::path::Path;

use oxigraph::model::{Quad, QuadRef, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

use super::score::Kind;
use super::wikidata::{qid_number, ENTITY_NS};
use super::LinkError;
use crate::project;
use crate::rml::{self, ParseOptions, SinkError};

/// How another entity relates to this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Relation {
    /// This person is a member of that organisation (→ P108 employer, or P27 citizenship when
    /// the organisation is a state).
    MemberOf,
    /// This organisation has a site or a presence there (→ P159, P131, P17).
    Located,
    /// This place is contained in that one (→ P131, or P17 when it is a country).
    Within,
}

/// An organisation, person or place of the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Its IRI.
    pub iri: String,
    /// Its names (`schema:name`, then `schema:alternateName`), first the main one.
    pub names: Vec<String>,
    /// What it is (several for a state that is also a country).
    pub kinds: Vec<Kind>,
    /// The Wikidata item the curated data links it to (`owl:sameAs wd:Q…`), by number.
    pub linked: Option<u64>,
    /// Other entities it relates to, by IRI.
    pub related: Vec<(Relation, String)>,
}

impl Target {
    /// The main name (or the IRI when it has none).
    pub fn name(&self) -> &str {
        self.names.first().map_or(self.iri.as_str(), String::as_str)
    }
}

/// Maps `dir` (its `*.rml.ttl`, or `mapping`) into an in-memory store.
pub fn mapped_store(
    dir: &Path,
    mapping: Option<&Path>,
    base: Option<String>,
) -> Result<Store, LinkError> {
    let mappings = project::read_mappings(dir, mapping, &ParseOptions { base })?;
    let mut quads: Vec<Quad> = Vec::new();
    for m in &mappings {
        let mut sink = |q: QuadRef<'_>| -> Result<(), SinkError> {
            quads.push(q.into_owned());
            Ok(())
        };
        rml::execute(m, &mut sink)?;
    }
    let store = Store::new()?;
    store.extend(quads)?;
    Ok(store)
}

const PREFIXES: &str = "PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <http://schema.org/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX fg: <https://w3id.org/factgraph/ns#>
";

fn select(store: &Store, query: &str) -> Result<Vec<Vec<Option<Term>>>, LinkError> {
    let text = format!("{PREFIXES}{query}");
    let mut prepared = SparqlEvaluator::new()
        .parse_query(&text)
        .map_err(|e| LinkError::Internal(format!("entity query: {e}")))?;
    // The union of all graphs, as `factgraph query` reads it: a mapping may put
    // organisations, people or memberships in named graphs (`rml:graphMap`).
    prepared.dataset_mut().set_default_graph_as_union();
    let mut rows = Vec::new();
    if let QueryResults::Solutions(solutions) = prepared.on_store(store).execute()? {
        let vars = solutions.variables().to_vec();
        for s in solutions {
            let s = s?;
            rows.push(vars.iter().map(|v| s.get(v).cloned()).collect());
        }
    }
    Ok(rows)
}

fn iri(t: &Option<Term>) -> Option<String> {
    match t {
        Some(Term::NamedNode(n)) => Some(n.as_str().to_owned()),
        _ => None,
    }
}

fn text(t: &Option<Term>) -> Option<String> {
    match t {
        Some(Term::Literal(l)) => Some(l.value().to_owned()),
        _ => None,
    }
}

/// The organisations, people and places of the graph in `store` (sites excluded), sorted
/// by IRI. Every graph of the store is read (the default graph and the named ones), so
/// entities and relations a mapping puts in a named graph count as the others.
pub fn targets(store: &Store) -> Result<Vec<Target>, LinkError> {
    let mut by_iri: BTreeMap<String, Target> = BTreeMap::new();
    let kinds = select(
        store,
        "SELECT DISTINCT ?e ?type WHERE {
           VALUES ?type { org:Organization schema:Person schema:Place schema:City schema:Country }
           ?e a ?type .
           FILTER NOT EXISTS { ?e a org:Site }
           FILTER(isIRI(?e))
         }",
    )?;
    for row in &kinds {
        let (Some(e), Some(t)) = (iri(&row[0]), iri(&row[1])) else {
            continue;
        };
        let kind = match t.as_str() {
            "http://www.w3.org/ns/org#Organization" => Kind::Organisation,
            "http://schema.org/Person" => Kind::Person,
            "http://schema.org/City" => Kind::City,
            "http://schema.org/Country" => Kind::Country,
            _ => Kind::Place,
        };
        let target = by_iri.entry(e.clone()).or_insert_with(|| Target {
            iri: e,
            names: Vec::new(),
            kinds: Vec::new(),
            linked: None,
            related: Vec::new(),
        });
        if !target.kinds.contains(&kind) {
            target.kinds.push(kind);
        }
    }
    for t in by_iri.values_mut() {
        // A plain schema:Place says nothing more than City or Country does.
        if t.kinds
            .iter()
            .any(|k| matches!(k, Kind::City | Kind::Country))
        {
            t.kinds.retain(|k| *k != Kind::Place);
        }
        t.kinds.sort();
    }
    let names = select(
        store,
        "SELECT ?e ?name ?alt WHERE {
           { ?e schema:name ?name BIND(false AS ?alt) }
           UNION { ?e schema:alternateName ?name BIND(true AS ?alt) }
         } ORDER BY ?e ?alt LANG(?name) ?name",
    )?;
    for row in &names {
        if let (Some(e), Some(n)) = (iri(&row[0]), text(&row[1])) {
            if let Some(t) = by_iri.get_mut(&e) {
                if !t.names.contains(&n) {
                    t.names.push(n);
                }
            }
        }
    }
    let links = select(
        store,
        &format!(
            "SELECT ?e ?wd WHERE {{ ?e owl:sameAs ?wd FILTER(STRSTARTS(STR(?wd), \"{ENTITY_NS}Q\")) }} ORDER BY ?e ?wd"
        ),
    )?;
    for row in &links {
        if let (Some(e), Some(wd)) = (iri(&row[0]), iri(&row[1])) {
            if let Some(t) = by_iri.get_mut(&e) {
                if t.linked.is_none() {
                    t.linked = wd.strip_prefix(ENTITY_NS).and_then(qid_number);
                }
            }
        }
    }
    let relations = select(
        store,
        "SELECT DISTINCT ?e ?rel ?other WHERE {
           { ?m org:member ?e ; org:organization ?other BIND(1 AS ?rel) }
           UNION { ?s org:siteOf ?e ; schema:containedInPlace ?other BIND(2 AS ?rel) }
           UNION { ?s org:siteOf ?e ; schema:location ?other BIND(2 AS ?rel) }
           UNION { ?p fg:presenceOf ?e ; schema:location ?other BIND(2 AS ?rel) }
           UNION { ?e schema:location ?other BIND(2 AS ?rel) }
           UNION { ?e schema:containedInPlace ?other BIND(3 AS ?rel) }
         } ORDER BY ?e ?rel ?other",
    )?;
    for row in &relations {
        let (Some(e), Some(other)) = (iri(&row[0]), iri(&row[2])) else {
            continue;
        };
        let rel = match text(&row[1]).as_deref() {
            Some("1") => Relation::MemberOf,
            Some("2") => Relation::Located,
            _ => Relation::Within,
        };
        if !by_iri.contains_key(&other) {
            continue;
        }
        if let Some(t) = by_iri.get_mut(&e) {
            if !t.related.contains(&(rel, other.clone())) {
                t.related.push((rel, other));
            }
        }
    }
    Ok(by_iri.into_values().collect())
}
