//! Demo data: deterministic, plausible records built on the 38 real
//! districts of Chongqing.
//!
//! [`generate`] is a pure function of the scale, the seed and the day it is
//! generated for: the same inputs give the same records, down to the last
//! coordinate. [`load`] writes them into an empty database in one
//! transaction; [`load_scale`] does both and records what was loaded in
//! `portal_meta`.
//!
//! The data is shaped to exercise the portal: every standing occurs, every
//! kind of disciplinary action occurs, the central districts sit far above
//! the plan's 2.3 lawyers per 10,000 residents while about a third of the
//! rest fall below it, and a few transfers, offices and workers break the
//! plan's rules.

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

use crate::db::models::{
    District, NewAction, NewAnnouncement, NewCommendation, NewReview, NewTownship, NewTransfer,
    Office, Worker,
};
use crate::db::schema;
use crate::db::{DbConnection, DbError};

mod names;
mod places;
mod records;
mod subjects;
#[cfg(test)]
mod tests;

use names::{GIVEN_NAME_CHARS, PLACE_CHARS, SURNAMES};
use subjects::{NATION_OFFICES, WorkerPlan};

/// Inserts `$rows` into `$table` in multi-row statements
/// ([`crate::insert_batched!`]).
macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr) => {
        $crate::insert_batched!($conn, $rows, |cc, chunk| diesel::insert_into($table)
            .values(chunk)
            .execute(cc));
    };
}

/// How much demo data to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scale {
    /// Chongqing alone: 38 districts, about 300 offices and 1,300 workers.
    Province,
    /// Chongqing and invented counties of other provinces: 15,000 offices
    /// and about 70,000 workers.
    Nation,
}

impl Scale {
    /// Parses `province` or `nation`, ignoring surrounding spaces and ASCII
    /// case.
    pub fn parse(raw: &str) -> Option<Scale> {
        let s = raw.trim();
        [Scale::Province, Scale::Nation]
            .into_iter()
            .find(|scale| s.eq_ignore_ascii_case(scale.key()))
    }

    /// The stable key: `province` or `nation`.
    pub fn key(&self) -> &'static str {
        match self {
            Scale::Province => "province",
            Scale::Nation => "nation",
        }
    }
}

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 20201231;

/// Everything [`generate`] makes, in the order [`load`] inserts it.
#[derive(Debug, Clone)]
pub struct DemoData {
    /// Districts: the 38 of Chongqing, then any invented counties.
    pub districts: Vec<District>,
    /// Townships and subdistricts, ids 1 to N.
    pub townships: Vec<NewTownship>,
    /// Grassroots legal-service offices.
    pub offices: Vec<Office>,
    /// Grassroots legal-service workers.
    pub workers: Vec<Worker>,
    /// Workers' changes of office.
    pub transfers: Vec<NewTransfer>,
    /// Annual reviews of offices and workers.
    pub reviews: Vec<NewReview>,
    /// Disciplinary actions.
    pub actions: Vec<NewAction>,
    /// Commendations.
    pub commendations: Vec<NewCommendation>,
    /// Announcements.
    pub announcements: Vec<NewAnnouncement>,
}

/// How many records of each kind a [`DemoData`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DemoSummary {
    /// Districts.
    pub districts: usize,
    /// Townships.
    pub townships: usize,
    /// Offices.
    pub offices: usize,
    /// Workers.
    pub workers: usize,
    /// Transfers.
    pub transfers: usize,
    /// Annual reviews.
    pub reviews: usize,
    /// Disciplinary actions.
    pub actions: usize,
    /// Commendations.
    pub commendations: usize,
    /// Announcements.
    pub announcements: usize,
}

impl DemoData {
    /// Counts the records.
    pub fn summary(&self) -> DemoSummary {
        DemoSummary {
            districts: self.districts.len(),
            townships: self.townships.len(),
            offices: self.offices.len(),
            workers: self.workers.len(),
            transfers: self.transfers.len(),
            reviews: self.reviews.len(),
            actions: self.actions.len(),
            commendations: self.commendations.len(),
            announcements: self.announcements.len(),
        }
    }
}

/// Generates the demo data for `scale`, as of `today`. A pure function:
/// the same arguments always give the same data.
pub fn generate(scale: Scale, seed: u64, today: NaiveDate) -> DemoData {
    let mut g = Generator::new(scale, seed, today);
    let mut places = g.chongqing();
    if scale == Scale::Nation {
        let planned: usize = places.iter().map(|p| p.offices).sum();
        let invented = g.invented_counties(&places, NATION_OFFICES.saturating_sub(planned));
        places.extend(invented);
    }
    let townships = g.townships(&places);
    let offices = g.offices(&places, &townships);
    let mut workers = g.workers(&places, &offices);
    g.revoke_some(&mut workers);
    g.cast_scenarios(&mut workers, &offices);
    let reviews = g.reviews(&offices, &workers);
    let actions = g.actions(&places, &offices, &workers);
    let transfers = g.transfers(&places, &offices, &workers);
    let commendations = g.commendations(&places, &offices, &workers);
    let announcements = g.announcements(&places, &offices, &workers, &reviews);
    DemoData {
        districts: places.into_iter().map(|p| p.row).collect(),
        townships: townships.into_iter().flatten().map(|t| t.row).collect(),
        offices: offices.into_iter().map(|o| o.row).collect(),
        workers: workers.into_iter().map(WorkerPlan::into_row).collect(),
        transfers,
        reviews,
        actions,
        commendations,
        announcements,
    }
}

/// Inserts `data` into a database whose tables are empty, in one
/// transaction and in foreign-key order. Nothing is written if any insert
/// fails.
pub fn load(conn: &mut DbConnection, data: &DemoData) -> Result<DemoSummary, DbError> {
    use schema::*;
    conn.transaction(|c| {
        // The change feed's lock before any row (see db::changes).
        crate::db::changes::lock(c)?;
        insert_all!(c, districts::table, &data.districts);
        insert_all!(c, townships::table, &data.townships);
        insert_all!(c, offices::table, &data.offices);
        insert_all!(c, workers::table, &data.workers);
        insert_all!(c, transfers::table, &data.transfers);
        insert_all!(c, annual_reviews::table, &data.reviews);
        insert_all!(c, disciplinary_actions::table, &data.actions);
        insert_all!(c, commendations::table, &data.commendations);
        insert_all!(c, announcements::table, &data.announcements);
        crate::db::announcements::sync_subjects(c)?;
        sync_township_ids(c)?;
        crate::db::changes::record_all(c, chrono::Utc::now().naive_utc())?;
        Ok(data.summary())
    })
}

/// Generates the data for `scale`, loads it with [`load`] and records the
/// scale and seed in `portal_meta` (`demo_scale`, `demo_seed`), all in one
/// transaction.
pub fn load_scale(
    conn: &mut DbConnection,
    scale: Scale,
    seed: u64,
    today: NaiveDate,
) -> Result<DemoSummary, DbError> {
    let data = generate(scale, seed, today);
    conn.transaction(|c| {
        let summary = load(c, &data)?;
        put_meta(c, "demo_scale", scale.key())?;
        put_meta(c, "demo_seed", &seed.to_string())?;
        Ok(summary)
    })
}

/// Townships were inserted with explicit ids; PostgreSQL's identity
/// sequence must learn of them or the next import would collide.
fn sync_township_ids(conn: &mut DbConnection) -> Result<(), DbError> {
    if let DbConnection::Pg(pg) = conn {
        diesel::sql_query(
            "SELECT setval(pg_get_serial_sequence('townships', 'id'), \
             (SELECT COALESCE(MAX(id), 0) + 1 FROM townships), false)",
        )
        .execute(pg)?;
    }
    Ok(())
}

fn put_meta(conn: &mut DbConnection, key: &str, value: &str) -> Result<(), DbError> {
    use schema::portal_meta::dsl as meta;
    crate::with_backend!(conn, |cc| {
        diesel::delete(meta::portal_meta.filter(meta::key.eq(key))).execute(cc)?;
        diesel::insert_into(meta::portal_meta)
            .values((meta::key.eq(key), meta::value.eq(value)))
            .execute(cc)
    })?;
    Ok(())
}

// ---------------------------------------------------------------------------
// The generator

struct Generator {
    rng: StdRng,
    /// Most workers a practising office has.
    max_staff: usize,
    today: NaiveDate,
    stamp: NaiveDateTime,
    surnames: Vec<char>,
    given_chars: Vec<char>,
    place_chars: Vec<char>,
}

impl Generator {
    fn new(scale: Scale, seed: u64, today: NaiveDate) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            // About 1,300 workers for the province's 300 offices, 70,000
            // for the nation's 15,000.
            max_staff: match scale {
                Scale::Province => 7,
                Scale::Nation => 8,
            },
            today,
            stamp: today.and_time(NaiveTime::MIN),
            surnames: SURNAMES.chars().collect(),
            given_chars: GIVEN_NAME_CHARS.chars().collect(),
            place_chars: PLACE_CHARS.chars().collect(),
        }
    }

    // --- small draws -------------------------------------------------------

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.rng.random_range(0..total);
        for (item, weight) in items {
            if roll < *weight {
                return *item;
            }
            roll -= weight;
        }
        items[items.len() - 1].0
    }

    fn date_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        if to <= from {
            return from;
        }
        let span = (to - from).num_days();
        shift(from, self.rng.random_range(0..=span))
    }

    /// A day `lo..=hi` days before today.
    fn days_ago(&mut self, lo: i64, hi: i64) -> NaiveDate {
        shift(self.today, -self.rng.random_range(lo..=hi))
    }

    /// A random index whose item satisfies `pred`, scanning from a random
    /// start.
    fn find<T>(&mut self, items: &[T], pred: impl Fn(&T) -> bool) -> Option<usize> {
        self.find_index(items.len(), |i| pred(&items[i]))
    }

    /// A random index below `len` that satisfies `pred`, scanning from a
    /// random start.
    fn find_index(&mut self, len: usize, pred: impl Fn(usize) -> bool) -> Option<usize> {
        if len == 0 {
            return None;
        }
        let start = self.rng.random_range(0..len);
        (start..len).chain(0..start).find(|&i| pred(i))
    }

    /// `lo..=hi` distinct items, in the list's order, joined with `;`.
    fn some_of(&mut self, items: &[&str], lo: usize, hi: usize) -> String {
        let n = self.rng.random_range(lo..=hi).min(items.len());
        let mut chosen: Vec<usize> = (0..items.len()).collect();
        chosen.shuffle(&mut self.rng);
        chosen.truncate(n);
        chosen.sort_unstable();
        chosen
            .iter()
            .map(|&i| items[i])
            .collect::<Vec<_>>()
            .join(";")
    }

    fn last_year(&self) -> i32 {
        self.today.year() - 1
    }
}

// ---------------------------------------------------------------------------
// Free helpers

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn shift(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_signed(TimeDelta::days(days))
        .unwrap_or(date)
}

fn add_years_back(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_sub_months(Months::new(12 * years))
        .unwrap_or(NaiveDate::MIN)
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
