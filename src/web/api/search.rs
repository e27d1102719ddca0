//! `GET /api/v1/search`: the same parameters and answers as `/search`.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::json;
use crate::search::SearchResults;
use crate::web::AppState;
use crate::web::errors::{AppError, ErrorBody};
use crate::web::search_params::SearchParams;

/// One page of search hits with facet counts.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Answer {
    #[serde(flatten)]
    results: SearchResults,
    /// Page number, from 1.
    page: usize,
    /// Hits per page.
    per_page: usize,
    /// The engine was unreachable: a simpler database answer.
    degraded: bool,
    /// When the text is the name of a revoked or deregistered worker and
    /// of nobody who may practise: the warning to show first.
    #[serde(skip_serializing_if = "Option::is_none")]
    impersonation: Option<crate::web::impersonation::ImpersonationNotice>,
}

/// Offices and workers by name, pinyin, initials or license number, with
/// filters, distance from a point and facet counts.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "One page of hits", body = super::Envelope<Answer>),
        (status = 400, description = "A parameter out of range (`bad_request`, `details.parameter` names it)", body = ErrorBody),
        (status = 429, description = "Too many searches from this address (`rate_limited`); see `Retry-After`", body = ErrorBody),
        (status = 503, description = "The search engine and its database fallback both failed (`unavailable`)", body = ErrorBody),
    )
)]
pub(crate) async fn search(
    state: web::Data<AppState>,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let (query, page, per_page) = params.to_query()?;
    let (results, degraded) = state.search_timed(&query).await?;
    let impersonation =
        crate::web::pages::search::impersonation_notice(&state, &query.text).await?;
    Ok(json(
        &state,
        Answer {
            results,
            page,
            per_page,
            degraded,
            impersonation,
        },
    ))
}
