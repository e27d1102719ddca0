//! The public history of a record (issue 14): one entry per changed field,
//! none for an unchanged re-import, "last confirmed" moved by every import.

use diesel::prelude::*;
use legal_portal::db::schema::{record_confirmations, record_history};
use legal_portal::domain::vocab::TokenScope;

use crate::helpers::{TestApp, build};
use crate::import::{CSV, token};

const OFFICE_A: &str = "31500103001";
const OFFICE_B: &str = "31500103002";
const HEADER: &str = "执业证号,姓名,执业机构许可证号,状态,首次执业日期,实习月数\n";

fn seed(c: &mut legal_portal::db::DbConnection) {
    build::district(c, "500103", "渝中区", 588_717, 2000);
    build::office(c, OFFICE_A, "解放碑街道法律服务所", "500103");
    build::office(c, OFFICE_B, "七星岗街道法律服务所", "500103");
}

async fn import(app: &TestApp, token: &str, body: &str) {
    import_to(app, token, "workers", body).await;
}

fn entries(app: &TestApp) -> Vec<(String, String, String, Option<i64>)> {
    record_history::table
        .filter(record_history::subject_key.eq("45001030009"))
        .order(record_history::id)
        .select((
            record_history::field,
            record_history::old_value,
            record_history::new_value,
            record_history::batch_id,
        ))
        .load(&mut app.conn())
        .unwrap()
}

#[actix_web::test]
async fn each_changed_field_is_a_history_entry_and_an_unchanged_re_import_adds_none() {
    let app = TestApp::builder().seed(seed).await;
    let token = token(&app, "clerk", TokenScope::Import);

    let first = format!("{HEADER}45001030009,欧阳明,{OFFICE_A},执业,2019-01-01,12\n");
    import(&app, &token, &first).await;
    let after_first = entries(&app);
    assert_eq!(after_first.len(), 1, "registered: {after_first:?}");
    assert_eq!(after_first[0].0, "", "a new record's entry has no field");
    assert!(after_first[0].3.is_some(), "linked to its batch");
    let confirmed = |app: &TestApp| -> Option<chrono::NaiveDateTime> {
        record_confirmations::table
            .find(("worker", "45001030009"))
            .select(record_confirmations::confirmed_at)
            .first(&mut app.conn())
            .optional()
            .unwrap()
    };
    let c1 = confirmed(&app).expect("confirmed by the import");

    // The same file again: nothing changes, but the record is confirmed anew.
    import(&app, &token, &first).await;
    assert_eq!(
        entries(&app).len(),
        1,
        "no entry for an unchanged re-import"
    );
    assert!(confirmed(&app).unwrap() >= c1);

    // A move to another office and a new first-licensed date: two entries.
    let second = format!("{HEADER}45001030009,欧阳明,{OFFICE_B},执业,2018-06-01,12\n");
    import(&app, &token, &second).await;
    let all = entries(&app);
    assert_eq!(all.len(), 3, "{all:?}");
    let fields: Vec<&str> = all[1..].iter().map(|e| e.0.as_str()).collect();
    assert!(fields.contains(&"office_license_no") && fields.contains(&"first_licensed_on"));
    let moved = all.iter().find(|e| e.0 == "office_license_no").unwrap();
    assert_eq!((moved.1.as_str(), moved.2.as_str()), (OFFICE_A, OFFICE_B));

    // A dry run writes no history.
    let resp = app
        .client
        .post(format!(
            "{}/admin/api/import/workers?dry_run=true",
            app.address
        ))
        .bearer_auth(&token)
        .header("content-type", CSV)
        .body(format!(
            "{HEADER}45001030009,欧阳明,{OFFICE_A},执业,2018-06-01,12\n"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(entries(&app).len(), 3);

    // The profile says when the record was last confirmed and what changed
    // last, in plain words; the history page and its JSON twin list all.
    let page = app.text("/workers/45001030009", 200).await;
    assert!(page.contains("信息最后核实于 2026-"), "{page}");
    assert!(
        page.contains(&format!("执业机构许可证号由 {OFFICE_A} 变更为 {OFFICE_B}")),
        "{page}"
    );
    assert!(page.contains("首次登记"));
    let history = app.text("/workers/45001030009/history", 200).await;
    assert_eq!(history.matches("<li>").count(), 3, "{history}");
    let en = app.text("/workers/45001030009/history?lang=en", 200).await;
    assert!(
        en.contains(&format!(
            "office license no changed from {OFFICE_A} to {OFFICE_B}"
        )),
        "{en}"
    );
    let api = app.json("/api/v1/workers/45001030009/history", 200).await;
    assert_eq!(api["total"], 3);
    assert_eq!(api["changes"].as_array().unwrap().len(), 3);
    assert_eq!(api["changes"][2]["field"], "");
    assert!(api["confirmed_on"].is_string());
    // Follow the record: an Atom feed with an entry per change, linked from
    // the profile's head.
    assert!(
        page.replace("&#x2F;", "/").contains(
            "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"关注此记录的变更（Atom）\" href=\"/workers/45001030009/feed.atom\">"
        ),
        "{page}"
    );
    let resp = app.get("/workers/45001030009/feed.atom").await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let feed = resp.text().await.unwrap();
    assert_eq!(feed.matches("<entry>").count(), 3, "{feed}");
    assert!(feed.contains(&format!("执业机构许可证号由 {OFFICE_A} 变更为 {OFFICE_B}")));
    assert!(
        feed.contains("<title>欧阳明（45001030009）的动态</title>"),
        "{feed}"
    );
    app.text("/workers/45009999999/feed.atom", 404).await;
    app.text("/workers/45009999999/history", 404).await;
    app.json("/api/v1/offices/31599999999/history", 404).await;
}

#[actix_web::test]
async fn a_subject_s_feed_carries_its_disclosures_and_the_notices_naming_it() {
    use legal_portal::db::models::NewAnnouncement;
    use legal_portal::db::schema::announcements;
    let app = TestApp::builder()
        .seed(|c| {
            seed(c);
            build::worker(c, "45001030009", "欧阳明", OFFICE_A);
            build::action(
                c,
                "渝中司罚〔2026〕3号",
                "45001030009",
                "warning",
                "2026-10-01",
                |_| {},
            );
            let n = NewAnnouncement {
                kind: "review_bulletin".into(),
                title: "2025年度考核通报".into(),
                body: "通报".into(),
                published_on: crate::helpers::d("2026-04-01"),
                license_nos: "45001030009".into(),
            };
            legal_portal::with_backend!(c, |cc| diesel::insert_into(announcements::table)
                .values(&n)
                .execute(cc))
            .unwrap();
            // As the portal's writers do: who each notice names, indexed.
            legal_portal::db::announcements::sync_subjects(c).unwrap();
        })
        .await;
    let feed = app.text("/workers/45001030009/feed.atom", 200).await;
    // The decision, the change of standing it made that day, the notice.
    assert_eq!(feed.matches("<entry>").count(), 3, "{feed}");
    assert!(feed.contains("渝中司罚〔2026〕3号") && feed.contains("2025年度考核通报"));
    assert!(
        feed.contains("自 2026-10-01 起，信用状态由“未参加年度考核”变为“有公示中的不良信息”。"),
        "{feed}"
    );
    // Newest first.
    assert!(feed.find("渝中司罚").unwrap() < feed.find("2025年度考核通报").unwrap());
    let office = app
        .text(&format!("/offices/{OFFICE_A}/feed.atom"), 200)
        .await;
    assert!(office.contains("<feed"), "{office}");
}

/// A worker who moved is weighed, day by day, with the office they were at:
/// the old office's suspension while they were there is in their feed, the
/// new office's, served before they came, is not.
#[actix_web::test]
async fn a_transferred_worker_s_feed_follows_the_office_of_each_day() {
    let suspend =
        |c: &mut legal_portal::db::DbConnection, no: &str, office: &str, from: &str, to: &str| {
            build::action(c, no, office, "suspend_practice", from, |a| {
                a.subject_kind = "office".into();
                a.suspended_until = Some(crate::helpers::d(to));
            });
        };
    let app = TestApp::builder()
        .today(crate::helpers::d("2026-11-28"))
        .seed(|c| {
            seed(c);
            build::worker(c, "45001030009", "欧阳明", OFFICE_B);
            build::transfer(c, "45001030009", OFFICE_A, OFFICE_B, "2026-06-01");
            suspend(
                c,
                "渝中司罚〔2026〕1号",
                OFFICE_A,
                "2026-03-01",
                "2026-12-31",
            );
            suspend(
                c,
                "渝中司罚〔2025〕2号",
                OFFICE_B,
                "2025-01-01",
                "2025-12-31",
            );
        })
        .await;
    let feed = app.text("/workers/45001030009/feed.atom", 200).await;
    assert!(
        feed.contains("自 2026-03-01 起，信用状态由“未参加年度考核”变为“停止执业”。"),
        "the old office's suspension while they were there: {feed}"
    );
    assert!(
        feed.contains("自 2026-06-01 起，信用状态由“停止执业”变为“未参加年度考核”。"),
        "the move ended it for them: {feed}"
    );
    assert_eq!(
        feed.matches("信用状态由").count(),
        4,
        "two entries (title and summary each), nothing of 2025: {feed}"
    );
    // Their profile says what holds today, at the new office.
    let page = app.text("/workers/45001030009", 200).await;
    assert!(page.contains("未参加年度考核"), "{page}");
}

/// A transfer that does not name the office left: it is the office the
/// transfer before took the worker to, and its decisions count those days.
#[actix_web::test]
async fn an_unnamed_office_left_is_the_one_the_transfer_before_went_to() {
    use legal_portal::db::models::NewTransfer;
    use legal_portal::db::schema::transfers;
    const OFFICE_C: &str = "31500103003";
    let app = TestApp::builder()
        .today(crate::helpers::d("2026-11-28"))
        .seed(|c| {
            seed(c);
            build::office(c, OFFICE_C, "大溪沟街道法律服务所", "500103");
            build::worker(c, "45001030009", "欧阳明", OFFICE_C);
            build::transfer(c, "45001030009", OFFICE_B, OFFICE_A, "2025-01-01");
            let unnamed = NewTransfer {
                worker_license_no: "45001030009".into(),
                from_office_license_no: None,
                to_office_license_no: OFFICE_C.into(),
                effective_on: crate::helpers::d("2026-06-01"),
            };
            legal_portal::with_backend!(c, |cc| diesel::insert_into(transfers::table)
                .values(&unnamed)
                .execute(cc))
            .unwrap();
            build::action(
                c,
                "渝中司罚〔2026〕1号",
                OFFICE_A,
                "suspend_practice",
                "2026-03-01",
                |a| {
                    a.subject_kind = "office".into();
                    a.suspended_until = Some(crate::helpers::d("2026-12-31"));
                },
            );
        })
        .await;
    let feed = app.text("/workers/45001030009/feed.atom", 200).await;
    assert!(
        feed.contains("自 2026-03-01 起，信用状态由“未参加年度考核”变为“停止执业”。"),
        "{feed}"
    );
    assert!(
        feed.contains("自 2026-06-01 起，信用状态由“停止执业”变为“未参加年度考核”。"),
        "{feed}"
    );
}

/// A worker (never reviewed) whose only warning is disclosed until
/// 2026-11-27.
fn warned(c: &mut legal_portal::db::DbConnection) {
    seed(c);
    build::worker(c, "45001030009", "欧阳明", OFFICE_A);
    build::action(
        c,
        "渝中司罚〔2025〕8号",
        "45001030009",
        "warning",
        "2025-11-28",
        |a| a.public_until = Some(crate::helpers::d("2026-11-27")),
    );
}

#[actix_web::test]
async fn the_feed_has_an_entry_on_the_day_a_disclosure_window_closes() {
    // The last day of the window: disclosed, and no entry for its end yet.
    let open = TestApp::builder()
        .today(crate::helpers::d("2026-11-27"))
        .seed(warned)
        .await;
    let feed = open.text("/workers/45001030009/feed.atom", 200).await;
    assert!(feed.contains("渝中司罚〔2025〕8号"), "{feed}");
    assert!(!feed.contains("2026-11-28"), "{feed}");
    // The next day time alone has changed the standing: the entry is there,
    // dated that day, and the decision itself is no longer disclosed.
    let closed = TestApp::builder()
        .today(crate::helpers::d("2026-11-28"))
        .seed(warned)
        .await;
    let feed = closed.text("/workers/45001030009/feed.atom", 200).await;
    assert!(
        feed.contains("自 2026-11-28 起，信用状态由“有公示中的不良信息”变为“未参加年度考核”。"),
        "{feed}"
    );
    assert!(
        feed.contains("<updated>2026-11-28T00:00:00+08:00</updated>"),
        "{feed}"
    );
    assert!(!feed.contains("渝中司罚〔2025〕8号"), "{feed}");
}

async fn import_to(app: &TestApp, token: &str, dataset: &str, body: &str) {
    let resp = app
        .client
        .post(format!("{}/admin/api/import/{dataset}", app.address))
        .bearer_auth(token)
        .header("content-type", CSV)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
}

#[actix_web::test]
async fn a_transfer_batch_is_in_the_history_and_internship_months_never_are() {
    let app = TestApp::builder().seed(seed).await;
    let token = token(&app, "clerk", TokenScope::Import);
    let first = format!("{HEADER}45001030009,欧阳明,{OFFICE_A},执业,2019-01-01,12\n");
    import(&app, &token, &first).await;
    assert_eq!(entries(&app).len(), 1);

    // Internship months are not public: a change of them alone is no
    // public history, no feed entry, nothing a webhook would carry.
    let months = format!("{HEADER}45001030009,欧阳明,{OFFICE_A},执业,2019-01-01,18\n");
    import(&app, &token, &months).await;
    assert_eq!(entries(&app).len(), 1, "{:?}", entries(&app));
    let api = app.json("/api/v1/workers/45001030009/history", 200).await;
    assert!(!api.to_string().contains("internship"), "{api}");

    // A move sent as a transfer is in the worker's history like a move
    // sent as a workers row.
    import_to(
        &app,
        &token,
        "transfers",
        &format!("执业证号,原执业机构,新执业机构,变更日期\n45001030009,{OFFICE_A},{OFFICE_B},2026-11-01\n"),
    )
    .await;
    let all = entries(&app);
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(
        (all[1].0.as_str(), all[1].1.as_str(), all[1].2.as_str()),
        ("office_license_no", OFFICE_A, OFFICE_B)
    );
    assert!(all[1].3.is_some(), "linked to the transfers batch");
    let page = app.text("/workers/45001030009", 200).await;
    assert!(
        page.contains(&format!("执业机构许可证号由 {OFFICE_A} 变更为 {OFFICE_B}")),
        "{page}"
    );
    // The same transfer again changes nothing and adds no entry.
    import_to(
        &app,
        &token,
        "transfers",
        &format!("执业证号,原执业机构,新执业机构,变更日期\n45001030009,{OFFICE_A},{OFFICE_B},2026-11-01\n"),
    )
    .await;
    assert_eq!(entries(&app).len(), 2);
}

#[actix_web::test]
async fn an_office_s_township_changes_in_the_history_by_name() {
    let app = TestApp::builder().seed(seed).await;
    let token = token(&app, "clerk", TokenScope::Import);
    let header = "执业许可证号,名称,区县代码,区域类型,乡镇街道,状态\n";
    for township in ["解放碑街道", "七星岗街道"] {
        import_to(
            &app,
            &token,
            "offices",
            &format!("{header}{OFFICE_A},解放碑街道法律服务所,500103,urban,{township},执业\n"),
        )
        .await;
    }
    let api = app
        .json(&format!("/api/v1/offices/{OFFICE_A}/history"), 200)
        .await;
    let moved = api["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "township")
        .unwrap_or_else(|| panic!("{api:#}"));
    assert_eq!(moved["before"], "解放碑街道", "{api:#}");
    assert_eq!(moved["after"], "七星岗街道");
    assert!(
        moved["sentence"]
            .as_str()
            .unwrap()
            .contains("乡镇街道由 解放碑街道 变更为 七星岗街道"),
        "{moved}"
    );
    assert!(!api.to_string().contains("township_id"), "{api}");
}

#[actix_web::test]
async fn a_history_page_past_the_last_is_not_found() {
    let app = TestApp::builder().seed(seed).await;
    let token = token(&app, "clerk", TokenScope::Import);
    import(
        &app,
        &token,
        &format!("{HEADER}45001030009,欧阳明,{OFFICE_A},执业,2019-01-01,12\n"),
    )
    .await;
    app.text("/workers/45001030009/history", 200).await;
    app.text("/workers/45001030009/history?page=5", 404).await;
    // The JSON twin refuses a page out of its documented range.
    for page in ["0", "-5", "100001"] {
        let body = app
            .json(
                &format!("/api/v1/workers/45001030009/history?page={page}"),
                400,
            )
            .await;
        assert_eq!(body["error"]["details"]["parameter"], "page", "{body}");
    }
}
