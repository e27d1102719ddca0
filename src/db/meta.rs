//! Small facts about the database itself (`portal_meta`), such as whether it
//! holds demo data.

use diesel::prelude::*;

use super::schema::{districts, portal_meta};
use super::{DbConnection, DbError};

/// Key under which the demo scale is recorded when demo data is loaded.
pub const DEMO_SCALE: &str = "demo_scale";

/// Key under which the standing settings the search index was last built
/// under are recorded (JSON): a start under other settings rebuilds it.
pub const SEARCH_POLICY: &str = "search_standing_policy";

/// Key under which a running rebuild of the search index records when it
/// started: one rebuild at a time, and no portal drains the outbox
/// meanwhile (a change drained into the old index would be lost with it).
pub const SEARCH_REBUILD: &str = "search_rebuild_started";

/// Key under which a running rebuild records that it is still alive: it
/// beats every [`REBUILD_BEAT_EVERY`] while it runs.
pub const SEARCH_REBUILD_BEAT: &str = "search_rebuild_beat";

/// How often a running rebuild renews its claim.
pub const REBUILD_BEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a rebuild's claim holds after its last beat: a rebuild killed
/// half-way (its process gone) pauses the drains this long at most, not
/// the length of a rebuild.
pub const REBUILD_CLAIM_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::seconds(45);

const STAMP: &str = "%Y-%m-%dT%H:%M:%S%.f";

/// PostgreSQL's transaction-level advisory lock around a rebuild's claim.
const REBUILD_CLAIM_LOCK: i64 = 0x4ADF_5A1E_8C3B_7754;

/// The time stored under `key`, if it is less than `lifetime` before `now`.
fn recent(
    conn: &mut DbConnection,
    key: &str,
    now: chrono::NaiveDateTime,
    lifetime: chrono::TimeDelta,
) -> Result<Option<chrono::NaiveDateTime>, DbError> {
    Ok(get(conn, key)?
        .and_then(|v| chrono::NaiveDateTime::parse_from_str(&v, STAMP).ok())
        .filter(|at| now - *at < lifetime))
}

/// Deletes the value under `key`.
fn remove(conn: &mut DbConnection, key: &str) -> Result<(), DbError> {
    diesel::delete(portal_meta::table.filter(portal_meta::key.eq(key))).execute(conn)?;
    Ok(())
}

/// Claims the search rebuild at `now` (UTC): `None` when claimed, else the
/// start of the rebuild that holds it (claimed less than
/// [`REBUILD_CLAIM_LIFETIME`] ago).
pub fn claim_rebuild(
    conn: &mut DbConnection,
    now: chrono::NaiveDateTime,
) -> Result<Option<chrono::NaiveDateTime>, DbError> {
    conn.transaction(|c| {
        // Claims one after another: SQLite's write lock, PostgreSQL's
        // transaction-level advisory lock.
        match c {
            DbConnection::Sqlite(_) => super::lock_for_writing(c)?,
            DbConnection::Pg(pg) => {
                diesel::sql_query(format!(
                    "SELECT pg_advisory_xact_lock({REBUILD_CLAIM_LOCK})"
                ))
                .execute(pg)?;
            }
        }
        if let Some(held) = rebuild_started(c, now)? {
            return Ok(Some(held));
        }
        let stamp = now.format(STAMP).to_string();
        set(c, SEARCH_REBUILD, &stamp)?;
        set(c, SEARCH_REBUILD_BEAT, &stamp)?;
        Ok(None)
    })
}

/// Renews the running rebuild's claim at `now`.
pub fn rebuild_beat(conn: &mut DbConnection, now: chrono::NaiveDateTime) -> Result<(), DbError> {
    set(conn, SEARCH_REBUILD_BEAT, &now.format(STAMP).to_string())
}

/// When the rebuild running now started, if one is (its last beat less
/// than [`REBUILD_CLAIM_LIFETIME`] before `now`).
pub fn rebuild_started(
    conn: &mut DbConnection,
    now: chrono::NaiveDateTime,
) -> Result<Option<chrono::NaiveDateTime>, DbError> {
    let Some(beat) = recent(conn, SEARCH_REBUILD_BEAT, now, REBUILD_CLAIM_LIFETIME)? else {
        return Ok(None);
    };
    Ok(Some(
        get(conn, SEARCH_REBUILD)?
            .and_then(|v| chrono::NaiveDateTime::parse_from_str(&v, STAMP).ok())
            .unwrap_or(beat),
    ))
}

/// Key under which the process draining the search outbox records when
/// its drains last failed, while they keep failing: every portal's
/// readiness then says the indexer is failing (degraded, 200), as the
/// drainer's own does, instead of the others calling the lag theirs (503).
pub const SEARCH_DRAIN_FAILING: &str = "search_drain_failed_at";

/// How long a recorded drain failure counts: the failing drainer records
/// each failed attempt (every few seconds); one that died stops counting.
pub const DRAIN_FAILING_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// Records a failed drain at `now`.
pub fn drain_failed(conn: &mut DbConnection, now: chrono::NaiveDateTime) -> Result<(), DbError> {
    set(conn, SEARCH_DRAIN_FAILING, &now.format(STAMP).to_string())
}

/// Clears the record of failed drains (they succeed again).
pub fn drain_recovered(conn: &mut DbConnection) -> Result<(), DbError> {
    remove(conn, SEARCH_DRAIN_FAILING)
}

/// What every portal on the database should say of the search indexer at
/// `now`, whichever process drains: whether a rebuild runs (a fresh
/// claim), and whether the drains keep failing (a failure recorded less
/// than [`DRAIN_FAILING_LIFETIME`] ago).
pub fn fleet_indexer(
    conn: &mut DbConnection,
    now: chrono::NaiveDateTime,
) -> Result<(bool, bool), DbError> {
    let rebuilding = rebuild_started(conn, now)?.is_some();
    let failing = recent(conn, SEARCH_DRAIN_FAILING, now, DRAIN_FAILING_LIFETIME)?.is_some();
    Ok((rebuilding, failing))
}

/// Releases the rebuild's claim.
pub fn release_rebuild(conn: &mut DbConnection) -> Result<(), DbError> {
    remove(conn, SEARCH_REBUILD_BEAT)?;
    remove(conn, SEARCH_REBUILD)
}

/// Reads a value.
pub fn get(conn: &mut DbConnection, key: &str) -> Result<Option<String>, DbError> {
    Ok(portal_meta::table
        .filter(portal_meta::key.eq(key))
        .select(portal_meta::value)
        .first::<String>(conn)
        .optional()?)
}

/// Writes a value, replacing any earlier one.
pub fn set(conn: &mut DbConnection, key: &str, value: &str) -> Result<(), DbError> {
    // One statement: two portals setting the key at once (both starting
    // on an empty database) both succeed, where a delete then an insert
    // made the second fail on the key on PostgreSQL.
    crate::with_backend!(conn, |c| diesel::insert_into(portal_meta::table)
        .values((portal_meta::key.eq(key), portal_meta::value.eq(value)))
        .on_conflict(portal_meta::key)
        .do_update()
        .set(portal_meta::value.eq(value))
        .execute(c))?;
    Ok(())
}

/// Whether the database holds no districts yet (a fresh database).
pub fn is_empty(conn: &mut DbConnection) -> Result<bool, DbError> {
    let n: i64 = districts::table.count().get_result(conn)?;
    Ok(n == 0)
}
