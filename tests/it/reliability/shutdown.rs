//! SIGTERM, as a deployment sends it: a request in flight is answered in
//! full, the process exits cleanly, and what it acknowledged is stored.

use std::process::Command;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use legal_portal::db::schema::workers;

use crate::complaints::{OFFICE, subjects};
use crate::helpers::{ServedBinary, fresh_database, migrated};

const ROWS: usize = 40_000;

#[actix_web::test]
async fn sigterm_lets_an_import_in_flight_finish_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _pg) = fresh_database(dir.path());
    migrated(&url, subjects);
    let out = Command::new(env!("CARGO_BIN_EXE_legal-portal"))
        .args(["token", "create", "--name", "导入", "--scope", "import"])
        .env("DATABASE_URL", &url)
        .env("LEGAL_PORTAL_DATA", dir.path())
        .output()
        .unwrap();
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();

    let mut serve = ServedBinary::command(&url, dir.path());
    serve.env("RUST_LOG", "info");
    let mut portal = ServedBinary::start(serve).await;
    let address = portal.address.clone();

    let mut csv = String::from("执业证号,姓名,状态,执业机构许可证号\n");
    for i in 0..ROWS {
        csv.push_str(&format!("46{i:09},工作者{i},执业,{OFFICE}\n"));
    }
    let client = reqwest::Client::new();
    let import = async {
        let resp = client
            .post(format!("{address}/admin/api/import/workers"))
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "text/csv")
            .body(csv)
            .send()
            .await;
        (resp, Instant::now())
    };
    let pid = portal.child.id().to_string();
    let term = async {
        // Long enough for the body to arrive, well before 40,000 rows are
        // written in a debug build.
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        Instant::now()
    };
    let ((resp, answered_at), termed_at) = tokio::join!(import, term);
    let resp = resp.expect("the import in flight is answered, not cut off");
    assert!(
        answered_at > termed_at,
        "the import must still be in flight when SIGTERM comes: raise ROWS"
    );
    let status = resp.status();
    let report: serde_json::Value = resp.json().await.expect("a whole JSON report");
    assert!(status.is_success(), "{status} {report}");

    let exit = loop {
        if let Some(s) = portal.child.try_wait().unwrap() {
            break s;
        }
        if termed_at.elapsed() > Duration::from_secs(30) {
            portal.finish();
            panic!("the portal did not stop after SIGTERM");
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    };
    let text = portal.finish();
    assert!(exit.success(), "exit after SIGTERM: {exit:?}\n{text}");
    eprintln!(
        "import answered {} ms after SIGTERM",
        answered_at.saturating_duration_since(termed_at).as_millis()
    );

    let mut conn = legal_portal::db::establish(&url).unwrap();
    let stored: i64 = workers::table
        .filter(workers::license_no.like("46%"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(stored as usize, ROWS, "every acknowledged row is stored");
}
