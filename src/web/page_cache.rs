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
//! Only `GET` answers with status 200, no `Set-Cookie`, no `no-store` and
//! a textual type (`gzip::compressible`) are kept, keyed by language, the
//! site address (`web::site`) and the whole path with its query; the rate
//! limits and security headers around it apply to every answer, cached or
//! not.
//!
//! Answers are kept gzip-compressed, compressed once when rendered
//! ([`super::gzip`]): every browser and crawler takes gzip, so a kept
//! answer goes to them as it is, instead of being compressed again on every
//! visit by the compression layer outside this one (which leaves an answer
//! that already names its encoding alone); a client that does not take gzip
//! gets it inflated. A kept answer takes a quarter to two fifths of its
//! rendered size (a profile 6.7 → 2.6 KB, the search page 15 → 3.6 KB).
//!
//! The memory is bounded by `--page-cache-mb` (default 8; 16 before
//! answers were kept gzipped, when it held fewer of them), counting
//! compressed bytes: when a new answer does not fit, the least recently
//! served answers are forgotten until it does (stale answers are forgotten
//! as soon as they are found stale).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, HeaderName, HeaderValue, SET_COOKIE, VARY,
};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDate;

use super::AppState;
use super::gzip;
use super::lang;
use super::lru::Lru;

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

/// The kept answers, least recently served first out.
#[derive(Debug)]
struct Inner {
    entries: Lru<Arc<Entry>>,
}

#[derive(Debug)]
struct Entry {
    stamp: Stamp,
    stored: Instant,
    /// The answer's own headers (the type, mostly), as a list: a copy of
    /// the response's `HeaderMap` took ≈ 2.9 KB of its hash table per
    /// kept answer, more than the gzipped profile it went with (heaptrack,
    /// issue 15).
    headers: Box<[(HeaderName, HeaderValue)]>,
    /// The answer's body, gzip-compressed.
    gzip: Bytes,
    /// The body's length before.
    len: usize,
}

impl Entry {
    /// What an answer counts against the budget besides its key: body,
    /// headers (the list, and each name's and value's bytes as if on the
    /// heap) and bookkeeping.
    fn size(&self) -> usize {
        let headers: usize = self
            .headers
            .iter()
            .map(|(n, v)| size_of::<(HeaderName, HeaderValue)>() + n.as_str().len() + v.len())
            .sum();
        self.gzip.len() + headers + 160
    }
}

/// A kept answer with `body`: as kept with `Content-Encoding: gzip` when
/// `gzipped`, plain otherwise; `Vary: Accept-Encoding` either way.
fn answer(req: HttpRequest, entry: &Entry, body: Bytes, gzipped: bool) -> ServiceResponse<BoxBody> {
    let mut res = HttpResponse::Ok();
    for (name, value) in &entry.headers {
        res.append_header((name.clone(), value.clone()));
    }
    res.append_header((VARY, HeaderValue::from_static("Accept-Encoding")));
    if gzipped {
        res.insert_header((CONTENT_ENCODING, HeaderValue::from_static("gzip")));
    }
    ServiceResponse::new(req, res.body(body))
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
            inner: Mutex::new(Inner {
                entries: Lru::new(budget),
            }),
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
        self.inner.lock().map_or(0, |i| i.entries.bytes())
    }

    fn stamp(&self, state: &AppState) -> Stamp {
        Stamp {
            generation: self.generation.load(Ordering::Relaxed),
            drained: state.search.changes(),
            today: state.clock.today(),
        }
    }

    fn get(&self, key: &str, stamp: Stamp) -> Option<Arc<Entry>> {
        let mut inner = self.inner.lock().ok()?;
        let entry = inner.entries.peek(key)?.clone();
        if entry.stamp != stamp || entry.stored.elapsed() >= self.ttl {
            inner.entries.remove(key);
            return None;
        }
        inner.entries.get(key);
        Some(entry)
    }

    fn forget(&self, key: &str) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.entries.remove(key);
        }
    }

    fn put(&self, key: &str, entry: Arc<Entry>) {
        let size = entry.size();
        if let Ok(mut inner) = self.inner.lock() {
            inner.entries.insert(key, entry, size);
        }
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
        let gzipped = gzip::takes_gzip(req.request());
        let body = if gzipped {
            Some(hit.gzip.clone())
        } else {
            gzip::gunzip(&hit.gzip, hit.len)
        };
        if let Some(body) = body {
            cache.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(answer(req.into_parts().0, &hit, body, gzipped));
        }
        // Kept, but not to be read back: forget it and render afresh.
        cache.forget(&key);
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
        && gzip::compressible(res.headers().get(CONTENT_TYPE))
        && matches!(res.response().body().size(), BodySize::Sized(n) if n as usize <= MAX_BODY);
    if !keep {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    // Sized and small, checked above.
    let body = gzip::whole(body).await?;
    let Some(gzipped) = gzip::gzip(&body) else {
        return Ok(ServiceResponse::new(
            req,
            head.set_body(body).map_into_boxed_body(),
        ));
    };
    let entry = Arc::new(Entry {
        stamp,
        stored: Instant::now(),
        headers: head
            .headers()
            .iter()
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect(),
        gzip: gzipped,
        len: body.len(),
    });
    cache.put(&key, entry.clone());
    let gzipped = gzip::takes_gzip(&req);
    let body = if gzipped { entry.gzip.clone() } else { body };
    Ok(answer(req, &entry, body, gzipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAMP: Stamp = Stamp {
        generation: 0,
        drained: 0,
        today: NaiveDate::MIN,
    };

    fn entry(body: usize) -> Arc<Entry> {
        Arc::new(Entry {
            stamp: STAMP,
            stored: Instant::now(),
            headers: Box::new([]),
            gzip: Bytes::from(vec![b'x'; body]),
            len: body,
        })
    }

    #[test]
    fn a_full_cache_forgets_the_least_recently_served_answers_only() {
        // Room for three answers of 1,000 bytes under one-letter keys.
        let each = entry(1_000).size() + 1 + 96;
        let cache = PageCache::new(Duration::from_secs(60), 3 * each + 100);
        for key in ["a", "b", "c"] {
            cache.put(key, entry(1_000));
        }
        assert!(cache.get("a", STAMP).is_some()); // a is now the newest
        cache.put("d", entry(1_000));
        let kept: Vec<bool> = ["a", "b", "c", "d"]
            .iter()
            .map(|k| cache.get(k, STAMP).is_some())
            .collect();
        assert_eq!(kept, [true, false, true, true]);
        assert_eq!(cache.bytes(), 3 * each);
    }

    #[test]
    fn a_stale_answer_is_forgotten_when_found() {
        let cache = PageCache::new(Duration::from_secs(60), 1 << 20);
        cache.put("a", entry(100));
        let later = Stamp {
            generation: 1,
            ..STAMP
        };
        assert!(cache.get("a", later).is_none());
        assert_eq!(cache.bytes(), 0);
        assert!(cache.get("a", STAMP).is_none());
    }
}
