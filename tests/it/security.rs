//! Security headers on every kind of answer, HSTS and `Secure` cookies over
//! TLS, and per-address limits on search and verify.

use legal_portal::web::rate_limit::Rate;

use crate::helpers::TestApp;

/// One path of every kind the portal answers: pages, JSON API, admin API,
/// static assets, feeds, sitemaps, health, and the 404 of both kinds.
const ROUTES: &[&str] = &[
    "/",
    "/lookup?q=x",
    "/search?q=%E5%BE%8B%E5%B8%88",
    "/verify",
    "/districts",
    "/districts/999999",
    "/offices/nope",
    "/workers/nope",
    "/disclosures",
    "/announcements",
    "/feeds/disclosures.atom",
    "/feeds/announcements.atom",
    "/sitemap.xml",
    "/certificates/NOPE",
    "/complaints/new",
    "/complaints/status",
    "/complaints/correction",
    "/complaints/unlicensed",
    "/static/site.css",
    "/static/near-me.js",
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/v1/districts",
    "/api/v1/search?q=x",
    "/api/v1/export/offices.csv",
    "/api/v1/export/disclosures.csv",
    "/api/v1/verify?license_no=1",
    "/api/v1/offices/nope",
    "/api/v1/workers/nope",
    "/api/v1/certificates/NOPE",
    "/api/v1/complaints",
    "/api/v1/complaints/NOPE",
    "/api/v1/corrections",
    "/api/v1/reports",
    "/admin/api/compliance",
    "/admin/api/complaints",
    "/admin/api/corrections",
    "/admin/api/imports/1",
    "/api/v1/no-such-thing",
    "/no-such-page",
];

fn assert_security_headers(what: &str, h: &reqwest::header::HeaderMap) {
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    let csp = h["content-security-policy"].to_str().unwrap();
    for part in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{what}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-eval"), "{what}: {csp}");
    assert!(h.contains_key("referrer-policy"), "{what}");
    assert!(h.contains_key("permissions-policy"), "{what}");
}

#[actix_web::test]
async fn every_route_and_every_error_carries_the_security_headers() {
    let app = TestApp::builder()
        .settings(|s| s.scraper_rates.search = Rate::parse("100/h").unwrap())
        .start()
        .await;
    let mut statuses = std::collections::BTreeSet::new();
    for path in ROUTES {
        let resp = app.get(path).await;
        statuses.insert(resp.status().as_u16());
        assert_security_headers(path, resp.headers());
        assert!(
            !resp.headers().contains_key("strict-transport-security"),
            "{path}: no HSTS when not served over TLS"
        );
    }
    // 405: a resource answering POST only.
    let resp = app
        .client
        .put(format!("{}/api/v1/complaints", app.address))
        .send()
        .await
        .unwrap();
    statuses.insert(resp.status().as_u16());
    assert_security_headers("PUT /api/v1/complaints", resp.headers());
    // 429.
    let app = TestApp::builder()
        .settings(|s| s.scraper_rates.search = Rate::parse("1/h").unwrap())
        .start()
        .await;
    app.get("/search?q=x").await;
    for path in ["/search?q=x", "/api/v1/search?q=x"] {
        let resp = app.get(path).await;
        statuses.insert(resp.status().as_u16());
        assert_security_headers(path, resp.headers());
    }
    for status in [200, 401, 404, 405, 429] {
        assert!(statuses.contains(&status), "{status} covered: {statuses:?}");
    }
}

#[actix_web::test]
async fn over_tls_answers_carry_hsts_and_the_cookie_is_secure() {
    let app = TestApp::builder()
        .settings(|s| s.public_url = Some("https://portal.example.gov.cn".into()))
        .start()
        .await;
    for path in [
        "/",
        "/api/v1/districts",
        "/static/site.css",
        "/no-such-page",
    ] {
        let resp = app.get(path).await;
        assert_eq!(
            resp.headers()["strict-transport-security"],
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
    }
    let resp = app.get("/complaints/new").await;
    let cookies: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(!cookies.is_empty(), "the complaint form sets its cookie");
    for c in &cookies {
        for attr in ["HttpOnly", "SameSite=Strict", "Secure"] {
            assert!(c.contains(attr), "{c} lacks {attr}");
        }
    }

    let plain = TestApp::builder().start().await;
    let resp = plain.get("/complaints/new").await;
    for c in resp.headers().get_all("set-cookie") {
        let c = c.to_str().unwrap();
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Strict"),
            "{c}"
        );
        assert!(!c.contains("Secure"), "plain HTTP: {c}");
    }
}

async fn get_from(app: &TestApp, path: &str, forwarded: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(format!("{}{}", app.address, path));
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.unwrap()
}

#[actix_web::test]
async fn a_scraper_meets_the_search_limit_with_retry_after_and_others_do_not() {
    let app = TestApp::builder()
        .settings(|s| {
            s.scraper_rates.search = Rate::parse("3/min").unwrap();
            s.scraper_rates.trust_forwarded_for = true;
        })
        .start()
        .await;
    for _ in 0..3 {
        let resp = get_from(&app, "/api/v1/search?q=x", Some("203.0.113.7")).await;
        assert_eq!(resp.status(), 200);
    }
    let resp = get_from(&app, "/api/v1/search?q=x", Some("203.0.113.7")).await;
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry), "Retry-After {retry}");
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["code"], "rate_limited");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("请求过于频繁")
    );

    let resp = get_from(&app, "/search?q=x", Some("203.0.113.7")).await;
    assert_eq!(resp.status(), 429, "the page shares the limit");
    assert!(resp.headers().contains_key("retry-after"));
    assert!(resp.text().await.unwrap().contains("请求过于频繁"));

    let resp = get_from(&app, "/api/v1/search?q=x", Some("203.0.113.8")).await;
    assert_eq!(resp.status(), 200, "another address is unaffected");
    let resp = get_from(&app, "/districts", Some("203.0.113.7")).await;
    assert_eq!(resp.status(), 200, "other routes are not limited");
}

#[actix_web::test]
async fn verify_is_limited_and_x_forwarded_for_is_ignored_unless_trusted() {
    let app = TestApp::builder()
        .settings(|s| s.scraper_rates.verify = Rate::parse("2/min").unwrap())
        .start()
        .await;
    assert_ne!(get_from(&app, "/verify", None).await.status(), 429);
    assert_ne!(
        get_from(&app, "/api/v1/verify?license_no=1", Some("10.0.0.1"))
            .await
            .status(),
        429
    );
    let resp = get_from(&app, "/lookup?q=x", Some("10.0.0.2")).await;
    assert_eq!(resp.status(), 429, "a forged X-Forwarded-For does not help");
    assert!(resp.headers().contains_key("retry-after"));
    let resp = get_from(&app, "/certificates/NOPE", None).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(
        get_from(&app, "/api/v1/search?q=x", None).await.status(),
        200
    );
}

#[actix_web::test]
async fn a_path_spelled_with_percent_escapes_shares_its_routes_limit() {
    let app = TestApp::builder()
        .settings(|s| {
            s.scraper_rates.search = Rate::parse("2/min").unwrap();
            s.scraper_rates.verify = Rate::parse("3/min").unwrap();
        })
        .start()
        .await;
    // The spelling reaches the same handler…
    let v = app.json("/api/v1/%73earch?q=x", 200).await;
    assert!(v["hits"].is_array(), "{v}");
    assert_eq!(
        get_from(&app, "/api/v1/search?q=x", None).await.status(),
        200
    );
    // …and the same bucket, answered in JSON as the API is.
    let resp = get_from(&app, "/api/v1/%73earch?q=x", None).await;
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key("retry-after"));
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["code"], "rate_limited");
    assert_eq!(get_from(&app, "/%73earch?q=x", None).await.status(), 429);

    // Three verifications, spelled three ways, empty the verify bucket…
    for path in [
        "/%76erify",
        "/%6cookup?license_no=1",
        "/api/v1/%63ertificates/NOPE",
    ] {
        assert_ne!(get_from(&app, path, None).await.status(), 429, "{path}");
    }
    // …for every spelling of every verify route.
    for path in [
        "/verify",
        "/%76erify",
        "/%6cookup?license_no=1",
        "/%63ertificates/NOPE",
        "/api/v1/%63ertificates/NOPE",
        "/api/v1/%76erify?license_no=1",
    ] {
        assert_eq!(get_from(&app, path, None).await.status(), 429, "{path}");
    }
}

#[actix_web::test]
async fn an_ipv6_client_cannot_take_a_fresh_address_per_request_nor_write_its_own() {
    let app = TestApp::builder()
        .settings(|s| {
            s.scraper_rates.search = Rate::parse("3/min").unwrap();
            s.scraper_rates.trust_forwarded_for = true;
        })
        .start()
        .await;
    for i in 1..=3 {
        let addr = format!("2001:db8:1:2::{i:x}");
        let resp = get_from(&app, "/api/v1/search?q=x", Some(&addr)).await;
        assert_eq!(resp.status(), 200, "{addr}");
    }
    let resp = get_from(&app, "/api/v1/search?q=x", Some("2001:db8:1:2:ffff::9")).await;
    assert_eq!(resp.status(), 429, "the same /64");
    let resp = get_from(&app, "/api/v1/search?q=x", Some("2001:db8:1:3::1")).await;
    assert_eq!(resp.status(), 200, "another /64");

    // A balancer that writes the port: the address is still its entry,
    // not one the client put before it.
    for _ in 0..3 {
        let resp = get_from(
            &app,
            "/api/v1/search?q=x",
            Some("198.51.100.1, 203.0.113.20:41234"),
        )
        .await;
        assert_eq!(resp.status(), 200);
    }
    let resp = get_from(
        &app,
        "/api/v1/search?q=x",
        Some("198.51.100.2, 203.0.113.20:50000"),
    )
    .await;
    assert_eq!(
        resp.status(),
        429,
        "the balancer's entry counts, port or not"
    );
}
