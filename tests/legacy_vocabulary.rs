//! Mappings in the older rml.io + R2RML vocabulary give the same graph as their RML-Core
//! translation. Each pair below is one mapping written both ways (translated by hand).

use factgraph::rml::{self, ParseOptions};

const CORE: &str = "@prefix rml: <http://w3id.org/rml/> .\n@prefix ex: <http://example.com/> .\n@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n";
const LEGACY: &str = "@prefix rr: <http://www.w3.org/ns/r2rml#> .\n@prefix rml: <http://semweb.mmlab.be/ns/rml#> .\n@prefix ql: <http://semweb.mmlab.be/ns/ql#> .\n@prefix ex: <http://example.com/> .\n@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n";

const STUDENTS: &str =
    "ID,Name,Sport,Lang\n10,Venus Williams,100,en\n20,Rafael Nadal,200,es\n30,Ann,,\n";
const SPORTS: &str = "ID,Name\n100,Tennis\n200,Football\n";

fn run(prefixes: &str, body: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("student.csv"), STUDENTS).unwrap();
    std::fs::write(dir.path().join("sport.csv"), SPORTS).unwrap();
    let path = dir.path().join("mapping.ttl");
    std::fs::write(&path, format!("{prefixes}{body}")).unwrap();
    let mapping = rml::parse_mapping_file(
        &path,
        &ParseOptions {
            base: Some("http://example.com/base/".into()),
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut quads: Vec<oxrdf::Quad> = Vec::new();
    rml::execute(&mapping, &mut quads).unwrap();
    let mut lines: Vec<String> = quads.iter().map(ToString::to_string).collect();
    lines.sort();
    lines.dedup();
    lines
}

fn same(core: &str, legacy: &str, expected_len: usize) {
    let a = run(CORE, core);
    let b = run(LEGACY, legacy);
    assert_eq!(a, b);
    assert_eq!(a.len(), expected_len, "{a:#?}");
}

#[test]
fn template_class_and_reference() {
    same(
        "ex:TM a rml:TriplesMap ; rml:logicalSource [ rml:referenceFormulation rml:CSV ; rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path \"student.csv\" ] ] ;
           rml:subjectMap [ rml:template \"http://example.com/{ID}/{Name}\" ; rml:class foaf:Person ] ;
           rml:predicateObjectMap [ rml:predicate foaf:name ; rml:objectMap [ rml:reference \"Name\" ] ] .",
        "ex:TM a rr:TriplesMap ; rml:logicalSource [ rml:source \"student.csv\" ; rml:referenceFormulation ql:CSV ] ;
           rr:subjectMap [ rr:template \"http://example.com/{ID}/{Name}\" ; rr:class foaf:Person ] ;
           rr:predicateObjectMap [ rr:predicate foaf:name ; rr:objectMap [ rml:reference \"Name\" ] ] .",
        6,
    );
}

#[test]
fn join_between_sources() {
    same(
        "ex:S a rml:TriplesMap ; rml:logicalSource [ rml:referenceFormulation rml:CSV ; rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path \"student.csv\" ] ] ;
           rml:subjectMap [ rml:template \"http://example.com/student/{ID}\" ] ;
           rml:predicateObjectMap [ rml:predicate ex:practises ; rml:objectMap [ a rml:RefObjectMap ; rml:parentTriplesMap ex:P ; rml:joinCondition [ rml:child \"Sport\" ; rml:parent \"ID\" ] ] ] .
         ex:P a rml:TriplesMap ; rml:logicalSource [ rml:referenceFormulation rml:CSV ; rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path \"sport.csv\" ] ] ;
           rml:subjectMap [ rml:template \"http://example.com/sport/{ID}\" ] ;
           rml:predicateObjectMap [ rml:predicate ex:label ; rml:objectMap [ rml:reference \"Name\" ] ] .",
        "ex:S rml:logicalSource [ rml:source \"student.csv\" ; rml:referenceFormulation ql:CSV ] ;
           rr:subjectMap [ rr:template \"http://example.com/student/{ID}\" ] ;
           rr:predicateObjectMap [ rr:predicate ex:practises ; rr:objectMap [ a rr:RefObjectMap ; rr:parentTriplesMap ex:P ; rr:joinCondition [ rr:child \"Sport\" ; rr:parent \"ID\" ] ] ] .
         ex:P rml:logicalSource [ rml:source \"sport.csv\" ; rml:referenceFormulation ql:CSV ] ;
           rr:subjectMap [ rr:template \"http://example.com/sport/{ID}\" ] ;
           rr:predicateObjectMap [ rr:predicate ex:label ; rr:objectMap [ rml:reference \"Name\" ] ] .",
        4,
    );
}

#[test]
fn graphs_constants_term_types_languages_datatypes() {
    same(
        "ex:TM a rml:TriplesMap ; rml:logicalSource [ rml:referenceFormulation rml:CSV ; rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path \"student.csv\" ] ] ;
           rml:subjectMap [ rml:template \"{Name}\" ; rml:termType rml:BlankNode ; rml:graph ex:students ] ;
           rml:predicateObjectMap [ rml:predicateMap [ rml:constant ex:id ] ; rml:objectMap [ rml:reference \"ID\" ; rml:datatype xsd:integer ] ;
               rml:graphMap [ rml:constant rml:defaultGraph ] ] ;
           rml:predicateObjectMap [ rml:predicate ex:name ; rml:objectMap [ rml:reference \"Name\" ; rml:languageMap [ rml:reference \"Lang\" ] ] ] ;
           rml:predicateObjectMap [ rml:predicate ex:page ; rml:objectMap [ rml:template \"page/{ID}\" ; rml:termType rml:IRI ] ] ;
           rml:predicateObjectMap [ rml:predicate ex:kind ; rml:object \"student\" ] .",
        "ex:TM rml:logicalSource [ rml:source \"student.csv\" ; rml:referenceFormulation ql:CSV ] ;
           rr:subjectMap [ rr:template \"{Name}\" ; rr:termType rr:BlankNode ; rr:graph ex:students ] ;
           rr:predicateObjectMap [ rr:predicateMap [ rr:constant ex:id ] ; rr:objectMap [ rml:reference \"ID\" ; rr:datatype xsd:integer ] ;
               rr:graphMap [ rr:constant rr:defaultGraph ] ] ;
           rr:predicateObjectMap [ rr:predicate ex:name ; rr:objectMap [ rml:reference \"Name\" ; rml:languageMap [ rml:reference \"Lang\" ] ] ] ;
           rr:predicateObjectMap [ rr:predicate ex:page ; rr:objectMap [ rr:template \"page/{ID}\" ; rr:termType rr:IRI ] ] ;
           rr:predicateObjectMap [ rr:predicate ex:kind ; rr:object \"student\" ] .",
        // 3 rows: id twice (students graph + default graph) = 6, name 2 (Ann has no language:
        // a reference with no value for its language map gives a plain literal) + 1, page 3, kind 3.
        15,
    );
}
