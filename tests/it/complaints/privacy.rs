use diesel::prelude::*;
use legal_portal::db::schema::complaints;
use legal_portal::db::tokens;
use legal_portal::domain::vocab::TokenScope;

use super::form::{FIELDS, file_by_form, post_form};
use super::{
    OFFICE, WORKER, body, capture_logs, captured_logs, file_by_api, mobile_numbers, subjects,
};
use crate::helpers::TestApp;

const NAMES: [&str; 3] = ["李四", "欧阳娜娜", "赵钱孙"];
const PHONES: [&str; 3] = ["13812345678", "15987654321", "18600001234"];

#[actix_web::test]
async fn no_public_page_api_answer_or_log_line_carries_a_complainant_s_name_or_phone() {
    capture_logs();
    let app = TestApp::builder().seed(subjects).await;

    let mut fields: Vec<(&str, &str)> = FIELDS.to_vec();
    fields[5] = ("complainant_name", NAMES[0]);
    fields[6] = ("complainant_phone", PHONES[0]);
    let (t1, c1) = file_by_form(&app, &fields).await;
    let (t2, c2) = file_by_api(&app, &body(NAMES[1], "+86 159-8765-4321")).await;
    let mut office = body(NAMES[2], PHONES[2]);
    office["subject_license_no"] = OFFICE.into();
    let (t3, c3) = file_by_api(&app, &office).await;

    // The bureau concludes one, so that the profile shows a count.
    let clerk = tokens::create(&mut app.conn(), "clerk", TokenScope::Complaints).unwrap();
    for (to, outcome) in [("accepted", None), ("concluded", Some("mediated"))] {
        let resp = app
            .client
            .post(format!(
                "{}/admin/api/complaints/{t1}/transitions",
                app.address
            ))
            .bearer_auth(&clerk)
            .json(&serde_json::json!({"to": to, "note": "双方达成和解", "outcome": outcome}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    // A list, as staff would see it, goes through the log path too.
    let resp = app
        .client
        .get(format!("{}/admin/api/complaints", app.address))
        .bearer_auth(&clerk)
        .send()
        .await
        .unwrap();
    let list = resp.text().await.unwrap();
    for p in PHONES {
        assert!(!list.contains(p), "a staff list shows {p} unmasked");
    }

    let mut crawled: Vec<(String, String)> = Vec::new();
    for path in [
        "/".to_owned(),
        "/districts".to_owned(),
        format!("/workers/{WORKER}"),
        format!("/offices/{OFFICE}"),
        format!("/api/v1/workers/{WORKER}"),
        format!("/api/v1/offices/{OFFICE}"),
        "/api/v1/districts".to_owned(),
        "/complaints/new".to_owned(),
        format!("/complaints/new?subject={WORKER}"),
        "/complaints/status".to_owned(),
        "/no-such-page".to_owned(),
    ] {
        let resp = app.get(&path).await;
        crawled.push((path, resp.text().await.unwrap()));
    }
    for (tracking, code) in [(&t1, &c1), (&t2, &c2), (&t3, &c3)] {
        let (_, _, page) = post_form(
            &app,
            "/complaints/status",
            None,
            &[("tracking_no", tracking), ("access_code", code)],
            &[],
        )
        .await;
        crawled.push((format!("status page {tracking}"), page));
        let resp = app
            .client
            .get(format!("{}/api/v1/complaints/{tracking}", app.address))
            .header("x-access-code", code.as_str())
            .send()
            .await
            .unwrap();
        crawled.push((format!("status API {tracking}"), resp.text().await.unwrap()));
    }
    let profile = &crawled[2].1;
    assert!(
        profile.contains("调解解决 1 件"),
        "the crawl reaches the counts"
    );
    assert!(
        crawled
            .iter()
            .any(|(p, b)| p.starts_with("status page") && b.contains("已办结"))
    );
    for (path, text) in &crawled {
        for secret in NAMES.iter().chain(PHONES.iter()) {
            assert!(!text.contains(secret), "{path} shows {secret}");
        }
        assert_eq!(
            mobile_numbers(text),
            Vec::<String>::new(),
            "{path} shows a mobile number"
        );
    }

    // At rest: sealed, and the access code only as a hash.
    let rows: Vec<(Option<Vec<u8>>, String)> = complaints::table
        .select((complaints::contact_ciphertext, complaints::access_code_hash))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(rows.len(), 3);
    for (sealed, hash) in rows {
        let raw = String::from_utf8_lossy(sealed.as_deref().unwrap()).into_owned();
        for secret in NAMES.iter().chain(PHONES.iter()) {
            assert!(!raw.contains(secret), "stored in the clear: {secret}");
        }
        for code in [&c1, &c2, &c3] {
            assert!(!hash.contains(&code.replace('-', "")));
        }
    }

    let logs = captured_logs();
    assert!(
        logs.contains("complaint filed"),
        "the log was captured: {logs}"
    );
    for secret in NAMES
        .iter()
        .chain(PHONES.iter())
        .chain([c1.as_str(), c2.as_str(), c3.as_str(), clerk.as_str()].iter())
    {
        assert!(!logs.contains(secret), "the log carries {secret}");
    }
    assert_eq!(
        mobile_numbers(&logs),
        Vec::<String>::new(),
        "the log carries a mobile number"
    );
}

#[test]
fn the_mobile_number_scan_finds_what_a_reader_would() {
    assert_eq!(mobile_numbers("电话13812345678。"), vec!["13812345678"]);
    assert!(
        mobile_numbers("TS20261213123456789").is_empty(),
        "part of a longer number"
    );
    assert!(mobile_numbers("12812345678 023-61234567").is_empty());
    assert_eq!(mobile_numbers("tel:13812345678;"), vec!["13812345678"]);
    assert!(
        mobile_numbers("test_14876861432ab90c").is_empty(),
        "digits of a hex name"
    );
}

#[actix_web::test]
async fn identity_card_and_mobile_numbers_in_the_text_are_masked_before_storing() {
    let app = TestApp::builder().seed(subjects).await;
    let mut json = body("李四", "13812345678");
    json["description"] =
        "我的身份证号50010119800101123X，手机139 8765 4321，收费超标。执业证号45001030001。".into();
    json["desired_outcome"] = "退费，请打１５９８７６５４３２１联系".into();
    let (tracking, _) = file_by_api(&app, &json).await;
    let (description, desired): (String, String) = complaints::table
        .filter(complaints::tracking_no.eq(&tracking))
        .select((complaints::description, complaints::desired_outcome))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        description,
        "我的身份证号500***********123X，手机139****4321，收费超标。执业证号45001030001。"
    );
    assert_eq!(desired, "退费，请打159****4321联系");
    for secret in [
        "50010119800101123X",
        "13987654321",
        "139 8765 4321",
        "15987654321",
    ] {
        assert!(!description.contains(secret) && !desired.contains(secret));
    }
}
