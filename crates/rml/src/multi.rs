//! The executor for records whose references may select several values (JSON, XML, and the
//! triples maps the CSV fast path of [`crate::exec`] leaves to it).
//!
//! A term map gives one term per value its reference selects; a template gives the cartesian
//! product of the values of its references; a reference that selects nothing (null, missing)
//! gives no term. Literals from a reference keep the natural datatype of a JSON value
//! (`xsd:integer`, `xsd:double`, `xsd:boolean`) unless the map gives a datatype or language.
//! Joins compare the lexical values of the child and parent maps: any pair of equal values
//! (over every condition) joins.
//! A function-valued map (RML-FNML) evaluates its inputs' maps on the record and calls
//! [`crate::functions::apply`]; its results keep their natural datatype like reference values.

use std::collections::HashMap;

use oxrdf::vocab::{rdf, xsd};
use oxrdf::{
    BlankNode, GraphName, GraphNameRef, Literal, NamedNode, NamedOrBlankNodeRef, QuadRef, Term,
    TermRef,
};
use rustc_hash::FxHashMap;

use crate::error::RmlError;
use crate::exec::{is_absolute_iri, QuadSink, Stats};
use crate::functions::{self, Function};
use crate::gather::{Collections, Item as GatherItem, Plan};
use crate::model::*;
use crate::partition;
use crate::source::{for_each_record, Item, Natural, Record};
use crate::template::{push_iri_safe, Segment};

/// Join indexes built so far, shared by the triples maps of a run.
#[derive(Default)]
pub(crate) struct Joins {
    indexes: Vec<FxHashMap<String, Vec<Term>>>,
    lookup: HashMap<String, usize>,
}

/// The references a triples map reads, each evaluated once per record.
#[derive(Default)]
struct Refs {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Refs {
    fn id(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), self.names.len() - 1);
        self.names.len() - 1
    }
}

enum GValue {
    Constant(Term),
    Ref(usize),
    Template(Vec<GSegment>),
    Function(GFunction),
}

/// A function execution compiled against the references of a triples map.
struct GFunction {
    /// The function, with the position of the return used; or why it cannot run (a model
    /// built by hand may name what the library lacks; parsed mappings are checked).
    target: Result<(&'static Function, usize), String>,
    /// (parameter position, the map giving its values).
    inputs: Vec<(usize, GTerm)>,
}

impl GFunction {
    fn compile(f: &FunctionExecution, refs: &mut Refs, base: Option<&str>) -> Self {
        let mut inputs = Vec::new();
        let target = match functions::lookup(&f.function) {
            None => Err(format!("unknown function <{}>", f.function)),
            Some(def) => match def.output(&f.output) {
                None => Err(format!("<{}> has no return <{}>", f.function, f.output)),
                Some(o) => f
                    .inputs
                    .iter()
                    .try_for_each(|i| match def.param(&i.parameter) {
                        Some(p) => {
                            inputs.push((p, GTerm::compile(&i.value, refs, base)));
                            Ok(())
                        }
                        None => Err(format!(
                            "<{}> has no parameter <{}>",
                            f.function, i.parameter
                        )),
                    })
                    .map(|()| (def, o)),
            },
        };
        Self { target, inputs }
    }

    /// Calls the function on the values its inputs take in `rec`.
    fn call(&self, rec: &Record, out: &mut Vec<(String, Natural)>) -> Result<(), RmlError> {
        let (def, output) = self.target.clone().map_err(|e| rec.error(e))?;
        let mut args: Vec<Vec<Item>> = vec![Vec::new(); def.params.len()];
        for (p, input) in &self.inputs {
            input.values(rec, &mut args[*p])?;
        }
        let result = functions::apply(def, output, &args)
            .map_err(|e| rec.error(format!("the function <{}> failed: {}", def.iri(), e.0)))?;
        out.extend(result.into_iter().map(|i| (i.text, i.natural)));
        Ok(())
    }
}

/// The value a constant gives a function's input, with the natural datatype of a literal.
fn constant_item(c: &Term) -> Item {
    match c {
        Term::NamedNode(n) => Item {
            text: n.as_str().to_owned(),
            natural: Natural::String,
        },
        Term::BlankNode(b) => Item {
            text: b.as_str().to_owned(),
            natural: Natural::String,
        },
        Term::Literal(l) => Item {
            text: l.value().to_owned(),
            natural: match l.datatype() {
                d if d == xsd::INTEGER => Natural::Integer,
                d if d == xsd::DOUBLE => Natural::Double,
                d if d == xsd::BOOLEAN => Natural::Boolean,
                d if d == xsd::DECIMAL => Natural::Decimal,
                d if d == xsd::DATE => Natural::Date,
                d if d == xsd::DATE_TIME => Natural::DateTime,
                _ => Natural::String,
            },
        },
    }
}

enum GSegment {
    Text(String),
    Ref(usize),
}

enum GExtra {
    Constant(String),
    Map(Box<GTerm>),
}

/// A term map compiled against the references of a triples map.
struct GTerm {
    value: GValue,
    term_type: TermType,
    iri_safety: IriSafety,
    language: Option<GExtra>,
    datatype: Option<GExtra>,
    default_graph: bool,
    base: Option<String>,
    /// RML-IO: the logical targets of its terms (its own, its language or datatype map's).
    targets: TargetSet,
}

impl GTerm {
    fn compile(t: &TermMap, refs: &mut Refs, base: Option<&str>) -> Self {
        let value = match &t.value {
            Value::Constant(c) => GValue::Constant(c.clone()),
            Value::Reference(r) => GValue::Ref(refs.id(r)),
            Value::Template(tpl) => GValue::Template(
                tpl.segments
                    .iter()
                    .map(|s| match s {
                        Segment::Text(t) => GSegment::Text(t.clone()),
                        Segment::Reference(r) => GSegment::Ref(refs.id(r)),
                    })
                    .collect(),
            ),
            Value::Function(f) => GValue::Function(GFunction::compile(f, refs, base)),
        };
        let mut extra = |e: &Option<Box<LangOrDatatype>>, language: bool| match e.as_deref() {
            None => None,
            Some(LangOrDatatype::Constant(c)) if language => {
                Some(GExtra::Constant(c.to_ascii_lowercase()))
            }
            Some(LangOrDatatype::Constant(c)) => Some(GExtra::Constant(c.clone())),
            Some(LangOrDatatype::Map(m)) => {
                Some(GExtra::Map(Box::new(Self::compile(m, refs, base))))
            }
        };
        let language = extra(&t.language, true);
        let datatype = extra(&t.datatype, false);
        Self {
            value,
            term_type: t.term_type,
            iri_safety: t.iri_safety,
            language,
            datatype,
            default_graph: t.default_graph,
            base: base.map(str::to_owned),
            targets: t.all_targets(),
        }
    }

    /// The strings the map makes from the record (before they become terms), with the
    /// natural datatype of reference values.
    fn strings(&self, rec: &Record, out: &mut Vec<(String, Natural)>) -> Result<(), RmlError> {
        out.clear();
        match &self.value {
            GValue::Constant(_) => {}
            GValue::Function(f) => f.call(rec, out)?,
            GValue::Ref(i) => {
                out.extend(rec.values[*i].iter().map(|v| (v.text.clone(), v.natural)))
            }
            GValue::Template(segments) => {
                out.push((String::new(), Natural::String));
                for s in segments {
                    match s {
                        GSegment::Text(t) => out.iter_mut().for_each(|(o, _)| o.push_str(t)),
                        GSegment::Ref(i) => {
                            let values = &rec.values[*i];
                            let mut next = Vec::with_capacity(out.len() * values.len());
                            for (prefix, _) in out.iter() {
                                for v in values {
                                    let mut s = prefix.clone();
                                    self.push_value(&mut s, &v.text);
                                    next.push((s, Natural::String));
                                }
                            }
                            *out = next;
                            if out.is_empty() {
                                return Ok(());
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The values the map gives an input of a function: lexical forms (IRI-safe in IRI
    /// templates) with their natural datatypes.
    fn values(&self, rec: &Record, out: &mut Vec<Item>) -> Result<(), RmlError> {
        if let GValue::Constant(c) = &self.value {
            out.push(constant_item(c));
            return Ok(());
        }
        let mut strings = Vec::new();
        self.strings(rec, &mut strings)?;
        out.extend(
            strings
                .into_iter()
                .map(|(text, natural)| Item { text, natural }),
        );
        Ok(())
    }

    fn push_value(&self, out: &mut String, value: &str) {
        if self.term_type != TermType::Iri {
            out.push_str(value);
            return;
        }
        match self.iri_safety {
            IriSafety::Iri => push_iri_safe(out, value),
            IriSafety::Uri => push_uri_safe(out, value),
            IriSafety::Unsafe => out.push_str(value),
        }
    }

    /// Evaluates the map on a record, appending its terms to `out`.
    fn eval(&self, rec: &Record, out: &mut Vec<Term>) -> Result<(), RmlError> {
        if let GValue::Constant(c) = &self.value {
            out.push(c.clone());
            return Ok(());
        }
        let mut strings = Vec::new();
        self.strings(rec, &mut strings)?;
        // Values read from the data or returned by a function keep their natural datatype.
        let from_reference = matches!(self.value, GValue::Ref(_) | GValue::Function(_));
        for (s, natural) in strings {
            self.make(s, natural, from_reference, rec, out)?;
        }
        Ok(())
    }

    fn make(
        &self,
        mut s: String,
        natural: Natural,
        from_reference: bool,
        rec: &Record,
        out: &mut Vec<Term>,
    ) -> Result<(), RmlError> {
        match self.term_type {
            TermType::Iri => {
                if self.iri_safety == IriSafety::Unsafe {
                    if !has_scheme(&s) {
                        if let Some(base) = &self.base {
                            s.insert_str(0, base);
                        }
                    }
                    out.push(NamedNode::new_unchecked(s).into());
                    return Ok(());
                }
                if !is_absolute_iri(&s) {
                    let Some(base) = &self.base else {
                        return Err(rec.error(format!("<{s}> is a relative IRI and the mapping has no base IRI; expected an absolute IRI (or give --base)")));
                    };
                    s.insert_str(0, base);
                    if !is_absolute_iri(&s) {
                        return Err(rec.error(format!("<{s}> is not a valid IRI (RFC 3987); expected a value that makes a valid IRI")));
                    }
                }
                out.push(NamedNode::new_unchecked(s).into());
            }
            TermType::BlankNode if matches!(&self.value, GValue::Template(t) if t.is_empty()) => {
                out.push(crate::partition::fresh_blank().into());
            }
            TermType::BlankNode => {
                let b = BlankNode::new(s.as_str()).unwrap_or_else(|_| {
                    let mut id = String::with_capacity(2 * s.len() + 1);
                    id.push('u');
                    for b in s.bytes() {
                        id.push_str(&format!("{b:02x}"));
                    }
                    BlankNode::new_unchecked(id)
                });
                out.push(b.into());
            }
            TermType::Literal => {
                if let Some(language) = &self.language {
                    for tag in extra_values(language, rec)? {
                        if oxilangtag::LanguageTag::parse(tag.as_str()).is_err() {
                            return Err(rec.error(format!("\"{tag}\" is not a valid BCP 47 language tag; expected e.g. \"fr\"")));
                        }
                        out.push(
                            Literal::new_language_tagged_literal_unchecked(
                                s.clone(),
                                tag.to_ascii_lowercase(),
                            )
                            .into(),
                        );
                    }
                    return Ok(());
                }
                if let Some(datatype) = &self.datatype {
                    for d in extra_values(datatype, rec)? {
                        match canonical_double(&s, natural, from_reference, &d) {
                            Some(c) => out.push(typed(c, &d)),
                            None => out.push(typed(s.clone(), &d)),
                        }
                    }
                    return Ok(());
                }
                match natural.datatype() {
                    Some(d) if from_reference => out.push(typed(s, d)),
                    _ => out.push(Literal::new_simple_literal(s).into()),
                }
            }
        }
        Ok(())
    }

    /// The graph names this graph map gives for a record.
    fn graphs(&self, rec: &Record, out: &mut Vec<GraphName>) -> Result<(), RmlError> {
        if self.default_graph {
            out.push(GraphName::DefaultGraph);
            return Ok(());
        }
        let mut terms = Vec::new();
        self.eval(rec, &mut terms)?;
        for t in terms {
            match t {
                Term::NamedNode(n) => out.push(n.into()),
                Term::BlankNode(b) => out.push(b.into()),
                Term::Literal(_) => {}
            }
        }
        Ok(())
    }

    /// The lexical values of the map's terms (for joins).
    fn lexical(&self, rec: &Record) -> Result<Vec<String>, RmlError> {
        let mut terms = Vec::new();
        self.eval(rec, &mut terms)?;
        Ok(terms
            .into_iter()
            .map(|t| match t {
                Term::NamedNode(n) => n.into_string(),
                Term::BlankNode(b) => b.into_string(),
                Term::Literal(l) => l.destruct().0,
            })
            .collect())
    }
}

fn typed(value: String, datatype: &str) -> Term {
    if datatype == xsd::STRING.as_str() {
        Literal::new_simple_literal(value).into()
    } else {
        Literal::new_typed_literal(value, NamedNode::new_unchecked(datatype)).into()
    }
}

/// The languages or datatypes a term map's `rml:language(Map)` / `rml:datatype(Map)` gives.
fn extra_values(e: &GExtra, rec: &Record) -> Result<Vec<String>, RmlError> {
    match e {
        GExtra::Constant(c) => Ok(vec![c.clone()]),
        GExtra::Map(m) => m.lexical(rec),
    }
}

/// Does `s` start with an IRI scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"`)?
fn has_scheme(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Appends `value` with everything outside RFC 3986 `unreserved` percent-encoded (UTF-8):
/// what `rml:URI` term maps do, so the result is ASCII.
pub(crate) fn push_uri_safe(out: &mut String, value: &str) {
    use std::fmt::Write as _;
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

enum GObject {
    Term(GTerm),
    Join {
        children: Vec<GTerm>,
        index: usize,
        targets: TargetSet,
    },
    // RML-CC: a gather map (see `crate::gather`).
    Gather(Box<Plan<GObject>>),
}

impl GObject {
    /// RML-IO: the logical targets of the objects it gives (a value-less gather map has none).
    fn targets(&self) -> TargetSet {
        match self {
            GObject::Term(t) => t.targets,
            GObject::Join { targets, .. } => *targets,
            GObject::Gather(p) => p
                .name
                .as_ref()
                .map_or_else(TargetSet::default, Self::targets),
        }
    }
}

struct GPom {
    predicates: Vec<GTerm>,
    objects: Vec<GObject>,
    graphs: Vec<GTerm>,
}

struct Compiled {
    subject: GTerm,
    /// RML-CC: the subject map is a gather map (its collections are the subjects).
    subject_gather: Option<Box<Plan<GObject>>>,
    classes: Vec<NamedNode>,
    subject_graphs: Vec<GTerm>,
    poms: Vec<GPom>,
    /// RML-IO: does any term map name a logical target? (Else no targets are tracked.)
    targeted: bool,
}

/// The base that resolves relative IRIs of a triples map.
fn base_of<'m>(mapping: &'m Mapping, tm: &'m TriplesMap) -> Option<&'m str> {
    tm.base.as_deref().or(mapping.base.as_deref())
}

/// Runs one triples map through the record sources.
pub(crate) fn run_triples_map(
    mapping: &Mapping,
    tm: &TriplesMap,
    joins: &mut Joins,
    sink: &mut dyn QuadSink,
) -> Result<Stats, RmlError> {
    let mut refs = Refs::default();
    let base = base_of(mapping, tm);
    let c = |t: &TermMap, refs: &mut Refs| GTerm::compile(t, refs, base);
    let subject = c(&tm.subject.term, &mut refs);
    let subject_graphs = tm.subject.graphs.iter().map(|g| c(g, &mut refs)).collect();
    let mut poms = Vec::new();
    for pom in &tm.predicate_object_maps {
        let predicates = pom.predicates.iter().map(|p| c(p, &mut refs)).collect();
        let graphs = pom.graphs.iter().map(|g| c(g, &mut refs)).collect();
        let mut objects = Vec::new();
        for om in &pom.objects {
            objects.push(compile_object(mapping, tm, om, &mut refs, joins)?);
        }
        poms.push(GPom {
            predicates,
            objects,
            graphs,
        });
    }
    let subject_gather = match &tm.subject.term.gather {
        Some(g) => Some(Box::new(compile_gather(
            mapping,
            tm,
            &tm.subject.term,
            g,
            &mut refs,
            joins,
        )?)),
        None => None,
    };
    let compiled = Compiled {
        subject,
        subject_gather,
        classes: tm.subject.classes.clone(),
        subject_graphs,
        poms,
        targeted: tm.has_targets(),
    };
    let mut quads = 0;
    let mut named = Collections::default();
    // `map --partition`: the records of this share, fresh blank nodes named after them.
    let filter = partition::Filter::new(mapping, tm)?;
    if matches!(filter, partition::Filter::Nothing) {
        return Ok(Stats::default());
    }
    let _fresh = partition::Fresh::begin(mapping, tm);
    let (mut ordinal, mut rows) = (0, 0);
    let read = for_each_record(mapping, tm, &refs.names, &mut |rec| {
        ordinal += 1;
        match filter.verdict(rec, ordinal - 1) {
            partition::Verdict::Map => {}
            partition::Verdict::Skip => return Ok(()),
            partition::Verdict::Stop => return Err(partition::past_share()),
        }
        rows += 1;
        partition::fresh_record(ordinal - 1);
        quads += emit(&compiled, joins, &mut named, rec, sink)?;
        Ok(())
    });
    match read {
        Err(e) if !partition::is_past_share(&e) => return Err(e),
        _ => {}
    }
    partition::fresh_record(u64::MAX);
    let mut collections = Vec::new();
    named.finish(&mut collections);
    for q in &collections {
        push_quad(sink, q.as_ref(), compiled.subject.targets)?;
    }
    quads += collections.len() as u64;
    Ok(Stats { rows, quads })
}

/// Compiles an object map (or an element of an `rml:gather` list) of `tm`.
fn compile_object(
    mapping: &Mapping,
    tm: &TriplesMap,
    om: &ObjectMap,
    refs: &mut Refs,
    joins: &mut Joins,
) -> Result<GObject, RmlError> {
    let base = base_of(mapping, tm);
    Ok(match om {
        ObjectMap::Term(t) => match &t.gather {
            Some(g) => GObject::Gather(Box::new(compile_gather(mapping, tm, t, g, refs, joins)?)),
            None => GObject::Term(GTerm::compile(t, refs, base)),
        },
        ObjectMap::Ref(r) if !r.has_join() => {
            let parent = &mapping.triples_maps[r.parent];
            if parent.source != tm.source {
                return Err(RmlError::Mapping {
                    file: mapping.file.display().to_string(),
                    line: tm.line,
                    triples_map: Some(tm.name.clone()),
                    message: format!("the referencing object map to {} has no rml:joinCondition but the two triples maps read different sources ({} and {}); expected a join condition", parent.name, tm.source.written, parent.source.written),
                });
            }
            let mut term = GTerm::compile(&parent.subject.term, refs, base_of(mapping, parent));
            // The referencing object map's targets, not the parent subject map's.
            term.targets = r.targets;
            GObject::Term(term)
        }
        ObjectMap::Ref(r) => GObject::Join {
            children: r
                .conditions
                .iter()
                .map(|(child, _)| GTerm::compile(child, refs, base))
                .collect(),
            index: join_index(mapping, r, joins)?,
            targets: r.targets,
        },
    })
}

/// Compiles the gather map `g` of the term map `t` (which names its collections).
fn compile_gather(
    mapping: &Mapping,
    tm: &TriplesMap,
    t: &TermMap,
    g: &GatherMap,
    refs: &mut Refs,
    joins: &mut Joins,
) -> Result<Plan<GObject>, RmlError> {
    let named = !matches!(&t.value, Value::Template(tpl) if tpl.segments.is_empty());
    let mut items = Vec::with_capacity(g.items.len());
    for item in &g.items {
        items.push(match compile_object(mapping, tm, item, refs, joins)? {
            GObject::Gather(p) => GatherItem::Gather(*p),
            leaf => GatherItem::Leaf(leaf),
        });
    }
    Ok(Plan {
        name: named.then(|| GObject::Term(GTerm::compile(t, refs, base_of(mapping, tm)))),
        blank_name: t.term_type == TermType::BlankNode,
        kind: g.kind,
        strategy: g.strategy,
        allow_empty: g.allow_empty,
        items,
    })
}

/// Appends the terms a term map or a join gives for a record (gather maps give none here).
fn eval_object(
    o: &GObject,
    joins: &Joins,
    rec: &Record,
    out: &mut Vec<Term>,
) -> Result<(), RmlError> {
    match o {
        GObject::Term(t) => t.eval(rec, out)?,
        GObject::Join {
            children, index, ..
        } => {
            let values = children
                .iter()
                .map(|ch| ch.lexical(rec))
                .collect::<Result<Vec<_>, _>>()?;
            let start = out.len();
            for k in keys(&values) {
                for parent in joins.indexes[*index].get(&k).into_iter().flatten() {
                    if !out[start..].contains(parent) {
                        out.push(parent.clone());
                    }
                }
            }
        }
        GObject::Gather(_) => {}
    }
    Ok(())
}

/// Every combination of one value per list, each written as a length-prefixed join key.
fn keys(lists: &[Vec<String>]) -> Vec<String> {
    let mut out = vec![String::new()];
    for values in lists {
        let mut next = Vec::with_capacity(out.len() * values.len());
        for prefix in &out {
            for v in values {
                next.push(format!("{prefix}{}:{v}", v.len()));
            }
        }
        out = next;
    }
    out
}

/// Builds (once) the index of a parent's subjects by the values of its join maps.
fn join_index(mapping: &Mapping, r: &RefObjectMap, joins: &mut Joins) -> Result<usize, RmlError> {
    let parents: Vec<&TermMap> = r.conditions.iter().map(|(_, p)| p).collect();
    let key = format!("{}|{parents:?}", r.parent);
    if let Some(&i) = joins.lookup.get(&key) {
        return Ok(i);
    }
    let parent = &mapping.triples_maps[r.parent];
    let base = base_of(mapping, parent);
    let mut refs = Refs::default();
    let subject = GTerm::compile(&parent.subject.term, &mut refs, base);
    let sides: Vec<GTerm> = parents
        .iter()
        .map(|p| GTerm::compile(p, &mut refs, base))
        .collect();
    let mut map: FxHashMap<String, Vec<Term>> = FxHashMap::default();
    let mut subjects = Vec::new();
    for_each_record(mapping, parent, &refs.names, &mut |rec| {
        subjects.clear();
        subject.eval(rec, &mut subjects)?;
        subjects.retain(|s| !matches!(s, Term::Literal(_)));
        if subjects.is_empty() {
            return Ok(());
        }
        let values = sides
            .iter()
            .map(|s| s.lexical(rec))
            .collect::<Result<Vec<_>, _>>()?;
        for k in keys(&values) {
            let entry = map.entry(k).or_default();
            for s in &subjects {
                if !entry.contains(s) {
                    entry.push(s.clone());
                }
            }
        }
        Ok(())
    })?;
    joins.indexes.push(map);
    let i = joins.indexes.len() - 1;
    joins.lookup.insert(key, i);
    Ok(i)
}

fn as_subject(t: &Term) -> Option<NamedOrBlankNodeRef<'_>> {
    match t {
        Term::NamedNode(n) => Some(n.into()),
        Term::BlankNode(b) => Some(b.into()),
        Term::Literal(_) => None,
    }
}

/// Hands one quad to the sink: to the default output, or to its logical targets.
fn push_quad(
    sink: &mut dyn QuadSink,
    quad: QuadRef<'_>,
    targets: TargetSet,
) -> Result<(), RmlError> {
    if targets.is_empty() {
        sink.push(quad)
    } else {
        sink.push_to_targets(quad, targets)
    }
    .map_err(RmlError::Sink)
}

/// The graph names the graph maps `maps` give for a record, appended to `out`, with the
/// logical targets of the map that gave each appended to `targets`.
fn graphs_of(
    maps: &[GTerm],
    rec: &Record,
    out: &mut Vec<GraphName>,
    targets: Option<&mut Vec<TargetSet>>,
) -> Result<(), RmlError> {
    match targets {
        None => {
            for g in maps {
                g.graphs(rec, out)?;
            }
        }
        Some(targets) => {
            for g in maps {
                g.graphs(rec, out)?;
                targets.resize(out.len(), g.targets);
            }
        }
    }
    Ok(())
}

/// The targets of the `i`th term of a list (none when targets are not tracked).
fn target_at(targets: &[TargetSet], i: usize) -> TargetSet {
    targets.get(i).copied().unwrap_or_default()
}

/// Pushes the quads of one record; returns how many. RML-IO: each quad goes to the union of
/// the logical targets of the term maps that made it (subject, predicate, object, graph, and
/// the language or datatype map of the object), or to the default output when they name none.
fn emit(
    c: &Compiled,
    joins: &Joins,
    named: &mut Collections,
    rec: &Record,
    sink: &mut dyn QuadSink,
) -> Result<u64, RmlError> {
    let mut subjects = Vec::new();
    let mut count = 0;
    // RML-CC: the triples of the collections this record gathers (unnamed ones).
    let mut collections = Vec::new();
    let mut leaf = |o: &GObject, out: &mut Vec<Term>| eval_object(o, joins, rec, out);
    let mut subject_graphs = Vec::new();
    let mut subject_graph_targets = Vec::new();
    if let Some(plan) = &c.subject_gather {
        graphs_of(
            &c.subject_graphs,
            rec,
            &mut subject_graphs,
            c.targeted.then_some(&mut subject_graph_targets),
        )?;
        plan.eval(
            &mut leaf,
            &subject_graphs,
            named,
            &mut collections,
            &mut subjects,
        )?;
    } else {
        c.subject.eval(rec, &mut subjects)?;
    }
    if subjects.iter().all(|s| as_subject(s).is_none()) {
        return Ok(0);
    }
    if c.subject_gather.is_none() {
        graphs_of(
            &c.subject_graphs,
            rec,
            &mut subject_graphs,
            c.targeted.then_some(&mut subject_graph_targets),
        )?;
    }
    let subject_targets = c.subject.targets;
    for q in collections.drain(..) {
        push_quad(sink, q.as_ref(), subject_targets)?;
        count += 1;
    }
    let mut push = |s: NamedOrBlankNodeRef<'_>,
                    p: oxrdf::NamedNodeRef<'_>,
                    o: TermRef<'_>,
                    targets: TargetSet,
                    graphs: &[GraphName],
                    graph_targets: &[TargetSet]|
     -> Result<(), RmlError> {
        if graphs.is_empty() {
            push_quad(
                sink,
                QuadRef::new(s, p, o, GraphNameRef::DefaultGraph),
                targets,
            )?;
            count += 1;
        }
        for (i, g) in graphs.iter().enumerate() {
            let t = targets.union(target_at(graph_targets, i));
            push_quad(sink, QuadRef::new(s, p, o, g.as_ref()), t)?;
            count += 1;
        }
        Ok(())
    };
    for s in subjects.iter().filter_map(as_subject) {
        for class in &c.classes {
            push(
                s,
                rdf::TYPE,
                class.as_ref().into(),
                subject_targets,
                &subject_graphs,
                &subject_graph_targets,
            )?;
        }
    }
    let (mut predicates, mut objects, mut graphs) = (Vec::new(), Vec::new(), Vec::new());
    let (mut predicate_targets, mut object_targets, mut graph_targets) =
        (Vec::new(), Vec::new(), Vec::new());
    for pom in &c.poms {
        predicates.clear();
        predicate_targets.clear();
        for p in &pom.predicates {
            p.eval(rec, &mut predicates)?;
            if c.targeted {
                predicate_targets.resize(predicates.len(), p.targets);
            }
        }
        graphs.clear();
        graphs.extend(subject_graphs.iter().cloned());
        graph_targets.clear();
        graph_targets.extend(subject_graph_targets.iter().copied());
        graphs_of(
            &pom.graphs,
            rec,
            &mut graphs,
            c.targeted.then_some(&mut graph_targets),
        )?;
        objects.clear();
        object_targets.clear();
        let mut gathered = subject_targets;
        for o in &pom.objects {
            match o {
                GObject::Gather(plan) => {
                    plan.eval(&mut leaf, &graphs, named, &mut collections, &mut objects)?;
                    gathered = gathered.union(o.targets());
                }
                o => eval_object(o, joins, rec, &mut objects)?,
            }
            if c.targeted {
                object_targets.resize(objects.len(), o.targets());
            }
        }
        if !predicates.is_empty() {
            for q in &collections {
                let graph = std::slice::from_ref(&q.graph_name);
                push(
                    q.subject.as_ref(),
                    q.predicate.as_ref(),
                    q.object.as_ref(),
                    gathered,
                    graph,
                    &[],
                )?;
            }
        }
        collections.clear();
        for s in subjects.iter().filter_map(as_subject) {
            for (i, p) in predicates.iter().enumerate() {
                let Term::NamedNode(p) = p else { continue };
                let pt = subject_targets.union(target_at(&predicate_targets, i));
                for (j, o) in objects.iter().enumerate() {
                    let targets = pt.union(target_at(&object_targets, j));
                    push(s, p.as_ref(), o.as_ref(), targets, &graphs, &graph_targets)?;
                }
            }
        }
    }
    Ok(count)
}

/// A number of the data (a JSON number) given the datatype `xsd:double` by a datatype map is
/// written in the canonical form of `xsd:double` (`33` → `"3.3E1"`), as the RML-IO suite expects
/// (RMLTTC0002q): the value is a number, and the literal says that number as a double does.
/// `None` when the rule does not apply (strings keep their text whatever the datatype).
fn canonical_double(
    s: &str,
    natural: Natural,
    from_reference: bool,
    datatype: &str,
) -> Option<String> {
    const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";
    if !from_reference
        || datatype != XSD_DOUBLE
        || !matches!(natural, Natural::Integer | Natural::Double)
    {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    Some(if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v > 0.0 { "INF" } else { "-INF" }.to_owned()
    } else {
        // Rust's `{:E}` is XSD's canonical form but for a mantissa without a fraction ("1E0").
        let e = format!("{v:E}");
        match e.split_once('E') {
            Some((m, x)) if !m.contains('.') => format!("{m}.0E{x}"),
            _ => e,
        }
    })
}

#[cfg(test)]
mod canonical_tests {
    use super::{canonical_double, Natural};

    #[test]
    fn json_numbers_typed_double_are_canonical() {
        let d = "http://www.w3.org/2001/XMLSchema#double";
        let c = |s: &str, n: Natural| canonical_double(s, n, true, d);
        assert_eq!(c("33", Natural::Integer).as_deref(), Some("3.3E1"));
        assert_eq!(c("1", Natural::Integer).as_deref(), Some("1.0E0"));
        assert_eq!(c("0", Natural::Integer).as_deref(), Some("0.0E0"));
        assert_eq!(c("0.5", Natural::Double).as_deref(), Some("5.0E-1"));
        assert_eq!(c("-1234.5", Natural::Double).as_deref(), Some("-1.2345E3"));
        // Strings keep their text; other datatypes are not touched.
        assert_eq!(c("33", Natural::String), None);
        assert_eq!(
            canonical_double(
                "33",
                Natural::Integer,
                true,
                "http://www.w3.org/2001/XMLSchema#integer"
            ),
            None
        );
        assert_eq!(canonical_double("33", Natural::Integer, false, d), None);
    }
}
