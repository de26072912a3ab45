//! `factgraph link`: find Wikidata candidates for the organisations, people and places of a
//! data directory, score them, and keep them with the human decisions in `links.csv`.
//!
//! ```text
//! DIR mapped ─▶ entities::targets ─▶ candidates (dump::for_each_line | api::Api) ─▶ score
//!                                                   ─▶ links_csv (merge with kept decisions) ─▶ DIR/links.csv
//! ```
//!
//! Candidates come from a local Wikidata JSON dump, streamed in one pass (bounded memory:
//! only entities whose labels or aliases match, and the P279 edges, are kept), or from the
//! Wikidata API. [`score`] documents the scoring rule.

pub mod api;
pub mod dump;
pub mod entities;
pub mod links_csv;
pub mod score;
pub mod wikidata;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use oxigraph::sparql::QueryEvaluationError;
use oxigraph::store::StorageError;

use crate::project::ProjectError;
use crate::rml::RmlError;
use api::{Api, ApiError, ApiOptions, ApiStats};
use dump::{DumpError, DumpStats};
use entities::{Relation, Target};
use links_csv::{LinkRow, LinksError, Status};
use score::{ClassGraph, Classes, Context, Kind, NameForm, Scored, TypeVerdict};
use wikidata::{Entity, Filter};

/// Errors of `link` and `enrich`.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The data directory or its mapping.
    #[error(transparent)]
    Project(#[from] ProjectError),
    /// Mapping the data failed.
    #[error(transparent)]
    Rml(#[from] RmlError),
    /// The in-memory store failed.
    #[error("store error: {0}")]
    Storage(#[from] StorageError),
    /// A query over the mapped graph failed.
    #[error("query error: {0}")]
    Evaluation(#[from] QueryEvaluationError),
    /// The dump.
    #[error(transparent)]
    Dump(#[from] DumpError),
    /// The API.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// `links.csv`.
    #[error(transparent)]
    Links(#[from] LinksError),
    /// A file factgraph writes.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `enrich` would replace `DIR/wikidata.nq` with fewer facts or items than it holds
    /// (a dump that lacks items, a source that failed); the file is kept.
    #[error(
        "{}: this run gives {new_quads} facts about {new_items} items ({found} of the {linked} linked items found{}), fewer than the {old_quads} facts about {old_items} items the file holds; the file is kept and the store not reloaded. Check the source (a dump without these items, another dump), or give --allow-fewer to replace the file anyway",
        path.display(),
        not_found(.missing)
    )]
    Fewer {
        /// The file kept.
        path: PathBuf,
        /// Facts it holds.
        old_quads: usize,
        /// Items it holds facts about.
        old_items: usize,
        /// Facts of this run.
        new_quads: usize,
        /// Items of this run with facts.
        new_items: usize,
        /// Linked items found in the source.
        found: usize,
        /// Linked items.
        linked: usize,
        /// The linked items not found (`Q…`).
        missing: Vec<String>,
    },
    /// Options that do not fit together.
    #[error("{0}")]
    Usage(String),
    /// A defect.
    #[error("internal error: {0}")]
    Internal(String),
}

/// `; not found: Q1, Q2 …`, or nothing.
fn not_found(missing: &[String]) -> String {
    if missing.is_empty() {
        String::new()
    } else {
        format!("; not found: {}", id_list(missing))
    }
}

/// The first ten ids, `, `-separated, and how many more.
pub fn id_list(ids: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut out = ids[..ids.len().min(SHOWN)].join(", ");
    if ids.len() > SHOWN {
        out.push_str(&format!(" and {} more", ids.len() - SHOWN));
    }
    out
}

impl LinkError {
    /// Whether the error is in the input (data, mapping, dump, links.csv) rather than the
    /// machine or the network: exit code 2.
    pub fn is_input_error(&self) -> bool {
        match self {
            LinkError::Project(ProjectError::Dir { .. }) => false,
            LinkError::Project(ProjectError::Rml(r)) | LinkError::Rml(r) => r.is_input_error(),
            LinkError::Project(_) => true,
            LinkError::Dump(DumpError::Format { .. }) => true,
            LinkError::Links(LinksError::Row { .. }) => true,
            LinkError::Fewer { .. } => true,
            _ => false,
        }
    }
}

/// Where candidates come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A Wikidata JSON dump (plain, .gz or .bz2).
    Dump(PathBuf),
    /// The Wikidata API.
    Api(ApiOptions),
}

/// Options of `factgraph link`.
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// The data directory.
    pub dir: PathBuf,
    /// A mapping file instead of `DIR/*.rml.ttl`.
    pub mapping: Option<PathBuf>,
    /// Base IRI for the mapping.
    pub base: Option<String>,
    /// The candidates' source.
    pub source: Source,
    /// Languages of the labels and aliases compared (`mul` is always added).
    pub langs: Vec<String>,
    /// Accept the top candidate when its score is at least this…
    pub accept_above: Option<f64>,
    /// …and beats the next one by this much.
    pub margin: f64,
    /// Candidates written per entity.
    pub max_candidates: usize,
    /// Where to write (default `DIR/links.csv`).
    pub output: Option<PathBuf>,
}

impl LinkOptions {
    /// Defaults for `dir` and `source`: languages fr, en; 5 candidates; margin 10.
    pub fn new(dir: impl Into<PathBuf>, source: Source) -> Self {
        LinkOptions {
            dir: dir.into(),
            mapping: None,
            base: None,
            source,
            langs: vec!["fr".to_owned(), "en".to_owned()],
            accept_above: None,
            margin: 10.0,
            max_candidates: 5,
            output: None,
        }
    }
}

/// The best candidate found for an entity.
#[derive(Debug, Clone, PartialEq)]
pub struct Best {
    /// `Q…`.
    pub qid: String,
    /// Its label.
    pub label: String,
    /// Its score.
    pub score: u8,
}

/// What `link` did.
#[derive(Debug, Clone, Default)]
pub struct LinkReport {
    /// Organisations, people and places in the graph.
    pub entities: usize,
    /// Those already linked (checked id in the data, or an accepted row).
    pub already_linked: usize,
    /// Those looked up.
    pub looked_up: usize,
    /// Per entity looked up: IRI, name, best candidate.
    pub best: Vec<(String, String, Option<Best>)>,
    /// Proposed rows written.
    pub proposed: usize,
    /// Rows accepted by `--accept-above` in this run: (entity, qid).
    pub accepted: Vec<(String, String)>,
    /// Dump counts, when a dump was read.
    pub dump: Option<DumpStats>,
    /// API counts, when the API was used.
    pub api: Option<ApiStats>,
    /// The file written.
    pub output: PathBuf,
}

/// Candidates kept per entity while reading a dump.
const MAX_KEPT: usize = 50;

/// Languages compared: those asked for, then `mul` (Wikidata's language-independent labels).
pub fn match_langs(langs: &[String]) -> Vec<String> {
    let mut l: Vec<String> = langs
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if !l.iter().any(|x| x == "mul") {
        l.push("mul".to_owned());
    }
    l
}

/// Runs `link`; `progress` is called with the number of dump entities read so far.
pub fn run(options: &LinkOptions, progress: Option<&dyn Fn(u64)>) -> Result<LinkReport, LinkError> {
    let langs = match_langs(&options.langs);
    let store = entities::mapped_store(
        &options.dir,
        options.mapping.as_deref(),
        options.base.clone(),
    )?;
    let targets = entities::targets(&store)?;
    let default_path = options.dir.join(links_csv::FILE_NAME);
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| default_path.clone());
    let existing = links_csv::read(&output)?;
    let mut accepted_rows = links_csv::accepted(&existing);
    if output != default_path {
        accepted_rows.extend(links_csv::accepted(&links_csv::read(&default_path)?));
    }
    // Entity → its linked item, from the curated data or an accepted row.
    let mut linked: HashMap<String, u64> = HashMap::new();
    for t in &targets {
        if let Some(q) = t.linked {
            linked.insert(t.iri.clone(), q);
        }
    }
    for (e, q) in &accepted_rows {
        linked.entry(e.clone()).or_insert(*q);
    }
    let wanted: Vec<usize> = (0..targets.len())
        .filter(|i| !linked.contains_key(&targets[*i].iri))
        .collect();
    let mut report = LinkReport {
        entities: targets.len(),
        already_linked: targets.len() - wanted.len(),
        looked_up: wanted.len(),
        output: output.clone(),
        ..LinkReport::default()
    };

    let names: Vec<Vec<NameForm>> = targets
        .iter()
        .map(|t| t.names.iter().map(|n| NameForm::new(n)).collect())
        .collect();

    // Candidates per target, and the class graph to check their types.
    let (candidates, classes): (Vec<Vec<Entity>>, Box<dyn Classes>) = match &options.source {
        Source::Dump(path) => {
            let (c, g, stats) = from_dump(path, &targets, &names, &wanted, &langs, progress)?;
            report.dump = Some(stats);
            (c, Box::new(g))
        }
        Source::Api(api_options) => {
            let mut api = Api::new(api_options.clone());
            let (c, g) = from_api(&mut api, &targets, &wanted, &langs)?;
            report.api = Some(api.stats.clone());
            (c, Box::new(g))
        }
    };

    // Score: organisations and places first, so that people can be checked against the
    // candidates of the organisations they belong to.
    let mut order = wanted.clone();
    order.sort_by_key(|i| targets[*i].kinds.contains(&Kind::Person));
    let index: HashMap<&str, usize> = targets
        .iter()
        .enumerate()
        .map(|(i, t)| (t.iri.as_str(), i))
        .collect();
    let mut scored: HashMap<usize, Vec<(Scored, &Entity)>> = HashMap::new();
    for &i in &order {
        let t = &targets[i];
        let context = context_of(t, &targets, &index, &linked, &scored);
        let mut list: Vec<(Scored, &Entity)> = candidates[i]
            .iter()
            .filter_map(|c| {
                score::score(&names[i], &t.kinds, c, classes.as_ref(), &context).map(|s| (s, c))
            })
            .collect();
        list.sort_by(|(a, ea), (b, eb)| {
            b.score
                .cmp(&a.score)
                .then(b.name.total_cmp(&a.name))
                .then(ea.number().cmp(&eb.number()))
        });
        let mut seen = HashSet::new();
        list.retain(|(_, e)| seen.insert(e.id.clone()));
        scored.insert(i, list);
    }

    // Fresh rows, per entity.
    let mut decided: HashMap<&str, Vec<&LinkRow>> = HashMap::new();
    for r in existing.iter().filter(|r| r.is_decision()) {
        decided.entry(r.entity.as_str()).or_default().push(r);
    }
    let today = links_csv::today();
    let mut fresh: BTreeMap<String, Vec<LinkRow>> = BTreeMap::new();
    for &i in &wanted {
        let t = &targets[i];
        let list = scored.get(&i).map(Vec::as_slice).unwrap_or(&[]);
        let rejected: HashSet<&str> = decided
            .get(t.iri.as_str())
            .map(|rows| {
                rows.iter()
                    .filter(|r| r.status == Status::Rejected)
                    .map(|r| r.qid.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let open: Vec<&(Scored, &Entity)> = list
            .iter()
            .filter(|(_, e)| !rejected.contains(e.id.as_str()))
            .collect();
        report.best.push((
            t.iri.clone(),
            t.name().to_owned(),
            open.first().map(|(s, e)| Best {
                qid: e.id.clone(),
                label: e.label(&langs).unwrap_or("").to_owned(),
                score: s.score,
            }),
        ));
        let mut rows = Vec::new();
        for (rank, (s, e)) in open.iter().take(options.max_candidates).enumerate() {
            let mut row = LinkRow {
                entity: t.iri.clone(),
                name: t.name().to_owned(),
                qid: e.id.clone(),
                label: e.label(&langs).unwrap_or("").to_owned(),
                description: e.description(&langs).unwrap_or("").to_owned(),
                score: s.score.to_string(),
                status: Status::Proposed,
                reviewed_by: String::new(),
                reviewed_on: String::new(),
            };
            if rank == 0 {
                if let Some(threshold) = options.accept_above {
                    let next = open.get(1).map_or(0.0, |(n, _)| f64::from(n.score));
                    let top = f64::from(s.score);
                    if top >= threshold
                        && top - next >= options.margin
                        && s.verdict == TypeVerdict::Match
                    {
                        row.status = Status::Accepted;
                        row.reviewed_by = format!(
                            "factgraph link --accept-above {threshold} --margin {}",
                            options.margin
                        );
                        row.reviewed_on = today.clone();
                        report.accepted.push((t.iri.clone(), e.id.clone()));
                    }
                }
            }
            rows.push(row);
        }
        fresh.insert(t.iri.clone(), rows);
    }

    let rows = merge(&existing, fresh, &targets, &linked, &accepted_rows);
    report.proposed = rows.iter().filter(|r| r.status == Status::Proposed).count();
    links_csv::write(&output, &rows)?;
    Ok(report)
}

/// Puts kept decisions and fresh candidates together, entities sorted by IRI, each entity's
/// rows by score: decisions are kept as they were; proposed rows are replaced by this run's
/// (and dropped for entities that are linked or gone from the graph); an entity with an
/// accepted row is left as it was.
fn merge(
    existing: &[LinkRow],
    mut fresh: BTreeMap<String, Vec<LinkRow>>,
    targets: &[Target],
    linked: &HashMap<String, u64>,
    accepted_rows: &BTreeMap<String, u64>,
) -> Vec<LinkRow> {
    let in_graph: HashSet<&str> = targets.iter().map(|t| t.iri.as_str()).collect();
    let mut by_entity: BTreeMap<String, Vec<LinkRow>> = BTreeMap::new();
    for r in existing {
        let keep_all = accepted_rows.contains_key(&r.entity)
            && in_graph.contains(r.entity.as_str())
            && !fresh.contains_key(&r.entity);
        if r.is_decision() || keep_all {
            by_entity
                .entry(r.entity.clone())
                .or_default()
                .push(r.clone());
        }
    }
    for (entity, rows) in by_entity.iter_mut() {
        if let Some(new) = fresh.remove(entity) {
            let decided: HashSet<String> = rows.iter().map(|r| r.qid.clone()).collect();
            rows.extend(new.into_iter().filter(|r| !decided.contains(&r.qid)));
        }
    }
    for (entity, rows) in fresh {
        if !linked.contains_key(&entity) || !rows.is_empty() {
            by_entity.insert(entity, rows);
        }
    }
    let mut out = Vec::new();
    for (_, mut rows) in by_entity {
        rows.sort_by(|a, b| {
            b.score_value()
                .total_cmp(&a.score_value())
                .then_with(|| wikidata::qid_number(&a.qid).cmp(&wikidata::qid_number(&b.qid)))
        });
        out.extend(rows);
    }
    out
}

/// The items the graph ties an entity to: checked links, else the type-matching candidates
/// already scored for the related entity.
fn context_of(
    target: &Target,
    targets: &[Target],
    index: &HashMap<&str, usize>,
    linked: &HashMap<String, u64>,
    scored: &HashMap<usize, Vec<(Scored, &Entity)>>,
) -> Context {
    let mut ctx = Context::default();
    let items_of = |iri: &str| -> (Vec<u64>, bool) {
        if let Some(q) = linked.get(iri) {
            return (vec![*q], true);
        }
        let guessed = index
            .get(iri)
            .and_then(|i| scored.get(i))
            .map(|list| {
                list.iter()
                    .filter(|(s, _)| s.verdict == TypeVerdict::Match && s.score >= 80)
                    .take(3)
                    .filter_map(|(_, e)| e.number())
                    .collect()
            })
            .unwrap_or_default();
        (guessed, false)
    };
    let kinds_of = |iri: &str| -> &[Kind] {
        index
            .get(iri)
            .map(|i| targets[*i].kinds.as_slice())
            .unwrap_or(&[])
    };
    for (rel, other) in &target.related {
        let (items, checked) = items_of(other);
        let is_country = kinds_of(other).contains(&Kind::Country);
        match rel {
            Relation::MemberOf => {
                if is_country {
                    ctx.countries.extend(&items);
                } else {
                    ctx.employers.extend(&items);
                }
            }
            Relation::Located | Relation::Within => {
                if is_country {
                    ctx.countries.extend(&items);
                    if *rel == Relation::Within && checked {
                        ctx.required_country = items.first().copied();
                    }
                } else {
                    ctx.places.extend(&items);
                    // The country that place is in.
                    if let Some(i) = index.get(other.as_str()) {
                        for (r2, o2) in &targets[*i].related {
                            if *r2 == Relation::Within && kinds_of(o2).contains(&Kind::Country) {
                                ctx.countries.extend(items_of(o2).0);
                            }
                        }
                    }
                }
            }
        }
    }
    ctx
}

/// Stop words and short words are not used to find fuzzy candidates.
const STOP: &[&str] = &[
    "pour", "dans", "avec", "with", "from", "that", "this", "group", "groupe",
];

/// One pass over a dump: the candidates of each wanted target and the P279 graph.
#[allow(clippy::type_complexity)]
fn from_dump(
    path: &Path,
    targets: &[Target],
    names: &[Vec<NameForm>],
    wanted: &[usize],
    langs: &[String],
    progress: Option<&dyn Fn(u64)>,
) -> Result<(Vec<Vec<Entity>>, ClassGraph, DumpStats), LinkError> {
    // Index of the wanted names: by sorted words (exact up to order), and by word (fuzzy).
    let mut exact: HashMap<String, Vec<usize>> = HashMap::new();
    let mut words: HashMap<String, Vec<usize>> = HashMap::new();
    for &i in wanted {
        for n in &names[i] {
            if n.norm.is_empty() {
                continue;
            }
            exact.entry(n.sorted.clone()).or_default().push(i);
            if n.acronym {
                continue;
            }
            for w in n.norm.split(' ') {
                if w.chars().count() >= 4 && !STOP.contains(&w) {
                    words.entry(w.to_owned()).or_default().push(i);
                }
            }
        }
    }
    for v in exact.values_mut().chain(words.values_mut()) {
        v.sort_unstable();
        v.dedup();
    }
    let mut kept: Vec<Vec<(f64, Entity)>> = vec![Vec::new(); targets.len()];
    let mut graph = ClassGraph::default();
    let filter = Filter {
        langs,
        properties: wikidata::LINK_PROPERTIES,
        descriptions: true,
    };
    let mut seen: u64 = 0;
    let mut hits: Vec<usize> = Vec::new();
    let stats = dump::for_each_line(path, |line| {
        seen += 1;
        if seen.is_multiple_of(16_384) {
            if let Some(p) = progress {
                p(seen);
            }
        }
        let entity = dump::parse_line(line, filter)?;
        let Some(number) = entity.number() else {
            return Ok(());
        };
        for parent in entity.items("P279") {
            graph.add(number, parent);
        }
        hits.clear();
        for (_, text) in entity.labels.iter().chain(entity.aliases.iter()) {
            let form = NameForm::new(text);
            if form.norm.is_empty() {
                continue;
            }
            if let Some(ts) = exact.get(&form.sorted) {
                hits.extend(ts);
            }
            for w in form.norm.split(' ') {
                if let Some(ts) = words.get(w) {
                    hits.extend(ts);
                }
            }
        }
        if hits.is_empty() {
            return Ok(());
        }
        hits.sort_unstable();
        hits.dedup();
        for &i in &hits {
            let person = targets[i].kinds.contains(&Kind::Person);
            let sim = score::best_similarity(&names[i], &entity, person);
            if sim < score::MIN_SIMILARITY {
                continue;
            }
            let list = &mut kept[i];
            list.push((sim, entity.clone()));
            if list.len() > 2 * MAX_KEPT {
                list.sort_by(|a, b| b.0.total_cmp(&a.0));
                list.truncate(MAX_KEPT);
            }
        }
        Ok(())
    })?;
    graph.finish();
    let candidates = kept
        .into_iter()
        .map(|mut l| {
            l.sort_by(|a, b| b.0.total_cmp(&a.0));
            l.truncate(MAX_KEPT);
            l.into_iter().map(|(_, e)| e).collect()
        })
        .collect();
    Ok((candidates, graph, stats))
}

/// Candidates from the API: `wbsearchentities` for each name in each language, then
/// `wbgetentities` for them and, level by level, for the classes their types climb through.
#[allow(clippy::type_complexity)]
fn from_api(
    api: &mut Api,
    targets: &[Target],
    wanted: &[usize],
    langs: &[String],
) -> Result<(Vec<Vec<Entity>>, HashMap<u64, Vec<u64>>), LinkError> {
    let mut candidates: Vec<Vec<Entity>> = vec![Vec::new(); targets.len()];
    let search_langs: Vec<&String> = langs.iter().filter(|l| *l != "mul").collect();
    let filter = Filter {
        langs,
        properties: wikidata::LINK_PROPERTIES,
        descriptions: true,
    };
    let mut classes: HashMap<u64, Vec<u64>> = HashMap::new();
    for &i in wanted {
        let mut ids: Vec<String> = Vec::new();
        for name in targets[i].names.iter().take(3) {
            for lang in &search_langs {
                for id in api.search(name, lang, 10)? {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
        }
        if ids.is_empty() {
            continue;
        }
        let found = api.entities(&ids, filter)?;
        let p31: Vec<u64> = found.iter().flat_map(|e| e.items("P31")).collect();
        api.climb_classes(&p31, &mut classes, 2_000)?;
        candidates[i] = found;
    }
    Ok((candidates, classes))
}
