//! The public history of offices and workers (issue 14): each change an
//! import made, field by field, with its batch; and the last import that
//! confirmed a subject.

use chrono::NaiveDateTime;
use diesel::connection::DefaultLoadingMode;
use diesel::prelude::*;

use super::schema::{record_confirmations, record_history};
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
    let filter = record_history::subject_kind
        .eq(kind.key())
        .and(record_history::subject_key.eq(key));
    let total: i64 = record_history::table
        .filter(filter)
        .count()
        .get_result(conn)?;
    // No `LIMIT ?`/`OFFSET ?`: SQLite prepares a statement again each time
    // its bound limit changes what the planner chose (`sqlite3Reprepare`,
    // 6 % of a profile page, issue 15). The rows come newest first by the
    // primary key and stop being read once the page is full; a subject's
    // history is a few dozen entries.
    let skip = usize::try_from(offset).unwrap_or(0);
    let take = usize::try_from(limit).unwrap_or(0);
    let mut entries = Vec::with_capacity(take.min(64));
    if take > 0 && offset < total {
        let rows = record_history::table
            .filter(filter)
            .order(record_history::id.desc())
            .select((
                record_history::id,
                record_history::field,
                record_history::old_value,
                record_history::new_value,
                record_history::batch_id,
                record_history::changed_at,
            ))
            .load_iter::<(i64, String, String, String, Option<i64>, NaiveDateTime), DefaultLoadingMode>(conn)?;
        for row in rows.skip(skip).take(take) {
            let (id, field, before, after, batch_id, changed_at) = row?;
            entries.push(Entry {
                id,
                field,
                before,
                after,
                batch_id,
                changed_at,
            });
        }
    }
    Ok((total, entries))
}

/// When an import last confirmed the subject (changed or unchanged).
pub fn confirmed_at(
    conn: &mut DbConnection,
    kind: SubjectKind,
    key: &str,
) -> Result<Option<NaiveDateTime>, DbError> {
    Ok(record_confirmations::table
        .find((kind.key(), key))
        .select(record_confirmations::confirmed_at)
        .get_result(conn)
        .optional()?)
}
