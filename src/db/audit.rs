//! The audit log: every admin call, by token name (never the token).

use chrono::Utc;
use diesel::prelude::*;

use super::schema::audit_log;
use super::{DbConnection, DbError};

/// Records that `actor` did `action` on `target`; `detail` is free text or
/// JSON and must not carry personal data.
pub fn record(
    conn: &mut DbConnection,
    actor: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), DbError> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(Utc::now().naive_utc()),
            audit_log::actor.eq(actor),
            audit_log::action.eq(action),
            audit_log::target.eq(target),
            audit_log::detail.eq(detail),
        ))
        .execute(conn)?;
    Ok(())
}
