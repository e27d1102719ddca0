//! Complaint settings, the key that seals contacts, and the scheduled
//! retention purge. The pure rules live in `domain::complaint`, storage in
//! `db::complaints`, the pages and APIs in `web`.

pub mod crypto;

use std::time::Duration;

use crate::config::Clock;
use crate::db::{self, Pool};

pub use crate::config::ComplaintSettings;

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
