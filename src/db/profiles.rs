//! Everything a profile page shows about an office or a worker, read in a
//! few queries.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::models::*;
use super::reads::Reads;
use super::schema::*;
use super::{DbConnection, DbError};
use crate::domain::LicenseNo;
use chrono::NaiveDate;

use crate::domain::standing::{
    self, ActionRecord, OfficeLink, ReviewRecord, StandingPolicy, StandingReport, Subject,
    SubjectStatus,
};
use crate::domain::vocab::{
    DisciplineKind, OfficeStatus, ReviewOutcome, SubjectKind, WorkerStatus,
};

/// The records standing is computed from, for one subject.
#[derive(Debug, Clone, Default)]
pub struct CreditRecords {
    /// Annual reviews, newest first.
    pub reviews: Vec<Review>,
    /// Disciplinary actions, newest first.
    pub actions: Vec<Action>,
}

impl CreditRecords {
    /// The reviews as the standing function takes them.
    pub fn review_records(&self) -> Result<Vec<ReviewRecord>, DbError> {
        self.reviews
            .iter()
            .map(|r| {
                Ok(ReviewRecord {
                    year: r.year,
                    outcome: ReviewOutcome::parse(&r.outcome).ok_or_else(|| {
                        DbError::Corrupt(format!("review outcome {:?}", r.outcome))
                    })?,
                    rectify_by: r.rectify_by,
                    rectified_on: r.rectified_on,
                })
            })
            .collect()
    }

    /// The actions as the standing function takes them.
    pub fn action_records(&self) -> Result<Vec<ActionRecord>, DbError> {
        self.actions
            .iter()
            .map(|a| {
                a.record()
                    .ok_or_else(|| DbError::Corrupt(format!("action kind {:?}", a.kind)))
            })
            .collect()
    }
}

/// What a subject's standing is computed from, and nothing else (a staff
/// list shows standing, not the records' texts).
#[derive(Debug, Clone, Default)]
pub struct StandingRecords {
    /// Annual reviews, any order.
    pub reviews: Vec<ReviewRecord>,
    /// Disciplinary actions, any order, withdrawn ones included.
    pub actions: Vec<ActionRecord>,
}

/// A worker and everything their profile shows.
#[derive(Debug, Clone)]
pub struct WorkerRecords {
    /// The worker.
    pub worker: Worker,
    /// Their office, if any.
    pub office: Option<Office>,
    /// The office's own reviews and actions (its suspension or revocation
    /// stops the worker too).
    pub office_credit: CreditRecords,
    /// The office's district.
    pub district: Option<District>,
    /// Reviews and actions.
    pub credit: CreditRecords,
    /// Commendations, newest first.
    pub commendations: Vec<Commendation>,
    /// Transfers, newest first, with the names of the offices.
    pub transfers: Vec<TransferRecord>,
    /// Announcements naming the worker, newest first.
    pub announcements: Vec<Announcement>,
    /// Concluded complaints by outcome (counts only).
    pub complaint_outcomes: Vec<(crate::domain::complaint::Outcome, i64)>,
}

/// A transfer with the offices' names.
#[derive(Debug, Clone)]
pub struct TransferRecord {
    /// The transfer.
    pub transfer: Transfer,
    /// Name of the office left.
    pub from_name: Option<String>,
    /// Name of the office joined.
    pub to_name: Option<String>,
}

/// The own records of every office a worker's transfers name (left or
/// joined): their decisions stopped the worker while they were there. Read
/// only where a worker's past standing is told (a feed, a certificate's
/// check), not for a profile.
pub fn offices_moved_through(
    conn: &mut DbConnection,
    transfers: &[TransferRecord],
) -> Result<HashMap<String, CreditRecords>, DbError> {
    let mut nos: Vec<String> = transfers
        .iter()
        .flat_map(|t| {
            let t = &t.transfer;
            t.from_office_license_no
                .iter()
                .chain([&t.to_office_license_no])
                .cloned()
        })
        .collect();
    if nos.is_empty() {
        return Ok(HashMap::new());
    }
    nos.sort();
    nos.dedup();
    credit_records(conn, SubjectKind::Office, &nos)
}

/// An office and everything its profile shows.
#[derive(Debug, Clone)]
pub struct OfficeRecords {
    /// The office.
    pub office: Office,
    /// Its district.
    pub district: District,
    /// Its township.
    pub township: Option<Township>,
    /// Reviews and actions of the office itself.
    pub credit: CreditRecords,
    /// Commendations, newest first.
    pub commendations: Vec<Commendation>,
    /// Its workers with what their standing is computed from, by name.
    pub workers: Vec<(Worker, StandingRecords)>,
    /// Announcements naming the office, newest first.
    pub announcements: Vec<Announcement>,
    /// Concluded complaints by outcome (counts only).
    pub complaint_outcomes: Vec<(crate::domain::complaint::Outcome, i64)>,
}

/// Parses a stored worker status.
pub fn worker_status(w: &Worker) -> Result<SubjectStatus, DbError> {
    WorkerStatus::parse(&w.status)
        .map(SubjectStatus::from)
        .ok_or_else(|| DbError::Corrupt(format!("worker status {:?}", w.status)))
}

/// Parses a stored office status.
pub fn office_status(o: &Office) -> Result<SubjectStatus, DbError> {
    OfficeStatus::parse(&o.status)
        .map(SubjectStatus::from)
        .ok_or_else(|| DbError::Corrupt(format!("office status {:?}", o.status)))
}

/// A worker's office as the worker's standing sees it; `actions` are the
/// office's own, from [`CreditRecords::action_records`].
pub fn office_link<'a>(
    office: &'a Office,
    actions: &'a [ActionRecord],
) -> Result<OfficeLink<'a>, DbError> {
    Ok(OfficeLink {
        license_no: &office.license_no,
        name: &office.name,
        status: office_status(office)?,
        actions,
    })
}

/// Reads the credit records of several subjects of one kind at once.
pub fn credit_records(
    conn: &mut DbConnection,
    kind: SubjectKind,
    license_nos: &[String],
) -> Result<HashMap<String, CreditRecords>, DbError> {
    crate::with_backend!(conn, |c| c.credit_records(kind, license_nos))
}

/// Today's standing of each office of `rows`, in their order, from their
/// own records (the same rule as their profiles).
pub fn office_standings(
    conn: &mut DbConnection,
    rows: &[Office],
    today: NaiveDate,
    policy: &StandingPolicy,
) -> Result<Vec<StandingReport>, DbError> {
    let keys: Vec<String> = rows.iter().map(|o| o.license_no.clone()).collect();
    let credit = credit_records(conn, SubjectKind::Office, &keys)?;
    let none = CreditRecords::default();
    rows.iter()
        .map(|o| {
            let c = credit.get(&o.license_no).unwrap_or(&none);
            let (reviews, actions) = (c.review_records()?, c.action_records()?);
            Ok(standing::assess(
                &Subject {
                    status: office_status(o)?,
                    licensed_on: o.established_on,
                    reviews: &reviews,
                    actions: &actions,
                    office: None,
                },
                today,
                policy,
            ))
        })
        .collect()
}

/// The offices of `workers`, by license number.
pub fn offices_of(
    conn: &mut DbConnection,
    workers: &[Worker],
) -> Result<HashMap<String, Office>, DbError> {
    let mut keys: Vec<&str> = workers
        .iter()
        .filter_map(|w| w.office_license_no.as_deref())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut out = HashMap::new();
    for chunk in keys.chunks(500) {
        for o in offices::table
            .filter(offices::license_no.eq_any(chunk))
            .select(Office::as_select())
            .load::<Office>(conn)?
        {
            out.insert(o.license_no.clone(), o);
        }
    }
    Ok(out)
}

/// Today's standing of each worker of `rows`, in their order, from their
/// own records and their office's (a suspended or closed office stops its
/// workers), as on their profiles.
pub fn worker_standings(
    conn: &mut DbConnection,
    rows: &[Worker],
    today: NaiveDate,
    policy: &StandingPolicy,
) -> Result<Vec<StandingReport>, DbError> {
    let keys: Vec<String> = rows.iter().map(|w| w.license_no.clone()).collect();
    let credit = credit_records(conn, SubjectKind::Worker, &keys)?;
    let offices = offices_of(conn, rows)?;
    let office_keys: Vec<String> = offices.keys().cloned().collect();
    let office_credit = credit_records(conn, SubjectKind::Office, &office_keys)?;
    let none = CreditRecords::default();
    let mut office_actions: HashMap<&str, Vec<ActionRecord>> = HashMap::new();
    for key in offices.keys() {
        let c = office_credit.get(key).unwrap_or(&none);
        office_actions.insert(key, c.action_records()?);
    }
    rows.iter()
        .map(|w| {
            let c = credit.get(&w.license_no).unwrap_or(&none);
            let (reviews, actions) = (c.review_records()?, c.action_records()?);
            let office = w
                .office_license_no
                .as_deref()
                .and_then(|k| offices.get(k))
                .map(|o| {
                    let acts = office_actions
                        .get(o.license_no.as_str())
                        .map_or(&[][..], Vec::as_slice);
                    office_link(o, acts)
                })
                .transpose()?;
            Ok(standing::assess(
                &Subject {
                    status: worker_status(w)?,
                    licensed_on: w.first_licensed_on,
                    reviews: &reviews,
                    actions: &actions,
                    office,
                },
                today,
                policy,
            ))
        })
        .collect()
}

/// Reads one subject's credit records: the same as [`credit_records`] for
/// one license number, but with `=` instead of `IN (…)`, so that both
/// statements are prepared once per connection (diesel does not keep
/// statements whose number of parameters varies).
pub fn credit_records_of(
    conn: &mut DbConnection,
    kind: SubjectKind,
    license_no: &str,
) -> Result<CreditRecords, DbError> {
    crate::with_backend!(conn, |c| c.credit_records_of(kind, license_no))
}

/// Reads a worker's profile, in one read transaction: one snapshot for
/// its reads instead of one each (on SQLite each statement outside a
/// transaction takes and drops the WAL's read lock). The reads run on the
/// concrete connection (`db::reads`).
pub fn worker(
    conn: &mut DbConnection,
    license_no: &LicenseNo,
) -> Result<Option<WorkerRecords>, DbError> {
    crate::with_backend!(conn, |c| c.worker_profile(license_no))
}

/// Reads an office's profile, in one read transaction (see [`worker`]).
pub fn office(
    conn: &mut DbConnection,
    license_no: &LicenseNo,
) -> Result<Option<OfficeRecords>, DbError> {
    crate::with_backend!(conn, |c| c.office_profile(license_no))
}

/// The license numbers of the workers called exactly `name` (at most 50).
pub fn workers_named(conn: &mut DbConnection, name: &str) -> Result<Vec<String>, DbError> {
    use super::schema::workers;
    Ok(workers::table
        .filter(workers::name.eq(name.trim()))
        .order(workers::license_no)
        .select(workers::license_no)
        .limit(50)
        .load(conn)?)
}

/// The names of every worker who may be revoked or deregistered: their
/// registration status says so, or a 吊销执业证 decision names them
/// (withdrawn or not, in force yet or not). A superset of the workers the
/// impersonation warning is about, so a name not in it settles that no
/// warning applies without reading anyone's records. It changes only when
/// workers or decisions are written, never with the date, so the portal
/// keeps it between writes (`web::AppState::barred_names`) instead of
/// asking the database on every search by name.
pub fn barred_names(conn: &mut DbConnection) -> Result<HashSet<String>, DbError> {
    let by_status: Vec<String> = workers::table
        .filter(
            workers::status
                .eq(WorkerStatus::Revoked.key())
                .or(workers::status.eq(WorkerStatus::Deregistered.key())),
        )
        .select(workers::name)
        .load(conn)?;
    let by_decision: Vec<String> = workers::table
        .filter(
            workers::license_no.eq_any(
                disciplinary_actions::table
                    .filter(disciplinary_actions::subject_kind.eq(SubjectKind::Worker.key()))
                    .filter(disciplinary_actions::kind.eq(DisciplineKind::RevokeLicense.key()))
                    .select(disciplinary_actions::subject_license_no),
            ),
        )
        .select(workers::name)
        .load(conn)?;
    Ok(by_status.into_iter().chain(by_decision).collect())
}

/// Whether a license number belongs to an office or a worker.
pub fn kind_of(
    conn: &mut DbConnection,
    license_no: &LicenseNo,
) -> Result<Option<SubjectKind>, DbError> {
    let worker: i64 = workers::table
        .filter(workers::license_no.eq(license_no.as_str()))
        .count()
        .get_result(conn)?;
    if worker > 0 {
        return Ok(Some(SubjectKind::Worker));
    }
    let office: i64 = offices::table
        .filter(offices::license_no.eq(license_no.as_str()))
        .count()
        .get_result(conn)?;
    Ok((office > 0).then_some(SubjectKind::Office))
}

/// Headline counts for the home page: practising offices, practising
/// workers, districts.
pub fn headline_counts(conn: &mut DbConnection) -> Result<(i64, i64, i64), DbError> {
    let o = offices::table
        .filter(offices::status.eq("practising"))
        .count()
        .get_result(conn)?;
    let w = workers::table
        .filter(workers::status.eq("practising"))
        .count()
        .get_result(conn)?;
    let d = districts::table.count().get_result(conn)?;
    Ok((o, w, d))
}
