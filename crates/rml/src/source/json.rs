//! JSON logical sources: the iterator and references are JSONPath (RFC 9535).
//!
//! JSONPath is evaluated by [`serde_json_path`]: it implements RFC 9535 in full (filters,
//! function extensions, normalized paths), is tested against the JSONPath Compliance Test
//! Suite, is MIT-licensed, maintained, and works on `serde_json::Value`, which the streaming
//! reader below produces anyway.
//!
//! **Streaming.** When the iterator selects the members of one array (or object) under a
//! chain of object keys — `$[*]`, `$.students[*]`, `$['a b'].c[*]` — the file is read with a
//! `serde` seed that walks down those keys and deserializes one element at a time, skipping
//! everything else; memory then holds one element, never the document. Other iterators
//! (filters, descendants, slices…) load the document and query it.

use std::cell::Cell;
use std::io::{BufReader, Read};
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json_path::JsonPath;

use super::{data_error, open, Item, Location, Natural, Record};
use crate::error::RmlError;
use crate::exec::mapping_error;
use crate::model::{Mapping, TriplesMap};

/// Compiles a JSONPath of the mapping (iterator or reference), naming the mapping line on error.
pub(crate) fn compile(
    mapping: &Mapping,
    tm: &TriplesMap,
    what: &str,
    expr: &str,
) -> Result<JsonPath, RmlError> {
    parse(expr).map_err(|e| mapping_error(mapping, tm, invalid(what, expr, &e)))
}

/// Parses a JSONPath. References written without the root (`name`, as older mappings do)
/// are taken relative to it.
pub(crate) fn parse(expr: &str) -> Result<JsonPath, serde_json_path::ParseError> {
    if expr.starts_with('$') {
        JsonPath::parse(expr)
    } else {
        JsonPath::parse(&format!("$.{expr}")).or_else(|_| JsonPath::parse(expr))
    }
}

/// The message for an invalid JSONPath.
pub(crate) fn invalid(what: &str, expr: &str, e: &serde_json_path::ParseError) -> String {
    format!("the {what} \"{expr}\" is not a valid JSONPath (RFC 9535): {e}; expected e.g. \"$.items[*]\" or \"$.name\"")
}

/// The object keys leading to the array whose elements a streamable iterator selects, or
/// `None` when the iterator is not of that shape.
pub(crate) fn streamable_keys(iterator: &str) -> Option<Vec<String>> {
    let mut rest = iterator.trim().strip_prefix('$')?;
    let mut keys = Vec::new();
    loop {
        if rest == "[*]" || rest == ".*" {
            return Some(keys);
        }
        if let Some(r) = rest.strip_prefix('.') {
            let end = r
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || !c.is_ascii()))
                .unwrap_or(r.len());
            let name = &r[..end];
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            keys.push(name.to_owned());
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix("['").or_else(|| rest.strip_prefix("[\"")) {
            let quote = if rest.starts_with("['") { '\'' } else { '"' };
            let end = r.find(quote)?;
            let name = &r[..end];
            if name.contains('\\') {
                return None;
            }
            keys.push(name.to_owned());
            rest = r[end + 1..].strip_prefix(']')?;
        } else {
            return None;
        }
    }
}

/// See [`super::for_each_record`].
pub(crate) fn for_each_record(
    mapping: &Mapping,
    tm: &TriplesMap,
    references: &[String],
    each: &mut dyn FnMut(&Record) -> Result<(), RmlError>,
) -> Result<u64, RmlError> {
    let iterator = tm.source.iterator.as_deref().unwrap_or("$");
    let iterator_path = compile(mapping, tm, "iterator", iterator)?;
    let paths = references
        .iter()
        .map(|r| compile(mapping, tm, "reference", r))
        .collect::<Result<Vec<_>, _>>()?;
    let file = open(mapping, tm, "a JSON file")?;
    let display = tm.source.path.display().to_string();
    let mut record = Record::new(display.clone(), references.len());
    let mut count = 0;
    // `offset`: where a streamed element starts; `u64::MAX` for a node of a loaded document.
    let mut visit = |value: &Value, offset: u64| -> Result<(), RmlError> {
        count += 1;
        record.location = if offset == u64::MAX {
            Location::JsonNode(count)
        } else {
            Location::JsonByte(offset)
        };
        for ((values, path), name) in record.values.iter_mut().zip(&paths).zip(references) {
            values.clear();
            for v in path.query(value) {
                match scalar(v) {
                    Ok(Some(item)) => values.push(item),
                    Ok(None) => {}
                    Err(kind) => {
                        return Err(data_error(
                            &record.file,
                            record.location,
                            format!("the reference \"{name}\" selects {kind}; expected strings, numbers or booleans (select the members, e.g. with [*])"),
                        ));
                    }
                }
            }
        }
        each(&record)
    };
    match streamable_keys(iterator) {
        Some(keys) => stream(file, &display, &keys, &mut visit)?,
        None => {
            let (position, reader) = counting(file);
            let doc: Value = serde_json::from_reader(reader)
                .map_err(|e| json_error(&display, &e, position.get()))?;
            for v in iterator_path.query(&doc) {
                visit(v, u64::MAX)?;
            }
        }
    }
    Ok(count)
}

/// The value of a selected node: `None` for null, an error kind for arrays and objects.
fn scalar(v: &Value) -> Result<Option<Item>, &'static str> {
    Ok(Some(match v {
        Value::Null => return Ok(None),
        Value::String(s) => Item {
            text: s.clone(),
            natural: Natural::String,
        },
        Value::Bool(b) => Item {
            text: b.to_string(),
            natural: Natural::Boolean,
        },
        Value::Number(n) => Item {
            text: n.to_string(),
            natural: if n.is_i64() || n.is_u64() {
                Natural::Integer
            } else {
                Natural::Double
            },
        },
        Value::Array(_) => return Err("an array"),
        Value::Object(_) => return Err("an object"),
    }))
}

/// A reader that counts the bytes it has handed out (serde_json reads byte by byte, so this
/// is where the parser stands, give or take the byte it peeked at).
struct Counting<R> {
    inner: R,
    position: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.position.set(self.position.get() + n as u64);
        Ok(n)
    }
}

fn counting<R: Read>(file: R) -> (Rc<Cell<u64>>, Counting<BufReader<R>>) {
    let position = Rc::new(Cell::new(0));
    (
        position.clone(),
        Counting {
            inner: BufReader::with_capacity(1 << 16, file),
            position,
        },
    )
}

pub(crate) fn json_error(file: &str, e: &serde_json::Error, _offset: u64) -> RmlError {
    if e.is_io() {
        return RmlError::Data {
            file: file.to_owned(),
            line: e.line() as u64,
            column: e.column() as u64,
            message: format!("read error: {e}"),
        };
    }
    // serde_json's message ends with " at line L column C": keep only what went wrong.
    let text = e.to_string();
    let message = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(m, _)| m);
    RmlError::Data {
        file: file.to_owned(),
        line: e.line() as u64,
        column: e.column() as u64,
        message: format!("invalid JSON: {message}; expected a JSON document (RFC 8259)"),
    }
}

/// Streams the members of the array (or object) under `keys`, one value at a time.
pub(crate) fn stream(
    file: impl Read,
    display: &str,
    keys: &[String],
    visit: &mut dyn FnMut(&Value, u64) -> Result<(), RmlError>,
) -> Result<(), RmlError> {
    let (position, reader) = counting(file);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut failure = None;
    let seed = Descend {
        keys,
        visit,
        position: &position,
        failure: &mut failure,
    };
    let outcome = seed.deserialize(&mut de).and_then(|()| de.end());
    if let Some(e) = failure {
        return Err(e);
    }
    outcome.map_err(|e| json_error(display, &e, position.get()))
}

/// Walks down the object keys, then visits the members of what it finds.
struct Descend<'a, 'v> {
    keys: &'a [String],
    visit: &'a mut (dyn FnMut(&Value, u64) -> Result<(), RmlError> + 'v),
    position: &'a Cell<u64>,
    failure: &'a mut Option<RmlError>,
}

impl<'de> DeserializeSeed<'de> for Descend<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Descend<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Descend {
            keys,
            visit,
            position,
            failure,
        } = self;
        let mut found = false;
        while let Some(key) = map.next_key::<String>()? {
            match keys.split_first() {
                Some((first, rest)) if !found && *first == key => {
                    found = true;
                    map.next_value_seed(Descend {
                        keys: rest,
                        visit: &mut *visit,
                        position,
                        failure: &mut *failure,
                    })?;
                }
                None => {
                    // `[*]` on an object selects its member values.
                    let offset = position.get();
                    let value: Value = map.next_value()?;
                    if let Err(e) = visit(&value, offset) {
                        *failure = Some(e);
                        return Err(de::Error::custom("stopped"));
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if !self.keys.is_empty() {
            // A key applied to an array selects nothing.
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        loop {
            let offset = self.position.get();
            let Some(value) = seq.next_element::<Value>()? else {
                return Ok(());
            };
            if let Err(e) = (self.visit)(&value, offset) {
                *self.failure = Some(e);
                return Err(de::Error::custom("stopped"));
            }
        }
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// Line and column (1-based) of the first value at or after byte `offset` of `file`
/// (skipping whitespace, `,`, `[` and `:`). Only called to report an error.
pub(crate) fn line_column_of_value(file: &str, offset: u64) -> (u64, u64) {
    let Ok(f) = super::access::reopen(file) else {
        return (0, 0);
    };
    let (mut line, mut column) = (1, 1);
    for (seen, b) in (0u64..).zip(BufReader::new(f).bytes()) {
        let Ok(b) = b else { break };
        if seen >= offset && !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b':') {
            break;
        }
        if b == b'\n' {
            line += 1;
            column = 1;
        } else if b & 0xC0 != 0x80 {
            column += 1;
        }
    }
    (line, column)
}
