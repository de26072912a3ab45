//! Validation of a store against [`Shapes`]: focus nodes and class instances are selected
//! with SPARQL over the store (the default graph being the union of all graphs, as for
//! `factgraph query`); value nodes are read from the store's indexes.

use std::collections::{HashMap, HashSet};

use oxigraph::model::vocab::rdf;
use oxigraph::model::{NamedNodeRef, NamedOrBlankNodeRef, Term, TermRef};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

use super::shapes::{Constraint, NodeKind, Path, Shape, Shapes, Target};
use super::{ShaclError, ValidationResult};
use crate::validate::values::check_datatype;

/// Runs the validation.
pub struct Engine<'s> {
    store: &'s Store,
    instances: HashMap<String, HashSet<Term>>,
    /// Focus nodes checked (over all shapes).
    pub focus_nodes: usize,
}

impl<'s> Engine<'s> {
    /// An engine over `store`.
    pub fn new(store: &'s Store) -> Self {
        Self {
            store,
            instances: HashMap::new(),
            focus_nodes: 0,
        }
    }

    fn select(&self, query: &str) -> Result<Vec<Term>, ShaclError> {
        let mut prepared = SparqlEvaluator::new()
            .parse_query(query)
            .map_err(|e| ShaclError::Internal(format!("{e} in {query}")))?;
        prepared.dataset_mut().set_default_graph_as_union();
        let results = prepared
            .on_store(self.store)
            .execute()
            .map_err(|e| ShaclError::Store(e.to_string()))?;
        let mut out = Vec::new();
        if let QueryResults::Solutions(solutions) = results {
            for s in solutions {
                let s = s.map_err(|e| ShaclError::Store(e.to_string()))?;
                if let Some(t) = s.get(0) {
                    out.push(t.clone());
                }
            }
        }
        Ok(out)
    }

    /// The SHACL instances of `class`: `?x rdf:type/rdfs:subClassOf* class`.
    fn instances(&mut self, class: NamedNodeRef<'_>) -> Result<&HashSet<Term>, ShaclError> {
        if !self.instances.contains_key(class.as_str()) {
            let q = format!(
                "SELECT DISTINCT ?x WHERE {{ ?x <{}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{}> }}",
                rdf::TYPE.as_str(),
                class.as_str()
            );
            let set = self.select(&q)?.into_iter().collect();
            self.instances.insert(class.as_str().to_owned(), set);
        }
        Ok(&self.instances[class.as_str()])
    }

    fn focus_nodes(&mut self, target: &Target) -> Result<Vec<Term>, ShaclError> {
        Ok(match target {
            Target::Class(c) => {
                let mut v: Vec<Term> = self.instances(c.as_ref())?.iter().cloned().collect();
                v.sort_by_key(ToString::to_string);
                v
            }
            Target::Node(n) => vec![n.clone()],
            Target::SubjectsOf(p) => self.select(&format!(
                "SELECT DISTINCT ?x WHERE {{ ?x <{}> ?o }} ORDER BY ?x",
                p.as_str()
            ))?,
            Target::ObjectsOf(p) => self.select(&format!(
                "SELECT DISTINCT ?x WHERE {{ ?s <{}> ?x }} ORDER BY ?x",
                p.as_str()
            ))?,
        })
    }

    /// The value nodes of `path` from `focus`, over all graphs, without repetition.
    fn values(&self, focus: &Term, path: &Path) -> Result<Vec<Term>, ShaclError> {
        let mut out = HashSet::new();
        let err = |e: oxigraph::store::StorageError| ShaclError::Store(e.to_string());
        match path {
            Path::Predicate(p) => {
                let subject: NamedOrBlankNodeRef<'_> = match focus {
                    Term::NamedNode(n) => n.into(),
                    Term::BlankNode(b) => b.into(),
                    Term::Literal(_) => return Ok(Vec::new()),
                };
                for q in self
                    .store
                    .quads_for_pattern(Some(subject), Some(p.as_ref()), None, None)
                {
                    out.insert(q.map_err(err)?.object);
                }
            }
            Path::Inverse(p) => {
                for q in
                    self.store
                        .quads_for_pattern(None, Some(p.as_ref()), Some(focus.as_ref()), None)
                {
                    out.insert(Term::from(q.map_err(err)?.subject));
                }
            }
        }
        let mut v: Vec<Term> = out.into_iter().collect();
        v.sort_by_key(ToString::to_string);
        Ok(v)
    }

    /// Validates the store against every shape that has targets.
    pub fn run(&mut self, shapes: &Shapes) -> Result<Vec<ValidationResult>, ShaclError> {
        let mut results = Vec::new();
        for shape in &shapes.shapes {
            let mut focus: Vec<Term> = Vec::new();
            let mut seen = HashSet::new();
            for t in &shape.targets {
                for f in self.focus_nodes(t)? {
                    if seen.insert(f.clone()) {
                        focus.push(f);
                    }
                }
            }
            self.focus_nodes += focus.len();
            for f in &focus {
                self.check(shape, f, &mut results, 0)?;
            }
        }
        Ok(results)
    }

    /// Does `node` conform to `shape`?
    fn conforms(&mut self, shape: &Shape, node: &Term, depth: usize) -> Result<bool, ShaclError> {
        let mut r = Vec::new();
        self.check(shape, node, &mut r, depth + 1)?;
        Ok(r.is_empty())
    }

    /// Checks `shape` on the focus node `focus`, adding results.
    fn check(
        &mut self,
        shape: &Shape,
        focus: &Term,
        results: &mut Vec<ValidationResult>,
        depth: usize,
    ) -> Result<(), ShaclError> {
        if depth > 64 {
            return Err(ShaclError::Internal(
                "shapes nest more than 64 deep while validating".into(),
            ));
        }
        let values = match &shape.path {
            None => vec![focus.clone()],
            Some(p) => self.values(focus, p)?,
        };
        let result = |c: &Constraint, value: Option<Term>, detail: String| ValidationResult {
            focus: focus.clone(),
            path: shape.path.clone(),
            value,
            component: c.component(),
            shape: shape.id.clone(),
            severity: shape.severity,
            message: shape.message.clone().unwrap_or(detail),
        };
        for c in &shape.constraints {
            match c {
                Constraint::MinCount(n) => {
                    if (values.len() as u64) < *n {
                        results.push(result(
                            c,
                            None,
                            format!(
                                "{} value{}, expected at least {n}",
                                values.len(),
                                plural(values.len())
                            ),
                        ));
                    }
                }
                Constraint::MaxCount(n) => {
                    if values.len() as u64 > *n {
                        results.push(result(
                            c,
                            None,
                            format!("{} values, expected at most {n}", values.len()),
                        ));
                    }
                }
                Constraint::UniqueLang => {
                    let mut count: HashMap<&str, usize> = HashMap::new();
                    for v in &values {
                        if let Term::Literal(l) = v {
                            if let Some(lang) = l.language() {
                                *count.entry(lang).or_default() += 1;
                            }
                        }
                    }
                    let mut dup: Vec<&str> = count
                        .into_iter()
                        .filter(|(_, n)| *n > 1)
                        .map(|(l, _)| l)
                        .collect();
                    dup.sort_unstable();
                    for l in dup {
                        results.push(result(
                            c,
                            None,
                            format!(
                                "several values in the language \"{l}\", expected one per language"
                            ),
                        ));
                    }
                }
                Constraint::HasValue(h) => {
                    if !values.contains(h) {
                        results.push(result(c, None, format!("no value {h}")));
                    }
                }
                _ => {
                    for v in &values {
                        if let Some(detail) = self.value_fails(c, v, depth)? {
                            results.push(result(c, Some(v.clone()), detail));
                        }
                    }
                }
            }
        }
        for p in &shape.properties {
            self.check(p, focus, results, depth + 1)?;
        }
        Ok(())
    }

    /// Why `value` fails the value-type or logical constraint `c`, if it does.
    fn value_fails(
        &mut self,
        c: &Constraint,
        value: &Term,
        depth: usize,
    ) -> Result<Option<String>, ShaclError> {
        let shown = compact_term(value.as_ref());
        Ok(match c {
            Constraint::Class(class) => {
                (!self.instances(class.as_ref())?.contains(value)).then(|| {
                    format!(
                        "{shown} is not a {}",
                        crate::prefixes::compact(class.as_str())
                    )
                })
            }
            Constraint::Datatype(d) => {
                let good = match value {
                    Term::Literal(l) => {
                        l.datatype() == d.as_ref()
                            && check_datatype(d.as_str(), l.value()).is_none_or(|r| r.is_ok())
                    }
                    _ => false,
                };
                (!good).then(|| {
                    format!(
                        "{shown} is not a valid {}",
                        crate::prefixes::compact(d.as_str())
                    )
                })
            }
            Constraint::NodeKind(k) => {
                let good = matches!(
                    (k, value),
                    (NodeKind::Iri, Term::NamedNode(_))
                        | (NodeKind::BlankNode, Term::BlankNode(_))
                        | (NodeKind::Literal, Term::Literal(_))
                        | (
                            NodeKind::BlankNodeOrIri,
                            Term::NamedNode(_) | Term::BlankNode(_)
                        )
                        | (
                            NodeKind::BlankNodeOrLiteral,
                            Term::BlankNode(_) | Term::Literal(_)
                        )
                        | (
                            NodeKind::IriOrLiteral,
                            Term::NamedNode(_) | Term::Literal(_)
                        )
                );
                (!good).then(|| format!("{shown} is not of the node kind {k:?}"))
            }
            Constraint::In(allowed) => (!allowed.contains(value)).then(|| {
                let list: Vec<String> = allowed.iter().map(|t| compact_term(t.as_ref())).collect();
                format!("{shown} is not one of {}", list.join(", "))
            }),
            Constraint::Pattern(re, pattern) => {
                let text = match value {
                    Term::NamedNode(n) => Some(n.as_str()),
                    Term::Literal(l) => Some(l.value()),
                    Term::BlankNode(_) => None,
                };
                (!text.is_some_and(|t| re.is_match(t)))
                    .then(|| format!("{shown} does not match /{pattern}/"))
            }
            Constraint::LanguageIn(tags) => {
                let good = match value {
                    Term::Literal(l) => l.language().is_some_and(|lang| {
                        tags.iter().any(|t| {
                            lang == t
                                || (lang.starts_with(t.as_str())
                                    && lang.as_bytes().get(t.len()) == Some(&b'-'))
                        })
                    }),
                    _ => false,
                };
                (!good).then(|| format!("{shown} is not in the languages {}", tags.join(", ")))
            }
            Constraint::MinLength(n) | Constraint::MaxLength(n) => {
                let len = match value {
                    Term::NamedNode(x) => Some(x.as_str().chars().count() as u64),
                    Term::Literal(l) => Some(l.value().chars().count() as u64),
                    Term::BlankNode(_) => None,
                };
                let good = len.is_some_and(|len| match c {
                    Constraint::MinLength(_) => len >= *n,
                    _ => len <= *n,
                });
                (!good).then(|| format!("{shown} has the wrong length (limit {n})"))
            }
            Constraint::Or(alternatives) => {
                let mut any = false;
                for a in alternatives {
                    if self.conforms(a, value, depth)? {
                        any = true;
                        break;
                    }
                }
                (!any).then(|| format!("{shown} conforms to none of the alternatives of sh:or"))
            }
            Constraint::Node(s) => (!self.conforms(s, value, depth)?)
                .then(|| format!("{shown} does not conform to the shape {}", s.id)),
            Constraint::Not(s) => self.conforms(s, value, depth)?.then(|| {
                format!(
                    "{shown} conforms to the shape {}, which sh:not forbids",
                    s.id
                )
            }),
            Constraint::MinCount(_)
            | Constraint::MaxCount(_)
            | Constraint::UniqueLang
            | Constraint::HasValue(_) => None,
        })
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A term for display, with predeclared prefixes.
pub fn compact_term(t: TermRef<'_>) -> String {
    match t {
        TermRef::NamedNode(n) => crate::prefixes::compact(n.as_str()),
        other => other.to_string(),
    }
}
