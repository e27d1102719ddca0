//! Meilisearch unreachable (connection refused on a closed local port — the
//! real failure mode, no stand-in server): the portal starts, search falls
//! back to the database with a notice, `/readyz` says so without pulling
//! the portal, complaints and profiles keep working, and the outbox keeps
//! every change.

use std::time::Duration;

use legal_portal::db::outbox;
use legal_portal::domain::vocab::SubjectKind;

use crate::complaints::{OFFICE, WORKER, body, file_by_api, subjects};
use crate::helpers::TestApp;
use crate::search::Meili;

/// An address where nothing listens: a port the OS gave us, then closed.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[actix_web::test]
async fn with_meilisearch_down_the_portal_degrades_but_serves() {
    let meili = Meili {
        url: closed_port(),
        key: Some("a-master-key-for-a-dead-server".into()),
        prefix: "down_".into(),
    };
    let app = TestApp::builder().meili(Some(meili)).seed(subjects).await;

    // The page: a notice, and the worker found by part of her name.
    let page = app.text("/search?q=%E5%BC%A0%E7%A7%80", 200).await;
    assert!(page.contains("搜索服务暂时不可用"), "{page}");
    assert!(page.contains(&format!("/workers/{WORKER}")), "{page}");
    // Without the engine there is no match for an unrelated name.
    let none = app.text("/search?q=%E6%9D%8E%E5%9B%9B", 200).await;
    assert!(none.contains("没有找到结果"), "{none}");

    // The API: the same answer, flagged; the license number finds the office.
    let v = app.json(&format!("/api/v1/search?q={OFFICE}"), 200).await;
    assert_eq!(v["degraded"], true, "{v}");
    assert_eq!(v["backend"], "database", "{v}");
    assert_eq!(v["hits"][0]["license_no"], OFFICE, "{v}");
    // Filters still apply: workers only.
    let v = app.json("/api/v1/search?type=worker", 200).await;
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["hits"][0]["license_no"], WORKER, "{v}");

    // Readiness: degraded, not unready.
    let v = app.json("/readyz", 200).await;
    assert_eq!(v["status"], "degraded", "{v}");
    assert_eq!(v["checks"]["search"], "unreachable", "{v}");
    assert_eq!(v["checks"]["database"], "ok", "{v}");

    // A complaint files; a profile shows.
    let (tracking, _code) = file_by_api(&app, &body("赵六", "13900001111")).await;
    assert!(!tracking.is_empty());
    let profile = app.text(&format!("/workers/{WORKER}"), 200).await;
    assert!(profile.contains("张秀英"));
    app.text(&format!("/offices/{OFFICE}"), 200).await;

    // A change waits in the outbox; the indexer tries and keeps it.
    let mut conn = app.conn();
    outbox::enqueue(&mut conn, SubjectKind::Worker, &[WORKER.to_owned()]).unwrap();
    let before = app.conn_outbox_due();
    assert!(before >= 1);
    actix_web::rt::time::sleep(Duration::from_millis(2600)).await;
    assert_eq!(
        app.conn_outbox_due(),
        before,
        "outbox rows were dropped while the engine was down"
    );
}

#[actix_web::test]
async fn the_database_answer_filters_workers_by_district_before_its_candidate_limit() {
    let meili = Meili {
        url: closed_port(),
        key: None,
        prefix: "down_".into(),
    };
    let app = TestApp::builder()
        .meili(Some(meili))
        .seed(|c| {
            subjects(c);
            // More workers elsewhere than the fallback looks at, all with
            // license numbers ordered before the one in 渝中区.
            use crate::helpers::build;
            build::district(c, "500112", "渝北区", 2_190_000, 1500);
            build::office(c, "31500112001", "双凤桥街道法律服务所", "500112");
            diesel::Connection::transaction::<_, diesel::result::Error, _>(c, |c| {
                for i in 0..=legal_portal::search::fallback::MAX_CANDIDATES {
                    build::worker(c, &format!("4000{i:07}"), "李某", "31500112001");
                }
                Ok(())
            })
            .unwrap();
        })
        .await;
    let v = app
        .json("/api/v1/search?type=worker&district=500103", 200)
        .await;
    assert_eq!(v["degraded"], true, "{v}");
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["hits"][0]["license_no"], WORKER, "{v}");
}

#[actix_web::test]
async fn a_search_lag_behind_a_down_meilisearch_degrades_but_does_not_pull_the_portal() {
    // Every portal shares the engine: a lag it causes must not make every
    // portal unready at once (docs/operations.md, "The search lag bound").
    let meili = Meili {
        url: closed_port(),
        key: Some("a-master-key-for-a-dead-server".into()),
        prefix: "down_".into(),
    };
    let app = TestApp::builder()
        .meili(Some(meili))
        .settings(|s| s.readiness_max_lag = Duration::from_secs(60))
        .seed(subjects)
        .await;
    outbox::enqueue_at(
        &mut app.conn(),
        SubjectKind::Worker,
        &[WORKER.to_owned()],
        outbox::now() - chrono::TimeDelta::minutes(10),
    )
    .expect("an overdue outbox row");
    let v = app.json("/readyz", 200).await;
    assert_eq!(v["status"], "degraded", "{v}");
    assert_eq!(v["checks"]["search"], "unreachable", "{v}");
    let age = v["checks"]["outbox_oldest_due_age_seconds"]
        .as_i64()
        .expect("age");
    assert!(age >= 600, "{v}");
    assert!(
        v["reason"]
            .as_str()
            .is_some_and(|r| r.contains("搜索索引滞后")),
        "{v}"
    );
}
