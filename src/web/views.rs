//! What pages and the JSON API show, built once from the records: the HTML
//! templates and the API serialise the same structs.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::db::DbError;
use crate::db::districts::DistrictStats;
use crate::db::models::{Action, Commendation, Office, Review, split_list};
use crate::db::profiles::{self, CreditRecords, OfficeRecords, WorkerRecords};
use crate::domain::plan_rules::{TARGET_RATIO, display_ratio, lawyer_ratio, service_ratio};
use crate::domain::standing::{self, StandingPolicy, StandingReport, Subject};
use crate::domain::vocab::*;
use crate::i18n::{Label, label_of, reason_text};

/// Standing as the API and pages show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StandingView {
    /// Stable key.
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
    /// One sentence why.
    pub reason: String,
    /// The date assessed.
    pub as_of: NaiveDate,
    /// When it next changes with time alone.
    pub next_change: Option<NaiveDate>,
    /// The standing and its reason, to say them in another language.
    /// (Boxed: views are moved around a lot and this is rarely read.)
    #[serde(skip)]
    pub source: Box<(standing::Standing, standing::Reason)>,
}

impl From<&StandingReport> for StandingView {
    fn from(r: &StandingReport) -> Self {
        Self {
            key: r.standing.key(),
            label: r.standing.label(),
            reason: reason_text(&r.reason),
            as_of: r.as_of,
            next_change: r.next_change,
            source: Box::new((r.standing, r.reason.clone())),
        }
    }
}

impl StandingView {
    /// The label and the reason in the request's language (views are built
    /// in Chinese, which the API serves; pages call this before rendering).
    pub fn localize(&mut self) {
        let lang = crate::web::lang::current();
        self.label = self.source.0.label_in(lang);
        self.reason = crate::i18n::reason_text_in(lang, &self.source.1);
    }
}

/// An annual review.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    /// Year.
    pub year: i32,
    /// Outcome key.
    pub outcome: String,
    /// Outcome label.
    pub outcome_label: String,
    /// Whether it is a failure.
    pub failed: bool,
    /// Rectification deadline.
    pub rectify_by: Option<NaiveDate>,
    /// Note.
    pub note: Option<String>,
}

impl From<&Review> for ReviewView {
    fn from(r: &Review) -> Self {
        let outcome = ReviewOutcome::parse(&r.outcome);
        Self {
            year: r.year,
            outcome: r.outcome.clone(),
            outcome_label: label_of(outcome, &r.outcome),
            failed: outcome.is_some_and(ReviewOutcome::is_failure),
            rectify_by: r.rectify_by,
            note: r.note.clone(),
        }
    }
}

/// A disciplinary action inside its disclosure window.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DisclosureView {
    /// Decision number.
    pub decision_no: String,
    /// Kind key.
    pub kind: String,
    /// Kind label.
    pub kind_label: String,
    /// Deciding authority.
    pub authority: String,
    /// Decision date.
    pub decided_on: NaiveDate,
    /// Facts.
    pub facts: String,
    /// Legal basis.
    pub basis: String,
    /// Last day of a suspension.
    pub suspended_until: Option<NaiveDate>,
    /// Last day of disclosure.
    pub public_until: NaiveDate,
}

/// A commendation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommendationView {
    /// Title.
    pub title: String,
    /// Awarding body.
    pub awarded_by: String,
    /// Date.
    pub awarded_on: NaiveDate,
}

impl From<&Commendation> for CommendationView {
    fn from(c: &Commendation) -> Self {
        Self {
            title: c.title.clone(),
            awarded_by: c.awarded_by.clone(),
            awarded_on: c.awarded_on,
        }
    }
}

/// The credit part of a profile: standing, reviews, disclosures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreditView {
    /// Standing.
    pub standing: StandingView,
    /// Reviews, newest first.
    pub reviews: Vec<ReviewView>,
    /// Actions inside their window, newest first.
    pub disclosures: Vec<DisclosureView>,
    /// How many actions are past their window (their content is no longer
    /// public).
    pub expired_disclosures: usize,
}

/// Builds the credit view of a subject on `today`.
pub fn credit_view(
    status: standing::SubjectStatus,
    licensed_on: Option<NaiveDate>,
    credit: &CreditRecords,
    office: Option<standing::OfficeLink<'_>>,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<CreditView, DbError> {
    let reviews = credit.review_records()?;
    let actions = credit.action_records()?;
    let subject = Subject {
        status,
        licensed_on,
        reviews: &reviews,
        actions: &actions,
        office,
    };
    let report = standing::assess(&subject, today, windows);
    let mut disclosures = Vec::new();
    let mut expired = 0;
    for (row, rec) in credit.actions.iter().zip(&actions) {
        if rec.is_disclosed(today, windows) {
            disclosures.push(disclosure_view(row, rec.window_end(windows)));
        } else if !rec.is_withdrawn(today) && rec.decided_on <= today {
            expired += 1;
        }
    }
    Ok(CreditView {
        standing: StandingView::from(&report),
        reviews: credit.reviews.iter().map(ReviewView::from).collect(),
        disclosures,
        expired_disclosures: expired,
    })
}

/// How far back a feed and a certificate's check look for changes of
/// standing.
const CHANGES_LOOK_BACK: chrono::Days = chrono::Days::new(3 * 365);

/// The days a worker's standing changed in the three years to `today`,
/// oldest first (their feed lists them, a certificate's check names those
/// after its date). The days before each transfer are weighed with the
/// office the worker was at then.
pub fn worker_changes(
    r: &profiles::WorkerRecords,
    moved_through: &HashMap<String, profiles::CreditRecords>,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<Vec<standing::StandingChange>, DbError> {
    let (reviews, actions) = (r.credit.review_records()?, r.credit.action_records()?);
    let office_actions = r.office_credit.action_records()?;
    let office = r
        .office
        .as_ref()
        .map(|o| profiles::office_link(o, &office_actions))
        .transpose()?;
    let mut past_actions: HashMap<&str, Vec<standing::ActionRecord>> = HashMap::new();
    for (no, credit) in moved_through {
        past_actions.insert(no, credit.action_records()?);
    }
    // Oldest first: an office left that the transfer did not name is the
    // one the transfer before it went to; before the first transfer, an
    // unnamed one is unknown (no office's decisions count those days).
    let moves: Vec<&profiles::TransferRecord> = r.transfers.iter().rev().collect();
    let mut earlier = Vec::with_capacity(moves.len());
    for (i, t) in moves.iter().enumerate() {
        let left = match &t.transfer.from_office_license_no {
            Some(no) => Some((no.as_str(), t.from_name.as_deref())),
            None => i.checked_sub(1).map(|j| {
                let prev = moves[j];
                (
                    prev.transfer.to_office_license_no.as_str(),
                    prev.to_name.as_deref(),
                )
            }),
        };
        let office = left.map(|(license_no, name)| standing::OfficeLink {
            license_no,
            name: name.unwrap_or(license_no),
            // Its registration then is not recorded; its decisions are.
            status: standing::SubjectStatus::Practising,
            actions: past_actions.get(license_no).map_or(&[][..], Vec::as_slice),
        });
        earlier.push(standing::EarlierOffice {
            // A transfer dated ahead (imports refuse them, a hand-made row
            // may not): the register already names the new office, and so
            // does today's standing; the history agrees from today.
            until: t.transfer.effective_on.min(today),
            office,
        });
    }
    let subject = Subject {
        status: profiles::worker_status(&r.worker)?,
        licensed_on: r.worker.first_licensed_on,
        reviews: &reviews,
        actions: &actions,
        office,
    };
    Ok(standing::changes(
        &subject,
        &earlier,
        today - CHANGES_LOOK_BACK,
        today,
        windows,
    ))
}

/// The days an office's standing changed in the three years to `today`,
/// oldest first.
pub fn office_changes(
    r: &profiles::OfficeRecords,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<Vec<standing::StandingChange>, DbError> {
    let (reviews, actions) = (r.credit.review_records()?, r.credit.action_records()?);
    let subject = Subject {
        status: profiles::office_status(&r.office)?,
        licensed_on: r.office.established_on,
        reviews: &reviews,
        actions: &actions,
        office: None,
    };
    Ok(standing::changes(
        &subject,
        &[],
        today - CHANGES_LOOK_BACK,
        today,
        windows,
    ))
}

fn disclosure_view(a: &Action, public_until: NaiveDate) -> DisclosureView {
    DisclosureView {
        decision_no: a.decision_no.clone(),
        kind: a.kind.clone(),
        kind_label: label_of(DisciplineKind::parse(&a.kind), &a.kind),
        authority: a.authority.clone(),
        decided_on: a.decided_on,
        facts: a.facts.clone(),
        basis: a.basis.clone(),
        suspended_until: a.suspended_until,
        public_until,
    }
}

/// An announcement that names the subject.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoticeRef {
    /// Announcement id (`/announcements/{id}`).
    pub id: i64,
    /// Kind key.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Date published.
    pub published_on: NaiveDate,
}

fn notices(list: &[crate::db::models::Announcement]) -> Vec<NoticeRef> {
    list.iter()
        .map(|a| NoticeRef {
            id: a.id,
            kind: a.kind.clone(),
            title: a.title.clone(),
            published_on: a.published_on,
        })
        .collect()
}

/// A short reference to an office.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfficeRef {
    /// License number.
    pub license_no: String,
    /// Name.
    pub name: String,
    /// District code.
    pub district_code: String,
    /// District name, when known.
    pub district_name: Option<String>,
}

/// A transfer between offices.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TransferView {
    /// Office left.
    pub from_office_license_no: Option<String>,
    /// Its name.
    pub from_office_name: Option<String>,
    /// Office joined.
    pub to_office_license_no: String,
    /// Its name.
    pub to_office_name: Option<String>,
    /// Effective date.
    pub effective_on: NaiveDate,
}

/// A worker's profile.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkerView {
    /// Always `worker`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// License number.
    pub license_no: String,
    /// Name.
    pub name: String,
    /// Gender key.
    pub gender: Option<String>,
    /// Gender label.
    pub gender_label: Option<String>,
    /// Status key.
    pub status: String,
    /// Status label.
    pub status_label: String,
    /// First licensed.
    pub first_licensed_on: Option<NaiveDate>,
    /// Practice areas.
    pub practice_areas: Vec<String>,
    /// Legal-adviser posts.
    pub adviser_posts: Vec<String>,
    /// Current office.
    pub office: Option<OfficeRef>,
    /// Standing, reviews and disclosures.
    #[serde(flatten)]
    pub credit: CreditView,
    /// Commendations.
    pub commendations: Vec<CommendationView>,
    /// Transfers, newest first.
    pub transfers: Vec<TransferView>,
    /// Concluded complaints, counted by outcome (never their content).
    pub complaints: super::complaints::ComplaintCounts,
    /// Announcements that name the subject (exit notices, bulletins),
    /// newest first.
    pub announcements: Vec<NoticeRef>,
}

/// Builds a worker's profile view.
pub fn worker_view(
    r: &WorkerRecords,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<WorkerView, DbError> {
    let w = &r.worker;
    let status = profiles::worker_status(w)?;
    Ok(WorkerView {
        kind: "worker",
        license_no: w.license_no.clone(),
        name: w.name.clone(),
        gender: w.gender.clone(),
        gender_label: w.gender.as_deref().map(|g| label_of(Gender::parse(g), g)),
        status: w.status.clone(),
        status_label: label_of(WorkerStatus::parse(&w.status), &w.status),
        first_licensed_on: w.first_licensed_on,
        practice_areas: split_list(&w.practice_areas),
        adviser_posts: split_list(&w.adviser_posts),
        office: r
            .office
            .as_ref()
            .map(|o| office_ref(o, r.district.as_ref().map(|d| d.name.clone()))),
        credit: {
            let office_actions = r.office_credit.action_records()?;
            let office = r
                .office
                .as_ref()
                .map(|o| profiles::office_link(o, &office_actions))
                .transpose()?;
            credit_view(
                status,
                w.first_licensed_on,
                &r.credit,
                office,
                today,
                windows,
            )?
        },
        commendations: r.commendations.iter().map(CommendationView::from).collect(),
        transfers: r
            .transfers
            .iter()
            .map(|t| TransferView {
                from_office_license_no: t.transfer.from_office_license_no.clone(),
                from_office_name: t.from_name.clone(),
                to_office_license_no: t.transfer.to_office_license_no.clone(),
                to_office_name: t.to_name.clone(),
                effective_on: t.transfer.effective_on,
            })
            .collect(),
        complaints: super::complaints::ComplaintCounts::from_counts(&r.complaint_outcomes),
        announcements: notices(&r.announcements),
    })
}

fn office_ref(o: &Office, district_name: Option<String>) -> OfficeRef {
    OfficeRef {
        license_no: o.license_no.clone(),
        name: o.name.clone(),
        district_code: o.district_code.clone(),
        district_name,
    }
}

/// A worker as listed on an office's profile.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffView {
    /// License number.
    pub license_no: String,
    /// Name.
    pub name: String,
    /// Status label.
    pub status_label: String,
    /// Standing key.
    pub standing: &'static str,
    /// Standing label.
    pub standing_label: &'static str,
}

/// An office's profile.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfficeView {
    /// Always `office`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// License number.
    pub license_no: String,
    /// Name.
    pub name: String,
    /// District code.
    pub district_code: String,
    /// District name.
    pub district_name: String,
    /// Township name.
    pub township: Option<String>,
    /// Area kind key.
    pub area_kind: String,
    /// Area kind label.
    pub area_kind_label: String,
    /// Address.
    pub address: String,
    /// Latitude, WGS-84.
    pub lat: Option<f64>,
    /// Longitude, WGS-84.
    pub lng: Option<f64>,
    /// A link that opens the position in a Chinese map app (converted to
    /// GCJ-02), when the position is known.
    pub map_url: Option<String>,
    /// Office phone.
    pub phone: String,
    /// Opening hours.
    pub hours: String,
    /// Director.
    pub director: String,
    /// Party organisation key.
    pub party_org: String,
    /// Party organisation label.
    pub party_org_label: String,
    /// Practice areas.
    pub practice_areas: Vec<String>,
    /// Status key.
    pub status: String,
    /// Status label.
    pub status_label: String,
    /// Date established.
    pub established_on: Option<NaiveDate>,
    /// Standing, reviews and disclosures.
    #[serde(flatten)]
    pub credit: CreditView,
    /// Commendations.
    pub commendations: Vec<CommendationView>,
    /// Workers of the office.
    pub workers: Vec<StaffView>,
    /// Concluded complaints, counted by outcome (never their content).
    pub complaints: super::complaints::ComplaintCounts,
    /// Announcements that name the subject (exit notices, bulletins),
    /// newest first.
    pub announcements: Vec<NoticeRef>,
}

/// Builds an office's profile view.
pub fn office_view(
    r: &OfficeRecords,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<OfficeView, DbError> {
    let o = &r.office;
    let status = profiles::office_status(o)?;
    let office_actions = r.credit.action_records()?;
    let link = profiles::office_link(o, &office_actions)?;
    let workers = r
        .workers
        .iter()
        .map(|(w, records)| {
            let report = standing::assess(
                &Subject {
                    status: profiles::worker_status(w)?,
                    licensed_on: w.first_licensed_on,
                    reviews: &records.reviews,
                    actions: &records.actions,
                    office: Some(link),
                },
                today,
                windows,
            );
            let standing = StandingView::from(&report);
            Ok(StaffView {
                license_no: w.license_no.clone(),
                name: w.name.clone(),
                status_label: label_of(WorkerStatus::parse(&w.status), &w.status),
                standing: standing.key,
                standing_label: standing.label,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    Ok(OfficeView {
        kind: "office",
        license_no: o.license_no.clone(),
        name: o.name.clone(),
        district_code: o.district_code.clone(),
        district_name: r.district.name.clone(),
        township: r.township.as_ref().map(|t| t.name.clone()),
        area_kind: o.area_kind.clone(),
        area_kind_label: label_of(AreaKind::parse(&o.area_kind), &o.area_kind),
        address: o.address.clone(),
        lat: o.lat,
        lng: o.lng,
        map_url: map_url(o),
        phone: o.phone.clone(),
        hours: o.hours.clone(),
        director: o.director.clone(),
        party_org: o.party_org.clone(),
        party_org_label: label_of(PartyOrg::parse(&o.party_org), &o.party_org),
        practice_areas: split_list(&o.practice_areas),
        status: o.status.clone(),
        status_label: label_of(OfficeStatus::parse(&o.status), &o.status),
        established_on: o.established_on,
        credit: credit_view(status, o.established_on, &r.credit, None, today, windows)?,
        commendations: r.commendations.iter().map(CommendationView::from).collect(),
        workers,
        complaints: super::complaints::ComplaintCounts::from_counts(&r.complaint_outcomes),
        announcements: notices(&r.announcements),
    })
}

/// A district's figures against the target.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DistrictView {
    /// Admin code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind key.
    pub kind: String,
    /// Kind label.
    pub kind_label: String,
    /// Resident population.
    pub population: i64,
    /// Practising lawyers.
    pub lawyers: i64,
    /// Practising grassroots workers.
    pub active_workers: i64,
    /// Practising offices.
    pub offices: i64,
    /// Lawyers per 10,000 residents, two decimals.
    pub lawyer_ratio: Option<f64>,
    /// Lawyers and workers per 10,000 residents, two decimals.
    pub service_ratio: Option<f64>,
    /// The plan's target.
    pub target: f64,
    /// Whether the lawyer ratio is below the target.
    pub below_target: bool,
    /// Takes part in Sichuan–Chongqing border cooperation.
    pub borders_sichuan: bool,
}

impl From<&DistrictStats> for DistrictView {
    fn from(s: &DistrictStats) -> Self {
        let d = &s.district;
        let lawyer = lawyer_ratio(d.lawyers, d.population);
        Self {
            code: d.code.clone(),
            name: d.name.clone(),
            kind: d.kind.clone(),
            kind_label: label_of(DistrictKind::parse(&d.kind), &d.kind),
            population: d.population,
            lawyers: d.lawyers,
            active_workers: s.active_workers,
            offices: s.offices,
            lawyer_ratio: lawyer.map(display_ratio),
            service_ratio: service_ratio(d.lawyers, s.active_workers, d.population)
                .map(display_ratio),
            target: TARGET_RATIO,
            below_target: lawyer.is_some_and(|r| r < TARGET_RATIO),
            borders_sichuan: d.borders_sichuan,
        }
    }
}

/// A province's row on `/districts` when the portal serves several
/// provinces: its districts' figures summed, and how many are below the
/// target.
#[derive(Debug, Clone, Serialize)]
pub struct ProvinceView {
    /// The summed figures (`code` is the province's two digits, `name` in
    /// the page's language).
    #[serde(flatten)]
    pub figures: DistrictView,
    /// Its districts.
    pub districts: usize,
    /// Of which below the target.
    pub districts_below: usize,
}

impl ProvinceView {
    /// The row of `province`, from its districts.
    pub fn of(
        province: &crate::domain::province::Province,
        districts: &[DistrictView],
        lang: crate::i18n::Lang,
    ) -> Self {
        let sum =
            |f: fn(&DistrictView) -> i64| districts.iter().map(f).fold(0i64, i64::saturating_add);
        let (population, lawyers) = (sum(|d| d.population), sum(|d| d.lawyers));
        let active_workers = sum(|d| d.active_workers);
        let lawyer = lawyer_ratio(lawyers, population);
        Self {
            figures: DistrictView {
                code: province.code.to_owned(),
                name: match lang {
                    crate::i18n::Lang::Zh => province.name,
                    crate::i18n::Lang::En => province.name_en,
                }
                .to_owned(),
                kind: "province".to_owned(),
                kind_label: String::new(),
                population,
                lawyers,
                active_workers,
                offices: sum(|d| d.offices),
                lawyer_ratio: lawyer.map(display_ratio),
                service_ratio: service_ratio(lawyers, active_workers, population)
                    .map(display_ratio),
                target: TARGET_RATIO,
                below_target: lawyer.is_some_and(|r| r < TARGET_RATIO),
                borders_sichuan: false,
            },
            districts: districts.len(),
            districts_below: districts.iter().filter(|d| d.below_target).count(),
        }
    }
}

/// The answer to "who holds this number and what is their standing?".
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubjectSummary {
    /// `office` or `worker`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// License number.
    pub license_no: String,
    /// Name.
    pub name: String,
    /// The worker's office name, for workers.
    pub office_name: Option<String>,
    /// Whether the office is in a district of the Sichuan border area
    /// (rule 8), for workers.
    pub office_borders_sichuan: bool,
    /// Standing today.
    pub standing: StandingView,
    /// Address of the profile.
    pub profile_url: String,
    /// The days the standing changed in the last three years, oldest first
    /// (a certificate's check names those after its date).
    #[serde(skip)]
    pub changes: Vec<standing::StandingChange>,
}

/// Reads the summary of whoever holds `license`.
pub fn subject_summary(
    conn: &mut crate::db::DbConnection,
    license: &crate::domain::LicenseNo,
    today: NaiveDate,
    windows: &StandingPolicy,
) -> Result<Option<SubjectSummary>, DbError> {
    match profiles::kind_of(conn, license)? {
        Some(SubjectKind::Worker) => {
            let Some(r) = profiles::worker(conn, license)? else {
                return Ok(None);
            };
            let v = worker_view(&r, today, windows)?;
            let moved = profiles::offices_moved_through(conn, &r.transfers)?;
            let changes = worker_changes(&r, &moved, today, windows)?;
            Ok(Some(SubjectSummary {
                kind: "worker",
                profile_url: format!("/workers/{}", v.license_no),
                license_no: v.license_no,
                name: v.name,
                office_name: v.office.map(|o| o.name),
                office_borders_sichuan: r.district.is_some_and(|d| d.borders_sichuan),
                standing: v.credit.standing,
                changes,
            }))
        }
        Some(SubjectKind::Office) => {
            let Some(r) = profiles::office(conn, license)? else {
                return Ok(None);
            };
            let status = profiles::office_status(&r.office)?;
            let credit = credit_view(
                status,
                r.office.established_on,
                &r.credit,
                None,
                today,
                windows,
            )?;
            let changes = office_changes(&r, today, windows)?;
            Ok(Some(SubjectSummary {
                kind: "office",
                profile_url: format!("/offices/{}", r.office.license_no),
                license_no: r.office.license_no,
                name: r.office.name,
                office_name: None,
                office_borders_sichuan: r.district.borders_sichuan,
                standing: credit.standing,
                changes,
            }))
        }
        None => Ok(None),
    }
}

/// An Amap (高德地图) marker link for the office, in GCJ-02 as Chinese map
/// apps expect.
fn map_url(o: &Office) -> Option<String> {
    let (lat, lng) = crate::domain::geo::wgs84_to_gcj02(o.lat?, o.lng?);
    let name: String = url::form_urlencoded::byte_serialize(o.name.as_bytes()).collect();
    Some(format!(
        "https://uri.amap.com/marker?position={lng:.6},{lat:.6}&name={name}&coordinate=gaode&callnative=1"
    ))
}
