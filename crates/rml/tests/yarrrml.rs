//! YARRRML mappings give the graph of their RML translation: the bundled dataset's mapping
//! written in YARRRML (`examples/yarrrml/`) against `data/mapping.rml.ttl`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use factgraph_rml::{self as rml, ParseOptions};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn quads(path: &Path) -> BTreeSet<String> {
    let mapping =
        rml::parse_mapping_file(path, &ParseOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut out: Vec<oxrdf::Quad> = Vec::new();
    rml::execute(&mapping, &mut out).unwrap_or_else(|e| panic!("{e}"));
    out.iter().map(ToString::to_string).collect()
}

#[test]
fn the_bundled_mapping_in_yarrrml_gives_the_same_graph() {
    let rml = quads(&root().join("data/mapping.rml.ttl"));
    let yarrrml = quads(&root().join("examples/yarrrml/mapping.yarrrml.yml"));
    assert!(rml.len() > 100, "{}", rml.len());
    let missing: Vec<_> = rml.difference(&yarrrml).take(5).collect();
    let extra: Vec<_> = yarrrml.difference(&rml).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
}

#[test]
fn the_translation_reads_back_as_rml() {
    let path = root().join("examples/yarrrml/mapping.yarrrml.yml");
    let turtle =
        rml::yarrrml::to_rml(&path, &ParseOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    // Same directory depth as the YARRRML file, so relative source paths still resolve.
    let copy = root()
        .join("examples/yarrrml")
        .join(format!("translated-{}.rml.ttl", std::process::id()));
    std::fs::write(&copy, &turtle).unwrap();
    let from_turtle = quads(&copy);
    let _ = std::fs::remove_file(&copy);
    assert_eq!(from_turtle, quads(&path));
}
