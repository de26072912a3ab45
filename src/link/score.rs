//! Scoring a Wikidata candidate against an entity of the graph: names, type, context.
//!
//! The score runs from 0 to 100 and is the sum of three parts, clamped:
//!
//! | part | points |
//! | --- | --- |
//! | **name** | 60 × the best similarity between one of the entity's names and one of the candidate's labels or aliases in the languages asked for (and `mul`) |
//! | **type** | +30 when one of the candidate's P31 classes is the expected class or reaches it through P279 (organisation Q43229, human Q5, city Q515, country Q6256); 0 when the candidate has no P31; −30 when it has P31 but none reaches the expected class |
//! | **context** | +5 for each property that agrees with what the graph knows (P17 country or P27 citizenship among the entity's countries, P108 employer among its organisations, P159 headquarters or P131 location among its places), at most +10; −20 when the graph places a place in a country and the candidate's P17 names only others |
//!
//! Candidates that are disambiguation pages (Q4167410), scholarly articles (Q13442814) or
//! Wikimedia categories, templates, lists or internal items are dropped, whatever their
//! name.
//!
//! Name similarity, after [`normalize`] (Unicode compatibility decomposition, accents
//! removed, lower case, punctuation to spaces): 1 for the same words in the same order; for
//! people's names the same words in any order count as 1 too ("Mezzour Ghita"), 0.95 for
//! other names; an acronym (a short all-capitals name such as `AMDIE`) matches only exactly
//! and then counts 0.9, since acronyms are ambiguous; otherwise 0.9 × the normalised
//! Levenshtein similarity (of the sorted words, for people). Candidates below
//! [`MIN_SIMILARITY`] are not kept.

use std::collections::{HashSet, VecDeque};

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::wikidata::{self, Entity};

/// Below this name similarity a candidate is not kept.
pub const MIN_SIMILARITY: f64 = 0.75;

/// How far up P279 a type check climbs.
const MAX_DEPTH: usize = 30;
/// How many classes a type check visits at most.
const MAX_VISITED: usize = 20_000;

/// What kind of thing an entity of the graph is, which fixes the class a candidate must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `org:Organization` → Q43229.
    Organisation,
    /// `schema:Person` → Q5.
    Person,
    /// `schema:City` → Q515.
    City,
    /// `schema:Country` → Q6256.
    Country,
    /// `schema:Place` of no finer type: no type constraint.
    Place,
}

impl Kind {
    /// The expected Wikidata class.
    pub fn class(self) -> Option<u64> {
        match self {
            Kind::Organisation => Some(wikidata::ORGANIZATION),
            Kind::Person => Some(wikidata::HUMAN),
            Kind::City => Some(wikidata::CITY),
            Kind::Country => Some(wikidata::COUNTRY),
            Kind::Place => None,
        }
    }
}

/// A name prepared for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameForm {
    /// As given.
    pub text: String,
    /// [`normalize`]d.
    pub norm: String,
    /// The normalised words, sorted.
    pub sorted: String,
    /// A short all-capitals name: matches only exactly.
    pub acronym: bool,
}

impl NameForm {
    /// Prepares `text`.
    pub fn new(text: &str) -> Self {
        let norm = normalize(text);
        let sorted = sorted_words(&norm);
        let letters: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
        let acronym = (2..=8).contains(&letters.len())
            && !text.contains(' ')
            && letters
                .iter()
                .filter(|c| c.is_alphabetic())
                .all(|c| c.is_uppercase());
        NameForm {
            text: text.to_owned(),
            norm,
            sorted,
            acronym,
        }
    }
}

/// Unicode compatibility decomposition, combining marks (accents) dropped, lower case, and
/// every run of other characters than letters and digits turned into one space.
///
/// ```
/// use factgraph::link::score::normalize;
/// assert_eq!(normalize("Agence Marocaine de Développement"), "agence marocaine de developpement");
/// assert_eq!(normalize("  l’Évaluation, (AMDIE) "), "l evaluation amdie");
/// ```
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// The words of a normalised name, sorted and joined by spaces.
pub fn sorted_words(norm: &str) -> String {
    let mut w: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
    w.sort_unstable();
    w.join(" ")
}

/// How alike two names are, from 0 to 1 (see the module documentation).
pub fn similarity(entity: &NameForm, candidate: &NameForm, person: bool) -> f64 {
    if entity.norm.is_empty() || candidate.norm.is_empty() {
        return 0.0;
    }
    if entity.norm == candidate.norm {
        return if entity.acronym { 0.9 } else { 1.0 };
    }
    if entity.acronym {
        return 0.0;
    }
    if entity.sorted == candidate.sorted {
        return if person { 1.0 } else { 0.95 };
    }
    let (a, b) = if person {
        (&entity.sorted, &candidate.sorted)
    } else {
        (&entity.norm, &candidate.norm)
    };
    0.9 * strsim::normalized_levenshtein(a, b)
}

/// The best similarity between any of `names` and any label or alias of `candidate`.
pub fn best_similarity(names: &[NameForm], candidate: &Entity, person: bool) -> f64 {
    let mut best = 0.0f64;
    for (_, text) in candidate.labels.iter().chain(candidate.aliases.iter()) {
        let form = NameForm::new(text);
        for n in names {
            best = best.max(similarity(n, &form, person));
        }
    }
    best
}

/// The P279 (subclass of) edges a type check climbs.
pub trait Classes {
    /// The direct superclasses of `class`.
    fn parents(&self, class: u64) -> Vec<u64>;
}

/// The subclass graph of a dump, kept compactly: one pair of numbers an edge.
#[derive(Debug, Default)]
pub struct ClassGraph {
    edges: Vec<(u32, u32)>,
    sorted: bool,
    /// Edges with ids too large for 32 bits (none in today's Wikidata).
    wide: Vec<(u64, u64)>,
}

impl ClassGraph {
    /// Records `child` P279 `parent`.
    pub fn add(&mut self, child: u64, parent: u64) {
        match (u32::try_from(child), u32::try_from(parent)) {
            (Ok(c), Ok(p)) => self.edges.push((c, p)),
            _ => self.wide.push((child, parent)),
        }
        self.sorted = false;
    }

    /// Sorts the edges for lookups; call once all are added.
    pub fn finish(&mut self) {
        self.edges.sort_unstable();
        self.edges.dedup();
        self.edges.shrink_to_fit();
        self.sorted = true;
    }

    /// The number of edges.
    pub fn len(&self) -> usize {
        self.edges.len() + self.wide.len()
    }

    /// Whether there is no edge.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Classes for ClassGraph {
    fn parents(&self, class: u64) -> Vec<u64> {
        debug_assert!(self.sorted || self.edges.is_empty());
        let mut out: Vec<u64> = self
            .wide
            .iter()
            .filter(|(c, _)| *c == class)
            .map(|(_, p)| *p)
            .collect();
        if let Ok(c) = u32::try_from(class) {
            let start = self.edges.partition_point(|(x, _)| *x < c);
            out.extend(
                self.edges[start..]
                    .iter()
                    .take_while(|(x, _)| *x == c)
                    .map(|(_, p)| u64::from(*p)),
            );
        }
        out
    }
}

impl Classes for std::collections::HashMap<u64, Vec<u64>> {
    fn parents(&self, class: u64) -> Vec<u64> {
        self.get(&class).cloned().unwrap_or_default()
    }
}

/// Every class reachable from `start` through P279 (`start` included), breadth first,
/// bounded in depth and size.
pub fn closure(classes: &dyn Classes, start: &[u64]) -> HashSet<u64> {
    let mut seen: HashSet<u64> = HashSet::new();
    let mut queue: VecDeque<(u64, usize)> = VecDeque::new();
    for s in start {
        if seen.insert(*s) {
            queue.push_back((*s, 0));
        }
    }
    while let Some((c, depth)) = queue.pop_front() {
        if depth >= MAX_DEPTH || seen.len() >= MAX_VISITED {
            continue;
        }
        for p in classes.parents(c) {
            if seen.insert(p) {
                queue.push_back((p, depth + 1));
            }
        }
    }
    seen
}

/// What the type check says of a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeVerdict {
    /// A P31 class reaches an expected class.
    Match,
    /// No P31 (or no type expected).
    Unknown,
    /// P31 classes, none of them reaching an expected class.
    Wrong,
    /// A disambiguation page, scholarly article or Wikimedia-internal item: dropped.
    Never,
}

/// Checks the P31 classes of a candidate against the expected ones.
pub fn type_verdict(p31: &[u64], expected: &[u64], classes: &dyn Classes) -> TypeVerdict {
    if p31.is_empty() {
        return TypeVerdict::Unknown;
    }
    let all = closure(classes, p31);
    if wikidata::NEVER.iter().any(|n| all.contains(n)) {
        return TypeVerdict::Never;
    }
    if expected.is_empty() {
        return TypeVerdict::Unknown;
    }
    if expected.iter().any(|e| all.contains(e)) {
        TypeVerdict::Match
    } else {
        TypeVerdict::Wrong
    }
}

/// What the graph knows around an entity, to compare with a candidate's statements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// Countries the entity is tied to (items): compared with P17 and P27.
    pub countries: Vec<u64>,
    /// The country a place is in, when the graph says so: a candidate whose P17 names only
    /// other countries loses points.
    pub required_country: Option<u64>,
    /// Organisations the entity works for or belongs to (items): compared with P108.
    pub employers: Vec<u64>,
    /// Places tied to the entity (items): compared with P159 and P131.
    pub places: Vec<u64>,
}

/// A scored candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// 0–100.
    pub score: u8,
    /// The name similarity (0–1).
    pub name: f64,
    /// The type check.
    pub verdict: TypeVerdict,
    /// Context points (−20 … +10).
    pub context: i32,
}

/// Scores `candidate` for an entity named `names` of the kinds `kinds` (several for a state
/// that is both an organisation and a country). `None` when the candidate is dropped: a
/// disambiguation page, scholarly article or Wikimedia-internal item, or a name below
/// [`MIN_SIMILARITY`].
pub fn score(
    names: &[NameForm],
    kinds: &[Kind],
    candidate: &Entity,
    classes: &dyn Classes,
    context: &Context,
) -> Option<Scored> {
    let person = kinds.contains(&Kind::Person);
    let name = best_similarity(names, candidate, person);
    if name < MIN_SIMILARITY {
        return None;
    }
    let expected: Vec<u64> = kinds.iter().filter_map(|k| k.class()).collect();
    let p31: Vec<u64> = candidate.items("P31").collect();
    let verdict = type_verdict(&p31, &expected, classes);
    let type_points = match verdict {
        TypeVerdict::Match => 30,
        TypeVerdict::Unknown => 0,
        TypeVerdict::Wrong => -30,
        TypeVerdict::Never => return None,
    };
    let ctx = context_points(candidate, context);
    let total = (60.0 * name).round() as i32 + type_points + ctx;
    Some(Scored {
        score: total.clamp(0, 100) as u8,
        name,
        verdict,
        context: ctx,
    })
}

fn context_points(candidate: &Entity, context: &Context) -> i32 {
    let any_in = |p: &str, set: &[u64]| candidate.items(p).any(|v| set.contains(&v));
    let mut points = 0;
    if any_in("P17", &context.countries) {
        points += 5;
    }
    if any_in("P27", &context.countries) {
        points += 5;
    }
    if any_in("P108", &context.employers) {
        points += 5;
    }
    if any_in("P159", &context.places) || any_in("P131", &context.places) {
        points += 5;
    }
    points = points.min(10);
    if let Some(required) = context.required_country {
        let mut countries = candidate.items("P17").peekable();
        if countries.peek().is_some() && !countries.any(|c| c == required) {
            points -= 20;
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::wikidata::Value;
    use std::collections::HashMap;

    fn entity(id: &str, label: &str, p31: &[u64], extra: &[(&str, u64)]) -> Entity {
        Entity {
            id: id.to_owned(),
            labels: vec![("fr".into(), label.into())],
            claims: p31
                .iter()
                .map(|c| ("P31".to_owned(), Value::Item(*c)))
                .chain(extra.iter().map(|(p, v)| (p.to_string(), Value::Item(*v))))
                .collect(),
            ..Entity::default()
        }
    }

    #[test]
    fn names_compare_without_case_accents_punctuation_or_word_order() {
        let n = |s| NameForm::new(s);
        assert_eq!(
            similarity(&n("Ghita Mezzour"), &n("MEZZOUR, Ghita"), true),
            1.0
        );
        assert_eq!(
            similarity(
                &n("Agence Marocaine de Développement"),
                &n("agence marocaine de developpement"),
                false
            ),
            1.0
        );
        assert_eq!(similarity(&n("AMDIE"), &n("AMDIE"), false), 0.9);
        assert_eq!(similarity(&n("AMDIE"), &n("AMIDE"), false), 0.0);
        let near = similarity(&n("Jacques Pommeraud"), &n("Jacques Pommereau"), true);
        assert!(near > 0.75 && near < 0.9, "{near}");
        assert!(similarity(&n("Inetum"), &n("Renault"), false) < MIN_SIMILARITY);
    }

    #[test]
    fn types_climb_subclass_of_and_drop_disambiguation_pages() {
        let mut g = ClassGraph::default();
        g.add(990000101, 990000102);
        g.add(990000102, wikidata::ORGANIZATION);
        g.add(wikidata::DISAMBIGUATION, 17_442_446);
        g.finish();
        let org = [wikidata::ORGANIZATION];
        assert_eq!(type_verdict(&[990000101], &org, &g), TypeVerdict::Match);
        assert_eq!(
            type_verdict(&[wikidata::HUMAN], &org, &g),
            TypeVerdict::Wrong
        );
        assert_eq!(type_verdict(&[], &org, &g), TypeVerdict::Unknown);
        assert_eq!(
            type_verdict(&[wikidata::DISAMBIGUATION], &org, &g),
            TypeVerdict::Never
        );
    }

    #[test]
    fn right_type_and_context_outrank_a_homonym() {
        let classes: HashMap<u64, Vec<u64>> = HashMap::new();
        let names = [NameForm::new("Rabat")];
        let ctx = Context {
            countries: vec![1028],
            required_country: Some(1028),
            ..Context::default()
        };
        let right = entity("Q990000301", "Rabat", &[wikidata::CITY], &[("P17", 1028)]);
        let homonym = entity(
            "Q990000302",
            "Rabat",
            &[wikidata::CITY],
            &[("P17", 990000902)],
        );
        let human = entity("Q990000303", "Rabat", &[wikidata::HUMAN], &[]);
        let s = |e: &Entity| {
            score(&names, &[Kind::City], e, &classes, &ctx)
                .unwrap()
                .score
        };
        assert_eq!(s(&right), 95);
        assert_eq!(s(&homonym), 70);
        assert_eq!(s(&human), 30);
    }
}
