//! The public lists: disclosures across all subjects, announcements, and the
//! profile addresses for the sitemap.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::models::{Action, Announcement};
use super::schema::{announcements, disciplinary_actions, offices, workers};
use super::{DbConnection, DbError};
use crate::domain::standing::StandingPolicy;
use crate::domain::vocab::DisciplineKind;

/// A disclosed action with the subject's name and district.
#[derive(Debug, Clone)]
pub struct DisclosedAction {
    /// The action.
    pub action: Action,
    /// Last day of disclosure.
    pub public_until: NaiveDate,
    /// The subject's name, if the subject is known.
    pub subject_name: Option<String>,
    /// The subject's district code (a worker's through their office).
    pub district_code: Option<String>,
}

/// Every action inside its disclosure window on `today`, newest first,
/// optionally only in `district` and of `kind`.
pub fn disclosures(
    conn: &mut DbConnection,
    today: NaiveDate,
    windows: &StandingPolicy,
    district: Option<&str>,
    kind: Option<DisciplineKind>,
) -> Result<Vec<DisclosedAction>, DbError> {
    // No default window reaches back further than the long one; explicit
    // `public_until` dates are checked on each row.
    let earliest = today
        .checked_sub_months(chrono::Months::new(
            12 * windows.long_years.max(windows.short_years),
        ))
        .unwrap_or(NaiveDate::MIN);
    let mut query = disciplinary_actions::table
        .filter(disciplinary_actions::decided_on.le(today))
        .filter(
            disciplinary_actions::decided_on
                .ge(earliest)
                .or(disciplinary_actions::public_until.ge(today)),
        )
        .into_boxed();
    if let Some(k) = kind {
        query = query.filter(disciplinary_actions::kind.eq(k.key()));
    }
    let rows: Vec<Action> = query
        .order((
            disciplinary_actions::decided_on.desc(),
            disciplinary_actions::decision_no.desc(),
        ))
        .select(Action::as_select())
        .load(conn)?;
    let mut shown = Vec::new();
    for a in rows {
        let Some(rec) = a.record() else {
            continue;
        };
        if rec.is_disclosed(today, windows) {
            shown.push((a, rec.window_end(windows)));
        }
    }
    let worker_nos: Vec<&str> = shown
        .iter()
        .filter(|(a, _)| a.subject_kind == "worker")
        .map(|(a, _)| a.subject_license_no.as_str())
        .collect();
    let mut workers_by_no: HashMap<String, (String, Option<String>)> = HashMap::new();
    for chunk in worker_nos.chunks(500) {
        let rows: Vec<(String, String, Option<String>)> = workers::table
            .left_join(offices::table)
            .filter(workers::license_no.eq_any(chunk))
            .select((
                workers::license_no,
                workers::name,
                offices::district_code.nullable(),
            ))
            .load(conn)?;
        for (no, name, district) in rows {
            workers_by_no.insert(no, (name, district));
        }
    }
    let office_nos: Vec<&str> = shown
        .iter()
        .filter(|(a, _)| a.subject_kind == "office")
        .map(|(a, _)| a.subject_license_no.as_str())
        .collect();
    let mut offices_by_no: HashMap<String, (String, Option<String>)> = HashMap::new();
    for chunk in office_nos.chunks(500) {
        let rows: Vec<(String, String, String)> = offices::table
            .filter(offices::license_no.eq_any(chunk))
            .select((offices::license_no, offices::name, offices::district_code))
            .load(conn)?;
        for (no, name, district) in rows {
            offices_by_no.insert(no, (name, Some(district)));
        }
    }
    Ok(shown
        .into_iter()
        .map(|(a, until)| {
            let found = if a.subject_kind == "worker" {
                workers_by_no.get(&a.subject_license_no)
            } else {
                offices_by_no.get(&a.subject_license_no)
            };
            DisclosedAction {
                subject_name: found.map(|(n, _)| n.clone()),
                district_code: found.and_then(|(_, d)| d.clone()),
                public_until: until,
                action: a,
            }
        })
        .filter(|d| district.is_none_or(|want| d.district_code.as_deref() == Some(want)))
        .collect())
}

/// Announcements, newest first, optionally of one kind; with the total.
pub fn announcements(
    conn: &mut DbConnection,
    kind: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Announcement>, i64), DbError> {
    let mut count = announcements::table.into_boxed();
    let mut query = announcements::table.into_boxed();
    if let Some(k) = kind {
        count = count.filter(announcements::kind.eq(k.to_owned()));
        query = query.filter(announcements::kind.eq(k.to_owned()));
    }
    let total = count.count().get_result(conn)?;
    let rows = query
        .order((announcements::published_on.desc(), announcements::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(Announcement::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The ids of the newest `limit` announcements, newest first (for the
/// sitemap).
pub fn announcement_ids(conn: &mut DbConnection, limit: i64) -> Result<Vec<i64>, DbError> {
    Ok(announcements::table
        .order((announcements::published_on.desc(), announcements::id.desc()))
        .select(announcements::id)
        .limit(limit)
        .load(conn)?)
}

/// License numbers of every office and every worker, for the sitemap.
pub fn all_license_nos(conn: &mut DbConnection) -> Result<(Vec<String>, Vec<String>), DbError> {
    let o = offices::table
        .select(offices::license_no)
        .order(offices::license_no)
        .load(conn)?;
    let w = workers::table
        .select(workers::license_no)
        .order(workers::license_no)
        .load(conn)?;
    Ok((o, w))
}
