//! A short-lived cache of rendered public answers (profiles, search,
//! districts, lists and their API twins), so a popular profile is rendered
//! once per change instead of once per visitor.
//!
//! An answer is served from the cache only while all of these hold:
//! - it is younger than the configured lifetime (`--page-cache-seconds`,
//!   default 10; 0 turns the cache off). This bounds how stale a page can be
//!   when *another* process changed the data (several portals on one
//!   PostgreSQL, or the `import` command beside a running portal);
//! - no write went through this process since: every successful write to
//!   the admin API (`POST /admin/api/…`: imports, complaint moves,
//!   reindexing) calls [`PageCache::invalidate`] here, in the middleware,
//!   so a new admin endpoint needs nothing of its own (public writes — a
//!   complaint filed — change no public page);
//! - the search indexer of this process has applied no outbox rows since
//!   (so search answers follow the index);
//! - "today" is still the day it was rendered on (standing changes at
//!   midnight).
//!
//! Only `GET` answers with status 200, no `Set-Cookie` and no `no-store`
//! are kept, keyed by language, the site address (`web::site`) and the
//! whole path with its query; the rate limits, security headers and
//! compression around it apply to every answer, cached or not. The memory
//! is bounded by
//! `--page-cache-mb` (default 16): when full, the cache is emptied and
//! refills with what is asked for next.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::HttpResponse;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CACHE_CONTROL, HeaderMap, SET_COOKIE};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use chrono::NaiveDate;

use super::AppState;
use super::lang;

/// Routes (the patterns the router matched, see [`super::route`]) whose
/// answers may be kept: public, the same for every visitor.
const CACHEABLE: &[&str] = &[
    "/workers/{license_no}",
    "/offices/{license_no}",
    "/workers/{license_no}/certificate",
    "/offices/{license_no}/certificate",
    "/search",
    "/districts",
    "/districts/{code}",
    "/disclosures",
    "/announcements",
    "/verify",
    "/api/v1/verify",
    "/api/v1/workers/{license_no}",
    "/api/v1/offices/{license_no}",
    "/api/v1/search",
    "/api/v1/districts",
];

/// Bodies larger than this are never kept.
const MAX_BODY: usize = 512 * 1024;

/// Kept answers and the counters that make them stale.
#[derive(Debug)]
pub struct PageCache {
    ttl: Duration,
    budget: usize,
    generation: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<String, Arc<Entry>>,
    bytes: usize,
}

#[derive(Debug)]
struct Entry {
    stamp: Stamp,
    stored: Instant,
    headers: HeaderMap,
    body: Bytes,
}

/// What an answer was rendered against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    generation: u64,
    drained: u64,
    today: NaiveDate,
}

impl PageCache {
    /// A cache keeping answers for `ttl` within `budget` bytes; a zero
    /// `ttl` or `budget` keeps nothing.
    pub fn new(ttl: Duration, budget: usize) -> Self {
        Self {
            ttl,
            budget,
            generation: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            inner: Mutex::default(),
        }
    }

    fn enabled(&self) -> bool {
        !self.ttl.is_zero() && self.budget > 0
    }

    /// Forgets every kept answer: call after a write.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::Relaxed);
    }

    /// How many times writes through this process invalidated the cache.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Relaxed)
    }

    /// Answers served from the cache, and answers rendered, since start.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// Bytes held now.
    pub fn bytes(&self) -> usize {
        self.inner.lock().map_or(0, |i| i.bytes)
    }

    fn stamp(&self, state: &AppState) -> Stamp {
        Stamp {
            generation: self.generation.load(Ordering::Relaxed),
            drained: state.search.changes(),
            today: state.clock.today(),
        }
    }

    fn get(&self, key: &str, stamp: Stamp) -> Option<Arc<Entry>> {
        let inner = self.inner.lock().ok()?;
        let entry = inner.entries.get(key)?;
        (entry.stamp == stamp && entry.stored.elapsed() < self.ttl).then(|| entry.clone())
    }

    fn put(&self, key: String, entry: Entry) {
        let entry = Arc::new(entry);
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let size = key.len() + entry.body.len() + 256;
        if inner.bytes + size > self.budget {
            inner.entries.clear();
            inner.bytes = 0;
        }
        if let Some(old) = inner.entries.insert(key.clone(), entry) {
            inner.bytes -= key.len() + old.body.len() + 256;
        }
        inner.bytes += size;
    }
}

/// A write through the admin API, which may change any public page. Read
/// from the route the router matched, so `/%61dmin/api/…` counts too.
fn admin_write(req: &ServiceRequest, route: Option<&str>) -> bool {
    !matches!(*req.method(), Method::GET | Method::HEAD)
        && route.is_some_and(|r| r.starts_with("/admin/api/"))
}

fn cacheable(req: &ServiceRequest, route: Option<&str>) -> bool {
    req.method() == Method::GET && route.is_some_and(|r| CACHEABLE.contains(&r))
}

/// Middleware: serves a fresh kept answer, or renders and keeps it.
pub async fn serve(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let route = super::route::pattern(req.request());
    if admin_write(&req, route.as_deref()) {
        let res = next.call(req).await?;
        if res.status().is_success() {
            state.pages.invalidate();
        }
        return Ok(res.map_into_boxed_body());
    }
    if !(state.pages.enabled() && cacheable(&req, route.as_deref())) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let cache = &state.pages;
    let (scheme, host) = super::site::from_request(req.request(), state.scrapers.trust_forwarded());
    let key = format!(
        "{}|{scheme}://{host}|{}?{}",
        lang::current().tag(),
        req.path(),
        req.query_string()
    );
    let stamp = cache.stamp(&state);
    if let Some(hit) = cache.get(&key, stamp) {
        cache.hits.fetch_add(1, Ordering::Relaxed);
        let mut res = HttpResponse::Ok();
        for (name, value) in &hit.headers {
            res.append_header((name.clone(), value.clone()));
        }
        let (req, _) = req.into_parts();
        return Ok(ServiceResponse::new(req, res.body(hit.body.clone())));
    }
    cache.misses.fetch_add(1, Ordering::Relaxed);
    let res = next.call(req).await?;
    let keep = res.status() == StatusCode::OK
        && !res.headers().contains_key(SET_COOKIE)
        && !res
            .headers()
            .get(CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store"))
        && matches!(res.response().body().size(), BodySize::Sized(n) if n as usize <= MAX_BODY);
    if !keep {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let body = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        // Sized and small, checked above.
        Err(body) => actix_web::body::to_bytes(body)
            .await
            .map_err(|_| actix_web::error::ErrorInternalServerError("body"))?,
    };
    cache.put(
        key,
        Entry {
            stamp,
            stored: Instant::now(),
            headers: head.headers().clone(),
            body: body.clone(),
        },
    );
    Ok(ServiceResponse::new(
        req,
        head.set_body(body).map_into_boxed_body(),
    ))
}
