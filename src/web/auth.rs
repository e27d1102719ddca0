//! Admin authentication: `Authorization: Bearer <token>` checked against the
//! stored hashes, with the token's scope. Repeated failures from one address
//! are slowed down.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::HttpRequest;
use actix_web::http::header::AUTHORIZATION;

use super::AppState;
use super::errors::{AppError, ErrorCode};
use crate::db::tokens::{self, TokenInfo};
use crate::domain::vocab::TokenScope;

/// Failures from one address within [`FAILURE_WINDOW`] before answers are
/// delayed.
const FREE_FAILURES: u32 = 5;
/// How long failures are remembered.
const FAILURE_WINDOW: Duration = Duration::from_secs(600);
/// The longest delay imposed.
const MAX_DELAY: Duration = Duration::from_secs(5);

/// Recent authentication failures per address.
#[derive(Debug, Default)]
pub struct FailureTracker {
    by_address: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl FailureTracker {
    /// The delay owed by `addr` for its recent failures.
    fn delay_for(&self, addr: IpAddr) -> Duration {
        let Ok(map) = self.by_address.lock() else {
            return Duration::ZERO;
        };
        match map.get(&addr) {
            Some((n, since)) if since.elapsed() < FAILURE_WINDOW && *n > FREE_FAILURES => {
                let extra = (*n - FREE_FAILURES).min(10);
                (Duration::from_millis(250) * 2u32.saturating_pow(extra)).min(MAX_DELAY)
            }
            _ => Duration::ZERO,
        }
    }

    fn fail(&self, addr: IpAddr) {
        if let Ok(mut map) = self.by_address.lock() {
            if map.len() > 100_000 {
                map.retain(|_, (_, since)| since.elapsed() < FAILURE_WINDOW);
            }
            let entry = map.entry(addr).or_insert((0, Instant::now()));
            if entry.1.elapsed() >= FAILURE_WINDOW {
                *entry = (0, Instant::now());
            }
            entry.0 += 1;
        }
    }

    fn succeed(&self, addr: IpAddr) {
        if let Ok(mut map) = self.by_address.lock() {
            map.remove(&addr);
        }
    }
}

/// What stands before the console's password check: a per-address
/// allowance of sign-in attempts (in this process, in memory: counting
/// them in the database would write on every attempt), and one password
/// hash at a time, so a flood of attempts under changing names (each an
/// Argon2 hash, with no account's lockout to stop it) queues on its own
/// instead of taking the blocking threads and connections residents'
/// pages need.
#[derive(Debug)]
pub struct SignInGuard {
    /// Attempts per address.
    pub attempts: super::rate_limit::RateLimiter,
    /// Password checks running at once.
    pub hashing: tokio::sync::Semaphore,
}

/// Sign-in attempts one address may make in [`SIGN_IN_PERIOD`].
pub const SIGN_IN_ATTEMPTS: u32 = 60;
/// The period of [`SIGN_IN_ATTEMPTS`].
pub const SIGN_IN_PERIOD: Duration = Duration::from_secs(15 * 60);

impl Default for SignInGuard {
    fn default() -> Self {
        Self {
            attempts: super::rate_limit::RateLimiter::new(crate::config::Rate {
                max: SIGN_IN_ATTEMPTS,
                per: SIGN_IN_PERIOD,
            }),
            hashing: tokio::sync::Semaphore::new(1),
        }
    }
}

/// Checks the request's bearer token and that its scope allows `needed`.
/// The challenge of a 401 without a token (RFC 6750 §3).
const BEARER: &str = "Bearer realm=\"legal-portal-admin\"";
/// The challenge of a 401 for a token that is unknown, revoked or expired.
const BEARER_INVALID: &str = "Bearer realm=\"legal-portal-admin\", error=\"invalid_token\"";

/// 401 for a missing or wrong token (with its `WWW-Authenticate`
/// challenge), 403 for a token of another scope.
pub async fn require(
    req: &HttpRequest,
    state: &AppState,
    needed: TokenScope,
) -> Result<TokenInfo, AppError> {
    // The caller as every limit counts it (behind a trusted balancer, the
    // address it saw, not the balancer's own).
    let addr = state.client_addr(req);
    let delay = state.auth_failures.delay_for(addr);
    if !delay.is_zero() {
        actix_web::rt::time::sleep(delay).await;
    }
    let presented = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    let Some(token) = presented else {
        state.auth_failures.fail(addr);
        return Err(AppError::new(ErrorCode::Unauthorized).challenge(BEARER));
    };
    let found = state.db(move |c| tokens::find_live(c, &token)).await?;
    let Some(info) = found else {
        state.auth_failures.fail(addr);
        return Err(AppError::new(ErrorCode::Unauthorized).challenge(BEARER_INVALID));
    };
    state.auth_failures.succeed(addr);
    if !info.scope.allows(needed) {
        return Err(
            AppError::new(ErrorCode::Forbidden).details(serde_json::json!({
                "needed_scope": needed.key(), "token_scope": info.scope.key()
            })),
        );
    }
    Ok(info)
}

/// The answers of [`require`] when it refuses, for the API document of every
/// admin operation: `responses((status = 200, …), TokenRefused, …)`.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // Only its API-document description is used.
pub(crate) enum TokenRefused {
    /// No or an unknown token (`unauthorized`)
    #[response(status = 401)]
    Unauthorized(super::errors::ErrorBody<'static>),
    /// The token lacks the scope (`forbidden`)
    #[response(status = 403)]
    Forbidden(super::errors::ErrorBody<'static>),
}
