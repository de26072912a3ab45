//! Checks on the IRIs a mapping writes, one triple at a time as the Turtle is read, for
//! mistakes that would otherwise pass silently or be reported far from their cause:
//!
//! - a datatype in the XSD namespace that does not exist or that RDF does not use
//!   (`xsd:interger`): refused, with the closest datatype RDF uses as a suggestion;
//! - an RML namespace written with `https` (`https://w3id.org/rml/`): such a mapping has no
//!   RML term at all, so without this check it would only say "no triples map found".
//!
//! Datatypes in other namespaces are not checked.

use oxrdf::{NamedOrBlankNode, Term, Triple};

use super::error::RmlError;
use super::vocab::{edit_distance, R2RML, RML, RML_IO_LEGACY};

/// The XSD namespace.
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// The XSD datatypes RDF uses: the table of RDF 1.1 Concepts §5.1 (unchanged in RDF 1.2).
pub const RDF_DATATYPES: &[&str] = &[
    // Core types
    "string",
    "boolean",
    "decimal",
    "integer",
    // IEEE floating-point numbers
    "double",
    "float",
    // Time and date
    "date",
    "time",
    "dateTime",
    "dateTimeStamp",
    // Recurring and partial dates
    "gYear",
    "gMonth",
    "gDay",
    "gYearMonth",
    "gMonthDay",
    "duration",
    "yearMonthDuration",
    "dayTimeDuration",
    // Limited-range integer numbers
    "byte",
    "short",
    "int",
    "long",
    "unsignedByte",
    "unsignedShort",
    "unsignedInt",
    "unsignedLong",
    "positiveInteger",
    "nonNegativeInteger",
    "negativeInteger",
    "nonPositiveInteger",
    // Encoded binary data
    "hexBinary",
    "base64Binary",
    // Miscellaneous
    "anyURI",
    "language",
    "normalizedString",
    "token",
    "NMTOKEN",
    "Name",
    "NCName",
];

/// XSD 1.1 built-in types that exist but that RDF does not use: the ones RDF 1.1 Concepts §5.1
/// says SHOULD NOT be used, and the abstract types at the root of the hierarchy, which have no
/// value space of their own.
pub const NOT_FOR_RDF: &[&str] = &[
    "QName",
    "ENTITY",
    "ID",
    "IDREF",
    "NOTATION",
    "IDREFS",
    "ENTITIES",
    "NMTOKENS",
    "anyType",
    "anySimpleType",
    "anyAtomicType",
];

/// Namespaces written with `https` where the vocabulary is `http`: (wrong, right, name).
const HTTPS_LOOKALIKES: &[(&str, &str, &str)] = &[
    ("https://w3id.org/rml/", RML, "RML"),
    ("https://www.w3.org/ns/r2rml#", R2RML, "R2RML"),
    ("https://semweb.mmlab.be/ns/rml#", RML_IO_LEGACY, "rml.io"),
    (
        "https://semweb.mmlab.be/ns/ql#",
        "http://semweb.mmlab.be/ns/ql#",
        "ql",
    ),
];

/// Checks one triple of the mapping (after the older vocabulary has been translated into
/// RML-Core); `line` is where it was read.
pub(crate) fn check_triple(triple: &Triple, line: u64, file: &str) -> Result<(), RmlError> {
    let err = |message: String| RmlError::Mapping {
        file: file.to_owned(),
        line: Some(line),
        triples_map: None,
        message,
    };
    let subject = match &triple.subject {
        NamedOrBlankNode::NamedNode(n) => Some(n.as_str()),
        NamedOrBlankNode::BlankNode(_) => None,
    };
    let object = match &triple.object {
        Term::NamedNode(n) => Some(n.as_str()),
        _ => None,
    };
    for iri in [subject, Some(triple.predicate.as_str()), object]
        .into_iter()
        .flatten()
    {
        if let Some(message) = https_namespace(iri) {
            return Err(err(message));
        }
    }
    if triple.predicate.as_str().strip_prefix(RML) == Some("datatype") {
        if let Some(message) = object.and_then(datatype_problem) {
            return Err(err(message));
        }
    }
    if let Term::Literal(l) = &triple.object {
        if let Some(message) = datatype_problem(l.datatype().as_str()) {
            return Err(err(message));
        }
    }
    Ok(())
}

/// What is wrong with `iri` as a datatype, if it is in the XSD namespace and not a datatype
/// RDF uses.
pub fn datatype_problem(iri: &str) -> Option<String> {
    let local = iri.strip_prefix(XSD)?;
    if RDF_DATATYPES.contains(&local) {
        return None;
    }
    if NOT_FOR_RDF.contains(&local) {
        return Some(format!(
            "<{iri}> is an XSD type that RDF literals do not use (RDF 1.1 Concepts §5.1); expected a datatype such as xsd:string"
        ));
    }
    Some(match datatype_suggestion(local) {
        Some(s) => format!("unknown XSD datatype <{iri}>; did you mean xsd:{s}?"),
        None => format!(
            "unknown XSD datatype <{iri}>; expected one of the XSD datatypes RDF uses (RDF 1.1 Concepts §5.1), such as xsd:string, xsd:integer, xsd:decimal, xsd:boolean, xsd:date"
        ),
    })
}

/// The datatype RDF uses that a misspelt XSD local name most likely meant: the same name in
/// another case, the closest one by edit distance (at most 2, or 1 for names of up to four
/// characters), or the only one it begins.
pub fn datatype_suggestion(local: &str) -> Option<&'static str> {
    let lower = local.to_lowercase();
    let max = if lower.chars().count() <= 4 { 1 } else { 2 };
    let closest = RDF_DATATYPES
        .iter()
        .map(|t| (edit_distance(&lower, &t.to_lowercase()), *t))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, t)| t);
    closest.or_else(|| {
        let mut starting = RDF_DATATYPES
            .iter()
            .filter(|t| lower.len() >= 3 && t.to_lowercase().starts_with(&lower));
        match (starting.next(), starting.next()) {
            (Some(t), None) => Some(*t),
            _ => None,
        }
    })
}

/// The message for an IRI in an RML namespace written with `https`.
fn https_namespace(iri: &str) -> Option<String> {
    HTTPS_LOOKALIKES.iter().find_map(|(wrong, right, name)| {
        iri.starts_with(wrong).then(|| {
            format!("<{iri}> is not an RML term: the {name} namespace is <{right}>, not <{wrong}> (check the @prefix declarations)")
        })
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::{parse_mapping_str, ParseOptions};

    const HEAD: &str = "@prefix rml: <http://w3id.org/rml/> .
@prefix ex: <http://example.com/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
";

    /// A one-map mapping whose name object map carries `extra` (lines 4–8 after HEAD).
    fn mapping(extra: &str) -> String {
        format!(
            "{HEAD}ex:TM a rml:TriplesMap ;
  rml:logicalSource [ rml:referenceFormulation rml:CSV ;
    rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path \"people.csv\" ] ] ;
  rml:subjectMap [ rml:template \"http://example.com/{{id}}\" ] ;
  rml:predicateObjectMap [ rml:predicate ex:p ;
    rml:objectMap [ rml:reference \"n\" ;
      {extra} ] ] .
"
        )
    }

    fn error(text: &str) -> String {
        match parse_mapping_str(text, Path::new("m.ttl"), &ParseOptions::default()) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    fn accepted(text: &str) {
        if let Err(e) = parse_mapping_str(text, Path::new("m.ttl"), &ParseOptions::default()) {
            panic!("refused: {e}\n{text}");
        }
    }

    #[test]
    fn a_misspelt_xsd_datatype_is_refused_with_its_line_and_a_suggestion() {
        assert_eq!(
            error(&mapping("rml:datatype xsd:interger")),
            "m.ttl:10: unknown XSD datatype <http://www.w3.org/2001/XMLSchema#interger>; did you mean xsd:integer?"
        );
        assert_eq!(
            error(&mapping("rml:datatype xsd:datetime")),
            "m.ttl:10: unknown XSD datatype <http://www.w3.org/2001/XMLSchema#datetime>; did you mean xsd:dateTime?"
        );
        assert!(error(&mapping("rml:datatype xsd:frobnicate"))
            .starts_with("m.ttl:10: unknown XSD datatype <http://www.w3.org/2001/XMLSchema#frobnicate>; expected one of the XSD datatypes RDF uses"));
    }

    #[test]
    fn the_datatype_of_a_constant_literal_is_checked_too() {
        let text = mapping("rml:datatype xsd:integer")
            .replace("rml:reference \"n\"", "rml:constant \"1\"^^xsd:decmial");
        assert_eq!(
            error(&text),
            "m.ttl:9: unknown XSD datatype <http://www.w3.org/2001/XMLSchema#decmial>; did you mean xsd:decimal?"
        );
    }

    #[test]
    fn older_vocabulary_datatypes_are_checked_as_well() {
        let text = "@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<#TM> rml:logicalSource [ rml:source \"p.csv\" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template \"http://e.com/{id}\" ] ;
  rr:predicateObjectMap [ rr:predicate <http://e.com/p> ;
    rr:objectMap [ rml:reference \"n\" ; rr:datatype xsd:gyear ] ] .
";
        assert_eq!(
            error(text),
            "m.ttl:8: unknown XSD datatype <http://www.w3.org/2001/XMLSchema#gyear>; did you mean xsd:gYear?"
        );
    }

    #[test]
    fn xsd_types_rdf_does_not_use_are_refused() {
        for local in ["anyType", "anySimpleType", "NOTATION", "IDREFS"] {
            assert_eq!(
                error(&mapping(&format!("rml:datatype xsd:{local}"))),
                format!("m.ttl:10: <http://www.w3.org/2001/XMLSchema#{local}> is an XSD type that RDF literals do not use (RDF 1.1 Concepts §5.1); expected a datatype such as xsd:string")
            );
        }
    }

    #[test]
    fn every_rdf_datatype_and_other_namespaces_are_accepted() {
        for local in RDF_DATATYPES {
            accepted(&mapping(&format!("rml:datatype xsd:{local}")));
        }
        accepted(&mapping(
            "rml:datatype <http://www.w3.org/1999/02/22-rdf-syntax-ns#HTML>",
        ));
        accepted(&mapping("rml:datatype ex:interger"));
        accepted(&mapping(
            "rml:datatype <http://www.opengis.net/ont/geosparql#wktLiteral>",
        ));
    }

    #[test]
    fn suggestions() {
        assert_eq!(datatype_suggestion("interger"), Some("integer"));
        assert_eq!(datatype_suggestion("gYearMonht"), Some("gYearMonth"));
        assert_eq!(datatype_suggestion("bool"), Some("boolean"));
        assert_eq!(datatype_suggestion("str"), Some("string"));
        assert_eq!(datatype_suggestion("Date"), Some("date"));
        // "g" begins five names: no single guess.
        assert_eq!(datatype_suggestion("gY"), None);
        assert_eq!(datatype_suggestion("timestamp"), None);
    }

    #[test]
    fn an_rml_namespace_written_with_https_is_named() {
        let text = mapping("rml:datatype xsd:integer").replace(
            "@prefix rml: <http://w3id.org/rml/>",
            "@prefix rml: <https://w3id.org/rml/>",
        );
        assert_eq!(
            error(&text),
            "m.ttl:4: <https://w3id.org/rml/TriplesMap> is not an RML term: the RML namespace is <http://w3id.org/rml/>, not <https://w3id.org/rml/> (check the @prefix declarations)"
        );
        for (wrong, right) in [
            (
                "https://www.w3.org/ns/r2rml#",
                "http://www.w3.org/ns/r2rml#",
            ),
            (
                "https://semweb.mmlab.be/ns/rml#",
                "http://semweb.mmlab.be/ns/rml#",
            ),
        ] {
            let text = format!("{HEAD}@prefix rr: <{wrong}> .\n\nex:TM rr:logicalSource [ ] .\n");
            let e = error(&text);
            assert!(
                e.starts_with("m.ttl:6: ")
                    && e.contains(&format!("namespace is <{right}>, not <{wrong}>")),
                "{e}"
            );
        }
    }
}
