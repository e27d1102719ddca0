//! The public history of an office or a worker (issue 14): what imports
//! changed, in plain words, newest first; and when an import last
//! confirmed the record. Pages `/workers/{no}/history`,
//! `/offices/{no}/history`; JSON twins under `/api/v1/`; the profile shows
//! the last five.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::db::{self, DbConnection, DbError};
use crate::domain::dates::china_date;
use crate::domain::vocab::SubjectKind;
use crate::i18n::{Lang, label_by_key, tr_in_with};
use crate::import::Dataset;
use crate::import::columns::columns;

/// One change in plain words.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryLine {
    /// The entry's id (stable).
    pub id: i64,
    /// The day, in China.
    pub on: NaiveDate,
    /// The stored field; empty when the record was first registered.
    pub field: String,
    /// The value before (empty for none).
    pub before: String,
    /// The value after.
    pub after: String,
    /// The import batch.
    pub batch_id: Option<i64>,
    /// The change as a sentence.
    pub sentence: String,
}

/// A subject's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryView {
    /// Office or worker.
    pub subject_kind: &'static str,
    /// License number.
    pub license_no: String,
    /// Name.
    pub name: String,
    /// The day an import last confirmed the record, changed or unchanged.
    pub confirmed_on: Option<NaiveDate>,
    /// How many changes in all.
    pub total: i64,
    /// Changes, newest first.
    pub changes: Vec<HistoryLine>,
}

fn dataset(kind: SubjectKind) -> Dataset {
    match kind {
        SubjectKind::Office => Dataset::Offices,
        SubjectKind::Worker => Dataset::Workers,
    }
}

/// A field's name as the reader knows it: the import's Chinese header, or
/// the key in words in English.
fn field_label(kind: SubjectKind, field: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => columns(dataset(kind))
            .iter()
            .find(|c| c.key == field)
            .and_then(|c| c.headers.first())
            .map_or_else(|| field.to_owned(), |h| (*h).to_owned()),
        Lang::En => field.replace('_', " "),
    }
}

/// A stored value as the reader knows it (vocabulary keys as labels).
fn value_label(kind: SubjectKind, field: &str, value: &str, lang: Lang) -> String {
    let of = match (kind, field) {
        (SubjectKind::Worker, "status") => "worker_status",
        (SubjectKind::Office, "status") => "office_status",
        (_, "area_kind") => "area_kind",
        (_, "party_org") => "party_org",
        (_, "gender") => "gender",
        _ => "",
    };
    label_by_key(of, value, lang).map_or_else(|| value.to_owned(), str::to_owned)
}

fn line(kind: SubjectKind, e: db::history::Entry, lang: Lang) -> HistoryLine {
    let on = china_date(e.changed_at);
    let sentence = if e.field.is_empty() {
        tr_in_with(lang, "history-registered", &[("date", &on)])
    } else {
        let none = tr_in_with(lang, "history-none", &[]);
        let shown = |v: &str| {
            if v.is_empty() {
                none.clone()
            } else {
                value_label(kind, &e.field, v, lang)
            }
        };
        tr_in_with(
            lang,
            "history-changed",
            &[
                ("date", &on),
                ("field", &field_label(kind, &e.field, lang)),
                ("before", &shown(&e.before)),
                ("after", &shown(&e.after)),
            ],
        )
    };
    HistoryLine {
        id: e.id,
        on,
        field: e.field,
        before: e.before,
        after: e.after,
        batch_id: e.batch_id,
        sentence,
    }
}

/// The history of the subject `license_no` of `kind`: `limit` changes from
/// `offset`; `None` when no such subject exists.
pub fn view(
    conn: &mut DbConnection,
    kind: SubjectKind,
    license_no: &str,
    lang: Lang,
    offset: i64,
    limit: i64,
) -> Result<Option<HistoryView>, DbError> {
    let name = subject_name(conn, kind, license_no)?;
    let Some(name) = name else {
        return Ok(None);
    };
    of_named(conn, kind, license_no, name, lang, offset, limit).map(Some)
}

/// [`view`] of a subject whose name the caller has just read.
fn of_named(
    conn: &mut DbConnection,
    kind: SubjectKind,
    license_no: &str,
    name: String,
    lang: Lang,
    offset: i64,
    limit: i64,
) -> Result<HistoryView, DbError> {
    let confirmed: Option<NaiveDateTime> = db::history::confirmed_at(conn, kind, license_no)?;
    let (total, entries) = db::history::of(conn, kind, license_no, offset, limit)?;
    Ok(HistoryView {
        subject_kind: kind.key(),
        license_no: license_no.to_owned(),
        name,
        confirmed_on: confirmed.map(china_date),
        total,
        changes: entries.into_iter().map(|e| line(kind, e, lang)).collect(),
    })
}

/// The five newest changes of a subject the caller has just read (so
/// its name is known), as a profile shows them under its records.
pub fn recent(
    conn: &mut DbConnection,
    kind: SubjectKind,
    license_no: &str,
    name: &str,
    lang: Lang,
) -> Result<HistoryView, DbError> {
    of_named(conn, kind, license_no, name.to_owned(), lang, 0, 5)
}

fn subject_name(
    conn: &mut DbConnection,
    kind: SubjectKind,
    no: &str,
) -> Result<Option<String>, DbError> {
    use crate::db::schema::{offices, workers};
    use diesel::prelude::*;
    Ok(match kind {
        SubjectKind::Office => offices::table
            .filter(offices::license_no.eq(no))
            .select(offices::name)
            .get_result(conn)
            .optional()?,
        SubjectKind::Worker => workers::table
            .filter(workers::license_no.eq(no))
            .select(workers::name)
            .get_result(conn)
            .optional()?,
    })
}
