//! The shapes graph (Turtle) → a typed list of node shapes with their constraints.
//!
//! Only the SHACL Core features listed in [`super`] are accepted: a shapes graph that uses
//! another constraint parameter or a complex property path is refused with a message, never
//! silently half-checked.

use oxrdf::vocab::{rdf, xsd};
use oxrdf::{Graph, NamedNode, NamedOrBlankNodeRef, Term, TermRef};
use oxttl::TurtleParser;

use super::{ShaclError, SH};

/// A target: which focus nodes a node shape applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `sh:targetClass`: the SHACL instances of the class (`rdf:type/rdfs:subClassOf*`).
    Class(NamedNode),
    /// `sh:targetNode`.
    Node(Term),
    /// `sh:targetSubjectsOf`.
    SubjectsOf(NamedNode),
    /// `sh:targetObjectsOf`.
    ObjectsOf(NamedNode),
}

/// A property path (predicate paths and inverse paths only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Path {
    /// A predicate.
    Predicate(NamedNode),
    /// `[ sh:inversePath p ]`.
    Inverse(NamedNode),
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Predicate(p) => f.write_str(&crate::prefixes::compact(p.as_str())),
            Self::Inverse(p) => write!(f, "^{}", crate::prefixes::compact(p.as_str())),
        }
    }
}

/// `sh:nodeKind` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// `sh:IRI`.
    Iri,
    /// `sh:BlankNode`.
    BlankNode,
    /// `sh:Literal`.
    Literal,
    /// `sh:BlankNodeOrIRI`.
    BlankNodeOrIri,
    /// `sh:BlankNodeOrLiteral`.
    BlankNodeOrLiteral,
    /// `sh:IRIOrLiteral`.
    IriOrLiteral,
}

/// One constraint of a shape (a SHACL Core constraint component with its parameters).
#[derive(Debug, Clone)]
pub enum Constraint {
    /// `sh:class`.
    Class(NamedNode),
    /// `sh:datatype`.
    Datatype(NamedNode),
    /// `sh:nodeKind`.
    NodeKind(NodeKind),
    /// `sh:minCount` (property shapes).
    MinCount(u64),
    /// `sh:maxCount` (property shapes).
    MaxCount(u64),
    /// `sh:in`.
    In(Vec<Term>),
    /// `sh:hasValue`.
    HasValue(Term),
    /// `sh:pattern` (with `sh:flags`).
    Pattern(regex::Regex, String),
    /// `sh:languageIn`.
    LanguageIn(Vec<String>),
    /// `sh:uniqueLang true` (property shapes).
    UniqueLang,
    /// `sh:minLength`.
    MinLength(u64),
    /// `sh:maxLength`.
    MaxLength(u64),
    /// `sh:or`: the value conforms to at least one of the shapes.
    Or(Vec<Shape>),
    /// `sh:node`: the value conforms to the shape.
    Node(Box<Shape>),
    /// `sh:not`: the value does not conform to the shape.
    Not(Box<Shape>),
}

impl Constraint {
    /// The constraint component's local name in `sh:` (e.g. `MinCountConstraintComponent`).
    pub fn component(&self) -> &'static str {
        match self {
            Self::Class(_) => "ClassConstraintComponent",
            Self::Datatype(_) => "DatatypeConstraintComponent",
            Self::NodeKind(_) => "NodeKindConstraintComponent",
            Self::MinCount(_) => "MinCountConstraintComponent",
            Self::MaxCount(_) => "MaxCountConstraintComponent",
            Self::In(_) => "InConstraintComponent",
            Self::HasValue(_) => "HasValueConstraintComponent",
            Self::Pattern(..) => "PatternConstraintComponent",
            Self::LanguageIn(_) => "LanguageInConstraintComponent",
            Self::UniqueLang => "UniqueLangConstraintComponent",
            Self::MinLength(_) => "MinLengthConstraintComponent",
            Self::MaxLength(_) => "MaxLengthConstraintComponent",
            Self::Or(_) => "OrConstraintComponent",
            Self::Node(_) => "NodeConstraintComponent",
            Self::Not(_) => "NotConstraintComponent",
        }
    }
}

/// A node shape or a property shape.
#[derive(Debug, Clone)]
pub struct Shape {
    /// The shape's node in the shapes graph.
    pub id: Term,
    /// `sh:path` for a property shape, `None` for a node shape.
    pub path: Option<Path>,
    /// The targets (node shapes used at the top level).
    pub targets: Vec<Target>,
    /// The constraints on the value nodes.
    pub constraints: Vec<Constraint>,
    /// `sh:property`.
    pub properties: Vec<Shape>,
    /// `sh:severity` (local name: `Violation`, `Warning`, `Info`).
    pub severity: &'static str,
    /// `sh:message`, if any.
    pub message: Option<String>,
}

/// The parsed shapes graph: the node shapes that have targets.
#[derive(Debug, Clone)]
pub struct Shapes {
    /// Node shapes, in the order of the file.
    pub shapes: Vec<Shape>,
}

fn sh(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SH}{local}"))
}

/// Parameters of shapes that are not constraints (or are handled with another one).
const NON_CONSTRAINTS: &[&str] = &[
    "path",
    "property",
    "targetClass",
    "targetNode",
    "targetSubjectsOf",
    "targetObjectsOf",
    "severity",
    "message",
    "name",
    "description",
    "order",
    "group",
    "flags",
    "deactivated",
    "defaultValue",
];

/// Constraint parameters this implementation checks.
pub const SUPPORTED: &[&str] = &[
    "class",
    "datatype",
    "nodeKind",
    "minCount",
    "maxCount",
    "in",
    "hasValue",
    "pattern",
    "languageIn",
    "uniqueLang",
    "minLength",
    "maxLength",
    "or",
    "node",
    "not",
];

impl Shapes {
    /// Parses a shapes graph in Turtle.
    pub fn parse(turtle: &str, name: &str) -> Result<Self, ShaclError> {
        let mut graph = Graph::new();
        for t in TurtleParser::new().for_slice(turtle.as_bytes()) {
            let t = t.map_err(|e| ShaclError::Shapes(format!("{name}: {e}")))?;
            graph.insert(&t);
        }
        let reader = Reader { graph: &graph };
        let mut ids: Vec<NamedOrBlankNodeRef<'_>> = Vec::new();
        let node_shape = sh("NodeShape");
        for s in graph.subjects_for_predicate_object(rdf::TYPE, &node_shape) {
            ids.push(s);
        }
        for t in [
            "targetClass",
            "targetNode",
            "targetSubjectsOf",
            "targetObjectsOf",
        ] {
            for tr in graph.triples_for_predicate(&sh(t)) {
                if !ids.contains(&tr.subject) {
                    ids.push(tr.subject);
                }
            }
        }
        ids.sort_by_key(ToString::to_string);
        ids.dedup();
        let mut shapes = Vec::new();
        for id in ids {
            if reader.is_deactivated(id) {
                continue;
            }
            shapes.push(reader.shape(id, 0, name)?);
        }
        Ok(Self { shapes })
    }
}

struct Reader<'g> {
    graph: &'g Graph,
}

impl<'g> Reader<'g> {
    fn objects(&self, s: NamedOrBlankNodeRef<'_>, local: &str) -> Vec<TermRef<'g>> {
        let p = sh(local);
        let mut v: Vec<TermRef<'g>> = self.graph.objects_for_subject_predicate(s, &p).collect();
        v.sort_by_key(ToString::to_string);
        v
    }

    fn is_deactivated(&self, s: NamedOrBlankNodeRef<'_>) -> bool {
        self.objects(s, "deactivated")
            .iter()
            .any(|t| matches!(t, TermRef::Literal(l) if l.value() == "true"))
    }

    fn list(&self, head: TermRef<'g>, name: &str) -> Result<Vec<TermRef<'g>>, ShaclError> {
        let mut out = Vec::new();
        let mut node = head;
        for _ in 0..10_000 {
            match node {
                TermRef::NamedNode(n) if n == rdf::NIL => return Ok(out),
                TermRef::NamedNode(_) | TermRef::BlankNode(_) => {
                    let s: NamedOrBlankNodeRef<'_> = match node {
                        TermRef::NamedNode(n) => n.into(),
                        TermRef::BlankNode(b) => b.into(),
                        TermRef::Literal(_) => unreachable!("matched above"),
                    };
                    let first = self.graph.object_for_subject_predicate(s, rdf::FIRST);
                    let rest = self.graph.object_for_subject_predicate(s, rdf::REST);
                    match (first, rest) {
                        (Some(f), Some(r)) => {
                            out.push(f);
                            node = r;
                        }
                        _ => break,
                    }
                }
                TermRef::Literal(_) => break,
            }
        }
        Err(ShaclError::Shapes(format!(
            "{name}: a value that should be an RDF list ( … ) is not one"
        )))
    }

    fn node<'t>(
        t: TermRef<'t>,
        what: &str,
        name: &str,
    ) -> Result<NamedOrBlankNodeRef<'t>, ShaclError> {
        match t {
            TermRef::NamedNode(n) => Ok(n.into()),
            TermRef::BlankNode(b) => Ok(b.into()),
            TermRef::Literal(_) => Err(ShaclError::Shapes(format!(
                "{name}: {what} must be a shape (an IRI or a blank node), found {t}"
            ))),
        }
    }

    fn iri(t: TermRef<'_>, what: &str, name: &str) -> Result<NamedNode, ShaclError> {
        match t {
            TermRef::NamedNode(n) => Ok(n.into_owned()),
            _ => Err(ShaclError::Shapes(format!(
                "{name}: sh:{what} must be an IRI, found {t}"
            ))),
        }
    }

    fn count(t: TermRef<'_>, what: &str, name: &str) -> Result<u64, ShaclError> {
        match t {
            TermRef::Literal(l) if l.datatype() == xsd::INTEGER => l.value().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| {
            ShaclError::Shapes(format!(
                "{name}: sh:{what} must be a non-negative xsd:integer, found {t}"
            ))
        })
    }

    fn shape(
        &self,
        id: NamedOrBlankNodeRef<'_>,
        depth: usize,
        name: &str,
    ) -> Result<Shape, ShaclError> {
        if depth > 32 {
            return Err(ShaclError::Shapes(format!(
                "{name}: shapes nest more than 32 deep (a shape refers to itself?); recursive shapes are not supported"
            )));
        }
        let path = match self.objects(id, "path").as_slice() {
            [] => None,
            [p] => Some(match p {
                TermRef::NamedNode(n) => Path::Predicate(n.into_owned()),
                TermRef::BlankNode(b) => {
                    let inv = self
                        .graph
                        .object_for_subject_predicate(*b, &sh("inversePath"));
                    match inv {
                        Some(TermRef::NamedNode(n)) => Path::Inverse(n.into_owned()),
                        _ => {
                            return Err(ShaclError::Shapes(format!(
                                "{name}: the sh:path of {id} is not supported; expected a predicate IRI or [ sh:inversePath IRI ]"
                            )))
                        }
                    }
                }
                TermRef::Literal(_) => {
                    return Err(ShaclError::Shapes(format!(
                        "{name}: the sh:path of {id} is a literal; expected an IRI"
                    )))
                }
            }),
            _ => {
                return Err(ShaclError::Shapes(format!(
                    "{name}: {id} has several sh:path values; expected one"
                )))
            }
        };
        let mut targets = Vec::new();
        for t in self.objects(id, "targetClass") {
            targets.push(Target::Class(Self::iri(t, "targetClass", name)?));
        }
        for t in self.objects(id, "targetNode") {
            targets.push(Target::Node(t.into_owned()));
        }
        for t in self.objects(id, "targetSubjectsOf") {
            targets.push(Target::SubjectsOf(Self::iri(t, "targetSubjectsOf", name)?));
        }
        for t in self.objects(id, "targetObjectsOf") {
            targets.push(Target::ObjectsOf(Self::iri(t, "targetObjectsOf", name)?));
        }
        // Every sh: parameter must be known: nothing is silently ignored.
        for t in self.graph.triples_for_subject(id) {
            if let Some(local) = t.predicate.as_str().strip_prefix(SH) {
                if !SUPPORTED.contains(&local) && !NON_CONSTRAINTS.contains(&local) {
                    return Err(ShaclError::Shapes(format!(
                        "{name}: sh:{local} (on {id}) is not supported by factgraph's SHACL engine; supported: sh:{}",
                        SUPPORTED.join(", sh:")
                    )));
                }
            }
        }
        let mut constraints = Vec::new();
        for t in self.objects(id, "class") {
            constraints.push(Constraint::Class(Self::iri(t, "class", name)?));
        }
        for t in self.objects(id, "datatype") {
            constraints.push(Constraint::Datatype(Self::iri(t, "datatype", name)?));
        }
        for t in self.objects(id, "nodeKind") {
            let kind = match Self::iri(t, "nodeKind", name)?.as_str().strip_prefix(SH) {
                Some("IRI") => NodeKind::Iri,
                Some("BlankNode") => NodeKind::BlankNode,
                Some("Literal") => NodeKind::Literal,
                Some("BlankNodeOrIRI") => NodeKind::BlankNodeOrIri,
                Some("BlankNodeOrLiteral") => NodeKind::BlankNodeOrLiteral,
                Some("IRIOrLiteral") => NodeKind::IriOrLiteral,
                _ => {
                    return Err(ShaclError::Shapes(format!(
                        "{name}: unknown sh:nodeKind {t}"
                    )))
                }
            };
            constraints.push(Constraint::NodeKind(kind));
        }
        for t in self.objects(id, "minCount") {
            constraints.push(Constraint::MinCount(Self::count(t, "minCount", name)?));
        }
        for t in self.objects(id, "maxCount") {
            constraints.push(Constraint::MaxCount(Self::count(t, "maxCount", name)?));
        }
        for t in self.objects(id, "minLength") {
            constraints.push(Constraint::MinLength(Self::count(t, "minLength", name)?));
        }
        for t in self.objects(id, "maxLength") {
            constraints.push(Constraint::MaxLength(Self::count(t, "maxLength", name)?));
        }
        for t in self.objects(id, "in") {
            let values = self
                .list(t, name)?
                .into_iter()
                .map(TermRef::into_owned)
                .collect();
            constraints.push(Constraint::In(values));
        }
        for t in self.objects(id, "hasValue") {
            constraints.push(Constraint::HasValue(t.into_owned()));
        }
        let flags = self
            .objects(id, "flags")
            .first()
            .and_then(|t| match t {
                TermRef::Literal(l) => Some(l.value().to_owned()),
                _ => None,
            })
            .unwrap_or_default();
        for t in self.objects(id, "pattern") {
            let TermRef::Literal(l) = t else {
                return Err(ShaclError::Shapes(format!(
                    "{name}: sh:pattern must be a string, found {t}"
                )));
            };
            let mut builder = regex::RegexBuilder::new(l.value());
            for f in flags.chars() {
                match f {
                    'i' => builder.case_insensitive(true),
                    'm' => builder.multi_line(true),
                    's' => builder.dot_matches_new_line(true),
                    'x' => builder.ignore_whitespace(true),
                    _ => {
                        return Err(ShaclError::Shapes(format!(
                            "{name}: sh:flags \"{flags}\": unsupported flag '{f}'; expected i, m, s or x"
                        )))
                    }
                };
            }
            let re = builder.build().map_err(|e| {
                ShaclError::Shapes(format!("{name}: sh:pattern \"{}\": {e}", l.value()))
            })?;
            constraints.push(Constraint::Pattern(re, l.value().to_owned()));
        }
        for t in self.objects(id, "languageIn") {
            let tags = self
                .list(t, name)?
                .into_iter()
                .map(|t| match t {
                    TermRef::Literal(l) => Ok(l.value().to_ascii_lowercase()),
                    _ => Err(ShaclError::Shapes(format!(
                        "{name}: sh:languageIn takes a list of strings, found {t}"
                    ))),
                })
                .collect::<Result<_, _>>()?;
            constraints.push(Constraint::LanguageIn(tags));
        }
        for t in self.objects(id, "uniqueLang") {
            if matches!(t, TermRef::Literal(l) if l.value() == "true") {
                constraints.push(Constraint::UniqueLang);
            }
        }
        for t in self.objects(id, "or") {
            let mut alternatives = Vec::new();
            for s in self.list(t, name)? {
                alternatives.push(self.shape(
                    Self::node(s, "each member of sh:or", name)?,
                    depth + 1,
                    name,
                )?);
            }
            constraints.push(Constraint::Or(alternatives));
        }
        for t in self.objects(id, "node") {
            let s = self.shape(Self::node(t, "sh:node", name)?, depth + 1, name)?;
            constraints.push(Constraint::Node(Box::new(s)));
        }
        for t in self.objects(id, "not") {
            let s = self.shape(Self::node(t, "sh:not", name)?, depth + 1, name)?;
            constraints.push(Constraint::Not(Box::new(s)));
        }
        let mut properties = Vec::new();
        for p in self.objects(id, "property") {
            let p = Self::node(p, "sh:property", name)?;
            if self.is_deactivated(p) {
                continue;
            }
            let shape = self.shape(p, depth + 1, name)?;
            if shape.path.is_none() {
                return Err(ShaclError::Shapes(format!(
                    "{name}: the property shape {p} has no sh:path"
                )));
            }
            properties.push(shape);
        }
        let severity = match self.objects(id, "severity").first() {
            None => "Violation",
            Some(TermRef::NamedNode(n)) if n.as_str() == format!("{SH}Warning") => "Warning",
            Some(TermRef::NamedNode(n)) if n.as_str() == format!("{SH}Info") => "Info",
            Some(_) => "Violation",
        };
        let message = self.objects(id, "message").first().and_then(|t| match t {
            TermRef::Literal(l) => Some(l.value().to_owned()),
            _ => None,
        });
        Ok(Shape {
            id: match id {
                NamedOrBlankNodeRef::NamedNode(n) => Term::NamedNode(n.into_owned()),
                NamedOrBlankNodeRef::BlankNode(b) => Term::BlankNode(b.into_owned()),
            },
            path,
            targets,
            constraints,
            properties,
            severity,
            message,
        })
    }
}
