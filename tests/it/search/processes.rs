//! Two real `legal-portal serve` processes on one PostgreSQL and one
//! Meilisearch (issue 18): an import through either is searchable through
//! both, and when the process that drains the outbox is killed with
//! SIGKILL right after an import was answered, the other takes draining
//! over and nothing acknowledged is lost.
//!
//! The delays are printed (the figures in docs/search.md); the test holds
//! them to a generous bound only, so a loaded machine does not fail it:
//! what it asserts is that the change arrives, through both, once.

use std::time::{Duration, Instant};

use legal_portal::db::{self, tokens};
use legal_portal::domain::vocab::TokenScope;
use serde_json::Value;

use super::Meili;
use crate::helpers::{ServedBinary, migrated, postgres_or_skip};
use crate::import::CSV;

/// A failure bound for what takes a fraction of a second.
const PATIENCE: Duration = Duration::from_secs(30);

fn portal(url: &str, data: &std::path::Path, meili: &Meili) -> std::process::Command {
    let mut c = ServedBinary::command(url, data);
    c.env("MEILI_URL", &meili.url)
        .env("MEILI_INDEX_PREFIX", &meili.prefix)
        .env("LEGAL_PORTAL_SEARCH_RATE", "100000/min")
        .env("LEGAL_PORTAL_MIN_OFFICE_WORKERS", "1")
        // Every process must share the keys (docs/deployment.md).
        .env("LEGAL_PORTAL_COMPLAINT_KEY", "11".repeat(32))
        .env("LEGAL_PORTAL_SIGNING_KEY", "22".repeat(32));
    match &meili.key {
        Some(k) => c.env("MEILI_MASTER_KEY", k),
        None => c.env_remove("MEILI_MASTER_KEY"),
    };
    c
}

async fn import_worker(http: &reqwest::Client, at: &str, token: &str, no: &str, name: &str) {
    let csv = format!(
        "license_no,name,office_license_no,status,first_licensed_on\n{no},{name},O-CENTRAL,执业,2015-06-01\n"
    );
    let resp = http
        .post(format!("{at}/admin/api/import/workers?dry_run=false"))
        .bearer_auth(token)
        .header("Content-Type", CSV)
        .body(csv)
        .send()
        .await
        .expect("the import reaches the portal");
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    assert_eq!(status, 200, "import through {at}: {body}");
}

/// Whether a search for `name` through `at` puts `no` first.
async fn finds(http: &reqwest::Client, at: &str, name: &str, no: &str) -> bool {
    let Ok(resp) = http
        .get(format!(
            "{at}/api/v1/search?q={}",
            url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
        ))
        .send()
        .await
    else {
        return false;
    };
    let body: Value = resp.json().await.unwrap_or_default();
    body["backend"] == "meilisearch" && body["hits"][0]["license_no"] == no
}

/// Waits until every portal in `through` finds the worker; the time taken.
async fn searchable(http: &reqwest::Client, through: &[&str], name: &str, no: &str) -> Duration {
    let started = Instant::now();
    loop {
        let mut all = true;
        for at in through {
            all &= finds(http, at, name, no).await;
        }
        if all {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < PATIENCE,
            "{name} ({no}) was not searchable through {through:?} within {PATIENCE:?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A gauge of `/metrics`.
async fn gauge(http: &reqwest::Client, at: &str, token: &str, name: &str) -> f64 {
    let text = http
        .get(format!("{at}/metrics"))
        .bearer_auth(token)
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics body");
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /metrics of {at}:\n{text}"))
}

#[actix_web::test]
async fn two_processes_share_imports_and_hand_draining_over_after_sigkill() {
    let test = "two_processes_share_imports_and_hand_draining_over_after_sigkill";
    let Some(meili) = Meili::from_env(test) else {
        return;
    };
    let Some(pg) = postgres_or_skip(test) else {
        meili.clean_up().await;
        return;
    };
    migrated(&pg.url, crate::import::seed);
    let (import, metrics) = {
        let mut conn = db::establish(&pg.url).expect("connect");
        (
            tokens::create(&mut conn, "两个门户", TokenScope::Import).expect("token"),
            tokens::create(&mut conn, "监控", TokenScope::Metrics).expect("token"),
        )
    };
    let (a, b) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let mut portals = [
        Some(ServedBinary::start(portal(&pg.url, a.path(), &meili)).await),
        Some(ServedBinary::start(portal(&pg.url, b.path(), &meili)).await),
    ];
    let at: Vec<String> = portals
        .iter()
        .map(|p| p.as_ref().expect("started").address.clone())
        .collect();
    let both = [at[0].as_str(), at[1].as_str()];
    let http = reqwest::Client::new();

    // The seed is indexed first (the backlog drained), then each import.
    searchable(&http, &both, "王五", "W-OLD0").await;
    let mut figures = Vec::new();
    for (i, via) in both.iter().enumerate() {
        let (no, name) = (format!("W-NEW{i}"), ["欧阳明远", "司马青云"][i]);
        import_worker(&http, via, &import, &no, name).await;
        let took = searchable(&http, &both, name, &no).await;
        figures.push(format!(
            "an import through portal {} searchable through both after {took:?}",
            i + 1
        ));
    }

    // Exactly one process drains.
    let mut draining = Vec::new();
    for at in &both {
        draining.push(gauge(&http, at, &metrics, "legal_portal_indexer_draining").await);
    }
    let drainer = match draining[..] {
        [1.0, 0.0] => 0,
        [0.0, 1.0] => 1,
        _ => panic!("one drainer between the two, not {draining:?}"),
    };
    let survivor = both[1 - drainer];

    // An import answered by the drainer, which dies at once.
    import_worker(&http, both[drainer], &import, "W-LAST", "诸葛长风").await;
    let killed_at = Instant::now();
    portals[drainer].take().expect("drainer").finish();
    searchable(&http, &[survivor], "诸葛长风", "W-LAST").await;
    figures.push(format!(
        "an import answered by the drainer (portal {}) just before SIGKILL searchable through the other after {:?}",
        drainer + 1,
        killed_at.elapsed()
    ));

    assert_eq!(
        gauge(&http, survivor, &metrics, "legal_portal_indexer_draining").await,
        1.0,
        "the survivor drains"
    );
    for (no, name) in [
        ("W-NEW0", "欧阳明远"),
        ("W-NEW1", "司马青云"),
        ("W-LAST", "诸葛长风"),
    ] {
        assert!(finds(&http, survivor, name, no).await, "{name} lost");
    }
    let due = legal_portal::db::outbox::due_count(
        &mut db::establish(&pg.url).expect("connect"),
        legal_portal::db::outbox::now(),
    )
    .expect("outbox");
    assert_eq!(due, 0, "nothing left in the outbox");
    eprintln!("two portal processes on PostgreSQL and Meilisearch:");
    for f in figures {
        eprintln!("  {f}");
    }
    for p in portals.into_iter().flatten() {
        p.finish();
    }
    meili.clean_up().await;
}

/// The drain gauge of an in-process portal.
async fn draining(app: &crate::helpers::TestApp, token: &str) -> f64 {
    gauge(
        &app.client,
        &app.address,
        token,
        "legal_portal_indexer_draining",
    )
    .await
}

#[actix_web::test]
async fn a_drainer_whose_lock_connection_dies_stands_down_when_another_takes_the_lock() {
    use crate::helpers::TestApp;
    let test = "search::processes::a_drainer_whose_lock_connection_dies";
    // Two portals on one database search on Meilisearch (the embedded
    // index is one process's).
    let Some(meili) = Meili::from_env(test) else {
        return;
    };
    let Some(pg) = postgres_or_skip(test) else {
        return;
    };
    let a = TestApp::builder()
        .meili(Some(meili.clone()))
        .database(&pg.url)
        .start()
        .await;
    let token = tokens::create(
        &mut db::establish(&pg.url).expect("connect"),
        "监控",
        TokenScope::Metrics,
    )
    .expect("token");
    let until = |secs| Instant::now() + Duration::from_secs(secs);
    let deadline = until(20);
    while draining(&a, &token).await != 1.0 {
        assert!(Instant::now() < deadline, "the first portal never drained");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let b = TestApp::builder()
        .meili(Some(meili.clone()))
        .database(&pg.url)
        .start()
        .await;
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(draining(&b, &token).await, 0.0, "one drainer");

    // The server ends the session holding the lock (a restart, a failover
    // or an idle-session timeout would).
    {
        use diesel::RunQueryDsl;
        let mut conn = db::establish(&pg.url).expect("connect");
        // The drain lock's key, "SEARCH" (search::indexer::DRAIN_LOCK).
        let key = 0x5345_4152_4348_i64;
        let killed = legal_portal::with_backend!(&mut conn, |c| diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' \
             AND granted AND ((classid::bigint << 32) | objid::bigint) = {key} \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ))
        .execute(c))
        .expect("terminate");
        assert_eq!(killed, 1, "one session held the drain lock");
    }
    // Whoever takes it then, exactly one drains again.
    let deadline = until(20);
    let mut both = (draining(&a, &token).await, draining(&b, &token).await);
    while both.0 + both.1 != 1.0 || Instant::now() < deadline - Duration::from_secs(17) {
        assert!(
            Instant::now() < deadline,
            "drainers after the lock was lost: {both:?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
        both = (draining(&a, &token).await, draining(&b, &token).await);
    }
    assert_eq!(both.0 + both.1, 1.0, "{both:?}");
    drop((a, b));
    meili.clean_up().await;
}
