use diesel::prelude::*;
use legal_portal::config::Settings;
use legal_portal::db::schema::{audit_log, complaints, search_outbox};
use legal_portal::db::tokens;
use legal_portal::domain::vocab::TokenScope;

use super::{KEY, WORKER, body, file_by_api, noon, seed_complaint, subjects};
use crate::helpers::{TestApp, d};

fn keyed(s: &mut Settings) {
    s.complaints.key = Some(KEY.into());
}

fn token(app: &TestApp, scope: TokenScope) -> String {
    tokens::create(&mut app.conn(), &format!("clerk-{}", scope.key()), scope).unwrap()
}

async fn call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    json: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.address))
        .bearer_auth(token);
    if let Some(j) = json {
        req = req.json(&j);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: {text}")),
    )
}

async fn move_to(
    app: &TestApp,
    token: &str,
    tracking: &str,
    json: serde_json::Value,
) -> (u16, serde_json::Value) {
    call(
        app,
        token,
        reqwest::Method::POST,
        &format!("/admin/api/complaints/{tracking}/transitions"),
        Some(json),
    )
    .await
}

#[actix_web::test]
async fn the_bureau_moves_a_complaint_through_every_stage_with_deadlines_and_audit() {
    let app = TestApp::builder().settings(keyed).seed(subjects).await;
    let (tracking, code) = file_by_api(&app, &body("李四", "13812345678")).await;
    let clerk = token(&app, TokenScope::Complaints);

    let (status, list) = call(
        &app,
        &clerk,
        reqwest::Method::GET,
        "/admin/api/complaints",
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total"], 1);
    let item = &list["complaints"][0];
    assert_eq!(item["tracking_no"], tracking.as_str());
    assert_eq!(item["contact"]["phone"], "138****5678");
    assert_eq!(item["contact"]["name"], "李*");
    assert_eq!(item["withhold_identity"], true);
    assert_eq!(item["district_code"], "500103");
    assert!(
        !list.to_string().contains("13812345678"),
        "lists mask the phone"
    );

    let path = format!("/admin/api/complaints/{tracking}");
    let (_, one) = call(&app, &clerk, reqwest::Method::GET, &path, None).await;
    assert_eq!(one["contact"]["phone"], "138****5678");
    assert!(one["description"].as_str().unwrap().contains("借款纠纷"));
    assert_eq!(
        one["next_stages"],
        serde_json::json!(["accepted", "declined"])
    );
    let (_, revealed) = call(
        &app,
        &clerk,
        reqwest::Method::GET,
        &format!("{path}?reveal_contact=true"),
        None,
    )
    .await;
    assert_eq!(revealed["contact"]["phone"], "13812345678");
    assert_eq!(revealed["contact"]["name"], "李四");

    let (status, err) = move_to(
        &app,
        &clerk,
        &tracking,
        serde_json::json!({"to": "concluded", "note": "x", "outcome": "upheld"}),
    )
    .await;
    assert_eq!(status, 400, "a submitted complaint cannot be concluded");
    assert_eq!(
        err["error"]["details"]["allowed"],
        serde_json::json!(["accepted", "declined"])
    );

    let (status, v) = move_to(
        &app,
        &clerk,
        &tracking,
        serde_json::json!({"to": "accepted", "note": "转渝中区司法局办理"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "accepted");
    assert_eq!(v["timeline"][1]["on"], "2026-11-28");
    assert_eq!(v["timeline"][1]["due_by"], "2026-12-05");
    assert_eq!(v["timeline"][2]["stage"], "concluded");
    assert_eq!(
        v["timeline"][2]["due_by"], "2027-01-27",
        "60 days from acceptance"
    );

    let (status, v) = move_to(
        &app,
        &clerk,
        &tracking,
        serde_json::json!({"to": "investigating", "note": "约谈当事人"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["timeline"][2]["stage"], "investigating");
    assert_eq!(v["timeline"][3]["due_by"], "2027-01-27");

    let (status, _) = move_to(
        &app,
        &clerk,
        &tracking,
        serde_json::json!({"to": "concluded", "note": "查实多收费用"}),
    )
    .await;
    assert_eq!(status, 400, "a conclusion needs an outcome");
    let (status, _) = move_to(
        &app,
        &clerk,
        &tracking,
        serde_json::json!({"to": "concluded", "outcome": "upheld"}),
    )
    .await;
    assert_eq!(status, 400, "a conclusion needs a note");
    let (status, v) = move_to(&app, &clerk, &tracking, serde_json::json!({"to": "concluded", "note": "查实多收费用，已责令退还。", "outcome": "upheld"})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "concluded");
    assert_eq!(v["outcome"], "upheld");
    assert_eq!(v["next_stages"], serde_json::json!([]));

    // The complainant sees the findings, not the working notes.
    let resp = app
        .client
        .get(format!("{}/api/v1/complaints/{tracking}", app.address))
        .header("x-access-code", &code)
        .send()
        .await
        .unwrap();
    let seen: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(seen["outcome_label"], "投诉属实");
    assert_eq!(seen["timeline"][3]["note"], "查实多收费用，已责令退还。");
    assert!(!seen.to_string().contains("约谈当事人"));

    // The profile counts the outcome, never the content.
    let page = app.text(&format!("/workers/{WORKER}"), 200).await;
    assert!(page.contains("已办结投诉 1 件：投诉属实 1 件"), "{page}");
    assert!(!page.contains("借款纠纷"));
    let api = app.json(&format!("/api/v1/workers/{WORKER}"), 200).await;
    assert_eq!(api["complaints"]["concluded"], 1);
    assert_eq!(api["complaints"]["by_outcome"][0]["outcome"], "upheld");
    assert!(page.contains(&format!("/complaints/new?subject={WORKER}")));

    let mut conn = app.conn();
    let actions: Vec<(String, String)> = audit_log::table
        .order(audit_log::id)
        .select((audit_log::action, audit_log::detail))
        .load(&mut conn)
        .unwrap();
    let names: Vec<&str> = actions.iter().map(|(a, _)| a.as_str()).collect();
    for a in [
        "complaints.list",
        "complaint.read",
        "complaint.reveal_contact",
        "complaint.transition",
        "complaint.transition_refused",
    ] {
        assert!(names.contains(&a), "{a} not audited: {names:?}");
    }
    assert_eq!(
        names
            .iter()
            .filter(|a| **a == "complaint.transition")
            .count(),
        3
    );
    let all = format!("{actions:?}");
    assert!(
        !all.contains("13812345678") && !all.contains("李四"),
        "{all}"
    );
    // What the conclusion asks search to show now (rows due later are the
    // time-driven refreshes the start-up reindex schedules).
    let outbox: Vec<(String, String)> = search_outbox::table
        .filter(search_outbox::due_at.le(legal_portal::db::outbox::now()))
        .select((search_outbox::entity_kind, search_outbox::entity_key))
        .load(&mut conn)
        .unwrap();
    assert_eq!(outbox, vec![("worker".to_owned(), WORKER.to_owned())]);
}

#[actix_web::test]
async fn a_refusal_needs_a_reason_and_shows_it() {
    let app = TestApp::builder().settings(keyed).seed(subjects).await;
    let (tracking, code) = file_by_api(&app, &body("李四", "13812345678")).await;
    let clerk = token(&app, TokenScope::Admin);
    let (status, _) = move_to(
        &app,
        &clerk,
        &tracking,
        serde_json::json!({"to": "declined"}),
    )
    .await;
    assert_eq!(status, 400);
    let (status, v) = move_to(
        &app,
        &clerk,
        &tracking,
        serde_json::json!({"to": "declined", "note": "已在法院诉讼中，不属于受理范围。"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let resp = app
        .client
        .get(format!("{}/api/v1/complaints/{tracking}", app.address))
        .header("x-access-code", &code)
        .send()
        .await
        .unwrap();
    let seen: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(seen["status"], "declined");
    assert_eq!(
        seen["timeline"][1]["note"],
        "已在法院诉讼中，不属于受理范围。"
    );
    assert_eq!(
        seen["timeline"].as_array().unwrap().len(),
        2,
        "nothing follows a refusal"
    );
}

#[actix_web::test]
async fn only_a_complaints_token_reaches_the_workflow() {
    let app = TestApp::builder().settings(keyed).seed(subjects).await;
    let importer = token(&app, TokenScope::Import);
    let (status, _) = call(
        &app,
        &importer,
        reqwest::Method::GET,
        "/admin/api/complaints",
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(
        &app,
        "lpt_wrong",
        reqwest::Method::GET,
        "/admin/api/complaints",
        None,
    )
    .await;
    assert_eq!(status, 401);
}

#[actix_web::test]
async fn overdue_stages_are_marked_on_a_fixed_clock() {
    let app = TestApp::builder()
        .settings(keyed)
        .today(d("2026-11-28"))
        .seed(|c| {
            subjects(c);
            // Filed on 1 November: acceptance was due by 8 November.
            seed_complaint(c, noon(d("2026-11-01")), "13900001111");
            // Filed on 25 November: still in time.
            seed_complaint(c, noon(d("2026-11-25")), "13900002222");
        })
        .await;
    let clerk = token(&app, TokenScope::Complaints);
    let (_, all) = call(
        &app,
        &clerk,
        reqwest::Method::GET,
        "/admin/api/complaints",
        None,
    )
    .await;
    assert_eq!(all["total"], 2);
    let (_, late) = call(
        &app,
        &clerk,
        reqwest::Method::GET,
        "/admin/api/complaints?overdue=true",
        None,
    )
    .await;
    assert_eq!(late["total"], 1);
    let item = &late["complaints"][0];
    assert!(
        item["tracking_no"]
            .as_str()
            .unwrap()
            .starts_with("TS20261101")
    );
    assert_eq!(item["overdue"], true);
    assert_eq!(item["timeline"][1]["due_by"], "2026-11-08");
    assert_eq!(item["timeline"][1]["overdue"], true);
    let (_, on_time) = call(
        &app,
        &clerk,
        reqwest::Method::GET,
        "/admin/api/complaints?overdue=false&status=submitted&district=500103",
        None,
    )
    .await;
    assert_eq!(on_time["total"], 1);
    let (_, elsewhere) = call(
        &app,
        &clerk,
        reqwest::Method::GET,
        "/admin/api/complaints?district=500101",
        None,
    )
    .await;
    assert_eq!(elsewhere["total"], 0);

    // Accepted late, on the fixed 28 November: marked late; conclusion due
    // 60 days later.
    let tracking = item["tracking_no"].as_str().unwrap().to_owned();
    let (_, v) = move_to(
        &app,
        &clerk,
        &tracking,
        serde_json::json!({"to": "accepted"}),
    )
    .await;
    assert_eq!(v["timeline"][1]["late"], true);
    assert_eq!(v["timeline"][2]["due_by"], "2027-01-27");
    assert_eq!(v["overdue"], false);
    let n: i64 = complaints::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(n, 2);
}

#[actix_web::test]
async fn the_status_page_marks_an_overdue_conclusion() {
    let seeded = std::sync::Arc::new(std::sync::Mutex::new(None));
    let slot = seeded.clone();
    let app = TestApp::builder()
        .settings(keyed)
        .today(d("2027-03-01"))
        .seed(move |c| {
            subjects(c);
            let filed = seed_complaint(c, noon(d("2026-11-02")), "13900003333");
            let accept = legal_portal::db::complaints::Transition {
                to: legal_portal::domain::complaint::Stage::Accepted,
                note: String::new(),
                outcome: None,
            };
            legal_portal::db::complaints::advance(
                c,
                &filed.tracking_no,
                &accept,
                "clerk",
                noon(d("2026-11-05")),
            )
            .unwrap()
            .unwrap();
            *slot.lock().unwrap() = Some((filed.tracking_no.to_string(), filed.access_code));
        })
        .await;
    let (tracking, code) = seeded.lock().unwrap().clone().unwrap();
    let (status, _, page) = super::form::post_form(
        &app,
        "/complaints/status",
        None,
        &[("tracking_no", &tracking), ("access_code", &code)],
        &[],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("期限 2027-01-04"),
        "60 days from acceptance: {page}"
    );
    assert!(page.contains("已超期"), "concluding was due 4 January");
}

#[actix_web::test]
async fn a_page_past_the_last_possible_one_is_a_400_not_a_crash() {
    let app = TestApp::builder().settings(keyed).seed(subjects).await;
    let token = token(&app, TokenScope::Complaints);
    // Found by schemathesis: (page - 1) * per_page overflowed.
    for page in ["576460752303423489", "100001"] {
        let (status, body) = call(
            &app,
            &token,
            reqwest::Method::GET,
            &format!("/admin/api/complaints?page={page}&per_page=180"),
            None,
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"]["details"]["parameter"], "page");
    }
    let (status, body) = call(
        &app,
        &token,
        reqwest::Method::GET,
        "/admin/api/complaints?page=100000&per_page=200",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["complaints"], serde_json::json!([]));
}

#[actix_web::test]
async fn two_clerks_concluding_one_complaint_at_once_cannot_both_succeed() {
    // Concluded is final: in any order one conclusion stands and the other
    // is refused, never both recorded with the later outcome winning.
    let app = TestApp::builder().settings(keyed).seed(subjects).await;
    let clerk = token(&app, TokenScope::Complaints);
    let other = tokens::create(&mut app.conn(), "clerk-2", TokenScope::Complaints).unwrap();
    for round in 0..8 {
        let (tracking, _) = file_by_api(&app, &body("李四", "13812345678")).await;
        let (s, v) = move_to(
            &app,
            &clerk,
            &tracking,
            serde_json::json!({"to": "accepted"}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let ((a, va), (b, vb)) = tokio::join!(
            move_to(
                &app,
                &clerk,
                &tracking,
                serde_json::json!({"to": "concluded", "note": "查实", "outcome": "upheld"})
            ),
            move_to(
                &app,
                &other,
                &tracking,
                serde_json::json!({"to": "concluded", "note": "不实", "outcome": "not_upheld"})
            ),
        );
        let ok: Vec<&serde_json::Value> = [(a, &va), (b, &vb)]
            .into_iter()
            .filter(|(s, _)| *s == 200)
            .map(|(_, v)| v)
            .collect();
        assert_eq!(ok.len(), 1, "round {round}: {a} {va} / {b} {vb}");
        let refused = if a == 200 { (b, &vb) } else { (a, &va) };
        assert!(
            (400..500).contains(&refused.0),
            "round {round}: the other is refused, not failed: {refused:?}"
        );
        let stored: (String, Option<String>) = complaints::table
            .filter(complaints::tracking_no.eq(&tracking))
            .select((complaints::status, complaints::outcome))
            .first(&mut app.conn())
            .unwrap();
        assert_eq!(stored.0, "concluded");
        assert_eq!(stored.1.as_deref(), ok[0]["outcome"].as_str(), "{}", ok[0]);
    }
}

#[actix_web::test]
async fn a_contact_the_key_cannot_open_does_not_take_the_desk_down() {
    let app = TestApp::builder().settings(keyed).seed(subjects).await;
    let (damaged, _) = file_by_api(&app, &body("李四", "13812345678")).await;
    let (sound, _) = file_by_api(&app, &body("王五", "13900001111")).await;
    // Sealed under another key, or damaged on disk: the same to the desk.
    diesel::update(complaints::table.filter(complaints::tracking_no.eq(&damaged)))
        .set(complaints::contact_ciphertext.eq(Some(vec![7u8; 64])))
        .execute(&mut app.conn())
        .unwrap();
    let clerk = token(&app, TokenScope::Complaints);
    let (status, list) = call(
        &app,
        &clerk,
        reqwest::Method::GET,
        "/admin/api/complaints",
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    let text = list.to_string();
    assert!(text.contains(&damaged) && text.contains(&sound), "{list}");
    let (status, one) = call(
        &app,
        &clerk,
        reqwest::Method::GET,
        &format!("/admin/api/complaints/{damaged}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["contact_unreadable"], true, "{one}");
    assert_eq!(one["contact"], serde_json::Value::Null);
    let (_, other) = call(
        &app,
        &clerk,
        reqwest::Method::GET,
        &format!("/admin/api/complaints/{sound}"),
        None,
    )
    .await;
    assert_eq!(other["contact_unreadable"], false);
    assert_eq!(other["contact"]["phone"], "139****1111", "{other}");
}

#[actix_web::test]
async fn a_list_page_out_of_its_documented_range_is_refused() {
    let app = TestApp::builder().settings(keyed).seed(subjects).await;
    let clerk = token(&app, TokenScope::Complaints);
    for (query, parameter) in [
        ("page=0", "page"),
        ("per_page=0", "per_page"),
        ("per_page=5000", "per_page"),
    ] {
        let (status, body) = call(
            &app,
            &clerk,
            reqwest::Method::GET,
            &format!("/admin/api/complaints?{query}"),
            None,
        )
        .await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["details"]["parameter"], parameter, "{body}");
    }
    let (status, _) = call(
        &app,
        &clerk,
        reqwest::Method::GET,
        "/admin/api/complaints?per_page=200",
        None,
    )
    .await;
    assert_eq!(status, 200);
}
