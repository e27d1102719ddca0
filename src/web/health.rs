//! Operations endpoints: `/healthz` (alive), `/readyz` (database
//! reachable, the oldest due search-outbox row younger than its bound) and `/metrics` (Prometheus,
//! behind a bearer token of scope `metrics` or `admin`).

use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::AppState;
use super::errors::AppError;
use super::metrics::Scrape;
use crate::db;
use crate::domain::vocab::TokenScope;
use crate::web::lang::{tr, tr_with};

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

/// Ready: the database answers within two seconds and the oldest due
/// outbox row has waited no longer than `--readiness-max-lag-seconds`.
///
/// Only due rows count: rows scheduled for a later standing change (a
/// disclosure window closing, a review deadline passing) wait by design,
/// and at the nation's scale there are tens of thousands of them. There is
/// no bound on the number of due rows: a large import puts many rows due
/// at once and they drain in seconds; what a load balancer cares about is
/// how stale search is, which the age says directly.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let now = crate::db::outbox::now();
    let probe = state.db(move |c| {
        db::ops::ping(c)?;
        Ok((db::outbox::lag(c, now)?, db::meta::fleet_indexer(c, now)?))
    });
    let (database, lag, fleet) =
        match actix_web::rt::time::timeout(Duration::from_secs(2), probe).await {
            Ok(Ok((lag, fleet))) => ("ok", Some(lag), fleet),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "readiness: database check failed");
                ("unreachable", None, (false, false))
            }
            Err(_) => ("timeout", None, (false, false)),
        };
    let max_lag = i64::try_from(state.readiness_max_lag.as_secs()).unwrap_or(i64::MAX);
    let lagging = lag.is_some_and(|l| l.oldest_due_age_seconds > max_lag);
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
    // This process's indexer, or the fleet's as the database records it
    // (the process draining may be another portal: its failures and a
    // rebuild running anywhere are every portal's).
    let health = state.search.health();
    let (fleet_rebuilding, fleet_failing) = fleet;
    let indexer = if health.failing() || fleet_failing {
        "failing"
    } else if health.rebuilding || fleet_rebuilding {
        "rebuilding"
    } else {
        "ok"
    };
    // A lag behind a search engine that is down or an indexer that keeps
    // failing is the shared engine's fault, the same for every portal:
    // degraded (200), as above, not a 503 that pulls every portal at once.
    // A lag while the engine and indexer say they are fine means this
    // deployment's outbox is not being drained: 503.
    let engine_trouble = search != "ok" || indexer != "ok";
    let reason = if database != "ok" {
        Some(tr("readiness-database"))
    } else if lagging {
        lag.map(|l| {
            tr_with(
                "readiness-search-lag",
                &[
                    ("seconds", &l.oldest_due_age_seconds),
                    ("limit", &max_lag),
                    ("rows", &l.due),
                ],
            )
        })
    } else {
        None
    };
    let ready = database == "ok" && (!lagging || engine_trouble);
    let status = match (ready, search, indexer) {
        (false, _, _) => "not_ready",
        (true, "ok", "ok") => "ready",
        (true, _, _) => "degraded",
    };
    let body = json!({
        "status": status,
        "reason": reason,
        "checks": {
            "database": database,
            "search": search,
            "search_backend": state.search.index().backend(),
            "indexer": indexer,
            "indexer_failures_in_a_row": health.failures_in_a_row,
            "outbox_backlog": lag.map(|l| l.due),
            "outbox_oldest_due_age_seconds": lag.map(|l| l.oldest_due_age_seconds),
            "outbox_max_lag_seconds": max_lag,
        }
    });
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// OpenMetrics text format (Prometheus reads it), for a bearer token of scope `metrics` (or
/// `admin`): the figures (route latencies, complaint and import counts,
/// backlog) are not for the public.
async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    super::auth::require(&req, &state, TokenScope::Metrics).await?;
    let figures = state.db(db::ops::figures).await?;
    let (hits, misses) = state.pages.counts();
    let indexer = state.search.health();
    let text = state.metrics.render(&Scrape {
        page_cache_hits: hits,
        page_cache_misses: misses,
        page_cache_bytes: state.pages.bytes(),
        indexer_failures_in_a_row: indexer.failures_in_a_row,
        indexer_failures: indexer.failures_total,
        indexer_rebuilding: indexer.rebuilding,
        indexer_draining: indexer.draining,
        indexer_rows_drained: indexer.rows_drained,
        outbox_backlog: figures.outbox.due,
        outbox_oldest_due_age_seconds: figures.outbox.oldest_due_age_seconds,
        outbox_scheduled: figures.outbox_scheduled,
        imports: figures.imports,
        complaints: figures.complaints,
    });
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(text))
}
