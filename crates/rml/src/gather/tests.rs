//! Unit tests of gather semantics: on plain terms (no sources), then whole mappings.

use std::convert::Infallible;

use oxrdf::vocab::rdf;
use oxrdf::{BlankNode, GraphName, Literal, NamedNode, Quad, Term};

use super::*;
use crate::tests::run;
use crate::RmlError;

fn lit(s: &str) -> Term {
    Literal::new_simple_literal(s).into()
}

fn iri(s: &str) -> Term {
    NamedNode::new_unchecked(s).into()
}

/// A plan whose leaves are the terms they give.
fn plan(kind: CollectionKind, items: Vec<Item<Vec<Term>>>) -> Plan<Vec<Term>> {
    Plan {
        name: None,
        blank_name: false,
        kind,
        strategy: GatherStrategy::Append,
        allow_empty: false,
        items,
    }
}

fn leaf(values: &[&str]) -> Item<Vec<Term>> {
    Item::Leaf(values.iter().map(|v| lit(v)).collect())
}

/// Evaluates `p` once in `graphs`; returns the terms and the quads (named ones included).
fn eval(
    p: &Plan<Vec<Term>>,
    named: &mut Collections,
    graphs: &[GraphName],
) -> (Vec<Term>, Vec<Quad>) {
    let (mut terms, mut quads) = (Vec::new(), Vec::new());
    let mut l = |v: &Vec<Term>, out: &mut Vec<Term>| -> Result<(), Infallible> {
        out.extend(v.iter().cloned());
        Ok(())
    };
    p.eval(&mut l, graphs, named, &mut quads, &mut terms)
        .unwrap();
    (terms, quads)
}

/// The members of the list whose head is `head`, following rdf:rest to rdf:nil.
fn list(quads: &[Quad], head: &Term) -> Vec<Term> {
    let mut out = Vec::new();
    let mut cell = head.clone();
    while cell != Term::from(rdf::NIL.into_owned()) {
        let of = |p: oxrdf::NamedNodeRef<'_>| {
            let found: Vec<&Quad> = quads
                .iter()
                .filter(|q| Term::from(q.subject.clone()) == cell && q.predicate == p)
                .collect();
            assert_eq!(found.len(), 1, "cell {cell} has {} {p}", found.len());
            found[0].object.clone()
        };
        out.push(of(rdf::FIRST));
        cell = of(rdf::REST);
    }
    out
}

#[test]
fn lists_and_containers_keep_order_and_duplicates() {
    let p = plan(CollectionKind::List, vec![leaf(&["1", "1"]), leaf(&["a"])]);
    let (terms, quads) = eval(&p, &mut Collections::default(), &[]);
    assert_eq!(terms.len(), 1);
    assert_eq!(list(&quads, &terms[0]), [lit("1"), lit("1"), lit("a")]);
    assert_eq!(quads.len(), 6);
    assert!(quads.iter().all(|q| q.graph_name.is_default_graph()));

    let p = plan(CollectionKind::Seq, vec![leaf(&["x", "y"])]);
    let (terms, quads) = eval(&p, &mut Collections::default(), &[]);
    let s = |q: &Quad| Term::from(q.subject.clone());
    assert!(quads.iter().all(|q| s(q) == terms[0]));
    let mut po: Vec<String> = quads
        .iter()
        .map(|q| format!("{} {}", q.predicate, q.object))
        .collect();
    po.sort();
    assert_eq!(
        po,
        [
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#_1> \"x\"",
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#_2> \"y\"",
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/1999/02/22-rdf-syntax-ns#Seq>",
        ]
    );
}

#[test]
fn empty_collections_need_allow_empty() {
    for kind in [
        CollectionKind::List,
        CollectionKind::Bag,
        CollectionKind::Alt,
    ] {
        let mut p = plan(kind, vec![leaf(&[]), leaf(&[])]);
        let (terms, quads) = eval(&p, &mut Collections::default(), &[]);
        assert!(terms.is_empty() && quads.is_empty(), "{kind:?}");
        p.allow_empty = true;
        let (terms, quads) = eval(&p, &mut Collections::default(), &[]);
        assert_eq!(terms.len(), 1);
        if kind == CollectionKind::List {
            assert_eq!(terms[0], Term::from(rdf::NIL.into_owned()));
            assert!(quads.is_empty());
        } else {
            assert!(terms[0].is_blank_node());
            assert_eq!(quads.len(), 1, "only the type triple");
            assert_eq!(quads[0].predicate, rdf::TYPE);
        }
    }
}

#[test]
fn named_empty_list_is_nil_and_named_empty_bag_is_typed() {
    let mut p = plan(CollectionKind::List, vec![leaf(&[])]);
    p.name = Some(vec![iri("http://example.com/c")]);
    p.allow_empty = true;
    let mut named = Collections::default();
    let (terms, _) = eval(&p, &mut named, &[]);
    assert_eq!(terms, [Term::from(rdf::NIL.into_owned())]);
    let mut out = Vec::new();
    named.finish(&mut out);
    assert!(out.is_empty());

    p.kind = CollectionKind::Bag;
    let (terms, _) = eval(&p, &mut named, &[]);
    assert_eq!(terms, [iri("http://example.com/c")]);
    named.finish(&mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].object, Term::from(rdf::BAG.into_owned()));
}

#[test]
fn cartesian_product_gives_one_collection_per_combination() {
    let mut p = plan(
        CollectionKind::List,
        vec![leaf(&["1", "2"]), leaf(&["a", "b"])],
    );
    p.strategy = GatherStrategy::CartesianProduct;
    let (terms, quads) = eval(&p, &mut Collections::default(), &[]);
    let lists: Vec<Vec<Term>> = terms.iter().map(|t| list(&quads, t)).collect();
    assert_eq!(
        lists,
        [
            [lit("1"), lit("a")],
            [lit("1"), lit("b")],
            [lit("2"), lit("a")],
            [lit("2"), lit("b")],
        ]
    );
    // The product with an empty set is empty: no collection, even when empty ones are allowed.
    p.items = vec![leaf(&["1", "2"]), leaf(&[])];
    p.allow_empty = true;
    let (terms, quads) = eval(&p, &mut Collections::default(), &[]);
    assert!(terms.is_empty() && quads.is_empty());
}

#[test]
fn nested_lists_are_members() {
    let inner = |v: &[&str]| Item::Gather(plan(CollectionKind::List, vec![leaf(v)]));
    let p = plan(
        CollectionKind::List,
        vec![inner(&["1", "2"]), inner(&[]), inner(&["3"])],
    );
    let (terms, quads) = eval(&p, &mut Collections::default(), &[]);
    assert_eq!(terms.len(), 1);
    let outer = list(&quads, &terms[0]);
    assert_eq!(outer.len(), 2, "the empty inner list is not a member");
    assert_eq!(list(&quads, &outer[0]), [lit("1"), lit("2")]);
    assert_eq!(list(&quads, &outer[1]), [lit("3")]);
    assert_eq!(quads.len(), 2 * 2 + 2 * 2 + 2);

    // Nested collections of an outer one that is not made are not written either.
    let mut p = plan(CollectionKind::List, vec![inner(&["1"]), leaf(&[])]);
    p.strategy = GatherStrategy::CartesianProduct;
    let (terms, quads) = eval(&p, &mut Collections::default(), &[]);
    assert!(terms.is_empty() && quads.is_empty());
}

#[test]
fn named_collections_gather_across_evaluations_per_graph() {
    let g = |s: &str| GraphName::from(NamedNode::new_unchecked(s));
    let mut named = Collections::default();
    let mut p = plan(CollectionKind::List, vec![leaf(&["1"])]);
    p.name = Some(vec![iri("http://example.com/c")]);
    let (t1, q1) = eval(&p, &mut named, &[g("http://example.com/g1")]);
    p.items = vec![leaf(&["2"])];
    let (t2, _) = eval(&p, &mut named, &[g("http://example.com/g2")]);
    p.items = vec![leaf(&["3"])];
    let (t3, _) = eval(&p, &mut named, &[g("http://example.com/g1")]);
    assert!(q1.is_empty(), "named collections are written at the end");
    assert_eq!(t1, t3);
    assert_eq!(t1, t2, "an IRI names the collection in every graph");
    let mut out = Vec::new();
    named.finish(&mut out);
    let in_graph = |name: &str| -> Vec<Quad> {
        out.iter()
            .filter(|q| q.graph_name == g(name))
            .cloned()
            .collect()
    };
    assert_eq!(
        list(&in_graph("http://example.com/g1"), &t1[0]),
        [lit("1"), lit("3")]
    );
    assert_eq!(list(&in_graph("http://example.com/g2"), &t1[0]), [lit("2")]);

    // A blank-node name stands for one fresh blank node per graph.
    let mut p = plan(CollectionKind::Bag, vec![leaf(&["1"])]);
    let label: Term = BlankNode::new_unchecked("c").into();
    p.name = Some(vec![label.clone()]);
    p.blank_name = true;
    let (a, _) = eval(&p, &mut named, &[g("http://example.com/g1")]);
    let (b, _) = eval(&p, &mut named, &[g("http://example.com/g2")]);
    let (c, _) = eval(&p, &mut named, &[g("http://example.com/g1")]);
    assert_eq!(a, c);
    assert_ne!(a, b);
    assert_ne!(a[0], label);
}

fn json_map(object_map: &str) -> String {
    format!(
        "ex:TM a rml:TriplesMap;
           rml:logicalSource [ rml:referenceFormulation rml:JSONPath; rml:iterator \"$.*\";
             rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"d.json\" ] ];
           rml:subjectMap [ rml:template \"e/{{$.id}}\" ];
           rml:predicateObjectMap [ rml:predicate ex:with; rml:objectMap {object_map} ] ."
    )
}

const DATA: &str = r#"[{"id": "a", "v": ["1", "2"], "w": ["x"]}, {"id": "b", "v": [], "w": []}]"#;

#[test]
fn mappings_gather_json_values() {
    let rdf_ns = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    let m = format!(
        "@prefix rdf: <{rdf_ns}> .\n{}",
        json_map(
            "[ rml:template \"c/{$.id}\"; rml:gather ( [ rml:reference \"$.v[*]\" ] [ rml:reference \"$.w[*]\" ] ); rml:gatherAs rdf:Alt; rml:allowEmptyListAndContainer true ]"
        )
    );
    let out = run(&m, &[("d.json", DATA)]).unwrap();
    let c = |id: &str| format!("<http://example.com/base/c/{id}>");
    let want = [
        format!(
            "<http://example.com/base/e/a> <http://example.com/with> {} .",
            c("a")
        ),
        format!(
            "<http://example.com/base/e/b> <http://example.com/with> {} .",
            c("b")
        ),
        format!("{} <{rdf_ns}_1> \"1\" .", c("a")),
        format!("{} <{rdf_ns}_2> \"2\" .", c("a")),
        format!("{} <{rdf_ns}_3> \"x\" .", c("a")),
        format!("{} <{rdf_ns}type> <{rdf_ns}Alt> .", c("a")),
        format!("{} <{rdf_ns}type> <{rdf_ns}Alt> .", c("b")),
    ];
    let mut want = want.to_vec();
    want.sort();
    assert_eq!(out, want);
}

#[test]
fn csv_gather_maps_leave_the_fast_path() {
    let m = "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        ex:TM a rml:TriplesMap;
          rml:logicalSource [ rml:referenceFormulation rml:CSV;
            rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"s.csv\" ] ];
          rml:subjectMap [ rml:gather ( [ rml:reference \"A\" ] [ rml:constant ex:k ] [ rml:reference \"B\" ] ); rml:gatherAs rdf:List ];
          rml:predicateObjectMap [ rml:predicate ex:p; rml:object ex:o ] .";
    let out = run(m, &[("s.csv", "A,B\n1,\n")]).unwrap();
    assert_eq!(out.len(), 5, "{out:#?}");
    assert!(out
        .iter()
        .any(|l| l.ends_with("<http://example.com/p> <http://example.com/o> .")));
    assert!(out.iter().any(|l| l.contains("#first> \"1\"")));
    assert!(out
        .iter()
        .any(|l| l.contains("#first> <http://example.com/k>")));
}

#[test]
fn gather_mistakes_are_mapping_errors() {
    let bad = [
        ("[ rml:gather ( [ rml:reference \"$.v[*]\" ] ) ]", "no rml:gatherAs"),
        ("[ rml:gather ( [ rml:reference \"$.v[*]\" ] ); rml:gatherAs rdf:Property ]", "not a collection or container type"),
        ("[ rml:gather (); rml:gatherAs rdf:List ]", "empty list"),
        ("[ rml:gather ( [ rml:reference \"$.v[*]\" ] ); rml:gatherAs rdf:List; rml:strategy rml:zipp ]", "unknown RML term"),
        ("[ rml:gather ( [ rml:reference \"$.v[*]\" ] ); rml:gatherAs rdf:List; rml:strategy ex:zip ]", "not a gather strategy"),
        ("[ rml:gather ( [ rml:reference \"$.v[*]\" ] ); rml:gatherAs rdf:List; rml:allowEmptyListAndContainer \"maybe\" ]", "not a boolean"),
        ("[ rml:reference \"$.id\"; rml:termType rml:Literal; rml:gather ( [ rml:reference \"$.v[*]\" ] ); rml:gatherAs rdf:List ]", "not a literal"),
        ("[ rml:reference \"$.id\"; rml:gatherAs rdf:List ]", "only applies to gather maps"),
        ("[ rml:gather \"x\"; rml:gatherAs rdf:List ]", "must be an RDF list"),
        ("[ rml:termType rml:IRI; rml:gather ( [ rml:reference \"$.v[*]\" ] ); rml:gatherAs rdf:List ]", "fresh blank node"),
        ("[ rml:parentTriplesMap ex:TM; rml:gather ( [ rml:reference \"$.v[*]\" ] ); rml:gatherAs rdf:List ]", "cannot have rml:gather"),
        ("[ rml:gather ( [ rml:parentTriplesMap ex:Nope ] ); rml:gatherAs rdf:List ]", "not a triples map"),
    ];
    for (object_map, why) in bad {
        let m = format!(
            "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n{}",
            json_map(object_map)
        );
        let e = run(&m, &[("d.json", DATA)]).unwrap_err();
        let text = e.to_string();
        assert!(
            matches!(e, RmlError::Mapping { line: Some(_), .. }),
            "{object_map}: {text}"
        );
        assert!(
            text.contains(why),
            "{object_map}: expected {why:?} in {text}"
        );
        assert!(text.contains("mapping.rml.ttl:"), "{text}");
    }
    // Not in predicate or graph maps.
    let m = "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        ex:TM a rml:TriplesMap;
          rml:logicalSource [ rml:referenceFormulation rml:CSV;
            rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"s.csv\" ] ];
          rml:subjectMap [ rml:template \"s/{A}\" ];
          rml:predicateObjectMap [ rml:predicateMap [ rml:gather ( [ rml:reference \"A\" ] ); rml:gatherAs rdf:List ]; rml:object ex:o ] .";
    let e = run(m, &[("s.csv", "A\n1\n")]).unwrap_err().to_string();
    assert!(
        e.contains("only allowed in subject maps and object maps"),
        "{e}"
    );
}
