//! Ids and references, derived from the mapping:
//!
//! - a **typed triples map** (one with `rml:class`) defines ids: its subject. Two rows of its
//!   file that make the same subject are a duplicate id.
//! - a **join** (`rml:parentTriplesMap` with `rml:joinCondition`) refers to the parent's rows:
//!   a child value that matches no parent row is a dangling reference (RML would silently
//!   produce no triple).
//! - an **IRI template of the same shape as a typed map's subject template** (the same text
//!   around its references, e.g. `…/place/{location}` and `…/place/{id}`) refers to that map's
//!   subjects: an IRI that no row makes is a dangling reference.

use std::collections::HashMap;

use super::plan::Expr;
use crate::rml::model::{Mapping, ObjectMap, TermType, Value};
use crate::rml::template::{Segment, Template};

/// A set of ids that references point into.
#[derive(Debug)]
pub struct Group {
    /// The files whose rows are the members: `places.csv`, `quantities.csv or amounts.csv`.
    pub files: String,
    /// What a member is, for messages: `the id of a row of places.csv`.
    pub what: String,
    /// The keys seen so far (their [`super::plan`] hashes).
    pub keys: rustc_hash::FxHashSet<u128>,
}

/// Where keys come from: the rows of one triples map's source.
#[derive(Debug, Clone)]
pub struct KeyRule {
    /// The triples map.
    pub triples_map: usize,
    /// The group the keys go in (`None`: only duplicates are checked).
    pub group: Option<usize>,
    /// How the key is made from a row.
    pub expr: Expr,
    /// Report rows that repeat a key (typed maps' subjects).
    pub duplicates: bool,
}

/// Where references come from: the rows of one triples map's source.
#[derive(Debug, Clone)]
pub struct RefRule {
    /// The triples map.
    pub triples_map: usize,
    /// The group the values must be in.
    pub group: usize,
    /// How the value is made from a row.
    pub expr: Expr,
}

/// The key and reference rules of a mapping, with the groups they share.
#[derive(Debug, Default)]
pub struct Rules {
    /// The groups.
    pub groups: Vec<Group>,
    /// Key rules.
    pub keys: Vec<KeyRule>,
    /// Reference rules.
    pub refs: Vec<RefRule>,
}

/// The shape of a template: its text, with `None` where a reference stands.
fn shape(t: &Template) -> Vec<Option<&str>> {
    t.segments
        .iter()
        .map(|s| match s {
            Segment::Text(t) => Some(t.as_str()),
            Segment::Reference(_) => None,
        })
        .collect()
}

fn file_name(m: &Mapping, tm: usize) -> String {
    m.triples_maps[tm].source.written.clone()
}

impl Rules {
    /// Derives the rules from a mapping.
    pub fn new(m: &Mapping) -> Self {
        let mut rules = Self::default();
        // Typed maps define ids.
        let mut shapes: HashMap<Vec<Option<&str>>, usize> = HashMap::new();
        for (i, tm) in m.triples_maps.iter().enumerate() {
            if tm.subject.classes.is_empty() || tm.subject.term.term_type != TermType::Iri {
                continue;
            }
            let (expr, group) = match &tm.subject.term.value {
                Value::Template(t) => {
                    let g = *shapes.entry(shape(t)).or_insert_with(|| {
                        rules.groups.push(Group {
                            files: String::new(),
                            what: String::new(),
                            keys: rustc_hash::FxHashSet::default(),
                        });
                        rules.groups.len() - 1
                    });
                    let files = &mut rules.groups[g].files;
                    let name = file_name(m, i);
                    if !files.split(" or ").any(|f| f == name) {
                        if !files.is_empty() {
                            files.push_str(" or ");
                        }
                        files.push_str(&name);
                    }
                    (Expr::Template(t.clone()), Some(g))
                }
                Value::Reference(r) => (Expr::Column(r.clone()), None),
                // A function's output cannot be predicted from the row: no id rule.
                Value::Constant(_) | Value::Function(_) => continue,
            };
            rules.keys.push(KeyRule {
                triples_map: i,
                group,
                expr,
                duplicates: true,
            });
        }
        for g in &mut rules.groups {
            g.what = format!("the id of a row of {}", g.files);
        }
        // Joins refer to parent rows; IRI templates of a typed map's shape refer to its subjects.
        let mut joins: HashMap<(usize, Vec<String>), usize> = HashMap::new();
        for (i, tm) in m.triples_maps.iter().enumerate() {
            let mut templates: Vec<&Template> = Vec::new();
            if tm.subject.classes.is_empty() && tm.subject.term.term_type == TermType::Iri {
                if let Value::Template(t) = &tm.subject.term.value {
                    templates.push(t);
                }
            }
            for pom in &tm.predicate_object_maps {
                for om in &pom.objects {
                    match om {
                        ObjectMap::Term(t) if t.term_type == TermType::Iri => {
                            if let Value::Template(t) = &t.value {
                                templates.push(t);
                            }
                        }
                        ObjectMap::Term(_) => {}
                        // Only joins made of column references alone are checked.
                        ObjectMap::Ref(r)
                            if r.joins.is_empty() || r.joins.len() != r.conditions.len() => {}
                        ObjectMap::Ref(r) => {
                            let parent_cols: Vec<String> =
                                r.joins.iter().map(|(_, p)| p.clone()).collect();
                            let child_cols: Vec<String> =
                                r.joins.iter().map(|(c, _)| c.clone()).collect();
                            let next = rules.groups.len();
                            let g = *joins.entry((r.parent, parent_cols.clone())).or_insert(next);
                            if g == next {
                                let cols: Vec<String> =
                                    parent_cols.iter().map(|c| format!("\"{c}\"")).collect();
                                rules.groups.push(Group {
                                    files: file_name(m, r.parent),
                                    what: format!(
                                        "a value of column {} of {}",
                                        cols.join(", "),
                                        file_name(m, r.parent)
                                    ),
                                    keys: rustc_hash::FxHashSet::default(),
                                });
                                rules.keys.push(KeyRule {
                                    triples_map: r.parent,
                                    group: Some(g),
                                    expr: Expr::Columns(parent_cols),
                                    duplicates: false,
                                });
                            }
                            let rule = RefRule {
                                triples_map: i,
                                group: g,
                                expr: Expr::Columns(child_cols),
                            };
                            rules.push_ref(m, rule);
                        }
                    }
                }
            }
            for t in templates {
                if let Some(&g) = shapes.get(&shape(t)) {
                    let rule = RefRule {
                        triples_map: i,
                        group: g,
                        expr: Expr::Template(t.clone()),
                    };
                    rules.push_ref(m, rule);
                }
            }
        }
        rules
    }

    /// Adds a reference rule unless the same one already reads the same file.
    fn push_ref(&mut self, m: &Mapping, rule: RefRule) {
        let source = &m.triples_maps[rule.triples_map].source;
        if !self.refs.iter().any(|r| {
            r.group == rule.group
                && r.expr == rule.expr
                && m.triples_maps[r.triples_map].source == *source
        }) {
            self.refs.push(rule);
        }
    }
}
