//! The public history of offices and workers (issue 14): each change an
//! import made, field by field, with its batch; and the last import that
//! confirmed a subject.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::reads::Reads;
use super::schema::record_history;
use super::{DbConnection, DbError};
use crate::domain::vocab::SubjectKind;

/// Sets the batch of the history entries the batch being stored wrote (in
/// the same transaction, under the import's write lock, so they are the
/// only ones without a batch).
pub fn link_batch(conn: &mut DbConnection, batch_id: i64) -> Result<(), DbError> {
    diesel::update(record_history::table.filter(record_history::batch_id.is_null()))
        .set(record_history::batch_id.eq(Some(batch_id)))
        .execute(conn)?;
    Ok(())
}

/// One history entry.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Entry {
    /// Row id (stable: a feed's entry id).
    pub id: i64,
    /// The stored column that changed; empty when the record was first
    /// registered.
    pub field: String,
    /// The value before (empty for none).
    pub before: String,
    /// The value after.
    pub after: String,
    /// The import batch that made the change.
    pub batch_id: Option<i64>,
    /// When, UTC.
    #[serde(serialize_with = "crate::domain::dates::utc_rfc3339")]
    pub changed_at: NaiveDateTime,
}

/// A subject's entries, newest first: `limit` of them from `offset`, and
/// how many there are.
pub fn of(
    conn: &mut DbConnection,
    kind: SubjectKind,
    key: &str,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<Entry>), DbError> {
    let (offset, limit) = (
        usize::try_from(offset).unwrap_or(0),
        usize::try_from(limit).unwrap_or(0),
    );
    let (total, entries) =
        crate::with_backend!(conn, |c| c.history(kind, key, offset, limit, true))?;
    Ok((total.unwrap_or(0), entries))
}

/// A subject's `limit` newest entries, not counted (a profile's list).
pub fn newest(
    conn: &mut DbConnection,
    kind: SubjectKind,
    key: &str,
    limit: usize,
) -> Result<Vec<Entry>, DbError> {
    let (_, entries) = crate::with_backend!(conn, |c| c.history(kind, key, 0, limit, false))?;
    Ok(entries)
}

/// When an import last confirmed the subject (changed or unchanged).
pub fn confirmed_at(
    conn: &mut DbConnection,
    kind: SubjectKind,
    key: &str,
) -> Result<Option<NaiveDateTime>, DbError> {
    crate::with_backend!(conn, |c| c.confirmed_at(kind, key))
}
