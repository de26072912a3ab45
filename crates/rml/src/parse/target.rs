//! RML-IO logical targets in mappings: `rml:LogicalTarget` resources (`rml:target` with
//! `rml:path` and `rml:root`, `rml:serialization`, `rml:encoding`, `rml:compression`) and the
//! `rml:logicalTarget` of term maps, which name them.
//!
//! Every target of the document is read, referenced or not (an unreferenced one is written
//! empty), in document order; a term map's targets are a [`TargetSet`] of their indexes. An
//! `rml:logicalTarget` on anything but a term map is an error rather than silently ignored.

use std::path::{Path, PathBuf};

use oxrdf::vocab::rdf;
use oxrdf::{NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, TermRef};

use super::{rml, Reader};
use crate::error::RmlError;
use crate::model::{Compression, Encoding, LogicalTarget, Serialization, TargetSet};
use crate::vocab::RML;

/// The namespace of `rml:serialization` values.
const FORMATS: &str = "http://www.w3.org/ns/formats/";
/// `void:dataDump`, the file of a `void:Dataset` target (the older RML-IO form).
const VOID_DATA_DUMP: &str = "http://rdfs.org/ns/void#dataDump";

impl Reader<'_> {
    /// Reads every logical target of the document (the resources typed `rml:LogicalTarget`
    /// and the values of `rml:logicalTarget`), in document order.
    pub(super) fn read_targets(&self) -> Result<Vec<LogicalTarget>, RmlError> {
        let graph = &self.doc.graph;
        let class = rml("LogicalTarget");
        let property = rml("logicalTarget");
        let mut nodes: Vec<NamedOrBlankNode> = graph
            .subjects_for_predicate_object(rdf::TYPE, &class)
            .map(NamedOrBlankNodeRef::into_owned)
            .collect();
        for t in graph.triples_for_predicate(&property) {
            let node = match t.object {
                TermRef::NamedNode(n) => NamedOrBlankNode::from(n.into_owned()),
                TermRef::BlankNode(b) => NamedOrBlankNode::from(b.into_owned()),
                TermRef::Literal(l) => {
                    return Err(self.err(
                        Some(t.subject),
                        None,
                        format!(
                        "rml:logicalTarget must name an rml:LogicalTarget, found the literal {l}"
                    ),
                    ))
                }
            };
            if !nodes.contains(&node) {
                nodes.push(node);
            }
        }
        nodes.sort_by_key(|n| self.order(n.as_ref()));
        if nodes.len() > TargetSet::MAX {
            return Err(self.err(
                Some(nodes[TargetSet::MAX].as_ref()),
                None,
                format!(
                    "the mapping has {} logical targets; at most {} are supported",
                    nodes.len(),
                    TargetSet::MAX
                ),
            ));
        }
        let mut targets = Vec::with_capacity(nodes.len());
        for n in &nodes {
            targets.push(self.logical_target(n.as_ref())?);
        }
        self.target_nodes.replace(nodes);
        Ok(targets)
    }

    /// The targets named by the `rml:logicalTarget` of the term map `node`.
    pub(super) fn logical_targets(
        &self,
        node: NamedOrBlankNodeRef<'_>,
    ) -> Result<TargetSet, RmlError> {
        let mut set = TargetSet::default();
        let values = self.objects(node, "logicalTarget");
        if values.is_empty() {
            return Ok(set);
        }
        self.targeted.borrow_mut().insert(node.into_owned());
        let nodes = self.target_nodes.borrow();
        for v in values {
            let index = nodes.iter().position(|n| match (n, v) {
                (NamedOrBlankNode::NamedNode(a), TermRef::NamedNode(b)) => a.as_ref() == b,
                (NamedOrBlankNode::BlankNode(a), TermRef::BlankNode(b)) => a.as_ref() == b,
                _ => false,
            });
            // read_targets read every value of rml:logicalTarget.
            if let Some(i) = index {
                set = set.union(TargetSet::one(i));
            }
        }
        Ok(set)
    }

    /// Refuses an `rml:logicalTarget` on a resource that was not read as a term map.
    pub(super) fn check_targets_read(&self) -> Result<(), RmlError> {
        let property = rml("logicalTarget");
        let targeted = self.targeted.borrow();
        let mut stray: Vec<NamedOrBlankNodeRef<'_>> = self
            .doc
            .graph
            .triples_for_predicate(&property)
            .map(|t| t.subject)
            .filter(|s| !targeted.contains(&s.into_owned()))
            .collect();
        stray.sort_by_key(|n| self.order(*n));
        match stray.first() {
            None => Ok(()),
            Some(s) => Err(self.err(
                Some(*s),
                None,
                format!("rml:logicalTarget on {s}, which is not a term map; expected it on a subject, predicate, object, graph, language or datatype map"),
            )),
        }
    }

    /// One `rml:LogicalTarget`.
    fn logical_target(&self, node: NamedOrBlankNodeRef<'_>) -> Result<LogicalTarget, RmlError> {
        let name = node.to_string();
        let err = |message: String| {
            self.err(
                Some(node),
                None,
                format!("logical target {name}: {message}"),
            )
        };
        let (path, written) = match self.objects(node, "target").as_slice() {
            [one] => self.target_path(*one).map_err(err)?,
            [] => return Err(err("it has no rml:target; expected e.g. rml:target [ a rml:FilePath; rml:path \"out.nq\" ]".into())),
            more => return Err(err(format!("it has {} rml:target values; expected one", more.len()))),
        };
        let serialization = match self.objects(node, "serialization").as_slice() {
            [] => Serialization::NQuads,
            [TermRef::NamedNode(n)] => n
                .as_str()
                .strip_prefix(FORMATS)
                .and_then(|local| Serialization::ALL.iter().find(|(_, l)| *l == local))
                .map(|(s, _)| *s)
                .ok_or_else(|| {
                    err(format!(
                        "rml:serialization {n} is not supported; expected one of {}",
                        listed("formats:", Serialization::ALL.iter().map(|(_, l)| *l))
                    ))
                })?,
            [v] => {
                return Err(err(format!(
                    "rml:serialization must be an IRI such as formats:N-Quads, found {v}"
                )))
            }
            _ => {
                return Err(err(
                    "it has several rml:serialization values; expected one".into()
                ))
            }
        };
        const ENCODINGS: [(Encoding, &str); 2] =
            [(Encoding::Utf8, "UTF-8"), (Encoding::Utf16, "UTF-16")];
        let encoding = self
            .rml_choice(node, "encoding", &ENCODINGS)
            .map_err(err)?
            .unwrap_or(Encoding::Utf8);
        const COMPRESSIONS: [(Compression, &str); 5] = [
            (Compression::None, "none"),
            (Compression::Gzip, "gzip"),
            (Compression::Zip, "zip"),
            (Compression::TarXz, "tarxz"),
            (Compression::TarGz, "targz"),
        ];
        let compression = self
            .rml_choice(node, "compression", &COMPRESSIONS)
            .map_err(err)?
            .unwrap_or(Compression::None);
        Ok(LogicalTarget {
            name: name.clone(),
            line: self.doc.lines.get(&node.into_owned()).map(|(l, _)| *l),
            path,
            written,
            serialization,
            encoding,
            compression,
        })
    }

    /// The value of `rml:<property>` among `choices` (local names in the RML namespace).
    fn rml_choice<T: Copy>(
        &self,
        node: NamedOrBlankNodeRef<'_>,
        property: &str,
        choices: &[(T, &str)],
    ) -> Result<Option<T>, String> {
        let expected = || listed("rml:", choices.iter().map(|(_, l)| *l));
        match self.objects(node, property).as_slice() {
            [] => Ok(None),
            [TermRef::NamedNode(n)] => n
                .as_str()
                .strip_prefix(RML)
                .and_then(|local| choices.iter().find(|(_, l)| *l == local))
                .map(|(c, _)| Some(*c))
                .ok_or_else(|| {
                    format!(
                        "rml:{property} {n} is not supported; expected {}",
                        expected()
                    )
                }),
            [v] => Err(format!(
                "rml:{property} must be an IRI, found {v}; expected {}",
                expected()
            )),
            _ => Err(format!(
                "it has several rml:{property} values; expected one"
            )),
        }
    }

    /// The file of an `rml:target`: a `rml:FilePath` (`rml:path`, `rml:root`), a path as a
    /// literal, a `file:` IRI or a `void:Dataset` with a `void:dataDump` file.
    fn target_path(&self, target: TermRef<'_>) -> Result<(PathBuf, String), String> {
        let expected = "expected rml:target [ a rml:FilePath; rml:path \"out.nq\" ] (rml:root rml:MappingDirectory, rml:CurrentWorkingDirectory or a directory path)";
        let node = match target {
            TermRef::Literal(l) => return Ok((self.dir.join(l.value()), l.value().to_owned())),
            TermRef::NamedNode(n) if n.as_str().starts_with("file:") => {
                return file_iri(n.as_str())
            }
            TermRef::NamedNode(n) => NamedOrBlankNodeRef::from(n),
            TermRef::BlankNode(b) => NamedOrBlankNodeRef::from(b),
        };
        let dump = NamedNodeRef::new_unchecked(VOID_DATA_DUMP);
        if let Some(d) = self.doc.graph.object_for_subject_predicate(node, dump) {
            return match d {
                TermRef::NamedNode(n) if n.as_str().starts_with("file:") => file_iri(n.as_str()),
                _ => Err(format!(
                    "void:dataDump {d} is not supported; expected a file: IRI"
                )),
            };
        }
        let path = match self.objects(node, "path").as_slice() {
            [TermRef::Literal(l)] => l.value().to_owned(),
            [] => return Err(format!("the target {node} has no rml:path; {expected}")),
            _ => {
                return Err(format!(
                    "the target {node} needs exactly one rml:path, a string; {expected}"
                ))
            }
        };
        let root = match self.objects(node, "root").as_slice() {
            [] => None,
            [r] => Some(*r),
            _ => {
                return Err(format!(
                    "the target {node} has several rml:root values; expected one"
                ))
            }
        };
        match root {
            None => Ok((self.dir.join(&path), path)),
            Some(r) if r == TermRef::NamedNode(rml("MappingDirectory").as_ref()) => {
                Ok((self.dir.join(&path), path))
            }
            Some(r) if r == TermRef::NamedNode(rml("CurrentWorkingDirectory").as_ref()) => {
                Ok((PathBuf::from(&path), path))
            }
            Some(TermRef::Literal(l)) => {
                let p = Path::new(l.value()).join(&path);
                let written = p.display().to_string();
                Ok((p, written))
            }
            Some(r) => Err(format!("rml:root {r} is not supported; {expected}")),
        }
    }
}

/// The path of a `file:` IRI (`file:///tmp/out.nq`, `file:out.nq`).
fn file_iri(iri: &str) -> Result<(PathBuf, String), String> {
    let path = iri.strip_prefix("file://").unwrap_or(&iri["file:".len()..]);
    if path.is_empty() {
        return Err(format!("<{iri}> names no file"));
    }
    Ok((PathBuf::from(path), path.to_owned()))
}

/// `a:x, a:y or a:z` from the local names of a namespace.
fn listed<'a>(prefix: &str, locals: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = locals.map(|l| format!("{prefix}{l}")).collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::model::{Compression, Encoding, Mapping, Serialization, TargetSet};
    use crate::tests::PREFIXES;
    use crate::{execute, parse_mapping_file, ParseOptions, QuadSink, RmlError, SinkError};

    /// Quads by where they went: "default" or the target's written path.
    #[derive(Default)]
    struct Routed {
        names: Vec<String>,
        out: BTreeMap<String, Vec<String>>,
    }

    impl QuadSink for Routed {
        fn push(&mut self, quad: oxrdf::QuadRef<'_>) -> Result<(), SinkError> {
            self.out
                .entry("default".into())
                .or_default()
                .push(format!("{quad} ."));
            Ok(())
        }

        fn push_to_targets(
            &mut self,
            quad: oxrdf::QuadRef<'_>,
            targets: TargetSet,
        ) -> Result<(), SinkError> {
            assert!(!targets.is_empty());
            for t in targets.iter() {
                let name = self.names[t].clone();
                self.out.entry(name).or_default().push(format!("{quad} ."));
            }
            Ok(())
        }
    }

    const TARGETS: &str = "
        ex:T1 a rml:LogicalTarget; rml:target [ a rml:FilePath; rml:path \"one.nq\" ];
          rml:serialization <http://www.w3.org/ns/formats/N-Quads> .
        ex:T2 a rml:LogicalTarget; rml:target [ a rml:FilePath; rml:root rml:CurrentWorkingDirectory; rml:path \"two.ttl.gz\" ];
          rml:serialization <http://www.w3.org/ns/formats/Turtle>; rml:compression rml:gzip; rml:encoding rml:UTF-16 .
    ";

    fn parse(body: &str) -> (tempfile::TempDir, Result<Mapping, RmlError>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("s.csv"),
            "ID,Name,Age\n1,Ann,30\n2,Bob,40\n",
        )
        .unwrap();
        let path = dir.path().join("mapping.rml.ttl");
        std::fs::write(&path, format!("{PREFIXES}{TARGETS}{body}")).unwrap();
        let m = parse_mapping_file(&path, &ParseOptions::default());
        (dir, m)
    }

    fn routed(body: &str) -> BTreeMap<String, Vec<String>> {
        let (_dir, m) = parse(body);
        let m = m.unwrap();
        let mut sink = Routed {
            names: m.targets.iter().map(|t| t.written.clone()).collect(),
            ..Routed::default()
        };
        execute(&m, &mut sink).unwrap();
        for v in sink.out.values_mut() {
            v.sort();
        }
        sink.out
    }

    const SOURCE: &str = "rml:logicalSource [ rml:referenceFormulation rml:CSV; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"s.csv\" ] ]";

    #[test]
    fn targets_are_read_with_their_options() {
        let (dir, m) = parse(&format!(
            "ex:TM a rml:TriplesMap; {SOURCE}; rml:subjectMap [ rml:template \"http://example.com/{{ID}}\"; rml:logicalTarget ex:T2 ] ."
        ));
        let m = m.unwrap();
        assert_eq!(m.targets.len(), 2);
        let (one, two) = (&m.targets[0], &m.targets[1]);
        assert_eq!(one.name, "<http://example.com/T1>");
        assert_eq!(one.path, dir.path().join("one.nq"));
        assert_eq!(one.line, Some(6));
        assert_eq!(
            (one.serialization, one.encoding, one.compression),
            (Serialization::NQuads, Encoding::Utf8, Compression::None)
        );
        assert_eq!(two.path, std::path::PathBuf::from("two.ttl.gz"));
        assert_eq!(
            (two.serialization, two.encoding, two.compression),
            (Serialization::Turtle, Encoding::Utf16, Compression::Gzip)
        );
        assert_eq!(m.triples_maps[0].subject.term.targets, TargetSet::one(1));
        assert!(m.triples_maps[0].has_targets());
    }

    #[test]
    fn a_quad_goes_to_the_union_of_its_term_maps_targets() {
        let out = routed(&format!(
            "ex:TM a rml:TriplesMap; {SOURCE};
               rml:subjectMap [ rml:template \"http://example.com/{{ID}}\" ];
               rml:predicateObjectMap [ rml:predicateMap [ rml:constant foaf:name; rml:logicalTarget ex:T1 ];
                 rml:objectMap [ rml:reference \"Name\" ] ];
               rml:predicateObjectMap [ rml:predicate foaf:age;
                 rml:objectMap [ rml:reference \"Age\"; rml:datatypeMap [ rml:constant xsd:integer; rml:logicalTarget ex:T2 ] ];
                 rml:objectMap [ rml:reference \"Age\"; rml:languageMap [ rml:constant \"en\"; rml:logicalTarget ex:T1 ] ] ];
               rml:predicateObjectMap [ rml:predicate foaf:nick; rml:objectMap [ rml:reference \"Name\"; rml:logicalTarget ex:T1, ex:T2 ] ];
               rml:predicateObjectMap [ rml:predicate ex:plain; rml:object \"x\" ] ."
        ));
        assert_eq!(
            out["one.nq"],
            [
                "<http://example.com/1> <http://xmlns.com/foaf/0.1/age> \"30\"@en .",
                "<http://example.com/1> <http://xmlns.com/foaf/0.1/name> \"Ann\" .",
                "<http://example.com/1> <http://xmlns.com/foaf/0.1/nick> \"Ann\" .",
                "<http://example.com/2> <http://xmlns.com/foaf/0.1/age> \"40\"@en .",
                "<http://example.com/2> <http://xmlns.com/foaf/0.1/name> \"Bob\" .",
                "<http://example.com/2> <http://xmlns.com/foaf/0.1/nick> \"Bob\" .",
            ]
        );
        assert_eq!(
            out["two.ttl.gz"],
            [
                "<http://example.com/1> <http://xmlns.com/foaf/0.1/age> \"30\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
                "<http://example.com/1> <http://xmlns.com/foaf/0.1/nick> \"Ann\" .",
                "<http://example.com/2> <http://xmlns.com/foaf/0.1/age> \"40\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
                "<http://example.com/2> <http://xmlns.com/foaf/0.1/nick> \"Bob\" .",
            ]
        );
        assert_eq!(
            out["default"],
            [
                "<http://example.com/1> <http://example.com/plain> \"x\" .",
                "<http://example.com/2> <http://example.com/plain> \"x\" .",
            ]
        );
    }

    #[test]
    fn subject_and_graph_targets_cover_every_quad_of_their_maps() {
        let out = routed(&format!(
            "ex:TM a rml:TriplesMap; {SOURCE};
               rml:subjectMap [ rml:template \"http://example.com/{{ID}}\"; rml:class foaf:Person; rml:logicalTarget ex:T1 ];
               rml:predicateObjectMap [ rml:predicate foaf:name; rml:objectMap [ rml:reference \"Name\" ];
                 rml:graphMap [ rml:constant ex:G; rml:logicalTarget ex:T2 ] ] ."
        ));
        assert!(!out.contains_key("default"));
        assert_eq!(out["one.nq"].len(), 4, "{out:?}");
        assert_eq!(
            out["two.ttl.gz"],
            [
                "<http://example.com/1> <http://xmlns.com/foaf/0.1/name> \"Ann\" <http://example.com/G> .",
                "<http://example.com/2> <http://xmlns.com/foaf/0.1/name> \"Bob\" <http://example.com/G> .",
            ]
        );
    }

    #[test]
    fn referencing_object_maps_have_their_own_targets() {
        // Join-less (same source) and joined: the parent subject map's target does not follow
        // its subjects into the child's quads; the referencing object map's does.
        let parent = format!(
            "ex:Parent a rml:TriplesMap; {SOURCE};
               rml:subjectMap [ rml:template \"http://example.com/p/{{ID}}\"; rml:logicalTarget ex:T2 ] ."
        );
        let out = routed(&format!(
            "{parent}
             ex:TM a rml:TriplesMap; {SOURCE};
               rml:subjectMap [ rml:template \"http://example.com/{{ID}}\" ];
               rml:predicateObjectMap [ rml:predicate ex:same; rml:objectMap [ rml:parentTriplesMap ex:Parent ] ];
               rml:predicateObjectMap [ rml:predicate ex:joined; rml:objectMap [ rml:parentTriplesMap ex:Parent;
                 rml:joinCondition [ rml:child \"Name\"; rml:parent \"Name\" ]; rml:logicalTarget ex:T1 ] ] ."
        ));
        assert_eq!(
            out["one.nq"],
            [
                "<http://example.com/1> <http://example.com/joined> <http://example.com/p/1> .",
                "<http://example.com/2> <http://example.com/joined> <http://example.com/p/2> .",
            ]
        );
        assert_eq!(
            out["default"],
            [
                "<http://example.com/1> <http://example.com/same> <http://example.com/p/1> .",
                "<http://example.com/2> <http://example.com/same> <http://example.com/p/2> .",
            ]
        );
        // The parent's own (untyped) quads: none, it has no predicate-object maps.
        assert!(!out.contains_key("two.ttl.gz"));
    }

    #[test]
    fn a_sink_without_targets_gets_every_quad() {
        let (_dir, m) = parse(&format!(
            "ex:TM a rml:TriplesMap; {SOURCE};
               rml:subjectMap [ rml:template \"http://example.com/{{ID}}\"; rml:logicalTarget ex:T1 ];
               rml:predicateObjectMap [ rml:predicate foaf:name; rml:objectMap [ rml:reference \"Name\" ] ] ."
        ));
        let mut all: Vec<oxrdf::Quad> = Vec::new();
        execute(&m.unwrap(), &mut all).unwrap();
        assert_eq!(all.len(), 2);
    }

    fn error_of(targets: &str) -> String {
        let (_dir, m) = parse(&format!(
            "{targets}
             ex:TM a rml:TriplesMap; {SOURCE}; rml:subjectMap [ rml:template \"http://example.com/{{ID}}\"; rml:logicalTarget ex:T3 ] ."
        ));
        m.unwrap_err().to_string()
    }

    #[test]
    fn target_problems_name_the_line() {
        let e = error_of("ex:T3 a rml:LogicalTarget;\n rml:target [ rml:path \"x.nq\" ]; rml:serialization <http://www.w3.org/ns/formats/Nope> .");
        assert!(
            e.contains(":10") && e.contains("formats/Nope>") && e.contains("formats:N-Quads"),
            "{e}"
        );
        let e = error_of("ex:T3 a rml:LogicalTarget; rml:target [ rml:path \"x.nq\" ]; rml:compression <http://example.com/bzip2> .");
        assert!(e.contains(":10") && e.contains("rml:gzip"), "{e}");
        let e = error_of("ex:T3 a rml:LogicalTarget; rml:target [ rml:path \"x.nq\" ]; rml:compression rml:gzp .");
        assert!(
            e.contains(":10") && e.contains("did you mean rml:gzip"),
            "{e}"
        );
        let e = error_of(
            "ex:T3 a rml:LogicalTarget; rml:serialization <http://www.w3.org/ns/formats/Turtle> .",
        );
        assert!(e.contains(":10") && e.contains("no rml:target"), "{e}");
        let e =
            error_of("ex:T3 a rml:LogicalTarget; rml:target [ rml:root rml:MappingDirectory ] .");
        assert!(e.contains("no rml:path"), "{e}");
    }

    #[test]
    fn a_logical_target_outside_term_maps_is_refused() {
        let (_dir, m) = parse(&format!(
            "ex:TM a rml:TriplesMap; {SOURCE}; rml:logicalTarget ex:T1;
               rml:subjectMap [ rml:template \"http://example.com/{{ID}}\" ] ."
        ));
        let e = m.unwrap_err().to_string();
        assert!(e.contains("not a term map") && e.contains(":10"), "{e}");
    }
}
