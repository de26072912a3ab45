//! YARRRML → RML-Core: mappings written in YAML, the way people write them by hand.
//!
//! A YARRRML document (`*.yarrrml.yml`) is read with `saphyr` (which keeps the line of every
//! node) and written out as RML-Core Turtle, which [`crate::parse`] then reads like any other
//! mapping: every check of the Turtle reader applies, and `factgraph translate` shows the
//! result. The writer remembers the YAML line of each Turtle line it writes, so every error,
//! whether found here or by the Turtle reader, names `FILE.yarrrml.yml:LINE`.
//!
//! What is read: `prefixes`, `base`, `sources` (named and inline: `[file.csv~csv]`,
//! `[file.json~jsonpath, '$.iter']`, `[file.xml~xpath, '/iter']`, or `access` /
//! `referenceFormulation` / `iterator`), `mappings` with `s`/`subject`/`subjects` (templates
//! `$(ref)`, blank nodes), `po`/`predicateobjects` (`[p, o]`, `[p, o, datatype]`,
//! `[p, o, lang~lang]`, `~iri` objects, `p`/`o`/`value`/`type`/`datatype`/`language`), `a`
//! for `rdf:type`, `graphs`/`g`, joins (`mapping` + `condition: function: equal`) and
//! functions (`function` + `parameters`, as RML-FNML executions), `condition` on a mapping,
//! an entry or an object (`rml:condition`). `targets` is refused.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use crate::error::RmlError;
use crate::model::Mapping;
use crate::parse::{parse_mapping_str, ParseOptions};

#[cfg(test)]
mod tests;

/// The file name endings of YARRRML mappings in a data directory.
pub const SUFFIXES: [&str; 2] = [".yarrrml.yml", ".yarrrml.yaml"];

/// Is `path` a YARRRML mapping? (`*.yml` / `*.yaml`: no Turtle file is named so.)
pub fn is_yarrrml_path(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        let n = n.to_ascii_lowercase();
        n.ends_with(".yml") || n.ends_with(".yaml")
    })
}

/// A YARRRML document translated into RML-Core Turtle.
#[derive(Debug, Clone)]
pub struct Translation {
    /// The RML-Core Turtle.
    pub turtle: String,
    /// For each Turtle line (index 0 is line 1), the YAML line it was written from.
    lines: Vec<u64>,
}

impl Translation {
    /// The YAML line a line of [`Self::turtle`] (1-based) was written from.
    pub fn yaml_line(&self, turtle_line: u64) -> u64 {
        let i = turtle_line.saturating_sub(1) as usize;
        self.lines
            .get(i)
            .or(self.lines.last())
            .copied()
            .unwrap_or(1)
    }
}

/// Reads the YARRRML mapping in `path` and translates it into RML-Core Turtle, unchecked.
pub fn translate_file(path: &Path) -> Result<Translation, RmlError> {
    let text = read(path)?;
    translate_str(&text, &path.display().to_string())
}

/// Translates YARRRML text into RML-Core Turtle; `file` names it in messages.
pub fn translate_str(text: &str, file: &str) -> Result<Translation, RmlError> {
    let docs = MarkedYaml::load_from_str(text).map_err(|e| RmlError::Mapping {
        file: file.to_owned(),
        line: Some(e.marker().line() as u64),
        triples_map: None,
        message: format!(
            "invalid YAML (column {}): {}",
            e.marker().col() + 1,
            e.info()
        ),
    })?;
    let Some(doc) = docs.first() else {
        return Err(err(
            file,
            1,
            "the file holds no YAML document; expected a YARRRML mapping with `mappings:`".into(),
        ));
    };
    if docs.len() > 1 {
        return Err(err(
            file,
            line(&docs[1]),
            "a second YAML document; expected one YARRRML mapping per file".into(),
        ));
    }
    Writer::new(file).document(doc)
}

/// Reads, translates and checks the YARRRML mapping in `path`, returning the RML-Core Turtle
/// (what `factgraph translate` prints). Errors name the YAML file and line.
pub fn to_rml(path: &Path, options: &ParseOptions) -> Result<String, RmlError> {
    let text = read(path)?;
    let (_, translation) = parse_text(&text, path, options)?;
    Ok(translation.turtle)
}

/// Reads and checks the YARRRML mapping in `path`: the same [`Mapping`] its RML translation
/// gives, with lines (of triples maps, warnings and errors) in the YAML file.
pub fn parse_yarrrml_file(path: &Path, options: &ParseOptions) -> Result<Mapping, RmlError> {
    let text = read(path)?;
    parse_text(&text, path, options).map(|(m, _)| m)
}

/// Reads and checks YARRRML given as text; `path` names it and anchors relative source paths.
pub fn parse_yarrrml_str(
    text: &str,
    path: &Path,
    options: &ParseOptions,
) -> Result<Mapping, RmlError> {
    parse_text(text, path, options).map(|(m, _)| m)
}

fn read(path: &Path) -> Result<String, RmlError> {
    std::fs::read_to_string(path).map_err(|source| RmlError::Io {
        path: path.to_owned(),
        source,
    })
}

fn parse_text(
    text: &str,
    path: &Path,
    options: &ParseOptions,
) -> Result<(Mapping, Translation), RmlError> {
    let file = path.display().to_string();
    let translation = translate_str(text, &file)?;
    let mut mapping = parse_mapping_str(&translation.turtle, path, options)
        .map_err(|e| relocate(e, &translation, &file))?;
    for tm in &mut mapping.triples_maps {
        tm.line = tm.line.map(|l| translation.yaml_line(l));
        tm.name = mapping_name(&tm.name);
    }
    for w in &mut mapping.warnings {
        w.line = translation.yaml_line(w.line);
    }
    for t in &mut mapping.targets {
        t.line = t.line.map(|l| translation.yaml_line(l));
    }
    Ok((mapping, translation))
}

/// An error of the Turtle reader, moved to the YAML line the Turtle came from.
fn relocate(e: RmlError, t: &Translation, file: &str) -> RmlError {
    match e {
        RmlError::Syntax { line, message, .. } => RmlError::Mapping {
            file: file.to_owned(),
            line: Some(t.yaml_line(line)),
            triples_map: None,
            message: format!("{message} (line {line} of its RML translation)"),
        },
        RmlError::Mapping {
            line,
            triples_map,
            message,
            ..
        } => RmlError::Mapping {
            file: file.to_owned(),
            line: line.map(|l| t.yaml_line(l)),
            triples_map: triples_map.map(|n| mapping_name(&n)),
            message,
        },
        other => other,
    }
}

/// The YARRRML name of a triples map the translation calls `<yarrrml:NAME>` (percent-encoded).
fn mapping_name(turtle_name: &str) -> String {
    let Some(encoded) = turtle_name
        .strip_prefix("<yarrrml:")
        .and_then(|n| n.strip_suffix('>'))
    else {
        return turtle_name.to_owned();
    };
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn err(file: &str, line: u64, message: String) -> RmlError {
    RmlError::Mapping {
        file: file.to_owned(),
        line: Some(line),
        triples_map: None,
        message,
    }
}

fn line(n: &MarkedYaml<'_>) -> u64 {
    n.span.start.line() as u64
}

/// The prefixes every YARRRML document may use without declaring them.
const DEFAULT_PREFIXES: &[(&str, &str)] = &[
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("schema", "http://schema.org/"),
    ("dc", "http://purl.org/dc/elements/1.1/"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("rr", "http://www.w3.org/ns/r2rml#"),
    ("rml", "http://w3id.org/rml/"),
    ("grel", "http://users.ugent.be/~bjdmeest/function/grel.ttl#"),
    ("idlab-fn", "https://w3id.org/imec/idlab/function#"),
    ("fno", "https://w3id.org/function/ontology#"),
];

/// IRI schemes written without `//` that are not prefixes.
const SCHEMES: &[&str] = &[
    "urn", "mailto", "tag", "file", "data", "tel", "geo", "doi", "info", "did", "isbn",
];

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

const TOP_KEYS: &[&str] = &[
    "prefixes", "base", "sources", "mappings", "mapping", "targets", "authors", "author",
];
const MAPPING_KEYS: &[&str] = &[
    "sources",
    "source",
    "s",
    "subject",
    "subjects",
    "po",
    "predicateobjects",
    "graphs",
    "graph",
    "g",
    "condition",
    "targets",
    "authors",
];
const SOURCE_KEYS: &[&str] = &[
    "access",
    "referenceFormulation",
    "iterator",
    "query",
    "type",
];
const PO_KEYS: &[&str] = &[
    "p",
    "predicates",
    "predicate",
    "o",
    "objects",
    "object",
    "graphs",
    "graph",
    "g",
    "condition",
];
const OBJECT_KEYS: &[&str] = &[
    "value",
    "type",
    "datatype",
    "language",
    "mapping",
    "condition",
    "function",
    "fn",
    "f",
    "parameters",
    "pms",
    "targets",
];
const CONDITION_KEYS: &[&str] = &["function", "fn", "f", "parameters", "pms"];
const PARAMETER_KEYS: &[&str] = &["parameter", "value", "from", "type"];

/// A logical source as YARRRML gives it.
#[derive(Clone)]
struct Source {
    access: String,
    formulation: &'static str,
    iterator: Option<String>,
    line: u64,
}

/// Where a term's value comes from, in RML terms.
enum Val {
    Constant(String),
    Reference(String),
    Template(String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Iri,
    Literal,
    Blank,
}

struct Writer<'f> {
    file: &'f str,
    prefixes: Vec<(String, String)>,
    out: String,
    lines: Vec<u64>,
}

type Entries<'a, 'y> = Vec<(String, u64, &'a MarkedYaml<'y>)>;

impl<'f> Writer<'f> {
    fn new(file: &'f str) -> Self {
        Self {
            file,
            prefixes: DEFAULT_PREFIXES
                .iter()
                .map(|(p, i)| ((*p).to_owned(), (*i).to_owned()))
                .collect(),
            out: String::new(),
            lines: Vec::new(),
        }
    }

    fn emit(&mut self, yaml_line: u64, text: &str) {
        for l in text.split('\n') {
            self.out.push_str(l);
            self.out.push('\n');
            self.lines.push(yaml_line);
        }
    }

    fn err(&self, line: u64, message: String) -> RmlError {
        err(self.file, line, message)
    }

    // ------------------------------------------------------------ YAML access

    fn scalar(&self, n: &MarkedYaml<'_>, what: &str) -> Result<String, RmlError> {
        scalar(n).ok_or_else(|| {
            self.err(
                line(n),
                format!(
                    "{what} should be a single value (text), not {}",
                    describe(n)
                ),
            )
        })
    }

    /// The entries of a YAML mapping, each key checked against `allowed`.
    fn entries<'a, 'y>(
        &self,
        n: &'a MarkedYaml<'y>,
        what: &str,
        allowed: &[&str],
    ) -> Result<Entries<'a, 'y>, RmlError> {
        let YamlData::Mapping(m) = &n.data else {
            return Err(self.err(
                line(n),
                format!(
                    "{what} should be a mapping of keys to values, not {}",
                    describe(n)
                ),
            ));
        };
        let mut out = Vec::new();
        for (k, v) in m.iter() {
            let key = self.scalar(k, "a key")?;
            if !allowed.is_empty() && !allowed.contains(&key.as_str()) {
                let hint = closest(&key, allowed)
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                return Err(self.err(
                    line(k),
                    format!(
                        "unknown key `{key}` in {what}; {hint}expected one of {}",
                        allowed
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            out.push((key, line(k), v));
        }
        Ok(out)
    }

    /// A value or a list of values, as a list.
    fn list<'a, 'y>(&self, n: &'a MarkedYaml<'y>) -> Vec<&'a MarkedYaml<'y>> {
        match &n.data {
            YamlData::Sequence(s) => s.iter().collect(),
            _ => vec![n],
        }
    }

    // ------------------------------------------------------------ document

    fn document(mut self, doc: &MarkedYaml<'_>) -> Result<Translation, RmlError> {
        let top = self.entries(doc, "the document", TOP_KEYS)?;
        let mut base = None;
        let mut named_sources: HashMap<String, Vec<Source>> = HashMap::new();
        let mut mappings = None;
        for (key, kline, v) in &top {
            match key.as_str() {
                "prefixes" => {
                    for (p, _, iri) in self.entries(v, "`prefixes`", &[])? {
                        let iri = self.scalar(iri, "a prefix's IRI")?;
                        self.prefixes.retain(|(q, _)| *q != p);
                        self.prefixes.push((p, iri));
                    }
                }
                "base" => base = Some((self.scalar(v, "`base`")?, *kline)),
                "targets" => return Err(self.err(*kline, "`targets` is not supported: factgraph writes its output itself (`factgraph map`, `factgraph load`); remove the key".into())),
                "authors" | "author" => {}
                _ => {}
            }
        }
        for (key, _, v) in &top {
            match key.as_str() {
                "sources" => {
                    for (name, _, s) in self.entries(v, "`sources`", &[])? {
                        let sources = self.sources(s)?;
                        named_sources.insert(name, sources);
                    }
                }
                "mappings" | "mapping" => mappings = Some(*v),
                _ => {}
            }
        }
        let Some(mappings) = mappings else {
            return Err(self.err(line(doc), "the document has no `mappings`; expected `mappings:` with one entry per kind of subject".into()));
        };
        // Header.
        let first = line(doc);
        if let Some((b, l)) = &base {
            let b = self.expand(b);
            self.emit(*l, &format!("@base {} .", iri(&b)));
        }
        let prefixes = self.prefixes.clone();
        for (p, i) in &prefixes {
            self.emit(first, &format!("@prefix {p}: {} .", iri(i)));
        }
        self.emit(first, "@prefix yarrrml: <yarrrml:> .");
        // First pass: every mapping's sources and subjects, so that joins may name any map.
        let entries = self.entries(mappings, "`mappings`", &[])?;
        let mut maps: Vec<MapInfo<'_, '_>> = Vec::new();
        for (name, nline, body) in &entries {
            let fields = self.entries(body, &format!("mapping `{name}`"), MAPPING_KEYS)?;
            let mut sources = Vec::new();
            let mut subjects: Vec<Option<&MarkedYaml<'_>>> = Vec::new();
            let mut po = Vec::new();
            let mut graphs = Vec::new();
            let mut condition = None;
            for (key, kline, v) in &fields {
                match key.as_str() {
                    "sources" | "source" => {
                        let items = self.list(v);
                        // `sources: [file.json~jsonpath, '$.iter']` is one source in short form.
                        let texts: Vec<Option<String>> = items.iter().map(|i| scalar(i)).collect();
                        if let [Some(_), Some(iter)] = texts.as_slice() {
                            if matches!(v.data, YamlData::Sequence(_))
                                && !iter.contains('~')
                                && !named_sources.contains_key(iter)
                            {
                                sources.push(self.short_source(v, items)?);
                                continue;
                            }
                        }
                        for s in items {
                            match scalar(s) {
                                Some(n) if named_sources.contains_key(&n) => {
                                    sources.extend(named_sources[&n].iter().cloned())
                                }
                                Some(n) if !n.contains('~') => {
                                    let mut names: Vec<&str> =
                                        named_sources.keys().map(String::as_str).collect();
                                    names.sort_unstable();
                                    let hint = closest(&n, &names)
                                        .map(|s| format!("did you mean `{s}`? "))
                                        .unwrap_or_default();
                                    return Err(self.err(line(s), format!("no source named `{n}` under `sources`; {hint}expected a source's name or an inline source such as `[file.csv~csv]`")));
                                }
                                _ => sources.extend(self.sources(s)?),
                            }
                        }
                    }
                    "s" | "subject" | "subjects" => match &v.data {
                        YamlData::Sequence(s) => subjects.extend(s.iter().map(Some)),
                        _ => subjects.push(Some(*v)),
                    },
                    "po" | "predicateobjects" => po.extend(self.list(v)),
                    "graphs" | "graph" | "g" => graphs.extend(self.list(v)),
                    "condition" => condition = Some(*v),
                    "targets" => return Err(self.err(*kline, "`targets` is not supported: factgraph writes its output itself (`factgraph map`, `factgraph load`); remove the key".into())),
                    _ => {}
                }
            }
            if sources.is_empty() {
                return Err(self.err(*nline, format!("mapping `{name}` has no `sources`; expected e.g. `sources: [file.csv~csv]`")));
            }
            if subjects.is_empty() {
                subjects.push(None);
            }
            let mut iris = Vec::new();
            for si in 0..sources.len() {
                for sj in 0..subjects.len() {
                    let mut id = name.clone();
                    if sources.len() > 1 {
                        let _ = write!(id, "_source{}", si + 1);
                    }
                    if subjects.len() > 1 {
                        let _ = write!(id, "_subject{}", sj + 1);
                    }
                    iris.push((si, sj, format!("<yarrrml:{}>", encode_name(&id))));
                }
            }
            maps.push(MapInfo {
                name: name.clone(),
                line: *nline,
                sources,
                subjects,
                po,
                graphs,
                condition,
                iris,
            });
        }
        if maps.is_empty() {
            return Err(self.err(
                line(mappings),
                "`mappings` is empty; expected at least one mapping".into(),
            ));
        }
        let names: Vec<(String, Vec<String>)> = maps
            .iter()
            .map(|m| {
                (
                    m.name.clone(),
                    m.iris.iter().map(|(_, _, i)| i.clone()).collect(),
                )
            })
            .collect();
        for m in &maps {
            self.triples_maps(m, &names)?;
        }
        Ok(Translation {
            turtle: compact(&self.out, &{
                let mut all = self.prefixes.clone();
                all.push(("yarrrml".into(), "yarrrml:".into()));
                all
            }),
            lines: self.lines,
        })
    }

    // ------------------------------------------------------------ sources

    fn sources(&self, n: &MarkedYaml<'_>) -> Result<Vec<Source>, RmlError> {
        match &n.data {
            YamlData::Sequence(items) => {
                // `[file~csv]`, `[file~jsonpath, iterator]`, or a list of such sources.
                if items.iter().all(|i| scalar(i).is_some()) {
                    Ok(vec![self.short_source(n, items.iter().collect())?])
                } else {
                    let mut out = Vec::new();
                    for i in items.iter() {
                        out.extend(self.sources(i)?);
                    }
                    Ok(out)
                }
            }
            YamlData::Mapping(_) => {
                let mut access = None;
                let mut formulation = None;
                let mut iterator = None;
                for (key, kline, v) in self.entries(n, "a source", SOURCE_KEYS)? {
                    match key.as_str() {
                        "access" => access = Some(self.scalar(v, "`access`")?),
                        "referenceFormulation" => {
                            let f = self.scalar(v, "`referenceFormulation`")?;
                            formulation = Some(self.formulation(&f, line(v))?);
                        }
                        "iterator" => iterator = Some(self.scalar(v, "`iterator`")?),
                        _ => return Err(self.err(kline, format!("`{key}` is not supported: factgraph reads files (CSV, JSON, XML), not databases or SPARQL endpoints; expected `access`, `referenceFormulation`, `iterator`"))),
                    }
                }
                let Some(access) = access else {
                    return Err(self.err(
                        line(n),
                        "the source has no `access`; expected the file's path".into(),
                    ));
                };
                let formulation = match formulation {
                    Some(f) => f,
                    None => self.guess_formulation(&access, line(n))?,
                };
                Ok(vec![Source {
                    access,
                    formulation,
                    iterator,
                    line: line(n),
                }])
            }
            _ => Ok(vec![self.short_source(n, vec![n])?]),
        }
    }

    fn short_source(
        &self,
        n: &MarkedYaml<'_>,
        items: Vec<&MarkedYaml<'_>>,
    ) -> Result<Source, RmlError> {
        let Some(first) = items.first() else {
            return Err(self.err(line(n), "an empty source; expected `[file.csv~csv]`".into()));
        };
        if items.len() > 2 {
            return Err(self.err(line(n), "a source in short form has at most two items; expected `[file~formulation]` or `[file~formulation, iterator]`".into()));
        }
        let text = self.scalar(first, "a source")?;
        let (access, formulation) = match text.rsplit_once('~') {
            Some((a, f)) => (a.to_owned(), self.formulation(f, line(first))?),
            None => (text.clone(), self.guess_formulation(&text, line(first))?),
        };
        let iterator = match items.get(1) {
            Some(i) => Some(self.scalar(i, "an iterator")?),
            None => None,
        };
        Ok(Source {
            access,
            formulation,
            iterator,
            line: line(first),
        })
    }

    fn formulation(&self, f: &str, line: u64) -> Result<&'static str, RmlError> {
        let local = f.rsplit([':', '#', '/']).next().unwrap_or(f);
        match local.to_ascii_lowercase().as_str() {
            "csv" => Ok("CSV"),
            "jsonpath" | "json" => Ok("JSONPath"),
            "xpath" | "xml" => Ok("XPath"),
            _ => Err(self.err(
                line,
                format!(
                    "unknown reference formulation `{f}`; expected `csv`, `jsonpath` or `xpath`"
                ),
            )),
        }
    }

    fn guess_formulation(&self, access: &str, line: u64) -> Result<&'static str, RmlError> {
        let lower = access.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Ok("CSV")
        } else if lower.ends_with(".json") {
            Ok("JSONPath")
        } else if lower.ends_with(".xml") {
            Ok("XPath")
        } else {
            Err(self.err(line, format!("cannot tell how to read `{access}`; expected `{access}~csv`, `~jsonpath` or `~xpath`")))
        }
    }

    // ------------------------------------------------------------ triples maps

    fn triples_maps(
        &mut self,
        m: &MapInfo<'_, '_>,
        names: &[(String, Vec<String>)],
    ) -> Result<(), RmlError> {
        for (si, sj, id) in &m.iris {
            let source = &m.sources[*si];
            self.emit(m.line, "");
            self.emit(m.line, &format!("{id} a rml:TriplesMap ;"));
            let mut ls = format!(
                "  rml:logicalSource [ a rml:LogicalSource ; rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path {} ] ; rml:referenceFormulation rml:{}",
                literal(&source.access),
                source.formulation
            );
            if let Some(it) = &source.iterator {
                let _ = write!(ls, " ; rml:iterator {}", literal(it));
            }
            ls.push_str(" ] ;");
            self.emit(source.line, &ls);
            // Subject map, with the mapping's graphs.
            let mut graphs = Vec::new();
            for g in &m.graphs {
                graphs.push((line(g), self.graph_map(g)?));
            }
            let subject = m.subjects[*sj];
            let (sline, mut smap) = match subject {
                Some(s) => (line(s), self.subject_map(s)?),
                None => (m.line, "[ rml:termType rml:BlankNode".to_owned()),
            };
            if let Some(c) = m.condition {
                smap.push_str(&self.condition_triples(c)?);
            }
            if graphs.is_empty() {
                self.emit(sline, &format!("  rml:subjectMap {smap} ] ;"));
            } else {
                self.emit(sline, &format!("  rml:subjectMap {smap}"));
                for (gl, g) in graphs {
                    self.emit(gl, &format!("      ; rml:graphMap {g}"));
                }
                self.emit(sline, "    ] ;");
            }
            for po in &m.po {
                self.predicate_object(po, names)?;
            }
            self.emit(m.line, "  .");
        }
        Ok(())
    }

    /// A subject map, without its closing bracket (graph maps may follow).
    fn subject_map(&self, s: &MarkedYaml<'_>) -> Result<String, RmlError> {
        if let YamlData::Mapping(_) = &s.data {
            let map = self.object(s, Kind::Iri, false)?;
            let Some(inner) = map.strip_suffix(" ]") else {
                return Ok(map);
            };
            return Ok(inner.to_owned());
        }
        if matches!(&s.data, YamlData::Value(Scalar::Null)) {
            return Ok("[ rml:termType rml:BlankNode".to_owned());
        }
        let text = self.scalar(s, "a subject")?;
        let (text, explicit) = split_type(&text);
        let (kind, text) = match (explicit, text.strip_prefix("_:")) {
            (Some(Kind::Literal), _) => {
                return Err(self.err(
                    line(s),
                    "a subject cannot be a literal; expected an IRI or a blank node".into(),
                ))
            }
            (_, Some(rest)) => (Kind::Blank, rest.to_owned()),
            (Some(k), None) => (k, text.to_owned()),
            (None, None) => (Kind::Iri, text.to_owned()),
        };
        let text = if kind == Kind::Iri {
            self.expand_iri(&text, line(s))?
        } else {
            text
        };
        let val = self.value(&text, line(s))?;
        Ok(format!(
            "[ {}{}",
            value_triples(&val, kind),
            term_type(kind, &val, Kind::Iri)
        ))
    }

    fn graph_map(&self, g: &MarkedYaml<'_>) -> Result<String, RmlError> {
        let text = self.scalar(g, "a graph")?;
        let text = self.expand_iri(split_type(&text).0, line(g))?;
        let val = self.value(&text, line(g))?;
        Ok(format!("[ {} ]", value_triples(&val, Kind::Iri)))
    }

    fn predicate_object(
        &mut self,
        po: &MarkedYaml<'_>,
        names: &[(String, Vec<String>)],
    ) -> Result<(), RmlError> {
        let pline = line(po);
        let mut predicates: Vec<&MarkedYaml<'_>> = Vec::new();
        // (object node, datatype-or-language node given beside it in a short form)
        let mut objects: Vec<(&MarkedYaml<'_>, Option<&MarkedYaml<'_>>)> = Vec::new();
        let mut graphs = Vec::new();
        let mut condition = None;
        match &po.data {
            YamlData::Sequence(items) => {
                let items: Vec<_> = items.iter().collect();
                if !(2..=3).contains(&items.len()) {
                    return Err(self.err(pline, format!("a predicate-object entry in short form has {} items; expected `[predicate, object]` or `[predicate, object, datatype]` (or `language~lang`)", items.len())));
                }
                predicates.extend(self.list(items[0]));
                for o in self.list(items[1]) {
                    objects.push((o, items.get(2).copied()));
                }
            }
            YamlData::Mapping(_) => {
                for (key, _, v) in self.entries(po, "a predicate-object entry", PO_KEYS)? {
                    match key.as_str() {
                        "p" | "predicates" | "predicate" => predicates.extend(self.list(v)),
                        "o" | "objects" | "object" => match &v.data {
                            // `o: [value, datatype]` is one object in short form.
                            YamlData::Sequence(items)
                                if items.len() == 2
                                    && items.iter().all(|i| scalar(i).is_some())
                                    && scalar(&items[1]).is_some_and(|t| {
                                        t.ends_with("~lang") || self.looks_like_datatype(&t)
                                    }) =>
                            {
                                objects.push((&items[0], Some(&items[1])))
                            }
                            YamlData::Sequence(items) => {
                                for i in items.iter() {
                                    match &i.data {
                                        YamlData::Sequence(pair) if (1..=2).contains(&pair.len()) => {
                                            objects.push((&pair[0], pair.get(1)))
                                        }
                                        _ => objects.push((i, None)),
                                    }
                                }
                            }
                            _ => objects.push((v, None)),
                        },
                        "condition" => condition = Some(v),
                        _ => graphs.extend(self.list(v)),
                    }
                }
            }
            _ => return Err(self.err(pline, format!("a predicate-object entry should be `[predicate, object]` or a mapping with `p` and `o`, not {}", describe(po)))),
        }
        if predicates.is_empty() {
            return Err(self.err(
                pline,
                "the predicate-object entry has no predicate; expected `p:`".into(),
            ));
        }
        if objects.is_empty() {
            return Err(self.err(
                pline,
                "the predicate-object entry has no object; expected `o:`".into(),
            ));
        }
        self.emit(pline, "  rml:predicateObjectMap [");
        let mut is_type = false;
        let mut first = true;
        for p in &predicates {
            let text = self.scalar(p, "a predicate")?;
            let text = if text == "a" {
                RDF_TYPE.to_owned()
            } else {
                self.expand_iri(split_type(&text).0, line(p))?
            };
            is_type |= text == RDF_TYPE;
            let val = self.value(&text, line(p))?;
            let sep = if first { "    " } else { "    ; " };
            first = false;
            let map = match &val {
                Val::Constant(c) => format!("rml:predicate {}", iri(c)),
                v => format!("rml:predicateMap [ {} ]", value_triples(v, Kind::Iri)),
            };
            self.emit(line(p), &format!("{sep}{map}"));
        }
        for (o, extra) in objects {
            let default = if is_type { Kind::Iri } else { Kind::Literal };
            let text = match &o.data {
                YamlData::Mapping(m)
                    if m.iter()
                        .any(|(k, _)| scalar(k).as_deref() == Some("mapping")) =>
                {
                    if let Some(c) = condition {
                        return Err(self.err(line(c), "a `condition` beside a join is not supported; give the join's own `condition: function: equal`".into()));
                    }
                    self.join(o, names)?
                }
                _ => {
                    let mut map = self.object(o, default, is_type)?;
                    if let Some(x) = extra {
                        let extra = self.scalar(x, "a datatype or language")?;
                        let inner = map.strip_suffix(" ]").unwrap_or(&map).to_owned();
                        map = format!("{inner}{} ]", self.lang_or_datatype(&extra, line(x))?);
                    }
                    if let Some(c) = condition {
                        let inner = map.strip_suffix(" ]").unwrap_or(&map).to_owned();
                        map = format!("{inner}{} ]", self.condition_triples(c)?);
                    }
                    map
                }
            };
            self.emit(line(o), &format!("    ; rml:objectMap {text}"));
        }
        for g in graphs {
            let gm = self.graph_map(g)?;
            self.emit(line(g), &format!("    ; rml:graphMap {gm}"));
        }
        self.emit(pline, "  ] ;");
        Ok(())
    }

    /// `; rml:language "en"`, `; rml:datatype <…>` (or their maps) for a short form's third item.
    fn lang_or_datatype(&self, text: &str, line: u64) -> Result<String, RmlError> {
        if let Some(lang) = text.strip_suffix("~lang") {
            return Ok(match self.value(lang, line)? {
                Val::Constant(c) => format!(" ; rml:language {}", literal(&c)),
                v => format!(
                    " ; rml:languageMap [ {} ]",
                    value_triples(&v, Kind::Literal)
                ),
            });
        }
        let dt = self.expand_iri(text, line)?;
        Ok(match self.value(&dt, line)? {
            Val::Constant(c) => {
                if !crate::exec::is_absolute_iri(&c) {
                    return Err(self.err(line, format!("the datatype `{text}` is not an IRI; expected a datatype such as `xsd:integer` (with a declared prefix), or `{text}~lang` for a language")));
                }
                format!(" ; rml:datatype {}", iri(&c))
            }
            v => format!(" ; rml:datatypeMap [ {} ]", value_triples(&v, Kind::Iri)),
        })
    }

    fn looks_like_datatype(&self, t: &str) -> bool {
        let e = self.expand(t);
        e != t && e.starts_with("http://www.w3.org/")
    }

    /// A term map for an object (or a subject given as a mapping), `[ … ]`.
    fn object(&self, o: &MarkedYaml<'_>, default: Kind, is_type: bool) -> Result<String, RmlError> {
        let oline = line(o);
        if let YamlData::Mapping(_) = &o.data {
            let fields = self.entries(o, "an object", OBJECT_KEYS)?;
            let get = |k: &[&str]| fields.iter().find(|(key, _, _)| k.contains(&key.as_str()));
            let kind = match get(&["type"]) {
                Some((_, _, t)) => {
                    let t = self.scalar(t, "`type`")?;
                    match t.to_ascii_lowercase().as_str() {
                        "iri" => Kind::Iri,
                        "literal" => Kind::Literal,
                        "blank" | "blanknode" => Kind::Blank,
                        _ => {
                            return Err(self.err(
                                oline,
                                format!(
                                    "unknown `type: {t}`; expected `iri`, `literal` or `blank`"
                                ),
                            ))
                        }
                    }
                }
                None => default,
            };
            let mut tail = String::new();
            if let Some((_, _, d)) = get(&["datatype"]) {
                tail.push_str(&self.lang_or_datatype(&self.scalar(d, "`datatype`")?, line(d))?);
            }
            if let Some((_, _, l)) = get(&["language"]) {
                let l = self.scalar(l, "`language`")?;
                tail.push_str(&self.lang_or_datatype(&format!("{l}~lang"), line(o))?);
            }
            if let Some((_, _, c)) = get(&["condition"]) {
                tail.push_str(&self.condition_triples(c)?);
            }
            if get(&["function", "fn", "f"]).is_some() {
                let exec = self.execution(o)?;
                let tt = match kind {
                    Kind::Iri => " ; rml:termType rml:IRI",
                    Kind::Blank => " ; rml:termType rml:BlankNode",
                    Kind::Literal => " ; rml:termType rml:Literal",
                };
                return Ok(format!("[ rml:functionExecution {exec}{tt}{tail} ]"));
            }
            let Some((_, _, v)) = get(&["value"]) else {
                return Err(self.err(oline, "the object has no `value`; expected `value:` (or `mapping:` for a join, `function:` for a function)".into()));
            };
            let text = self.scalar(v, "`value`")?;
            let (text, explicit) = split_type(&text);
            let kind = if get(&["type"]).is_some() {
                kind
            } else {
                explicit.unwrap_or(kind)
            };
            let text = if kind == Kind::Iri {
                self.expand_iri(text, line(v))?
            } else {
                text.to_owned()
            };
            let val = self.value(&text, line(v))?;
            return Ok(format!(
                "[ {}{}{tail} ]",
                value_triples(&val, kind),
                term_type(kind, &val, Kind::Literal)
            ));
        }
        let text = self.scalar(o, "an object")?;
        let (text, explicit) = split_type(&text);
        let kind = match explicit {
            Some(k) => k,
            None if is_type => Kind::Iri,
            None => {
                // A constant written as an IRI or a prefixed name is an IRI.
                let e = self.expand(text);
                if default == Kind::Literal
                    && !text.contains("$(")
                    && (e != text || text.starts_with("http://") || text.starts_with("https://"))
                {
                    Kind::Iri
                } else {
                    default
                }
            }
        };
        let text = if kind == Kind::Iri {
            self.expand_iri(text, oline)?
        } else {
            text.to_owned()
        };
        let val = self.value(&text, oline)?;
        Ok(format!(
            "[ {}{} ]",
            value_triples(&val, kind),
            term_type(kind, &val, Kind::Literal)
        ))
    }

    /// `; rml:condition [ … ]`: the term map gives a term only where the function returns true.
    fn condition_triples(&self, c: &MarkedYaml<'_>) -> Result<String, RmlError> {
        Ok(format!(
            " ; rml:condition [ rml:functionExecution {} ]",
            self.execution(c)?
        ))
    }

    /// `[ rml:function <…> ; rml:input […] , … ]` for an object with `function` and `parameters`.
    fn execution(&self, o: &MarkedYaml<'_>) -> Result<String, RmlError> {
        let fields = self.entries(o, "a function", OBJECT_KEYS)?;
        let mut function = None;
        let mut inputs = Vec::new();
        for (key, _, v) in &fields {
            match key.as_str() {
                "function" | "fn" | "f" => {
                    let f = self.scalar(v, "`function`")?;
                    function = Some(self.expand(&f));
                }
                "parameters" | "pms" => {
                    for p in self.list(v) {
                        inputs.push(self.input(p)?);
                    }
                }
                "type" | "datatype" | "language" | "condition" => {}
                _ => return Err(self.err(line(v), format!("`{key}` does not go with `function`; expected `function`, `parameters` (and `type`, `datatype`, `language` for the result)"))),
            }
        }
        let Some(function) = function else {
            return Err(self.err(line(o), "no `function`".into()));
        };
        let mut out = format!("[ rml:function {}", iri(&function));
        if !inputs.is_empty() {
            let _ = write!(out, " ; rml:input {}", inputs.join(" , "));
        }
        out.push_str(" ]");
        Ok(out)
    }

    /// One `rml:input` from `[parameter, value]` or `{parameter: …, value: …}`.
    fn input(&self, p: &MarkedYaml<'_>) -> Result<String, RmlError> {
        let (param, value) = match &p.data {
            YamlData::Sequence(items) if items.len() == 2 => (&items[0], &items[1]),
            YamlData::Mapping(_) => {
                let fields = self.entries(p, "a parameter", PARAMETER_KEYS)?;
                let get = |k: &str| fields.iter().find(|(key, _, _)| key == k).map(|f| f.2);
                match (get("parameter"), get("value")) {
                    (Some(a), Some(b)) => (a, b),
                    _ => {
                        return Err(
                            self.err(line(p), "a parameter needs `parameter` and `value`".into())
                        )
                    }
                }
            }
            _ => {
                return Err(self.err(
                    line(p),
                    format!(
                        "a parameter should be `[parameter, value]`, not {}",
                        describe(p)
                    ),
                ))
            }
        };
        let name = self.expand(&self.scalar(param, "a parameter's name")?);
        let map = match &value.data {
            YamlData::Mapping(_) => format!("[ rml:functionExecution {} ]", self.execution(value)?),
            _ => {
                let text = self.scalar(value, "a parameter's value")?;
                let (text, explicit) = split_type(&text);
                let kind = explicit.unwrap_or(Kind::Literal);
                let text = if kind == Kind::Iri {
                    self.expand_iri(text, line(value))?
                } else {
                    text.to_owned()
                };
                let val = self.value(&text, line(value))?;
                format!(
                    "[ {}{} ]",
                    value_triples(&val, kind),
                    term_type(kind, &val, Kind::Literal)
                )
            }
        };
        Ok(format!(
            "[ rml:parameter {} ; rml:inputValueMap {map} ]",
            iri(&name)
        ))
    }

    /// A referencing object map: `mapping: NAME` with `condition`s.
    fn join(
        &self,
        o: &MarkedYaml<'_>,
        names: &[(String, Vec<String>)],
    ) -> Result<String, RmlError> {
        let fields = self.entries(o, "a join", &["mapping", "condition"])?;
        let mut parent = None;
        let mut conditions = Vec::new();
        for (key, _, v) in &fields {
            if key == "mapping" {
                let name = self.scalar(v, "`mapping`")?;
                let Some((_, iris)) = names.iter().find(|(n, _)| *n == name) else {
                    let all: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
                    let hint = closest(&name, &all)
                        .map(|s| format!("did you mean `{s}`? "))
                        .unwrap_or_default();
                    return Err(self.err(line(v), format!("no mapping named `{name}`; {hint}expected one of the names under `mappings`")));
                };
                parent = Some(iris.clone());
            } else {
                for c in self.list(v) {
                    conditions.push(self.condition(c)?);
                }
            }
        }
        let Some(parents) = parent else {
            return Err(self.err(line(o), "no `mapping`".into()));
        };
        let maps: Vec<String> = parents
            .iter()
            .map(|p| {
                let mut s = format!("[ rml:parentTriplesMap {p}");
                for c in &conditions {
                    let _ = write!(s, " ; rml:joinCondition {c}");
                }
                s.push_str(" ]");
                s
            })
            .collect();
        Ok(maps.join(" , "))
    }

    /// A join condition: `function: equal` with `[str1, $(child)]` and `[str2, $(parent)]`.
    fn condition(&self, c: &MarkedYaml<'_>) -> Result<String, RmlError> {
        let fields = self.entries(c, "a condition", CONDITION_KEYS)?;
        let mut child = None;
        let mut parent = None;
        for (key, kline, v) in &fields {
            match key.as_str() {
                "function" | "fn" | "f" => {
                    let f = self.scalar(v, "`function`")?;
                    let local = f.rsplit([':', '#', '/']).next().unwrap_or(&f);
                    if local != "equal" {
                        return Err(self.err(*kline, format!("a join condition with `function: {f}` is not supported; expected `function: equal`")));
                    }
                }
                _ => {
                    let items = self.list(v);
                    for (i, p) in items.iter().enumerate() {
                        let (name, value, side) = match &p.data {
                            YamlData::Sequence(x) if (2..=3).contains(&x.len()) => {
                                (self.scalar(&x[0], "a parameter")?, &x[1], x.get(2))
                            }
                            _ => return Err(self.err(line(p), "a join parameter should be `[str1, $(child reference)]` or `[str2, $(parent reference)]`".into())),
                        };
                        let side = match side {
                            Some(s) => self.scalar(s, "a parameter's side")?,
                            None => match name.rsplit([':', '#', '/']).next().unwrap_or(&name) {
                                "str1" => "s".into(),
                                "str2" => "o".into(),
                                _ => {
                                    if i == 0 {
                                        "s".into()
                                    } else {
                                        "o".into()
                                    }
                                }
                            },
                        };
                        let text = self.scalar(value, "a parameter's value")?;
                        let val = self.value(&text, line(value))?;
                        match side.as_str() {
                            "s" => child = Some((val, line(value))),
                            "o" => parent = Some((val, line(value))),
                            _ => return Err(self.err(line(p), format!("unknown side `{side}`; expected `s` (this mapping) or `o` (the joined mapping)"))),
                        }
                    }
                }
            }
        }
        let (Some((child, _)), Some((parent, _))) = (child, parent) else {
            return Err(self.err(line(c), "the condition needs two parameters, `[str1, $(child reference)]` and `[str2, $(parent reference)]`".into()));
        };
        Ok(match (&child, &parent) {
            (Val::Reference(a), Val::Reference(b)) => {
                format!("[ rml:child {} ; rml:parent {} ]", literal(a), literal(b))
            }
            _ => format!(
                "[ rml:childMap [ {} ] ; rml:parentMap [ {} ] ]",
                value_triples(&child, Kind::Literal),
                value_triples(&parent, Kind::Literal)
            ),
        })
    }

    // ------------------------------------------------------------ values

    /// Expands a leading declared prefix (`ex:a` → `http://example.com/a`).
    fn expand(&self, text: &str) -> String {
        if let Some((p, rest)) = text.split_once(':') {
            if !rest.starts_with("//") {
                if let Some((_, iri)) = self.prefixes.iter().rev().find(|(q, _)| q == p) {
                    return format!("{iri}{rest}");
                }
            }
        }
        text.to_owned()
    }

    /// [`Self::expand`] for a value that must be an IRI: `word:rest` where `word` is neither a
    /// declared prefix nor a usual IRI scheme is an undeclared prefix (`ex:$(id)` without `ex`).
    fn expand_iri(&self, text: &str, line: u64) -> Result<String, RmlError> {
        let expanded = self.expand(text);
        if expanded != text {
            return Ok(expanded);
        }
        if let Some((word, rest)) = text.split_once(':') {
            let is_word = word.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.' | '_'));
            if is_word
                && !rest.starts_with("//")
                && !SCHEMES.contains(&word.to_ascii_lowercase().as_str())
            {
                return Err(self.err(line, format!("`{word}:` in `{text}` is not a declared prefix; declare it under `prefixes:` (`{word}: http://…`) or write the full IRI")));
            }
        }
        Ok(expanded)
    }

    /// `$(ref)` alone is a reference, text with `$(…)` a template, other text a constant.
    fn value(&self, text: &str, line: u64) -> Result<Val, RmlError> {
        let mut template = String::new();
        let mut refs = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' if matches!(chars.peek(), Some((_, '$' | '(' | ')' | '\\'))) => {
                    if let Some((_, n)) = chars.next() {
                        if n == '\\' {
                            template.push_str("\\\\");
                        } else {
                            template.push(n);
                        }
                    }
                }
                '$' if matches!(chars.peek(), Some((_, '('))) => {
                    chars.next();
                    let mut depth = 1;
                    let mut reference = String::new();
                    for (_, c) in chars.by_ref() {
                        match c {
                            '(' => depth += 1,
                            ')' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        reference.push(c);
                    }
                    if depth != 0 {
                        return Err(self.err(line, format!("bad template `{text}`: `$(` at character {} is never closed; expected `$(reference)`", i + 1)));
                    }
                    if reference.trim().is_empty() {
                        return Err(self.err(line, format!("bad template `{text}`: `$()` names no reference; expected `$(column)`")));
                    }
                    template.push('{');
                    for c in reference.chars() {
                        if matches!(c, '{' | '}' | '\\') {
                            template.push('\\');
                        }
                        template.push(c);
                    }
                    template.push('}');
                    refs.push(reference);
                }
                '{' | '}' => {
                    template.push('\\');
                    template.push(c);
                }
                _ => template.push(c),
            }
        }
        Ok(match refs.len() {
            0 => Val::Constant(unescape(text)),
            1 if text.starts_with("$(")
                && text.ends_with(')')
                && template.starts_with('{')
                && template.ends_with('}')
                && text.len() == refs[0].len() + 3 =>
            {
                Val::Reference(refs.swap_remove(0))
            }
            _ => Val::Template(template),
        })
    }
}

/// A mapping's parts, gathered before any is written.
struct MapInfo<'a, 'y> {
    name: String,
    line: u64,
    sources: Vec<Source>,
    subjects: Vec<Option<&'a MarkedYaml<'y>>>,
    po: Vec<&'a MarkedYaml<'y>>,
    graphs: Vec<&'a MarkedYaml<'y>>,
    /// `condition` of the mapping: a function that must return true for a subject.
    condition: Option<&'a MarkedYaml<'y>>,
    /// (source index, subject index, triples map IRI in Turtle)
    iris: Vec<(usize, usize, String)>,
}

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.peek(), Some('$' | '(' | ')' | '\\')) {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits a `~iri` / `~literal` / `~blanknode` suffix off a value.
fn split_type(text: &str) -> (&str, Option<Kind>) {
    for (suffix, kind) in [
        ("~iri", Kind::Iri),
        ("~literal", Kind::Literal),
        ("~blanknode", Kind::Blank),
    ] {
        if let Some(rest) = text.strip_suffix(suffix) {
            return (rest, Some(kind));
        }
    }
    (text, None)
}

/// `rml:constant …`, `rml:reference "…"` or `rml:template "…"`.
fn value_triples(v: &Val, kind: Kind) -> String {
    match v {
        Val::Constant(c) if kind == Kind::Iri => format!("rml:constant {}", iri(c)),
        Val::Constant(c) => format!("rml:constant {}", literal(c)),
        Val::Reference(r) => format!("rml:reference {}", literal(r)),
        Val::Template(t) => format!("rml:template {}", literal(t)),
    }
}

/// The `rml:termType` to write when `kind` is not what RML assumes for the value.
fn term_type(kind: Kind, v: &Val, position_default: Kind) -> &'static str {
    let rml_default = match (v, position_default) {
        (_, Kind::Iri) => Kind::Iri,
        (Val::Reference(_), _) => Kind::Literal,
        (Val::Constant(_), _) => kind,
        _ => Kind::Iri,
    };
    if kind == rml_default {
        return "";
    }
    match kind {
        Kind::Iri => " ; rml:termType rml:IRI",
        Kind::Literal => " ; rml:termType rml:Literal",
        Kind::Blank => " ; rml:termType rml:BlankNode",
    }
}

/// A scalar's text (numbers and booleans as written).
fn scalar(n: &MarkedYaml<'_>) -> Option<String> {
    match &n.data {
        YamlData::Value(Scalar::String(s)) => Some(s.to_string()),
        YamlData::Value(Scalar::Integer(i)) => Some(i.to_string()),
        YamlData::Value(Scalar::FloatingPoint(f)) => Some(f.to_string()),
        YamlData::Value(Scalar::Boolean(b)) => Some(b.to_string()),
        YamlData::Representation(s, _, _) => Some(s.to_string()),
        _ => None,
    }
}

fn describe(n: &MarkedYaml<'_>) -> &'static str {
    match &n.data {
        YamlData::Sequence(_) => "a list",
        YamlData::Mapping(_) => "a mapping",
        YamlData::Value(Scalar::Null) => "an empty value",
        YamlData::Alias(_) => "an alias (aliases are not supported)",
        YamlData::Tagged(..) => "a tagged value",
        _ => "a value",
    }
}

/// A Turtle IRI reference.
fn iri(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('<');
    for c in s.chars() {
        match c {
            '>' | '<' | '"' | '{' | '}' | '|' | '^' | '`' | '\\' | '\0'..=' ' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            _ => out.push(c),
        }
    }
    out.push('>');
    out
}

/// Writes the IRIs of `turtle` (outside string literals) as prefixed names where a declared
/// prefix gives a plain local name, so the translation reads like a hand-written mapping.
fn compact(turtle: &str, prefixes: &[(String, String)]) -> String {
    let mut out = String::with_capacity(turtle.len());
    let mut rest = turtle;
    let mut in_string = false;
    while let Some(i) = rest.find(['"', '<', '\\']) {
        let (before, tail) = rest.split_at(i);
        out.push_str(before);
        let c = tail.as_bytes()[0];
        match c {
            b'\\' => {
                // An escape inside a literal: keep it and the character it escapes.
                let n = tail[1..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&tail[..1 + n]);
                rest = &tail[1 + n..];
            }
            b'"' => {
                in_string = !in_string;
                out.push('"');
                rest = &tail[1..];
            }
            _ => {
                let end = if in_string { None } else { tail.find('>') };
                let Some(end) = end else {
                    out.push('<');
                    rest = &tail[1..];
                    continue;
                };
                let iri = &tail[1..end];
                let short = prefixes.iter().rev().find_map(|(p, ns)| {
                    let local = iri.strip_prefix(ns.as_str())?;
                    let plain = local
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                        && local
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                    // A prefix that a later declaration redefines may not be used.
                    let current = prefixes
                        .iter()
                        .rev()
                        .find(|(q, _)| q == p)
                        .is_some_and(|(_, n)| n == ns);
                    (plain && current).then(|| format!("{p}:{local}"))
                });
                match short {
                    Some(s) => out.push_str(&s),
                    None => out.push_str(&tail[..=end]),
                }
                rest = &tail[end + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A Turtle string literal.
fn literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn encode_name(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The allowed word nearest to a misspelt one, if it is near enough.
fn closest<'a>(word: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (levenshtein(&word.to_lowercase(), &a.to_lowercase()), *a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
