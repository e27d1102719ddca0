//! `GET /api/v1/workers/{license_no}/case-check`: "can this worker take my
//! case?" as JSON, the same answer as the worker page's form.

use actix_web::{HttpResponse, web};

use super::{Envelope, json, license};
use crate::db;
use crate::web::AppState;
use crate::web::case_check::{CaseCheck, CaseQuery, answer};
use crate::web::errors::{AppError, ErrorBody, ErrorCode};
use crate::web::lang::tr_with;
use crate::web::views;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/workers/{license_no}/case-check").route(web::get().to(case_check)));
}

/// Whether the worker may take a case of this type for parties living
/// where given (rule 8): `no` for criminal defence and for a worker who
/// cannot practise; civil and administrative litigation need a party in
/// the municipality (a party in an adjacent Sichuan county counts for a
/// worker of a border district, the plan's pilot scope); other work is
/// open wherever the parties live.
#[utoipa::path(
    get,
    path = "/api/v1/workers/{license_no}/case-check",
    tag = "profiles",
    params(
        ("license_no" = String, Path, description = "执业证号; full-width digits and spaces are folded", example = "45001030001"),
        CaseQuery,
    ),
    responses(
        (status = 200, description = "The answer, its reason and its basis in the request's language", body = Envelope<CaseCheck>),
        (status = 400, description = "Not a license number (`invalid_license_no`), or a missing or unknown `case_type`/`party_a` or an unknown `party_b` (`bad_request`, `details.parameter` names it)", body = ErrorBody),
        (status = 404, description = "No worker holds it (`not_found`)", body = ErrorBody),
    )
)]
pub(crate) async fn case_check(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<CaseQuery>,
) -> Result<HttpResponse, AppError> {
    let license = license(&path)?;
    let question = query.question()?;
    let (today, windows) = (state.clock.today(), state.windows);
    let shown = license.clone();
    let found = state
        .db(move |c| {
            db::profiles::worker(c, &license)?
                .map(|r| {
                    let borders = r.district.as_ref().is_some_and(|d| d.borders_sichuan);
                    views::worker_view(&r, today, &windows)
                        .map(|v| (v.credit.standing.source.0, borders))
                })
                .transpose()
        })
        .await?;
    let Some((standing, borders)) = found else {
        return Err(AppError::new(ErrorCode::NotFound)
            .message(tr_with("nf-worker", &[("license_no", &shown)])));
    };
    Ok(json(&state, answer(standing, borders, question)))
}
