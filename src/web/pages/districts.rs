//! `/districts`: every district's ratios against the plan's 2.3.

use actix_web::{HttpResponse, web};

use super::render_page;
use crate::db;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::views::DistrictView;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/districts", web::get().to(list));
}

async fn list(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let stats = state
        .db(db::districts::list)
        .await
        .map_err(AppError::html)?;
    let views: Vec<DistrictView> = stats.iter().map(DistrictView::from).collect();
    render_page(
        &state,
        "districts.html",
        "各区县律师与法律服务力量",
        "districts",
        &views,
    )
}
