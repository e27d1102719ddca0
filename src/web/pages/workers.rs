//! `/workers/{license_no}`: a worker's profile.

use actix_web::{HttpResponse, web};

use super::{license_from_path, not_found_page, render_page};
use crate::db;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::views;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/workers/{license_no}", web::get().to(profile));
}

async fn profile(
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
    let title = format!("{} · 法律服务工作者", view.name);
    render_page(&state, "worker.html", &title, "worker", &view)
}
