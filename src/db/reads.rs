//! The reads a profile page makes, written once and compiled for each
//! concrete connection (issue 15).
//!
//! Through diesel's `MultiConnection` a statement's SQL text is built again
//! on every run, only to find the statement in the connection's cache (15 %
//! of an uncached worker profile, `perf`); on the concrete `SqliteConnection`
//! or `PgConnection` the cache finds it by the query's type. So the hot reads
//! are the methods of [`Reads`], whose one body (`reads!`) is compiled for
//! both connections, and the public functions in `profiles`, `history`,
//! `complaints` and `exit` call them through [`with_backend!`]. The SQL is
//! the same on both backends.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::connection::DefaultLoadingMode;
use diesel::prelude::*;

use super::DbError;
use super::history::Entry;
use super::models::*;
use super::profiles::{
    CreditRecords, OfficeRecords, StandingRecords, TransferRecord, WorkerRecords,
};
use super::schema::*;
use crate::domain::LicenseNo;
use crate::domain::complaint::{Outcome, Stage};
use crate::domain::report::ReportKind;
use crate::domain::standing::{ActionRecord, ReviewRecord};
use crate::domain::vocab::{DisciplineKind, ReviewOutcome, SubjectKind};

/// Keys per `IN (…)` list, well under SQLite's bound-parameter limit.
const IN_CHUNK: usize = 500;

/// Reads of the profile pages, on a concrete connection.
pub(super) trait Reads {
    /// A worker's profile, in one read transaction.
    fn worker_profile(&mut self, license_no: &LicenseNo) -> Result<Option<WorkerRecords>, DbError>;
    /// An office's profile, in one read transaction.
    fn office_profile(&mut self, license_no: &LicenseNo) -> Result<Option<OfficeRecords>, DbError>;
    /// One subject's reviews and actions, newest first.
    fn credit_records_of(
        &mut self,
        kind: SubjectKind,
        license_no: &str,
    ) -> Result<CreditRecords, DbError>;
    /// Several subjects' reviews and actions, newest first.
    fn credit_records(
        &mut self,
        kind: SubjectKind,
        license_nos: &[String],
    ) -> Result<HashMap<String, CreditRecords>, DbError>;
    /// What the standing of an office's staff is computed from, by worker:
    /// only the columns standing reads (the staff list shows standing, not
    /// the records' texts).
    fn staff_standing_records(
        &mut self,
        office_license_no: &str,
    ) -> Result<HashMap<String, StandingRecords>, DbError>;
    /// A subject's commendations, newest first.
    fn commendations_of(
        &mut self,
        kind: SubjectKind,
        license_no: &str,
    ) -> Result<Vec<Commendation>, DbError>;
    /// Concluded complaints about a subject, counted by outcome.
    fn complaint_outcomes(
        &mut self,
        kind: SubjectKind,
        license_no: &str,
    ) -> Result<Vec<(Outcome, i64)>, DbError>;
    /// Announcements naming a license number, newest first.
    fn announcements_naming(&mut self, license_no: &str) -> Result<Vec<Announcement>, DbError>;
    /// A subject's history entries, newest first: `limit` from `offset`,
    /// and how many there are when `count` is asked for.
    fn history(
        &mut self,
        kind: SubjectKind,
        key: &str,
        offset: usize,
        limit: usize,
        count: bool,
    ) -> Result<(Option<i64>, Vec<Entry>), DbError>;
    /// When an import last confirmed the subject.
    fn confirmed_at(
        &mut self,
        kind: SubjectKind,
        key: &str,
    ) -> Result<Option<NaiveDateTime>, DbError>;
}

/// Reviews newest first: by year, then as entered.
fn newest_reviews() -> (
    diesel::dsl::Desc<annual_reviews::year>,
    diesel::dsl::Desc<annual_reviews::id>,
) {
    (annual_reviews::year.desc(), annual_reviews::id.desc())
}

/// Disciplinary actions newest first: by decision date, then number.
fn newest_actions() -> (
    diesel::dsl::Desc<disciplinary_actions::decided_on>,
    diesel::dsl::Desc<disciplinary_actions::decision_no>,
) {
    (
        disciplinary_actions::decided_on.desc(),
        disciplinary_actions::decision_no.desc(),
    )
}

/// Files reviews and actions (each newest first) under their subjects.
fn by_subject(
    out: &mut HashMap<String, CreditRecords>,
    reviews: Vec<Review>,
    actions: Vec<Action>,
) {
    for r in reviews {
        out.entry(r.subject_license_no.clone())
            .or_default()
            .reviews
            .push(r);
    }
    for a in actions {
        out.entry(a.subject_license_no.clone())
            .or_default()
            .actions
            .push(a);
    }
}

/// A staff member's review as standing reads it: license number, year,
/// outcome, rectification deadline and completion.
type StaffReview = (
    String,
    i32,
    String,
    Option<chrono::NaiveDate>,
    Option<chrono::NaiveDate>,
);
/// A staff member's action as standing reads it: license number, decision
/// number, kind, decided, suspended until, public until, withdrawn.
type StaffAction = (
    String,
    String,
    String,
    chrono::NaiveDate,
    Option<chrono::NaiveDate>,
    Option<chrono::NaiveDate>,
    Option<chrono::NaiveDate>,
);

fn staff_records(
    reviews: Vec<StaffReview>,
    actions: Vec<StaffAction>,
) -> Result<HashMap<String, StandingRecords>, DbError> {
    let mut out: HashMap<String, StandingRecords> = HashMap::new();
    for (no, year, outcome, rectify_by, rectified_on) in reviews {
        let outcome = ReviewOutcome::parse(&outcome)
            .ok_or_else(|| DbError::Corrupt(format!("review outcome {outcome:?}")))?;
        out.entry(no).or_default().reviews.push(ReviewRecord {
            year,
            outcome,
            rectify_by,
            rectified_on,
        });
    }
    for (no, decision_no, kind, decided_on, suspended_until, public_until, withdrawn_on) in actions
    {
        let kind = DisciplineKind::parse(&kind)
            .ok_or_else(|| DbError::Corrupt(format!("action kind {kind:?}")))?;
        out.entry(no).or_default().actions.push(ActionRecord {
            decision_no,
            kind,
            decided_on,
            suspended_until,
            public_until,
            withdrawn_on,
        });
    }
    Ok(out)
}

macro_rules! reads {
    () => {
        fn worker_profile(
            &mut self,
            license_no: &LicenseNo,
        ) -> Result<Option<WorkerRecords>, DbError> {
            self.transaction(|c| {
                // The worker, their office and its district in one statement.
                let Some((worker, office, district)) = workers::table
                    // A flat chain of joins: SQLite materializes a nested
                    // `(offices LEFT JOIN districts)` by scanning offices.
                    .left_join(offices::table)
                    .left_join(districts::table.on(offices::district_code.eq(districts::code)))
                    .filter(workers::license_no.eq(license_no.as_str()))
                    .select((
                        Worker::as_select(),
                        Option::<Office>::as_select(),
                        Option::<District>::as_select(),
                    ))
                    .get_result::<(Worker, Option<Office>, Option<District>)>(c)
                    .optional()?
                else {
                    return Ok(None);
                };
                let office_credit = match &office {
                    Some(o) => c.credit_records_of(SubjectKind::Office, &o.license_no)?,
                    None => CreditRecords::default(),
                };
                let credit = c.credit_records_of(SubjectKind::Worker, &worker.license_no)?;
                let commendations = c.commendations_of(SubjectKind::Worker, &worker.license_no)?;
                let moves: Vec<Transfer> = transfers::table
                    .filter(transfers::worker_license_no.eq(&worker.license_no))
                    .order(transfers::effective_on.desc())
                    .select(Transfer::as_select())
                    .load(c)?;
                let mut office_nos: Vec<&str> = moves
                    .iter()
                    .flat_map(|t| {
                        t.from_office_license_no
                            .iter()
                            .chain([&t.to_office_license_no])
                    })
                    .map(String::as_str)
                    .collect();
                office_nos.sort_unstable();
                office_nos.dedup();
                let names: HashMap<String, String> = if office_nos.is_empty() {
                    HashMap::new()
                } else {
                    offices::table
                        .filter(offices::license_no.eq_any(&office_nos))
                        .select((offices::license_no, offices::name))
                        .load::<(String, String)>(c)?
                        .into_iter()
                        .collect()
                };
                let transfers = moves
                    .into_iter()
                    .map(|t| TransferRecord {
                        from_name: t
                            .from_office_license_no
                            .as_ref()
                            .and_then(|n| names.get(n).cloned()),
                        to_name: names.get(&t.to_office_license_no).cloned(),
                        transfer: t,
                    })
                    .collect();
                let complaint_outcomes =
                    c.complaint_outcomes(SubjectKind::Worker, &worker.license_no)?;
                let announcements = c.announcements_naming(&worker.license_no)?;
                Ok(Some(WorkerRecords {
                    announcements,
                    worker,
                    office,
                    office_credit,
                    district,
                    credit,
                    commendations,
                    transfers,
                    complaint_outcomes,
                }))
            })
        }

        fn office_profile(
            &mut self,
            license_no: &LicenseNo,
        ) -> Result<Option<OfficeRecords>, DbError> {
            self.transaction(|c| {
                // The office, its district and its township in one statement.
                let Some((office, district, township)) = offices::table
                    .inner_join(districts::table)
                    .left_join(townships::table)
                    .filter(offices::license_no.eq(license_no.as_str()))
                    .select((
                        Office::as_select(),
                        District::as_select(),
                        Option::<Township>::as_select(),
                    ))
                    .get_result::<(Office, District, Option<Township>)>(c)
                    .optional()?
                else {
                    // An office whose district is missing breaks a foreign
                    // key; say so rather than "not found".
                    let orphan: i64 = offices::table
                        .filter(offices::license_no.eq(license_no.as_str()))
                        .count()
                        .get_result(c)?;
                    return if orphan > 0 {
                        Err(DbError::Corrupt(format!(
                            "office {} without district",
                            license_no.as_str()
                        )))
                    } else {
                        Ok(None)
                    };
                };
                let credit = c.credit_records_of(SubjectKind::Office, &office.license_no)?;
                let commendations = c.commendations_of(SubjectKind::Office, &office.license_no)?;
                let staff: Vec<Worker> = workers::table
                    .filter(workers::office_license_no.eq(&office.license_no))
                    .order((workers::name, workers::license_no))
                    .select(Worker::as_select())
                    .load(c)?;
                let mut credit_by_worker = c.staff_standing_records(&office.license_no)?;
                let workers = staff
                    .into_iter()
                    .map(|w| {
                        let records = credit_by_worker.remove(&w.license_no).unwrap_or_default();
                        (w, records)
                    })
                    .collect();
                let complaint_outcomes =
                    c.complaint_outcomes(SubjectKind::Office, &office.license_no)?;
                let announcements = c.announcements_naming(&office.license_no)?;
                Ok(Some(OfficeRecords {
                    announcements,
                    office,
                    district,
                    township,
                    credit,
                    commendations,
                    workers,
                    complaint_outcomes,
                }))
            })
        }

        fn credit_records_of(
            &mut self,
            kind: SubjectKind,
            license_no: &str,
        ) -> Result<CreditRecords, DbError> {
            // `=` rather than `IN (…)`: both statements are prepared once
            // per connection (a varying number of parameters is not kept).
            let reviews: Vec<Review> = annual_reviews::table
                .filter(annual_reviews::subject_kind.eq(kind.key()))
                .filter(annual_reviews::subject_license_no.eq(license_no))
                .order(newest_reviews())
                .select(Review::as_select())
                .load(self)?;
            let actions: Vec<Action> = disciplinary_actions::table
                .filter(disciplinary_actions::subject_kind.eq(kind.key()))
                .filter(disciplinary_actions::subject_license_no.eq(license_no))
                .order(newest_actions())
                .select(Action::as_select())
                .load(self)?;
            Ok(CreditRecords { reviews, actions })
        }

        fn credit_records(
            &mut self,
            kind: SubjectKind,
            license_nos: &[String],
        ) -> Result<HashMap<String, CreditRecords>, DbError> {
            let mut out: HashMap<String, CreditRecords> = HashMap::new();
            for chunk in license_nos.chunks(IN_CHUNK) {
                let reviews: Vec<Review> = annual_reviews::table
                    .filter(annual_reviews::subject_kind.eq(kind.key()))
                    .filter(annual_reviews::subject_license_no.eq_any(chunk))
                    .order(newest_reviews())
                    .select(Review::as_select())
                    .load(self)?;
                let actions: Vec<Action> = disciplinary_actions::table
                    .filter(disciplinary_actions::subject_kind.eq(kind.key()))
                    .filter(disciplinary_actions::subject_license_no.eq_any(chunk))
                    .order(newest_actions())
                    .select(Action::as_select())
                    .load(self)?;
                by_subject(&mut out, reviews, actions);
            }
            Ok(out)
        }

        fn staff_standing_records(
            &mut self,
            office_license_no: &str,
        ) -> Result<HashMap<String, StandingRecords>, DbError> {
            // The staff by a subselect on their office rather than `IN` a
            // list of their numbers: one parameter whatever the office's
            // size, so both statements are prepared once per connection
            // (a list's varying length made each office profile prepare
            // them afresh).
            let staff = || {
                workers::table
                    .filter(workers::office_license_no.eq(office_license_no))
                    .select(workers::license_no)
            };
            let reviews: Vec<StaffReview> = annual_reviews::table
                .filter(annual_reviews::subject_kind.eq(SubjectKind::Worker.key()))
                .filter(annual_reviews::subject_license_no.eq_any(staff()))
                .select((
                    annual_reviews::subject_license_no,
                    annual_reviews::year,
                    annual_reviews::outcome,
                    annual_reviews::rectify_by,
                    annual_reviews::rectified_on,
                ))
                .load(self)?;
            let actions: Vec<StaffAction> = disciplinary_actions::table
                .filter(disciplinary_actions::subject_kind.eq(SubjectKind::Worker.key()))
                .filter(disciplinary_actions::subject_license_no.eq_any(staff()))
                .select((
                    disciplinary_actions::subject_license_no,
                    disciplinary_actions::decision_no,
                    disciplinary_actions::kind,
                    disciplinary_actions::decided_on,
                    disciplinary_actions::suspended_until,
                    disciplinary_actions::public_until,
                    disciplinary_actions::withdrawn_on,
                ))
                .load(self)?;
            staff_records(reviews, actions)
        }

        fn commendations_of(
            &mut self,
            kind: SubjectKind,
            license_no: &str,
        ) -> Result<Vec<Commendation>, DbError> {
            Ok(commendations::table
                .filter(commendations::subject_kind.eq(kind.key()))
                .filter(commendations::subject_license_no.eq(license_no))
                .order((commendations::awarded_on.desc(), commendations::id.desc()))
                .select(Commendation::as_select())
                .load(self)?)
        }

        fn complaint_outcomes(
            &mut self,
            kind: SubjectKind,
            license_no: &str,
        ) -> Result<Vec<(Outcome, i64)>, DbError> {
            let outcomes: Vec<Option<String>> = complaints::table
                .inner_join(complaint_reports::table)
                .filter(complaint_reports::kind.eq(ReportKind::Complaint.key()))
                .filter(complaints::subject_kind.eq(kind.key()))
                .filter(complaints::subject_license_no.eq(license_no))
                .filter(complaints::status.eq(Stage::Concluded.key()))
                .select(complaints::outcome)
                .load(self)?;
            let mut counts: Vec<(Outcome, i64)> = Outcome::ALL.iter().map(|o| (*o, 0)).collect();
            for o in outcomes.iter().flatten() {
                let parsed = Outcome::parse(o)
                    .ok_or_else(|| DbError::Corrupt(format!("complaint outcome {o:?}")))?;
                if let Some(slot) = counts.iter_mut().find(|(k, _)| *k == parsed) {
                    slot.1 += 1;
                }
            }
            counts.retain(|(_, n)| *n > 0);
            Ok(counts)
        }

        fn announcements_naming(&mut self, license_no: &str) -> Result<Vec<Announcement>, DbError> {
            Ok(announcements::table
                .inner_join(announcement_subjects::table)
                .filter(announcement_subjects::license_no.eq(license_no))
                .order((announcements::published_on.desc(), announcements::id.desc()))
                .select(Announcement::as_select())
                .load(self)?)
        }

        fn history(
            &mut self,
            kind: SubjectKind,
            key: &str,
            offset: usize,
            limit: usize,
            count: bool,
        ) -> Result<(Option<i64>, Vec<Entry>), DbError> {
            let filter = record_history::subject_kind
                .eq(kind.key())
                .and(record_history::subject_key.eq(key));
            let total: Option<i64> = if count {
                Some(record_history::table.filter(filter).count().get_result(self)?)
            } else {
                None
            };
            // No `LIMIT ?`/`OFFSET ?`: SQLite prepares a statement again each
            // time its bound limit changes what the planner chose
            // (`sqlite3Reprepare`, 6 % of a profile page). The rows come
            // newest first by the primary key and stop being read once the
            // page is full.
            let mut entries = Vec::with_capacity(limit.min(64));
            if limit > 0 && total.is_none_or(|t| usize::try_from(t).is_ok_and(|t| offset < t)) {
                let rows = record_history::table
                    .filter(filter)
                    .order(record_history::id.desc())
                    .select((
                        record_history::id,
                        record_history::field,
                        record_history::old_value,
                        record_history::new_value,
                        record_history::batch_id,
                        record_history::changed_at,
                    ))
                    .load_iter::<(i64, String, String, String, Option<i64>, NaiveDateTime), DefaultLoadingMode>(self)?;
                for row in rows.skip(offset).take(limit) {
                    let (id, field, before, after, batch_id, changed_at) = row?;
                    entries.push(Entry {
                        id,
                        field,
                        before,
                        after,
                        batch_id,
                        changed_at,
                    });
                }
            }
            Ok((total, entries))
        }

        fn confirmed_at(
            &mut self,
            kind: SubjectKind,
            key: &str,
        ) -> Result<Option<NaiveDateTime>, DbError> {
            Ok(record_confirmations::table
                .find((kind.key(), key))
                .select(record_confirmations::confirmed_at)
                .get_result(self)
                .optional()?)
        }
    };
}

impl Reads for diesel::SqliteConnection {
    reads!();
}

impl Reads for diesel::PgConnection {
    reads!();
}
