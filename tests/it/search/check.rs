//! `legal-portal search check [--all] [--repair]` (issue 18): the index
//! compared with the database, drift named, repaired through the outbox or
//! by a rebuild; on both engines.

use std::process::{Command, Output};
use std::sync::Arc;

use diesel::prelude::*;
use legal_portal::config::Clock;
use legal_portal::db::schema::{disciplinary_actions, workers};
use legal_portal::db::{self, Pool};
use legal_portal::domain::standing::StandingPolicy;
use legal_portal::search::check::{self, CheckOptions};
use legal_portal::search::indexer::Indexer;
use legal_portal::search::{self, SharedIndex};

use super::Engine;
use super::conformance::{LI_SI, WANG_WU, ZHANG_SAN, seed};
use crate::helpers::{PgTestDb, build, fresh_database, today};

const ALL: CheckOptions = CheckOptions {
    all: true,
    sample: 0,
    repair: false,
};

async fn engine(e: &Engine, dir: &std::path::Path) -> SharedIndex {
    match e.meili() {
        Some(m) => Arc::new(
            search::meili::MeiliIndex::open(&m.url, m.key.as_deref(), &m.prefix)
                .await
                .expect("Meilisearch"),
        ),
        None => Arc::new(
            search::embedded::EmbeddedIndex::open(&dir.join("index")).expect("embedded index"),
        ),
    }
}

/// A seeded database in its own folder, and an indexer that has indexed it
/// on `e`.
async fn indexed(e: &Engine) -> (tempfile::TempDir, Option<PgTestDb>, Pool, Indexer) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, pg) = fresh_database(dir.path());
    let pool = db::connect(&url, 4).expect("database");
    seed(&mut pool.get().expect("connection"));
    let index = engine(e, dir.path()).await;
    let ix = Indexer::new(
        pool.clone(),
        url,
        index,
        Clock::fixed(today()),
        StandingPolicy::default(),
    );
    ix.reindex().await.expect("reindex");
    (dir, pg, pool, ix)
}

/// Changes made behind the index's back (no outbox row), as a bug, a
/// restored backup or a hand edit would: a rename, a revoked status, a new
/// disclosure.
fn change_behind_its_back(pool: &Pool) {
    let mut c = pool.get().expect("connection");
    diesel::update(workers::table.find(ZHANG_SAN))
        .set(workers::name.eq("张三改"))
        .execute(&mut c)
        .expect("rename");
    diesel::update(workers::table.find(WANG_WU))
        .set(workers::status.eq("revoked"))
        .execute(&mut c)
        .expect("revoke");
    build::action(
        &mut c,
        "渝司罚决〔2026〕7号",
        LI_SI,
        "fine",
        "2026-10-01",
        |_| {},
    );
}

async fn finds_drift_and_repairs_it_through_the_outbox(e: Engine) {
    let (_dir, _pg, pool, ix) = indexed(&e).await;

    let report = check::run(&ix, ALL).await.expect("check");
    assert!(report.clean(), "a fresh index agrees: {report:?}");
    assert_eq!(report.database.get("worker"), Some(&15), "{report:?}");
    assert_eq!(report.database.get("office"), Some(&4), "{report:?}");
    assert_eq!(report.database, report.index, "{report:?}");
    assert_eq!(
        report.compared as u64,
        report.database.values().sum::<u64>()
    );

    change_behind_its_back(&pool);
    let report = check::run(&ix, ALL).await.expect("check");
    assert!(!report.clean());
    let mut drifted: Vec<&str> = report.drift.iter().map(|d| d.license_no.as_str()).collect();
    drifted.sort();
    let mut want = vec![ZHANG_SAN, WANG_WU, LI_SI];
    want.sort();
    assert_eq!(drifted, want, "{:#?}", report.drift);
    assert!(
        report
            .drift
            .iter()
            .any(|d| d.problem.contains("name") && d.problem.contains("张三改")),
        "{:#?}",
        report.drift
    );
    assert_eq!(
        report.database.get("disclosure").copied().unwrap_or(0),
        report.index.get("disclosure").copied().unwrap_or(0) + 1,
        "one disclosure the index lacks: {report:?}"
    );
    // A sample finds it too (here the sample is every subject).
    let sample = check::run(
        &ix,
        CheckOptions {
            all: false,
            sample: 100,
            repair: false,
        },
    )
    .await
    .expect("check");
    assert!(!sample.drift.is_empty(), "{sample:?}");

    let repaired = check::run(
        &ix,
        CheckOptions {
            repair: true,
            ..ALL
        },
    )
    .await
    .expect("repair");
    assert_eq!(repaired.enqueued, 3, "{repaired:?}");
    assert!(!repaired.reindexed);
    ix.catch_up().await.expect("drain");
    let report = check::run(&ix, ALL).await.expect("check");
    assert!(report.clean(), "no drift remains: {report:?}");
    e.clean_up().await;
}

async fn documents_the_database_lost_are_found_and_rebuilt(e: Engine) {
    let (_dir, _pg, pool, ix) = indexed(&e).await;
    {
        let mut c = pool.get().expect("connection");
        diesel::delete(
            disciplinary_actions::table
                .filter(disciplinary_actions::subject_license_no.eq(WANG_WU)),
        )
        .execute(&mut c)
        .expect("delete the action");
        diesel::delete(workers::table.find(WANG_WU))
            .execute(&mut c)
            .expect("delete a worker");
    }
    let report = check::run(&ix, ALL).await.expect("check");
    assert_eq!(
        report.index.get("worker").copied().unwrap_or(0),
        report.database.get("worker").copied().unwrap_or(0) + 1,
        "{report:?}"
    );
    assert!(!report.clean());
    let repaired = check::run(
        &ix,
        CheckOptions {
            repair: true,
            ..ALL
        },
    )
    .await
    .expect("repair");
    assert!(repaired.reindexed, "{repaired:?}");
    let report = check::run(&ix, ALL).await.expect("check");
    assert!(report.clean(), "{report:?}");
    e.clean_up().await;
}

on_both_engines!(
    finds_drift_and_repairs_it_through_the_outbox,
    documents_the_database_lost_are_found_and_rebuilt,
);

fn legal_portal(url: &str, data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_legal-portal"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("LEGAL_PORTAL_DATA", data)
        .env("LEGAL_PORTAL_TODAY", "2026-11-28")
        .env_remove("MEILI_URL")
        .output()
        .expect("run legal-portal")
}

#[test]
fn the_command_exits_1_on_drift_and_0_once_repaired() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _pg) = fresh_database(dir.path());
    let pool = db::connect(&url, 2).expect("database");
    seed(&mut pool.get().expect("connection"));
    let out = legal_portal(&url, dir.path(), &["reindex"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = legal_portal(&url, dir.path(), &["search", "check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    change_behind_its_back(&pool);
    let out = legal_portal(&url, dir.path(), &["search", "check", "--all"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
    assert_eq!(
        report["drift"].as_array().map(Vec::len),
        Some(3),
        "{report}"
    );
    assert!(stderr.contains("search check --repair"), "{stderr}");
    let out = legal_portal(&url, dir.path(), &["search", "check", "--all", "--repair"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The command's own indexer drains at start-up; a second check is clean.
    let out = legal_portal(&url, dir.path(), &["search", "check", "--all"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        // The status too: once under CI's load this failed with a clean
        // report and nothing on stderr (a signal at exit?).
        "{:?}\n{stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}
