//! What an import says back: counts, row problems and plan-rule warnings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::plan_rules::Finding;

/// A problem with one row (or the header row): the batch is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// Row number as the user sees it (header = 1 in CSV/XLSX; 1-based
    /// element or line in JSON/NDJSON).
    pub row: usize,
    /// The column as the user wrote it (empty for the whole row).
    pub column: String,
    /// Stable machine-readable code.
    pub code: String,
    /// What is wrong, in Chinese.
    pub message: String,
    /// The cell as the file gave it (the first 200 characters; empty for a
    /// whole-row problem or an empty cell).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cell: String,
}

/// Most characters of a cell a problem quotes.
pub const CELL_QUOTE_CHARS: usize = 200;

impl Problem {
    /// A problem.
    pub fn new(row: usize, column: &str, code: &str, message: String) -> Self {
        Self {
            row,
            column: column.to_owned(),
            code: code.to_owned(),
            message,
            cell: String::new(),
        }
    }

    /// The same problem quoting the cell as given.
    pub fn with_cell(mut self, cell: &str) -> Self {
        self.cell = cell.chars().take(CELL_QUOTE_CHARS).collect();
        self
    }
}

/// Most problems a report keeps: the first ones by row; the rest are only
/// counted (`problems_omitted`), so a broken file cannot grow a report
/// without bound.
pub const MAX_PROBLEMS: usize = 1_000;

/// Keeps the first `cap` problems by row and column, in that order;
/// returns how many were dropped.
pub fn keep_first(problems: &mut Vec<Problem>, cap: usize) -> usize {
    problems.sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));
    let dropped = problems.len().saturating_sub(cap);
    problems.truncate(cap);
    problems.shrink_to(cap.max(problems.len()) * 2);
    dropped
}

/// A plan-rule finding on the batch, as a warning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Warning {
    /// Rule number (`domain::plan_rules`; docs/import.md, "Writing").
    pub rule: u8,
    /// `district`, `office`, `worker` or `transfer`.
    pub subject_kind: String,
    /// The record's key.
    pub subject: String,
    /// The rule in Chinese.
    pub message: String,
    /// The figures behind the finding.
    pub figures: BTreeMap<String, Value>,
}

impl From<Finding> for Warning {
    fn from(f: Finding) -> Self {
        Self {
            rule: f.rule,
            subject_kind: f.subject_kind.to_owned(),
            subject: f.subject,
            message: rule_text(f.rule).to_owned(),
            figures: f
                .figures
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        }
    }
}

/// The plan's rule `n` in Chinese.
pub fn rule_text(n: u8) -> &'static str {
    match n {
        1 => "规则1：律师万人比已达 2.3 的区县不再新增基层法律服务工作者。",
        2 => "规则2：不得变更执业机构至律师万人比已达 2.3 的区县。",
        3 => "规则3：执业不满一年的人员和农村乡镇所的人员不得变更至城区街道所。",
        4 => "规则4：不再新设基层法律服务所（设立核准已取消）。",
        5 => "规则5：基层法律服务所不得由农村乡镇迁往城区街道。",
        6 => "规则6：新执业人员应完成至少一年的实习。",
        7 => "规则7：连续两年未参加年度考核或无执业人员的所，列为空壳所候选。",
        _ => "规则8：执业范围。",
    }
}

/// Most changed rows a report describes field by field.
pub const MAX_CHANGES: usize = 200;

/// One changed row: which record, and each field's value before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Change {
    /// The row number as the user sees it.
    pub row: usize,
    /// The record's key (a code, license or decision number, a title).
    pub key: String,
    /// The fields that change.
    pub fields: Vec<FieldChange>,
}

/// One field of a [`Change`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldChange {
    /// The stored column's name.
    pub field: String,
    /// The value before, as text (empty for none).
    pub before: String,
    /// The value after.
    pub after: String,
}

impl Change {
    /// The fields that differ between two stored forms of a record (their
    /// JSON objects: columns both have, bookkeeping columns aside).
    pub fn between<A: Serialize, B: Serialize>(row: usize, key: &str, old: &A, new: &B) -> Self {
        let (Ok(Value::Object(old)), Ok(Value::Object(new))) =
            (serde_json::to_value(old), serde_json::to_value(new))
        else {
            return Self {
                row,
                key: key.to_owned(),
                fields: Vec::new(),
            };
        };
        let text = |v: &Value| match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let fields = new
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "id" | "updated_at" | "created_at"))
            .filter_map(|(k, after)| {
                let before = old.get(k)?;
                (before != after).then(|| FieldChange {
                    field: k.clone(),
                    before: text(before),
                    after: text(after),
                })
            })
            .collect();
        Self {
            row,
            key: key.to_owned(),
            fields,
        }
    }
}

/// Rows written, by kind of change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Counts {
    /// New rows.
    pub inserted: usize,
    /// Rows that existed and changed.
    pub updated: usize,
    /// Rows that existed unchanged.
    pub unchanged: usize,
}

/// How a batch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    /// Written.
    Applied,
    /// Valid, checked and rolled back as asked.
    DryRun,
    /// Refused: problems listed, nothing written.
    Rejected,
}

impl BatchStatus {
    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            BatchStatus::Applied => "applied",
            BatchStatus::DryRun => "dry_run",
            BatchStatus::Rejected => "rejected",
        }
    }
}

/// The report of one batch, stored and returned as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Report {
    /// The stored batch id (`/admin/api/imports/{id}`).
    pub id: Option<i64>,
    /// Dataset key.
    pub dataset: String,
    /// Format read.
    pub format: String,
    /// Whether it was a dry run.
    pub dry_run: bool,
    /// How it ended.
    pub status: BatchStatus,
    /// Data rows read.
    pub rows: usize,
    /// Counts (what was or, on a dry run, would have been written).
    pub counts: Counts,
    /// Row problems, the first 1,000 by row; non-empty exactly when
    /// rejected.
    pub problems: Vec<Problem>,
    /// Problems found beyond those listed.
    #[serde(default)]
    pub problems_omitted: usize,
    /// Plan-rule warnings on the batch as it would leave the database.
    pub warnings: Vec<Warning>,
    /// What the changed rows change, field by field, for the first
    /// [`MAX_CHANGES`] of them (a preview shows them before applying).
    #[serde(default)]
    pub changes: Vec<Change>,
    /// A hash of every changed row (not only those listed), on a preview
    /// and an apply checked against one; not stored.
    #[serde(skip)]
    pub changes_digest: Option<String>,
    /// Milliseconds taken.
    pub elapsed_ms: u64,
}

impl Report {
    /// What a preview showed a clerk, as a short mark: the counts and every
    /// changed row, field by field with its values before and after (the
    /// rows listed and those past them). Applying "as previewed" compares
    /// the batch's mark with the preview's, so a batch whose effect moved
    /// since (another import changed the same records) is shown again
    /// instead of written.
    pub fn preview_mark(&self) -> String {
        use sha2::{Digest, Sha256};
        let seen = match &self.changes_digest {
            Some(all) => serde_json::to_vec(&(&self.dataset, &self.counts, all)),
            None => serde_json::to_vec(&(&self.dataset, &self.counts, &self.changes)),
        }
        .unwrap_or_default();
        Sha256::digest(&seen)
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}
