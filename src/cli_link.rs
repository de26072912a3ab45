//! The command line of `factgraph link`, `factgraph enrich` and `query --federate`: argument
//! definitions and messages only; the work is in the library (`factgraph::link`,
//! `factgraph::enrich`, `factgraph::federate`).

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Result};
use indicatif::{ProgressBar, ProgressStyle};

use factgraph::enrich::{self, EnrichOptions};
use factgraph::link::api::{ApiOptions, RetryHook, RetryNotice, DEFAULT_API};
use factgraph::link::{self, links_csv, LinkOptions, Source};
use factgraph::rml::ParseOptions;
use factgraph::store::{self, LoadOptions};
use factgraph::{ontology, project};
use oxigraph::model::Quad;
use oxigraph::sparql::SparqlEvaluator;

/// Where Wikidata is read from.
#[derive(clap::Args, Debug)]
pub struct SourceArgs {
    /// Read candidates from a Wikidata JSON dump (latest-all.json, plain, .gz or .bz2),
    /// streamed in one pass
    #[arg(long, value_name = "FILE", conflicts_with = "api")]
    dump: Option<PathBuf>,
    /// Ask the Wikidata API at URL (the default source, at https://www.wikidata.org/w/api.php)
    #[arg(long, value_name = "URL")]
    api: Option<String>,
    /// Where API answers are cached, so that a re-run works offline (default:
    /// $XDG_CACHE_HOME/factgraph/wikidata or ~/.cache/factgraph/wikidata)
    #[arg(long, value_name = "DIR", env = "FACTGRAPH_CACHE")]
    cache: Option<PathBuf>,
    /// API requests a second at most (capped at 5 for hosts other than this machine)
    #[arg(long, value_name = "N", default_value_t = 3.0)]
    requests_per_second: f64,
    /// Retries of a failed API request (waiting 1 s, then 2, 4… between them)
    #[arg(long, value_name = "N", default_value_t = 5)]
    retries: u32,
}

impl SourceArgs {
    /// The source; API retries are told on stderr (through `bar`, so that a progress bar
    /// stays whole) unless `quiet`.
    fn source(&self, quiet: bool, bar: Option<ProgressBar>) -> Source {
        match &self.dump {
            Some(d) => Source::Dump(d.clone()),
            None => Source::Api(ApiOptions {
                url: self.api.clone().unwrap_or_else(|| DEFAULT_API.to_owned()),
                cache: Some(self.cache_dir()),
                requests_per_second: self.requests_per_second,
                retries: self.retries,
                on_retry: (!quiet).then(|| {
                    RetryHook(Arc::new(move |notice: &RetryNotice<'_>| {
                        let say = || eprintln!("warning: {notice}");
                        match &bar {
                            Some(bar) => bar.suspend(say),
                            None => say(),
                        }
                    }))
                }),
                ..ApiOptions::default()
            }),
        }
    }

    fn cache_dir(&self) -> PathBuf {
        self.cache.clone().unwrap_or_else(default_cache)
    }

    /// `e` with what to do when the API could not be reached: a dump, or the cache.
    fn explain(&self, e: link::LinkError) -> anyhow::Error {
        use factgraph::link::api::ApiError;
        match &e {
            link::LinkError::Api(ApiError::Transport { .. } | ApiError::Status { .. })
                if self.dump.is_none() =>
            {
                let hint = format!(
                    "check the network (and --api URL), or work offline: give --dump FILE (a Wikidata JSON dump); answers already fetched are kept in the cache ({}) and re-used by the next run",
                    self.cache_dir().display()
                );
                Unreachable { source: e, hint }.into()
            }
            _ => e.into(),
        }
    }
}

/// The API could not be reached: the error, then what to do.
#[derive(Debug, thiserror::Error)]
#[error("{source}; {hint}")]
struct Unreachable {
    source: link::LinkError,
    hint: String,
}

fn default_cache() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    base.join("factgraph").join("wikidata")
}

/// `factgraph link`.
#[derive(clap::Args, Debug)]
pub struct LinkArgs {
    /// The data directory holding the mappings (*.rml.ttl, *.yarrrml.yml) and the files they name
    #[arg(default_value = "data")]
    dir: PathBuf,
    #[command(flatten)]
    source: SourceArgs,
    /// Languages of the labels and aliases compared, in order of preference (mul is added)
    #[arg(long, value_delimiter = ',', default_value = "fr,en")]
    lang: Vec<String>,
    /// Mark the top candidate accepted when its score (0-100) reaches SCORE, its type
    /// matches and it beats the next candidate by --margin
    #[arg(long, value_name = "SCORE", value_parser = score_value)]
    accept_above: Option<f64>,
    /// How far the top candidate must be ahead of the next one to be accepted
    #[arg(long, value_name = "POINTS", default_value_t = 10.0, value_parser = score_value)]
    margin: f64,
    /// Candidates written per entity
    #[arg(long, value_name = "N", default_value_t = 5)]
    candidates: usize,
    /// Write to FILE instead of DIR/links.csv (its decisions are kept, as DIR/links.csv's)
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Use this mapping file (RML Turtle or YARRRML) instead of the mappings of DIR
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Base IRI for relative IRIs the mapping generates (default: the mapping's @base)
    #[arg(long, value_name = "IRI")]
    base: Option<String>,
}

fn score_value(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is not between 0 and 100"))
    }
}

/// `factgraph enrich`.
#[derive(clap::Args, Debug)]
pub struct EnrichArgs {
    /// The data directory holding the mappings, the files they name and links.csv
    #[arg(default_value = "data")]
    dir: PathBuf,
    #[command(flatten)]
    source: SourceArgs,
    /// Languages of the labels and descriptions copied
    #[arg(long, value_delimiter = ',', default_value = "fr,en,ar")]
    lang: Vec<String>,
    /// Only write DIR/wikidata.nq; do not reload the store
    #[arg(long)]
    no_load: bool,
    /// Replace DIR/wikidata.nq even when this run finds fewer facts or items than it holds
    /// (without it such a run is refused with exit code 2 and the file is kept)
    #[arg(long)]
    allow_fewer: bool,
    /// The store directory, reloaded with the new facts
    #[arg(
        long,
        env = "FACTGRAPH_STORE",
        hide_env_values = true,
        default_value = "factgraph.db",
        value_name = "PATH"
    )]
    store: PathBuf,
    /// Use this mapping file (RML Turtle or YARRRML) instead of the mappings of DIR
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Base IRI for relative IRIs the mapping generates (default: the mapping's @base)
    #[arg(long, value_name = "IRI")]
    base: Option<String>,
}

/// `query --federate`.
#[derive(clap::Args, Debug)]
pub struct FederateArgs {
    /// Let SERVICE <endpoint> { … } reach remote SPARQL endpoints such as
    /// https://query.wikidata.org/sparql (off by default: SERVICE calls fail)
    #[arg(long)]
    federate: bool,
    /// Timeout of one SERVICE call, in seconds (with --federate)
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 60,
        requires = "federate"
    )]
    service_timeout: u64,
}

impl FederateArgs {
    /// The evaluator to run the query with.
    pub fn evaluator(&self) -> SparqlEvaluator {
        if self.federate {
            factgraph::federate::evaluator(Duration::from_secs(self.service_timeout.max(1)))
        } else {
            factgraph::query::evaluator()
        }
    }
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} reading the dump: {pos} entities ({per_sec}, {elapsed})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}

/// Runs `factgraph link`.
pub fn link(args: LinkArgs, quiet: bool) -> Result<()> {
    let bar = progress_bar(quiet);
    let mut options = LinkOptions::new(&args.dir, args.source.source(quiet, Some(bar.clone())));
    options.mapping = args.mapping;
    options.base = args.base;
    options.langs = args.lang;
    options.accept_above = args.accept_above;
    options.margin = args.margin;
    options.max_candidates = args.candidates.max(1);
    options.output = args.output;
    let progress = |n: u64| bar.set_position(n);
    let report = link::run(&options, Some(&progress)).map_err(|e| {
        bar.finish_and_clear();
        args.source.explain(e)
    })?;
    bar.finish_and_clear();
    if quiet {
        return Ok(());
    }
    if let Some(d) = &report.dump {
        eprintln!(
            "read {} entities ({:.1} MB of JSON) from the dump",
            d.entities,
            d.bytes as f64 / 1e6
        );
        if let Some((line, message)) = &d.first_bad_line {
            eprintln!(
                "warning: skipped {} malformed line(s) of the dump; the first, line {line}: {message}",
                d.bad_lines
            );
        }
    }
    if let Some(a) = &report.api {
        eprintln!(
            "{} API requests ({} retries), {} answers from the cache",
            a.requests, a.retries, a.cached
        );
    }
    for (entity, name, best) in &report.best {
        match best {
            Some(b) => eprintln!(
                "{name} <{entity}>: best {} {} (score {})",
                b.qid, b.label, b.score
            ),
            None => eprintln!("{name} <{entity}>: no candidate"),
        }
    }
    for (entity, qid) in &report.accepted {
        eprintln!("accepted {qid} for <{entity}> (--accept-above)");
    }
    eprintln!(
        "{} entities, {} already linked, {} looked up; {} proposed rows in {}",
        report.entities,
        report.already_linked,
        report.looked_up,
        report.proposed,
        report.output.display()
    );
    Ok(())
}

/// Runs `factgraph enrich`, then reloads the store unless `--no-load`.
pub fn enrich(args: EnrichArgs, quiet: bool) -> Result<()> {
    let options = EnrichOptions {
        dir: args.dir.clone(),
        mapping: args.mapping.clone(),
        base: args.base.clone(),
        source: args.source.source(quiet, None),
        langs: args.lang.clone(),
        allow_fewer: args.allow_fewer,
    };
    let report = enrich::run(&options).map_err(|e| args.source.explain(e))?;
    if let Some(d) = &report.dump {
        if let Some((line, message)) = &d.first_bad_line {
            eprintln!(
                "warning: skipped {} malformed line(s) of the dump; the first, line {line}: {message}",
                d.bad_lines
            );
        }
    }
    if !report.missing.is_empty() {
        // Said even with --quiet: these items get no facts.
        eprintln!(
            "warning: {} of the {} linked items were not found in the source: {}",
            report.missing.len(),
            report.items,
            link::id_list(&report.missing)
        );
    }
    if let Some((old_quads, old_items)) = report.previous {
        if report.quads < old_quads || report.items_with_facts < old_items {
            eprintln!(
                "warning: --allow-fewer: replaced {old_quads} facts about {old_items} items with {} facts about {} items",
                report.quads, report.items_with_facts
            );
        }
    }
    if !quiet {
        eprintln!(
            "{} linked items, {} found; wrote {} quads of <{}> about {} items to {}",
            report.items,
            report.found,
            report.quads,
            enrich::GRAPH,
            report.items_with_facts,
            report.output.display()
        );
    }
    if !args.no_load {
        reload(&args, quiet)?;
    }
    Ok(())
}

/// Loads DIR again (mapped data, ontology, accepted links, the new Wikidata facts).
fn reload(args: &EnrichArgs, quiet: bool) -> Result<()> {
    let mappings = project::read_mappings(
        &args.dir,
        args.mapping.as_deref(),
        &ParseOptions {
            base: args.base.clone(),
        },
    )?;
    let ontology = ontology::quads().map_err(|e| anyhow!(e))?;
    let (extra, _) = extra_quads(&args.dir, ontology, quiet)?;
    let lock = crate::lock_store(&args.store, false)?;
    let summary = store::load_locked(&lock, &mappings, &extra, &LoadOptions::default())?;
    if !quiet {
        eprintln!(
            "reloaded {}: {} quads in {:.2} s",
            args.store.display(),
            summary.quads,
            summary.seconds
        );
    }
    Ok(())
}

/// What `load` adds to the ontology: `owl:sameAs` for the accepted rows of `DIR/links.csv`
/// and the Wikidata facts of `DIR/wikidata.nq`. Returns the quads and how many were added.
pub fn extra_quads(dir: &Path, mut ontology: Vec<Quad>, quiet: bool) -> Result<(Vec<Quad>, usize)> {
    let links = links_csv::accepted_quads(dir)?;
    let facts = enrich::file_quads(dir)?;
    let added = links.len() + facts.len();
    if !quiet && added > 0 {
        eprintln!(
            "adding {} owl:sameAs from {} and {} Wikidata facts from {}",
            links.len(),
            dir.join(links_csv::FILE_NAME).display(),
            facts.len(),
            dir.join(enrich::FILE_NAME).display()
        );
    }
    ontology.extend(links);
    ontology.extend(facts);
    Ok((ontology, added))
}
