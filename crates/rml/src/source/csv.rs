//! CSV as records, for triples maps that the column-indexed fast path of [`crate::exec`]
//! cannot run (a join with a JSON or XML parent, `rml:baseIRI`, `rml:URI` term types…).
//! An empty cell is a null: the reference selects nothing.

use super::{Item, Location, Natural, Record};
use crate::error::RmlError;
use crate::exec::{column, csv_error, open_csv};
use crate::model::{Mapping, TriplesMap};

/// See [`super::for_each_record`].
pub(crate) fn for_each_record(
    mapping: &Mapping,
    tm: &TriplesMap,
    references: &[String],
    each: &mut dyn FnMut(&Record) -> Result<(), RmlError>,
) -> Result<u64, RmlError> {
    let mut csv = open_csv(mapping, tm)?;
    let columns = references
        .iter()
        .map(|r| column(&csv.headers, r, mapping, tm))
        .collect::<Result<Vec<_>, _>>()?;
    let mut record = Record::new(csv.file.clone(), references.len());
    let mut row = ::csv::StringRecord::new();
    let mut rows = 0;
    // factgraph's default: an empty cell is a null; with RML-IO's `rml:null`, only the listed
    // values are (filtered by the caller).
    let keep_empty = tm.source.access.nulls.is_some();
    loop {
        match csv.reader.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(&csv.file, e)),
        }
        rows += 1;
        record.location = Location::CsvByte(row.position().map_or(0, ::csv::Position::byte));
        for (values, &c) in record.values.iter_mut().zip(&columns) {
            values.clear();
            match row.get(c) {
                Some(v) if keep_empty || !v.is_empty() => values.push(Item {
                    text: v.to_owned(),
                    natural: Natural::String,
                }),
                _ => {}
            }
        }
        each(&record)?;
    }
    Ok(rows)
}
