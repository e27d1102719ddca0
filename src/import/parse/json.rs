//! JSON (an array of objects) and NDJSON (one object per line).

use serde_json::{Map, Value};

use super::{Header, ParseError, Row, Sheet, cell};
use crate::import::report::Problem;

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

/// Parses a JSON array of objects; element `n` (1-based) is row `n`.
pub fn parse_array(bytes: &[u8]) -> Result<Sheet, ParseError> {
    let value: Value =
        serde_json::from_slice(strip_bom(bytes)).map_err(|e| ParseError::Mismatch {
            declared: "json",
            reason: format!(
                "不是有效的 JSON（第 {} 行第 {} 列）。",
                e.line(),
                e.column()
            ),
        })?;
    let Value::Array(items) = value else {
        return Err(ParseError::Mismatch {
            declared: "json",
            reason: "JSON 顶层必须是对象数组。".into(),
        });
    };
    let mut builder = Builder::default();
    for (i, item) in items.into_iter().enumerate() {
        builder.push(i + 1, item);
    }
    Ok(builder.sheet)
}

/// Parses NDJSON; line `n` (1-based, blank lines counted) is row `n`.
pub fn parse_lines(bytes: &[u8]) -> Result<Sheet, ParseError> {
    let text = std::str::from_utf8(strip_bom(bytes)).map_err(|_| ParseError::Mismatch {
        declared: "ndjson",
        reason: "内容不是 UTF-8 文本。".into(),
    })?;
    let mut builder = Builder::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(v) => builder.push(i + 1, v),
            Err(e) => builder.sheet.problems.push(Problem::new(
                i + 1,
                "",
                "malformed_row",
                format!("该行不是有效的 JSON：第 {} 列附近有误。", e.column()),
            )),
        }
    }
    if builder.sheet.rows.is_empty() && builder.sheet.problems.is_empty() {
        return Err(ParseError::Empty);
    }
    Ok(builder.sheet)
}

#[derive(Default)]
struct Builder {
    sheet: Sheet,
    index: std::collections::HashMap<String, usize>,
}

impl Builder {
    fn push(&mut self, number: usize, item: Value) {
        let Value::Object(map) = item else {
            self.sheet.problems.push(Problem::new(
                number,
                "",
                "malformed_row",
                "每个元素必须是一个对象（键值对）。".to_owned(),
            ));
            return;
        };
        let cells = self.cells(number, map);
        self.sheet.rows.push(Row { number, cells });
    }

    fn cells(&mut self, number: usize, map: Map<String, Value>) -> Vec<Option<String>> {
        let mut cells = vec![None; self.sheet.headers.len()];
        for (key, value) in map {
            let at = match self.index.get(&key) {
                Some(&i) => i,
                None => {
                    let i = self.sheet.headers.len();
                    self.index.insert(key.clone(), i);
                    self.sheet.headers.push(Header {
                        text: key,
                        row: number,
                    });
                    cells.push(None);
                    i
                }
            };
            cells[at] = text_of(value);
        }
        cells
    }
}

/// A JSON value as cell text: numbers as written, arrays joined with `;`.
fn text_of(value: Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => cell(&s),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => {
            let parts: Vec<String> = items.into_iter().filter_map(text_of).collect();
            (!parts.is_empty()).then(|| parts.join(";"))
        }
        Value::Object(_) => Some(value.to_string()),
    }
}
