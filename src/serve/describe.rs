//! What the store says about one entity, gathered for its page: labels, types, properties,
//! the nodes pointing at it, the facts it takes part in (with their source and quote), its
//! Wikidata identifiers. Reads the store by triple patterns over all its graphs.

use oxigraph::model::{
    Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Term, TermRef,
};
use oxigraph::store::{StorageError, Store};

/// `rdf:type`.
pub const RDF_TYPE: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
const FG_QUOTE: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("https://w3id.org/factgraph/ns#quote");
const PROV_DERIVED: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://www.w3.org/ns/prov#wasDerivedFrom");
const OWL_SAME_AS: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#sameAs");
const WIKIDATA_ENTITY: &str = "http://www.wikidata.org/entity/";

/// Properties that name things, in order of preference.
const LABELS: &[&str] = &[
    "http://schema.org/name",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://xmlns.com/foaf/0.1/name",
    "http://purl.org/dc/terms/title",
    "http://schema.org/roleName",
];

/// Languages preferred for labels, then any.
const LANGUAGES: &[&str] = &["en", "fr", ""];

/// At most this many incoming links are gathered.
pub const MAX_INCOMING: usize = 500;

fn objects(
    store: &Store,
    subject: NamedOrBlankNodeRef<'_>,
    predicate: NamedNodeRef<'_>,
) -> Result<Vec<Term>, StorageError> {
    let mut out: Vec<Term> = Vec::new();
    for q in store.quads_for_pattern(Some(subject), Some(predicate), None, None) {
        let o = q?.object;
        if !out.contains(&o) {
            out.push(o);
        }
    }
    Ok(out)
}

/// The best label of `node`: the first labelling property that has one, in the preferred
/// language. `None` when it has none.
pub fn label(store: &Store, node: NamedOrBlankNodeRef<'_>) -> Option<String> {
    for p in LABELS {
        let values = objects(store, node, NamedNodeRef::new_unchecked(p)).ok()?;
        let literals: Vec<&Literal> = values
            .iter()
            .filter_map(|t| match t {
                Term::Literal(l) => Some(l),
                _ => None,
            })
            .collect();
        for lang in LANGUAGES {
            if let Some(l) = literals
                .iter()
                .find(|l| l.language().unwrap_or("") == *lang)
            {
                return Some(l.value().to_owned());
            }
        }
        if let Some(l) = literals.first() {
            return Some(l.value().to_owned());
        }
    }
    None
}

/// The label of `node`, or its short name.
pub fn name(store: &Store, node: NamedOrBlankNodeRef<'_>) -> String {
    label(store, node).unwrap_or_else(|| super::html::short_name(node))
}

/// The label of a property or class, or its local name (`committedBy`).
pub fn term_name(store: &Store, iri: NamedNodeRef<'_>) -> String {
    label(store, iri.into()).unwrap_or_else(|| {
        let s = iri.as_str();
        s.rsplit(['#', '/'])
            .find(|p| !p.is_empty())
            .unwrap_or(s)
            .to_owned()
    })
}

/// A fact node (one with `fg:quote`) that points at the entity.
#[derive(Debug, Clone)]
pub struct Fact {
    /// The fact node (a membership, an agreement, a commitment …).
    pub node: NamedOrBlankNode,
    /// The property by which it points at the entity (`org:member`, `fg:party` …).
    pub role: NamedNode,
    /// Its types.
    pub types: Vec<NamedNode>,
    /// Its other links to nodes (not the entity, its types or its sources).
    pub links: Vec<(NamedNode, NamedOrBlankNode)>,
    /// The exact words of the source.
    pub quotes: Vec<Literal>,
    /// Where it was derived from.
    pub sources: Vec<NamedOrBlankNode>,
}

/// Everything an entity page shows.
#[derive(Debug, Clone)]
pub struct Description {
    /// The entity.
    pub node: NamedOrBlankNode,
    /// Its labels (every labelling property, every language).
    pub labels: Vec<(NamedNode, Literal)>,
    /// Its types.
    pub types: Vec<NamedNode>,
    /// Its properties other than `rdf:type`, sorted by property.
    pub properties: Vec<(NamedNode, Term)>,
    /// Nodes pointing at it (at most [`MAX_INCOMING`]).
    pub incoming: Vec<(NamedOrBlankNode, NamedNode)>,
    /// True when there were more incoming links than gathered.
    pub incoming_truncated: bool,
    /// The facts it takes part in.
    pub facts: Vec<Fact>,
    /// Its own quotes and sources, when it is itself a fact.
    pub quotes: Vec<Literal>,
    /// Its own sources, when it is itself a fact.
    pub sources: Vec<NamedOrBlankNode>,
    /// Wikidata identifiers (`Q1028`) from `owl:sameAs`.
    pub wikidata: Vec<String>,
}

impl Description {
    /// True when the store knows nothing about the node.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty() && self.properties.is_empty() && self.incoming.is_empty()
    }
}

fn as_node(t: &Term) -> Option<NamedOrBlankNode> {
    match t {
        Term::NamedNode(n) => Some(n.clone().into()),
        Term::BlankNode(b) => Some(b.clone().into()),
        _ => None,
    }
}

fn literals(terms: Vec<Term>) -> Vec<Literal> {
    terms
        .into_iter()
        .filter_map(|t| match t {
            Term::Literal(l) => Some(l),
            _ => None,
        })
        .collect()
}

fn nodes(terms: &[Term]) -> Vec<NamedOrBlankNode> {
    terms.iter().filter_map(as_node).collect()
}

fn named(terms: Vec<Term>) -> Vec<NamedNode> {
    terms
        .into_iter()
        .filter_map(|t| match t {
            Term::NamedNode(n) => Some(n),
            _ => None,
        })
        .collect()
}

/// Gathers what the store says about `node`.
pub fn describe(store: &Store, node: NamedOrBlankNodeRef<'_>) -> Result<Description, StorageError> {
    let mut properties: Vec<(NamedNode, Term)> = Vec::new();
    let mut types = Vec::new();
    for q in store.quads_for_pattern(Some(node), None, None, None) {
        let q = q?;
        if q.predicate.as_ref() == RDF_TYPE {
            if let Term::NamedNode(t) = q.object {
                if !types.contains(&t) {
                    types.push(t);
                }
            }
            continue;
        }
        let pair = (q.predicate, q.object);
        if !properties.contains(&pair) {
            properties.push(pair);
        }
    }
    properties.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    let labels = properties
        .iter()
        .filter(|(p, _)| LABELS.contains(&p.as_str()))
        .filter_map(|(p, o)| match o {
            Term::Literal(l) => Some((p.clone(), l.clone())),
            _ => None,
        })
        .collect();
    let wikidata = properties
        .iter()
        .filter(|(p, _)| p.as_ref() == OWL_SAME_AS)
        .filter_map(|(_, o)| match o {
            Term::NamedNode(n) => n.as_str().strip_prefix(WIKIDATA_ENTITY).map(str::to_owned),
            _ => None,
        })
        .collect();

    let term: TermRef<'_> = match node {
        NamedOrBlankNodeRef::NamedNode(n) => n.into(),
        NamedOrBlankNodeRef::BlankNode(b) => b.into(),
    };
    let mut incoming: Vec<(NamedOrBlankNode, NamedNode)> = Vec::new();
    let mut incoming_truncated = false;
    for q in store.quads_for_pattern(None, None, Some(term), None) {
        let q = q?;
        let pair = (q.subject, q.predicate);
        if incoming.contains(&pair) {
            continue;
        }
        if incoming.len() == MAX_INCOMING {
            incoming_truncated = true;
            break;
        }
        incoming.push(pair);
    }

    let mut facts = Vec::new();
    for (subject, role) in &incoming {
        let quotes = literals(objects(store, subject.as_ref(), FG_QUOTE)?);
        if quotes.is_empty() {
            continue;
        }
        let sources = nodes(&objects(store, subject.as_ref(), PROV_DERIVED)?);
        let mut links = Vec::new();
        for q in store.quads_for_pattern(Some(subject.as_ref()), None, None, None) {
            let q = q?;
            if q.predicate.as_ref() == RDF_TYPE || q.predicate.as_ref() == PROV_DERIVED {
                continue;
            }
            let Some(o) = as_node(&q.object) else {
                continue;
            };
            if o.as_ref() == node || links.iter().any(|(p, x)| *p == q.predicate && *x == o) {
                continue;
            }
            if links.len() < 8 {
                links.push((q.predicate, o));
            }
        }
        facts.push(Fact {
            node: subject.clone(),
            role: role.clone(),
            types: named(objects(store, subject.as_ref(), RDF_TYPE)?),
            links,
            quotes,
            sources,
        });
    }
    Ok(Description {
        node: node.into_owned(),
        labels,
        types,
        quotes: literals(objects(store, node, FG_QUOTE)?),
        sources: nodes(&objects(store, node, PROV_DERIVED)?),
        properties,
        incoming,
        incoming_truncated,
        facts,
        wikidata,
    })
}
