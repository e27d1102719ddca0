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

/// One district by code.
pub fn find(conn: &mut DbConnection, code: &str) -> Result<Option<District>, DbError> {
    Ok(districts::table
        .find(code)
        .select(District::as_select())
        .first(conn)
        .optional()?)
}
