//! CSV: UTF-8 with or without BOM, or GBK/GB18030 as Excel saves it.

use std::borrow::Cow;

use encoding_rs::{Encoding, GB18030, UTF_8};

use super::{Guard, Header, ParseError, Row, cell, looks_like_zip};
use crate::domain::message::Message;
use crate::import::report::Problem;

/// Decodes `bytes`: with the declared `charset` when given; otherwise UTF-8
/// (BOM or not) when the bytes are valid UTF-8, else GB18030 (a superset of
/// GBK, which is what Excel writes on a Chinese Windows).
pub fn decode<'a>(bytes: &'a [u8], charset: Option<&str>) -> Result<Cow<'a, str>, ParseError> {
    let mismatch = |reason| super::mismatch("csv", reason);
    if looks_like_zip(bytes) {
        return Err(mismatch(Message::new("import-zip-as-csv")));
    }
    let encoding = match charset {
        Some(label) => Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| ParseError::Charset(label.to_owned()))?,
        None if std::str::from_utf8(bytes).is_ok() => UTF_8,
        None => GB18030,
    };
    let (text, used, had_errors) = encoding.decode(bytes);
    if had_errors {
        return Err(mismatch(
            Message::new("import-bad-encoding").arg("encoding", used.name()),
        ));
    }
    if text.contains('\0') {
        return Err(mismatch(Message::new("import-binary")));
    }
    Ok(text)
}

/// Parses CSV: the first non-blank record is the header row, data rows
/// follow, each handed on as it is read, numbered as Excel shows them.
pub(super) fn parse(
    bytes: &[u8],
    charset: Option<&str>,
    out: &mut Guard<'_>,
) -> Result<(), ParseError> {
    let text = decode(bytes, charset)?;
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut headers: Option<usize> = None;
    let mut record = ::csv::StringRecord::new();
    // Rows are numbered as Excel shows the file: an empty line (which the
    // CSV reader passes over) is a row there too, and a quoted cell that
    // spans lines is still one row.
    let mut number = 0usize;
    let mut next_line = 1u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                // Where the record began: the reader now stands on the line
                // after it (its own line breaks behind it; the reader counts
                // a line at the end of the file too); the empty lines it
                // passed over came before.
                let inner = record
                    .iter()
                    .map(|f| f.matches('\n').count() as u64)
                    .sum::<u64>();
                let line = reader.position().line().saturating_sub(inner + 1);
                number += 1 + usize::try_from(line.saturating_sub(next_line)).unwrap_or(0);
                next_line = line + 1 + inner;
                if headers.is_none() && record.iter().all(|f| f.trim().is_empty()) {
                    // A blank line of separators above the header.
                    continue;
                }
                let Some(headers) = headers else {
                    out.check_columns(record.len())?;
                    headers = Some(record.len());
                    out.headers(
                        record
                            .iter()
                            .map(|h| Header {
                                text: h.trim().trim_start_matches('\u{feff}').trim().to_owned(),
                                row: number,
                            })
                            .collect(),
                    )?;
                    continue;
                };
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                if record.len() > headers
                    && record.iter().skip(headers).any(|f| !f.trim().is_empty())
                {
                    out.problem(Problem::new(
                        number,
                        "",
                        "malformed_row",
                        format!("该行有 {} 列，多于表头的 {} 列。", record.len(), headers),
                    ))?;
                    continue;
                }
                let mut cells: Vec<Option<String>> =
                    record.iter().take(headers).map(cell).collect();
                cells.resize(headers, None);
                out.row(Row { number, cells })?;
            }
            Err(e) => {
                number += 1;
                next_line += 1;
                out.problem(Problem::new(
                    number,
                    "",
                    "malformed_row",
                    format!("无法读取该行：{e}"),
                ))?;
            }
        }
    }
    if headers.is_none() {
        return Err(ParseError::Empty);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::parse::{Format, parse as parse_sheet};

    fn parse(bytes: &[u8], charset: Option<&str>) -> Result<super::super::Sheet, ParseError> {
        parse_sheet(
            &Format::Csv {
                charset: charset.map(str::to_owned),
            },
            bytes,
        )
    }

    #[test]
    fn rows_are_numbered_as_excel_shows_the_file() {
        // An empty line is row 3; a cell spanning two lines is one row.
        let text = "执业证号,姓名,状态\n1,张三,执业\n\n2,\"李\n四\",执业\n3,王五,执业\n";
        let sheet = parse(text.as_bytes(), None).unwrap();
        let numbers: Vec<usize> = sheet.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, vec![2, 4, 5]);
        // The same with Windows line ends and no line end at the close.
        let text = "执业证号,姓名,状态\r\n1,张三,执业\r\n\r\n\r\n2,李四,执业";
        let sheet = parse(text.as_bytes(), None).unwrap();
        let numbers: Vec<usize> = sheet.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, vec![2, 5]);
        // A line of separators above the header is not the header.
        let sheet = parse(",,\n执业证号,姓名,状态\n1,张三,执业\n".as_bytes(), None).unwrap();
        assert_eq!(sheet.headers[0].text, "执业证号");
        assert_eq!(sheet.headers[0].row, 2);
        assert_eq!(sheet.rows[0].number, 3);
    }

    #[test]
    fn utf8_with_bom_and_gbk_decode_alike() {
        let utf8 = "\u{feff}姓名,执业证号\n张三,1\n";
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,执业证号\n张三,1\n");
        let a = parse(utf8.as_bytes(), None).unwrap();
        let b = parse(&gbk, None).unwrap();
        assert_eq!(a.headers[0].text, "姓名");
        assert_eq!(b.headers[0].text, "姓名");
        assert_eq!(b.rows[0].cells[0].as_deref(), Some("张三"));
        assert_eq!(b.rows[0].number, 2);
    }

    #[test]
    fn a_declared_charset_is_honoured() {
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名\n李四\n");
        let s = parse(&gbk, Some("gbk")).unwrap();
        assert_eq!(s.rows[0].cells[0].as_deref(), Some("李四"));
        assert!(matches!(
            parse(&gbk, Some("utf-8")),
            Err(ParseError::Mismatch { .. })
        ));
        assert!(matches!(
            parse(b"a\n1\n", Some("klingon")),
            Err(ParseError::Charset(_))
        ));
    }
}
