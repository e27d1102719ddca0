//! Figures for operations: readiness and metrics.

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, min};
use diesel::prelude::*;

use super::schema::{complaints, import_batches, search_outbox};
use super::{DbConnection, DbError};

/// What `/metrics` and `/readyz` read from the database.
#[derive(Debug, Clone, Default)]
pub struct OpsFigures {
    /// The search outbox's due rows and their age.
    pub outbox: OutboxLag,
    /// Rows scheduled for later (time-driven standing changes), not yet due.
    pub outbox_scheduled: i64,
    /// Import batches by status.
    pub imports: Vec<(String, i64)>,
    /// Complaints by status.
    pub complaints: Vec<(String, i64)>,
}

/// Answers `SELECT 1`.
pub fn ping(conn: &mut DbConnection) -> Result<(), DbError> {
    diesel::sql_query("SELECT 1").execute(conn)?;
    Ok(())
}

/// The backlog of the search outbox: rows due by now, not rows scheduled
/// for a later standing change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxLag {
    /// Rows due (`due_at <= now`) and not yet applied to the index.
    pub due: i64,
    /// Seconds since the oldest due row fell due; 0 when none is due.
    pub oldest_due_age_seconds: i64,
}

/// The due rows of the search outbox at `now` (UTC, the outbox's clock) and
/// the age of the oldest. Both read the `due_at` index.
pub fn outbox_lag(conn: &mut DbConnection, now: NaiveDateTime) -> Result<OutboxLag, DbError> {
    let due: i64 = search_outbox::table
        .filter(search_outbox::due_at.le(now))
        .count()
        .get_result(conn)?;
    let oldest: Option<NaiveDateTime> = search_outbox::table
        .filter(search_outbox::due_at.le(now))
        .select(min(search_outbox::due_at))
        .first(conn)?;
    Ok(OutboxLag {
        due,
        oldest_due_age_seconds: oldest.map_or(0, |t| (now - t).num_seconds().max(0)),
    })
}

/// Reads every figure.
pub fn figures(conn: &mut DbConnection) -> Result<OpsFigures, DbError> {
    let now = crate::search::outbox::now();
    Ok(OpsFigures {
        outbox: outbox_lag(conn, now)?,
        outbox_scheduled: search_outbox::table
            .filter(search_outbox::due_at.gt(now))
            .count()
            .get_result(conn)?,
        imports: import_batches::table
            .group_by(import_batches::status)
            .select((import_batches::status, count_star()))
            .load(conn)?,
        complaints: complaints::table
            .group_by(complaints::status)
            .select((complaints::status, count_star()))
            .load(conn)?,
    })
}
