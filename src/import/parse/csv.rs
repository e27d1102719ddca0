//! CSV: UTF-8 with or without BOM, or GBK/GB18030 as Excel saves it.

use std::borrow::Cow;

use encoding_rs::{Encoding, GB18030, UTF_8};

use super::{Guard, Header, ParseError, Row, cell, looks_like_zip};
use crate::import::report::Problem;

/// Decodes `bytes`: with the declared `charset` when given; otherwise UTF-8
/// (BOM or not) when the bytes are valid UTF-8, else GB18030 (a superset of
/// GBK, which is what Excel writes on a Chinese Windows).
pub fn decode<'a>(bytes: &'a [u8], charset: Option<&str>) -> Result<Cow<'a, str>, ParseError> {
    let mismatch = |reason: &str| ParseError::Mismatch {
        declared: "csv",
        reason: reason.to_owned(),
    };
    if looks_like_zip(bytes) {
        return Err(mismatch("这是一个 XLSX/ZIP 文件，请以 XLSX 类型上传。"));
    }
    let encoding = match charset {
        Some(label) => Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| ParseError::Charset(label.to_owned()))?,
        None if std::str::from_utf8(bytes).is_ok() => UTF_8,
        None => GB18030,
    };
    let (text, used, had_errors) = encoding.decode(bytes);
    if had_errors {
        return Err(mismatch(&format!(
            "内容不是有效的 {} 编码文本。",
            used.name()
        )));
    }
    if text.contains('\0') {
        return Err(mismatch("内容含有二进制数据，不是文本。"));
    }
    Ok(text)
}

/// Parses CSV: the first non-blank record is the header row (row 1 as the
/// user sees it), data rows follow from row 2, each handed on as it is read.
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
    let mut number = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                number += 1;
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
