//! Complaint settings, the key that seals contacts, and the scheduled
//! retention purge. The pure rules live in `domain::complaint`, storage in
//! `db::complaints`, the pages and APIs in `web`.

pub mod crypto;

use std::time::Duration;

use crate::config::Clock;
use crate::db::{self, Pool};
use crate::domain::complaint::Deadlines;
use crate::web::rate_limit::Rate;

/// What the complaint desk is configured with.
#[derive(Clone)]
pub struct ComplaintSettings {
    /// `LEGAL_PORTAL_COMPLAINT_KEY`: 64 hex characters or base64 of 32
    /// bytes. Unset: a key is kept in `<data dir>/complaint.key`. Never
    /// logged.
    pub key: Option<String>,
    /// Days to accept and to conclude.
    pub deadlines: Deadlines,
    /// Days after a complaint is declined or concluded before its personal
    /// data is purged.
    pub retention_days: u32,
    /// Filings allowed per address (form and API together).
    pub submit_rate: Rate,
    /// Status look-ups allowed per address (page and API together).
    pub lookup_rate: Rate,
    /// How often the retention job runs.
    pub purge_every: Duration,
}

impl Default for ComplaintSettings {
    fn default() -> Self {
        Self {
            key: None,
            deadlines: Deadlines::default(),
            retention_days: 730,
            submit_rate: Rate::per_hour(10),
            lookup_rate: Rate::per_hour(120),
            purge_every: Duration::from_secs(3600),
        }
    }
}

impl std::fmt::Debug for ComplaintSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComplaintSettings")
            .field("key", &self.key.as_ref().map(|_| "***"))
            .field("deadlines", &self.deadlines)
            .field("retention_days", &self.retention_days)
            .field("submit_rate", &self.submit_rate)
            .field("lookup_rate", &self.lookup_rate)
            .finish_non_exhaustive()
    }
}

/// Runs the retention purge once for `clock`'s today.
pub fn purge_once(
    conn: &mut db::DbConnection,
    clock: &Clock,
    retention_days: u32,
) -> Result<usize, db::DbError> {
    db::complaints::purge_closed(conn, retention_days, clock.today(), clock.now_utc())
}

/// Starts the retention purge on the current runtime: at start, then every
/// `every`. Logs counts only.
pub fn spawn_retention_job(pool: Pool, clock: Clock, retention_days: u32, every: Duration) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(every);
        loop {
            tick.tick().await;
            let pool = pool.clone();
            let run = actix_web::web::block(move || -> Result<usize, db::DbError> {
                let mut conn = pool.get()?;
                purge_once(&mut conn, &clock, retention_days)
            })
            .await;
            match run {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::info!(purged = n, "complaint retention purge"),
                Ok(Err(e)) => tracing::warn!(error = %e, "complaint retention purge failed"),
                Err(e) => tracing::warn!(error = %e, "complaint retention purge failed"),
            }
        }
    });
}
