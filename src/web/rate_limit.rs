//! A small per-address rate limiter (a token bucket per IP address), for any
//! route that needs one: complaints now, search and verify later.
//! Refusals are answered 429 with `Retry-After` in whole seconds.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use super::errors::{AppError, ErrorCode};
pub use crate::config::{Rate, ScraperRates};

/// Buckets per address.
#[derive(Debug)]
pub struct RateLimiter {
    rate: Rate,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    /// A limiter allowing `rate` per address.
    pub fn new(rate: Rate) -> Self {
        Self {
            rate,
            buckets: Mutex::default(),
        }
    }

    /// Takes one request from `addr`'s bucket at `now`; when it is empty,
    /// says how long until the next one is allowed.
    pub fn check_at(&self, addr: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.rate.max == 0 {
            return Err(self.rate.per);
        }
        let max = f64::from(self.rate.max);
        let per_token = self.rate.per.as_secs_f64() / max;
        let Ok(mut map) = self.buckets.lock() else {
            return Ok(());
        };
        if map.len() > 100_000 {
            map.retain(|_, (_, at)| now.duration_since(*at) < self.rate.per);
        }
        let (tokens, at) = map.entry(addr).or_insert((max, now));
        let refilled = (*tokens + now.duration_since(*at).as_secs_f64() / per_token).min(max);
        *at = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(())
        } else {
            *tokens = refilled;
            Err(Duration::from_secs_f64((1.0 - refilled) * per_token))
        }
    }

    /// Takes one request from the caller's address, or says how long it
    /// must wait.
    pub fn check(&self, req: &HttpRequest) -> Result<(), Refused> {
        let addr = req
            .peer_addr()
            .map(|a| a.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        self.check_at(addr, Instant::now()).map_err(|wait| Refused {
            retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        })
    }
}

/// A refused request: answered 429 with `Retry-After`.
#[derive(Debug, Clone, Copy)]
pub struct Refused {
    /// Whole seconds to wait.
    pub retry_after: u64,
}

impl Refused {
    fn error(self) -> AppError {
        AppError::new(ErrorCode::RateLimited)
            .message(super::lang::tr_with(
                "rate-limited-wait",
                &[("seconds", &self.retry_after)],
            ))
            .details(serde_json::json!({ "retry_after_seconds": self.retry_after }))
    }

    fn with_header(self, mut resp: HttpResponse) -> HttpResponse {
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

/// The caller's address: the connection's, or the last `X-Forwarded-For`
/// entry when `trust_forwarded_for`.
pub fn client_addr(req: &HttpRequest, trust_forwarded_for: bool) -> IpAddr {
    if trust_forwarded_for {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .last();
        if let Some(addr) = forwarded {
            return addr;
        }
    }
    req.peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
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
            limiter
                .check_at(addr, Instant::now())
                .err()
                .map(|wait| Refused {
                    retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
                })
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
    fn a_burst_is_allowed_then_refilled_evenly() {
        let limiter = RateLimiter::new(Rate::parse("3/min").unwrap());
        let a = IpAddr::from([10, 0, 0, 1]);
        let b = IpAddr::from([10, 0, 0, 2]);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at(a, t0).is_ok());
        }
        let wait = limiter.check_at(a, t0).unwrap_err();
        assert!(wait > Duration::from_secs(19) && wait <= Duration::from_secs(20));
        assert!(limiter.check_at(b, t0).is_ok(), "other addresses are apart");
        assert!(limiter.check_at(a, t0 + Duration::from_secs(21)).is_ok());
        assert!(limiter.check_at(a, t0 + Duration::from_secs(22)).is_err());
    }

    #[test]
    fn rates_parse() {
        assert_eq!(Rate::parse("10/h"), Some(Rate::per_hour(10)));
        assert_eq!(Rate::parse("5/min").unwrap().per, Duration::from_secs(60));
        assert_eq!(Rate::parse("0/h"), None);
        assert_eq!(Rate::parse("ten/h"), None);
    }
}
