//! The facts behind the bureau's exit list (`domain::exit`), read for the
//! whole register at once, and the announcements that name a subject.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;

use super::models::{Announcement, Office, Worker, split_list};
use super::profiles::{self, CreditRecords, credit_records};
use super::schema::{announcements, offices, workers};
use super::{DbConnection, DbError};
use crate::domain::dates::china_date;
use crate::domain::exit::{self, ExitFacts, ExitFinding};
use crate::domain::plan_rules::RuleSettings;
use crate::domain::standing::{self, StandingPolicy, Subject};
use crate::domain::vocab::{AnnouncementKind, SubjectKind, WorkerStatus};

/// One subject on the exit list, for one reason.
#[derive(Debug, Clone)]
pub struct ExitEntry {
    /// Office or worker.
    pub kind: SubjectKind,
    /// License number.
    pub license_no: String,
    /// Name.
    pub name: String,
    /// District code (a worker's office's).
    pub district_code: String,
    /// The reason and since when.
    pub finding: ExitFinding,
}

/// Every exit candidate of the register on `today`, by reason, then
/// district, then license number.
pub fn candidates(
    conn: &mut DbConnection,
    today: NaiveDate,
    policy: &StandingPolicy,
    rules: &RuleSettings,
) -> Result<Vec<ExitEntry>, DbError> {
    let offices: Vec<Office> = offices::table
        .order(offices::license_no)
        .select(Office::as_select())
        .load(conn)?;
    let workers: Vec<Worker> = workers::table
        .order(workers::license_no)
        .select(Worker::as_select())
        .load(conn)?;
    let office_keys: Vec<String> = offices.iter().map(|o| o.license_no.clone()).collect();
    let worker_keys: Vec<String> = workers.iter().map(|w| w.license_no.clone()).collect();
    let office_credit = credit_records(conn, SubjectKind::Office, &office_keys)?;
    let worker_credit = credit_records(conn, SubjectKind::Worker, &worker_keys)?;
    let named: HashSet<String> = announcements::table
        .filter(announcements::kind.eq(AnnouncementKind::Exit.key()))
        .select(announcements::license_nos)
        .load::<String>(conn)?
        .iter()
        .flat_map(|l| split_list(l))
        .collect();
    let mut practising: HashMap<&str, i64> = HashMap::new();
    for w in workers
        .iter()
        .filter(|w| w.status == WorkerStatus::Practising.key())
    {
        if let Some(o) = &w.office_license_no {
            *practising.entry(o.as_str()).or_default() += 1;
        }
    }
    let none = CreditRecords::default();
    let mut office_actions = HashMap::new();
    for o in &offices {
        let credit = office_credit.get(&o.license_no).unwrap_or(&none);
        office_actions.insert(o.license_no.as_str(), credit.action_records()?);
    }
    let offices_by_key: HashMap<&str, &Office> =
        offices.iter().map(|o| (o.license_no.as_str(), o)).collect();

    let mut out = Vec::new();
    for o in &offices {
        let credit = office_credit.get(&o.license_no).unwrap_or(&none);
        let reviews = credit.review_records()?;
        let report = standing::assess(
            &Subject {
                status: profiles::office_status(o)?,
                licensed_on: o.established_on,
                reviews: &reviews,
                actions: office_actions
                    .get(o.license_no.as_str())
                    .map_or(&[], Vec::as_slice),
                office: None,
            },
            today,
            policy,
        );
        let reviewed_years: Vec<i32> = reviews
            .iter()
            .filter(|r| r.outcome.took_part())
            .map(|r| r.year)
            .collect();
        let facts = ExitFacts {
            kind: SubjectKind::Office,
            status: profiles::office_status(o)?,
            standing: &report,
            established_on: o.established_on,
            reviewed_years: &reviewed_years,
            practising_workers: practising.get(o.license_no.as_str()).copied().unwrap_or(0),
            changed_on: china_date(o.updated_at),
            office_changed_on: None,
            named_in_exit_notice: named.contains(&o.license_no),
        };
        for finding in exit::findings(&facts, today, rules) {
            out.push(ExitEntry {
                kind: SubjectKind::Office,
                license_no: o.license_no.clone(),
                name: o.name.clone(),
                district_code: o.district_code.clone(),
                finding,
            });
        }
    }
    for w in &workers {
        let credit = worker_credit.get(&w.license_no).unwrap_or(&none);
        let reviews = credit.review_records()?;
        let actions = credit.action_records()?;
        let office = w
            .office_license_no
            .as_deref()
            .and_then(|k| offices_by_key.get(k).copied());
        let link = office
            .map(|o| {
                profiles::office_link(
                    o,
                    office_actions
                        .get(o.license_no.as_str())
                        .map_or(&[], Vec::as_slice),
                )
            })
            .transpose()?;
        let report = standing::assess(
            &Subject {
                status: profiles::worker_status(w)?,
                licensed_on: w.first_licensed_on,
                reviews: &reviews,
                actions: &actions,
                office: link,
            },
            today,
            policy,
        );
        let facts = ExitFacts {
            kind: SubjectKind::Worker,
            status: profiles::worker_status(w)?,
            standing: &report,
            established_on: None,
            reviewed_years: &[],
            practising_workers: 0,
            changed_on: china_date(w.updated_at),
            office_changed_on: office.map(|o| china_date(o.updated_at)),
            named_in_exit_notice: named.contains(&w.license_no),
        };
        for finding in exit::findings(&facts, today, rules) {
            out.push(ExitEntry {
                kind: SubjectKind::Worker,
                license_no: w.license_no.clone(),
                name: w.name.clone(),
                district_code: office.map(|o| o.district_code.clone()).unwrap_or_default(),
                finding,
            });
        }
    }
    out.sort_by(|a, b| {
        (a.finding.reason, &a.district_code, &a.license_no).cmp(&(
            b.finding.reason,
            &b.district_code,
            &b.license_no,
        ))
    });
    Ok(out)
}

/// The announcements that name `license_no`, newest first.
pub fn announcements_naming(
    conn: &mut DbConnection,
    license_no: &str,
) -> Result<Vec<Announcement>, DbError> {
    use super::reads::Reads;
    crate::with_backend!(conn, |c| c.announcements_naming(license_no))
}

/// Which of `license_nos` are offices and which workers (unknown numbers
/// are left out).
pub fn kinds_of(
    conn: &mut DbConnection,
    license_nos: &[String],
) -> Result<HashMap<String, SubjectKind>, DbError> {
    let mut out = HashMap::new();
    for chunk in license_nos.chunks(500) {
        for no in offices::table
            .filter(offices::license_no.eq_any(chunk))
            .select(offices::license_no)
            .load::<String>(conn)?
        {
            out.insert(no, SubjectKind::Office);
        }
        for no in workers::table
            .filter(workers::license_no.eq_any(chunk))
            .select(workers::license_no)
            .load::<String>(conn)?
        {
            out.insert(no, SubjectKind::Worker);
        }
    }
    Ok(out)
}

/// One announcement by id.
pub fn announcement(conn: &mut DbConnection, id: i64) -> Result<Option<Announcement>, DbError> {
    Ok(announcements::table
        .find(id)
        .select(Announcement::as_select())
        .first(conn)
        .optional()?)
}
