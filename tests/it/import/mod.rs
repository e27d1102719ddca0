//! The admin import: formats, row problems, atomicity, plan rules, auth,
//! limits and a crash mid-import.

mod auth;
mod crash;
mod formats;
mod limits;
mod problems;
mod rules;
mod uploads;

use diesel::prelude::*;
use legal_portal::db::{DbConnection, schema::*, tokens};
use legal_portal::domain::vocab::TokenScope;
use serde_json::Value;

use crate::helpers::{TestApp, build};

pub const CSV: &str = "text/csv";
pub const JSON: &str = "application/json";
pub const NDJSON: &str = "application/x-ndjson";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Two districts (500103 at the 2.3 target, 500229 below it) and three
/// offices with reviews and workers, so no rule fires on the seed itself.
pub fn seed(conn: &mut DbConnection) {
    build::district(conn, "500103", "渝中区", 1_000_000, 230);
    build::district(conn, "500229", "城口县", 1_000_000, 100);
    build::office_with(
        conn,
        "O-CENTRAL",
        "解放碑法律服务所",
        "500103",
        |o| o.area_kind = "urban".into(),
    );
    build::office(conn, "O-RURAL", "高观镇法律服务所", "500229");
    build::office_with(
        conn,
        "O-TOWN",
        "葛城街道法律服务所",
        "500229",
        |o| o.area_kind = "urban".into(),
    );
    for (i, office) in ["O-CENTRAL", "O-RURAL", "O-TOWN"].iter().enumerate() {
        build::worker(conn, &format!("W-OLD{i}"), "王五", office);
        build::review(conn, "office", office, 2024, "pass", None);
        build::review(conn, "office", office, 2025, "pass", None);
    }
}

/// A started portal on the seed, with a token of `scope`.
pub async fn app_with_token(scope: TokenScope) -> (TestApp, String) {
    // The indexer stays off so the outbox shows what the import wrote.
    // One worker per office: the minimum staff of rule 7 is lowered to one
    // here, so that the seed breaks no rule (rules.rs checks the default).
    let app = TestApp::builder()
        .settings(|s| {
            s.run_indexer = false;
            s.min_office_workers = 1;
        })
        .seed(seed)
        .await;
    let token = token(&app, "测试导入", scope);
    (app, token)
}

/// Creates a token.
pub fn token(app: &TestApp, name: &str, scope: TokenScope) -> String {
    tokens::create(&mut app.conn(), name, scope).expect("token")
}

/// POSTs a body to the import endpoint, returning status and JSON.
pub async fn post(
    app: &TestApp,
    token: &str,
    dataset: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
    dry_run: bool,
) -> (u16, Value) {
    let resp = app
        .client
        .post(format!(
            "{}/admin/api/import/{dataset}?dry_run={dry_run}",
            app.address
        ))
        .bearer_auth(token)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .expect("request reaches the portal");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, json)
}

/// Imports, expecting 200, returning the report.
pub async fn import_ok(app: &TestApp, token: &str, dataset: &str, ct: &str, body: &str) -> Value {
    let (status, json) = post(app, token, dataset, ct, body.to_owned(), false).await;
    assert_eq!(
        status, 200,
        "import of {dataset} should be applied: {json:#}"
    );
    json
}

/// Rows in the workers table.
pub fn worker_count(conn: &mut DbConnection) -> i64 {
    workers::table.count().get_result(conn).expect("count")
}

/// Rows in the search outbox.
/// Outbox rows due now: what a write asks search to show. Rows due later
/// are the time-driven refreshes the start-up reindex schedules.
pub fn outbox_count(conn: &mut DbConnection) -> i64 {
    legal_portal::db::outbox::due_count(conn, legal_portal::db::outbox::now())
        .expect("count the outbox")
}

/// `(rule, subject)` of each warning.
pub fn rules_of(report: &Value) -> Vec<(u64, String)> {
    report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| {
            (
                w["rule"].as_u64().expect("rule"),
                w["subject"].as_str().expect("subject").to_owned(),
            )
        })
        .collect()
}
