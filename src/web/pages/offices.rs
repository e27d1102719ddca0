//! `/offices/{license_no}`: an office's profile.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{license_from_path, not_found_page};
use crate::db;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::lang::tr_with;
use crate::web::views;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/offices/{license_no}", web::get().to(profile));
}

async fn profile(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
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
                let Some(r) = db::profiles::office(c, &license)? else {
                    return Ok(None);
                };
                let view = views::office_view(&r, today, &windows)?;
                let history = crate::web::history::recent(
                    c,
                    crate::domain::vocab::SubjectKind::Office,
                    &view.license_no,
                    &view.name,
                    lang,
                )?;
                Ok(Some((view, history)))
            })
            .await
            .map_err(AppError::html)?
    };
    let Some((mut view, history)) = view else {
        return Err(not_found_page(&tr_with(
            "nf-office",
            &[("license_no", &license)],
        )));
    };
    view.credit.standing.localize();
    let title = tr_with("title-office", &[("name", &view.name)]);
    let mut ctx = super::base_context(&state);
    ctx.insert("title", &title);
    ctx.insert("json_ld", &crate::web::json_ld::office_json_ld(&view));
    ctx.insert("history", &history);
    ctx.insert(
        "feed_url",
        &format!("/offices/{}/feed.atom", view.license_no),
    );
    ctx.insert("office", &view);
    super::html("office.html", &ctx)
}
