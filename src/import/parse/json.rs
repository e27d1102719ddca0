//! JSON (an array of objects) and NDJSON (one object per line). The array
//! is read element by element: only one element is ever held as a JSON
//! value, the rows as compact cells.

use std::fmt;

use serde::de::{self, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::{Guard, Header, Limit, Limits, ParseError, Row, cell};
use crate::domain::message::Message;
use crate::import::report::Problem;

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

fn not_json(e: &serde_json::Error) -> ParseError {
    super::mismatch(
        "json",
        Message::new("import-bad-json")
            .arg("line", e.line())
            .arg("column", e.column()),
    )
}

/// Parses a JSON array of objects; element `n` (1-based) is row `n`.
pub(super) fn parse_array(bytes: &[u8], out: &mut Guard<'_>) -> Result<(), ParseError> {
    let mut builder = Builder::new(out.limits);
    let mut de = serde_json::Deserializer::from_slice(strip_bom(bytes));
    let was_array = match (&mut de).deserialize_any(Elements {
        builder: &mut builder,
    }) {
        Ok(was_array) => was_array,
        Err(e) => return Err(builder.error.take().unwrap_or_else(|| not_json(&e))),
    };
    de.end().map_err(|e| not_json(&e))?;
    if !was_array {
        return Err(super::mismatch(
            "json",
            Message::new("import-json-not-array"),
        ));
    }
    builder.replay(out)
}

/// Reads the top-level value: each element of an array goes to the builder
/// as soon as it is parsed; anything else is answered `false`.
struct Elements<'b> {
    builder: &'b mut Builder,
}

impl<'de> Visitor<'de> for Elements<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut n = 0usize;
        while let Some(item) = seq.next_element::<Value>()? {
            n += 1;
            self.builder.push(n, item);
            if self.builder.error.is_some() {
                return Err(de::Error::custom("over the limits"));
            }
        }
        Ok(true)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

/// Parses NDJSON; line `n` (1-based, blank lines counted) is row `n`.
pub(super) fn parse_lines(bytes: &[u8], out: &mut Guard<'_>) -> Result<(), ParseError> {
    let text = std::str::from_utf8(strip_bom(bytes))
        .map_err(|_| super::mismatch("ndjson", Message::new("import-not-utf8")))?;
    let mut builder = Builder::new(out.limits);
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(v) => builder.push(i + 1, v),
            Err(e) => builder.bad_row(Problem::new(
                i + 1,
                "",
                "malformed_row",
                format!("该行不是有效的 JSON：第 {} 列附近有误。", e.column()),
            )),
        }
        if let Some(e) = builder.error.take() {
            return Err(e);
        }
    }
    if builder.rows.is_empty() && builder.problems.is_empty() {
        return Err(ParseError::Empty);
    }
    builder.replay(out)
}

/// Collects rows as compact cells; the headers grow as keys appear, so the
/// rows are handed on once every key is known.
struct Builder {
    limits: Limits,
    headers: Vec<Header>,
    index: std::collections::HashMap<String, usize>,
    rows: Vec<Row>,
    problems: Vec<Problem>,
    error: Option<ParseError>,
}

impl Builder {
    fn new(limits: Limits) -> Self {
        Self {
            limits,
            headers: Vec::new(),
            index: Default::default(),
            rows: Vec::new(),
            problems: Vec::new(),
            error: None,
        }
    }

    fn count(&mut self) -> bool {
        if self.rows.len() + self.problems.len() >= self.limits.rows {
            self.error = Some(ParseError::TooLarge {
                limit: Limit::Rows,
                max: self.limits.rows as u64,
                found: None,
            });
            return false;
        }
        true
    }

    fn bad_row(&mut self, problem: Problem) {
        if self.count() {
            self.problems.push(problem);
        }
    }

    fn push(&mut self, number: usize, item: Value) {
        let Value::Object(map) = item else {
            self.bad_row(Problem::new(
                number,
                "",
                "malformed_row",
                "每个元素必须是一个对象（键值对）。".to_owned(),
            ));
            return;
        };
        if !self.count() {
            return;
        }
        if let Some(cells) = self.cells(number, map) {
            self.rows.push(Row { number, cells });
        }
    }

    fn cells(&mut self, number: usize, map: Map<String, Value>) -> Option<Vec<Option<String>>> {
        let mut cells = vec![None; self.headers.len()];
        for (key, value) in map {
            let at = match self.index.get(&key) {
                Some(&i) => i,
                None => {
                    let i = self.headers.len();
                    if i >= self.limits.columns {
                        self.error = Some(ParseError::TooLarge {
                            limit: Limit::Columns,
                            max: self.limits.columns as u64,
                            found: None,
                        });
                        return None;
                    }
                    self.index.insert(key.clone(), i);
                    self.headers.push(Header {
                        text: key,
                        row: number,
                    });
                    cells.push(None);
                    i
                }
            };
            cells[at] = text_of(value);
        }
        Some(cells)
    }

    /// Hands the headers, the unreadable rows and the rows on.
    fn replay(self, out: &mut Guard<'_>) -> Result<(), ParseError> {
        out.headers(self.headers)?;
        for p in self.problems {
            out.problem(p)?;
        }
        for row in self.rows {
            out.row(row)?;
        }
        Ok(())
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
