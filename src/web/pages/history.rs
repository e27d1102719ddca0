//! `/workers/{no}/history` and `/offices/{no}/history`: every public change
//! an import made to the record, in plain words, 50 a page.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{base_context, license_from_path, not_found_page};
use crate::domain::vocab::SubjectKind;
use crate::web::AppState;
use crate::web::errors::{AppError, ErrorCode};
use crate::web::lang::{tr, tr_with};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/workers/{license_no}/history", web::get().to(worker))
        .route("/offices/{license_no}/history", web::get().to(office));
}

/// Changes a page.
pub const PER_PAGE: i64 = 50;

#[derive(Deserialize)]
struct PageQuery {
    page: Option<i64>,
}

async fn worker(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    page(&req, &state, SubjectKind::Worker, &path, query.page).await
}

async fn office(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    page(&req, &state, SubjectKind::Office, &path, query.page).await
}

async fn page(
    req: &HttpRequest,
    state: &AppState,
    kind: SubjectKind,
    raw: &str,
    page: Option<i64>,
) -> Result<HttpResponse, AppError> {
    let prefix = match kind {
        SubjectKind::Office => "/offices",
        SubjectKind::Worker => "/workers",
    };
    let license = match license_from_path(req, raw)? {
        Ok(l) => l,
        Err(redirect) => return Ok(redirect),
    };
    let page = page.unwrap_or(1).clamp(1, 100_000);
    let lang = crate::i18n::current();
    let no = license.as_str().to_owned();
    let view = state
        .db(move |c| crate::web::history::view(c, kind, &no, lang, (page - 1) * PER_PAGE, PER_PAGE))
        .await
        .map_err(AppError::html)?;
    let Some(view) = view else {
        let id = match kind {
            SubjectKind::Office => "nf-office",
            SubjectKind::Worker => "nf-worker",
        };
        return Err(not_found_page(&tr_with(id, &[("license_no", &license)])));
    };
    let pages = ((view.total + PER_PAGE - 1) / PER_PAGE).max(1);
    if page > pages {
        // A page past the last is not "no changes yet".
        return Err(AppError::new(ErrorCode::NotFound).html());
    }
    let mut ctx = base_context(state);
    ctx.insert("title", &tr_with("history-title", &[("name", &view.name)]));
    ctx.insert("profile_url", &format!("{prefix}/{}", view.license_no));
    ctx.insert("pages", &pages);
    ctx.insert("page", &page);
    ctx.insert("none_yet", &tr("history-empty"));
    ctx.insert("history", &view);
    super::html("history.html", &ctx)
}
