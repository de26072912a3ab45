//! `factgraph serve`: the store over HTTP, read-only.
//!
//! | route | what |
//! | --- | --- |
//! | `/query` | SPARQL 1.1 Protocol: GET, POST form, POST `application/sparql-query`; without a query, the Service Description |
//! | `/` | the query editor, the examples (queries/*.rq) and, with `?query=`, the results as a table |
//! | `/entity?iri=…` | what the graph says about one entity, with a diagram of its neighbourhood |
//! | `/yasgui` | YASGUI on `/query`, one tab per example query (the one page with a script) |
//! | `/assets/yasgui/…` | YASGUI's files, embedded in the binary |
//!
//! Every response carries CORS headers; `OPTIONS` answers preflight requests. Updates get
//! 403. A query runs at most [`Limits::timeout`] and returns at most [`Limits::max_results`]
//! rows. The store is re-opened when a `factgraph load` makes a new generation active, so a
//! running server serves the newest graph; the replaced generation is removed from disk once
//! the last query reading it ends.
//!
//! Connections, request sizes and times are bounded ([`http::HttpLimits`]; see
//! [`http`] for the server and why it is built on hyper).
//!
//! ```no_run
//! use factgraph::serve::{http::HttpLimits, Limits, Server, ServeOptions};
//! let server = Server::bind(&ServeOptions {
//!     bind: "localhost:0".into(),
//!     store: "factgraph.db".into(),
//!     limits: Limits::default(),
//!     http: HttpLimits::default(),
//!     workers: 4,
//!     examples: None,
//! })?;
//! println!("http://{}/", server.local_addr());
//! server.run()?;
//! # Ok::<_, factgraph::serve::ServeError>(())
//! ```

pub mod describe;
pub mod examples;
pub mod html;
pub mod http;
pub mod pages;
pub mod protocol;
pub mod svg;
pub mod yasgui;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use oxigraph::store::Store;

use crate::store::{self, ReadStore, StoreError};
use http::{HttpError, HttpLimits, HttpServer, Request, Response, StopHandle};

/// A read-only view of a store that threads can share (a query past its timeout keeps its
/// view, and so the generation's read lock, until it stops).
pub trait Snapshot: Send + Sync + 'static {
    /// The Oxigraph store.
    fn store(&self) -> &Store;
}

impl Snapshot for Store {
    fn store(&self) -> &Store {
        self
    }
}

impl Snapshot for ReadStore {
    fn store(&self) -> &Store {
        &self.store
    }
}

/// A shared [`Snapshot`].
pub type Shared = Arc<dyn Snapshot>;

/// The address `serve` binds by default: loopback only.
pub const DEFAULT_BIND: &str = "127.0.0.1:7878";

/// Bounds on queries.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Cancel a query after this long (`None`: never).
    pub timeout: Option<Duration>,
    /// Return at most this many rows or triples (0: no cap).
    pub max_results: usize,
    /// Queries evaluated at once in this process, counting those past their timeout that
    /// have not stopped yet; one more gets 503 (0: no cap).
    pub max_queries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Some(Duration::from_secs(30)),
            max_results: 10_000,
            max_queries: 16,
        }
    }
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// `host:port` to listen on (port 0 picks a free one).
    pub bind: String,
    /// The store directory.
    pub store: PathBuf,
    /// Bounds on each query.
    pub limits: Limits,
    /// Bounds on connections and requests.
    pub http: HttpLimits,
    /// Requests answered at once (worker threads).
    pub workers: usize,
    /// A directory whose `*.rq` files are the examples of the query pages (`None`: the
    /// built-in competency questions).
    pub examples: Option<PathBuf>,
}

/// Errors that keep the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address cannot be bound.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The store cannot be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The directory of example queries cannot be read.
    #[error("cannot read the example queries in {}: {source}", path.display())]
    Examples {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The store being served: re-opened when its active generation changes.
pub struct LiveStore {
    path: PathBuf,
    current: RwLock<(Option<PathBuf>, Arc<ReadStore>)>,
}

impl LiveStore {
    /// Opens the store at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let generation = store::active_generation(path);
        let read = store::open_read(path)?;
        Ok(LiveStore {
            path: path.to_owned(),
            current: RwLock::new((generation, Arc::new(read))),
        })
    }

    /// The store as it is now: the same snapshot while no load has replaced it.
    pub fn get(&self) -> Result<Shared, StoreError> {
        let active = store::active_generation(&self.path);
        if let Ok(current) = self.current.read() {
            if current.0 == active || active.is_none() {
                return Ok(Arc::clone(&current.1) as Shared);
            }
        }
        let read = Arc::new(store::open_read(&self.path)?);
        let replaced = match self.current.write() {
            Ok(mut current) => Some(std::mem::replace(
                &mut *current,
                (active, Arc::clone(&read)),
            )),
            Err(_) => None,
        };
        // Outside the lock: when no query holds it any more, dropping the replaced snapshot
        // closes it and removes its generation from disk (see `store::ReadStore`).
        drop(replaced);
        Ok(read as Shared)
    }
}

/// The routes, over one store.
pub struct App {
    store: LiveStore,
    limits: Limits,
    examples: Vec<examples::QueryExample>,
}

impl App {
    /// An app serving the store at `path`.
    pub fn new(path: &Path, limits: Limits) -> Result<Self, StoreError> {
        Ok(App {
            store: LiveStore::open(path)?,
            limits,
            examples: examples::built_in(),
        })
    }

    /// The same app with `examples` on the query page and the YASGUI page.
    #[must_use]
    pub fn with_examples(mut self, examples: Vec<examples::QueryExample>) -> Self {
        self.examples = examples;
        self
    }

    /// Answers one request.
    pub fn handle(&self, request: &Request) -> Response {
        let response = if request.method == "OPTIONS" {
            Response::empty(204)
                .with_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
                .with_header("Access-Control-Allow-Headers", "Content-Type, Accept")
                .with_header("Access-Control-Max-Age", "86400")
                .with_header("Allow", "GET, POST, OPTIONS")
        } else {
            self.route(request)
        };
        let html = response
            .header("Content-Type")
            .is_some_and(|t| t.starts_with("text/html"));
        let mut response = response
            .with_header("Access-Control-Allow-Origin", "*")
            .with_header("Access-Control-Expose-Headers", "X-SPARQL-MaxRows")
            .with_header("X-Content-Type-Options", "nosniff");
        if html && response.header("Content-Security-Policy").is_none() {
            // The pages have no script at all: say so, so that an injection could not run one.
            response = response.with_header(
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'",
            );
        }
        response
    }

    fn route(&self, request: &Request) -> Response {
        let read_only_path = matches!(request.path.as_str(), "/query" | "/sparql");
        if !read_only_path && !matches!(request.method.as_str(), "GET" | "HEAD") {
            return Response::text(405, "this page only answers GET")
                .with_header("Allow", "GET, OPTIONS");
        }
        if request.path == "/yasgui" {
            return yasgui::page(&self.examples);
        }
        if let Some(file) = yasgui::asset(&request.path) {
            return file;
        }
        let store = match self.store.get() {
            Ok(s) => s,
            Err(e) => return Response::text(503, e.to_string()),
        };
        match request.path.as_str() {
            "/query" | "/sparql" => protocol::handle(&store, request, &self.limits),
            "/" | "/index.html" => pages::home(&store, request, &self.limits, &self.examples),
            "/entity" => pages::entity(store.store(), request),
            "/favicon.ico" => Response::empty(204),
            other => pages::not_found(other),
        }
    }
}

/// A bound server, ready to [`run`](Server::run).
pub struct Server {
    http: HttpServer,
    app: App,
    workers: usize,
    stop: StopHandle,
}

impl Server {
    /// Opens the store and binds the address.
    pub fn bind(options: &ServeOptions) -> Result<Self, ServeError> {
        let mut app = App::new(&options.store, options.limits)?;
        if let Some(dir) = &options.examples {
            let examples = examples::from_dir(dir).map_err(|source| ServeError::Examples {
                path: dir.clone(),
                source,
            })?;
            app = app.with_examples(examples);
        }
        let http = HttpServer::bind(&options.bind, options.http)?;
        let workers = options.workers.max(1);
        let stop = http.stop_handle();
        Ok(Server {
            http,
            app,
            workers,
            stop,
        })
    }

    /// The address bound (with the port the system chose when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.http.local_addr()
    }

    /// A handle that makes [`run`](Server::run) return.
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Answers requests until stopped.
    pub fn run(self) -> Result<(), ServeError> {
        let app = self.app;
        self.http.run(self.workers, move |r| app.handle(r))?;
        Ok(())
    }
}
