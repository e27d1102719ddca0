use diesel::prelude::*;
use legal_portal::db::schema::complaints;

use super::{OFFICE, WORKER, between, subjects};
use crate::helpers::{TestApp, today};

/// The form's cookie and hidden token, as a browser would hold them.
pub struct Session {
    pub cookie: String,
    pub token: String,
}

/// GETs the form page and takes the CSRF cookie and token from it.
pub async fn open_form(app: &TestApp, path: &str) -> (String, Session) {
    let resp = app.get(path).await;
    assert_eq!(resp.status(), 200, "GET {path}");
    assert_eq!(resp.headers()["cache-control"], "no-store", "{path}");
    let set_cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let page = resp.text().await.unwrap();
    let token = between(&page, "name=\"csrf_token\" value=\"", "\"")
        .expect("the form carries a CSRF token")
        .to_owned();
    (page, Session { cookie, token })
}

/// POSTs a form, with the session's cookie and token when given.
pub async fn post_form(
    app: &TestApp,
    path: &str,
    session: Option<&Session>,
    fields: &[(&str, &str)],
    extra_headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    if let Some(s) = session {
        body.append_pair("csrf_token", &s.token);
    }
    for (k, v) in fields {
        body.append_pair(k, v);
    }
    let mut req = app
        .client
        .post(format!("{}{path}", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.finish());
    if let Some(s) = session {
        req = req.header("cookie", &s.cookie);
    }
    for (k, v) in extra_headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

pub const FIELDS: &[(&str, &str)] = &[
    ("subject_license_no", WORKER),
    ("category", "fees"),
    (
        "description",
        "代理一起借款纠纷，收费超出约定标准三倍，且拒绝开具发票。",
    ),
    ("occurred_on", "2026-11-20"),
    ("desired_outcome", "退还多收的费用"),
    ("complainant_name", "李四"),
    ("complainant_phone", "13812345678"),
    ("withhold_identity", "true"),
];

/// Files through the form; returns the tracking number and access code
/// read from the receipt.
pub async fn file_by_form(app: &TestApp, fields: &[(&str, &str)]) -> (String, String) {
    let (_, session) = open_form(app, "/complaints/new").await;
    let (status, headers, receipt) =
        post_form(app, "/complaints/new", Some(&session), fields, &[]).await;
    assert_eq!(status, 200, "filing: {receipt}");
    assert_eq!(headers["cache-control"], "no-store");
    let tracking = between(&receipt, "id=\"tracking_no\">", "<")
        .unwrap()
        .to_owned();
    let code = between(&receipt, "id=\"access_code\">", "<")
        .unwrap()
        .to_owned();
    (tracking, code)
}

fn count(app: &TestApp) -> i64 {
    complaints::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_resident_files_through_the_form_and_follows_it() {
    let app = TestApp::builder().seed(subjects).await;
    let (form, session) = open_form(&app, &format!("/complaints/new?subject={WORKER}")).await;
    assert!(
        form.contains("被投诉对象：<strong>张秀英</strong>"),
        "{form}"
    );
    assert!(form.contains(&format!("value=\"{WORKER}\"")), "prefilled");

    let (status, headers, receipt) =
        post_form(&app, "/complaints/new", Some(&session), FIELDS, &[]).await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(receipt.contains("投诉已提交") && receipt.contains("查询码只显示这一次"));
    assert!(
        receipt.contains("2026-12-05"),
        "the acceptance deadline: {receipt}"
    );
    assert!(!receipt.contains("李四") && !receipt.contains("13812345678"));
    let tracking = between(&receipt, "id=\"tracking_no\">", "<")
        .unwrap()
        .to_owned();
    let code = between(&receipt, "id=\"access_code\">", "<")
        .unwrap()
        .to_owned();
    assert!(
        tracking.starts_with("TS20261128") && tracking.len() == 19,
        "{tracking}"
    );
    assert_eq!(code.len(), 19, "{code}");

    let status_form = app.text("/complaints/status", 200).await;
    assert!(status_form.contains("name=\"access_code\""));
    let (status, headers, page) = post_form(
        &app,
        "/complaints/status",
        None,
        &[
            ("tracking_no", &tracking.to_lowercase()),
            ("access_code", &code),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(page.contains(&tracking) && page.contains("张秀英"));
    assert!(page.contains("<strong>已提交</strong>") && page.contains(&today().to_string()));
    assert!(page.contains("<strong>已受理</strong>") && page.contains("期限 2026-12-05"));
    assert!(!page.contains("已超期"));
    assert!(!page.contains("李四") && !page.contains("13812345678"));

    let (status, _, page) = post_form(
        &app,
        "/complaints/status",
        None,
        &[
            ("tracking_no", &tracking),
            ("access_code", "ABCD-EFGH-JKMN-PQRS"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 404, "a wrong access code shows nothing");
    assert!(page.contains("不匹配") && !page.contains("张秀英"));
}

#[actix_web::test]
async fn errors_are_shown_beside_the_fields_and_nothing_typed_is_lost() {
    let app = TestApp::builder().seed(subjects).await;
    let (_, session) = open_form(&app, "/complaints/new").await;
    let (status, headers, page) = post_form(
        &app,
        "/complaints/new",
        Some(&session),
        &[
            ("subject_license_no", WORKER),
            ("category", ""),
            ("description", "多收了费用"),
            ("occurred_on", "2026-12-24"),
            ("desired_outcome", "退钱"),
            ("complainant_name", "李四"),
            ("complainant_phone", "1381234"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert_eq!(headers["cache-control"], "no-store");
    for message in [
        "请选择投诉类别",
        "至少 10 个字",
        "发生日期不能晚于今天",
        "电话号码格式不正确",
    ] {
        assert!(page.contains(message), "missing {message:?}");
    }
    assert!(
        page.contains(">多收了费用</textarea>"),
        "the description is kept"
    );
    assert!(page.contains("value=\"李四\"") && page.contains("value=\"1381234\""));
    assert!(page.contains("value=\"2026-12-24\"") && page.contains(">退钱</textarea>"));
    assert_eq!(count(&app), 0, "nothing is filed");
}

#[actix_web::test]
async fn a_name_offers_the_matching_subjects_to_choose_from() {
    let app = TestApp::builder().seed(subjects).await;
    let (_, session) = open_form(&app, "/complaints/new").await;
    let mut fields: Vec<(&str, &str)> = FIELDS.to_vec();
    fields[0] = ("subject_license_no", "解放碑");
    let (status, _, page) = post_form(&app, "/complaints/new", Some(&session), &fields, &[]).await;
    assert_eq!(status, 422);
    assert!(page.contains("请选择其中一个"), "{page}");
    assert!(
        page.contains(&format!("value=\"{OFFICE}\"")),
        "the office is offered"
    );
    assert_eq!(count(&app), 0);

    fields.push(("subject_choice", OFFICE));
    let (status, _, receipt) =
        post_form(&app, "/complaints/new", Some(&session), &fields, &[]).await;
    assert_eq!(status, 200, "{receipt}");
    assert!(receipt.contains("解放碑街道法律服务所"));

    fields[0] = ("subject_license_no", "99999999999");
    fields.pop();
    let (status, _, page) = post_form(&app, "/complaints/new", Some(&session), &fields, &[]).await;
    assert_eq!(status, 422);
    assert!(page.contains("没有执业证号为 99999999999"), "{page}");
}

#[actix_web::test]
async fn a_post_without_the_form_s_token_or_from_another_site_is_refused() {
    let app = TestApp::builder().seed(subjects).await;
    let (status, _, page) = post_form(&app, "/complaints/new", None, FIELDS, &[]).await;
    assert_eq!(status, 403, "no token, no cookie");
    assert!(page.contains("投诉尚未提交"), "{page}");
    assert!(
        page.contains("value=\"李四\""),
        "what was typed is kept for a retry"
    );

    let (_, session) = open_form(&app, "/complaints/new").await;
    let forged = super::form::Session {
        cookie: session.cookie.clone(),
        // Change the last character, to anything but what it was.
        token: {
            let (head, last) = session.token.split_at(session.token.len() - 1);
            format!("{head}{}", if last == "0" { "1" } else { "0" })
        },
    };
    let (status, _, _) = post_form(&app, "/complaints/new", Some(&forged), FIELDS, &[]).await;
    assert_eq!(status, 403, "a token that does not match the cookie");

    let (status, _, page) = post_form(
        &app,
        "/complaints/new",
        Some(&session),
        FIELDS,
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(status, 403, "another site's origin");
    assert!(page.contains("只能在本站页面上提交"));
    let (status, _, _) = post_form(
        &app,
        "/complaints/new",
        Some(&session),
        FIELDS,
        &[("sec-fetch-site", "cross-site")],
    )
    .await;
    assert_eq!(status, 403, "a cross-site fetch");
    assert_eq!(count(&app), 0, "nothing is filed");

    let (status, _, _) = post_form(&app, "/complaints/new", Some(&session), FIELDS, &[]).await;
    assert_eq!(status, 200, "the genuine form still works");
    assert_eq!(count(&app), 1);
}

#[actix_web::test]
async fn a_tracking_number_with_a_wrong_check_digit_is_refused() {
    let app = TestApp::builder().seed(subjects).await;
    let (tracking, code) = file_by_form(&app, FIELDS).await;
    let last = tracking.chars().last().unwrap();
    let wrong = format!("{}{}", &tracking[..18], if last == '1' { '2' } else { '1' });
    let (status, _, page) = post_form(
        &app,
        "/complaints/status",
        None,
        &[("tracking_no", &wrong), ("access_code", &code)],
        &[],
    )
    .await;
    assert_eq!(status, 400);
    assert!(page.contains("校验码不符"), "{page}");
    assert!(
        page.contains(&format!("value=\"{wrong}\"")),
        "the number typed is kept"
    );

    let typo = format!(
        "{}{}{}",
        &tracking[..10],
        if &tracking[10..11] == "9" { "8" } else { "9" },
        &tracking[11..]
    );
    let (status, _, page) = post_form(
        &app,
        "/complaints/status",
        None,
        &[("tracking_no", &typo), ("access_code", &code)],
        &[],
    )
    .await;
    assert_eq!(status, 400, "one mistyped digit");
    assert!(page.contains("校验码不符"));

    let resp = app
        .client
        .get(format!("{}/api/v1/complaints/{wrong}", app.address))
        .header("x-access-code", &code)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["details"]["reason"], "wrong_check_digit");
}

#[actix_web::test]
async fn filing_too_often_from_one_address_is_answered_429_with_retry_after() {
    let app = TestApp::builder()
        .settings(|s| {
            s.complaints.submit_rate = legal_portal::web::rate_limit::Rate::parse("2/h").unwrap()
        })
        .seed(subjects)
        .await;
    file_by_form(&app, FIELDS).await;
    super::file_by_api(&app, &super::body("李四", "13812345678")).await;
    let resp = app
        .client
        .post(format!("{}/api/v1/complaints", app.address))
        .json(&super::body("李四", "13812345678"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=1800).contains(&retry), "Retry-After {retry}");
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["code"], "rate_limited");

    let (_, session) = open_form(&app, "/complaints/new").await;
    let (status, headers, page) =
        post_form(&app, "/complaints/new", Some(&session), FIELDS, &[]).await;
    assert_eq!(status, 429, "the form shares the limit");
    assert!(headers.contains_key("retry-after"));
    assert!(page.contains("请求过于频繁"));
    assert_eq!(count(&app), 2);
}

/// The receipt's tracking number, access code and whether it says the form
/// was sent before.
fn receipt_of(page: &str) -> (String, String, bool) {
    let tracking = between(page, "id=\"tracking_no\">", "<").expect(page);
    let code = between(page, "id=\"access_code\">", "<").expect(page);
    (
        tracking.to_owned(),
        code.to_owned(),
        page.contains("id=\"sent_again\""),
    )
}

#[actix_web::test]
async fn a_form_sent_twice_files_one_complaint_and_shows_its_receipt_again() {
    let app = TestApp::builder().seed(subjects).await;
    let (_, session) = open_form(&app, "/complaints/new").await;

    // A double tap: the second post comes after the first was answered.
    let (status, _, first) = post_form(&app, "/complaints/new", Some(&session), FIELDS, &[]).await;
    assert_eq!(status, 200, "{first}");
    let (tracking, code, again) = receipt_of(&first);
    assert!(!again, "the first receipt is not a repeat: {first}");
    let (status, _, second) = post_form(&app, "/complaints/new", Some(&session), FIELDS, &[]).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(receipt_of(&second), (tracking.clone(), code.clone(), true));
    assert!(
        second.contains(&format!("这份表单已于 {} 提交过", today()))
            && second.contains("没有重复登记"),
        "{second}"
    );
    assert_eq!(count(&app), 1, "one complaint filed");

    // The access code shown again opens the complaint.
    let (status, _, page) = post_form(
        &app,
        "/complaints/status",
        None,
        &[("tracking_no", &tracking), ("access_code", &code)],
        &[],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<strong>已提交</strong>"), "{page}");

    // Back, the form filled again on a page shown anew (a new token, the
    // same browser): the same complaint, still one.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let reopened = app
        .client
        .get(format!("{}/complaints/new", app.address))
        .header("cookie", &session.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let resent = Session {
        cookie: session.cookie.clone(),
        token: between(&reopened, "name=\"csrf_token\" value=\"", "\"")
            .unwrap()
            .to_owned(),
    };
    assert_ne!(resent.token, session.token, "a page shown anew");
    let (_, _, third) = post_form(&app, "/complaints/new", Some(&resent), FIELDS, &[]).await;
    assert_eq!(receipt_of(&third), (tracking.clone(), code.clone(), true));
    assert_eq!(count(&app), 1);

    // Two taps whose requests are on the wire together.
    let (_, other) = open_form(&app, "/complaints/new").await;
    let mut fields = FIELDS.to_vec();
    fields.retain(|(k, _)| *k != "desired_outcome");
    fields.push(("desired_outcome", "退还多收的费用并书面道歉"));
    let (a, b) = tokio::join!(
        post_form(&app, "/complaints/new", Some(&other), &fields, &[]),
        post_form(&app, "/complaints/new", Some(&other), &fields, &[]),
    );
    assert_eq!((a.0, b.0), (200, 200), "{} {}", a.2, b.2);
    let (ra, rb) = (receipt_of(&a.2), receipt_of(&b.2));
    assert_eq!((&ra.0, &ra.1), (&rb.0, &rb.1), "one receipt for both taps");
    assert!(ra.2 != rb.2, "one of the two says it was sent before");
    assert_ne!(ra.0, tracking, "other content is another complaint");
    assert_eq!(count(&app), 2);

    // Something changed before sending again: another complaint, as meant.
    let mut changed = FIELDS.to_vec();
    changed.retain(|(k, _)| *k != "description");
    changed.push((
        "description",
        "代理一起借款纠纷，收费超出约定标准两倍，且拒绝开具发票。",
    ));
    let (_, _, fourth) = post_form(&app, "/complaints/new", Some(&session), &changed, &[]).await;
    let (fourth_tracking, _, again) = receipt_of(&fourth);
    assert!(!again && fourth_tracking != tracking, "{fourth}");
    assert_eq!(count(&app), 3);

    // Another browser sending the same words files its own complaint.
    let (_, stranger) = open_form(&app, "/complaints/new").await;
    assert_ne!(stranger.cookie, session.cookie);
    let (_, _, fifth) = post_form(&app, "/complaints/new", Some(&stranger), FIELDS, &[]).await;
    let (fifth_tracking, _, again) = receipt_of(&fifth);
    assert!(!again && fifth_tracking != tracking, "{fifth}");
    assert_eq!(count(&app), 4);
}

#[actix_web::test]
async fn a_license_number_typed_in_full_width_digits_names_the_subject() {
    let app = TestApp::builder().seed(subjects).await;
    let (_, session) = open_form(&app, "/complaints/new").await;
    let full_width: String = WORKER
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
        .collect();
    let mut fields = FIELDS.to_vec();
    fields.retain(|(k, _)| *k != "subject_license_no");
    fields.push(("subject_license_no", &full_width));
    let (status, _, page) = post_form(&app, "/complaints/new", Some(&session), &fields, &[]).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("张秀英"), "{page}");
}

#[actix_web::test]
async fn forms_sent_back_with_mistakes_spend_no_filing_and_a_refused_filing_keeps_the_form() {
    let app = TestApp::builder()
        .settings(|s| s.complaints.submit_rate = legal_portal::config::Rate::per_hour(2))
        .seed(subjects)
        .await;
    let (_, session) = open_form(&app, "/complaints/new").await;
    let mut short = FIELDS.to_vec();
    short.retain(|(k, _)| *k != "description");
    short.push(("description", "太短"));
    for _ in 0..5 {
        let (status, _, _) = post_form(&app, "/complaints/new", Some(&session), &short, &[]).await;
        assert_eq!(status, 422);
    }
    // Two filings are the allowance; the mistakes spent none of it.
    for i in 0..2 {
        let mut fields = FIELDS.to_vec();
        let text = format!("代理一起借款纠纷，收费超出约定标准三倍，第 {i} 次。");
        fields.retain(|(k, _)| *k != "description");
        fields.push(("description", &text));
        let (status, _, page) =
            post_form(&app, "/complaints/new", Some(&session), &fields, &[]).await;
        assert_eq!(status, 200, "{page}");
    }
    let mut third = FIELDS.to_vec();
    third.retain(|(k, _)| *k != "description");
    third.push((
        "description",
        "第三件投诉：收费超出约定标准，拒绝开具发票。",
    ));
    let (status, headers, page) =
        post_form(&app, "/complaints/new", Some(&session), &third, &[]).await;
    assert_eq!(status, 429, "{page}");
    assert!(headers.contains_key("retry-after"));
    assert!(page.contains("请求过于频繁"), "{page}");
    assert!(
        page.contains("第三件投诉：收费超出约定标准，拒绝开具发票。")
            && page.contains("value=\"13812345678\""),
        "what was typed is kept: {page}"
    );
    assert_eq!(count(&app), 2);
}
