use std::process::Command;

use diesel::prelude::*;
use legal_portal::db::{self, schema::*};

use crate::helpers::fresh_database;

#[test]
fn a_crash_mid_import_leaves_the_database_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _pg) = fresh_database(dir.path());
    {
        let mut conn = db::establish(&url).unwrap();
        db::run_migrations(&mut conn).unwrap();
        super::seed(&mut conn);
    }
    let mut csv = String::from(
        "license_no,name,office_license_no,status,first_licensed_on,internship_months\n",
    );
    for i in 0..20_000 {
        csv.push_str(&format!("W-{i:06},工作者{i},O-RURAL,执业,2012-01-01,12\n"));
    }
    let file = dir.path().join("workers.csv");
    std::fs::write(&file, csv).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_legal-portal"))
        .args(["import", "workers"])
        .arg(&file)
        .args(["--abort-after-rows", "10000"])
        .env("DATABASE_URL", &url)
        .env("LEGAL_PORTAL_DATA", dir.path())
        .env("LEGAL_PORTAL_TODAY", "2026-11-28")
        .output()
        .expect("run legal-portal");
    assert!(!out.status.success(), "the import was aborted mid-way");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("aborting the import"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut conn = db::establish(&url).unwrap();
    let workers: i64 = workers::table.count().get_result(&mut conn).unwrap();
    assert_eq!(workers, 3, "none of the 20,000 rows survived the crash");
    let outbox: i64 = search_outbox::table.count().get_result(&mut conn).unwrap();
    assert_eq!(outbox, 0);
    let batches: i64 = import_batches::table.count().get_result(&mut conn).unwrap();
    assert_eq!(batches, 0);
    if let db::DbConnection::Sqlite(c) = &mut conn {
        #[derive(QueryableByName)]
        struct Check {
            #[diesel(sql_type = diesel::sql_types::Text)]
            integrity_check: String,
        }
        let check: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(c).unwrap();
        assert_eq!(check[0].integrity_check, "ok");
    }

    let out = Command::new(env!("CARGO_BIN_EXE_legal-portal"))
        .args(["import", "workers"])
        .arg(&file)
        .env("DATABASE_URL", &url)
        .env("LEGAL_PORTAL_DATA", dir.path())
        .env("LEGAL_PORTAL_TODAY", "2026-11-28")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["counts"]["inserted"], 20_000);
}
