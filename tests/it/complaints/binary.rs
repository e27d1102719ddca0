//! The real binary, as `serve` runs on a fresh machine: the complaint key
//! is created with mode 0600, and its standard error (the log) carries no
//! personal data and no key.

use std::process::Command;

use super::{body, mobile_numbers, subjects};
use crate::helpers::{ServedBinary, fresh_database, migrated};

#[actix_web::test]
async fn serve_creates_a_private_key_and_logs_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _pg) = fresh_database(dir.path());
    migrated(&url, subjects);
    let mut serve = ServedBinary::command(&url, dir.path());
    serve
        .env("RUST_LOG", "debug")
        .env_remove("LEGAL_PORTAL_COMPLAINT_KEY");
    let portal = ServedBinary::start(serve).await;
    let address = portal.address.clone();

    let client = reqwest::Client::new();
    let resp = client
        .post(format!("{address}/api/v1/complaints"))
        .json(&body("欧阳娜娜", "15987654321"))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let filed: serde_json::Value = resp.json().await.unwrap();
    let text = portal.finish();
    assert_eq!(status, 201, "{filed}");

    let key_path = dir.path().join("complaint.key");
    let key = std::fs::read_to_string(&key_path).expect("complaint.key is created");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is private");
    }
    assert!(text.contains("generated complaint.key"), "{text}");
    assert!(text.contains("complaint filed"), "{text}");
    for secret in [
        "欧阳娜娜",
        "15987654321",
        key.trim(),
        filed["access_code"].as_str().unwrap(),
    ] {
        assert!(!text.contains(secret), "the log carries a secret:\n{text}");
    }
    assert_eq!(mobile_numbers(&text), Vec::<String>::new());
}

#[test]
fn help_names_the_complaint_settings() {
    let out = Command::new(env!("CARGO_BIN_EXE_legal-portal"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for word in [
        "LEGAL_PORTAL_COMPLAINT_KEY",
        "LEGAL_PORTAL_COMPLAINT_ACCEPT_DAYS",
        "LEGAL_PORTAL_COMPLAINT_CONCLUDE_DAYS",
        "LEGAL_PORTAL_COMPLAINT_RETENTION_DAYS",
        "LEGAL_PORTAL_COMPLAINT_RATE",
    ] {
        assert!(help.contains(word), "serve --help lacks {word}:\n{help}");
    }
}
