//! RML-LV: logical views (`rml:LogicalView`) as records.
//!
//! A view reads its `rml:viewOn` (a logical source or another view) one iteration at a time
//! and evaluates its fields on it. Every reference a view answers is a *key*: `#` (the index
//! of the iteration of what the view is on, from 0), each field's name (nested fields as
//! `item.type`) and each field's index `item.#` (the position of the value among the field's
//! values, from 0). A view iteration gives one record per combination of one value of each
//! field (the cartesian product): an expression field with no value (null, missing, empty
//! CSV cell) is null in every record, an iterable field with no value gives no record.
//! Joins (`rml:leftJoin`, `rml:innerJoin`) then pair each record with the records of the
//! parent view whose condition values are equal, bringing the join's fields in (their index
//! is the position of the parent record among the matches).
//!
//! The records handed to the executor are ordinary [`Record`]s (one value or none per
//! reference), so term maps, functions, gather maps and joins of [`crate::multi`] work on
//! them unchanged.
//!
//! What a field is evaluated on: the source's records for CSV, XML and inner views (their
//! expression fields are the source's references), the iterated JSON value for JSON sources,
//! and for nested fields the value of the enclosing field (a JSON value, a CSV row, or text
//! read by an iterable field with `rml:referenceFormulation rml:JSONPath` or `rml:CSV`).

use std::collections::HashMap;
use std::io::BufReader;
use std::path::PathBuf;

use oxrdf::{NamedNode, Term};
use serde_json::Value as Json;
use serde_json_path::JsonPath;

use super::{data_error, json, open, Item, Location, Natural, Record};
use crate::error::RmlError;
use crate::model::*;
use crate::template::{Segment, Template};

/// Checks that `expr`, a reference (`what`) to a view's records, names one of its keys.
pub(crate) fn check_reference(view: &LogicalView, what: &str, expr: &str) -> Result<(), String> {
    let keys = view.referenceable();
    if view.keys().iter().any(|k| k == expr) && !keys.iter().any(|k| k == expr) {
        return Err(format!("the {what} \"{expr}\" names the iterable field \"{expr}\" of the logical view {}, whose records cannot be referenced; expected one of its nested fields or its index \"{expr}.#\"", view.name));
    }
    if keys.iter().any(|k| k == expr) {
        return Ok(());
    }
    Err(unknown_field(view, what, expr, &keys))
}

fn unknown_field(view: &LogicalView, what: &str, expr: &str, keys: &[String]) -> String {
    let close = keys
        .iter()
        .filter(|k| crate::vocab::edit_distance(k, expr) <= 2)
        .min_by_key(|k| crate::vocab::edit_distance(k, expr));
    let hint = close.map_or(String::new(), |k| format!(" (did you mean \"{k}\"?)"));
    let all: Vec<String> = keys.iter().map(|k| format!("\"{k}\"")).collect();
    format!(
        "the {what} \"{expr}\" names no field of the logical view {}{hint}; expected one of {}",
        view.name,
        all.join(", ")
    )
}

/// On what the fields at one level are evaluated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// The records of a CSV or XML source, of an inner view, or of a join's parent view:
    /// an expression field is one of their references.
    Slots,
    /// A JSON value: expressions and iterators are JSONPath.
    Json,
    /// The text of an expression field's value: only iterable fields that say how to read
    /// it (`rml:referenceFormulation rml:JSONPath` or `rml:CSV`) apply.
    Text,
    /// A row of CSV text iterated by a CSV iterable field: expressions are column names.
    Row,
}

/// The form a field's own expression reads and the form of its nested fields, or why the
/// field cannot be evaluated where it stands.
fn forms(field: &Field, form: Form, path: &str) -> Result<Form, String> {
    match &field.kind {
        FieldKind::Iterable {
            formulation,
            reference,
            ..
        } => {
            // With a reference, the iterator reads the reference's values (text or JSON),
            // wherever the field stands.
            let form = match (reference, form) {
                (Some(_), Form::Slots | Form::Row) => Form::Text,
                _ => form,
            };
            let target = match formulation {
                Some(ReferenceFormulation::JsonPath) => Some(Form::Json),
                Some(ReferenceFormulation::Csv) => Some(Form::Row),
                Some(_) => None,
                None if form == Form::Json => Some(Form::Json),
                None => None,
            };
            match target {
                Some(t) if matches!(form, Form::Json | Form::Text) => Ok(t),
                _ if form == Form::Slots => Err(format!("the iterable field \"{path}\" iterates over a whole record of a CSV or XML source or of a view, which is not supported; expected an rml:reference on the iterable field selecting the value to iterate (e.g. a column holding JSON)")),
                _ => Err(format!("the iterable field \"{path}\" is not read with JSONPath or CSV, or iterates over a CSV row; only JSONPath and CSV iterable fields over a JSON value or over text are supported (expected rml:referenceFormulation rml:JSONPath or rml:CSV)")),
            }
        }
        _ if form == Form::Text => Err(format!("the expression field \"{path}\" is nested in an expression field whose values are text; expected an rml:IterableField with rml:referenceFormulation rml:JSONPath saying how to read that text")),
        _ if form == Form::Json => Ok(Form::Json),
        // The values of CSV cells and of the references of a record are text.
        _ => Ok(Form::Text),
    }
}

/// Checks that every field of `view` can be evaluated where it stands (see the module
/// documentation); the error is (line of the field, message).
pub(crate) fn check(view: &LogicalView) -> Result<(), (Option<u64>, String)> {
    fn walk(fields: &[Field], form: Form, prefix: &str) -> Result<(), (Option<u64>, String)> {
        for f in fields {
            let path = join_name(prefix, &f.name);
            let inner = forms(f, form, &path).map_err(|m| (f.line, m))?;
            walk(&f.fields, inner, &path)?;
        }
        Ok(())
    }
    walk(&view.fields, top_form(view), "")?;
    for j in &view.joins {
        walk(&j.fields, Form::Slots, "")?;
    }
    Ok(())
}

fn top_form(view: &LogicalView) -> Form {
    match &view.on {
        ViewOn::Source(s) if s.formulation == ReferenceFormulation::JsonPath => Form::Json,
        _ => Form::Slots,
    }
}

fn join_name(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Where a compiled reference reads.
enum CRef {
    /// Slot `i` of the record the fields are evaluated on.
    Slot(usize),
    /// A JSONPath over the JSON value (or over text parsed as JSON), with its text.
    Json(JsonPath, String),
    /// A column of a CSV row.
    Column(String),
}

enum CExpr {
    Ref(CRef),
    Template(Vec<CSegment>),
    Constant(String),
    /// An iterable field: the values of `pre` (or the node itself), each iterated.
    Iterate(Option<CRef>, CRef),
    /// The rows of CSV text (a CSV iterable field), of the values of `pre` or of the node.
    Rows(Option<CRef>),
}

enum CSegment {
    Text(String),
    Ref(CRef),
}

/// A compiled field.
struct CField {
    /// Key of the field's value.
    value: usize,
    /// Key of the field's index (`name.#`).
    index: usize,
    expr: CExpr,
    children: Vec<CField>,
    /// Every key of this field and of its nested fields (cleared before each value).
    keys: Vec<usize>,
}

/// What a field is evaluated on.
enum Node<'a> {
    Slots(&'a [Vec<Item>]),
    Json(&'a Json),
    Text(&'a str),
    Row(&'a Row),
}

/// A row of CSV text, with its header.
struct Row {
    headers: std::rc::Rc<[String]>,
    values: Vec<String>,
}

/// A value a field took, which its nested fields read.
enum Owned {
    Json(Json),
    Text(String),
    Row(Row),
}

impl Owned {
    fn node(&self) -> Node<'_> {
        match self {
            Self::Json(v) => Node::Json(v),
            Self::Text(t) => Node::Text(t),
            Self::Row(r) => Node::Row(r),
        }
    }
}

type Err<'a> = &'a dyn Fn(String) -> RmlError;

/// Names a reference resolves to in a [`Form::Slots`] record: registered as they come (the
/// references asked of a source) or fixed (the keys of a parent view).
struct Resolver {
    names: Vec<String>,
    fixed: bool,
}

impl Resolver {
    fn id(&mut self, name: &str) -> Option<usize> {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return Some(i);
        }
        if self.fixed {
            return None;
        }
        self.names.push(name.to_owned());
        Some(self.names.len() - 1)
    }
}

/// Where a view's iterations come from.
enum Input {
    /// A JSON source read as values (the pseudo triples map holds it, for messages).
    Json(Box<TriplesMap>),
    /// A CSV or XML source or an inner view, read as records of these references.
    Records(Box<TriplesMap>, Vec<String>),
}

/// A join compiled, with its parent's records indexed by the join key.
struct CJoin {
    inner: bool,
    /// The child's side of each condition, over the view's records.
    child: Vec<CExpr>,
    /// The parent's records.
    records: Vec<Vec<Vec<Item>>>,
    /// Parent records by join key.
    index: HashMap<String, Vec<usize>>,
    /// The join's fields, over the parent's records.
    fields: Vec<CField>,
    /// Every key of the join's fields.
    keys: Vec<usize>,
}

/// A view ready to run.
pub(crate) struct CompiledView {
    /// The view's name (for messages).
    name: String,
    keys: Vec<String>,
    input: Input,
    fields: Vec<CField>,
    joins: Vec<CJoin>,
}

fn view_error(
    mapping: &Mapping,
    view: &LogicalView,
    line: Option<u64>,
    message: String,
) -> RmlError {
    RmlError::Mapping {
        file: mapping.file.display().to_string(),
        line: line.or(view.line),
        triples_map: None,
        message: format!("logical view {}: {message}", view.name),
    }
}

/// A triples map standing for the view when its source is read (messages name the view).
fn pseudo(view: &LogicalView, source: LogicalSource) -> TriplesMap {
    TriplesMap {
        name: view.name.clone(),
        line: view.line,
        source,
        subject: SubjectMap {
            term: TermMap {
                value: Value::Constant(Term::NamedNode(NamedNode::new_unchecked(
                    "urn:factgraph:view",
                ))),
                term_type: TermType::Iri,
                language: None,
                datatype: None,
                default_graph: false,
                iri_safety: IriSafety::Iri,
                gather: None,
                targets: TargetSet::default(),
            },
            classes: Vec::new(),
            graphs: Vec::new(),
        },
        predicate_object_maps: Vec::new(),
        base: None,
    }
}

struct Compiler<'a> {
    mapping: &'a Mapping,
    view: &'a LogicalView,
    keys: HashMap<String, usize>,
}

impl Compiler<'_> {
    fn err(&self, line: Option<u64>, message: String) -> RmlError {
        view_error(self.mapping, self.view, line, message)
    }

    fn reference(
        &self,
        expr: &str,
        form: Form,
        slots: &mut Resolver,
        line: Option<u64>,
    ) -> Result<CRef, RmlError> {
        match form {
            Form::Slots => slots.id(expr).map(CRef::Slot).ok_or_else(|| {
                self.err(line, format!("the reference \"{expr}\" names no field of the parent view; expected one of {}", slots.names.join(", ")))
            }),
            Form::Row => Ok(CRef::Column(expr.to_owned())),
            Form::Json | Form::Text => json::parse(expr)
                .map(|p| CRef::Json(p, expr.to_owned()))
                .map_err(|e| self.err(line, json::invalid("reference", expr, &e))),
        }
    }

    fn expr(
        &self,
        kind: &FieldKind,
        form: Form,
        slots: &mut Resolver,
        line: Option<u64>,
    ) -> Result<CExpr, RmlError> {
        Ok(match kind {
            FieldKind::Reference(r) => CExpr::Ref(self.reference(r, form, slots, line)?),
            FieldKind::Constant(c) => CExpr::Constant(c.clone()),
            FieldKind::Template(t) => {
                let t = Template::parse(t)
                    .map_err(|e| self.err(line, format!("invalid template \"{t}\": {e}")))?;
                let mut segments = Vec::new();
                for s in &t.segments {
                    segments.push(match s {
                        Segment::Text(x) => CSegment::Text(x.clone()),
                        Segment::Reference(r) => {
                            CSegment::Ref(self.reference(r, form, slots, line)?)
                        }
                    });
                }
                CExpr::Template(segments)
            }
            FieldKind::Iterable {
                formulation,
                reference,
                iterator,
            } => {
                let pre = match reference {
                    Some(r) => Some(self.reference(r, form, slots, line)?),
                    None => None,
                };
                if *formulation == Some(ReferenceFormulation::Csv) {
                    CExpr::Rows(pre)
                } else {
                    let it = iterator.as_deref().unwrap_or("$");
                    CExpr::Iterate(pre, self.reference(it, Form::Json, slots, line)?)
                }
            }
        })
    }

    fn fields(
        &self,
        fields: &[Field],
        form: Form,
        prefix: &str,
        slots: &mut Resolver,
    ) -> Result<Vec<CField>, RmlError> {
        let mut out = Vec::with_capacity(fields.len());
        for f in fields {
            let path = join_name(prefix, &f.name);
            let inner = forms(f, form, &path).map_err(|m| self.err(f.line, m))?;
            let expr = self.expr(&f.kind, form, slots, f.line)?;
            let children = self.fields(&f.fields, inner, &path, slots)?;
            let key = |k: &str| {
                self.keys
                    .get(k)
                    .copied()
                    .ok_or_else(|| self.err(f.line, format!("the field \"{k}\" is defined twice")))
            };
            let value = key(&path)?;
            let index = key(&format!("{path}.#"))?;
            let mut keys = vec![value, index];
            for c in &children {
                keys.extend(&c.keys);
            }
            out.push(CField {
                value,
                index,
                expr,
                children,
                keys,
            });
        }
        Ok(out)
    }
}

/// Compiles `view` (and the views it reads or joins), reading the parents of its joins.
pub(crate) fn compile(mapping: &Mapping, view: &LogicalView) -> Result<CompiledView, RmlError> {
    let keys = view.keys();
    let c = Compiler {
        mapping,
        view,
        keys: keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect(),
    };
    if c.keys.len() != keys.len() {
        return Err(c.err(None, "two fields have the same name".into()));
    }
    let form = top_form(view);
    let mut references = Resolver {
        names: Vec::new(),
        fixed: false,
    };
    let fields = c.fields(&view.fields, form, "", &mut references)?;
    let source = match &view.on {
        ViewOn::Source(s) => (**s).clone(),
        ViewOn::View(v) => LogicalSource {
            path: PathBuf::from(&v.name),
            written: v.name.clone(),
            formulation: ReferenceFormulation::View(v.clone()),
            iterator: None,
            access: Default::default(),
        },
    };
    let tm = Box::new(pseudo(view, source));
    let input = if form == Form::Json {
        Input::Json(tm)
    } else {
        Input::Records(tm, references.names)
    };
    let mut joins = Vec::new();
    for j in &view.joins {
        let parent = compile(mapping, &j.parent)?;
        let mut own = Resolver {
            names: keys.clone(),
            fixed: true,
        };
        let mut slots = Resolver {
            names: parent.keys.clone(),
            fixed: true,
        };
        let mut child = Vec::new();
        let mut parent_sides = Vec::new();
        for (ch, p) in &j.conditions {
            child.push(c.expr(ch, Form::Slots, &mut own, j.line)?);
            parent_sides.push(c.expr(p, Form::Slots, &mut slots, j.line)?);
        }
        let fields = c.fields(&j.fields, Form::Slots, "", &mut slots)?;
        let mut records = Vec::new();
        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        parent.run(mapping, &mut |slots, file, location| {
            let err = |m: String| data_error(file, location, m);
            for k in join_keys(&parent_sides, &Node::Slots(slots), &err)? {
                let entry = index.entry(k).or_default();
                if entry.last() != Some(&records.len()) {
                    entry.push(records.len());
                }
            }
            records.push(slots.to_vec());
            Ok(())
        })?;
        let keys = fields.iter().flat_map(|f| f.keys.iter().copied()).collect();
        joins.push(CJoin {
            inner: j.inner,
            child,
            records,
            index,
            fields,
            keys,
        });
    }
    Ok(CompiledView {
        name: view.name.clone(),
        keys,
        input,
        fields,
        joins,
    })
}

/// The join keys of a record: every combination of one value per condition side
/// (length-prefixed); none when a side has no value.
fn join_keys(sides: &[CExpr], node: &Node<'_>, err: Err<'_>) -> Result<Vec<String>, RmlError> {
    let mut keys = vec![String::new()];
    for side in sides {
        let values = expr_values(side, node, err)?;
        let mut next = Vec::with_capacity(keys.len() * values.len());
        for k in &keys {
            for (v, _) in &values {
                next.push(format!("{k}{}:{}", v.text.len(), v.text));
            }
        }
        keys = next;
    }
    Ok(keys)
}

/// What is done with a record once the fields (or joins) at one level have their values.
type Next<'a> = dyn FnMut(&mut Vec<Vec<Item>>) -> Result<(), RmlError> + 'a;

/// Each record of the view: its keys' values, the data file and where the iteration is.
type Each<'a> = dyn FnMut(&[Vec<Item>], &str, Location) -> Result<(), RmlError> + 'a;

impl CompiledView {
    /// Runs the view, calling `each` with every record; returns how many there were.
    pub(crate) fn run(&self, mapping: &Mapping, each: &mut Each<'_>) -> Result<u64, RmlError> {
        let mut slots = vec![Vec::new(); self.keys.len()];
        let mut iteration = 0u64;
        let mut count = 0u64;
        let mut visit = |node: &Node<'_>,
                         file: &str,
                         location: Location,
                         slots: &mut Vec<Vec<Item>>|
         -> Result<(), RmlError> {
            slots[0] = vec![Item {
                text: iteration.to_string(),
                natural: Natural::Integer,
            }];
            iteration += 1;
            let err = |m: String| data_error(file, location, m);
            expand(&self.fields, node, slots, &err, &mut |s| {
                joins(&self.joins, s, &err, &mut |s| {
                    count += 1;
                    each(s, file, location)
                })
            })
        };
        match &self.input {
            Input::Json(tm) => {
                let file = tm.source.path.display().to_string();
                json_values(mapping, tm, &mut |value, location| {
                    visit(&Node::Json(value), &file, location, &mut slots)
                })
                .map_err(|e| self.relabel(e))?;
            }
            Input::Records(tm, references) => {
                super::for_each_record(mapping, tm, references, &mut |rec| {
                    visit(
                        &Node::Slots(&rec.values),
                        &rec.file,
                        rec.location,
                        &mut slots,
                    )
                })
                .map_err(|e| self.relabel(e))?;
            }
        }
        Ok(count)
    }
}

impl CompiledView {
    /// A mapping error raised while reading the view's source names the view, not a
    /// triples map.
    fn relabel(&self, e: RmlError) -> RmlError {
        match e {
            RmlError::Mapping {
                file,
                line,
                triples_map: Some(t),
                message,
            } if t == self.name => RmlError::Mapping {
                file,
                line,
                triples_map: None,
                message: format!("logical view {t}: {message}"),
            },
            e => e,
        }
    }
}

/// Reads the values a JSON source's iterator selects (streamed when it can be).
fn json_values(
    mapping: &Mapping,
    tm: &TriplesMap,
    visit: &mut dyn FnMut(&Json, Location) -> Result<(), RmlError>,
) -> Result<(), RmlError> {
    let iterator = tm.source.iterator.as_deref().unwrap_or("$");
    let path = json::compile(mapping, tm, "iterator", iterator)?;
    let file = open(mapping, tm, "a JSON file")?;
    let display = tm.source.path.display().to_string();
    match json::streamable_keys(iterator) {
        Some(keys) => json::stream(file, &display, &keys, &mut |v, offset| {
            visit(v, Location::JsonByte(offset))
        }),
        None => {
            let doc: Json = serde_json::from_reader(BufReader::new(file))
                .map_err(|e| json::json_error(&display, &e, 0))?;
            for (n, v) in (1..).zip(path.query(&doc)) {
                visit(v, Location::JsonNode(n))?;
            }
            Ok(())
        }
    }
}

/// Every combination of one value of each field (and of its nested fields), handed to `k`.
fn expand(
    fields: &[CField],
    node: &Node<'_>,
    slots: &mut Vec<Vec<Item>>,
    err: Err<'_>,
    k: &mut Next<'_>,
) -> Result<(), RmlError> {
    let Some((f, rest)) = fields.split_first() else {
        return k(slots);
    };
    let values = f.values(node, err)?;
    if values.is_empty() {
        if matches!(f.expr, CExpr::Iterate(..) | CExpr::Rows(_)) {
            return Ok(());
        }
        for &key in &f.keys {
            slots[key].clear();
        }
        return expand(rest, node, slots, err, k);
    }
    for (i, (item, owned)) in values.into_iter().enumerate() {
        for &key in &f.keys {
            slots[key].clear();
        }
        slots[f.value].push(item);
        slots[f.index].push(Item {
            text: i.to_string(),
            natural: Natural::Integer,
        });
        let child = owned.node();
        expand(&f.children, &child, slots, err, &mut |s| {
            expand(rest, node, s, err, k)
        })?;
    }
    Ok(())
}

/// Applies the joins in turn to a record.
fn joins(
    joins_left: &[CJoin],
    slots: &mut Vec<Vec<Item>>,
    err: Err<'_>,
    k: &mut Next<'_>,
) -> Result<(), RmlError> {
    let Some((j, rest)) = joins_left.split_first() else {
        return k(slots);
    };
    let mut matches: Vec<usize> = Vec::new();
    for key in join_keys(&j.child, &Node::Slots(slots), err)? {
        for &m in j.index.get(&key).into_iter().flatten() {
            if !matches.contains(&m) {
                matches.push(m);
            }
        }
    }
    matches.sort_unstable();
    if matches.is_empty() {
        if j.inner {
            return Ok(());
        }
        for &key in &j.keys {
            slots[key].clear();
        }
        return joins(rest, slots, err, k);
    }
    // A join field's index is the position of the parent record among the matches.
    for (position, &m) in matches.iter().enumerate() {
        let parent = Node::Slots(&j.records[m]);
        expand(&j.fields, &parent, slots, err, &mut |s| {
            for f in &j.fields {
                if !s[f.index].is_empty() {
                    s[f.index] = vec![Item {
                        text: position.to_string(),
                        natural: Natural::Integer,
                    }];
                }
            }
            joins(rest, s, err, k)
        })?;
    }
    Ok(())
}

impl CField {
    /// The values the field takes on `node`, each with what its nested fields read.
    fn values(&self, node: &Node<'_>, err: Err<'_>) -> Result<Vec<(Item, Owned)>, RmlError> {
        expr_values(&self.expr, node, err)
    }
}

/// The values an expression takes on `node`, each with what nested fields read.
fn expr_values(
    expr: &CExpr,
    node: &Node<'_>,
    err: Err<'_>,
) -> Result<Vec<(Item, Owned)>, RmlError> {
    {
        let mut out = Vec::new();
        match expr {
            CExpr::Ref(r) => select(r, node, err, &mut out)?,
            CExpr::Iterate(None, it) => select(it, node, err, &mut out)?,
            CExpr::Rows(None) => csv_rows(node, err, &mut out)?,
            CExpr::Iterate(Some(pre), it) => {
                let mut values = Vec::new();
                select(pre, node, err, &mut values)?;
                for (_, v) in &values {
                    select(it, &v.node(), err, &mut out)?;
                }
            }
            CExpr::Rows(Some(pre)) => {
                let mut values = Vec::new();
                select(pre, node, err, &mut values)?;
                for (_, v) in &values {
                    csv_rows(&v.node(), err, &mut out)?;
                }
            }
            CExpr::Constant(c) => out.push((
                Item {
                    text: c.clone(),
                    natural: Natural::String,
                },
                Owned::Text(c.clone()),
            )),
            CExpr::Template(segments) => {
                let mut texts = vec![String::new()];
                for s in segments {
                    match s {
                        CSegment::Text(t) => texts.iter_mut().for_each(|x| x.push_str(t)),
                        CSegment::Ref(r) => {
                            let mut values = Vec::new();
                            select(r, node, err, &mut values)?;
                            let mut next = Vec::with_capacity(texts.len() * values.len());
                            for prefix in &texts {
                                for (v, _) in &values {
                                    next.push(format!("{prefix}{}", v.text));
                                }
                            }
                            texts = next;
                        }
                    }
                }
                out.extend(texts.into_iter().map(|t| {
                    (
                        Item {
                            text: t.clone(),
                            natural: Natural::String,
                        },
                        Owned::Text(t),
                    )
                }));
            }
        }
        Ok(out)
    }
}

/// The rows of the CSV text `node` holds (a JSON string, or text), each with its string
/// representation (the cells joined by commas).
fn csv_rows(node: &Node<'_>, err: Err<'_>, out: &mut Vec<(Item, Owned)>) -> Result<(), RmlError> {
    let text = match node {
        Node::Text(t) => *t,
        Node::Json(Json::String(t)) => t.as_str(),
        _ => {
            return Err(err(
                "a CSV iterable field reads a value that is not text".into()
            ))
        }
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let bad = |e: ::csv::Error| {
        err(format!(
            "the value {text:?} is not CSV ({e}); expected CSV text with a header row"
        ))
    };
    let headers: std::rc::Rc<[String]> = reader
        .headers()
        .map_err(bad)?
        .iter()
        .map(str::to_owned)
        .collect();
    for record in reader.records() {
        let record = record.map_err(bad)?;
        let values: Vec<String> = record.iter().map(str::to_owned).collect();
        out.push((
            Item {
                text: values.join(","),
                natural: Natural::String,
            },
            Owned::Row(Row {
                headers: headers.clone(),
                values,
            }),
        ));
    }
    Ok(())
}

/// The values a reference (or iterator) selects on `node`; nulls are skipped.
fn select(
    r: &CRef,
    node: &Node<'_>,
    err: Err<'_>,
    out: &mut Vec<(Item, Owned)>,
) -> Result<(), RmlError> {
    match (r, node) {
        (CRef::Slot(i), Node::Slots(s)) => {
            for item in s.get(*i).into_iter().flatten() {
                out.push((item.clone(), Owned::Text(item.text.clone())));
            }
        }
        (CRef::Json(p, _), Node::Json(v)) => json_select(p, v, out),
        (CRef::Column(c), Node::Row(row)) => {
            let Some(i) = row.headers.iter().position(|h| h == c) else {
                return Err(err(format!(
                    "the reference \"{c}\" names no column of the CSV text; expected one of {}",
                    row.headers.join(", ")
                )));
            };
            match row.values.get(i) {
                Some(v) if !v.is_empty() => out.push((
                    Item {
                        text: v.clone(),
                        natural: Natural::String,
                    },
                    Owned::Text(v.clone()),
                )),
                _ => {}
            }
        }
        (CRef::Json(p, expr), Node::Text(t)) => {
            let v: Json = serde_json::from_str(t).map_err(|e| {
                err(format!(
                    "the value {t:?} is not JSON ({e}); expected JSON text for the JSONPath \"{expr}\""
                ))
            })?;
            json_select(p, &v, out);
        }
        _ => {
            return Err(err(
                "a field of a logical view reads a value of the wrong kind".into(),
            ))
        }
    }
    Ok(())
}

fn json_select(path: &JsonPath, value: &Json, out: &mut Vec<(Item, Owned)>) {
    for v in path.query(value) {
        let (text, natural) = match v {
            Json::Null => continue,
            Json::String(s) => (s.clone(), Natural::String),
            Json::Bool(b) => (b.to_string(), Natural::Boolean),
            Json::Number(n) => (
                n.to_string(),
                if n.is_i64() || n.is_u64() {
                    Natural::Integer
                } else {
                    Natural::Double
                },
            ),
            Json::Array(_) | Json::Object(_) => (v.to_string(), Natural::String),
        };
        out.push((Item { text, natural }, Owned::Json(v.clone())));
    }
}

/// See [`super::for_each_record`]: the records of the view `view` that `tm` reads.
pub(crate) fn for_each_record(
    mapping: &Mapping,
    tm: &TriplesMap,
    view: &LogicalView,
    references: &[String],
    each: &mut dyn FnMut(&Record) -> Result<(), RmlError>,
) -> Result<u64, RmlError> {
    let compiled = compile(mapping, view)?;
    let ids = references
        .iter()
        .map(|r| {
            check_reference(view, "reference", r)
                .map_err(|m| crate::exec::mapping_error(mapping, tm, m))?;
            compiled.keys.iter().position(|k| k == r).ok_or_else(|| {
                crate::exec::mapping_error(
                    mapping,
                    tm,
                    unknown_field(view, "reference", r, &compiled.keys),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut record = Record {
        values: vec![Vec::new(); references.len()],
        file: String::new(),
        location: Location::CsvByte(0),
    };
    compiled.run(mapping, &mut |slots, file, location| {
        for (v, &i) in record.values.iter_mut().zip(&ids) {
            v.clone_from(&slots[i]);
        }
        if record.file != file {
            file.clone_into(&mut record.file);
        }
        record.location = location;
        each(&record)
    })
}
