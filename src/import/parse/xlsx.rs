//! XLSX: the first visible worksheet, Excel date cells as dates, numbers as written
//! (a license number never becomes `1.2E+13`).
//!
//! A workbook is a ZIP archive, and a small one can expand to gigabytes or
//! name a cell at XFD1048576. So the archive's entries are checked against
//! the decompressed-size limit before anything is decompressed (the ZIP
//! reader never yields more than an entry declares), and the sheet is read
//! cell by cell as it is stored: no range of the sheet's dimension is ever
//! allocated, and a cell past the column limit ends the read.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};

use super::{Guard, Header, Limit, ParseError, Row, cell, looks_like_zip};
use crate::domain::message::Message;

/// Most entries an XLSX archive may hold (a workbook has a dozen or so).
const MAX_ENTRIES: usize = 10_000;

fn mismatch(reason: Message) -> ParseError {
    super::mismatch("xlsx", reason)
}

fn cannot_open(e: impl std::fmt::Display) -> ParseError {
    mismatch(Message::new("import-xlsx-open").arg("error", e))
}

fn cannot_read(e: impl std::fmt::Display) -> ParseError {
    mismatch(Message::new("import-xlsx-read").arg("error", e))
}

/// Parses the first worksheet; the first non-blank row is the header row,
/// rows are numbered as Excel shows them.
pub(super) fn parse(bytes: &[u8], out: &mut Guard<'_>) -> Result<(), ParseError> {
    if !looks_like_zip(bytes) {
        return Err(mismatch(Message::new("import-not-xlsx")));
    }
    check_archive(bytes, out.limits.expanded_bytes)?;
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(cannot_open)?;
    // The first sheet the clerk sees: a template's hidden sheet of
    // drop-down lists often comes first in the workbook.
    let sheets = book.sheets_metadata();
    let Some(name) = sheets
        .iter()
        .find(|s| {
            s.visible == calamine::SheetVisible::Visible && s.typ == calamine::SheetType::WorkSheet
        })
        .or_else(|| sheets.first())
        .map(|s| s.name.clone())
    else {
        return Err(ParseError::Empty);
    };
    let mut cells = book.worksheet_cells_reader(&name).map_err(cannot_read)?;
    let mut rows = Rows {
        out,
        headers: None,
        current: None,
    };
    loop {
        let next = cells.next_cell().map_err(cannot_read)?;
        let Some(c) = next else { break };
        let Some(text) = text_of(c.get_value()) else {
            continue;
        };
        let (row, col) = c.get_position();
        rows.cell(row as usize + 1, col as usize, text)?;
    }
    rows.flush()?;
    if rows.headers.is_none() {
        return Err(ParseError::Empty);
    }
    Ok(())
}

/// Checks the archive before it is opened: not too many entries, and the
/// sizes its entries declare (which bound what reading them yields) within
/// the decompressed-size limit.
fn check_archive(bytes: &[u8], limit: u64) -> Result<(), ParseError> {
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(cannot_open)?;
    if zip.len() > MAX_ENTRIES {
        return Err(mismatch(
            Message::new("import-xlsx-entries").arg("n", zip.len()),
        ));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let size = zip.by_index_data(i).map_err(cannot_open)?.size();
        total = total.saturating_add(size);
        if total > limit {
            return Err(ParseError::TooLarge {
                limit: Limit::ExpandedBytes,
                max: limit,
                found: None,
            });
        }
    }
    Ok(())
}

/// Gathers cells into rows as they come (row by row, as Excel stores them).
struct Rows<'g, 'a> {
    out: &'g mut Guard<'a>,
    /// The header row's width once it was read.
    headers: Option<usize>,
    /// The row being gathered: its number and cells.
    current: Option<(usize, Vec<Option<String>>)>,
}

impl Rows<'_, '_> {
    fn cell(&mut self, number: usize, col: usize, text: String) -> Result<(), ParseError> {
        self.out.check_columns(col + 1)?;
        match &self.current {
            Some((n, _)) if *n == number => {}
            Some((n, _)) if *n > number => {
                return Err(mismatch(
                    Message::new("import-xlsx-row-order")
                        .arg("row", number)
                        .arg("after", n),
                ));
            }
            _ => {
                self.flush()?;
                self.current = Some((number, Vec::new()));
            }
        }
        if let Some((_, cells)) = &mut self.current {
            if cells.len() <= col {
                cells.resize(col + 1, None);
            }
            cells[col] = Some(text);
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ParseError> {
        let Some((number, mut cells)) = self.current.take() else {
            return Ok(());
        };
        match self.headers {
            None => {
                // Trailing empty header cells are formatting, not columns.
                while cells.last().is_some_and(Option::is_none) {
                    cells.pop();
                }
                self.headers = Some(cells.len());
                self.out.headers(
                    cells
                        .into_iter()
                        .map(|t| Header {
                            text: t.unwrap_or_default(),
                            row: number,
                        })
                        .collect(),
                )
            }
            Some(width) => {
                if cells.len() < width {
                    cells.resize(width, None);
                }
                self.out.row(Row { number, cells })
            }
        }
    }
}

fn text_of(data: &DataRef<'_>) -> Option<String> {
    match data {
        DataRef::Empty => None,
        // A failed formula: its text (`#N/A`), which the row check refuses
        // as a CSV saved by Excel would carry it; never an empty cell that
        // would clear a stored value.
        DataRef::Error(e) => Some(e.to_string()),
        DataRef::String(s) | DataRef::DurationIso(s) => cell(s),
        DataRef::SharedString(s) => cell(s),
        DataRef::DateTimeIso(s) => cell(s.get(..10).unwrap_or(s)),
        DataRef::Int(i) => Some(i.to_string()),
        DataRef::Float(f) => Some(number_text(*f)),
        DataRef::Bool(b) => Some(b.to_string()),
        // Serial 0 and below (Excel's "1900-01-00"): a formula's empty
        // result shown as a date, not a day; as a number it is a bad date.
        DataRef::DateTime(dt) if dt.is_datetime() && dt.as_f64() >= 1.0 => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            Some(format!("{y:04}-{m:02}-{d:02}"))
        }
        DataRef::DateTime(dt) => Some(number_text(dt.as_f64())),
    }
}

/// Whole numbers without a fraction or exponent, so that 50010120100001
/// stays 50010120100001.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_whole_numbers_keep_every_digit() {
        assert_eq!(number_text(50010120100001.0), "50010120100001");
        assert_eq!(number_text(2.5), "2.5");
    }
}
