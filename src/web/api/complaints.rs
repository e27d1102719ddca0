//! `POST /api/v1/complaints` (file; 201 with `tracking_no` and
//! `access_code`) and `GET /api/v1/complaints/{tracking_no}` (follow, with
//! the access code in `X-Access-Code`). Same field names as the form.
//! Every answer is `no-store`.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::db;
use crate::domain::LicenseNo;
use crate::domain::complaint::{self, ComplaintInput, TrackingNo, TrackingNoError};
use crate::domain::vocab::SubjectKind;
use crate::i18n::FieldErrors;
use crate::web::AppState;
use crate::web::complaints::{Checked, Once, StatusView, no_store, read_body, status_view};
use crate::web::errors::{AppError, ErrorBody, ErrorCode};

/// The header carrying the access code.
pub const ACCESS_CODE_HEADER: &str = "x-access-code";

/// Routes, inside the `/api/v1` scope.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/complaints").route(web::post().to(file)))
        .route("/complaints/{tracking_no}", web::get().to(follow));
}

/// A filing's field problems: message `{ids}-fields`, the problems by
/// field in `details.fields`.
pub(crate) fn fields(ids: &str, errors: impl serde::Serialize) -> AppError {
    AppError::new(ErrorCode::BadRequest)
        .message(crate::web::lang::tr(&format!("{ids}-fields")))
        .details(json!({ "fields": errors }))
}

/// The subject a filing names, once its own fields are checked: every
/// field's problem in one answer (a malformed license number among them,
/// `{ids}-subject-missing`), then the kind of what the register holds
/// under the number (`{ids}-subject-unknown` when nothing).
pub(crate) async fn named_subject<V>(
    state: &AppState,
    ids: &str,
    valid: Result<V, FieldErrors>,
    license_no: &str,
) -> Result<(V, SubjectKind, LicenseNo), AppError> {
    let tr = |suffix: &str| crate::web::lang::tr(&format!("{ids}-{suffix}"));
    let (valid, license) = match (valid, LicenseNo::parse(license_no)) {
        (Ok(valid), Ok(license)) => (valid, license),
        (valid, license) => {
            let mut errors = valid.err().unwrap_or_default();
            if license.is_err() {
                errors.insert("subject_license_no", tr("subject-missing"));
            }
            return Err(fields(ids, errors));
        }
    };
    let kind = {
        let license = license.clone();
        state
            .db(move |c| db::profiles::kind_of(c, &license))
            .await?
    };
    match kind {
        Some(kind) => Ok((valid, kind, license)),
        None => Err(fields(
            ids,
            json!({ "subject_license_no": tr("subject-unknown") }),
        )),
    }
}

/// What a resident keeps after filing: the tracking number and the
/// one-time access code (shown only in this answer).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Filed {
    /// Tracking number, with a check digit.
    tracking_no: String,
    /// Access code for following the complaint; not stored in clear.
    access_code: String,
    /// Where to follow it (with the code in `X-Access-Code`).
    status_url: String,
}

impl Filed {
    /// The answer for a filing: `201` with the receipt, and
    /// `Idempotent-Replayed: true` when the same request (its
    /// `Idempotency-Key` and body) was filed before and this is its receipt
    /// again. `no-store` always.
    pub(crate) fn answer(state: &AppState, filed: db::complaints::Filed) -> HttpResponse {
        let mut created = HttpResponse::Created();
        if filed.filed_before.is_some() {
            created.insert_header(("Idempotent-Replayed", "true"));
        }
        no_store(created.json(super::Envelope {
            data: Self {
                status_url: format!("/api/v1/complaints/{}", filed.tracking_no),
                tracking_no: filed.tracking_no.to_string(),
                access_code: filed.access_code,
            },
            demo_data: state.demo_scale.is_some(),
        }))
    }
}

/// The longest `Idempotency-Key` taken.
pub(crate) const IDEMPOTENCY_KEY_MAX: usize = 255;

/// The request's `Idempotency-Key`: absent, or 1 to 255 visible ASCII
/// characters (a UUID, say), else `400`. The same key with the same body
/// files once; the same key with another body is another filing.
pub(crate) fn idempotency_key(req: &HttpRequest) -> Result<Option<Once>, AppError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key)
            if !key.is_empty()
                && key.len() <= IDEMPOTENCY_KEY_MAX
                && key.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(Some(Once::Api {
                key: key.to_owned(),
            }))
        }
        _ => Err(
            AppError::new(ErrorCode::BadRequest).message(crate::web::lang::tr_with(
                "idempotency-key-invalid",
                &[("n", &IDEMPOTENCY_KEY_MAX)],
            )),
        ),
    }
}

/// The checks every public filing (complaint, correction, unlicensed
/// practice) passes first, in this order: the shared filing limit (an
/// answered `429` is the `Err`), the body limit of 64 KiB, the origin, the
/// JSON media type; then the body parsed as `T`. Messages are `{ids}-cross-site`,
/// `{ids}-json` and `{ids}-bad-json`.
pub(crate) async fn json_filing<T: serde::de::DeserializeOwned>(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
    ids: &str,
) -> Result<Result<T, HttpResponse>, AppError> {
    let tr = |suffix: &str| crate::web::lang::tr(&format!("{ids}-{suffix}"));
    let addr = state.client_addr(req);
    if let Err(refused) = state
        .complaints
        .attempt_limit
        .check(&state.pool, addr)
        .await
    {
        return Ok(Err(no_store(refused.json())));
    }
    let body = read_body(payload, 64 * 1024).await?;
    if crate::web::csrf::check_origin(req).is_err() {
        return Err(AppError::new(ErrorCode::Forbidden).message(tr("cross-site")));
    }
    let is_json = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !is_json {
        return Err(AppError::new(ErrorCode::UnsupportedMediaType).message(tr("json")));
    }
    serde_json::from_slice(&body).map(Ok).map_err(|e| {
        AppError::new(ErrorCode::BadRequest)
            .message(tr("bad-json"))
            .details(json!({ "line": e.line(), "column": e.column() }))
    })
}

/// Files a complaint about an office or a worker. The complainant's name
/// and phone are sealed at rest and never shown publicly.
#[utoipa::path(
    post,
    path = "/api/v1/complaints",
    tag = "complaints",
    request_body(content = ComplaintInput, content_type = "application/json"),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Optional, 1 to 255 visible ASCII characters (a UUID, say): the same key with the same body files once, and sending it again answers the same receipt with `Idempotent-Replayed: true`"),
    ),
    responses(
        (status = 201, description = "Filed", body = super::Envelope<Filed>),
        (status = 400, description = "Fields to correct (`bad_request`, `details.fields` by field)", body = ErrorBody),
        (status = 403, description = "Sent from another site's page (`forbidden`)", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB (`payload_too_large`)", body = ErrorBody),
        (status = 415, description = "Not `application/json` (`unsupported_media_type`)", body = ErrorBody),
        (status = 429, description = "Too many complaints from this address (`rate_limited`)", body = ErrorBody),
    )
)]
pub(crate) async fn file(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let input: ComplaintInput = match json_filing(&state, &req, payload, "api-complaint").await? {
        Ok(input) => input,
        Err(refused) => return Ok(refused),
    };
    let valid =
        complaint::validate(&input, state.clock.today()).map_err(|p| crate::i18n::say_fields(&p));
    let once = idempotency_key(&req)?;
    let (valid, kind, license) =
        named_subject(&state, "api-complaint", valid, &input.subject_license_no).await?;
    // The filing allowance is spent on a filing only.
    if let Err(refused) = state
        .complaints
        .submit_limit
        .check(&state.pool, state.client_addr(&req))
        .await
    {
        return Ok(no_store(refused.json()));
    }
    let filed =
        crate::web::complaints::file(&state, Checked::Complaint(kind, license, valid), once)
            .await?;
    Ok(Filed::answer(&state, filed))
}

/// Where a complaint stands, for the complainant.
#[utoipa::path(
    get,
    path = "/api/v1/complaints/{tracking_no}",
    tag = "complaints",
    params(
        ("tracking_no" = String, Path, description = "The tracking number"),
        ("X-Access-Code" = String, Header, description = "The access code given when filing"),
    ),
    responses(
        (status = 200, description = "Its stage, deadlines and outcome", body = super::Envelope<StatusView>),
        (status = 400, description = "Not a tracking number (`bad_request`)", body = ErrorBody),
        (status = 401, description = "No access code (`unauthorized`)", body = ErrorBody),
        (status = 404, description = "No such number, or the code does not match (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many lookups from this address (`rate_limited`)", body = ErrorBody),
    )
)]
pub(crate) async fn follow(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let addr = state.client_addr(&req);
    if let Err(refused) = state.complaints.lookup_limit.check(&state.pool, addr).await {
        return Ok(no_store(refused.json()));
    }
    let tracking = TrackingNo::parse(&path).map_err(|e| {
        let reason = match e {
            TrackingNoError::Malformed => "malformed",
            TrackingNoError::WrongCheckDigit => "wrong_check_digit",
        };
        AppError::new(ErrorCode::BadRequest)
            .message(crate::i18n::say(&e.message()))
            .details(json!({ "field": "tracking_no", "reason": reason }))
    })?;
    let Some(code) = req
        .headers()
        .get(ACCESS_CODE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return Err(AppError::new(ErrorCode::Unauthorized)
            .message(crate::web::lang::tr("api-complaint-access-code")));
    };
    let (today, deadlines) = (state.clock.today(), state.complaints.deadlines);
    let view = state
        .db(move |c| {
            let Some(record) = db::complaints::find(c, &tracking)? else {
                return Ok(None);
            };
            if !record.access_code_matches(&code) {
                return Ok(None);
            }
            let name = match SubjectKind::parse(&record.complaint.subject_kind) {
                Some(k) => {
                    db::complaints::subject_name(c, k, &record.complaint.subject_license_no)?
                }
                None => None,
            };
            status_view(&record, name, &deadlines, today).map(Some)
        })
        .await?
        .ok_or_else(|| {
            AppError::new(ErrorCode::NotFound)
                .message(crate::web::lang::tr("api-complaint-no-match"))
        })?;
    Ok(no_store(HttpResponse::Ok().json(super::Envelope {
        data: view,
        demo_data: state.demo_scale.is_some(),
    })))
}
