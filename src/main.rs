//! The factgraph command line: parses arguments, calls the library, turns errors into
//! messages and exit codes (0 ok, 1 usage or internal error, 2 bad input data or mapping).

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use factgraph::map::MapFormat;
use factgraph::ontology;
use factgraph::project::{self, ProjectError};
use factgraph::query::{self, QueryError, QueryOutput, QuerySummary};
use factgraph::rdf_io::{self, RdfOutput};
use factgraph::rml::{self, ParseOptions, RmlError};
use factgraph::store::{self, LoadOptions, StoreError};
use factgraph::validate::{self, Report};

mod cli_link;

#[derive(Parser)]
#[command(
    name = "factgraph",
    version,
    about = "Build a knowledge graph from curated CSV facts: RML mapping → embedded Oxigraph store → SPARQL",
    long_about = "Build a knowledge graph from curated CSV facts.\n\n\
        CSV, JSON and XML files are mapped through a declarative RML mapping (DIR/*.rml.ttl, or YARRRML in DIR/*.yarrrml.yml) onto the factgraph \
        ontology, loaded into an embedded Oxigraph store and queried with SPARQL.\n\n\
        Typical use:\n  factgraph load data\n  factgraph query -f queries/signatories.rq\n  factgraph export > graph.ttl",
    after_help = "Exit codes: 0 ok, 1 usage or internal error, 2 bad input data or mapping.\nData goes to stdout, messages to stderr."
)]
struct Cli {
    /// Print nothing but data and errors (no summary, no progress bar)
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

/// How much `load` and `map` check before they run.
#[derive(clap::Args, Debug, Clone, Copy)]
struct ChecksArg {
    /// Skip the input checks of `factgraph validate` (faster on large data already
    /// checked; the mapping still refuses what it cannot map)
    #[arg(long, conflicts_with = "strict")]
    no_check: bool,
    /// Report what RML allows but a curator may not want (a subject made by two rows, a join
    /// or IRI that refers to no row, an unknown class on a mapping node) as errors, not
    /// warnings; also set by `strict = true` under `[check]` in DIR/factgraph.toml
    #[arg(long)]
    strict: bool,
}

#[derive(clap::Args)]
struct StoreArg {
    /// The store directory
    #[arg(
        long,
        env = "FACTGRAPH_STORE",
        hide_env_values = true,
        default_value = "factgraph.db",
        value_name = "PATH"
    )]
    store: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Map DIR's CSV through its mapping and load the quads plus the ontology into the store,
    /// replacing what was there (atomically: a failed load keeps the previous graph). A load
    /// started while another runs on the same store waits for it to finish (saying so on
    /// stderr), then replaces its graph: the graph of the load started last stays active
    Load {
        /// The data directory holding the mappings (*.rml.ttl, *.yarrrml.yml) and the files they name
        #[arg(default_value = "data")]
        dir: PathBuf,
        #[command(flatten)]
        store: StoreArg,
        /// Use this mapping file (RML Turtle or YARRRML) instead of the mappings of DIR
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
        /// Base IRI for relative IRIs the mapping generates (default: the mapping's @base)
        #[arg(long, value_name = "IRI")]
        base: Option<String>,
        /// Also check the new graph against the SHACL shapes (ontology/shapes.ttl) and keep
        /// the previous graph if it does not conform
        #[arg(long)]
        shacl: bool,
        #[command(flatten)]
        checks: ChecksArg,
        /// Refuse (exit 1) instead of waiting when another load is running on the store
        #[arg(long)]
        no_wait: bool,
    },
    /// Check the CSV files and the mapping (every problem, with file, line and column) and,
    /// with --shacl, the loaded graph against the SHACL shapes of the ontology
    Validate {
        /// The data directory holding the mappings (*.rml.ttl, *.yarrrml.yml) and the files they name (default: data,
        /// unless --shacl is given alone, which checks only the store)
        dir: Option<PathBuf>,
        /// Use this mapping file (RML Turtle or YARRRML) instead of the mappings of DIR
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
        /// Output: text (like a compiler), json, or turtle (the W3C sh:ValidationReport; needs --shacl)
        #[arg(long, value_enum, default_value = "text")]
        format: ValidateOutput,
        /// Check the graph in the store against the SHACL shapes (ontology/shapes.ttl)
        #[arg(long)]
        shacl: bool,
        #[command(flatten)]
        store: StoreArg,
        /// Base IRI for relative IRIs the mapping generates (default: the mapping's @base)
        #[arg(long, value_name = "IRI")]
        base: Option<String>,
        /// Report what RML allows but a curator may not want (a subject made by two rows, a
        /// join or IRI that refers to no row, an unknown class on a mapping node) as errors,
        /// not warnings; also set by `strict = true` under `[check]` in DIR/factgraph.toml
        #[arg(long)]
        strict: bool,
    },
    /// Run a SPARQL query (SELECT/ASK print results; CONSTRUCT/DESCRIBE print RDF).
    /// Prefixes fg:, fgr:, schema:, org:, prov:, dcterms:, skos:, owl:, wd:, foaf:, rdf:,
    /// rdfs:, xsd: … are predeclared.
    Query {
        /// The query text ("-" reads it from stdin; the name of an existing file reads that
        /// file, as -f does)
        #[arg(required_unless_present = "file", conflicts_with = "file")]
        query: Option<String>,
        /// Read the query from FILE
        #[arg(short, long, value_name = "FILE")]
        file: Option<PathBuf>,
        /// Output format (default: table on a terminal, csv when piped; turtle for graphs)
        #[arg(long, value_enum)]
        format: Option<QueryOutput>,
        #[command(flatten)]
        store: StoreArg,
        #[command(flatten)]
        federation: cli_link::FederateArgs,
    },
    /// Find Wikidata candidates for the organisations, people and places not linked yet,
    /// score them and write them to DIR/links.csv, keeping every human decision
    Link(cli_link::LinkArgs),
    /// Copy facts about the linked entities from Wikidata (labels, description, country,
    /// coordinates, website, inception) into the graph <https://w3id.org/factgraph/graph/wikidata>
    /// (DIR/wikidata.nq), then reload the store
    Enrich(cli_link::EnrichArgs),
    /// Write the graph (Turtle by default: prefixes and subjects sorted, a blank line between
    /// subjects), without the ontology unless --with-ontology
    Export {
        /// Output format
        #[arg(long, value_enum, default_value = "turtle")]
        format: RdfOutput,
        /// Write to FILE instead of stdout
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Also write the ontology (the graph <https://w3id.org/factgraph/graph/ontology>)
        #[arg(long)]
        with_ontology: bool,
        /// Use the prefix names of DIR's mapping (the @prefix lines of DIR/*.rml.ttl) in
        /// Turtle and TriG
        #[arg(long, value_name = "DIR")]
        prefixes_from: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Run the RML mapping alone, without any store, streaming the quads out
    Map {
        /// The data directory holding the mappings (*.rml.ttl, *.yarrrml.yml) and the files they name
        #[arg(default_value = "data")]
        dir: PathBuf,
        /// Use this mapping file (RML Turtle or YARRRML) instead of the mappings of DIR
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value = "nquads")]
        format: MapFormat,
        /// Write to FILE instead of stdout. Quads whose term maps name an RML-IO logical target
        /// (`rml:logicalTarget`) go to that target's file instead, in its serialisation,
        /// encoding and compression, written only when the whole run succeeds
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Base IRI for relative IRIs the mapping generates (default: the mapping's @base)
        #[arg(long, value_name = "IRI")]
        base: Option<String>,
        /// Map only share K of N (K from 0 to N-1): the records of each source that start in
        /// the K-th of N equal byte ranges of its file (JSON and XML: the array elements that
        /// start there), with the parents of joins read whole, so that the outputs of the N
        /// shares (on N machines, e.g. by scripts/spark-map) together are the graph of one
        /// run; errors name lines of the whole file. The input checks are not run (duplicate
        /// ids and dangling references concern whole files: run `factgraph validate DIR`
        /// once first); a triples map gathering named RML-CC collections is mapped whole by
        /// share 0; a mapping with RML-IO logical targets is refused (every share would write
        /// the same files)
        #[arg(long, value_name = "K/N", conflicts_with = "strict")]
        partition: Option<rml::Share>,
        #[command(flatten)]
        checks: ChecksArg,
    },
    /// Print the RML-Core Turtle that a YARRRML mapping (FILE.yarrrml.yml) translates into;
    /// map, load and validate read YARRRML through the same translation
    Translate {
        /// The YARRRML mapping (*.yarrrml.yml, *.yarrrml.yaml)
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Serve the store over HTTP, read-only: the SPARQL 1.1 Protocol at /query, a query
    /// page at / and a page for every entity
    Serve(ServeArgs),
    /// Send the store's graphs to a remote triple store through the SPARQL 1.1 Graph Store
    /// HTTP Protocol (PUT replaces each graph; large graphs follow in POSTed chunks)
    Push(PushArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on; loopback unless told otherwise (port 0 picks a free port)
    #[arg(long, default_value = factgraph::serve::DEFAULT_BIND, value_name = "HOST:PORT")]
    bind: String,
    #[command(flatten)]
    store: StoreArg,
    /// Cancel a query after SECONDS (0: never)
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    timeout: f64,
    /// Return at most N rows or triples per query (0: no cap)
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    max_results: usize,
    /// Requests answered at once
    #[arg(long, default_value_t = 8, value_name = "N")]
    workers: usize,
    /// Queries evaluated at once, counting timed-out ones not yet stopped; more get 503
    /// (0: no cap)
    #[arg(long, default_value_t = 16, value_name = "N")]
    max_queries: usize,
    /// Connections open at once; more get 503 and are closed
    #[arg(long, default_value_t = 1024, value_name = "N")]
    max_connections: usize,
    /// Close a connection whose request head has not arrived whole within SECONDS (also the
    /// keep-alive idle time)
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    header_timeout: f64,
    /// Answer 408 when a request body has not arrived within SECONDS; close a connection
    /// whose client reads none of its response for as long
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    body_timeout: f64,
    /// The largest request body (a query or a form), in bytes; larger ones get 413
    #[arg(long, default_value_t = factgraph::serve::http::MAX_BODY, value_name = "BYTES")]
    max_body: u64,
    /// Offer the .rq files of DIR as the example queries of / and /yasgui, e.g. the data
    /// directory loaded (default: the competency questions built in)
    #[arg(long, value_name = "DIR")]
    examples: Option<PathBuf>,
}

#[derive(clap::Args)]
struct PushArgs {
    /// The Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store (Oxigraph),
    /// http://host:3030/DATASET/data (Fuseki)
    #[arg(long, value_name = "URL")]
    endpoint: String,
    /// Put every triple of the store into this remote graph (default: each graph to the
    /// remote graph of the same name)
    #[arg(long, value_name = "IRI", conflicts_with = "default")]
    graph: Option<String>,
    /// Put every triple of the store into the remote default graph
    #[arg(long)]
    default: bool,
    /// Send the store's default graph to this remote named graph (the others keep their
    /// names), for endpoints without a default graph, e.g. Virtuoso's
    #[arg(long, value_name = "IRI", conflicts_with_all = ["graph", "default"])]
    default_graph_to: Option<String>,
    /// User name for HTTP authentication (Basic unless --auth digest)
    #[arg(long, value_name = "U", requires = "password")]
    user: Option<String>,
    /// Password for HTTP authentication
    #[arg(
        long,
        value_name = "P",
        env = "FACTGRAPH_PUSH_PASSWORD",
        hide_env_values = true,
        requires = "user"
    )]
    password: Option<String>,
    /// How --user and --password are sent: basic (with every request) or digest (answering
    /// the server's challenge, e.g. Virtuoso's /sparql-graph-crud-auth)
    #[arg(long, value_enum, default_value_t = PushAuth::Basic, requires = "user")]
    auth: PushAuth,
    /// Triples per request
    #[arg(long, default_value_t = factgraph::push::DEFAULT_CHUNK, value_name = "N")]
    chunk_size: usize,
    /// Retries of a request that failed for a passing reason (with exponential backoff)
    #[arg(long, default_value_t = 5, value_name = "N")]
    retries: u32,
    #[command(flatten)]
    store: StoreArg,
}

/// `push --auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PushAuth {
    /// HTTP Basic
    Basic,
    /// HTTP Digest (RFC 7616)
    Digest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ValidateOutput {
    Text,
    Json,
    Turtle,
}

// Mapping and loading allocate many short-lived terms; mimalloc handles that well.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print and succeed; a usage error exits 1 (not clap's 2, which
        // factgraph keeps for bad input data).
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`factgraph export | head`) is the reader's choice, not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let code = exit_code(&e);
            eprintln!("error: {}", message(&e));
            ExitCode::from(code)
        }
    }
}

/// The error and its causes, `: `-separated, leaving out a cause whose text the message
/// already holds (errors that print their source would otherwise say it twice).
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// 2 for bad input (mapping, data, query text), 1 for the rest.
fn exit_code(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        if let Some(r) = cause.downcast_ref::<RmlError>() {
            return if r.is_input_error() { 2 } else { 1 };
        }
        if let Some(StoreError::Rml(r)) = cause.downcast_ref::<StoreError>() {
            return if r.is_input_error() { 2 } else { 1 };
        }
        if let Some(p) = cause.downcast_ref::<ProjectError>() {
            return match p {
                ProjectError::Rml(r) if !r.is_input_error() => 1,
                ProjectError::Dir { .. } => 1,
                _ => 2,
            };
        }
        if let Some(QueryError::Syntax { .. } | QueryError::Update { .. }) =
            cause.downcast_ref::<QueryError>()
        {
            return 2;
        }
        if let Some(l) = cause.downcast_ref::<factgraph::link::LinkError>() {
            return if l.is_input_error() { 2 } else { 1 };
        }
        if cause.is::<factgraph::link::links_csv::LinksError>()
            || cause.is::<factgraph::enrich::EnrichFileError>()
        {
            return 2;
        }
        if cause.is::<validate::Invalid>() || cause.is::<factgraph::shacl::Violations>() {
            return 2;
        }
    }
    1
}

fn run(cli: Cli) -> Result<()> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Load {
            dir,
            store,
            mapping,
            base,
            shacl,
            checks,
            no_wait,
        } => load(
            &dir,
            &store.store,
            mapping.as_deref(),
            base,
            LoadFlags {
                shacl,
                checks,
                no_wait,
            },
            quiet,
        ),
        Command::Validate {
            dir,
            mapping,
            format,
            shacl,
            store,
            base,
            strict,
        } => run_validate(
            dir.as_deref(),
            mapping.as_deref(),
            format,
            shacl,
            &store.store,
            (ParseOptions { base }, strict),
            quiet,
        ),
        Command::Query {
            query,
            file,
            format,
            store,
            federation,
        } => run_query(
            query,
            file,
            format,
            &store.store,
            federation.evaluator(),
            quiet,
        ),
        Command::Link(args) => cli_link::link(args, quiet),
        Command::Enrich(args) => cli_link::enrich(args, quiet),
        Command::Export {
            format,
            output,
            with_ontology,
            prefixes_from,
            store,
        } => {
            let prefixes = match prefixes_from {
                Some(dir) => Some(mapping_prefixes(&dir, None)?),
                None => None,
            };
            let options = rdf_io::ExportOptions {
                with_ontology,
                prefixes,
            };
            export(format, output.as_deref(), &options, &store.store, quiet)
        }
        Command::Map {
            dir,
            mapping,
            format,
            output,
            base,
            partition,
            checks,
        } => map(
            &dir,
            mapping.as_deref(),
            format,
            output.as_deref(),
            (base, partition),
            checks,
            quiet,
        ),
        Command::Translate { file } => translate(&file),
        Command::Serve(args) => serve(args, quiet),
        Command::Push(args) => push(args, quiet),
    }
}

/// `factgraph translate`: the YARRRML mapping as RML-Core Turtle on stdout.
fn translate(file: &Path) -> Result<()> {
    let turtle = rml::yarrrml::to_rml(file, &ParseOptions::default())?;
    io::stdout().lock().write_all(turtle.as_bytes())?;
    Ok(())
}

fn spinner(quiet: bool, what: &'static str) -> ProgressBar {
    let bar = spinner_with(quiet, "{spinner} {msg} {pos} quads ({per_sec}, {elapsed})");
    bar.set_message(what);
    bar
}

/// A spinner drawn with `template` on a terminal; hidden with --quiet or when stderr is not one.
fn spinner_with(quiet: bool, template: &str) -> ProgressBar {
    if quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}

/// Prints the problems of the input checks (stderr) and fails when there is an error.
fn check_input(
    dir: &Path,
    mapping: Option<&Path>,
    options: &ParseOptions,
    checks: ChecksArg,
    outcome: &'static str,
    quiet: bool,
) -> Result<Vec<rml::Mapping>> {
    // A mapping that does not parse is reported as before (first error, exit 2).
    let mappings = project::read_mappings(dir, mapping, options)?;
    check_mappings(dir, mapping, mappings, checks, outcome, quiet)
}

/// The input checks of mappings already read (see [`check_input`]).
fn check_mappings(
    dir: &Path,
    mapping: Option<&Path>,
    mappings: Vec<rml::Mapping>,
    checks: ChecksArg,
    outcome: &'static str,
    quiet: bool,
) -> Result<Vec<rml::Mapping>> {
    if checks.no_check {
        return Ok(mappings);
    }
    let strict = checks.strict || project::Settings::read(dir, mapping)?.check.strict;
    let mut report = Report::default();
    // The checks read every file once: on large data that takes seconds, so say so.
    let bar = spinner_with(quiet, "{spinner} checking the input ({elapsed})");
    if !bar.is_hidden() {
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
    }
    validate::check_mappings(&mappings, strict, &mut report);
    bar.finish_and_clear();
    for p in &report.problems {
        if !quiet || p.severity == validate::Severity::Error {
            eprintln!("{p}");
        }
    }
    if !report.is_ok() {
        if !quiet {
            eprintln!("input: {}", report.summary());
        }
        return Err(validate::Invalid {
            errors: report.errors(),
            outcome,
        }
        .into());
    }
    Ok(mappings)
}

/// `factgraph validate`: input checks of DIR, and SHACL of the store with --shacl.
fn run_validate(
    dir: Option<&Path>,
    mapping: Option<&Path>,
    format: ValidateOutput,
    shacl: bool,
    store_path: &Path,
    (options, strict): (ParseOptions, bool),
    quiet: bool,
) -> Result<()> {
    if format == ValidateOutput::Turtle && !shacl {
        return Err(anyhow!(
            "--format turtle writes the SHACL validation report: give --shacl too"
        ));
    }
    let check_dir = dir.is_some() || mapping.is_some() || !shacl;
    let report = if check_dir {
        let dir = dir.unwrap_or(Path::new("data"));
        let (_, report) = validate::check_dir(dir, mapping, &options, strict)?;
        Some(report)
    } else {
        None
    };
    let shacl_report = if shacl {
        let store = store::open_read(store_path)?;
        Some(factgraph::shacl::validate(&store.store)?)
    } else {
        None
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match format {
        ValidateOutput::Json => {
            let mut json = serde_json::Map::new();
            if let Some(r) = &report {
                json.insert("input".into(), r.to_json());
            }
            if let Some(s) = &shacl_report {
                json.insert("shacl".into(), s.to_json());
            }
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
        ValidateOutput::Text => {
            if let Some(r) = &report {
                for p in &r.problems {
                    writeln!(out, "{p}")?;
                }
                if !quiet {
                    writeln!(out, "input: {}", r.summary())?;
                }
            }
            if let Some(s) = &shacl_report {
                if !quiet || !s.conforms() {
                    write!(out, "{}", s.text())?;
                }
            }
        }
        ValidateOutput::Turtle => {
            if let Some(r) = &report {
                for p in &r.problems {
                    eprintln!("{p}");
                }
            }
            if let Some(s) = &shacl_report {
                s.write_turtle(&mut out)?;
            }
        }
    }
    out.flush()?;
    if let Some(r) = report.filter(|r| !r.is_ok()) {
        return Err(validate::Invalid {
            errors: r.errors(),
            outcome: "",
        }
        .into());
    }
    if let Some(s) = shacl_report {
        s.into_result()?;
    }
    Ok(())
}

/// Switches of `factgraph load`.
struct LoadFlags {
    shacl: bool,
    checks: ChecksArg,
    no_wait: bool,
}

/// Takes the load lock of the store, waiting for a load already running on it (and saying
/// so, even with --quiet: a command that seems to hang must say why) unless `no_wait`.
fn lock_store(store_path: &Path, no_wait: bool) -> Result<store::LoadLock> {
    let wait = if no_wait {
        store::Wait::No
    } else {
        store::Wait::Yes
    };
    let lock = store::lock_for_load(store_path, wait, &mut |holder| {
        match holder {
        Some(pid) => eprintln!(
            "waiting for the load started by pid {pid} on {} to finish (--no-wait refuses instead) …",
            store_path.display()
        ),
        None => eprintln!(
            "waiting for another load on {} to finish (--no-wait refuses instead) …",
            store_path.display()
        ),
    }
    })?;
    if let Some(holder) = lock.waited_for() {
        let who = holder.map_or_else(
            || "the other load".to_owned(),
            |p| format!("the load by pid {p}"),
        );
        eprintln!(
            "{who} has ended; loading now: this load's graph will replace the one active in {}",
            store_path.display()
        );
    }
    Ok(lock)
}

fn load(
    dir: &Path,
    store_path: &Path,
    mapping: Option<&Path>,
    base: Option<String>,
    flags: LoadFlags,
    quiet: bool,
) -> Result<()> {
    let LoadFlags {
        shacl,
        checks,
        no_wait,
    } = flags;
    // The mapping is read before the store is touched: a wrong directory or mapping leaves
    // no trace. Then the store is taken, before the (long) input checks and the load, so
    // that loads run one after the other in the order they were started.
    let mappings = project::read_mappings(dir, mapping, &ParseOptions { base })?;
    let lock = lock_store(store_path, no_wait)?;
    let mappings = check_mappings(
        dir,
        mapping,
        mappings,
        checks,
        "; nothing was loaded and the store is unchanged",
        quiet,
    )?;
    let ontology = ontology::quads().map_err(|e| anyhow!(e))?;
    let (ontology, linked) = cli_link::extra_quads(dir, ontology, quiet)?;
    // RML-IO logical targets are for `map`: `load` keeps every quad in the store.
    for m in mappings.iter().filter(|m| !quiet && !m.targets.is_empty()) {
        eprintln!(
            "note: {}: the mapping's {} logical target(s) are written by `factgraph map`; `load` puts their quads into the store with the others",
            m.file.display(),
            m.targets.len()
        );
    }
    let bar = spinner(quiet, "loading");
    let progress = |n: u64| bar.set_position(n);
    let shacl_check = |s: &oxigraph::store::Store| -> Result<(), StoreError> {
        factgraph::shacl::validate(s)
            .map_err(|e| StoreError::Rejected(Box::new(e)))?
            .into_result()
            .map_err(|v| StoreError::Rejected(Box::new(v)))
    };
    let summary = store::load_locked(
        &lock,
        &mappings,
        &ontology,
        &LoadOptions {
            progress: Some(&progress),
            check: if shacl { Some(&shacl_check) } else { None },
        },
    )?;
    bar.finish_and_clear();
    if !quiet {
        eprintln!(
            "loaded {} quads ({} mapped from {} rows, {} ontology triples), {} subjects, into {} in {:.2} s",
            summary.quads,
            summary.mapped,
            summary.rows,
            summary.ontology - linked,
            summary.subjects,
            store_path.display(),
            summary.seconds
        );
    }
    Ok(())
}

fn run_query(
    query: Option<String>,
    file: Option<PathBuf>,
    format: Option<QueryOutput>,
    store_path: &Path,
    evaluator: oxigraph::sparql::SparqlEvaluator,
    quiet: bool,
) -> Result<()> {
    let (text, source_name) = match (query, file) {
        (_, Some(f)) => (
            std::fs::read_to_string(&f)
                .with_context(|| format!("cannot read the query file {}", f.display()))?,
            f.display().to_string(),
        ),
        (Some(q), None) if q == "-" => {
            let mut s = String::new();
            io::stdin()
                .read_to_string(&mut s)
                .context("cannot read the query from stdin")?;
            (s, "stdin".to_owned())
        }
        // `factgraph query queries/x.rq`, the -f forgotten: a query argument naming a file
        // is read as that file (no SPARQL query is a single word naming a file).
        (Some(q), None) if !q.contains(char::is_whitespace) && Path::new(&q).is_file() => {
            if !quiet {
                eprintln!("reading the query from the file {q} (the argument names a file; -f {q} says so)");
            }
            (
                std::fs::read_to_string(&q)
                    .with_context(|| format!("cannot read the query file {q}"))?,
                q,
            )
        }
        (Some(q), None) => (q, "query".to_owned()),
        (None, None) => return Err(anyhow!("give a query, or -f FILE")),
    };
    let store = store::open_read(store_path)?;
    let stdout = io::stdout();
    let terminal = stdout.is_terminal();
    let mut out = BufWriter::new(stdout.lock());
    let summary = match query::run_with(
        evaluator,
        &store.store,
        &text,
        &source_name,
        format,
        terminal,
        &mut out,
    ) {
        Ok(summary) => summary,
        Err(e) => {
            // What is still buffered (a CSV header, a partial table) is dropped unwritten:
            // a failed query prints nothing on stdout unless it had already printed a lot.
            let _ = out.into_parts();
            return Err(e.into());
        }
    };
    out.flush()?;
    if !quiet && terminal {
        match summary {
            QuerySummary::Solutions(n) => eprintln!("{n} row{}", if n == 1 { "" } else { "s" }),
            QuerySummary::Triples(n) => eprintln!("{n} triple{}", if n == 1 { "" } else { "s" }),
            QuerySummary::Boolean(_) => {}
        }
    }
    Ok(())
}

/// Writes through `f` to FILE (via a temporary file renamed on success) or to stdout. A FILE
/// that exists and is not a regular file (`/dev/null`, a named pipe) is written to as it is:
/// renaming over it would replace the device.
fn with_output<T>(output: Option<&Path>, f: impl FnOnce(&mut dyn Write) -> Result<T>) -> Result<T> {
    let special = output
        .and_then(|p| std::fs::metadata(p).ok())
        .is_some_and(|m| !m.is_file() && !m.is_dir());
    match output {
        Some(path) if special => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            let mut w = BufWriter::new(file);
            let r = f(&mut w)?;
            w.flush()?;
            Ok(r)
        }
        None => {
            let stdout = io::stdout();
            let mut w = BufWriter::new(stdout.lock());
            let r = f(&mut w)?;
            w.flush()?;
            Ok(r)
        }
        Some(path) => {
            let tmp = path.with_extension(format!(
                "{}partial",
                path.extension()
                    .and_then(|e| e.to_str())
                    .map(|e| format!("{e}."))
                    .unwrap_or_default()
            ));
            let file =
                File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
            let mut w = BufWriter::new(file);
            let r = f(&mut w).and_then(|r| {
                w.flush()?;
                Ok(r)
            });
            match r {
                Ok(r) => {
                    std::fs::rename(&tmp, path)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    Ok(r)
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    Err(e)
                }
            }
        }
    }
}

/// The prefixes of Turtle output: the user's own (the `@prefix` lines of the mapping files of
/// `dir`, or of `mapping`) before factgraph's.
fn mapping_prefixes(dir: &Path, mapping: Option<&Path>) -> Result<factgraph::turtle::Prefixes> {
    let files = match mapping {
        Some(m) => vec![m.to_owned()],
        None => project::mapping_files(dir)?,
    };
    let mut user = Vec::new();
    for f in files {
        let text = std::fs::read(&f).with_context(|| format!("cannot read {}", f.display()))?;
        user.extend(factgraph::turtle::declared_prefixes(&text));
    }
    Ok(factgraph::turtle::Prefixes::new().with_user(user))
}

fn export(
    format: RdfOutput,
    output: Option<&Path>,
    options: &rdf_io::ExportOptions,
    store_path: &Path,
    quiet: bool,
) -> Result<()> {
    let store = store::open_read(store_path)?;
    let summary = with_output(output, |w| {
        let (_, summary) = rdf_io::export(&store.store, format.format(), options, w)?;
        Ok(summary)
    })?;
    if !quiet {
        if summary.flattened > 0 {
            eprintln!(
                "warning: {} quads of named graphs were written without their graph name; use --format trig or nquads to keep graphs",
                summary.flattened
            );
        }
        if output.is_some() || io::stdout().is_terminal() {
            eprintln!("exported {} quads", summary.quads);
        }
    }
    Ok(())
}

fn map(
    dir: &Path,
    mapping: Option<&Path>,
    format: MapFormat,
    output: Option<&Path>,
    (base, share): (Option<String>, Option<rml::Share>),
    mut checks: ChecksArg,
    quiet: bool,
) -> Result<()> {
    // A share skips the checks: they look at whole files (`factgraph validate` runs them).
    if share.is_some() && !checks.no_check && !quiet {
        eprintln!("note: --partition does not run the input checks (they look at whole files); run `factgraph validate` once on the whole input");
    }
    checks.no_check |= share.is_some();
    let mut mappings = check_input(
        dir,
        mapping,
        &ParseOptions { base },
        checks,
        "; nothing was mapped",
        quiet,
    )?;
    for m in &mut mappings {
        m.share = share;
    }
    let prefixes = match format {
        MapFormat::Turtle | MapFormat::Trig => mapping_prefixes(dir, mapping)?,
        _ => factgraph::turtle::Prefixes::new(),
    };
    let bar = spinner(quiet, "mapping");
    let summary = with_output(output, |w| {
        Ok(factgraph::map::map_to_writer_with(
            &mappings,
            format,
            &prefixes,
            w,
            &|n| bar.set_position(n),
        )?)
    })?;
    bar.finish_and_clear();
    if !quiet {
        if summary.flattened > 0 {
            eprintln!(
                "warning: {} quads of named graphs were written as triples; use --format nquads to keep graphs",
                summary.flattened
            );
        }
        match share {
            Some(s) => eprintln!(
                "mapped share {s}: {} rows into {} quads",
                summary.rows, summary.quads
            ),
            None => eprintln!("mapped {} rows into {} quads", summary.rows, summary.quads),
        }
    }
    Ok(())
}

fn serve(args: ServeArgs, quiet: bool) -> Result<()> {
    use factgraph::serve::{http::HttpLimits, Limits, ServeOptions, Server};
    use std::time::Duration;
    if !(args.timeout.is_finite() && args.timeout >= 0.0) {
        return Err(anyhow!("--timeout takes a number of seconds, 0 or more"));
    }
    let positive = |flag: &str, seconds: f64| {
        if seconds.is_finite() && seconds > 0.0 && seconds < 1e9 {
            Ok(Duration::from_secs_f64(seconds))
        } else {
            Err(anyhow!("{flag} takes a number of seconds, more than 0"))
        }
    };
    if args.max_connections == 0 {
        return Err(anyhow!("--max-connections takes a number, 1 or more"));
    }
    let body_timeout = positive("--body-timeout", args.body_timeout)?;
    let options = ServeOptions {
        bind: args.bind,
        store: args.store.store,
        limits: Limits {
            timeout: (args.timeout > 0.0).then(|| Duration::from_secs_f64(args.timeout)),
            max_results: args.max_results,
            max_queries: args.max_queries,
        },
        http: HttpLimits {
            max_connections: args.max_connections,
            header_timeout: positive("--header-timeout", args.header_timeout)?,
            body_timeout,
            write_timeout: body_timeout,
            max_body_bytes: args.max_body,
            ..HttpLimits::default()
        },
        workers: args.workers,
        examples: args.examples,
    };
    let server = Server::bind(&options)?;
    let addr = server.local_addr();
    // Tests and scripts read this line to learn the port; it is printed even with --quiet.
    eprintln!(
        "factgraph: serving {} on http://{addr}/ (SPARQL endpoint http://{addr}/query)",
        options.store.display()
    );
    if !quiet && !addr.ip().is_loopback() {
        eprintln!("warning: {addr} is reachable from other machines; the store is read-only, but anyone who reaches it can query it");
    }
    server.run()?;
    Ok(())
}

/// `factgraph push`: sends the graphs, with a progress bar on a terminal.
fn push(args: PushArgs, quiet: bool) -> Result<()> {
    use factgraph::push::{self, PushOptions, Target};
    let target = match (args.graph, args.default) {
        (Some(g), _) => Target::Graph(
            oxigraph::model::NamedNode::new(g.as_str())
                .map_err(|e| anyhow!("--graph {g} is not an IRI: {e}"))?,
        ),
        (None, true) => Target::Default,
        (None, false) => Target::Mirror,
    };
    let default_graph_to = match &args.default_graph_to {
        Some(g) => Some(
            oxigraph::model::NamedNode::new(g.as_str())
                .map_err(|e| anyhow!("--default-graph-to {g} is not an IRI: {e}"))?,
        ),
        None => None,
    };
    let store = store::open_read(&args.store.store)?;
    let total = store
        .store
        .len()
        .context("cannot count the quads of the store")? as u64;
    let bar = if quiet || !io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} triples ({per_sec}, eta {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    };
    let progress = |n: u64| bar.set_position(n);
    let summary = push::push(
        &store.store,
        &PushOptions {
            endpoint: args.endpoint.clone(),
            target,
            default_graph_to,
            auth: args.user.zip(args.password),
            auth_scheme: match args.auth {
                PushAuth::Basic => push::AuthScheme::Basic,
                PushAuth::Digest => push::AuthScheme::Digest,
            },
            chunk_triples: args.chunk_size,
            retries: args.retries,
            progress: Some(&progress),
            ..PushOptions::default()
        },
    )?;
    bar.finish_and_clear();
    if !quiet {
        if summary.skipped_graphs > 0 {
            eprintln!(
                "warning: {} graphs named by blank nodes were not sent (the protocol cannot name them)",
                summary.skipped_graphs
            );
        }
        eprintln!(
            "pushed {} triples in {} graph{} to {} ({} requests, {} retried)",
            summary.triples,
            summary.graphs,
            if summary.graphs == 1 { "" } else { "s" },
            args.endpoint,
            summary.requests,
            summary.retries
        );
    }
    Ok(())
}
