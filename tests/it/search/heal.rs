//! The embedded index is derived data: a damaged folder is moved aside and
//! rebuilt from the database by `serve` and `reindex`; a folder deleted
//! while the portal runs is recreated; an indexer that keeps failing shows
//! in `/readyz` and `/metrics`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use legal_portal::config::Settings;
use legal_portal::db::DbConnection;
use legal_portal::db::outbox;
use legal_portal::db::schema::workers;
use legal_portal::domain::vocab::SubjectKind;
use legal_portal::search::embedded::EmbeddedIndex;
use legal_portal::search::{DocType, SearchIndex, SearchQuery, SearchResults};
use legal_portal::web::Application;

use super::Meili;
use super::conformance::{ZHANG_SAN, seed};
use crate::helpers::{PgTestDb, TestApp, build, fresh_database, today};

/// Documents of the conformance seed.
const DOCUMENTS: u64 = 19;

fn reindex(db_url: &str, data_dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_legal-portal"))
        .arg("reindex")
        .env("DATABASE_URL", db_url)
        .env("LEGAL_PORTAL_DATA", data_dir)
        .env("LEGAL_PORTAL_TODAY", "2026-11-28")
        .env_remove("MEILI_URL")
        .output()
        .expect("run legal-portal")
}

/// The portal started on the data folder `data` and the database `url`,
/// one HTTP worker, on today's date of the tests.
pub(super) async fn started(data: &Path, url: &str) -> anyhow::Result<Application> {
    Application::build(Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: data.to_path_buf(),
        database_url: Some(url.to_owned()),
        today: Some(today()),
        http_workers: 1,
        pool_size: 2,
        ..Settings::default()
    })
    .await
}

/// A data folder and a database seeded by `seed`, indexed by `reindex`.
fn indexed(seed: fn(&mut DbConnection)) -> (tempfile::TempDir, String, Option<PgTestDb>) {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = fresh_database(dir.path());
    crate::helpers::migrated(&url, seed);
    let out = reindex(&url, dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, url, pg)
}

fn files_ending(dir: &Path, ext: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect()
}

/// Damages the index in `data/index` as the issue found it damaged.
fn damage(index: &Path, how: &str) {
    match how {
        "empty meta.json" => std::fs::write(index.join("meta.json"), "").unwrap(),
        "truncated .term" => {
            let terms = files_ending(index, "term");
            assert!(!terms.is_empty(), "the index has term files");
            for t in terms {
                let len = std::fs::metadata(&t).unwrap().len();
                let f = std::fs::OpenOptions::new().write(true).open(&t).unwrap();
                f.set_len(len / 2).unwrap();
            }
        }
        other => unreachable!("{other}"),
    }
}

fn set_aside_count(data: &Path) -> usize {
    std::fs::read_dir(data)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("index.broken-"))
        .count()
}

#[actix_web::test]
async fn reindex_and_serve_rebuild_a_damaged_index() {
    for how in ["empty meta.json", "truncated .term"] {
        let (dir, url, _pg) = indexed(seed);
        let index = dir.path().join("index");

        // `reindex` always rebuilds.
        damage(&index, how);
        let out = reindex(&url, dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{how}: reindex failed:\n{stderr}");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
        assert_eq!(report["documents"], DOCUMENTS, "{how}");
        assert!(
            stderr.contains("moved it aside"),
            "{how}: a warning\n{stderr}"
        );
        assert_eq!(set_aside_count(dir.path()), 1, "{how}: kept for a look");

        // `serve` starts, answers from the database, then from the rebuilt
        // index.
        damage(&index, how);
        let app = started(dir.path(), &url)
            .await
            .unwrap_or_else(|e| panic!("{how}: the portal starts: {e:#}"));
        assert_eq!(set_aside_count(dir.path()), 2, "{how}");
        let q = SearchQuery {
            text: ZHANG_SAN.into(),
            ..SearchQuery::default()
        };
        until_rebuilt(&app, how, &q, |found, degraded| {
            assert_eq!(
                found.hits.first().map(|h| h.license_no.as_str()),
                Some(ZHANG_SAN),
                "{how}: found (degraded: {degraded})"
            );
        })
        .await;
    }
}

/// Asks `q` until the answer comes from the index again (30 s at most),
/// each answer checked by `check` (told whether it came from the
/// database), then finds every profile in the index and stops the indexer.
async fn until_rebuilt(
    app: &Application,
    how: &str,
    q: &SearchQuery,
    check: impl Fn(&SearchResults, bool),
) {
    let started = Instant::now();
    loop {
        let (found, degraded) = app
            .search()
            .search(q)
            .await
            .expect("search answers, from the database if need be");
        check(&found, degraded);
        if !degraded {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{how}: the index was not rebuilt within 30 s"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.search().index().count().await.unwrap(),
        DOCUMENTS,
        "{how}: every profile in the index"
    );
    app.search().stop();
}

/// The conformance seed and one disclosure, found by its facts.
fn seed_with_a_disclosure(c: &mut DbConnection) {
    seed(c);
    build::action(c, FINE, ZHANG_SAN, "fine", "2025-09-01", |a| {
        a.facts = "违规收费，向当事人多收代理费三千元".into();
    });
}

const FINE: &str = "渝司罚决〔2025〕1号";

/// Records have a folder of their own inside the index folder. Damaged or
/// gone while the profiles are intact, the whole index folder is moved
/// aside and opened empty: an empty index is what makes the next start
/// rebuild it, so the records come back even if the portal stops before
/// the rebuild. Then `serve` rebuilds it and finds the disclosure again.
#[actix_web::test]
async fn a_damaged_or_missing_records_folder_has_the_index_rebuilt() {
    for how in [
        "empty meta.json",
        "truncated .term",
        "records folder deleted",
    ] {
        let (dir, url, _pg) = indexed(seed_with_a_disclosure);
        let index = dir.path().join("index");
        let records = index.join("records");
        assert!(
            records.join("meta.json").is_file(),
            "{how}: a folder of their own"
        );
        let whole = EmbeddedIndex::open(&index).expect("the index opens");
        let before = whole.census().await.expect("census");
        assert!(before.contains_key("disclosure"), "{how}: {before:?}");
        drop(whole);
        match how {
            "records folder deleted" => std::fs::remove_dir_all(&records).unwrap(),
            _ => damage(&records, how),
        }
        // Opened, then stopped before any rebuild.
        let opened = EmbeddedIndex::open(&index).expect("the index opens");
        assert!(opened.recovered(), "{how}");
        assert_eq!(
            opened.count().await.unwrap(),
            0,
            "{how}: empty, profiles too"
        );
        drop(opened);
        assert_eq!(set_aside_count(dir.path()), 1, "{how}: kept for a look");

        let app = started(dir.path(), &url)
            .await
            .unwrap_or_else(|e| panic!("{how}: the portal starts: {e:#}"));
        let q = SearchQuery {
            text: "违规收费".into(),
            target: DocType::Disclosure,
            ..SearchQuery::default()
        };
        let census = app.search().index().clone();
        until_rebuilt(&app, how, &q, |found, degraded| {
            if !degraded {
                let hit = found
                    .hits
                    .first()
                    .unwrap_or_else(|| panic!("{how}: {found:?}"));
                assert_eq!(hit.license_no, ZHANG_SAN, "{how}");
                let record = hit.record.as_ref().expect("a record");
                assert_eq!(record.decision_no.as_deref(), Some(FINE), "{how}");
            }
        })
        .await;
        let after = census.census().await.expect("census");
        assert_eq!(after, before, "{how}: every profile and record back");
    }
}

#[actix_web::test]
async fn an_index_folder_deleted_while_serving_is_recreated_and_rebuilt() {
    let app = TestApp::builder().seed(seed).await;
    app.wait_for_search().await;
    let index = app.data_dir().join("index");
    std::fs::remove_dir_all(&index).unwrap();

    // A change the indexer must write.
    let mut conn = app.conn();
    diesel::update(workers::table.find(ZHANG_SAN))
        .set(workers::name.eq("张三新"))
        .execute(&mut conn)
        .unwrap();
    outbox::enqueue(&mut conn, SubjectKind::Worker, &[ZHANG_SAN.to_owned()]).unwrap();

    let started = Instant::now();
    loop {
        let v = app
            .json(&format!("/api/v1/search?q={ZHANG_SAN}"), 200)
            .await;
        if v["degraded"] == false && v["hits"][0]["name"] == "张三新" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the index was not recreated within 30 s: {v}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(index.join("meta.json").is_file(), "the folder is back");
    let all = app.json("/api/v1/search?q=", 200).await;
    assert_eq!(all["total"], DOCUMENTS, "rebuilt whole: {all}");
    let ready = app.json("/readyz", 200).await;
    assert_eq!(ready["status"], "ready", "{ready}");
    let metrics = app.metrics().await;
    let failures: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("legal_portal_indexer_failures "))
        .unwrap_or_else(|| panic!("{metrics}"))
        .parse()
        .unwrap();
    assert!(failures >= 1.0, "the failure is counted: {metrics}");
}

/// An address where nothing listens.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[actix_web::test]
async fn readyz_and_metrics_report_an_indexer_that_keeps_failing() {
    let meili = Meili {
        url: closed_port(),
        key: None,
        prefix: "down_".into(),
    };
    let app = TestApp::builder().meili(Some(meili)).seed(seed).await;
    let started = Instant::now();
    let ready = loop {
        let ready = app.json("/readyz", 200).await;
        if ready["checks"]["indexer"] == "failing" {
            break ready;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the indexer is never reported failing: {ready}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(ready["status"], "degraded", "{ready}");
    assert!(
        ready["checks"]["indexer_failures_in_a_row"]
            .as_u64()
            .unwrap()
            >= 3
    );
    let metrics = app.metrics().await;
    let in_a_row: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("legal_portal_indexer_failures_in_a_row "))
        .unwrap_or_else(|| panic!("{metrics}"))
        .parse()
        .unwrap();
    assert!(in_a_row >= 3.0, "{metrics}");
}
