//! Runs a [`Mapping`]: streams CSV rows through the compiled term maps into a [`QuadSink`]
//! (JSON and XML sources are handed to [`crate::multi`]).
//!
//! Memory stays flat in the size of the data: rows are read one at a time into one reused
//! record, terms are built in buffers owned by the compiled term maps, and the only state
//! that grows is the index of a join's parent (its join keys and subjects).

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use std::io::BufReader;

use oxrdf::vocab::{rdf, xsd};
use oxrdf::{
    BlankNodeRef, GraphNameRef, LiteralRef, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, QuadRef,
    Term, TermRef,
};

use super::error::RmlError;
use super::model::*;
use super::multi::Joins;
use super::template::{push_iri_safe, Segment};

/// What a consumer of generated quads may fail with.
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// Receives the quads a mapping generates, one at a time, in generation order.
/// Duplicates are not removed (a store or a later step does that).
pub trait QuadSink {
    /// Takes one quad (of the default output: no term map that made it names a logical target).
    fn push(&mut self, quad: QuadRef<'_>) -> Result<(), SinkError>;

    /// RML-IO: takes one quad bound for the logical `targets` (never empty: indexes into
    /// [`Mapping::targets`], the union of the targets of the term maps that made it). A
    /// sink that does not write targets takes it as any other quad.
    fn push_to_targets(&mut self, quad: QuadRef<'_>, targets: TargetSet) -> Result<(), SinkError> {
        let _ = targets;
        self.push(quad)
    }
}

impl<F: FnMut(QuadRef<'_>) -> Result<(), SinkError>> QuadSink for F {
    fn push(&mut self, quad: QuadRef<'_>) -> Result<(), SinkError> {
        self(quad)
    }
}

/// Collects owned quads (handy in tests and small mappings).
impl QuadSink for Vec<oxrdf::Quad> {
    fn push(&mut self, quad: QuadRef<'_>) -> Result<(), SinkError> {
        Vec::push(self, quad.into_owned());
        Ok(())
    }
}

/// Counts of what a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Rows read, over all triples maps.
    pub rows: u64,
    /// Quads generated (duplicates included).
    pub quads: u64,
}

/// Runs every triples map of `mapping`, in order, pushing each quad into `sink`.
///
/// CSV triples maps run on the column-indexed fast path; JSON and XML sources (and CSV maps
/// that join them or need `rml:baseIRI` / `rml:URI` / `rml:UnsafeIRI`) go through
/// [`crate::multi`], where a reference may select several values.
pub fn execute(mapping: &Mapping, sink: &mut dyn QuadSink) -> Result<Stats, RmlError> {
    Executor {
        mapping,
        join_indexes: Vec::new(),
        join_lookup: HashMap::new(),
        stats: Stats::default(),
        multi: Joins::default(),
    }
    .run(sink)
}

/// Can the CSV fast path run `tm`? Only CSV sources whose joins are reference-valued and
/// read CSV parents, without the features only [`crate::multi`] implements (functions and
/// RML-IO logical targets among them: a map without them never pays for them).
fn fast_path(mapping: &Mapping, tm: &TriplesMap) -> bool {
    if tm.has_targets() {
        return false;
    }
    let simple = |t: &TermMap| {
        t.iri_safety == IriSafety::Iri
            && !t.has_function()
            && !matches!(&t.value, Value::Template(tpl) if tpl.segments.is_empty())
            && t.gather.is_none()
    };
    let plain =
        |t: &TriplesMap| t.source.is_fast_csv() && t.base.is_none() && simple(&t.subject.term);
    plain(tm)
        && tm.subject.graphs.iter().all(simple)
        && tm.predicate_object_maps.iter().all(|pom| {
            pom.predicates.iter().chain(&pom.graphs).all(simple)
                && pom.objects.iter().all(|o| match o {
                    ObjectMap::Term(t) => simple(t),
                    ObjectMap::Ref(r) => {
                        plain(&mapping.triples_maps[r.parent])
                            && r.conditions.len() == r.joins.len()
                    }
                })
        })
}

/// Rows that travel together between the threads of [`execute_parallel`].
const BATCH_ROWS: usize = 1024;

/// Runs every triples map of `mapping` on `workers` threads (at least one), in order.
///
/// A reader thread parses the CSV into batches of rows; workers map each batch into a chunk
/// (`new_chunk`, filled through `add`); the calling thread hands the chunks to `consume` in
/// the order of the rows, so the output is the same as [`execute`]'s. Memory stays bounded:
/// at most a few batches per worker are in flight. The first error in row order wins.
pub fn execute_parallel<C, N, A, F>(
    mapping: &Mapping,
    workers: usize,
    new_chunk: N,
    add: A,
    mut consume: F,
) -> Result<Stats, RmlError>
where
    C: Send,
    N: Fn() -> C + Sync,
    A: Fn(&mut C, QuadRef<'_>) -> Result<(), SinkError> + Sync,
    F: FnMut(C) -> Result<(), SinkError>,
{
    let mut executor = Executor {
        mapping,
        join_indexes: Vec::new(),
        join_lookup: HashMap::new(),
        stats: Stats::default(),
        multi: Joins::default(),
    };
    let workers = workers.max(1);
    for tm in &mapping.triples_maps {
        if !fast_path(mapping, tm) {
            // Sequentially, handing `consume` chunks of a few thousand quads.
            let mut chunk = new_chunk();
            let mut in_chunk = 0usize;
            let mut sink = |q: QuadRef<'_>| -> Result<(), SinkError> {
                add(&mut chunk, q)?;
                in_chunk += 1;
                if in_chunk == BATCH_ROWS * 4 {
                    in_chunk = 0;
                    consume(std::mem::replace(&mut chunk, new_chunk()))?;
                }
                Ok(())
            };
            let stats = crate::multi::run_triples_map(mapping, tm, &mut executor.multi, &mut sink)?;
            consume(chunk).map_err(RmlError::Sink)?;
            executor.stats.rows += stats.rows;
            executor.stats.quads += stats.quads;
            continue;
        }
        let mut csv = open_csv(mapping, tm)?;
        let share = crate::partition::seek_csv(mapping, tm, &mut csv)?;
        let compiled = executor.compile(tm, &csv.headers)?;
        let (rows, quads) = run_parallel(
            mapping,
            (csv, share),
            &compiled,
            &executor.join_indexes,
            workers,
            &new_chunk,
            &add,
            &mut consume,
        )?;
        executor.stats.rows += rows;
        executor.stats.quads += quads;
    }
    Ok(executor.stats)
}

type Batch = Vec<csv::StringRecord>;
type Done<C> = (usize, Result<(C, u64, Batch), RmlError>);

#[allow(clippy::too_many_arguments)]
fn run_parallel<C, N, A, F>(
    mapping: &Mapping,
    (csv, share): (Csv, Option<u64>),
    compiled: &CTriplesMap,
    joins: &[JoinIndex],
    workers: usize,
    new_chunk: &N,
    add: &A,
    consume: &mut F,
) -> Result<(u64, u64), RmlError>
where
    C: Send,
    N: Fn() -> C + Sync,
    A: Fn(&mut C, QuadRef<'_>) -> Result<(), SinkError> + Sync,
    F: FnMut(C) -> Result<(), SinkError>,
{
    use std::collections::BTreeMap;
    use std::sync::mpsc::{channel, sync_channel};
    use std::sync::Mutex;

    let Csv {
        mut reader,
        headers,
        file,
        nulls,
    } = csv;
    let nulls = nulls.as_deref();
    let base = mapping.base.as_deref();
    let (work_tx, work_rx) = sync_channel::<(usize, Batch)>(workers * 2);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = sync_channel::<Done<C>>(workers * 2);
    let (recycle_tx, recycle_rx) = channel::<Batch>();
    let (headers, file) = (&headers, file.as_str());
    let stop = std::sync::atomic::AtomicBool::new(false);
    let stop = &stop;
    std::thread::scope(|scope| {
        // Reader: CSV → batches of rows.
        let reader_done = done_tx.clone();
        let reader_thread = scope.spawn(move || -> u64 {
            let mut rows = 0;
            let mut seq = 0;
            // `map --partition`: the records of the share.
            let mut left = share.unwrap_or(u64::MAX);
            loop {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    return rows;
                }
                let mut batch = recycle_rx.try_recv().unwrap_or_default();
                batch.resize_with(BATCH_ROWS, csv::StringRecord::new);
                let mut n = 0;
                let mut failure = None;
                while n < BATCH_ROWS && left > 0 {
                    match reader.read_record(&mut batch[n]) {
                        Ok(true) => {
                            n += 1;
                            left -= 1;
                        }
                        Ok(false) => break,
                        Err(e) => {
                            failure = Some(csv_error(file, e));
                            break;
                        }
                    }
                }
                rows += n as u64;
                batch.truncate(n);
                let last = n < BATCH_ROWS || failure.is_some();
                if n > 0 {
                    if work_tx.send((seq, batch)).is_err() {
                        return rows;
                    }
                    seq += 1;
                }
                if let Some(e) = failure {
                    let _ = reader_done.send((seq, Err(e)));
                }
                if last {
                    return rows;
                }
            }
        });
        // Workers: rows → chunks.
        for _ in 0..workers {
            let done = done_tx.clone();
            let work_rx = &work_rx;
            let mut compiled = compiled.clone();
            scope.spawn(move || loop {
                let next = match work_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((seq, batch)) = next else { return };
                let mut chunk = new_chunk();
                let mut quads = 0;
                let mut result = Ok(());
                for record in &batch {
                    let row = Row {
                        record,
                        file,
                        line: record.position().map_or(0, csv::Position::byte),
                        headers,
                        base,
                        nulls,
                    };
                    let mut sink = |q: QuadRef<'_>| add(&mut chunk, q);
                    result = match compiled.eval(&row) {
                        Ok(true) => compiled
                            .emit(joins, &mut sink)
                            .map(|n| quads += n)
                            .map_err(RmlError::Sink),
                        Ok(false) => Ok(()),
                        Err(e) => Err(e),
                    };
                    if result.is_err() {
                        break;
                    }
                }
                let message = result.map(|()| (chunk, quads, batch));
                if done.send((seq, message)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        // This thread: chunks, in row order, to `consume`.
        let mut pending: BTreeMap<usize, Result<(C, u64, Batch), RmlError>> = BTreeMap::new();
        let mut next = 0;
        let mut quads = 0;
        let outcome = (|| {
            for (seq, result) in &done_rx {
                pending.insert(seq, result);
                while let Some(result) = pending.remove(&next) {
                    let (chunk, n, batch) = result?;
                    quads += n;
                    consume(chunk).map_err(RmlError::Sink)?;
                    let _ = recycle_tx.send(batch);
                    next += 1;
                }
            }
            Ok(())
        })();
        // On error: tell the reader to stop, close the results channel (workers stop when
        // they next send) and drain the work channel so a reader blocked on it wakes up.
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        drop(done_rx);
        drop(pending);
        if outcome.is_err() {
            if let Ok(rx) = work_rx.lock() {
                while rx.recv().is_ok() {}
            }
        }
        let rows = reader_thread.join().unwrap_or(0);
        outcome.map(|()| (rows, quads))
    })
}

/// An open CSV source with its header.
pub(crate) struct Csv {
    pub(crate) reader: csv::Reader<BufReader<crate::source::access::SourceRead>>,
    pub(crate) headers: csv::StringRecord,
    pub(crate) file: String,
    /// The source's null values (`rml:null`); `None`: factgraph's default, the empty cell.
    pub(crate) nulls: Option<Vec<String>>,
}

pub(crate) fn open_csv(mapping: &Mapping, tm: &TriplesMap) -> Result<Csv, RmlError> {
    let path = &tm.source.path;
    let file = crate::source::access::open_reader(mapping, tm, "a CSV file")?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(BufReader::with_capacity(1 << 16, file));
    let display = path.display().to_string();
    let headers = reader
        .headers()
        .map_err(|e| csv_error(&display, e))?
        .clone();
    Ok(Csv {
        reader,
        headers,
        file: display,
        nulls: tm.source.access.nulls.clone(),
    })
}

pub(crate) fn mapping_error(mapping: &Mapping, tm: &TriplesMap, message: String) -> RmlError {
    RmlError::Mapping {
        file: mapping.file.display().to_string(),
        line: tm.line,
        triples_map: Some(tm.name.clone()),
        message,
    }
}

/// The line (1-based, as editors count: CRLF, LF or a lone CR end a line) on which byte
/// `offset` of `file` stands. Only called to report an error, so it may re-read the file;
/// the csv crate's own line numbers drift after CRLF and blank lines.
pub(crate) fn line_at(file: &str, offset: u64) -> u64 {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    let Ok(f) = crate::source::access::reopen(file) else {
        return 0;
    };
    if f.take(offset).read_to_end(&mut bytes).is_err() {
        return 0;
    }
    let mut line = 1;
    let mut after_cr = false;
    let mut count = |b: u8, line: &mut u64| {
        match b {
            b'\r' => *line += 1,
            b'\n' if !after_cr => *line += 1,
            _ => {}
        }
        after_cr = b == b'\r';
    };
    for &b in &bytes {
        count(b, &mut line);
    }
    // The csv crate may place a record after blank lines at the start of those lines: a
    // record never starts with a line break, so skip them.
    if let Ok(mut f) = crate::source::access::reopen(file) {
        if std::io::copy(&mut (&mut f).take(offset), &mut std::io::sink()).is_ok() {
            for b in std::io::BufReader::new(f).bytes() {
                match b {
                    Ok(b @ (b'\r' | b'\n')) => count(b, &mut line),
                    _ => break,
                }
            }
        }
    }
    line
}

/// Turns a CSV reader error into a located data error.
pub(crate) fn csv_error(file: &str, e: csv::Error) -> RmlError {
    let line = e.position().map_or(0, |p| line_at(file, p.byte()));
    match e.into_kind() {
        csv::ErrorKind::Utf8 { pos, err } => RmlError::Data {
            file: file.to_owned(),
            line: pos.as_ref().map_or(line, |p| line_at(file, p.byte())),
            column: err.field() as u64 + 1,
            message: format!("invalid UTF-8 in field {}: {err}; expected UTF-8 text", err.field() + 1),
        },
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => RmlError::Data {
            file: file.to_owned(),
            line: pos.as_ref().map_or(line, |p| line_at(file, p.byte())),
            column: 1,
            message: format!(
                "the row has {len} field{} but the header has {expected_len}; expected {expected_len} (quote fields that contain commas)",
                if len == 1 { "" } else { "s" }
            ),
        },
        csv::ErrorKind::Io(err) => RmlError::Data {
            file: file.to_owned(),
            line,
            column: 1,
            message: format!("read error: {err}"),
        },
        other => RmlError::Data {
            file: file.to_owned(),
            line,
            column: 1,
            message: format!("{other:?}"),
        },
    }
}

struct Executor<'m> {
    mapping: &'m Mapping,
    join_indexes: Vec<JoinIndex>,
    join_lookup: HashMap<(usize, Vec<String>), usize>,
    stats: Stats,
    multi: Joins,
}

/// Parent subjects by join key.
struct JoinIndex {
    map: FxHashMap<String, Vec<Term>>,
}

impl Executor<'_> {
    fn run(mut self, sink: &mut dyn QuadSink) -> Result<Stats, RmlError> {
        for tm in &self.mapping.triples_maps {
            if fast_path(self.mapping, tm) {
                self.run_triples_map(tm, sink)?;
            } else {
                let stats = crate::multi::run_triples_map(self.mapping, tm, &mut self.multi, sink)?;
                self.stats.rows += stats.rows;
                self.stats.quads += stats.quads;
            }
        }
        Ok(self.stats)
    }

    fn run_triples_map(
        &mut self,
        tm: &TriplesMap,
        sink: &mut dyn QuadSink,
    ) -> Result<(), RmlError> {
        let mut csv = open_csv(self.mapping, tm)?;
        // `map --partition`: the records of the share.
        let mut left = crate::partition::seek_csv(self.mapping, tm, &mut csv)?.unwrap_or(u64::MAX);
        let mut compiled = self.compile(tm, &csv.headers)?;
        let base = self.mapping.base.as_deref();
        let mut record = csv::StringRecord::new();
        while left > 0 {
            left -= 1;
            match csv.reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(&csv.file, e)),
            }
            self.stats.rows += 1;
            let line = record.position().map_or(0, csv::Position::byte);
            let row = Row {
                record: &record,
                file: &csv.file,
                line,
                headers: &csv.headers,
                base,
                nulls: csv.nulls.as_deref(),
            };
            if compiled.eval(&row)? {
                self.stats.quads += compiled
                    .emit(&self.join_indexes, sink)
                    .map_err(RmlError::Sink)?;
            }
        }
        Ok(())
    }

    fn compile(
        &mut self,
        tm: &TriplesMap,
        headers: &csv::StringRecord,
    ) -> Result<CTriplesMap, RmlError> {
        let c = |t: &TermMap| CTerm::compile(t, headers, self.mapping, tm);
        let subject = c(&tm.subject.term)?;
        let subject_graphs = tm.subject.graphs.iter().map(c).collect::<Result<_, _>>()?;
        let mut poms = Vec::new();
        for pom in &tm.predicate_object_maps {
            let predicates = pom.predicates.iter().map(c).collect::<Result<_, _>>()?;
            let graphs = pom.graphs.iter().map(c).collect::<Result<_, _>>()?;
            let mut objects = Vec::new();
            for om in &pom.objects {
                objects.push(match om {
                    ObjectMap::Term(t) => CObject::Term(c(t)?),
                    ObjectMap::Ref(r) if !r.has_join() => {
                        let parent = &self.mapping.triples_maps[r.parent];
                        CObject::SameRow(CTerm::compile(
                            &parent.subject.term,
                            headers,
                            self.mapping,
                            parent,
                        )?)
                    }
                    ObjectMap::Ref(r) => {
                        let child_columns = r
                            .joins
                            .iter()
                            .map(|(child, _)| column(headers, child, self.mapping, tm))
                            .collect::<Result<_, _>>()?;
                        let index = self.join_index(r)?;
                        CObject::Join {
                            index,
                            child_columns,
                            key: String::new(),
                            present: false,
                        }
                    }
                });
            }
            poms.push(CPom {
                predicates,
                objects,
                graphs,
            });
        }
        Ok(CTriplesMap {
            subject,
            classes: tm.subject.classes.clone(),
            subject_graphs,
            poms,
        })
    }

    /// Builds (once) the index of the parent's subjects by join key.
    fn join_index(&mut self, r: &RefObjectMap) -> Result<usize, RmlError> {
        let parent_columns: Vec<String> = r.joins.iter().map(|(_, p)| p.clone()).collect();
        if let Some(&i) = self.join_lookup.get(&(r.parent, parent_columns.clone())) {
            return Ok(i);
        }
        let parent = &self.mapping.triples_maps[r.parent];
        let mut csv = open_csv(self.mapping, parent)?;
        let mut subject = CTerm::compile(&parent.subject.term, &csv.headers, self.mapping, parent)?;
        let cols = parent_columns
            .iter()
            .map(|p| column(&csv.headers, p, self.mapping, parent))
            .collect::<Result<Vec<_>, _>>()?;
        let mut map: FxHashMap<String, Vec<Term>> = FxHashMap::default();
        let mut record = csv::StringRecord::new();
        let mut key = String::new();
        loop {
            match csv.reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(&csv.file, e)),
            }
            if !join_key(&record, &cols, csv.nulls.as_deref(), &mut key) {
                continue;
            }
            let line = record.position().map_or(0, csv::Position::byte);
            let row = Row {
                record: &record,
                file: &csv.file,
                line,
                headers: &csv.headers,
                base: self.mapping.base.as_deref(),
                nulls: csv.nulls.as_deref(),
            };
            subject.eval(&row)?;
            if let Some(s) = subject.term() {
                let subjects = map.entry(key.clone()).or_default();
                let s = s.into_owned();
                if !subjects.contains(&s) {
                    subjects.push(s);
                }
            }
        }
        self.join_indexes.push(JoinIndex { map });
        let i = self.join_indexes.len() - 1;
        self.join_lookup.insert((r.parent, parent_columns), i);
        Ok(i)
    }
}

/// Is `v` a null value of a source whose null values are `nulls` (`None`: the empty cell,
/// factgraph's default; `Some`: RML-IO's `rml:null` list, empty for an `rml:FilePath` without one,
/// where an empty cell is an empty string)?
fn is_null(v: &str, nulls: Option<&[String]>) -> bool {
    match nulls {
        None => v.is_empty(),
        Some(n) => n.iter().any(|x| x == v),
    }
}

/// Writes the join key of a row; false when a join value is null (no match possible).
fn join_key(
    record: &csv::StringRecord,
    cols: &[usize],
    nulls: Option<&[String]>,
    key: &mut String,
) -> bool {
    key.clear();
    for &c in cols {
        let v = record.get(c).unwrap_or("");
        if is_null(v, nulls) {
            return false;
        }
        // Length-prefixed so that ("a,b","c") and ("a","b,c") differ.
        key.push_str(&v.len().to_string());
        key.push(':');
        key.push_str(v);
    }
    true
}

pub(crate) fn column(
    headers: &csv::StringRecord,
    name: &str,
    mapping: &Mapping,
    tm: &TriplesMap,
) -> Result<usize, RmlError> {
    headers.iter().position(|h| h == name).ok_or_else(|| {
        let available: Vec<String> = headers.iter().map(|h| format!("\"{h}\"")).collect();
        mapping_error(
            mapping,
            tm,
            format!(
                "the reference \"{name}\" names no column of {}; expected one of {}",
                tm.source.written,
                if available.is_empty() {
                    "(the file has no header)".to_owned()
                } else {
                    available.join(", ")
                }
            ),
        )
    })
}

/// A row being mapped, with what messages need.
struct Row<'r> {
    record: &'r csv::StringRecord,
    file: &'r str,
    /// Byte offset of the record in the file (its line is worked out only for messages).
    line: u64,
    headers: &'r csv::StringRecord,
    base: Option<&'r str>,
    /// The source's null values; `None`: the empty cell.
    nulls: Option<&'r [String]>,
}

impl Row<'_> {
    fn error(&self, col: Option<usize>, message: String) -> RmlError {
        let (column, message) = match col {
            Some(c) => (
                c as u64 + 1,
                format!(
                    "{message} (column \"{}\")",
                    self.headers.get(c).unwrap_or("")
                ),
            ),
            None => (1, message),
        };
        RmlError::Data {
            file: self.file.to_owned(),
            line: line_at(self.file, self.line),
            column,
            message,
        }
    }
}

#[derive(Clone)]
struct CTriplesMap {
    subject: CTerm,
    classes: Vec<NamedNode>,
    subject_graphs: Vec<CTerm>,
    poms: Vec<CPom>,
}

#[derive(Clone)]
struct CPom {
    predicates: Vec<CTerm>,
    objects: Vec<CObject>,
    graphs: Vec<CTerm>,
}

#[derive(Clone)]
enum CObject {
    Term(CTerm),
    /// A referencing object map without join: the parent's subject for the same row.
    SameRow(CTerm),
    Join {
        index: usize,
        child_columns: Vec<usize>,
        key: String,
        present: bool,
    },
}

impl CTriplesMap {
    /// Evaluates every term map on the row; false when the row yields no subject.
    fn eval(&mut self, row: &Row<'_>) -> Result<bool, RmlError> {
        self.subject.eval(row)?;
        if !self.subject.present {
            return Ok(false);
        }
        for g in &mut self.subject_graphs {
            g.eval(row)?;
        }
        for pom in &mut self.poms {
            for p in &mut pom.predicates {
                p.eval(row)?;
            }
            for g in &mut pom.graphs {
                g.eval(row)?;
            }
            for o in &mut pom.objects {
                match o {
                    CObject::Term(t) | CObject::SameRow(t) => t.eval(row)?,
                    CObject::Join {
                        child_columns,
                        key,
                        present,
                        ..
                    } => *present = join_key(row.record, child_columns, row.nulls, key),
                }
            }
        }
        Ok(true)
    }

    /// Pushes the quads of the evaluated row; returns how many.
    fn emit(&self, joins: &[JoinIndex], sink: &mut dyn QuadSink) -> Result<u64, SinkError> {
        let Some(subject) = self.subject.term().and_then(as_subject) else {
            return Ok(0);
        };
        let mut count = 0;
        let graphs_of = |extra: &[CTerm],
                         f: &mut dyn FnMut(GraphNameRef<'_>) -> Result<(), SinkError>|
         -> Result<(), SinkError> {
            let mut any = false;
            for g in self.subject_graphs.iter().chain(extra) {
                if let Some(name) = g.graph() {
                    any = true;
                    f(name)?;
                }
            }
            if !any {
                f(GraphNameRef::DefaultGraph)?;
            }
            Ok(())
        };
        graphs_of(&[], &mut |g| {
            for class in &self.classes {
                sink.push(QuadRef::new(subject, rdf::TYPE, class, g))?;
                count += 1;
            }
            Ok(())
        })?;
        for pom in &self.poms {
            graphs_of(&pom.graphs, &mut |g| {
                for p in &pom.predicates {
                    let Some(TermRef::NamedNode(p)) = p.term() else {
                        continue;
                    };
                    for o in &pom.objects {
                        match o {
                            CObject::Term(t) | CObject::SameRow(t) => {
                                if let Some(o) = t.term() {
                                    sink.push(QuadRef::new(subject, p, o, g))?;
                                    count += 1;
                                }
                            }
                            CObject::Join {
                                index,
                                key,
                                present,
                                ..
                            } => {
                                if !present {
                                    continue;
                                }
                                if let Some(parents) = joins[*index].map.get(key.as_str()) {
                                    for o in parents {
                                        sink.push(QuadRef::new(subject, p, o, g))?;
                                        count += 1;
                                    }
                                }
                            }
                        }
                    }
                }
                Ok(())
            })?;
        }
        Ok(count)
    }
}

fn as_subject(t: TermRef<'_>) -> Option<NamedOrBlankNodeRef<'_>> {
    match t {
        TermRef::NamedNode(n) => Some(n.into()),
        TermRef::BlankNode(b) => Some(b.into()),
        TermRef::Literal(_) => None,
    }
}

#[derive(Clone)]
enum CValue {
    Constant(Term),
    Column(usize),
    Template(Vec<CSegment>),
}

#[derive(Clone)]
enum CSegment {
    Text(String),
    Column(usize),
}

#[derive(Clone)]
enum CExtra {
    Constant(String),
    Map(Box<CTerm>),
}

/// A term map compiled against a CSV header, with the buffer its terms are built in.
#[derive(Clone)]
struct CTerm {
    value: CValue,
    term_type: TermType,
    language: Option<CExtra>,
    datatype: Option<CExtra>,
    default_graph: bool,
    /// The IRIs this template makes are valid whatever the values (checked once).
    always_valid_iri: bool,
    buf: String,
    present: bool,
}

impl CTerm {
    fn compile(
        t: &TermMap,
        headers: &csv::StringRecord,
        mapping: &Mapping,
        tm: &TriplesMap,
    ) -> Result<Self, RmlError> {
        let value = match &t.value {
            Value::Constant(c) => CValue::Constant(c.clone()),
            Value::Reference(r) => CValue::Column(column(headers, r, mapping, tm)?),
            Value::Template(tpl) => CValue::Template(
                tpl.segments
                    .iter()
                    .map(|s| match s {
                        Segment::Text(t) => Ok(CSegment::Text(t.clone())),
                        Segment::Reference(r) => {
                            Ok(CSegment::Column(column(headers, r, mapping, tm)?))
                        }
                    })
                    .collect::<Result<_, _>>()?,
            ),
            // `fast_path` sends every triples map that calls a function to `crate::multi`.
            Value::Function(_) => {
                return Err(mapping_error(
                    mapping,
                    tm,
                    "internal: a function-valued term map reached the CSV fast path".into(),
                ))
            }
        };
        let extra = |e: &Option<Box<LangOrDatatype>>,
                     is_language: bool|
         -> Result<Option<CExtra>, RmlError> {
            Ok(match e.as_deref() {
                None => None,
                Some(LangOrDatatype::Constant(c)) if is_language => {
                    Some(CExtra::Constant(c.to_ascii_lowercase()))
                }
                Some(LangOrDatatype::Constant(c)) => Some(CExtra::Constant(c.clone())),
                Some(LangOrDatatype::Map(m)) => Some(CExtra::Map(Box::new(Self::compile(
                    m, headers, mapping, tm,
                )?))),
            })
        };
        let always_valid_iri = match (&t.value, t.term_type) {
            (Value::Template(tpl), TermType::Iri) => template_always_valid(tpl),
            _ => false,
        };
        Ok(Self {
            present: matches!(value, CValue::Constant(_)),
            value,
            term_type: t.term_type,
            language: extra(&t.language, true)?,
            datatype: extra(&t.datatype, false)?,
            default_graph: t.default_graph,
            always_valid_iri,
            buf: String::new(),
        })
    }

    fn first_column(&self) -> Option<usize> {
        match &self.value {
            CValue::Constant(_) => None,
            CValue::Column(c) => Some(*c),
            CValue::Template(s) => s.iter().find_map(|s| match s {
                CSegment::Column(c) => Some(*c),
                CSegment::Text(_) => None,
            }),
        }
    }

    fn eval(&mut self, row: &Row<'_>) -> Result<(), RmlError> {
        self.buf.clear();
        self.present = false;
        match &self.value {
            CValue::Constant(_) => {
                self.present = true;
                return Ok(());
            }
            CValue::Column(c) => {
                let v = row.record.get(*c).unwrap_or("");
                if is_null(v, row.nulls) {
                    return Ok(());
                }
                self.buf.push_str(v);
            }
            CValue::Template(segments) => {
                for s in segments {
                    match s {
                        CSegment::Text(t) => self.buf.push_str(t),
                        CSegment::Column(c) => {
                            let v = row.record.get(*c).unwrap_or("");
                            if is_null(v, row.nulls) {
                                return Ok(());
                            }
                            if self.term_type == TermType::Iri {
                                push_iri_safe(&mut self.buf, v);
                            } else {
                                self.buf.push_str(v);
                            }
                        }
                    }
                }
            }
        }
        match self.term_type {
            TermType::Iri => {
                if !self.always_valid_iri && !is_absolute_iri(&self.buf) {
                    let Some(base) = row.base else {
                        return Err(row.error(self.first_column(), format!("<{}> is a relative IRI and the mapping has no base IRI; expected an absolute IRI (or give --base)", self.buf)));
                    };
                    self.buf.insert_str(0, base);
                    if !is_absolute_iri(&self.buf) {
                        return Err(row.error(self.first_column(), format!("<{}> is not a valid IRI (RFC 3987); expected a value that makes a valid IRI", self.buf)));
                    }
                }
            }
            TermType::BlankNode => {
                if BlankNodeRef::new(&self.buf).is_err() {
                    let mut id = String::with_capacity(2 * self.buf.len() + 1);
                    id.push('u');
                    for b in self.buf.bytes() {
                        id.push_str(&format!("{b:02x}"));
                    }
                    self.buf = id;
                }
            }
            TermType::Literal => {
                let first = self.first_column();
                if let Some(CExtra::Map(m)) = &mut self.language {
                    m.eval(row)?;
                    if m.present {
                        if oxilangtag::LanguageTag::parse(m.buf.as_str()).is_err() {
                            return Err(row.error(m.first_column().or(first), format!("\"{}\" is not a valid BCP 47 language tag; expected e.g. \"fr\"", m.buf)));
                        }
                        // Language tags are case-insensitive; RDF stores keep them in lower case.
                        m.buf.make_ascii_lowercase();
                    }
                }
                if let Some(CExtra::Map(m)) = &mut self.datatype {
                    m.eval(row)?;
                }
            }
        }
        self.present = true;
        Ok(())
    }

    /// The term the last evaluation made, if any.
    fn term(&self) -> Option<TermRef<'_>> {
        if !self.present {
            return None;
        }
        if let CValue::Constant(c) = &self.value {
            return Some(c.as_ref());
        }
        Some(match self.term_type {
            TermType::Iri => NamedNodeRef::new_unchecked(&self.buf).into(),
            TermType::BlankNode => BlankNodeRef::new_unchecked(&self.buf).into(),
            TermType::Literal => {
                let language = match &self.language {
                    Some(CExtra::Constant(l)) => Some(l.as_str()),
                    Some(CExtra::Map(m)) if m.present => Some(m.buf.as_str()),
                    _ => None,
                };
                if let Some(l) = language {
                    return Some(
                        LiteralRef::new_language_tagged_literal_unchecked(&self.buf, l).into(),
                    );
                }
                let datatype = match &self.datatype {
                    Some(CExtra::Constant(d)) => Some(d.as_str()),
                    Some(CExtra::Map(m)) if m.present => Some(m.buf.as_str()),
                    _ => None,
                };
                match datatype {
                    Some(d) if d != xsd::STRING.as_str() => {
                        LiteralRef::new_typed_literal(&self.buf, NamedNodeRef::new_unchecked(d))
                            .into()
                    }
                    _ => LiteralRef::new_simple_literal(&self.buf).into(),
                }
            }
        })
    }

    /// The graph this graph map names, if any.
    fn graph(&self) -> Option<GraphNameRef<'_>> {
        if self.default_graph {
            return self.present.then_some(GraphNameRef::DefaultGraph);
        }
        match self.term()? {
            TermRef::NamedNode(n) => Some(n.into()),
            TermRef::BlankNode(b) => Some(b.into()),
            TermRef::Literal(_) => None,
        }
    }
}

/// Is `s` an absolute IRI (RFC 3987, fragment allowed)?
pub fn is_absolute_iri(s: &str) -> bool {
    iri_string::types::IriStr::new(s).is_ok()
}

/// True when every expansion of an IRI template is a valid absolute IRI: the text before the
/// first reference already fixes the scheme and authority, and values (made IRI-safe) only
/// land in the path, query or fragment, where `iunreserved` characters and `%HH` are allowed.
fn template_always_valid(tpl: &super::template::Template) -> bool {
    let lead = tpl.leading_text();
    let Some(colon) = lead.find(':') else {
        return false;
    };
    let after_scheme = &lead[colon + 1..];
    let in_path = match after_scheme.strip_prefix("//") {
        Some(authority_and_more) => authority_and_more.contains(['/', '?', '#']),
        None => true,
    };
    if !in_path {
        return false;
    }
    let mut probe = String::new();
    for s in &tpl.segments {
        match s {
            Segment::Text(t) => probe.push_str(t),
            Segment::Reference(_) => probe.push('x'),
        }
    }
    is_absolute_iri(&probe)
}
