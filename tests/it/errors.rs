use crate::helpers::TestApp;

#[actix_web::test]
async fn an_unknown_page_is_a_404_page_in_the_site_layout() {
    let app = TestApp::builder().start().await;
    let resp = app.get("/no-such-page").await;
    assert_eq!(resp.status(), 404);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let body = resp.text().await.unwrap();
    assert!(body.contains("未找到您要的页面或记录"), "{body}");
    assert!(
        body.contains("href=\"/\""),
        "the 404 page leads home: {body}"
    );
    assert!(body.contains("lang=\"zh-CN\""));
}

#[actix_web::test]
async fn an_unknown_api_address_is_a_json_error() {
    let app = TestApp::builder().start().await;
    let body = app.json("/api/v1/no-such-thing", 404).await;
    assert_eq!(body["error"]["code"], "not_found");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("未找到")
    );
    assert!(body["error"].get("details").is_some());
}

#[actix_web::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::builder().start().await;
    for path in ["/", "/healthz", "/districts", "/api/v1/districts", "/nope"] {
        let resp = app.get(path).await;
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("object-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(h.contains_key("referrer-policy"), "{path}");
        assert!(h.contains_key("x-request-id"), "{path}");
    }
}

#[actix_web::test]
async fn a_missing_profile_names_the_number_in_the_request_language() {
    let app = TestApp::builder().start().await;
    for (path, zh, en) in [
        (
            "/api/v1/workers/45009999999",
            "没有执业证号为 45009999999 的法律服务工作者。",
            "45009999999",
        ),
        (
            "/api/v1/offices/31509999999",
            "没有执业许可证号为 31509999999 的法律服务所。",
            "31509999999",
        ),
    ] {
        let body = app.json(path, 404).await;
        assert_eq!(body["error"]["message"], zh, "{body}");
        let body = app.json(&format!("{path}?lang=en"), 404).await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.is_ascii() && message.contains(en), "{body}");
    }
}
