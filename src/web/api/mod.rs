//! The JSON API under `/api/v1/`, mirroring the pages.

mod case_check;
pub mod complaints;
pub(crate) mod export;
pub(crate) mod feeds;
pub(crate) mod history;
pub(crate) mod hsds;
pub mod openapi;
mod reports;
mod search;

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::AppState;
use super::errors::{AppError, ErrorBody, ErrorCode};
use super::lang::{tr, tr_with};
use super::pages::verify::{CertificateCheck, Verification, VerifyQuery};
use super::views::{self, DistrictView, OfficeView, WorkerView};
use crate::db;
use crate::domain::LicenseNo;
use crate::domain::standing::StandingPolicy;
use chrono::NaiveDate;

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .configure(feeds::configure)
            .route("/offices/{license_no}", web::get().to(office))
            .route("/workers/{license_no}", web::get().to(worker))
            .configure(history::configure)
            .configure(case_check::configure)
            .route("/districts", web::get().to(districts))
            .route("/verify", web::get().to(verify))
            .route("/certificates/{code}", web::get().to(certificate))
            .configure(complaints::configure)
            .configure(hsds::configure)
            .configure(reports::configure)
            .configure(export::configure)
            .route("/search", web::get().to(search::search))
            .route("/openapi.json", web::get().to(openapi::document)),
    );
}

/// Wraps every answer with the demo label, so integrators know.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Envelope<T: Serialize> {
    #[serde(flatten)]
    pub(crate) data: T,
    /// The portal serves invented demo data, not the bureau's records.
    pub(crate) demo_data: bool,
}

fn json<T: Serialize>(state: &AppState, data: T) -> HttpResponse {
    HttpResponse::Ok().json(Envelope {
        data,
        demo_data: state.demo_scale.is_some(),
    })
}

fn license(raw: &str) -> Result<LicenseNo, AppError> {
    LicenseNo::parse(raw).map_err(|e| {
        AppError::new(ErrorCode::InvalidLicenseNo)
            .details(serde_json::json!({"license_no": raw, "reason": e.to_string()}))
    })
}

/// A worker's profile: standing, reviews, disclosures in their window,
/// transfers and complaint outcomes.
#[utoipa::path(
    get,
    path = "/api/v1/workers/{license_no}",
    tag = "profiles",
    params(("license_no" = String, Path, description = "执业证号; full-width digits and spaces are folded", example = "45001030001")),
    responses(
        (status = 200, description = "The profile", body = Envelope<WorkerView>),
        (status = 400, description = "Not a license number (`invalid_license_no`)", body = ErrorBody),
        (status = 404, description = "No worker holds it (`not_found`)", body = ErrorBody),
    )
)]
pub(crate) async fn worker(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    profile(&state, &path, "nf-worker", |c, license, today, windows| {
        db::profiles::worker(c, license)?
            .map(|r| views::worker_view(&r, today, windows))
            .transpose()
    })
    .await
}

/// An office's profile: standing, staff, reviews and disclosures.
#[utoipa::path(
    get,
    path = "/api/v1/offices/{license_no}",
    tag = "profiles",
    params(("license_no" = String, Path, description = "执业许可证号", example = "31500103001")),
    responses(
        (status = 200, description = "The profile", body = Envelope<OfficeView>),
        (status = 400, description = "Not a license number (`invalid_license_no`)", body = ErrorBody),
        (status = 404, description = "No office holds it (`not_found`)", body = ErrorBody),
    )
)]
pub(crate) async fn office(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    profile(&state, &path, "nf-office", |c, license, today, windows| {
        db::profiles::office(c, license)?
            .map(|r| views::office_view(&r, today, windows))
            .transpose()
    })
    .await
}

/// A profile as JSON: the license number checked, the view built by `load`
/// on today's date, or a 404 with the message `missing` (`nf-worker`,
/// `nf-office`) in the request's language.
async fn profile<V: Serialize + Send + 'static>(
    state: &AppState,
    raw: &str,
    missing: &str,
    load: impl FnOnce(
        &mut db::DbConnection,
        &LicenseNo,
        NaiveDate,
        &StandingPolicy,
    ) -> Result<Option<V>, db::DbError>
    + Send
    + 'static,
) -> Result<HttpResponse, AppError> {
    let license = license(raw)?;
    let (today, windows) = (state.clock.today(), state.windows);
    let shown = license.clone();
    let view = state
        .db(move |c| load(c, &license, today, &windows))
        .await?
        .ok_or_else(|| {
            AppError::new(ErrorCode::NotFound).message(tr_with(missing, &[("license_no", &shown)]))
        })?;
    Ok(json(state, view))
}

/// Every district with its ratios against the plan's target.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DistrictList {
    /// The plan's target: lawyers per 10,000 residents (2.3).
    target: f64,
    districts: Vec<DistrictView>,
}

/// Every district's lawyer and service ratios against 2.3 per 10,000.
#[utoipa::path(
    get,
    path = "/api/v1/districts",
    tag = "districts",
    responses((status = 200, description = "The districts", body = Envelope<DistrictList>))
)]
pub(crate) async fn districts(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let stats = state.district_stats().await?;
    Ok(json(
        &state,
        DistrictList {
            target: crate::domain::plan_rules::TARGET_RATIO,
            districts: stats.iter().map(DistrictView::from).collect(),
        },
    ))
}

/// The standing of a license number today, optionally checking the
/// holder's name: `found`, `name_mismatch` (the holder is not named) or
/// `not_found`.
#[utoipa::path(
    get,
    path = "/api/v1/verify",
    tag = "verify",
    params(VerifyQuery),
    responses(
        (status = 200, description = "The outcome", body = Envelope<Verification>),
        (status = 400, description = "No or a malformed license number", body = ErrorBody),
        (status = 429, description = "Too many checks from this address (`rate_limited`); see `Retry-After`", body = ErrorBody),
    )
)]
pub(crate) async fn verify(
    state: web::Data<AppState>,
    query: web::Query<super::pages::verify::VerifyQuery>,
) -> Result<HttpResponse, AppError> {
    let raw = query.license_no.as_deref().unwrap_or("").trim();
    if raw.is_empty() {
        return Err(AppError::new(ErrorCode::BadRequest)
            .message(tr("api-license-no-needed"))
            .details(serde_json::json!({"field": "license_no"})));
    }
    let outcome = super::pages::verify::verify(&state, license(raw)?, query.name.clone()).await?;
    Ok(json(&state, outcome))
}

/// Checks a standing certificate's code: genuine, what it certified, and
/// whether the standing changed since.
#[utoipa::path(
    get,
    path = "/api/v1/certificates/{code}",
    tag = "verify",
    params(("code" = String, Path, description = "The code printed on the certificate")),
    responses(
        (status = 200, description = "The verdict (also for forged or altered codes)", body = Envelope<CertificateCheck>),
        (status = 429, description = "Too many checks from this address (`rate_limited`)", body = ErrorBody),
    )
)]
pub(crate) async fn certificate(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let check = super::pages::verify::check(&state, &path).await?;
    Ok(json(&state, check))
}
