//! YARRRML mappings through the binary: a data directory may hold `*.yarrrml.yml` beside
//! (or instead of) `*.rml.ttl`; `--mapping` takes one; `factgraph translate` prints the
//! RML-Core it stands for; errors name the YAML file and line.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{factgraph, root};

/// The N-Quads of `factgraph map ARGS`, as a set of lines (no blank nodes in these graphs).
fn map(args: &[&str], dir: Option<&Path>) -> BTreeSet<String> {
    let mut cmd = factgraph();
    cmd.arg("map").args(args);
    if let Some(d) = dir {
        cmd.arg(d);
    }
    let out = cmd.arg("--format").arg("nquads").output().expect("runs");
    assert!(
        out.status.success(),
        "factgraph map {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        !text.contains("_:"),
        "blank nodes would need canonicalizing"
    );
    text.lines().map(str::to_owned).collect()
}

#[test]
fn the_bundled_mapping_in_yarrrml_gives_the_graph_of_the_rml_one() {
    let rml = map(&["data"], None);
    let yarrrml = map(
        &["--mapping", "examples/yarrrml/mapping.yarrrml.yml", "data"],
        None,
    );
    assert!(rml.len() > 100, "only {} quads", rml.len());
    let missing: Vec<_> = rml.difference(&yarrrml).take(5).collect();
    let extra: Vec<_> = yarrrml.difference(&rml).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
}

const PEOPLE: &str = "id,name,lang,age,employer,homepage\n\
    alice,Alice Martin,fr,34,acme,https://alice.example.org/\n\
    bob,Bob Stone,en,41,globex,\n\
    carol,Carol Ng,,,acme,https://carol.example.org/\n";
const COMPANIES: &str = "key,label,city\nacme,ACME Corp,Paris\nglobex,Globex,\n";

/// A mapping as someone would write it from the YARRRML specification.
const USER_YARRRML: &str = r#"prefixes:
  ex: http://example.com/
  voc: http://example.com/vocab#

sources:
  people-source: [people.csv~csv]
  companies-source:
    access: companies.csv
    referenceFormulation: csv

mappings:
  person:
    sources: people-source
    s: ex:person/$(id)
    po:
      - [a, foaf:Person]
      - [foaf:name, $(name), en~lang]
      - [voc:age, $(age), xsd:integer]
      - [foaf:homepage, $(homepage)~iri]
      - [voc:profile, ex:profile/$(id)~iri]
      - p: voc:shout
        o:
          function: grel:toUpperCase
          parameters:
            - [grel:valueParameter, $(name)]
      - predicates: voc:worksFor
        objects:
          - mapping: company
            condition:
              function: equal
              parameters:
                - [str1, $(employer)]
                - [str2, $(key)]
  company:
    sources:
      - companies-source
    subjects: ex:company/$(key)
    predicateobjects:
      - predicates: [rdfs:label, foaf:name]
        objects:
          value: $(label)
          language: en
      - p: voc:city
        o:
          value: $(city)
          datatype: xsd:string
      - [voc:kind, "company"]
"#;

fn user_dir(mapping_name: &str, mapping: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("people.csv"), PEOPLE).expect("write");
    std::fs::write(dir.path().join("companies.csv"), COMPANIES).expect("write");
    std::fs::write(dir.path().join(mapping_name), mapping).expect("write");
    dir
}

#[test]
fn a_users_yarrrml_maps_like_its_rml_translation() {
    let yaml_dir = user_dir("people.yarrrml.yml", USER_YARRRML);
    let out = factgraph()
        .arg("translate")
        .arg(yaml_dir.path().join("people.yarrrml.yml"))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let turtle = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(turtle.contains("rml:joinCondition"), "{turtle}");
    let rml_dir = user_dir("people.rml.ttl", &turtle);

    let from_yaml = map(&[], Some(yaml_dir.path()));
    let from_rml = map(&[], Some(rml_dir.path()));
    assert_eq!(from_yaml, from_rml);
    for expected in [
        "<http://example.com/person/alice> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://xmlns.com/foaf/0.1/Person> .",
        "<http://example.com/person/alice> <http://xmlns.com/foaf/0.1/name> \"Alice Martin\"@en .",
        "<http://example.com/person/alice> <http://example.com/vocab#age> \"34\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
        "<http://example.com/person/alice> <http://xmlns.com/foaf/0.1/homepage> <https://alice.example.org/> .",
        "<http://example.com/person/alice> <http://example.com/vocab#shout> \"ALICE MARTIN\" .",
        "<http://example.com/person/bob> <http://example.com/vocab#worksFor> <http://example.com/company/globex> .",
        "<http://example.com/person/carol> <http://example.com/vocab#worksFor> <http://example.com/company/acme> .",
        "<http://example.com/company/acme> <http://www.w3.org/2000/01/rdf-schema#label> \"ACME Corp\"@en .",
        "<http://example.com/company/acme> <http://example.com/vocab#city> \"Paris\" .",
        "<http://example.com/company/globex> <http://example.com/vocab#kind> \"company\" .",
    ] {
        assert!(from_yaml.contains(expected), "no {expected}\nin {from_yaml:#?}");
    }
    // An empty cell gives no triple.
    assert!(!from_yaml
        .iter()
        .any(|q| q.contains("person/bob> <http://xmlns.com/foaf/0.1/homepage>")));

    // validate reads it too, and `.yarrrml.yaml` is found like `.yarrrml.yml`.
    factgraph()
        .arg("validate")
        .arg(yaml_dir.path())
        .assert()
        .success();
    let yaml_ext = user_dir("people.yarrrml.yaml", USER_YARRRML);
    assert_eq!(map(&[], Some(yaml_ext.path())), from_yaml);

    // Both kinds of mapping in one directory: both run.
    std::fs::write(
        yaml_dir.path().join("extra.rml.ttl"),
        "@prefix rml: <http://w3id.org/rml/> .\n<#X> rml:logicalSource [ rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path \"companies.csv\" ] ; rml:referenceFormulation rml:CSV ] ;\n  rml:subjectMap [ rml:template \"http://example.com/c/{key}\" ] ;\n  rml:predicateObjectMap [ rml:predicate <http://example.com/p> ; rml:objectMap [ rml:reference \"label\" ] ] .\n",
    )
    .expect("write");
    let both = map(&[], Some(yaml_dir.path()));
    assert_eq!(both.len(), from_yaml.len() + 2);
}

/// `factgraph map DIR` on a directory whose only mapping is `text`: its stderr, exit code 2.
fn yaml_error(text: &str) -> String {
    let dir = user_dir("bad.yarrrml.yml", text);
    let out = factgraph()
        .arg("map")
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_yaml_syntax_error_names_the_line() {
    let e = yaml_error("mappings:\n  person:\n    sources: [people.csv~csv\n    s: ex:$(id)\n");
    assert!(
        e.contains("bad.yarrrml.yml:") && e.contains("invalid YAML"),
        "{e}"
    );
}

#[test]
fn an_unknown_key_names_the_line_and_a_suggestion() {
    let e = yaml_error(
        "mappings:\n  person:\n    sources: [people.csv~csv]\n    s: http://e.com/$(id)\n    po:\n      - p: http://e.com/name\n        objets: $(name)\n",
    );
    assert!(e.contains("bad.yarrrml.yml:7:"), "{e}");
    assert!(
        e.contains("unknown key `objets`") && e.contains("did you mean `objects`?"),
        "{e}"
    );
}

#[test]
fn a_bad_template_names_the_line() {
    let e = yaml_error(
        "mappings:\n  person:\n    sources: [people.csv~csv]\n    s: http://e.com/$(id\n",
    );
    assert!(
        e.contains("bad.yarrrml.yml:4:") && e.contains("bad template"),
        "{e}"
    );
}

#[test]
fn a_missing_column_names_the_yaml_line() {
    // Found by the checks of the translated mapping, reported in the YAML file.
    let e = yaml_error(
        "mappings:\n  person:\n    sources: [people.csv~csv]\n    s: http://e.com/$(id)\n    po:\n      - [http://e.com/name, $(nmae)]\n",
    );
    assert!(e.contains("nmae"), "{e}");
}

#[test]
fn translate_has_help_and_refuses_targets() {
    factgraph()
        .args(["translate", "--help"])
        .assert()
        .success()
        .stdout(predicates::str::contains("YARRRML"));
    let dir = user_dir(
        "t.yarrrml.yml",
        "targets:\n  out: [dump.nq~void]\nmappings:\n  p:\n    sources: [people.csv~csv]\n",
    );
    let out = factgraph()
        .arg("translate")
        .arg(dir.path().join("t.yarrrml.yml"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("t.yarrrml.yml:1:") && e.contains("`targets` is not supported"),
        "{e}"
    );
    let _ = root();
}
