//! XLSX: the first sheet, Excel date cells as dates, numbers as written
//! (a license number never becomes `1.2E+13`).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::{Header, ParseError, Row, Sheet, cell, looks_like_zip};

/// Parses the first worksheet; the first non-blank row is the header row,
/// rows are numbered as Excel shows them.
pub fn parse(bytes: &[u8]) -> Result<Sheet, ParseError> {
    let mismatch = |reason: String| ParseError::Mismatch {
        declared: "xlsx",
        reason,
    };
    if !looks_like_zip(bytes) {
        return Err(mismatch(
            "文件不是 XLSX 格式（应以 ZIP 文件头开始）。".into(),
        ));
    }
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| mismatch(format!("无法打开 XLSX 工作簿：{e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(ParseError::Empty)?
        .map_err(|e| mismatch(format!("无法读取第一个工作表：{e}")))?;
    let Some((first_row, _)) = range.start() else {
        return Err(ParseError::Empty);
    };
    let mut sheet = Sheet::default();
    for (i, cells) in range.rows().enumerate() {
        let number = first_row as usize + i + 1;
        let texts: Vec<Option<String>> = cells.iter().map(text_of).collect();
        if texts.iter().all(Option::is_none) {
            continue;
        }
        if sheet.headers.is_empty() {
            sheet.headers = texts
                .into_iter()
                .map(|t| Header {
                    text: t.unwrap_or_default(),
                    row: number,
                })
                .collect();
            continue;
        }
        sheet.rows.push(Row {
            number,
            cells: texts,
        });
    }
    // Trailing empty header cells are formatting, not columns.
    while sheet.headers.last().is_some_and(|h| h.text.is_empty()) {
        sheet.headers.pop();
    }
    if sheet.headers.is_empty() {
        return Err(ParseError::Empty);
    }
    Ok(sheet)
}

fn text_of(data: &Data) -> Option<String> {
    match data {
        Data::Empty | Data::Error(_) => None,
        Data::String(s) | Data::DurationIso(s) => cell(s),
        Data::DateTimeIso(s) => cell(s.get(..10).unwrap_or(s)),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => Some(number_text(*f)),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            Some(format!("{y:04}-{m:02}-{d:02}"))
        }
        Data::DateTime(dt) => Some(number_text(dt.as_f64())),
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
