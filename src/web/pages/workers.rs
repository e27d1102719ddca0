//! `/workers/{license_no}`: a worker's profile.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{license_from_path, not_found_page};
use crate::db;
use crate::web::AppState;
use crate::web::case_check::{CaseForm, CaseQuery, answer};
use crate::web::errors::AppError;
use crate::web::lang::tr_with;
use crate::web::views;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/workers/{license_no}", web::get().to(profile))
        .route("/workers/{license_no}/qr.svg", web::get().to(qr));
}

async fn profile(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<CaseQuery>,
) -> Result<HttpResponse, AppError> {
    let license = match license_from_path(&req, &path)? {
        Ok(l) => l,
        Err(redirect) => return Ok(redirect),
    };
    let today = state.clock.today();
    let windows = state.windows;
    // The profile and its recent history in one trip to the database.
    let view = {
        let (license, lang) = (license.clone(), crate::i18n::current());
        state
            .db(move |c| {
                let Some(r) = db::profiles::worker(c, &license)? else {
                    return Ok(None);
                };
                let borders = r.district.as_ref().is_some_and(|d| d.borders_sichuan);
                let view = views::worker_view(&r, today, &windows)?;
                let history = crate::web::history::recent(
                    c,
                    crate::domain::vocab::SubjectKind::Worker,
                    &view.license_no,
                    &view.name,
                    lang,
                )?;
                Ok(Some((view, borders, history)))
            })
            .await
            .map_err(AppError::html)?
    };
    let Some((mut view, borders_sichuan, history)) = view else {
        return Err(not_found_page(&tr_with(
            "nf-worker",
            &[("license_no", &license)],
        )));
    };
    view.credit.standing.localize();
    let mut ctx = super::base_context(&state);
    ctx.insert("title", &tr_with("title-worker", &[("name", &view.name)]));
    let standing = view.credit.standing.source.0;
    ctx.insert(
        "case_form",
        &CaseForm::new(&query, |q| answer(standing, borders_sichuan, q))?,
    );
    ctx.insert("borders_sichuan", &borders_sichuan);
    ctx.insert("json_ld", &crate::web::json_ld::worker_json_ld(&view));
    ctx.insert("history", &history);
    ctx.insert(
        "feed_url",
        &format!("/workers/{}/feed.atom", view.license_no),
    );
    ctx.insert("worker", &view);
    super::html("worker.html", &ctx)
}

/// The profile's QR code, pointing to `/verify` for this worker: an image
/// of its own, which browsers keep for a day, rather than drawn into every
/// profile (choosing a code's mask was 30 % of a profile at the nation's
/// scale, where the kept codes cannot hold every worker; issue 15).
async fn qr(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let license = match crate::domain::LicenseNo::parse(&raw) {
        Ok(l) if l.as_str() == raw => l,
        _ => {
            return Err(not_found_page(&tr_with(
                "nf-worker",
                &[("license_no", &raw.chars().take(32).collect::<String>())],
            )));
        }
    };
    let kind = {
        let license = license.clone();
        state
            .db(move |c| db::profiles::kind_of(c, &license))
            .await
            .map_err(AppError::html)?
    };
    if kind != Some(crate::domain::vocab::SubjectKind::Worker) {
        return Err(not_found_page(&tr_with(
            "nf-worker",
            &[("license_no", &license)],
        )));
    }
    let verify_url = format!(
        "{}/verify?license_no={license}",
        super::verify::base_url(&req, &state),
    );
    let Some(svg) = super::verify::qr_svg(&verify_url) else {
        return Err(not_found_page(&tr_with(
            "nf-worker",
            &[("license_no", &license)],
        )));
    };
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CONTENT_TYPE,
            "image/svg+xml; charset=utf-8",
        ))
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "public, max-age=86400",
        ))
        .body(svg))
}
