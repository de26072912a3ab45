//! The on-disk store: a directory holding Oxigraph (RocksDB) generations and a pointer to the
//! active one.
//!
//! ```text
//! factgraph.db/
//!   active        symlink → the generation readers open
//!   gen-…/        one Oxigraph store per successful load
//!   load.lock     held (exclusively) by a running load; holds its process id
//!   .read-gen-….lock  one per generation, held (shared) by every reader of that generation
//! ```
//!
//! A generation is removed once it is no longer active and nobody reads it: by the load that
//! replaced it when no reader holds its lock, or else by its last reader when that reader
//! closes it ([`ReadStore`]'s drop), e.g. a `factgraph serve` re-opening the new generation.
//!
//! A load builds a new generation beside the active one and, only once it is complete and
//! flushed, swaps the `active` symlink atomically (rename). A load that fails or is killed
//! leaves the previous generation active and untouched.
//!
//! Loads are serialised: a load takes `load.lock` (an OS file lock, released by the system
//! when the process ends, even killed) before anything else ([`lock_for_load`]); a second
//! load waits until the first has finished, then builds its own generation and replaces the
//! first one's graph. So the graph active at the end is the one of the load that finished
//! last, which is the one started last.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use oxigraph::model::{Quad, QuadRef};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::{StorageError, Store};

use crate::rml::{self, Mapping, RmlError, SinkError};

const ACTIVE: &str = "active";
const LOAD_LOCK: &str = "load.lock";
/// The lock file readers held before locks were per generation; still accepted in a store.
const READ_LOCK: &str = "read.lock";
/// Prefix of the per-generation read locks: `.read-gen-….lock`.
const GEN_LOCK_PREFIX: &str = ".read-";
const GEN_PREFIX: &str = "gen-";
/// Quads handed to the bulk loader at a time: its own batch size for 256 MB and 2 threads.
const BATCH: usize = 128_000;

/// Errors of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No store at the path.
    #[error("no factgraph store at {0}; run `factgraph load` first (or give --store)")]
    Missing(PathBuf),
    /// The path exists but is something else.
    #[error("{0} is not a factgraph store (expected a directory made by `factgraph load`, or a path that does not exist yet)")]
    NotAStore(PathBuf),
    /// Another load holds the lock (and this one was asked not to wait).
    #[error("another load{} is running on {}; not waiting for it (--no-wait)", .holder.map(|p| format!(" (pid {p})")).unwrap_or_default(), .path.display())]
    Locked {
        /// The store.
        path: PathBuf,
        /// The process id of the running load, when it could be read.
        holder: Option<u32>,
    },
    /// Mapping or data error during a load.
    #[error(transparent)]
    Rml(#[from] RmlError),
    /// The embedded ontology failed to parse (a build defect).
    #[error("the embedded ontology is invalid: {0}")]
    Ontology(String),
    /// The new graph failed the load's check (`LoadOptions::check`); the previous graph
    /// stays active.
    #[error("the new graph was not activated (the previous one is kept)")]
    Rejected(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Oxigraph failed.
    #[error("store error at {path}: {source}")]
    Storage {
        /// The generation directory.
        path: PathBuf,
        /// The cause.
        source: StorageError,
    },
    /// File system error.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_owned(),
        source,
    }
}

/// What a load did.
#[derive(Debug, Clone)]
pub struct LoadSummary {
    /// Quads in the new store (after removing duplicates).
    pub quads: usize,
    /// Distinct subjects.
    pub subjects: usize,
    /// Rows read from the CSV sources.
    pub rows: u64,
    /// Quads the mappings generated (duplicates included).
    pub mapped: u64,
    /// Triples of the ontology.
    pub ontology: usize,
    /// Wall time.
    pub seconds: f64,
}

/// A store opened for reading; holds the shared lock of its generation while alive. When
/// dropped after a load has replaced its generation, it removes the generations nobody
/// reads any more (fields drop in order: the store is closed and the lock released first).
pub struct ReadStore {
    /// The Oxigraph store (read-only).
    pub store: Store,
    _lock: File,
    _cleanup: Cleanup,
}

/// Removes replaced generations when a [`ReadStore`] is dropped.
struct Cleanup {
    root: PathBuf,
    generation: PathBuf,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if active_generation(&self.root).as_deref() == Some(self.generation.as_path()) {
            return;
        }
        // Never race a running load (it may be building a generation that is not active
        // yet); that load removes what is stale when it ends.
        let Ok(lock) = OpenOptions::new()
            .read(true)
            .write(true)
            .open(self.root.join(LOAD_LOCK))
        else {
            return;
        };
        if lock.try_lock().is_err() {
            return;
        }
        let keep = fs::read_link(self.root.join(ACTIVE)).ok();
        remove_stale_generations(&self.root, keep.as_deref());
    }
}

fn generation_lock_path(root: &Path, generation_name: &std::ffi::OsStr) -> PathBuf {
    let mut name = std::ffi::OsString::from(GEN_LOCK_PREFIX);
    name.push(generation_name);
    name.push(".lock");
    root.join(name)
}

/// Is there a factgraph store at `path`?
pub fn exists(path: &Path) -> bool {
    path.join(ACTIVE).exists()
}

/// Opens the active generation of the store at `path` for reading.
pub fn open_read(path: &Path) -> Result<ReadStore, StoreError> {
    if !path.exists() {
        return Err(StoreError::Missing(path.to_owned()));
    }
    if !path.is_dir() {
        return Err(StoreError::NotAStore(path.to_owned()));
    }
    let active = path.join(ACTIVE);
    if fs::symlink_metadata(&active).is_err() {
        return Err(if path.join(LOAD_LOCK).exists() {
            StoreError::Missing(path.to_owned())
        } else {
            StoreError::NotAStore(path.to_owned())
        });
    }
    // Lock the generation `active` names, then check it still names it: a load removes only
    // generations that are not active and whose lock it can take exclusively, so once this
    // holds, the generation stays until the lock is dropped.
    for _ in 0..100 {
        let target = fs::read_link(&active).map_err(io_err(&active))?;
        let lock_path = generation_lock_path(path, target.as_os_str());
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .or_else(|_| File::open(&lock_path))
            .map_err(io_err(&lock_path))?;
        lock.lock_shared().map_err(io_err(&lock_path))?;
        if fs::read_link(&active).ok().as_deref() != Some(target.as_path()) {
            continue;
        }
        let generation = path.join(&target);
        let store = Store::open_read_only(&generation).map_err(|source| StoreError::Storage {
            path: generation.clone(),
            source,
        })?;
        return Ok(ReadStore {
            store,
            _lock: lock,
            _cleanup: Cleanup {
                root: path.to_owned(),
                generation,
            },
        });
    }
    Err(StoreError::Io {
        path: active,
        source: std::io::Error::other("the active generation kept changing"),
    })
}

/// A check of the complete new graph before it becomes active (see [`LoadOptions::check`]).
pub type LoadCheck = dyn Fn(&Store) -> Result<(), StoreError>;

/// Options of a load.
#[derive(Default)]
pub struct LoadOptions<'a> {
    /// Called from time to time with the number of quads mapped so far.
    pub progress: Option<&'a dyn Fn(u64)>,
    /// Called on the complete new graph before it is made active; an error keeps the
    /// previous graph active (e.g. SHACL validation, `load --shacl`).
    pub check: Option<&'a LoadCheck>,
}

/// The exclusive right to load into a store: the OS lock on `load.lock`, held until this is
/// dropped or the process ends (the system releases it even when the process is killed).
#[derive(Debug)]
pub struct LoadLock {
    _file: File,
    store: PathBuf,
    /// This lock created the store directory (so a load that fails before activating
    /// anything removes it again, leaving no empty store behind).
    created: bool,
    waited_for: Option<Option<u32>>,
}

impl LoadLock {
    /// The store directory.
    pub fn store(&self) -> &Path {
        &self.store
    }

    /// Whether this lock had to wait for another load, and that load's process id when it
    /// could be read: `None` when the store was free.
    pub fn waited_for(&self) -> Option<Option<u32>> {
        self.waited_for
    }
}

impl Drop for LoadLock {
    fn drop(&mut self) {
        // A store directory this load created and never activated holds only lock files:
        // take it away again (the lock is still held here, fields drop after this).
        if self.created && fs::symlink_metadata(self.store.join(ACTIVE)).is_err() {
            let _ = fs::remove_file(self.store.join(READ_LOCK));
            let _ = fs::remove_file(self.store.join(LOAD_LOCK));
            let _ = fs::remove_dir(&self.store);
        }
    }
}

/// What [`lock_for_load`] does when another load holds the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Wait {
    /// Wait until the other load ends (the default).
    #[default]
    Yes,
    /// Refuse at once with [`StoreError::Locked`].
    No,
}

/// Takes the load lock of the store at `path` (creating the directory if needed). When
/// another load holds it, refuses (`Wait::No`) or calls `waiting` with that load's process id
/// (when readable) and blocks until it ends. The lock is released when the returned
/// [`LoadLock`] is dropped or the process ends.
pub fn lock_for_load(
    path: &Path,
    wait: Wait,
    waiting: &mut dyn FnMut(Option<u32>),
) -> Result<LoadLock, StoreError> {
    let mut waited_for = None;
    // A few rounds: a load that fails on a store it created removes the directory, lock file
    // included, and a load that waited on that file must then start again on a new one.
    for _ in 0..100 {
        let existed = path.exists();
        prepare_dir(path)?;
        let lock_path = path.join(LOAD_LOCK);
        let mut file = match OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_err(&lock_path)(e)),
        };
        if file.try_lock().is_err() {
            let holder = read_pid(&mut file);
            if wait == Wait::No {
                return Err(StoreError::Locked {
                    path: path.to_owned(),
                    holder,
                });
            }
            if waited_for.is_none() {
                waiting(holder);
                waited_for = Some(holder);
            }
            file.lock().map_err(io_err(&lock_path))?;
        }
        if !same_file(&file, &lock_path) {
            continue;
        }
        // Our pid, for the message of the next load that has to wait.
        let pid = std::process::id();
        let mut write_pid = || -> std::io::Result<()> {
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            writeln!(file, "{pid}")?;
            file.flush()
        };
        write_pid().map_err(io_err(&lock_path))?;
        return Ok(LoadLock {
            _file: file,
            store: path.to_owned(),
            created: !existed,
            waited_for,
        });
    }
    Err(StoreError::Io {
        path: path.join(LOAD_LOCK),
        source: std::io::Error::other("the lock file kept disappearing"),
    })
}

fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

/// Whether `file` is still the file at `path` (not unlinked meanwhile).
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// Maps `mappings` and loads the quads plus `extra` (the ontology) into a new generation of
/// the store at `path`, then makes it the active one. The previous graph stays active until
/// the new one is complete; on any error it is untouched. Waits (silently) for a load already
/// running on the store; [`lock_for_load`] and [`load_locked`] say so or refuse instead.
pub fn load(
    path: &Path,
    mappings: &[Mapping],
    extra: &[Quad],
    options: &LoadOptions<'_>,
) -> Result<LoadSummary, StoreError> {
    let lock = lock_for_load(path, Wait::Yes, &mut |_| {})?;
    load_locked(&lock, mappings, extra, options)
}

/// [`load`] into the store whose load lock is held.
pub fn load_locked(
    lock: &LoadLock,
    mappings: &[Mapping],
    extra: &[Quad],
    options: &LoadOptions<'_>,
) -> Result<LoadSummary, StoreError> {
    let start = Instant::now();
    let path = lock.store();
    let active_target = fs::read_link(path.join(ACTIVE)).ok();
    remove_stale_generations(path, active_target.as_deref());

    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let name = format!("{GEN_PREFIX}{stamp}-{}", std::process::id());
    let generation = path.join(&name);
    let result = fill_generation(&generation, mappings, extra, options);
    let (rows, mapped) = match result {
        Ok(counts) => counts,
        Err(e) => {
            let _ = fs::remove_dir_all(&generation);
            return Err(e);
        }
    };
    // Count on a fresh read-only view, as readers will see it.
    let (quads, subjects) = {
        let store = Store::open_read_only(&generation).map_err(|source| StoreError::Storage {
            path: generation.clone(),
            source,
        })?;
        let counted = counts(&store).map_err(|source| StoreError::Storage {
            path: generation.clone(),
            source,
        })?;
        if let Some(check) = options.check {
            if let Err(e) = check(&store) {
                drop(store);
                let _ = fs::remove_dir_all(&generation);
                return Err(e);
            }
        }
        counted
    };
    swap_active(path, &name)?;
    remove_stale_generations(path, Some(Path::new(&name)));
    Ok(LoadSummary {
        quads,
        subjects,
        rows,
        mapped,
        ontology: extra.len(),
        seconds: start.elapsed().as_secs_f64(),
    })
}

fn prepare_dir(path: &Path) -> Result<(), StoreError> {
    if path.exists() {
        if !path.is_dir() {
            return Err(StoreError::NotAStore(path.to_owned()));
        }
        let ours = fs::read_dir(path)
            .map_err(io_err(path))?
            .filter_map(Result::ok)
            .all(|e| {
                let n = e.file_name();
                let n = n.to_string_lossy();
                n == ACTIVE
                    || n == LOAD_LOCK
                    || n == READ_LOCK
                    || n.starts_with(GEN_PREFIX)
                    || n.starts_with(".active")
                    || n.starts_with(GEN_LOCK_PREFIX)
            });
        if !ours {
            return Err(StoreError::NotAStore(path.to_owned()));
        }
    } else {
        fs::create_dir_all(path).map_err(io_err(path))?;
    }
    Ok(())
}

/// Loads everything into a new Oxigraph store at `generation`; returns (rows, mapped quads).
fn fill_generation(
    generation: &Path,
    mappings: &[Mapping],
    extra: &[Quad],
    options: &LoadOptions<'_>,
) -> Result<(u64, u64), StoreError> {
    let storage = |source| StoreError::Storage {
        path: generation.to_owned(),
        source,
    };
    let store = Store::open(generation).map_err(storage)?;
    let mut loader = store
        .bulk_loader()
        .with_num_threads(2)
        .with_max_memory_size_in_megabytes(256);
    loader.load_quads(extra.iter().cloned()).map_err(storage)?;
    let mut rows = 0;
    let mut mapped = 0;
    {
        let mut batch: Vec<Quad> = Vec::with_capacity(BATCH);
        let mut total: u64 = 0;
        // Mapping runs on its own threads (rows in order); this thread feeds the bulk
        // loader, whose indexing threads work on earlier batches meanwhile.
        let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        for mapping in mappings {
            let stats = rml::execute_parallel(
                mapping,
                workers,
                Vec::new,
                |chunk: &mut Vec<Quad>, q: QuadRef<'_>| {
                    chunk.push(q.into_owned());
                    Ok(())
                },
                |mut chunk: Vec<Quad>| -> Result<(), SinkError> {
                    batch.append(&mut chunk);
                    if batch.len() >= BATCH {
                        total += batch.len() as u64;
                        loader.load_quads(batch.drain(..))?;
                        if let Some(p) = options.progress {
                            p(total);
                        }
                    }
                    Ok(())
                },
            )?;
            rows += stats.rows;
            mapped += stats.quads;
        }
        loader.load_quads(batch.drain(..)).map_err(storage)?;
    }
    loader.commit().map_err(storage)?;
    store.flush().map_err(storage)?;
    drop(store);
    Ok((rows, mapped))
}

/// Counts quads and distinct subjects over all graphs.
pub fn counts(store: &Store) -> Result<(usize, usize), StorageError> {
    let quads = store.len()?;
    let query =
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }";
    let mut subjects = 0;
    if let Ok(prepared) = SparqlEvaluator::new().parse_query(query) {
        if let Ok(QueryResults::Solutions(mut s)) = prepared.on_store(store).execute() {
            if let Some(Ok(row)) = s.next() {
                if let Some(oxigraph::model::Term::Literal(l)) = row.get("n") {
                    subjects = l.value().parse().unwrap_or(0);
                }
            }
        }
    }
    Ok((quads, subjects))
}

/// Points `active` at `name` atomically (a new symlink renamed over the old one).
fn swap_active(path: &Path, name: &str) -> Result<(), StoreError> {
    let tmp = path.join(format!(".active-{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    symlink(Path::new(name), &tmp).map_err(io_err(&tmp))?;
    let active = path.join(ACTIVE);
    fs::rename(&tmp, &active).map_err(io_err(&active))?;
    // Make the rename durable.
    if let Ok(dir) = File::open(path) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_dir(target, link)
}

/// Removes generations other than `keep`: leftovers of failed or killed loads and replaced
/// generations. A generation a reader holds (shared lock on its `.read-….lock`) is left; its
/// last reader removes it when it closes (see [`ReadStore`]), or else the next load. Lock
/// files of generations that are gone are removed too. The caller holds the load lock.
fn remove_stale_generations(path: &Path, keep: Option<&Path>) {
    let Ok(entries) = fs::read_dir(path) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name();
        let Some(n) = name.to_str() else { continue };
        if n.starts_with(GEN_PREFIX) && keep.is_none_or(|k| k != Path::new(n)) {
            let lock_path = generation_lock_path(path, &name);
            let Ok(lock) = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path)
            else {
                continue;
            };
            if lock.try_lock().is_err() {
                continue;
            }
            if fs::remove_dir_all(e.path()).is_ok() {
                let _ = fs::remove_file(&lock_path);
            }
        } else if let Some(generation) = n
            .strip_prefix(GEN_LOCK_PREFIX)
            .and_then(|g| g.strip_suffix(".lock"))
        {
            // The lock of a generation removed earlier, left by a reader that raced it.
            if keep.is_none_or(|k| k != Path::new(generation)) && !path.join(generation).exists() {
                if let Ok(lock) = OpenOptions::new().write(true).open(e.path()) {
                    if lock.try_lock().is_ok() {
                        let _ = fs::remove_file(e.path());
                    }
                }
            }
        }
    }
}

/// A generation directory path, for tests and tools: the active one.
pub fn active_generation(path: &Path) -> Option<PathBuf> {
    fs::read_link(path.join(ACTIVE)).ok().map(|t| path.join(t))
}
