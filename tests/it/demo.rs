use crate::helpers::TestApp;

#[actix_web::test]
async fn the_demo_portal_labels_its_figures_and_shows_profiles() {
    let app = TestApp::builder().demo().start().await;

    let home = app.text("/", 200).await;
    assert!(
        home.contains("演示数据"),
        "the home page says the figures are demo data"
    );

    let districts = app.json("/api/v1/districts", 200).await;
    assert_eq!(districts["demo_data"], true);
    let list = districts["districts"].as_array().unwrap();
    assert_eq!(list.len(), 38, "the 38 real districts of Chongqing");
    let below = list.iter().filter(|d| d["below_target"] == true).count();
    assert!(
        (8..=20).contains(&below),
        "about a third below 2.3, got {below}"
    );
    let yuzhong = list.iter().find(|d| d["code"] == "500103").unwrap();
    assert!(yuzhong["lawyer_ratio"].as_f64().unwrap() > 10.0);
    assert!(app.text("/districts", 200).await.contains("演示数据"));

    // Any office of the demo has a profile with its workers linked.
    let mut conn = app.conn();
    use diesel::prelude::*;
    use legal_portal::db::schema::{offices, workers};
    let office: String = offices::table
        .filter(offices::status.eq("practising"))
        .select(offices::license_no)
        .order(offices::license_no)
        .first(&mut conn)
        .unwrap();
    let page = app.text(&format!("/offices/{office}"), 200).await;
    assert!(page.contains("执业状态") && page.contains("演示数据"));

    let worker: String = workers::table
        .select(workers::license_no)
        .order(workers::license_no)
        .first(&mut conn)
        .unwrap();
    let json = app.json(&format!("/api/v1/workers/{worker}"), 200).await;
    assert_eq!(json["demo_data"], true);
    assert!(json["standing"]["key"].is_string());
}
