//! The search outbox (`search_outbox`), its one home (issue 17): a write
//! that changes what search shows adds rows here in its own transaction
//! (imports, the complaint desk, `search::check --repair`); the indexer
//! (`search::indexer`) drains due rows and deletes them only after the
//! engine confirms, then schedules each subject's next standing change
//! here. Readiness and metrics read the backlog here too.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::min;
use diesel::prelude::*;

use super::schema::search_outbox;
use super::{DbConnection, DbError};
use crate::domain::vocab::SubjectKind;

/// Rows gathered before they are inserted (in statements of
/// [`super::INSERT_BATCH`] rows).
const CHUNK: usize = 8_192;

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
    write(
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
    let due = crate::domain::dates::china_midnight_utc(on);
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

/// Up to `limit` rows due by `now`, the longest due first.
pub fn due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<OutboxRow>, DbError> {
    Ok(search_outbox::table
        .filter(search_outbox::due_at.le(now))
        // By due time, then id: the `due_at` index answers in that order.
        // Ordered by id alone, SQLite read every row in id order to find
        // the due ones (a scan of the nation's 77,000 scheduled refreshes on
        // every idle poll; issue 15).
        .order((search_outbox::due_at, search_outbox::id))
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

/// Adds `(kind key, license number, due at)` rows, all enqueued at
/// `enqueued_at`, a chunk at a time; returns how many.
pub fn write<'a>(
    conn: &mut DbConnection,
    rows: impl IntoIterator<Item = (&'a str, &'a str, NaiveDateTime)>,
    enqueued_at: NaiveDateTime,
) -> Result<usize, DbError> {
    let mut written = 0;
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        chunk.clear();
        chunk.extend(rows.by_ref().take(CHUNK).map(|(kind, key, due)| {
            (
                // Owned: a batch of borrowed values cannot name its
                // statement by type, so diesel would parse it again.
                search_outbox::entity_kind.eq(kind.to_owned()),
                search_outbox::entity_key.eq(key.to_owned()),
                search_outbox::due_at.eq(due),
                search_outbox::enqueued_at.eq(enqueued_at),
            )
        }));
        written += crate::insert_batched!(conn, &chunk, |c, rows| diesel::insert_into(
            search_outbox::table
        )
        .values(rows)
        .execute(c));
    }
    Ok(written)
}

/// The backlog of the search outbox: rows due by now, not rows scheduled
/// for a later standing change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lag {
    /// Rows due (`due_at <= now`) and not yet applied to the index.
    pub due: i64,
    /// Seconds since the oldest due row fell due; 0 when none is due.
    pub oldest_due_age_seconds: i64,
}

/// The due rows of the search outbox at `now` (UTC, the outbox's clock) and
/// the age of the oldest. Both read the `due_at` index.
pub fn lag(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Lag, DbError> {
    let due: i64 = search_outbox::table
        .filter(search_outbox::due_at.le(now))
        .count()
        .get_result(conn)?;
    let oldest: Option<NaiveDateTime> = search_outbox::table
        .filter(search_outbox::due_at.le(now))
        .select(min(search_outbox::due_at))
        .first(conn)?;
    Ok(Lag {
        due,
        oldest_due_age_seconds: oldest.map_or(0, |t| (now - t).num_seconds().max(0)),
    })
}

/// Rows scheduled for later than `now` (time-driven standing changes).
pub fn scheduled_count(conn: &mut DbConnection, now: NaiveDateTime) -> Result<i64, DbError> {
    Ok(search_outbox::table
        .filter(search_outbox::due_at.gt(now))
        .count()
        .get_result(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dates::china_midnight_utc;

    #[test]
    fn refresh_is_due_at_midnight_china_time() {
        let d = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap_or_default();
        assert_eq!(china_midnight_utc(d).to_string(), "2027-02-28 16:00:00");
    }
}
