use super::{WORKER, body, file_by_api, subjects};
use crate::helpers::TestApp;

async fn follow(
    app: &TestApp,
    tracking: &str,
    code: Option<&str>,
) -> (u16, String, serde_json::Value) {
    let mut req = app
        .client
        .get(format!("{}/api/v1/complaints/{tracking}", app.address));
    if let Some(code) = code {
        req = req.header("x-access-code", code);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let cache = resp
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, cache, resp.json().await.unwrap())
}

#[actix_web::test]
async fn an_integration_files_and_follows_a_complaint() {
    let app = TestApp::builder().seed(subjects).await;
    let resp = app
        .client
        .post(format!("{}/api/v1/complaints", app.address))
        .json(&body("李四", "13812345678"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let v: serde_json::Value = resp.json().await.unwrap();
    let tracking = v["tracking_no"].as_str().unwrap().to_owned();
    let code = v["access_code"].as_str().unwrap().to_owned();
    assert!(tracking.starts_with("TS20261128"));

    let (status, cache, view) = follow(&app, &tracking, Some(&code.to_lowercase())).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(cache, "no-store");
    assert_eq!(view["tracking_no"], tracking.as_str());
    assert_eq!(view["status"], "submitted");
    assert_eq!(view["subject_license_no"], WORKER);
    assert_eq!(view["subject_name"], "张秀英");
    assert_eq!(view["category"], "fees");
    assert_eq!(view["timeline"][0]["stage"], "submitted");
    assert_eq!(view["timeline"][0]["on"], "2026-11-28");
    assert_eq!(view["timeline"][1]["stage"], "accepted");
    assert_eq!(view["timeline"][1]["on"], serde_json::Value::Null);
    assert_eq!(view["timeline"][1]["due_by"], "2026-12-05");
    assert_eq!(view["overdue"], false);
    let text = view.to_string();
    assert!(!text.contains("李四") && !text.contains("13812345678"));
    assert!(!text.contains("description"), "the text is not echoed");

    let (status, _, err) = follow(&app, &tracking, None).await;
    assert_eq!(status, 401);
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("X-Access-Code")
    );
    let (status, _, _) = follow(&app, &tracking, Some("ABCD-EFGH-JKMN-PQRS")).await;
    assert_eq!(status, 404, "a wrong code finds nothing");
}

#[actix_web::test]
async fn bad_fields_are_listed_in_chinese_and_nothing_is_filed() {
    let app = TestApp::builder().seed(subjects).await;
    let mut b = body("", "12345");
    b["category"] = "bribery".into();
    b["description"] = "x".repeat(2001).into();
    let resp = app
        .client
        .post(format!("{}/api/v1/complaints", app.address))
        .json(&b)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["code"], "bad_request");
    let fields = &v["error"]["details"]["fields"];
    for f in [
        "category",
        "description",
        "complainant_name",
        "complainant_phone",
    ] {
        assert!(fields[f].is_string(), "{f} not flagged: {v}");
    }
    assert!(fields["description"].as_str().unwrap().contains("2000"));

    let mut b = body("李四", "13812345678");
    b["subject_license_no"] = "99999999999".into();
    let resp = app
        .client
        .post(format!("{}/api/v1/complaints", app.address))
        .json(&b)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert!(v["error"]["details"]["fields"]["subject_license_no"].is_string());

    let resp = app
        .client
        .post(format!("{}/api/v1/complaints", app.address))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);

    let n: i64 = {
        use diesel::prelude::*;
        legal_portal::db::schema::complaints::table
            .count()
            .get_result(&mut app.conn())
            .unwrap()
    };
    assert_eq!(n, 0);
    file_by_api(&app, &body("李四", "13812345678")).await;
}

#[actix_web::test]
async fn an_oversized_body_is_refused_in_chinese() {
    let app = TestApp::builder().seed(subjects).await;
    let mut b = body("李四", "13812345678");
    b["description"] = "多".repeat(30_000).into();
    let resp = app
        .client
        .post(format!("{}/api/v1/complaints", app.address))
        .json(&b)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["code"], "payload_too_large");
    assert!(v["error"]["message"].as_str().unwrap().contains("过长"));
}

#[actix_web::test]
async fn control_characters_in_complaint_text_and_bidi_controls_in_names_are_refused() {
    let app = TestApp::builder()
        .settings(|s| {
            s.complaints.submit_rate =
                legal_portal::web::rate_limit::Rate::parse("1000/h").expect("rate");
        })
        .seed(subjects)
        .await;
    let cases = [
        (
            "description",
            "代理一起借款纠纷，收费\u{0}超出约定标准三倍，且拒绝开具发票。",
            "U+0000",
        ),
        (
            "description",
            "代理一起借款纠纷，收费\u{1}超出约定标准三倍，且拒绝开具发票。",
            "U+0001",
        ),
        ("desired_outcome", "退还\u{b}多收的费用", "U+000B"),
        (
            "description",
            "代理一起借款纠纷，收费超出约定标准三倍，且拒绝开具发票\u{fffe}。",
            "U+FFFE",
        ),
        ("complainant_name", "李\u{202e}四", "U+202E"),
        ("complainant_name", "李\u{2069}四", "U+2069"),
    ];
    for (field, value, named) in cases {
        for (lang, word) in [("zh", "字符"), ("en", "character")] {
            let mut b = body("李四", "13812345678");
            b[field] = value.into();
            let resp = app
                .client
                .post(format!("{}/api/v1/complaints?lang={lang}", app.address))
                .json(&b)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 400, "{field} {named}");
            let v: serde_json::Value = resp.json().await.unwrap();
            let message = v["error"]["details"]["fields"][field]
                .as_str()
                .unwrap_or_else(|| panic!("{field} not flagged: {v}"));
            assert!(
                message.contains(named) && message.contains(word),
                "{lang}: {message}"
            );
        }
    }
    let mut b = body("李四", "13812345678");
    b["description"] =
        "第一行：代理一起借款纠纷，收费超出约定标准三倍。\r\n第二行：\t拒绝开具发票。".into();
    file_by_api(&app, &b).await;
    let n: i64 = {
        use diesel::prelude::*;
        legal_portal::db::schema::complaints::table
            .count()
            .get_result(&mut app.conn())
            .unwrap()
    };
    assert_eq!(
        n, 1,
        "only the complaint with line breaks and a tab was filed"
    );
}

#[actix_web::test]
async fn an_english_client_is_told_every_field_problem_in_english() {
    let app = TestApp::builder().seed(subjects).await;
    let mut b = body("", "12345");
    b["category"] = "bribery".into();
    b["occurred_on"] = "2099-01-01".into();
    b["description"] = "x".repeat(2001).into();
    let mut fields = Vec::new();
    for lang in ["zh-CN", "en"] {
        let resp = app
            .client
            .post(format!("{}/api/v1/complaints", app.address))
            .header("accept-language", lang)
            .json(&b)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
        let v: serde_json::Value = resp.json().await.unwrap();
        fields.push(v["error"]["details"]["fields"].clone());
    }
    let (zh, en) = (&fields[0], &fields[1]);
    for f in [
        "category",
        "description",
        "occurred_on",
        "complainant_name",
        "complainant_phone",
    ] {
        let (zh, en) = (zh[f].as_str().unwrap(), en[f].as_str().unwrap());
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{f} in Chinese for a Chinese client: {zh}"
        );
        assert!(
            !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) && !en.is_empty(),
            "{f} in English for an English client: {en}"
        );
    }
    assert!(en["description"].as_str().unwrap().contains("2000"));
    assert!(en["category"].as_str().unwrap().contains("category"));

    // A mistyped tracking number, said in the client's language.
    let resp = app
        .client
        .get(format!("{}/api/v1/complaints/TS123", app.address))
        .header("accept-language", "en")
        .header("x-access-code", "ABCD-EFGH-JKMN-PQRS")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let v: serde_json::Value = resp.json().await.unwrap();
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("tracking number") && message.contains("19"),
        "{message}"
    );
}

/// POSTs a complaint with an `Idempotency-Key`: status, whether the answer
/// says it is a replay, and the body.
async fn file_with_key(
    app: &TestApp,
    key: &str,
    json: &serde_json::Value,
    lang: &str,
) -> (u16, bool, serde_json::Value) {
    let resp = app
        .client
        .post(format!("{}/api/v1/complaints", app.address))
        .header("idempotency-key", key)
        .header("accept-language", lang)
        .json(json)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let replayed = resp
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true");
    (status, replayed, resp.json().await.unwrap())
}

fn complaints_filed(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    legal_portal::db::schema::complaints::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_request_sent_again_with_its_idempotency_key_files_once() {
    let app = TestApp::builder()
        .settings(|s| s.complaints.submit_rate = legal_portal::config::Rate::per_hour(1000))
        .seed(subjects)
        .await;
    let json = body("李四", "13812345678");
    let key = "7f8c2a64-1b0e-4c39-9d5e-2f4b8a6c1e03";
    let (status, replayed, first) = file_with_key(&app, key, &json, "zh-CN").await;
    assert_eq!((status, replayed), (201, false), "{first}");
    let (status, replayed, again) = file_with_key(&app, key, &json, "zh-CN").await;
    assert_eq!((status, replayed), (201, true), "{again}");
    assert_eq!(again, first, "the same receipt, access code included");
    assert_eq!(complaints_filed(&app), 1);
    let code = first["access_code"].as_str().unwrap();
    let (status, _, view) = follow(&app, first["tracking_no"].as_str().unwrap(), Some(code)).await;
    assert_eq!(status, 200, "the code given again opens it: {view}");

    // The same key with another body, another key, or no key: filed anew.
    let mut other = json.clone();
    other["desired_outcome"] = "书面道歉".into();
    let (status, replayed, changed) = file_with_key(&app, key, &other, "zh-CN").await;
    assert_eq!((status, replayed), (201, false), "{changed}");
    assert_ne!(changed["tracking_no"], first["tracking_no"]);
    let (_, replayed, _) = file_with_key(&app, "another-key", &json, "zh-CN").await;
    assert!(!replayed);
    file_by_api(&app, &json).await;
    file_by_api(&app, &json).await;
    assert_eq!(complaints_filed(&app), 5, "no key, no deduplication");

    // A key that is not 1 to 255 visible ASCII characters is refused, in
    // the client's language, and files nothing.
    for bad in ["", "with space", &"k".repeat(256)] {
        for (lang, says) in [
            ("zh-CN", "可见 ASCII 字符"),
            ("en", "visible ASCII characters"),
        ] {
            let (status, _, err) = file_with_key(&app, bad, &json, lang).await;
            assert_eq!(status, 400, "{bad:?}: {err}");
            assert_eq!(err["error"]["code"], "bad_request");
            let message = err["error"]["message"].as_str().unwrap();
            assert!(message.contains(says), "{lang}: {message}");
        }
    }
    let (status, _, _) = file_with_key(&app, &"k".repeat(255), &json, "zh-CN").await;
    assert_eq!(status, 201, "255 characters are taken");
    assert_eq!(complaints_filed(&app), 6);
}
