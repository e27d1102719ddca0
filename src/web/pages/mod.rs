//! Public HTML pages. They work without JavaScript.

mod complaints;
mod districts;
mod history;
mod home;
mod lists;
mod offices;
mod reports;
pub(crate) mod search;
pub use history::PER_PAGE as HISTORY_PER_PAGE;
pub mod verify;
mod workers;

use actix_web::http::header::{CONTENT_TYPE, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};
use tera::Context;

use super::AppState;
use super::errors::{AppError, ErrorCode};
use crate::domain::LicenseNo;

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    home::configure(cfg);
    offices::configure(cfg);
    workers::configure(cfg);
    history::configure(cfg);
    districts::configure(cfg);
    verify::configure(cfg);
    lists::configure(cfg);
    complaints::configure(cfg);
    reports::configure(cfg);
    search::configure(cfg);
}

/// The context every page starts from: demo label and today's date.
fn base_context(state: &AppState) -> Context {
    let mut ctx = Context::new();
    ctx.insert("demo_scale", &state.demo_scale.as_deref());
    ctx.insert("today", &state.clock.today());
    ctx
}

/// A 200 with the page `template` renders from `ctx`.
fn html(template: &str, ctx: &Context) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(super::templates::render_bytes(template, ctx)?))
}

/// Parses a license number from a page path. A number typed in another
/// spelling (full-width, lower case, spaces) is redirected to the same
/// page at its canonical spelling: the rest of the path (`/history`,
/// `/certificate`) and the query (`?lang=en`, the case form's values) kept.
fn license_from_path(
    req: &HttpRequest,
    raw: &str,
) -> Result<Result<LicenseNo, HttpResponse>, AppError> {
    let license =
        LicenseNo::parse(raw).map_err(|_| AppError::new(ErrorCode::InvalidLicenseNo).html())?;
    if license.as_str() != raw {
        return Ok(Err(HttpResponse::PermanentRedirect()
            .insert_header((LOCATION, canonical_location(req, raw, license.as_str())))
            .finish()));
    }
    Ok(Ok(license))
}

/// `req`'s address with the path segment that reads `raw` replaced by
/// `license`, and its query kept.
fn canonical_location(req: &HttpRequest, raw: &str, license: &str) -> String {
    let mut replaced = false;
    let path: Vec<&str> = req
        .path()
        .split('/')
        .map(|segment| {
            let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
            if !replaced && decoded == raw {
                replaced = true;
                license
            } else {
                segment
            }
        })
        .collect();
    let mut location = path.join("/");
    if !replaced {
        // Not found as one segment (it cannot happen with the routes'
        // `{license_no}`): the profile itself.
        let kind = req.path().split('/').nth(1).unwrap_or("workers");
        location = format!("/{kind}/{license}");
    }
    if !req.query_string().is_empty() {
        location.push('?');
        location.push_str(req.query_string());
    }
    location
}

/// A 404 page naming what was not found.
fn not_found_page(what: &str) -> AppError {
    AppError::new(ErrorCode::NotFound).message(what).html()
}
