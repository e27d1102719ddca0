//! Issue 16 (hardening): links built from the request stay on the site,
//! the `Host` and forwarded headers cannot choose printed addresses, `HEAD`
//! answers like `GET`, and `/metrics` needs a token.

use legal_portal::db::DbConnection;
use legal_portal::db::tokens;
use legal_portal::domain::vocab::TokenScope;

use crate::helpers::{ServedBinary, TestApp, build, fresh_database, migrated};

const WORKER: &str = "45001030001";
const OFFICE: &str = "31500103001";

fn seed(c: &mut DbConnection) {
    build::district(c, "500103", "渝中区", 588_717, 2000);
    build::office(c, OFFICE, "解放碑街道法律服务所", "500103");
    build::worker(c, WORKER, "张秀英", OFFICE);
}

/// The page with the entities Tera writes for `/` and `&` read back.
fn unescape(page: &str) -> String {
    page.replace("&#x2F;", "/").replace("&amp;", "&")
}

fn lang_switch(page: &str) -> &str {
    let start = page
        .find(r#"<a class="lang-switch""#)
        .unwrap_or_else(|| panic!("no language switch in\n{page}"));
    let rest = &page[start..];
    &rest[..rest.find("</a>").unwrap()]
}

#[actix_web::test]
async fn the_language_switch_of_a_double_slash_path_stays_on_the_site() {
    let app = TestApp::builder().start().await;
    for (path, expected) in [
        ("//evil.test/x", r#"href="/evil.test/x?lang=en""#),
        ("///evil.test/x?a=1", r#"href="/evil.test/x?a=1&lang=en""#),
        ("/%2F%2Fevil.test", r#"href="/%2F%2Fevil.test?lang=en""#),
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 404, "{path}");
        let page = unescape(&resp.text().await.unwrap());
        let switch = lang_switch(&page);
        assert!(!switch.contains(r#"href="//"#), "{path}: {switch}");
        assert!(switch.contains(expected), "{path}: {switch}");
    }
}

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> String {
    let mut req = app.client.get(format!("{}{}", app.address, path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    unescape(&resp.text().await.unwrap())
}

#[actix_web::test]
async fn forwarded_headers_choose_no_printed_address_unless_trusted() {
    let app = TestApp::builder().seed(seed).await;
    let forged: &[(&str, &str)] = &[
        ("x-forwarded-host", "evil.test"),
        ("x-forwarded-proto", "https"),
        ("forwarded", "host=evil.test;proto=https"),
    ];
    let port = app.address.rsplit(':').next().unwrap().to_owned();
    for path in [
        "/sitemap.xml".to_owned(),
        "/robots.txt".to_owned(),
        format!("/workers/{WORKER}/certificate"),
        "/feeds/disclosures.atom".to_owned(),
    ] {
        let body = get_with(&app, &path, forged).await;
        assert!(!body.contains("evil.test"), "{path}: {body}");
        assert!(
            body.contains(&format!("http://127.0.0.1:{port}")),
            "{path} names the host the request was sent to: {body}"
        );
    }
    // A Host header that is not a plain host[:port] is not printed either.
    let body = get_with(&app, "/sitemap.xml", &[("host", "evil.test/x?")]).await;
    assert!(!body.contains("evil.test"), "{body}");

    // Behind a trusted load balancer the forwarded headers count.
    let trusted = TestApp::builder()
        .settings(|s| s.scraper_rates.trust_forwarded_for = true)
        .seed(seed)
        .await;
    let body = get_with(
        &trusted,
        "/sitemap.xml",
        &[
            ("x-forwarded-host", "portal.example.gov.cn"),
            ("x-forwarded-proto", "https"),
        ],
    )
    .await;
    assert!(body.contains("https://portal.example.gov.cn/"), "{body}");

    // A configured public address wins over everything.
    let public = TestApp::builder()
        .settings(|s| {
            s.public_url = Some("https://fw.cq.gov.cn".into());
            s.scraper_rates.trust_forwarded_for = true;
        })
        .seed(seed)
        .await;
    let body = get_with(&public, "/sitemap.xml", forged).await;
    assert!(body.contains("https://fw.cq.gov.cn/"), "{body}");
    assert!(!body.contains("evil.test"), "{body}");
}

#[actix_web::test]
async fn an_unset_public_url_on_a_public_address_is_warned_about_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _pg) = fresh_database(dir.path());
    migrated(&url, |_| {});
    let warning = "LEGAL_PORTAL_PUBLIC_URL";
    let on_every_address = |public_url: Option<&str>| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_legal-portal"));
        c.args(["serve", "--bind", "0.0.0.0:0", "--workers", "1"])
            .env("DATABASE_URL", &url)
            .env("LEGAL_PORTAL_DATA", dir.path())
            .env("LEGAL_PORTAL_TODAY", "2026-11-28")
            .env_remove("MEILI_URL")
            .env_remove("LEGAL_PORTAL_PUBLIC_URL");
        if let Some(p) = public_url {
            c.env("LEGAL_PORTAL_PUBLIC_URL", p);
        }
        c
    };
    let everywhere = on_every_address(None);
    let log = ServedBinary::start(everywhere).await.finish();
    assert!(
        log.lines()
            .any(|l| l.contains("WARN") && l.contains(warning)),
        "{log}"
    );

    let mut local = ServedBinary::command(&url, dir.path());
    local.env_remove("LEGAL_PORTAL_PUBLIC_URL");
    let log = ServedBinary::start(local).await.finish();
    assert!(!log.contains(warning), "loopback only: no warning\n{log}");

    let configured = on_every_address(Some("https://fw.cq.gov.cn"));
    let log = ServedBinary::start(configured).await.finish();
    assert!(
        !log.lines()
            .any(|l| l.contains("WARN") && l.contains(warning)),
        "configured: no warning\n{log}"
    );
}

/// Sends `method path` over a raw connection and returns the status line,
/// the header block and whatever followed it before the server closed.
async fn raw(address: &str, method: &str, path: &str) -> (String, String, Vec<u8>) {
    use std::io::{Read, Write};
    let host = address.trim_start_matches("http://").to_owned();
    let request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    let bytes = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(&host).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        out
    })
    .await
    .unwrap();
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete header block")
        + 4;
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let status = head.lines().next().unwrap_or_default().to_owned();
    (status, head, bytes[end..].to_vec())
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[actix_web::test]
async fn head_answers_like_get_without_a_body_on_every_public_route() {
    let app = TestApp::builder().seed(seed).await;
    for path in [
        "/".to_owned(),
        "/search?q=x".to_owned(),
        format!("/workers/{WORKER}"),
        format!("/offices/{OFFICE}"),
        format!("/workers/{WORKER}/certificate"),
        format!("/workers/{WORKER}/qr.svg"),
        format!("/verify?license_no={WORKER}"),
        format!("/lookup?license_no={WORKER}"),
        "/districts".to_owned(),
        "/districts/500103".to_owned(),
        "/disclosures".to_owned(),
        "/announcements".to_owned(),
        "/complaints/new".to_owned(),
        "/complaints/status".to_owned(),
        format!("/complaints/correction?subject={WORKER}"),
        "/complaints/unlicensed".to_owned(),
        "/feeds/disclosures.atom".to_owned(),
        "/feeds/announcements.atom".to_owned(),
        "/sitemap.xml".to_owned(),
        "/static/site.css".to_owned(),
        "/static/near-me.js".to_owned(),
        "/healthz".to_owned(),
        "/readyz".to_owned(),
        "/api/v1/districts".to_owned(),
        "/api/v1/search?q=x".to_owned(),
        format!("/api/v1/workers/{WORKER}"),
        format!("/api/v1/offices/{OFFICE}"),
        format!("/api/v1/verify?license_no={WORKER}"),
        "/api/v1/export/offices.csv".to_owned(),
        "/api/v1/openapi.json".to_owned(),
        "/workers/nope".to_owned(),
    ] {
        let (get_status, get_head, get_body) = raw(&app.address, "GET", &path).await;
        let (status, head, body) = raw(&app.address, "HEAD", &path).await;
        assert_eq!(status, get_status, "HEAD {path}:\n{head}");
        assert!(
            body.is_empty(),
            "HEAD {path} sent a body of {} bytes",
            body.len()
        );
        if get_status.contains(" 200 ") || get_status.contains(" 404 ") {
            assert!(!get_body.is_empty(), "GET {path} has a body");
        }
        assert_eq!(
            header(&head, "content-type"),
            header(&get_head, "content-type"),
            "HEAD {path}"
        );
    }
}

#[actix_web::test]
async fn metrics_need_a_metrics_or_admin_token() {
    let app = TestApp::builder().start().await;
    let get = |token: Option<String>| {
        let mut req = app.client.get(format!("{}/metrics", app.address));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    let resp = get(None).await.unwrap();
    assert_eq!(resp.status(), 401);
    let body = resp.text().await.unwrap();
    assert!(!body.contains("legal_portal_"), "{body}");
    assert_eq!(get(Some("wrong".into())).await.unwrap().status(), 401);
    let import = tokens::create(&mut app.conn(), "clerk", TokenScope::Import).unwrap();
    assert_eq!(get(Some(import)).await.unwrap().status(), 403);
    for (name, scope) in [("prom", TokenScope::Metrics), ("root", TokenScope::Admin)] {
        let token = tokens::create(&mut app.conn(), name, scope).unwrap();
        let resp = get(Some(token)).await.unwrap();
        assert_eq!(resp.status(), 200, "{name}");
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("legal_portal_outbox_backlog")
        );
    }
    // A metrics token does nothing else.
    let prom = tokens::create(&mut app.conn(), "prom2", TokenScope::Metrics).unwrap();
    let resp = app
        .client
        .get(format!("{}/admin/api/compliance", app.address))
        .bearer_auth(prom)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

#[cfg(unix)]
#[actix_web::test]
async fn the_data_folder_and_the_database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    // As an earlier version left them: a 0755 folder and a 0644 database.
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let pg = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .map(|admin| crate::helpers::PgTestDb::create(&admin).unwrap());
    if pg.is_none() {
        let db = data.join("legal-portal.db");
        std::fs::write(&db, "").unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let settings = legal_portal::config::Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: data.clone(),
        database_url: pg.as_ref().map(|p| p.url.clone()),
        today: Some(crate::helpers::today()),
        http_workers: 1,
        pool_size: 2,
        ..Default::default()
    };
    let app = legal_portal::web::Application::build(settings)
        .await
        .expect("the portal starts");
    assert_eq!(mode(&data), 0o700, "the data folder");
    assert_eq!(mode(&data.join("signing.key")), 0o600);
    assert_eq!(mode(&data.join("complaint.key")), 0o600);
    if pg.is_none() {
        for name in [
            "legal-portal.db",
            "legal-portal.db-wal",
            "legal-portal.db-shm",
        ] {
            let path = data.join(name);
            assert!(path.exists(), "{name}");
            assert_eq!(mode(&path), 0o600, "{name}");
        }
        // A new database is private from its first byte.
        let fresh = dir.path().join("fresh");
        let url = fresh.join("new.db").to_string_lossy().into_owned();
        legal_portal::secrets::private_dir(&fresh).unwrap();
        crate::helpers::migrated(&url, |_| {});
        for name in ["new.db", "new.db-wal", "new.db-shm"] {
            let path = fresh.join(name);
            if path.exists() {
                assert_eq!(mode(&path), 0o600, "{name}");
            }
        }
        assert_eq!(mode(&fresh), 0o700);
    }
    app.search().stop();
}

#[actix_web::test]
async fn a_nul_character_in_any_field_is_a_client_error_on_either_backend() {
    // PostgreSQL refuses U+0000 in text; SQLite stores it. Either way the
    // client is told, and nothing is written.
    let app = TestApp::builder().seed(seed).await;
    let admin = tokens::create(&mut app.conn(), "测试管理", TokenScope::Admin).expect("token");
    let import = tokens::create(&mut app.conn(), "测试导入", TokenScope::Import).expect("token");
    let resp = app
        .client
        .post(format!("{}/admin/api/webhooks", app.address))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"url": "http://127.0.0.1:9/", "district_code": "5\u{0}"}))
        .send()
        .await
        .expect("register");
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap_or_default();
    assert!((400..500).contains(&status), "webhook: {status} {body}");
    let resp = app
        .client
        .post(format!(
            "{}/admin/api/import/offices?dry_run=false",
            app.address
        ))
        .bearer_auth(&import)
        .header("Content-Type", "application/json")
        .body(
            serde_json::json!([{"license_no": "31500103009", "name": "新所", "district_code": "5\u{0}",
                "area_kind": "urban", "status": "practising"}])
            .to_string(),
        )
        .send()
        .await
        .expect("import");
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap_or_default();
    assert!((400..500).contains(&status), "import: {status} {body}");
    let resp = app
        .client
        .get(format!("{}/api/v1/offices/31500103009", app.address))
        .send()
        .await
        .expect("office");
    assert_eq!(resp.status().as_u16(), 404, "nothing was written");
}

#[actix_web::test]
async fn a_sitemap_part_past_any_list_is_not_found_however_large() {
    let app = TestApp::builder().seed(seed).await;
    for part in [
        "workers-2",
        "workers-368934881474193",
        "offices-18446744073709551615",
    ] {
        let resp = app.get(&format!("/sitemaps/{part}.xml")).await;
        assert_eq!(resp.status().as_u16(), 404, "{part}");
    }
    let resp = app.get("/sitemaps/workers-1.xml").await;
    assert_eq!(resp.status().as_u16(), 200);
}
