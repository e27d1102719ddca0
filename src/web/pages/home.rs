//! `/` and `/lookup`.

use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::{base_context, html, not_found_page};
use crate::db;
use crate::domain::LicenseNo;
use crate::domain::vocab::SubjectKind;
use crate::web::AppState;
use crate::web::errors::{AppError, ErrorCode};
use crate::web::lang::{tr, tr_with};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index))
        .route("/lookup", web::get().to(lookup));
}

async fn index(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (offices, workers, districts) = state
        .db(db::profiles::headline_counts)
        .await
        .map_err(AppError::html)?;
    let district_list = state.district_stats().await.map_err(AppError::html)?;
    let below = district_list
        .iter()
        .filter(|d| crate::web::views::DistrictView::from(*d).below_target)
        .count();
    let district_options: Vec<serde_json::Value> = district_list
        .iter()
        .map(|d| serde_json::json!({"code": d.district.code, "name": d.district.name}))
        .collect();
    let mut ctx = base_context(&state);
    ctx.insert("title", &tr("title-home"));
    ctx.insert("offices", &offices);
    ctx.insert("workers", &workers);
    ctx.insert("districts", &districts);
    ctx.insert("districts_below_target", &below);
    ctx.insert("district_options", &district_options);
    html("index.html", &ctx)
}

#[derive(Deserialize)]
struct LookupQuery {
    license_no: Option<String>,
}

/// Finds a worker or an office by license number and goes to its profile.
async fn lookup(
    state: web::Data<AppState>,
    query: web::Query<LookupQuery>,
) -> Result<HttpResponse, AppError> {
    let raw = query.license_no.as_deref().unwrap_or("").trim();
    if raw.is_empty() {
        return Err(AppError::new(ErrorCode::BadRequest)
            .message(tr("lookup-empty"))
            .html());
    }
    let license =
        LicenseNo::parse(raw).map_err(|_| AppError::new(ErrorCode::InvalidLicenseNo).html())?;
    let found = {
        let license = license.clone();
        state
            .db(move |c| db::profiles::kind_of(c, &license))
            .await
            .map_err(AppError::html)?
    };
    let location = match found {
        Some(SubjectKind::Worker) => format!("/workers/{license}"),
        Some(SubjectKind::Office) => format!("/offices/{license}"),
        None => {
            return Err(not_found_page(&tr_with(
                "nf-lookup",
                &[("license_no", &license)],
            )));
        }
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, location))
        .finish())
}
