//! Operations endpoints: `/healthz` (alive), `/readyz` (database
//! reachable, the oldest due search-outbox row younger than its bound) and `/metrics` (Prometheus,
//! behind a bearer token of scope `metrics` or `admin`).

use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::AppState;
use super::errors::AppError;
use super::metrics::Gauge;
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
    let now = crate::search::outbox::now();
    let probe = state.db(move |c| {
        db::ops::ping(c)?;
        db::ops::outbox_lag(c, now)
    });
    let (database, lag) = match actix_web::rt::time::timeout(Duration::from_secs(2), probe).await {
        Ok(Ok(lag)) => ("ok", Some(lag)),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database check failed");
            ("unreachable", None)
        }
        Err(_) => ("timeout", None),
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
    let health = state.search.health();
    let indexer = if health.failing() {
        "failing"
    } else if health.rebuilding {
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
            "legal_portal_indexer_draining",
            "1 while this process drains the search outbox (one process on a shared PostgreSQL does; the others take over when it stops).",
            if indexer.draining { 1.0 } else { 0.0 },
        ),
        Gauge::single(
            "legal_portal_indexer_rows_drained",
            "Search outbox rows this process has drained since it started.",
            indexer.rows_drained as f64,
        ),
        Gauge::single(
            "legal_portal_outbox_backlog",
            "Search outbox rows due now and not yet in the search index.",
            figures.outbox.due as f64,
        ),
        Gauge::single(
            "legal_portal_outbox_oldest_due_age_seconds",
            "Seconds since the oldest due search outbox row fell due (0: none due); /readyz is 503 above its bound.",
            figures.outbox.oldest_due_age_seconds as f64,
        ),
        Gauge::single(
            "legal_portal_outbox_scheduled",
            "Search outbox rows scheduled for a later standing change, not yet due.",
            figures.outbox_scheduled as f64,
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
