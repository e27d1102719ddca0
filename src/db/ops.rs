//! Figures for operations: readiness and metrics.

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{complaints, import_batches, search_outbox};
use super::{DbConnection, DbError};

/// What `/metrics` and `/readyz` read from the database.
#[derive(Debug, Clone, Default)]
pub struct OpsFigures {
    /// Rows waiting in the search outbox.
    pub outbox_backlog: i64,
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

/// Rows waiting in the search outbox.
pub fn outbox_backlog(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(search_outbox::table.count().get_result(conn)?)
}

/// Reads every figure.
pub fn figures(conn: &mut DbConnection) -> Result<OpsFigures, DbError> {
    Ok(OpsFigures {
        outbox_backlog: outbox_backlog(conn)?,
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
