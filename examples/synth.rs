//! Synthetic data in factgraph's own schema, for benchmarks.
//!
//! ```text
//! cargo run --release --example synth -- --rows N --out DIR [--seed S]
//! ```
//!
//! Writes into DIR the 15 CSV files that `data/mapping.rml.ttl` reads, with the columns
//! `data/README.md` describes, plus a copy of that mapping, so that `factgraph map DIR` and
//! `factgraph load DIR` run on it unchanged. N is the number of rows of the largest table
//! (memberships.csv); the other tables are proportionally smaller (people N/2, commitments N/2,
//! quantities N/4, aims N/4, amounts N/8, presences N/10, organisations N/20, agreements N/20,
//! sites N/20, places N/200 + N/10000, sources N/100, roles N/10000, each at least a handful).
//! The mapping yields about 18 triples per N.
//!
//! The data is meant to exercise what the real data does: every reference and every join
//! resolves (a child key always names a parent row), optional cells are sometimes empty, text
//! mixes French accents, typographic apostrophes, Arabic, Chinese and Polish, fields hold commas
//! and `"` (so they are quoted as RFC 4180 says), dates have the precision of their column
//! (`YYYY-MM` for gYearMonth, `YYYY` for gYear). Ids are slugs. The same seed gives the same
//! bytes. Rows are streamed through buffered writers: memory does not grow with N.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const MAPPING: &str = include_str!("../data/mapping.rml.ttl");

const USAGE: &str = "usage: synth --rows N --out DIR [--seed S]\n\
    Writes the 15 CSV files of factgraph's data schema (N rows in memberships.csv, the others\n\
    proportionally smaller) and mapping.rml.ttl into DIR.";

// ------------------------------------------------------------------ randomness

/// SplitMix64: tiny, fast, and good enough to pick values; also used as a hash of an index.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        Self(mix(seed ^ mix(stream)))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant here.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A value fixed by an index (so that a child row can name its parent without any table).
fn hashed(seed: u64, kind: u64, i: usize) -> u64 {
    mix(seed ^ mix(kind.wrapping_mul(0x1000_0000_01B3) ^ i as u64))
}

// ------------------------------------------------------------------ vocabulary

/// (display, slug)
const FIRST_NAMES: &[(&str, &str)] = &[
    ("Ghita", "ghita"),
    ("Mohcine", "mohcine"),
    ("Jacques", "jacques"),
    ("Ali", "ali"),
    ("Zoé", "zoe"),
    ("Jürgen", "jurgen"),
    ("Łukasz", "lukasz"),
    ("Amélie", "amelie"),
    ("Nguyễn", "nguyen"),
    ("Fatima-Zahra", "fatima-zahra"),
    ("François", "francois"),
    ("Søren", "soren"),
    ("Chloë", "chloe"),
    ("Yasmine", "yasmine"),
    ("Hélène", "helene"),
    ("Oumar", "oumar"),
];

const LAST_NAMES: &[(&str, &str)] = &[
    ("Mezzour", "mezzour"),
    ("Jazouli", "jazouli"),
    ("Pommeraud", "pommeraud"),
    ("Seddiki", "seddiki"),
    ("Müller", "muller"),
    ("Wałęsa", "walesa"),
    ("El Amrani", "el-amrani"),
    ("D’Almeida", "d-almeida"),
    ("O'Brien", "o-brien"),
    ("Bennani-Smirès", "bennani-smires"),
    ("Ndiaye", "ndiaye"),
    ("Lefèvre", "lefevre"),
    ("García Márquez", "garcia-marquez"),
    ("Ørsted", "orsted"),
    ("Benkirane", "benkirane"),
    ("Dubois", "dubois"),
];

const ORG_STEMS: &[(&str, &str)] = &[
    ("Inetum", "inetum"),
    ("Société Générale", "societe-generale"),
    (
        "Agence Marocaine de Développement des Investissements et des Exportations",
        "amdie",
    ),
    ("Crédit Agricole", "credit-agricole"),
    ("Groupe OCP", "ocp"),
    ("Zürich Versicherung", "zurich-versicherung"),
    ("Øresund Energi", "oresund-energi"),
    ("مجموعة العمران", "al-omrane"),
    ("北京数据科技", "beijing-data"),
    ("Škoda Digital", "skoda-digital"),
    ("Banque Populaire", "banque-populaire"),
    ("Caisse de Dépôt et de Gestion", "cdg"),
];

const ACRONYMS: &[&str] = &["AMDIE", "CDG", "OCP", "SG", "BP", "CA", "ÉDF", "ONEE"];

const ORG_DESCRIPTIONS: &[&str] = &[
    "spécialiste européen des services numériques",
    "banque de détail, d’investissement et d'assurance",
    "agence publique chargée de la promotion des investissements, des exportations et de l'image du pays",
    "groupe industriel présent au Maroc, en France et au Sénégal",
    "opérateur dit \"de confiance\" pour l'État",
];

/// (display, slug)
const COUNTRIES: &[(&str, &str)] = &[
    ("Maroc", "maroc"),
    ("France", "france"),
    ("Sénégal", "senegal"),
    ("Côte d’Ivoire", "cote-d-ivoire"),
    ("Tunisie", "tunisie"),
    ("Égypte", "egypte"),
    ("Polska", "polska"),
    ("中国", "chine"),
];

const CITIES: &[(&str, &str)] = &[
    ("Rabat", "rabat"),
    ("Casablanca", "casablanca"),
    ("Fès", "fes"),
    ("Marrakech", "marrakech"),
    ("Tanger", "tanger"),
    ("Saint-Étienne", "saint-etienne"),
    ("Montréal", "montreal"),
    ("Dakar", "dakar"),
    ("Łódź", "lodz"),
    ("الرباط", "ar-ribat"),
    ("Abidjan", "abidjan"),
    ("Kraków", "krakow"),
];

/// (label_fr, label_en, slug)
const ROLES: &[(&str, &str, &str)] = &[
    ("ministre délégué", "minister delegate", "ministre-delegue"),
    (
        "président-directeur général",
        "chairman and chief executive officer",
        "president-directeur-general",
    ),
    ("directeur général", "director general", "directeur-general"),
    (
        "directrice financière",
        "chief financial officer",
        "directrice-financiere",
    ),
    (
        "secrétaire général",
        "secretary general",
        "secretaire-general",
    ),
    (
        "responsable « innovation »",
        "head of \"innovation\"",
        "responsable-innovation",
    ),
    (
        "administrateur, membre du conseil",
        "board member, director",
        "administrateur",
    ),
    (
        "ministre déléguée",
        "minister delegate",
        "ministre-deleguee",
    ),
];

const PORTFOLIOS: &[&str] = &[
    "de l’Investissement, de la Convergence et de l’Évaluation des politiques publiques",
    "de la Transition numérique et de la Réforme de l'administration",
    "du groupe",
    "des Exportations (AMDIE)",
    "des achats, de la logistique et des \"services partagés\"",
];

const AGREEMENT_DESCRIPTIONS: &[&str] = &[
    "un mémorandum d'entente autour d’un projet d’extension des activités du Groupe dans plusieurs villes",
    "un accord-cadre de coopération, d'une durée de trois ans",
    "un protocole portant sur la formation, l'emploi et la \"montée en compétences\"",
];

const KINDS: &[&str] = &[
    "JobCreation",
    "Investment",
    "HeadcountGrowth",
    "NewFacility",
];
const STATUSES: &[&str] = &["Pledged", "Planned", "Announced"];
const CURRENCIES: &[&str] = &["MAD", "EUR", "USD", "XOF"];
const UNITS: &[&str] = &[
    "emplois",
    "fois l'effectif",
    "postes d’ingénieur",
    "sites, bureaux et ateliers",
];

const COMMITMENT_NAMES: &[&str] = &[
    "création de 1.500 emplois",
    "investissement prévisionnel de plus de 50 millions de dirhams (MDH)",
    "triplant son effectif au Maroc d'ici 2027",
    "implanter un centre de service Achat à Casablanca",
    "ouvrir un \"campus\" de formation, avec 200 places",
];

const SITE_NAMES: &[&str] = &[
    "FabLab",
    "centre de service Achat",
    "campus « Smart City »",
    "siège social",
    "atelier \"Nearshore\", bâtiment B",
];

const AIMS: &[&str] = &[
    "renforcer la collaboration entre le Groupe et le Royaume",
    "atteindre les objectifs stratégiques communs",
    "développer le nearshore en améliorant le service rendu aux clients avec un meilleur ratio investissement/efficacité",
    "accélérer l'intégration de l'IA Générative chez tous types de clients",
    "le soutien à la transition numérique, en investissant dans des technologies avancées, en développant des services innovants",
];

// ------------------------------------------------------------------ sizes and ids

/// Row counts of every table, derived from N.
struct Sizes {
    memberships: usize,
    people: usize,
    organisations: usize,
    countries: usize,
    places: usize,
    roles: usize,
    sources: usize,
    agreements: usize,
    quantities: usize,
    amounts: usize,
    commitments: usize,
    aims: usize,
    sites: usize,
    presences: usize,
}

impl Sizes {
    fn new(n: usize) -> Self {
        let countries = (n / 10_000).max(2);
        Self {
            memberships: n,
            people: (n / 2).max(4),
            // The first `countries` organisations are states, one node with their place.
            organisations: (n / 20).max(countries + 3),
            countries,
            places: countries + (n / 200).max(3),
            roles: (n / 10_000).max(ROLES.len()),
            sources: (n / 100).max(1),
            agreements: (n / 20).max(1),
            quantities: (n / 4).max(2),
            amounts: (n / 8).max(1),
            commitments: (n / 2).max(2),
            aims: (n / 4).max(2),
            sites: (n / 20).max(1),
            presences: (n / 10).max(1),
        }
    }
}

/// Knows how every id and name is made from an index, so children name existing parents.
struct Ids {
    seed: u64,
    sizes: Sizes,
}

// Kinds for `hashed`.
const H_PERSON: u64 = 1;
const H_ORG: u64 = 2;
const H_PLACE: u64 = 3;
const H_PARTY_A: u64 = 4;
const H_PARTY_B: u64 = 5;

impl Ids {
    fn person_parts(
        &self,
        j: usize,
    ) -> (
        &'static (&'static str, &'static str),
        &'static (&'static str, &'static str),
    ) {
        let h = hashed(self.seed, H_PERSON, j);
        (
            &FIRST_NAMES[(h % FIRST_NAMES.len() as u64) as usize],
            &LAST_NAMES[((h >> 32) % LAST_NAMES.len() as u64) as usize],
        )
    }

    fn person_id(&self, out: &mut String, j: usize) {
        let (f, l) = self.person_parts(j);
        let _ = write!(out, "{}-{}-{j}", f.1, l.1);
    }

    fn person_name(&self, out: &mut String, j: usize) {
        let (f, l) = self.person_parts(j);
        let _ = write!(out, "{} {}", f.0, l.0);
    }

    fn country(&self, p: usize) -> &'static (&'static str, &'static str) {
        &COUNTRIES[p % COUNTRIES.len()]
    }

    fn city(&self, p: usize) -> &'static (&'static str, &'static str) {
        &CITIES[(hashed(self.seed, H_PLACE, p) % CITIES.len() as u64) as usize]
    }

    /// Places 0..countries are countries, the rest cities.
    fn place_id(&self, out: &mut String, p: usize) {
        let slug = if p < self.sizes.countries {
            self.country(p).1
        } else {
            self.city(p).1
        };
        let _ = write!(out, "{slug}-{p}");
    }

    fn place_name(&self, out: &mut String, p: usize) {
        out.push_str(if p < self.sizes.countries {
            self.country(p).0
        } else {
            self.city(p).0
        });
    }

    fn random_city(&self, rng: &mut Rng) -> usize {
        self.sizes.countries + rng.below(self.sizes.places - self.sizes.countries)
    }

    fn org_stem(&self, k: usize) -> &'static (&'static str, &'static str) {
        &ORG_STEMS[(hashed(self.seed, H_ORG, k) % ORG_STEMS.len() as u64) as usize]
    }

    /// Organisations 0..countries are states: their id is their place's id.
    fn org_id(&self, out: &mut String, k: usize) {
        if k < self.sizes.countries {
            self.place_id(out, k);
        } else {
            let _ = write!(out, "{}-{k}", self.org_stem(k).1);
        }
    }

    fn org_name(&self, out: &mut String, k: usize) {
        if k < self.sizes.countries {
            self.place_name(out, k);
        } else {
            let _ = write!(out, "{} {k}", self.org_stem(k).0);
        }
    }

    fn role_id(&self, out: &mut String, r: usize) {
        let _ = write!(out, "{}-{r}", ROLES[r % ROLES.len()].2);
    }

    fn source_id(&self, out: &mut String, s: usize) {
        let _ = write!(out, "article-{s}");
    }

    fn agreement_id(&self, out: &mut String, a: usize) {
        let _ = write!(out, "accord-{a}");
    }

    fn party(&self, a: usize, which: u64) -> usize {
        (hashed(self.seed, which, a) % self.sizes.organisations as u64) as usize
    }

    fn commitment_id(&self, out: &mut String, c: usize) {
        let _ = write!(out, "engagement-{c}");
    }

    fn quantity_id(&self, out: &mut String, q: usize) {
        let _ = write!(out, "quantite-{q}");
    }

    fn amount_id(&self, out: &mut String, m: usize) {
        let _ = write!(out, "montant-{m}");
    }
}

// ------------------------------------------------------------------ writing

/// One CSV file being written, with reusable field buffers.
struct Table {
    writer: csv::Writer<BufWriter<File>>,
    fields: Vec<String>,
    rows: usize,
    name: &'static str,
}

impl Table {
    fn create(dir: &Path, name: &'static str, header: &[&str]) -> std::io::Result<Self> {
        let file = File::create(dir.join(name))?;
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(BufWriter::with_capacity(1 << 20, file));
        writer.write_record(header)?;
        Ok(Self {
            writer,
            fields: vec![String::new(); header.len()],
            rows: 0,
            name,
        })
    }

    /// Clears the field buffers for the next row.
    fn start(&mut self) -> &mut [String] {
        for f in &mut self.fields {
            f.clear();
        }
        &mut self.fields
    }

    fn write(&mut self) -> std::io::Result<()> {
        self.writer.write_record(&self.fields)?;
        self.rows += 1;
        Ok(())
    }

    fn finish(self) -> std::io::Result<(&'static str, usize)> {
        let mut inner = self.writer.into_inner().map_err(|e| e.into_error())?;
        inner.flush()?;
        Ok((self.name, self.rows))
    }
}

fn year(rng: &mut Rng, out: &mut String) {
    let _ = write!(out, "{}", 1990 + rng.below(40));
}

fn year_month(rng: &mut Rng, out: &mut String) {
    let _ = write!(out, "{}-{:02}", 2000 + rng.below(26), 1 + rng.below(12));
}

/// Writes the tables and the mapping for N rows into `dir` (also used by `tests/spark.rs` and
/// `tests/virtuoso.rs`).
pub fn generate(dir: &Path, n: usize, seed: u64) -> std::io::Result<Vec<(&'static str, usize)>> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("mapping.rml.ttl"), MAPPING)?;
    let ids = Ids {
        seed,
        sizes: Sizes::new(n),
    };
    let s = &ids.sizes;
    let mut done = Vec::new();
    let mut tmp = String::new();

    // sources.csv
    let mut t = Table::create(
        dir,
        "sources.csv",
        &["id", "title", "date", "language", "file"],
    )?;
    let mut rng = Rng::new(seed, 1);
    for i in 0..s.sources {
        let f = t.start();
        ids.source_id(&mut f[0], i);
        let (a, b) = (rng.below(s.organisations), rng.below(s.organisations));
        ids.org_name(&mut f[1], a);
        f[1].push_str(" et ");
        ids.org_name(&mut f[1], b);
        f[1].push_str(" ont signé, lundi à ");
        let city = ids.random_city(&mut rng);
        ids.place_name(&mut f[1], city);
        f[1].push_str(", un mémorandum d'entente");
        year_month(&mut rng, &mut f[2]);
        f[3].push_str("fr");
        let _ = write!(f[4], "sources/article-{i}.txt");
        t.write()?;
    }
    done.push(t.finish()?);

    // organisations.csv
    let mut t = Table::create(
        dir,
        "organisations.csv",
        &[
            "id",
            "kind",
            "schema_type",
            "name",
            "short_name",
            "description",
            "wikidata",
        ],
    )?;
    let mut rng = Rng::new(seed, 2);
    for k in 0..s.organisations {
        let f = t.start();
        ids.org_id(&mut f[0], k);
        let state = k < s.countries;
        f[1].push_str(if state { "place" } else { "org" });
        f[2].push_str(if state || rng.chance(15) {
            "GovernmentOrganization"
        } else {
            "Organization"
        });
        ids.org_name(&mut f[3], k);
        if rng.chance(40) {
            f[4].push_str(rng.pick(ACRONYMS));
        }
        if rng.chance(50) {
            f[5].push_str(rng.pick(ORG_DESCRIPTIONS));
        }
        if state || rng.chance(20) {
            let _ = write!(f[6], "Q{}", 1 + rng.below(120_000_000));
        }
        t.write()?;
    }
    done.push(t.finish()?);

    // people.csv
    let mut t = Table::create(dir, "people.csv", &["id", "name", "wikidata"])?;
    let mut rng = Rng::new(seed, 3);
    for j in 0..s.people {
        let f = t.start();
        ids.person_id(&mut f[0], j);
        ids.person_name(&mut f[1], j);
        if rng.chance(10) {
            let _ = write!(f[2], "Q{}", 1 + rng.below(120_000_000));
        }
        t.write()?;
    }
    done.push(t.finish()?);

    // places.csv
    let mut t = Table::create(
        dir,
        "places.csv",
        &["id", "schema_type", "name", "contained_in", "wikidata"],
    )?;
    let mut rng = Rng::new(seed, 4);
    for p in 0..s.places {
        let f = t.start();
        ids.place_id(&mut f[0], p);
        let country = p < s.countries;
        f[1].push_str(if country { "Country" } else { "City" });
        ids.place_name(&mut f[2], p);
        if !country && rng.chance(90) {
            ids.place_id(&mut f[3], rng.below(s.countries));
        }
        if country || rng.chance(30) {
            let _ = write!(f[4], "Q{}", 1 + rng.below(120_000_000));
        }
        t.write()?;
    }
    done.push(t.finish()?);

    // roles.csv
    let mut t = Table::create(dir, "roles.csv", &["id", "label_fr", "label_en"])?;
    for r in 0..s.roles {
        let f = t.start();
        ids.role_id(&mut f[0], r);
        let (fr, en, _) = ROLES[r % ROLES.len()];
        f[1].push_str(fr);
        f[2].push_str(en);
        t.write()?;
    }
    done.push(t.finish()?);

    // memberships.csv: the largest table
    let mut t = Table::create(
        dir,
        "memberships.csv",
        &[
            "id",
            "person",
            "organisation",
            "role",
            "title",
            "source",
            "quote",
        ],
    )?;
    let mut rng = Rng::new(seed, 5);
    for i in 0..s.memberships {
        let f = t.start();
        let (person, org, role) = (
            rng.below(s.people),
            rng.below(s.organisations),
            rng.below(s.roles),
        );
        ids.person_id(&mut f[1], person);
        let (id, rest) = f.split_at_mut(1);
        let _ = write!(id[0], "{}-{i}", rest[0]);
        ids.org_id(&mut f[2], org);
        ids.role_id(&mut f[3], role);
        f[4].push_str(ROLES[role % ROLES.len()].0);
        f[4].push_str(if rng.chance(50) { " chargé " } else { " " });
        f[4].push_str(rng.pick(PORTFOLIOS));
        ids.source_id(&mut f[5], rng.below(s.sources));
        tmp.clear();
        ids.person_name(&mut tmp, person);
        let (head, quote) = f.split_at_mut(6);
        let _ = write!(quote[0], "le {}, {tmp}", head[4]);
        t.write()?;
    }
    done.push(t.finish()?);

    // agreements.csv
    let mut t = Table::create(
        dir,
        "agreements.csv",
        &[
            "id",
            "type",
            "name",
            "alternate_name",
            "description",
            "date",
            "location",
            "source",
            "quote",
        ],
    )?;
    let mut rng = Rng::new(seed, 6);
    for a in 0..s.agreements {
        let f = t.start();
        ids.agreement_id(&mut f[0], a);
        f[1].push_str("MemorandumOfUnderstanding");
        tmp.clear();
        ids.org_name(&mut tmp, ids.party(a, H_PARTY_A));
        tmp.push_str(" et ");
        ids.org_name(&mut tmp, ids.party(a, H_PARTY_B));
        let _ = write!(f[2], "mémorandum d'entente entre {tmp}");
        if rng.chance(50) {
            f[3].push_str("protocole d'entente");
        }
        if rng.chance(50) {
            f[4].push_str(rng.pick(AGREEMENT_DESCRIPTIONS));
        }
        if rng.chance(80) {
            year_month(&mut rng, &mut f[5]);
        }
        let city = ids.random_city(&mut rng);
        if rng.chance(70) {
            ids.place_id(&mut f[6], city);
        }
        ids.source_id(&mut f[7], rng.below(s.sources));
        let _ = write!(f[8], "{tmp} ont signé, lundi à ");
        ids.place_name(&mut f[8], city);
        f[8].push_str(", un mémorandum d'entente");
        t.write()?;
    }
    done.push(t.finish()?);

    // agreement_parties.csv: the two parties of every agreement
    let mut t = Table::create(
        dir,
        "agreement_parties.csv",
        &["agreement", "party", "source", "quote"],
    )?;
    let mut rng = Rng::new(seed, 7);
    for a in 0..s.agreements {
        for which in [H_PARTY_A, H_PARTY_B] {
            let f = t.start();
            ids.agreement_id(&mut f[0], a);
            ids.org_id(&mut f[1], ids.party(a, which));
            ids.source_id(&mut f[2], rng.below(s.sources));
            ids.org_name(&mut f[3], ids.party(a, H_PARTY_A));
            f[3].push_str(" et ");
            ids.org_name(&mut f[3], ids.party(a, H_PARTY_B));
            f[3].push_str(" ont signé");
            t.write()?;
        }
    }
    done.push(t.finish()?);

    // agreement_signatories.csv: two to four people per agreement
    let mut t = Table::create(
        dir,
        "agreement_signatories.csv",
        &["agreement", "person", "source", "quote"],
    )?;
    let mut rng = Rng::new(seed, 8);
    for a in 0..s.agreements {
        let count = 2 + rng.below(3);
        let source = rng.below(s.sources);
        for _ in 0..count {
            let f = t.start();
            ids.agreement_id(&mut f[0], a);
            let person = rng.below(s.people);
            ids.person_id(&mut f[1], person);
            ids.source_id(&mut f[2], source);
            f[3].push_str("le protocole d'entente a été paraphé par le ");
            f[3].push_str(ROLES[rng.below(ROLES.len())].0);
            f[3].push_str(", ");
            ids.person_name(&mut f[3], person);
            t.write()?;
        }
    }
    done.push(t.finish()?);

    // quantities.csv
    let mut t = Table::create(dir, "quantities.csv", &["id", "value", "unit_text"])?;
    let mut rng = Rng::new(seed, 9);
    for q in 0..s.quantities {
        let f = t.start();
        ids.quantity_id(&mut f[0], q);
        let _ = write!(f[1], "{}", 1 + rng.below(100_000));
        f[2].push_str(rng.pick(UNITS));
        t.write()?;
    }
    done.push(t.finish()?);

    // amounts.csv: value, min_value or both
    let mut t = Table::create(
        dir,
        "amounts.csv",
        &["id", "value", "min_value", "currency"],
    )?;
    let mut rng = Rng::new(seed, 10);
    for m in 0..s.amounts {
        let f = t.start();
        ids.amount_id(&mut f[0], m);
        let which = rng.below(10);
        let amount = |rng: &mut Rng, out: &mut String| {
            if rng.chance(70) {
                let _ = write!(out, "{}", (1 + rng.below(500)) * 100_000);
            } else {
                let _ = write!(out, "{}.{:02}", rng.below(10_000_000), rng.below(100));
            }
        };
        if which < 6 {
            amount(&mut rng, &mut f[1]);
        }
        if which >= 5 {
            amount(&mut rng, &mut f[2]);
        }
        f[3].push_str(rng.pick(CURRENCIES));
        t.write()?;
    }
    done.push(t.finish()?);

    // commitments.csv
    let mut t = Table::create(
        dir,
        "commitments.csv",
        &[
            "id",
            "organisation",
            "agreement",
            "kind",
            "status",
            "name",
            "description",
            "quantity",
            "target_year",
            "location",
            "stated_by",
            "source",
            "quote",
        ],
    )?;
    let mut rng = Rng::new(seed, 11);
    for c in 0..s.commitments {
        let f = t.start();
        ids.commitment_id(&mut f[0], c);
        let org = rng.below(s.organisations);
        ids.org_id(&mut f[1], org);
        if rng.chance(60) {
            ids.agreement_id(&mut f[2], rng.below(s.agreements));
        }
        let kind = rng.below(KINDS.len());
        f[3].push_str(KINDS[kind]);
        f[4].push_str(rng.pick(STATUSES));
        f[5].push_str(COMMITMENT_NAMES[kind.min(COMMITMENT_NAMES.len() - 1)]);
        if rng.chance(40) {
            f[6].push_str("centre de service Achat, qui deviendra un centre opérationnel pour l'ensemble du groupe");
        }
        if rng.chance(70) {
            if KINDS[kind] == "Investment" {
                ids.amount_id(&mut f[7], rng.below(s.amounts));
            } else {
                ids.quantity_id(&mut f[7], rng.below(s.quantities));
            }
        }
        if rng.chance(50) {
            year(&mut rng, &mut f[8]);
        }
        if rng.chance(50) {
            ids.place_id(&mut f[9], rng.below(s.places));
        }
        let stated_by = rng.below(s.people);
        if rng.chance(30) {
            ids.person_id(&mut f[10], stated_by);
        }
        ids.source_id(&mut f[11], rng.below(s.sources));
        let (head, quote) = f.split_at_mut(12);
        ids.org_name(&mut quote[0], org);
        let _ = write!(
            quote[0],
            ", en s'engageant à « {} », a-t-il estimé; son groupe a également pour projet d'\"implanter un centre\"",
            head[5]
        );
        t.write()?;
    }
    done.push(t.finish()?);

    // aims.csv: an aim of an agreement or of a commitment
    let mut t = Table::create(
        dir,
        "aims.csv",
        &[
            "id",
            "agreement",
            "commitment",
            "description",
            "source",
            "quote",
        ],
    )?;
    let mut rng = Rng::new(seed, 12);
    for i in 0..s.aims {
        let f = t.start();
        let _ = write!(f[0], "objectif-{i}");
        if rng.chance(50) {
            ids.agreement_id(&mut f[1], rng.below(s.agreements));
        } else {
            ids.commitment_id(&mut f[2], rng.below(s.commitments));
        }
        f[3].push_str(rng.pick(AIMS));
        ids.source_id(&mut f[4], rng.below(s.sources));
        let (head, quote) = f.split_at_mut(5);
        let _ = write!(quote[0], "Ce protocole d'entente vise à {}", head[3]);
        t.write()?;
    }
    done.push(t.finish()?);

    // sites.csv
    let mut t = Table::create(
        dir,
        "sites.csv",
        &[
            "id",
            "organisation",
            "name",
            "description",
            "location",
            "opening_date",
            "source",
            "quote",
        ],
    )?;
    let mut rng = Rng::new(seed, 13);
    for i in 0..s.sites {
        let f = t.start();
        let _ = write!(f[0], "site-{i}");
        let org = rng.below(s.organisations);
        ids.org_id(&mut f[1], org);
        f[2].push_str(rng.pick(SITE_NAMES));
        if rng.chance(50) {
            f[3].push_str(
                "pour accompagner ses clients en matière d'innovation, de données et d’IA",
            );
        }
        let city = ids.random_city(&mut rng);
        if rng.chance(80) {
            ids.place_id(&mut f[4], city);
        }
        let opened = 1990 + rng.below(35);
        if rng.chance(60) {
            let _ = write!(f[5], "{opened}");
        }
        ids.source_id(&mut f[6], rng.below(s.sources));
        let (head, quote) = f.split_at_mut(7);
        ids.org_name(&mut quote[0], org);
        let _ = write!(
            quote[0],
            " dispose d'un {} inauguré en {opened} à ",
            head[2]
        );
        ids.place_name(&mut quote[0], city);
        t.write()?;
    }
    done.push(t.finish()?);

    // presences.csv
    let mut t = Table::create(
        dir,
        "presences.csv",
        &["id", "organisation", "location", "since", "source", "quote"],
    )?;
    let mut rng = Rng::new(seed, 14);
    for i in 0..s.presences {
        let f = t.start();
        let _ = write!(f[0], "presence-{i}");
        let org = rng.below(s.organisations);
        ids.org_id(&mut f[1], org);
        let country = rng.below(s.countries);
        ids.place_id(&mut f[2], country);
        let since = 1950 + rng.below(75);
        if rng.chance(70) {
            let _ = write!(f[3], "{since}");
        }
        ids.source_id(&mut f[4], rng.below(s.sources));
        f[5].push_str("Implanté au ");
        ids.place_name(&mut f[5], country);
        let _ = write!(f[5], " depuis {since}, ");
        ids.org_name(&mut f[5], org);
        t.write()?;
    }
    done.push(t.finish()?);

    Ok(done)
}

fn parse_args() -> Result<(usize, PathBuf, u64), String> {
    let mut rows = None;
    let mut out = None;
    let mut seed = 42;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--rows" => {
                let v = value("--rows")?;
                rows = Some(
                    v.replace('_', "")
                        .parse()
                        .map_err(|_| format!("--rows: \"{v}\" is not a number"))?,
                );
            }
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--seed" => {
                let v = value("--seed")?;
                seed = v
                    .parse()
                    .map_err(|_| format!("--seed: \"{v}\" is not a number"))?;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unexpected argument \"{other}\"")),
        }
    }
    match (rows, out) {
        (Some(0), _) => Err("--rows must be at least 1".into()),
        (Some(r), Some(o)) => Ok((r, o, seed)),
        _ => Err("--rows and --out are required".into()),
    }
}

fn main() -> ExitCode {
    let (rows, out, seed) = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("synth: {e}\n{USAGE}");
            return ExitCode::from(1);
        }
    };
    let start = Instant::now();
    match generate(&out, rows, seed) {
        Ok(done) => {
            let total: usize = done.iter().map(|(_, r)| r).sum();
            for (name, r) in &done {
                eprintln!("{r:>10}  {name}");
            }
            eprintln!(
                "synth: {total} rows in {} files in {} ({:.2} s, seed {seed})",
                done.len(),
                out.display(),
                start.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("synth: cannot write {}: {e}", out.display());
            ExitCode::from(1)
        }
    }
}
