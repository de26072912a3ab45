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

/// Writes `iri` as SPARQL and Turtle read it back: `prefix:local` when a predeclared prefix
/// fits and the local part is a valid `PN_LOCAL` without escapes (so no `/`, no `%`), else
/// `<iri>`. What the query table prints, so that a cell pasted into a query works.
pub fn to_sparql(iri: &str) -> String {
    for (p, ns) in PREFIXES {
        if let Some(local) = iri.strip_prefix(ns) {
            if is_plain_pn_local(local) {
                return format!("{p}:{local}");
            }
        }
    }
    format!("<{iri}>")
}

/// Whether `local` is a `PN_LOCAL` of SPARQL 1.1 / Turtle that needs no escape (`\/`,
/// `%xx`): a name character, digit or `:` first, then name characters, `-`, `.`, `:`, and no
/// `.` last.
pub fn is_plain_pn_local(local: &str) -> bool {
    let name_char = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    let mut chars = local.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    name_char(first)
        && chars.all(|c| name_char(c) || matches!(c, '-' | '.' | '\u{00B7}'))
        && !local.ends_with('.')
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

    #[test]
    fn to_sparql_writes_only_what_parses_back() {
        assert_eq!(to_sparql("http://schema.org/name"), "schema:name");
        assert_eq!(
            to_sparql("https://w3id.org/factgraph/ns#Agreement"),
            "fg:Agreement"
        );
        assert_eq!(to_sparql("http://www.wikidata.org/entity/Q42"), "wd:Q42");
        assert_eq!(
            to_sparql("https://w3id.org/factgraph/id/person/ali-seddiki"),
            "<https://w3id.org/factgraph/id/person/ali-seddiki>"
        );
        assert_eq!(to_sparql("http://schema.org/a."), "<http://schema.org/a.>");
        assert_eq!(
            to_sparql("http://schema.org/a%20b"),
            "<http://schema.org/a%20b>"
        );
        assert_eq!(to_sparql("http://example.com/x"), "<http://example.com/x>");
    }
}
