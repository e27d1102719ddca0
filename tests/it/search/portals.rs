//! Several portal processes: one embedded index per data folder, one drainer
//! per PostgreSQL database, and two portals sharing PostgreSQL and
//! Meilisearch.

use std::sync::Arc;

use legal_portal::config::Settings;
use legal_portal::db::outbox;
use legal_portal::db::{self, DbConnection};
use legal_portal::domain::vocab::SubjectKind;
use legal_portal::search::SearchError;
use legal_portal::search::embedded::EmbeddedIndex;
use legal_portal::search::indexer::Indexer;
use legal_portal::web::Application;

use super::Meili;
use super::conformance::{ZHANG_SAN, seed};
use crate::helpers::{PgTestDb, fresh_database, in_ci, today};

fn settings(dir: &std::path::Path, url: &str, meili: Option<&Meili>) -> Settings {
    Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: dir.to_path_buf(),
        database_url: Some(url.to_owned()),
        today: Some(today()),
        http_workers: 1,
        pool_size: 4,
        meili_url: meili.map(|m| m.url.clone()),
        meili_master_key: meili.and_then(|m| m.key.clone()),
        meili_index_prefix: meili.map(|m| m.prefix.clone()).unwrap_or_default(),
        ..Settings::default()
    }
}

fn seeded(url: &str) {
    let mut conn = db::establish(url).expect("connect");
    db::run_migrations(&mut conn).expect("migrations");
    seed(&mut conn);
}

/// A PostgreSQL database for the test, or `None` after a loud skip line
/// (a failure under `CI=true`).
fn postgres(test: &str) -> Option<PgTestDb> {
    // The SQLite pass of CI has no TEST_DATABASE_URL; `.ci/run` gives the
    // server's address in TEST_POSTGRES_URL for the tests that need it anyway.
    let url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
        .or_else(|| std::env::var("TEST_POSTGRES_URL").ok());
    match url {
        Some(admin) if admin.starts_with("postgres") => {
            Some(PgTestDb::create(&admin).unwrap_or_else(|e| panic!("TEST_DATABASE_URL: {e}")))
        }
        _ => {
            assert!(
                !in_ci(),
                "{test} needs PostgreSQL: set TEST_DATABASE_URL or TEST_POSTGRES_URL in CI"
            );
            eprintln!("*** SKIPPED {test}: needs PostgreSQL (set TEST_DATABASE_URL) ***");
            None
        }
    }
}

#[actix_web::test]
async fn a_second_process_on_the_same_embedded_index_gets_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let _first = EmbeddedIndex::open(dir.path()).expect("first opener");
    match EmbeddedIndex::open(dir.path()) {
        Err(SearchError::Unavailable(msg)) => {
            assert!(msg.contains("in use by another portal process"), "{msg}");
            assert!(msg.contains("MEILI_URL"), "{msg}");
        }
        Err(e) => panic!("expected a clear 'in use' error, got {e}"),
        Ok(_) => panic!("two writers on one index must not both open"),
    }
}

#[actix_web::test]
async fn a_second_portal_on_the_same_data_folder_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _pg) = fresh_database(dir.path());
    seeded(&url);
    let first = Application::build(settings(dir.path(), &url, None))
        .await
        .expect("first portal starts");
    let err = Application::build(settings(dir.path(), &url, None))
        .await
        .err()
        .expect("the second portal must be refused");
    let msg = format!("{err:#}");
    assert!(
        msg.contains("in use by another portal process")
            || msg.contains("several processes must share Meilisearch"),
        "{msg}"
    );
    drop(first);
}

#[actix_web::test]
async fn the_embedded_engine_is_refused_for_a_second_portal_on_one_postgresql() {
    let Some(pg) = postgres("embedded_refused_on_shared_postgresql") else {
        return;
    };
    seeded(&pg.url);
    let (a, b) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let first = Application::build(settings(a.path(), &pg.url, None))
        .await
        .expect("first portal starts");
    let err = Application::build(settings(b.path(), &pg.url, None))
        .await
        .err()
        .expect("the second portal must be refused");
    assert!(
        format!("{err:#}").contains("several processes must share Meilisearch (set MEILI_URL)"),
        "{err:#}"
    );
    drop(first);
}

fn enqueue_all_workers(conn: &mut DbConnection) -> usize {
    use diesel::prelude::*;
    let keys: Vec<String> = legal_portal::db::schema::workers::table
        .select(legal_portal::db::schema::workers::license_no)
        .load(conn)
        .expect("workers");
    outbox::enqueue(conn, SubjectKind::Worker, &keys).expect("enqueue");
    keys.len()
}

#[actix_web::test]
async fn only_one_indexer_drains_a_shared_postgresql_outbox() {
    let Some(pg) = postgres("only_one_indexer_drains") else {
        return;
    };
    seeded(&pg.url);
    let (a, b) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let indexer = |dir: &std::path::Path| {
        let pool = db::connect(&pg.url, 2).expect("pool");
        let index = Arc::new(EmbeddedIndex::open(dir).expect("index"));
        Indexer::new(
            pool,
            pg.url.clone(),
            index,
            legal_portal::config::Clock::fixed(today()),
            Default::default(),
        )
    };
    let (one, two) = (indexer(a.path()), indexer(b.path()));
    let queued = enqueue_all_workers(&mut db::establish(&pg.url).expect("connect"));
    let (r1, r2) = futures_join(one.catch_up(), two.catch_up()).await;
    let (r1, r2) = (r1.expect("drain one"), r2.expect("drain two"));
    assert_eq!(r1 + r2, queued, "every row drained exactly once");
    assert!(r1 == 0 || r2 == 0, "one drainer only: {r1} and {r2}");
    // The lock stays with the drainer: more rows go to the same one.
    enqueue_all_workers(&mut db::establish(&pg.url).expect("connect"));
    let (s1, s2) = futures_join(one.catch_up(), two.catch_up()).await;
    let (s1, s2) = (s1.expect("drain"), s2.expect("drain"));
    assert_eq!((s1 > 0, s2 > 0), (r1 > 0, r2 > 0));
}

async fn futures_join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    tokio::join!(a, b)
}

#[actix_web::test]
async fn two_portals_share_postgresql_and_meilisearch() {
    let Some(meili) = Meili::from_env("two_portals_share_postgresql_and_meilisearch") else {
        return;
    };
    let Some(pg) = postgres("two_portals_share_postgresql_and_meilisearch") else {
        meili.clean_up().await;
        return;
    };
    seeded(&pg.url);
    let (a, b) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let one = Application::build(settings(a.path(), &pg.url, Some(&meili)))
        .await
        .expect("portal one");
    let two = Application::build(settings(b.path(), &pg.url, Some(&meili)))
        .await
        .expect("portal two");
    let (addr_one, addr_two) = (
        format!("http://127.0.0.1:{}", one.port()),
        format!("http://127.0.0.1:{}", two.port()),
    );
    let (idx_one, idx_two) = (one.search().clone(), two.search().clone());
    let (h1, h2) = (one.handle(), two.handle());
    actix_web::rt::spawn(one.run_until_stopped());
    actix_web::rt::spawn(two.run_until_stopped());
    {
        use diesel::prelude::*;
        let mut conn = db::establish(&pg.url).expect("connect");
        conn.transaction::<_, legal_portal::db::DbError, _>(|c| {
            diesel::update(legal_portal::db::schema::workers::table.find(ZHANG_SAN))
                .set(legal_portal::db::schema::workers::name.eq("张三丰"))
                .execute(c)?;
            outbox::enqueue(c, SubjectKind::Worker, &[ZHANG_SAN.to_owned()])
        })
        .expect("rename");
    }
    let client = reqwest::Client::new();
    let started = std::time::Instant::now();
    loop {
        let mut seen = 0;
        for addr in [&addr_one, &addr_two] {
            let body: serde_json::Value = client
                .get(format!("{addr}/api/v1/search?q=zhangsanfeng"))
                .send()
                .await
                .expect("reach the portal")
                .json()
                .await
                .expect("json");
            if body["hits"][0]["name"] == "张三丰" {
                seen += 1;
            }
        }
        if seen == 2 {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 30,
            "the rename never reached both portals"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        idx_one.rows_drained() + idx_two.rows_drained(),
        1,
        "the outbox row was drained exactly once"
    );
    h1.stop(false).await;
    h2.stop(false).await;
    meili.clean_up().await;
}
