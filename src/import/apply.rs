//! Writing a checked batch: load what exists for the batch's keys in bulk,
//! compare, insert the new rows in multi-row statements, update the changed
//! ones, and add the search outbox rows — all inside the caller's
//! transaction.

use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::Progress;
use super::report::{Change, Counts, MAX_CHANGES};
use super::validate::Records;
use crate::db::changes::{FeedKind, review_key};
use crate::db::models::*;
use crate::db::schema::*;
use crate::db::{DbConnection, DbError};
use crate::domain::plan_rules::{OfficeMove, TransferFacts};
use crate::domain::vocab::{AreaKind, SubjectKind};

/// Keys per `IN (…)` lookup, well under SQLite's bound-parameter limit.
const LOOKUP_CHUNK: usize = 5_000;
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
    /// A hash of every changed row, field by field, in the batch's order,
    /// when asked for ([`Ctx::digest_changes`]): a preview's mark covers
    /// the rows past the first [`MAX_CHANGES`] too.
    pub digest: Option<Sha256>,
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
        self.digest_of(&change);
        self.history.extend(
            change
                .fields
                .iter()
                .filter(|f| public_field(kind, &f.field))
                .map(|f| {
                    (
                        kind,
                        key.to_owned(),
                        f.field.clone(),
                        f.before.clone(),
                        f.after.clone(),
                    )
                }),
        );
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
        if self.changes.len() < MAX_CHANGES || self.digest.is_some() {
            let change = Change::between(row, key, old, new);
            self.digest_of(&change);
            if self.changes.len() < MAX_CHANGES {
                self.changes.push(change);
            }
        }
    }

    fn digest_of(&mut self, change: &Change) {
        if let Some(d) = &mut self.digest {
            d.update(serde_json::to_vec(change).unwrap_or_default());
            d.update(b"\n");
        }
    }
}

/// Whether a changed field may go into the public history, the feeds and
/// the webhooks: a worker's internship months are the bureau's, not shown
/// on any public page or answer (the import report, for the clerk, still
/// lists them).
fn public_field(kind: SubjectKind, field: &str) -> bool {
    !matches!((kind, field), (SubjectKind::Worker, "internship_months"))
}

/// The context of one application.
pub struct Ctx<'a> {
    /// Now, UTC.
    pub now: NaiveDateTime,
    /// Today in China.
    pub today: NaiveDate,
    /// Progress display.
    pub progress: &'a dyn Progress,
    /// Test hook: abort the process (as a crash would) once this many rows
    /// have been written inside the open transaction.
    pub abort_after_rows: Option<usize>,
    /// Optional columns the sheet does not have: an existing office,
    /// worker or district keeps what it holds there (a sheet without 电话
    /// does not clear every office's phone). An empty cell of a column the
    /// sheet has still clears it.
    pub kept: HashSet<&'static str>,
    /// Hash every changed row into [`Applied::digest`] (a preview, or an
    /// apply checked against one); off for other imports, which pay
    /// nothing for it.
    pub digest_changes: bool,
    written: usize,
}

impl<'a> Ctx<'a> {
    /// A context.
    pub fn new(
        now: NaiveDateTime,
        today: NaiveDate,
        progress: &'a dyn Progress,
        abort_after_rows: Option<usize>,
    ) -> Self {
        Self {
            now,
            today,
            progress,
            abort_after_rows,
            kept: HashSet::new(),
            digest_changes: false,
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

/// Inserts `$rows` in multi-row statements ([`crate::insert_batched!`])
/// and counts them as written.
macro_rules! insert_chunks {
    ($conn:expr, $ctx:expr, $table:expr, $rows:expr) => {
        let written =
            $crate::insert_batched!($conn, $rows, |cc, chunk| diesel::insert_into($table)
                .values(chunk)
                .execute(cc));
        $ctx.wrote(written);
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
    let mut out = Applied {
        digest: ctx.digest_changes.then(Sha256::new),
        ..Applied::default()
    };
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

/// How one row of a batch compared with what was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Nothing stored under its key: inserted.
    New,
    /// Stored as it is.
    Unchanged,
    /// Stored differently: updated.
    Updated,
}

/// One dataset as [`write_rows`] applies it: how its rows are keyed,
/// loaded in bulk, compared, updated and inserted. Implemented by a value
/// that carries what the dataset needs besides its rows (the townships of
/// an `offices` batch, the workers' offices of a `transfers` batch).
trait Dataset<'r> {
    /// A checked row of the batch.
    type In: 'r;
    /// A row as stored.
    type Stored;
    /// The row the batch's row becomes: inserted, or compared with the
    /// stored one.
    type Row;
    /// What identifies a row, in the batch and in the table alike.
    type Key<'a>: Eq + Hash;
    /// New rows are inserted once this many are waiting.
    const FLUSH: usize = usize::MAX;

    /// The value looked up in bulk (`IN (…)`) for a row of the batch.
    fn lookup(r: &Self::In) -> &str;
    /// The stored rows for `keys`.
    fn load(conn: &mut DbConnection, keys: &[&str]) -> QueryResult<Vec<Self::Stored>>;
    /// A stored row's key.
    fn stored_key(s: &Self::Stored) -> Self::Key<'_>;
    /// A batch row's key.
    fn key(r: &Self::In) -> Self::Key<'_>;
    /// Sees the stored rows once they are loaded.
    fn loaded(&mut self, _stored: &[Self::Stored]) {}
    /// The row `r` becomes, given what is stored under its key.
    fn row(
        &mut self,
        r: &'r Self::In,
        old: Option<&Self::Stored>,
        ctx: &Ctx<'_>,
        out: &mut Applied,
    ) -> Self::Row;
    /// Whether the stored row already says what `row` says.
    fn same(old: &Self::Stored, row: &Self::Row) -> bool;
    /// Notes the change and updates the stored row.
    fn update(
        &mut self,
        conn: &mut DbConnection,
        ctx: &mut Ctx<'_>,
        out: &mut Applied,
        r: &'r Self::In,
        old: &Self::Stored,
        row: Self::Row,
    ) -> Result<(), DbError>;
    /// Inserts new rows (already counted).
    fn insert(
        &mut self,
        conn: &mut DbConnection,
        ctx: &mut Ctx<'_>,
        out: &mut Applied,
        new: &[Self::Row],
    ) -> Result<(), DbError>;
    /// What follows from a row once it is written or found unchanged.
    fn after(&mut self, _r: &'r Self::In, _outcome: Outcome, _ctx: &Ctx<'_>, _out: &mut Applied) {}
}

/// Applies `rows` of one dataset: loads what is stored for their keys in
/// bulk, then compares each row, updates the changed ones and inserts the
/// new ones in multi-row statements.
fn write_rows<'r, D: Dataset<'r>>(
    conn: &mut DbConnection,
    rows: &'r [D::In],
    dataset: &mut D,
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    let keys = unique(rows.iter().map(D::lookup));
    let stored: Vec<D::Stored> = load_by(conn, &keys, D::load)?;
    dataset.loaded(&stored);
    let existing: HashMap<D::Key<'_>, &D::Stored> =
        stored.iter().map(|s| (D::stored_key(s), s)).collect();
    let mut new = Vec::new();
    for r in rows {
        let old = existing.get(&D::key(r)).copied();
        let row = dataset.row(r, old, ctx, out);
        let outcome = match old {
            None => {
                new.push(row);
                if new.len() >= D::FLUSH {
                    insert_new(conn, dataset, ctx, out, &mut new)?;
                }
                Outcome::New
            }
            Some(o) if D::same(o, &row) => {
                out.counts.unchanged += 1;
                Outcome::Unchanged
            }
            Some(o) => {
                dataset.update(conn, ctx, out, r, o, row)?;
                out.counts.updated += 1;
                ctx.wrote(1);
                Outcome::Updated
            }
        };
        dataset.after(r, outcome, ctx, out);
    }
    insert_new(conn, dataset, ctx, out, &mut new)
}

/// Counts and inserts the waiting new rows.
fn insert_new<'r, D: Dataset<'r>>(
    conn: &mut DbConnection,
    dataset: &mut D,
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
    new: &mut Vec<D::Row>,
) -> Result<(), DbError> {
    out.counts.inserted += new.len();
    dataset.insert(conn, ctx, out, new)?;
    new.clear();
    Ok(())
}

/// A `districts` batch.
struct Districts;

impl<'r> Dataset<'r> for Districts {
    type In = super::validate::DistrictIn;
    type Stored = District;
    type Row = District;
    type Key<'a> = &'a str;

    fn lookup(r: &Self::In) -> &str {
        &r.code
    }

    fn load(c: &mut DbConnection, ks: &[&str]) -> QueryResult<Vec<District>> {
        districts::table
            .filter(districts::code.eq_any(ks.iter().copied()))
            .select(District::as_select())
            .load(c)
    }

    fn stored_key(s: &District) -> &str {
        &s.code
    }

    fn key(r: &Self::In) -> &str {
        &r.code
    }

    fn row(
        &mut self,
        r: &Self::In,
        old: Option<&District>,
        ctx: &Ctx<'_>,
        _out: &mut Applied,
    ) -> District {
        let kept = |k: &str| old.filter(|_| ctx.kept.contains(k));
        District {
            code: r.code.clone(),
            name: r.name.clone(),
            kind: r.kind.key().to_owned(),
            population: r.population,
            lawyers: r.lawyers,
            borders_sichuan: kept("borders_sichuan")
                .map_or(r.borders_sichuan, |o| o.borders_sichuan),
            seat_lat: old.and_then(|o| o.seat_lat),
            seat_lng: old.and_then(|o| o.seat_lng),
            updated_at: old.map_or(ctx.now, |o| o.updated_at),
        }
    }

    fn same(old: &District, row: &District) -> bool {
        old == row
    }

    fn update(
        &mut self,
        conn: &mut DbConnection,
        ctx: &mut Ctx<'_>,
        out: &mut Applied,
        r: &Self::In,
        old: &District,
        mut row: District,
    ) -> Result<(), DbError> {
        out.note(r.row, &r.code, old, &row);
        row.updated_at = ctx.now;
        diesel::update(districts::table.find(&row.code))
            .set(&row)
            .execute(conn)?;
        Ok(())
    }

    fn insert(
        &mut self,
        conn: &mut DbConnection,
        ctx: &mut Ctx<'_>,
        _out: &mut Applied,
        new: &[District],
    ) -> Result<(), DbError> {
        insert_chunks!(conn, ctx, districts::table, new);
        Ok(())
    }
}

fn districts(
    conn: &mut DbConnection,
    rows: &[super::validate::DistrictIn],
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    write_rows(conn, rows, &mut Districts, ctx, out)
}

/// An `offices` batch, with the townships of its districts (by district
/// code and name).
struct Offices {
    townships: HashMap<(String, String), i64>,
}

impl<'r> Dataset<'r> for Offices {
    type In = super::validate::OfficeIn;
    type Stored = Office;
    type Row = Office;
    type Key<'a> = &'a str;
    const FLUSH: usize = FLUSH_ROWS;

    fn lookup(r: &Self::In) -> &str {
        &r.license_no
    }

    fn load(c: &mut DbConnection, ks: &[&str]) -> QueryResult<Vec<Office>> {
        offices::table
            .filter(offices::license_no.eq_any(ks.iter().copied()))
            .select(Office::as_select())
            .load(c)
    }

    fn stored_key(s: &Office) -> &str {
        &s.license_no
    }

    fn key(r: &Self::In) -> &str {
        &r.license_no
    }

    fn row(
        &mut self,
        r: &Self::In,
        old: Option<&Office>,
        ctx: &Ctx<'_>,
        _out: &mut Applied,
    ) -> Office {
        let kept = |k: &str| old.filter(|_| ctx.kept.contains(k));
        let township_id = match kept("township") {
            Some(o) => o.township_id,
            None => r.township.as_ref().and_then(|t| {
                self.townships
                    .get(&(r.district_code.clone(), t.clone()))
                    .copied()
            }),
        };
        let text = |k: &str, new: &String, stored: fn(&Office) -> &String| {
            kept(k).map_or_else(|| new.clone(), |o| stored(o).clone())
        };
        Office {
            license_no: r.license_no.clone(),
            name: r.name.clone(),
            district_code: r.district_code.clone(),
            township_id,
            area_kind: r.area_kind.key().to_owned(),
            address: text("address", &r.address, |o| &o.address),
            lat: kept("lat").map_or(r.lat, |o| o.lat),
            lng: kept("lng").map_or(r.lng, |o| o.lng),
            phone: text("phone", &r.phone, |o| &o.phone),
            hours: text("hours", &r.hours, |o| &o.hours),
            director: text("director", &r.director, |o| &o.director),
            party_org: kept("party_org")
                .map_or_else(|| r.party_org.key().to_owned(), |o| o.party_org.clone()),
            practice_areas: text("practice_areas", &r.practice_areas, |o| &o.practice_areas),
            status: r.status.key().to_owned(),
            established_on: kept("established_on").map_or(r.established_on, |o| o.established_on),
            updated_at: old.map_or(ctx.now, |o| o.updated_at),
        }
    }

    fn same(old: &Office, row: &Office) -> bool {
        old == row
    }

    fn update(
        &mut self,
        conn: &mut DbConnection,
        ctx: &mut Ctx<'_>,
        out: &mut Applied,
        r: &Self::In,
        o: &Office,
        mut row: Office,
    ) -> Result<(), DbError> {
        let history_from = out.history.len();
        out.record(SubjectKind::Office, r.row, &r.license_no, o, &row);
        // The township by its name, as the import and the page give it,
        // not by the row id it is stored under ("乡镇街道由 37 变更为 41").
        if let Some(entry) = out.history[history_from..]
            .iter_mut()
            .find(|e| e.2 == "township_id")
        {
            let before = match o.township_id {
                Some(id) => townships::table
                    .find(id)
                    .select(townships::name)
                    .first::<String>(conn)
                    .optional()?
                    .unwrap_or_default(),
                None => String::new(),
            };
            entry.2 = "township".to_owned();
            entry.3 = before;
            entry.4 = r.township.clone().unwrap_or_default();
        }
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
        out.feed.push((FeedKind::Office, row.license_no.clone()));
        out.changed
            .push((SubjectKind::Office, row.license_no.clone()));
        Ok(())
    }

    fn insert(
        &mut self,
        conn: &mut DbConnection,
        ctx: &mut Ctx<'_>,
        out: &mut Applied,
        new: &[Office],
    ) -> Result<(), DbError> {
        out.history.extend(new.iter().map(|o| {
            let (k, e) = (o.license_no.clone(), String::new());
            (SubjectKind::Office, k, e.clone(), e.clone(), e)
        }));
        insert_chunks!(conn, ctx, offices::table, new);
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
        )
    }
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
        insert_chunks!(conn, ctx, townships::table, &new_townships);
        if let DbConnection::Pg(pg) = conn {
            // Ids were chosen here; the identity sequence must learn of them.
            diesel::sql_query(
                "SELECT setval(pg_get_serial_sequence('townships', 'id'), \
                 (SELECT COALESCE(MAX(id), 0) + 1 FROM townships), false)",
            )
            .execute(pg)?;
        }
    }
    write_rows(conn, rows, &mut Offices { townships }, ctx, out)
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

/// A `workers` batch.
struct Workers;

impl<'r> Dataset<'r> for Workers {
    type In = super::validate::WorkerIn;
    type Stored = Worker;
    type Row = Worker;
    type Key<'a> = &'a str;
    const FLUSH: usize = FLUSH_ROWS;

    fn lookup(r: &Self::In) -> &str {
        &r.license_no
    }

    fn load(c: &mut DbConnection, ks: &[&str]) -> QueryResult<Vec<Worker>> {
        workers::table
            .filter(workers::license_no.eq_any(ks.iter().copied()))
            .select(Worker::as_select())
            .load(c)
    }

    fn stored_key(s: &Worker) -> &str {
        &s.license_no
    }

    fn key(r: &Self::In) -> &str {
        &r.license_no
    }

    fn row(
        &mut self,
        r: &Self::In,
        old: Option<&Worker>,
        ctx: &Ctx<'_>,
        _out: &mut Applied,
    ) -> Worker {
        let kept = |k: &str| old.filter(|_| ctx.kept.contains(k));
        Worker {
            license_no: r.license_no.clone(),
            name: r.name.clone(),
            gender: kept("gender").map_or_else(
                || r.gender.map(|g| g.key().to_owned()),
                |o| o.gender.clone(),
            ),
            office_license_no: kept("office_license_no").map_or_else(
                || r.office_license_no.clone(),
                |o| o.office_license_no.clone(),
            ),
            status: r.status.key().to_owned(),
            first_licensed_on: kept("first_licensed_on")
                .map_or(r.first_licensed_on, |o| o.first_licensed_on),
            internship_months: kept("internship_months")
                .map_or(r.internship_months, |o| o.internship_months),
            practice_areas: kept("practice_areas")
                .map_or_else(|| r.practice_areas.clone(), |o| o.practice_areas.clone()),
            adviser_posts: kept("adviser_posts")
                .map_or_else(|| r.adviser_posts.clone(), |o| o.adviser_posts.clone()),
            updated_at: old.map_or(ctx.now, |o| o.updated_at),
        }
    }

    fn same(old: &Worker, row: &Worker) -> bool {
        old == row
    }

    fn update(
        &mut self,
        conn: &mut DbConnection,
        ctx: &mut Ctx<'_>,
        out: &mut Applied,
        r: &Self::In,
        o: &Worker,
        mut row: Worker,
    ) -> Result<(), DbError> {
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
        out.feed.push((FeedKind::Worker, row.license_no.clone()));
        out.changed
            .push((SubjectKind::Worker, row.license_no.clone()));
        Ok(())
    }

    fn insert(
        &mut self,
        conn: &mut DbConnection,
        ctx: &mut Ctx<'_>,
        out: &mut Applied,
        new: &[Worker],
    ) -> Result<(), DbError> {
        out.history.extend(new.iter().map(|w| {
            let (k, e) = (w.license_no.clone(), String::new());
            (SubjectKind::Worker, k, e.clone(), e.clone(), e)
        }));
        insert_chunks!(conn, ctx, workers::table, new);
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
        )
    }
}

fn workers(
    conn: &mut DbConnection,
    rows: &[super::validate::WorkerIn],
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    write_rows(conn, rows, &mut Workers, ctx, out)?;
    record_implied_transfers(conn, ctx, out)
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
    insert_chunks!(conn, ctx, transfers::table, &new);
    Ok(())
}

/// A `transfers` batch, with the office each of its workers is at now and
/// the day of each one's latest stored transfer.
struct Transfers<'r> {
    offices_now: HashMap<String, Option<String>>,
    latest: HashMap<String, NaiveDate>,
    /// The office each worker moves to by the batch, and when.
    moved: HashMap<&'r str, (NaiveDate, &'r str)>,
    /// Workers with a new transfer.
    touched: HashSet<&'r str>,
    /// Each worker's moves, stored and in the batch (the batch's row wins
    /// for one date): `(effective_on, from, to)`, to tell the office a row
    /// without 原执业机构 left.
    moves: HashMap<String, Vec<(NaiveDate, Option<String>, String)>>,
    /// Workers with a stored move.
    stored: HashSet<String>,
}

impl Transfers<'_> {
    /// Adds a move to the worker's timeline, replacing one of that date.
    fn add_move(&mut self, worker: &str, on: NaiveDate, from: Option<String>, to: String) {
        let moves = self.moves.entry(worker.to_owned()).or_default();
        moves.retain(|(d, ..)| *d != on);
        moves.push((on, from, to));
    }

    /// The office `worker` left on `on`: where the move before it (stored
    /// or in the batch) led; else, for a worker with no stored move, the
    /// office the worker is at before the batch; else unknown (the worker's
    /// first recorded move is later, and where it started from is where
    /// this one led).
    fn office_left(&self, worker: &str, on: NaiveDate) -> Option<String> {
        let moves = self.moves.get(worker).map(Vec::as_slice).unwrap_or(&[]);
        let before = moves
            .iter()
            .filter(|(d, ..)| *d < on)
            .max_by_key(|(d, ..)| *d)
            .map(|(_, _, to)| to.clone());
        match before {
            Some(office) => Some(office),
            None if !self.stored.contains(worker) => {
                self.offices_now.get(worker).cloned().flatten()
            }
            None => None,
        }
    }
}

impl<'r> Dataset<'r> for Transfers<'r> {
    type In = super::validate::TransferIn;
    type Stored = Transfer;
    type Row = NewTransfer;
    type Key<'a> = (&'a str, NaiveDate);

    fn lookup(r: &Self::In) -> &str {
        &r.worker_license_no
    }

    fn load(c: &mut DbConnection, ks: &[&str]) -> QueryResult<Vec<Transfer>> {
        transfers::table
            .filter(transfers::worker_license_no.eq_any(ks.iter().copied()))
            .select(Transfer::as_select())
            .load(c)
    }

    fn stored_key(s: &Transfer) -> (&str, NaiveDate) {
        (s.worker_license_no.as_str(), s.effective_on)
    }

    fn key(r: &Self::In) -> (&str, NaiveDate) {
        (r.worker_license_no.as_str(), r.effective_on)
    }

    fn loaded(&mut self, stored: &[Transfer]) {
        for t in stored {
            let e = self
                .latest
                .entry(t.worker_license_no.clone())
                .or_insert(t.effective_on);
            *e = (*e).max(t.effective_on);
            self.stored.insert(t.worker_license_no.clone());
            let moves = self.moves.entry(t.worker_license_no.clone()).or_default();
            // The batch's own row of that date (added first) wins.
            if !moves.iter().any(|(d, ..)| *d == t.effective_on) {
                moves.push((
                    t.effective_on,
                    t.from_office_license_no.clone(),
                    t.to_office_license_no.clone(),
                ));
            }
        }
    }

    fn row(
        &mut self,
        r: &Self::In,
        old: Option<&Transfer>,
        _ctx: &Ctx<'_>,
        out: &mut Applied,
    ) -> NewTransfer {
        let from = r.from_office_license_no.clone().or_else(|| match old {
            Some(o) => o.from_office_license_no.clone(),
            None => self.office_left(&r.worker_license_no, r.effective_on),
        });
        // A later row of the batch without 原执业机构 reads this one's.
        self.add_move(
            &r.worker_license_no,
            r.effective_on,
            from.clone(),
            r.to_office_license_no.clone(),
        );
        out.transfer_from
            .insert((r.worker_license_no.clone(), r.effective_on), from.clone());
        NewTransfer {
            worker_license_no: r.worker_license_no.clone(),
            from_office_license_no: from,
            to_office_license_no: r.to_office_license_no.clone(),
            effective_on: r.effective_on,
        }
    }

    fn same(o: &Transfer, row: &NewTransfer) -> bool {
        o.from_office_license_no == row.from_office_license_no
            && o.to_office_license_no == row.to_office_license_no
    }

    fn update(
        &mut self,
        conn: &mut DbConnection,
        _ctx: &mut Ctx<'_>,
        out: &mut Applied,
        r: &Self::In,
        o: &Transfer,
        row: NewTransfer,
    ) -> Result<(), DbError> {
        out.note(
            r.row,
            &r.worker_license_no,
            o,
            &serde_json::json!({
                "from_office_license_no": row.from_office_license_no,
                "to_office_license_no": r.to_office_license_no,
            }),
        );
        diesel::update(transfers::table.find(o.id))
            .set((
                transfers::from_office_license_no.eq(&row.from_office_license_no),
                transfers::to_office_license_no.eq(&r.to_office_license_no),
            ))
            .execute(conn)?;
        Ok(())
    }

    fn insert(
        &mut self,
        conn: &mut DbConnection,
        ctx: &mut Ctx<'_>,
        _out: &mut Applied,
        new: &[NewTransfer],
    ) -> Result<(), DbError> {
        insert_chunks!(conn, ctx, transfers::table, new);
        Ok(())
    }

    fn after(&mut self, r: &'r Self::In, outcome: Outcome, _ctx: &Ctx<'_>, _out: &mut Applied) {
        if outcome == Outcome::New {
            self.touched.insert(&r.worker_license_no);
        }
        let stored_latest = self.latest.get(r.worker_license_no.as_str()).copied();
        let newest_in_batch = self
            .moved
            .get(r.worker_license_no.as_str())
            .is_none_or(|(d, _)| r.effective_on > *d);
        if stored_latest.is_none_or(|d| r.effective_on >= d) && newest_in_batch {
            self.moved.insert(
                &r.worker_license_no,
                (r.effective_on, &r.to_office_license_no),
            );
        }
    }
}

fn transfers(
    conn: &mut DbConnection,
    rows: &[super::validate::TransferIn],
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    let keys = unique(rows.iter().map(|r| r.worker_license_no.as_str()));
    let offices_now: HashMap<String, Option<String>> = load_by(conn, &keys, |c, ks| {
        workers::table
            .filter(workers::license_no.eq_any(ks.iter().copied()))
            .select((workers::license_no, workers::office_license_no))
            .load::<(String, Option<String>)>(c)
    })?
    .into_iter()
    .collect();
    let mut dataset = Transfers {
        offices_now,
        latest: HashMap::new(),
        moved: HashMap::new(),
        touched: HashSet::new(),
        moves: HashMap::new(),
        stored: HashSet::new(),
    };
    // The batch's moves first (a row's destination is always given), so a
    // row without 原执业机构 reads the batch's earlier move of the worker
    // even when rows come in another order.
    for r in rows {
        dataset.add_move(
            &r.worker_license_no,
            r.effective_on,
            r.from_office_license_no.clone(),
            r.to_office_license_no.clone(),
        );
    }
    write_rows(conn, rows, &mut dataset, ctx, out)?;
    for (worker, (_, to)) in dataset.moved {
        let now_at = dataset.offices_now.get(worker).cloned().flatten();
        if now_at.as_deref() != Some(to) {
            diesel::update(workers::table.find(worker))
                .set((
                    workers::office_license_no.eq(Some(to)),
                    workers::updated_at.eq(ctx.now),
                ))
                .execute(conn)?;
            // The move in the worker's public history, as a workers row
            // changing the office records it.
            out.history.push((
                SubjectKind::Worker,
                worker.to_owned(),
                "office_license_no".to_owned(),
                now_at.unwrap_or_default(),
                to.to_owned(),
            ));
            out.changed.push((SubjectKind::Worker, worker.to_owned()));
            out.feed.push((FeedKind::Worker, worker.to_owned()));
        }
    }
    // A changed transfer history shows on the worker's page and in search.
    let changed_rows = out.counts.inserted + out.counts.updated;
    if changed_rows > 0 {
        let already: HashSet<String> = out.changed.iter().map(|(_, k)| k.clone()).collect();
        for w in dataset.touched {
            if !already.contains(w) {
                out.changed.push((SubjectKind::Worker, w.to_owned()));
            }
        }
    }
    Ok(())
}

/// A `reviews` batch.
struct Reviews;

impl<'r> Dataset<'r> for Reviews {
    type In = super::validate::ReviewIn;
    type Stored = Review;
    type Row = NewReview;
    type Key<'a> = (&'a str, &'a str, i32);

    fn lookup(r: &Self::In) -> &str {
        &r.subject_license_no
    }

    fn load(c: &mut DbConnection, ks: &[&str]) -> QueryResult<Vec<Review>> {
        annual_reviews::table
            .filter(annual_reviews::subject_license_no.eq_any(ks.iter().copied()))
            .select(Review::as_select())
            .load(c)
    }

    fn stored_key(s: &Review) -> (&str, &str, i32) {
        (
            s.subject_kind.as_str(),
            s.subject_license_no.as_str(),
            s.year,
        )
    }

    fn key(r: &Self::In) -> (&str, &str, i32) {
        (r.subject_kind.key(), r.subject_license_no.as_str(), r.year)
    }

    fn row(
        &mut self,
        r: &Self::In,
        _old: Option<&Review>,
        _ctx: &Ctx<'_>,
        _out: &mut Applied,
    ) -> NewReview {
        NewReview {
            subject_kind: r.subject_kind.key().to_owned(),
            subject_license_no: r.subject_license_no.clone(),
            year: r.year,
            outcome: r.outcome.key().to_owned(),
            rectify_by: r.rectify_by,
            note: r.note.clone(),
            rectified_on: r.rectified_on,
        }
    }

    fn same(o: &Review, row: &NewReview) -> bool {
        o.outcome == row.outcome
            && o.rectify_by == row.rectify_by
            && o.rectified_on == row.rectified_on
            && o.note == row.note
    }

    fn update(
        &mut self,
        conn: &mut DbConnection,
        _ctx: &mut Ctx<'_>,
        out: &mut Applied,
        r: &Self::In,
        o: &Review,
        row: NewReview,
    ) -> Result<(), DbError> {
        out.note(r.row, &r.subject_license_no, o, &row);
        diesel::update(annual_reviews::table.find(o.id))
            .set((
                annual_reviews::outcome.eq(&row.outcome),
                annual_reviews::rectify_by.eq(row.rectify_by),
                annual_reviews::note.eq(&row.note),
                annual_reviews::rectified_on.eq(row.rectified_on),
            ))
            .execute(conn)?;
        Ok(())
    }

    fn insert(
        &mut self,
        conn: &mut DbConnection,
        ctx: &mut Ctx<'_>,
        _out: &mut Applied,
        new: &[NewReview],
    ) -> Result<(), DbError> {
        insert_chunks!(conn, ctx, annual_reviews::table, new);
        Ok(())
    }

    fn after(&mut self, r: &Self::In, outcome: Outcome, _ctx: &Ctx<'_>, out: &mut Applied) {
        if outcome == Outcome::Unchanged {
            return;
        }
        out.feed.push((
            FeedKind::Review,
            review_key(r.subject_kind.key(), &r.subject_license_no, r.year),
        ));
        out.changed
            .push((r.subject_kind, r.subject_license_no.clone()));
    }
}

fn reviews(
    conn: &mut DbConnection,
    rows: &[super::validate::ReviewIn],
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    write_rows(conn, rows, &mut Reviews, ctx, out)
}

/// An `actions` batch.
struct Actions;

impl<'r> Dataset<'r> for Actions {
    type In = super::validate::ActionIn;
    type Stored = Action;
    type Row = NewAction;
    type Key<'a> = &'a str;

    fn lookup(r: &Self::In) -> &str {
        &r.decision_no
    }

    fn load(c: &mut DbConnection, ks: &[&str]) -> QueryResult<Vec<Action>> {
        disciplinary_actions::table
            .filter(disciplinary_actions::decision_no.eq_any(ks.iter().copied()))
            .select(Action::as_select())
            .load(c)
    }

    fn stored_key(s: &Action) -> &str {
        &s.decision_no
    }

    fn key(r: &Self::In) -> &str {
        &r.decision_no
    }

    fn row(
        &mut self,
        r: &Self::In,
        _old: Option<&Action>,
        _ctx: &Ctx<'_>,
        _out: &mut Applied,
    ) -> NewAction {
        NewAction {
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
        }
    }

    fn same(o: &Action, n: &NewAction) -> bool {
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

    fn update(
        &mut self,
        conn: &mut DbConnection,
        _ctx: &mut Ctx<'_>,
        out: &mut Applied,
        r: &Self::In,
        o: &Action,
        row: NewAction,
    ) -> Result<(), DbError> {
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
        // The subject it no longer names changes too.
        if o.subject_license_no != row.subject_license_no
            && let Some(k) = SubjectKind::parse(&o.subject_kind)
        {
            out.changed.push((k, o.subject_license_no.clone()));
        }
        Ok(())
    }

    fn insert(
        &mut self,
        conn: &mut DbConnection,
        ctx: &mut Ctx<'_>,
        _out: &mut Applied,
        new: &[NewAction],
    ) -> Result<(), DbError> {
        insert_chunks!(conn, ctx, disciplinary_actions::table, new);
        Ok(())
    }

    fn after(&mut self, r: &Self::In, outcome: Outcome, _ctx: &Ctx<'_>, out: &mut Applied) {
        if outcome == Outcome::Unchanged {
            return;
        }
        out.feed.push((FeedKind::Disclosure, r.decision_no.clone()));
        out.changed
            .push((r.subject_kind, r.subject_license_no.clone()));
    }
}

fn actions(
    conn: &mut DbConnection,
    rows: &[super::validate::ActionIn],
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    write_rows(conn, rows, &mut Actions, ctx, out)
}

/// A `commendations` batch.
struct Commendations;

impl<'r> Dataset<'r> for Commendations {
    type In = super::validate::CommendationIn;
    type Stored = Commendation;
    type Row = NewCommendation;
    type Key<'a> = (&'a str, &'a str, NaiveDate);

    fn lookup(r: &Self::In) -> &str {
        &r.subject_license_no
    }

    fn load(c: &mut DbConnection, ks: &[&str]) -> QueryResult<Vec<Commendation>> {
        commendations::table
            .filter(commendations::subject_license_no.eq_any(ks.iter().copied()))
            .select(Commendation::as_select())
            .load(c)
    }

    fn stored_key(s: &Commendation) -> (&str, &str, NaiveDate) {
        (
            s.subject_license_no.as_str(),
            s.title.as_str(),
            s.awarded_on,
        )
    }

    fn key(r: &Self::In) -> (&str, &str, NaiveDate) {
        (
            r.subject_license_no.as_str(),
            r.title.as_str(),
            r.awarded_on,
        )
    }

    fn row(
        &mut self,
        r: &Self::In,
        _old: Option<&Commendation>,
        _ctx: &Ctx<'_>,
        _out: &mut Applied,
    ) -> NewCommendation {
        NewCommendation {
            subject_kind: r.subject_kind.key().to_owned(),
            subject_license_no: r.subject_license_no.clone(),
            title: r.title.clone(),
            awarded_by: r.awarded_by.clone(),
            awarded_on: r.awarded_on,
        }
    }

    fn same(o: &Commendation, row: &NewCommendation) -> bool {
        o.awarded_by == row.awarded_by && o.subject_kind == row.subject_kind
    }

    fn update(
        &mut self,
        conn: &mut DbConnection,
        _ctx: &mut Ctx<'_>,
        out: &mut Applied,
        r: &Self::In,
        o: &Commendation,
        _row: NewCommendation,
    ) -> Result<(), DbError> {
        out.note(
            r.row,
            &r.subject_license_no,
            o,
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
        Ok(())
    }

    fn insert(
        &mut self,
        conn: &mut DbConnection,
        ctx: &mut Ctx<'_>,
        _out: &mut Applied,
        new: &[NewCommendation],
    ) -> Result<(), DbError> {
        insert_chunks!(conn, ctx, commendations::table, new);
        Ok(())
    }

    fn after(&mut self, r: &Self::In, outcome: Outcome, _ctx: &Ctx<'_>, out: &mut Applied) {
        if outcome != Outcome::Unchanged {
            out.changed
                .push((r.subject_kind, r.subject_license_no.clone()));
        }
    }
}

fn commendations(
    conn: &mut DbConnection,
    rows: &[super::validate::CommendationIn],
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    write_rows(conn, rows, &mut Commendations, ctx, out)
}

/// An `announcements` batch.
struct Announcements;

impl<'r> Dataset<'r> for Announcements {
    type In = super::validate::AnnouncementIn;
    type Stored = Announcement;
    type Row = NewAnnouncement;
    type Key<'a> = (&'a str, NaiveDate);

    fn lookup(r: &Self::In) -> &str {
        &r.title
    }

    fn load(c: &mut DbConnection, ks: &[&str]) -> QueryResult<Vec<Announcement>> {
        announcements::table
            .filter(announcements::title.eq_any(ks.iter().copied()))
            .select(Announcement::as_select())
            .load(c)
    }

    fn stored_key(s: &Announcement) -> (&str, NaiveDate) {
        (s.title.as_str(), s.published_on)
    }

    fn key(r: &Self::In) -> (&str, NaiveDate) {
        (r.title.as_str(), r.published_on)
    }

    fn row(
        &mut self,
        r: &Self::In,
        _old: Option<&Announcement>,
        _ctx: &Ctx<'_>,
        _out: &mut Applied,
    ) -> NewAnnouncement {
        NewAnnouncement {
            kind: r.kind.key().to_owned(),
            title: r.title.clone(),
            body: r.body.clone(),
            published_on: r.published_on,
            license_nos: r.license_nos.join(";"),
        }
    }

    fn same(o: &Announcement, row: &NewAnnouncement) -> bool {
        o.kind == row.kind && o.body == row.body && o.license_nos == row.license_nos
    }

    fn update(
        &mut self,
        conn: &mut DbConnection,
        _ctx: &mut Ctx<'_>,
        out: &mut Applied,
        r: &Self::In,
        o: &Announcement,
        row: NewAnnouncement,
    ) -> Result<(), DbError> {
        out.note(
            r.row,
            &r.title,
            o,
            &serde_json::json!({
                "kind": r.kind.key(),
                "body": r.body,
                "license_nos": row.license_nos,
            }),
        );
        diesel::update(announcements::table.find(o.id))
            .set((
                announcements::kind.eq(r.kind.key()),
                announcements::body.eq(&r.body),
                announcements::license_nos.eq(&row.license_nos),
            ))
            .execute(conn)?;
        Ok(())
    }

    fn insert(
        &mut self,
        conn: &mut DbConnection,
        ctx: &mut Ctx<'_>,
        _out: &mut Applied,
        new: &[NewAnnouncement],
    ) -> Result<(), DbError> {
        insert_chunks!(conn, ctx, announcements::table, new);
        Ok(())
    }
}

fn announcements(
    conn: &mut DbConnection,
    rows: &[super::validate::AnnouncementIn],
    ctx: &mut Ctx<'_>,
    out: &mut Applied,
) -> Result<(), DbError> {
    write_rows(conn, rows, &mut Announcements, ctx, out)?;
    // The index of who each announcement names, in the same transaction.
    crate::db::announcements::sync_subjects(conn)
}

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
                record_confirmations::subject_key.eq((*k).to_owned()),
                record_confirmations::confirmed_at.eq(ctx.now),
            )
        })
        .collect();
    crate::insert_batched!(conn, &rows, |cc, chunk| diesel::insert_into(
        record_confirmations::table
    )
    .values(chunk)
    .on_conflict((
        record_confirmations::subject_kind,
        record_confirmations::subject_key
    ))
    .do_update()
    .set(record_confirmations::confirmed_at.eq(excluded(record_confirmations::confirmed_at)))
    .execute(cc));
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
    crate::insert_batched!(conn, &rows, |cc, chunk| diesel::insert_into(
        record_history::table
    )
    .values(chunk)
    .execute(cc));
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

/// One outbox row per changed office or worker, due now.
fn outbox(conn: &mut DbConnection, applied: &Applied, ctx: &mut Ctx<'_>) -> Result<(), DbError> {
    // Each (kind, key) once, due now; sorted and deduplicated in place
    // rather than through a hash set, and written a chunk at a time, so a
    // large batch is not copied into rows to insert all at once. Later
    // refreshes (a deadline passing, a window closing) are not dated here:
    // the indexer schedules each subject's next standing change after it
    // projects the subject (`search::indexer`).
    let mut due: Vec<(&'static str, &str)> = applied
        .changed
        .iter()
        .map(|(kind, key)| (kind.key(), key.as_str()))
        .collect();
    due.sort_unstable();
    due.dedup();
    crate::db::outbox::write(
        conn,
        due.iter().map(|(kind, key)| (*kind, *key, ctx.now)),
        ctx.now,
    )?;
    Ok(())
}
