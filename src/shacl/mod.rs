//! SHACL validation of the graph in a store against `ontology/shapes.ttl` (embedded).
//!
//! No maintained Rust SHACL crate validates an Oxigraph store without pulling an async
//! runtime and changing Oxigraph's features, so factgraph implements the SHACL Core subset
//! its shapes use, over the store:
//!
//! - targets: `sh:targetClass` (SHACL instances: `rdf:type/rdfs:subClassOf*`, selected with
//!   SPARQL), `sh:targetNode`, `sh:targetSubjectsOf`, `sh:targetObjectsOf`;
//! - property paths: a predicate, or `[ sh:inversePath p ]`;
//! - constraints: `sh:class`, `sh:datatype` (with lexical checks of XML Schema types),
//!   `sh:nodeKind`, `sh:minCount`, `sh:maxCount`, `sh:in`, `sh:hasValue`, `sh:pattern` (with
//!   `sh:flags` i, m, s, x), `sh:languageIn`, `sh:uniqueLang`, `sh:minLength`, `sh:maxLength`,
//!   `sh:or`, `sh:node`, `sh:not`; `sh:severity`, `sh:message` and `sh:deactivated` are
//!   honoured.
//!
//! A shapes graph using anything else is refused with a message (never half-checked). The
//! verdicts are cross-checked against pySHACL by `tests/shacl.rs`.
//!
//! ```no_run
//! let store = oxigraph::store::Store::open_read_only("factgraph.db/active")?;
//! let report = factgraph::shacl::validate(&store)?;
//! print!("{}", report.text());
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

pub mod engine;
pub mod shapes;

use std::io::Write;

use oxigraph::model::{BlankNode, Literal, NamedNode, Term, Triple};
use oxttl::TurtleSerializer;

pub use shapes::Shapes;

/// The SHACL namespace.
pub const SH: &str = "http://www.w3.org/ns/shacl#";

/// `ontology/shapes.ttl`, as built into this binary.
pub const SHAPES_TTL: &str = include_str!("../../ontology/shapes.ttl");

/// Errors of the SHACL validation itself (not violations: those are a [`Report`]).
#[derive(Debug, thiserror::Error)]
pub enum ShaclError {
    /// The shapes graph is not valid or uses something unsupported.
    #[error("invalid shapes: {0}")]
    Shapes(String),
    /// The store failed.
    #[error("store error during SHACL validation: {0}")]
    Store(String),
    /// A defect of the engine.
    #[error("SHACL engine error: {0}")]
    Internal(String),
}

/// One validation result (`sh:ValidationResult`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationResult {
    /// `sh:focusNode`.
    pub focus: Term,
    /// `sh:resultPath`.
    pub path: Option<shapes::Path>,
    /// `sh:value`.
    pub value: Option<Term>,
    /// `sh:sourceConstraintComponent`, local name in `sh:`.
    pub component: &'static str,
    /// `sh:sourceShape`.
    pub shape: Term,
    /// `sh:resultSeverity`, local name in `sh:` (`Violation`, `Warning`, `Info`).
    pub severity: &'static str,
    /// `sh:resultMessage`.
    pub message: String,
}

/// The outcome of a validation (`sh:ValidationReport`).
#[derive(Debug, Clone)]
pub struct Report {
    /// The results, in the order of the shapes and focus nodes.
    pub results: Vec<ValidationResult>,
    /// Node shapes with targets.
    pub shapes: usize,
    /// Focus nodes checked.
    pub focus_nodes: usize,
}

/// The graph violates the shapes.
#[derive(Debug, thiserror::Error)]
#[error("the graph does not conform to the SHACL shapes: {violations} violation{} ({}); run `factgraph validate --shacl` for the list", if *.violations == 1 { "" } else { "s" }, .first)]
pub struct Violations {
    /// How many results of severity sh:Violation.
    pub violations: usize,
    /// The first one, as text.
    pub first: String,
}

/// Validates the graph of `store` (all graphs, as one) against the embedded shapes.
pub fn validate(store: &oxigraph::store::Store) -> Result<Report, ShaclError> {
    let shapes = Shapes::parse(SHAPES_TTL, "ontology/shapes.ttl")?;
    validate_with(store, &shapes)
}

/// Validates the graph of `store` against `shapes`.
pub fn validate_with(
    store: &oxigraph::store::Store,
    shapes: &Shapes,
) -> Result<Report, ShaclError> {
    let mut engine = engine::Engine::new(store);
    let results = engine.run(shapes)?;
    Ok(Report {
        results,
        shapes: shapes.shapes.len(),
        focus_nodes: engine.focus_nodes,
    })
}

impl ValidationResult {
    /// `fgr:commitment/x fg:committedBy: 0 values, expected at least 1 (sh:MinCountConstraintComponent)`.
    pub fn text(&self) -> String {
        let focus = engine::compact_term(self.focus.as_ref());
        let path = self
            .path
            .as_ref()
            .map(|p| format!(" {p}"))
            .unwrap_or_default();
        let severity = if self.severity == "Violation" {
            String::new()
        } else {
            format!("{}: ", self.severity.to_lowercase())
        };
        format!(
            "{focus}{path}: {severity}{} (sh:{})",
            self.message, self.component
        )
    }
}

impl Report {
    /// Does the graph conform (no result at all, as SHACL defines `sh:conforms`)?
    pub fn conforms(&self) -> bool {
        self.results.is_empty()
    }

    /// Results of severity sh:Violation.
    pub fn violations(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.severity == "Violation")
            .count()
    }

    /// A readable summary: one line per result, then a verdict.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for r in &self.results {
            out.push_str(&r.text());
            out.push('\n');
        }
        let checked = format!(
            "{} shapes, {} focus nodes checked",
            self.shapes, self.focus_nodes
        );
        if self.conforms() {
            out.push_str(&format!("shacl: the graph conforms ({checked})\n"));
        } else {
            let v = self.violations();
            let others = self.results.len() - v;
            out.push_str(&format!(
                "shacl: the graph does not conform: {v} violation{}{} ({checked})\n",
                if v == 1 { "" } else { "s" },
                if others > 0 {
                    format!(", {others} warnings or infos")
                } else {
                    String::new()
                }
            ));
        }
        out
    }

    /// The report as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "conforms": self.conforms(),
            "violations": self.violations(),
            "shapes": self.shapes,
            "focus_nodes": self.focus_nodes,
            "results": self.results.iter().map(|r| serde_json::json!({
                "focus": term_json(&r.focus),
                "path": r.path.as_ref().map(|p| match p {
                    shapes::Path::Predicate(p) => p.as_str().to_owned(),
                    shapes::Path::Inverse(p) => format!("^{}", p.as_str()),
                }),
                "value": r.value.as_ref().map(term_json),
                "component": format!("{SH}{}", r.component),
                "severity": format!("{SH}{}", r.severity),
                "shape": r.shape.to_string(),
                "message": r.message,
            })).collect::<Vec<_>>(),
        })
    }

    /// The W3C `sh:ValidationReport`, in Turtle.
    pub fn write_turtle(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let sh = |l: &str| NamedNode::new_unchecked(format!("{SH}{l}"));
        let rdf_type = oxigraph::model::vocab::rdf::TYPE.into_owned();
        let mut triples = Vec::new();
        let report = BlankNode::default();
        triples.push(Triple::new(
            report.clone(),
            rdf_type.clone(),
            sh("ValidationReport"),
        ));
        triples.push(Triple::new(
            report.clone(),
            sh("conforms"),
            Literal::from(self.conforms()),
        ));
        for r in &self.results {
            let node = BlankNode::default();
            triples.push(Triple::new(report.clone(), sh("result"), node.clone()));
            triples.push(Triple::new(
                node.clone(),
                rdf_type.clone(),
                sh("ValidationResult"),
            ));
            triples.push(Triple::new(node.clone(), sh("focusNode"), r.focus.clone()));
            match &r.path {
                Some(shapes::Path::Predicate(p)) => {
                    triples.push(Triple::new(node.clone(), sh("resultPath"), p.clone()))
                }
                Some(shapes::Path::Inverse(p)) => {
                    let inv = BlankNode::default();
                    triples.push(Triple::new(node.clone(), sh("resultPath"), inv.clone()));
                    triples.push(Triple::new(inv, sh("inversePath"), p.clone()));
                }
                None => {}
            }
            if let Some(v) = &r.value {
                triples.push(Triple::new(node.clone(), sh("value"), v.clone()));
            }
            triples.push(Triple::new(
                node.clone(),
                sh("resultSeverity"),
                sh(r.severity),
            ));
            triples.push(Triple::new(
                node.clone(),
                sh("sourceConstraintComponent"),
                sh(r.component),
            ));
            triples.push(Triple::new(
                node.clone(),
                sh("sourceShape"),
                r.shape.clone(),
            ));
            triples.push(Triple::new(
                node,
                sh("resultMessage"),
                Literal::new_simple_literal(&r.message),
            ));
        }
        let mut s = TurtleSerializer::new();
        for (p, ns) in crate::prefixes::PREFIXES {
            s = s
                .with_prefix(*p, *ns)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        let mut writer = s.for_writer(w);
        for t in &triples {
            writer.serialize_triple(t)?;
        }
        writer.finish()?;
        Ok(())
    }

    /// `Ok` when there is no violation (warnings and infos pass), else [`Violations`].
    pub fn into_result(self) -> Result<(), Violations> {
        let violations = self.violations();
        if violations == 0 {
            return Ok(());
        }
        let first = self
            .results
            .iter()
            .find(|r| r.severity == "Violation")
            .map(ValidationResult::text)
            .unwrap_or_default();
        Err(Violations { violations, first })
    }
}

fn term_json(t: &Term) -> serde_json::Value {
    match t {
        Term::NamedNode(n) => serde_json::json!({"type": "uri", "value": n.as_str()}),
        Term::BlankNode(b) => serde_json::json!({"type": "bnode", "value": b.as_str()}),
        Term::Literal(l) => {
            let mut o = serde_json::json!({"type": "literal", "value": l.value(), "datatype": l.datatype().as_str()});
            if let Some(lang) = l.language() {
                o["xml:lang"] = lang.into();
            }
            o
        }
    }
}
