//! Writing a checked batch: load what exists for the batch's keys in bulk,
//! compare, insert the new rows in multi-row statements, update the changed
//! ones, and add the search outbox rows — all inside the caller's
//! transaction.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::Progress;
use super::report::{Change, Counts, MAX_CHANGES};
use super::validate::Records;
use crate::db::changes::{FeedKind, review_key};
use crate::db::models::*;
use crate::db::schema::*;
use crate::db::{DbConnection, DbError};
use crate::domain::dates::china_midnight_utc;
use crate::domain::plan_rules::{OfficeMove, TransferFacts};
use crate::domain::standing::{ActionRecord, StandingPolicy};
use crate::domain::vocab::{AreaKind, SubjectKind};

/// Keys per `IN (…)` lookup, well under SQLite's bound-parameter limit.
const LOOKUP_CHUNK: usize = 5_000;
/// Bound parameters per multi-row insert (SQLite allows 32,766).
const MAX_BOUND_PARAMETERS: usize = 30_000;
/// New offices and workers are inserted once this many are waiting, so a
/// large batch is never copied whole into rows to insert.
const FLUSH_ROWS: usize = 8_192;

/// What applying a batch did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Counts.
    pub counts: Counts,
    /// Offices and workers whose search documents changed (new ones are
    /// put in the outbox as they are inserted, not listed here).
    pub changed: Vec<(SubjectKind, String)>,
    /// Future dates on which a subject's standing changes by itself.
    pub timed: Vec<(SubjectKind, String, NaiveDate)>,
    /// Offices whose area kind changed (rule 5).
    pub moves: Vec<OfficeMove>,
    /// The office each transfer left, as stored (given or filled in).
    pub transfer_from: HashMap<(String, NaiveDate), Option<String>>,
    /// Transfers recorded because a `workers` row changed the worker's
    /// office (rules 2 and 3 see them like imported transfers).
    pub implied_transfers: Vec<TransferFacts>,
    /// The first changed rows, field by field.
    pub changes: Vec<Change>,
    /// Every change to an office or worker, for the public history:
    /// (kind, key, field, before, after); a new record has an empty field.
    pub history: Vec<(SubjectKind, String, String, String, String)>,
    /// Changed public records for the change feed (new offices and workers
    /// are recorded as they are inserted, not listed here).
    pub feed: Vec<(FeedKind, String)>,
}

impl Applied {
    /// Records a changed office or worker: every field in the public
    /// history, and the row in the report's first changes.
    fn record<A: serde::Serialize, B: serde::Serialize>(
        &mut self,
        kind: SubjectKind,
        row: usize,
        key: &str,
        old: &A,
        new: &B,
    ) {
        let change = Change::between(row, key, old, new);
        self.history.extend(change.fields.iter().map(|f| {
            (
                kind,
                key.to_owned(),
                f.field.clone(),
                f.before.clone(),
                f.after.clone(),
            )
        }));
        if self.changes.len() < MAX_CHANGES {
            self.changes.push(change);
        }
    }

    /// Describes a changed row, up to [`MAX_CHANGES`] of them.
    fn note<A: serde::Serialize, B: serde::Serialize>(
        &mut self,
        row: usize,
        key: &str,
        old: &A,
        new: &B,
    ) {
        if self.changes.len() < MAX_CHANGES {
            self.changes.push(Change::between(row, key, old, new));
        }
    }
}

/// The context of one application.
pub struct Ctx<'a> {
    /// Now, UTC.
    pub now: NaiveDateTime,
    /// Today in China.
    pub today: NaiveDate,
    /// Disclosure windows, for the outbox's time-driven refreshes.
    pub windows: StandingPolicy,
    /// Progress display.
    pub progress: &'a dyn Progress,
    /// Test hook: abort the process (as a crash would) once this many rows
    /// have been written inside the open transaction.
    pub abort_after_rows: Option<usize>,
    written: usize,
}

impl<'a> Ctx<'a> {
    /// A context.
    pub fn new(
        now: NaiveDateTime,
        today: NaiveDate,
        windows: StandingPolicy,
        progress: &'a dyn Progress,
        abort_after_rows: Option<usize>,
    ) -> Self {
        Self {
            now,
            today,
            windows,
            progress,
            abort_after_rows,
            written: 0,
        }
    }

    fn wrote(&mut self, n: usize) {
        self.written += n;
        self.progress.advance(n as u64);
        if self
            .abort_after_rows
            .is_some_and(|limit| self.written >= limit)
        {
            eprintln!(
                "*** aborting the import after {} rows, as asked ***",
                self.written
            );
            std::process::abort();
        }
    }
}

/// Inserts `$rows` in multi-row statements of at most
/// [`MAX_BOUND_PARAMETERS`] values; `$columns` is the row's column count.
macro_rules! insert_chunks {
    ($conn:expr, $ctx:expr, $table:expr, $rows:expr, $columns:expr) => {
        for chunk in $rows.chunks((MAX_BOUND_PARAMETERS / $columns).max(1)) {
            // Batch inserts do not compile against the multi backend.
            $crate::with_backend!(&mut *$conn, |cc| diesel::insert_into($table)
                .values(chunk)
                .execute(cc))?;
            $ctx.wrote(chunk.len());
        }
    };
}

/// Loads rows for `keys` in chunks.
fn load_by<T>(
    conn: &mut DbConnection,
    keys: &[&str],
    mut query: impl FnMut(&mut DbConnection, &[&str]) -> QueryResult<Vec<T>>,
) -> Result<Vec<T>, DbError> {
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(LOOKUP_CHUNK) {
        out.extend(query(conn, chunk)?);
    }
    Ok(out)
}

/// The distinct keys, borrowed from the batch (a large batch is not copied
/// again for its look-ups).
fn unique<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut keys: Vec<&str> = keys.collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Writes `records`, returning counts and what search must refresh.
pub fn apply(
    conn: &mut DbConnection,
    records: &Records,
    ctx: &mut Ctx<'_>,
) -> Result<Applied, DbError> {
    let mut out = Applied::default();
    match records {
        Records::Districts(v) => districts(conn, v, ctx, &mut out)?,
        Records::Offices(v) => offices(conn, v, ctx, &mut out)?,
        Records::Workers(v) => workers(conn, v, ctx, &mut out)?,
        Records::Transfers(v) => transfers(conn, v, ctx, &mut out)?,
        Records::Reviews(v) => reviews(conn, v, ctx, &mut out)?,
        Records::Actions(v) => actions(conn, v, ctx, &mut out)?,
        Records::Commendations(v) => commendations(conn, v, ctx, &mut out)?,
        Records::Announcements(v) => announcements(conn, v, ctx, &mut out)?,
    }
    confirm(conn, records, ctx)?;
    write_history(conn, &mut out, ctx)?;
    write_feed(conn, &mut out, ctx)?;
    outbox(conn, &out, ctx)?;
    Ok(out)
}

fn districts(
    conn: &mut DbConnection,
    rows: &[super::validate::DistrictIn],
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    let keys = unique(rows.iter().map(|r| r.code.as_str()));
    let existing: HashMap<String, District> = load_by(conn, &keys, |c, ks| {
        districts::table
            .filter(districts::code.eq_any(ks.iter().copied()))
            .select(District::as_select())
            .load(c)
    })?
    .into_iter()
    .map(|d| (d.code.clone(), d))
    .collect();
    let mut new = Vec::new();
    for r in rows {
        let old = existing.get(&r.code);
        let mut row = District {
            code: r.code.clone(),
            name: r.name.clone(),
            kind: r.kind.key().to_owned(),
            population: r.population,
            lawyers: r.lawyers,
            borders_sichuan: r.borders_sichuan,
            seat_lat: old.and_then(|o| o.seat_lat),
            seat_lng: old.and_then(|o| o.seat_lng),
            updated_at: old.map_or(ctx.now, |o| o.updated_at),
        };
        match old {
            None => new.push(row),
            Some(o) if *o == row => out.counts.unchanged += 1,
            Some(o) => {
                out.note(r.row, &r.code, o, &row);
                row.updated_at = ctx.now;
                diesel::update(districts::table.find(&row.code))
                    .set(&row)
                    .execute(conn)?;
                out.counts.updated += 1;
                ctx.wrote(1);
            }
        }
    }
    out.counts.inserted += new.len();
    insert_chunks!(conn, ctx, districts::table, &new, 9);
    Ok(())
}

fn offices(
    conn: &mut DbConnection,
    rows: &[super::validate::OfficeIn],
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    let district_codes = unique(rows.iter().map(|r| r.district_code.as_str()));
    let mut townships: HashMap<(String, String), i64> = load_by(conn, &district_codes, |c, ks| {
        townships::table
            .filter(townships::district_code.eq_any(ks.iter().copied()))
            .select(Township::as_select())
            .load(c)
    })?
    .into_iter()
    .map(|t| ((t.district_code, t.name), t.id))
    .collect();
    let mut next_id: i64 = townships::table
        .select(diesel::dsl::max(townships::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0)
        + 1;
    let mut new_townships = Vec::new();
    for r in rows {
        if let Some(name) = &r.township {
            let key = (r.district_code.clone(), name.clone());
            if let std::collections::hash_map::Entry::Vacant(e) = townships.entry(key) {
                e.insert(next_id);
                new_townships.push(NewTownship {
                    id: next_id,
                    district_code: r.district_code.clone(),
                    name: name.clone(),
                    area_kind: r.area_kind.key().to_owned(),
                });
                next_id += 1;
            }
        }
    }
    if !new_townships.is_empty() {
        insert_chunks!(conn, ctx, townships::table, &new_townships, 4);
        if let DbConnection::Pg(pg) = conn {
            // Ids were chosen here; the identity sequence must learn of them.
            diesel::sql_query(
                "SELECT setval(pg_get_serial_sequence('townships', 'id'), \
                 (SELECT COALESCE(MAX(id), 0) + 1 FROM townships), false)",
            )
            .execute(pg)?;
        }
    }

    let keys = unique(rows.iter().map(|r| r.license_no.as_str()));
    let existing: HashMap<String, Office> = load_by(conn, &keys, |c, ks| {
        offices::table
            .filter(offices::license_no.eq_any(ks.iter().copied()))
            .select(Office::as_select())
            .load(c)
    })?
    .into_iter()
    .map(|o| (o.license_no.clone(), o))
    .collect();
    let mut new = Vec::new();
    for r in rows {
        let old = existing.get(&r.license_no);
        let township_id = r.township.as_ref().and_then(|t| {
            townships
                .get(&(r.district_code.clone(), t.clone()))
                .copied()
        });
        let mut row = Office {
            license_no: r.license_no.clone(),
            name: r.name.clone(),
            district_code: r.district_code.clone(),
            township_id,
            area_kind: r.area_kind.key().to_owned(),
            address: r.address.clone(),
            lat: r.lat,
            lng: r.lng,
            phone: r.phone.clone(),
            hours: r.hours.clone(),
            director: r.director.clone(),
            party_org: r.party_org.key().to_owned(),
            practice_areas: r.practice_areas.clone(),
            status: r.status.key().to_owned(),
            established_on: r.established_on,
            updated_at: old.map_or(ctx.now, |o| o.updated_at),
        };
        match old {
            None => {
                new.push(row);
                if new.len() >= FLUSH_ROWS {
                    insert_offices(conn, ctx, out, &mut new)?;
                }
            }
            Some(o) if *o == row => out.counts.unchanged += 1,
            Some(o) => {
                out.record(SubjectKind::Office, r.row, &r.license_no, o, &row);
                if let Some(from) = AreaKind::parse(&o.area_kind)
                    && from != r.area_kind
                {
                    let from_township = match o.township_id {
                        Some(id) => townships::table
                            .find(id)
                            .select(townships::name)
                            .first::<String>(conn)
                            .optional()?,
                        None => None,
                    };
                    record_move(conn, r, from, from_township, ctx.today)?;
                    out.moves.push(OfficeMove {
                        license_no: r.license_no.clone(),
                        from,
                        to: r.area_kind,
                        moved_on: ctx.today,
                    });
                }
                row.updated_at = ctx.now;
                diesel::update(offices::table.find(&row.license_no))
                    .set(&row)
                    .execute(conn)?;
                out.counts.updated += 1;
                out.feed.push((FeedKind::Office, row.license_no.clone()));
                out.changed
                    .push((SubjectKind::Office, row.license_no.clone()));
                ctx.wrote(1);
            }
        }
    }
    insert_offices(conn, ctx, out, &mut new)
}

fn insert_offices(
    conn: &mut DbConnection,
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
    new: &mut Vec<Office>,
) -> Result<(), DbError> {
    out.counts.inserted += new.len();
    out.history.extend(new.iter().map(|o| {
        let (k, e) = (o.license_no.clone(), String::new());
        (SubjectKind::Office, k, e.clone(), e.clone(), e)
    }));
    insert_chunks!(conn, ctx, offices::table, new.as_slice(), 16);
    crate::db::changes::record(
        conn,
        FeedKind::Office,
        new.iter().map(|o| o.license_no.as_str()),
        ctx.now,
    )?;
    enqueue_now(
        conn,
        ctx,
        SubjectKind::Office,
        new.iter().map(|o| o.license_no.as_str()),
    )?;
    new.clear();
    Ok(())
}

/// Outbox rows due now for `keys`, new in this batch (so listed once):
/// written with the rows themselves rather than gathered for the end.
fn enqueue_now<'a>(
    conn: &mut DbConnection,
    ctx: &Ctx<'_>,
    kind: SubjectKind,
    keys: impl Iterator<Item = &'a str>,
) -> Result<(), DbError> {
    crate::db::outbox::write(conn, keys.map(|key| (kind.key(), key, ctx.now)), ctx.now)?;
    Ok(())
}

/// Stores a change of an office's area kind (plan rule 5), once a day.
fn record_move(
    conn: &mut DbConnection,
    r: &super::validate::OfficeIn,
    from: AreaKind,
    from_township: Option<String>,
    today: NaiveDate,
) -> Result<(), DbError> {
    let already: i64 = office_moves::table
        .filter(office_moves::office_license_no.eq(&r.license_no))
        .filter(office_moves::moved_on.eq(today))
        .filter(office_moves::from_area_kind.eq(from.key()))
        .filter(office_moves::to_area_kind.eq(r.area_kind.key()))
        .count()
        .get_result(conn)?;
    if already == 0 {
        diesel::insert_into(office_moves::table)
            .values((
                office_moves::office_license_no.eq(&r.license_no),
                office_moves::moved_on.eq(today),
                office_moves::from_area_kind.eq(from.key()),
                office_moves::to_area_kind.eq(r.area_kind.key()),
                office_moves::from_township.eq(from_township),
                office_moves::to_township.eq(&r.township),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn workers(
    conn: &mut DbConnection,
    rows: &[super::validate::WorkerIn],
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    let keys = unique(rows.iter().map(|r| r.license_no.as_str()));
    let existing: HashMap<String, Worker> = load_by(conn, &keys, |c, ks| {
        workers::table
            .filter(workers::license_no.eq_any(ks.iter().copied()))
            .select(Worker::as_select())
            .load(c)
    })?
    .into_iter()
    .map(|w| (w.license_no.clone(), w))
    .collect();
    let mut new = Vec::new();
    for r in rows {
        let old = existing.get(&r.license_no);
        let mut row = Worker {
            license_no: r.license_no.clone(),
            name: r.name.clone(),
            gender: r.gender.map(|g| g.key().to_owned()),
            office_license_no: r.office_license_no.clone(),
            status: r.status.key().to_owned(),
            first_licensed_on: r.first_licensed_on,
            internship_months: r.internship_months,
            practice_areas: r.practice_areas.clone(),
            adviser_posts: r.adviser_posts.clone(),
            updated_at: old.map_or(ctx.now, |o| o.updated_at),
        };
        match old {
            None => {
                new.push(row);
                if new.len() >= FLUSH_ROWS {
                    insert_workers(conn, ctx, out, &mut new)?;
                }
            }
            Some(o) if *o == row => out.counts.unchanged += 1,
            Some(o) => {
                out.record(SubjectKind::Worker, r.row, &r.license_no, o, &row);
                if let (Some(from), Some(to)) = (&o.office_license_no, &row.office_license_no)
                    && from != to
                {
                    out.implied_transfers.push(TransferFacts {
                        worker_license_no: row.license_no.clone(),
                        worker_first_licensed_on: row.first_licensed_on,
                        from_office_license_no: Some(from.clone()),
                        to_office_license_no: to.clone(),
                        effective_on: r.transferred_on.unwrap_or(ctx.today),
                    });
                }
                row.updated_at = ctx.now;
                diesel::update(workers::table.find(&row.license_no))
                    .set(&row)
                    .execute(conn)?;
                out.counts.updated += 1;
                out.feed.push((FeedKind::Worker, row.license_no.clone()));
                out.changed
                    .push((SubjectKind::Worker, row.license_no.clone()));
                ctx.wrote(1);
            }
        }
    }
    insert_workers(conn, ctx, out, &mut new)?;
    record_implied_transfers(conn, ctx, out)
}

fn insert_workers(
    conn: &mut DbConnection,
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
    new: &mut Vec<Worker>,
) -> Result<(), DbError> {
    out.counts.inserted += new.len();
    out.history.extend(new.iter().map(|w| {
        let (k, e) = (w.license_no.clone(), String::new());
        (SubjectKind::Worker, k, e.clone(), e.clone(), e)
    }));
    insert_chunks!(conn, ctx, workers::table, new.as_slice(), 10);
    crate::db::changes::record(
        conn,
        FeedKind::Worker,
        new.iter().map(|w| w.license_no.as_str()),
        ctx.now,
    )?;
    enqueue_now(
        conn,
        ctx,
        SubjectKind::Worker,
        new.iter().map(|w| w.license_no.as_str()),
    )?;
    new.clear();
    Ok(())
}

/// Stores the transfers that changes of office in a `workers` batch imply,
/// unless the worker already has a transfer on that day: a worker's move
/// between offices is a transfer whichever dataset carries it, so the
/// rules, the profile's history and search all see it.
fn record_implied_transfers(
    conn: &mut DbConnection,
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    if out.implied_transfers.is_empty() {
        return Ok(());
    }
    let keys = unique(
        out.implied_transfers
            .iter()
            .map(|t| t.worker_license_no.as_str()),
    );
    let stored: HashSet<(String, NaiveDate)> = load_by(conn, &keys, |c, ks| {
        transfers::table
            .filter(transfers::worker_license_no.eq_any(ks))
            .select((transfers::worker_license_no, transfers::effective_on))
            .load::<(String, NaiveDate)>(c)
    })?
    .into_iter()
    .collect();
    let new: Vec<NewTransfer> = out
        .implied_transfers
        .iter()
        .filter(|t| !stored.contains(&(t.worker_license_no.clone(), t.effective_on)))
        .map(|t| NewTransfer {
            worker_license_no: t.worker_license_no.clone(),
            from_office_license_no: t.from_office_license_no.clone(),
            to_office_license_no: t.to_office_license_no.clone(),
            effective_on: t.effective_on,
        })
        .collect();
    insert_chunks!(conn, ctx, transfers::table, &new, 4);
    Ok(())
}

fn transfers(
    conn: &mut DbConnection,
    rows: &[super::validate::TransferIn],
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    let keys = unique(rows.iter().map(|r| r.worker_license_no.as_str()));
    let stored: Vec<Transfer> = load_by(conn, &keys, |c, ks| {
        transfers::table
            .filter(transfers::worker_license_no.eq_any(ks.iter().copied()))
            .select(Transfer::as_select())
            .load(c)
    })?;
    let offices_now: HashMap<String, Option<String>> = load_by(conn, &keys, |c, ks| {
        workers::table
            .filter(workers::license_no.eq_any(ks.iter().copied()))
            .select((workers::license_no, workers::office_license_no))
            .load::<(String, Option<String>)>(c)
    })?
    .into_iter()
    .collect();
    let mut latest: HashMap<&str, NaiveDate> = HashMap::new();
    for t in &stored {
        let e = latest
            .entry(t.worker_license_no.as_str())
            .or_insert(t.effective_on);
        *e = (*e).max(t.effective_on);
    }
    let existing: HashMap<(&str, NaiveDate), &Transfer> = stored
        .iter()
        .map(|t| ((t.worker_license_no.as_str(), t.effective_on), t))
        .collect();
    let mut new = Vec::new();
    let mut moved: HashMap<&str, (NaiveDate, &str)> = HashMap::new();
    for r in rows {
        let old = existing.get(&(r.worker_license_no.as_str(), r.effective_on));
        let from = r.from_office_license_no.clone().or_else(|| match old {
            Some(o) => o.from_office_license_no.clone(),
            None => offices_now.get(&r.worker_license_no).cloned().flatten(),
        });
        out.transfer_from
            .insert((r.worker_license_no.clone(), r.effective_on), from.clone());
        match old {
            None => new.push(NewTransfer {
                worker_license_no: r.worker_license_no.clone(),
                from_office_license_no: from,
                to_office_license_no: r.to_office_license_no.clone(),
                effective_on: r.effective_on,
            }),
            Some(o)
                if o.from_office_license_no == from
                    && o.to_office_license_no == r.to_office_license_no =>
            {
                out.counts.unchanged += 1;
            }
            Some(o) => {
                out.note(
                    r.row,
                    &r.worker_license_no,
                    *o,
                    &serde_json::json!({
                        "from_office_license_no": from,
                        "to_office_license_no": r.to_office_license_no,
                    }),
                );
                diesel::update(transfers::table.find(o.id))
                    .set((
                        transfers::from_office_license_no.eq(&from),
                        transfers::to_office_license_no.eq(&r.to_office_license_no),
                    ))
                    .execute(conn)?;
                out.counts.updated += 1;
                ctx.wrote(1);
            }
        }
        let stored_latest = latest.get(r.worker_license_no.as_str()).copied();
        let newest_in_batch = moved
            .get(r.worker_license_no.as_str())
            .is_none_or(|(d, _)| r.effective_on > *d);
        if stored_latest.is_none_or(|d| r.effective_on >= d) && newest_in_batch {
            moved.insert(
                &r.worker_license_no,
                (r.effective_on, &r.to_office_license_no),
            );
        }
    }
    out.counts.inserted += new.len();
    insert_chunks!(conn, ctx, transfers::table, &new, 4);
    for (worker, (_, to)) in moved {
        let now_at = offices_now.get(worker).cloned().flatten();
        if now_at.as_deref() != Some(to) {
            diesel::update(workers::table.find(worker))
                .set((
                    workers::office_license_no.eq(Some(to)),
                    workers::updated_at.eq(ctx.now),
                ))
                .execute(conn)?;
            out.changed.push((SubjectKind::Worker, worker.to_owned()));
            out.feed.push((FeedKind::Worker, worker.to_owned()));
        }
    }
    // A changed transfer history shows on the worker's page and in search.
    let changed_rows = out.counts.inserted + out.counts.updated;
    if changed_rows > 0 {
        let already: HashSet<String> = out.changed.iter().map(|(_, k)| k.clone()).collect();
        let touched: HashSet<&str> = rows
            .iter()
            .filter(|r| !existing.contains_key(&(r.worker_license_no.as_str(), r.effective_on)))
            .map(|r| r.worker_license_no.as_str())
            .collect();
        for w in touched {
            if !already.contains(w) {
                out.changed.push((SubjectKind::Worker, w.to_owned()));
            }
        }
    }
    Ok(())
}

fn reviews(
    conn: &mut DbConnection,
    rows: &[super::validate::ReviewIn],
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    let keys = unique(rows.iter().map(|r| r.subject_license_no.as_str()));
    let stored: Vec<Review> = load_by(conn, &keys, |c, ks| {
        annual_reviews::table
            .filter(annual_reviews::subject_license_no.eq_any(ks.iter().copied()))
            .select(Review::as_select())
            .load(c)
    })?;
    let existing: HashMap<(&str, &str, i32), &Review> = stored
        .iter()
        .map(|r| {
            (
                (
                    r.subject_kind.as_str(),
                    r.subject_license_no.as_str(),
                    r.year,
                ),
                r,
            )
        })
        .collect();
    let mut new = Vec::new();
    for r in rows {
        let row = NewReview {
            subject_kind: r.subject_kind.key().to_owned(),
            subject_license_no: r.subject_license_no.clone(),
            year: r.year,
            outcome: r.outcome.key().to_owned(),
            rectify_by: r.rectify_by,
            note: r.note.clone(),
            rectified_on: r.rectified_on,
        };
        let changed =
            match existing.get(&(r.subject_kind.key(), r.subject_license_no.as_str(), r.year)) {
                None => {
                    new.push(row);
                    true
                }
                Some(o)
                    if o.outcome == row.outcome
                        && o.rectify_by == row.rectify_by
                        && o.rectified_on == row.rectified_on
                        && o.note == row.note =>
                {
                    out.counts.unchanged += 1;
                    false
                }
                Some(o) => {
                    out.note(r.row, &r.subject_license_no, o, &row);
                    diesel::update(annual_reviews::table.find(o.id))
                        .set((
                            annual_reviews::outcome.eq(&row.outcome),
                            annual_reviews::rectify_by.eq(row.rectify_by),
                            annual_reviews::note.eq(&row.note),
                            annual_reviews::rectified_on.eq(row.rectified_on),
                        ))
                        .execute(conn)?;
                    out.counts.updated += 1;
                    ctx.wrote(1);
                    true
                }
            };
        if changed {
            out.feed.push((
                FeedKind::Review,
                review_key(r.subject_kind.key(), &r.subject_license_no, r.year),
            ));
            out.changed
                .push((r.subject_kind, r.subject_license_no.clone()));
            if let Some(by) = r.rectify_by
                && by >= ctx.today
            {
                out.timed.push((
                    r.subject_kind,
                    r.subject_license_no.clone(),
                    by + TimeDelta::days(1),
                ));
            }
        }
    }
    out.counts.inserted += new.len();
    insert_chunks!(conn, ctx, annual_reviews::table, &new, 7);
    Ok(())
}

fn actions(
    conn: &mut DbConnection,
    rows: &[super::validate::ActionIn],
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    let keys = unique(rows.iter().map(|r| r.decision_no.as_str()));
    let stored: Vec<Action> = load_by(conn, &keys, |c, ks| {
        disciplinary_actions::table
            .filter(disciplinary_actions::decision_no.eq_any(ks.iter().copied()))
            .select(Action::as_select())
            .load(c)
    })?;
    let existing: HashMap<&str, &Action> =
        stored.iter().map(|a| (a.decision_no.as_str(), a)).collect();
    let mut new = Vec::new();
    for r in rows {
        let row = NewAction {
            decision_no: r.decision_no.clone(),
            subject_kind: r.subject_kind.key().to_owned(),
            subject_license_no: r.subject_license_no.clone(),
            kind: r.kind.key().to_owned(),
            authority: r.authority.clone(),
            decided_on: r.decided_on,
            facts: r.facts.clone(),
            basis: r.basis.clone(),
            suspended_until: r.suspended_until,
            public_until: r.public_until,
            withdrawn_on: r.withdrawn_on,
            withdrawn_reason: r.withdrawn_reason.clone(),
        };
        let changed = match existing.get(r.decision_no.as_str()) {
            None => {
                new.push(row);
                true
            }
            Some(o) if same_action(o, &row) => {
                out.counts.unchanged += 1;
                false
            }
            Some(o) => {
                out.note(r.row, &r.decision_no, o, &row);
                diesel::update(disciplinary_actions::table.find(o.id))
                    .set((
                        disciplinary_actions::subject_kind.eq(&row.subject_kind),
                        disciplinary_actions::subject_license_no.eq(&row.subject_license_no),
                        disciplinary_actions::kind.eq(&row.kind),
                        disciplinary_actions::authority.eq(&row.authority),
                        disciplinary_actions::decided_on.eq(row.decided_on),
                        disciplinary_actions::facts.eq(&row.facts),
                        disciplinary_actions::basis.eq(&row.basis),
                        disciplinary_actions::suspended_until.eq(row.suspended_until),
                        disciplinary_actions::public_until.eq(row.public_until),
                        disciplinary_actions::withdrawn_on.eq(row.withdrawn_on),
                        disciplinary_actions::withdrawn_reason.eq(&row.withdrawn_reason),
                    ))
                    .execute(conn)?;
                out.counts.updated += 1;
                ctx.wrote(1);
                if o.subject_license_no != row.subject_license_no
                    && let Some(k) = SubjectKind::parse(&o.subject_kind)
                {
                    out.changed.push((k, o.subject_license_no.clone()));
                }
                true
            }
        };
        if changed {
            out.feed.push((FeedKind::Disclosure, r.decision_no.clone()));
            out.changed
                .push((r.subject_kind, r.subject_license_no.clone()));
            let record = ActionRecord {
                decision_no: r.decision_no.clone(),
                kind: r.kind,
                decided_on: r.decided_on,
                suspended_until: r.suspended_until,
                public_until: r.public_until,
                withdrawn_on: r.withdrawn_on,
            };
            let dates = [
                Some(r.decided_on),
                r.suspended_until.map(|d| d + TimeDelta::days(1)),
                Some(record.window_end(&ctx.windows) + TimeDelta::days(1)),
                r.withdrawn_on,
            ];
            for d in dates.into_iter().flatten().filter(|d| *d > ctx.today) {
                out.timed
                    .push((r.subject_kind, r.subject_license_no.clone(), d));
            }
        }
    }
    out.counts.inserted += new.len();
    insert_chunks!(conn, ctx, disciplinary_actions::table, &new, 12);
    Ok(())
}

fn same_action(o: &Action, n: &NewAction) -> bool {
    o.subject_kind == n.subject_kind
        && o.subject_license_no == n.subject_license_no
        && o.kind == n.kind
        && o.authority == n.authority
        && o.decided_on == n.decided_on
        && o.facts == n.facts
        && o.basis == n.basis
        && o.suspended_until == n.suspended_until
        && o.public_until == n.public_until
        && o.withdrawn_on == n.withdrawn_on
        && o.withdrawn_reason == n.withdrawn_reason
}

fn commendations(
    conn: &mut DbConnection,
    rows: &[super::validate::CommendationIn],
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    let keys = unique(rows.iter().map(|r| r.subject_license_no.as_str()));
    let stored: Vec<Commendation> = load_by(conn, &keys, |c, ks| {
        commendations::table
            .filter(commendations::subject_license_no.eq_any(ks.iter().copied()))
            .select(Commendation::as_select())
            .load(c)
    })?;
    let existing: HashMap<(&str, &str, NaiveDate), &Commendation> = stored
        .iter()
        .map(|c| {
            (
                (
                    c.subject_license_no.as_str(),
                    c.title.as_str(),
                    c.awarded_on,
                ),
                c,
            )
        })
        .collect();
    let mut new = Vec::new();
    for r in rows {
        match existing.get(&(
            r.subject_license_no.as_str(),
            r.title.as_str(),
            r.awarded_on,
        )) {
            None => {
                new.push(NewCommendation {
                    subject_kind: r.subject_kind.key().to_owned(),
                    subject_license_no: r.subject_license_no.clone(),
                    title: r.title.clone(),
                    awarded_by: r.awarded_by.clone(),
                    awarded_on: r.awarded_on,
                });
                out.changed
                    .push((r.subject_kind, r.subject_license_no.clone()));
            }
            Some(o) if o.awarded_by == r.awarded_by && o.subject_kind == r.subject_kind.key() => {
                out.counts.unchanged += 1;
            }
            Some(o) => {
                out.note(
                    r.row,
                    &r.subject_license_no,
                    *o,
                    &serde_json::json!({
                        "awarded_by": r.awarded_by,
                        "subject_kind": r.subject_kind.key(),
                    }),
                );
                diesel::update(commendations::table.find(o.id))
                    .set((
                        commendations::awarded_by.eq(&r.awarded_by),
                        commendations::subject_kind.eq(r.subject_kind.key()),
                    ))
                    .execute(conn)?;
                out.counts.updated += 1;
                out.changed
                    .push((r.subject_kind, r.subject_license_no.clone()));
                ctx.wrote(1);
            }
        }
    }
    out.counts.inserted += new.len();
    insert_chunks!(conn, ctx, commendations::table, &new, 5);
    Ok(())
}

fn announcements(
    conn: &mut DbConnection,
    rows: &[super::validate::AnnouncementIn],
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    let keys = unique(rows.iter().map(|r| r.title.as_str()));
    let stored: Vec<Announcement> = load_by(conn, &keys, |c, ks| {
        announcements::table
            .filter(announcements::title.eq_any(ks.iter().copied()))
            .select(Announcement::as_select())
            .load(c)
    })?;
    let existing: HashMap<(&str, NaiveDate), &Announcement> = stored
        .iter()
        .map(|a| ((a.title.as_str(), a.published_on), a))
        .collect();
    let mut new = Vec::new();
    for r in rows {
        let license_nos = r.license_nos.join(";");
        match existing.get(&(r.title.as_str(), r.published_on)) {
            None => new.push(NewAnnouncement {
                kind: r.kind.key().to_owned(),
                title: r.title.clone(),
                body: r.body.clone(),
                published_on: r.published_on,
                license_nos,
            }),
            Some(o)
                if o.kind == r.kind.key() && o.body == r.body && o.license_nos == license_nos =>
            {
                out.counts.unchanged += 1;
            }
            Some(o) => {
                out.note(
                    r.row,
                    &r.title,
                    *o,
                    &serde_json::json!({
                        "kind": r.kind.key(),
                        "body": r.body,
                        "license_nos": license_nos,
                    }),
                );
                diesel::update(announcements::table.find(o.id))
                    .set((
                        announcements::kind.eq(r.kind.key()),
                        announcements::body.eq(&r.body),
                        announcements::license_nos.eq(&license_nos),
                    ))
                    .execute(conn)?;
                out.counts.updated += 1;
                ctx.wrote(1);
            }
        }
    }
    out.counts.inserted += new.len();
    insert_chunks!(conn, ctx, announcements::table, &new, 5);
    Ok(())
}

/// One outbox row per changed office or worker, due now, and one per
/// future date on which a subject's standing changes by itself.
/// Marks every office or worker of the batch, changed or not, as confirmed
/// by this import now (the profile's "信息最后核实于").
fn confirm(conn: &mut DbConnection, records: &Records, ctx: &Ctx<'_>) -> Result<(), DbError> {
    let (kind, keys) = match records {
        Records::Offices(v) => (
            SubjectKind::Office,
            unique(v.iter().map(|r| r.license_no.as_str())),
        ),
        Records::Workers(v) => (
            SubjectKind::Worker,
            unique(v.iter().map(|r| r.license_no.as_str())),
        ),
        _ => return Ok(()),
    };
    use diesel::upsert::excluded;
    let rows: Vec<_> = keys
        .iter()
        .map(|k| {
            (
                record_confirmations::subject_kind.eq(kind.key()),
                record_confirmations::subject_key.eq(*k),
                record_confirmations::confirmed_at.eq(ctx.now),
            )
        })
        .collect();
    for chunk in rows.chunks(MAX_BOUND_PARAMETERS / 3) {
        crate::with_backend!(&mut *conn, |cc| diesel::insert_into(
            record_confirmations::table
        )
        .values(chunk)
        .on_conflict((
            record_confirmations::subject_kind,
            record_confirmations::subject_key
        ))
        .do_update()
        .set(record_confirmations::confirmed_at.eq(excluded(record_confirmations::confirmed_at)))
        .execute(cc))?;
    }
    Ok(())
}

/// Writes the batch's history entries (their batch is set once the batch
/// is stored).
fn write_history(
    conn: &mut DbConnection,
    out: &mut Applied,
    ctx: &mut Ctx<'_>,
) -> Result<(), DbError> {
    let rows: Vec<_> = std::mem::take(&mut out.history)
        .into_iter()
        .map(|(kind, key, field, old, new)| {
            (
                record_history::subject_kind.eq(kind.key()),
                record_history::subject_key.eq(key),
                record_history::field.eq(field),
                record_history::old_value.eq(old),
                record_history::new_value.eq(new),
                record_history::changed_at.eq(ctx.now),
            )
        })
        .collect();
    for chunk in rows.chunks(MAX_BOUND_PARAMETERS / 6) {
        crate::with_backend!(&mut *conn, |cc| diesel::insert_into(record_history::table)
            .values(chunk)
            .execute(cc))?;
    }
    Ok(())
}

/// Moves the batch's changed public records to the end of the change feed
/// (new offices and workers were recorded as they were inserted).
fn write_feed(conn: &mut DbConnection, out: &mut Applied, ctx: &Ctx<'_>) -> Result<(), DbError> {
    let mut feed = std::mem::take(&mut out.feed);
    feed.sort_unstable();
    for kind in [
        FeedKind::Office,
        FeedKind::Worker,
        FeedKind::Review,
        FeedKind::Disclosure,
    ] {
        let keys = feed
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, key)| key.as_str());
        crate::db::changes::record(conn, kind, keys, ctx.now)?;
    }
    Ok(())
}

fn outbox(conn: &mut DbConnection, applied: &Applied, ctx: &mut Ctx<'_>) -> Result<(), DbError> {
    // Each (kind, key, day) once; sorted and deduplicated in place rather
    // than through a hash set, and written a chunk at a time, so a large
    // batch is not copied into rows to insert all at once.
    let mut due: Vec<(&'static str, &str, Option<NaiveDate>)> = applied
        .changed
        .iter()
        .map(|(kind, key)| (kind.key(), key.as_str(), None))
        .chain(
            applied
                .timed
                .iter()
                .map(|(kind, key, day)| (kind.key(), key.as_str(), Some(*day))),
        )
        .collect();
    due.sort_unstable();
    due.dedup();
    crate::db::outbox::write(
        conn,
        due.iter()
            .map(|(kind, key, day)| (*kind, *key, day.map_or(ctx.now, china_midnight_utc))),
        ctx.now,
    )?;
    Ok(())
}
