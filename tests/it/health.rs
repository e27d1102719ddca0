use chrono::TimeDelta;
use legal_portal::db::outbox;
use legal_portal::domain::vocab::SubjectKind;

use crate::helpers::TestApp;

/// Puts `n` worker rows into the search outbox, due `from_now` from now
/// (negative: overdue), as the import and the indexer's schedule would.
fn outbox_rows(conn: &mut legal_portal::db::DbConnection, n: usize, from_now: TimeDelta) {
    let keys: Vec<String> = (0..n).map(|i| format!("4500101{i:06}")).collect();
    outbox::enqueue_at(conn, SubjectKind::Worker, &keys, outbox::now() + from_now)
        .expect("insert outbox rows");
}

/// A number from the Prometheus text, by its full series name.
fn metric(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {series} in:\n{text}"))
}

#[actix_web::test]
async fn healthz_answers_ok_over_tcp() {
    let app = TestApp::builder().start().await;
    let body = app.text("/healthz", 200).await;
    assert_eq!(body, "ok");
}

#[actix_web::test]
async fn readyz_reports_the_database_and_the_outbox() {
    let app = TestApp::builder().start().await;
    let body = app.json("/readyz", 200).await;
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["outbox_backlog"], 0);
}

#[actix_web::test]
async fn metrics_count_requests_by_route_not_by_raw_path() {
    let app = TestApp::builder().start().await;
    app.text("/workers/45001", 404).await;
    app.text("/workers/45002", 404).await;
    app.text("/no/such/page", 404).await;
    let text = app.metrics().await;
    let series = "method=\"GET\",route=\"/workers/{license_no}\",status=\"404\"";
    assert!(
        text.contains(&format!(
            "legal_portal_http_request_duration_seconds_count{{{series}}} 2"
        )),
        "two profile requests under one route series:\n{text}"
    );
    assert!(!text.contains("45001"), "raw paths never become labels");
    assert!(text.contains("route=\"unmatched\""), "{text}");
    assert!(text.contains("legal_portal_outbox_backlog 0"), "{text}");
}

#[actix_web::test]
async fn metrics_time_searches_by_the_backend_that_answered() {
    let app = TestApp::builder().start().await;
    app.json("/api/v1/search?q=%E5%BC%A0", 200).await;
    app.text("/search?q=%E6%9D%8E", 200).await;
    let text = app.metrics().await;
    assert_eq!(
        metric(
            &text,
            "legal_portal_search_duration_seconds_count{backend=\"embedded\"}"
        ),
        2.0,
        "one API search and one search page:\n{text}"
    );
}

#[actix_web::test]
async fn readyz_ignores_rows_scheduled_for_later_standing_changes() {
    // The nation keeps tens of thousands of rows scheduled for the day a
    // subject's standing changes with time alone; they are not a backlog.
    let app = TestApp::builder()
        .seed(|c| outbox_rows(c, 20_000, TimeDelta::days(30)))
        .await;
    let started = std::time::Instant::now();
    let body = app.json("/readyz", 200).await;
    eprintln!(
        "/readyz over 20,000 scheduled rows: {:?}",
        started.elapsed()
    );
    assert_eq!(body["status"], "ready", "{body}");
    assert_eq!(body["checks"]["outbox_backlog"], 0, "{body}");
    assert_eq!(body["checks"]["outbox_oldest_due_age_seconds"], 0, "{body}");
    assert_eq!(body["checks"]["outbox_max_lag_seconds"], 300, "{body}");
    assert!(body["reason"].is_null(), "{body}");
    let text = app.metrics().await;
    assert_eq!(metric(&text, "legal_portal_outbox_backlog"), 0.0);
    assert_eq!(metric(&text, "legal_portal_outbox_scheduled"), 20_000.0);
}

#[actix_web::test]
async fn readyz_is_503_when_the_oldest_due_row_waited_past_the_bound() {
    // The indexer is off, so nothing drains the rows due ten minutes ago
    // (put in after start-up, which catches the outbox up once).
    let app = TestApp::builder()
        .settings(|s| s.run_indexer = false)
        .start()
        .await;
    app.json("/readyz", 200).await;
    outbox_rows(&mut app.conn(), 3, -TimeDelta::minutes(10));
    let body = app.json("/readyz", 503).await;
    assert_eq!(body["status"], "not_ready", "{body}");
    assert_eq!(body["checks"]["database"], "ok", "{body}");
    assert_eq!(body["checks"]["outbox_backlog"], 3, "{body}");
    let age = body["checks"]["outbox_oldest_due_age_seconds"]
        .as_i64()
        .expect("age in seconds");
    assert!((600..700).contains(&age), "{body}");
    let reason = body["reason"].as_str().expect("a reason");
    assert!(reason.contains("搜索索引滞后"), "{reason}");
    assert!(reason.contains("上限 300 秒"), "{reason}");
    // In the asker's language.
    let resp = app
        .client
        .get(format!("{}/readyz", app.address))
        .header("Accept-Language", "en")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 503);
    let body: serde_json::Value = resp.json().await.expect("JSON");
    let reason = body["reason"].as_str().expect("a reason");
    assert!(reason.starts_with("Search is behind"), "{reason}");

    let text = app.metrics().await;
    assert_eq!(metric(&text, "legal_portal_outbox_backlog"), 3.0);
    let age = metric(&text, "legal_portal_outbox_oldest_due_age_seconds");
    assert!((600.0..700.0).contains(&age), "{text}");
}

#[actix_web::test]
async fn readyz_stays_ready_while_due_rows_are_younger_than_the_bound() {
    // Many rows due at once (a large import) are not a reason to pull the
    // portal: only their age is.
    let app = TestApp::builder()
        .settings(|s| {
            s.run_indexer = false;
            s.readiness_max_lag = std::time::Duration::from_secs(3600);
        })
        .start()
        .await;
    outbox_rows(&mut app.conn(), 12_000, -TimeDelta::minutes(10));
    let body = app.json("/readyz", 200).await;
    assert_eq!(body["status"], "ready", "{body}");
    assert_eq!(body["checks"]["outbox_backlog"], 12_000, "{body}");
    assert_eq!(body["checks"]["outbox_max_lag_seconds"], 3600, "{body}");
}

#[actix_web::test]
async fn readyz_is_503_with_a_reason_when_the_database_is_gone() {
    let app = TestApp::builder().start().await;
    app.json("/readyz", 200).await;
    // Break the database under the running portal: its queries fail.
    {
        use diesel::RunQueryDsl;
        let mut conn = app.conn();
        diesel::sql_query("DROP TABLE search_outbox")
            .execute(&mut conn)
            .expect("drop the outbox table");
    }
    let body = app.json("/readyz", 503).await;
    assert_eq!(body["status"], "not_ready", "{body}");
    assert_eq!(body["checks"]["database"], "unreachable", "{body}");
    assert_eq!(body["reason"], "数据库无响应。", "{body}");
}

#[actix_web::test]
async fn a_lag_is_every_portal_s_degraded_state_while_the_drainer_fails_or_a_rebuild_runs() {
    use legal_portal::db::meta;
    // This portal does not drain (another does, or would): its own indexer
    // is "ok" and knows nothing of the drainer's failures.
    let app = TestApp::builder()
        .settings(|s| s.run_indexer = false)
        .start()
        .await;
    outbox_rows(&mut app.conn(), 3, -TimeDelta::minutes(10));
    app.json("/readyz", 503).await;

    // The drainer records that its drains keep failing: the lag is the
    // shared engine's trouble, degraded on every portal, not a 503.
    let now = chrono::Utc::now().naive_utc();
    meta::drain_failed(&mut app.conn(), now).unwrap();
    let body = app.json("/readyz", 200).await;
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(body["checks"]["indexer"], "failing", "{body}");
    // A record left by a drainer that died long ago does not count.
    meta::drain_failed(&mut app.conn(), now - TimeDelta::minutes(5)).unwrap();
    app.json("/readyz", 503).await;
    meta::drain_recovered(&mut app.conn()).unwrap();

    // A rebuild runs on some portal: the drains wait for it.
    assert_eq!(meta::claim_rebuild(&mut app.conn(), now).unwrap(), None);
    let body = app.json("/readyz", 200).await;
    assert_eq!(body["checks"]["indexer"], "rebuilding", "{body}");
    meta::release_rebuild(&mut app.conn()).unwrap();
    app.json("/readyz", 503).await;
}
