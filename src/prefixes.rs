//! The prefixes factgraph predeclares for queries and uses when writing Turtle.

/// `(prefix, namespace)` pairs, in the order they are written.
pub const PREFIXES: &[(&str, &str)] = &[
    ("fg", "https://w3id.org/factgraph/ns#"),
    ("fgr", "https://w3id.org/factgraph/id/"),
    ("org", "http://www.w3.org/ns/org#"),
    ("schema", "http://schema.org/"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("time", "http://www.w3.org/2006/time#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("wd", "http://www.wikidata.org/entity/"),
    ("wdt", "http://www.wikidata.org/prop/direct/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("sh", "http://www.w3.org/ns/shacl#"),
    ("vf", "https://w3id.org/valueflows/ont/vf#"),
];

/// The namespace of instances (`fgr:`).
pub const INSTANCES: &str = "https://w3id.org/factgraph/id/";

/// A prefix for one kind of instance (`https://w3id.org/factgraph/id/person/` → `person`), so
/// that Turtle local names need no escaped `/`. Kinds that collide with a predeclared prefix
/// get `fg` in front (`org` → `fgorg`). `None` when the kind is not a valid prefix name.
pub fn instance_prefix(kind: &str) -> Option<String> {
    let valid = kind.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !kind.ends_with('-');
    if !valid {
        return None;
    }
    if PREFIXES.iter().any(|(p, _)| *p == kind) {
        Some(format!("fg{kind}"))
    } else {
        Some(kind.to_owned())
    }
}

/// Writes `iri` as `prefix:local` when a predeclared prefix fits and the local part is plain
/// (letters, digits, `-`, `_`, `/`, `.` inside), else as `<iri>`. For display only.
pub fn compact(iri: &str) -> String {
    for (p, ns) in PREFIXES {
        if let Some(local) = iri.strip_prefix(ns) {
            if !local.is_empty()
                && local
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '/' | '.'))
                && !local.ends_with('.')
            {
                return format!("{p}:{local}");
            }
        }
    }
    format!("<{iri}>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacts_known_namespaces() {
        assert_eq!(compact("http://schema.org/name"), "schema:name");
        assert_eq!(
            compact("https://w3id.org/factgraph/id/org/inetum"),
            "fgr:org/inetum"
        );
        assert_eq!(compact("http://example.com/x"), "<http://example.com/x>");
        assert_eq!(compact("http://schema.org/a b"), "<http://schema.org/a b>");
        assert_eq!(instance_prefix("person").as_deref(), Some("person"));
        assert_eq!(instance_prefix("org").as_deref(), Some("fgorg"));
        assert_eq!(instance_prefix("9x"), None);
    }
}
