//! Micro-benchmarks of the paths every mapped row goes through.
//!
//! ```text
//! cargo bench --bench hot_paths            # all, about a minute
//! cargo bench --bench hot_paths -- join    # one group
//! ```
//!
//! - `template`: parsing an RML template, and expanding one into an IRI with `push_iri_safe`
//!   (plain slug values take the fast path; accented or spaced values are percent-encoded);
//! - `csv`: reading records of an in-memory CSV like memberships.csv into a reused
//!   `StringRecord` and touching every field;
//! - `ntriples`: serialising quads (IRIs, language-tagged and typed literals) to N-Triples
//!   through `oxigraph::io::RdfSerializer`, as `factgraph map` does;
//! - `join`: `rml::execute` on a two-file mapping whose child map joins its parent (the index
//!   on the parent is built, then probed once per child row), into a counting sink.
//!
//! Throughput is reported per element (template, record, quad or child row).

use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxrdf::vocab::xsd;
use oxrdf::{GraphName, Literal, NamedNode, Quad, QuadRef, Term};

use factgraph::rml::template::{push_iri_safe, Segment, Template};
use factgraph::rml::{self, ParseOptions, SinkError};

const TEMPLATE: &str = "https://w3id.org/factgraph/id/{kind}/{id}";

/// Expands a parsed template the way the executor does: text as is, values made IRI-safe.
fn expand(out: &mut String, template: &Template, values: &[&str]) {
    out.clear();
    let mut values = values.iter();
    for s in &template.segments {
        match s {
            Segment::Text(t) => out.push_str(t),
            Segment::Reference(_) => push_iri_safe(out, values.next().copied().unwrap_or("")),
        }
    }
}

fn template(c: &mut Criterion) {
    let mut g = c.benchmark_group("template");
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse", |b| {
        b.iter(|| Template::parse(black_box(TEMPLATE)).unwrap())
    });
    let t = Template::parse(TEMPLATE).unwrap();
    let mut out = String::with_capacity(128);
    g.bench_function("expand/slug", |b| {
        b.iter(|| {
            expand(&mut out, &t, black_box(&["org", "societe-generale-19368"]));
            black_box(out.len())
        })
    });
    g.bench_function("expand/needs-encoding", |b| {
        b.iter(|| {
            expand(
                &mut out,
                &t,
                black_box(&["org", "Société Générale (Maroc) 19368/x"]),
            );
            black_box(out.len())
        })
    });
    g.finish();
}

/// A memberships.csv-like file: quoted fields with commas, accents, some `""`.
fn memberships_csv(rows: usize) -> Vec<u8> {
    let mut s = String::from("id,person,organisation,role,title,source,quote\n");
    for i in 0..rows {
        let _ = writeln!(
            s,
            "ghita-mezzour-{i}-m,ghita-mezzour-{i},inetum-{o},ministre-delegue-{r},\
             \"ministre déléguée chargée de la Transition numérique, et de la \"\"Réforme\"\"\",article-{a},\
             \"la ministre déléguée chargée de la Transition numérique et de la Réforme de l'administration, Ghita Mezzour\"",
            o = i % 997,
            r = i % 13,
            a = i % 101,
        );
    }
    s.into_bytes()
}

fn csv_fields(c: &mut Criterion) {
    const ROWS: usize = 10_000;
    let data = memberships_csv(ROWS);
    let mut g = c.benchmark_group("csv");
    g.throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("read_record+get/10k_rows", |b| {
        let mut record = csv::StringRecord::new();
        b.iter(|| {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_reader(data.as_slice());
            let mut total = 0usize;
            while reader.read_record(&mut record).unwrap() {
                for i in 0..record.len() {
                    total += record.get(i).map_or(0, str::len);
                }
            }
            black_box(total)
        })
    });
    g.finish();
}

/// Quads shaped like factgraph's: IRI subjects and objects, @fr literals, typed literals.
fn sample_quads(n: usize) -> Vec<Quad> {
    let p = |s: &str| NamedNode::new_unchecked(format!("http://schema.org/{s}"));
    let (name, role_name, value, member) = (p("name"), p("roleName"), p("value"), p("member"));
    let mut quads = Vec::with_capacity(n);
    for i in 0..n {
        let s = NamedNode::new_unchecked(format!(
            "https://w3id.org/factgraph/id/membership/ghita-mezzour-{i}"
        ));
        let (predicate, object): (NamedNode, Term) = match i % 4 {
            0 => (
                name.clone(),
                Literal::new_language_tagged_literal_unchecked(
                    format!("Société Générale {i}"),
                    "fr",
                )
                .into(),
            ),
            1 => (
                role_name.clone(),
                Literal::new_language_tagged_literal_unchecked(
                    "ministre déléguée chargée de la \"Transition numérique\"\net de la Réforme",
                    "fr",
                )
                .into(),
            ),
            2 => (
                value.clone(),
                Literal::new_typed_literal(i.to_string(), xsd::INTEGER).into(),
            ),
            _ => (
                member.clone(),
                NamedNode::new_unchecked(format!(
                    "https://w3id.org/factgraph/id/person/ghita-mezzour-{i}"
                ))
                .into(),
            ),
        };
        quads.push(Quad::new(s, predicate, object, GraphName::DefaultGraph));
    }
    quads
}

fn term_serialisation(c: &mut Criterion) {
    const QUADS: usize = 10_000;
    let quads = sample_quads(QUADS);
    let mut g = c.benchmark_group("ntriples");
    g.throughput(Throughput::Elements(QUADS as u64));
    let mut buf = Vec::with_capacity(QUADS * 160);
    g.bench_function("serialize/10k_quads", |b| {
        b.iter(|| {
            buf.clear();
            let mut w = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(&mut buf);
            for q in &quads {
                w.serialize_quad(q).unwrap();
            }
            w.finish().unwrap();
            black_box(buf.len())
        })
    });
    g.finish();
}

const JOIN_MAPPING: &str = r#"
@prefix rml: <http://w3id.org/rml/> .
@prefix ex:  <http://example.com/> .

ex:Parents a rml:TriplesMap ;
  rml:logicalSource [ a rml:LogicalSource ;
      rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path "parents.csv" ] ;
      rml:referenceFormulation rml:CSV ] ;
  rml:subjectMap [ rml:template "http://example.com/org/{id}" ] ;
  rml:predicateObjectMap [ rml:predicate ex:name ; rml:objectMap [ rml:reference "name" ; rml:language "fr" ] ] .

ex:Children a rml:TriplesMap ;
  rml:logicalSource [ a rml:LogicalSource ;
      rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path "children.csv" ] ;
      rml:referenceFormulation rml:CSV ] ;
  rml:subjectMap [ rml:template "http://example.com/member/{id}" ] ;
  rml:predicateObjectMap
    [ rml:predicate ex:organization ;
      rml:objectMap [ a rml:RefObjectMap ; rml:parentTriplesMap ex:Parents ;
          rml:joinCondition [ rml:child "org" ; rml:parent "id" ] ] ] .
"#;

fn join_probe(c: &mut Criterion) {
    const PARENTS: usize = 1_000;
    const CHILDREN: usize = 20_000;
    let dir = tempfile::tempdir().unwrap();
    let mut parents = std::fs::File::create(dir.path().join("parents.csv")).unwrap();
    writeln!(parents, "id,name").unwrap();
    for i in 0..PARENTS {
        writeln!(parents, "org-{i},\"Société {i}, SA\"").unwrap();
    }
    let mut children = std::fs::File::create(dir.path().join("children.csv")).unwrap();
    writeln!(children, "id,org").unwrap();
    for i in 0..CHILDREN {
        writeln!(children, "m-{i},org-{}", (i * 7919) % PARENTS).unwrap();
    }
    drop((parents, children));
    let path = dir.path().join("join.rml.ttl");
    std::fs::write(&path, JOIN_MAPPING).unwrap();
    let mapping = rml::parse_mapping_file(&path, &ParseOptions::default()).unwrap();

    let mut g = c.benchmark_group("join");
    g.throughput(Throughput::Elements(CHILDREN as u64));
    g.bench_function("execute/20k_children_1k_parents", |b| {
        b.iter(|| {
            let mut count = 0u64;
            let mut sink = |q: QuadRef<'_>| -> Result<(), SinkError> {
                black_box(q);
                count += 1;
                Ok(())
            };
            let stats = rml::execute(&mapping, &mut sink).unwrap();
            assert_eq!(
                (stats.quads, count),
                ((PARENTS + CHILDREN) as u64, (PARENTS + CHILDREN) as u64)
            );
            black_box(count)
        })
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

criterion_group! {
    name = hot_paths;
    config = config();
    targets = template, csv_fields, term_serialisation, join_probe
}
criterion_main!(hot_paths);
