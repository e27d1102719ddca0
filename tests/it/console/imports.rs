//! The console's import: a dry run first, then exactly the previewed file;
//! the district limit on rows; the history and the templates.

use diesel::prelude::*;
use legal_portal::db::schema::{admin_uploads, import_batches, workers};
use legal_portal::db::tokens;
use legal_portal::domain::vocab::{Role, TokenScope};

use super::{Clerk, account, between, two_districts};
use crate::helpers::TestApp;

fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(text).0.into_owned()
}

const HEADER: &str = "执业证号,姓名,执业机构许可证号,状态,首次执业日期,实习月数\n";

fn worker_count(app: &TestApp) -> i64 {
    workers::table.count().get_result(&mut app.conn()).unwrap()
}

#[actix_web::test]
async fn a_gbk_file_with_a_bad_row_is_shown_row_by_row_then_the_fixed_file_is_applied_as_previewed()
{
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "yongchuan", Role::District, Some("500118"));
    let mut clerk = Clerk::signed_in(&app, "yongchuan").await;
    let form = clerk.get("/admin/imports/new").await;
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    let before = worker_count(&app);

    // Row 3 names an office that does not exist.
    let bad = gbk(&format!(
        "{HEADER}45001180009,欧阳明,31500118001,执业,2019-01-01,12\n45001180010,李雷,31599999999,执业,2019-01-01,12\n"
    ));
    let a = clerk.preview("workers", "workers.csv", &bad).await;
    assert_eq!(a.status, 422, "{}", a.body);
    let problems = between(&a.body, "<tbody>", "</tbody>").unwrap();
    assert!(
        problems.contains("<td>3</td>"),
        "row 3 is named: {problems}"
    );
    assert!(
        problems.contains("执业机构许可证号"),
        "its column: {problems}"
    );
    assert!(
        problems.contains("<td>31599999999</td>"),
        "the cell as given: {problems}"
    );
    assert!(!a.body.contains("name=\"hash\""), "nothing to apply");
    assert_eq!(worker_count(&app), before, "a preview writes nothing");

    // The fixed file: a dry run with counts and what changes, nothing
    // written yet, and an "apply" that names the file by its hash.
    let good = gbk(&format!(
        "{HEADER}45001180009,欧阳明,31500118001,执业,2019-01-01,12\n45001180001,韦波亮,31500118001,执业,2010-01-01,12\n"
    ));
    let a = clerk.preview("workers", "workers.csv", &good).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(
        a.body.contains("新增 1 行，变更 1 行，未变 0 行"),
        "{}",
        a.body
    );
    assert!(
        a.body.contains("首次执业日期"),
        "the changed field by its header"
    );
    assert!(a.body.contains("2010-01-01"), "before → after");
    assert_eq!(worker_count(&app), before);
    let hash = between(&a.body, "name=\"hash\" value=\"", "\"")
        .unwrap()
        .to_owned();
    assert_eq!(hash.len(), 64);

    let applied = clerk.post("/admin/imports/apply", &[("hash", &hash)]).await;
    assert_eq!(applied.status, 303, "{}", applied.body);
    let report_path = applied.location().to_owned();
    assert!(report_path.starts_with("/admin/imports/"));
    assert_eq!(worker_count(&app), before + 1);
    let report = clerk.get(&report_path).await;
    assert_eq!(report.status, 200);
    assert!(report.body.contains("已导入"), "{}", report.body);

    // The upload is gone: applying it twice is refused, not repeated.
    let again = clerk.post("/admin/imports/apply", &[("hash", &hash)]).await;
    assert_eq!(again.status, 410, "{}", again.body);
    let kept: i64 = admin_uploads::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(kept, 0);

    // The resident finds the new worker on the public site.
    let page = app.text("/workers/45001180009", 200).await;
    assert!(page.contains("欧阳明"));

    // The history lists the batches, with who imported them.
    let history = clerk.get("/admin/imports").await;
    assert!(history.body.contains("yongchuan"), "{}", history.body);
    let rows = |body: &str| {
        between(body, "<tbody>", "</tbody>")
            .unwrap()
            .matches("<tr>")
            .count()
    };
    assert_eq!(rows(&history.body), 1, "the applied batch; previews hidden");
    let all = clerk.get("/admin/imports?previews=1").await;
    assert_eq!(rows(&all.body), 3, "with the two dry runs");
    let batches: Vec<Option<String>> = import_batches::table
        .select(import_batches::district_code)
        .load(&mut app.conn())
        .unwrap();
    assert!(batches.iter().all(|d| d.as_deref() == Some("500118")));
}

#[actix_web::test]
async fn a_file_changed_after_its_preview_cannot_be_applied_in_its_place() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "city", Role::City, None);
    account(&app, "other", Role::City, None);
    let mut clerk = Clerk::signed_in(&app, "city").await;
    let good = format!("{HEADER}45001180009,欧阳明,31500118001,执业,2019-01-01,12\n");
    let a = clerk.preview("workers", "w.csv", good.as_bytes()).await;
    let hash = between(&a.body, "name=\"hash\" value=\"", "\"")
        .unwrap()
        .to_owned();

    // Another account cannot apply this account's upload.
    let mut other = Clerk::signed_in(&app, "other").await;
    let b = other.post("/admin/imports/apply", &[("hash", &hash)]).await;
    assert_eq!(b.status, 410);
    // A hash that names no previewed file applies nothing.
    let c = clerk
        .post("/admin/imports/apply", &[("hash", &"0".repeat(64))])
        .await;
    assert_eq!(c.status, 410);
    assert_eq!(worker_count(&app), 2);
    // Thirty minutes later the preview is gone.
    diesel::update(admin_uploads::table)
        .set(
            admin_uploads::created_at
                .eq(chrono::Utc::now().naive_utc() - chrono::TimeDelta::minutes(31)),
        )
        .execute(&mut app.conn())
        .unwrap();
    let d = clerk.post("/admin/imports/apply", &[("hash", &hash)]).await;
    assert_eq!(d.status, 410, "{}", d.body);
    assert_eq!(worker_count(&app), 2);
}

/// The clerk applies what they saw: when another import changed the same
/// records between the preview and "Import", nothing is written and the
/// same file is previewed again against the records as they are now.
#[actix_web::test]
async fn records_changed_after_the_preview_are_shown_again_before_anything_is_written() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "city", Role::City, None);
    let mut clerk = Clerk::signed_in(&app, "city").await;
    let file = format!("{HEADER}45001180001,韦波亮,31500118001,执业,2012-06-01,12\n");
    let a = clerk.preview("workers", "w.csv", file.as_bytes()).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let form = |body: &str| {
        (
            between(body, "name=\"hash\" value=\"", "\"")
                .unwrap()
                .to_owned(),
            between(body, "name=\"seen\" value=\"", "\"")
                .unwrap()
                .to_owned(),
        )
    };
    let (hash, seen) = form(&a.body);
    assert!(!seen.is_empty());
    let first_licensed = |app: &TestApp| -> Option<chrono::NaiveDate> {
        workers::table
            .filter(workers::license_no.eq("45001180001"))
            .select(workers::first_licensed_on)
            .first(&mut app.conn())
            .unwrap()
    };
    let before = first_licensed(&app);

    // Another import changes the worker the preview showed as changing.
    diesel::update(workers::table.filter(workers::license_no.eq("45001180001")))
        .set(workers::first_licensed_on.eq(crate::helpers::d("2011-11-11")))
        .execute(&mut app.conn())
        .unwrap();
    let b = clerk
        .post("/admin/imports/apply", &[("hash", &hash), ("seen", &seen)])
        .await;
    assert_eq!(b.status, 409, "{}", b.body);
    assert!(b.body.contains("另一次导入已改动了这些记录"), "{}", b.body);
    assert!(
        b.body.contains("2011-11-11"),
        "the before as it is now: {}",
        b.body
    );
    assert_eq!(
        first_licensed(&app),
        Some(crate::helpers::d("2011-11-11")),
        "nothing written"
    );
    assert_ne!(before, first_licensed(&app));
    let (hash_again, seen_again) = form(&b.body);
    assert_eq!(hash_again, hash, "the same file, kept again");
    assert_ne!(seen_again, seen);

    // Applied as now previewed.
    let c = clerk
        .post(
            "/admin/imports/apply",
            &[("hash", &hash), ("seen", &seen_again)],
        )
        .await;
    assert_eq!(c.status, 303, "{}", c.body);
    assert_eq!(first_licensed(&app), Some(crate::helpers::d("2012-06-01")));

    // A preview still true when applied is written at once.
    let file = format!("{HEADER}45001180001,韦波亮,31500118001,执业,2013-01-01,12\n");
    let d = clerk.preview("workers", "w2.csv", file.as_bytes()).await;
    let (hash, seen) = form(&d.body);
    let e = clerk
        .post("/admin/imports/apply", &[("hash", &hash), ("seen", &seen)])
        .await;
    assert_eq!(e.status, 303, "{}", e.body);
    assert_eq!(first_licensed(&app), Some(crate::helpers::d("2013-01-01")));
}

/// The preview lists the first 200 changed rows, but its mark covers every
/// one: a change to row 241's record in between is caught as well.
#[actix_web::test]
async fn a_change_past_the_rows_listed_is_caught_too() {
    let app = TestApp::builder()
        .seed(|c| {
            two_districts(c);
            for i in 0..250 {
                crate::helpers::build::worker(
                    c,
                    &format!("450011890{i:03}"),
                    "赵钱孙",
                    "31500118001",
                );
            }
        })
        .await;
    account(&app, "city", Role::City, None);
    let mut clerk = Clerk::signed_in(&app, "city").await;
    let mut file = HEADER.to_owned();
    for i in 0..250 {
        file.push_str(&format!(
            "450011890{i:03},赵钱孙,31500118001,执业,2012-06-01,12\n"
        ));
    }
    let a = clerk.preview("workers", "w.csv", file.as_bytes()).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.body.contains("变更 250 行"), "{}", a.body);
    let hash = between(&a.body, "name=\"hash\" value=\"", "\"")
        .unwrap()
        .to_owned();
    let seen = between(&a.body, "name=\"seen\" value=\"", "\"")
        .unwrap()
        .to_owned();
    // Row 241 of the file (the 240th worker), past the 200 rows listed.
    diesel::update(workers::table.filter(workers::license_no.eq("450011890239")))
        .set(workers::name.eq("赵钱李"))
        .execute(&mut app.conn())
        .unwrap();
    let b = clerk
        .post("/admin/imports/apply", &[("hash", &hash), ("seen", &seen)])
        .await;
    assert_eq!(b.status, 409, "{}", b.body);
    let name: String = workers::table
        .filter(workers::license_no.eq("450011890239"))
        .select(workers::name)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(name, "赵钱李", "nothing written");
}

#[actix_web::test]
async fn a_district_clerk_s_row_about_another_district_is_refused_and_the_batch_with_it() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "yongchuan", Role::District, Some("500118"));
    let mut clerk = Clerk::signed_in(&app, "yongchuan").await;

    // Row 2: a worker of Yuzhong; row 3: a new worker for a Yuzhong office.
    let text = format!(
        "{HEADER}45001030001,张秀英,31500103001,执业,2011-01-01,12\n45001180009,欧阳明,31500103001,执业,2019-01-01,12\n"
    );
    let a = clerk.preview("workers", "w.csv", text.as_bytes()).await;
    assert_eq!(a.status, 422, "{}", a.body);
    let problems = between(&a.body, "<tbody>", "</tbody>").unwrap();
    assert_eq!(problems.matches("不属于本区县").count(), 2, "{problems}");
    assert!(problems.contains("<td>2</td>") && problems.contains("<td>3</td>"));
    assert_eq!(worker_count(&app), 2);

    // Its own district's office, renamed: fine.
    let own = "执业许可证号,名称,区县代码,区域类型,状态\n31500118001,胜利路街道法律服务所（新址）,500118,城区街道,执业\n";
    let b = clerk.preview("offices", "o.csv", own.as_bytes()).await;
    assert_eq!(b.status, 200, "{}", b.body);
    // Moving an office into another district is refused.
    let away = "执业许可证号,名称,区县代码,区域类型,状态\n31500118001,胜利路街道法律服务所,500103,城区街道,执业\n";
    let c = clerk.preview("offices", "o.csv", away.as_bytes()).await;
    assert_eq!(c.status, 422);
    assert!(c.body.contains("不属于本区县"));
}

#[actix_web::test]
async fn a_district_token_s_api_import_is_refused_the_same_way_and_its_reads_are_its_district_s() {
    let app = TestApp::builder().seed(two_districts).await;
    let token = tokens::create_limited(
        &mut app.conn(),
        "yongchuan-system",
        TokenScope::Import,
        Some("500118"),
    )
    .unwrap();
    let text = format!("{HEADER}45001030001,张秀英,31500103001,执业,2011-01-01,12\n");
    let resp = app
        .client
        .post(format!("{}/admin/api/import/workers", app.address))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(text)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body: serde_json::Value = resp.json().await.unwrap();
    let problems = &body["error"]["details"]["problems"];
    assert_eq!(problems[0]["row"], 2, "{body}");
    assert_eq!(problems[0]["code"], "out_of_district");
    assert_eq!(problems[0]["cell"], "45001030001", "the cell as given");
    assert!(
        problems[0]["message"]
            .as_str()
            .unwrap()
            .contains("不属于本区县")
    );

    // The same row through an unlimited token is the city's to make.
    let city = tokens::create(&mut app.conn(), "city-system", TokenScope::Import).unwrap();
    let resp = app
        .client
        .post(format!(
            "{}/admin/api/import/workers?dry_run=true",
            app.address
        ))
        .bearer_auth(&city)
        .header("content-type", "text/csv")
        .body(format!(
            "{HEADER}45001030001,张秀英,31500103001,执业,2011-01-01,12\n"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // Reads: the limited token does not see the city-wide batch.
    let city_batch = body_id(&resp.json::<serde_json::Value>().await.unwrap());
    let resp = app
        .client
        .get(format!("{}/admin/api/imports/{city_batch}", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

fn body_id(report: &serde_json::Value) -> i64 {
    report["id"].as_i64().expect("a stored batch id")
}

#[actix_web::test]
async fn every_dataset_s_template_is_an_xlsx_with_the_chinese_headers_and_an_example_row() {
    use legal_portal::import::Dataset;
    use legal_portal::import::columns::columns;
    use legal_portal::import::parse::{Format, parse};

    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "city", Role::City, None);
    let clerk = Clerk::signed_in(&app, "city").await;
    for dataset in Dataset::ALL {
        let resp = app
            .client
            .get(format!(
                "{}/admin/imports/templates/{}.xlsx",
                app.address,
                dataset.key()
            ))
            .header(
                "cookie",
                format!("lp_admin={}", clerk.session_id().unwrap()),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{}", dataset.key());
        assert!(
            resp.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains(".xlsx")
        );
        let bytes = resp.bytes().await.unwrap();
        let sheet = parse(&Format::Xlsx, &bytes).expect("the template reads as XLSX");
        let headers: Vec<String> = sheet.headers.iter().map(|h| h.text.clone()).collect();
        let expected: Vec<String> = columns(*dataset)
            .iter()
            .map(|c| c.headers[0].to_owned())
            .collect();
        assert_eq!(headers, expected, "{}", dataset.key());
        assert_eq!(sheet.rows.len(), 1, "one example row");
    }
}

/// Posts `body` as CSV to the API with `token`; the status and the
/// problems' codes with their rows.
async fn api_import(
    app: &TestApp,
    token: &str,
    dataset: &str,
    body: &str,
) -> (u16, Vec<(u64, String)>) {
    let resp = app
        .client
        .post(format!("{}/admin/api/import/{dataset}", app.address))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let v: serde_json::Value = resp.json().await.unwrap();
    let problems = v["error"]["details"]["problems"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    (
                        p["row"].as_u64().unwrap(),
                        p["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (status, problems)
}

#[actix_web::test]
async fn a_district_cannot_rewrite_another_district_s_decision_notice_or_transfer_through_its_key()
{
    use crate::helpers::build;
    use legal_portal::db::models::NewAnnouncement;
    use legal_portal::db::schema::{announcements, disciplinary_actions, transfers};

    let app = TestApp::builder()
        .seed(|c| {
            two_districts(c);
            build::office(c, "31500118002", "卫星湖街道法律服务所", "500118");
            // Yuzhong's decision, a city notice naming a Yuzhong worker, and
            // a notice naming nobody.
            build::action(
                c,
                "渝中司罚〔2025〕1号",
                "45001030001",
                "revoke_license",
                "2025-03-01",
                |_| {},
            );
            for (title, nos) in [("渝中区注销公告", "45001030001"), ("全市年度考核通报", "")]
            {
                let row = NewAnnouncement {
                    kind: "exit".into(),
                    title: title.into(),
                    body: "正文".into(),
                    published_on: crate::helpers::d("2025-04-01"),
                    license_nos: nos.into(),
                };
                legal_portal::with_backend!(c, |cc| diesel::insert_into(announcements::table)
                    .values(&row)
                    .execute(cc))
                .unwrap();
                // As the portal's writers do: who each notice names, indexed.
                legal_portal::db::announcements::sync_subjects(c).unwrap();
            }
            // A Yongchuan worker's earlier move from Yuzhong.
            build::transfer(c, "45001180001", "31500103001", "31500118001", "2024-01-01");
        })
        .await;
    let token = tokens::create_limited(
        &mut app.conn(),
        "yongchuan-system",
        TokenScope::Import,
        Some("500118"),
    )
    .unwrap();

    // The decision number of Yuzhong's revocation, given to a Yongchuan
    // worker as a warning.
    let (status, problems) = api_import(
        &app,
        &token,
        "disciplinary-actions",
        "决定文号,对象类型,执业证号,处理种类,决定机关,决定日期\n渝中司罚〔2025〕1号,人员,45001180001,警告,永川区司法局,2025-01-10\n",
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problems, vec![(2, "out_of_district".to_owned())]);
    let subject: String = disciplinary_actions::table
        .select(disciplinary_actions::subject_license_no)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(subject, "45001030001", "the revocation is untouched");

    // The same notice title and date, now naming only a Yongchuan worker;
    // and the city-wide notice.
    for title in ["渝中区注销公告", "全市年度考核通报"] {
        let (status, problems) = api_import(
            &app,
            &token,
            "announcements",
            &format!("类型,标题,正文,发布日期,涉及执业证号\n注销公告,{title},已撤回,2025-04-01,45001180001\n"),
        )
        .await;
        assert_eq!(status, 422, "{title}");
        assert_eq!(problems, vec![(2, "out_of_district".to_owned())], "{title}");
    }
    let bodies: Vec<String> = announcements::table
        .select(announcements::body)
        .load(&mut app.conn())
        .unwrap();
    assert!(bodies.iter().all(|b| b == "正文"), "{bodies:?}");

    // A transfer from another district's office, given or stored.
    for row in [
        "45001180001,31500103001,31500118002,2026-11-01",
        "45001180001,,31500118002,2024-01-01",
    ] {
        let (status, problems) = api_import(
            &app,
            &token,
            "transfers",
            &format!("执业证号,原执业机构,新执业机构,变更日期\n{row}\n"),
        )
        .await;
        assert_eq!(status, 422, "{row}");
        assert_eq!(problems, vec![(2, "out_of_district".to_owned())], "{row}");
    }
    let stored: Vec<Option<String>> = transfers::table
        .select(transfers::from_office_license_no)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(stored, vec![Some("31500103001".to_owned())]);

    // Its own decision and notice are its own to make.
    let (status, problems) = api_import(
        &app,
        &token,
        "disciplinary-actions",
        "决定文号,对象类型,执业证号,处理种类,决定机关,决定日期\n永司罚〔2026〕1号,人员,45001180001,警告,永川区司法局,2026-01-10\n",
    )
    .await;
    assert_eq!((status, problems), (200, vec![]));
}

#[actix_web::test]
async fn a_file_is_applied_in_the_charset_its_preview_read_it_in() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "city", Role::City, None);
    let mut clerk = Clerk::signed_in(&app, "city").await;
    let text = format!("{HEADER}45001180009,欧阳明,31500118001,执业,2019-01-01,12\n");
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let a = clerk
        .preview_typed("workers", "export", "text/csv; charset=utf-16le", &utf16)
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let hash = between(&a.body, "name=\"hash\" value=\"", "\"")
        .unwrap()
        .to_owned();
    let b = clerk.post("/admin/imports/apply", &[("hash", &hash)]).await;
    assert_eq!(b.status, 303, "{}", b.body);
    let name: String = workers::table
        .filter(workers::license_no.eq("45001180009"))
        .select(workers::name)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(name, "欧阳明");
}

#[actix_web::test]
async fn a_form_sent_after_the_session_ended_returns_to_its_page_and_errors_keep_the_console_layout()
 {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "yongchuan", Role::District, Some("500118"));
    let mut stranger = Clerk::new(&app);
    let a = stranger
        .post("/admin/imports/apply", &[("hash", "x")])
        .await;
    assert_eq!(a.status, 303);
    assert_eq!(a.location(), "/admin/login?next=%2Fadmin%2Fimports%2Fnew");

    let mut clerk = Clerk::signed_in(&app, "yongchuan").await;
    let refused = clerk.get("/admin/complaints").await;
    assert_eq!(refused.status, 403);
    assert!(
        refused.body.contains("href=\"/admin\""),
        "a way back: {}",
        refused.body
    );
    assert!(
        refused.body.contains("基层法律服务管理后台"),
        "the console's own layout"
    );
    // A form of the wrong kind is answered by a console page, not plain text.
    let resp = app
        .client
        .post(format!("{}/admin/imports/apply", app.address))
        .header(
            "cookie",
            format!("lp_admin={}", clerk.session_id().unwrap()),
        )
        .header("content-type", "text/plain")
        .body("hash=x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("无法读取提交的表单"));
}

#[actix_web::test]
async fn a_double_click_on_apply_applies_the_file_once() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "city", Role::City, None);
    let mut clerk = Clerk::signed_in(&app, "city").await;
    let good = format!("{HEADER}45001180009,欧阳明,31500118001,执业,2019-01-01,12\n");
    let a = clerk.preview("workers", "w.csv", good.as_bytes()).await;
    let hash = between(&a.body, "name=\"hash\" value=\"", "\"")
        .unwrap()
        .to_owned();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("csrf_token", &clerk.token)
        .append_pair("hash", &hash)
        .finish();
    let click = || {
        app.client
            .post(format!("{}/admin/imports/apply", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", clerk.cookie_header())
            .body(body.clone())
            .send()
    };
    let (first, second) = tokio::join!(click(), click());
    let mut statuses = [
        first.unwrap().status().as_u16(),
        second.unwrap().status().as_u16(),
    ];
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [303, 410],
        "one applies, the other is told it was"
    );
    let applied: i64 = import_batches::table
        .filter(import_batches::status.eq("applied"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(
        applied, 1,
        "one applied batch, not a second of unchanged rows"
    );
    assert_eq!(worker_count(&app), 3);
}

#[actix_web::test]
async fn a_preview_nobody_applies_is_deleted_after_its_30_minutes_without_another_preview() {
    let app = TestApp::builder()
        .seed(|c| {
            two_districts(c);
            let now = chrono::Utc::now().naive_utc();
            let user =
                legal_portal::db::users::create(c, "city", Role::City, None, super::PASSWORD, now)
                    .unwrap()
                    .id;
            let upload = legal_portal::db::users::Upload {
                hash: "ab".repeat(32),
                dataset: "disciplinary-actions".into(),
                format: "csv".into(),
                file_name: "未公开的处分.csv".into(),
                body: b"decision_no\n".to_vec(),
            };
            // Previewed 31 minutes before the portal starts.
            legal_portal::db::users::keep_upload(
                c,
                user,
                &upload,
                &upload.body.clone(),
                now - chrono::TimeDelta::minutes(31),
            )
            .unwrap();
        })
        .await;
    let mut left = 1;
    for _ in 0..100 {
        left = admin_uploads::table
            .count()
            .get_result(&mut app.conn())
            .unwrap();
        if left == 0 {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(left, 0, "deleted by the portal's own job");
}
