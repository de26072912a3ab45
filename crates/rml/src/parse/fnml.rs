//! RML-FNML in mappings: function-valued term maps (`rml:functionExecution`, `rml:return` /
//! `rml:returnMap`), their executions (`rml:function` / `rml:functionMap`, `rml:input` with
//! `rml:parameter` / `rml:parameterMap` and `rml:inputValue` / `rml:inputValueMap`), and
//! conditions (`rml:condition`), checked against the function library of
//! [`crate::functions`].

use oxrdf::{NamedOrBlankNodeRef, Term, TermRef};

use super::{Position, Reader};
use crate::error::RmlError;
use crate::functions::{self, IDLAB};
use crate::model::{FunctionExecution, FunctionInput, LangOrDatatype, TermMap, TermType, Value};

/// How deeply function executions may nest (a cycle of executions would never end).
const MAX_DEPTH: usize = 32;

impl Reader<'_> {
    /// The value of a function-valued term map `node` whose `rml:functionExecution` is `exec`.
    pub(super) fn function_value(
        &self,
        node: NamedOrBlankNodeRef<'_>,
        exec: TermRef<'_>,
        tm: &str,
    ) -> Result<Value, RmlError> {
        let exec = self.node(exec, tm, "rml:functionExecution")?;
        let returns = self.constant_iri(node, "return", "returnMap", tm)?;
        if self.depth.get() >= MAX_DEPTH {
            return Err(self.err(
                Some(exec),
                Some(tm),
                format!("function executions nest more than {MAX_DEPTH} deep; an execution probably uses its own result"),
            ));
        }
        self.depth.set(self.depth.get() + 1);
        let execution = self.execution(exec, returns, tm);
        self.depth.set(self.depth.get() - 1);
        Ok(Value::Function(Box::new(execution?)))
    }

    /// Reads and checks one function execution; `output` is the return the term map asks for.
    fn execution(
        &self,
        exec: NamedOrBlankNodeRef<'_>,
        output: Option<String>,
        tm: &str,
    ) -> Result<FunctionExecution, RmlError> {
        let Some(iri) = self.constant_iri(exec, "function", "functionMap", tm)? else {
            return Err(self.err(
                Some(exec),
                Some(tm),
                "the function execution names no function; expected rml:function (or an rml:functionMap with an rml:constant)".into(),
            ));
        };
        let Some(function) = functions::lookup(&iri) else {
            let hint = functions::suggestion(&iri)
                .map(|s| format!("did you mean <{s}>? "))
                .unwrap_or_default();
            return Err(self.err(
                Some(exec),
                Some(tm),
                format!("unknown function <{iri}>; {hint}factgraph implements the GREL and IDLab functions listed in crates/rml/FUNCTIONS.md"),
            ));
        };
        let mut inputs: Vec<FunctionInput> = Vec::new();
        let mut given = vec![false; function.params.len()];
        for input in self.objects(exec, "input") {
            let input = self.node(input, tm, "rml:input")?;
            let Some(parameter) = self.constant_iri(input, "parameter", "parameterMap", tm)? else {
                return Err(self.err(
                    Some(input),
                    Some(tm),
                    "the input names no parameter; expected rml:parameter (or an rml:parameterMap with an rml:constant)".into(),
                ));
            };
            let Some(p) = function.param(&parameter) else {
                let expected: Vec<String> = function
                    .params
                    .iter()
                    .map(|p| format!("<{}>", p.iris[0]))
                    .collect();
                return Err(self.err(
                    Some(input),
                    Some(tm),
                    format!(
                        "the function <{iri}> has no parameter <{parameter}>; expected {}",
                        if expected.is_empty() {
                            "no input".to_owned()
                        } else {
                            format!("one of {}", expected.join(", "))
                        }
                    ),
                ));
            };
            if given[p] && !function.params[p].list {
                return Err(self.err(
                    Some(input),
                    Some(tm),
                    format!("the parameter <{parameter}> of <{iri}> is given twice; expected one rml:input for it"),
                ));
            }
            given[p] = true;
            let values = self.objects(input, "inputValue");
            let maps = self.objects(input, "inputValueMap");
            let value = match (values.as_slice(), maps.as_slice()) {
                ([v], []) => self.constant(*v, Position::Input, input, tm)?,
                ([], [m]) => {
                    let m = self.node(*m, tm, "rml:inputValueMap")?;
                    self.term_map(m, Position::Input, tm)?
                }
                _ => {
                    return Err(self.err(
                        Some(input),
                        Some(tm),
                        "the input needs exactly one rml:inputValue or rml:inputValueMap".into(),
                    ))
                }
            };
            inputs.push(FunctionInput { parameter, value });
        }
        if let Some(missing) = function
            .params
            .iter()
            .zip(&given)
            .find(|(p, given)| p.required && !**given)
        {
            return Err(self.err(
                Some(exec),
                Some(tm),
                format!(
                    "the function <{iri}> needs its parameter <{}>; expected an rml:input with rml:parameter <{}>",
                    missing.0.iris[0], missing.0.iris[0]
                ),
            ));
        }
        let output = match output {
            Some(o) if function.output(&o).is_some() => o,
            Some(o) => {
                let expected: Vec<String> = function
                    .returns
                    .iter()
                    .map(|r| format!("<{}>", r[0]))
                    .collect();
                return Err(self.err(
                    Some(exec),
                    Some(tm),
                    format!(
                        "the function <{iri}> has no return <{o}>; expected {}",
                        expected.join(" or ")
                    ),
                ));
            }
            None => function.returns[0][0].clone(),
        };
        Ok(FunctionExecution {
            function: iri,
            inputs,
            output,
            line: self.doc.lines.get(&exec.into_owned()).map(|(l, _)| *l),
        })
    }

    /// The IRI given by the shortcut `rml:{shortcut}` or by the constant of `rml:{map}`.
    fn constant_iri(
        &self,
        node: NamedOrBlankNodeRef<'_>,
        shortcut: &str,
        map: &str,
        tm: &str,
    ) -> Result<Option<String>, RmlError> {
        let shortcuts = self.objects(node, shortcut);
        let maps = self.objects(node, map);
        let value = match (shortcuts.as_slice(), maps.as_slice()) {
            ([], []) => return Ok(None),
            ([v], []) => *v,
            ([], [m]) => {
                let m = self.node(*m, tm, &format!("rml:{map}"))?;
                match self.objects(m, "constant").as_slice() {
                    [v] => *v,
                    _ => return Err(self.err(
                        Some(m),
                        Some(tm),
                        format!("rml:{map} must have one rml:constant (factgraph does not compute functions, parameters or returns from the data)"),
                    )),
                }
            }
            _ => {
                return Err(self.err(
                    Some(node),
                    Some(tm),
                    format!("expected one rml:{shortcut} or rml:{map}, found several"),
                ))
            }
        };
        match value {
            TermRef::NamedNode(n) => Ok(Some(n.as_str().to_owned())),
            other => Err(self.err(
                Some(node),
                Some(tm),
                format!("rml:{shortcut} must be an IRI, found {other}"),
            )),
        }
    }

    /// Applies `rml:condition` to the term map read from `node`: the map then gives its terms
    /// only when the condition's function returns true (as `idlab-fn:trueCondition(condition,
    /// value)`, the specification's reading of the shortcut).
    pub(super) fn with_condition(
        &self,
        node: NamedOrBlankNodeRef<'_>,
        map: TermMap,
        tm: &str,
    ) -> Result<TermMap, RmlError> {
        let is_function = matches!(map.value, Value::Function(_));
        let has_return =
            !self.objects(node, "return").is_empty() || !self.objects(node, "returnMap").is_empty();
        if has_return && !is_function {
            return Err(self.err(
                Some(node),
                Some(tm),
                "rml:return and rml:returnMap only apply to a term map with an rml:functionExecution".into(),
            ));
        }
        let conditions = self.objects(node, "condition");
        let condition = match conditions.as_slice() {
            [] => return Ok(map),
            [c] => self.node(*c, tm, "rml:condition")?,
            _ => {
                return Err(self.err(
                    Some(node),
                    Some(tm),
                    "a term map has several rml:condition; expected at most one (combine them with grel:boolean_and)".into(),
                ))
            }
        };
        let test = self.term_map(condition, Position::Input, tm)?;
        if !matches!(test.value, Value::Function(_)) {
            return Err(self.err(
                Some(condition),
                Some(tm),
                "rml:condition must be a function-valued map (rml:functionExecution) returning a boolean".into(),
            ));
        }
        if map.term_type == TermType::BlankNode
            && matches!(&map.value, Value::Template(t) if t.segments.is_empty())
        {
            return Err(self.err(
                Some(node),
                Some(tm),
                "rml:condition on a blank node map without a value is not supported; give the map an rml:template".into(),
            ));
        }
        let mut outer = TermMap {
            value: Value::Constant(Term::Literal(oxrdf::Literal::new_simple_literal(""))),
            term_type: map.term_type,
            language: map.language,
            datatype: map.datatype,
            default_graph: map.default_graph,
            iri_safety: map.iri_safety,
            gather: map.gather,
            targets: map.targets,
        };
        // A constant literal keeps its language or datatype.
        if let Value::Constant(Term::Literal(l)) = &map.value {
            if let Some(lang) = l.language() {
                outer.language = Some(Box::new(LangOrDatatype::Constant(lang.to_owned())));
            } else if l.datatype() != oxrdf::vocab::xsd::STRING {
                outer.datatype = Some(Box::new(LangOrDatatype::Constant(
                    l.datatype().as_str().to_owned(),
                )));
            }
        }
        let inner = TermMap {
            value: map.value,
            term_type: map.term_type,
            language: None,
            datatype: None,
            default_graph: false,
            iri_safety: map.iri_safety,
            gather: None,
            targets: crate::model::TargetSet::default(),
        };
        outer.value = Value::Function(Box::new(FunctionExecution {
            function: format!("{IDLAB}trueCondition"),
            inputs: vec![
                FunctionInput {
                    parameter: format!("{IDLAB}_strBoolean"),
                    value: test,
                },
                FunctionInput {
                    parameter: format!("{IDLAB}_str"),
                    value: inner,
                },
            ],
            output: format!("{IDLAB}_stringOut"),
            line: self.doc.lines.get(&condition.into_owned()).map(|(l, _)| *l),
        }));
        Ok(outer)
    }
}
