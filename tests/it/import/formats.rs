use diesel::prelude::*;
use legal_portal::db::schema::workers;
use legal_portal::domain::vocab::TokenScope;

use super::*;

const WORKERS_CSV: &str = "\u{feff}license_no,name,gender,office_license_no,status,first_licensed_on,internship_months,practice_areas\n\
W-1,张三,男,O-RURAL,执业,2015-04-01,12,民事代理；人民调解\n\
ｗ-2 ,李四,female,o-rural,practising,2016/5/2,13,法律咨询\n";

#[actix_web::test]
async fn a_utf8_csv_with_bom_goes_in_and_again_changes_nothing() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let first = import_ok(&app, &token, "workers", CSV, WORKERS_CSV).await;
    assert_eq!(first["status"], "applied");
    assert_eq!(first["counts"]["inserted"], 2, "{first:#}");
    let mut conn = app.conn();
    let names: Vec<(String, String, Option<String>)> = workers::table
        .filter(workers::license_no.eq_any(["W-1", "W-2"]))
        .order(workers::license_no)
        .select((
            workers::license_no,
            workers::practice_areas,
            workers::office_license_no,
        ))
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        names,
        vec![
            (
                "W-1".into(),
                "民事代理;人民调解".into(),
                Some("O-RURAL".into())
            ),
            ("W-2".into(), "法律咨询".into(), Some("O-RURAL".into())),
        ],
        "license numbers are normalised and lists joined"
    );
    let outbox = outbox_count(&mut conn);
    assert_eq!(outbox, 2, "one outbox row per new worker");

    let again = import_ok(&app, &token, "workers", CSV, WORKERS_CSV).await;
    assert_eq!(again["counts"]["unchanged"], 2, "{again:#}");
    assert_eq!(again["counts"]["inserted"], 0);
    assert_eq!(again["counts"]["updated"], 0);
    assert_eq!(outbox_count(&mut conn), outbox, "nothing new for search");

    let stored = app
        .client
        .get(format!("{}/admin/api/imports/{}", app.address, again["id"]))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status().as_u16(), 200);
    let stored: serde_json::Value = stored.json().await.unwrap();
    assert_eq!(stored["counts"], again["counts"]);
}

#[actix_web::test]
async fn a_gbk_csv_with_chinese_headers_is_detected_or_declared() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let text = "执业证号,姓名,性别,执业机构许可证号,状态,首次执业日期,实习月数\n\
                W-G1,赵六,女,O-TOWN,执业,2012年3月1日,12\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    let (status, report) = post(&app, &token, "workers", CSV, gbk.to_vec(), false).await;
    assert_eq!(status, 200, "{report:#}");
    assert_eq!(report["counts"]["inserted"], 1);
    let name: String = workers::table
        .find("W-G1")
        .select(workers::name)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(name, "赵六");

    let (status, report) = post(
        &app,
        &token,
        "workers",
        "text/csv; charset=GB18030",
        gbk.to_vec(),
        false,
    )
    .await;
    assert_eq!(status, 200, "{report:#}");
    assert_eq!(report["counts"]["unchanged"], 1);
}

#[actix_web::test]
async fn json_and_ndjson_are_read_with_english_keys() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let json = r#"[{"license_no":"W-J1","name":"钱七","status":"practising","office_license_no":"O-TOWN","first_licensed_on":"2011-01-01","internship_months":12,"practice_areas":["民事代理","法律咨询"]}]"#;
    let report = import_ok(&app, &token, "workers", JSON, json).await;
    assert_eq!(report["counts"]["inserted"], 1);
    let nd = "{\"license_no\":\"W-N1\",\"name\":\"孙八\",\"status\":\"执业\",\"office_license_no\":\"O-TOWN\",\"first_licensed_on\":\"2011-01-01\",\"internship_months\":12}\n\n{\"license_no\":\"W-N2\",\"name\":\"周九\",\"status\":\"注销\"}\n";
    let report = import_ok(&app, &token, "workers", NDJSON, nd).await;
    assert_eq!(report["counts"]["inserted"], 2);
    assert_eq!(report["format"], "ndjson");
}

#[actix_web::test]
async fn an_xlsx_written_by_a_library_keeps_dates_and_long_numbers() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in [
        "执业证号",
        "姓名",
        "执业机构许可证号",
        "状态",
        "首次执业日期",
        "实习月数",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_number(1, 0, 50010120100001.0).unwrap();
    sheet.write_string(1, 1, "吴十").unwrap();
    sheet.write_string(1, 2, "O-RURAL").unwrap();
    sheet.write_string(1, 3, "执业").unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2014, 7, 1).unwrap();
    sheet
        .write_datetime_with_format(1, 4, &date, &date_format)
        .unwrap();
    sheet.write_number(1, 5, 12).unwrap();
    let bytes = book.save_to_buffer().unwrap();

    let (status, report) = post(&app, &token, "workers", XLSX, bytes, false).await;
    assert_eq!(status, 200, "{report:#}");
    assert_eq!(report["counts"]["inserted"], 1);
    let (first, months): (Option<chrono::NaiveDate>, Option<i32>) = workers::table
        .find("50010120100001")
        .select((workers::first_licensed_on, workers::internship_months))
        .first(&mut app.conn())
        .expect("the license number is stored with every digit");
    assert_eq!(first, Some(crate::helpers::d("2014-07-01")));
    assert_eq!(months, Some(12));
}

#[actix_web::test]
async fn a_dry_run_reports_but_writes_nothing() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let before = worker_count(&mut app.conn());
    let (status, report) = post(&app, &token, "workers", CSV, WORKERS_CSV, true).await;
    assert_eq!(status, 200, "{report:#}");
    assert_eq!(report["status"], "dry_run");
    assert_eq!(report["counts"]["inserted"], 2);
    assert_eq!(worker_count(&mut app.conn()), before);
    assert_eq!(outbox_count(&mut app.conn()), 0);
}

#[actix_web::test]
async fn every_dataset_imports_and_repeats_unchanged() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let batches = [
        (
            "districts",
            "区县代码,区县名称,类型,常住人口,律师人数,川渝毗邻\n500230,丰都县,县,550000,80,否\n",
        ),
        (
            "offices",
            "执业许可证号,名称,区县代码,乡镇街道,区域类型,状态,成立日期,党组织\nO-NEW,名山镇法律服务所,500230,名山镇,农村乡镇,执业,2001-01-01,联合党支部\n",
        ),
        (
            "workers",
            "执业证号,姓名,执业机构许可证号,状态,首次执业日期,实习月数\nW-T,郑一,O-RURAL,执业,2012-01-01,12\n",
        ),
        (
            "transfers",
            "执业证号,新执业机构,变更日期\nW-T,O-NEW,2025-06-01\n",
        ),
        (
            "reviews",
            "对象类型,执业证号,年度,考核结果,整改期限\n人员,W-T,2025,不称职,2027-01-31\n机构,O-NEW,2025,合格,\n",
        ),
        (
            "disciplinary-actions",
            "决定文号,执业证号,处理种类,决定机关,决定日期,事实,依据\n渝司罚〔2026〕1号,W-T,警告,丰都县司法局,2026-05-01,事实,依据\n",
        ),
        (
            "commendations",
            "执业证号,荣誉名称,授予单位,授予日期\nO-NEW,先进集体,重庆市司法局,2025-12-01\n",
        ),
        (
            "announcements",
            "类型,标题,正文,发布日期,涉及执业证号\n注销公告,关于注销的公告,正文,2026-01-05,W-OLD0、O-RURAL\n",
        ),
    ];
    for (dataset, body) in batches {
        let first = import_ok(&app, &token, dataset, CSV, body).await;
        assert!(
            first["counts"]["inserted"].as_u64().unwrap() >= 1,
            "{dataset}: {first:#}"
        );
        let again = import_ok(&app, &token, dataset, CSV, body).await;
        assert_eq!(again["counts"]["inserted"], 0, "{dataset}: {again:#}");
        assert_eq!(again["counts"]["updated"], 0, "{dataset}: {again:#}");
    }
    let office: Option<String> = workers::table
        .find("W-T")
        .select(workers::office_license_no)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        office.as_deref(),
        Some("O-NEW"),
        "the latest transfer moves the worker"
    );
}

/// More rows than one multi-row statement holds (`db::INSERT_BATCH`), some
/// with their optional cells empty: every row is stored once, an empty cell
/// as NULL, whichever statement carried it, and the same file again changes
/// nothing.
#[actix_web::test]
async fn a_batch_of_several_statements_stores_every_row_and_empty_cells_as_null() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let rows = 2 * legal_portal::db::INSERT_BATCH + 44;
    let mut csv = String::from(
        "license_no,name,gender,office_license_no,status,first_licensed_on,internship_months,practice_areas\n",
    );
    for i in 0..rows {
        if i % 3 == 0 {
            csv.push_str(&format!("W-{i},工作者{i},,,执业,,,\n"));
        } else {
            csv.push_str(&format!(
                "W-{i},工作者{i},男,O-RURAL,执业,2015-04-01,{},法律咨询\n",
                12 + i % 5
            ));
        }
    }
    let mut conn = app.conn();
    let (workers_before, outbox_before) = (worker_count(&mut conn), outbox_count(&mut conn));
    let first = import_ok(&app, &token, "workers", CSV, &csv).await;
    assert_eq!(first["counts"]["inserted"], rows, "{first:#}");
    assert_eq!(worker_count(&mut conn), workers_before + rows as i64);
    type Row = (
        String,
        Option<String>,
        Option<String>,
        Option<chrono::NaiveDate>,
        Option<i32>,
    );
    let stored: Vec<Row> = workers::table
        .filter(workers::license_no.like("W-%"))
        .select((
            workers::license_no,
            workers::gender,
            workers::office_license_no,
            workers::first_licensed_on,
            workers::internship_months,
        ))
        .load(&mut conn)
        .unwrap();
    let stored: std::collections::HashMap<String, Row> =
        stored.into_iter().map(|r| (r.0.clone(), r)).collect();
    for i in 0..rows {
        let (_, gender, office, since, months) = &stored[&format!("W-{i}")];
        if i % 3 == 0 {
            assert_eq!(
                (gender, office, since, months),
                (&None, &None, &None, &None),
                "W-{i}"
            );
        } else {
            assert_eq!(office.as_deref(), Some("O-RURAL"), "W-{i}");
            assert_eq!(*since, chrono::NaiveDate::from_ymd_opt(2015, 4, 1), "W-{i}");
            assert_eq!(*months, Some(12 + (i % 5) as i32), "W-{i}");
            assert!(gender.is_some(), "W-{i}");
        }
    }
    assert_eq!(
        outbox_count(&mut conn),
        outbox_before + rows as i64,
        "one outbox row per new worker"
    );
    let again = import_ok(&app, &token, "workers", CSV, &csv).await;
    assert_eq!(again["counts"]["unchanged"], rows, "{again:#}");
}

/// The problems of a rejected report as (row, column, code, message).
fn problems_of(report: &serde_json::Value) -> Vec<(u64, String, String, String)> {
    report["error"]["details"]["problems"]
        .as_array()
        .or_else(|| report["problems"].as_array())
        .unwrap_or_else(|| panic!("no problems in {report:#}"))
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap_or(0),
                p["column"].as_str().unwrap_or("").to_owned(),
                p["code"].as_str().unwrap_or("").to_owned(),
                p["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn an_xlsx_is_read_from_its_first_visible_sheet_and_excel_errors_are_row_problems() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    // A template's hidden sheet of drop-down lists comes first.
    let lists = book.add_worksheet();
    lists.set_name("下拉选项").unwrap();
    lists.write_string(0, 0, "执业").unwrap();
    lists.write_string(1, 0, "停业").unwrap();
    lists.set_hidden(true);
    let sheet = book.add_worksheet();
    sheet.set_name("人员").unwrap();
    sheet.set_active(true);
    let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in [
        "执业证号",
        "姓名",
        "执业机构许可证号",
        "状态",
        "首次执业日期",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    // W-OLD1 is stored at O-RURAL: a failed VLOOKUP must not clear it.
    sheet.write_string(1, 0, "W-OLD1").unwrap();
    sheet.write_string(1, 1, "王五").unwrap();
    sheet
        .write_formula(
            1,
            2,
            rust_xlsxwriter::Formula::new("=VLOOKUP(B2,X:Y,2,FALSE)").set_result("#N/A"),
        )
        .unwrap();
    sheet.write_string(1, 3, "执业").unwrap();
    // A formula's empty result shown as a date: Excel's "1900-01-00".
    sheet.write_string(2, 0, "W-NEW").unwrap();
    sheet.write_string(2, 1, "赵一").unwrap();
    sheet.write_string(2, 2, "O-RURAL").unwrap();
    sheet.write_string(2, 3, "执业").unwrap();
    sheet
        .write_number_with_format(2, 4, 0.0, &date_format)
        .unwrap();
    let bytes = book.save_to_buffer().unwrap();

    let (status, report) = post(&app, &token, "workers", XLSX, bytes, false).await;
    assert_eq!(status, 422, "{report:#}");
    let problems = problems_of(&report);
    assert!(
        problems.iter().any(|(row, column, code, message)| *row == 2
            && column == "执业机构许可证号"
            && code == "invalid_value"
            && message.contains("#N/A")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|(row, column, code, _)| *row == 3
            && column == "首次执业日期"
            && code == "bad_date"),
        "{problems:?}"
    );
    assert!(
        !problems
            .iter()
            .any(|(_, _, code, _)| code == "unknown_column"),
        "the hidden sheet is not read: {problems:?}"
    );
    let office: Option<String> = workers::table
        .find("W-OLD1")
        .select(workers::office_license_no)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(office.as_deref(), Some("O-RURAL"), "nothing written");
    assert_eq!(worker_count(&mut app.conn()), 3);

    // The same error text in a CSV (Excel saves it so) is refused alike,
    // in a free-text column too.
    let (status, report) = post(
        &app,
        &token,
        "offices",
        CSV,
        "执业许可证号,名称,区县代码,区域类型,地址\nO-RURAL,高观镇法律服务所,500229,rural,#REF!\n",
        false,
    )
    .await;
    assert_eq!(status, 422, "{report:#}");
    assert!(
        problems_of(&report)
            .iter()
            .any(|(row, column, _, message)| *row == 2
                && column == "地址"
                && message.contains("#REF!")),
        "{report:#}"
    );
}

#[actix_web::test]
async fn district_codes_are_six_digits_full_width_taken() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let header = "区县代码,区县名称,类型,常住人口,律师人数\n";
    // Full-width digits name the same district: updated, not a new one.
    let report = import_ok(
        &app,
        &token,
        "districts",
        CSV,
        &format!("{header}５００２２９ ,城口县,county,1000000,120\n"),
    )
    .await;
    assert_eq!(report["counts"]["updated"], 1, "{report:#}");
    assert_eq!(report["counts"]["inserted"], 0, "{report:#}");
    for bad in ["500229.0", "5002", "50022X"] {
        let (status, report) = post(
            &app,
            &token,
            "districts",
            CSV,
            format!("{header}{bad},城口县,county,1000000,120\n"),
            false,
        )
        .await;
        assert_eq!(status, 422, "{bad}: {report:#}");
        assert!(
            problems_of(&report)
                .iter()
                .any(|(_, column, _, message)| column == "区县代码" && message.contains("6 位数字")),
            "{bad}: {report:#}"
        );
    }
}

#[actix_web::test]
async fn transfers_without_the_office_left_chain_through_the_batch() {
    use legal_portal::db::schema::transfers;
    let (app, token) = app_with_token(TokenScope::Import).await;
    // W-OLD1 works at O-RURAL; two moves in one batch, the later row first,
    // neither naming the office left.
    import_ok(
        &app,
        &token,
        "transfers",
        CSV,
        "执业证号,新执业机构,变更日期\nW-OLD1,O-CENTRAL,2024-01-01\nW-OLD1,O-TOWN,2023-01-01\n",
    )
    .await;
    let stored: Vec<(chrono::NaiveDate, Option<String>, String)> = transfers::table
        .filter(transfers::worker_license_no.eq("W-OLD1"))
        .order(transfers::effective_on)
        .select((
            transfers::effective_on,
            transfers::from_office_license_no,
            transfers::to_office_license_no,
        ))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(
        stored,
        vec![
            (
                crate::helpers::d("2023-01-01"),
                Some("O-RURAL".to_owned()),
                "O-TOWN".to_owned()
            ),
            (
                crate::helpers::d("2024-01-01"),
                Some("O-TOWN".to_owned()),
                "O-CENTRAL".to_owned()
            ),
        ]
    );
    let office: Option<String> = workers::table
        .find("W-OLD1")
        .select(workers::office_license_no)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(office.as_deref(), Some("O-CENTRAL"));
}

#[actix_web::test]
async fn a_sheet_without_an_optional_column_keeps_what_the_records_hold_there() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    import_ok(
        &app,
        &token,
        "workers",
        CSV,
        "执业证号,姓名,执业机构许可证号,状态,首次执业日期,实习月数,业务范围\nW-9,孙七,O-RURAL,执业,2015-04-01,12,民事代理；人民调解\n",
    )
    .await;
    let stored = |app: &crate::helpers::TestApp| -> (
        Option<String>,
        Option<chrono::NaiveDate>,
        Option<i32>,
        String,
    ) {
        workers::table
            .find("W-9")
            .select((
                workers::office_license_no,
                workers::first_licensed_on,
                workers::internship_months,
                workers::practice_areas,
            ))
            .first(&mut app.conn())
            .unwrap()
    };
    let full = stored(&app);
    assert_eq!(full.0.as_deref(), Some("O-RURAL"));

    // The status list the bureau keeps: number, name, status only.
    let report = import_ok(
        &app,
        &token,
        "workers",
        CSV,
        "执业证号,姓名,状态\nW-9,孙七,执业\n",
    )
    .await;
    assert_eq!(report["counts"]["unchanged"], 1, "{report:#}");
    assert_eq!(stored(&app), full, "nothing the sheet lacks is cleared");

    // A column the sheet has, left empty, still clears the value.
    let report = import_ok(
        &app,
        &token,
        "workers",
        CSV,
        "执业证号,姓名,状态,业务范围\nW-9,孙七,执业,\n",
    )
    .await;
    assert_eq!(report["counts"]["updated"], 1, "{report:#}");
    let after = stored(&app);
    assert_eq!(after.3, "");
    assert_eq!(after.0.as_deref(), Some("O-RURAL"), "the office stays");

    // A new worker from a short sheet gets the defaults.
    import_ok(
        &app,
        &token,
        "workers",
        CSV,
        "执业证号,姓名,状态\nW-10,周八,执业\n",
    )
    .await;
    let (office, ..): (
        Option<String>,
        Option<chrono::NaiveDate>,
        Option<i32>,
        String,
    ) = workers::table
        .find("W-10")
        .select((
            workers::office_license_no,
            workers::first_licensed_on,
            workers::internship_months,
            workers::practice_areas,
        ))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(office, None);
}

#[actix_web::test]
async fn an_office_sheet_without_phone_or_position_keeps_them() {
    use legal_portal::db::schema::offices;
    let (app, token) = app_with_token(TokenScope::Import).await;
    import_ok(
        &app,
        &token,
        "offices",
        CSV,
        "执业许可证号,名称,区县代码,区域类型,状态,电话,纬度,经度,乡镇街道\nO-RURAL,高观镇法律服务所,500229,rural,执业,023-12345678,31.9,108.6,高观镇\n",
    )
    .await;
    let stored = |app: &crate::helpers::TestApp| -> (String, Option<f64>, Option<i64>) {
        offices::table
            .find("O-RURAL")
            .select((offices::phone, offices::lat, offices::township_id))
            .first(&mut app.conn())
            .unwrap()
    };
    let before = stored(&app);
    assert_eq!(before.0, "023-12345678");
    assert!(before.2.is_some());
    let report = import_ok(
        &app,
        &token,
        "offices",
        CSV,
        "执业许可证号,名称,区县代码,区域类型,状态\nO-RURAL,高观镇法律服务所,500229,rural,执业\n",
    )
    .await;
    assert_eq!(report["counts"]["unchanged"], 1, "{report:#}");
    assert_eq!(stored(&app), before);
}

#[actix_web::test]
async fn a_body_refused_as_a_whole_is_explained_in_the_client_s_language() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let send = |ct: &'static str, body: &'static str, lang: &'static str| {
        app.client
            .post(format!("{}/admin/api/import/offices", app.address))
            .bearer_auth(&token)
            .header("content-type", ct)
            .header("accept-language", lang)
            .body(body)
            .send()
    };
    for (ct, body, status, zh, en) in [
        (
            JSON,
            "{",
            400,
            "不是有效的 JSON",
            "Not valid JSON (line 1, column 1)",
        ),
        (
            JSON,
            "{\"a\":1}",
            400,
            "JSON 顶层必须是对象数组",
            "must be an array of objects",
        ),
        (CSV, "", 400, "文件为空", "The file is empty"),
        (
            "text/csv; charset=klingon",
            "a\n1\n",
            415,
            "无法识别的字符集：klingon",
            "Unknown character set: klingon",
        ),
        (
            XLSX,
            "not a zip",
            400,
            "文件不是 XLSX 格式",
            "The file is not XLSX",
        ),
    ] {
        for (lang, says) in [("zh-CN", zh), ("en", en)] {
            let resp = send(ct, body, lang).await.unwrap();
            assert_eq!(resp.status().as_u16(), status, "{ct} {body:?}");
            let v: serde_json::Value = resp.json().await.unwrap();
            let message = v["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains(says), "{lang} {ct} {body:?}: {v}");
        }
    }
    assert_eq!(worker_count(&mut app.conn()), 3, "nothing written");
}
