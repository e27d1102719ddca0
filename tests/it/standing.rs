//! Issue 12: the credit record tells the truth. Standing through the
//! admin import, the public page, the API, `/verify`, search and
//! certificates; the plan's rules with their dates; the exit list; notices
//! naming subjects.

use legal_portal::db::DbConnection;
use legal_portal::domain::vocab::TokenScope;
use serde_json::Value;

use crate::helpers::{TestApp, build, d};
use crate::import::{CSV, import_ok, post, token};

const OFFICE: &str = "31500103001";
const OTHER: &str = "31500103002";
const WORKER: &str = "45001030001";
const COLLEAGUE: &str = "45001030002";

/// A district below the target, two offices reviewed for 2024 and 2025
/// with three workers each, and a worker reviewed for both years.
fn base(c: &mut DbConnection) {
    build::district(c, "500103", "渝中区", 1_000_000, 100);
    build::office(c, OFFICE, "解放碑街道法律服务所", "500103");
    build::office(c, OTHER, "七星岗街道法律服务所", "500103");
    for office in [OFFICE, OTHER] {
        build::review(c, "office", office, 2024, "pass", None);
        build::review(c, "office", office, 2025, "pass", None);
    }
    build::worker(c, WORKER, "张秀英", OFFICE);
    build::worker(c, COLLEAGUE, "李明", OFFICE);
    build::worker(c, "45001030003", "王芳", OFFICE);
    for (i, no) in ["45001030004", "45001030005", "45001030006"]
        .iter()
        .enumerate()
    {
        build::worker(c, no, &format!("赵{i}"), OTHER);
    }
    for w in [WORKER, COLLEAGUE, "45001030003"] {
        build::review(c, "worker", w, 2024, "competent", None);
        build::review(c, "worker", w, 2025, "competent", None);
    }
}

async fn app_on(today: &str) -> (TestApp, String) {
    let app = TestApp::builder().today(d(today)).seed(base).await;
    let token = token(&app, "测试导入", TokenScope::Import);
    (app, token)
}

async fn standing_of(app: &TestApp, kind: &str, no: &str) -> Value {
    app.json(&format!("/api/v1/{kind}/{no}"), 200).await["standing"].clone()
}

const REVIEWS: &str = "对象类型,执业证号,年度,考核结果,整改期限,整改完成日期\n";

/// Imports one review row (after the header [`REVIEWS`]).
async fn import_review(app: &TestApp, token: &str, row: &str) {
    import_ok(app, token, "reviews", CSV, &format!("{REVIEWS}{row}\n")).await;
}

/// GETs an admin address with the token, as JSON.
async fn admin_json(app: &TestApp, token: &str, url: &str) -> Value {
    app.client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("request reaches the portal")
        .json()
        .await
        .expect("a JSON answer")
}

#[actix_web::test]
async fn an_overdue_rectification_is_never_good_standing() {
    let (app, token) = app_on("2026-11-28").await;
    import_review(
        &app,
        &token,
        &format!("人员,{WORKER},2025,不称职,2026-11-18,"),
    )
    .await;
    let s = standing_of(&app, "workers", WORKER).await;
    assert_eq!(s["key"], "rectification_overdue", "{s:#}");
    assert_eq!(s["label"], "逾期未整改");
    let reason = s["reason"].as_str().unwrap();
    assert!(
        reason.contains("2026-11-18") && reason.contains("已过"),
        "{reason}"
    );
    let page = app.text(&format!("/workers/{WORKER}"), 200).await;
    assert!(page.contains("逾期未整改"), "the page's badge");
    assert!(
        !page.contains("执业状态良好"),
        "no green badge beside a failed, overdue review"
    );
    let verify = app
        .json(&format!("/api/v1/verify?license_no={WORKER}"), 200)
        .await;
    assert_eq!(
        verify["subject"]["standing"]["key"], "rectification_overdue",
        "{verify:#}"
    );
    let en = app.text(&format!("/workers/{WORKER}?lang=en"), 200).await;
    assert!(en.contains("Rectification overdue"), "English label");

    // Recording the rectification ends it, and the good reason never
    // names the failing outcome.
    import_review(
        &app,
        &token,
        &format!("人员,{WORKER},2025,不称职,2026-11-18,2026-11-25"),
    )
    .await;
    let s = standing_of(&app, "workers", WORKER).await;
    assert_eq!(s["key"], "good_standing", "{s:#}");
    let reason = s["reason"].as_str().unwrap();
    assert!(reason.contains("2026-11-25"), "{reason}");
    assert!(!reason.contains("不称职"), "{reason}");
}

#[actix_web::test]
async fn before_its_deadline_a_failed_review_is_under_rectification() {
    let (app, token) = app_on("2026-11-28").await;
    import_review(
        &app,
        &token,
        &format!("人员,{WORKER},2025,不称职,2026-11-28,"),
    )
    .await;
    let s = standing_of(&app, "workers", WORKER).await;
    assert_eq!(s["key"], "under_rectification", "the deadline day: {s:#}");
    assert_eq!(s["next_change"], "2026-11-29");
}

#[actix_web::test]
async fn a_rectification_date_must_be_possible() {
    let (app, token) = app_on("2026-11-28").await;
    for (done, why) in [
        ("2026-11-29", "after today"),
        ("2024-12-31", "before the year"),
    ] {
        let (status, report) = post(
            &app,
            &token,
            "reviews",
            CSV,
            format!("{REVIEWS}人员,{WORKER},2025,不称职,2026-11-18,{done}\n"),
            false,
        )
        .await;
        assert_eq!(status, 422, "{why}: {report:#}");
        assert!(
            problem_columns(&report).contains(&(2, "整改完成日期".to_owned())),
            "{why}: the row error names the column: {report:#}"
        );
    }
    let s = standing_of(&app, "workers", WORKER).await;
    assert_eq!(s["key"], "good_standing", "nothing was written");
}

#[actix_web::test]
async fn a_worker_follows_the_office_s_status() {
    let (app, token) = app_on("2026-11-28").await;
    const HEAD: &str = "执业许可证号,名称,区县代码,区域类型,状态,成立日期\n";
    import_ok(
        &app,
        &token,
        "offices",
        CSV,
        &format!("{HEAD}{OFFICE},解放碑街道法律服务所,500103,农村乡镇,注销,2003-05-01\n"),
    )
    .await;
    let s = standing_of(&app, "workers", WORKER).await;
    assert_eq!(s["key"], "office_closed", "{s:#}");
    assert_eq!(s["label"], "所在机构已注销");
    assert!(
        s["reason"]
            .as_str()
            .unwrap()
            .contains("解放碑街道法律服务所")
    );
    let case = app
        .json(
            &format!(
                "/api/v1/workers/{WORKER}/case-check?case_type=mediation&party_a=municipality"
            ),
            200,
        )
        .await;
    assert_eq!(
        case["answer"], "no",
        "no case through a closed office: {case:#}"
    );
    let office = app.json(&format!("/api/v1/offices/{OFFICE}"), 200).await;
    assert_eq!(office["standing"]["key"], "deregistered");
    assert!(
        office["workers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["standing"] == "office_closed"),
        "the office page lists its workers as office closed: {office:#}"
    );

    import_ok(
        &app,
        &token,
        "offices",
        CSV,
        &format!("{HEAD}{OFFICE},解放碑街道法律服务所,500103,农村乡镇,停业,2003-05-01\n"),
    )
    .await;
    let s = standing_of(&app, "workers", WORKER).await;
    assert_eq!(s["key"], "suspended", "{s:#}");
    assert!(
        s["reason"]
            .as_str()
            .unwrap()
            .contains("解放碑街道法律服务所"),
        "the reason names the office: {s:#}"
    );
    // Search sees the same once the indexer has caught up.
    app.wait_for_search().await;
    let hits = app.json(&format!("/api/v1/search?q={WORKER}"), 200).await;
    let hit = hits["hits"]
        .as_array()
        .and_then(|h| h.first())
        .cloned()
        .unwrap_or_default();
    assert_eq!(hit["standing"], "suspended", "{hits:#}");
}

#[actix_web::test]
async fn the_review_calendar_decides_not_reviewed() {
    // On 2026-01-15 the latest due review is 2024's; a worker licensed in
    // October 2025 is exempt, one reviewed for 2024 is fine.
    let app = TestApp::builder()
        .today(d("2026-01-15"))
        .seed(|c| {
            base(c);
            build::worker_with(c, "45001030009", "孙新", OTHER, |w| {
                w.first_licensed_on = Some(d("2025-10-01"));
            });
            build::worker(c, "45001030010", "周旧", OTHER);
            build::review(c, "worker", "45001030010", 2024, "competent", None);
            build::worker(c, "45001030011", "吴缺", OTHER);
            build::review(c, "worker", "45001030011", 2023, "competent", None);
        })
        .await;
    let s = standing_of(&app, "workers", "45001030009").await;
    assert_eq!(s["key"], "good_standing", "{s:#}");
    assert_eq!(s["next_change"], "2027-03-31", "the 2026 review falls due");
    let s = standing_of(&app, "workers", "45001030010").await;
    assert_eq!(s["key"], "good_standing", "{s:#}");
    assert_eq!(s["next_change"], "2026-03-31", "the 2025 review falls due");
    let s = standing_of(&app, "workers", "45001030011").await;
    assert_eq!(s["key"], "not_reviewed", "{s:#}");
    assert_eq!(s["label"], "未参加年度考核");

    // A later due day is a setting.
    let app = TestApp::builder()
        .today(d("2026-04-15"))
        .settings(|s| s.standing_policy.review_due = "06-30".parse().unwrap())
        .seed(|c| {
            base(c);
            build::worker(c, "45001030010", "周旧", OTHER);
            build::review(c, "worker", "45001030010", 2024, "competent", None);
        })
        .await;
    let s = standing_of(&app, "workers", "45001030010").await;
    assert_eq!(s["key"], "good_standing", "due on 06-30: {s:#}");
    assert_eq!(s["next_change"], "2026-06-30");
}

#[actix_web::test]
async fn a_district_without_residents_is_refused() {
    let (app, token) = app_on("2026-11-28").await;
    for population in ["0", "-5"] {
        let (status, report) = post(
            &app,
            &token,
            "districts",
            CSV,
            format!(
                "区县代码,区县名称,类型,常住人口,律师人数\n500103,渝中区,区,{population},100\n"
            ),
            false,
        )
        .await;
        assert_eq!(status, 422, "population {population}: {report:#}");
        assert!(report.to_string().contains("常住人口"), "{report:#}");
    }
    // Figures are summed over every district: one beyond any real count
    // is refused, and the district pages still answer.
    let (status, report) = post(
        &app,
        &token,
        "districts",
        CSV,
        "区县代码,区县名称,类型,常住人口,律师人数
500103,渝中区,区,1000000,9223372036854775807
"
        .to_owned(),
        false,
    )
    .await;
    assert_eq!(status, 422, "{report:#}");
    assert!(report.to_string().contains("过大"), "{report:#}");
    app.text("/districts", 200).await;
    app.json("/api/v1/districts", 200).await;
}

#[actix_web::test]
async fn a_change_of_office_in_a_workers_row_is_a_transfer() {
    let app = TestApp::builder()
        .today(d("2026-11-28"))
        .settings(|s| s.min_office_workers = 1)
        .seed(|c| {
            base(c);
            build::district(c, "500105", "江北区", 1_000_000, 400);
            build::office_with(
                c,
                "31500105001",
                "观音桥街道法律服务所",
                "500105",
                |o| {
                    o.area_kind = "urban".into();
                },
            );
        })
        .await;
    let token = token(&app, "测试导入", TokenScope::Import);
    let report = import_ok(
        &app,
        &token,
        "workers",
        CSV,
        &format!(
            "执业证号,姓名,执业机构许可证号,状态,首次执业日期,实习月数,变更日期\n\
             {WORKER},张秀英,31500105001,执业,2010-03-01,12,2026-11-20\n"
        ),
    )
    .await;
    let rules: Vec<u64> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["subject"] == WORKER)
        .map(|w| w["rule"].as_u64().unwrap())
        .collect();
    assert!(
        rules.contains(&2) && rules.contains(&3),
        "into a district at the target, rural to urban: {report:#}"
    );
    let profile = app.json(&format!("/api/v1/workers/{WORKER}"), 200).await;
    let t = &profile["transfers"][0];
    assert_eq!(t["from_office_license_no"], OFFICE, "{profile:#}");
    assert_eq!(t["to_office_license_no"], "31500105001");
    assert_eq!(t["effective_on"], "2026-11-20");
}

#[actix_web::test]
async fn an_office_moving_to_a_subdistrict_stays_in_the_compliance_report() {
    let (app, token) = app_on("2026-11-28").await;
    import_ok(
        &app,
        &token,
        "offices",
        CSV,
        &format!(
            "执业许可证号,名称,区县代码,乡镇街道,区域类型,状态,成立日期\n\
             {OFFICE},解放碑街道法律服务所,500103,解放碑街道,城区街道,执业,2003-05-01\n"
        ),
    )
    .await;
    let compliance = admin_json(
        &app,
        &token,
        &format!("{}/admin/api/compliance", app.address),
    )
    .await;
    let moved = compliance["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == 5 && f["subject"] == OFFICE)
        .cloned();
    let moved = moved.unwrap_or_else(|| panic!("rule 5 in the report: {compliance:#}"));
    assert_eq!(moved["figures"]["moved_on"], "2026-11-28", "{moved:#}");
}

#[actix_web::test]
async fn the_exit_list_names_overdue_closed_and_unannounced_subjects() {
    let (app, token) = app_on("2026-11-28").await;
    import_review(
        &app,
        &token,
        &format!("人员,{WORKER},2025,不称职,2026-11-18,"),
    )
    .await;
    import_ok(
        &app,
        &token,
        "workers",
        CSV,
        &format!("执业证号,姓名,执业机构许可证号,状态\n{COLLEAGUE},李明,{OFFICE},注销\n"),
    )
    .await;
    let url = format!("{}/admin/api/exit-candidates", app.address);
    let list = admin_json(&app, &token, &url).await;
    let entries = list["candidates"].as_array().unwrap();
    let find = |no: &str, reason: &str| {
        entries
            .iter()
            .find(|e| e["license_no"] == no && e["reason"] == reason)
            .cloned()
    };
    let overdue = find(WORKER, "rectification_overdue")
        .unwrap_or_else(|| panic!("the overdue worker: {list:#}"));
    assert_eq!(overdue["since"], "2026-11-19");
    assert!(overdue["sentence"].as_str().unwrap().contains("2026-11-18"));
    assert!(
        find(COLLEAGUE, "no_exit_announcement").is_some(),
        "deregistered, no notice: {list:#}"
    );
    assert!(
        find(OFFICE, "too_few_workers").is_some(),
        "two practising workers left: {list:#}"
    );
    assert_eq!(list["counts_by_reason"]["rectification_overdue"], 1);

    // An exit notice naming the worker takes them off the list, and links
    // both ways.
    import_ok(
        &app,
        &token,
        "announcements",
        CSV,
        &format!(
            "类型,标题,正文,发布日期,subject_license_nos\n注销公告,关于注销李明执业证的公告,正文,2026-11-27,{COLLEAGUE}\n"
        ),
    )
    .await;
    let list = admin_json(&app, &token, &url).await;
    assert!(
        !list["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["license_no"] == COLLEAGUE),
        "{list:#}"
    );
    let notices = app.text("/announcements", 200).await;
    assert!(
        notices.contains(&format!("href=\"/workers/{COLLEAGUE}\"")),
        "the notice links the subject"
    );
    let profile = app.text(&format!("/workers/{COLLEAGUE}"), 200).await;
    assert!(
        profile.contains("关于注销李明执业证的公告"),
        "the profile links back"
    );
    let id = app.json(&format!("/api/v1/workers/{COLLEAGUE}"), 200).await["announcements"][0]["id"]
        .as_i64()
        .expect("the notice's id in the API");
    let notice = app.text(&format!("/announcements/{id}"), 200).await;
    assert!(notice.contains(&format!("href=\"/workers/{COLLEAGUE}\"")));
    app.text("/announcements/999999", 404).await;

    // CSV, and the errors.
    let resp = app
        .client
        .get(format!("{url}?format=csv"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(
        resp.headers()["cache-control"],
        "no-store",
        "names people the bureau acts on: never kept by a cache"
    );
    let csv = resp.text().await.unwrap();
    assert!(
        csv.contains("rectification_overdue") && csv.contains(WORKER),
        "{csv}"
    );
    let resp = app
        .client
        .get(format!("{url}?format=xml"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = app.client.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 401, "a token is needed");
    let complaints = token_for(&app, TokenScope::Complaints);
    let resp = app
        .client
        .get(&url)
        .bearer_auth(&complaints)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "the complaints desk cannot read it");
}

fn token_for(app: &TestApp, scope: TokenScope) -> String {
    token(app, "投诉受理", scope)
}

#[actix_web::test]
async fn a_certificate_says_when_the_standing_changed_since() {
    let (app, token) = app_on("2026-11-28").await;
    let page = app
        .text(&format!("/workers/{WORKER}/certificate"), 200)
        .await;
    assert!(page.contains("执业状态良好"), "printed in good standing");
    let code = crate::verify::code_in(&page);
    let before = app.text(&format!("/certificates/{code}"), 200).await;
    assert!(before.contains("未发生变化"), "{before}");
    import_review(
        &app,
        &token,
        &format!("人员,{WORKER},2025,不称职,2026-11-18,"),
    )
    .await;
    let after = app.text(&format!("/certificates/{code}"), 200).await;
    assert!(
        after.contains("逾期未整改") && !after.contains("未发生变化"),
        "the check shows the change: {after}"
    );
}

/// Rows refused for a future rectification date are capped in the report
/// like every other problem.
#[actix_web::test]
async fn future_rectification_dates_are_capped_in_the_report() {
    let (app, token) = app_on("2026-11-28").await;
    let mut csv = REVIEWS.to_owned();
    for i in 0..3000 {
        csv.push_str(&format!("人员,W-{i},2025,不称职,,2027-01-01\n"));
    }
    let (status, body) = post(&app, &token, "reviews", CSV, csv, false).await;
    assert_eq!(status, 422, "{body:#}");
    let report = &body["error"]["details"];
    assert_eq!(report["problems"].as_array().unwrap().len(), 1000);
    assert!(
        report["problems_omitted"].as_u64().unwrap() >= 2000,
        "{}",
        report["problems_omitted"]
    );
}

/// The row errors' columns in a rejected import's report.
fn problem_columns(report: &Value) -> Vec<(u64, String)> {
    report["error"]["details"]["problems"]
        .as_array()
        .or_else(|| report["problems"].as_array())
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap_or_default(),
                p["column"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn facts_dated_after_today_are_row_errors_and_change_nothing() {
    // The worker's office is suspended today: a move out of it dated next
    // week must not show the worker in good standing now.
    let (app, token) = app_on("2026-11-28").await;
    import_ok(
        &app,
        &token,
        "offices",
        CSV,
        &format!("执业许可证号,名称,区县代码,区域类型,状态\n{OFFICE},解放碑街道法律服务所,500103,街道,停业\n"),
    )
    .await;
    assert_eq!(
        standing_of(&app, "workers", WORKER).await["key"],
        "suspended"
    );
    let cases = [
        (
            "transfers",
            format!("执业证号,原执业机构,新执业机构,变更日期\n{WORKER},{OFFICE},{OTHER},2026-12-05\n"),
            "变更日期",
        ),
        (
            "workers",
            format!("执业证号,姓名,执业机构许可证号,状态,变更日期\n{WORKER},张秀英,{OTHER},执业,2026-11-29\n"),
            "变更日期",
        ),
        (
            "workers",
            format!("执业证号,姓名,执业机构许可证号,状态,首次执业日期\n45001030099,新人,{OTHER},执业,2027-01-01\n"),
            "首次执业日期",
        ),
        (
            "offices",
            "执业许可证号,名称,区县代码,区域类型,状态,成立日期\n31500103009,新所,500103,街道,执业,2026-12-01\n".to_owned(),
            "成立日期",
        ),
        (
            "disciplinary-actions",
            format!("决定文号,执业证号,处理种类,决定机关,决定日期,撤销日期,撤销原因\n渝司罚〔2026〕77号,{COLLEAGUE},罚款,渝中区司法局,2026-10-01,2026-12-01,复议撤销\n"),
            "撤销日期",
        ),
    ];
    for (dataset, body, column) in cases {
        let (status, report) = post(&app, &token, dataset, CSV, body, false).await;
        assert_eq!(status, 422, "{dataset} {column}: {report:#}");
        assert!(
            problem_columns(&report).contains(&(2, column.to_owned())),
            "{dataset}: the row error names {column}: {report:#}"
        );
        let text = report.to_string();
        assert!(text.contains("晚于今天"), "{dataset}: says why: {report:#}");
    }
    let s = standing_of(&app, "workers", WORKER).await;
    assert_eq!(
        s["key"], "suspended",
        "still at the suspended office: {s:#}"
    );
    let profile = app.json(&format!("/api/v1/workers/{WORKER}"), 200).await;
    assert_eq!(profile["transfers"], serde_json::json!([]), "{profile:#}");
    let colleague = app.json(&format!("/api/v1/workers/{COLLEAGUE}"), 200).await;
    assert!(
        !colleague.to_string().contains("77号"),
        "no action was stored: {colleague:#}"
    );
    app.json("/api/v1/workers/45001030099", 404).await;
    app.json("/api/v1/offices/31500103009", 404).await;
}

#[actix_web::test]
async fn a_disciplinary_action_s_own_dates_must_agree() {
    let (app, token) = app_on("2026-11-28").await;
    const HEAD: &str =
        "决定文号,执业证号,处理种类,决定机关,决定日期,停止执业至,公示截止,撤销日期,撤销原因\n";
    let cases = [
        // A suspension has a term: without its end it would never end.
        (
            "渝司罚〔2026〕80号,{W},停止执业,渝中区司法局,2026-10-01,,,,",
            "停止执业至",
        ),
        (
            "渝司罚〔2026〕81号,{W},停止执业,渝中区司法局,2026-10-01,2026-09-30,,,",
            "停止执业至",
        ),
        (
            "渝司罚〔2026〕82号,{W},罚款,渝中区司法局,2026-10-01,,2026-09-01,,",
            "公示截止",
        ),
        (
            "渝司罚〔2026〕83号,{W},罚款,渝中区司法局,2026-10-01,,,2026-09-15,复议撤销",
            "撤销日期",
        ),
        // A reason without a date would leave the mark on the page.
        (
            "渝司罚〔2026〕84号,{W},罚款,渝中区司法局,2026-10-01,,,,复议撤销",
            "撤销日期",
        ),
    ];
    for (row, column) in cases {
        let body = format!("{HEAD}{}\n", row.replace("{W}", WORKER));
        let (status, report) = post(&app, &token, "disciplinary-actions", CSV, body, false).await;
        assert_eq!(status, 422, "{row}: {report:#}");
        assert!(
            problem_columns(&report).contains(&(2, column.to_owned())),
            "{row}: the row error names {column}: {report:#}"
        );
    }
    assert_eq!(
        standing_of(&app, "workers", WORKER).await["key"],
        "good_standing"
    );
    // The same rows with their dates in order are taken.
    import_ok(
        &app,
        &token,
        "disciplinary-actions",
        CSV,
        &format!(
            "{HEAD}渝司罚〔2026〕80号,{WORKER},停止执业,渝中区司法局,2026-10-01,2027-03-31,,,\n"
        ),
    )
    .await;
    let s = standing_of(&app, "workers", WORKER).await;
    assert_eq!(s["key"], "suspended", "{s:#}");
    assert_eq!(s["next_change"], "2027-04-01", "{s:#}");
}

/// GETs `path` from a served binary as JSON.
async fn served_json(served: &crate::helpers::ServedBinary, path: &str) -> Value {
    reqwest::get(format!("{}{path}", served.address))
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON")
}

/// The worker's standing in the search index, once the index has it.
async fn searched_standing(served: &crate::helpers::ServedBinary) -> String {
    let started = std::time::Instant::now();
    loop {
        let hits = served_json(served, &format!("/api/v1/search?q={WORKER}")).await;
        if let Some(s) = hits["hits"][0]["standing"].as_str() {
            return s.to_owned();
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the worker never reached the index: {hits:#}"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn the_disclosure_windows_are_settings_and_a_restart_under_others_reindexes() {
    use crate::helpers::{ServedBinary, fresh_database, migrated};
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _pg) = fresh_database(dir.path());
    // A fine decided 2025-06-01 without public_until: three years by
    // default, so disclosed on the tests' date 2026-11-28; closed
    // 2026-05-31 under a window of one year.
    migrated(&url, |c| {
        base(c);
        crate::helpers::build::action(c, "渝司罚〔2025〕5号", WORKER, "fine", "2025-06-01", |_| {});
    });
    let data = dir.path().join("data");
    let served = ServedBinary::start(ServedBinary::command(&url, &data)).await;
    let page = served_json(&served, &format!("/api/v1/workers/{WORKER}")).await;
    assert_eq!(page["standing"]["key"], "disclosed_record", "{page:#}");
    assert_eq!(searched_standing(&served).await, "disclosed_record");
    served.finish();

    let mut shorter = ServedBinary::command(&url, &data);
    shorter.env("LEGAL_PORTAL_DISCLOSURE_YEARS", "1");
    let served = ServedBinary::start(shorter).await;
    let page = served_json(&served, &format!("/api/v1/workers/{WORKER}")).await;
    assert_eq!(page["standing"]["key"], "good_standing", "{page:#}");
    // The index was built under three years: the start rebuilds it, and
    // search says what the page says.
    let started = std::time::Instant::now();
    while searched_standing(&served).await != "good_standing" {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "search still shows the old window"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let log = served.finish();
    assert!(log.contains("other standing settings"), "{log}");

    // The same settings again: no rebuild.
    let mut same = ServedBinary::command(&url, &data);
    same.env("LEGAL_PORTAL_DISCLOSURE_YEARS", "1");
    let served = ServedBinary::start(same).await;
    assert_eq!(searched_standing(&served).await, "good_standing");
    let log = served.finish();
    assert!(!log.contains("other standing settings"), "{log}");

    // A window of no years is refused with the flag's name.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_legal-portal"))
        .args(["serve", "--disclosure-years-short", "0"])
        .env("DATABASE_URL", &url)
        .env("LEGAL_PORTAL_DATA", &data)
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--disclosure-years-short"), "{err}");
}
