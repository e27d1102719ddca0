//! `/api/v1/export/{dataset}.csv`.

use legal_portal::db::DbConnection;

use crate::helpers::{TestApp, build, d};

const TRICKY: &str = "解放碑街道\"法律\",服务所";

fn seed(c: &mut DbConnection) {
    build::district(c, "500103", "渝中区", 588_717, 2000);
    build::office(c, "31500103001", TRICKY, "500103");
    build::worker(c, "45001030001", "张秀英", "31500103001");
    build::action(
        c,
        "渝中司罚〔2026〕1号",
        "45001030001",
        "fine",
        "2026-03-01",
        |a| a.facts = "在公示期内，含逗号,和\"引号\"".into(),
    );
    build::action(
        c,
        "渝中司罚〔2020〕3号",
        "45001030001",
        "fine",
        "2020-03-01",
        |a| a.facts = "早已过期".into(),
    );
    build::action(
        c,
        "渝中司罚〔2026〕4号",
        "45001030001",
        "public_censure",
        "2026-02-01",
        |a| {
            a.facts = "撤回事实甲乙".into();
            a.withdrawn_on = Some(d("2026-04-01"));
        },
    );
}

/// GETs a CSV export, checks the download headers and the BOM, and parses it.
async fn csv_of(app: &TestApp, dataset: &str) -> (Vec<String>, Vec<Vec<String>>, String) {
    let resp = app.get(&format!("/api/v1/export/{dataset}.csv")).await;
    assert_eq!(resp.status(), 200, "{dataset}");
    let h = resp.headers();
    assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert_eq!(
        h["content-disposition"],
        format!("attachment; filename=\"{dataset}.csv\"").as_str()
    );
    let body = resp.bytes().await.unwrap();
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for Excel");
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows, text)
}

#[actix_web::test]
async fn offices_export_with_columns_and_rfc4180_quoting() {
    let app = TestApp::builder().seed(seed).await;
    let (header, rows, text) = csv_of(&app, "offices").await;
    assert_eq!(
        header,
        [
            "license_no",
            "name",
            "district_code",
            "area_kind",
            "address",
            "phone",
            "hours",
            "director",
            "practice_areas",
            "status",
            "status_label",
            "established_on",
            "lat",
            "lng",
            "standing",
            "standing_label"
        ]
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], "31500103001");
    assert_eq!(rows[0][1], TRICKY, "the name survives the round trip");
    assert!(
        text.contains("\"解放碑街道\"\"法律\"\",服务所\""),
        "quoted, quotes doubled: {text}"
    );
}

#[actix_web::test]
async fn workers_export_pages_through_every_worker_without_private_fields() {
    let app = TestApp::builder()
        .seed(|c| {
            seed(c);
            for i in 2..=2101 {
                build::worker(c, &format!("4500103{i:04}"), "李四", "31500103001");
            }
        })
        .await;
    let (header, rows, _) = csv_of(&app, "workers").await;
    assert_eq!(
        header,
        [
            "license_no",
            "name",
            "office_license_no",
            "status",
            "status_label",
            "first_licensed_on",
            "practice_areas",
            "adviser_posts",
            "standing",
            "standing_label"
        ]
    );
    assert_eq!(rows.len(), 2101, "more than one page of 2,000, each once");
    let mut nos: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    nos.dedup();
    assert_eq!(nos.len(), 2101);
    assert_eq!(rows[0][1], "张秀英");
    assert_eq!(rows[0][2], "31500103001");
}

#[actix_web::test]
async fn disclosures_export_only_in_window_actions() {
    let app = TestApp::builder().seed(seed).await;
    let (header, rows, text) = csv_of(&app, "disclosures").await;
    assert_eq!(header[0], "decision_no");
    assert!(header.contains(&"public_until".to_owned()));
    assert_eq!(rows.len(), 1, "{text}");
    assert_eq!(rows[0][0], "渝中司罚〔2026〕1号");
    assert_eq!(rows[0][1], "fine");
    assert_eq!(rows[0][8], "张秀英");
    assert!(
        rows.iter()
            .any(|r| r.contains(&"在公示期内，含逗号,和\"引号\"".to_owned()))
    );
    assert!(!text.contains("早已过期"), "out of window");
    assert!(!text.contains("撤回事实甲乙"), "withdrawn");
}

#[actix_web::test]
async fn an_unknown_dataset_is_a_json_404() {
    let app = TestApp::builder().start().await;
    for path in [
        "/api/v1/export/complaints.csv",
        "/api/v1/export/offices.xlsx",
    ] {
        let v = app.json(path, 404).await;
        assert_eq!(v["error"]["code"], "not_found", "{path}");
    }
}

/// Cells a spreadsheet would run as formulas (OWASP "CSV injection") come
/// out with a leading `'` in every export; plain numbers stay numbers.
#[actix_web::test]
async fn cells_that_spreadsheets_would_run_as_formulas_are_neutralised() {
    let app = TestApp::builder()
        .seed(|c| {
            build::district(c, "500103", "渝中区", 588_717, 2000);
            build::office_with(
                c,
                "31500103009",
                "=HYPERLINK(\"http://x\",\"y\")",
                "500103",
                |o| {
                    o.address = "\r+1".into();
                    o.phone = "-2+3".into();
                    o.director = "@SUM(A1)".into();
                    o.hours = "\t=1".into();
                    o.practice_areas = "+9;x".into();
                    o.lat = Some(-12.5);
                    o.lng = Some(106.55);
                },
            );
            build::worker(c, "45001030009", "=1+2", "31500103009");
            build::action(
                c,
                "渝中司罚〔2026〕9号",
                "45001030009",
                "fine",
                "2026-03-01",
                |a| {
                    a.facts = "-1+cmd|' /C calc'!A0".into();
                    a.basis = "@basis".into();
                },
            );
        })
        .await;
    let (header, rows, _) = csv_of(&app, "offices").await;
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let o = &rows[0];
    assert_eq!(o[col("name")], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(o[col("address")], "'\r+1");
    assert_eq!(o[col("phone")], "'-2+3");
    assert_eq!(o[col("director")], "'@SUM(A1)");
    assert_eq!(o[col("hours")], "'\t=1");
    assert_eq!(o[col("practice_areas")], "'+9、x");
    assert_eq!(o[col("lat")], "-12.5", "a negative number is a number");
    assert_eq!(o[col("lng")], "106.55");

    let (_, rows, _) = csv_of(&app, "workers").await;
    assert_eq!(rows[0][1], "'=1+2");

    let (header, rows, _) = csv_of(&app, "disclosures").await;
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(rows[0][col("facts")], "'-1+cmd|' /C calc'!A0");
    assert_eq!(rows[0][col("basis")], "'@basis");
    assert_eq!(rows[0][col("subject_name")], "'=1+2");
}

/// The exports carry today's standing beside the registration status: a
/// decision that suspends an office stops its workers, and one that revokes
/// a license bars its holder, though both still read 执业 in the register.
#[actix_web::test]
async fn the_exports_carry_standing_where_decisions_outrank_the_register() {
    let today = crate::helpers::today();
    let day = |days: i64| (today + chrono::Duration::days(days)).to_string();
    let app = TestApp::builder()
        .seed(|c| {
            build::district(c, "500103", "渝中区", 588_717, 2000);
            build::office(c, "31500103001", "解放碑街道法律服务所", "500103");
            build::office(c, "31500103002", "朝天门街道法律服务所", "500103");
            build::worker(c, "45001030001", "张秀英", "31500103001");
            build::worker(c, "45001030002", "李建国", "31500103002");
            build::worker(c, "45001030003", "王芳", "31500103002");
            build::action(
                c,
                "渝中司罚〔2026〕7号",
                "31500103001",
                "suspend_practice",
                &day(-10),
                |a| {
                    a.subject_kind = "office".into();
                    a.suspended_until = Some(today + chrono::Duration::days(30));
                },
            );
            build::action(
                c,
                "渝中司罚〔2026〕8号",
                "45001030003",
                "revoke_license",
                &day(-5),
                |_| {},
            );
        })
        .await;
    let standing_of = |header: &[String], rows: &[Vec<String>], no: &str| {
        let col = header.iter().position(|h| h == "standing").unwrap();
        let status = header.iter().position(|h| h == "status").unwrap();
        let row = rows.iter().find(|r| r[0] == no).unwrap();
        (row[status].clone(), row[col].clone(), row[col + 1].clone())
    };
    let (header, rows, _) = csv_of(&app, "offices").await;
    let (status, standing, label) = standing_of(&header, &rows, "31500103001");
    assert_eq!(
        (status.as_str(), standing.as_str()),
        ("practising", "suspended")
    );
    assert!(
        !label.is_empty() && label != "suspended",
        "a label: {label}"
    );
    assert_ne!(standing_of(&header, &rows, "31500103002").1, "suspended");

    let (header, rows, _) = csv_of(&app, "workers").await;
    let of = |no| standing_of(&header, &rows, no);
    assert_eq!(of("45001030001").0, "practising");
    assert_eq!(
        of("45001030001").1,
        "suspended",
        "the office's decision stops its worker"
    );
    assert_eq!(
        of("45001030003").1,
        "revoked",
        "a revoking decision, the register unchanged"
    );
    assert!(
        !["suspended", "revoked", "deregistered", "office_closed"]
            .contains(&of("45001030002").1.as_str()),
        "a worker with no decision may practise: {:?}",
        of("45001030002")
    );
}
