//! The stylesheet and the little JavaScript there is, compiled in.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};

const SITE_CSS: &str = include_str!("../../static/site.css");
const NEAR_ME_JS: &str = include_str!("../../static/near-me.js");

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/site.css", web::get().to(site_css));
    cfg.route("/static/near-me.js", web::get().to(near_me_js));
}

async fn site_css() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "public, max-age=3600"))
        .body(SITE_CSS)
}

async fn near_me_js() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "public, max-age=3600"))
        .body(NEAR_ME_JS)
}
