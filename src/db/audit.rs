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

/// One line of the audit log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Entry {
    /// When, UTC.
    pub at: chrono::NaiveDateTime,
    /// Who: an account, a token or `cli:…`.
    pub actor: String,
    /// What.
    pub action: String,
    /// On what.
    pub target: String,
    /// Details (no personal data).
    pub detail: String,
}

/// What the audit page filters by.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Exactly this actor.
    pub actor: Option<String>,
    /// Actions starting with this.
    pub action: Option<String>,
    /// From this time on (UTC).
    pub from: Option<chrono::NaiveDateTime>,
    /// Before this time (UTC).
    pub until: Option<chrono::NaiveDateTime>,
}

/// The log, newest first: how many match, and `limit` from `offset`.
pub fn list(
    conn: &mut DbConnection,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<Entry>), DbError> {
    let boxed = || {
        let mut q = audit_log::table.into_boxed();
        if let Some(a) = &filter.actor {
            q = q.filter(audit_log::actor.eq(a.clone()));
        }
        if let Some(a) = &filter.action {
            let escaped = a
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            q = q.filter(audit_log::action.like(format!("{escaped}%")).escape('\\'));
        }
        if let Some(t) = filter.from {
            q = q.filter(audit_log::at.ge(t));
        }
        if let Some(t) = filter.until {
            q = q.filter(audit_log::at.lt(t));
        }
        q
    };
    let total: i64 = boxed().count().get_result(conn)?;
    let rows: Vec<(chrono::NaiveDateTime, String, String, String, String)> = boxed()
        .order(audit_log::id.desc())
        .select((
            audit_log::at,
            audit_log::actor,
            audit_log::action,
            audit_log::target,
            audit_log::detail,
        ))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((
        total,
        rows.into_iter()
            .map(|(at, actor, action, target, detail)| Entry {
                at,
                actor,
                action,
                target,
                detail,
            })
            .collect(),
    ))
}
