//! The change feed of the open data (`public_changes`): one row per public
//! office, worker, annual review and disciplinary action, at the position
//! of its latest change. Writers replace an entity's row by a new one (a
//! higher id) in the transaction that changes the entity; readers page by
//! id, so they see every entity whose public record changed after their
//! cursor exactly once, and its state as it is when they read it (a
//! tombstone when it is no longer public).
//!
//! **Ids in commit order.** On SQLite there is one writer at a time, and
//! `AUTOINCREMENT` never hands out an id twice. On PostgreSQL ids come from
//! a sequence when a row is inserted, not when its transaction commits: a
//! reader could see id 12 committed while id 11 is still in flight and move
//! its cursor past 11 for good. So every writer of this table first takes
//! the transaction-level advisory lock [`LOCK`] ([`lock`]), held until it
//! commits or rolls back: change-writing transactions run one after the
//! other, and an id becomes visible only after every smaller id has.
//!
//! **Time.** A disclosure enters and leaves the public record on dates
//! (decided on, the window's end, a withdrawal), with nobody writing.
//! [`sweep_disclosures`] turns every such date that has come since the last
//! sweep into a change row, and the disclosures feed runs it before reading.

use chrono::{Months, NaiveDate, NaiveDateTime, SubsecRound, TimeDelta};
use diesel::prelude::*;

use super::models::Action;
use super::schema::{disciplinary_actions, public_changes};
use super::{DbConnection, DbError};
use crate::domain::standing::StandingPolicy;

/// Advisory lock key (PostgreSQL) serialising the writers of the feed.
pub const LOCK: i64 = 0x4348_414E_4745; // "CHANGE"

/// Keys per statement, well under SQLite's bound-parameter limit.
const CHUNK: usize = 5_000;

/// `portal_meta` key: the last day whose disclosure dates are in the feed.
pub const SWEPT_THROUGH: &str = "changes_swept_through";

/// What a feed lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeedKind {
    /// Offices, by license number.
    Office,
    /// Workers, by license number.
    Worker,
    /// Annual reviews, by `subject_kind:license_no:year`.
    Review,
    /// Disciplinary actions, by decision number; public inside their
    /// disclosure window.
    Disclosure,
}

impl FeedKind {
    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Office => "office",
            Self::Worker => "worker",
            Self::Review => "review",
            Self::Disclosure => "disclosure",
        }
    }
}

/// A review's key in the feed.
pub fn review_key(subject_kind: &str, license_no: &str, year: i32) -> String {
    format!("{subject_kind}:{license_no}:{year}")
}

/// One row of the feed.
#[derive(Debug, Clone, Queryable, PartialEq)]
pub struct ChangeRow {
    /// Position in the feed.
    pub id: i64,
    /// The entity's key.
    pub key: String,
    /// When the portal recorded the change (UTC).
    pub changed_at: NaiveDateTime,
}

/// Takes the feed's write lock for the open transaction (PostgreSQL: a
/// transaction-level advisory lock, released at commit or rollback; SQLite:
/// the database's write lock). Call it before the transaction writes
/// anything, so that two writers never wait for each other's rows while
/// one holds this lock.
pub fn lock(conn: &mut DbConnection) -> Result<(), DbError> {
    match conn {
        DbConnection::Pg(pg) => {
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({LOCK})")).execute(pg)?;
            Ok(())
        }
        DbConnection::Sqlite(_) => super::lock_for_writing(conn),
    }
}

/// Records that the public record of `keys` (of `kind`) changed at `now`:
/// each key's row moves to the end of the feed. Inside the writer's
/// transaction; takes [`lock`] (again: it is re-entrant).
pub fn record<'a>(
    conn: &mut DbConnection,
    kind: FeedKind,
    keys: impl IntoIterator<Item = &'a str>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let mut keys: Vec<&str> = keys.into_iter().collect();
    if keys.is_empty() {
        return Ok(());
    }
    keys.sort_unstable();
    keys.dedup();
    // Microseconds, as PostgreSQL keeps them and the feed shows them, so
    // that `modified_after` taken from an entry never catches that entry.
    let now = now.trunc_subsecs(6);
    lock(conn)?;
    for chunk in keys.chunks(CHUNK) {
        diesel::delete(
            public_changes::table
                .filter(public_changes::entity_kind.eq(kind.key()))
                .filter(public_changes::entity_key.eq_any(chunk)),
        )
        .execute(conn)?;
        let rows: Vec<_> = chunk
            .iter()
            .map(|k| {
                (
                    public_changes::entity_kind.eq(kind.key()),
                    // Owned, so that diesel keeps the statement.
                    public_changes::entity_key.eq((*k).to_owned()),
                    public_changes::changed_at.eq(now),
                )
            })
            .collect();
        crate::insert_batched!(conn, &rows, |cc, part| diesel::insert_into(
            public_changes::table
        )
        .values(part)
        .execute(cc));
    }
    Ok(())
}

/// Puts every office, worker, review and disciplinary action in the feed
/// (after a bulk load that bypassed the import, such as the demo data).
pub fn record_all(conn: &mut DbConnection, now: NaiveDateTime) -> Result<(), DbError> {
    use super::schema::{annual_reviews, offices, workers};
    let offices: Vec<String> = offices::table
        .select(offices::license_no)
        .order(offices::license_no)
        .load(conn)?;
    record(
        conn,
        FeedKind::Office,
        offices.iter().map(String::as_str),
        now,
    )?;
    let workers: Vec<String> = workers::table
        .select(workers::license_no)
        .order(workers::license_no)
        .load(conn)?;
    record(
        conn,
        FeedKind::Worker,
        workers.iter().map(String::as_str),
        now,
    )?;
    let reviews: Vec<String> = annual_reviews::table
        .select((
            annual_reviews::subject_kind,
            annual_reviews::subject_license_no,
            annual_reviews::year,
        ))
        .load::<(String, String, i32)>(conn)?
        .into_iter()
        .map(|(k, no, y)| review_key(&k, &no, y))
        .collect();
    record(
        conn,
        FeedKind::Review,
        reviews.iter().map(String::as_str),
        now,
    )?;
    let actions: Vec<String> = disciplinary_actions::table
        .select(disciplinary_actions::decision_no)
        .load(conn)?;
    record(
        conn,
        FeedKind::Disclosure,
        actions.iter().map(String::as_str),
        now,
    )
}

/// Up to `limit` rows of `kind` after the row `after` (a cursor), or, with
/// no cursor, those changed after `modified_after` (or all), in feed order.
pub fn page(
    conn: &mut DbConnection,
    kind: FeedKind,
    after: Option<i64>,
    modified_after: Option<NaiveDateTime>,
    limit: i64,
) -> Result<Vec<ChangeRow>, DbError> {
    let mut q = public_changes::table
        .filter(public_changes::entity_kind.eq(kind.key()))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(public_changes::id.gt(after));
    } else if let Some(t) = modified_after {
        q = q.filter(public_changes::changed_at.gt(t));
    }
    Ok(q.order(public_changes::id)
        .limit(limit)
        .select((
            public_changes::id,
            public_changes::entity_key,
            public_changes::changed_at,
        ))
        .load(conn)?)
}

/// The feed's last position for `kind` (0 when it is empty): where a
/// reader who has seen everything resumes.
pub fn last_id(conn: &mut DbConnection, kind: FeedKind) -> Result<i64, DbError> {
    Ok(public_changes::table
        .filter(public_changes::entity_kind.eq(kind.key()))
        .select(diesel::dsl::max(public_changes::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// The days on which a disciplinary action enters or leaves the public
/// record by time alone: its decision, the day after its window's last day,
/// its withdrawal.
fn turning_days(a: &Action, windows: &StandingPolicy) -> Vec<NaiveDate> {
    let Some(rec) = a.record() else {
        return Vec::new();
    };
    [
        Some(a.decided_on),
        rec.window_end(windows)
            .checked_add_signed(TimeDelta::days(1)),
        a.withdrawn_on,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Writes a change row for every disciplinary action that entered or left
/// its disclosure window on a day after the last sweep and up to `today`,
/// and remembers `today`. Cheap when today was swept already (one read).
/// The first sweep of a database touches every action once.
pub fn sweep_disclosures(
    conn: &mut DbConnection,
    today: NaiveDate,
    windows: &StandingPolicy,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let swept = |c: &mut DbConnection| -> Result<Option<NaiveDate>, DbError> {
        Ok(super::meta::get(c, SWEPT_THROUGH)?.and_then(|v| v.parse().ok()))
    };
    if swept(conn)?.is_some_and(|d| d >= today) {
        return Ok(());
    }
    conn.transaction(|c| {
        lock(c)?;
        let last = swept(c)?;
        if last.is_some_and(|d| d >= today) {
            return Ok(());
        }
        let mut q = disciplinary_actions::table.into_boxed();
        if let Some(last) = last {
            // A default window ends at most `years` after the decision;
            // later ends are explicit `public_until` dates.
            let years = windows.long_years.max(windows.short_years) + 1;
            let reach = last
                .checked_sub_months(Months::new(12 * years))
                .unwrap_or(NaiveDate::MIN);
            q = q.filter(
                disciplinary_actions::decided_on
                    .ge(reach)
                    .or(disciplinary_actions::public_until.ge(last))
                    .or(disciplinary_actions::withdrawn_on.gt(last)),
            );
        }
        let actions: Vec<Action> = q.select(Action::as_select()).load(c)?;
        let due: Vec<&str> = actions
            .iter()
            .filter(|a| {
                turning_days(a, windows)
                    .into_iter()
                    .any(|d| last.is_none_or(|l| d > l) && d <= today)
            })
            .map(|a| a.decision_no.as_str())
            .collect();
        record(c, FeedKind::Disclosure, due, now)?;
        super::meta::set(c, SWEPT_THROUGH, &today.to_string())?;
        Ok(())
    })
}
