//! docs/deployment.md's backup and restore, run as an operator would:
//! `scripts/backup.sh` of a serving portal's database and keys, then
//! `scripts/restore.sh` into an empty database and data folder, and a
//! portal started on what was restored shows the same records, follows
//! the same complaint and opens its sealed contact with the restored key.
//! On SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set (pg_dump
//! and pg_restore from the machine's PostgreSQL client).

use std::path::Path;
use std::process::Command;

use legal_portal::db::tokens;
use legal_portal::domain::vocab::TokenScope;

use crate::complaints::{WORKER, body, file_by_api, subjects};
use crate::helpers::{TestApp, fresh_database};

fn script(name: &str) -> Command {
    Command::new(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scripts")
            .join(name),
    )
}

fn run(mut command: Command, what: &str) -> String {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

#[actix_web::test]
async fn backup_and_restore_bring_back_records_complaints_and_sealed_contacts() {
    let source = TestApp::builder().seed(subjects).await;
    let (tracking, code) = file_by_api(&source, &body("李四", "13812345678")).await;

    let work = tempfile::tempdir().expect("temp dir");
    let saved = work.path().join("backup");
    let mut backup = script("backup.sh");
    backup
        .arg(&saved)
        .env("DATABASE_URL", &source.db_url)
        .env("LEGAL_PORTAL_DATA", source.data_dir())
        .env_remove("MEILI_URL");
    let printed = run(backup, "scripts/backup.sh");
    assert!(printed.contains("complaint.key"), "{printed}");
    assert!(!printed.contains("13812345678"), "{printed}");

    // Restored into a database and a data folder that are both new.
    let (target, _pg) = fresh_database(&work.path().join("target"));
    std::fs::create_dir_all(work.path().join("target")).expect("folder");
    let data = work.path().join("restored-data");
    let restore = |data: &Path| {
        let mut c = script("restore.sh");
        c.arg(&saved)
            .env("DATABASE_URL", &target)
            .env("LEGAL_PORTAL_DATA", data)
            .env("LEGAL_PORTAL_BIN", env!("CARGO_BIN_EXE_legal-portal"))
            .env("LEGAL_PORTAL_TODAY", "2026-11-28")
            .env_remove("MEILI_URL");
        c
    };
    run(restore(&data), "scripts/restore.sh");
    drop(source);

    let restored = TestApp::builder()
        .database(&target)
        .settings({
            let data = data.clone();
            move |s| s.data_dir = data
        })
        .start()
        .await;
    let page = restored.text(&format!("/workers/{WORKER}"), 200).await;
    assert!(page.contains("张秀英"), "the worker's profile");
    let hits = restored
        .json(&format!("/api/v1/search?q={WORKER}"), 200)
        .await;
    assert_eq!(hits["hits"][0]["license_no"], WORKER, "{hits}");
    let resp = restored
        .client
        .get(format!("{}/api/v1/complaints/{tracking}", restored.address))
        .header("X-Access-Code", &code)
        .send()
        .await
        .expect("follow");
    assert_eq!(
        resp.status(),
        200,
        "the complaint is followed with its code"
    );
    let desk = tokens::create(&mut restored.conn(), "办理", TokenScope::Complaints).expect("token");
    let full = restored
        .client
        .get(format!(
            "{}/admin/api/complaints/{tracking}?reveal_contact=true",
            restored.address
        ))
        .bearer_auth(desk)
        .send()
        .await
        .expect("reveal")
        .text()
        .await
        .expect("body");
    assert!(
        full.contains("13812345678") && full.contains("李四"),
        "the sealed contact opens with the restored key: {full}"
    );

    // A second restore onto the same database is refused and changes nothing.
    let other = work.path().join("other-data");
    let out = restore(&other).output().expect("run restore.sh");
    assert!(!out.status.success(), "restoring over records must fail");
    let again = restored.text(&format!("/workers/{WORKER}"), 200).await;
    assert!(again.contains("张秀英"));
}
