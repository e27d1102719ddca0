//! The JSON API under `/api/v1/`, mirroring the pages.

pub mod complaints;
mod export;
mod search;

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::AppState;
use super::errors::{AppError, ErrorCode};
use super::views::{self, DistrictView};
use crate::db;
use crate::domain::LicenseNo;

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/offices/{license_no}", web::get().to(office))
            .route("/workers/{license_no}", web::get().to(worker))
            .route("/districts", web::get().to(districts))
            .route("/verify", web::get().to(verify))
            .route("/certificates/{code}", web::get().to(certificate))
            .configure(complaints::configure)
            .configure(export::configure)
            .route("/search", web::get().to(search::search)),
    );
}

/// Wraps every answer with the demo label, so integrators know.
#[derive(Serialize)]
struct Envelope<T: Serialize> {
    #[serde(flatten)]
    data: T,
    demo_data: bool,
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

async fn worker(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let license = license(&path)?;
    let (today, windows) = (state.clock.today(), state.windows);
    let shown = license.clone();
    let view = state
        .db(move |c| {
            db::profiles::worker(c, &license)?
                .map(|r| views::worker_view(&r, today, &windows))
                .transpose()
        })
        .await?
        .ok_or_else(|| {
            AppError::new(ErrorCode::NotFound)
                .message(format!("没有执业证号为 {shown} 的法律服务工作者。"))
        })?;
    Ok(json(&state, view))
}

async fn office(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let license = license(&path)?;
    let (today, windows) = (state.clock.today(), state.windows);
    let shown = license.clone();
    let view = state
        .db(move |c| {
            db::profiles::office(c, &license)?
                .map(|r| views::office_view(&r, today, &windows))
                .transpose()
        })
        .await?
        .ok_or_else(|| {
            AppError::new(ErrorCode::NotFound)
                .message(format!("没有执业许可证号为 {shown} 的法律服务所。"))
        })?;
    Ok(json(&state, view))
}

#[derive(Serialize)]
struct DistrictList {
    target: f64,
    districts: Vec<DistrictView>,
}

async fn districts(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let stats = state.db(db::districts::list).await?;
    Ok(json(
        &state,
        DistrictList {
            target: crate::domain::plan_rules::TARGET_RATIO,
            districts: stats.iter().map(DistrictView::from).collect(),
        },
    ))
}

async fn verify(
    state: web::Data<AppState>,
    query: web::Query<super::pages::verify::VerifyQuery>,
) -> Result<HttpResponse, AppError> {
    let raw = query.license_no.as_deref().unwrap_or("").trim();
    if raw.is_empty() {
        return Err(AppError::new(ErrorCode::BadRequest)
            .message("请提供执业证号（license_no）。")
            .details(serde_json::json!({"field": "license_no"})));
    }
    let outcome = super::pages::verify::verify(&state, license(raw)?, query.name.clone()).await?;
    Ok(json(&state, outcome))
}

async fn certificate(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let check = super::pages::verify::check(&state, &path).await?;
    Ok(json(&state, check))
}
