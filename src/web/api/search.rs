//! `GET /api/v1/search`: the same parameters and answers as `/search`.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::json;
use crate::search::SearchResults;
use crate::web::AppState;
use crate::web::errors::{AppError, ErrorCode};
use crate::web::search_params::SearchParams;

#[derive(Serialize)]
struct Answer {
    #[serde(flatten)]
    results: SearchResults,
    page: usize,
    per_page: usize,
    /// The engine was unreachable: a simpler database answer.
    degraded: bool,
}

pub(super) async fn search(
    state: web::Data<AppState>,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let (query, page, per_page) = params.to_query()?;
    let (results, degraded) = state.search.search(&query).await.map_err(|e| {
        tracing::error!(error = %e, "search failed");
        AppError::new(ErrorCode::Unavailable).message("搜索暂时不可用，请稍后再试。")
    })?;
    Ok(json(
        &state,
        Answer {
            results,
            page,
            per_page,
            degraded,
        },
    ))
}
