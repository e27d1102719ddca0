//! `/workers/{license_no}`: a worker's profile.

use actix_web::{HttpResponse, web};

use super::{license_from_path, not_found_page};
use crate::db;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::views;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/workers/{license_no}", web::get().to(profile));
}

async fn profile(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let license = match license_from_path(&path, "/workers")? {
        Ok(l) => l,
        Err(redirect) => return Ok(redirect),
    };
    let today = state.clock.today();
    let windows = state.windows;
    let view = {
        let license = license.clone();
        state
            .db(move |c| {
                db::profiles::worker(c, &license)?
                    .map(|r| views::worker_view(&r, today, &windows))
                    .transpose()
            })
            .await
            .map_err(AppError::html)?
    };
    let Some(view) = view else {
        return Err(not_found_page(&format!(
            "没有执业证号为 {license} 的法律服务工作者。"
        )));
    };
    let mut ctx = super::base_context(&state);
    ctx.insert("title", &format!("{} · 法律服务工作者", view.name));
    let verify_url = format!(
        "{}/verify?license_no={}",
        super::verify::base_url(&req, &state),
        view.license_no
    );
    ctx.insert("qr_svg", &super::verify::qr_svg(&verify_url));
    ctx.insert("worker", &view);
    super::html(crate::web::templates::render("worker.html", &ctx)?)
}
