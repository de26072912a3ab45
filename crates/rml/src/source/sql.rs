//! RML-IO: SQL databases (`d2rq:Database`) as logical sources, PostgreSQL through the
//! `postgres` crate. `rml:SQL2008Table`: the iterator names a table (quoted as an
//! identifier unless it is already quoted); `rml:SQL2008Query`: the iterator is the query.
//! References are column names. Connection values written `$NAME` are read from the
//! environment; the DSN is `jdbc:postgresql://host[:port]/database`.
//!
//! Values keep R2RML's natural datatypes: integers `xsd:integer`, `numeric` `xsd:decimal`,
//! floats `xsd:double`, booleans `xsd:boolean`, dates `xsd:date`, timestamps
//! `xsd:dateTime`, the rest plain strings. Rows are read as text (the simple query protocol)
//! after the statement is prepared for its column types.

use postgres::types::Type;
use postgres::{NoTls, SimpleQueryMessage};

use super::{Item, Location, Natural, Record};
use crate::error::RmlError;
use crate::exec::mapping_error;
use crate::model::{Database, Mapping, ReferenceFormulation, TriplesMap};

/// A connection value as written, or the environment variable it names (`$NAME`).
fn resolve(
    mapping: &Mapping,
    tm: &TriplesMap,
    what: &str,
    value: &str,
) -> Result<String, RmlError> {
    match value.strip_prefix('$') {
        Some(name) if !name.is_empty() => std::env::var(name).map_err(|_| {
            source_error(
                mapping,
                tm,
                format!("d2rq:{what} \"{value}\" names the environment variable {name}, which is not set; expected it to hold the {what}"),
            )
        }),
        _ => Ok(value.to_owned()),
    }
}

/// A mapping error at the line of the source description (else the triples map's).
fn source_error(mapping: &Mapping, tm: &TriplesMap, message: String) -> RmlError {
    let mut e = mapping_error(mapping, tm, message);
    if let RmlError::Mapping { line, .. } = &mut e {
        if tm.source.access.line.is_some() {
            *line = tm.source.access.line;
        }
    }
    e
}

/// `jdbc:postgresql://host[:port]/db[?…]` → (host, port, database).
pub(crate) fn parse_dsn(dsn: &str) -> Option<(String, u16, String)> {
    let rest = dsn
        .strip_prefix("jdbc:postgresql://")
        .or_else(|| dsn.strip_prefix("postgresql://"))
        .or_else(|| dsn.strip_prefix("postgres://"))?;
    let rest = rest.split('?').next().unwrap_or(rest);
    let (authority, db) = rest.split_once('/')?;
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (authority, 5432),
    };
    if host.is_empty() || db.is_empty() {
        return None;
    }
    Some((host.to_owned(), port, db.to_owned()))
}

/// Rows fetched from the cursor at a time.
const FETCH_ROWS: u32 = 10_000;

/// The query a triples map runs.
fn query_of(tm: &TriplesMap) -> String {
    let it = tm.source.iterator.as_deref().unwrap_or_default().trim();
    match tm.source.formulation {
        ReferenceFormulation::SqlTable if it.starts_with('"') => format!("SELECT * FROM {it}"),
        ReferenceFormulation::SqlTable => {
            format!("SELECT * FROM \"{}\"", it.replace('"', "\"\""))
        }
        _ => it.trim_end_matches(';').to_owned(),
    }
}

/// See [`super::for_each_record`].
pub(crate) fn for_each_record(
    mapping: &Mapping,
    tm: &TriplesMap,
    db: &Database,
    references: &[String],
    each: &mut dyn FnMut(&Record) -> Result<(), RmlError>,
) -> Result<u64, RmlError> {
    let dsn = resolve(mapping, tm, "jdbcDSN", &db.dsn)?;
    let Some((host, port, dbname)) = parse_dsn(&dsn) else {
        return Err(source_error(
            mapping,
            tm,
            format!("the database DSN \"{dsn}\" is not supported; expected jdbc:postgresql://host:port/database"),
        ));
    };
    let mut config = postgres::Config::new();
    config.host(&host).port(port).dbname(&dbname);
    if let Some(u) = &db.username {
        config.user(&resolve(mapping, tm, "username", u)?);
    }
    if let Some(p) = &db.password {
        config.password(resolve(mapping, tm, "password", p)?);
    }
    config.connect_timeout(std::time::Duration::from_secs(10));
    let mut client = config.connect(NoTls).map_err(|e| {
        source_error(
            mapping,
            tm,
            format!(
                "cannot connect to the database {dsn} ({}); expected a reachable PostgreSQL server",
                with_causes(&e)
            ),
        )
    })?;
    let query = query_of(tm);
    let what = match tm.source.formulation {
        ReferenceFormulation::SqlTable => "table",
        _ => "query",
    };
    let statement = client.prepare(&query).map_err(|e| {
        source_error(
            mapping,
            tm,
            format!(
                "the {what} \"{}\" cannot be read from {dsn}: {}",
                tm.source.iterator.as_deref().unwrap_or_default(),
                db_message(&e)
            ),
        )
    })?;
    let names: Vec<&str> = statement.columns().iter().map(|c| c.name()).collect();
    let types: Vec<Natural> = statement
        .columns()
        .iter()
        .map(|c| natural(c.type_()))
        .collect();
    let columns = super::column_positions(references, &names, |r, list| {
        source_error(
            mapping,
            tm,
            format!("the reference \"{r}\" is not a column of the {what}; its columns are {list}"),
        )
    })?;
    // Rows come through a cursor, a batch at a time, so memory stays flat however large the
    // table: the text of every value as the server writes it (the lexical form), typed by the
    // column's natural datatype.
    let failed = |e: postgres::Error| {
        source_error(
            mapping,
            tm,
            format!("the {what} failed on {dsn}: {}", db_message(&e)),
        )
    };
    let mut transaction = client.transaction().map_err(failed)?;
    transaction
        .batch_execute(&format!(
            "DECLARE factgraph_rows NO SCROLL CURSOR FOR {query}"
        ))
        .map_err(failed)?;
    let mut record = Record::new(format!("{dsn} ({what})"), references.len());
    let mut count = 0;
    loop {
        let messages = transaction
            .simple_query(&format!("FETCH {FETCH_ROWS} FROM factgraph_rows"))
            .map_err(failed)?;
        let mut fetched = 0;
        for message in messages {
            let SimpleQueryMessage::Row(row) = message else {
                continue;
            };
            fetched += 1;
            count += 1;
            record.location = Location::Row(count);
            for (values, &c) in record.values.iter_mut().zip(&columns) {
                values.clear();
                if let Some(text) = row.get(c) {
                    values.push(Item {
                        text: lexical(text, types[c]),
                        natural: types[c],
                    });
                }
            }
            each(&record)?;
        }
        if fetched == 0 {
            break;
        }
    }
    Ok(count)
}

/// An error with its causes (`error connecting to server: Connection refused …`).
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// The database's own message (the driver's `Display` is only "db error").
fn db_message(e: &postgres::Error) -> String {
    e.as_db_error()
        .map_or_else(|| e.to_string(), |d| d.message().to_owned())
}

/// R2RML's natural datatype of a column type.
fn natural(t: &Type) -> Natural {
    match *t {
        Type::INT2 | Type::INT4 | Type::INT8 | Type::OID => Natural::Integer,
        Type::NUMERIC => Natural::Decimal,
        Type::FLOAT4 | Type::FLOAT8 => Natural::Double,
        Type::BOOL => Natural::Boolean,
        Type::DATE => Natural::Date,
        Type::TIMESTAMP | Type::TIMESTAMPTZ => Natural::DateTime,
        _ => Natural::String,
    }
}

/// PostgreSQL's text output as the XSD lexical form of `natural`.
fn lexical(text: &str, natural: Natural) -> String {
    match natural {
        Natural::Boolean => match text {
            "t" => "true".into(),
            "f" => "false".into(),
            other => other.into(),
        },
        Natural::Double => match text {
            "Infinity" => "INF".into(),
            "-Infinity" => "-INF".into(),
            other => other.into(),
        },
        Natural::DateTime => {
            let mut s = text.replacen(' ', "T", 1);
            // `+02` → `+02:00`
            if let Some(sign) = s.rfind(['+', '-']).filter(|&i| i > 10) {
                if s.len() - sign == 3 {
                    s.push_str(":00");
                }
            }
            s
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dsns() {
        assert_eq!(
            parse_dsn("jdbc:postgresql://localhost:5433/db"),
            Some(("localhost".into(), 5433, "db".into()))
        );
        assert_eq!(
            parse_dsn("jdbc:postgresql://h/db?ssl=false"),
            Some(("h".into(), 5432, "db".into()))
        );
        assert_eq!(parse_dsn("jdbc:mysql://h/db"), None);
    }

    #[test]
    fn lexical_forms() {
        assert_eq!(lexical("t", Natural::Boolean), "true");
        assert_eq!(
            lexical("2020-01-02 03:04:05+02", Natural::DateTime),
            "2020-01-02T03:04:05+02:00"
        );
        assert_eq!(
            lexical("2020-01-02 03:04:05", Natural::DateTime),
            "2020-01-02T03:04:05"
        );
        assert_eq!(lexical("Infinity", Natural::Double), "INF");
    }
}
