//! The two other forms of the complaint desk (docs/complaints.md):
//! `/complaints/correction[?subject=<license_no>]` (报告信息有误, linked from
//! every profile) and `/complaints/unlicensed[?name=<name>]` (举报无证执业,
//! linked from the impersonation warning and the complaint form). Plain
//! forms like the complaint's: the same CSRF token (its cookie lives under
//! `/complaints`), the same shared filing limit, the same receipt and status
//! page, and the same filing path (`db::complaints::file_filing`). Every
//! answer is `no-store`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header::SET_COOKIE;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::base_context;
use super::complaints::{page, parse_form, prefilled_subject, subject_of};
use crate::domain::LicenseNo;
use crate::domain::complaint;
use crate::domain::report::{
    self, CorrectionInput, ReportKind, UnlicensedInput, ValidReport, limits,
};
use crate::domain::vocab::SubjectKind;
use crate::i18n::FieldErrors;
use crate::i18n::Label;
use crate::web::AppState;
use crate::web::complaints::{Checked, Once, no_store, read_body};
use crate::web::csrf::{CsrfRefusal, FIELD_NAME};
use crate::web::errors::{AppError, ErrorCode};
use crate::web::lang::{tr, tr_with};
use crate::web::templates;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/complaints/correction")
            .route(web::get().to(correction_form))
            .route(web::post().to(file_correction)),
    )
    .service(
        web::resource("/complaints/unlicensed")
            .route(web::get().to(unlicensed_form))
            .route(web::post().to(file_unlicensed)),
    );
}

/// The longest body either form takes.
const BODY_LIMIT: usize = 32 * 1024;

/// What a form page shows besides the values.
#[derive(Default)]
struct FormState {
    errors: FieldErrors,
    form_error: Option<String>,
    subject_name: Option<String>,
}

fn render(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    kind: ReportKind,
    form: &impl Serialize,
    extra: FormState,
) -> Result<HttpResponse, AppError> {
    let issued = state.complaints.csrf.issue(req);
    let (template, title) = match kind {
        ReportKind::Unlicensed => ("report_unlicensed.html", "report-unlicensed-title"),
        _ => ("report_correction.html", "report-correction-title"),
    };
    let mut ctx = base_context(state);
    ctx.insert("title", &tr(title));
    ctx.insert("form", form);
    ctx.insert("errors", &extra.errors);
    ctx.insert("form_error", &extra.form_error);
    ctx.insert("subject_name", &extra.subject_name);
    ctx.insert("csrf_token", &issued.token);
    ctx.insert(
        "limits",
        &serde_json::json!({
            "subject": complaint::limits::SUBJECT,
            "correction_min": limits::CORRECTION_MIN, "correction_max": limits::CORRECTION_MAX,
            "place_min": limits::PLACE_MIN, "place_max": limits::PLACE_MAX,
            "name_used_max": limits::NAME_USED_MAX,
            "description_min": complaint::limits::DESCRIPTION_MIN,
            "description_max": complaint::limits::DESCRIPTION_MAX,
            "name_max": complaint::limits::NAME_MAX, "phone_max": complaint::limits::PHONE_MAX,
        }),
    );
    let mut resp = page(status, templates::render(template, &ctx)?);
    if let Some(cookie) = issued.set_cookie {
        resp.headers_mut().append(SET_COOKIE, cookie);
    }
    Ok(resp)
}

#[derive(Deserialize)]
struct CorrectionQuery {
    subject: Option<String>,
}

#[derive(Deserialize)]
struct UnlicensedQuery {
    name: Option<String>,
}

fn clipped(raw: Option<&str>, max: usize) -> String {
    raw.map(|s| s.chars().take(max).collect())
        .unwrap_or_default()
}

async fn correction_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<CorrectionQuery>,
) -> Result<HttpResponse, AppError> {
    let (prefill, subject_name) = prefilled_subject(&state, query.subject.as_deref()).await?;
    let input = CorrectionInput {
        subject_license_no: prefill,
        ..Default::default()
    };
    let extra = FormState {
        subject_name,
        ..Default::default()
    };
    render(
        &state,
        &req,
        StatusCode::OK,
        ReportKind::Correction,
        &input,
        extra,
    )
}

async fn unlicensed_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<UnlicensedQuery>,
) -> Result<HttpResponse, AppError> {
    let input = UnlicensedInput {
        name_used: clipped(query.name.as_deref(), limits::NAME_USED_MAX),
        ..Default::default()
    };
    render(
        &state,
        &req,
        StatusCode::OK,
        ReportKind::Unlicensed,
        &input,
        FormState::default(),
    )
}

/// What the gate hands the form handler: the posted fields, or the answer
/// already given (a refusal by the limit or a cross-site post).
enum Gate {
    Open(HashMap<String, String>),
    /// The CSRF token is stale or missing: the form again, with its fields.
    Expired(HashMap<String, String>),
    Answered(HttpResponse),
}

/// The checks every public form post passes first, in the complaint form's
/// order: the shared filing limit, the body limit, the CSRF token.
async fn gate(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<Gate, AppError> {
    let addr = state.client_addr(req);
    if let Err(refused) = state
        .complaints
        .attempt_limit
        .check(&state.pool, addr)
        .await
    {
        return Ok(Gate::Answered(no_store(refused.html())));
    }
    let body = read_body(payload, BODY_LIMIT)
        .await
        .map_err(AppError::html)?;
    let form = parse_form(&body);
    match state
        .complaints
        .csrf
        .verify(req, form.get(FIELD_NAME).map(String::as_str))
    {
        Ok(()) => Ok(Gate::Open(form)),
        Err(CsrfRefusal::CrossSite) => Err(AppError::new(ErrorCode::Forbidden)
            .message(tr("form-cross-site"))
            .html()),
        Err(CsrfRefusal::BadToken) => Ok(Gate::Expired(form)),
    }
}

fn field(form: &HashMap<String, String>, k: &str) -> String {
    form.get(k).cloned().unwrap_or_default()
}

/// A report form's post, read: `Err` is the answer already made (a refusal
/// of the gate, or the form again when its token expired, 403).
async fn read_form<I: Serialize>(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
    kind: ReportKind,
    input: impl FnOnce(&HashMap<String, String>) -> I,
) -> Result<Result<(I, Option<Once>), HttpResponse>, AppError> {
    let (form, expired) = match gate(state, req, payload).await? {
        Gate::Answered(resp) => return Ok(Err(resp)),
        Gate::Open(form) => (form, false),
        Gate::Expired(form) => (form, true),
    };
    let input = input(&form);
    if expired {
        let extra = FormState {
            form_error: Some(tr("report-form-expired")),
            ..Default::default()
        };
        return render(state, req, StatusCode::FORBIDDEN, kind, &input, extra).map(Err);
    }
    let once = Once::form(req);
    Ok(Ok((input, once)))
}

/// The receipt, as the complaint form's shows it.
#[derive(Serialize)]
struct Receipt {
    kind: &'static str,
    tracking_no: String,
    access_code: String,
    submitted_on: chrono::NaiveDate,
    subject_name: Option<String>,
    subject_license_no: Option<String>,
    accept_by: chrono::NaiveDate,
    /// The same form was sent before: this is its receipt again.
    sent_again: bool,
}

/// Files a checked report and answers the receipt.
async fn file_and_receipt(
    state: &AppState,
    subject: Option<(SubjectKind, LicenseNo, String)>,
    valid: ValidReport,
    once: Option<Once>,
    addr: std::net::IpAddr,
) -> Result<HttpResponse, AppError> {
    let today = state.clock.today();
    let kind = valid.kind;
    let (subject_name, subject) = match subject {
        Some((k, license, name)) => (Some(name), Some((k, license))),
        None => (None, None),
    };
    let subject_license_no = subject.as_ref().map(|(_, license)| license.to_string());
    // The filing allowance is spent on a filing only.
    if let Err(refused) = state.complaints.submit_limit.check(&state.pool, addr).await {
        return Ok(no_store(refused.html()));
    }
    let filed = crate::web::complaints::file(state, Checked::Report(subject, valid), once)
        .await
        .map_err(AppError::html)?;
    let submitted_on = filed
        .filed_before
        .map_or(today, crate::db::complaints::china_date);
    let receipt = Receipt {
        kind: kind.key(),
        tracking_no: filed.tracking_no.to_string(),
        access_code: filed.access_code,
        submitted_on,
        subject_name,
        subject_license_no,
        accept_by: submitted_on
            + chrono::TimeDelta::days(state.complaints.deadlines.accept_days.into()),
        sent_again: filed.filed_before.is_some(),
    };
    let mut ctx = base_context(state);
    ctx.insert(
        "title",
        &tr_with("report-receipt-title", &[("kind", &kind.label_here())]),
    );
    ctx.insert("receipt", &receipt);
    Ok(page(
        StatusCode::OK,
        templates::render("complaint_receipt.html", &ctx)?,
    ))
}

async fn file_correction(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let kind = ReportKind::Correction;
    let (input, once) = match read_form(&state, &req, payload, kind, |form| CorrectionInput {
        subject_license_no: field(form, "subject_license_no"),
        description: field(form, "description"),
        contact_name: field(form, "contact_name"),
        contact_phone: field(form, "contact_phone"),
    })
    .await?
    {
        Ok(read) => read,
        Err(answered) => return Ok(answered),
    };
    let valid = report::validate_correction(&input).map_err(|p| crate::i18n::say_fields(&p));
    let mut extra = FormState::default();
    if let Err(errors) = &valid {
        extra.errors = errors.clone();
    }
    let raw = input.subject_license_no.trim().to_owned();
    let subject = if raw.is_empty() {
        extra
            .errors
            .insert("subject_license_no", tr("report-subject-missing"));
        None
    } else if raw.chars().count() > complaint::limits::SUBJECT {
        extra.errors.insert(
            "subject_license_no",
            tr_with(
                "complaint-subject-too-long",
                &[("n", &complaint::limits::SUBJECT)],
            ),
        );
        None
    } else {
        let found = match LicenseNo::parse(&raw) {
            Ok(license) => state
                .db(move |c| subject_of(c, &license))
                .await
                .map_err(AppError::html)?,
            Err(_) => None,
        };
        if found.is_none() {
            extra
                .errors
                .insert("subject_license_no", tr("report-subject-unknown"));
        }
        found
    };
    if let Some((_, _, name)) = &subject {
        extra.subject_name = Some(name.clone());
    }
    let (Ok(valid), Some(subject)) = (valid, subject) else {
        return render(
            &state,
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            kind,
            &input,
            extra,
        );
    };
    file_and_receipt(&state, Some(subject), valid, once, state.client_addr(&req)).await
}

async fn file_unlicensed(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let kind = ReportKind::Unlicensed;
    let (input, once) = match read_form(&state, &req, payload, kind, |form| UnlicensedInput {
        place: field(form, "place"),
        name_used: field(form, "name_used"),
        description: field(form, "description"),
        occurred_on: field(form, "occurred_on"),
        contact_name: field(form, "contact_name"),
        contact_phone: field(form, "contact_phone"),
    })
    .await?
    {
        Ok(read) => read,
        Err(answered) => return Ok(answered),
    };
    match report::validate_unlicensed(&input, state.clock.today())
        .map_err(|p| crate::i18n::say_fields(&p))
    {
        Ok(valid) => file_and_receipt(&state, None, valid, once, state.client_addr(&req)).await,
        Err(errors) => {
            let extra = FormState {
                errors,
                ..Default::default()
            };
            render(
                &state,
                &req,
                StatusCode::UNPROCESSABLE_ENTITY,
                kind,
                &input,
                extra,
            )
        }
    }
}
