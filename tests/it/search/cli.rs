//! `legal-portal reindex`.

use std::process::{Command, Output};

use legal_portal::db;
use legal_portal::search::embedded::EmbeddedIndex;

use super::conformance::seed;
use crate::helpers::fresh_database;

fn reindex(db_url: &str, data_dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_legal-portal"))
        .arg("reindex")
        .env("DATABASE_URL", db_url)
        .env("LEGAL_PORTAL_DATA", data_dir)
        .env("LEGAL_PORTAL_TODAY", "2026-11-28")
        .env_remove("MEILI_URL")
        .output()
        .expect("run legal-portal")
}

#[test]
fn reindex_rebuilds_the_embedded_index_and_refuses_a_busy_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _pg) = fresh_database(dir.path());
    {
        let mut conn = db::establish(&url).expect("connect");
        db::run_migrations(&mut conn).expect("migrations");
        seed(&mut conn);
    }
    let out = reindex(&url, dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON report");
    assert_eq!(report["documents"], 19, "{report}");
    assert_eq!(report["backend"], "embedded");

    // A running portal holds the index: reindex says so instead of waiting.
    let _portal = EmbeddedIndex::open(&dir.path().join("index")).expect("open the index");
    let out = reindex(&url, dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("in use by another portal process"),
        "{stderr}"
    );
}
