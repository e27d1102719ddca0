//! The complaint desk, the plan-rule page and the audit log in the
//! console; what reaches the log.

use diesel::prelude::*;
use legal_portal::db::schema::{audit_log, complaints};
use legal_portal::domain::vocab::Role;

use super::{Clerk, PASSWORD, account, between, two_districts};
use crate::complaints::{body, capture_logs, captured_logs, file_by_api};
use crate::helpers::TestApp;

fn stage(app: &TestApp, tracking: &str) -> String {
    complaints::table
        .filter(complaints::tracking_no.eq(tracking))
        .select(complaints::status)
        .first(&mut app.conn())
        .unwrap()
}

fn complaint_about(worker: &str, name: &str, phone: &str) -> serde_json::Value {
    let mut b = body(name, phone);
    b["subject_license_no"] = worker.into();
    b
}

#[actix_web::test]
async fn a_complaint_is_moved_through_its_stages_from_the_console() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "desk", Role::Complaints, None);
    let (tracking, _) =
        file_by_api(&app, &complaint_about("45001030001", "李四", "13812345678")).await;
    let mut clerk = Clerk::signed_in(&app, "desk").await;

    let list = clerk.get("/admin/complaints").await;
    assert!(list.body.contains(&tracking), "{}", list.body);
    let home = clerk.get("/admin").await;
    assert!(home.body.contains(&tracking), "the dashboard lists it");

    let path = format!("/admin/complaints/{tracking}");
    let page = clerk.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("name=\"to\" value=\"accepted\""));

    let to = format!("{path}/transition");
    // Concluding straight away is not a move the desk may make.
    let a = clerk
        .post(
            &to,
            &[
                ("to", "concluded"),
                ("outcome", "mediated"),
                ("note", "已调解"),
            ],
        )
        .await;
    assert_eq!(a.status, 400, "{}", a.body);
    assert!(a.body.contains("不能转为该状态"), "{}", a.body);
    assert_eq!(stage(&app, &tracking), "submitted");

    let a = clerk.post(&to, &[("to", "accepted"), ("note", "")]).await;
    assert_eq!(a.status, 303, "{}", a.body);
    assert_eq!(stage(&app, &tracking), "accepted");
    // Concluding needs an outcome; the form keeps what was typed.
    let a = clerk
        .post(&to, &[("to", "concluded"), ("note", "双方达成和解")])
        .await;
    assert_eq!(a.status, 400);
    assert!(a.body.contains("双方达成和解"), "the note is kept");
    clerk.get(&path).await;
    let a = clerk
        .post(
            &to,
            &[
                ("to", "concluded"),
                ("outcome", "mediated"),
                ("note", "双方达成和解"),
            ],
        )
        .await;
    assert_eq!(a.status, 303, "{}", a.body);
    assert_eq!(stage(&app, &tracking), "concluded");
    let done = clerk.get(&path).await;
    assert!(
        done.body.contains("desk"),
        "the timeline names who moved it"
    );
    assert!(
        !done.body.contains("name=\"to\""),
        "no move after concluding"
    );
}

#[actix_web::test]
async fn a_refused_move_is_explained_in_the_console_s_language() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "desk", Role::Complaints, None);
    let (tracking, _) =
        file_by_api(&app, &complaint_about("45001030001", "李四", "13812345678")).await;
    let mut clerk = Clerk::signed_in(&app, "desk").await;
    let path = format!("/admin/complaints/{tracking}");
    let page = clerk.get(&format!("{path}?lang=en")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let a = clerk
        .post(
            &format!("{path}/transition"),
            &[
                ("to", "concluded"),
                ("outcome", "mediated"),
                ("note", "settled"),
            ],
        )
        .await;
    assert_eq!(a.status, 400, "{}", a.body);
    assert!(
        a.body
            .contains("The complaint is &quot;Submitted&quot; and cannot move to that stage")
            || a.body
                .contains("The complaint is \"Submitted\" and cannot move to that stage"),
        "{}",
        a.body
    );
    assert!(!a.body.contains("不能转为该状态"), "{}", a.body);
    assert!(
        !a.body.contains("已提交"),
        "the stages in English too: {}",
        a.body
    );
    assert_eq!(stage(&app, &tracking), "submitted");
}

#[actix_web::test]
async fn a_district_desk_sees_only_its_district_s_complaints() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "yongchuan-desk", Role::Complaints, Some("500118"));
    let (yuzhong, _) =
        file_by_api(&app, &complaint_about("45001030001", "李四", "13812345678")).await;
    let (yongchuan, _) =
        file_by_api(&app, &complaint_about("45001180001", "王五", "15987654321")).await;
    let mut clerk = Clerk::signed_in(&app, "yongchuan-desk").await;
    let list = clerk.get("/admin/complaints?district=500103").await;
    assert!(list.body.contains(&yongchuan));
    assert!(
        !list.body.contains(&yuzhong),
        "the address cannot widen the district"
    );
    assert_eq!(
        clerk
            .get(&format!("/admin/complaints/{yuzhong}"))
            .await
            .status,
        404
    );
    let a = clerk
        .post(
            &format!("/admin/complaints/{yuzhong}/transition"),
            &[("to", "accepted")],
        )
        .await;
    assert_eq!(a.status, 404);
    assert_eq!(stage(&app, &yuzhong), "submitted");
}

/// A complaint stays at the desk of the district its subject was in when
/// it was filed: the worker's move to another district's office takes it
/// (and the complainant's contact) nowhere.
#[actix_web::test]
async fn a_complaint_stays_with_the_district_it_was_filed_in_when_its_worker_moves() {
    use legal_portal::db::schema::workers;
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "yuzhong-desk", Role::Complaints, Some("500103"));
    account(&app, "yongchuan-desk", Role::Complaints, Some("500118"));
    let (tracking, _) =
        file_by_api(&app, &complaint_about("45001030001", "李四", "13812345678")).await;
    // The worker moves from 渝中 to an office of 永川.
    diesel::update(workers::table.filter(workers::license_no.eq("45001030001")))
        .set(workers::office_license_no.eq("31500118001"))
        .execute(&mut app.conn())
        .unwrap();
    // A complaint filed after the move goes to the new district.
    let (later, _) =
        file_by_api(&app, &complaint_about("45001030001", "王五", "15987654321")).await;

    let mut yuzhong = Clerk::signed_in(&app, "yuzhong-desk").await;
    let list = yuzhong.get("/admin/complaints").await;
    assert!(list.body.contains(&tracking), "{}", list.body);
    assert!(!list.body.contains(&later), "{}", list.body);
    assert_eq!(
        yuzhong
            .get(&format!("/admin/complaints/{tracking}"))
            .await
            .status,
        200
    );
    let moved = yuzhong
        .post(
            &format!("/admin/complaints/{tracking}/transition"),
            &[("to", "accepted"), ("note", "")],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    assert_eq!(stage(&app, &tracking), "accepted");

    let mut yongchuan = Clerk::signed_in(&app, "yongchuan-desk").await;
    let list = yongchuan.get("/admin/complaints").await;
    assert!(!list.body.contains(&tracking), "{}", list.body);
    assert!(list.body.contains(&later), "{}", list.body);
    assert_eq!(
        yongchuan
            .get(&format!("/admin/complaints/{tracking}"))
            .await
            .status,
        404
    );
    let contact = yongchuan
        .post(&format!("/admin/complaints/{tracking}/contact"), &[])
        .await;
    assert_eq!(contact.status, 404, "{}", contact.body);
}

#[actix_web::test]
async fn the_contact_is_shown_only_on_request_audited_by_name_and_never_logged() {
    capture_logs();
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "desk-reveal", Role::Complaints, None);
    let phone = "13912345670";
    let (tracking, _) = file_by_api(&app, &complaint_about("45001030001", "欧阳修远", phone)).await;
    let mut clerk = Clerk::signed_in(&app, "desk-reveal").await;
    let session = clerk.session_id().unwrap();

    let path = format!("/admin/complaints/{tracking}");
    let page = clerk.get(&path).await;
    assert!(!page.body.contains(phone), "masked until asked");
    assert!(!page.body.contains("欧阳修远"));
    let shown = clerk.post(&format!("{path}/contact"), &[]).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.body.contains(phone) && shown.body.contains("欧阳修远"));
    assert_eq!(shown.headers["cache-control"], "no-store");

    let reveals: Vec<(String, String)> = audit_log::table
        .filter(audit_log::action.eq("complaint.reveal_contact"))
        .select((audit_log::actor, audit_log::target))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(reveals, vec![("desk-reveal".to_owned(), tracking.clone())]);

    let logs = captured_logs();
    assert!(logs.contains("/admin/complaints"), "the log was captured");
    for secret in [
        PASSWORD,
        session.as_str(),
        phone,
        "欧阳修远",
        clerk.token.as_str(),
    ] {
        assert!(!logs.contains(secret), "the log carries {secret}");
    }
    let audit: Vec<String> = audit_log::table
        .select(audit_log::detail)
        .load(&mut app.conn())
        .unwrap();
    assert!(
        audit
            .iter()
            .all(|d| !d.contains(phone) && !d.contains(PASSWORD))
    );
}

#[actix_web::test]
async fn the_plan_rules_page_shows_a_district_clerk_only_its_district_and_downloads_as_csv() {
    let app = TestApp::builder().demo().start().await;
    account(&app, "city", Role::City, None);
    // The demo's first district with a finding, and another one.
    let mut city = Clerk::signed_in(&app, "city").await;
    let all = city.get("/admin/compliance.csv").await;
    assert_eq!(all.status, 200);
    assert!(
        all.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let lines: Vec<&str> = all.body.lines().skip(1).collect();
    assert!(!lines.is_empty(), "the demo breaks some rules");
    let district = lines[0].split(',').next().unwrap().to_owned();
    assert_eq!(district.len(), 6, "{}", lines[0]);
    let in_it = lines.iter().filter(|l| l.starts_with(&district)).count();

    account(&app, "district", Role::District, Some(&district));
    let mut clerk = Clerk::signed_in(&app, "district").await;
    let own = clerk.get("/admin/compliance.csv?district=500101").await;
    let own_lines: Vec<&str> = own.body.lines().skip(1).collect();
    assert_eq!(
        own_lines.len(),
        in_it,
        "only its district, whatever is asked"
    );
    assert!(own_lines.iter().all(|l| l.starts_with(&district)));
    let page = clerk.get("/admin/compliance").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("规则1"), "the eight rules are listed");
}

#[actix_web::test]
async fn the_audit_log_is_filtered_by_account_action_and_date() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "city", Role::City, None);
    account(&app, "desk", Role::Complaints, None);
    Clerk::signed_in(&app, "desk").await;
    let mut city = Clerk::signed_in(&app, "city").await;

    let a = city.get("/admin/audit?actor=desk").await;
    assert_eq!(a.status, 200);
    let rows = between(&a.body, "<tbody>", "</tbody>").unwrap();
    assert!(
        rows.contains("console.sign_in") && !rows.contains("<td>city</td>"),
        "{rows}"
    );
    let b = city
        .get("/admin/audit?action=console.sign_in&actor=city")
        .await;
    assert!(
        between(&b.body, "<tbody>", "</tbody>")
            .unwrap()
            .contains("<td>city</td>")
    );
    let c = city
        .get("/admin/audit?from=2000-01-01&until=2000-01-02")
        .await;
    assert!(c.body.contains("没有符合条件的记录"), "{}", c.body);
    let d = city.get("/admin/audit?from=yesterday").await;
    assert_eq!(d.status, 400);
    assert!(d.body.contains("YYYY-MM-DD"));
}
