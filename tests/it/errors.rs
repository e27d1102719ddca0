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

#[actix_web::test]
async fn a_method_an_address_does_not_take_is_an_error_with_its_code() {
    let app = TestApp::builder().start().await;
    for (method, path) in [
        (reqwest::Method::GET, "/api/v1/complaints"),
        (reqwest::Method::PUT, "/api/v1/corrections"),
        (reqwest::Method::POST, "/api/v1/workers/45001030001/history"),
    ] {
        for (lang, says) in [("zh-CN", "请求方法"), ("en", "request method")] {
            let resp = app
                .client
                .request(method.clone(), format!("{}{path}", app.address))
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 405, "{method} {path}");
            let v: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(
                v["error"]["code"], "method_not_allowed",
                "{method} {path}: {v}"
            );
            assert!(
                v["error"]["message"].as_str().unwrap().contains(says),
                "{lang}: {v}"
            );
        }
    }
    // A page address: the error page, in the site's layout.
    let resp = app
        .client
        .delete(format!("{}/complaints/new", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    let body = resp.text().await.unwrap();
    assert!(
        body.contains("该地址不接受这种请求方法") && body.contains("href=\"/\""),
        "{body}"
    );
}

#[actix_web::test]
async fn request_ids_are_this_process_s_own_or_a_trusted_balancer_s() {
    let id = |resp: &reqwest::Response| resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    let app = TestApp::builder().start().await;
    let a = id(&app.get("/healthz").await);
    let b = id(&app.get("/healthz").await);
    assert_ne!(a, b);
    let (mark, n) = a.split_once('-').expect("mark-count");
    assert_eq!(mark.len(), 8, "{a}");
    assert!(
        mark.bytes().all(|c| c.is_ascii_hexdigit()) && n.parse::<u64>().is_ok(),
        "{a}"
    );
    assert!(b.starts_with(mark), "one process, one mark: {a} {b}");
    // A client's own id is not taken unless a trusted balancer sends it.
    let sent = |app: &TestApp| {
        app.client
            .get(format!("{}/healthz", app.address))
            .header("x-request-id", "lb-7f3a-0042")
            .send()
    };
    assert_ne!(id(&sent(&app).await.unwrap()), "lb-7f3a-0042");
    let behind = TestApp::builder()
        .settings(|s| s.scraper_rates.trust_forwarded_for = true)
        .start()
        .await;
    assert_eq!(id(&sent(&behind).await.unwrap()), "lb-7f3a-0042");
}
