use crate::helpers::TestApp;

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
