//! Webhooks for integrators (issue 14), against a real receiver on
//! loopback: events of applied imports arrive signed, in order, at least
//! once, after the receiver was down for a while; filters hold; bad
//! registrations change nothing.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, KeyInit, Mac};
use legal_portal::domain::vocab::TokenScope;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::TestApp;
use crate::import::{CSV, app_with_token, import_ok, post, token};

/// What the receiver got: path, signature, event id header, body.
type Got = Arc<Mutex<Vec<(String, String, String, Vec<u8>)>>>;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("address")
        .port()
}

/// A receiver on `port` that records every POST and answers 200.
fn receiver(port: u16, got: Got) -> actix_web::dev::ServerHandle {
    let server = HttpServer::new(move || {
        let got = got.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let got = got.clone();
            async move {
                let header = |n: &str| {
                    req.headers()
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                got.lock().unwrap().push((
                    req.path().to_owned(),
                    header("x-signature"),
                    header("x-event-id"),
                    body.to_vec(),
                ));
                HttpResponse::Ok().finish()
            }
        }))
    })
    .workers(1)
    .bind(("127.0.0.1", port))
    .expect("bind the receiver")
    .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    handle
}

async fn register(app: &TestApp, admin: &str, body: Value) -> (u16, Value) {
    let resp = app
        .client
        .post(format!("{}/admin/api/webhooks", app.address))
        .bearer_auth(admin)
        .json(&body)
        .send()
        .await
        .expect("register");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or_default())
}

async fn hooks(app: &TestApp, admin: &str) -> Value {
    app.client
        .get(format!("{}/admin/api/webhooks", app.address))
        .bearer_auth(admin)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json")
}

fn signed(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

const HEADER: &str = "license_no,name,office_license_no,status,first_licensed_on\n";

#[actix_web::test]
async fn events_arrive_signed_in_order_after_the_receiver_was_down() {
    let (app, import) = app_with_token(TokenScope::Import).await;
    let admin = token(&app, "集成方", TokenScope::Admin);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");

    // Refused registrations change nothing.
    for (body, why) in [
        (json!({"url": "https://example.org/hook"}), "https"),
        (json!({"url": "ftp://example.org/hook"}), "scheme"),
        (
            json!({"url": "http://user:pw@127.0.0.1/hook"}),
            "credentials",
        ),
        (json!({"url": "not an address"}), "not a URL"),
        (
            json!({"url": format!("{base}/a"), "district_code": "999999"}),
            "district",
        ),
        (
            json!({"url": format!("{base}/a"), "subject_kind": "lawyer"}),
            "kind",
        ),
        (json!({"address": format!("{base}/a")}), "no url"),
        (
            json!({"url": "http://169.254.169.254/latest/meta-data"}),
            "a cloud's metadata service",
        ),
        (json!({"url": "http://[fe80::1]/hook"}), "link-local IPv6"),
        (json!({"url": "http://0.0.0.0/hook"}), "unspecified"),
    ] {
        let (status, answer) = register(&app, &admin, body).await;
        assert_eq!(status, 400, "{why}: {answer}");
        assert!(answer["error"]["message"].is_string(), "{answer}");
    }
    assert_eq!(hooks(&app, &admin).await, json!([]));
    let (status, _) = register(&app, &import, json!({"url": format!("{base}/a")})).await;
    assert_eq!(status, 403, "an import token may not register");

    let (status, all) = register(&app, &admin, json!({"url": format!("{base}/all")})).await;
    assert_eq!(status, 201, "{all}");
    let (status, rural) = register(
        &app,
        &admin,
        json!({"url": format!("{base}/rural"), "district_code": "500229", "subject_kind": "worker"}),
    )
    .await;
    assert_eq!(status, 201, "{rural}");
    let secrets = [
        all["secret"].as_str().expect("secret").to_owned(),
        rural["secret"].as_str().expect("secret").to_owned(),
    ];
    assert_eq!(secrets[0].len(), 64);
    let listed = hooks(&app, &admin).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    assert!(
        !listed.to_string().contains(&secrets[0]),
        "no secret in the list"
    );

    // Three applied imports while nothing listens, and a dry run.
    import_ok(
        &app,
        &import,
        "workers",
        CSV,
        &format!(
            "{HEADER}W-A1,周一,O-CENTRAL,执业,2015-06-01\nW-B1,吴二,O-RURAL,执业,2016-06-01\n"
        ),
    )
    .await;
    rename_a1(&app, &import, "周一新").await;
    let (status, _) = post(
        &app,
        &import,
        "workers",
        CSV,
        format!("{HEADER}W-B1,不该发出,O-RURAL,执业,2016-06-01\n"),
        true,
    )
    .await;
    assert_eq!(status, 200, "the dry run");
    import_ok(
        &app,
        &import,
        "workers",
        CSV,
        &format!("{HEADER}W-B1,吴二新,O-RURAL,执业,2016-06-01\n"),
    )
    .await;

    // The portal keeps trying and says so.
    let started = Instant::now();
    loop {
        let listed = hooks(&app, &admin).await;
        if listed[0]["attempts"].as_i64().unwrap_or(0) >= 2 {
            assert_eq!(listed[0]["last_error"], "could not connect", "{listed}");
            assert!(listed[0]["failing_since"].is_string(), "{listed}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no retries: {listed}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }

    // The receiver comes up: everything arrives.
    let got: Got = Arc::default();
    let server = receiver(port, got.clone());
    let started = Instant::now();
    let (mut to_all, mut to_rural) = (Vec::new(), Vec::new());
    while to_all.len() < 4 || to_rural.len() < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "not everything arrived: {} and {}",
            to_all.len(),
            to_rural.len()
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        (to_all, to_rural) = unique(&got, &secrets);
    }
    // Give a duplicate or a stray event the time to show.
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    (to_all, to_rural) = unique(&got, &secrets);
    server.stop(true).await;

    let subjects = |events: &[Value]| -> Vec<(String, String)> {
        events
            .iter()
            .map(|e| {
                (
                    e["subject"]["license_no"].as_str().unwrap().to_owned(),
                    e["subject"]["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    // Every event once, in the order the imports made them; the subject as
    // it is now, and the change itself.
    assert_eq!(
        subjects(&to_all)
            .iter()
            .map(|s| s.0.as_str())
            .collect::<Vec<_>>(),
        ["W-A1", "W-B1", "W-A1", "W-B1"],
        "{to_all:#?}"
    );
    assert_eq!(
        to_all[2]["changes"],
        json!([{"field": "name", "before": "周一", "after": "周一新"}])
    );
    assert_eq!(to_all[0]["changes"][0]["after"], "registered");
    assert_eq!(to_all[0]["subject"]["district_code"], "500103");
    assert_eq!(to_all[0]["type"], "record.changed");
    // The district and kind filter: only 500229's worker.
    assert_eq!(
        subjects(&to_rural)
            .iter()
            .map(|s| s.0.as_str())
            .collect::<Vec<_>>(),
        ["W-B1", "W-B1"]
    );
    assert!(
        !format!("{to_all:?}").contains("不该发出"),
        "a dry run sends nothing"
    );

    let listed = hooks(&app, &admin).await;
    assert_eq!(listed[0]["delivered"], 4, "{listed}");
    assert_eq!(listed[0]["attempts"], 0, "{listed}");
    assert!(listed[0]["last_error"].is_null(), "{listed}");

    // Removed: gone from the list, and a second removal is a 404.
    let id = all["id"].as_i64().unwrap();
    for expected in [204, 404] {
        let resp = app
            .client
            .delete(format!("{}/admin/api/webhooks/{id}", app.address))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), expected);
    }
    assert_eq!(hooks(&app, &admin).await.as_array().map(Vec::len), Some(1));
}

/// The distinct events each receiver got, in order of first arrival, after
/// checking every delivery's signature, that its `X-Event-Id` is its body's
/// `event_id`, that a repeated id came with the same body (at least once,
/// never two different events under one id), and that ids only grow.
fn unique(got: &Got, secrets: &[String; 2]) -> (Vec<Value>, Vec<Value>) {
    let mut out: [Vec<Value>; 2] = [Vec::new(), Vec::new()];
    let mut bodies: [Vec<(i64, Vec<u8>)>; 2] = [Vec::new(), Vec::new()];
    for (path, signature, id, body) in got.lock().unwrap().iter() {
        let which = usize::from(path == "/rural");
        assert_eq!(
            *signature,
            signed(&secrets[which], body),
            "signature of {path}"
        );
        let event: Value = serde_json::from_slice(body).expect("a JSON body");
        let n = event["event_id"].as_i64().expect("event_id");
        assert_eq!(id, &n.to_string());
        match bodies[which].iter().find(|(m, _)| *m == n) {
            Some((_, earlier)) => assert_eq!(earlier, body, "event {n} sent twice differently"),
            None => {
                if let Some((last, _)) = bodies[which].last() {
                    assert!(n > *last, "event {n} after {last}: out of order");
                }
                bodies[which].push((n, body.clone()));
                out[which].push(event);
            }
        }
    }
    let [a, b] = out;
    (a, b)
}

/// Imports worker W-A1 of the central office under `name`.
async fn rename_a1(app: &TestApp, import: &str, name: &str) {
    import_ok(
        app,
        import,
        "workers",
        CSV,
        &format!("{HEADER}W-A1,{name},O-CENTRAL,执业,2015-06-01\n"),
    )
    .await;
}

/// Events queued in the database.
fn queued(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use legal_portal::db::schema::webhook_events;
    webhook_events::table
        .count()
        .get_result(&mut app.conn())
        .expect("count events")
}

#[actix_web::test]
async fn imports_before_any_receiver_queue_nothing_and_a_new_receiver_starts_after_them() {
    let (app, import) = app_with_token(TokenScope::Import).await;
    let admin = token(&app, "集成方", TokenScope::Admin);
    rename_a1(&app, &import, "周一").await;
    assert_eq!(queued(&app), 0, "no receiver: nothing is queued");

    let port = free_port();
    let got: Got = Arc::default();
    let server = receiver(port, got.clone());
    let (status, hook) = register(
        &app,
        &admin,
        json!({"url": format!("http://127.0.0.1:{port}/new")}),
    )
    .await;
    assert_eq!(status, 201, "{hook}");
    rename_a1(&app, &import, "周一新").await;
    assert_eq!(queued(&app), 1, "one changed subject, one event");
    let started = Instant::now();
    while got.lock().unwrap().is_empty() && started.elapsed() < Duration::from_secs(20) {
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let bodies: Vec<Value> = got
        .lock()
        .unwrap()
        .iter()
        .map(|(_, _, _, body)| serde_json::from_slice(body).expect("JSON event"))
        .collect();
    assert_eq!(
        bodies.len(),
        1,
        "only the import after registering: {bodies:?}"
    );
    assert_eq!(bodies[0]["subject"]["name"], "周一新", "{bodies:?}");
    server.stop(true).await;
}

#[actix_web::test]
async fn a_receiver_following_a_district_hears_of_a_worker_leaving_it() {
    let (app, import) = app_with_token(TokenScope::Import).await;
    let admin = token(&app, "集成方", TokenScope::Admin);
    let port = free_port();
    let got: Got = Arc::default();
    let handle = receiver(port, got.clone());
    let (status, _) = register(
        &app,
        &admin,
        json!({"url": format!("http://127.0.0.1:{port}/rural"), "district_code": "500229"}),
    )
    .await;
    assert_eq!(status, 201);
    // Registered in 500229, then moved to an office of 500103.
    import_ok(
        &app,
        &import,
        "workers",
        CSV,
        &format!("{HEADER}W-C1,郑三,O-RURAL,执业,2016-06-01\n"),
    )
    .await;
    import_ok(
        &app,
        &import,
        "workers",
        CSV,
        &format!("{HEADER}W-C1,郑三,O-CENTRAL,执业,2016-06-01\n"),
    )
    .await;
    let started = Instant::now();
    let events = loop {
        let events: Vec<Value> = got
            .lock()
            .unwrap()
            .iter()
            .map(|(_, _, _, body)| serde_json::from_slice(body).unwrap())
            .collect();
        if events.len() >= 2 || started.elapsed() > Duration::from_secs(30) {
            break events;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    };
    handle.stop(true).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[1]["subject"]["license_no"], "W-C1");
    assert_eq!(
        events[1]["subject"]["district_code"], "500103",
        "the event says where the worker went: {events:?}"
    );
}
