//! The RML vocabularies factgraph understands, and the translation of the older ones.
//!
//! Mappings are read in the RML-Core vocabulary (`http://w3id.org/rml/`). Mappings written in
//! the older rml.io vocabulary (`http://semweb.mmlab.be/ns/rml#`, with `ql:`) and R2RML
//! (`http://www.w3.org/ns/r2rml#`) are translated term by term into RML-Core when parsed.

/// The RML-Core namespace.
pub const RML: &str = "http://w3id.org/rml/";
/// The R2RML namespace (older mappings).
pub const R2RML: &str = "http://www.w3.org/ns/r2rml#";
/// The rml.io namespace (older mappings).
pub const RML_IO_LEGACY: &str = "http://semweb.mmlab.be/ns/rml#";
/// The query-language namespace of the older mappings (`ql:CSV`).
pub const QL: &str = "http://semweb.mmlab.be/ns/ql#";

/// RML-Core (and RML-IO) terms this processor implements.
pub const SUPPORTED: &[&str] = &[
    "TriplesMap",
    "LogicalSource",
    "logicalSource",
    "source",
    "referenceFormulation",
    "CSV",
    "RelativePathSource",
    "Source",
    "root",
    "path",
    "MappingDirectory",
    "CurrentWorkingDirectory",
    "subjectMap",
    "subject",
    "predicateObjectMap",
    "predicateMap",
    "predicate",
    "objectMap",
    "object",
    "graphMap",
    "graph",
    "template",
    "reference",
    "constant",
    "class",
    "termType",
    "IRI",
    "BlankNode",
    "Literal",
    "language",
    "languageMap",
    "datatype",
    "datatypeMap",
    "parentTriplesMap",
    "joinCondition",
    "child",
    "parent",
    "RefObjectMap",
    "defaultGraph",
    "SubjectMap",
    "PredicateObjectMap",
    "PredicateMap",
    "ObjectMap",
    "GraphMap",
    "TermMap",
    "Join",
    "LanguageMap",
    "DatatypeMap",
    "ExpressionMap",
    // RML-FNML (see crate::functions).
    "functionExecution",
    "FunctionExecution",
    "function",
    "functionMap",
    "FunctionMap",
    "input",
    "Input",
    "parameter",
    "parameterMap",
    "ParameterMap",
    "inputValue",
    "inputValueMap",
    "return",
    "returnMap",
    "ReturnMap",
    "condition",
    "iterator",
    "JSONPath",
    "XPath",
    "XPathReferenceFormulation",
    "namespace",
    "Namespace",
    "namespacePrefix",
    "namespaceURL",
    "baseIRI",
    "UnsafeIRI",
    "URI",
    "childMap",
    "parentMap",
    "ChildMap",
    "ParentMap",
    // RML-CC
    "GatherMap",
    "gather",
    "gatherAs",
    "strategy",
    "append",
    "cartesianProduct",
    "allowEmptyListAndContainer",
    // RML-LV (see crate::source::view)
    "LogicalView",
    "viewOn",
    "field",
    "fieldName",
    "Field",
    "ExpressionField",
    "IterableField",
    "Iterable",
    "leftJoin",
    "innerJoin",
    "LogicalViewJoin",
    "parentLogicalView",
    // RML-IO logical targets (see crate::parse::target)
    "LogicalTarget",
    "logicalTarget",
    "Target",
    "target",
    "serialization",
    // RML-IO sources (see crate::source::access)
    "FilePath",
    "encoding",
    "UTF-8",
    "UTF-16",
    "compression",
    "none",
    "gzip",
    "zip",
    "tarxz",
    "targz",
    "null",
    "SQL2008Table",
    "SQL2008Query",
];

/// Terms of RML modules that exist but that this processor does not implement.
pub const UNSUPPORTED: &[&str] = &[
    "query",
    "tableName",
    "sqlQuery",
    "logicalTable",
    "sqlVersion",
    "sqlQuery",
];

/// Which family of vocabulary an IRI belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// RML-Core.
    Core,
    /// rml.io / R2RML / ql.
    Legacy,
}

/// Translates an IRI of the older vocabularies into its RML-Core equivalent.
/// Returns `None` for IRIs outside the RML namespaces; the family tells where it came from.
pub fn normalize(iri: &str) -> Option<(String, Family)> {
    if let Some(local) = iri.strip_prefix(RML) {
        return Some((iri.to_owned(), Family::Core)).filter(|_| !local.is_empty());
    }
    for ns in [R2RML, RML_IO_LEGACY, QL] {
        if let Some(local) = iri.strip_prefix(ns) {
            if local.is_empty() {
                return None;
            }
            // R2RML's IRI term type is rr:IRI; rml.io also used rr:IRI. Both map directly.
            return Some((format!("{RML}{local}"), Family::Legacy));
        }
    }
    None
}

/// The RML class meant by a class name that generators write but no RML vocabulary defines.
pub fn class_alias(local: &str) -> Option<&'static str> {
    match local {
        "ReferenceObjectMap" | "ReferencingObjectMap" => Some("RefObjectMap"),
        "JoinCondition" => Some("Join"),
        "LogicalTable" => Some("LogicalSource"),
        _ => None,
    }
}

/// The closest supported term to a misspelt one, when close enough to be a likely typo.
pub fn suggestion(local: &str) -> Option<&'static str> {
    let lower = local.to_lowercase();
    SUPPORTED
        .iter()
        .map(|t| (edit_distance(&lower, &t.to_lowercase()), *t))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, t)| t)
}

/// Levenshtein distance between two strings, counted in characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_legacy_terms() {
        assert_eq!(
            normalize("http://www.w3.org/ns/r2rml#subjectMap"),
            Some(("http://w3id.org/rml/subjectMap".into(), Family::Legacy))
        );
        assert_eq!(
            normalize("http://semweb.mmlab.be/ns/ql#CSV"),
            Some(("http://w3id.org/rml/CSV".into(), Family::Legacy))
        );
        assert_eq!(
            normalize("http://w3id.org/rml/template"),
            Some(("http://w3id.org/rml/template".into(), Family::Core))
        );
        assert_eq!(normalize("http://schema.org/name"), None);
    }

    #[test]
    fn suggests_close_terms() {
        assert_eq!(suggestion("subjectmap"), Some("subjectMap"));
        assert_eq!(suggestion("predicatObjectMap"), Some("predicateObjectMap"));
        assert_eq!(suggestion("completelyDifferent"), None);
    }
}
