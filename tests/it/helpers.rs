//! The test harness: `TestApp`, a fresh database per test, and builders for
//! the records a test needs.

use chrono::NaiveDate;
use diesel::prelude::*;
use legal_portal::config::Settings;
use legal_portal::db::models::*;
use legal_portal::db::schema::*;
use legal_portal::db::{self, DbConnection};
use legal_portal::web::Application;
use legal_portal::with_backend;

/// The date tests pretend is today unless they say otherwise.
pub fn today() -> NaiveDate {
    d("2026-11-28")
}

/// A date from `YYYY-MM-DD`.
pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

/// Whether the suite runs in CI, where skipping PostgreSQL is a failure.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

pub use crate::pg_test_db::PgTestDb;

/// A PostgreSQL database for a test that needs one whatever backend the
/// suite runs on (`TEST_DATABASE_URL`, else `TEST_POSTGRES_URL`, which
/// `.ci/run` sets in its SQLite pass), or `None` after a loud skip line;
/// under `CI=true` a missing server fails the test instead.
pub fn postgres_or_skip(test: &str) -> Option<PgTestDb> {
    let url = PgTestDb::admin_url();
    let Some(admin) = url else {
        assert!(
            !in_ci(),
            "{test} needs PostgreSQL: set TEST_DATABASE_URL or TEST_POSTGRES_URL in CI"
        );
        eprintln!("\n*** SKIPPED {test}: needs PostgreSQL (set TEST_POSTGRES_URL) ***\n");
        return None;
    };
    Some(PgTestDb::create(&admin).unwrap_or_else(|e| panic!("{test}: PostgreSQL at {admin}: {e}")))
}

/// A fresh database: PostgreSQL when `TEST_DATABASE_URL` is set, else a
/// SQLite file in `dir`.
pub fn fresh_database(dir: &std::path::Path) -> (String, Option<PgTestDb>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => {
            let pg = PgTestDb::create(&admin)
                .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but unusable: {e}"));
            (pg.url.clone(), Some(pg))
        }
        _ => (dir.join("test.db").to_string_lossy().into_owned(), None),
    }
}

/// Runs the migrations on `url` and lets `seed` fill it, for tests that
/// then start the real binary on it.
pub fn migrated(url: &str, seed: impl FnOnce(&mut DbConnection)) {
    let mut conn = db::establish(url).expect("connect");
    db::run_migrations(&mut conn).expect("migrations");
    seed(&mut conn);
}

/// A running portal for one test.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// A client that does not follow redirects.
    pub client: reqwest::Client,
    /// The database URL.
    pub db_url: String,
    handle: actix_web::dev::ServerHandle,
    _pg: Option<PgTestDb>,
    _dir: tempfile::TempDir,
}

/// A change to the settings before the portal starts.
type AdjustSettings = Box<dyn FnOnce(&mut Settings)>;

/// How to start a `TestApp`.
pub struct Spawn {
    today: NaiveDate,
    demo: bool,
    adjust: Option<AdjustSettings>,
    meili: Option<crate::search::Meili>,
    database: Option<String>,
}

impl Spawn {
    /// Pretend today is `today`.
    pub fn today(mut self, today: NaiveDate) -> Self {
        self.today = today;
        self
    }

    /// Load the province demo data.
    pub fn demo(mut self) -> Self {
        self.demo = true;
        self
    }

    /// Adjusts the settings before the portal starts.
    pub fn settings(mut self, adjust: impl FnOnce(&mut Settings) + 'static) -> Self {
        self.adjust = Some(Box::new(adjust));
        self
    }

    /// Search on Meilisearch (with the test run's own index prefix) instead
    /// of the embedded engine.
    pub fn meili(mut self, meili: Option<crate::search::Meili>) -> Self {
        self.meili = meili;
        self
    }

    /// Serves the database at `url` (another portal's, or one the test
    /// made) instead of a fresh one: several portals on one database. The
    /// test keeps that database alive while they run.
    pub fn database(mut self, url: &str) -> Self {
        self.database = Some(url.to_owned());
        self
    }

    /// Seeds the database with `seed`, then starts the portal.
    pub async fn seed<F>(self, seed: F) -> TestApp
    where
        F: FnOnce(&mut DbConnection),
    {
        let dir = tempfile::tempdir().expect("temp dir");
        let (db_url, pg) = match self.database {
            Some(url) => (url, None),
            None => fresh_database(dir.path()),
        };
        {
            let mut conn = db::establish(&db_url).expect("connect to the test database");
            db::run_migrations(&mut conn).expect("migrations");
            seed(&mut conn);
        }
        let mut settings = Settings {
            bind: "127.0.0.1:0".into(),
            data_dir: dir.path().to_path_buf(),
            database_url: Some(db_url.clone()),
            demo: self.demo,
            today: Some(self.today),
            http_workers: 1,
            pool_size: 4,
            meili_url: self.meili.as_ref().map(|m| m.url.clone()),
            meili_master_key: self.meili.as_ref().and_then(|m| m.key.clone()),
            meili_index_prefix: self
                .meili
                .as_ref()
                .map(|m| m.prefix.clone())
                .unwrap_or_default(),
            ..Settings::default()
        };
        if let Some(adjust) = self.adjust {
            adjust(&mut settings);
        }
        let app = Application::build(settings).await.expect("portal starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        actix_web::rt::spawn(app.run_until_stopped());
        TestApp {
            address,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            db_url,
            handle,
            _pg: pg,
            _dir: dir,
        }
    }

    /// Starts the portal without seeding.
    pub async fn start(self) -> TestApp {
        self.seed(|_| {}).await
    }
}

impl TestApp {
    /// How to start one.
    pub fn builder() -> Spawn {
        Spawn {
            today: today(),
            demo: false,
            adjust: None,
            meili: None,
            database: None,
        }
    }

    /// GET a path.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .expect("request reaches the portal")
    }

    /// Imports a CSV of `dataset` through the admin API with a fresh
    /// import token, expecting 200.
    pub async fn import_csv(&self, dataset: &str, csv: &str) {
        // Token names are unique: one per import, so a test may import twice.
        static IMPORTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = IMPORTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let token = legal_portal::db::tokens::create(
            &mut self.conn(),
            &format!("clerk-{n}"),
            legal_portal::domain::vocab::TokenScope::Import,
        )
        .expect("an import token");
        let resp = self
            .client
            .post(format!("{}/admin/api/import/{dataset}", self.address))
            .bearer_auth(&token)
            .header("content-type", "text/csv")
            .body(csv.to_owned())
            .send()
            .await
            .expect("request reaches the portal");
        let status = resp.status();
        assert_eq!(status, 200, "{}", resp.text().await.unwrap_or_default());
    }

    /// `method` `path` with `Accept-Encoding: accept`. Every answer of a
    /// textual type must say `Vary: Accept-Encoding`.
    pub async fn encoded(&self, method: reqwest::Method, path: &str, accept: &str) -> Encoded {
        let res = self
            .client
            .request(method.clone(), format!("{}{path}", self.address))
            .header("accept-encoding", accept)
            .send()
            .await
            .expect("request reaches the portal");
        let header = |name: &str| {
            res.headers()
                .get_all(name)
                .iter()
                .map(|v| v.to_str().expect("an ASCII header").to_lowercase())
                .collect::<Vec<_>>()
        };
        let textual = header("content-type").iter().any(|t| {
            t.starts_with("text/")
                || t.contains("json")
                || t.contains("xml")
                || t.contains("javascript")
        });
        let vary = header("vary");
        assert!(
            !textual || vary.iter().any(|v| v.contains("accept-encoding")),
            "{method} {path} ({accept}): no Vary: Accept-Encoding ({vary:?})"
        );
        Encoded {
            status: res.status().as_u16(),
            encoding: header("content-encoding").pop(),
            length: header("content-length").pop(),
            body: res.bytes().await.expect("body").to_vec(),
        }
    }

    /// GET `path` with `Accept-Encoding: accept`: status, the
    /// `Content-Encoding` and the body as sent (see [`TestApp::encoded`]).
    pub async fn get_encoded(&self, path: &str, accept: &str) -> (u16, Option<String>, Vec<u8>) {
        let got = self.encoded(reqwest::Method::GET, path, accept).await;
        (got.status, got.encoding, got.body)
    }

    /// GET a path, expecting `status`, returning the body.
    pub async fn text(&self, path: &str, status: u16) -> String {
        let resp = self.get(path).await;
        let got = resp.status().as_u16();
        let body = resp.text().await.expect("body");
        assert_eq!(
            got, status,
            "GET {path}: expected {status}, got {got}; body:\n{body}"
        );
        body
    }

    /// GET a path, expecting `status`, returning JSON.
    pub async fn json(&self, path: &str, status: u16) -> serde_json::Value {
        let body = self.text(path, status).await;
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: not JSON ({e}): {body}"))
    }

    /// `/metrics` with a fresh token of scope `metrics`.
    pub async fn metrics(&self) -> String {
        let name = format!("prometheus-{}", uuid::Uuid::new_v4().simple());
        let token = db::tokens::create(
            &mut self.conn(),
            &name,
            legal_portal::domain::vocab::TokenScope::Metrics,
        )
        .expect("create a metrics token");
        let resp = self
            .client
            .get(format!("{}/metrics", self.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("request reaches the portal");
        assert_eq!(resp.status(), 200, "GET /metrics with a metrics token");
        resp.text().await.expect("body")
    }

    /// Waits until the search indexer has drained every due outbox row.
    pub async fn wait_for_search(&self) {
        let started = std::time::Instant::now();
        loop {
            let due = legal_portal::db::outbox::due_count(
                &mut self.conn(),
                legal_portal::db::outbox::now(),
            )
            .expect("read the outbox");
            if due == 0 {
                return;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "the search indexer did not drain {due} outbox rows within 30 s"
            );
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Outbox rows due now.
    pub fn conn_outbox_due(&self) -> i64 {
        legal_portal::db::outbox::due_count(&mut self.conn(), legal_portal::db::outbox::now())
            .expect("read the outbox")
    }

    /// The portal's data folder.
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// A connection to the app's database.
    pub fn conn(&self) -> DbConnection {
        db::establish(&self.db_url).expect("connect")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

/// Builders for records: each takes the fields a test cares about and fills
/// the rest plausibly.
pub mod build {
    use super::*;

    fn now() -> chrono::NaiveDateTime {
        super::today().and_hms_opt(0, 0, 0).expect("midnight")
    }

    /// A district.
    pub fn district(
        conn: &mut DbConnection,
        code: &str,
        name: &str,
        population: i64,
        lawyers: i64,
    ) {
        let row = District {
            code: code.into(),
            name: name.into(),
            kind: "district".into(),
            population,
            lawyers,
            borders_sichuan: false,
            seat_lat: Some(29.56),
            seat_lng: Some(106.55),
            updated_at: now(),
        };
        with_backend!(conn, |c| diesel::insert_into(districts::table)
            .values(&row)
            .execute(c))
        .expect("insert district");
    }

    /// An office in `district`.
    pub fn office(conn: &mut DbConnection, license_no: &str, name: &str, district: &str) {
        office_with(conn, license_no, name, district, |_| {});
    }

    /// An office, adjusted by `adjust`.
    pub fn office_with(
        conn: &mut DbConnection,
        license_no: &str,
        name: &str,
        district: &str,
        adjust: impl FnOnce(&mut Office),
    ) {
        let mut row = Office {
            license_no: license_no.into(),
            name: name.into(),
            district_code: district.into(),
            township_id: None,
            area_kind: "rural".into(),
            address: "重庆市某区某镇1号".into(),
            lat: Some(29.5),
            lng: Some(106.5),
            phone: "023-61234567".into(),
            hours: "周一至周五 9:00-17:30".into(),
            director: "周立".into(),
            party_org: "joint_branch".into(),
            practice_areas: "民事代理;法律咨询".into(),
            status: "practising".into(),
            established_on: Some(d("2003-05-01")),
            updated_at: now(),
        };
        adjust(&mut row);
        with_backend!(conn, |c| diesel::insert_into(offices::table)
            .values(&row)
            .execute(c))
        .expect("insert office");
    }

    /// A practising worker at `office`, licensed in 2010.
    pub fn worker(conn: &mut DbConnection, license_no: &str, name: &str, office: &str) {
        worker_with(conn, license_no, name, office, |_| {});
    }

    /// A worker, adjusted by `adjust`.
    pub fn worker_with(
        conn: &mut DbConnection,
        license_no: &str,
        name: &str,
        office: &str,
        adjust: impl FnOnce(&mut Worker),
    ) {
        let mut row = Worker {
            license_no: license_no.into(),
            name: name.into(),
            gender: Some("female".into()),
            office_license_no: Some(office.into()),
            status: "practising".into(),
            first_licensed_on: Some(d("2010-03-01")),
            internship_months: Some(12),
            practice_areas: "民事代理;人民调解".into(),
            adviser_posts: "石桥村法律顾问".into(),
            updated_at: now(),
        };
        adjust(&mut row);
        with_backend!(conn, |c| diesel::insert_into(workers::table)
            .values(&row)
            .execute(c))
        .expect("insert worker");
    }

    /// An annual review.
    pub fn review(
        conn: &mut DbConnection,
        kind: &str,
        license_no: &str,
        year: i32,
        outcome: &str,
        rectify_by: Option<&str>,
    ) {
        let row = NewReview {
            subject_kind: kind.into(),
            subject_license_no: license_no.into(),
            year,
            outcome: outcome.into(),
            rectify_by: rectify_by.map(d),
            note: None,
            rectified_on: None,
        };
        with_backend!(conn, |c| diesel::insert_into(annual_reviews::table)
            .values(&row)
            .execute(c))
        .expect("insert review");
    }

    /// A disciplinary action against a worker, adjusted by `adjust`.
    pub fn action(
        conn: &mut DbConnection,
        decision_no: &str,
        license_no: &str,
        kind: &str,
        decided_on: &str,
        adjust: impl FnOnce(&mut NewAction),
    ) {
        let mut row = NewAction {
            decision_no: decision_no.into(),
            subject_kind: "worker".into(),
            subject_license_no: license_no.into(),
            kind: kind.into(),
            authority: "重庆市渝中区司法局".into(),
            decided_on: d(decided_on),
            facts: format!("事实{decision_no}"),
            basis: "《基层法律服务工作者管理办法》第四十二条".into(),
            suspended_until: None,
            public_until: None,
            withdrawn_on: None,
            withdrawn_reason: None,
        };
        adjust(&mut row);
        with_backend!(conn, |c| diesel::insert_into(disciplinary_actions::table)
            .values(&row)
            .execute(c))
        .expect("insert action");
    }

    /// A commendation of a worker.
    pub fn commendation(conn: &mut DbConnection, license_no: &str, title: &str, on: &str) {
        let row = NewCommendation {
            subject_kind: "worker".into(),
            subject_license_no: license_no.into(),
            title: title.into(),
            awarded_by: "重庆市司法局".into(),
            awarded_on: d(on),
        };
        with_backend!(conn, |c| diesel::insert_into(commendations::table)
            .values(&row)
            .execute(c))
        .expect("insert commendation");
    }

    /// A transfer.
    pub fn transfer(conn: &mut DbConnection, worker: &str, from: &str, to: &str, on: &str) {
        let row = NewTransfer {
            worker_license_no: worker.into(),
            from_office_license_no: Some(from.into()),
            to_office_license_no: to.into(),
            effective_on: d(on),
        };
        with_backend!(conn, |c| diesel::insert_into(transfers::table)
            .values(&row)
            .execute(c))
        .expect("insert transfer");
    }
}

/// The real `legal-portal serve` in a child process, with its standard
/// output and error collected as its log.
pub struct ServedBinary {
    /// The process.
    pub child: std::process::Child,
    /// `http://127.0.0.1:PORT`, from the "serving at" line.
    pub address: String,
    log: std::sync::Arc<std::sync::Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl ServedBinary {
    /// `legal-portal serve` on a free port with one worker, on `url` and
    /// the data folder `data`, on the tests' date and without Meilisearch;
    /// callers add their own environment.
    pub fn command(url: &str, data: &std::path::Path) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_legal-portal"));
        command
            .args(["serve", "--bind", "127.0.0.1:0", "--workers", "1"])
            .env("DATABASE_URL", url)
            .env("LEGAL_PORTAL_DATA", data)
            .env("LEGAL_PORTAL_TODAY", "2026-11-28")
            .env_remove("MEILI_URL");
        command
    }

    /// Starts `command` (a `legal-portal serve … --bind 127.0.0.1:0`) and
    /// waits for it to say where it serves.
    pub async fn start(mut command: std::process::Command) -> Self {
        use std::io::{BufRead, BufReader, Read};
        use std::process::Stdio;
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start legal-portal serve");
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let streams: [Box<dyn Read + Send>; 2] = [
            Box::new(child.stdout.take().expect("stdout")),
            Box::new(child.stderr.take().expect("stderr")),
        ];
        let readers = streams
            .into_iter()
            .map(|stream| {
                let sink = log.clone();
                std::thread::spawn(move || {
                    for line in BufReader::new(stream).lines().map_while(Result::ok) {
                        let mut l = sink.lock().unwrap();
                        l.push_str(&line);
                        l.push('\n');
                    }
                })
            })
            .collect();
        let started = std::time::Instant::now();
        let address = loop {
            let text = log.lock().unwrap().clone();
            if let Some(at) = text.find("serving at ") {
                let rest = &text[at + "serving at ".len()..];
                break rest.split_whitespace().next().unwrap().to_owned();
            }
            if started.elapsed() > std::time::Duration::from_secs(60) {
                let _ = child.kill();
                panic!("the portal did not start:\n{text}");
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        Self {
            child,
            address,
            log,
            readers,
        }
    }

    /// Kills the process (if still running) and returns its whole log.
    pub fn finish(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for r in self.readers {
            let _ = r.join();
        }
        self.log.lock().unwrap().clone()
    }
}

/// Snapshot files under `tests/snapshots/`, kept by `insta`:
/// `assert_snapshot("name", text)` compares `text` with
/// `tests/snapshots/name.snap`. A missing or different file fails; outside
/// CI insta writes the new text beside it as `name.snap.new` for `cargo
/// insta review` (or `INSTA_UPDATE=always` to accept it); under `CI=true`
/// nothing is written.
pub fn assert_snapshot(name: &str, actual: &str) {
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, actual);
    });
}

/// An answer as sent: status, `Content-Encoding`, `Content-Length`, body.
pub struct Encoded {
    pub status: u16,
    pub encoding: Option<String>,
    pub length: Option<String>,
    pub body: Vec<u8>,
}

/// A body as sent with `Content-Encoding: encoding`, decoded.
pub fn inflate(encoding: Option<&str>, body: &[u8]) -> String {
    use std::io::Read;
    let mut out = String::new();
    match encoding {
        Some("gzip") => flate2::read::GzDecoder::new(body).read_to_string(&mut out),
        None => return String::from_utf8(body.to_vec()).expect("UTF-8"),
        Some(other) => panic!("unexpected encoding {other}"),
    }
    .expect("a whole gzip member");
    out
}
