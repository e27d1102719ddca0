//! The projection: what a search document holds for an office and a
//! worker, built from the database in this one place.
//!
//! Standing comes from `domain::standing::assess`, as on every page. A
//! worker's district, township, area kind and position are their office's.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::names;
use crate::db::models::{District, Office, Township, Worker, split_list};
use crate::db::profiles::{self, CreditRecords, credit_records};
use crate::db::schema::{districts, offices, townships, workers};
use crate::db::{DbConnection, DbError};
use crate::domain::standing::{self, StandingPolicy, Subject, SubjectStatus};
use crate::domain::vocab::SubjectKind;
use crate::i18n::Label;

/// One office or worker as the search engines hold it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDocument {
    /// `office-<license_no>` or `worker-<license_no>`.
    pub id: String,
    /// Office or worker.
    #[serde(rename = "type")]
    pub kind: SubjectKind,
    /// Normalised license number.
    pub license_no: String,
    /// Name.
    pub name: String,
    /// Full pinyin of the name.
    pub name_pinyin: String,
    /// Initials of the name.
    pub name_initials: String,
    /// Pinyin of each character of the name (for highlighting).
    pub name_syllables: Vec<String>,
    /// District code.
    pub district_code: String,
    /// District name.
    pub district_name: String,
    /// Township name.
    pub township: Option<String>,
    /// `rural` or `urban`.
    pub area_kind: String,
    /// Standing key.
    pub standing: String,
    /// Standing label.
    pub standing_label: String,
    /// When the standing next changes with time alone.
    pub standing_next_change: Option<NaiveDate>,
    /// Status key.
    pub status: String,
    /// Practice areas.
    pub practice_areas: Vec<String>,
    /// A worker's office.
    pub office_license_no: Option<String>,
    /// A worker's office's name.
    pub office_name: Option<String>,
    /// An office's address.
    pub address: Option<String>,
    /// Other searchable words: address, township, district, practice areas,
    /// adviser posts, the office's name.
    pub text: String,
    /// Latitude (a worker's office's).
    pub lat: Option<f64>,
    /// Longitude (a worker's office's).
    pub lng: Option<f64>,
}

impl SearchDocument {
    /// The document id for a subject.
    pub fn id_of(kind: SubjectKind, license_no: &str) -> String {
        format!("{}-{}", kind.key(), license_no)
    }
}

struct Places {
    districts: HashMap<String, District>,
    townships: HashMap<i64, Township>,
}

impl Places {
    fn load(conn: &mut DbConnection) -> Result<Self, DbError> {
        let districts = districts::table
            .select(District::as_select())
            .load(conn)?
            .into_iter()
            .map(|d| (d.code.clone(), d))
            .collect();
        let townships = townships::table
            .select(Township::as_select())
            .load(conn)?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        Ok(Self {
            districts,
            townships,
        })
    }
}

fn assess(
    status: SubjectStatus,
    licensed_on: Option<NaiveDate>,
    credit: &CreditRecords,
    office: Option<standing::OfficeLink<'_>>,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<standing::StandingReport, DbError> {
    let reviews = credit.review_records()?;
    let actions = credit.action_records()?;
    Ok(standing::assess(
        &Subject {
            status,
            licensed_on,
            reviews: &reviews,
            actions: &actions,
            office,
        },
        today,
        windows,
    ))
}

fn office_doc(
    o: &Office,
    places: &Places,
    credit: &CreditRecords,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<SearchDocument, DbError> {
    let report = assess(
        profiles::office_status(o)?,
        o.established_on,
        credit,
        None,
        today,
        windows,
    )?;
    let district_name = places
        .districts
        .get(&o.district_code)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let township = o
        .township_id
        .and_then(|id| places.townships.get(&id))
        .map(|t| t.name.clone());
    let practice_areas = split_list(&o.practice_areas);
    let reading = names::read(&o.name, false);
    let text = [
        o.address.as_str(),
        township.as_deref().unwrap_or(""),
        district_name.as_str(),
        &practice_areas.join(" "),
    ]
    .join(" ");
    Ok(SearchDocument {
        id: SearchDocument::id_of(SubjectKind::Office, &o.license_no),
        kind: SubjectKind::Office,
        license_no: o.license_no.clone(),
        name: o.name.clone(),
        name_pinyin: reading.full,
        name_initials: reading.initials,
        name_syllables: reading.syllables,
        district_code: o.district_code.clone(),
        district_name,
        township,
        area_kind: o.area_kind.clone(),
        standing: report.standing.key().to_owned(),
        standing_label: report.standing.label().to_owned(),
        standing_next_change: report.next_change,
        status: o.status.clone(),
        practice_areas,
        office_license_no: None,
        office_name: None,
        address: Some(o.address.clone()),
        text,
        lat: o.lat,
        lng: o.lng,
    })
}

fn worker_doc(
    w: &Worker,
    office: Option<(&Office, &CreditRecords)>,
    places: &Places,
    credit: &CreditRecords,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<SearchDocument, DbError> {
    let office_actions = match office {
        Some((_, c)) => c.action_records()?,
        None => Vec::new(),
    };
    let link = office
        .map(|(o, _)| profiles::office_link(o, &office_actions))
        .transpose()?;
    let office = office.map(|(o, _)| o);
    let report = assess(
        profiles::worker_status(w)?,
        w.first_licensed_on,
        credit,
        link,
        today,
        windows,
    )?;
    let district_code = office.map(|o| o.district_code.clone()).unwrap_or_default();
    let district_name = places
        .districts
        .get(&district_code)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let township = office
        .and_then(|o| o.township_id)
        .and_then(|id| places.townships.get(&id))
        .map(|t| t.name.clone());
    let practice_areas = split_list(&w.practice_areas);
    let reading = names::read(&w.name, true);
    let text = [
        office.map(|o| o.name.as_str()).unwrap_or(""),
        township.as_deref().unwrap_or(""),
        district_name.as_str(),
        &practice_areas.join(" "),
        &split_list(&w.adviser_posts).join(" "),
    ]
    .join(" ");
    Ok(SearchDocument {
        id: SearchDocument::id_of(SubjectKind::Worker, &w.license_no),
        kind: SubjectKind::Worker,
        license_no: w.license_no.clone(),
        name: w.name.clone(),
        name_pinyin: reading.full,
        name_initials: reading.initials,
        name_syllables: reading.syllables,
        district_code,
        district_name,
        township,
        area_kind: office.map(|o| o.area_kind.clone()).unwrap_or_default(),
        standing: report.standing.key().to_owned(),
        standing_label: report.standing.label().to_owned(),
        standing_next_change: report.next_change,
        status: w.status.clone(),
        practice_areas,
        office_license_no: w.office_license_no.clone(),
        office_name: office.map(|o| o.name.clone()),
        address: None,
        text,
        lat: office.and_then(|o| o.lat),
        lng: office.and_then(|o| o.lng),
    })
}

/// What the index should hold for each of `license_nos` of one kind: the
/// document, or `None` where the subject no longer exists (delete it).
pub fn project(
    conn: &mut DbConnection,
    kind: SubjectKind,
    license_nos: &[String],
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<Vec<(String, Option<SearchDocument>)>, DbError> {
    let places = Places::load(conn)?;
    let mut out = Vec::with_capacity(license_nos.len());
    for chunk in license_nos.chunks(500) {
        let mut docs: HashMap<String, SearchDocument> = match kind {
            SubjectKind::Office => {
                let rows: Vec<Office> = offices::table
                    .filter(offices::license_no.eq_any(chunk))
                    .select(Office::as_select())
                    .load(conn)?;
                offices_docs(conn, &rows, &places, today, windows)?
            }
            SubjectKind::Worker => {
                let rows: Vec<Worker> = workers::table
                    .filter(workers::license_no.eq_any(chunk))
                    .select(Worker::as_select())
                    .load(conn)?;
                workers_docs(conn, &rows, &places, today, windows)?
            }
        }
        .into_iter()
        .map(|d| (d.license_no.clone(), d))
        .collect();
        for key in chunk {
            out.push((key.clone(), docs.remove(key)));
        }
    }
    Ok(out)
}

/// License numbers of the workers of these offices: their documents carry
/// the office's place, so they follow a change to it.
pub fn workers_of(conn: &mut DbConnection, offices: &[String]) -> Result<Vec<String>, DbError> {
    let mut out = Vec::new();
    for chunk in offices.chunks(500) {
        out.extend(
            workers::table
                .filter(workers::office_license_no.eq_any(chunk))
                .select(workers::license_no)
                .load::<String>(conn)?,
        );
    }
    Ok(out)
}

/// Every document, for a full reindex.
pub fn project_all(
    conn: &mut DbConnection,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<Vec<SearchDocument>, DbError> {
    let places = Places::load(conn)?;
    let offices: Vec<Office> = offices::table
        .order(offices::license_no)
        .select(Office::as_select())
        .load(conn)?;
    let mut out = Vec::new();
    for chunk in offices.chunks(2000) {
        out.extend(offices_docs(conn, chunk, &places, today, windows)?);
    }
    let workers: Vec<Worker> = workers::table
        .order(workers::license_no)
        .select(Worker::as_select())
        .load(conn)?;
    for chunk in workers.chunks(2000) {
        out.extend(workers_docs(conn, chunk, &places, today, windows)?);
    }
    Ok(out)
}

fn offices_docs(
    conn: &mut DbConnection,
    rows: &[Office],
    places: &Places,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<Vec<SearchDocument>, DbError> {
    let keys: Vec<String> = rows.iter().map(|o| o.license_no.clone()).collect();
    let mut credit = credit_records(conn, SubjectKind::Office, &keys)?;
    rows.iter()
        .map(|o| {
            let c = credit.remove(&o.license_no).unwrap_or_default();
            office_doc(o, places, &c, today, windows)
        })
        .collect()
}

fn workers_docs(
    conn: &mut DbConnection,
    rows: &[Worker],
    places: &Places,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<Vec<SearchDocument>, DbError> {
    let keys: Vec<String> = rows.iter().map(|w| w.license_no.clone()).collect();
    let mut office_keys: Vec<String> = rows
        .iter()
        .filter_map(|w| w.office_license_no.clone())
        .collect();
    office_keys.sort();
    office_keys.dedup();
    let mut offices_by_key: HashMap<String, Office> = HashMap::new();
    for chunk in office_keys.chunks(500) {
        for o in offices::table
            .filter(offices::license_no.eq_any(chunk))
            .select(Office::as_select())
            .load::<Office>(conn)?
        {
            offices_by_key.insert(o.license_no.clone(), o);
        }
    }
    let mut credit = credit_records(conn, SubjectKind::Worker, &keys)?;
    let office_credit = credit_records(conn, SubjectKind::Office, &office_keys)?;
    let none = CreditRecords::default();
    rows.iter()
        .map(|w| {
            let c = credit.remove(&w.license_no).unwrap_or_default();
            let office = w
                .office_license_no
                .as_ref()
                .and_then(|k| offices_by_key.get(k))
                .map(|o| (o, office_credit.get(&o.license_no).unwrap_or(&none)));
            worker_doc(w, office, places, &c, today, windows)
        })
        .collect()
}
