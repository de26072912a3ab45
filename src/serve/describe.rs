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
const SCHEMA: &str = "http://schema.org/";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";

/// Properties that describe things in a sentence, in order of preference.
const DESCRIPTIONS: &[&str] = &[
    "http://schema.org/description",
    "http://purl.org/dc/terms/description",
    "http://www.w3.org/2000/01/rdf-schema#comment",
];

/// Languages preferred for descriptions: the page's (English), then the data's (French),
/// then any.
const DESCRIPTION_LANGUAGES: &[&str] = &["en", "fr", ""];

/// The Wikidata properties `enrich` copies, with their English names, in display order.
pub const WIKIDATA_PROPERTIES: &[(&str, &str)] = &[
    ("http://schema.org/description", "description"),
    ("http://www.wikidata.org/prop/direct/P571", "inception"),
    ("http://www.wikidata.org/prop/direct/P17", "country"),
    (
        "http://www.wikidata.org/prop/direct/P856",
        "official website",
    ),
    ("http://www.wikidata.org/prop/direct/P625", "coordinates"),
    ("http://www.w3.org/2000/01/rdf-schema#label", "label"),
];

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

/// Longest description used as a name, in characters.
const DESCRIPTION_AS_NAME: usize = 80;

/// What to call `node` in text: its label; for a quantity, its value with its unit; for a
/// node with neither (an aim), its description, cut at 80 characters. `None` when it has
/// none of these.
pub fn display_label(store: &Store, node: NamedOrBlankNodeRef<'_>) -> Option<String> {
    label(store, node)
        .or_else(|| quantity(store, node))
        .or_else(|| {
            description(store, node).map(|d| {
                let text = d.value().trim();
                if text.chars().count() <= DESCRIPTION_AS_NAME {
                    text.to_owned()
                } else {
                    let mut t: String = text.chars().take(DESCRIPTION_AS_NAME - 1).collect();
                    t.push('…');
                    t
                }
            })
        })
}

/// [`display_label`], or the short name of `node`.
pub fn name(store: &Store, node: NamedOrBlankNodeRef<'_>) -> String {
    display_label(store, node).unwrap_or_else(|| super::html::short_name(node))
}

/// The name of a property or class in one language, English: its `rdfs:label` in English
/// (the ontology's terms), else its local name in words (`startDate` → `start date`), never
/// a label in another language. The Wikidata properties `enrich` copies are named as in
/// [`WIKIDATA_PROPERTIES`] (`wdt:P17` → `country`).
pub fn term_name(store: &Store, iri: NamedNodeRef<'_>) -> String {
    if let Ok(values) = objects(store, iri.into(), NamedNodeRef::new_unchecked(RDFS_LABEL)) {
        if let Some(l) = values.iter().find_map(|t| match t {
            Term::Literal(l) if l.language() == Some("en") => Some(l.value().to_owned()),
            _ => None,
        }) {
            return l;
        }
    }
    if let Some((_, english)) = WIKIDATA_PROPERTIES
        .iter()
        .find(|(p, _)| *p == iri.as_str() && p.starts_with("http://www.wikidata.org/"))
    {
        return (*english).to_owned();
    }
    local_words(iri.as_str())
}

/// The local name of an IRI (after the last `#` or `/`), camel case split into lower-case
/// words: `containedInPlace` → `contained in place`; `P17` and all-capitals names stay.
pub fn local_words(iri: &str) -> String {
    let local = iri
        .rsplit(['#', '/'])
        .find(|p| !p.is_empty())
        .unwrap_or(iri);
    if !local.chars().any(|c| c.is_lowercase()) {
        return local.to_owned();
    }
    let mut out = String::with_capacity(local.len() + 4);
    let mut prev_lower = false;
    for c in local.chars() {
        if c.is_uppercase() && prev_lower {
            out.push(' ');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        if c == '_' || c == '-' {
            out.push(' ');
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn prefer_language<'a>(literals: &'a [Literal], languages: &[&str]) -> Option<&'a Literal> {
    languages
        .iter()
        .find_map(|lang| {
            literals
                .iter()
                .find(|l| l.language().unwrap_or("") == *lang)
        })
        .or_else(|| literals.first())
}

/// The description of `node` (`schema:description`, `dcterms:description`, `rdfs:comment`,
/// in that order), in English where the data has it, else French, else any language.
pub fn description(store: &Store, node: NamedOrBlankNodeRef<'_>) -> Option<Literal> {
    for p in DESCRIPTIONS {
        let values = literals(objects(store, node, NamedNodeRef::new_unchecked(p)).ok()?);
        let values: Vec<Literal> = values
            .into_iter()
            .filter(|l| !l.value().trim().is_empty())
            .collect();
        if let Some(l) = prefer_language(&values, DESCRIPTION_LANGUAGES) {
            return Some(l.clone());
        }
    }
    None
}

/// Writes the integer part of a decimal with a no-break space every three digits
/// (`50000000.50` → `50 000 000.50`); anything that is not a plain decimal is left as is.
pub fn group_digits(value: &str) -> String {
    let (sign, rest) = match value.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", value.strip_prefix('+').unwrap_or(value)),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return value.to_owned();
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    let frac = frac.trim_end_matches('0');
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// When `node` is a `schema:QuantitativeValue` or `schema:MonetaryAmount`, its value with
/// its unit as text: `1 500 emplois`, `> 50 000 000 MAD` (a `schema:minValue` alone),
/// `< 10 t` (a `schema:maxValue` alone), `10–20 %` (both). `None` for other nodes, or a
/// quantity without any value.
pub fn quantity(store: &Store, node: NamedOrBlankNodeRef<'_>) -> Option<String> {
    let types = objects(store, node, RDF_TYPE).ok()?;
    let is_quantity = types.iter().any(|t| {
        matches!(t, Term::NamedNode(n)
            if n.as_str() == "http://schema.org/QuantitativeValue"
                || n.as_str() == "http://schema.org/MonetaryAmount")
    });
    if !is_quantity {
        return None;
    }
    let first = |local: &str| -> Option<Literal> {
        let values = literals(
            objects(
                store,
                node,
                NamedNode::new_unchecked(format!("{SCHEMA}{local}")).as_ref(),
            )
            .ok()?,
        );
        prefer_language(&values, LANGUAGES).cloned()
    };
    let value = first("value").map(|l| group_digits(l.value()));
    let min = first("minValue").map(|l| group_digits(l.value()));
    let max = first("maxValue").map(|l| group_digits(l.value()));
    let amount = match (value, min, max) {
        (Some(v), _, _) => v,
        (None, Some(a), Some(b)) => format!("{a}–{b}"),
        (None, Some(a), None) => format!("> {a}"),
        (None, None, Some(b)) => format!("< {b}"),
        (None, None, None) => return None,
    };
    let unit = first("unitText")
        .or_else(|| first("currency"))
        .or_else(|| first("unitCode"))
        .map(|l| l.value().trim().to_owned())
        .filter(|u| !u.is_empty());
    Some(match unit {
        Some(u) => format!("{amount} {u}"),
        None => amount,
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
    /// Its description (see [`description`]).
    pub description: Option<Literal>,
    /// The facts `enrich` copied from Wikidata about its items, in the graph
    /// [`crate::enrich::GRAPH`]: (item id, property, value), in the order of
    /// [`WIKIDATA_PROPERTIES`].
    pub wikidata_facts: Vec<(String, NamedNode, Term)>,
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
    let wikidata: Vec<String> = properties
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
    let graph = NamedNode::new_unchecked(crate::enrich::GRAPH);
    let mut wikidata_facts: Vec<(String, NamedNode, Term)> = Vec::new();
    for q in &wikidata {
        let item = NamedNode::new_unchecked(format!("{WIKIDATA_ENTITY}{q}"));
        let mut found: Vec<(NamedNode, Term)> = Vec::new();
        for quad in store.quads_for_pattern(
            Some(item.as_ref().into()),
            None,
            None,
            Some(graph.as_ref().into()),
        ) {
            let quad = quad?;
            found.push((quad.predicate, quad.object));
        }
        // Labels and descriptions in other languages than the preferred one are left out.
        for (p, _) in WIKIDATA_PROPERTIES {
            let values: Vec<&Term> = found
                .iter()
                .filter(|(x, _)| x.as_str() == *p)
                .map(|(_, o)| o)
                .collect();
            let texts: Vec<Literal> = values
                .iter()
                .filter_map(|t| match t {
                    Term::Literal(l) if l.language().is_some() => Some(l.clone()),
                    _ => None,
                })
                .collect();
            let predicate = NamedNode::new_unchecked(*p);
            if texts.is_empty() {
                for v in values {
                    wikidata_facts.push((q.clone(), predicate.clone(), (*v).clone()));
                }
            } else if let Some(l) = prefer_language(&texts, DESCRIPTION_LANGUAGES) {
                wikidata_facts.push((q.clone(), predicate, l.clone().into()));
            }
        }
    }
    Ok(Description {
        description: description(store, node),
        wikidata_facts,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_by_three() {
        assert_eq!(group_digits("1500"), "1\u{a0}500");
        assert_eq!(group_digits("50000000"), "50\u{a0}000\u{a0}000");
        assert_eq!(group_digits("50000000.50"), "50\u{a0}000\u{a0}000.5");
        assert_eq!(group_digits("-1234.0"), "-1\u{a0}234");
        assert_eq!(group_digits("999"), "999");
        assert_eq!(group_digits("0"), "0");
        assert_eq!(group_digits("1e6"), "1e6");
        assert_eq!(group_digits(""), "");
    }

    #[test]
    fn local_names_become_words() {
        assert_eq!(
            local_words("http://schema.org/containedInPlace"),
            "contained in place"
        );
        assert_eq!(local_words("http://schema.org/startDate"), "start date");
        assert_eq!(
            local_words("http://www.wikidata.org/prop/direct/P17"),
            "P17"
        );
        assert_eq!(
            local_words("http://www.w3.org/2002/07/owl#sameAs"),
            "same as"
        );
        assert_eq!(local_words("http://example.org/a/"), "a");
    }
}
