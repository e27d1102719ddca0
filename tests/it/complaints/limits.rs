//! Complaint limits shared by every portal on one database: filings and
//! status look-ups through two portals draw on one allowance per address;
//! the database keeps a keyed hash, never the address; a lost count falls
//! back to a per-process limit instead of failing.

use std::time::Duration;

use diesel::prelude::*;
use legal_portal::config::Rate;
use legal_portal::db::rate_limits::{self, Decision};
use legal_portal::db::{self, schema};

use super::form::{FIELDS, open_form, post_form};
use super::{KEY, body, file_by_api, subjects};
use crate::helpers::{TestApp, fresh_database, migrated, postgres_or_skip};
use crate::search::Meili;

/// Meilisearch at an address where nothing listens. Several portals on one
/// PostgreSQL database must share Meilisearch (the embedded index refuses a
/// second process); complaints never use the engine, so a down one serves.
fn meilisearch_down() -> Meili {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    Meili {
        url: format!("http://127.0.0.1:{port}"),
        key: Some("a-master-key-for-a-dead-server".into()),
        prefix: "limits_".into(),
    }
}

/// A portal on the database at `url`, configured as every portal of one
/// deployment is: the same complaint key, Meilisearch, and `adjust`.
async fn portal(
    url: &str,
    adjust: impl FnOnce(&mut legal_portal::config::Settings) + 'static,
) -> TestApp {
    TestApp::builder()
        .database(url)
        .meili(Some(meilisearch_down()))
        .settings(move |s| {
            s.complaints.key = Some(KEY.into());
            s.run_indexer = false;
            adjust(s);
        })
        .start()
        .await
}

/// Files through the API, returning the status, the `Retry-After` seconds
/// and the JSON answer.
async fn file(app: &TestApp, forwarded_for: Option<&str>) -> (u16, Option<u64>, serde_json::Value) {
    let mut request = app
        .client
        .post(format!("{}/api/v1/complaints", app.address))
        .json(&body("李四", "13812345678"));
    if let Some(addr) = forwarded_for {
        request = request.header("x-forwarded-for", addr);
    }
    let resp = request.send().await.expect("the portal answers");
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, retry, resp.json().await.expect("a JSON answer"))
}

fn assert_refused(
    status: u16,
    retry: Option<u64>,
    v: &serde_json::Value,
    max_wait: u64,
    what: &str,
) {
    assert_eq!(status, 429, "{what}: expected 429, got {status}: {v}");
    assert_eq!(v["error"]["code"], "rate_limited", "{what}: {v}");
    let retry = retry.unwrap_or_else(|| panic!("{what}: 429 without Retry-After"));
    assert!(
        (1..=max_wait).contains(&retry),
        "{what}: Retry-After {retry}"
    );
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("请求过于频繁") && message.contains(&retry.to_string()),
        "{what}: the refusal tells the wait in the user's language: {message}"
    );
}

/// Three filings allowed an hour: three through two portals are accepted,
/// the fourth is refused through either, the form included.
async fn filings_share_one_allowance(url: &str) {
    let rate = |s: &mut legal_portal::config::Settings| {
        s.complaints.submit_rate = Rate::parse("3/h").expect("rate");
    };
    let a = portal(url, rate).await;
    let b = portal(url, rate).await;

    for (n, portal) in [&a, &b, &a].into_iter().enumerate() {
        let (status, _, v) = file(portal, None).await;
        assert_eq!(status, 201, "filing {} of 3 is accepted: {v}", n + 1);
    }
    let (status, retry, v) = file(&b, None).await;
    assert_refused(
        status,
        retry,
        &v,
        1200,
        "a fourth filing through the second portal",
    );
    let (status, retry, v) = file(&a, None).await;
    assert_refused(
        status,
        retry,
        &v,
        1200,
        "a fourth filing through the first portal",
    );
    let (_, session) = open_form(&b, "/complaints/new").await;
    let (status, headers, page) =
        post_form(&b, "/complaints/new", Some(&session), FIELDS, &[]).await;
    assert_eq!(status, 429, "the form shares the allowance");
    assert!(headers.contains_key("retry-after"));
    assert!(page.contains("请求过于频繁"), "{page}");

    let filed: i64 = schema::complaints::table
        .count()
        .get_result(&mut a.conn())
        .expect("count complaints");
    assert_eq!(filed, 3, "three complaints are stored, not six");

    // What the database keeps about the caller: a keyed hash, never the
    // address.
    let rows: Vec<(String, String)> = schema::rate_limits::table
        .select((schema::rate_limits::bucket, schema::rate_limits::client))
        .load(&mut a.conn())
        .expect("read the shared limits");
    // One row per bucket: the filings, and the posts (ten times as many
    // allowed, so a flood that files nothing is bounded too).
    let mut buckets: Vec<&str> = rows.iter().map(|(b, _)| b.as_str()).collect();
    buckets.sort_unstable();
    assert_eq!(
        buckets,
        vec!["complaint_attempt", "complaint_submit"],
        "one address, one row a bucket: {rows:?}"
    );
    for (_, client) in &rows {
        assert_eq!(client.len(), 32, "{client}");
        assert!(client.bytes().all(|c| c.is_ascii_hexdigit()), "{client}");
        assert!(
            !client.contains("127.0.0.1") && !client.contains("7f000001"),
            "{client}"
        );
    }
    assert_eq!(
        rows[0].1, rows[1].1,
        "the same keyed hash of the one address"
    );
}

#[actix_web::test]
async fn two_portals_on_one_database_share_the_filing_allowance() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _pg) = fresh_database(dir.path());
    migrated(&url, subjects);
    filings_share_one_allowance(&url).await;
}

#[actix_web::test]
async fn two_portals_on_one_postgresql_share_the_filing_allowance() {
    let Some(pg) = postgres_or_skip("two_portals_on_one_postgresql_share_the_filing_allowance")
    else {
        return;
    };
    migrated(&pg.url, subjects);
    filings_share_one_allowance(&pg.url).await;
}

#[actix_web::test]
async fn filings_at_the_same_moment_through_two_portals_are_counted_one_by_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _pg) = fresh_database(dir.path());
    migrated(&url, subjects);
    let rate = |s: &mut legal_portal::config::Settings| {
        s.complaints.submit_rate = Rate::parse("3/h").expect("rate");
    };
    let a = portal(&url, rate).await;
    let b = portal(&url, rate).await;
    let sent: Vec<_> = (0..12)
        .map(|n| {
            let app = if n % 2 == 0 { &a } else { &b };
            let request = app
                .client
                .post(format!("{}/api/v1/complaints", app.address))
                .json(&body("李四", "13812345678"));
            actix_web::rt::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    let mut statuses = Vec::new();
    for request in sent {
        let status = request
            .await
            .expect("the request task")
            .expect("the portal answers");
        statuses.push(status);
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [[201; 3].as_slice(), [429; 9].as_slice()].concat(),
        "twelve filings at once through two portals: three accepted, the rest refused"
    );
}

#[actix_web::test]
async fn two_portals_on_one_database_share_the_status_lookup_allowance() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _pg) = fresh_database(dir.path());
    migrated(&url, subjects);
    let rate = |s: &mut legal_portal::config::Settings| {
        s.complaints.lookup_rate = Rate::parse("2/h").expect("rate");
    };
    let a = portal(&url, rate).await;
    let b = portal(&url, rate).await;
    let (tracking, code) = file_by_api(&a, &body("李四", "13812345678")).await;
    let follow = |app: &TestApp| {
        app.client
            .get(format!("{}/api/v1/complaints/{tracking}", app.address))
            .header("x-access-code", &code)
            .send()
    };
    for (n, portal) in [&a, &b].into_iter().enumerate() {
        let resp = follow(portal).await.expect("the portal answers");
        assert_eq!(resp.status(), 200, "look-up {} of 2 is answered", n + 1);
    }
    for (name, portal) in [("second", &b), ("first", &a)] {
        let resp = follow(portal).await.expect("the portal answers");
        let status = resp.status().as_u16();
        let retry = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let v: serde_json::Value = resp.json().await.expect("JSON");
        assert_refused(
            status,
            retry,
            &v,
            1800,
            &format!("a third look-up through the {name} portal"),
        );
    }
    // The status page shares it too.
    let (status, headers, page) = post_form(
        &b,
        "/complaints/status",
        None,
        &[("tracking_no", &tracking), ("access_code", &code)],
        &[],
    )
    .await;
    assert_eq!(status, 429, "the status page shares the allowance: {page}");
    assert!(headers.contains_key("retry-after"));
}

#[actix_web::test]
async fn behind_a_trusted_load_balancer_each_forwarded_address_has_its_own_allowance() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _pg) = fresh_database(dir.path());
    migrated(&url, subjects);
    let app = portal(&url, |s| {
        s.complaints.submit_rate = Rate::parse("1/h").expect("rate");
        s.scraper_rates.trust_forwarded_for = true;
    })
    .await;
    let (status, _, v) = file(&app, Some("203.0.113.7")).await;
    assert_eq!(status, 201, "{v}");
    let (status, retry, v) = file(&app, Some("203.0.113.7")).await;
    assert_refused(status, retry, &v, 3600, "a second filing from 203.0.113.7");
    let (status, _, v) = file(&app, Some("203.0.113.8")).await;
    assert_eq!(
        status, 201,
        "another resident behind the same balancer: {v}"
    );
}

#[actix_web::test]
async fn when_the_shared_count_is_lost_filings_are_still_limited_per_process() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _pg) = fresh_database(dir.path());
    migrated(&url, subjects);
    let app = portal(&url, |s| {
        s.complaints.submit_rate = Rate::parse("2/h").expect("rate");
    })
    .await;
    diesel::sql_query("DROP TABLE rate_limits")
        .execute(&mut app.conn())
        .expect("drop the shared count");
    for n in 1..=2 {
        let (status, _, v) = file(&app, None).await;
        assert_eq!(
            status, 201,
            "filing {n} of 2 is accepted without the shared count: {v}"
        );
    }
    let (status, retry, v) = file(&app, None).await;
    assert_refused(
        status,
        retry,
        &v,
        1800,
        "a third filing, counted in this process",
    );
}

/// The allowance itself, by the clock the caller gives: a burst of `max`,
/// then one request per `per / max`, apart per bucket and per client; the
/// sweep deletes only rows that stand for a full allowance.
#[test]
fn the_shared_allowance_is_a_burst_then_an_even_refill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _pg) = fresh_database(dir.path());
    let mut conn = db::establish(&url).expect("connect");
    db::run_migrations(&mut conn).expect("migrations");
    let rate = Rate::parse("3/min").expect("rate");
    let t0: i64 = 1_796_000_000_000;
    let mut take = |bucket: &str, client: &str, at: i64| {
        rate_limits::take(&mut conn, bucket, client, rate, at).expect("count")
    };
    for n in 1..=3 {
        assert_eq!(
            take("b", "alice", t0),
            Decision::Allowed,
            "request {n} of the burst"
        );
    }
    assert_eq!(
        take("b", "alice", t0),
        Decision::Refused { wait_ms: 20_000 },
        "the fourth waits for one refill (a minute / 3)"
    );
    assert_eq!(
        take("b", "bob", t0),
        Decision::Allowed,
        "another client is apart"
    );
    assert_eq!(
        take("other", "alice", t0),
        Decision::Allowed,
        "another bucket is apart"
    );
    assert_eq!(
        take("b", "alice", t0 + 20_000),
        Decision::Allowed,
        "refilled by one"
    );
    assert_eq!(
        take("b", "alice", t0 + 20_001),
        Decision::Refused { wait_ms: 19_999 }
    );
    let later = Duration::from_secs(60).as_millis() as i64;
    assert_eq!(
        take("b", "alice", t0 + 20_000 + later),
        Decision::Allowed,
        "a full allowance again after a quiet minute"
    );

    // bob's and the other bucket's rows are full again at t0 + 20 s (one
    // request each); alice's is not until t0 + 100 s.
    let swept = rate_limits::sweep(&mut conn, t0 + 20_001).expect("sweep");
    assert_eq!(swept, 2, "only rows standing for a full allowance go");
    let left: Vec<String> = schema::rate_limits::table
        .select(schema::rate_limits::client)
        .load(&mut conn)
        .expect("rows");
    assert_eq!(left, ["alice"]);
}
