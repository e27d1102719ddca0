//! The projection: what a search document holds for an office and a
//! worker, and for their disclosed disciplinary actions and annual-review
//! outcomes (record documents), built from the database in this one place.
//!
//! Standing comes from `domain::standing::assess`, as on every page. A
//! worker's district, township, area kind and position are their office's.
//! A record document copies its subject's document (name, readings,
//! district, office) and adds the record; an action is a document only
//! inside its disclosure window, and the day the window closes is the
//! subject's next refresh, so the indexer drops it that day.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::names;
use crate::db::models::{Action, District, Office, Review, Township, Worker, split_list};
use crate::db::profiles::{self, CreditRecords, credit_records};
use crate::db::schema::{districts, offices, townships, workers};
use crate::db::{DbConnection, DbError};
use crate::domain::standing::{self, StandingPolicy, Subject, SubjectStatus};
use crate::domain::vocab::{DisciplineKind, ReviewOutcome, SubjectKind};
use crate::i18n::Label;

/// What a search document is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    /// An office's or a worker's profile.
    #[default]
    Subject,
    /// A disciplinary action inside its disclosure window.
    Disclosure,
    /// An annual-review outcome.
    Review,
}

impl DocType {
    /// The key in documents and filters.
    pub fn key(self) -> &'static str {
        match self {
            DocType::Subject => "subject",
            DocType::Disclosure => "disclosure",
            DocType::Review => "review",
        }
    }

    /// Whether this is a record (disclosure or review).
    pub fn is_record(self) -> bool {
        self != DocType::Subject
    }
}

/// What a record document adds to its subject's; empty on a profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordFields {
    /// The subject document's id (`worker-…`, `office-…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Discipline kind key or review outcome key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_kind: Option<String>,
    /// Decision number as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_no: Option<String>,
    /// Decision number normalised by [`super::decision_key`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_key: Option<String>,
    /// Deciding authority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// Decision date; for a review, the last day of its year (for order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_date: Option<NaiveDate>,
    /// Last day a disclosure is public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_until: Option<NaiveDate>,
    /// Year of the decision or review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Facts found, or the review's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Legal basis of a disclosed decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

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
    /// Profile, disclosure or review.
    #[serde(default)]
    pub doc_type: DocType,
    /// The record, for a disclosure or review document.
    #[serde(flatten, default)]
    pub record: RecordFields,
}

/// What a hit shows of a [`SearchDocument`]: the embedded engine reads its
/// page of hits from the stored documents as this. Read as a whole
/// document, the flattened record fields make serde buffer every field
/// first, the long `text` included (a third of reading a page of hits at
/// the nation's scale; issue 15).
#[derive(Debug, Deserialize)]
pub struct HitSource {
    #[serde(rename = "type")]
    pub(crate) kind: SubjectKind,
    pub(crate) license_no: String,
    pub(crate) name: String,
    pub(crate) name_syllables: Vec<String>,
    pub(crate) district_code: String,
    pub(crate) district_name: String,
    pub(crate) township: Option<String>,
    pub(crate) standing: String,
    pub(crate) standing_label: String,
    pub(crate) status: String,
    pub(crate) office_name: Option<String>,
    pub(crate) address: Option<String>,
    #[serde(default)]
    pub(crate) doc_type: DocType,
    pub(crate) record_kind: Option<String>,
    pub(crate) decision_no: Option<String>,
    pub(crate) authority: Option<String>,
    pub(crate) record_date: Option<NaiveDate>,
    pub(crate) public_until: Option<NaiveDate>,
    pub(crate) year: Option<i32>,
    pub(crate) summary: Option<String>,
    pub(crate) basis: Option<String>,
}

impl From<SearchDocument> for HitSource {
    fn from(d: SearchDocument) -> Self {
        let r = d.record;
        HitSource {
            kind: d.kind,
            license_no: d.license_no,
            name: d.name,
            name_syllables: d.name_syllables,
            district_code: d.district_code,
            district_name: d.district_name,
            township: d.township,
            standing: d.standing,
            standing_label: d.standing_label,
            status: d.status,
            office_name: d.office_name,
            address: d.address,
            doc_type: d.doc_type,
            record_kind: r.record_kind,
            decision_no: r.decision_no,
            authority: r.authority,
            record_date: r.record_date,
            public_until: r.public_until,
            year: r.year,
            summary: r.summary,
            basis: r.basis,
        }
    }
}

impl SearchDocument {
    /// The document id for a subject.
    pub fn id_of(kind: SubjectKind, license_no: &str) -> String {
        format!("{}-{}", kind.key(), license_no)
    }
}

/// One subject's projection: its document (`None` when it no longer
/// exists) and its record documents.
#[derive(Debug, Clone)]
pub struct Projected {
    /// The license number asked for.
    pub key: String,
    /// The profile document.
    pub doc: Option<SearchDocument>,
    /// Disclosures inside their window and review outcomes.
    pub records: Vec<SearchDocument>,
}

/// The record documents of one subject on `today`. An action not yet
/// decided moves the subject's next refresh to its decision day.
fn record_docs(
    subject: &mut SearchDocument,
    credit: &CreditRecords,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<Vec<SearchDocument>, DbError> {
    let mut out = Vec::new();
    // The standing's next change skips dates that change nothing (a
    // revoked worker's disclosure window closing), but the index changes
    // then: the record's own dates are refreshes too.
    for (a, rec) in credit.actions.iter().zip(credit.action_records()?) {
        if a.decided_on > today && !rec.is_withdrawn(a.decided_on) {
            subject.standing_next_change = Some(
                subject
                    .standing_next_change
                    .map_or(a.decided_on, |d| d.min(a.decided_on)),
            );
        }
        if rec.is_disclosed(today, windows) {
            out.push(disclosure_doc(
                subject,
                a,
                rec.kind,
                rec.window_end(windows),
            ));
        }
    }
    for r in &credit.reviews {
        out.push(review_doc(subject, r));
    }
    Ok(out)
}

fn disclosure_doc(
    subject: &SearchDocument,
    a: &Action,
    kind: DisciplineKind,
    until: NaiveDate,
) -> SearchDocument {
    use chrono::Datelike;
    let key = super::decision_key(&a.decision_no);
    let text = [
        a.decision_no.as_str(),
        key.as_str(),
        a.authority.as_str(),
        kind.label(),
        a.facts.as_str(),
        subject.office_name.as_deref().unwrap_or(""),
        subject.district_name.as_str(),
    ]
    .join(" ");
    SearchDocument {
        id: format!("disclosure-{}", a.id),
        text,
        // The window's last day passed: the next morning drops it.
        standing_next_change: until.succ_opt(),
        doc_type: DocType::Disclosure,
        record: RecordFields {
            subject: Some(subject.id.clone()),
            record_kind: Some(kind.key().to_owned()),
            decision_no: Some(a.decision_no.clone()),
            decision_key: Some(key),
            authority: Some(a.authority.clone()),
            record_date: Some(a.decided_on),
            public_until: Some(until),
            year: Some(a.decided_on.year()),
            summary: Some(a.facts.clone()),
            basis: Some(a.basis.clone()),
        },
        ..subject.clone()
    }
}

fn review_doc(subject: &SearchDocument, r: &Review) -> SearchDocument {
    let outcome = ReviewOutcome::parse(&r.outcome);
    let label = outcome.map_or(r.outcome.as_str(), |o| o.label());
    let text = [
        format!("{}年度", r.year).as_str(),
        label,
        r.note.as_deref().unwrap_or(""),
        subject.office_name.as_deref().unwrap_or(""),
        subject.district_name.as_str(),
    ]
    .join(" ");
    SearchDocument {
        id: format!("review-{}", r.id),
        text,
        standing_next_change: None,
        doc_type: DocType::Review,
        record: RecordFields {
            subject: Some(subject.id.clone()),
            record_kind: Some(outcome.map_or_else(|| r.outcome.clone(), |o| o.key().to_owned())),
            record_date: NaiveDate::from_ymd_opt(r.year, 12, 31),
            year: Some(r.year),
            summary: r.note.clone(),
            ..RecordFields::default()
        },
        ..subject.clone()
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
        doc_type: DocType::Subject,
        record: RecordFields::default(),
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
        doc_type: DocType::Subject,
        record: RecordFields::default(),
    })
}

/// What the index should hold for each of `license_nos` of one kind: the
/// document and its records, or no document where the subject no longer
/// exists (delete it and its records).
pub fn project(
    conn: &mut DbConnection,
    kind: SubjectKind,
    license_nos: &[String],
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<Vec<Projected>, DbError> {
    // The places are the nation's 3,000 districts and 31,000 townships: not
    // read for nothing (the indexer asks on every idle poll).
    if license_nos.is_empty() {
        return Ok(Vec::new());
    }
    let places = Places::load(conn)?;
    let mut out = Vec::with_capacity(license_nos.len());
    for chunk in license_nos.chunks(500) {
        let mut docs: HashMap<String, (SearchDocument, Vec<SearchDocument>)> = match kind {
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
        .map(|(d, r)| (d.license_no.clone(), (d, r)))
        .collect();
        for key in chunk {
            let (doc, records) = match docs.remove(key) {
                Some((d, r)) => (Some(d), r),
                None => (None, Vec::new()),
            };
            out.push(Projected {
                key: key.clone(),
                doc,
                records,
            });
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

/// Every document the database projects on `today`, in one vector (what
/// `search check` compares; a rebuild streams [`project_chunks`] instead).
pub fn project_all(
    conn: &mut DbConnection,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<Vec<SearchDocument>, DbError> {
    let mut out = Vec::new();
    project_chunks(conn, today, windows, CHUNK_SUBJECTS, |chunk| {
        out.extend(chunk);
        Ok(())
    })?;
    Ok(out)
}

/// Subjects projected per chunk of a rebuild. Up to four chunks are alive
/// at once (one projected, two in the channel, one being indexed); at the
/// nation's scale `legal-portal reindex` peaked at 252–255 MB of private
/// memory with 2,000, 211 MB with 1,000 and 169–178 MB with 500, in the
/// same 8–12 s (docs/performance.md).
pub const CHUNK_SUBJECTS: i64 = 500;

/// Projects every office, then every worker, `per_chunk` at a time in
/// license-number order, handing each chunk's documents (the subjects and
/// their records) to `each` before reading the next: a full reindex of the
/// nation holds one chunk, not half a million documents (issue 15).
pub fn project_chunks(
    conn: &mut DbConnection,
    today: NaiveDate,
    windows: &StandingPolicy,
    per_chunk: i64,
    mut each: impl FnMut(Vec<SearchDocument>) -> Result<(), DbError>,
) -> Result<(), DbError> {
    let places = Places::load(conn)?;
    let mut after = String::new();
    loop {
        let offices: Vec<Office> = offices::table
            .filter(offices::license_no.gt(&after))
            .order(offices::license_no)
            .limit(per_chunk.max(1))
            .select(Office::as_select())
            .load(conn)?;
        let Some(last) = offices.last() else { break };
        after = last.license_no.clone();
        each(flat(offices_docs(conn, &offices, &places, today, windows)?))?;
    }
    let mut after = String::new();
    loop {
        let workers: Vec<Worker> = workers::table
            .filter(workers::license_no.gt(&after))
            .order(workers::license_no)
            .limit(per_chunk.max(1))
            .select(Worker::as_select())
            .load(conn)?;
        let Some(last) = workers.last() else { break };
        after = last.license_no.clone();
        each(flat(workers_docs(conn, &workers, &places, today, windows)?))?;
    }
    Ok(())
}

/// Each subject's document followed by its records' documents.
fn flat(docs: Vec<(SearchDocument, Vec<SearchDocument>)>) -> Vec<SearchDocument> {
    let mut out = Vec::with_capacity(docs.iter().map(|(_, r)| 1 + r.len()).sum());
    for (doc, records) in docs {
        out.push(doc);
        out.extend(records);
    }
    out
}

fn offices_docs(
    conn: &mut DbConnection,
    rows: &[Office],
    places: &Places,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<Vec<(SearchDocument, Vec<SearchDocument>)>, DbError> {
    let keys: Vec<String> = rows.iter().map(|o| o.license_no.clone()).collect();
    let mut credit = credit_records(conn, SubjectKind::Office, &keys)?;
    rows.iter()
        .map(|o| {
            let c = credit.remove(&o.license_no).unwrap_or_default();
            let mut d = office_doc(o, places, &c, today, windows)?;
            let records = record_docs(&mut d, &c, today, windows)?;
            Ok((d, records))
        })
        .collect()
}

fn workers_docs(
    conn: &mut DbConnection,
    rows: &[Worker],
    places: &Places,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<Vec<(SearchDocument, Vec<SearchDocument>)>, DbError> {
    let keys: Vec<String> = rows.iter().map(|w| w.license_no.clone()).collect();
    let offices_by_key = profiles::offices_of(conn, rows)?;
    let office_keys: Vec<String> = offices_by_key.keys().cloned().collect();
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
            let mut d = worker_doc(w, office, places, &c, today, windows)?;
            let records = record_docs(&mut d, &c, today, windows)?;
            Ok((d, records))
        })
        .collect()
}
