//! Complaints as stored: filing (contact sealed, access code hashed), the
//! stage timeline, the bureau's list, the retention purge and the outcome
//! counts shown on profiles.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::schema::{
    complaint_events, complaint_reports, complaint_submissions, complaints, offices, workers,
};
use super::{DbConnection, DbError};
use crate::domain::LicenseNo;
use crate::domain::complaint::{
    self, ACCESS_CODE_LEN, Category, Contact, Deadlines, Outcome, Stage, StageEvent, TrackingNo,
    ValidComplaint,
};
use crate::domain::report::{ReportKind, ValidReport};
use crate::domain::vocab::SubjectKind;

/// A complaint row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = complaints)]
pub struct Complaint {
    /// Row id.
    pub id: i64,
    /// Tracking number.
    pub tracking_no: String,
    /// Hex SHA-256 of the normalised access code.
    pub access_code_hash: String,
    /// `SubjectKind` key.
    pub subject_kind: String,
    /// Subject license number.
    pub subject_license_no: String,
    /// `Category` key.
    pub category: String,
    /// What happened (emptied by the purge).
    pub description: String,
    /// When.
    pub occurred_on: Option<NaiveDate>,
    /// What the complainant wants (emptied by the purge).
    pub desired_outcome: String,
    /// Sealed contact; `None` once purged.
    pub contact_ciphertext: Option<Vec<u8>>,
    /// Identity withheld from the subject.
    pub withhold_identity: bool,
    /// `Stage` key of the current stage.
    pub status: String,
    /// `Outcome` key once concluded.
    pub outcome: Option<String>,
    /// Filed, UTC.
    pub submitted_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
    /// When the personal data was purged, UTC.
    pub purged_at: Option<NaiveDateTime>,
}

/// What kind of report a complaints row is, and what only a report of
/// unlicensed practice has (`complaint_reports`, one row per filing).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = complaint_reports)]
pub struct ReportDetails {
    /// `ReportKind` key: `complaint`, `correction` or `unlicensed` (whose
    /// `subject_kind` and `subject_license_no` are empty).
    pub kind: String,
    /// Where (unlicensed practice; emptied by the purge).
    pub place: String,
    /// The name used (unlicensed practice; emptied by the purge).
    pub name_used: String,
    /// The district of the subject when it was filed: the desk that has it
    /// (`None` for unlicensed practice, which names no one; see
    /// [`desk_district`]).
    pub district_code: Option<String>,
}

/// A stage reached.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = complaint_events)]
pub struct Event {
    /// Row id.
    pub id: i64,
    /// Complaint.
    pub complaint_id: i64,
    /// `Stage` key.
    pub stage: String,
    /// Staff note (the reason of a refusal, the findings of a conclusion).
    pub note: String,
    /// Token name, or `complainant`.
    pub actor: String,
    /// When, UTC.
    pub at: NaiveDateTime,
}

/// A complaint (or report) with its kind and its events, oldest first.
#[derive(Debug, Clone)]
pub struct ComplaintRecord {
    /// The complaint.
    pub complaint: Complaint,
    /// Which kind of report, and an unlicensed report's place and name.
    pub details: ReportDetails,
    /// Its events.
    pub events: Vec<Event>,
}

pub use crate::domain::dates::china_date;

impl ComplaintRecord {
    /// The current stage.
    pub fn stage(&self) -> Result<Stage, DbError> {
        parse_stage(&self.complaint.status)
    }

    /// The events as the domain takes them.
    pub fn stage_events(&self) -> Result<Vec<StageEvent>, DbError> {
        self.events
            .iter()
            .map(|e| {
                Ok(StageEvent {
                    stage: parse_stage(&e.stage)?,
                    on: china_date(e.at),
                })
            })
            .collect()
    }

    /// Whether `code` is this complaint's access code (constant time).
    pub fn access_code_matches(&self, code: &str) -> bool {
        use subtle::ConstantTimeEq;
        match complaint::normalise_access_code(code) {
            Some(c) => bool::from(
                hash_code(&c)
                    .as_bytes()
                    .ct_eq(self.complaint.access_code_hash.as_bytes()),
            ),
            None => false,
        }
    }
}

fn parse_stage(key: &str) -> Result<Stage, DbError> {
    Stage::parse(key).ok_or_else(|| DbError::Corrupt(format!("complaint stage {key:?}")))
}

fn hash_code(normalised: &str) -> String {
    Sha256::digest(normalised.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A possible subject found by name.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SubjectMatch {
    /// Office or worker.
    pub kind: SubjectKind,
    /// License number.
    pub license_no: String,
    /// Name.
    pub name: String,
    /// For a worker, the office's name.
    pub office_name: Option<String>,
}

/// The name of a subject, if it exists.
pub fn subject_name(
    conn: &mut DbConnection,
    kind: SubjectKind,
    license_no: &str,
) -> Result<Option<String>, DbError> {
    Ok(match kind {
        SubjectKind::Office => offices::table
            .find(license_no)
            .select(offices::name)
            .first(conn)
            .optional()?,
        SubjectKind::Worker => workers::table
            .find(license_no)
            .select(workers::name)
            .first(conn)
            .optional()?,
    })
}

/// Offices and workers whose name contains `name`, at most `limit` of each.
pub fn find_subjects_by_name(
    conn: &mut DbConnection,
    name: &str,
    limit: i64,
) -> Result<Vec<SubjectMatch>, DbError> {
    let escaped: String = name
        .trim()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    if escaped.is_empty() {
        return Ok(Vec::new());
    }
    let pattern = format!("%{escaped}%");
    let found_workers: Vec<(String, String, Option<String>)> = workers::table
        .left_join(offices::table)
        .filter(workers::name.like(&pattern).escape('\\'))
        .order((workers::name, workers::license_no))
        .limit(limit)
        .select((workers::license_no, workers::name, offices::name.nullable()))
        .load(conn)?;
    let found_offices: Vec<(String, String)> = offices::table
        .filter(offices::name.like(&pattern).escape('\\'))
        .order((offices::name, offices::license_no))
        .limit(limit)
        .select((offices::license_no, offices::name))
        .load(conn)?;
    Ok(found_workers
        .into_iter()
        .map(|(license_no, name, office_name)| SubjectMatch {
            kind: SubjectKind::Worker,
            license_no,
            name,
            office_name,
        })
        .chain(
            found_offices
                .into_iter()
                .map(|(license_no, name)| SubjectMatch {
                    kind: SubjectKind::Office,
                    license_no,
                    name,
                    office_name: None,
                }),
        )
        .collect())
}

/// What a successful filing hands back, once.
#[derive(Debug, Clone)]
pub struct Filed {
    /// The tracking number.
    pub tracking_no: TrackingNo,
    /// The access code, `XXXX-XXXX-XXXX-XXXX`; only its hash is kept.
    pub access_code: String,
    /// When the same submission was filed before, when it was (UTC): this
    /// filing then stored nothing and answers with the first's receipt.
    pub filed_before: Option<NaiveDateTime>,
}

/// One sending of a form or an API request, named so that the same one
/// sent again files nothing new (`web::complaints::Once`).
#[derive(Clone)]
pub struct Submission {
    /// A keyed hash of where it was sent from and what it says, kept in
    /// `complaints.submission_key` (unique).
    pub key: String,
    /// The access code's bytes, derived from the key and the desk's secret,
    /// so the same submission gets back the same access code.
    pub access_code: [u8; complaint::ACCESS_CODE_LEN],
}

impl std::fmt::Debug for Submission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Submission(***)")
    }
}

/// What seals a complainant's contact before it is stored (the complaint
/// desk's key, `complaints::crypto::ContactKey`): the database layer stores
/// the sealed bytes and never sees a key.
pub trait Sealer {
    /// The contact sealed, bound to the tracking number.
    fn seal_contact(
        &self,
        contact: &crate::domain::complaint::Contact,
        tracking_no: &str,
    ) -> Result<Vec<u8>, String>;
}

/// What goes into the complaint desk's queue: a complaint, a correction or
/// a report of unlicensed practice. One filing path stores them all.
#[derive(Debug, Clone)]
pub struct Filing<'a> {
    /// Which kind of report.
    pub kind: ReportKind,
    /// The office or worker it is about (`None` for unlicensed practice).
    pub subject: Option<(SubjectKind, &'a LicenseNo)>,
    /// Category.
    pub category: Category,
    /// What happened, or what is wrong.
    pub description: &'a str,
    /// When.
    pub occurred_on: Option<NaiveDate>,
    /// What the complainant wants (complaints only).
    pub desired_outcome: &'a str,
    /// Where (unlicensed practice only).
    pub place: &'a str,
    /// The name used (unlicensed practice only).
    pub name_used: &'a str,
    /// The contact, sealed before it is stored; optional but for complaints.
    pub contact: Option<&'a Contact>,
    /// Identity withheld from the subject.
    pub withhold_identity: bool,
}

impl<'a> Filing<'a> {
    /// A checked complaint about `subject`.
    pub fn complaint(kind: SubjectKind, subject: &'a LicenseNo, valid: &'a ValidComplaint) -> Self {
        Self {
            kind: ReportKind::Complaint,
            subject: Some((kind, subject)),
            category: valid.category,
            description: &valid.description,
            occurred_on: Some(valid.occurred_on),
            desired_outcome: &valid.desired_outcome,
            place: "",
            name_used: "",
            contact: Some(&valid.contact),
            withhold_identity: valid.withhold_identity,
        }
    }

    /// A checked correction (about `subject`) or report of unlicensed
    /// practice (about no one in the register).
    pub fn report(subject: Option<(SubjectKind, &'a LicenseNo)>, valid: &'a ValidReport) -> Self {
        Self {
            kind: valid.kind,
            subject,
            category: valid.category,
            description: &valid.description,
            occurred_on: valid.occurred_on,
            desired_outcome: "",
            place: &valid.place,
            name_used: &valid.name_used,
            contact: valid.contact.as_ref(),
            withhold_identity: false,
        }
    }
}

/// Files a complaint against `subject` at `now` (UTC; the tracking number
/// carries the date in China).
pub fn file(
    conn: &mut DbConnection,
    kind: SubjectKind,
    subject: &LicenseNo,
    valid: &ValidComplaint,
    key: &dyn Sealer,
    now: NaiveDateTime,
) -> Result<Filed, DbError> {
    file_filing(
        conn,
        &Filing::complaint(kind, subject, valid),
        None,
        key,
        now,
    )
}

/// Files anything the desk takes at `now` (UTC; the tracking number
/// carries the date in China): the contact sealed, the access code hashed,
/// the `submitted` event, in one transaction. With a `submission`, the
/// same submission filed before files nothing and answers with the first
/// one's tracking number and access code.
pub fn file_filing(
    conn: &mut DbConnection,
    filing: &Filing<'_>,
    submission: Option<&Submission>,
    key: &dyn Sealer,
    now: NaiveDateTime,
) -> Result<Filed, DbError> {
    let (subject_kind, subject_no) = match filing.subject {
        Some((kind, no)) => (kind.key(), no.as_str()),
        None => ("", ""),
    };
    let mut rng = rand::rng();
    for _ in 0..8 {
        let tracking_no = TrackingNo::new(china_date(now), rng.next_u32());
        let mut raw = [0u8; ACCESS_CODE_LEN];
        match submission {
            Some(once) => raw = once.access_code,
            None => rng.fill_bytes(&mut raw),
        }
        if let Some(earlier) = filed_before(conn, submission, &raw)? {
            return Ok(earlier);
        }
        let access_code = complaint::access_code_from(&raw);
        let hash = hash_code(&access_code.replace('-', ""));
        let sealed = filing
            .contact
            .map(|contact| key.seal_contact(contact, tracking_no.as_str()))
            .transpose()
            .map_err(DbError::Corrupt)?;
        // Read before the transaction, which starts with its first write:
        // on SQLite a transaction that reads first cannot wait for the
        // write lock an import holds, and fails at once ("database is
        // locked") instead.
        let district = match filing.subject {
            Some((kind, no)) => subject_district(conn, kind, no.as_str())?,
            None => None,
        };
        let inserted = conn.transaction(|c| {
            let id: i64 = diesel::insert_into(complaints::table)
                .values((
                    complaints::tracking_no.eq(tracking_no.as_str()),
                    complaints::access_code_hash.eq(&hash),
                    complaints::subject_kind.eq(subject_kind),
                    complaints::subject_license_no.eq(subject_no),
                    complaints::category.eq(filing.category.key()),
                    complaints::description.eq(filing.description),
                    complaints::occurred_on.eq(filing.occurred_on),
                    complaints::desired_outcome.eq(filing.desired_outcome),
                    complaints::contact_ciphertext.eq(sealed.as_ref()),
                    complaints::withhold_identity.eq(filing.withhold_identity),
                    complaints::status.eq(Stage::Submitted.key()),
                    complaints::submitted_at.eq(now),
                    complaints::updated_at.eq(now),
                ))
                .returning(complaints::id)
                .get_result(c)?;
            if let Some(once) = submission {
                diesel::insert_into(complaint_submissions::table)
                    .values((
                        complaint_submissions::submission_key.eq(&once.key),
                        complaint_submissions::complaint_id.eq(id),
                    ))
                    .execute(c)?;
            }
            diesel::insert_into(complaint_reports::table)
                .values((
                    complaint_reports::complaint_id.eq(id),
                    complaint_reports::kind.eq(filing.kind.key()),
                    complaint_reports::place.eq(filing.place),
                    complaint_reports::name_used.eq(filing.name_used),
                    complaint_reports::district_code.eq(district),
                ))
                .execute(c)?;
            diesel::insert_into(complaint_events::table)
                .values((
                    complaint_events::complaint_id.eq(id),
                    complaint_events::stage.eq(Stage::Submitted.key()),
                    complaint_events::note.eq(""),
                    complaint_events::actor.eq("complainant"),
                    complaint_events::at.eq(now),
                ))
                .execute(c)?;
            Ok::<_, diesel::result::Error>(())
        });
        match inserted {
            Ok(()) => {
                return Ok(Filed {
                    tracking_no,
                    access_code,
                    filed_before: None,
                });
            }
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => {
                // The same submission filed meanwhile (a second tap whose
                // request overtook this one), or a tracking number taken.
                if let Some(earlier) = filed_before(conn, submission, &raw)? {
                    return Ok(earlier);
                }
                continue;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(DbError::Corrupt(
        "no free tracking number after 8 tries".into(),
    ))
}

/// The filing of `submission` made before, if any: its tracking number,
/// the access code of `raw` (the same bytes gave it then) and when.
fn filed_before(
    conn: &mut DbConnection,
    submission: Option<&Submission>,
    raw: &[u8; ACCESS_CODE_LEN],
) -> Result<Option<Filed>, DbError> {
    let Some(once) = submission else {
        return Ok(None);
    };
    let found: Option<(String, NaiveDateTime)> = complaint_submissions::table
        .inner_join(complaints::table)
        .filter(complaint_submissions::submission_key.eq(&once.key))
        .select((complaints::tracking_no, complaints::submitted_at))
        .first(conn)
        .optional()?;
    let Some((tracking_no, at)) = found else {
        return Ok(None);
    };
    let tracking_no = TrackingNo::parse(&tracking_no)
        .map_err(|_| DbError::Corrupt(format!("stored tracking number {tracking_no}")))?;
    Ok(Some(Filed {
        tracking_no,
        access_code: complaint::access_code_from(raw),
        filed_before: Some(at),
    }))
}

fn events_of(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<Event>, DbError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        out.extend(
            complaint_events::table
                .filter(complaint_events::complaint_id.eq_any(chunk))
                .order((complaint_events::at, complaint_events::id))
                .select(Event::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// A complaint by tracking number.
pub fn find(
    conn: &mut DbConnection,
    tracking_no: &TrackingNo,
) -> Result<Option<ComplaintRecord>, DbError> {
    let Some((complaint, details)) = complaints::table
        .inner_join(complaint_reports::table)
        .filter(complaints::tracking_no.eq(tracking_no.as_str()))
        .select((Complaint::as_select(), ReportDetails::as_select()))
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let events = events_of(conn, &[complaint.id])?;
    Ok(Some(ComplaintRecord {
        complaint,
        details,
        events,
    }))
}

/// The district a subject is in now: an office's, or a worker's office's.
pub fn subject_district(
    conn: &mut DbConnection,
    kind: SubjectKind,
    license_no: &str,
) -> Result<Option<String>, diesel::result::Error> {
    match kind {
        SubjectKind::Office => offices::table
            .find(license_no)
            .select(offices::district_code)
            .first(conn)
            .optional(),
        SubjectKind::Worker => workers::table
            .inner_join(offices::table)
            .filter(workers::license_no.eq(license_no))
            .select(offices::district_code)
            .first(conn)
            .optional(),
    }
}

/// The district whose desk has a complaint: the one its subject was in
/// when it was filed. `None` (every district's desk alone sees it) for a
/// report of unlicensed practice, which names no one, and for a subject
/// that had no office then: it never follows where the subject goes later.
pub fn desk_district(record: &ComplaintRecord) -> Option<String> {
    record.details.district_code.clone()
}

/// Filters of the bureau's list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only this kind of report.
    pub kind: Option<ReportKind>,
    /// Only this stage.
    pub status: Option<Stage>,
    /// Only complaints of this district's desk (the subject's district when
    /// filed, see [`desk_district`]).
    pub district: Option<String>,
    /// Only (not) overdue ones.
    pub overdue: Option<bool>,
    /// Skip this many.
    pub offset: usize,
    /// At most this many.
    pub limit: usize,
}

/// A complaint in the bureau's list.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The record.
    pub record: ComplaintRecord,
    /// The subject's district code, when known.
    pub district_code: Option<String>,
    /// Pending past a deadline on the day listed.
    pub overdue: bool,
}

/// The bureau's list, newest first, with the total matching.
pub fn list(
    conn: &mut DbConnection,
    filter: &ListFilter,
    deadlines: &Deadlines,
    today: NaiveDate,
) -> Result<(usize, Vec<Listed>), DbError> {
    let mut q = complaints::table
        .inner_join(complaint_reports::table)
        .into_boxed();
    if let Some(k) = filter.kind {
        q = q.filter(complaint_reports::kind.eq(k.key()));
    }
    if let Some(s) = filter.status {
        q = q.filter(complaints::status.eq(s.key()));
    }
    let rows: Vec<(Complaint, ReportDetails)> = q
        .order((complaints::submitted_at.desc(), complaints::id.desc()))
        .select((Complaint::as_select(), ReportDetails::as_select()))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|(c, _)| c.id).collect();
    let mut by_complaint: std::collections::HashMap<i64, Vec<Event>> = Default::default();
    for e in events_of(conn, &ids)? {
        by_complaint.entry(e.complaint_id).or_default().push(e);
    }
    let mut out = Vec::new();
    for (complaint, details) in rows {
        let district_code = details.district_code.clone();
        if filter
            .district
            .as_ref()
            .is_some_and(|d| district_code.as_ref() != Some(d))
        {
            continue;
        }
        let events = by_complaint.remove(&complaint.id).unwrap_or_default();
        let record = ComplaintRecord {
            complaint,
            details,
            events,
        };
        let overdue = complaint::is_overdue(&record.stage_events()?, deadlines, today);
        if filter.overdue.is_some_and(|want| want != overdue) {
            continue;
        }
        out.push(Listed {
            record,
            district_code,
            overdue,
        });
    }
    let total = out.len();
    let page = out
        .into_iter()
        .skip(filter.offset)
        .take(filter.limit)
        .collect();
    Ok((total, page))
}

/// A stage change the bureau asks for.
#[derive(Debug, Clone)]
pub struct Transition {
    /// The stage to move to.
    pub to: Stage,
    /// The note (required for a refusal and a conclusion).
    pub note: String,
    /// The outcome (required for a conclusion, refused otherwise).
    pub outcome: Option<Outcome>,
}

/// Why a stage change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionRefused {
    /// No such complaint.
    NotFound,
    /// The stage cannot follow the current one.
    NotAllowed {
        /// The current stage.
        from: Stage,
        /// What may follow.
        allowed: Vec<Stage>,
    },
    /// A conclusion without an outcome, or an outcome on another stage.
    Outcome,
    /// A refusal or conclusion without a note.
    NoteRequired,
}

/// Moves a complaint to the next stage, with its event, the audit entry
/// and (for a conclusion, which changes the subject's profile) a search
/// outbox row, in one transaction.
pub fn advance(
    conn: &mut DbConnection,
    tracking_no: &TrackingNo,
    t: &Transition,
    actor: &str,
    now: NaiveDateTime,
) -> Result<Result<ComplaintRecord, TransitionRefused>, DbError> {
    conn.transaction(|c| {
        // On SQLite the write lock first: the stage read below must be the
        // one the update replaces (two clerks at once: the second waits,
        // then reads the first's stage).
        super::lock_for_writing(c)?;
        let Some(record) = find(c, tracking_no)? else {
            return Ok(Err(TransitionRefused::NotFound));
        };
        let from = record.stage()?;
        if !from.can_move_to(t.to) {
            return Ok(Err(TransitionRefused::NotAllowed {
                from,
                allowed: from.next_stages(),
            }));
        }
        if (t.to == Stage::Concluded) != t.outcome.is_some() {
            return Ok(Err(TransitionRefused::Outcome));
        }
        if matches!(t.to, Stage::Declined | Stage::Concluded) && t.note.trim().is_empty() {
            return Ok(Err(TransitionRefused::NoteRequired));
        }
        let id = record.complaint.id;
        // Only from the stage read: on PostgreSQL another clerk's move
        // committed meanwhile leaves no row to update, and this one is
        // refused from the stage that clerk left (a concluded complaint
        // never goes back to investigating).
        let moved = diesel::update(
            complaints::table
                .find(id)
                .filter(complaints::status.eq(from.key())),
        )
        .set((
            complaints::status.eq(t.to.key()),
            complaints::outcome.eq(t.outcome.map(|o| o.key())),
            complaints::updated_at.eq(now),
        ))
        .execute(c)?;
        if moved == 0 {
            let now_at = match find(c, tracking_no)? {
                Some(r) => r.stage()?,
                None => return Ok(Err(TransitionRefused::NotFound)),
            };
            return Ok(Err(TransitionRefused::NotAllowed {
                from: now_at,
                allowed: now_at.next_stages(),
            }));
        }
        diesel::insert_into(complaint_events::table)
            .values((
                complaint_events::complaint_id.eq(id),
                complaint_events::stage.eq(t.to.key()),
                // As in the complainant's texts, identity card and mobile
                // numbers a clerk types are masked before they are stored.
                complaint_events::note
                    .eq(crate::domain::mask::mask_personal_numbers(t.note.trim())),
                complaint_events::actor.eq(actor),
                complaint_events::at.eq(now),
            ))
            .execute(c)?;
        let detail = serde_json::json!({
            "from": from.key(), "to": t.to.key(), "outcome": t.outcome.map(|o| o.key()),
        });
        super::audit::record(
            c,
            actor,
            "complaint.transition",
            tracking_no.as_str(),
            &detail.to_string(),
        )?;
        if t.to == Stage::Concluded && record.details.kind == ReportKind::Complaint.key() {
            // The subject's profile counts concluded complaints (only
            // complaints: a correction or an unlicensed report changes no
            // count).
            super::outbox::write(
                c,
                [(
                    record.complaint.subject_kind.as_str(),
                    record.complaint.subject_license_no.as_str(),
                    now,
                )],
                now,
            )?;
        }
        Ok(find(c, tracking_no)?.ok_or(TransitionRefused::NotFound))
    })
}

/// Empties the personal data (contact, description, desired outcome, place,
/// name used) of
/// complaints declined or concluded at least `retention_days` before
/// `today`, auditing each; returns how many were purged.
pub fn purge_closed(
    conn: &mut DbConnection,
    retention_days: u32,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let closed: Vec<Complaint> = complaints::table
        .filter(complaints::status.eq_any([Stage::Declined.key(), Stage::Concluded.key()]))
        .filter(complaints::purged_at.is_null())
        .select(Complaint::as_select())
        .load(conn)?;
    let ids: Vec<i64> = closed.iter().map(|c| c.id).collect();
    let mut closed_on: std::collections::HashMap<i64, NaiveDate> = Default::default();
    for e in events_of(conn, &ids)? {
        if e.stage == Stage::Declined.key() || e.stage == Stage::Concluded.key() {
            closed_on.insert(e.complaint_id, china_date(e.at));
        }
    }
    let mut purged = 0;
    for c in closed {
        let Some(on) = closed_on.get(&c.id) else {
            continue;
        };
        if !complaint::purge_due(*on, retention_days, today) {
            continue;
        }
        conn.transaction(|tx| {
            diesel::update(complaints::table.find(c.id))
                .set((
                    complaints::contact_ciphertext.eq(None::<Vec<u8>>),
                    complaints::description.eq(""),
                    complaints::desired_outcome.eq(""),
                    complaints::purged_at.eq(Some(now)),
                ))
                .execute(tx)?;
            diesel::update(complaint_reports::table.find(c.id))
                .set((
                    complaint_reports::place.eq(""),
                    complaint_reports::name_used.eq(""),
                ))
                .execute(tx)?;
            diesel::delete(
                complaint_submissions::table.filter(complaint_submissions::complaint_id.eq(c.id)),
            )
            .execute(tx)?;
            // The working notes (accepting, investigating) are the bureau's
            // and may name people; the refusal's reason and the conclusion's
            // findings stay, with the timeline and the outcome.
            diesel::update(
                complaint_events::table
                    .filter(complaint_events::complaint_id.eq(c.id))
                    .filter(
                        complaint_events::stage
                            .ne_all([Stage::Declined.key(), Stage::Concluded.key()]),
                    ),
            )
            .set(complaint_events::note.eq(""))
            .execute(tx)?;
            super::audit::record(
                tx,
                "retention-job",
                "complaint.purge",
                &c.tracking_no,
                &serde_json::json!({"closed_on": on, "retention_days": retention_days}).to_string(),
            )
        })?;
        purged += 1;
    }
    Ok(purged)
}

/// Concluded complaints against a subject, counted by outcome key (not
/// corrections: a profile's error is not a complaint about its subject).
pub fn outcome_counts(
    conn: &mut DbConnection,
    kind: SubjectKind,
    license_no: &str,
) -> Result<Vec<(Outcome, i64)>, DbError> {
    use super::reads::Reads;
    crate::with_backend!(conn, |c| c.complaint_outcomes(kind, license_no))
}
