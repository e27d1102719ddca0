//! Rows as stored. Vocabulary columns hold the English keys of
//! `domain::vocab`; lists are joined with `;`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::*;

/// A district row.
#[derive(
    Debug, Clone, serde::Serialize, PartialEq, Queryable, Selectable, Insertable, AsChangeset,
)]
#[diesel(table_name = districts)]
// None is NULL, not DEFAULT (no column has another default): diesel
// inserts rows that may hold DEFAULT one statement each on SQLite.
#[diesel(treat_none_as_default_value = false)]
pub struct District {
    /// GB/T 2260 code.
    pub code: String,
    /// Official name.
    pub name: String,
    /// `domain::vocab::DistrictKind` key.
    pub kind: String,
    /// Resident population.
    pub population: i64,
    /// Practising lawyers.
    pub lawyers: i64,
    /// Takes part in Sichuan–Chongqing border cooperation.
    pub borders_sichuan: bool,
    /// Seat latitude, WGS-84.
    pub seat_lat: Option<f64>,
    /// Seat longitude, WGS-84.
    pub seat_lng: Option<f64>,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// A township row.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Queryable, Selectable)]
#[diesel(table_name = townships)]
pub struct Township {
    /// Row id.
    pub id: i64,
    /// District code.
    pub district_code: String,
    /// Name.
    pub name: String,
    /// `AreaKind` key.
    pub area_kind: String,
}

/// A township to insert.
#[derive(Debug, Clone, serde::Serialize, Insertable)]
#[diesel(table_name = townships)]
// None is NULL, not DEFAULT (no column has another default): diesel
// inserts rows that may hold DEFAULT one statement each on SQLite.
#[diesel(treat_none_as_default_value = false)]
pub struct NewTownship {
    /// Row id, chosen by the caller so that offices can refer to it in the
    /// same batch.
    pub id: i64,
    /// District code.
    pub district_code: String,
    /// Name.
    pub name: String,
    /// `AreaKind` key.
    pub area_kind: String,
}

/// An office row.
#[derive(
    Debug, Clone, serde::Serialize, PartialEq, Queryable, Selectable, Insertable, AsChangeset,
)]
#[diesel(table_name = offices)]
// None is NULL, not DEFAULT (no column has another default): diesel
// inserts rows that may hold DEFAULT one statement each on SQLite.
#[diesel(treat_none_as_default_value = false)]
pub struct Office {
    /// License number (normalised).
    pub license_no: String,
    /// Name.
    pub name: String,
    /// District code.
    pub district_code: String,
    /// Township row.
    pub township_id: Option<i64>,
    /// `AreaKind` key.
    pub area_kind: String,
    /// Street address.
    pub address: String,
    /// Latitude, WGS-84.
    pub lat: Option<f64>,
    /// Longitude, WGS-84.
    pub lng: Option<f64>,
    /// Public office phone.
    pub phone: String,
    /// Opening hours.
    pub hours: String,
    /// Director's name.
    pub director: String,
    /// `PartyOrg` key.
    pub party_org: String,
    /// Practice areas joined with `;`.
    pub practice_areas: String,
    /// `OfficeStatus` key.
    pub status: String,
    /// Date established.
    pub established_on: Option<NaiveDate>,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// A worker row.
#[derive(
    Debug, Clone, serde::Serialize, PartialEq, Queryable, Selectable, Insertable, AsChangeset,
)]
#[diesel(table_name = workers)]
// None is NULL, not DEFAULT (no column has another default): diesel
// inserts rows that may hold DEFAULT one statement each on SQLite.
#[diesel(treat_none_as_default_value = false)]
pub struct Worker {
    /// License number (normalised).
    pub license_no: String,
    /// Name.
    pub name: String,
    /// `Gender` key.
    pub gender: Option<String>,
    /// Office license number.
    pub office_license_no: Option<String>,
    /// `WorkerStatus` key.
    pub status: String,
    /// First licensed.
    pub first_licensed_on: Option<NaiveDate>,
    /// Months of internship.
    pub internship_months: Option<i32>,
    /// Practice areas joined with `;`.
    pub practice_areas: String,
    /// Village or community legal-adviser posts joined with `;`.
    pub adviser_posts: String,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// A transfer row.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Queryable, Selectable)]
#[diesel(table_name = transfers)]
pub struct Transfer {
    /// Row id.
    pub id: i64,
    /// Worker.
    pub worker_license_no: String,
    /// Office left.
    pub from_office_license_no: Option<String>,
    /// Office joined.
    pub to_office_license_no: String,
    /// Effective date.
    pub effective_on: NaiveDate,
}

/// A transfer to insert.
#[derive(Debug, Clone, serde::Serialize, Insertable)]
#[diesel(table_name = transfers)]
// None is NULL, not DEFAULT (no column has another default): diesel
// inserts rows that may hold DEFAULT one statement each on SQLite.
#[diesel(treat_none_as_default_value = false)]
pub struct NewTransfer {
    /// Worker.
    pub worker_license_no: String,
    /// Office left.
    pub from_office_license_no: Option<String>,
    /// Office joined.
    pub to_office_license_no: String,
    /// Effective date.
    pub effective_on: NaiveDate,
}

/// An annual review row.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Queryable, Selectable)]
#[diesel(table_name = annual_reviews)]
pub struct Review {
    /// Row id.
    pub id: i64,
    /// `SubjectKind` key.
    pub subject_kind: String,
    /// Subject license number.
    pub subject_license_no: String,
    /// Year reviewed.
    pub year: i32,
    /// `ReviewOutcome` key.
    pub outcome: String,
    /// Rectification deadline.
    pub rectify_by: Option<NaiveDate>,
    /// Note.
    pub note: Option<String>,
    /// The day rectification was completed.
    pub rectified_on: Option<NaiveDate>,
}

/// An annual review to insert.
#[derive(Debug, Clone, serde::Serialize, Insertable)]
#[diesel(table_name = annual_reviews)]
// None is NULL, not DEFAULT (no column has another default): diesel
// inserts rows that may hold DEFAULT one statement each on SQLite.
#[diesel(treat_none_as_default_value = false)]
pub struct NewReview {
    /// `SubjectKind` key.
    pub subject_kind: String,
    /// Subject license number.
    pub subject_license_no: String,
    /// Year reviewed.
    pub year: i32,
    /// `ReviewOutcome` key.
    pub outcome: String,
    /// Rectification deadline.
    pub rectify_by: Option<NaiveDate>,
    /// Note.
    pub note: Option<String>,
    /// The day rectification was completed.
    pub rectified_on: Option<NaiveDate>,
}

/// A disciplinary action row.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Queryable, Selectable)]
#[diesel(table_name = disciplinary_actions)]
pub struct Action {
    /// Row id.
    pub id: i64,
    /// Decision number (文号).
    pub decision_no: String,
    /// `SubjectKind` key.
    pub subject_kind: String,
    /// Subject license number.
    pub subject_license_no: String,
    /// `DisciplineKind` key.
    pub kind: String,
    /// Deciding authority.
    pub authority: String,
    /// Decision date.
    pub decided_on: NaiveDate,
    /// Facts found.
    pub facts: String,
    /// Legal basis.
    pub basis: String,
    /// Last day of a 停止执业 penalty.
    pub suspended_until: Option<NaiveDate>,
    /// Last day of disclosure as decided.
    pub public_until: Option<NaiveDate>,
    /// Withdrawal date.
    pub withdrawn_on: Option<NaiveDate>,
    /// Withdrawal reason.
    pub withdrawn_reason: Option<String>,
}

impl Action {
    /// The action as the standing rules take it; `None` when its kind is
    /// not in the vocabulary.
    pub fn record(&self) -> Option<crate::domain::standing::ActionRecord> {
        Some(crate::domain::standing::ActionRecord {
            decision_no: self.decision_no.clone(),
            kind: crate::domain::vocab::DisciplineKind::parse(&self.kind)?,
            decided_on: self.decided_on,
            suspended_until: self.suspended_until,
            public_until: self.public_until,
            withdrawn_on: self.withdrawn_on,
        })
    }
}

/// A disciplinary action to insert.
#[derive(Debug, Clone, serde::Serialize, Insertable)]
#[diesel(table_name = disciplinary_actions)]
// None is NULL, not DEFAULT (no column has another default): diesel
// inserts rows that may hold DEFAULT one statement each on SQLite.
#[diesel(treat_none_as_default_value = false)]
pub struct NewAction {
    /// Decision number (文号).
    pub decision_no: String,
    /// `SubjectKind` key.
    pub subject_kind: String,
    /// Subject license number.
    pub subject_license_no: String,
    /// `DisciplineKind` key.
    pub kind: String,
    /// Deciding authority.
    pub authority: String,
    /// Decision date.
    pub decided_on: NaiveDate,
    /// Facts found.
    pub facts: String,
    /// Legal basis.
    pub basis: String,
    /// Last day of a 停止执业 penalty.
    pub suspended_until: Option<NaiveDate>,
    /// Last day of disclosure as decided.
    pub public_until: Option<NaiveDate>,
    /// Withdrawal date.
    pub withdrawn_on: Option<NaiveDate>,
    /// Withdrawal reason.
    pub withdrawn_reason: Option<String>,
}

/// A commendation row.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Queryable, Selectable)]
#[diesel(table_name = commendations)]
pub struct Commendation {
    /// Row id.
    pub id: i64,
    /// `SubjectKind` key.
    pub subject_kind: String,
    /// Subject license number.
    pub subject_license_no: String,
    /// Title of the honour.
    pub title: String,
    /// Awarding body.
    pub awarded_by: String,
    /// Date awarded.
    pub awarded_on: NaiveDate,
}

/// A commendation to insert.
#[derive(Debug, Clone, serde::Serialize, Insertable)]
#[diesel(table_name = commendations)]
// None is NULL, not DEFAULT (no column has another default): diesel
// inserts rows that may hold DEFAULT one statement each on SQLite.
#[diesel(treat_none_as_default_value = false)]
pub struct NewCommendation {
    /// `SubjectKind` key.
    pub subject_kind: String,
    /// Subject license number.
    pub subject_license_no: String,
    /// Title of the honour.
    pub title: String,
    /// Awarding body.
    pub awarded_by: String,
    /// Date awarded.
    pub awarded_on: NaiveDate,
}

/// An announcement row.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Queryable, Selectable)]
#[diesel(table_name = announcements)]
pub struct Announcement {
    /// Row id.
    pub id: i64,
    /// `AnnouncementKind` key.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Body text.
    pub body: String,
    /// Date published.
    pub published_on: NaiveDate,
    /// License numbers concerned, joined with `;`.
    pub license_nos: String,
}

/// An announcement to insert.
#[derive(Debug, Clone, serde::Serialize, Insertable)]
#[diesel(table_name = announcements)]
// None is NULL, not DEFAULT (no column has another default): diesel
// inserts rows that may hold DEFAULT one statement each on SQLite.
#[diesel(treat_none_as_default_value = false)]
pub struct NewAnnouncement {
    /// `AnnouncementKind` key.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Body text.
    pub body: String,
    /// Date published.
    pub published_on: NaiveDate,
    /// License numbers concerned, joined with `;`.
    pub license_nos: String,
}

/// Splits a stored `;`-joined list.
pub fn split_list(joined: &str) -> Vec<String> {
    joined
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
