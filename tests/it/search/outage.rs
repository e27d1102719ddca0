//! A real Meilisearch that goes away (issue 18): killed with SIGKILL in the
//! middle of a batch and started again on its folder, the indexer catches
//! up and `legal-portal search check --all` finds no drift; and a full
//! rebuild (fresh indexes swapped in) keeps searches answering while it
//! runs.
//!
//! The first test starts its own server from `MEILISEARCH_BIN` (else
//! `~/.cache/meilisearch/meilisearch`, as `.ci/run` does), since it must
//! kill it; the second uses the server of `MEILI_URL`.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use legal_portal::config::{Clock, Rate};
use legal_portal::db::outbox;
use legal_portal::db::{self, DbError, schema::workers};
use legal_portal::demo::{self, Scale};
use legal_portal::domain::standing::StandingPolicy;
use legal_portal::domain::vocab::SubjectKind;
use legal_portal::search::indexer::Indexer;
use legal_portal::search::meili::MeiliIndex;
use serde_json::Value;

use super::Meili;
use crate::helpers::{TestApp, fresh_database, today};

/// The Meilisearch binary, or `None` after a loud skip line.
fn meilisearch_bin(test: &str) -> Option<std::path::PathBuf> {
    let bin = std::env::var_os("MEILISEARCH_BIN")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| std::path::Path::new(&h).join(".cache/meilisearch/meilisearch"))
        })
        .filter(|p| p.is_file());
    if bin.is_none() {
        eprintln!(
            "*** SKIPPED {test}: no Meilisearch binary (MEILISEARCH_BIN or ~/.cache/meilisearch/meilisearch; DEVELOPERS.md) ***"
        );
    }
    bin
}

/// A Meilisearch server of this test's own, on a folder that outlives it.
struct Server {
    bin: std::path::PathBuf,
    folder: std::path::PathBuf,
    port: u16,
    key: String,
    child: Option<Child>,
}

impl Server {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn start(&mut self) {
        let child = Command::new(&self.bin)
            .args(["--master-key", &self.key, "--http-addr"])
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--no-analytics")
            .arg("--db-path")
            .arg(&self.folder)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Meilisearch");
        self.child = Some(child);
        let started = Instant::now();
        while reqwest::get(format!("{}/health", self.url()))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "Meilisearch did not come up on {}",
                self.url()
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Tasks enqueued or processing.
    async fn busy(&self) -> u64 {
        let Ok(resp) = reqwest::Client::new()
            .get(format!(
                "{}/tasks?statuses=enqueued,processing&limit=1",
                self.url()
            ))
            .bearer_auth(&self.key)
            .send()
            .await
        else {
            return 0;
        };
        let body: Value = resp.json().await.unwrap_or_default();
        body["total"].as_u64().unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("its address")
        .port()
}

#[actix_web::test]
async fn meilisearch_killed_in_the_middle_of_a_batch_leaves_no_drift() {
    let test = "meilisearch_killed_in_the_middle_of_a_batch_leaves_no_drift";
    let Some(bin) = meilisearch_bin(test) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = Server {
        bin,
        folder: dir.path().join("data.ms"),
        port: free_port(),
        key: uuid::Uuid::new_v4().simple().to_string(),
        child: None,
    };
    server.start().await;
    let (url, _pg) = fresh_database(dir.path());
    {
        let mut conn = db::establish(&url).expect("connect");
        db::run_migrations(&mut conn).expect("migrations");
        demo::load_scale(&mut conn, Scale::Province, demo::DEFAULT_SEED, today()).expect("demo");
    }
    let prefix = "outage_";
    let engine = MeiliIndex::open(&server.url(), Some(&server.key), prefix)
        .await
        .expect("client");
    let pool = db::connect(&url, 2).expect("pool");
    let indexer = Indexer::new(
        pool,
        url.clone(),
        Arc::new(engine),
        Clock::fixed(today()),
        StandingPolicy::default(),
    );
    indexer.reindex().await.expect("the first full index");

    // Every worker renamed and sent through the outbox: several batches.
    let renamed = {
        let mut conn = db::establish(&url).expect("connect");
        conn.transaction::<_, DbError, _>(|c| {
            let all: Vec<(String, String)> = workers::table
                .select((workers::license_no, workers::name))
                .load(c)?;
            for (no, name) in &all {
                diesel::update(workers::table.find(no))
                    .set(workers::name.eq(format!("{name}甲")))
                    .execute(c)?;
            }
            let keys: Vec<String> = all.into_iter().map(|(no, _)| no).collect();
            outbox::enqueue(c, SubjectKind::Worker, &keys)?;
            Ok(keys.len())
        })
        .expect("rename")
    };
    assert!(renamed > 1000, "the demo has {renamed} workers");

    // Drain, and kill the server as soon as it holds work of the drain.
    let draining = actix_web::rt::spawn({
        let indexer = indexer.clone();
        async move { indexer.catch_up().await }
    });
    let started = Instant::now();
    while server.busy().await == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the drain never reached Meilisearch"
        );
        actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    let outcome = draining.await.expect("the drain task");
    assert!(
        outcome.is_err(),
        "the drain cannot succeed with the server killed under it: {outcome:?}"
    );
    let left = outbox::due_count(&mut db::establish(&url).expect("connect"), outbox::now())
        .expect("outbox");
    assert!(left > 0, "the rows of the failed batch stay in the outbox");

    // Started again on its folder: the indexer catches up, no drift.
    server.start().await;
    indexer
        .catch_up()
        .await
        .expect("catch up after the restart");
    let out = Command::new(env!("CARGO_BIN_EXE_legal-portal"))
        .args(["search", "check", "--all"])
        .env("DATABASE_URL", &url)
        .env("LEGAL_PORTAL_DATA", dir.path())
        .env("LEGAL_PORTAL_TODAY", "2026-11-28")
        .env("MEILI_URL", server.url())
        .env("MEILI_MASTER_KEY", &server.key)
        .env("MEILI_INDEX_PREFIX", prefix)
        .output()
        .expect("run legal-portal search check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "drift after the restart:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_str(&stdout).expect("a JSON report");
    assert_eq!(report["drift"], serde_json::json!([]), "{report}");
    eprintln!(
        "killed Meilisearch under a drain of {renamed} renamed workers ({left} rows left due); \
         after the restart the check compared every document and found no drift"
    );
}

#[actix_web::test]
async fn a_full_rebuild_on_meilisearch_keeps_answering() {
    let Some(meili) = Meili::from_env("a_full_rebuild_on_meilisearch_keeps_answering") else {
        return;
    };
    let app = TestApp::builder()
        .demo()
        .meili(Some(meili.clone()))
        .settings(|s| s.scraper_rates.search = Rate::parse("100000/min").expect("rate"))
        .start()
        .await;
    app.wait_for_search().await;
    let (no, name): (String, String) = workers::table
        .select((workers::license_no, workers::name))
        .order(workers::license_no.desc())
        .first(&mut app.conn())
        .expect("a worker");
    let token = legal_portal::db::tokens::create(
        &mut app.conn(),
        "重建",
        legal_portal::domain::vocab::TokenScope::Admin,
    )
    .expect("token");
    let rebuild = actix_web::rt::spawn({
        let (client, address) = (app.client.clone(), app.address.clone());
        async move {
            let resp = client
                .post(format!("{address}/admin/api/reindex"))
                .bearer_auth(token)
                .send()
                .await
                .expect("reindex");
            (
                resp.status().as_u16(),
                resp.text().await.unwrap_or_default(),
            )
        }
    });
    let path = format!(
        "/api/v1/search?q={}",
        url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
    );
    let mut asked = 0;
    while !rebuild.is_finished() {
        let body = app.json(&path, 200).await;
        assert_eq!(body["backend"], "meilisearch", "{body}");
        assert_eq!(
            body["hits"][0]["license_no"], no,
            "search {name} during the rebuild: {body}"
        );
        asked += 1;
    }
    let (status, body) = rebuild.await.expect("the reindex request");
    assert_eq!(status, 200, "{body}");
    let body = app.json(&path, 200).await;
    assert_eq!(
        body["hits"][0]["license_no"], no,
        "after the rebuild: {body}"
    );
    assert!(asked > 0, "no search ran during the rebuild");
    eprintln!("{asked} searches answered during a full rebuild on Meilisearch");
    meili.clean_up().await;
}
