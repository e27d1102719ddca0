//! `/complaints/new` (file a complaint) and `/complaints/status` (follow
//! it). Plain forms: no JavaScript needed; errors beside each field; what
//! was typed is kept on an error. Every answer is `no-store`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, SET_COOKIE};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use tera::Context;

use super::base_context;
use crate::db;
use crate::db::complaints::SubjectMatch;
use crate::db::complaints::china_date;
use crate::domain::LicenseNo;
use crate::domain::complaint::{self, ComplaintInput, TrackingNo, limits, normalise_access_code};
use crate::domain::vocab::SubjectKind;
use crate::i18n::{FieldErrors, Label};
use crate::web::AppState;
use crate::web::complaints::{Checked, Once, categories, no_store, read_body, status_view};
use crate::web::csrf::{CsrfRefusal, FIELD_NAME};
use crate::web::errors::{AppError, ErrorCode};
use crate::web::lang::{self, Lang, tr, tr_in, tr_in_with, tr_with};
use crate::web::templates;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/complaints/new")
            .route(web::get().to(new_form))
            .route(web::post().to(submit)),
    )
    .service(
        web::resource("/complaints/status")
            .route(web::get().to(status_form))
            .route(web::post().to(status)),
    );
}

#[derive(Deserialize)]
struct NewQuery {
    subject: Option<String>,
}

pub(super) fn page(status: StatusCode, body: String) -> HttpResponse {
    no_store(
        HttpResponse::build(status)
            .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
            .body(body),
    )
}

/// What the form shows besides the values.
#[derive(Default)]
struct FormState {
    errors: FieldErrors,
    form_error: Option<String>,
    matches: Vec<SubjectMatch>,
    subject_name: Option<String>,
}

fn render_form(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    input: &ComplaintInput,
    extra: FormState,
) -> Result<HttpResponse, AppError> {
    let issued = state.complaints.csrf.issue(req);
    let mut ctx = base_context(state);
    ctx.insert("title", &tr("title-complaint"));
    ctx.insert("form", input);
    ctx.insert("errors", &extra.errors);
    ctx.insert("form_error", &extra.form_error);
    ctx.insert("matches", &extra.matches);
    ctx.insert("subject_name", &extra.subject_name);
    ctx.insert("categories", &categories());
    ctx.insert("csrf_token", &issued.token);
    ctx.insert(
        "limits",
        &serde_json::json!({
            "subject": limits::SUBJECT, "description_min": limits::DESCRIPTION_MIN,
            "description_max": limits::DESCRIPTION_MAX,
            "desired_outcome_max": limits::DESIRED_OUTCOME_MAX,
            "name_max": limits::NAME_MAX, "phone_max": limits::PHONE_MAX,
        }),
    );
    let mut resp = page(status, templates::render("complaint_new.html", &ctx)?);
    if let Some(cookie) = issued.set_cookie {
        resp.headers_mut().append(SET_COOKIE, cookie);
    }
    Ok(resp)
}

async fn new_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let (prefill, subject_name) = prefilled_subject(&state, query.subject.as_deref()).await?;
    let input = ComplaintInput {
        subject_license_no: prefill,
        ..Default::default()
    };
    let extra = FormState {
        subject_name,
        ..Default::default()
    };
    render_form(&state, &req, StatusCode::OK, &input, extra)
}

/// A form opened from a profile (`?subject=`): the license number, cut to
/// the field's length, and the name of what it names, if anything.
pub(super) async fn prefilled_subject(
    state: &AppState,
    subject: Option<&str>,
) -> Result<(String, Option<String>), AppError> {
    let prefill: String = subject
        .map(|s| s.chars().take(limits::SUBJECT).collect())
        .unwrap_or_default();
    let name = match LicenseNo::parse(&prefill) {
        Ok(license) => state
            .db(move |c| subject_of(c, &license))
            .await
            .map_err(AppError::html)?
            .map(|(_, _, name)| name),
        Err(_) => None,
    };
    Ok((prefill, name))
}

pub(super) fn subject_of(
    c: &mut db::DbConnection,
    license: &LicenseNo,
) -> Result<Option<(SubjectKind, LicenseNo, String)>, db::DbError> {
    let Some(kind) = db::profiles::kind_of(c, license)? else {
        return Ok(None);
    };
    Ok(db::complaints::subject_name(c, kind, license.as_str())?
        .map(|name| (kind, license.clone(), name)))
}

/// How the subject field resolved.
enum Subject {
    Found(SubjectKind, LicenseNo, String),
    Choose(Vec<SubjectMatch>),
    Missing(String),
}

/// A license number that exists, or else the offices and workers whose
/// names match what was typed.
/// Runs in a database closure, so it is told the page's language.
fn resolve_subject(
    c: &mut db::DbConnection,
    raw: &str,
    lang: Lang,
) -> Result<Subject, db::DbError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Subject::Missing(tr_in(
            lang,
            "complaint-subject-missing",
            None,
        )));
    }
    if raw.chars().count() > limits::SUBJECT {
        return Ok(Subject::Missing(tr_in_with(
            lang,
            "complaint-subject-too-long",
            &[("n", &limits::SUBJECT)],
        )));
    }
    if let Ok(license) = LicenseNo::parse(raw) {
        if let Some((kind, license, name)) = subject_of(c, &license)? {
            return Ok(Subject::Found(kind, license, name));
        }
        if raw
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch.is_whitespace())
        {
            return Ok(Subject::Missing(tr_in_with(
                lang,
                "complaint-subject-no-license",
                &[("license_no", &license)],
            )));
        }
    }
    let matches = db::complaints::find_subjects_by_name(c, raw, 10)?;
    Ok(if matches.is_empty() {
        Subject::Missing(tr_in(lang, "complaint-subject-no-match", None))
    } else {
        Subject::Choose(matches)
    })
}

pub(super) fn parse_form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn input_from(form: &HashMap<String, String>) -> ComplaintInput {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let subject = form
        .get("subject_choice")
        .filter(|s| !s.trim().is_empty())
        .cloned()
        .unwrap_or_else(|| get("subject_license_no"));
    ComplaintInput {
        subject_license_no: subject,
        category: get("category"),
        description: get("description"),
        occurred_on: get("occurred_on"),
        desired_outcome: get("desired_outcome"),
        complainant_name: get("complainant_name"),
        complainant_phone: get("complainant_phone"),
        withhold_identity: matches!(
            form.get("withhold_identity").map(String::as_str),
            Some("true" | "on" | "1" | "yes")
        ),
    }
}

#[derive(Serialize)]
struct Receipt {
    kind: &'static str,
    tracking_no: String,
    access_code: String,
    submitted_on: chrono::NaiveDate,
    subject_name: String,
    subject_license_no: String,
    category: &'static str,
    category_label: &'static str,
    accept_by: chrono::NaiveDate,
    /// The same form was sent before: this is its receipt again.
    sent_again: bool,
}

async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let addr = state.client_addr(&req);
    if let Err(refused) = state
        .complaints
        .attempt_limit
        .check(&state.pool, addr)
        .await
    {
        return Ok(no_store(refused.html()));
    }
    let body = read_body(payload, 64 * 1024)
        .await
        .map_err(AppError::html)?;
    let form = parse_form(&body);
    let input = input_from(&form);
    match state
        .complaints
        .csrf
        .verify(&req, form.get(FIELD_NAME).map(String::as_str))
    {
        Ok(()) => {}
        Err(CsrfRefusal::CrossSite) => {
            return Err(AppError::new(ErrorCode::Forbidden)
                .message(tr("form-cross-site"))
                .html());
        }
        Err(CsrfRefusal::BadToken) => {
            let extra = FormState {
                form_error: Some(tr("form-expired")),
                ..Default::default()
            };
            return render_form(&state, &req, StatusCode::FORBIDDEN, &input, extra);
        }
    }
    let today = state.clock.today();
    let valid = complaint::validate(&input, today).map_err(|p| crate::i18n::say_fields(&p));
    let raw_subject = input.subject_license_no.clone();
    let lang = lang::current();
    let subject = state
        .db(move |c| resolve_subject(c, &raw_subject, lang))
        .await
        .map_err(AppError::html)?;
    let mut extra = FormState::default();
    if let Err(errors) = &valid {
        extra.errors = errors.clone();
    }
    let found = match subject {
        Subject::Found(kind, license, name) => {
            extra.subject_name = Some(name.clone());
            Some((kind, license, name))
        }
        Subject::Choose(matches) => {
            extra
                .errors
                .insert("subject_license_no", tr("complaint-subject-choose"));
            extra.matches = matches;
            None
        }
        Subject::Missing(message) => {
            extra.errors.insert("subject_license_no", message);
            None
        }
    };
    let (Ok(valid), Some((kind, license, name))) = (valid, found) else {
        return render_form(
            &state,
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            &input,
            extra,
        );
    };
    // The filing allowance is spent on a filing only: a form sent back
    // with mistakes cost none, and a refused one keeps what was typed.
    if let Err(refused) = state.complaints.submit_limit.check(&state.pool, addr).await {
        let extra = FormState {
            form_error: Some(tr_with(
                "rate-limited-wait",
                &[("seconds", &refused.retry_after)],
            )),
            subject_name: Some(name),
            ..Default::default()
        };
        let form = render_form(&state, &req, StatusCode::TOO_MANY_REQUESTS, &input, extra)?;
        return Ok(refused.with_header(form));
    }
    let category = valid.category.key();
    let category_label = valid.category.label();
    let subject_license_no = license.to_string();
    let once = Once::form(&req);
    let filed =
        crate::web::complaints::file(&state, Checked::Complaint(kind, license, valid), once)
            .await
            .map_err(AppError::html)?;
    let submitted_on = filed.filed_before.map_or(today, china_date);
    let receipt = Receipt {
        kind: crate::domain::report::ReportKind::Complaint.key(),
        tracking_no: filed.tracking_no.to_string(),
        access_code: filed.access_code,
        submitted_on,
        sent_again: filed.filed_before.is_some(),
        subject_name: name,
        subject_license_no,
        category,
        category_label,
        accept_by: submitted_on
            + chrono::TimeDelta::days(state.complaints.deadlines.accept_days.into()),
    };
    let mut ctx = base_context(&state);
    ctx.insert("title", &tr("complaint-receipt-title"));
    ctx.insert("receipt", &receipt);
    Ok(page(
        StatusCode::OK,
        templates::render("complaint_receipt.html", &ctx)?,
    ))
}

fn status_page(
    state: &AppState,
    status: StatusCode,
    ctx_fill: impl FnOnce(&mut Context),
) -> Result<HttpResponse, AppError> {
    let mut ctx = base_context(state);
    ctx.insert("title", &tr("complaint-status-title"));
    ctx.insert(
        "form",
        &serde_json::json!({"tracking_no": "", "access_code": ""}),
    );
    ctx.insert("errors", &FieldErrors::new());
    ctx.insert("form_error", &None::<String>);
    ctx_fill(&mut ctx);
    Ok(page(
        status,
        templates::render("complaint_status.html", &ctx)?,
    ))
}

async fn status_form(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    status_page(&state, StatusCode::OK, |_| {})
}

async fn status(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let addr = state.client_addr(&req);
    if let Err(refused) = state.complaints.lookup_limit.check(&state.pool, addr).await {
        return Ok(no_store(refused.html()));
    }
    let body = read_body(payload, 4 * 1024).await.map_err(AppError::html)?;
    if crate::web::csrf::check_origin(&req).is_err() {
        return Err(AppError::new(ErrorCode::Forbidden)
            .message(tr("form-cross-site"))
            .html());
    }
    let form = parse_form(&body);
    let typed_no = form.get("tracking_no").cloned().unwrap_or_default();
    let typed_code = form.get("access_code").cloned().unwrap_or_default();
    let kept = serde_json::json!({"tracking_no": typed_no, "access_code": typed_code});
    let mut errors = FieldErrors::new();
    let tracking = TrackingNo::parse(&typed_no);
    if let Err(e) = &tracking {
        errors.insert("tracking_no", crate::i18n::say(&e.message()));
    }
    if normalise_access_code(&typed_code).is_none() {
        errors.insert("access_code", tr("complaint-access-code-format"));
    }
    let Ok(tracking) = tracking else {
        return status_page(&state, StatusCode::BAD_REQUEST, |ctx| {
            ctx.insert("form", &kept);
            ctx.insert("errors", &errors);
        });
    };
    if !errors.is_empty() {
        return status_page(&state, StatusCode::BAD_REQUEST, |ctx| {
            ctx.insert("form", &kept);
            ctx.insert("errors", &errors);
        });
    }
    let (today, deadlines) = (state.clock.today(), state.complaints.deadlines);
    let view = state
        .db(move |c| {
            let Some(record) = db::complaints::find(c, &tracking)? else {
                return Ok(None);
            };
            if !record.access_code_matches(&typed_code) {
                return Ok(None);
            }
            let kind = SubjectKind::parse(&record.complaint.subject_kind);
            let name = match kind {
                Some(k) => {
                    db::complaints::subject_name(c, k, &record.complaint.subject_license_no)?
                }
                None => None,
            };
            status_view(&record, name, &deadlines, today).map(Some)
        })
        .await
        .map_err(AppError::html)?;
    match view {
        Some(view) => status_page(&state, StatusCode::OK, |ctx| ctx.insert("status", &view)),
        None => status_page(&state, StatusCode::NOT_FOUND, |ctx| {
            ctx.insert("form", &kept);
            ctx.insert("form_error", &Some(tr("complaint-no-match")));
        }),
    }
}
