//! The typed mapping model: what a parsed RML mapping says, independent of Turtle.

use std::path::PathBuf;

use oxrdf::{NamedNode, Term};

use super::template::Template;

/// A whole mapping document.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// The triples maps, in document order.
    pub triples_maps: Vec<TriplesMap>,
    /// The base IRI used to resolve relative IRIs that the mapping generates, if any.
    pub base: Option<String>,
    /// The file the mapping was read from (for messages).
    pub file: PathBuf,
    /// What the parser accepted but the author should hear about (an unknown class on a node
    /// whose role is clear …), in document order.
    pub warnings: Vec<MappingWarning>,
    /// RML-IO: the logical targets of the mapping, in document order; term maps name them by
    /// index ([`TargetSet`]).
    pub targets: Vec<LogicalTarget>,
    /// Set by the caller, never by the parser: the share of the records this run maps
    /// (`map --partition K/N`; see [`crate::partition`]). `None`: every record.
    pub share: Option<crate::partition::Share>,
}

/// RML-IO: a logical target (`rml:LogicalTarget`), where the quads of the term maps that name
/// it (`rml:logicalTarget`) are written instead of the default output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogicalTarget {
    /// How the target is named in messages (`<iri>` or `_:b0`).
    pub name: String,
    /// Line of the mapping file where the target is defined (1-based), when known.
    pub line: Option<u64>,
    /// The resolved path of the file written.
    pub path: PathBuf,
    /// The path as written in the mapping.
    pub written: String,
    /// `rml:serialization` (N-Quads when absent).
    pub serialization: Serialization,
    /// `rml:encoding` (UTF-8 when absent).
    pub encoding: Encoding,
    /// `rml:compression` (none when absent).
    pub compression: Compression,
}

/// The RDF syntax of a logical target (`rml:serialization`, a `formats:` IRI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Serialization {
    /// `formats:N-Quads`.
    NQuads,
    /// `formats:N-Triples` (quads of named graphs are written as triples).
    NTriples,
    /// `formats:Turtle` (quads of named graphs are written as triples).
    Turtle,
    /// `formats:TriG`.
    TriG,
    /// `formats:N3`, written as Turtle (a subset of N3).
    N3,
    /// `formats:JSON-LD`.
    JsonLd,
    /// `formats:RDF_XML` (quads of named graphs are written as triples).
    RdfXml,
    /// `formats:RDF_JSON`, the RDF 1.1 JSON Alternate Serialization (triples only).
    RdfJson,
}

impl Serialization {
    /// Every serialization with its local name in `http://www.w3.org/ns/formats/`.
    pub const ALL: [(Self, &'static str); 8] = [
        (Self::NQuads, "N-Quads"),
        (Self::NTriples, "N-Triples"),
        (Self::Turtle, "Turtle"),
        (Self::TriG, "TriG"),
        (Self::N3, "N3"),
        (Self::JsonLd, "JSON-LD"),
        (Self::RdfXml, "RDF_XML"),
        (Self::RdfJson, "RDF_JSON"),
    ];
}

/// A set of logical targets, as indexes into [`Mapping::targets`] (a mapping has at most
/// [`TargetSet::MAX`] targets). Empty: the default output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TargetSet(u64);

impl TargetSet {
    /// How many targets a mapping may declare.
    pub const MAX: usize = 64;

    /// The set holding only target `index` (< [`Self::MAX`]).
    pub fn one(index: usize) -> Self {
        Self(1u64.checked_shl(index as u32).unwrap_or(0))
    }

    /// Both sets' targets.
    #[must_use]
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Is the set empty (the default output)?
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Does the set hold target `index`?
    pub fn contains(self, index: usize) -> bool {
        index < Self::MAX && self.0 >> index & 1 == 1
    }

    /// The targets' indexes, in increasing order.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        (0..Self::MAX).filter(move |i| self.0 >> i & 1 == 1)
    }
}

/// Something a mapping says that changes nothing but is probably not what its author meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingWarning {
    /// Line of the mapping file (1-based).
    pub line: u64,
    /// What was noticed and why it is harmless.
    pub message: String,
}

/// A triples map: one logical source, one subject map, any number of predicate-object maps.
#[derive(Debug, Clone)]
pub struct TriplesMap {
    /// How the map is named in messages (`<iri>` or `_:b0`).
    pub name: String,
    /// Line of the mapping file where the map is defined (1-based), when known.
    pub line: Option<u64>,
    /// Where rows come from.
    pub source: LogicalSource,
    /// How the subject of each row is made.
    pub subject: SubjectMap,
    /// The predicate-object maps.
    pub predicate_object_maps: Vec<PredicateObjectMap>,
    /// `rml:baseIRI` of this triples map: resolves the relative IRIs it generates
    /// (takes precedence over [`Mapping::base`]).
    pub base: Option<String>,
}

/// A logical source: a file, how references into it are written, and what is iterated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LogicalSource {
    /// The resolved path of the file.
    pub path: PathBuf,
    /// The path as written in the mapping.
    pub written: String,
    /// How references are evaluated (`rml:referenceFormulation`; CSV when absent).
    pub formulation: ReferenceFormulation,
    /// `rml:iterator`: what one iteration (one "row") is; ignored for CSV. For SPARQL sources
    /// the query, for SQL ones the table name or the query, for spreadsheets the sheet.
    pub iterator: Option<String>,
    /// RML-IO: how the source is reached and decoded (file or database, encoding,
    /// compression, null values).
    pub access: Access,
}

impl LogicalSource {
    /// Is this a plain CSV file: UTF-8, uncompressed, not a spreadsheet, with factgraph's
    /// default null value (the empty cell)? Only those are scanned by the input checks.
    pub fn is_plain_csv(&self) -> bool {
        self.is_fast_csv() && self.access.nulls.is_none()
    }

    /// Can the executor's CSV fast path read this source: a UTF-8, uncompressed CSV file (not a
    /// spreadsheet), whatever its null values (`rml:null`, or none at all for an `rml:FilePath`)?
    pub fn is_fast_csv(&self) -> bool {
        self.formulation == ReferenceFormulation::Csv
            && self.access.kind == AccessKind::File
            && self.access.encoding == Encoding::Utf8
            && self.access.compression == Compression::None
            && !is_spreadsheet(&self.path)
    }
}

/// Is `path` a spreadsheet factgraph reads as a table (`.xlsx`, `.xlsm`, `.xls`, `.ods`)?
pub fn is_spreadsheet(path: &std::path::Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "xlsx" | "xlsm" | "xls" | "xlsb" | "ods"
        )
    })
}

/// RML-IO's description of a source beyond its path (`rml:encoding`, `rml:compression`,
/// `rml:null`, `d2rq:Database`). Two descriptions are equal when they read the same data the
/// same way, wherever they are written (`line` is left out).
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// A file, or a database.
    pub kind: AccessKind,
    /// `rml:encoding` (UTF-8 when absent).
    pub encoding: Encoding,
    /// `rml:compression` (none when absent).
    pub compression: Compression,
    /// `rml:null`: the values that mean "no value". `None`: factgraph's default, the empty
    /// CSV cell (JSON `null`, absent XML nodes); `Some(vec![])`: no null value at all (an
    /// RML-IO `rml:FilePath` without `rml:null`, where an empty cell is an empty string).
    pub nulls: Option<Vec<String>>,
    /// Line of the source description in the mapping, when known.
    pub line: Option<u64>,
}

impl Access {
    fn key(&self) -> (&AccessKind, Encoding, Compression, &Option<Vec<String>>) {
        (&self.kind, self.encoding, self.compression, &self.nulls)
    }
}

impl PartialEq for Access {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Access {}

impl std::hash::Hash for Access {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

/// Where the records of a source are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum AccessKind {
    /// A file (its path is [`LogicalSource::path`]).
    #[default]
    File,
    /// A SQL database (`d2rq:Database`).
    Database(Database),
}

/// A `d2rq:Database`: values as written; `$NAME` values are read from the environment when
/// the source is opened.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Database {
    /// `d2rq:jdbcDSN` (`jdbc:postgresql://host:port/db`).
    pub dsn: String,
    /// `d2rq:username`.
    pub username: Option<String>,
    /// `d2rq:password`.
    pub password: Option<String>,
}

/// `rml:encoding` of a source or a logical target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    /// `rml:UTF-8`.
    #[default]
    Utf8,
    /// `rml:UTF-16`: a source's byte order comes from its BOM (little-endian without one); a
    /// target is written little-endian with a BOM.
    Utf16,
}

/// `rml:compression` of a source file (archives are read for their first file) or of a logical
/// target (archives hold the one file, named as the target without the archive's extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Compression {
    /// `rml:none`.
    #[default]
    None,
    /// `rml:gzip`.
    Gzip,
    /// `rml:zip` (the first file of the archive).
    Zip,
    /// `rml:tarxz` (the first file of the archive).
    TarXz,
    /// `rml:targz` (the first file of the archive).
    TarGz,
}

/// The reference formulation of a logical source.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReferenceFormulation {
    /// CSV (RFC 4180) with a header row; references are column names.
    Csv,
    /// JSON; the iterator and references are JSONPath (RFC 9535) expressions.
    JsonPath,
    /// XML; the iterator and references are XPath 1.0 expressions.
    XPath {
        /// Namespace prefixes declared by `rml:namespace` (prefix, IRI).
        namespaces: Vec<(String, String)>,
    },
    /// RML-LV: the source is a logical view; references are its field names (`name`,
    /// `item.type`, `#`, `item.#`). The [`LogicalSource`] of such a triples map has no file:
    /// its `path` and `written` are the view's name.
    View(Box<LogicalView>),
    /// RML-IO: an RDF file queried with SPARQL (`formats:SPARQL_Results_CSV`, `_JSON`,
    /// `_XML`): the iterator is a `SELECT` query, references are its variables, every value
    /// its lexical form (an IRI its IRI), as in CSV results.
    SparqlResults,
    /// RML-IO: `rml:SQL2008Table`: the iterator names a table; references are its columns.
    SqlTable,
    /// RML-IO: `rml:SQL2008Query`: the iterator is a SQL query; references are its columns.
    SqlQuery,
}

/// RML-LV: a logical view (`rml:LogicalView`), records derived from a logical source or
/// another view through fields and joins.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LogicalView {
    /// How the view is named in messages (`<iri>` or `_:b0`).
    pub name: String,
    /// Line of the mapping file where the view is defined (1-based), when known.
    pub line: Option<u64>,
    /// `rml:viewOn`: what the view reads.
    pub on: ViewOn,
    /// `rml:field`s, in document order.
    pub fields: Vec<Field>,
    /// `rml:leftJoin` / `rml:innerJoin`, in document order (left joins first, then inner).
    pub joins: Vec<ViewJoin>,
}

/// What a logical view reads (`rml:viewOn`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ViewOn {
    /// A logical source (CSV, JSON, XML).
    Source(Box<LogicalSource>),
    /// Another logical view.
    View(Box<LogicalView>),
}

/// A field of a logical view (`rml:field`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    /// `rml:fieldName` (without the names of enclosing fields).
    pub name: String,
    /// Line of the field in the mapping file, when known.
    pub line: Option<u64>,
    /// Where its values come from.
    pub kind: FieldKind,
    /// Nested fields, evaluated on each value of this one.
    pub fields: Vec<Field>,
}

/// How a field gets its values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// An expression field with `rml:reference`.
    Reference(String),
    /// An expression field with `rml:template` (as written; it parses).
    Template(String),
    /// An expression field with `rml:constant` (its lexical value).
    Constant(String),
    /// An iterable field (`rml:IterableField`): `rml:iterator`, and `rml:referenceFormulation`
    /// when it differs from the enclosing one.
    Iterable {
        /// `rml:iterator`; when absent, the default one: the root (`$`) for JSONPath, each
        /// row for CSV.
        iterator: Option<String>,
        /// `rml:referenceFormulation`, when given.
        formulation: Option<ReferenceFormulation>,
        /// `rml:reference`, when given: evaluated first, with the enclosing formulation; the
        /// iterator then applies to each of its values.
        reference: Option<String>,
    },
}

/// A join of a logical view with a parent view (`rml:leftJoin` / `rml:innerJoin`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ViewJoin {
    /// `rml:innerJoin` (records without a matching parent are dropped) rather than
    /// `rml:leftJoin` (they are kept, with the join's fields null).
    pub inner: bool,
    /// `rml:parentLogicalView`.
    pub parent: Box<LogicalView>,
    /// `rml:joinCondition`s as (child, parent): `rml:child`/`rml:parent` (a field name, as
    /// [`FieldKind::Reference`]) or `rml:childMap`/`rml:parentMap` (a reference, template or
    /// constant over the child's, resp. the parent's, fields).
    pub conditions: Vec<(FieldKind, FieldKind)>,
    /// The join's `rml:field`s: parent fields brought into the view.
    pub fields: Vec<Field>,
    /// Line of the join in the mapping file, when known.
    pub line: Option<u64>,
}

impl LogicalView {
    /// Every reference the view's records answer: `#`, then each field's name (`item.type`)
    /// and index (`item.type.#`), the fields of joins included.
    pub fn keys(&self) -> Vec<String> {
        fn walk(prefix: &str, fields: &[Field], out: &mut Vec<String>) {
            for f in fields {
                let name = if prefix.is_empty() {
                    f.name.clone()
                } else {
                    format!("{prefix}.{}", f.name)
                };
                out.push(name.clone());
                out.push(format!("{name}.#"));
                walk(&name, &f.fields, out);
            }
        }
        let mut out = vec!["#".to_owned()];
        walk("", &self.fields, &mut out);
        for j in &self.joins {
            walk("", &j.fields, &mut out);
        }
        out
    }

    /// The keys a reference may name: [`Self::keys`] but the record keys of iterable fields
    /// (RML-LV: an iterable record cannot be referenced; its index can).
    pub fn referenceable(&self) -> Vec<String> {
        fn walk(prefix: &str, fields: &[Field], out: &mut Vec<String>) {
            for f in fields {
                let name = if prefix.is_empty() {
                    f.name.clone()
                } else {
                    format!("{prefix}.{}", f.name)
                };
                if !matches!(f.kind, FieldKind::Iterable { .. }) {
                    out.push(name.clone());
                }
                out.push(format!("{name}.#"));
                walk(&name, &f.fields, out);
            }
        }
        let mut out = vec!["#".to_owned()];
        walk("", &self.fields, &mut out);
        for j in &self.joins {
            walk("", &j.fields, &mut out);
        }
        out
    }
}

/// The subject map, with its classes and graphs.
#[derive(Debug, Clone)]
pub struct SubjectMap {
    /// The term map producing the subject.
    pub term: TermMap,
    /// `rml:class` values: each subject gets `rdf:type` of each.
    pub classes: Vec<NamedNode>,
    /// Graph maps for every triple the triples map produces.
    pub graphs: Vec<TermMap>,
}

/// A predicate-object map.
#[derive(Debug, Clone)]
pub struct PredicateObjectMap {
    /// Predicate maps (at least one).
    pub predicates: Vec<TermMap>,
    /// Object maps (at least one).
    pub objects: Vec<ObjectMap>,
    /// Graph maps, added to the subject map's.
    pub graphs: Vec<TermMap>,
}

/// An object map: a term map, or a reference to another triples map's subjects.
#[derive(Debug, Clone)]
pub enum ObjectMap {
    /// A term map.
    Term(TermMap),
    /// A referencing object map.
    Ref(RefObjectMap),
}

/// `rml:parentTriplesMap` with its join conditions.
#[derive(Debug, Clone)]
pub struct RefObjectMap {
    /// Index of the parent triples map in [`Mapping::triples_maps`].
    pub parent: usize,
    /// The join conditions whose child and parent are both references
    /// (`rml:child`/`rml:parent`, or reference-valued `rml:childMap`/`rml:parentMap`):
    /// (child reference, parent reference).
    pub joins: Vec<(String, String)>,
    /// Every join condition as (child map, parent map), including those of `joins` and
    /// constant- or template-valued `rml:childMap`/`rml:parentMap`.
    pub conditions: Vec<(TermMap, TermMap)>,
    /// RML-IO: the logical targets of the objects it gives (`rml:logicalTarget`).
    pub targets: TargetSet,
}

impl RefObjectMap {
    /// Does the map join through conditions (rather than take the parent subject of the same row)?
    pub fn has_join(&self) -> bool {
        !self.conditions.is_empty()
    }
}

/// The kind of RDF term a term map generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermType {
    /// An IRI.
    Iri,
    /// A blank node.
    BlankNode,
    /// A literal.
    Literal,
}

/// Where a term map's value comes from.
#[derive(Debug, Clone)]
pub enum Value {
    /// A constant term.
    Constant(Term),
    /// A column of the logical source.
    Reference(String),
    /// A template over columns.
    Template(Template),
    /// The result of a function (RML-FNML `rml:functionExecution`): its inputs are term maps
    /// over the same record. `rml:condition` is read as a call of `idlab-fn:trueCondition`.
    Function(Box<FunctionExecution>),
}

/// An RML-FNML function execution, and which of its returns the term map uses.
#[derive(Debug, Clone)]
pub struct FunctionExecution {
    /// The function's IRI (`rml:function`), one of the library's (see `FUNCTIONS.md`).
    pub function: String,
    /// The inputs (`rml:input`), in document order.
    pub inputs: Vec<FunctionInput>,
    /// The return used (`rml:return`; the function's first return when not given).
    pub output: String,
    /// Line of the execution in the mapping file, when known.
    pub line: Option<u64>,
}

/// One `rml:input` of a function execution: a parameter and the term map giving its values.
#[derive(Debug, Clone)]
pub struct FunctionInput {
    /// The parameter's IRI (`rml:parameter`).
    pub parameter: String,
    /// Its values (`rml:inputValueMap`, or the constant of `rml:inputValue`).
    pub value: TermMap,
}

/// A term map.
#[derive(Debug, Clone)]
pub struct TermMap {
    /// The value.
    pub value: Value,
    /// The term type (defaults already applied).
    pub term_type: TermType,
    /// The language of literals: a constant tag or a map producing tags.
    pub language: Option<Box<LangOrDatatype>>,
    /// The datatype of literals: a constant IRI or a map producing IRIs.
    pub datatype: Option<Box<LangOrDatatype>>,
    /// Is this the constant `rml:defaultGraph` (graph maps only)?
    pub default_graph: bool,
    /// How template values are made safe inside IRIs (IRI term maps only).
    pub iri_safety: IriSafety,
    /// RML-CC: `rml:gather`, when the term map is a gather map (its value then names the
    /// collection; a value-less gather map has a fresh blank node per iteration).
    pub gather: Option<Box<GatherMap>>,
    /// RML-IO: the logical targets of the map's terms (`rml:logicalTarget`); a quad goes to
    /// the targets of all the term maps that made it.
    pub targets: TargetSet,
}

/// RML-CC: a gather map's `rml:gather` list and how it is turned into an RDF collection or container.
#[derive(Debug, Clone)]
pub struct GatherMap {
    /// The term maps (object maps, referencing object maps, nested gather maps) whose values
    /// become the members, in order.
    pub items: Vec<ObjectMap>,
    /// `rml:gatherAs`.
    pub kind: CollectionKind,
    /// `rml:strategy` (`rml:append` when absent).
    pub strategy: GatherStrategy,
    /// `rml:allowEmptyListAndContainer` (false when absent).
    pub allow_empty: bool,
}

/// What a gather map builds (`rml:gatherAs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CollectionKind {
    /// `rdf:List`: `rdf:first` / `rdf:rest` cells ending in `rdf:nil`.
    List,
    /// `rdf:Bag`: a container with `rdf:_1`, `rdf:_2` …
    Bag,
    /// `rdf:Seq`.
    Seq,
    /// `rdf:Alt`.
    Alt,
}

/// How the values of a gather map's term maps are combined (`rml:strategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GatherStrategy {
    /// `rml:append`: one collection, the values of each term map in turn.
    #[default]
    Append,
    /// `rml:cartesianProduct`: one collection per combination of one value of each term map.
    CartesianProduct,
}

/// How an IRI term map escapes the values it puts into templates and checks its IRIs
/// (`rml:IRI`, `rml:URI`, `rml:UnsafeIRI`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IriSafety {
    /// `rml:IRI`: characters outside `iunreserved` are percent-encoded; the IRI must be valid.
    #[default]
    Iri,
    /// `rml:URI`: characters outside RFC 3986 `unreserved` (so all non-ASCII) are percent-encoded.
    Uri,
    /// `rml:UnsafeIRI`: values are inserted as they are and the result is not checked.
    Unsafe,
}

/// A language or datatype given as a constant or computed by a term map.
#[derive(Debug, Clone)]
pub enum LangOrDatatype {
    /// A constant (a language tag, or a datatype IRI).
    Constant(String),
    /// A term map computing it per row.
    Map(TermMap),
}

impl TermMap {
    /// The column names this term map (and its language/datatype maps, and the term maps of
    /// its `rml:gather` list) reads.
    pub fn references(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_references(&mut out);
        out
    }

    /// Does this term map (or its language or datatype map) call a function?
    pub fn has_function(&self) -> bool {
        matches!(self.value, Value::Function(_))
            || [&self.language, &self.datatype]
                .into_iter()
                .flatten()
                .any(|e| matches!(e.as_ref(), LangOrDatatype::Map(m) if m.has_function()))
    }

    fn collect_references<'a>(&'a self, out: &mut Vec<&'a str>) {
        match &self.value {
            Value::Constant(_) => {}
            Value::Reference(r) => out.push(r),
            Value::Template(t) => out.extend(t.references()),
            Value::Function(f) => {
                for input in &f.inputs {
                    input.value.collect_references(out);
                }
            }
        }
        for extra in [&self.language, &self.datatype].into_iter().flatten() {
            if let LangOrDatatype::Map(m) = extra.as_ref() {
                m.collect_references(out);
            }
        }
        for item in self.gather.iter().flat_map(|g| &g.items) {
            match item {
                ObjectMap::Term(t) => t.collect_references(out),
                ObjectMap::Ref(r) => r
                    .conditions
                    .iter()
                    .for_each(|(c, _)| c.collect_references(out)),
            }
        }
    }
}

impl TermMap {
    /// The targets of the terms this map makes: its own and those of its language or datatype map.
    pub fn all_targets(&self) -> TargetSet {
        let mut out = self.targets;
        for extra in [&self.language, &self.datatype].into_iter().flatten() {
            if let LangOrDatatype::Map(m) = extra.as_ref() {
                out = out.union(m.all_targets());
            }
        }
        out
    }
}

impl TriplesMap {
    /// Does any term map of this triples map name a logical target?
    pub fn has_targets(&self) -> bool {
        let term = |t: &TermMap| !t.all_targets().is_empty();
        term(&self.subject.term)
            || self.subject.graphs.iter().any(term)
            || self.predicate_object_maps.iter().any(|pom| {
                pom.predicates.iter().chain(&pom.graphs).any(term)
                    || pom.objects.iter().any(|o| match o {
                        ObjectMap::Term(t) => term(t),
                        ObjectMap::Ref(r) => !r.targets.is_empty(),
                    })
            })
    }
}

impl Mapping {
    /// All logical sources the mapping reads, without repetition, in order.
    pub fn sources(&self) -> Vec<&LogicalSource> {
        let mut out: Vec<&LogicalSource> = Vec::new();
        for tm in &self.triples_maps {
            if !out.contains(&&tm.source) {
                out.push(&tm.source);
            }
        }
        out
    }
}
