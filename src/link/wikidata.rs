//! The part of a Wikidata entity that linking and enrichment use, read from the JSON that
//! both the dumps (one entity a line) and `wbgetentities` (`{"entities": {"Q1": …}}`) use.
//!
//! Parsing keeps only the languages and properties asked for and skips the rest without
//! allocating (sitelinks, other languages, other claims), which is what makes a dump line
//! cheap to read.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// Human (Q5).
pub const HUMAN: u64 = 5;
/// Organization (Q43229).
pub const ORGANIZATION: u64 = 43229;
/// City (Q515).
pub const CITY: u64 = 515;
/// Country (Q6256).
pub const COUNTRY: u64 = 6256;
/// Wikimedia disambiguation page (Q4167410).
pub const DISAMBIGUATION: u64 = 4_167_410;
/// Scholarly article (Q13442814).
pub const SCHOLARLY_ARTICLE: u64 = 13_442_814;
/// Classes whose instances are never the thing a curated entity is: disambiguation pages,
/// scholarly articles, Wikimedia categories (Q4167836), templates (Q11266439), list articles
/// (Q13406463) and Wikimedia internal items (Q17442446).
pub const NEVER: &[u64] = &[
    DISAMBIGUATION,
    SCHOLARLY_ARTICLE,
    4_167_836,
    11_266_439,
    13_406_463,
    17_442_446,
];

/// The properties linking reads: instance of, subclass of, country, citizenship, employer,
/// headquarters, located in.
pub const LINK_PROPERTIES: &[&str] = &["P31", "P279", "P17", "P27", "P108", "P159", "P131"];

/// The properties enrichment copies: country, coordinates, official website, inception.
pub const ENRICH_PROPERTIES: &[&str] = &["P17", "P625", "P856", "P571"];

/// The item IRI namespace.
pub const ENTITY_NS: &str = "http://www.wikidata.org/entity/";

/// A statement's main value, for the datatypes factgraph uses.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An item (`Q…`), by number.
    Item(u64),
    /// A string (also external ids and URLs).
    String(String),
    /// A point in time as Wikidata writes it (`+2001-00-00T00:00:00Z`) and its precision
    /// (9 year, 10 month, 11 day).
    Time {
        /// The timestamp.
        time: String,
        /// The precision code.
        precision: u8,
    },
    /// A point on a globe.
    Coordinate {
        /// Degrees north.
        latitude: f64,
        /// Degrees east.
        longitude: f64,
        /// The globe's IRI (Earth is `http://www.wikidata.org/entity/Q2`).
        globe: String,
    },
}

/// An entity, reduced to the languages and properties asked for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entity {
    /// `Q42`, `P31` …
    pub id: String,
    /// Labels as (language, text), in the order of the languages asked for.
    pub labels: Vec<(String, String)>,
    /// Descriptions as (language, text).
    pub descriptions: Vec<(String, String)>,
    /// Aliases as (language, text).
    pub aliases: Vec<(String, String)>,
    /// Values of the properties asked for (deprecated statements left out), as (property, value).
    pub claims: Vec<(String, Value)>,
}

impl Entity {
    /// The number of a `Q…` id.
    pub fn number(&self) -> Option<u64> {
        qid_number(&self.id)
    }

    /// The item values of `property`.
    pub fn items<'a>(&'a self, property: &'a str) -> impl Iterator<Item = u64> + 'a {
        self.claims.iter().filter_map(move |(p, v)| match v {
            Value::Item(n) if p == property => Some(*n),
            _ => None,
        })
    }

    /// The values of `property`.
    pub fn values<'a>(&'a self, property: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.claims
            .iter()
            .filter(move |(p, _)| p == property)
            .map(|(_, v)| v)
    }

    /// The first label in the order of `langs`, else any label.
    pub fn label(&self, langs: &[String]) -> Option<&str> {
        pick(&self.labels, langs)
    }

    /// The first description in the order of `langs`, else any.
    pub fn description(&self, langs: &[String]) -> Option<&str> {
        pick(&self.descriptions, langs)
    }
}

fn pick<'a>(texts: &'a [(String, String)], langs: &[String]) -> Option<&'a str> {
    langs
        .iter()
        .find_map(|l| texts.iter().find(|(tl, _)| tl == l))
        .or_else(|| texts.first())
        .map(|(_, t)| t.as_str())
}

/// `Q42` → 42; `None` for anything else.
pub fn qid_number(id: &str) -> Option<u64> {
    let digits = id.strip_prefix('Q')?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// What to keep of an entity while parsing it.
#[derive(Debug, Clone, Copy)]
pub struct Filter<'f> {
    /// Languages whose labels, descriptions and aliases are kept.
    pub langs: &'f [String],
    /// Properties whose values are kept.
    pub properties: &'f [&'f str],
    /// Keep descriptions (linking needs them only for kept candidates).
    pub descriptions: bool,
}

impl<'de> DeserializeSeed<'de> for Filter<'_> {
    type Value = Entity;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Entity, D::Error> {
        d.deserialize_map(EntityVisitor(self))
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Field {
    Id,
    Labels,
    Descriptions,
    Aliases,
    Claims,
    #[serde(other)]
    Other,
}

struct EntityVisitor<'f>(Filter<'f>);

impl<'de> Visitor<'de> for EntityVisitor<'_> {
    type Value = Entity;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Wikidata entity (a JSON object with id, labels, claims …)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entity, A::Error> {
        let filter = self.0;
        let mut e = Entity::default();
        let mut has_id = false;
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::Id => {
                    e.id = map.next_value()?;
                    has_id = true;
                }
                Field::Labels => {
                    e.labels = map.next_value_seed(LangMap {
                        langs: filter.langs,
                        many: false,
                    })?
                }
                Field::Descriptions if filter.descriptions => {
                    e.descriptions = map.next_value_seed(LangMap {
                        langs: filter.langs,
                        many: false,
                    })?
                }
                Field::Aliases => {
                    e.aliases = map.next_value_seed(LangMap {
                        langs: filter.langs,
                        many: true,
                    })?
                }
                Field::Claims => {
                    e.claims = map.next_value_seed(Claims {
                        properties: filter.properties,
                    })?
                }
                Field::Descriptions | Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !has_id {
            return Err(de::Error::missing_field("id"));
        }
        Ok(e)
    }
}

/// A map key checked against a list without allocating: its index in the list, if any.
struct Key<'f>(&'f [&'f str]);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|k| *k == v))
    }
}

/// `labels` / `descriptions` (`{"fr": {"language": "fr", "value": "…"}}`) or `aliases`
/// (`{"fr": [{…}, {…}]}`), kept for some languages.
struct LangMap<'f> {
    langs: &'f [String],
    many: bool,
}

#[derive(Deserialize)]
struct LangValue {
    value: String,
}

impl<'de> DeserializeSeed<'de> for LangMap<'_> {
    type Value = Vec<(String, String)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LangMap<'_> {
    type Value = Vec<(String, String)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map from language codes to texts")
    }

    // An entity without labels is written `"labels": []` by some Wikibase versions.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Vec::new())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let langs: Vec<&str> = self.langs.iter().map(String::as_str).collect();
        let mut out = Vec::new();
        while let Some(k) = map.next_key_seed(Key(&langs))? {
            match k {
                Some(i) if self.many => {
                    for v in map.next_value::<Vec<LangValue>>()? {
                        out.push((self.langs[i].clone(), v.value));
                    }
                }
                Some(i) => {
                    let v: LangValue = map.next_value()?;
                    out.push((self.langs[i].clone(), v.value));
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        // In the order of the languages asked for.
        out.sort_by_key(|(l, _)| self.langs.iter().position(|x| x == l));
        Ok(out)
    }
}

/// `claims`: `{"P31": [statement …]}`, kept for some properties.
struct Claims<'f> {
    properties: &'f [&'f str],
}

#[derive(Deserialize)]
struct Statement {
    mainsnak: Snak,
    #[serde(default)]
    rank: Option<String>,
}

#[derive(Deserialize)]
struct Snak {
    #[serde(default)]
    datavalue: Option<DataValue>,
}

#[derive(Deserialize)]
struct DataValue {
    value: serde_json::Value,
    #[serde(rename = "type")]
    kind: String,
}

impl<'de> DeserializeSeed<'de> for Claims<'_> {
    type Value = Vec<(String, Value)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Claims<'_> {
    type Value = Vec<(String, Value)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map from property ids to statements")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Vec::new())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key_seed(Key(self.properties))? {
            match k {
                Some(i) => {
                    for s in map.next_value::<Vec<Statement>>()? {
                        if s.rank.as_deref() == Some("deprecated") {
                            continue;
                        }
                        if let Some(v) = s.mainsnak.datavalue.and_then(convert) {
                            out.push((self.properties[i].to_owned(), v));
                        }
                    }
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

fn convert(dv: DataValue) -> Option<Value> {
    let v = dv.value;
    match dv.kind.as_str() {
        "wikibase-entityid" => {
            let id = v.get("id").and_then(|i| i.as_str());
            match id {
                Some(id) => qid_number(id).map(Value::Item),
                None if v.get("entity-type").and_then(|t| t.as_str()) == Some("item") => v
                    .get("numeric-id")
                    .and_then(serde_json::Value::as_u64)
                    .map(Value::Item),
                None => None,
            }
        }
        "string" => v.as_str().map(|s| Value::String(s.to_owned())),
        "time" => Some(Value::Time {
            time: v.get("time")?.as_str()?.to_owned(),
            precision: u8::try_from(v.get("precision")?.as_u64()?).ok()?,
        }),
        "globecoordinate" => Some(Value::Coordinate {
            latitude: v.get("latitude")?.as_f64()?,
            longitude: v.get("longitude")?.as_f64()?,
            globe: v
                .get("globe")
                .and_then(|g| g.as_str())
                .unwrap_or("http://www.wikidata.org/entity/Q2")
                .to_owned(),
        }),
        _ => None,
    }
}

/// Parses one entity from JSON text.
pub fn parse_entity(json: &[u8], filter: Filter<'_>) -> Result<Entity, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let e = filter.deserialize(&mut de)?;
    de.end()?;
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"type":"item","id":"Q990000001","labels":{"fr":{"language":"fr","value":"Inetum"},"de":{"language":"de","value":"Inetum AG"},"en":{"language":"en","value":"Inetum"}},"descriptions":{"en":{"language":"en","value":"synthetic IT company"}},"aliases":{"fr":[{"language":"fr","value":"GFI Informatique"}]},"claims":{"P31":[{"mainsnak":{"snaktype":"value","property":"P31","datavalue":{"value":{"entity-type":"item","numeric-id":990000101,"id":"Q990000101"},"type":"wikibase-entityid"},"datatype":"wikibase-item"},"type":"statement","rank":"normal"}],"P18":[{"mainsnak":{"snaktype":"value","property":"P18","datavalue":{"value":"x.jpg","type":"string"}},"rank":"normal"}],"P17":[{"mainsnak":{"snaktype":"novalue","property":"P17"},"rank":"normal"},{"mainsnak":{"snaktype":"value","property":"P17","datavalue":{"value":{"entity-type":"item","numeric-id":142,"id":"Q142"},"type":"wikibase-entityid"}},"rank":"deprecated"}]},"sitelinks":{"frwiki":{"site":"frwiki","title":"Inetum","badges":[]}},"lastrevid":1}"#;

    #[test]
    fn keeps_only_what_is_asked() {
        let langs = vec!["fr".to_owned(), "en".to_owned()];
        let e = parse_entity(
            LINE.as_bytes(),
            Filter {
                langs: &langs,
                properties: LINK_PROPERTIES,
                descriptions: true,
            },
        )
        .unwrap();
        assert_eq!(e.id, "Q990000001");
        assert_eq!(
            e.labels,
            vec![
                ("fr".into(), "Inetum".into()),
                ("en".into(), "Inetum".into())
            ]
        );
        assert_eq!(e.aliases, vec![("fr".into(), "GFI Informatique".into())]);
        assert_eq!(e.description(&langs), Some("synthetic IT company"));
        assert_eq!(e.items("P31").collect::<Vec<_>>(), vec![990000101]);
        // novalue and deprecated statements say nothing.
        assert_eq!(e.items("P17").count(), 0);
    }

    #[test]
    fn qids() {
        assert_eq!(qid_number("Q42"), Some(42));
        assert_eq!(qid_number("Q042"), None);
        assert_eq!(qid_number("P31"), None);
        assert_eq!(qid_number("Q"), None);
    }
}
