//! `/admin/imports…`: upload a file, see its dry run (counts, every row
//! error, the plan-rule warnings, what changes), and apply exactly the file
//! previewed; the history of batches and each report; a template
//! spreadsheet per dataset. Roles `city` and `district` (a district
//! account's rows about another district are row errors, and it sees only
//! its own batches).
//!
//! The previewed file is kept in the database under its SHA-256 for 30
//! minutes (`db::users::keep_upload`), so "apply" runs on the bytes that
//! were checked, whichever portal process answers.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{ConsoleError, ConsoleResult, check_form, context, district_of, signed_in};
use crate::db;
use crate::db::users::{Session, Upload};
use crate::domain::vocab::Role;
use crate::import::report::{BatchStatus, Report};
use crate::import::{Dataset, Format};
use crate::web::AppState;
use crate::web::admin::import::Run;
use crate::web::admin::import::run_import;
use crate::web::errors::{AppError, ErrorCode};
use crate::web::lang::{tr, tr_with};
use crate::web::templates;

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/imports", web::get().to(history))
        .route("/admin/imports/new", web::get().to(new_form))
        .route("/admin/imports/preview", web::post().to(preview))
        .service(
            web::resource("/admin/imports/apply")
                .app_data(super::form_config())
                .route(web::post().to(apply)),
        )
        .route(
            "/admin/imports/templates/{file}",
            web::get().to(template_file),
        )
        .route("/admin/imports/{id}", web::get().to(report_page));
}

const ROLES: &[Role] = &[Role::City, Role::District];
const PER_PAGE: i64 = 50;

fn datasets() -> Vec<serde_json::Value> {
    Dataset::ALL
        .iter()
        .map(|d| {
            serde_json::json!({
                "key": d.key(),
                "label": tr(&format!("dataset-{}", d.key())),
            })
        })
        .collect()
}

fn form_page(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    dataset: &str,
    error: Option<String>,
) -> ConsoleResult {
    let mut ctx = context(state, session, &tr("console-import-new-title"));
    ctx.insert("datasets", &datasets());
    ctx.insert("dataset", dataset);
    ctx.insert("error", &error);
    ctx.insert("limit_mb", &(state.import_limit / (1024 * 1024)));
    Ok(super::page(
        status,
        templates::render("admin/import_new.html", &ctx)?,
    ))
}

#[derive(Deserialize)]
struct NewQuery {
    dataset: Option<String>,
}

async fn new_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<NewQuery>,
) -> ConsoleResult {
    let session = signed_in(&req, &state, ROLES).await?;
    let dataset = query
        .dataset
        .as_deref()
        .and_then(Dataset::parse)
        .map_or("", |d| d.key());
    form_page(&state, &session, StatusCode::OK, dataset, None)
}

/// The parts of the upload form.
#[derive(Default)]
struct UploadForm {
    csrf_token: String,
    dataset: String,
    file_name: String,
    content_type: String,
    body: Vec<u8>,
}

/// Why the upload form could not be read.
enum FormRefused {
    TooLarge,
    Unreadable,
}

/// Reads the multipart form: small text fields, and the file up to
/// `limit` bytes (refused as soon as it passes).
async fn read_form(mut parts: Multipart, limit: usize) -> Result<UploadForm, FormRefused> {
    const FIELD_MAX: usize = 4 * 1024;
    let mut form = UploadForm::default();
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|_| FormRefused::Unreadable)?;
        let name = part.name().unwrap_or_default().to_owned();
        let file_name = part
            .content_disposition()
            .and_then(|cd| cd.get_filename().map(str::to_owned));
        let content_type = part.content_type().map(|m| m.to_string());
        let mut bytes = Vec::new();
        let max = if name == "file" { limit } else { FIELD_MAX };
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| FormRefused::Unreadable)?;
            if bytes.len() + chunk.len() > max {
                return Err(if name == "file" {
                    FormRefused::TooLarge
                } else {
                    FormRefused::Unreadable
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&bytes).trim().to_owned();
        match name.as_str() {
            "csrf_token" => form.csrf_token = text(),
            "dataset" => form.dataset = text(),
            "file" => {
                form.file_name = file_name.unwrap_or_default();
                form.content_type = content_type.unwrap_or_default();
                form.body = bytes;
            }
            _ => {}
        }
    }
    Ok(form)
}

/// The format of an uploaded file: by its name's extension, else by the
/// browser's content type.
fn format_of(file_name: &str, content_type: &str) -> Option<Format> {
    Format::from_extension(std::path::Path::new(file_name))
        .or_else(|| Format::from_content_type(content_type))
}

/// The format as kept with an upload: its name, and a CSV's declared
/// charset, so that "apply" decodes the file as the preview did.
fn stored_format(format: &Format) -> String {
    match format {
        Format::Csv {
            charset: Some(charset),
        } => format!("csv;charset={charset}"),
        other => other.name().to_owned(),
    }
}

fn format_by_name(name: &str) -> Option<Format> {
    if let Some(charset) = name.strip_prefix("csv;charset=") {
        return Some(Format::Csv {
            charset: Some(charset.to_owned()),
        });
    }
    match name {
        "csv" => Some(Format::Csv { charset: None }),
        "xlsx" => Some(Format::Xlsx),
        "json" => Some(Format::Json),
        "ndjson" => Some(Format::Ndjson),
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Shows a report: the preview of a dry run (with "apply" when it passed),
/// or a stored batch.
fn report_view(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    report: &Report,
    upload: Option<(&str, &str)>,
    previewing: bool,
    notice: Option<String>,
) -> ConsoleResult {
    let title = match (report.status, upload) {
        (_, Some(_)) | (BatchStatus::DryRun, _) => tr("console-import-preview-title"),
        (BatchStatus::Rejected, None) if previewing => tr("console-import-preview-title"),
        _ => tr_with(
            "console-import-report-title",
            &[("id", &report.id.unwrap_or_default())],
        ),
    };
    let mut ctx = context(state, session, &title);
    // Changed fields by their headers in the upload's language.
    let labels: std::collections::HashMap<&str, &str> = Dataset::parse(&report.dataset)
        .map(|d| {
            crate::import::columns::columns(d)
                .iter()
                .map(|c| {
                    let label = match crate::web::lang::current() {
                        crate::web::lang::Lang::Zh => c.headers.first().copied().unwrap_or(c.key),
                        crate::web::lang::Lang::En => c.key,
                    };
                    (c.key, label)
                })
                .collect()
        })
        .unwrap_or_default();
    ctx.insert("field_labels", &labels);
    ctx.insert("report", report);
    ctx.insert("dataset_label", &tr(&format!("dataset-{}", report.dataset)));
    ctx.insert(
        "problem_count",
        &(report.problems.len() + report.problems_omitted),
    );
    ctx.insert(
        "upload",
        &upload.map(|(hash, name)| {
            serde_json::json!({"hash": hash, "name": name, "seen": report.preview_mark()})
        }),
    );
    ctx.insert("notice", &notice);
    Ok(super::page(
        status,
        templates::render("admin/import_report.html", &ctx)?,
    ))
}

async fn preview(state: web::Data<AppState>, req: HttpRequest, parts: Multipart) -> ConsoleResult {
    let session = signed_in(&req, &state, ROLES).await?;
    let form = match read_form(parts, state.import_limit).await {
        Ok(f) => f,
        Err(FormRefused::TooLarge) => {
            return form_page(
                &state,
                &session,
                StatusCode::PAYLOAD_TOO_LARGE,
                "",
                Some(tr_with(
                    "import-too-large-body",
                    &[("mb", &(state.import_limit / (1024 * 1024)))],
                )),
            );
        }
        Err(FormRefused::Unreadable) => {
            return form_page(
                &state,
                &session,
                StatusCode::BAD_REQUEST,
                "",
                Some(tr("import-body-unreadable")),
            );
        }
    };
    check_form(&req, &session, &form.csrf_token)?;
    let Some(dataset) = Dataset::parse(&form.dataset) else {
        return form_page(
            &state,
            &session,
            StatusCode::BAD_REQUEST,
            "",
            Some(tr("console-import-choose-dataset")),
        );
    };
    if form.body.is_empty() {
        return form_page(
            &state,
            &session,
            StatusCode::BAD_REQUEST,
            dataset.key(),
            Some(tr("console-import-choose-file")),
        );
    }
    let Some(format) = format_of(&form.file_name, &form.content_type) else {
        return form_page(
            &state,
            &session,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            dataset.key(),
            Some(tr("console-import-unknown-format")),
        );
    };
    let hash = hex(&Sha256::digest(&form.body));
    let upload = Upload {
        hash: hash.clone(),
        dataset: dataset.key().to_owned(),
        format: stored_format(&format),
        file_name: form.file_name.chars().take(200).collect(),
        body: Vec::new(),
    };
    // The dry run and the copy kept share the bytes (no second copy of a
    // 50 MB file); what is kept is what was checked.
    let body = actix_web::web::Bytes::from(form.body);
    let report = match run_import(
        &state,
        dataset,
        format,
        body.clone(),
        Run::Check,
        session.user.name.clone(),
        district_of(&session),
    )
    .await
    {
        Ok(r) => r,
        Err(e) if e.code == ErrorCode::Internal || e.code == ErrorCode::Unavailable => {
            return Err(e.into());
        }
        Err(e) => {
            let status = e.code.status();
            return form_page(&state, &session, status, dataset.key(), Some(e.message));
        }
    };
    if report.status != BatchStatus::DryRun {
        return report_view(
            &state,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            &report,
            None,
            true,
            None,
        );
    }
    let user_id = session.user.id;
    let now = chrono::Utc::now().naive_utc();
    let kept = upload.clone();
    state
        .db(move |c| db::users::keep_upload(c, user_id, &kept, &body, now))
        .await
        .map_err(AppError::html)?;
    report_view(
        &state,
        &session,
        StatusCode::OK,
        &report,
        Some((&upload.hash, &upload.file_name)),
        true,
        None,
    )
}

#[derive(Deserialize)]
struct ApplyForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    hash: String,
    /// The preview's [`Report::preview_mark`].
    #[serde(default)]
    seen: String,
}

async fn apply(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<ApplyForm>,
) -> ConsoleResult {
    let session = signed_in(&req, &state, ROLES).await?;
    check_form(&req, &session, &form.csrf_token)?;
    let hash: String = form.hash.trim().chars().take(64).collect();
    let user_id = session.user.id;
    let now = chrono::Utc::now().naive_utc();
    let found = state
        .db(move |c| db::users::take_upload(c, user_id, &hash, now))
        .await
        .map_err(AppError::html)?;
    let Some(upload) = found else {
        return form_page(
            &state,
            &session,
            StatusCode::GONE,
            "",
            Some(tr("console-import-expired")),
        );
    };
    let (Some(dataset), Some(format)) = (
        Dataset::parse(&upload.dataset),
        format_by_name(&upload.format),
    ) else {
        return Err(AppError::internal("stored upload of unknown dataset or format").into());
    };
    // The kept bytes are checked again against their name: what is applied
    // is exactly what was previewed.
    if hex(&Sha256::digest(&upload.body)) != upload.hash {
        return Err(AppError::internal("stored upload does not match its hash").into());
    }
    // Written only if it still changes what the preview showed (the form
    // carries the preview's mark); an older form without one applies as is.
    let seen: String = form.seen.trim().chars().take(64).collect();
    let run = if seen.is_empty() {
        Run::Write
    } else {
        Run::WriteAsPreviewed(seen)
    };
    let body = actix_web::web::Bytes::from(upload.body);
    let report = run_import(
        &state,
        dataset,
        format,
        body.clone(),
        run,
        session.user.name.clone(),
        district_of(&session),
    )
    .await
    .map_err(ConsoleError::from)?;
    if report.status == BatchStatus::DryRun {
        // Another import changed these records since the preview: the same
        // file is kept again and previewed against the records as they are
        // now, for the clerk to check and apply.
        let kept = Upload {
            body: Vec::new(),
            ..upload
        };
        let (stored, now) = (kept.clone(), chrono::Utc::now().naive_utc());
        state
            .db(move |c| db::users::keep_upload(c, user_id, &stored, &body, now))
            .await
            .map_err(AppError::html)?;
        return report_view(
            &state,
            &session,
            StatusCode::CONFLICT,
            &report,
            Some((&kept.hash, &kept.file_name)),
            true,
            Some(tr("console-import-moved")),
        );
    }
    if report.status != BatchStatus::Applied {
        return report_view(
            &state,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            &report,
            None,
            false,
            None,
        );
    }
    // The public pages kept by the page cache show the old records.
    state.pages.invalidate();
    state.search.wake();
    Ok(super::see_other(&format!(
        "/admin/imports/{}",
        report.id.unwrap_or_default()
    )))
}

#[derive(Deserialize)]
struct HistoryQuery {
    page: Option<i64>,
    /// `1`: list the dry runs (previews) too.
    previews: Option<String>,
}

async fn history(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<HistoryQuery>,
) -> ConsoleResult {
    let session = signed_in(&req, &state, ROLES).await?;
    let page = query.page.unwrap_or(1).clamp(1, 100_000);
    let previews = matches!(query.previews.as_deref(), Some("1" | "true"));
    let district = district_of(&session);
    let (total, batches) = state
        .db(move |c| {
            db::imports::recent_batches(
                c,
                district.as_deref(),
                previews,
                (page - 1) * PER_PAGE,
                PER_PAGE,
            )
        })
        .await
        .map_err(AppError::html)?;
    let mut ctx = context(&state, &session, &tr("console-imports-title"));
    ctx.insert("batches", &super::with_time(batches, |b| b.started_at));
    ctx.insert("total", &total);
    ctx.insert("page", &page);
    ctx.insert("pages", &((total + PER_PAGE - 1) / PER_PAGE).max(1));
    ctx.insert("previews", &previews);
    super::render("admin/imports.html", &ctx)
}

async fn report_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> ConsoleResult {
    let session = signed_in(&req, &state, ROLES).await?;
    let not_found = || ConsoleError::page(ErrorCode::NotFound, "console-import-not-found");
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let district = district_of(&session);
    let actor = session.user.name.clone();
    let stored = state
        .db(move |c| {
            if let Some(d) = &district
                && db::imports::batch_district(c, id)?.flatten().as_deref() != Some(d.as_str())
            {
                return Ok(None);
            }
            let stored = db::imports::batch_report(c, id)?;
            if stored.is_some() {
                db::audit::record(c, &actor, "read_import", &id.to_string(), "")?;
            }
            Ok(stored)
        })
        .await
        .map_err(AppError::html)?
        .ok_or_else(not_found)?;
    let mut report: Report = serde_json::from_str(&stored).map_err(AppError::internal)?;
    report.id = Some(id);
    report_view(&state, &session, StatusCode::OK, &report, None, false, None)
}

async fn template_file(
    state: web::Data<AppState>,
    req: HttpRequest,
    file: web::Path<String>,
) -> ConsoleResult {
    let _session = signed_in(&req, &state, ROLES).await?;
    let dataset = file
        .strip_suffix(".xlsx")
        .and_then(Dataset::parse)
        .ok_or_else(|| ConsoleError::page(ErrorCode::NotFound, "console-import-choose-dataset"))?;
    let bytes = crate::import::template::xlsx(dataset).map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, crate::import::parse::XLSX_MEDIA_TYPE))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}-template.xlsx\"", dataset.key()),
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(bytes))
}
