//! `POST /api/v1/corrections` (报告信息有误: a profile shows something
//! wrong) and `POST /api/v1/reports` (举报无证执业: practice without a
//! license, or an office at an unregistered place): the JSON twins of the
//! forms at `/complaints/correction` and `/complaints/unlicensed`. Same
//! field names as the forms, the same checks and limits as a complaint's
//! filing (`complaints::json_filing`), the same answer; each is followed
//! at `GET /api/v1/complaints/{tracking_no}`. Every answer is `no-store`.

use actix_web::{HttpRequest, HttpResponse, web};

use super::complaints::{Filed, fields, idempotency_key, json_filing, named_subject};
use crate::domain::LicenseNo;
use crate::domain::report::{self, CorrectionInput, UnlicensedInput, ValidReport};
use crate::domain::vocab::SubjectKind;
use crate::web::AppState;
use crate::web::complaints::Checked;
use crate::web::errors::{AppError, ErrorBody};

/// Routes, inside the `/api/v1` scope.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/corrections").route(web::post().to(correction)))
        .service(web::resource("/reports").route(web::post().to(unlicensed)));
}

/// Files a checked report through the one filing path.
async fn file(
    state: &AppState,
    req: &HttpRequest,
    subject: Option<(SubjectKind, LicenseNo)>,
    valid: ValidReport,
) -> Result<HttpResponse, AppError> {
    let once = idempotency_key(req)?;
    // The filing allowance is spent on a filing only.
    if let Err(refused) = state
        .complaints
        .submit_limit
        .check(&state.pool, state.client_addr(req))
        .await
    {
        return Ok(crate::web::complaints::no_store(refused.json()));
    }
    let filed = crate::web::complaints::file(state, Checked::Report(subject, valid), once).await?;
    Ok(Filed::answer(state, filed))
}

/// Reports that an office's or a worker's profile shows something wrong.
/// The contact is optional; given, it is sealed at rest and never shown
/// publicly.
#[utoipa::path(
    post,
    path = "/api/v1/corrections",
    tag = "complaints",
    request_body(content = CorrectionInput, content_type = "application/json"),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Optional, 1 to 255 visible ASCII characters (a UUID, say): the same key with the same body files once, and sending it again answers the same receipt with `Idempotent-Replayed: true`"),
    ),
    responses(
        (status = 201, description = "Filed; follow it at `/api/v1/complaints/{tracking_no}`", body = super::Envelope<Filed>),
        (status = 400, description = "Fields to correct (`bad_request`, `details.fields` by field), an unknown license number, or a body that is not JSON", body = ErrorBody),
        (status = 403, description = "Sent from another site's page (`forbidden`)", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB (`payload_too_large`)", body = ErrorBody),
        (status = 415, description = "Not `application/json` (`unsupported_media_type`)", body = ErrorBody),
        (status = 429, description = "Too many filings from this address, complaints and reports together (`rate_limited`)", body = ErrorBody),
    )
)]
pub(crate) async fn correction(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let input: CorrectionInput = match json_filing(&state, &req, payload, "api-report").await? {
        Ok(input) => input,
        Err(refused) => return Ok(refused),
    };
    let valid = report::validate_correction(&input).map_err(|p| crate::i18n::say_fields(&p));
    let (valid, kind, license) =
        named_subject(&state, "api-report", valid, &input.subject_license_no).await?;
    file(&state, &req, Some((kind, license)), valid).await
}

/// Reports someone practising without a license, or an office working at
/// a place it is not registered at (不得在住所外另设办公场所). Names no one
/// in the register. The contact is optional; given, it is sealed at rest
/// and never shown publicly.
#[utoipa::path(
    post,
    path = "/api/v1/reports",
    tag = "complaints",
    request_body(content = UnlicensedInput, content_type = "application/json"),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Optional, 1 to 255 visible ASCII characters (a UUID, say): the same key with the same body files once, and sending it again answers the same receipt with `Idempotent-Replayed: true`"),
    ),
    responses(
        (status = 201, description = "Filed; follow it at `/api/v1/complaints/{tracking_no}`", body = super::Envelope<Filed>),
        (status = 400, description = "Fields to correct (`bad_request`, `details.fields` by field), or a body that is not JSON", body = ErrorBody),
        (status = 403, description = "Sent from another site's page (`forbidden`)", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB (`payload_too_large`)", body = ErrorBody),
        (status = 415, description = "Not `application/json` (`unsupported_media_type`)", body = ErrorBody),
        (status = 429, description = "Too many filings from this address, complaints and reports together (`rate_limited`)", body = ErrorBody),
    )
)]
pub(crate) async fn unlicensed(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let input: UnlicensedInput = match json_filing(&state, &req, payload, "api-report").await? {
        Ok(input) => input,
        Err(refused) => return Ok(refused),
    };
    let valid = report::validate_unlicensed(&input, state.clock.today())
        .map_err(|p| fields("api-report", crate::i18n::say_fields(&p)))?;
    file(&state, &req, None, valid).await
}
