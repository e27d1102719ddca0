use crate::helpers::{TestApp, build};

#[actix_web::test]
async fn districts_show_their_ratios_against_the_target() {
    let app = TestApp::builder()
        .seed(|c| {
            // 500103: 900 lawyers per 300,000 residents = 30 per 10,000.
            build::district(c, "500103", "渝中区", 300_000, 900);
            // 500229: 40 per 200,000 = 2.0, below 2.3; with 10 workers 2.5.
            build::district(c, "500229", "城口县", 200_000, 40);
            build::office(c, "31500229001", "葛城街道法律服务所", "500229");
            for i in 0..10 {
                build::worker(c, &format!("4500229{i:04}"), "王五", "31500229001");
            }
            build::worker_with(c, "45002299999", "赵六", "31500229001", |w| {
                w.status = "deregistered".into();
            });
        })
        .await;

    let body = app.json("/api/v1/districts", 200).await;
    assert_eq!(body["target"], 2.3);
    let list = body["districts"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    let central = &list[0];
    assert_eq!(central["code"], "500103");
    assert_eq!(central["lawyer_ratio"], 30.0);
    assert_eq!(central["below_target"], false);
    let county = &list[1];
    assert_eq!(county["lawyer_ratio"], 2.0);
    assert_eq!(
        county["active_workers"], 10,
        "the deregistered worker does not count"
    );
    assert_eq!(county["service_ratio"], 2.5);
    assert_eq!(county["below_target"], true);
    assert_eq!(body["demo_data"], false);

    let page = app.text("/districts", 200).await;
    assert!(page.contains("渝中区") && page.contains("城口县"));
    assert!(page.contains("低于目标") && page.contains("已达目标"));
    assert!(!page.contains("演示数据"), "real data is not labelled demo");
}

#[actix_web::test]
async fn a_district_page_shows_its_ratio_chart_offices_reviews_and_disclosures() {
    let app = TestApp::builder()
        .seed(|c| {
            build::district(c, "500229", "城口县", 200_000, 40);
            build::office(c, "31500229001", "葛城街道法律服务所", "500229");
            build::worker(c, "45002290001", "王五", "31500229001");
            build::review(c, "office", "31500229001", 2025, "pass", None);
            build::review(c, "worker", "45002290001", 2025, "excellent", None);
            build::review(
                c,
                "worker",
                "45002290001",
                2024,
                "not_competent",
                Some("2025-06-30"),
            );
            build::action(
                c,
                "城口司罚〔2026〕1号",
                "45002290001",
                "fine",
                "2026-02-01",
                |_| {},
            );
        })
        .await;
    let list = app.text("/districts", 200).await;
    assert!(
        list.contains("<svg") && list.contains("role=\"img\""),
        "the ratio chart is drawn"
    );
    assert!(list.contains("href=\"/districts/500229\""));

    let page = app.text("/districts/500229", 200).await;
    assert!(page.contains("城口县") && page.contains("<svg"));
    assert!(
        page.contains("低于目标，可新增基层法律服务工作者"),
        "2.0 is below 2.3"
    );
    assert!(page.contains("葛城街道法律服务所") && page.contains("执业状态良好"));
    assert!(
        page.contains("合格 1") && page.contains("优秀 1") && page.contains("不称职 1"),
        "{page}"
    );
    assert!(page.contains("公示中 1 条"));
    app.text("/districts/999999", 404).await;
    app.text("/districts/..%2Fetc", 404).await;
}
