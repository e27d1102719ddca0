//! Per-address rate limits. Search and verify: a token bucket per IP
//! address in this process ([`RateLimiter`], [`limit_scrapers`]).
//! Complaint filing and status look-ups: the same allowance counted in the
//! database ([`SharedLimiter`]), so it holds across portal processes.
//! Refusals are answered 429 with `Retry-After` in whole seconds.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use governor::clock::{Clock, DefaultClock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter as GovernorLimiter};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::errors::{AppError, ErrorCode};
pub use crate::config::{Rate, ScraperRates};
use crate::db::{self, Pool, rate_limits::Decision};

/// Per-address limits in this process: `governor`'s keyed GCRA limiter
/// (a token bucket of `rate.max` requests refilled evenly over
/// `rate.per`). Its memory stays bounded under a flood of addresses: past
/// [`MAX_ADDRESSES`] kept, the addresses whose allowance is full again are
/// dropped (they are indistinguishable from new ones).
pub struct RateLimiter<C: Clock + Clone = DefaultClock> {
    limiter: Option<Keyed<C>>,
    rate: Rate,
    clock: C,
    /// Addresses kept when the next sweep runs: [`MAX_ADDRESSES`], or twice
    /// what the last sweep kept, so a flood of active addresses costs one
    /// sweep per doubling rather than one per request.
    sweep_at: AtomicUsize,
    /// When the last sweep ran: past [`MAX_ADDRESSES`], one runs at least
    /// once per `rate.per`, when every allowance untouched since has
    /// filled again.
    swept: Mutex<C::Instant>,
}

type Keyed<C> = GovernorLimiter<
    IpAddr,
    DefaultKeyedStateStore<IpAddr>,
    C,
    NoOpMiddleware<<C as Clock>::Instant>,
>;

/// Addresses kept before the full ones are swept.
const MAX_ADDRESSES: usize = 100_000;

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    /// A limiter allowing `rate` per address.
    pub fn new(rate: Rate) -> Self {
        Self::with_clock(rate, DefaultClock::default())
    }
}

impl<C: Clock + Clone> RateLimiter<C> {
    /// A limiter allowing `rate` per address, timed by `clock`.
    pub fn with_clock(rate: Rate, clock: C) -> Self {
        let limiter = NonZeroU32::new(rate.max).and_then(|burst| {
            let period = rate.per / burst.get();
            let quota = Quota::with_period(period)?.allow_burst(burst);
            Some(GovernorLimiter::dashmap_with_clock(quota, clock.clone()))
        });
        Self {
            limiter,
            rate,
            swept: Mutex::new(clock.now()),
            clock,
            sweep_at: AtomicUsize::new(MAX_ADDRESSES),
        }
    }

    /// Takes one request from `addr`'s allowance; when it is spent, says
    /// how long until the next one is allowed.
    pub fn check(&self, addr: IpAddr) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Err(self.rate.per);
        };
        let kept = limiter.len();
        if kept > MAX_ADDRESSES
            && let Ok(mut swept) = self.swept.try_lock()
        {
            let now = self.clock.now();
            let since: Duration = now.duration_since(*swept).into();
            if kept > self.sweep_at.load(Ordering::Relaxed) || since >= self.rate.per {
                limiter.retain_recent();
                limiter.shrink_to_fit();
                let next = MAX_ADDRESSES.max(limiter.len().saturating_mul(2));
                self.sweep_at.store(next, Ordering::Relaxed);
                *swept = now;
            }
        }
        limiter
            .check_key(&addr)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Addresses currently kept.
    pub fn addresses(&self) -> usize {
        self.limiter.as_ref().map_or(0, Keyed::len)
    }
}

/// A refused request: answered 429 with `Retry-After`.
#[derive(Debug, Clone, Copy)]
pub struct Refused {
    /// Whole seconds to wait.
    pub retry_after: u64,
}

impl Refused {
    /// A refusal to wait `wait`, rounded up to whole seconds.
    pub fn after(wait: Duration) -> Self {
        Self {
            retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        }
    }

    fn error(self) -> AppError {
        AppError::new(ErrorCode::RateLimited)
            .message(super::lang::tr_with(
                "rate-limited-wait",
                &[("seconds", &self.retry_after)],
            ))
            .details(serde_json::json!({ "retry_after_seconds": self.retry_after }))
    }

    /// `resp` with this refusal's `Retry-After`.
    pub fn with_header(self, mut resp: HttpResponse) -> HttpResponse {
        if let Ok(v) = HeaderValue::from_str(&self.retry_after.to_string()) {
            resp.headers_mut().insert(RETRY_AFTER, v);
        }
        resp
    }

    /// The JSON answer.
    pub fn json(self) -> HttpResponse {
        self.with_header(self.error().error_response())
    }

    /// The page answer.
    pub fn html(self) -> HttpResponse {
        self.with_header(self.error().html().error_response())
    }
}

/// A per-address limit counted in the database (`db::rate_limits`), so
/// that every portal process on one database shares one allowance per
/// address: for rare routes that must hold across processes (complaint
/// filing and status look-ups). The database never sees the address, only
/// an HMAC-SHA-256 of it under a key derived from the complaint key, which
/// every process on one database shares.
///
/// When the count cannot be read or written (the database is down or the
/// pool exhausted) the limiter does not fail the request and does not
/// refuse it either: it falls back to an in-process bucket of the same
/// rate, so the limit then holds per process, as it did before it was
/// shared, and logs a warning (without the address).
pub struct SharedLimiter {
    bucket: &'static str,
    rate: Rate,
    address_key: [u8; 32],
    fallback: RateLimiter,
    next_sweep_ms: AtomicI64,
}

impl std::fmt::Debug for SharedLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedLimiter")
            .field("bucket", &self.bucket)
            .field("rate", &self.rate)
            .field("address_key", &"***")
            .finish_non_exhaustive()
    }
}

/// How often one process deletes the rows whose time has passed.
const SWEEP_EVERY_MS: i64 = 10 * 60 * 1000;

impl SharedLimiter {
    /// A limiter allowing `rate` per address in `bucket` (a name unique to
    /// the route it guards), hashing addresses under `address_key`.
    pub fn new(bucket: &'static str, rate: Rate, address_key: [u8; 32]) -> Self {
        Self {
            bucket,
            rate,
            address_key,
            fallback: RateLimiter::new(rate),
            next_sweep_ms: AtomicI64::new(0),
        }
    }

    /// What the database keeps for `addr`: a keyed hash (128 bits, hex), the
    /// same in every process sharing the key. An IPv4 address seen as IPv6
    /// (`::ffff:a.b.c.d`) counts as itself.
    pub fn client_key(&self, addr: IpAddr) -> String {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.address_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(addr.to_canonical().to_string().as_bytes());
        let digest = mac.finalize().into_bytes();
        data_encoding::HEXLOWER.encode(&digest[..16])
    }

    /// Takes one request from `addr`'s allowance, or says how long it must
    /// wait. Runs on the blocking pool with a pooled connection.
    pub async fn check(&self, pool: &Pool, addr: IpAddr) -> Result<(), Refused> {
        let (bucket, rate, client) = (self.bucket, self.rate, self.client_key(addr));
        let now_ms = now_ms();
        let sweep = self.sweep_due(now_ms);
        let pool = pool.clone();
        let counted = actix_web::web::block(move || {
            let mut conn = pool.get()?;
            let decision = db::rate_limits::take(&mut conn, bucket, &client, rate, now_ms)?;
            if sweep && let Err(e) = db::rate_limits::sweep(&mut conn, now_ms) {
                tracing::warn!(bucket, error = %e, "could not sweep the shared rate limits");
            }
            Ok::<_, db::DbError>(decision)
        })
        .await;
        let decision = match counted {
            Ok(Ok(decision)) => decision,
            Ok(Err(e)) => return self.fall_back(addr, &e),
            Err(e) => return self.fall_back(addr, &e),
        };
        match decision {
            Decision::Allowed => Ok(()),
            Decision::Refused { wait_ms } => Err(Refused::after(Duration::from_millis(
                u64::try_from(wait_ms).unwrap_or(1),
            ))),
        }
    }

    fn fall_back(&self, addr: IpAddr, error: &dyn std::fmt::Display) -> Result<(), Refused> {
        tracing::warn!(
            bucket = self.bucket,
            error = %error,
            "the shared rate limit could not be counted in the database; limiting this process alone"
        );
        self.fallback.check(addr).map_err(Refused::after)
    }

    /// Whether this call should sweep: at most once per [`SWEEP_EVERY_MS`]
    /// in this process.
    fn sweep_due(&self, now_ms: i64) -> bool {
        let due = self.next_sweep_ms.load(Ordering::Relaxed);
        now_ms >= due
            && self
                .next_sweep_ms
                .compare_exchange(
                    due,
                    now_ms + SWEEP_EVERY_MS,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
    }
}

/// Milliseconds since 1970 UTC by this machine's clock (the processes
/// sharing a database are assumed to keep time with NTP).
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4))
}

/// The limiters of [`ScraperRates`].
#[derive(Debug)]
pub struct ScraperLimits {
    search: RateLimiter,
    verify: RateLimiter,
    trust_forwarded_for: bool,
}

impl ScraperLimits {
    /// Limiters allowing `rates`.
    pub fn new(rates: ScraperRates) -> Self {
        Self {
            search: RateLimiter::new(rates.search),
            verify: RateLimiter::new(rates.verify),
            trust_forwarded_for: rates.trust_forwarded_for,
        }
    }

    /// The limiter of a route, by the pattern the router matched (see
    /// [`super::route::pattern`]), so no spelling of the path (`%73earch`)
    /// escapes its bucket.
    fn limiter_for(&self, route: &str) -> Option<&RateLimiter> {
        match route {
            "/search" | "/api/v1/search" => Some(&self.search),
            "/verify"
            | "/api/v1/verify"
            | "/lookup"
            | "/certificates/{code}"
            | "/api/v1/certificates/{code}" => Some(&self.verify),
            _ => None,
        }
    }

    /// Whether `X-Forwarded-For` (and the other forwarded headers) are
    /// trusted.
    pub fn trust_forwarded(&self) -> bool {
        self.trust_forwarded_for
    }
}

/// The caller, as every per-address limit counts it: the connection's
/// address, or with `trust_forwarded_for` the last `X-Forwarded-For` entry
/// (the one the balancer wrote; `ip:port` and `[v6]:port` taken, and
/// anything else in that place means the connection's address, never an
/// earlier entry the client wrote). An IPv6 address counts as its /64: a
/// client holds a whole /64 and could take a fresh address per request.
pub fn client_addr(req: &HttpRequest, trust_forwarded_for: bool) -> IpAddr {
    let peer = || {
        req.peer_addr()
            .map(|a| a.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]))
    };
    let addr = if trust_forwarded_for {
        req.headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .and_then(|last| forwarded_addr(last.trim()))
            .unwrap_or_else(peer)
    } else {
        peer()
    };
    per_network(addr)
}

/// One `X-Forwarded-For` entry: `203.0.113.9`, `203.0.113.9:41234`,
/// `2001:db8::1` or `[2001:db8::1]:41234`.
fn forwarded_addr(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            entry
                .strip_prefix('[')
                .and_then(|e| e.strip_suffix(']'))
                .and_then(|e| e.parse::<IpAddr>().ok())
        })
}

/// The address as a limit counts it: IPv4 (and IPv4 seen as IPv6) as
/// itself, IPv6 as its /64 network.
pub fn per_network(addr: IpAddr) -> IpAddr {
    match addr.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// Middleware: answers 429 (a page, or JSON under `/api/`) to an address
/// that searches or verifies faster than [`ScraperRates`] allow.
pub async fn limit_scrapers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let route = super::route::pattern(req.request());
    let refused = req
        .app_data::<actix_web::web::Data<super::AppState>>()
        .and_then(|state| {
            let limits = &state.scrapers;
            let limiter = limits.limiter_for(route.as_deref()?)?;
            let addr = client_addr(req.request(), limits.trust_forwarded_for);
            limiter.check(addr).err().map(Refused::after)
        });
    if let Some(refused) = refused {
        let resp = if route.as_deref().is_some_and(|r| r.starts_with("/api/")) {
            refused.json()
        } else {
            refused.html()
        };
        return Ok(req.into_response(resp).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_counts_as_its_64_and_a_forwarded_port_is_taken() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(per_network(a), per_network(b));
        assert_ne!(per_network(a), per_network(other));
        let v4: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(per_network(v4), v4);
        let mapped: IpAddr = "::ffff:203.0.113.9".parse().unwrap();
        assert_eq!(per_network(mapped), v4);
        assert_eq!(forwarded_addr("203.0.113.9:41234"), Some(v4));
        assert_eq!(
            forwarded_addr("[2001:db8::1]:41234"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(
            forwarded_addr("[2001:db8::1]"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(forwarded_addr("unknown"), None);
    }
    use governor::clock::FakeRelativeClock;

    #[test]
    fn a_burst_is_allowed_then_refilled_evenly() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(Rate::parse("3/min").unwrap(), clock.clone());
        let a = IpAddr::from([10, 0, 0, 1]);
        let b = IpAddr::from([10, 0, 0, 2]);
        for _ in 0..3 {
            assert!(limiter.check(a).is_ok());
        }
        let wait = limiter.check(a).unwrap_err();
        assert!(wait > Duration::from_secs(19) && wait <= Duration::from_secs(20));
        assert!(limiter.check(b).is_ok(), "other addresses are apart");
        clock.advance(Duration::from_secs(21));
        assert!(limiter.check(a).is_ok());
        clock.advance(Duration::from_secs(1));
        assert!(limiter.check(a).is_err());
    }

    #[test]
    fn a_flood_of_addresses_keeps_memory_bounded() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(Rate::parse("10/min").unwrap(), clock.clone());
        let kept = IpAddr::from([192, 0, 2, 1]);
        for _ in 0..10 {
            assert!(limiter.check(kept).is_ok());
        }
        for i in 0..(MAX_ADDRESSES as u32 + 10) {
            let _ = limiter.check(IpAddr::from(i.to_be_bytes()));
        }
        clock.advance(Duration::from_secs(61));
        let _ = limiter.check(IpAddr::from([198, 51, 100, 1]));
        assert!(
            limiter.addresses() < 10,
            "full allowances are forgotten: {} kept",
            limiter.addresses()
        );
        assert!(limiter.check(kept).is_ok(), "refilled after a minute");
    }

    #[test]
    fn a_spent_address_stays_limited_through_a_sweep() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(Rate::parse("2/h").unwrap(), clock.clone());
        let a = IpAddr::from([192, 0, 2, 9]);
        assert!(limiter.check(a).is_ok());
        assert!(limiter.check(a).is_ok());
        for i in 0..(MAX_ADDRESSES as u32 + 10) {
            let _ = limiter.check(IpAddr::from(i.to_be_bytes()));
        }
        clock.advance(Duration::from_secs(60));
        assert!(
            limiter.check(a).is_err(),
            "a sweep must not reset a spent allowance"
        );
    }

    #[test]
    fn addresses_are_kept_as_a_hash_under_the_portals_key() {
        let limiter = SharedLimiter::new("b", Rate::per_hour(1), [1; 32]);
        let other_key = SharedLimiter::new("b", Rate::per_hour(1), [2; 32]);
        let a = IpAddr::from([203, 0, 113, 7]);
        let key = limiter.client_key(a);
        assert_eq!(key.len(), 32);
        assert_eq!(key, limiter.client_key(a), "the same in every process");
        assert_ne!(key, other_key.client_key(a), "unknown without the key");
        assert_ne!(key, limiter.client_key(IpAddr::from([203, 0, 113, 8])));
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(limiter.client_key(mapped), key, "IPv4 seen as IPv6");
    }

    #[test]
    fn rates_parse() {
        assert_eq!(Rate::parse("10/h"), Some(Rate::per_hour(10)));
        assert_eq!(Rate::parse("5/min").unwrap().per, Duration::from_secs(60));
        assert_eq!(Rate::parse("0/h"), None);
        assert_eq!(Rate::parse("ten/h"), None);
    }
}
