//! The search outbox: a write that changes what search shows adds rows here
//! in its own transaction; the indexer drains them and deletes them only
//! after the engine confirms.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::search_outbox;
use crate::db::{DbConnection, DbError};
use crate::domain::vocab::SubjectKind;

/// One pending row.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = search_outbox)]
pub struct OutboxRow {
    /// Row id.
    pub id: i64,
    /// `office` or `worker`.
    pub entity_kind: String,
    /// Normalised license number.
    pub entity_key: String,
    /// When it is due.
    pub due_at: NaiveDateTime,
    /// When it was added.
    pub enqueued_at: NaiveDateTime,
}

/// Now, UTC, naive: the outbox's clock.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

pub use crate::domain::dates::china_midnight_utc;

/// Marks `license_nos` of `kind` for reindexing now. Call it inside the
/// transaction of the write.
pub fn enqueue(
    conn: &mut DbConnection,
    kind: SubjectKind,
    license_nos: &[String],
) -> Result<(), DbError> {
    enqueue_at(conn, kind, license_nos, now())
}

/// Marks `license_nos` of `kind` for reindexing at `due_at` (UTC).
pub fn enqueue_at(
    conn: &mut DbConnection,
    kind: SubjectKind,
    license_nos: &[String],
    due_at: NaiveDateTime,
) -> Result<(), DbError> {
    crate::db::outbox::write(
        conn,
        license_nos.iter().map(|k| (kind.key(), k.as_str(), due_at)),
        now(),
    )?;
    Ok(())
}

/// Schedules the time-driven refresh of one subject on the day its
/// standing next changes (00:00 China time), unless already scheduled.
pub fn schedule_refresh(
    conn: &mut DbConnection,
    kind: SubjectKind,
    license_no: &str,
    on: NaiveDate,
) -> Result<(), DbError> {
    let due = china_midnight_utc(on);
    let exists: i64 = search_outbox::table
        .filter(search_outbox::entity_kind.eq(kind.key()))
        .filter(search_outbox::entity_key.eq(license_no))
        .filter(search_outbox::due_at.eq(due))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        enqueue_at(conn, kind, &[license_no.to_owned()], due)?;
    }
    Ok(())
}

/// Up to `limit` rows due by `now`, oldest first.
pub fn due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<OutboxRow>, DbError> {
    Ok(search_outbox::table
        .filter(search_outbox::due_at.le(now))
        .order(search_outbox::id)
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)?)
}

/// How many rows are due by `now`.
pub fn due_count(conn: &mut DbConnection, now: NaiveDateTime) -> Result<i64, DbError> {
    Ok(search_outbox::table
        .filter(search_outbox::due_at.le(now))
        .count()
        .get_result(conn)?)
}

/// Deletes rows by id, once the engine has confirmed them.
pub fn remove(conn: &mut DbConnection, ids: &[i64]) -> Result<(), DbError> {
    for chunk in ids.chunks(500) {
        diesel::delete(search_outbox::table.filter(search_outbox::id.eq_any(chunk)))
            .execute(conn)?;
    }
    Ok(())
}

/// Deletes every time-driven row due after `now` (a full reindex schedules
/// them again).
pub fn clear_future(conn: &mut DbConnection, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::delete(search_outbox::table.filter(search_outbox::due_at.gt(now))).execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_is_due_at_midnight_china_time() {
        let d = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap_or_default();
        assert_eq!(china_midnight_utc(d).to_string(), "2027-02-28 16:00:00");
    }
}
