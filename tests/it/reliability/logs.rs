//! No secret, token or personal data reaches the log, whatever passes
//! through the portal: the real binary at its most verbose, with every key
//! configured by environment, a complaint carrying a name, a phone and an
//! ID number, an admin import with a token, a search and a verification by
//! name.

use std::process::Command;
use std::time::Duration;

use crate::complaints::{OFFICE, WORKER, mobile_numbers, subjects};
use crate::helpers::{ServedBinary, fresh_database, migrated};

const SIGNING_KEY: &str = "5e3c1f0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e";
const COMPLAINT_KEY: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9f";
const MEILI_KEY: &str = "meili-master-key-that-must-never-be-logged";
const NAME: &str = "司马欢欢";
const PHONE: &str = "13712345678";
const ID_NUMBER: &str = "500103199003071234";

fn run(url: &str, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_legal-portal"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("LEGAL_PORTAL_DATA", dir)
        .env_remove("MEILI_URL")
        .output()
        .expect("run legal-portal")
}

#[actix_web::test]
async fn the_log_carries_no_secret_token_or_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _pg) = fresh_database(dir.path());
    migrated(&url, subjects);
    let out = run(
        &url,
        dir.path(),
        &["token", "create", "--name", "导入", "--scope", "admin"],
    );
    assert!(out.status.success(), "{out:?}");
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(token.starts_with("lpt_"), "{token}");

    let mut serve = ServedBinary::command(&url, dir.path());
    serve
        .env("RUST_LOG", "trace")
        .env("LEGAL_PORTAL_SIGNING_KEY", SIGNING_KEY)
        .env("LEGAL_PORTAL_COMPLAINT_KEY", COMPLAINT_KEY)
        .env("MEILI_MASTER_KEY", MEILI_KEY);
    let portal = ServedBinary::start(serve).await;
    let address = portal.address.clone();

    let client = reqwest::Client::new();
    let complaint = serde_json::json!({
        "subject_license_no": WORKER,
        "category": "fees",
        "description": format!("本人身份证号 {ID_NUMBER}，电话 {PHONE}，收费超出约定标准。"),
        "occurred_on": "2026-11-20",
        "desired_outcome": "退还多收的费用",
        "complainant_name": NAME,
        "complainant_phone": PHONE,
        "withhold_identity": true,
    });
    let resp = client
        .post(format!("{address}/api/v1/complaints"))
        .json(&complaint)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let filed: serde_json::Value = resp.json().await.unwrap();
    let access_code = filed["access_code"].as_str().unwrap().to_owned();
    let tracking = filed["tracking_no"].as_str().unwrap_or_default().to_owned();
    let resp = client
        .get(format!("{address}/api/v1/complaints/{tracking}"))
        .header("X-Access-Code", &access_code)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "the complainant follows the complaint");

    let csv = format!("执业证号,姓名,状态,执业机构许可证号\n45001030099,{NAME},执业,{OFFICE}\n");
    let resp = client
        .post(format!("{address}/admin/api/import/workers"))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    assert!(
        status.is_success(),
        "import: {status} {}",
        resp.text().await.unwrap_or_default()
    );
    let resp = client
        .get(format!("{address}/admin/api/complaints"))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_success(),
        "complaint list: {}",
        resp.status()
    );
    for path in [
        format!("/search?q={NAME}"),
        format!("/api/v1/search?q={PHONE}"),
        format!("/verify?license_no={WORKER}&name={NAME}"),
    ] {
        let resp = client.get(format!("{address}{path}")).send().await.unwrap();
        assert!(resp.status().as_u16() < 500, "{path}: {}", resp.status());
    }
    // Give the indexer a turn to log what it did with the imported worker.
    actix_web::rt::time::sleep(Duration::from_millis(700)).await;
    let text = portal.finish();
    assert!(
        text.contains("complaint filed") && text.contains("request"),
        "the log is verbose enough to have had the chance:\n{text}"
    );
    for (what, secret) in [
        ("complainant's name", NAME),
        ("phone", PHONE),
        ("ID number", ID_NUMBER),
        ("admin token", token.as_str()),
        ("signing key", SIGNING_KEY),
        ("complaint key", COMPLAINT_KEY),
        ("Meilisearch key", MEILI_KEY),
        ("access code", access_code.as_str()),
    ] {
        assert!(
            !text.contains(secret),
            "the log carries the {what}:\n{text}"
        );
    }
    assert_eq!(mobile_numbers(&text), Vec::<String>::new());
}
