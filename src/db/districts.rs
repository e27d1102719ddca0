//! District statistics: the figures behind the lawyer and service ratios.

use std::collections::HashMap;

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::models::District;
use super::schema::{districts, offices, workers};
use super::{DbConnection, DbError};

/// A district with the counts its ratios need.
#[derive(Debug, Clone)]
pub struct DistrictStats {
    /// The district.
    pub district: District,
    /// Practising workers at offices in the district.
    pub active_workers: i64,
    /// Practising offices in the district.
    pub offices: i64,
}

/// Every district, by code, with its counts.
pub fn list(conn: &mut DbConnection) -> Result<Vec<DistrictStats>, DbError> {
    let all: Vec<District> = districts::table
        .select(District::as_select())
        .order(districts::code)
        .load(conn)?;
    let workers: HashMap<String, i64> = workers::table
        .inner_join(offices::table)
        .filter(workers::status.eq("practising"))
        .group_by(offices::district_code)
        .select((offices::district_code, count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let office_counts: HashMap<String, i64> = offices::table
        .filter(offices::status.eq("practising"))
        .group_by(offices::district_code)
        .select((offices::district_code, count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(all
        .into_iter()
        .map(|d| DistrictStats {
            active_workers: workers.get(&d.code).copied().unwrap_or(0),
            offices: office_counts.get(&d.code).copied().unwrap_or(0),
            district: d,
        })
        .collect())
}

/// Every district's code and name, in code order: what a search form or
/// facet label needs, without the counts `list` computes.
pub fn names(conn: &mut DbConnection) -> Result<Vec<(String, String)>, DbError> {
    Ok(districts::table
        .select((districts::code, districts::name))
        .order(districts::code)
        .load(conn)?)
}

/// One district by code.
pub fn find(conn: &mut DbConnection, code: &str) -> Result<Option<District>, DbError> {
    Ok(districts::table
        .find(code)
        .select(District::as_select())
        // Not `first`: SQLite prepares a statement whose LIMIT is a bound
        // parameter again on every run.
        .get_result(conn)
        .optional()?)
}

/// Offices of a district with their credit records, and the review outcomes
/// of its offices and workers counted by year.
#[derive(Debug, Clone, Default)]
pub struct DistrictDetail {
    /// Offices by name, with reviews and actions.
    pub offices: Vec<(super::models::Office, super::profiles::CreditRecords)>,
    /// `(subject kind, year, outcome) → count`.
    pub review_counts: std::collections::BTreeMap<(String, i32, String), i64>,
}

/// Reads a district's offices and review counts.
pub fn detail(conn: &mut DbConnection, code: &str) -> Result<DistrictDetail, DbError> {
    use super::models::Office;
    use super::schema::annual_reviews;
    use crate::domain::vocab::SubjectKind;
    let offices: Vec<Office> = offices::table
        .filter(offices::district_code.eq(code))
        .order((offices::name, offices::license_no))
        .select(Office::as_select())
        .load(conn)?;
    let office_nos: Vec<String> = offices.iter().map(|o| o.license_no.clone()).collect();
    let mut credit = super::profiles::credit_records(conn, SubjectKind::Office, &office_nos)?;
    let worker_nos: Vec<String> = workers::table
        .filter(workers::office_license_no.eq_any(&office_nos))
        .select(workers::license_no)
        .load(conn)?;
    let mut review_counts = std::collections::BTreeMap::new();
    for (kind, nos) in [("office", &office_nos), ("worker", &worker_nos)] {
        for chunk in nos.chunks(500) {
            let rows: Vec<(i32, String, i64)> = annual_reviews::table
                .filter(annual_reviews::subject_kind.eq(kind))
                .filter(annual_reviews::subject_license_no.eq_any(chunk))
                .group_by((annual_reviews::year, annual_reviews::outcome))
                .select((annual_reviews::year, annual_reviews::outcome, count_star()))
                .load(conn)?;
            for (year, outcome, n) in rows {
                *review_counts
                    .entry((kind.to_owned(), year, outcome))
                    .or_insert(0) += n;
            }
        }
    }
    Ok(DistrictDetail {
        offices: offices
            .into_iter()
            .map(|o| {
                let c = credit.remove(&o.license_no).unwrap_or_default();
                (o, c)
            })
            .collect(),
        review_counts,
    })
}
