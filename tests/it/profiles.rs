use legal_portal::db::DbConnection;

use crate::helpers::{TestApp, build, d};

const WORKER: &str = "45001030001";
const OFFICE: &str = "31500103001";
const OTHER_OFFICE: &str = "31500103002";

fn base(c: &mut DbConnection) {
    build::district(c, "500103", "渝中区", 588_717, 2000);
    build::office(c, OFFICE, "解放碑街道法律服务所", "500103");
    build::office(c, OTHER_OFFICE, "七星岗街道法律服务所", "500103");
    build::worker(c, WORKER, "张秀英", OFFICE);
    build::review(c, "worker", WORKER, 2024, "competent", None);
    build::review(c, "worker", WORKER, 2025, "excellent", None);
}

#[actix_web::test]
async fn a_worker_profile_shows_standing_reviews_disclosures_and_history() {
    let app = TestApp::builder()
        .seed(|c| {
            base(c);
            build::action(
                c,
                "渝中司罚〔2026〕3号",
                WORKER,
                "fine",
                "2026-05-10",
                |a| {
                    a.facts = "超标准收取代理费".into();
                },
            );
            build::action(
                c,
                "渝中司罚〔2021〕1号",
                WORKER,
                "warning",
                "2021-02-01",
                |a| {
                    a.facts = "早已过期的旧事".into();
                },
            );
            build::action(
                c,
                "渝中司罚〔2026〕9号",
                WORKER,
                "public_censure",
                "2026-01-05",
                |a| {
                    a.facts = "已撤销的决定".into();
                    a.withdrawn_on = Some(d("2026-03-01"));
                    a.withdrawn_reason = Some("复议撤销".into());
                },
            );
            build::commendation(c, WORKER, "全市优秀基层法律服务工作者", "2024-12-20");
            build::transfer(c, WORKER, OTHER_OFFICE, OFFICE, "2022-07-01");
        })
        .await;

    let page = app.text(&format!("/workers/{WORKER}"), 200).await;
    assert!(page.contains("张秀英"));
    assert!(page.contains("有公示中的不良信息"), "standing badge");
    assert!(page.contains("截至 2026-11-28"), "standing is dated");
    assert!(page.contains("渝中司罚〔2026〕3号") && page.contains("超标准收取代理费"));
    assert!(
        !page.contains("早已过期的旧事"),
        "an expired disclosure's content is not public"
    );
    assert!(
        page.contains("另有 1 条记录已过公示期"),
        "but it is counted"
    );
    assert!(
        !page.contains("已撤销的决定"),
        "a withdrawn action is never shown as a mark"
    );
    assert!(page.contains("优秀") && page.contains("称职") && page.contains("2025"));
    assert!(page.contains("全市优秀基层法律服务工作者"));
    assert!(page.contains("七星岗街道法律服务所") && page.contains("2022-07-01"));
    assert!(page.contains(&format!("href=\"/offices/{OFFICE}\"")));

    let json = app.json(&format!("/api/v1/workers/{WORKER}"), 200).await;
    assert_eq!(json["type"], "worker");
    assert_eq!(json["license_no"], WORKER);
    assert_eq!(json["standing"]["key"], "disclosed_record");
    assert_eq!(json["standing"]["label"], "有公示中的不良信息");
    assert_eq!(json["standing"]["as_of"], "2026-11-28");
    // A fine is disclosed for three years: until 2029-05-09.
    assert_eq!(json["standing"]["next_change"], "2029-05-10");
    assert!(
        json["standing"]["reason"]
            .as_str()
            .unwrap()
            .contains("渝中司罚〔2026〕3号")
    );
    assert_eq!(json["disclosures"].as_array().unwrap().len(), 1);
    assert_eq!(json["disclosures"][0]["public_until"], "2029-05-09");
    assert_eq!(json["expired_disclosures"], 1);
    assert_eq!(json["reviews"][0]["year"], 2025);
    assert_eq!(json["office"]["license_no"], OFFICE);
    assert_eq!(
        json["transfers"][0]["from_office_name"],
        "七星岗街道法律服务所"
    );
    assert_eq!(json["demo_data"], false);
}

#[actix_web::test]
async fn a_penalty_window_that_closed_yesterday_leaves_good_standing_today() {
    let seed = |c: &mut DbConnection| {
        base(c);
        build::action(
            c,
            "渝中司罚〔2025〕7号",
            WORKER,
            "fine",
            "2025-06-01",
            |a| {
                a.public_until = Some(d("2026-11-27"));
            },
        );
    };
    let yesterday = TestApp::builder().today(d("2026-11-27")).seed(seed).await;
    let json = yesterday
        .json(&format!("/api/v1/workers/{WORKER}"), 200)
        .await;
    assert_eq!(
        json["standing"]["key"], "disclosed_record",
        "on the window's last day"
    );
    assert_eq!(json["standing"]["next_change"], "2026-11-28");
    drop(yesterday);

    let today = TestApp::builder().today(d("2026-11-28")).seed(seed).await;
    let page = today.text(&format!("/workers/{WORKER}"), 200).await;
    assert!(
        page.contains("执业状态良好"),
        "good standing the day after the window closed"
    );
    assert!(!page.contains("有公示中的不良信息"));
    assert!(page.contains("另有 1 条记录已过公示期"));
    let json = today.json(&format!("/api/v1/workers/{WORKER}"), 200).await;
    assert_eq!(json["standing"]["key"], "good_standing");
    assert_eq!(json["disclosures"].as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn an_office_profile_lists_its_workers_with_their_standing() {
    let app = TestApp::builder()
        .seed(|c| {
            base(c);
            build::worker_with(c, "45001030002", "李建国", OFFICE, |w| {
                w.status = "suspended".into();
            });
            build::review(c, "office", OFFICE, 2025, "fail", Some("2027-03-31"));
            // Standings that come from each worker's own credit record,
            // not from their registration status.
            build::worker(c, "45001030003", "王芳", OFFICE);
            build::action(
                c,
                "渝中司罚〔2026〕2号",
                "45001030003",
                "revoke_license",
                "2026-10-08",
                |_| {},
            );
            build::worker(c, "45001030004", "刘洋", OFFICE);
            build::review(c, "worker", "45001030004", 2025, "fail", Some("2027-03-31"));
            // A colleague at the other office with a record of their own.
            build::worker(c, "45001030005", "陈静", OTHER_OFFICE);
            build::action(
                c,
                "渝中司罚〔2026〕3号",
                "45001030005",
                "fine",
                "2026-09-01",
                |_| {},
            );
        })
        .await;
    let page = app.text(&format!("/offices/{OFFICE}"), 200).await;
    assert!(page.contains("解放碑街道法律服务所") && page.contains("渝中区"));
    assert!(
        page.contains("限期整改中"),
        "the office failed its 2025 review"
    );
    assert!(page.contains("张秀英") && page.contains("李建国"));
    assert!(
        page.contains("停止执业"),
        "the suspended worker's standing is shown"
    );
    assert!(page.contains("023-61234567"), "the office phone is public");

    let json = app.json(&format!("/api/v1/offices/{OFFICE}"), 200).await;
    assert_eq!(json["type"], "office");
    assert_eq!(json["standing"]["key"], "under_rectification");
    assert_eq!(json["standing"]["next_change"], "2027-04-01");
    let standing: std::collections::BTreeMap<&str, &str> = json["workers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["license_no"].as_str().unwrap(),
                w["standing"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        standing,
        [
            (WORKER, "good_standing"),
            ("45001030002", "suspended"),
            ("45001030003", "revoked"),
            ("45001030004", "under_rectification"),
        ]
        .into(),
        "each of the office's workers (and no one else) with their own standing: {json:#}"
    );
    assert!(
        page.contains("王芳") && page.contains("已吊销"),
        "the revoked worker is shown as revoked on the office page"
    );
    assert!(
        !page.contains("陈静"),
        "the other office's worker is not listed"
    );
}

#[actix_web::test]
async fn a_license_number_typed_another_way_finds_the_same_profile() {
    let app = TestApp::builder().seed(base).await;
    // Full-width digits and a space, as a phone keyboard may type them.
    let typed = "４５００１０３ ０００１";
    let resp = app.get(&format!("/workers/{}", urlencode(typed))).await;
    assert_eq!(resp.status(), 308);
    assert_eq!(resp.headers()["location"], format!("/workers/{WORKER}"));

    let resp = app
        .get(&format!("/lookup?license_no={}", urlencode(typed)))
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], format!("/workers/{WORKER}"));
    let resp = app.get(&format!("/lookup?license_no={OFFICE}")).await;
    assert_eq!(resp.headers()["location"], format!("/offices/{OFFICE}"));

    let json = app
        .json(&format!("/api/v1/workers/{}", urlencode(typed)), 200)
        .await;
    assert_eq!(json["license_no"], WORKER);
}

#[actix_web::test]
async fn unknown_and_malformed_license_numbers_are_answered_in_chinese() {
    let app = TestApp::builder().seed(base).await;
    let page = app.text("/workers/45009999999", 404).await;
    assert!(
        page.contains("没有执业证号为 45009999999 的法律服务工作者"),
        "{page}"
    );
    let page = app.text("/lookup?license_no=12345", 404).await;
    assert!(page.contains("请核对号码"), "{page}");
    let page = app.text("/workers/%3Cscript%3E", 400).await;
    assert!(page.contains("执业证号格式不正确"), "{page}");
    assert!(!page.contains("<script>"), "input is never echoed raw");

    let json = app.json("/api/v1/offices/99999", 404).await;
    assert_eq!(json["error"]["code"], "not_found");
    let json = app.json("/api/v1/workers/a%2Fb", 400).await;
    assert_eq!(json["error"]["code"], "invalid_license_no");
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[actix_web::test]
async fn can_this_worker_take_my_case_follows_rule_8() {
    let app = TestApp::builder()
        .seed(|c| {
            base(c);
            build::worker_with(c, "45001030009", "刘停", OFFICE, |w| {
                w.status = "suspended".into()
            });
        })
        .await;
    let page = app
        .text(
            &format!("/workers/{WORKER}?case_type=civil_litigation&party_a=elsewhere&party_b=municipality"),
            200,
        )
        .await;
    assert!(
        page.contains("可以。民事诉讼代理要求至少一方当事人住在重庆市"),
        "{page}"
    );
    // 渝中区 does not border Sichuan in the builder.
    let page = app
        .text(
            &format!("/workers/{WORKER}?case_type=civil_litigation&party_a=sichuan_border"),
            200,
        )
        .await;
    assert!(page.contains("这位工作者所在区县不与四川毗邻"), "{page}");
    let page = app
        .text(
            "/workers/45001030009?case_type=legal_advice&party_a=municipality",
            200,
        )
        .await;
    assert!(page.contains("不可以。这位工作者目前不能执业"), "{page}");
    let page = app
        .text(&format!("/workers/{WORKER}?party_a=mars"), 200)
        .await;
    assert!(!page.contains("可以。"), "an unknown place gives no answer");
}
