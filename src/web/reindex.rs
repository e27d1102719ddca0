//! `POST /admin/api/reindex`: rebuilds the search index from the database.

use std::time::Instant;

use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use super::auth::require;
use super::errors::{AppError, ErrorCode};
use crate::db;
use crate::domain::vocab::TokenScope;

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/api/reindex", web::post().to(reindex));
}

async fn reindex(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let token = require(&req, &state, TokenScope::Admin).await?;
    let started = Instant::now();
    let documents = state.search.reindex().await.map_err(|e| {
        tracing::error!(error = %e, "reindex failed");
        AppError::new(ErrorCode::Unavailable).message("重建搜索索引失败，请稍后再试。")
    })?;
    let backend = state.search.index().backend();
    let detail = serde_json::json!({"documents": documents, "backend": backend}).to_string();
    state
        .db(move |c| db::audit::record(c, &token.name, "search.reindex", "search", &detail))
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "backend": backend,
        "documents": documents,
        "seconds": started.elapsed().as_secs_f64(),
    })))
}
