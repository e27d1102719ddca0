//! Figures for operations: readiness and metrics.

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{complaints, import_batches};
use super::{DbConnection, DbError};

/// What `/metrics` and `/readyz` read from the database.
#[derive(Debug, Clone, Default)]
pub struct OpsFigures {
    /// The search outbox's due rows and their age.
    pub outbox: super::outbox::Lag,
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

/// Reads every figure.
pub fn figures(conn: &mut DbConnection) -> Result<OpsFigures, DbError> {
    let now = super::outbox::now();
    Ok(OpsFigures {
        outbox: super::outbox::lag(conn, now)?,
        outbox_scheduled: super::outbox::scheduled_count(conn, now)?,
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
