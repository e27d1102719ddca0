//! Checks every cell gets whatever its column: not longer than the limit,
//! no control characters or noncharacters, no bidirectional controls in a
//! name. The problem names the column as the user wrote it.

use super::report::Problem;
use crate::domain::text;
use crate::i18n::{Lang, tr_in_with};

/// What Excel writes in a cell whose formula failed (in an XLSX error
/// cell, and as the text of a CSV it saves): never a value.
const EXCEL_ERRORS: &[&str] = &[
    "#N/A",
    "#REF!",
    "#VALUE!",
    "#DIV/0!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#DATA!",
    "#GETTING_DATA",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
];

/// The problem with one cell, if any. Reports are written in Chinese
/// (docs/import.md); the sentences live in the Fluent files like every
/// other.
pub fn check(
    row: usize,
    column: &str,
    cell: &str,
    name: bool,
    max_chars: usize,
) -> Option<Problem> {
    if cell.len() > max_chars {
        let n = cell.chars().count();
        if n > max_chars {
            return Some(Problem::new(
                row,
                column,
                "cell_too_long",
                tr_in_with(
                    Lang::Zh,
                    "import-cell-too-long",
                    &[("chars", &n), ("max", &max_chars)],
                ),
            ));
        }
    }
    let trimmed = cell.trim();
    if EXCEL_ERRORS.contains(&trimmed) {
        return Some(Problem::new(
            row,
            column,
            "invalid_value",
            tr_in_with(Lang::Zh, "import-excel-error", &[("value", &trimmed)]),
        ));
    }
    let bad = if name {
        text::first_forbidden_in_name(cell)
    } else {
        text::first_forbidden(cell)
    }?;
    let id = if text::is_bidi_control(bad) {
        "import-bidi-in-name"
    } else {
        "import-control-character"
    };
    Some(Problem::new(
        row,
        column,
        "forbidden_character",
        tr_in_with(Lang::Zh, id, &[("char", &text::code_point(bad))]),
    ))
}
