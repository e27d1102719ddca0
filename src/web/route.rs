//! The route a request reaches, as the router sees it.
//!
//! Middleware that runs before routing (rate limits, the page cache, request
//! metrics) must not look at the raw path: `/api/v1/%73earch` reaches the
//! same handler as `/api/v1/search`, because the router matches the
//! percent-decoded path. [`pattern`] asks the router's own resource map,
//! with the path decoded the way the router decodes it, which pattern the
//! request matches (e.g. `/certificates/{code}`).

use actix_web::{HttpMessage, HttpRequest};

/// The pattern of the resource the router sends `req` to (`/search`,
/// `/api/v1/certificates/{code}`…), or `None` when no resource matches
/// (the 404 page).
pub fn pattern(req: &HttpRequest) -> Option<String> {
    // Three middlewares ask, and each match runs the resource map's
    // patterns over the path (≈ 1 % of a request each, `perf`): the first
    // answer is kept with the request.
    if let Some(MatchedRoute(route)) = req.extensions().get::<MatchedRoute>() {
        return route.clone();
    }
    let route = req.resource_map().match_pattern(req.match_info().as_str());
    req.extensions_mut().insert(MatchedRoute(route.clone()));
    route
}

/// The pattern [`pattern`] found for a request, kept in its extensions.
#[derive(Clone)]
struct MatchedRoute(Option<String>);

/// The path as the router reads it: percent-escapes decoded except `%2F`,
/// `%25` and `%2B`, which would change the path's structure.
pub fn decoded_path(req: &HttpRequest) -> &str {
    req.match_info().as_str()
}
