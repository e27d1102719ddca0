//! Operations endpoints: `/healthz` (alive), `/readyz` (dependencies
//! reachable, outbox backlog below its bound) and `/metrics` (Prometheus,
//! behind a bearer token of scope `metrics` or `admin`).

use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::AppState;
use super::errors::AppError;
use super::metrics::Gauge;
use crate::db;
use crate::domain::vocab::TokenScope;

/// Outbox rows above which the portal reports itself not ready: search would
/// be answering from a stale index.
pub const MAX_READY_BACKLOG: i64 = 10_000;

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(metrics));
}

/// Alive: answers without touching the database.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}

/// Ready: the database answers within two seconds and the outbox backlog is
/// below [`MAX_READY_BACKLOG`].
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let probe = state.db(|c| {
        db::ops::ping(c)?;
        db::ops::outbox_backlog(c)
    });
    let (database, backlog) =
        match actix_web::rt::time::timeout(Duration::from_secs(2), probe).await {
            Ok(Ok(backlog)) => ("ok", Some(backlog)),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "readiness: database check failed");
                ("unreachable", None)
            }
            Err(_) => ("timeout", None),
        };
    let backlog_ok = backlog.is_some_and(|b| b < MAX_READY_BACKLOG);
    let ready = database == "ok" && backlog_ok;
    // A search engine that is down degrades the portal (searches fall back
    // to the database) but does not make it unready: every portal shares
    // the engine, and a load balancer pulling them all would take
    // complaints and profiles down with search (docs/operations.md).
    let engine =
        actix_web::rt::time::timeout(Duration::from_secs(2), state.search.engine_reachable()).await;
    let search = match engine {
        Ok(true) => "ok",
        Ok(false) => "unreachable",
        Err(_) => "timeout",
    };
    // An indexer that keeps failing (or an index being rebuilt after it
    // was lost) leaves search stale or answered from the database: the
    // portal is degraded, as with an engine that is down.
    let health = state.search.health();
    let indexer = if health.failing() {
        "failing"
    } else if health.rebuilding {
        "rebuilding"
    } else {
        "ok"
    };
    let status = match (ready, search, indexer) {
        (false, _, _) => "not_ready",
        (true, "ok", "ok") => "ready",
        (true, _, _) => "degraded",
    };
    let body = json!({
        "status": status,
        "checks": {
            "database": database,
            "search": search,
            "search_backend": state.search.index().backend(),
            "indexer": indexer,
            "indexer_failures_in_a_row": health.failures_in_a_row,
            "outbox_backlog": backlog,
            "outbox_backlog_limit": MAX_READY_BACKLOG,
        }
    });
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Prometheus text format, for a bearer token of scope `metrics` (or
/// `admin`): the figures (route latencies, complaint and import counts,
/// backlog) are not for the public.
async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    super::auth::require(&req, &state, TokenScope::Metrics).await?;
    let figures = state.db(db::ops::figures).await?;
    let (hits, misses) = state.pages.counts();
    let indexer = state.search.health();
    let text = state.metrics.render(&[
        Gauge {
            name: "legal_portal_page_cache_answers",
            help: "Public answers since start, served from the page cache (hit) or rendered (miss).",
            series: vec![
                ("result=\"hit\"".to_owned(), hits as f64),
                ("result=\"miss\"".to_owned(), misses as f64),
            ],
        },
        Gauge::single(
            "legal_portal_page_cache_bytes",
            "Memory held by the page cache.",
            state.pages.bytes() as f64,
        ),
        Gauge::single(
            "legal_portal_indexer_failures_in_a_row",
            "Failed attempts of the search indexer since its last success (3 or more: failing).",
            indexer.failures_in_a_row as f64,
        ),
        Gauge::single(
            "legal_portal_indexer_failures",
            "Failed attempts of the search indexer since start.",
            indexer.failures_total as f64,
        ),
        Gauge::single(
            "legal_portal_indexer_rebuilding",
            "1 while the search index is rebuilt after it was found damaged or lost.",
            if indexer.rebuilding { 1.0 } else { 0.0 },
        ),
        Gauge::single(
            "legal_portal_outbox_backlog",
            "Changes waiting to reach the search index.",
            figures.outbox_backlog as f64,
        ),
        Gauge::by(
            "legal_portal_import_batches",
            "Import batches by status.",
            "status",
            &figures.imports,
        ),
        Gauge::by(
            "legal_portal_complaints",
            "Complaints by status.",
            "status",
            &figures.complaints,
        ),
    ]);
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
