//! RML-CC: gather maps, which turn the values of several term maps into an RDF list
//! (`rdf:List`) or container (`rdf:Bag`, `rdf:Seq`, `rdf:Alt`).
//!
//! This module knows the semantics, not the sources: a [`Plan`] is generic over the "leaf"
//! it gathers (the executor's compiled term maps and joins), which the executor evaluates
//! through a callback. What it does, per evaluation (one record, one set of graphs):
//!
//! - **Members.** Each item of `rml:gather` gives its values in order (a multi-valued
//!   reference gives several members, a nested gather map the nodes of its collections);
//!   `rml:append` (the default) concatenates them into one collection, `rml:cartesianProduct`
//!   makes one collection per combination of one value of each item (none if an item has no
//!   value). Duplicates are kept.
//! - **Empty collections** give no term, unless `rml:allowEmptyListAndContainer` is true:
//!   then an empty list is `rdf:nil` and an empty container a node typed with its class.
//! - **Naming.** A gather map without a value makes a fresh blank node per evaluation and
//!   writes its collection at once. A gather map with a value (template, constant,
//!   reference) names its collection: every evaluation with the same name in the same graphs
//!   adds its members to the same collection ([`Collections`]), written when the triples map
//!   ends ([`Collections::finish`]). An IRI name is the collection's node (a list's first
//!   cell); a blank-node name stands for one fresh blank node per name and graphs.
//! - **Graphs.** A collection's triples go to the graphs of the triple that uses it (the
//!   default graph when there are none).

use std::collections::HashMap;

use oxrdf::vocab::rdf;
use oxrdf::{GraphName, NamedNode, NamedOrBlankNode, Quad, Term};

use crate::model::{CollectionKind, GatherStrategy};

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

/// How the executor evaluates a leaf of a gather map (or its name) into terms.
pub(crate) type Leaf<'a, L, E> = dyn FnMut(&L, &mut Vec<Term>) -> Result<(), E> + 'a;

/// A compiled gather map.
pub(crate) struct Plan<L> {
    /// The map naming the collection (`None`: a fresh blank node per evaluation).
    pub(crate) name: Option<L>,
    /// Is the name a blank node (one fresh blank node per name and graphs)?
    pub(crate) blank_name: bool,
    /// `rml:gatherAs`.
    pub(crate) kind: CollectionKind,
    /// `rml:strategy`.
    pub(crate) strategy: GatherStrategy,
    /// `rml:allowEmptyListAndContainer`.
    pub(crate) allow_empty: bool,
    /// The items of `rml:gather`, in order.
    pub(crate) items: Vec<Item<L>>,
}

/// One element of an `rml:gather` list.
pub(crate) enum Item<L> {
    /// A term map or referencing object map, evaluated by the executor.
    Leaf(L),
    /// A nested gather map: its collections' nodes are members.
    Gather(Plan<L>),
}

/// The named collections of a triples map being gathered, by name, graphs and kind.
#[derive(Default)]
pub(crate) struct Collections {
    index: HashMap<(Term, Vec<GraphName>, CollectionKind), usize>,
    entries: Vec<Entry>,
}

struct Entry {
    node: NamedOrBlankNode,
    kind: CollectionKind,
    graphs: Vec<GraphName>,
    members: Vec<Term>,
}

impl Collections {
    /// Writes every named collection gathered so far into `out`, and forgets them.
    pub(crate) fn finish(&mut self, out: &mut Vec<Quad>) {
        self.index.clear();
        for e in self.entries.drain(..) {
            write_collection(e.node, e.kind, &e.members, &e.graphs, out);
        }
    }
}

impl<L> Plan<L> {
    /// Evaluates the gather map once: appends the nodes of the collections it yields to
    /// `terms` and the triples of the unnamed ones to `quads` (named ones go to `named`).
    /// `leaf` evaluates a leaf (or the name) into its terms; `graphs` are the graphs of the
    /// triple that uses the collections (empty: the default graph).
    pub(crate) fn eval<E>(
        &self,
        leaf: &mut Leaf<'_, L, E>,
        graphs: &[GraphName],
        named: &mut Collections,
        quads: &mut Vec<Quad>,
        terms: &mut Vec<Term>,
    ) -> Result<(), E> {
        // Nested collections are kept aside until this one is known to exist.
        let mut nested = Vec::new();
        let mut values = Vec::with_capacity(self.items.len());
        for item in &self.items {
            let mut v = Vec::new();
            match item {
                Item::Leaf(l) => leaf(l, &mut v)?,
                Item::Gather(p) => p.eval(leaf, graphs, named, &mut nested, &mut v)?,
            }
            values.push(v);
        }
        let lists = combine(self.strategy, values);
        let names = match &self.name {
            None => None,
            Some(n) => {
                let mut names = Vec::new();
                leaf(n, &mut names)?;
                names.retain(|t| !t.is_literal());
                Some(names)
            }
        };
        let before = terms.len();
        for members in lists {
            if members.is_empty() && !self.allow_empty {
                continue;
            }
            let Some(names) = &names else {
                if members.is_empty() && self.kind == CollectionKind::List {
                    terms.push(rdf::NIL.into_owned().into());
                    continue;
                }
                let node = NamedOrBlankNode::from(crate::partition::fresh_blank());
                write_collection(node.clone(), self.kind, &members, graphs, quads);
                terms.push(node.into());
                continue;
            };
            for name in names {
                let key = (name.clone(), graphs.to_vec(), self.kind);
                let existing = named.index.get(&key).copied();
                if members.is_empty() && self.kind == CollectionKind::List {
                    // An empty list is rdf:nil, unless the name already gathered members.
                    match existing {
                        Some(i) if !named.entries[i].members.is_empty() => {
                            terms.push(named.entries[i].node.clone().into())
                        }
                        _ => terms.push(rdf::NIL.into_owned().into()),
                    }
                    continue;
                }
                let i = match existing {
                    Some(i) => i,
                    None => {
                        let node = match name {
                            Term::NamedNode(n) if !self.blank_name => n.clone().into(),
                            _ => crate::partition::fresh_blank().into(),
                        };
                        named.entries.push(Entry {
                            node,
                            kind: self.kind,
                            graphs: graphs.to_vec(),
                            members: Vec::new(),
                        });
                        named.index.insert(key, named.entries.len() - 1);
                        named.entries.len() - 1
                    }
                };
                named.entries[i].members.extend(members.iter().cloned());
                terms.push(named.entries[i].node.clone().into());
            }
        }
        if terms.len() > before {
            quads.append(&mut nested);
        }
        Ok(())
    }
}

/// The member lists the strategy makes of the items' values.
fn combine(strategy: GatherStrategy, values: Vec<Vec<Term>>) -> Vec<Vec<Term>> {
    match strategy {
        GatherStrategy::Append => vec![values.into_iter().flatten().collect()],
        GatherStrategy::CartesianProduct => {
            let mut out: Vec<Vec<Term>> = vec![Vec::new()];
            for v in &values {
                let mut next = Vec::with_capacity(out.len() * v.len());
                for prefix in &out {
                    for t in v {
                        let mut list = prefix.clone();
                        list.push(t.clone());
                        next.push(list);
                    }
                }
                out = next;
            }
            out
        }
    }
}

/// The triples of a collection whose node is `node`, in each of `graphs` (or the default graph).
fn write_collection(
    node: NamedOrBlankNode,
    kind: CollectionKind,
    members: &[Term],
    graphs: &[GraphName],
    out: &mut Vec<Quad>,
) {
    let default = [GraphName::DefaultGraph];
    let graphs = if graphs.is_empty() { &default } else { graphs };
    let mut push = |s: &NamedOrBlankNode, p: NamedNode, o: Term| {
        for g in graphs {
            out.push(Quad::new(s.clone(), p.clone(), o.clone(), g.clone()));
        }
    };
    let class = match kind {
        CollectionKind::List => {
            let mut cell = node;
            for (i, m) in members.iter().enumerate() {
                push(&cell, rdf::FIRST.into_owned(), m.clone());
                let next: Term = if i + 1 == members.len() {
                    rdf::NIL.into_owned().into()
                } else {
                    crate::partition::fresh_blank().into()
                };
                push(&cell, rdf::REST.into_owned(), next.clone());
                if let Term::BlankNode(b) = next {
                    cell = b.into();
                }
            }
            return;
        }
        CollectionKind::Bag => rdf::BAG,
        CollectionKind::Seq => rdf::SEQ,
        CollectionKind::Alt => rdf::ALT,
    };
    push(&node, rdf::TYPE.into_owned(), class.into_owned().into());
    for (i, m) in members.iter().enumerate() {
        let p = NamedNode::new_unchecked(format!("{RDF}_{}", i + 1));
        push(&node, p, m.clone());
    }
}

#[cfg(test)]
mod tests;
