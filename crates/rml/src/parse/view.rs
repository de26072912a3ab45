//! RML-LV: reading `rml:LogicalView` (fields, iterable fields, joins) into
//! [`crate::model::LogicalView`], checked as it is read: a reference to no field, a cycle of
//! views, a join with something that is not a view are mapping errors with their line.

use std::collections::HashSet;
use std::path::PathBuf;

use oxrdf::vocab::rdf;
use oxrdf::{NamedOrBlankNode, NamedOrBlankNodeRef, TermRef, TripleRef};

use super::{rml, Reader};
use crate::error::RmlError;
use crate::model::*;
use crate::source::check_expression;
use crate::template::Template;

impl Reader<'_> {
    /// Is `node` a logical view (`rml:viewOn`, or typed `rml:LogicalView`)?
    pub(super) fn is_view(&self, node: NamedOrBlankNodeRef<'_>) -> bool {
        !self.objects(node, "viewOn").is_empty()
            || self
                .doc
                .graph
                .contains(TripleRef::new(node, rdf::TYPE, rml("LogicalView").as_ref()))
    }

    /// The logical source of a triples map that reads the view `node`.
    pub(super) fn view_source(
        &self,
        node: NamedOrBlankNodeRef<'_>,
        tm: &str,
    ) -> Result<LogicalSource, RmlError> {
        let view = self.logical_view(node, tm, &mut Vec::new())?;
        Ok(LogicalSource {
            path: PathBuf::from(&view.name),
            written: view.name.clone(),
            formulation: ReferenceFormulation::View(Box::new(view)),
            iterator: None,
            access: Default::default(),
        })
    }

    /// Reads a view; `stack` holds the views being read around it (a cycle is an error).
    fn logical_view(
        &self,
        node: NamedOrBlankNodeRef<'_>,
        tm: &str,
        stack: &mut Vec<NamedOrBlankNode>,
    ) -> Result<LogicalView, RmlError> {
        let owned = node.into_owned();
        if let Some(at) = stack.iter().position(|n| *n == owned) {
            let cycle: Vec<String> = stack[at..]
                .iter()
                .map(ToString::to_string)
                .chain([node.to_string()])
                .collect();
            return Err(self.err(
                Some(node),
                Some(tm),
                format!(
                    "the logical view {node} is built on itself ({}); expected rml:viewOn and rml:parentLogicalView to form no cycle",
                    cycle.join(" → ")
                ),
            ));
        }
        stack.push(owned);
        let view = self.view_body(node, tm, stack);
        stack.pop();
        view
    }

    fn view_body(
        &self,
        node: NamedOrBlankNodeRef<'_>,
        tm: &str,
        stack: &mut Vec<NamedOrBlankNode>,
    ) -> Result<LogicalView, RmlError> {
        let err = |message: String| self.err(Some(node), Some(tm), message);
        let on = match self.objects(node, "viewOn").as_slice() {
            [one] => {
                let n = self.node(*one, tm, "rml:viewOn")?;
                if self.is_view(n) {
                    ViewOn::View(Box::new(self.logical_view(n, tm, stack)?))
                } else if !self.objects(n, "source").is_empty() {
                    ViewOn::Source(Box::new(self.logical_source(n, tm)?))
                } else {
                    return Err(err(format!("rml:viewOn {n} is neither a logical source nor a logical view; expected a resource with rml:source or rml:viewOn")));
                }
            }
            [] => {
                return Err(err(
                    "the logical view has no rml:viewOn; expected one logical source or view"
                        .into(),
                ))
            }
            _ => {
                return Err(err(
                    "the logical view has several rml:viewOn; expected one".into()
                ))
            }
        };
        for p in ["source", "iterator", "referenceFormulation"] {
            if !self.objects(node, p).is_empty() {
                return Err(err(format!("a logical view cannot have rml:{p}; it belongs to the logical source of rml:viewOn")));
            }
        }
        let form = match &on {
            ViewOn::Source(s) => s.formulation.clone(),
            ViewOn::View(v) => ReferenceFormulation::View(v.clone()),
        };
        let fields = self.view_fields(node, tm, &form)?;
        if fields.is_empty() {
            return Err(err(
                "the logical view has no rml:field; expected at least one".into(),
            ));
        }
        let mut view = LogicalView {
            name: node.to_string(),
            line: self.doc.lines.get(&node.into_owned()).map(|(l, _)| *l),
            on,
            fields,
            joins: Vec::new(),
        };
        for (p, inner) in [("leftJoin", false), ("innerJoin", true)] {
            for j in self.objects(node, p) {
                let j = self.node(j, tm, p)?;
                let join = self.view_join(&view, j, inner, tm, stack)?;
                view.joins.push(join);
            }
        }
        let mut seen = HashSet::new();
        if let Some(twice) = view.keys().into_iter().find(|k| !seen.insert(k.clone())) {
            return Err(err(format!("the logical view has two fields named \"{twice}\" (a join's fields included); expected distinct names")));
        }
        crate::source::view::check(&view).map_err(|(line, message)| RmlError::Mapping {
            file: self.file.clone(),
            line: line.or(view.line),
            triples_map: Some(tm.to_owned()),
            message,
        })?;
        Ok(view)
    }

    /// The `rml:field`s of `node`, whose expressions are read with `form`.
    fn view_fields(
        &self,
        node: NamedOrBlankNodeRef<'_>,
        tm: &str,
        form: &ReferenceFormulation,
    ) -> Result<Vec<Field>, RmlError> {
        let mut fields: Vec<Field> = Vec::new();
        for f in self.objects(node, "field") {
            let f = self.node(f, tm, "rml:field")?;
            let err = |message: String| self.err(Some(f), Some(tm), message);
            let name = match self.objects(f, "fieldName").as_slice() {
                [n] => self.string(f, *n, tm, "fieldName")?,
                [] => return Err(err("the field has no rml:fieldName; expected one".into())),
                _ => {
                    return Err(err(
                        "the field has several rml:fieldName; expected one".into()
                    ))
                }
            };
            if name.is_empty() || name.contains('.') || name == "#" {
                return Err(err(format!("the field name \"{name}\" cannot be used; expected a non-empty name without \".\" other than \"#\" (\".\" separates nested fields, \"#\" is the index)")));
            }
            if fields.iter().any(|g| g.name == name) {
                return Err(err(format!(
                    "two fields are named \"{name}\"; expected distinct names"
                )));
            }
            if !self.objects(f, "functionExecution").is_empty() {
                return Err(err(
                    "functions in the fields of a logical view are not supported; call the function in the triples map's term map instead".into(),
                ));
            }
            let iterators = self.objects(f, "iterator");
            let typed_iterable = self.doc.graph.contains(TripleRef::new(
                f,
                rdf::TYPE,
                rml("IterableField").as_ref(),
            ));
            // A field with an iterator or a reference formulation of its own iterates.
            let has_formulation = !self.objects(f, "referenceFormulation").is_empty();
            let (kind, inner) = if !iterators.is_empty() || typed_iterable || has_formulation {
                let iterator = match iterators.as_slice() {
                    [] => None,
                    [it] => Some(self.string(f, *it, tm, "iterator")?),
                    _ => {
                        return Err(err(
                            "an iterable field has several rml:iterator; expected at most one"
                                .into(),
                        ))
                    }
                };
                let own = if self.objects(f, "referenceFormulation").is_empty() {
                    None
                } else {
                    Some(self.formulation(f, tm)?)
                };
                let reference = match self.objects(f, "reference").as_slice() {
                    [] => None,
                    [r] => {
                        let r = self.string(f, *r, tm, "reference")?;
                        check_expression(form, "reference", &r).map_err(&err)?;
                        Some(r)
                    }
                    _ => {
                        return Err(err(
                            "an iterable field has several rml:reference; expected at most one"
                                .into(),
                        ))
                    }
                };
                for p in ["template", "constant"] {
                    if !self.objects(f, p).is_empty() {
                        return Err(err(format!("an iterable field cannot have rml:{p}; expected an rml:iterator, and at most an rml:reference whose values it iterates")));
                    }
                }
                let effective = own.clone().unwrap_or_else(|| form.clone());
                if effective == ReferenceFormulation::JsonPath {
                    if let Some(i) = &iterator {
                        check_expression(&effective, "iterator", i).map_err(&err)?;
                    }
                }
                (
                    FieldKind::Iterable {
                        iterator,
                        formulation: own,
                        reference,
                    },
                    effective,
                )
            } else {
                let kind = self.view_expression(
                    f,
                    tm,
                    form,
                    &format!("the field \"{name}\""),
                    "an rml:iterator (an iterable field)",
                )?;
                (kind, form.clone())
            };
            // Nested fields read JSON values, or text that only a JSONPath iterable field can
            // read (checked by `source::view::check`).
            let inner = if inner == ReferenceFormulation::JsonPath {
                inner
            } else {
                // Column names (under a CSV iterable field), or text no expression reads.
                ReferenceFormulation::Csv
            };
            let nested = self.view_fields(f, tm, &inner)?;
            fields.push(Field {
                name,
                line: self.doc.lines.get(&f.into_owned()).map(|(l, _)| *l),
                kind,
                fields: nested,
            });
        }
        Ok(fields)
    }

    /// The expression of a field or of a join condition's side: exactly one of
    /// `rml:reference`, `rml:template`, `rml:constant`, its references checked against `form`.
    fn view_expression(
        &self,
        f: NamedOrBlankNodeRef<'_>,
        tm: &str,
        form: &ReferenceFormulation,
        what: &str,
        or: &str,
    ) -> Result<FieldKind, RmlError> {
        let err = |message: String| self.err(Some(f), Some(tm), message);
        let references = self.objects(f, "reference");
        let templates = self.objects(f, "template");
        let constants = self.objects(f, "constant");
        Ok(
            match (references.as_slice(), templates.as_slice(), constants.as_slice()) {
                ([r], [], []) => {
                    let r = self.string(f, *r, tm, "reference")?;
                    check_expression(form, "reference", &r).map_err(&err)?;
                    FieldKind::Reference(r)
                }
                ([], [t], []) => {
                    let t = self.string(f, *t, tm, "template")?;
                    let parsed = Template::parse(&t)
                        .map_err(|e| err(format!("invalid template \"{t}\": {e}")))?;
                    for r in parsed.references() {
                        check_expression(form, "reference", r).map_err(&err)?;
                    }
                    FieldKind::Template(t)
                }
                ([], [], [c]) => FieldKind::Constant(match c {
                    TermRef::NamedNode(n) => n.as_str().to_owned(),
                    TermRef::BlankNode(b) => b.as_str().to_owned(),
                    TermRef::Literal(l) => l.value().to_owned(),
                }),
                _ => return Err(err(format!("{what} needs exactly one of rml:reference, rml:template or rml:constant, or {or}"))),
            },
        )
    }

    /// An `rml:leftJoin` / `rml:innerJoin` of `view`.
    fn view_join(
        &self,
        view: &LogicalView,
        j: NamedOrBlankNodeRef<'_>,
        inner: bool,
        tm: &str,
        stack: &mut Vec<NamedOrBlankNode>,
    ) -> Result<ViewJoin, RmlError> {
        let err = |message: String| self.err(Some(j), Some(tm), message);
        let parent = match self.objects(j, "parentLogicalView").as_slice() {
            [p] => {
                let p = self.node(*p, tm, "rml:parentLogicalView")?;
                if !self.is_view(p) {
                    return Err(err(format!("rml:parentLogicalView {p} is not a logical view; expected a rml:LogicalView (a resource with rml:viewOn)")));
                }
                self.logical_view(p, tm, stack)?
            }
            [] => {
                let hint = if self.objects(j, "parentTriplesMap").is_empty() {
                    ""
                } else {
                    " (rml:parentTriplesMap belongs to referencing object maps)"
                };
                return Err(err(format!(
                    "the join has no rml:parentLogicalView; expected one logical view{hint}"
                )));
            }
            _ => {
                return Err(err(
                    "the join has several rml:parentLogicalView; expected one".into(),
                ))
            }
        };
        let own = ReferenceFormulation::View(Box::new(view.clone()));
        let parent_form = ReferenceFormulation::View(Box::new(parent.clone()));
        let mut conditions = Vec::new();
        for c in self.objects(j, "joinCondition") {
            let c = self.node(c, tm, "rml:joinCondition")?;
            let side = |short: &str,
                        map: &str,
                        form: &ReferenceFormulation|
             -> Result<FieldKind, RmlError> {
                match (self.objects(c, short).as_slice(), self.objects(c, map).as_slice()) {
                    ([v], []) => {
                        let v = self.string(c, *v, tm, short)?;
                        check_expression(form, short, &v)
                            .map_err(|m| self.err(Some(c), Some(tm), m))?;
                        Ok(FieldKind::Reference(v))
                    }
                    ([], [m]) => {
                        let m = self.node(*m, tm, map)?;
                        self.view_expression(m, tm, form, &format!("rml:{map}"), "nothing else")
                    }
                    _ => Err(self.err(Some(c), Some(tm), format!("the join condition needs exactly one rml:{short} (a field name) or rml:{map}"))),
                }
            };
            conditions.push((
                side("child", "childMap", &own)?,
                side("parent", "parentMap", &parent_form)?,
            ));
        }
        if conditions.is_empty() {
            return Err(err(
                "the join has no rml:joinCondition; expected at least one".into(),
            ));
        }
        let fields = self.view_fields(j, tm, &parent_form)?;
        if fields.is_empty() {
            return Err(err(
                "the join has no rml:field; expected at least one field of the parent view to bring in".into(),
            ));
        }
        Ok(ViewJoin {
            inner,
            parent: Box::new(parent),
            conditions,
            fields,
            line: self.doc.lines.get(&j.into_owned()).map(|(l, _)| *l),
        })
    }
}
