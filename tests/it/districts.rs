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

#[actix_web::test]
async fn a_portal_of_several_provinces_groups_its_districts_by_province() {
    let app = TestApp::builder()
        .seed(|c| {
            // Chongqing: 900 + 40 lawyers for 500,000 residents.
            build::district(c, "500103", "渝中区", 300_000, 900);
            build::district(c, "500229", "城口县", 200_000, 40);
            // Hebei: 30 lawyers for 200,000 residents, 1.5, below 2.3.
            build::district(c, "130126", "灵寿县", 200_000, 30);
            build::office(c, "31130126001", "灵寿镇法律服务所", "130126");
            for i in 0..4 {
                build::worker(c, &format!("4130126{i:04}"), "王五", "31130126001");
            }
        })
        .await;

    let page = app.text("/districts", 200).await;
    assert!(
        page.contains("href=\"/districts?province=13\">河北省</a>")
            && page.contains("href=\"/districts?province=50\">重庆市</a>"),
        "each province links to its districts:\n{page}"
    );
    assert!(
        !page.contains("渝中区") && !page.contains("灵寿县"),
        "districts are not listed beside the provinces:\n{page}"
    );
    // Chongqing: 940 lawyers per 500,000 = 18.8; Hebei: 1.5 and 1 of 1
    // districts below the target; 4 workers make its service ratio 1.7.
    let row = |name: &str| {
        let at = page.find(&format!(">{name}</a>")).unwrap();
        page[at..at + page[at..].find("</tr>").unwrap()].to_owned()
    };
    let hebei = row("河北省");
    assert!(
        hebei.contains("<td>1.5</td>") && hebei.contains("<td>1.7</td>"),
        "{hebei}"
    );
    assert!(row("重庆市").contains("<td>18.8</td>"), "{}", row("重庆市"));

    let page = app.text("/districts?province=13", 200).await;
    assert!(page.contains("河北省各区县"), "{page}");
    assert!(
        page.contains("灵寿县") && !page.contains("渝中区"),
        "{page}"
    );
    assert!(page.contains("href=\"/districts/130126\""), "{page}");

    let page = app.text("/districts?province=13&lang=en", 200).await;
    assert!(page.contains("Hebei"), "{page}");

    for bad in ["99", "11", "1", "abc", "500103"] {
        let page = app.text(&format!("/districts?province={bad}"), 404).await;
        assert!(page.contains("省份"), "{bad}: {page}");
    }
}

#[actix_web::test]
async fn every_request_after_an_import_shows_the_new_figures_even_many_at_once() {
    let app = TestApp::builder()
        .seed(|c| {
            build::district(c, "500229", "城口县", 200_000, 40);
            build::office(c, "31500229001", "葛城街道法律服务所", "500229");
            for i in 0..10 {
                build::worker(c, &format!("4500229{i:04}"), "王五", "31500229001");
            }
        })
        .await;
    let active = |body: &serde_json::Value| body["districts"][0]["active_workers"].clone();
    assert_eq!(active(&app.json("/api/v1/districts", 200).await), 10);

    app.import_csv(
        "workers",
        "执业证号,姓名,执业机构许可证号,状态,首次执业日期\n45002290099,赵六,31500229001,执业,2015-03-01\n",
    )
    .await;

    // Twenty requests at once: the figures are read again once, and every
    // answer carries them (none is given the figures from before).
    let answers =
        futures_util::future::join_all((0..20).map(|_| app.json("/api/v1/districts", 200))).await;
    for body in &answers {
        assert_eq!(active(body), 11, "{body}");
    }
}

#[actix_web::test]
async fn a_district_without_lawyers_reads_zero_and_one_without_population_is_not_called_met() {
    let app = TestApp::builder()
        .seed(|c| {
            build::district(c, "500103", "渝中区", 300_000, 900);
            // No practising lawyer: 0.00, below the target.
            build::district(c, "500242", "酉阳县", 500_000, 0);
            // No resident population on record: the ratio cannot be told.
            build::district(c, "500199", "新设功能区", 0, 12);
        })
        .await;
    let row = |page: &str, name: &str| -> String {
        let table = page.find("<table class=\"districts\">").expect("the table");
        let at = table
            + page[table..]
                .find(name)
                .unwrap_or_else(|| panic!("{name}: {page}"));
        let end = page[at..].find("</tr>").unwrap() + at;
        page[at..end].to_owned()
    };
    let page = app.text("/districts", 200).await;
    let zero = row(&page, "酉阳县");
    assert!(
        !zero.contains("—") && zero.contains("低于目标"),
        "0 lawyers is a ratio of 0, not a missing one: {zero}"
    );
    let unknown = row(&page, "新设功能区");
    assert!(!unknown.contains("已达目标"), "{unknown}");
    assert!(unknown.contains("无法计算"), "{unknown}");

    let one = app.text("/districts/500242", 200).await;
    assert!(one.contains("低于目标"), "{one}");
    let one = app.text("/districts/500199", 200).await;
    assert!(!one.contains("已达目标"), "{one}");
    assert!(one.contains("无法计算"), "{one}");
}
