//! `POST /admin/api/import/{dataset}?dry_run=` and `GET
//! /admin/api/imports/{id}`.

use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::db;
use crate::domain::vocab::TokenScope;
use crate::import::report::{BatchStatus, Report};
use crate::import::{self, Dataset, Format, ImportError, Limit, Options, ParseError, Silent};
use crate::web::AppState;
use crate::web::auth::{TokenRefused, require};
use crate::web::errors::{AppError, ErrorBody, ErrorCode};
use crate::web::lang::{tr, tr_with};

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/api/import/{dataset}", web::post().to(post_import))
        .route("/admin/api/imports/{id}", web::get().to(get_report));
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ImportQuery {
    /// Check everything and report, but write nothing.
    #[serde(default)]
    dry_run: bool,
}

/// Imports one dataset, all or nothing: CSV (UTF-8 or GBK), XLSX, JSON or
/// NDJSON, chosen by `Content-Type`. Row problems reject the whole batch
/// (422, with the report in `details`); plan-rule breaches are warnings.
#[utoipa::path(
    post,
    path = "/admin/api/import/{dataset}",
    tag = "admin",
    security(("token" = [])),
    params(
        ("dataset" = String, Path, description = "`districts`, `offices`, `workers`, `transfers`, `reviews`, `disciplinary-actions`, `commendations` or `announcements` (see docs/import.md)"),
        ImportQuery,
    ),
    request_body(description = "The file", content(
        (String = "text/csv"),
        (String = "application/json"),
        (String = "application/x-ndjson"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )),
    responses(
        (status = 200, description = "Imported (or checked, with `dry_run`)", body = Report),
        (status = 400, description = "The file cannot be read as its declared format (`bad_request`)", body = ErrorBody),
        TokenRefused,
        (status = 404, description = "No such dataset (`not_found`)", body = ErrorBody),
        (status = 413, description = "Over the upload limit, or expanding beyond the limits of decompressed bytes, rows or columns (`payload_too_large`; `details.limit` says which)", body = ErrorBody),
        (status = 415, description = "A content type or charset not accepted (`unsupported_media_type`)", body = ErrorBody),
        (status = 422, description = "Rejected: row problems, nothing written (`import_rejected`; the report in `details`)", body = ErrorBody),
    )
)]
pub(crate) async fn post_import(
    req: HttpRequest,
    state: web::Data<AppState>,
    dataset: web::Path<String>,
    query: web::Query<ImportQuery>,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let token = require(&req, &state, TokenScope::Import).await?;
    let dataset = Dataset::parse(&dataset).ok_or_else(unknown_dataset)?;
    let format = declared_format(&req)?;
    let bytes = read_limited(&req, body, state.import_limit).await?;
    let report = run_import(
        &state,
        dataset,
        format,
        bytes,
        if query.dry_run {
            Run::Check
        } else {
            Run::Write
        },
        token.name,
        token.district,
    )
    .await?;
    respond(report)
}

/// What an import does with a batch that passes its checks.
pub(crate) enum Run {
    /// Report it and roll back (a dry run, a preview).
    Check,
    /// Write it.
    Write,
    /// Write it if it changes exactly what the preview of this
    /// [`Report::preview_mark`] showed; else report it as a new preview.
    WriteAsPreviewed(String),
}

/// Runs one import as the API and the console both do: the same checks,
/// the same transaction, the same stored report and audit entry.
pub(crate) async fn run_import(
    state: &AppState,
    dataset: Dataset,
    format: Format,
    bytes: impl AsRef<[u8]> + Send + 'static,
    run: Run,
    actor: String,
    district: Option<String>,
) -> Result<Report, AppError> {
    let (dry_run, as_previewed) = match run {
        Run::Check => (true, None),
        Run::Write => (false, None),
        Run::WriteAsPreviewed(mark) => (false, Some(mark)),
    };
    let opts = Options {
        as_previewed,
        dry_run,
        actor,
        today: state.clock.today(),
        rules: state.rules,
        abort_after_rows: None,
        limits: state.import_limits,
        district,
    };
    let outcome = state
        .db(move |c| Ok(import::run(c, dataset, &format, bytes, &opts, &Silent)))
        .await?;
    let report = outcome.map_err(import_error)?;
    tracing::info!(
        dataset = dataset.key(),
        batch = report.id,
        status = report.status.key(),
        rows = report.rows,
        "import"
    );
    Ok(report)
}

fn respond(report: Report) -> Result<HttpResponse, AppError> {
    if report.status == BatchStatus::Rejected {
        let shown = report.problems.len();
        let n = shown + report.problems_omitted;
        let message = if report.problems_omitted > 0 {
            tr_with(
                "import-rejected-summary-capped",
                &[("n", &n), ("shown", &shown)],
            )
        } else {
            tr_with("import-rejected-summary", &[("n", &n)])
        };
        let details = serde_json::to_value(&report).map_err(AppError::internal)?;
        return Err(AppError::new(ErrorCode::ImportRejected)
            .message(message)
            .details(details));
    }
    Ok(HttpResponse::Ok().json(report))
}

fn unknown_dataset() -> AppError {
    let known: Vec<&str> = Dataset::ALL.iter().map(|d| d.key()).collect();
    AppError::new(ErrorCode::NotFound)
        .message(tr_with(
            "api-unknown-dataset",
            &[("known", &known.join(", "))],
        ))
        .details(serde_json::json!({ "datasets": known }))
}

/// The format the `Content-Type` names; 415 for any other.
fn declared_format(req: &HttpRequest) -> Result<Format, AppError> {
    let ct = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Format::from_content_type(ct).ok_or_else(|| {
        AppError::new(ErrorCode::UnsupportedMediaType)
            .message(tr("api-import-content-type"))
            .details(serde_json::json!({ "content_type": ct }))
    })
}

fn too_large(limit: usize) -> AppError {
    AppError::new(ErrorCode::PayloadTooLarge)
        .message(tr_with(
            "import-too-large-body",
            &[("mb", &(limit / (1024 * 1024)))],
        ))
        // The shape of the other limits' answers (`max`); `limit_bytes`
        // kept for clients that read it.
        .details(serde_json::json!({ "limit": "body_bytes", "max": limit, "limit_bytes": limit }))
}

/// Reads the body, refusing with 413 as soon as the declared length or the
/// bytes received pass `limit`.
async fn read_limited(
    req: &HttpRequest,
    body: web::Payload,
    limit: usize,
) -> Result<web::Bytes, AppError> {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    // The outer error is the limit (a chunked body has no length to check
    // first); the inner one a body that broke off or is badly encoded. Its
    // cause is for the log, not for the answer.
    match body.to_bytes_limited(limit).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Err(_) => Err(too_large(limit)),
        Ok(Err(e)) => {
            tracing::info!(cause = %e, "import body unreadable");
            Err(AppError::new(ErrorCode::BadRequest)
                .message(crate::web::lang::tr("import-body-unreadable"))
                .details(serde_json::json!({ "cause": "body_unreadable" })))
        }
    }
}

pub(crate) fn import_error(e: ImportError) -> AppError {
    match e {
        ImportError::Parse(ParseError::TooLarge { limit, max, found }) => {
            let message = match (limit, found) {
                (Limit::ExpandedBytes, _) => tr_with(
                    "import-too-large-expanded",
                    &[("mb", &(max / (1024 * 1024)))],
                ),
                (Limit::Rows, _) => tr_with("import-too-large-rows", &[("max", &max)]),
                (Limit::Columns, Some(found)) => tr_with(
                    "import-too-large-columns",
                    &[("found", &found), ("max", &max)],
                ),
                (Limit::Columns, None) => {
                    tr_with("import-too-large-columns-unknown", &[("max", &max)])
                }
            };
            AppError::new(ErrorCode::PayloadTooLarge)
                .message(message)
                .details(serde_json::json!({ "limit": limit.key(), "max": max, "found": found }))
        }
        ImportError::Parse(p @ ParseError::Charset(_)) => {
            AppError::new(ErrorCode::UnsupportedMediaType).message(p.say(crate::i18n::current()))
        }
        ImportError::Parse(p) => {
            let details = match &p {
                ParseError::Mismatch { declared, .. } => {
                    serde_json::json!({ "declared": declared })
                }
                _ => serde_json::Value::Null,
            };
            AppError::new(ErrorCode::BadRequest)
                .message(p.say(crate::i18n::current()))
                .details(details)
        }
        ImportError::Db(e) => AppError::from(e),
    }
}

/// The report of an earlier import batch.
#[utoipa::path(
    get,
    path = "/admin/api/imports/{id}",
    tag = "admin",
    security(("token" = [])),
    params(("id" = i64, Path, description = "The batch id from the import's report")),
    responses(
        (status = 200, description = "The report", body = Report),
        TokenRefused,
        (status = 404, description = "No such batch (`not_found`)", body = ErrorBody),
    )
)]
pub(crate) async fn get_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = require(&req, &state, TokenScope::Import).await?;
    let id: i64 = id.parse().map_err(|_| AppError::new(ErrorCode::NotFound))?;
    let stored = state
        .db(move |c| {
            db::audit::record(c, &token.name, "read_import", &id.to_string(), "")?;
            // A token limited to a district reads only that district's batches.
            if let Some(d) = &token.district
                && db::imports::batch_district(c, id)?.flatten().as_deref() != Some(d.as_str())
            {
                return Ok(None);
            }
            db::imports::batch_report(c, id)
        })
        .await?
        .ok_or_else(|| {
            AppError::new(ErrorCode::NotFound).message(tr("console-import-not-found"))
        })?;
    let mut report: Report = serde_json::from_str(&stored).map_err(AppError::internal)?;
    report.id = Some(id);
    Ok(HttpResponse::Ok().json(report))
}
