//! The complaint desk's two other reports (docs/complaints.md): 报告信息有误
//! (`/complaints/correction`, `POST /api/v1/corrections`) and 举报无证执业
//! (`/complaints/unlicensed`, `POST /api/v1/reports`): filed from the page
//! and the API into the complaint queue, followed by tracking number,
//! listed for the bureau (district limit included), refused when wrong
//! with nothing stored, limited and protected like complaints, and their
//! contact never on a public page or in the log.

use diesel::prelude::*;
use legal_portal::db::schema::{complaint_reports, complaints};
use legal_portal::db::{DbConnection, tokens};
use legal_portal::domain::vocab::TokenScope;

use crate::complaints::form::{open_form, post_form};
use crate::complaints::{
    KEY, OFFICE, WORKER, between, capture_logs, captured_logs, mobile_numbers, subjects,
};
use crate::helpers::{TestApp, build};

const OTHER_OFFICE: &str = "31500101001";
const OTHER_WORKER: &str = "45001010001";

/// Two districts, each with an office and a worker.
fn two_districts(c: &mut DbConnection) {
    subjects(c);
    build::district(c, "500101", "万州区", 1_563_050, 2000);
    build::office(c, OTHER_OFFICE, "万州区高笋塘法律服务所", "500101");
    build::worker(c, OTHER_WORKER, "陈光明", OTHER_OFFICE);
}

fn keyed(s: &mut legal_portal::config::Settings) {
    s.complaints.key = Some(KEY.into());
}

const CORRECTION: &[(&str, &str)] = &[
    ("subject_license_no", WORKER),
    ("description", "执业机构已变更，页面仍显示原法律服务所。"),
    ("contact_name", "赵六"),
    ("contact_phone", "13711112222"),
];

const UNLICENSED: &[(&str, &str)] = &[
    ("place", "渝中区八一路 12 号二楼"),
    ("name_used", "王建国"),
    (
        "description",
        "自称法律服务工作者，代写诉状收费五千元，没有出示执业证。",
    ),
    ("occurred_on", "2026-11-20"),
    ("contact_name", "钱七"),
    ("contact_phone", "15022223333"),
];

fn count(app: &TestApp) -> i64 {
    complaints::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

fn kinds(app: &TestApp) -> Vec<(String, String, String)> {
    complaints::table
        .inner_join(complaint_reports::table)
        .order(complaints::id)
        .select((
            complaint_reports::kind,
            complaints::subject_license_no,
            complaint_reports::place,
        ))
        .load(&mut app.conn())
        .unwrap()
}

/// Files through a form page; the tracking number and access code from
/// the receipt.
async fn file_by_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (String, String) {
    let (_, session) = open_form(app, path).await;
    let (status, headers, receipt) = post_form(app, path, Some(&session), fields, &[]).await;
    assert_eq!(status, 200, "filing at {path}: {receipt}");
    assert_eq!(headers["cache-control"], "no-store");
    (
        between(&receipt, "id=\"tracking_no\">", "<")
            .unwrap()
            .to_owned(),
        between(&receipt, "id=\"access_code\">", "<")
            .unwrap()
            .to_owned(),
    )
}

async fn post_json(
    app: &TestApp,
    path: &str,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let resp = app
        .client
        .post(format!("{}{path}", app.address))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    assert_eq!(resp.headers()["cache-control"], "no-store", "{path}");
    (status, resp.json().await.unwrap())
}

fn json_of(fields: &[(&str, &str)]) -> serde_json::Value {
    fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

async fn status_page(app: &TestApp, tracking: &str, code: &str) -> (u16, String) {
    let (status, _, page) = post_form(
        app,
        "/complaints/status",
        None,
        &[("tracking_no", tracking), ("access_code", code)],
        &[],
    )
    .await;
    (status, page)
}

#[actix_web::test]
async fn a_resident_reports_wrong_information_from_a_profile_and_follows_it() {
    let app = TestApp::builder().seed(subjects).await;
    for (profile, subject) in [
        (format!("/workers/{WORKER}"), WORKER),
        (format!("/offices/{OFFICE}"), OFFICE),
    ] {
        let page = app.text(&profile, 200).await;
        assert!(
            page.contains(&format!(
                "href=\"/complaints/correction?subject={subject}\">报告信息有误</a>"
            )),
            "{profile} links to the form"
        );
    }
    let (form, _) = open_form(&app, &format!("/complaints/correction?subject={WORKER}")).await;
    assert!(
        form.contains("信息有误的对象：<strong>张秀英</strong>"),
        "{form}"
    );
    assert!(form.contains(&format!("value=\"{WORKER}\"")), "prefilled");

    let (tracking, code) = file_by_form(&app, "/complaints/correction", CORRECTION).await;
    assert!(tracking.starts_with("TS20261128") && tracking.len() == 19);
    assert_eq!(
        kinds(&app),
        vec![("correction".to_owned(), WORKER.to_owned(), String::new())]
    );

    let (status, page) = status_page(&app, &tracking, &code).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("报告信息有误") && page.contains("已提交"),
        "{page}"
    );
    assert!(page.contains("张秀英"), "the subject is named: {page}");
    assert!(
        page.contains("2026-12-05"),
        "the acceptance deadline: {page}"
    );

    // The same number and code through the API.
    let resp = app
        .client
        .get(format!("{}/api/v1/complaints/{tracking}", app.address))
        .header("x-access-code", &code)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["kind"], "correction");
    assert_eq!(v["kind_label"], "报告信息有误");
    assert_eq!(v["subject_license_no"], WORKER);
    assert_eq!(v["status"], "submitted");

    // And in English, the page the same.
    let en = app
        .text(
            &format!("/complaints/correction?subject={OFFICE}&lang=en"),
            200,
        )
        .await;
    assert!(en.contains("Report wrong information"), "{en}");
    assert!(en.contains("<strong>解放碑街道法律服务所</strong>"), "{en}");
}

#[actix_web::test]
async fn unlicensed_practice_is_reported_by_form_and_api_naming_no_one_in_the_register() {
    let app = TestApp::builder().seed(subjects).await;
    let complaint_form = app.text("/complaints/new", 200).await;
    assert!(
        complaint_form.contains("href=\"/complaints/unlicensed\">举报无证执业</a>"),
        "the complaint page links to it"
    );
    let (form, _) = open_form(
        &app,
        "/complaints/unlicensed?name=%E7%8E%8B%E5%BB%BA%E5%9B%BD",
    )
    .await;
    assert!(
        form.contains("value=\"王建国\""),
        "the name prefilled: {form}"
    );
    assert!(form.contains("不得在住所外另设办公场所"), "{form}");

    let (tracking, code) = file_by_form(&app, "/complaints/unlicensed", UNLICENSED).await;
    let (status, page) = status_page(&app, &tracking, &code).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("举报无证执业") && page.contains("已提交"),
        "{page}"
    );
    assert!(
        !page.contains("八一路"),
        "the report's text stays with the bureau"
    );

    // The API, with only the required fields.
    let (status, v) = post_json(
        &app,
        "/api/v1/reports",
        &serde_json::json!({
            "place": "万州区某小区门口的流动摊位",
            "description": "挂牌“法律咨询”，代理离婚案件收费，没有执业证。",
        }),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let no = v["tracking_no"].as_str().unwrap();
    assert_eq!(v["status_url"], format!("/api/v1/complaints/{no}"));
    let resp = app
        .client
        .get(format!("{}/api/v1/complaints/{no}", app.address))
        .header("x-access-code", v["access_code"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let followed: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(followed["kind"], "unlicensed");
    assert_eq!(followed["subject_license_no"], "");
    assert_eq!(followed["category"], "unlicensed_practice");

    let rows = kinds(&app);
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|(k, s, _)| k == "unlicensed" && s.is_empty())
    );
    assert_eq!(rows[0].2, "渝中区八一路 12 号二楼");
    let contacts: Vec<Option<Vec<u8>>> = complaints::table
        .order(complaints::id)
        .select(complaints::contact_ciphertext)
        .load(&mut app.conn())
        .unwrap();
    assert!(contacts[0].is_some(), "a given contact is sealed");
    assert!(contacts[1].is_none(), "none given, none stored");
}

#[actix_web::test]
async fn corrections_by_api_and_refusals_that_store_nothing() {
    // Refusals count against the filing limit too: lift it.
    let app = TestApp::builder()
        .settings(|s| {
            s.complaints.submit_rate =
                legal_portal::web::rate_limit::Rate::parse("1000/h").expect("rate");
        })
        .seed(subjects)
        .await;
    let (status, v) = post_json(
        &app,
        "/api/v1/corrections",
        &serde_json::json!({"subject_license_no": format!(" {OFFICE} "), "description": "办公地址已搬迁到民族路 88 号。"}),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(count(&app), 1);

    let long = "错".repeat(1001);
    for (path, body, field) in [
        (
            "/api/v1/corrections",
            serde_json::json!({"subject_license_no": WORKER}),
            "description",
        ),
        (
            "/api/v1/corrections",
            serde_json::json!({"subject_license_no": WORKER, "description": "  "}),
            "description",
        ),
        (
            "/api/v1/corrections",
            serde_json::json!({"subject_license_no": WORKER, "description": long}),
            "description",
        ),
        (
            "/api/v1/corrections",
            serde_json::json!({"description": "电话号码已停用。"}),
            "subject_license_no",
        ),
        (
            "/api/v1/corrections",
            serde_json::json!({"subject_license_no": "45009999999", "description": "电话号码已停用。"}),
            "subject_license_no",
        ),
        (
            "/api/v1/corrections",
            serde_json::json!({"subject_license_no": WORKER, "description": "电话号码已停用。", "contact_name": "赵六"}),
            "contact_phone",
        ),
        (
            "/api/v1/reports",
            serde_json::json!({"description": "自称律师代写诉状，收费很高。"}),
            "place",
        ),
        (
            "/api/v1/reports",
            serde_json::json!({"place": "八一路", "description": ""}),
            "description",
        ),
        (
            "/api/v1/reports",
            serde_json::json!({"place": "八".repeat(201), "description": "自称律师代写诉状，收费很高。"}),
            "place",
        ),
        (
            "/api/v1/reports",
            serde_json::json!({"place": "八一路", "description": "自称律师代写诉状，收费很高。", "occurred_on": "2026-12-01"}),
            "occurred_on",
        ),
        (
            "/api/v1/reports",
            serde_json::json!({"place": "八一路", "description": "自称律师代写诉状，收费很高。", "name_used": "王\u{202E}建国"}),
            "name_used",
        ),
    ] {
        let (status, v) = post_json(&app, path, &body).await;
        assert_eq!(status, 400, "{path} {body}: {v}");
        assert_eq!(v["error"]["code"], "bad_request");
        assert!(
            v["error"]["details"]["fields"][field].is_string(),
            "{path} {body}: {field} flagged in {v}"
        );
    }
    // Not JSON, a wrong type, not application/json.
    for (path, body, ct, want) in [
        ("/api/v1/reports", "{", "application/json", 400),
        (
            "/api/v1/corrections",
            "{\"description\": 5}",
            "application/json",
            400,
        ),
        (
            "/api/v1/reports",
            "place=x",
            "application/x-www-form-urlencoded",
            415,
        ),
    ] {
        let resp = app
            .client
            .post(format!("{}{path}", app.address))
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), want, "{path} {body}");
    }
    let resp = app
        .client
        .post(format!("{}/api/v1/reports", app.address))
        .header("content-type", "application/json")
        .body(format!("{{\"place\": \"{}\"}}", "x".repeat(70 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    // In English when asked.
    let resp = app
        .client
        .post(format!("{}/api/v1/reports", app.address))
        .header("accept-language", "en")
        .json(&serde_json::json!({"place": "", "description": "自称律师代写诉状，收费很高。"}))
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        v["error"]["details"]["fields"]["place"],
        "Please enter the place."
    );
    assert_eq!(count(&app), 1, "no refused report was stored");
}

#[actix_web::test]
async fn bad_form_input_is_explained_in_the_page_s_language_and_kept() {
    let app = TestApp::builder().seed(subjects).await;
    let (_, session) = open_form(&app, &format!("/complaints/correction?subject={WORKER}")).await;
    let long = "错".repeat(1001);
    let (status, _, page) = post_form(
        &app,
        "/complaints/correction",
        Some(&session),
        &[("subject_license_no", WORKER), ("description", &long)],
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("最多 1000 个字，现有 1001 个字。"), "{page}");
    assert!(page.contains(&long), "what was typed is kept");

    let (status, _, page) = post_form(
        &app,
        "/complaints/correction",
        Some(&session),
        &[("subject_license_no", "45009999999"), ("description", "")],
        &[("accept-language", "en")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Please say which information is wrong."),
        "{page}"
    );
    assert!(
        page.contains("No legal service office or worker holds this number"),
        "{page}"
    );

    let (_, session) = open_form(&app, "/complaints/unlicensed").await;
    let (status, _, page) = post_form(
        &app,
        "/complaints/unlicensed",
        Some(&session),
        &[
            ("place", ""),
            ("description", "没有证。"),
            ("occurred_on", "2026-13-01"),
            ("contact_phone", "12345"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 422);
    for message in [
        "请填写地点。",
        "至少 10 个字。",
        "日期格式不正确",
        "电话号码格式不正确",
    ] {
        assert!(page.contains(message), "{message}: {page}");
    }
    assert!(page.contains("value=\"12345\""), "kept");
    assert_eq!(count(&app), 0, "nothing stored");
}

#[actix_web::test]
async fn a_post_without_the_form_s_token_or_from_another_site_is_refused() {
    let app = TestApp::builder().seed(subjects).await;
    for (path, fields) in [
        ("/complaints/correction", CORRECTION),
        ("/complaints/unlicensed", UNLICENSED),
    ] {
        let (status, _, page) = post_form(&app, path, None, fields, &[]).await;
        assert_eq!(status, 403, "{path}: no token, no cookie");
        assert!(page.contains("尚未提交"), "{page}");
        assert!(
            page.contains("value=\"赵六\"") || page.contains("value=\"钱七\""),
            "kept"
        );
        let (_, session) = open_form(&app, path).await;
        let (status, _, page) = post_form(
            &app,
            path,
            Some(&session),
            fields,
            &[("origin", "https://evil.example")],
        )
        .await;
        assert_eq!(status, 403, "{path}: another site's origin");
        assert!(page.contains("只能在本站页面上提交"));
        let resp = app
            .client
            .post(format!(
                "{}{}",
                app.address,
                if path.ends_with("correction") {
                    "/api/v1/corrections"
                } else {
                    "/api/v1/reports"
                }
            ))
            .header("sec-fetch-site", "cross-site")
            .json(&json_of(fields))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403, "{path}: a cross-site API post");
    }
    assert_eq!(count(&app), 0, "nothing is filed");
}

#[actix_web::test]
async fn reports_share_the_complaint_filing_limit() {
    let app = TestApp::builder()
        .settings(|s| {
            s.complaints.submit_rate = legal_portal::web::rate_limit::Rate::parse("2/h").unwrap()
        })
        .seed(subjects)
        .await;
    crate::complaints::file_by_api(&app, &crate::complaints::body("李四", "13812345678")).await;
    file_by_form(&app, "/complaints/correction", CORRECTION).await;
    let (status, v) = post_json(&app, "/api/v1/reports", &json_of(UNLICENSED)).await;
    assert_eq!(status, 429, "{v}");
    assert_eq!(v["error"]["code"], "rate_limited");
    let (_, session) = open_form(&app, "/complaints/unlicensed").await;
    let (status, headers, page) = post_form(
        &app,
        "/complaints/unlicensed",
        Some(&session),
        UNLICENSED,
        &[],
    )
    .await;
    assert_eq!(status, 429);
    assert!(headers.contains_key("retry-after"));
    assert!(page.contains("请求过于频繁"));
    assert_eq!(count(&app), 2);
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> (u16, serde_json::Value) {
    let resp = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

#[actix_web::test]
async fn the_bureau_lists_corrections_by_district_and_moves_them_without_touching_profile_counts() {
    let app = TestApp::builder().settings(keyed).seed(two_districts).await;
    // A complaint, a correction in each district, an unlicensed report.
    crate::complaints::file_by_api(&app, &crate::complaints::body("李四", "13812345678")).await;
    let (mine, _) = file_by_form(&app, "/complaints/correction", CORRECTION).await;
    let (status, other) = post_json(
        &app,
        "/api/v1/corrections",
        &serde_json::json!({"subject_license_no": OTHER_WORKER, "description": "照片不是本人。"}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = post_json(&app, "/api/v1/reports", &json_of(UNLICENSED)).await;
    assert_eq!(status, 201);

    let clerk = tokens::create(&mut app.conn(), "clerk", TokenScope::Complaints).unwrap();
    let (status, v) = get_json(&app, &clerk, "/admin/api/corrections").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["total"], 2);
    assert_eq!(v["page"], 1);
    let listed: Vec<&str> = v["corrections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["correction", "correction"]);
    assert!(
        !v.to_string().contains("13711112222"),
        "the contact is masked"
    );
    assert!(v.to_string().contains("137****2222"));
    let (_, v) = get_json(&app, &clerk, "/admin/api/corrections?per_page=1&page=2").await;
    assert_eq!(v["total"], 2);
    assert_eq!(v["corrections"].as_array().unwrap().len(), 1);

    // The desk's list holds every kind, and filters by kind.
    let (_, v) = get_json(&app, &clerk, "/admin/api/complaints").await;
    assert_eq!(v["total"], 4);
    let (_, v) = get_json(&app, &clerk, "/admin/api/complaints?kind=unlicensed").await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["complaints"][0]["place"], "渝中区八一路 12 号二楼");
    assert_eq!(v["complaints"][0]["district_code"], serde_json::Value::Null);
    let (status, v) = get_json(&app, &clerk, "/admin/api/complaints?kind=gossip").await;
    assert_eq!(status, 400, "{v}");

    // A token limited to 渝中区 sees its correction only, and no
    // unlicensed report (it names no district).
    let limited = tokens::create_limited(
        &mut app.conn(),
        "yuzhong",
        TokenScope::Complaints,
        Some("500103"),
    )
    .unwrap();
    let (_, v) = get_json(&app, &limited, "/admin/api/corrections?district=500101").await;
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["corrections"][0]["tracking_no"], mine.as_str());
    let (_, v) = get_json(&app, &limited, "/admin/api/complaints").await;
    assert_eq!(v["total"], 2, "its complaint and its correction: {v}");
    let (status, _) = get_json(
        &app,
        &limited,
        &format!(
            "/admin/api/complaints/{}",
            other["tracking_no"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(status, 404, "another district's correction");

    // The stages of the complaint desk; concluding a correction changes no
    // complaint count on the profile.
    for (to, outcome) in [("accepted", None), ("concluded", Some("upheld"))] {
        let resp = app
            .client
            .post(format!(
                "{}/admin/api/complaints/{mine}/transitions",
                app.address
            ))
            .bearer_auth(&limited)
            .json(&serde_json::json!({"to": to, "note": "已更正执业机构", "outcome": outcome}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{to}");
    }
    let (_, v) = get_json(&app, &clerk, "/admin/api/corrections?status=concluded").await;
    assert_eq!(v["total"], 1);
    let profile = app.json(&format!("/api/v1/workers/{WORKER}"), 200).await;
    assert_eq!(
        profile["complaints"]["concluded"], 0,
        "{}",
        profile["complaints"]
    );

    // Without a token, or with another scope: refused.
    let importer = tokens::create(&mut app.conn(), "importer", TokenScope::Import).unwrap();
    let (status, _) = get_json(&app, &importer, "/admin/api/corrections").await;
    assert_eq!(status, 403);
    let resp = app.get("/admin/api/corrections").await;
    assert_eq!(resp.status(), 401);
}

#[actix_web::test]
async fn no_public_page_api_answer_or_log_line_carries_a_reporter_s_contact() {
    capture_logs();
    let app = TestApp::builder().settings(keyed).seed(subjects).await;
    let (t1, c1) = file_by_form(&app, "/complaints/correction", CORRECTION).await;
    let (t2, c2) = file_by_form(&app, "/complaints/unlicensed", UNLICENSED).await;
    let mut body = json_of(UNLICENSED);
    body["contact_name"] = "孙八".into();
    body["contact_phone"] = "+86 186-4444-5555".into();
    let (status, v) = post_json(&app, "/api/v1/reports", &body).await;
    assert_eq!(status, 201);
    let (t3, c3) = (
        v["tracking_no"].as_str().unwrap().to_owned(),
        v["access_code"].as_str().unwrap().to_owned(),
    );
    let secrets = [
        "赵六",
        "13711112222",
        "钱七",
        "15022223333",
        "孙八",
        "18644445555",
    ];

    let mut crawled: Vec<(String, String)> = Vec::new();
    for path in [
        format!("/workers/{WORKER}"),
        format!("/offices/{OFFICE}"),
        format!("/api/v1/workers/{WORKER}"),
        format!("/complaints/correction?subject={WORKER}"),
        "/complaints/unlicensed".to_owned(),
    ] {
        let resp = app.get(&path).await;
        crawled.push((path, resp.text().await.unwrap()));
    }
    for (tracking, code) in [(&t1, &c1), (&t2, &c2), (&t3, &c3)] {
        crawled.push((
            format!("status page {tracking}"),
            status_page(&app, tracking, code).await.1,
        ));
        let resp = app
            .client
            .get(format!("{}/api/v1/complaints/{tracking}", app.address))
            .header("x-access-code", code.as_str())
            .send()
            .await
            .unwrap();
        crawled.push((format!("status API {tracking}"), resp.text().await.unwrap()));
    }
    for (path, text) in &crawled {
        for secret in secrets {
            assert!(!text.contains(secret), "{path} shows {secret}");
        }
        assert_eq!(mobile_numbers(text), Vec::<String>::new(), "{path}");
    }
    let logs = captured_logs();
    assert!(logs.contains("report filed"), "the filing is logged");
    for secret in secrets {
        assert!(!logs.contains(secret), "the log shows {secret}");
    }
    // At rest: sealed, no phone in the clear.
    let sealed: Vec<Option<Vec<u8>>> = complaints::table
        .select(complaints::contact_ciphertext)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(sealed.len(), 3);
    for s in sealed {
        let s = s.expect("sealed");
        assert!(!String::from_utf8_lossy(&s).contains("1371111"));
    }
    // The bureau can reveal it, audited.
    let clerk = tokens::create(&mut app.conn(), "clerk", TokenScope::Complaints).unwrap();
    let (status, v) = get_json(
        &app,
        &clerk,
        &format!("/admin/api/complaints/{t1}?reveal_contact=true"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v["contact"]["phone"], "13711112222");
    assert_eq!(v["contact"]["name"], "赵六");
}

#[actix_web::test]
async fn the_console_desk_filters_by_kind_and_shows_a_report_s_place_to_city_wide_staff_only() {
    use crate::console::{Clerk, account};
    use legal_portal::domain::vocab::Role;

    let app = TestApp::builder().settings(keyed).seed(two_districts).await;
    let (correction, _) = file_by_form(&app, "/complaints/correction", CORRECTION).await;
    let (status, v) = post_json(
        &app,
        "/api/v1/reports",
        &serde_json::json!({"place": "万州区某小区门口的流动摊位", "description": "挂牌“法律咨询”，代理离婚案件收费，没有执业证。"}),
    )
    .await;
    assert_eq!(status, 201);
    let unlicensed = v["tracking_no"].as_str().unwrap().to_owned();
    account(&app, "desk", Role::Complaints, None);
    account(&app, "yuzhong", Role::Complaints, Some("500103"));

    let mut desk = Clerk::signed_in(&app, "desk").await;
    let home = desk.get("/admin").await;
    assert!(
        home.body.contains(&unlicensed) && home.body.contains("举报无证执业"),
        "the dashboard lists the report by its kind: {}",
        home.body
    );
    let list = desk.get("/admin/complaints?kind=unlicensed").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&unlicensed) && !list.body.contains(&correction));
    assert!(
        list.body.contains("万州区某小区门口的流动摊位"),
        "{}",
        list.body
    );
    let list = desk.get("/admin/complaints?kind=correction").await;
    assert!(list.body.contains(&correction) && !list.body.contains(&unlicensed));
    let bad = desk.get("/admin/complaints?kind=gossip").await;
    assert_eq!(bad.status, 400);
    let page = desk.get(&format!("/admin/complaints/{unlicensed}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("报告人没有留下联系方式"),
        "{}",
        page.body
    );
    let page = desk.get(&format!("/admin/complaints/{correction}")).await;
    assert!(page.body.contains("报告信息有误") && page.body.contains("137****2222"));
    assert!(!page.body.contains("13711112222"), "masked until revealed");

    let mut district = Clerk::signed_in(&app, "yuzhong").await;
    let list = district.get("/admin/complaints").await;
    assert!(list.body.contains(&correction) && !list.body.contains(&unlicensed));
    let page = district
        .get(&format!("/admin/complaints/{unlicensed}"))
        .await;
    assert_eq!(page.status, 404, "no district, no district account");
}
