//! `GET /admin/api/exit-candidates`: the subjects the bureau should move
//! towards exit (issue 12), as JSON or, with `?format=csv`, as a CSV file.

use std::collections::BTreeMap;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::db::exit::ExitEntry;
use crate::domain::exit::ExitReason;
use crate::domain::vocab::TokenScope;
use crate::web::AppState;
use crate::web::api::export::csv_chunk;
use crate::web::auth::{TokenRefused, require};
use crate::web::errors::{AppError, ErrorCode};
use crate::web::lang::{self, Lang};

/// Registers the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/admin/api/exit-candidates").route(web::get().to(get_exit_candidates)),
    );
}

/// `?format=json` (the default) or `?format=csv`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub(crate) struct ExitQuery {
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// One subject on the list, for one reason.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ExitCandidate {
    /// `office` or `worker`.
    subject_kind: &'static str,
    /// License number.
    license_no: String,
    /// Name.
    name: String,
    /// District code (a worker's office's).
    district_code: String,
    /// `rectification_overdue`, `no_review_two_years`, `too_few_workers`,
    /// `office_closed` or `no_exit_announcement`.
    reason: &'static str,
    /// The reason in a sentence (Chinese unless English is asked for).
    sentence: String,
    /// The day the subject became a candidate for this reason.
    since: chrono::NaiveDate,
    /// The figures behind the reason.
    #[schema(value_type = Object)]
    figures: serde_json::Value,
}

/// The exit list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ExitCandidates {
    /// The date assessed.
    as_of: chrono::NaiveDate,
    /// Entries per reason.
    counts_by_reason: BTreeMap<&'static str, usize>,
    /// Every entry, by reason, district and license number.
    candidates: Vec<ExitCandidate>,
}

/// The sentence saying why, in `lang`.
pub(crate) fn sentence(lang: Lang, e: &ExitEntry) -> String {
    let f = &e.finding.figures;
    let tr = |id: &str, args: &[(&str, &dyn std::fmt::Display)]| lang::tr_in_with(lang, id, args);
    let none = String::new();
    match e.finding.reason {
        ExitReason::RectificationOverdue => tr(
            "exit-rectification-overdue",
            &[
                ("year", &f.year.unwrap_or_default()),
                (
                    "deadline",
                    &f.deadline.map(|d| d.to_string()).unwrap_or_default(),
                ),
            ],
        ),
        ExitReason::NoReviewTwoYears => tr(
            "exit-no-review-two-years",
            &[
                ("first", &f.years.first().copied().unwrap_or_default()),
                ("second", &f.years.last().copied().unwrap_or_default()),
            ],
        ),
        ExitReason::TooFewWorkers => tr(
            "exit-too-few-workers",
            &[
                ("count", &f.practising_workers.unwrap_or_default()),
                ("min", &f.min_workers.unwrap_or_default()),
            ],
        ),
        ExitReason::OfficeClosed => tr(
            "exit-office-closed",
            &[
                ("office", f.office_name.as_ref().unwrap_or(&none)),
                ("license_no", f.office_license_no.as_ref().unwrap_or(&none)),
            ],
        ),
        ExitReason::NoExitAnnouncement => tr(
            if e.kind == crate::domain::vocab::SubjectKind::Office {
                "exit-no-announcement-office"
            } else {
                "exit-no-announcement-worker"
            },
            &[],
        ),
    }
}

/// The subjects the bureau should move towards exit today: overdue
/// rectification, offices without a review for the last two due years or
/// with fewer practising workers than the minimum, workers of closed
/// offices, and deregistered or revoked subjects no exit notice names.
/// Audited.
#[utoipa::path(
    get,
    path = "/admin/api/exit-candidates",
    tag = "admin",
    params(ExitQuery),
    security(("token" = [])),
    responses(
        (status = 200, description = "The list (CSV with `format=csv`)", body = ExitCandidates),
        (status = 400, description = "Unknown format (`bad_request`)", body = crate::web::errors::ErrorBody),
        TokenRefused,
    )
)]
pub(crate) async fn get_exit_candidates(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ExitQuery>,
) -> Result<HttpResponse, AppError> {
    let csv = match query.format.as_deref().map(str::trim) {
        None | Some("" | "json") => false,
        Some("csv") => true,
        Some(_) => {
            return Err(AppError::new(ErrorCode::BadRequest).message(lang::tr("exit-bad-format")));
        }
    };
    let token = require(&req, &state, TokenScope::Import).await?;
    let (today, policy, rules) = (state.clock.today(), state.windows, state.rules);
    let district = token.district.clone();
    let mut entries = state
        .db(move |c| {
            db::audit::record(c, &token.name, "read_exit_candidates", "", "")?;
            db::exit::candidates(c, today, &policy, &rules)
        })
        .await?;
    // A token limited to a district reads that district's candidates.
    if let Some(d) = district {
        entries.retain(|e| e.district_code == d);
    }
    let lang = lang::current();
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let candidates: Vec<ExitCandidate> = entries
        .iter()
        .map(|e| {
            *counts.entry(e.finding.reason.key()).or_default() += 1;
            ExitCandidate {
                subject_kind: e.kind.key(),
                license_no: e.license_no.clone(),
                name: e.name.clone(),
                district_code: e.district_code.clone(),
                reason: e.finding.reason.key(),
                sentence: sentence(lang, e),
                since: e.finding.since,
                figures: serde_json::to_value(&e.finding.figures).unwrap_or_default(),
            }
        })
        .collect();
    if csv {
        return csv_answer(&candidates);
    }
    Ok(HttpResponse::Ok().json(ExitCandidates {
        as_of: today,
        counts_by_reason: counts,
        candidates,
    }))
}

const CSV_COLUMNS: &[&str] = &[
    "subject_kind",
    "license_no",
    "name",
    "district_code",
    "reason",
    "sentence",
    "since",
];

fn csv_answer(candidates: &[ExitCandidate]) -> Result<HttpResponse, AppError> {
    let rows: Vec<Vec<String>> = candidates
        .iter()
        .map(|c| {
            vec![
                c.subject_kind.to_owned(),
                c.license_no.clone(),
                c.name.clone(),
                c.district_code.clone(),
                c.reason.to_owned(),
                c.sentence.clone(),
                c.since.to_string(),
            ]
        })
        .collect();
    // Written as the exports are (BOM, no formula cells), but private: it
    // names people the bureau is acting on.
    let body = csv_chunk(Some(CSV_COLUMNS), &rows)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            "attachment; filename=\"exit-candidates.csv\"",
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body))
}
