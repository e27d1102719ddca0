use legal_portal::domain::vocab::TokenScope;

use super::*;

async fn rules_after(dataset: &str, body: &str) -> Vec<(u64, String)> {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let report = import_ok(&app, &token, dataset, CSV, body).await;
    rules_of(&report)
}

const WORKER_HEAD: &str = "执业证号,姓名,执业机构许可证号,状态,首次执业日期,实习月数\n";

#[actix_web::test]
async fn rule_1_new_worker_in_a_district_at_target() {
    let hit = rules_after(
        "workers",
        &format!("{WORKER_HEAD}W-N,甲,O-CENTRAL,执业,2026-06-01,12\n"),
    )
    .await;
    assert!(hit.contains(&(1, "W-N".into())), "{hit:?}");
    let miss = rules_after(
        "workers",
        &format!("{WORKER_HEAD}W-N,甲,O-RURAL,执业,2026-06-01,12\n"),
    )
    .await;
    assert!(!miss.iter().any(|r| r.0 == 1), "{miss:?}");
}

#[actix_web::test]
async fn rule_2_transfer_into_a_district_at_target() {
    let hit = rules_after(
        "transfers",
        "执业证号,原执业机构,新执业机构,变更日期\nW-OLD1,O-RURAL,O-CENTRAL,2026-03-01\n",
    )
    .await;
    assert!(hit.contains(&(2, "W-OLD1".into())), "{hit:?}");
    let miss = rules_after(
        "transfers",
        "执业证号,原执业机构,新执业机构,变更日期\nW-OLD2,O-TOWN,O-RURAL,2026-03-01\n",
    )
    .await;
    assert!(!miss.iter().any(|r| r.0 == 2), "{miss:?}");
}

#[actix_web::test]
async fn rule_3_rural_worker_to_an_urban_office() {
    let hit = rules_after(
        "transfers",
        "执业证号,新执业机构,变更日期\nW-OLD1,O-TOWN,2026-03-01\n",
    )
    .await;
    assert!(
        hit.contains(&(3, "W-OLD1".into())),
        "from the worker's rural office: {hit:?}"
    );
    let miss = rules_after(
        "transfers",
        "执业证号,新执业机构,变更日期\nW-OLD0,O-TOWN,2026-03-01\n",
    )
    .await;
    assert!(!miss.iter().any(|r| r.0 == 3), "{miss:?}");
}

const OFFICE_HEAD: &str = "执业许可证号,名称,区县代码,乡镇街道,区域类型,状态,成立日期\n";

#[actix_web::test]
async fn rule_4_new_office_and_rule_7_shell_office() {
    let hit = rules_after(
        "offices",
        &format!("{OFFICE_HEAD}O-NEW,新所,500229,坪坝镇,农村乡镇,执业,2022-01-01\n"),
    )
    .await;
    assert!(hit.contains(&(4, "O-NEW".into())), "{hit:?}");
    assert!(
        hit.contains(&(7, "O-NEW".into())),
        "no worker, no review: {hit:?}"
    );
    let miss = rules_after(
        "offices",
        &format!("{OFFICE_HEAD}O-RURAL,高观镇法律服务所,500229,高观镇,农村乡镇,执业,2003-05-01\n"),
    )
    .await;
    assert!(!miss.iter().any(|r| r.0 == 4 || r.0 == 7), "{miss:?}");
}

#[actix_web::test]
async fn rule_5_office_moves_from_a_township_to_a_subdistrict() {
    let hit = rules_after(
        "offices",
        &format!(
            "{OFFICE_HEAD}O-RURAL,高观镇法律服务所,500229,葛城街道,城区街道,执业,2003-05-01\n"
        ),
    )
    .await;
    assert!(hit.contains(&(5, "O-RURAL".into())), "{hit:?}");
    let miss = rules_after(
        "offices",
        &format!(
            "{OFFICE_HEAD}O-TOWN,葛城街道法律服务所,500229,葛城街道,城区街道,执业,2003-05-01\n"
        ),
    )
    .await;
    assert!(!miss.iter().any(|r| r.0 == 5), "{miss:?}");
}

#[actix_web::test]
async fn rule_6_internship_under_a_year() {
    let hit = rules_after(
        "workers",
        &format!("{WORKER_HEAD}W-N,甲,O-RURAL,执业,2023-06-01,6\n"),
    )
    .await;
    assert!(hit.contains(&(6, "W-N".into())), "{hit:?}");
    let miss = rules_after(
        "workers",
        &format!("{WORKER_HEAD}W-N,甲,O-RURAL,执业,2023-06-01,12\n"),
    )
    .await;
    assert!(!miss.iter().any(|r| r.0 == 6), "{miss:?}");
}

#[actix_web::test]
async fn rule_7_an_office_losing_its_last_worker() {
    let hit = rules_after(
        "workers",
        &format!("{WORKER_HEAD}W-OLD1,王五,O-RURAL,注销,2010-03-01,12\n"),
    )
    .await;
    assert!(hit.contains(&(7, "O-RURAL".into())), "{hit:?}");
}

#[actix_web::test]
async fn compliance_lists_current_findings() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let url = format!("{}/admin/api/compliance", app.address);
    let clean: serde_json::Value = app
        .client
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clean["findings"].as_array().unwrap().len(), 0, "{clean:#}");
    import_ok(
        &app,
        &token,
        "transfers",
        CSV,
        "执业证号,新执业机构,变更日期\nW-OLD1,O-CENTRAL,2026-03-01\n",
    )
    .await;
    let now: serde_json::Value = app
        .client
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rules: Vec<u64> = now["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_u64().unwrap())
        .collect();
    assert!(rules.contains(&2) && rules.contains(&3), "{now:#}");
    assert!(rules.contains(&7), "O-RURAL lost its only worker: {now:#}");
}

#[actix_web::test]
async fn a_transfer_batch_warns_of_the_office_it_leaves_behind() {
    // W-OLD1 is O-RURAL's only worker: the compliance page lists the
    // office once the transfer is in, so the import says so too.
    let hit = rules_after(
        "transfers",
        "执业证号,新执业机构,变更日期\nW-OLD1,O-TOWN,2026-03-01\n",
    )
    .await;
    assert!(hit.contains(&(7, "O-RURAL".into())), "{hit:?}");
    assert!(!hit.iter().any(|r| r.1 == "O-CENTRAL"), "{hit:?}");
}

/// The compliance findings as (rule, subject, district named).
async fn compliance(app: &TestApp, token: &str) -> Vec<(u64, String, String)> {
    let now: serde_json::Value = app
        .client
        .get(format!("{}/admin/api/compliance", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    now["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_u64().unwrap(),
                f["subject"].as_str().unwrap().to_owned(),
                f["figures"]["district"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

/// Asserts that a batch's report warned of `finding` (rule, subject) and
/// that the compliance page lists it under its district; returns the
/// page's findings.
async fn warned_and_listed(
    app: &TestApp,
    token: &str,
    report: &serde_json::Value,
    (rule, subject, district): (u64, &str, &str),
) -> Vec<(u64, String, String)> {
    let warned = rules_of(report);
    assert!(warned.contains(&(rule, subject.into())), "{warned:?}");
    let found = compliance(app, token).await;
    assert!(
        found.contains(&(rule, subject.into(), district.into())),
        "{found:?}"
    );
    found
}

#[actix_web::test]
async fn rule_1_names_the_district_that_took_the_worker_on() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    // W-IN taken on below the target, then moved into the district at it:
    // a transfer (rule 2), not a new worker there. W-OUT taken on at the
    // target, then moved out: still the saturated district's new worker.
    import_ok(
        &app,
        &token,
        "workers",
        CSV,
        &format!(
            "{WORKER_HEAD}W-IN,甲,O-RURAL,执业,2025-06-01,12\nW-OUT,乙,O-CENTRAL,执业,2025-06-01,12\n"
        ),
    )
    .await;
    let report = import_ok(
        &app,
        &token,
        "transfers",
        CSV,
        "执业证号,新执业机构,变更日期\nW-IN,O-CENTRAL,2026-03-01\nW-OUT,O-RURAL,2026-03-01\n",
    )
    .await;
    let found = warned_and_listed(&app, &token, &report, (2, "W-IN", "500103")).await;
    assert!(
        !found.iter().any(|f| f.0 == 1 && f.1 == "W-IN"),
        "W-IN was not taken on at the target: {found:?}"
    );
    assert!(
        found.contains(&(1, "W-OUT".into(), "500103".into())),
        "W-OUT was: {found:?}"
    );
}

#[actix_web::test]
async fn new_district_figures_warn_of_transfers_already_into_the_district() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let moved = import_ok(
        &app,
        &token,
        "transfers",
        CSV,
        "执业证号,新执业机构,变更日期\nW-OLD0,O-TOWN,2026-03-01\n",
    )
    .await;
    assert!(
        !rules_of(&moved).iter().any(|r| r.0 == 2),
        "below the target then: {moved:#}"
    );
    // The district reaches the target: the compliance page now lists the
    // transfer into it, and the batch that raised it says so.
    let report = import_ok(
        &app,
        &token,
        "districts",
        CSV,
        "区县代码,区县名称,类型,常住人口,律师人数\n500229,城口县,县,1000000,230\n",
    )
    .await;
    warned_and_listed(&app, &token, &report, (2, "W-OLD0", "500229")).await;
}
