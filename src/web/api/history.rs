//! `GET /api/v1/workers/{license_no}/history` and
//! `/api/v1/offices/{license_no}/history`: the record's changes as JSON.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::{Envelope, json, license};
use crate::domain::vocab::SubjectKind;
use crate::web::AppState;
use crate::web::errors::{AppError, ErrorBody, ErrorCode};
use crate::web::history::HistoryView;
use crate::web::lang::tr_with;

/// Routes (inside the `/api/v1` scope).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/workers/{license_no}/history").route(web::get().to(worker_history)),
    )
    .service(web::resource("/offices/{license_no}/history").route(web::get().to(office_history)));
}

/// Which page of the changes.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistoryQuery {
    /// Page number from 1 (50 changes a page; at most 100,000).
    #[param(minimum = 1, maximum = 100_000)]
    page: Option<i64>,
}

/// A worker's public changes, newest first, and when an import last
/// confirmed the record.
#[utoipa::path(
    get,
    path = "/api/v1/workers/{license_no}/history",
    tag = "profiles",
    params(("license_no" = String, Path, description = "执业证号", example = "45001030001"), HistoryQuery),
    responses(
        (status = 200, description = "The history", body = Envelope<HistoryView>),
        (status = 400, description = "Not a license number (`invalid_license_no`)", body = ErrorBody),
        (status = 404, description = "No worker holds it (`not_found`)", body = ErrorBody),
    )
)]
pub(crate) async fn worker_history(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, AppError> {
    history(&state, SubjectKind::Worker, &path, query.page).await
}

/// An office's public changes, newest first, and when an import last
/// confirmed the record.
#[utoipa::path(
    get,
    path = "/api/v1/offices/{license_no}/history",
    tag = "profiles",
    params(("license_no" = String, Path, description = "执业许可证号", example = "31500103001"), HistoryQuery),
    responses(
        (status = 200, description = "The history", body = Envelope<HistoryView>),
        (status = 400, description = "Not a license number (`invalid_license_no`)", body = ErrorBody),
        (status = 404, description = "No office holds it (`not_found`)", body = ErrorBody),
    )
)]
pub(crate) async fn office_history(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, AppError> {
    history(&state, SubjectKind::Office, &path, query.page).await
}

async fn history(
    state: &AppState,
    kind: SubjectKind,
    raw: &str,
    page: Option<i64>,
) -> Result<HttpResponse, AppError> {
    let license = license(raw)?;
    let page = page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        // As the OpenAPI document says, and as /api/v1/search answers.
        return Err(AppError::new(ErrorCode::BadRequest)
            .message(tr_with(
                "sp-not-whole",
                &[
                    ("label", &crate::web::lang::tr("sp-label-page")),
                    ("max", &100_000),
                ],
            ))
            .details(serde_json::json!({ "parameter": "page" })));
    }
    let per = crate::web::pages::HISTORY_PER_PAGE;
    let lang = crate::i18n::current();
    let no = license.as_str().to_owned();
    let view = state
        .db(move |c| crate::web::history::view(c, kind, &no, lang, (page - 1) * per, per))
        .await?;
    let Some(view) = view else {
        let id = match kind {
            SubjectKind::Office => "nf-office",
            SubjectKind::Worker => "nf-worker",
        };
        return Err(
            AppError::new(ErrorCode::NotFound).message(tr_with(id, &[("license_no", &license)]))
        );
    };
    Ok(json(state, view))
}
