//! CSRF protection for forms: a signed double-submit token, and checks of
//! `Origin` and `Sec-Fetch-Site`.
//!
//! The page sets a random `lp_csrf` cookie (HttpOnly, SameSite=Strict) and
//! puts `expiry.HMAC(key, cookie.expiry)` in a hidden field. A POST must
//! carry both, matching and unexpired. The key is derived from the complaint
//! key, so every process behind a load balancer agrees.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::HttpRequest;
use actix_web::http::header::{COOKIE, HeaderValue, ORIGIN};
use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sha2::Sha256;

/// The cookie's name.
pub const COOKIE_NAME: &str = "lp_csrf";
/// The hidden field's name.
pub const FIELD_NAME: &str = "csrf_token";
/// How long a form stays valid.
pub const LIFETIME: Duration = Duration::from_secs(4 * 3600);

/// Signs and checks tokens.
#[derive(Clone)]
pub struct Csrf {
    key: [u8; 32],
}

impl std::fmt::Debug for Csrf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Csrf(***)")
    }
}

/// Why a form post was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsrfRefusal {
    /// Sent from another site (`Origin` or `Sec-Fetch-Site` say so).
    CrossSite,
    /// The token or cookie is missing, wrong or expired.
    BadToken,
}

/// A token for one page, and the cookie to set when the visitor has none.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The hidden field's value.
    pub token: String,
    /// A `Set-Cookie` value, when a new cookie is needed.
    pub set_cookie: Option<HeaderValue>,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Csrf {
    /// A signer with `key`.
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    fn mac(&self, cookie: &str, expiry: u64) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(cookie.as_bytes());
        mac.update(b".");
        mac.update(expiry.to_string().as_bytes());
        mac
    }

    fn sign(&self, cookie: &str, expiry: u64) -> String {
        let tag = self.mac(cookie, expiry).finalize().into_bytes();
        let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
        format!("{expiry}.{hex}")
    }

    /// A token for the form on the page answering `req`.
    pub fn issue(&self, req: &HttpRequest) -> Issued {
        self.issue_at(req, "/complaints")
    }

    /// A token for a form whose cookie is sent to the pages under `path`
    /// (`/complaints` for the public forms, `/admin` for the console's
    /// sign-in form).
    pub fn issue_at(&self, req: &HttpRequest, path: &str) -> Issued {
        let expiry = unix_now() + LIFETIME.as_secs();
        if let Some(cookie) = cookie_value(req) {
            return Issued {
                token: self.sign(&cookie, expiry),
                set_cookie: None,
            };
        }
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let cookie: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        let tls = req
            .app_data::<actix_web::web::Data<crate::web::AppState>>()
            .is_some_and(|s| crate::web::site::is_https(req, s));
        let secure = if tls { "; Secure" } else { "" };
        let header = format!(
            "{COOKIE_NAME}={cookie}; Path={path}; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
            LIFETIME.as_secs() * 6
        );
        Issued {
            token: self.sign(&cookie, expiry),
            set_cookie: HeaderValue::from_str(&header).ok(),
        }
    }

    /// Checks a form post: same site, and `token` matching the cookie.
    pub fn verify(&self, req: &HttpRequest, token: Option<&str>) -> Result<(), CsrfRefusal> {
        check_origin(req)?;
        let cookie = cookie_value(req).ok_or(CsrfRefusal::BadToken)?;
        let (expiry, hex) = token
            .and_then(|t| t.split_once('.'))
            .ok_or(CsrfRefusal::BadToken)?;
        let expiry: u64 = expiry.parse().map_err(|_| CsrfRefusal::BadToken)?;
        if expiry < unix_now() || hex.len() != 64 {
            return Err(CsrfRefusal::BadToken);
        }
        let tag: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2).unwrap_or("zz"), 16))
            .collect::<Result<_, _>>()
            .map_err(|_| CsrfRefusal::BadToken)?;
        self.mac(&cookie, expiry)
            .verify_slice(&tag)
            .map_err(|_| CsrfRefusal::BadToken)
    }
}

/// Our cookie's value, when it looks like one we set.
pub(crate) fn cookie_value(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE_NAME)
        .map(|(_, v)| v.to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Refuses a request a browser says came from another site: `Sec-Fetch-Site`
/// other than `same-origin` or `none`, or an `Origin` whose host is not this
/// one. Requests without either (older browsers, integrations) pass.
pub fn check_origin(req: &HttpRequest) -> Result<(), CsrfRefusal> {
    if let Some(site) = req.headers().get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("");
        if site != "same-origin" && site != "none" {
            return Err(CsrfRefusal::CrossSite);
        }
    }
    if let Some(origin) = req.headers().get(ORIGIN) {
        let origin = origin.to_str().unwrap_or("null");
        let host = origin
            .split_once("://")
            .map(|(_, rest)| rest.trim_end_matches('/'));
        let state = req.app_data::<actix_web::web::Data<crate::web::AppState>>();
        let own = crate::web::site::own_hosts(req, state.map(|s| s.get_ref()));
        if !host.is_some_and(|h| own.iter().any(|o| o.eq_ignore_ascii_case(h))) {
            return Err(CsrfRefusal::CrossSite);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn cookie() -> String {
        "ab".repeat(32)
    }

    #[test]
    fn a_token_verifies_only_with_its_cookie() {
        let csrf = Csrf::new([7; 32]);
        let with_cookie = TestRequest::default()
            .insert_header((COOKIE, format!("{COOKIE_NAME}={}", cookie())))
            .to_http_request();
        let issued = csrf.issue(&with_cookie);
        assert!(issued.set_cookie.is_none(), "an existing cookie is reused");
        assert_eq!(csrf.verify(&with_cookie, Some(&issued.token)), Ok(()));
        let other = TestRequest::default()
            .insert_header((COOKIE, format!("{COOKIE_NAME}={}", "cd".repeat(32))))
            .to_http_request();
        assert_eq!(
            csrf.verify(&other, Some(&issued.token)),
            Err(CsrfRefusal::BadToken)
        );
        assert_eq!(csrf.verify(&with_cookie, None), Err(CsrfRefusal::BadToken));
        assert_eq!(
            Csrf::new([8; 32]).verify(&with_cookie, Some(&issued.token)),
            Err(CsrfRefusal::BadToken),
            "another key"
        );
        let stale = format!("1.{}", issued.token.split_once('.').unwrap().1);
        assert_eq!(
            csrf.verify(&with_cookie, Some(&stale)),
            Err(CsrfRefusal::BadToken)
        );
    }

    #[test]
    fn cross_site_posts_are_refused() {
        let csrf = Csrf::new([7; 32]);
        let base = || {
            TestRequest::default()
                .insert_header(("host", "portal.example"))
                .insert_header((COOKIE, format!("{COOKIE_NAME}={}", cookie())))
        };
        let token = csrf.issue(&base().to_http_request()).token;
        let evil = base()
            .insert_header((ORIGIN, "https://evil.example"))
            .to_http_request();
        assert_eq!(
            csrf.verify(&evil, Some(&token)),
            Err(CsrfRefusal::CrossSite)
        );
        let fetch = base()
            .insert_header(("sec-fetch-site", "cross-site"))
            .to_http_request();
        assert_eq!(
            csrf.verify(&fetch, Some(&token)),
            Err(CsrfRefusal::CrossSite)
        );
        let same = base()
            .insert_header((ORIGIN, "https://portal.example"))
            .insert_header(("sec-fetch-site", "same-origin"))
            .to_http_request();
        assert_eq!(csrf.verify(&same, Some(&token)), Ok(()));
    }
}
