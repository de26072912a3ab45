//! Unit tests of the processor on small hand-written mappings.

use std::fs;

use super::*;

pub(crate) const PREFIXES: &str = "@prefix rml: <http://w3id.org/rml/> .\n@prefix ex: <http://example.com/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n";

/// Writes the files into a temporary directory, runs the mapping, returns sorted N-Quads lines.
pub(crate) fn run(mapping: &str, files: &[(&str, &str)]) -> Result<Vec<String>, RmlError> {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        fs::write(dir.path().join(name), content).unwrap();
    }
    let path = dir.path().join("mapping.rml.ttl");
    fs::write(&path, format!("{PREFIXES}{mapping}")).unwrap();
    let m = parse_mapping_file(
        &path,
        &ParseOptions {
            base: Some("http://example.com/base/".into()),
        },
    )?;
    let mut quads: Vec<oxrdf::Quad> = Vec::new();
    execute(&m, &mut quads)?;
    let mut lines: Vec<String> = quads.iter().map(|q| format!("{q} .")).collect();
    lines.sort();
    lines.dedup();
    Ok(lines)
}

fn source(file: &str) -> String {
    format!("rml:logicalSource [ rml:referenceFormulation rml:CSV; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"{file}\" ] ]")
}

#[test]
fn template_values_are_percent_encoded_in_iris_only() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/{{Name}}\" ];
         rml:predicateObjectMap [ rml:predicate ex:label; rml:objectMap [ rml:template \"{{Name}} ({{ID}})\"; rml:termType rml:Literal ] ] .",
        source("s.csv")
    );
    let out = run(
        &m,
        &[(
            "s.csv",
            "ID,Name\n1,Saint Martin (French part)\n2,Évora/Sé\n",
        )],
    )
    .unwrap();
    assert_eq!(
        out,
        [
            "<http://example.com/Saint%20Martin%20%28French%20part%29> <http://example.com/label> \"Saint Martin (French part) (1)\" .",
            "<http://example.com/Évora%2FSé> <http://example.com/label> \"Évora/Sé (2)\" .",
        ]
    );
}

#[test]
fn escaped_braces_in_templates() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/{{ID}}\" ];
         rml:predicateObjectMap [ rml:predicate ex:code; rml:objectMap [ rml:template \"\\\\{{ {{Code}} \\\\}}\"; rml:termType rml:Literal ] ] .",
        source("s.csv")
    );
    let out = run(&m, &[("s.csv", "ID,Code\n1,BO\n")]).unwrap();
    assert_eq!(
        out,
        ["<http://example.com/1> <http://example.com/code> \"{ BO }\" ."]
    );
}

#[test]
fn references_empty_cells_and_relative_iris() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:reference \"IRI\" ];
         rml:predicateObjectMap [ rml:predicate foaf:name; rml:objectMap [ rml:reference \"Name\" ] ] .",
        source("s.csv")
    );
    let out = run(
        &m,
        &[(
            "s.csv",
            "IRI,Name\nhttp://example.com/ns#a,Alice\nbob,\n,Nobody\n",
        )],
    )
    .unwrap();
    // The empty name gives no triple; the empty IRI gives no subject; "bob" is resolved.
    assert_eq!(
        out,
        ["<http://example.com/ns#a> <http://xmlns.com/foaf/0.1/name> \"Alice\" ."]
    );
    let err = run(&m, &[("s.csv", "IRI,Name\nbad iri,Alice\n")]).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("s.csv:2:1:") && msg.contains("not a valid IRI"),
        "{msg}"
    );
}

#[test]
fn datatypes_and_languages() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/{{ID}}\" ];
         rml:predicateObjectMap [ rml:predicate ex:n; rml:objectMap [ rml:reference \"N\"; rml:datatype xsd:integer ] ];
         rml:predicateObjectMap [ rml:predicate ex:s; rml:objectMap [ rml:reference \"N\"; rml:datatype xsd:string ] ];
         rml:predicateObjectMap [ rml:predicate ex:label; rml:objectMap [ rml:reference \"Label\"; rml:language \"fr\" ] ];
         rml:predicateObjectMap [ rml:predicate ex:any; rml:objectMap [ rml:reference \"Label\"; rml:languageMap [ rml:reference \"Lang\" ] ] ] .",
        source("s.csv")
    );
    let out = run(&m, &[("s.csv", "ID,N,Label,Lang\n1,42,Maroc,ar-MA\n")]).unwrap();
    assert_eq!(
        out,
        [
            "<http://example.com/1> <http://example.com/any> \"Maroc\"@ar-ma .",
            "<http://example.com/1> <http://example.com/label> \"Maroc\"@fr .",
            "<http://example.com/1> <http://example.com/n> \"42\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
            "<http://example.com/1> <http://example.com/s> \"42\" .",
        ]
    );
    let bad = m.replace("\"fr\"", "\"no such tag!\"");
    let err = run(&bad, &[("s.csv", "ID,N,Label,Lang\n1,42,Maroc,fr\n")]).unwrap_err();
    assert!(
        err.to_string().contains("not a valid BCP 47 language tag"),
        "{err}"
    );
    let err = run(&m, &[("s.csv", "ID,N,Label,Lang\n1,42,Maroc,x y\n")]).unwrap_err();
    assert!(err.to_string().contains("s.csv:2:4:"), "{err}");
}

#[test]
fn hash_join_on_parent_key() {
    let m = format!(
        "ex:Person a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/p/{{id}}\" ];
           rml:predicateObjectMap [ rml:predicate ex:worksFor; rml:objectMap [ rml:parentTriplesMap ex:Org;
              rml:joinCondition [ rml:child \"org\"; rml:parent \"code\" ] ] ] .
         ex:Org a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/o/{{name}}\" ] .",
        source("people.csv"),
        source("orgs.csv")
    );
    let out = run(
        &m,
        &[
            ("people.csv", "id,org\n1,A\n2,B\n3,\n4,Z\n"),
            ("orgs.csv", "code,name\nA,Acme\nB,Beta\nB,Beta2\n"),
        ],
    )
    .unwrap();
    assert_eq!(
        out,
        [
            "<http://example.com/p/1> <http://example.com/worksFor> <http://example.com/o/Acme> .",
            "<http://example.com/p/2> <http://example.com/worksFor> <http://example.com/o/Beta2> .",
            "<http://example.com/p/2> <http://example.com/worksFor> <http://example.com/o/Beta> .",
        ]
    );
}

#[test]
fn classes_graphs_and_blank_nodes() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"{{First}} {{Last}}\"; rml:termType rml:BlankNode; rml:class foaf:Person; rml:graph ex:g ];
         rml:predicateObjectMap [ rml:predicate foaf:name; rml:object \"x\"; rml:graphMap [ rml:constant rml:defaultGraph ] ] .",
        source("s.csv")
    );
    let out = run(&m, &[("s.csv", "First,Last\nBob,Smith\n")]).unwrap();
    assert_eq!(out.len(), 3, "{out:?}");
    assert!(out
        .iter()
        .any(|l| l.ends_with("<http://xmlns.com/foaf/0.1/Person> <http://example.com/g> .")));
    assert!(out
        .iter()
        .any(|l| l.ends_with("<http://xmlns.com/foaf/0.1/name> \"x\" <http://example.com/g> .")));
    assert!(out
        .iter()
        .any(|l| l.ends_with("<http://xmlns.com/foaf/0.1/name> \"x\" .")));
}

#[test]
fn mapping_errors_name_line_and_triples_map() {
    let m = format!("ex:TM a rml:TriplesMap;\n {} .\n", source("s.csv"));
    let err = run(&m, &[("s.csv", "a\n1\n")]).unwrap_err().to_string();
    assert!(
        err.contains("mapping.rml.ttl:5:")
            && err.contains("no subject map")
            && err.contains("<http://example.com/TM>"),
        "{err}"
    );
    let m = format!(
        "ex:TM a rml:TriplesMap; {};\n rml:subjectMap [ rml:template \"http://ex.com/{{a\" ] .\n",
        source("s.csv")
    );
    let err = run(&m, &[("s.csv", "a\n1\n")]).unwrap_err().to_string();
    assert!(err.contains("unclosed '{'"), "{err}");
    let m = format!("ex:TM a rml:TriplesMap; {};\n rml:subjectMapp [ rml:template \"http://ex.com/{{a}}\" ] .\n", source("s.csv"));
    let err = run(&m, &[("s.csv", "a\n1\n")]).unwrap_err().to_string();
    assert!(err.contains("did you mean rml:subjectMap"), "{err}");
    let m = format!(
        "ex:TM a rml:TriplesMap; {};\n rml:subjectMap [ rml:template \"http://ex.com/{{b}}\" ] .\n",
        source("s.csv")
    );
    let err = run(&m, &[("s.csv", "a\n1\n")]).unwrap_err().to_string();
    assert!(
        err.contains("\"b\" names no column of s.csv; expected one of \"a\""),
        "{err}"
    );
}

#[test]
fn csv_quirks_bom_crlf_quoted_newlines() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/{{ID}}\" ];
         rml:predicateObjectMap [ rml:predicate ex:text; rml:objectMap [ rml:reference \"Text\" ] ] .",
        source("s.csv")
    );
    let out = run(
        &m,
        &[(
            "s.csv",
            "\u{feff}ID,Text\r\n1,\"two\r\nlines, and \"\"quotes\"\"\"\r\n",
        )],
    )
    .unwrap();
    assert_eq!(out, ["<http://example.com/1> <http://example.com/text> \"two\\r\\nlines, and \\\"quotes\\\"\" ."]);
    let err = run(&m, &[("s.csv", "ID,Text\n1,a\n2,b,c\n")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("s.csv:3:1: the row has 3 fields but the header has 2"),
        "{err}"
    );
}

#[test]
fn legacy_vocabulary_means_the_same() {
    let legacy = "@prefix rr: <http://www.w3.org/ns/r2rml#> .\n@prefix rmlo: <http://semweb.mmlab.be/ns/rml#> .\n@prefix ql: <http://semweb.mmlab.be/ns/ql#> .\n
        ex:TM rmlo:logicalSource [ rmlo:source \"s.csv\"; rmlo:referenceFormulation ql:CSV ];
          rr:subjectMap [ rr:template \"http://example.com/{ID}\"; rr:class foaf:Person ];
          rr:predicateObjectMap [ rr:predicate foaf:name; rr:objectMap [ rmlo:reference \"Name\"; rr:language \"en\" ] ] .";
    let core = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/{{ID}}\"; rml:class foaf:Person ];
         rml:predicateObjectMap [ rml:predicate foaf:name; rml:objectMap [ rml:reference \"Name\"; rml:language \"en\" ] ] .",
        source("s.csv")
    );
    let files = [("s.csv", "ID,Name\n1,Ann\n")];
    assert_eq!(run(legacy, &files).unwrap(), run(&core, &files).unwrap());
    let mixed = format!("{legacy}\n ex:TM2 a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/{{ID}}\" ] .", source("s.csv"));
    let err = run(&mixed, &files).unwrap_err().to_string();
    assert!(err.contains("mixes the RML-Core vocabulary"), "{err}");
}

#[test]
fn data_error_lines_count_like_an_editor_after_crlf_and_blank_lines() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:reference \"IRI\" ] .",
        source("s.csv")
    );
    // Header on line 1, a CRLF row on 2, a blank line 3, the bad row on line 4.
    let err = run(
        &m,
        &[("s.csv", "IRI\r\nhttp://ex.com/a\r\n\r\nbad iri\r\n")],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("s.csv:4:1:"), "{err}");
    let err = run(
        &m,
        &[("s.csv", "IRI\nhttp://ex.com/a\nhttp://ex.com/b,x\n")],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("s.csv:3:1:"), "{err}");
}

#[test]
fn unknown_classes_on_join_nodes_are_warnings_not_errors() {
    // Names a benchmark generator writes for R2RML's rr:RefObjectMap and rr:Join.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("p.csv"), "id,org\n1,a\n2,b\n").unwrap();
    fs::write(dir.path().join("o.csv"), "id,name\na,Acme\n").unwrap();
    let mapping = format!(
        "@prefix rr: <http://www.w3.org/ns/r2rml#> .
         ex:O a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/o/{{id}}\" ] .
         ex:P a rml:TriplesMap; {}; rml:subjectMap [ rml:template \"http://example.com/p/{{id}}\" ];
           rml:predicateObjectMap [ rml:predicate ex:worksFor;
             rml:objectMap [ a rr:ReferenceObjectMap; rml:parentTriplesMap ex:O;
               rml:joinCondition [ a rr:JoinCondition; rml:child \"org\"; rml:parent \"id\" ] ] ] .",
        source("o.csv"),
        source("p.csv")
    );
    let path = dir.path().join("mapping.rml.ttl");
    fs::write(&path, format!("{PREFIXES}{mapping}")).unwrap();
    let m = parse_mapping_file(&path, &ParseOptions::default()).expect("the mapping parses");
    assert_eq!(m.warnings.len(), 2, "{:?}", m.warnings);
    assert!(m.warnings[0].message.contains("rml:RefObjectMap"));
    assert!(m.warnings[1].message.contains("rml:Join"));
    let mut quads: Vec<oxrdf::Quad> = Vec::new();
    execute(&m, &mut quads).unwrap();
    // The dangling row (org b) gives no triple; the matching one does.
    assert_eq!(quads.len(), 1, "{quads:?}");
}

#[test]
fn misspelt_rml_properties_stay_errors() {
    let m = format!(
        "ex:TM a rml:TriplesMap; {}; rml:subjectMap [ rml:templat \"http://example.com/{{id}}\" ] .",
        source("s.csv")
    );
    let e = run(&m, &[("s.csv", "id\n1\n")]).unwrap_err();
    assert!(e.to_string().contains("did you mean rml:template"), "{e}");
}
