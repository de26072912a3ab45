//! Spreadsheets (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) as tabular sources, read with
//! `calamine`: one sheet is one logical source (`rml:iterator` names it, else the first
//! sheet), its first row the column names, references are column names as in CSV.
//!
//! Cells become the text a CSV export of the same data would hold, so that a mapping gives
//! the same graph over a workbook as over the CSV: strings as they are, whole numbers without
//! a fraction (`33`, not `33.0`), other numbers in their shortest form, booleans as
//! `true`/`false`, dates as ISO 8601 (`2024-01-31`, `2024-01-31T10:00:00`). An empty cell is
//! a null, as an empty CSV cell is.

use calamine::{Data, Reader as _};

use super::{Item, Location, Natural, Record};
use crate::error::RmlError;
use crate::exec::mapping_error;
use crate::model::{Mapping, TriplesMap};

/// See [`super::for_each_record`].
pub(crate) fn for_each_record(
    mapping: &Mapping,
    tm: &TriplesMap,
    references: &[String],
    each: &mut dyn FnMut(&Record) -> Result<(), RmlError>,
) -> Result<u64, RmlError> {
    let path = &tm.source.path;
    let fail = |message: String| mapping_error(mapping, tm, message);
    if !path.is_file() {
        return Err(fail(format!(
            "the source file \"{}\" does not exist (looked for {}); expected a spreadsheet (.xlsx or .ods)",
            tm.source.written,
            path.display()
        )));
    }
    let mut book = calamine::open_workbook_auto(path).map_err(|e| {
        fail(format!(
            "the spreadsheet \"{}\" cannot be read ({e}); expected an .xlsx, .xls or .ods workbook",
            tm.source.written
        ))
    })?;
    let names = book.sheet_names();
    let sheet = match &tm.source.iterator {
        Some(name) => {
            if !names.iter().any(|n| n == name) {
                return Err(fail(format!(
                    "the spreadsheet \"{}\" has no sheet \"{name}\" (rml:iterator); its sheets are {}",
                    tm.source.written,
                    names
                        .iter()
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            name.clone()
        }
        None => names.first().cloned().ok_or_else(|| {
            fail(format!(
                "the spreadsheet \"{}\" has no sheet",
                tm.source.written
            ))
        })?,
    };
    let range = book.worksheet_range(&sheet).map_err(|e| {
        fail(format!(
            "the sheet \"{sheet}\" of \"{}\" cannot be read ({e})",
            tm.source.written
        ))
    })?;
    let display = format!("{}#{sheet}", path.display());
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(|c| cell_text(c).unwrap_or_default()).collect())
        .unwrap_or_default();
    let columns = super::column_positions(references, &header, |r, list| {
        fail(format!(
            "the reference \"{r}\" is not a column of the sheet \"{sheet}\" of \"{}\"; its columns are {list}",
            tm.source.written
        ))
    })?;
    let mut record = Record::new(display, references.len());
    let mut count = 0;
    // The header is the sheet's first used row; data rows follow it.
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r)) + 1;
    for (i, row) in rows.enumerate() {
        count += 1;
        // A 1-based sheet row as the "line" of messages.
        record.location = Location::SheetRow(first_row + 1 + i as u64);
        for (values, &c) in record.values.iter_mut().zip(&columns) {
            values.clear();
            if let Some(text) = row.get(c).and_then(cell_text) {
                values.push(Item {
                    text,
                    natural: Natural::String,
                });
            }
        }
        each(&record)?;
    }
    Ok(count)
}

/// The CSV text of a cell; `None` for an empty one.
pub(crate) fn cell_text(cell: &Data) -> Option<String> {
    Some(match cell {
        Data::Empty => return None,
        Data::String(s) if s.is_empty() => return None,
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            if d.is_duration() {
                number(d.as_f64())
            } else {
                serial_date(d.as_f64())
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    })
}

/// A number as a CSV would hold it: whole numbers without a fraction.
fn number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A spreadsheet date serial (days since 1899-12-30, the fraction the time of day) as ISO 8601.
fn serial_date(serial: f64) -> String {
    let days = serial.floor() as i64;
    let seconds = ((serial - serial.floor()) * 86_400.0).round() as i64;
    // Days from 1970-01-01 (serial 25569), then the civil date (Howard Hinnant's algorithm).
    let z = days - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if seconds == 0 {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_csv_text() {
        assert_eq!(cell_text(&Data::Float(33.0)).as_deref(), Some("33"));
        assert_eq!(cell_text(&Data::Float(1.5)).as_deref(), Some("1.5"));
        assert_eq!(cell_text(&Data::Int(-4)).as_deref(), Some("-4"));
        assert_eq!(cell_text(&Data::Bool(true)).as_deref(), Some("true"));
        assert_eq!(cell_text(&Data::Empty), None);
        assert_eq!(cell_text(&Data::String(String::new())), None);
        assert_eq!(serial_date(45_322.0), "2024-01-31");
        assert_eq!(serial_date(45_322.5), "2024-01-31T12:00:00");
        assert_eq!(serial_date(25_569.0), "1970-01-01");
    }
}
