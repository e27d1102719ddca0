//! Parsers: every format becomes a [`Sheet`] of text cells under the
//! headers as the user wrote them, rows numbered as the user sees them.

mod csv;
mod json;
mod xlsx;

use super::report::Problem;

/// The formats the import reads, picked by the body's content type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// `application/json`: an array of objects.
    Json,
    /// `application/x-ndjson`: one object per line.
    Ndjson,
    /// `text/csv`, with the declared `charset` if any.
    Csv {
        /// The `charset` parameter of the content type.
        charset: Option<String>,
    },
    /// `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`.
    Xlsx,
}

/// The XLSX media type.
pub const XLSX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl Format {
    /// The format a `Content-Type` header names, or `None` for one the
    /// import does not read.
    pub fn from_content_type(content_type: &str) -> Option<Format> {
        let mut parts = content_type.split(';');
        let media = parts.next()?.trim().to_ascii_lowercase();
        let charset = parts.find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| v.trim().trim_matches('"').to_owned())
        });
        match media.as_str() {
            "application/json" => Some(Format::Json),
            "application/x-ndjson" | "application/ndjson" | "application/jsonl" => {
                Some(Format::Ndjson)
            }
            "text/csv" => Some(Format::Csv { charset }),
            XLSX_MEDIA_TYPE => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// The format a file name's extension names (for the command line).
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Format::Json),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "csv" => Some(Format::Csv { charset: None }),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// A short name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Csv { .. } => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// Why a body was refused as a whole, before any row was looked at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The bytes are not the declared format.
    #[error("{}", self.say(crate::i18n::Lang::Zh))]
    Mismatch {
        /// The declared format.
        declared: &'static str,
        /// What is wrong (a Fluent message, said in the reader's language).
        reason: crate::domain::message::Message,
    },
    /// An unknown or unusable `charset`.
    #[error("{}", self.say(crate::i18n::Lang::Zh))]
    Charset(String),
    /// No header row or no data at all.
    #[error("{}", self.say(crate::i18n::Lang::Zh))]
    Empty,
    /// The body expands beyond one of the [`Limits`].
    #[error("{}", too_large_text(*.limit, *.max, *.found))]
    TooLarge {
        /// Which limit.
        limit: Limit,
        /// The limit in force.
        max: u64,
        /// What the body holds, when known (it is not always read to the end).
        found: Option<u64>,
    },
}

pub use crate::config::Limits;

/// Which of the [`Limits`] a body passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Decompressed bytes.
    ExpandedBytes,
    /// Data rows.
    Rows,
    /// Columns.
    Columns,
}

impl Limit {
    /// A stable key, for the API's `details.limit`.
    pub fn key(self) -> &'static str {
        match self {
            Limit::ExpandedBytes => "expanded_bytes",
            Limit::Rows => "rows",
            Limit::Columns => "columns",
        }
    }
}

impl ParseError {
    /// The refusal in `lang` (the API says it in the client's language;
    /// `Display`, for the command line and the stored report, in Chinese).
    pub fn say(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::{tr_in, tr_in_with};
        match self {
            ParseError::Mismatch { declared, reason } => {
                let mut args = fluent_bundle::FluentArgs::new();
                for (k, v) in &reason.args {
                    args.set(*k, crate::i18n::fluent_value(v.clone()));
                }
                let reason = tr_in(lang, reason.id, Some(&args));
                tr_in_with(
                    lang,
                    "import-mismatch",
                    &[("declared", declared), ("reason", &reason)],
                )
            }
            ParseError::Charset(label) => tr_in_with(lang, "import-charset", &[("charset", label)]),
            ParseError::Empty => tr_in(lang, "import-empty", None),
            ParseError::TooLarge { limit, max, found } => too_large_text(*limit, *max, *found),
        }
    }
}

/// A [`ParseError::Mismatch`] of `declared` for the message `id`.
pub(crate) fn mismatch(
    declared: &'static str,
    reason: crate::domain::message::Message,
) -> ParseError {
    ParseError::Mismatch { declared, reason }
}

fn too_large_text(limit: Limit, max: u64, found: Option<u64>) -> String {
    match (limit, found) {
        (Limit::ExpandedBytes, _) => format!(
            "文件解压后超过 {} MB 的上限：请拆分后分批导入。",
            max / (1024 * 1024)
        ),
        (Limit::Rows, _) => format!("数据行超过 {max} 行的上限：请拆分后分批导入。"),
        (Limit::Columns, Some(n)) => format!("表格有 {n} 列，超过 {max} 列的上限。"),
        (Limit::Columns, None) => format!("表格的列数超过 {max} 列的上限。"),
    }
}

/// Where a parser puts what it reads, row by row, so that a body is never
/// held as a whole sheet: [`Sheet`] collects, the import validates as the
/// rows come.
pub trait Sink {
    /// The header row, once, before any row.
    fn headers(&mut self, headers: Vec<Header>);
    /// One data row.
    fn row(&mut self, row: Row);
    /// A row that could not be read at all.
    fn problem(&mut self, problem: Problem);
}

impl Sink for Sheet {
    fn headers(&mut self, headers: Vec<Header>) {
        self.headers = headers;
    }

    fn row(&mut self, row: Row) {
        self.rows.push(row);
    }

    fn problem(&mut self, problem: Problem) {
        self.problems.push(problem);
    }
}

/// Holds a parser to the [`Limits`] on its way to a [`Sink`].
struct Guard<'a> {
    sink: &'a mut dyn Sink,
    limits: Limits,
    rows: usize,
}

impl<'a> Guard<'a> {
    fn new(sink: &'a mut dyn Sink, limits: &Limits) -> Self {
        Self {
            sink,
            limits: *limits,
            rows: 0,
        }
    }

    fn check_columns(&self, n: usize) -> Result<(), ParseError> {
        if n > self.limits.columns {
            return Err(ParseError::TooLarge {
                limit: Limit::Columns,
                max: self.limits.columns as u64,
                found: Some(n as u64),
            });
        }
        Ok(())
    }

    fn headers(&mut self, headers: Vec<Header>) -> Result<(), ParseError> {
        self.check_columns(headers.len())?;
        self.sink.headers(headers);
        Ok(())
    }

    fn row(&mut self, row: Row) -> Result<(), ParseError> {
        self.check_columns(row.cells.len())?;
        self.rows += 1;
        if self.rows > self.limits.rows {
            return Err(ParseError::TooLarge {
                limit: Limit::Rows,
                max: self.limits.rows as u64,
                found: None,
            });
        }
        self.sink.row(row);
        Ok(())
    }

    fn problem(&mut self, problem: Problem) -> Result<(), ParseError> {
        // A row that cannot be read is still a row.
        self.rows += 1;
        if self.rows > self.limits.rows {
            return Err(ParseError::TooLarge {
                limit: Limit::Rows,
                max: self.limits.rows as u64,
                found: None,
            });
        }
        self.sink.problem(problem);
        Ok(())
    }
}

/// A header as the user wrote it.
#[derive(Debug, Clone)]
pub struct Header {
    /// The text.
    pub text: String,
    /// The row where it appears (1 for a header row; the first element or
    /// line carrying the key for JSON).
    pub row: usize,
}

/// One data row: cells aligned with the sheet's headers.
#[derive(Debug, Clone)]
pub struct Row {
    /// The row number as the user sees it.
    pub number: usize,
    /// Trimmed text of each cell; `None` when empty.
    pub cells: Vec<Option<String>>,
}

/// A parsed body.
#[derive(Debug, Default)]
pub struct Sheet {
    /// Column headers.
    pub headers: Vec<Header>,
    /// Data rows (blank rows skipped).
    pub rows: Vec<Row>,
    /// Rows that could not be read at all.
    pub problems: Vec<Problem>,
}

/// Parses `bytes` as `format` into a whole [`Sheet`], with the default
/// [`Limits`].
pub fn parse(format: &Format, bytes: &[u8]) -> Result<Sheet, ParseError> {
    let mut sheet = Sheet::default();
    parse_into(format, bytes, &Limits::default(), &mut sheet)?;
    Ok(sheet)
}

/// Parses `bytes` as `format`, handing rows to `sink` as they are read and
/// refusing a body beyond `limits` as soon as it shows.
pub fn parse_into(
    format: &Format,
    bytes: &[u8],
    limits: &Limits,
    sink: &mut dyn Sink,
) -> Result<(), ParseError> {
    let mut guard = Guard::new(sink, limits);
    match format {
        Format::Json => json::parse_array(bytes, &mut guard),
        Format::Ndjson => json::parse_lines(bytes, &mut guard),
        Format::Csv { charset } => csv::parse(bytes, charset.as_deref(), &mut guard),
        Format::Xlsx => xlsx::parse(bytes, &mut guard),
    }
}

/// Whether `bytes` start like a ZIP archive (and so an XLSX file).
pub fn looks_like_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// A cell's text, trimmed; `None` when nothing is left.
fn cell(raw: &str) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_pick_the_parser() {
        assert_eq!(
            Format::from_content_type("text/csv; charset=GBK"),
            Some(Format::Csv {
                charset: Some("GBK".into())
            })
        );
        assert_eq!(
            Format::from_content_type("application/json"),
            Some(Format::Json)
        );
        assert_eq!(Format::from_content_type("text/plain"), None);
        assert_eq!(
            Format::from_content_type(XLSX_MEDIA_TYPE),
            Some(Format::Xlsx)
        );
    }
}
