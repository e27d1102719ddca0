//! What the complaint pages, the public API and the bureau's API share: the
//! desk (key, CSRF signer, deadlines, rate limiters), labels, and the views.
//! Handlers live in `pages/complaints.rs`, `api/complaints.rs` and
//! `admin/complaints.rs`.

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use chrono::NaiveDate;
use serde::Serialize;

use super::csrf::Csrf;
use super::errors::{AppError, ErrorCode};
use super::rate_limit::SharedLimiter;
use crate::complaints::ComplaintSettings;
use crate::complaints::crypto::ContactKey;
use crate::db::DbError;
use crate::db::complaints::{ComplaintRecord, Filed, Filing, Submission, china_date};
use crate::domain::LicenseNo;
use crate::domain::complaint::ValidComplaint;
use crate::domain::complaint::{
    self, Category, Deadlines, Outcome, Stage, TimelineStep, mask_name, mask_phone,
};
use crate::domain::report::{ReportKind, ValidReport};
use crate::domain::vocab::SubjectKind;
use crate::i18n::{Label, label_of};

/// The shared limit's bucket of complaint filings.
pub const SUBMIT_BUCKET: &str = "complaint_submit";
/// The shared limit's bucket of posts to the filing forms and APIs.
pub const ATTEMPT_BUCKET: &str = "complaint_attempt";
/// The shared limit's bucket of complaint status look-ups.
pub const LOOKUP_BUCKET: &str = "complaint_lookup";

/// The complaint desk: what every complaint handler needs.
#[derive(Debug)]
pub struct ComplaintDesk {
    /// Seals and opens contacts.
    pub key: ContactKey,
    /// Signs form tokens.
    pub csrf: Csrf,
    /// Stage deadlines.
    pub deadlines: Deadlines,
    /// Filings per address (form and API together), shared by every
    /// process on the database: counted when something is about to be
    /// filed, so a form sent back with mistakes to correct costs none.
    pub submit_limit: SharedLimiter,
    /// Posts to the filing forms and APIs per address, ten times the
    /// filings: what bounds a flood of posts that never file anything.
    pub attempt_limit: SharedLimiter,
    /// Status look-ups per address (page and API together), shared the
    /// same way.
    pub lookup_limit: SharedLimiter,
    /// Names submissions (`Once`), so one sent twice files once.
    submissions: [u8; 32],
}

impl ComplaintDesk {
    /// A desk from the settings and the key.
    pub fn new(settings: &ComplaintSettings, key: ContactKey) -> Self {
        let addresses = key.derive("legal-portal rate-limit addresses v1");
        let submissions = key.derive("legal-portal submissions v1");
        Self {
            csrf: Csrf::new(key.derive("legal-portal csrf v1")),
            key,
            deadlines: settings.deadlines,
            submit_limit: SharedLimiter::new(SUBMIT_BUCKET, settings.submit_rate, addresses),
            attempt_limit: SharedLimiter::new(
                ATTEMPT_BUCKET,
                crate::config::Rate {
                    max: settings.submit_rate.max.saturating_mul(10),
                    per: settings.submit_rate.per,
                },
                addresses,
            ),
            lookup_limit: SharedLimiter::new(LOOKUP_BUCKET, settings.lookup_rate, addresses),
            submissions,
        }
    }

    /// The name of `once` carrying `filing`: a keyed hash of where it was
    /// sent from and of everything it says, and the access code's bytes
    /// derived from that name (so only this desk's secret and the same
    /// submission give them back).
    fn submission(&self, once: &Once, filing: &Filing<'_>) -> Submission {
        use hmac::{Hmac, KeyInit, Mac};
        type HmacSha256 = Hmac<sha2::Sha256>;
        fn put(mac: &mut HmacSha256, bytes: &[u8]) {
            mac.update(&(bytes.len() as u64).to_le_bytes());
            mac.update(bytes);
        }
        let new_mac = || {
            <HmacSha256 as KeyInit>::new_from_slice(&self.submissions)
                .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"))
        };
        let mut mac = new_mac();
        match once {
            Once::Form { cookie } => {
                put(&mut mac, b"form");
                put(&mut mac, cookie.as_bytes());
            }
            Once::Api { key } => {
                put(&mut mac, b"api");
                put(&mut mac, key.as_bytes());
            }
        }
        put(&mut mac, filing.kind.key().as_bytes());
        let (subject_kind, subject_no) = filing
            .subject
            .map_or(("", ""), |(kind, no)| (kind.key(), no.as_str()));
        put(&mut mac, subject_kind.as_bytes());
        put(&mut mac, subject_no.as_bytes());
        put(&mut mac, filing.category.key().as_bytes());
        put(&mut mac, filing.description.as_bytes());
        let occurred = filing
            .occurred_on
            .map(|d| d.to_string())
            .unwrap_or_default();
        put(&mut mac, occurred.as_bytes());
        put(&mut mac, filing.desired_outcome.as_bytes());
        put(&mut mac, filing.place.as_bytes());
        put(&mut mac, filing.name_used.as_bytes());
        match filing.contact {
            Some(contact) => {
                put(&mut mac, contact.name.as_bytes());
                put(&mut mac, contact.phone.as_bytes());
            }
            None => put(&mut mac, b"\0"),
        }
        put(&mut mac, &[u8::from(filing.withhold_identity)]);
        let name = mac.finalize().into_bytes();
        let key: String = name.iter().map(|b| format!("{b:02x}")).collect();
        let mut mac = new_mac();
        put(&mut mac, b"access code");
        put(&mut mac, &name);
        let derived = mac.finalize().into_bytes();
        let mut access_code = [0u8; complaint::ACCESS_CODE_LEN];
        access_code.copy_from_slice(&derived[..complaint::ACCESS_CODE_LEN]);
        Submission { key, access_code }
    }
}

/// Where one submission came from, to know it when it comes again.
#[derive(Clone)]
pub enum Once {
    /// A page's form, from the browser holding this CSRF cookie (random,
    /// kept for a day): the same content sent again from it, by a second
    /// tap, a resend, or the form filled again after going back, is the
    /// same submission.
    Form {
        /// The `lp_csrf` cookie.
        cookie: String,
    },
    /// An API request with an `Idempotency-Key` header.
    Api {
        /// The header's value.
        key: String,
    },
}

impl std::fmt::Debug for Once {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Once(***)")
    }
}

impl Once {
    /// The form post `req` (its CSRF token already verified).
    pub fn form(req: &actix_web::HttpRequest) -> Option<Self> {
        Some(Self::Form {
            cookie: super::csrf::cookie_value(req)?,
        })
    }
}

impl Label for Category {
    fn label(&self) -> &'static str {
        match self {
            Category::Fees => "收费问题",
            Category::Conduct => "执业行为不当",
            Category::UnlicensedPractice => "无证或超范围执业",
            Category::ServiceQuality => "服务质量",
            Category::Other => "其他",
        }
    }

    fn label_en(&self) -> &'static str {
        match self {
            Category::Fees => "Fees",
            Category::Conduct => "Improper conduct",
            Category::UnlicensedPractice => "Unlicensed or out-of-scope practice",
            Category::ServiceQuality => "Quality of service",
            Category::Other => "Other",
        }
    }
}

impl Label for ReportKind {
    fn label(&self) -> &'static str {
        match self {
            ReportKind::Complaint => "投诉",
            ReportKind::Correction => "报告信息有误",
            ReportKind::Unlicensed => "举报无证执业",
        }
    }

    fn label_en(&self) -> &'static str {
        match self {
            ReportKind::Complaint => "Complaint",
            ReportKind::Correction => "Report of wrong information",
            ReportKind::Unlicensed => "Report of unlicensed practice",
        }
    }
}

impl Label for Stage {
    fn label(&self) -> &'static str {
        match self {
            Stage::Submitted => "已提交",
            Stage::Accepted => "已受理",
            Stage::Declined => "不予受理",
            Stage::Investigating => "调查中",
            Stage::Concluded => "已办结",
        }
    }

    fn label_en(&self) -> &'static str {
        match self {
            Stage::Submitted => "Submitted",
            Stage::Accepted => "Accepted",
            Stage::Declined => "Declined",
            Stage::Investigating => "Under investigation",
            Stage::Concluded => "Concluded",
        }
    }
}

impl Label for Outcome {
    fn label(&self) -> &'static str {
        match self {
            Outcome::Upheld => "投诉属实",
            Outcome::PartlyUpheld => "部分属实",
            Outcome::NotUpheld => "投诉不属实",
            Outcome::Mediated => "调解解决",
            Outcome::Withdrawn => "投诉人撤回",
        }
    }

    fn label_en(&self) -> &'static str {
        match self {
            Outcome::Upheld => "Upheld",
            Outcome::PartlyUpheld => "Partly upheld",
            Outcome::NotUpheld => "Not upheld",
            Outcome::Mediated => "Settled by mediation",
            Outcome::Withdrawn => "Withdrawn by the complainant",
        }
    }
}

/// A key with its label, for choices on forms.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Choice {
    /// Key.
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
}

/// The categories, for the form, labelled in the request's language.
pub fn categories() -> Vec<Choice> {
    Category::ALL
        .iter()
        .map(|c| Choice {
            key: c.key(),
            label: c.label_here(),
        })
        .collect()
}

/// Reads a request body of at most `limit` bytes; a longer one is refused
/// with `413 payload_too_large` and a Chinese message (JSON; `.html()` it
/// for a page).
pub async fn read_body(
    payload: actix_web::web::Payload,
    limit: usize,
) -> Result<actix_web::web::Bytes, AppError> {
    match payload.to_bytes_limited(limit).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => {
            Err(AppError::new(ErrorCode::BadRequest).message(super::lang::tr("body-incomplete")))
        }
        Err(_) => Err(
            AppError::new(ErrorCode::PayloadTooLarge).message(super::lang::tr_with(
                "body-too-long",
                &[("kb", &(limit / 1024))],
            )),
        ),
    }
}

/// A checked complaint or report with the subject the caller found,
/// ready for the desk.
pub enum Checked {
    /// A complaint, always about an office or a worker.
    Complaint(SubjectKind, LicenseNo, ValidComplaint),
    /// A correction (about an office or a worker) or a report of
    /// unlicensed practice (about no one in the register).
    Report(Option<(SubjectKind, LicenseNo)>, ValidReport),
}

/// Files a checked complaint or report with the desk, now: the one filing
/// path of the complaint and report pages and their API twins. `once`
/// names the submission: the same one with the same content sent again
/// files nothing and gets the first receipt back (`Filed::filed_before`).
/// Logs the tracking number and kind, never the text or the contact.
pub async fn file(
    state: &super::AppState,
    checked: Checked,
    once: Option<Once>,
) -> Result<Filed, AppError> {
    let desk = state.complaints.clone();
    let now = state.clock.now_utc();
    let filed = state
        .db(move |c| {
            let filing = match &checked {
                Checked::Complaint(kind, license, valid) => {
                    Filing::complaint(*kind, license, valid)
                }
                Checked::Report(subject, valid) => {
                    Filing::report(subject.as_ref().map(|(k, l)| (*k, l)), valid)
                }
            };
            let kind = filing.kind;
            let submission = once.as_ref().map(|o| desk.submission(o, &filing));
            crate::db::complaints::file_filing(c, &filing, submission.as_ref(), &desk.key, now)
                .map(|f| (f, kind))
        })
        .await?;
    let (filed, kind) = filed;
    if filed.filed_before.is_some() {
        tracing::info!(tracking_no = %filed.tracking_no, kind = kind.key(), "filing sent again: the first receipt answered");
    } else if kind == ReportKind::Complaint {
        tracing::info!(tracking_no = %filed.tracking_no, "complaint filed");
    } else {
        tracing::info!(tracking_no = %filed.tracking_no, kind = kind.key(), "report filed");
    }
    Ok(filed)
}

/// Adds `Cache-Control: no-store`: complaint answers are never cached.
pub fn no_store(mut resp: HttpResponse) -> HttpResponse {
    resp.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// One line of a timeline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepView {
    /// Stage key.
    pub stage: &'static str,
    /// Stage label.
    pub label: &'static str,
    /// Reached on; `null` while pending.
    pub on: Option<NaiveDate>,
    /// Due by.
    pub due_by: Option<NaiveDate>,
    /// Pending past its deadline.
    pub overdue: bool,
    /// Reached after its deadline.
    pub late: bool,
    /// The bureau's reason (refusal) or findings (conclusion).
    pub note: Option<String>,
}

/// A complaint as its complainant follows it: no personal data, no text.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusView {
    /// Tracking number.
    pub tracking_no: String,
    /// What was filed: `complaint`, `correction` or `unlicensed`.
    #[schema(value_type = ReportKind)]
    pub kind: String,
    /// Its label.
    pub kind_label: String,
    /// Office or worker; empty for a report of unlicensed practice, which
    /// names no one in the register.
    pub subject_kind: String,
    /// Its label.
    pub subject_kind_label: String,
    /// Subject license number; empty for unlicensed practice.
    pub subject_license_no: String,
    /// Subject name, when it still exists.
    pub subject_name: Option<String>,
    /// Category key.
    pub category: String,
    /// Category label.
    pub category_label: String,
    /// Current stage key.
    pub status: &'static str,
    /// Current stage label.
    pub status_label: &'static str,
    /// Outcome key, once concluded.
    pub outcome: Option<String>,
    /// Outcome label.
    pub outcome_label: Option<String>,
    /// Filed on (China date).
    pub submitted_on: NaiveDate,
    /// A stage is pending past its deadline.
    pub overdue: bool,
    /// The timeline, with the next stage and its deadline.
    pub timeline: Vec<StepView>,
}

fn steps<'a>(
    record: &'a ComplaintRecord,
    deadlines: &Deadlines,
    today: NaiveDate,
) -> Result<Vec<(TimelineStep, Option<&'a str>)>, DbError> {
    let events = record.stage_events()?;
    let steps = complaint::timeline(&events, deadlines, today);
    Ok(steps
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let note = record
                .events
                .get(i)
                .filter(|_| s.on.is_some())
                .map(|e| e.note.as_str());
            (s, note)
        })
        .collect())
}

/// Builds the complainant's view.
pub fn status_view(
    record: &ComplaintRecord,
    subject_name: Option<String>,
    deadlines: &Deadlines,
    today: NaiveDate,
) -> Result<StatusView, DbError> {
    let c = &record.complaint;
    let stage = record.stage()?;
    let timeline: Vec<StepView> = steps(record, deadlines, today)?
        .into_iter()
        .map(|(s, note)| StepView {
            stage: s.stage.key(),
            label: s.stage.label(),
            on: s.on,
            due_by: s.due_by,
            overdue: s.overdue,
            late: s.late,
            // Only a refusal's reason and a conclusion's findings are meant
            // for the complainant; working notes stay with the bureau.
            note: note
                .filter(|n| !n.is_empty() && matches!(s.stage, Stage::Declined | Stage::Concluded))
                .map(str::to_owned),
        })
        .collect();
    Ok(StatusView {
        tracking_no: c.tracking_no.clone(),
        kind: record.details.kind.clone(),
        kind_label: label_of(
            ReportKind::parse(&record.details.kind),
            &record.details.kind,
        ),
        subject_kind: c.subject_kind.clone(),
        subject_kind_label: label_of(SubjectKind::parse(&c.subject_kind), &c.subject_kind),
        subject_license_no: c.subject_license_no.clone(),
        subject_name,
        category: c.category.clone(),
        category_label: label_of(Category::parse(&c.category), &c.category),
        status: stage.key(),
        status_label: stage.label(),
        outcome: c.outcome.clone(),
        outcome_label: c.outcome.as_deref().map(|o| label_of(Outcome::parse(o), o)),
        submitted_on: china_date(c.submitted_at),
        overdue: timeline.iter().any(|s| s.overdue),
        timeline,
    })
}

/// The complainant's contact as staff see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    /// Name (masked unless revealed).
    pub name: String,
    /// Phone (masked unless revealed).
    pub phone: String,
    /// Whether these are the full values.
    pub revealed: bool,
}

/// A staff event line, with who did it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffStepView {
    /// The public part.
    #[serde(flatten)]
    pub step: StepView,
    /// Token name, or `complainant`.
    pub actor: Option<String>,
    /// When (UTC, RFC 3339).
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A complaint as the bureau sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ComplaintForBureau)]
pub struct StaffView {
    /// What the complainant sees.
    #[serde(flatten)]
    pub status: StatusView,
    /// Subject's district code.
    pub district_code: Option<String>,
    /// When it happened.
    pub occurred_on: Option<NaiveDate>,
    /// What happened (absent in lists; empty once purged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What the complainant wants (absent in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desired_outcome: Option<String>,
    /// Where, for a report of unlicensed practice (else empty; emptied
    /// once purged).
    pub place: String,
    /// The name used, for a report of unlicensed practice (may be empty).
    pub name_used: String,
    /// The complainant asked that their identity be withheld from the subject.
    pub withhold_identity: bool,
    /// The contact; `null` once purged, or when a correction or an
    /// unlicensed report was filed without one.
    pub contact: Option<ContactView>,
    /// The contact is stored but cannot be opened with this portal's key
    /// (a portal started with another `LEGAL_PORTAL_COMPLAINT_KEY`, or a
    /// damaged row): the complaint is still listed and shown.
    pub contact_unreadable: bool,
    /// When the personal data was purged (UTC, RFC 3339).
    pub purged_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Stages that may follow.
    pub next_stages: Vec<&'static str>,
    /// The timeline with actors and every note.
    pub events: Vec<StaffStepView>,
}

/// Builds the bureau's view; `full` adds the text, `reveal` the unmasked
/// contact.
pub fn staff_view(
    record: &ComplaintRecord,
    district_code: Option<String>,
    desk: &ComplaintDesk,
    today: NaiveDate,
    full: bool,
    reveal: bool,
) -> Result<StaffView, DbError> {
    let c = &record.complaint;
    let status = status_view(record, None, &desk.deadlines, today)?;
    let opened = match &c.contact_ciphertext {
        None => Ok(None),
        Some(sealed) => desk.key.open(sealed, &c.tracking_no).map(Some),
    };
    let contact_unreadable = opened.is_err();
    if let Err(e) = &opened {
        // One row the key does not open must not take the whole desk down.
        tracing::warn!(tracking_no = %c.tracking_no, error = %e, "a complaint's sealed contact could not be opened (another key, or a damaged row)");
    }
    let contact = match opened.ok().flatten() {
        None => None,
        Some(contact) => Some(if reveal {
            ContactView {
                name: contact.name,
                phone: contact.phone,
                revealed: true,
            }
        } else {
            ContactView {
                name: mask_name(&contact.name),
                phone: mask_phone(&contact.phone),
                revealed: false,
            }
        }),
    };
    let events = steps(record, &desk.deadlines, today)?
        .into_iter()
        .enumerate()
        .map(|(i, (s, note))| {
            let event = record.events.get(i).filter(|_| s.on.is_some());
            StaffStepView {
                step: StepView {
                    stage: s.stage.key(),
                    label: s.stage.label(),
                    on: s.on,
                    due_by: s.due_by,
                    overdue: s.overdue,
                    late: s.late,
                    note: note.filter(|n| !n.is_empty()).map(str::to_owned),
                },
                actor: event.map(|e| e.actor.clone()),
                at: event.map(|e| e.at.and_utc()),
            }
        })
        .collect();
    Ok(StaffView {
        district_code,
        occurred_on: c.occurred_on,
        description: full.then(|| c.description.clone()),
        desired_outcome: full.then(|| c.desired_outcome.clone()),
        place: record.details.place.clone(),
        name_used: record.details.name_used.clone(),
        withhold_identity: c.withhold_identity,
        contact,
        contact_unreadable,
        purged_at: c.purged_at.map(|t| t.and_utc()),
        next_stages: record
            .stage()?
            .next_stages()
            .iter()
            .map(|s| s.key())
            .collect(),
        events,
        status,
    })
}

/// Counts of concluded complaints by outcome, as profiles show them.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ComplaintCounts {
    /// Concluded complaints in all.
    pub concluded: i64,
    /// By outcome, only outcomes that occurred.
    pub by_outcome: Vec<OutcomeCount>,
}

/// One outcome's count.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutcomeCount {
    /// Outcome key.
    pub outcome: &'static str,
    /// Its label.
    pub label: &'static str,
    /// How many.
    pub count: i64,
}

impl ComplaintCounts {
    /// From the stored counts.
    pub fn from_counts(counts: &[(Outcome, i64)]) -> Self {
        Self {
            concluded: counts.iter().map(|(_, n)| n).sum(),
            by_outcome: counts
                .iter()
                .map(|(o, n)| OutcomeCount {
                    outcome: o.key(),
                    label: o.label(),
                    count: *n,
                })
                .collect(),
        }
    }
}
