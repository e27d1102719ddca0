//! The page cache: a public answer is rendered once and served again until a
//! write through this process, the indexer, a new day or its lifetime makes
//! it stale; each language and each query has its own answer.

use std::time::Duration;

use diesel::prelude::*;
use legal_portal::db::DbConnection;
use legal_portal::db::schema::workers;
use legal_portal::db::tokens;
use legal_portal::domain::vocab::TokenScope;

use crate::helpers::{TestApp, build, inflate};

pub(crate) const WORKER: &str = "45001030001";
pub(crate) const OFFICE: &str = "31500103001";

pub(crate) fn seed(c: &mut DbConnection) {
    build::district(c, "500103", "渝中区", 588_717, 2000);
    build::office(c, OFFICE, "解放碑街道法律服务所", "500103");
    build::worker(c, WORKER, "张秀英", OFFICE);
    build::review(c, "worker", WORKER, 2025, "competent", None);
}

/// The `hit` and `miss` counts from `/metrics`.
async fn counts(app: &TestApp) -> (u64, u64) {
    let text = app.metrics().await;
    let read = |result: &str| -> u64 {
        let prefix = format!("legal_portal_page_cache_answers{{result=\"{result}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
            .parse::<f64>()
            .unwrap() as u64
    };
    (read("hit"), read("miss"))
}

fn rename(app: &TestApp, name: &str) {
    diesel::update(workers::table.find(WORKER))
        .set(workers::name.eq(name))
        .execute(&mut app.conn())
        .unwrap();
}

#[actix_web::test]
async fn a_profile_is_rendered_once_and_served_again_unchanged() {
    let app = TestApp::builder().seed(seed).await;
    let path = format!("/workers/{WORKER}");
    let first = app.text(&path, 200).await;
    let (hits0, misses0) = counts(&app).await;
    let second = app.text(&path, 200).await;
    let (hits1, misses1) = counts(&app).await;
    assert_eq!(first, second);
    assert_eq!((hits1 - hits0, misses1 - misses0), (1, 0));
    // Headers are kept and the outer layers still apply.
    let res = app.get(&path).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(res.headers().contains_key("content-security-policy"));
    // Another query is another answer.
    let asked = app
        .text(
            &format!("{path}?case_type=civil_litigation&party_a=elsewhere#case-h"),
            200,
        )
        .await;
    assert_ne!(asked, first);
}

#[actix_web::test]
async fn each_language_has_its_own_answer_and_the_cookie_is_still_set() {
    let app = TestApp::builder().seed(seed).await;
    let path = format!("/workers/{WORKER}");
    let zh = app.text(&path, 200).await;
    for _ in 0..2 {
        let res = app.get(&format!("{path}?lang=en")).await;
        assert_eq!(res.status(), 200);
        let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.starts_with("lang=en"), "{cookie}");
        let en = res.text().await.unwrap();
        assert!(en.contains("<html lang=\"en\""), "{en}");
        assert_ne!(en, zh);
    }
    assert_eq!(app.text(&path, 200).await, zh);
}

#[actix_web::test]
async fn an_import_through_the_portal_is_shown_at_once() {
    let app = TestApp::builder().seed(seed).await;
    let path = format!("/api/v1/workers/{WORKER}");
    assert_eq!(app.json(&path, 200).await["name"], "张秀英");
    assert_eq!(app.json(&path, 200).await["name"], "张秀英");
    app.import_csv(
        "workers",
        &format!("执业证号,姓名,执业机构许可证号,状态,首次执业日期\n{WORKER},张秀云,{OFFICE},执业,2015-03-01\n"),
    )
    .await;
    assert_eq!(app.json(&path, 200).await["name"], "张秀云");
}

#[actix_web::test]
async fn a_change_from_another_process_shows_within_the_lifetime() {
    let app = TestApp::builder()
        .settings(|s| s.page_cache_ttl = Duration::from_millis(700))
        .seed(seed)
        .await;
    let path = format!("/api/v1/workers/{WORKER}");
    assert_eq!(app.json(&path, 200).await["name"], "张秀英");
    // Written behind the portal's back, as the `import` command or another
    // portal process would: this process learns of it only by time.
    rename(&app, "张秀云");
    let started = std::time::Instant::now();
    loop {
        let name = app.json(&path, 200).await["name"].clone();
        if name == "张秀云" {
            break;
        }
        assert_eq!(name, "张秀英");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still the old name after the cache's lifetime"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn a_zero_lifetime_turns_the_cache_off() {
    let app = TestApp::builder()
        .settings(|s| s.page_cache_ttl = Duration::ZERO)
        .seed(seed)
        .await;
    let path = format!("/api/v1/workers/{WORKER}");
    assert_eq!(app.json(&path, 200).await["name"], "张秀英");
    rename(&app, "张秀云");
    assert_eq!(app.json(&path, 200).await["name"], "张秀云");
    assert_eq!(counts(&app).await.0, 0);
}

#[actix_web::test]
async fn answers_that_set_a_cookie_or_fail_are_never_kept() {
    let app = TestApp::builder().seed(seed).await;
    // The complaint form sets its CSRF cookie on every visit.
    for _ in 0..2 {
        let res = app.get("/complaints/new").await;
        assert_eq!(res.status(), 200);
        assert!(res.headers()["set-cookie"].to_str().is_ok());
    }
    let missing = "/workers/45009999999";
    app.text(missing, 404).await;
    let (hits, _) = counts(&app).await;
    app.text(missing, 404).await;
    assert_eq!(counts(&app).await.0, hits);
}

#[actix_web::test]
async fn any_successful_admin_write_forgets_kept_answers() {
    let app = TestApp::builder()
        .settings(|s| s.page_cache_ttl = Duration::from_secs(3600))
        .seed(seed)
        .await;
    let path = format!("/api/v1/workers/{WORKER}");
    assert_eq!(app.json(&path, 200).await["name"], "张秀英");
    rename(&app, "张秀云");
    assert_eq!(app.json(&path, 200).await["name"], "张秀英", "kept");
    let url = format!("{}/admin/api/reindex", app.address);
    // A refused write changes nothing, so forgets nothing.
    let refused = app.client.post(&url).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(app.json(&path, 200).await["name"], "张秀英");
    let token = tokens::create(&mut app.conn(), "admin", TokenScope::Admin).unwrap();
    let res = app
        .client
        .post(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(app.json(&path, 200).await["name"], "张秀云");
}

#[actix_web::test]
async fn an_admin_write_spelled_with_percent_escapes_still_forgets_kept_answers() {
    // Without the indexer, only the admin write itself can make the kept
    // answer stale.
    let app = TestApp::builder()
        .settings(|s| s.run_indexer = false)
        .seed(seed)
        .await;
    let path = format!("/api/v1/workers/{WORKER}");
    assert_eq!(app.json(&path, 200).await["name"], "张秀英");
    assert_eq!(app.json(&path, 200).await["name"], "张秀英");
    let token = tokens::create(&mut app.conn(), "clerk", TokenScope::Import).unwrap();
    let res = app
        .client
        .post(format!("{}/%61dmin/api/%69mport/workers", app.address))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(format!(
            "执业证号,姓名,执业机构许可证号,状态,首次执业日期\n{WORKER},张秀云,{OFFICE},执业,2015-03-01\n"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(app.json(&path, 200).await["name"], "张秀云");
}

#[actix_web::test]
async fn a_kept_answer_is_the_same_page_gzipped_or_not_whoever_asks_first() {
    let app = TestApp::builder().seed(seed).await;
    for (path, first) in [
        (format!("/workers/{WORKER}"), "identity"),
        (format!("/api/v1/workers/{WORKER}"), "gzip, deflate, br"),
        (format!("/offices/{OFFICE}"), "gzip"),
    ] {
        let (_, misses0) = counts(&app).await;
        let (status, encoding, body) = app.get_encoded(&path, first).await;
        assert_eq!(status, 200);
        let page = inflate(encoding.as_deref(), &body);
        assert!(
            page.contains("张秀英") || page.contains("解放碑"),
            "{path}: {page}"
        );
        let (hits0, misses1) = counts(&app).await;
        assert_eq!(misses1 - misses0, 1, "{path}: the first visit renders");
        // A browser, a client that takes nothing but the plain page, one
        // that refuses gzip (offered the plain page), one that prefers
        // brotli but takes gzip: the same page each time.
        for (accept, expected) in [
            ("gzip, deflate, br, zstd", Some("gzip")),
            ("identity", None),
            ("gzip;q=0, deflate", None),
            ("br;q=1.0, gzip;q=0.5", Some("gzip")),
        ] {
            let (status, encoding, body) = app.get_encoded(&path, accept).await;
            assert_eq!(status, 200);
            assert_eq!(encoding.as_deref(), expected, "{path} for {accept}");
            assert_eq!(
                inflate(encoding.as_deref(), &body),
                page,
                "{path} for {accept}"
            );
        }
        let (hits1, misses2) = counts(&app).await;
        assert_eq!(
            (hits1 - hits0, misses2 - misses1),
            (4, 0),
            "{path}: served as kept"
        );
    }
    // Without any Accept-Encoding, as the tests' own client asks: plain.
    let plain = app.text(&format!("/workers/{WORKER}"), 200).await;
    assert!(plain.contains("张秀英"));
}
