//! Where this site is: the scheme and host printed into absolute links
//! (certificate check addresses, QR codes, feeds, sitemaps) and compared
//! with a form's `Origin`.
//!
//! Production sets `LEGAL_PORTAL_PUBLIC_URL`, and then the request has no
//! say at all. Without it the address comes from the request's `Host`
//! header (a county laptop reached by its LAN address), checked to be a
//! plain `host[:port]`; `Forwarded`, `X-Forwarded-Host` and
//! `X-Forwarded-Proto` count only with `--trust-forwarded-for`, i.e. behind
//! a load balancer that sets them. Anyone can send those headers, so
//! honouring them otherwise would let a request choose the links printed
//! on a certificate.

use actix_web::HttpRequest;
use actix_web::http::header::HOST;

use super::AppState;

/// `scheme://host[:port]` of the site for absolute links: the configured
/// public address, else taken from the request as described above.
pub fn base_url(req: &HttpRequest, state: &AppState) -> String {
    match &state.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let (scheme, host) = from_request(req, state.scrapers.trust_forwarded());
            format!("{scheme}://{host}")
        }
    }
}

/// The scheme and host a request was addressed to: forwarded headers only
/// when `trust_forwarded`, else the `Host` header and `http` (the portal
/// itself speaks plain HTTP). A host that is not a plain `host[:port]`
/// gives way to the address the portal listens on.
pub fn from_request(req: &HttpRequest, trust_forwarded: bool) -> (String, String) {
    if trust_forwarded {
        let info = req.connection_info();
        let scheme = match info.scheme() {
            "https" => "https",
            _ => "http",
        };
        let host = info.host();
        let host = if plain_host(host) {
            host.to_owned()
        } else {
            local_host(req)
        };
        return (scheme.to_owned(), host);
    }
    let host = req
        .headers()
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
        .filter(|h| plain_host(h))
        .map_or_else(|| local_host(req), str::to_owned);
    ("http".to_owned(), host)
}

/// Whether the request came over TLS as far as the portal can tell: its
/// public address is `https://…`, or a trusted proxy says so.
pub fn is_https(req: &HttpRequest, state: &AppState) -> bool {
    match &state.public_url {
        Some(url) => url.trim().to_ascii_lowercase().starts_with("https://"),
        None => from_request(req, state.scrapers.trust_forwarded()).0 == "https",
    }
}

/// The hosts a same-site form may come from: the public address's host
/// when one is configured, and the host the request was addressed to.
pub fn own_hosts(req: &HttpRequest, state: Option<&AppState>) -> Vec<String> {
    let trust = state.is_some_and(|s| s.scrapers.trust_forwarded());
    let mut hosts = vec![from_request(req, trust).1];
    if let Some(public) = state.and_then(|s| s.public_url.as_deref()) {
        let host = public
            .split_once("://")
            .map_or(public, |(_, rest)| rest)
            .split('/')
            .next()
            .unwrap_or_default();
        if !host.is_empty() {
            hosts.push(host.to_ascii_lowercase());
        }
    }
    hosts
}

fn local_host(req: &HttpRequest) -> String {
    req.app_config().local_addr().to_string()
}

/// `name[:port]` or `[v6]:port`: letters, digits, `-`, `.`, `:`, brackets;
/// nothing that could end the authority (`/`, `@`, `?`, `#`, `\`) or a
/// quote.
fn plain_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':' | b'[' | b']'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn forwarded_headers_count_only_when_trusted() {
        let req = TestRequest::default()
            .insert_header(("host", "portal.local:8080"))
            .insert_header(("x-forwarded-host", "evil.test"))
            .insert_header(("x-forwarded-proto", "https"))
            .to_http_request();
        assert_eq!(
            from_request(&req, false),
            ("http".to_owned(), "portal.local:8080".to_owned())
        );
        assert_eq!(
            from_request(&req, true),
            ("https".to_owned(), "evil.test".to_owned())
        );
    }

    #[test]
    fn a_host_that_is_not_plain_gives_way_to_the_listening_address() {
        for bad in ["evil.test/x", "a@b", "x\"y", ""] {
            let req = TestRequest::default()
                .insert_header(("host", bad))
                .to_http_request();
            let (_, host) = from_request(&req, false);
            assert_ne!(host, bad);
            assert!(plain_host(&host), "{host}");
        }
    }
}
