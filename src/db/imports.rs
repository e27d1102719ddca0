//! Import batches (their stored reports), the existence lookups the import
//! validates references with, and the facts the plan's rules are checked on.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::*;
use super::{DbConnection, DbError};
use crate::domain::plan_rules::{
    DistrictFacts, Facts, OfficeFacts, OfficeMove, TransferFacts, WorkerFacts, plan_effective_on,
};
use crate::domain::vocab::{AreaKind, OfficeStatus, ReviewOutcome, WorkerStatus};

const CHUNK: usize = 5_000;

/// Which of `keys` exist in a table, looked up in chunks.
fn existing(
    conn: &mut DbConnection,
    keys: &HashSet<String>,
    mut query: impl FnMut(&mut DbConnection, &[&str]) -> QueryResult<Vec<String>>,
) -> Result<HashSet<String>, DbError> {
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let mut out = HashSet::with_capacity(keys.len());
    for chunk in keys.chunks(CHUNK) {
        out.extend(query(conn, chunk)?);
    }
    Ok(out)
}

/// The district codes among `keys` that exist.
pub fn existing_districts(
    conn: &mut DbConnection,
    keys: &HashSet<String>,
) -> Result<HashSet<String>, DbError> {
    existing(conn, keys, |c, ks| {
        districts::table
            .filter(districts::code.eq_any(ks))
            .select(districts::code)
            .load(c)
    })
}

/// The office license numbers among `keys` that exist.
pub fn existing_offices(
    conn: &mut DbConnection,
    keys: &HashSet<String>,
) -> Result<HashSet<String>, DbError> {
    existing(conn, keys, |c, ks| {
        offices::table
            .filter(offices::license_no.eq_any(ks))
            .select(offices::license_no)
            .load(c)
    })
}

/// The worker license numbers among `keys` that exist.
pub fn existing_workers(
    conn: &mut DbConnection,
    keys: &HashSet<String>,
) -> Result<HashSet<String>, DbError> {
    existing(conn, keys, |c, ks| {
        workers::table
            .filter(workers::license_no.eq_any(ks))
            .select(workers::license_no)
            .load(c)
    })
}

/// License number → district code.
pub type DistrictOf = HashMap<String, String>;

/// The district of each office among `offices` and of each worker among
/// `workers` (through the worker's office), for the district limit of an
/// account or token.
pub fn districts_of(
    conn: &mut DbConnection,
    offices: &HashSet<String>,
    workers: &HashSet<String>,
) -> Result<(DistrictOf, DistrictOf), DbError> {
    let mut by_office = HashMap::new();
    let keys: Vec<&str> = offices.iter().map(String::as_str).collect();
    for chunk in keys.chunks(CHUNK) {
        let rows: Vec<(String, String)> = offices::table
            .filter(offices::license_no.eq_any(chunk))
            .select((offices::license_no, offices::district_code))
            .load(conn)?;
        by_office.extend(rows);
    }
    let mut by_worker = HashMap::new();
    let keys: Vec<&str> = workers.iter().map(String::as_str).collect();
    for chunk in keys.chunks(CHUNK) {
        let rows: Vec<(String, String)> = workers::table
            .inner_join(offices::table)
            .filter(workers::license_no.eq_any(chunk))
            .select((workers::license_no, offices::district_code))
            .load(conn)?;
        by_worker.extend(rows);
    }
    Ok((by_office, by_worker))
}

/// What the stored records a batch would overwrite are about, for the
/// district limit: a decision number's subject, a notice's subjects, a
/// transfer's offices. A row may only overwrite a record of its district.
#[derive(Debug, Default)]
pub struct Overwritten {
    /// Decision number → (subject kind key, license number).
    pub actions: HashMap<String, (String, String)>,
    /// (title, published on) → the license numbers the notice names.
    pub announcements: HashMap<(String, chrono::NaiveDate), Vec<String>>,
    /// (worker, effective on) → the offices the stored transfer names.
    pub transfers: HashMap<(String, chrono::NaiveDate), Vec<String>>,
}

/// The stored records `records` would overwrite (see [`Overwritten`]).
pub fn overwritten(
    conn: &mut DbConnection,
    records: &crate::import::validate::Records,
) -> Result<Overwritten, DbError> {
    use crate::import::validate::Records;
    let mut out = Overwritten::default();
    match records {
        Records::Actions(v) => {
            let keys: Vec<&str> = v.iter().map(|r| r.decision_no.as_str()).collect();
            for chunk in keys.chunks(CHUNK) {
                let rows: Vec<(String, String, String)> = disciplinary_actions::table
                    .filter(disciplinary_actions::decision_no.eq_any(chunk))
                    .select((
                        disciplinary_actions::decision_no,
                        disciplinary_actions::subject_kind,
                        disciplinary_actions::subject_license_no,
                    ))
                    .load(conn)?;
                out.actions
                    .extend(rows.into_iter().map(|(no, k, s)| (no, (k, s))));
            }
        }
        Records::Announcements(v) => {
            let titles: Vec<&str> = v.iter().map(|r| r.title.as_str()).collect();
            for chunk in titles.chunks(CHUNK) {
                let rows: Vec<(String, chrono::NaiveDate, String)> = announcements::table
                    .filter(announcements::title.eq_any(chunk))
                    .select((
                        announcements::title,
                        announcements::published_on,
                        announcements::license_nos,
                    ))
                    .load(conn)?;
                out.announcements
                    .extend(rows.into_iter().map(|(t, d, nos)| {
                        let nos = nos
                            .split(';')
                            .map(str::trim)
                            .filter(|n| !n.is_empty())
                            .map(str::to_owned)
                            .collect();
                        ((t, d), nos)
                    }));
            }
        }
        Records::Transfers(v) => {
            let workers: Vec<&str> = v.iter().map(|r| r.worker_license_no.as_str()).collect();
            for chunk in workers.chunks(CHUNK) {
                let rows: Vec<(String, chrono::NaiveDate, Option<String>, String)> =
                    transfers::table
                        .filter(transfers::worker_license_no.eq_any(chunk))
                        .select((
                            transfers::worker_license_no,
                            transfers::effective_on,
                            transfers::from_office_license_no,
                            transfers::to_office_license_no,
                        ))
                        .load(conn)?;
                for (w, d, from, to) in rows {
                    out.transfers
                        .insert((w, d), from.into_iter().chain([to]).collect());
                }
            }
        }
        _ => {}
    }
    Ok(out)
}

/// A batch to store.
#[derive(Debug, Clone, Copy)]
pub struct NewBatch<'a> {
    /// Dataset key.
    pub dataset: &'a str,
    /// Whether it was a dry run.
    pub dry_run: bool,
    /// `applied`, `dry_run` or `rejected`.
    pub status: &'a str,
    /// Token name or `cli:…`.
    pub actor: &'a str,
    /// The report as JSON.
    pub report_json: &'a str,
    /// Start.
    pub started_at: NaiveDateTime,
    /// End.
    pub finished_at: NaiveDateTime,
    /// The district the importing account or token is limited to.
    pub district: Option<&'a str>,
}

/// Stores a batch's report and returns its id.
pub fn store_batch(conn: &mut DbConnection, b: NewBatch<'_>) -> Result<i64, DbError> {
    let NewBatch {
        dataset,
        dry_run,
        status,
        actor,
        report_json,
        started_at,
        finished_at,
        district,
    } = b;
    let id = diesel::insert_into(import_batches::table)
        .values((
            import_batches::dataset.eq(dataset),
            import_batches::dry_run.eq(dry_run),
            import_batches::status.eq(status),
            import_batches::token_name.eq(actor),
            import_batches::report.eq(report_json),
            import_batches::started_at.eq(started_at),
            import_batches::finished_at.eq(Some(finished_at)),
            import_batches::district_code.eq(district),
        ))
        .returning(import_batches::id)
        .get_result(conn)?;
    Ok(id)
}

/// The stored report of batch `id`, as JSON text.
pub fn batch_report(conn: &mut DbConnection, id: i64) -> Result<Option<String>, DbError> {
    Ok(import_batches::table
        .find(id)
        .select(import_batches::report)
        .first(conn)
        .optional()?)
}

/// A stored batch as the console lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BatchSummary {
    /// Id.
    pub id: i64,
    /// Dataset key.
    pub dataset: String,
    /// `applied`, `dry_run` or `rejected`.
    pub status: String,
    /// Who imported.
    pub actor: String,
    /// The district it was limited to.
    pub district: Option<String>,
    /// When it started, UTC.
    pub started_at: NaiveDateTime,
}

/// The latest batches, newest first: all of them, or those limited to
/// `district`; dry runs (previews) only when `with_dry_runs`.
pub fn recent_batches(
    conn: &mut DbConnection,
    district: Option<&str>,
    with_dry_runs: bool,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<BatchSummary>), DbError> {
    let mut count = import_batches::table.count().into_boxed();
    let mut query = import_batches::table
        .order(import_batches::id.desc())
        .select((
            import_batches::id,
            import_batches::dataset,
            import_batches::status,
            import_batches::token_name,
            import_batches::district_code,
            import_batches::started_at,
        ))
        .offset(offset)
        .limit(limit)
        .into_boxed();
    if let Some(d) = district {
        count = count.filter(import_batches::district_code.eq(d));
        query = query.filter(import_batches::district_code.eq(d));
    }
    if !with_dry_runs {
        count = count.filter(import_batches::dry_run.eq(false));
        query = query.filter(import_batches::dry_run.eq(false));
    }
    let total: i64 = count.get_result(conn)?;
    let rows: Vec<(i64, String, String, String, Option<String>, NaiveDateTime)> =
        query.load(conn)?;
    Ok((
        total,
        rows.into_iter()
            .map(
                |(id, dataset, status, actor, district, started_at)| BatchSummary {
                    id,
                    dataset,
                    status,
                    actor,
                    district,
                    started_at,
                },
            )
            .collect(),
    ))
}

/// The district a stored batch was limited to (`Some(None)`: none).
pub fn batch_district(conn: &mut DbConnection, id: i64) -> Result<Option<Option<String>>, DbError> {
    Ok(import_batches::table
        .find(id)
        .select(import_batches::district_code)
        .first(conn)
        .optional()?)
}

fn corrupt(what: &str, v: &str) -> DbError {
    DbError::Corrupt(format!("{what} {v:?}"))
}

/// The facts the plan's rules look at: every district and office, the
/// workers licensed since the plan took effect (the only ones rules 1 and
/// 6 concern), and — when `with_transfers` — every transfer since then.
pub fn facts(conn: &mut DbConnection, with_transfers: bool) -> Result<Facts, DbError> {
    let districts = districts::table
        .select((districts::code, districts::population, districts::lawyers))
        .load::<(String, i64, i64)>(conn)?
        .into_iter()
        .map(|(code, population, lawyers)| DistrictFacts {
            code,
            population,
            lawyers,
        })
        .collect();
    let mut reviewed: HashMap<String, Vec<i32>> = HashMap::new();
    let absent = ReviewOutcome::Absent.key();
    for (no, year) in annual_reviews::table
        .filter(annual_reviews::subject_kind.eq("office"))
        .filter(annual_reviews::outcome.ne(absent))
        .select((annual_reviews::subject_license_no, annual_reviews::year))
        .load::<(String, i32)>(conn)?
    {
        reviewed.entry(no).or_default().push(year);
    }
    let practising: HashMap<String, i64> = workers::table
        .filter(workers::status.eq(WorkerStatus::Practising.key()))
        .filter(workers::office_license_no.is_not_null())
        .group_by(workers::office_license_no)
        .select((workers::office_license_no, diesel::dsl::count_star()))
        .load::<(Option<String>, i64)>(conn)?
        .into_iter()
        .filter_map(|(o, n)| Some((o?, n)))
        .collect();
    let mut offices = Vec::new();
    for (license_no, district_code, area, status, established_on) in offices::table
        .select((
            offices::license_no,
            offices::district_code,
            offices::area_kind,
            offices::status,
            offices::established_on,
        ))
        .load::<(String, String, String, String, Option<chrono::NaiveDate>)>(conn)?
    {
        offices.push(OfficeFacts {
            area_kind: AreaKind::parse(&area).ok_or_else(|| corrupt("area kind", &area))?,
            status: OfficeStatus::parse(&status)
                .ok_or_else(|| corrupt("office status", &status))?,
            established_on,
            reviewed_years: reviewed.remove(&license_no).unwrap_or_default(),
            practising_workers: practising.get(&license_no).copied().unwrap_or(0),
            district_code,
            license_no,
        });
    }
    // The office each worker licensed since the plan's date left first
    // (rule 1 asks which district took the worker on).
    let mut first_moves: HashMap<String, Option<String>> = HashMap::new();
    for (worker, left) in transfers::table
        .inner_join(workers::table.on(workers::license_no.eq(transfers::worker_license_no)))
        .filter(workers::first_licensed_on.ge(plan_effective_on()))
        .order((transfers::effective_on.desc(), transfers::id.desc()))
        .select((
            transfers::worker_license_no,
            transfers::from_office_license_no,
        ))
        .load::<(String, Option<String>)>(conn)?
    {
        // Newest first: the earliest is written last.
        first_moves.insert(worker, left);
    }
    let mut workers = Vec::new();
    for (license_no, office_license_no, status, first_licensed_on, internship_months) in
        workers::table
            .filter(workers::first_licensed_on.ge(plan_effective_on()))
            .select((
                workers::license_no,
                workers::office_license_no,
                workers::status,
                workers::first_licensed_on,
                workers::internship_months,
            ))
            .load::<(
                String,
                Option<String>,
                String,
                Option<chrono::NaiveDate>,
                Option<i32>,
            )>(conn)?
    {
        workers.push(WorkerFacts {
            status: WorkerStatus::parse(&status)
                .ok_or_else(|| corrupt("worker status", &status))?,
            licensed_at: match first_moves.remove(&license_no) {
                Some(left) => left,
                None => office_license_no.clone(),
            },
            license_no,
            office_license_no,
            first_licensed_on,
            internship_months,
        });
    }
    let transfers = if with_transfers {
        transfers::table
            .inner_join(workers::table.on(workers::license_no.eq(transfers::worker_license_no)))
            .filter(transfers::effective_on.ge(plan_effective_on()))
            .select((
                transfers::worker_license_no,
                workers::first_licensed_on,
                transfers::from_office_license_no,
                transfers::to_office_license_no,
                transfers::effective_on,
            ))
            .load::<(
                String,
                Option<chrono::NaiveDate>,
                Option<String>,
                String,
                chrono::NaiveDate,
            )>(conn)?
            .into_iter()
            .map(|(w, first, from, to, on)| TransferFacts {
                worker_license_no: w,
                worker_first_licensed_on: first,
                from_office_license_no: from,
                to_office_license_no: to,
                effective_on: on,
            })
            .collect()
    } else {
        Vec::new()
    };
    let office_moves = if with_transfers {
        office_moves::table
            .filter(office_moves::moved_on.ge(plan_effective_on()))
            .select((
                office_moves::office_license_no,
                office_moves::from_area_kind,
                office_moves::to_area_kind,
                office_moves::moved_on,
            ))
            .load::<(String, String, String, chrono::NaiveDate)>(conn)?
            .into_iter()
            .map(|(license_no, from, to, moved_on)| {
                Ok(OfficeMove {
                    license_no,
                    from: AreaKind::parse(&from).ok_or_else(|| corrupt("area kind", &from))?,
                    to: AreaKind::parse(&to).ok_or_else(|| corrupt("area kind", &to))?,
                    moved_on,
                })
            })
            .collect::<Result<Vec<_>, DbError>>()?
    } else {
        Vec::new()
    };
    Ok(Facts {
        districts,
        offices,
        workers,
        transfers,
        office_moves,
    })
}

/// First licensing dates of the workers among `keys`.
pub fn first_licensed(
    conn: &mut DbConnection,
    keys: &HashSet<String>,
) -> Result<HashMap<String, Option<chrono::NaiveDate>>, DbError> {
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let mut out = HashMap::new();
    for chunk in keys.chunks(CHUNK) {
        out.extend(
            workers::table
                .filter(workers::license_no.eq_any(chunk))
                .select((workers::license_no, workers::first_licensed_on))
                .load::<(String, Option<chrono::NaiveDate>)>(conn)?,
        );
    }
    Ok(out)
}
