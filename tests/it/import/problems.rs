use legal_portal::domain::vocab::TokenScope;
use serde_json::Value;

use super::*;

fn problems(report: &Value) -> Vec<(u64, String, String)> {
    report["error"]["details"]["problems"]
        .as_array()
        .expect("problems listed")
        .iter()
        .map(|p| {
            assert!(!p["message"].as_str().unwrap_or_default().is_empty());
            (
                p["row"].as_u64().unwrap(),
                p["column"].as_str().unwrap().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn every_problem_is_named_by_row_and_column_and_nothing_is_written() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let before = worker_count(&mut app.conn());
    let body = "执业证号,姓名,执业机构许可证号,状态,首次执业日期,身份证号\n\
                W-A,甲,O-RURAL,执业,2015-01-01,\n\
                W-B,乙,O-RURAL,执业,2015-13-01,\n\
                W-C,丙,O-RURAL,退休,2015-01-01,\n\
                W-D,丁,O-NOWHERE,执业,2015-01-01,\n\
                W-A,戊,O-RURAL,执业,2015-01-01,\n\
                W-F,,O-RURAL,执业,2015-01-01,\n\
                W<G,己,O-RURAL,执业,2015-01-01,\n";
    let (status, report) = post(&app, &token, "workers", CSV, body, false).await;
    assert_eq!(status, 422, "{report:#}");
    assert_eq!(report["error"]["code"], "import_rejected");
    let got = problems(&report);
    for want in [
        (1, "身份证号", "unknown_column"),
        (3, "首次执业日期", "bad_date"),
        (4, "状态", "unknown_vocabulary"),
        (5, "执业机构许可证号", "unknown_reference"),
        (6, "执业证号", "duplicate_key"),
        (7, "姓名", "missing_value"),
        (8, "执业证号", "bad_license_no"),
    ] {
        assert!(
            got.contains(&(want.0, want.1.to_owned(), want.2.to_owned())),
            "expected a {} problem in row {} column {}; got {got:?}",
            want.2,
            want.0,
            want.1
        );
    }
    assert!(
        !got.iter().any(|p| p.0 == 2),
        "the good row 2 has no problem: {got:?}"
    );
    // Each problem quotes its cell as given (none for an empty cell).
    let cells: Vec<(u64, &str)> = report["error"]["details"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| Some((p["row"].as_u64()?, p["cell"].as_str()?)))
        .collect();
    for want in [(3, "2015-13-01"), (4, "退休"), (5, "O-NOWHERE"), (8, "W<G")] {
        assert!(cells.contains(&want), "{want:?} quoted; got {cells:?}");
    }
    assert!(
        !cells.iter().any(|(row, _)| *row == 7),
        "row 7's cell is empty"
    );
    assert_eq!(worker_count(&mut app.conn()), before, "nothing written");
    assert_eq!(outbox_count(&mut app.conn()), 0);

    let id = &report["error"]["details"]["id"];
    let stored = app
        .client
        .get(format!("{}/admin/api/imports/{id}", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let stored: Value = stored.json().await.unwrap();
    assert_eq!(stored["status"], "rejected");
    assert_eq!(stored["problems"].as_array().unwrap().len(), got.len());
}

#[actix_web::test]
async fn a_missing_required_column_is_named() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let (status, report) = post(
        &app,
        &token,
        "workers",
        CSV,
        "执业证号,姓名\nW-1,甲\n",
        false,
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        problems(&report).contains(&(1, "status".into(), "missing_column".into())),
        "{report:#}"
    );
}

#[actix_web::test]
async fn json_rows_are_numbered_by_element_and_ndjson_by_line() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let json = r#"[{"license_no":"W-1","name":"甲","status":"执业"},{"license_no":"W-2","name":"乙","status":"bogus"}]"#;
    let (status, report) = post(&app, &token, "workers", JSON, json, false).await;
    assert_eq!(status, 422);
    assert_eq!(
        problems(&report),
        vec![(2, "status".into(), "unknown_vocabulary".into())]
    );
    let nd = "{\"license_no\":\"W-1\",\"name\":\"甲\",\"status\":\"执业\"}\n{not json\n";
    let (status, report) = post(&app, &token, "workers", NDJSON, nd, false).await;
    assert_eq!(status, 422);
    assert_eq!(
        problems(&report),
        vec![(2, String::new(), "malformed_row".into())]
    );
    assert_eq!(
        worker_count(&mut app.conn()),
        3,
        "the good line was not written"
    );
}

#[actix_web::test]
async fn a_review_outcome_must_fit_its_subject() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let body = "执业证号,年度,考核结果\nO-RURAL,2025,称职\n";
    let (status, report) = post(&app, &token, "reviews", CSV, body, false).await;
    assert_eq!(status, 422);
    assert_eq!(
        problems(&report),
        vec![(2, "考核结果".into(), "invalid_value".into())]
    );
}
