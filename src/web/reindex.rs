//! `POST /admin/api/reindex`: rebuilds the search index from the database.

use std::time::Instant;

use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use super::auth::{TokenRefused, require};
use super::errors::{AppError, ErrorBody, ErrorCode};
use crate::db;
use crate::domain::vocab::TokenScope;

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/api/reindex", web::post().to(reindex));
}

/// What a reindex did.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Reindexed {
    /// `embedded` or `meilisearch`.
    backend: &'static str,
    /// Documents indexed.
    documents: u64,
    /// How long it took.
    seconds: f64,
}

/// Rebuilds the search index from the database. Audited.
#[utoipa::path(
    post,
    path = "/admin/api/reindex",
    tag = "admin",
    security(("token" = [])),
    responses(
        (status = 200, description = "Rebuilt", body = Reindexed),
        TokenRefused,
        (status = 409, description = "A rebuild is already running, on this portal or another on the database (`conflict`)", body = ErrorBody),
        (status = 503, description = "The search engine failed (`unavailable`)", body = ErrorBody),
    )
)]
pub(crate) async fn reindex(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let token = require(&req, &state, TokenScope::Admin).await?;
    let started = Instant::now();
    let documents = state.search.reindex().await.map_err(|e| match e {
        crate::search::SearchError::Rebuilding(since) => AppError::new(ErrorCode::Conflict)
            .message(super::lang::tr_with(
                "reindex-running",
                &[("since", &since.format("%Y-%m-%d %H:%M:%S").to_string())],
            )),
        e => {
            tracing::error!(error = %e, "reindex failed");
            AppError::new(ErrorCode::Unavailable).message(super::lang::tr("reindex-failed"))
        }
    })?;
    let backend = state.search.index().backend();
    let detail = serde_json::json!({"documents": documents, "backend": backend}).to_string();
    state
        .db(move |c| db::audit::record(c, &token.name, "search.reindex", "search", &detail))
        .await?;
    Ok(HttpResponse::Ok().json(Reindexed {
        backend,
        documents: documents as u64,
        seconds: started.elapsed().as_secs_f64(),
    }))
}
