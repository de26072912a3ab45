//! Turtle and TriG for people: the prefixes used, sorted, then one block per subject, subjects
//! sorted, `a` first among the predicates, a blank line between subjects; in TriG, one block
//! per named graph after the default graph. Prefixes come from the mapping (`@prefix` lines,
//! the user's own names first), factgraph's predeclared ones and one per kind of instance
//! (`person:`). A prefixed name is written only when its local part needs no escape, else the
//! full `<IRI>`, so the output always parses back to the same graph.
//!
//! The quads are sorted in memory; N-Triples and N-Quads stream instead.

use std::collections::BTreeSet;
use std::io::Write;

use oxrdf::{GraphName, NamedOrBlankNode, Quad, Term};

use crate::prefixes::{instance_prefix, is_plain_pn_local, INSTANCES, PREFIXES};

const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// The prefixes a document may use: `(name, namespace)`, names unique.
#[derive(Debug, Clone)]
pub struct Prefixes {
    list: Vec<(String, String)>,
}

impl Default for Prefixes {
    fn default() -> Self {
        Self::new()
    }
}

impl Prefixes {
    /// factgraph's predeclared prefixes.
    pub fn new() -> Self {
        Prefixes {
            list: PREFIXES
                .iter()
                .map(|(p, ns)| ((*p).to_owned(), (*ns).to_owned()))
                .collect(),
        }
    }

    /// Adds the user's own prefixes (a mapping's `@prefix` lines): a name the user gives wins
    /// over a predeclared one of the same name or for the same namespace; of two names the
    /// user gives one namespace, the shorter (then the first in alphabetical order).
    pub fn with_user(mut self, user: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut user: Vec<(String, String)> = user.into_iter().collect();
        user.sort_by(|(a, _), (b, _)| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        let mut mine: Vec<(String, String)> = Vec::new();
        for (p, ns) in user {
            if ns.is_empty() || mine.iter().any(|(q, _)| *q == p) {
                continue;
            }
            mine.push((p, ns));
        }
        self.list
            .retain(|(p, ns)| !mine.iter().any(|(q, n)| q == p || n == ns));
        mine.append(&mut self.list);
        self.list = mine;
        self
    }

    /// Adds a prefix per kind of instance (`https://w3id.org/factgraph/id/person/` →
    /// `person:`) for each namespace not named yet.
    pub fn with_instance_namespaces<'a>(
        mut self,
        namespaces: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        for ns in namespaces {
            if self.list.iter().any(|(_, n)| n == ns) {
                continue;
            }
            let Some(kind) = ns.strip_prefix(INSTANCES).and_then(|k| k.strip_suffix('/')) else {
                continue;
            };
            if let Some(p) = instance_prefix(kind) {
                if !self.list.iter().any(|(q, _)| *q == p) {
                    self.list.push((p, ns.to_owned()));
                }
            }
        }
        self
    }

    /// `iri` as a prefixed name (the longest namespace whose local part needs no escape) or
    /// `<iri>`; records the prefix used in `used`.
    fn name(&self, iri: &str, used: &mut BTreeSet<usize>) -> String {
        let best = self
            .list
            .iter()
            .enumerate()
            .filter(|(_, (_, ns))| {
                iri.strip_prefix(ns.as_str())
                    .is_some_and(|l| l.is_empty() || is_plain_pn_local(l))
            })
            .max_by_key(|(i, (_, ns))| (ns.len(), usize::MAX - i));
        match best {
            Some((i, (p, ns))) => {
                used.insert(i);
                format!("{p}:{}", &iri[ns.len()..])
            }
            None => format!("<{iri}>"),
        }
    }

    fn term(&self, t: &Term, used: &mut BTreeSet<usize>) -> String {
        match t {
            Term::NamedNode(n) => self.name(n.as_str(), used),
            Term::BlankNode(b) => b.to_string(),
            Term::Literal(l) => {
                let quoted = oxrdf::Literal::new_simple_literal(l.value()).to_string();
                if let Some(lang) = l.language() {
                    format!("{quoted}@{lang}")
                } else if l.datatype().as_str() == XSD_STRING {
                    quoted
                } else {
                    format!("{quoted}^^{}", self.name(l.datatype().as_str(), used))
                }
            }
            #[allow(unreachable_patterns)]
            other => other.to_string(),
        }
    }

    fn subject(&self, s: &NamedOrBlankNode, used: &mut BTreeSet<usize>) -> String {
        match s {
            NamedOrBlankNode::NamedNode(n) => self.name(n.as_str(), used),
            #[allow(unreachable_patterns)]
            other => other.to_string(),
        }
    }
}

/// What [`write`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Distinct triples (Turtle) or quads (TriG) written.
    pub statements: u64,
    /// Quads of named graphs written without their graph name (Turtle).
    pub flattened: u64,
}

/// Writes `quads` as Turtle (`trig` false: graph names dropped and counted) or TriG, sorted
/// and grouped by subject, with the prefixes of `prefixes` that are used.
pub fn write(
    quads: impl IntoIterator<Item = Quad>,
    prefixes: &Prefixes,
    trig: bool,
    out: &mut dyn Write,
) -> std::io::Result<Written> {
    let mut used = BTreeSet::new();
    let mut written = Written::default();
    // (graph, subject, predicate rank, predicate, object), as written.
    let mut rows: Vec<(Option<String>, String, bool, String, String)> = Vec::new();
    for q in quads {
        let graph = match &q.graph_name {
            GraphName::DefaultGraph => None,
            _ if !trig => {
                written.flattened += 1;
                None
            }
            GraphName::NamedNode(n) => Some(prefixes.name(n.as_str(), &mut used)),
            GraphName::BlankNode(b) => Some(b.to_string()),
        };
        let is_type = q.predicate.as_str() == RDF_TYPE;
        let predicate = if is_type {
            "a".to_owned()
        } else {
            prefixes.name(q.predicate.as_str(), &mut used)
        };
        rows.push((
            graph,
            prefixes.subject(&q.subject, &mut used),
            !is_type,
            predicate,
            prefixes.term(&q.object, &mut used),
        ));
    }
    rows.sort_unstable();
    rows.dedup();
    written.statements = rows.len() as u64;

    let mut names: Vec<&(String, String)> = used.iter().map(|&i| &prefixes.list[i]).collect();
    names.sort();
    for (p, ns) in &names {
        writeln!(out, "@prefix {p}: <{ns}> .")?;
    }
    let mut first_block = names.is_empty();
    let mut i = 0;
    while i < rows.len() {
        let graph = rows[i].0.clone();
        let end = rows[i..]
            .iter()
            .position(|r| r.0 != graph)
            .map_or(rows.len(), |n| i + n);
        if !first_block {
            writeln!(out)?;
        }
        first_block = false;
        let indent = if graph.is_some() { "    " } else { "" };
        if let Some(g) = &graph {
            writeln!(out, "{g} {{")?;
        }
        write_subjects(&rows[i..end], indent, out)?;
        if graph.is_some() {
            writeln!(out, "}}")?;
        }
        i = end;
    }
    Ok(written)
}

type Row = (Option<String>, String, bool, String, String);

fn write_subjects(rows: &[Row], indent: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let mut previous: Option<(&str, &str)> = None;
    for (_, s, _, p, o) in rows {
        match previous {
            Some((ps, pp)) if ps == s && pp == p => write!(out, " , {o}")?,
            Some((ps, _)) if ps == s => write!(out, " ;\n{indent}    {p} {o}")?,
            Some(_) => write!(out, " .\n\n{indent}{s} {p} {o}")?,
            None => write!(out, "{indent}{s} {p} {o}")?,
        }
        previous = Some((s, p));
    }
    if previous.is_some() {
        writeln!(out, " .")?;
    }
    Ok(())
}

/// The `@prefix` / `PREFIX` declarations of a Turtle document (a mapping), sorted by name;
/// those read before a syntax error if it has one.
pub fn declared_prefixes(turtle: &[u8]) -> Vec<(String, String)> {
    let mut parser = oxttl::TurtleParser::new().for_slice(turtle);
    for t in parser.by_ref() {
        if t.is_err() {
            break;
        }
    }
    let mut prefixes: Vec<(String, String)> = parser
        .prefixes()
        .map(|(p, ns)| (p.to_owned(), ns.to_owned()))
        .collect();
    prefixes.sort();
    prefixes
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{Literal, NamedNode};

    fn nn(s: &str) -> NamedNode {
        NamedNode::new_unchecked(s)
    }

    #[test]
    fn sorted_grouped_and_parses_back() {
        let ali = nn("https://w3id.org/factgraph/id/person/ali-seddiki");
        let amdie = nn("https://w3id.org/factgraph/id/org/amdie");
        let quads = vec![
            Quad::new(
                amdie.clone(),
                nn("http://schema.org/name"),
                Literal::new_language_tagged_literal_unchecked("AMDIE \"x\"", "fr"),
                GraphName::DefaultGraph,
            ),
            Quad::new(
                ali.clone(),
                nn("http://schema.org/name"),
                Literal::new_simple_literal("Ali Seddiki"),
                GraphName::DefaultGraph,
            ),
            Quad::new(
                ali.clone(),
                nn(RDF_TYPE),
                nn("http://schema.org/Person"),
                GraphName::DefaultGraph,
            ),
            Quad::new(
                ali.clone(),
                nn("http://example.org/my#born"),
                Literal::new_typed_literal("1970", nn("http://www.w3.org/2001/XMLSchema#gYear")),
                GraphName::DefaultGraph,
            ),
            Quad::new(
                ali,
                nn("http://example.org/my#weird"),
                nn("http://example.org/my#a/b"),
                GraphName::DefaultGraph,
            ),
        ];
        let prefixes = Prefixes::new()
            .with_user([("my".to_owned(), "http://example.org/my#".to_owned())])
            .with_instance_namespaces([
                "https://w3id.org/factgraph/id/person/",
                "https://w3id.org/factgraph/id/org/",
            ]);
        let mut out = Vec::new();
        let w = write(quads.clone(), &prefixes, false, &mut out).unwrap();
        assert_eq!(w.statements, 5);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "@prefix fgorg: <https://w3id.org/factgraph/id/org/> .\n\
             @prefix my: <http://example.org/my#> .\n\
             @prefix person: <https://w3id.org/factgraph/id/person/> .\n\
             @prefix schema: <http://schema.org/> .\n\
             @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\
             \n\
             fgorg:amdie schema:name \"AMDIE \\\"x\\\"\"@fr .\n\
             \n\
             person:ali-seddiki a schema:Person ;\n    \
             my:born \"1970\"^^xsd:gYear ;\n    \
             my:weird <http://example.org/my#a/b> ;\n    \
             schema:name \"Ali Seddiki\" .\n"
        );
        let back: std::collections::HashSet<Quad> = oxttl::TurtleParser::new()
            .for_slice(text.as_bytes())
            .map(|t| t.unwrap().in_graph(GraphName::DefaultGraph))
            .collect();
        assert_eq!(back, quads.into_iter().collect());
    }

    #[test]
    fn trig_keeps_graphs() {
        let g = nn("https://w3id.org/factgraph/graph/wikidata");
        let q = Quad::new(
            nn("http://www.wikidata.org/entity/Q1"),
            nn("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal::new_simple_literal("x"),
            g,
        );
        let mut out = Vec::new();
        write([q.clone()], &Prefixes::new(), true, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(
                "<https://w3id.org/factgraph/graph/wikidata> {\n    wd:Q1 rdfs:label \"x\" .\n}\n"
            ),
            "{text}"
        );
        let back: Vec<Quad> = oxttl::TriGParser::new()
            .for_slice(text.as_bytes())
            .map(Result::unwrap)
            .collect();
        assert_eq!(back, vec![q.clone()]);
        let mut out = Vec::new();
        let w = write([q], &Prefixes::new(), false, &mut out).unwrap();
        assert_eq!(w.flattened, 1);
    }

    #[test]
    fn reads_a_mappings_prefixes() {
        let p = declared_prefixes(
            b"@prefix ex: <http://ex/> .\nPREFIX my: <http://my/>\nex:a ex:b ex:c .",
        );
        assert_eq!(
            p,
            vec![
                ("ex".to_owned(), "http://ex/".to_owned()),
                ("my".to_owned(), "http://my/".to_owned())
            ]
        );
    }
}
