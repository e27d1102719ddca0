//! Kill -9 at random points during imports and complaint submissions
//! (issue 7): after every restart no acknowledged write is missing, no
//! import batch is half there, SQLite's `integrity_check` is `ok`, and at
//! the end the search index catches up with every imported record.
//!
//! One database and one data folder live through the whole run (so the
//! complaint key and the embedded search index survive every kill, as they
//! would on a server). Each round starts the real `legal-portal serve`,
//! first checks what earlier rounds were told had been stored, then lets a
//! few clients file complaints and post imports of new offices and workers
//! while a timer sends SIGKILL after a random delay: some kills land
//! before the port opens, most while requests, import transactions and the
//! background indexer are busy.
//!
//! `KILL_ROUNDS` (default 50) sets the number of kills, `KILL_SEED` the
//! random seed (printed, so a failing run can be repeated).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use legal_portal::db::{self, DbConnection, tokens};
use legal_portal::domain::vocab::TokenScope;
use serde_json::Value;

use crate::complaints::{OFFICE, body, subjects};
use crate::helpers::{ServedBinary, fresh_database, migrated};

/// Kills when `KILL_ROUNDS` is not set.
const DEFAULT_ROUNDS: usize = 50;
/// Clients writing at once during a round.
const CLIENTS: usize = 3;
/// Failure bound for anything that should take a fraction of it.
const PATIENCE: Duration = Duration::from_secs(120);

/// SplitMix64: small, seedable and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// True with probability `percent` %.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Status and JSON body of an answer; `(0, None)` when the request got no
/// answer (the portal was killed under it), `None` for a cut-off body.
async fn answer(sent: reqwest::Result<reqwest::Response>) -> (u16, Option<Value>) {
    match sent {
        Ok(resp) => {
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.ok())
        }
        Err(_) => (0, None),
    }
}

/// A distinct Chinese name for record number `n` (up to 40^4 of them), so
/// that a search by name has one right answer.
fn name_of(n: u64) -> String {
    const CHARS: [char; 40] = [
        '安', '柏', '岑', '戴', '鄂', '樊', '葛', '韩', '伊', '蒋', '柯', '栾', '穆', '聂', '欧',
        '潘', '秦', '冉', '邵', '滕', '乌', '闻', '奚', '尤', '臧', '昝', '卜', '晁', '储', '邓',
        '费', '耿', '桂', '郝', '霍', '姬', '郏', '况', '廖', '糜',
    ];
    let mut n = n;
    let mut s = String::new();
    for _ in 0..4 {
        s.push(CHARS[(n % 40) as usize]);
        n /= 40;
    }
    s
}

/// One import batch a client sent.
#[derive(Debug, Clone)]
struct Batch {
    /// `offices` or `workers`.
    dataset: &'static str,
    /// Every license number of the batch starts with it, and no other does.
    prefix: String,
    /// (license number, name) of every row.
    rows: Vec<(String, String)>,
}

/// What the clients were told had been stored, and what they sent without
/// an answer.
#[derive(Default)]
struct Ledger {
    /// (tracking number, access code) of every 201.
    complaints: Vec<(String, String)>,
    /// Batches answered 200.
    imports: Vec<Batch>,
    /// Batches sent without a success answer: all there or all absent.
    unanswered: Vec<Batch>,
    /// Complaints sent without an answer.
    complaints_unanswered: usize,
    /// Answers that were neither a success nor a cut connection.
    unexpected: Vec<String>,
}

impl Ledger {
    fn absorb(&mut self, other: Ledger) {
        self.complaints.extend(other.complaints);
        self.imports.extend(other.imports);
        self.unanswered.extend(other.unanswered);
        self.complaints_unanswered += other.complaints_unanswered;
        self.unexpected.extend(other.unexpected);
    }
}

/// Numbers handed out to the clients, never reused in a run.
struct Counters {
    batch: u64,
    record: u64,
    phone: u64,
}

/// The body of `batch`: offices as NDJSON, workers as CSV.
fn payload(batch: &Batch) -> (&'static str, String) {
    if batch.dataset == "offices" {
        let lines: Vec<String> = batch
            .rows
            .iter()
            .map(|(license, name)| {
                serde_json::json!({
                    "license_no": license,
                    "name": format!("{name}法律服务所"),
                    "district_code": "500103",
                    "area_kind": "urban",
                    "status": "practising",
                })
                .to_string()
            })
            .collect();
        ("application/x-ndjson", lines.join("\n"))
    } else {
        let mut csv = String::from("license_no,name,office_license_no,status,first_licensed_on\n");
        for (license, name) in &batch.rows {
            csv.push_str(&format!("{license},{name},{OFFICE},执业,2015-06-01\n"));
        }
        ("text/csv", csv)
    }
}

/// The name a profile and a search hit show for a row of `batch`.
fn shown_name(batch: &Batch, name: &str) -> String {
    if batch.dataset == "offices" {
        format!("{name}法律服务所")
    } else {
        name.to_owned()
    }
}

/// What one client does until the portal goes away under it.
async fn client(
    address: String,
    token: String,
    mut rng: Rng,
    counters: &std::cell::RefCell<Counters>,
) -> Ledger {
    let http = reqwest::Client::builder()
        .timeout(PATIENCE)
        .build()
        .unwrap();
    let mut ledger = Ledger::default();
    loop {
        // A short random pause, so that a round writes hundreds of rows,
        // not thousands, and the kill lands at varied points.
        actix_web::rt::time::sleep(Duration::from_millis(rng.range(0, 15))).await;
        if rng.chance(55) {
            let phone = {
                let mut c = counters.borrow_mut();
                c.phone += 1;
                format!("139{:08}", c.phone)
            };
            let mut json = body("王小明", &phone);
            if rng.chance(50) {
                json["subject_license_no"] = OFFICE.into();
            }
            let sent = http
                .post(format!("{address}/api/v1/complaints"))
                .json(&json)
                .send()
                .await;
            let answer = answer(sent).await;
            match answer {
                (201, Some(filed)) => ledger.complaints.push((
                    filed["tracking_no"].as_str().unwrap().to_owned(),
                    filed["access_code"].as_str().unwrap().to_owned(),
                )),
                (0, _) | (201, None) => {
                    ledger.complaints_unanswered += 1;
                    return ledger;
                }
                (status, body) => {
                    ledger.complaints_unanswered += 1;
                    ledger
                        .unexpected
                        .push(format!("complaint answered {status}: {body:?}"));
                    return ledger;
                }
            }
        } else {
            // Mostly small batches; now and then one large enough for a
            // kill to land inside its transaction.
            let size = if rng.chance(15) {
                rng.range(60, 150)
            } else {
                rng.range(1, 6)
            };
            let dataset = if rng.chance(30) { "offices" } else { "workers" };
            let batch = {
                let mut c = counters.borrow_mut();
                c.batch += 1;
                let prefix = format!("KB{:05}", c.batch);
                let rows = (0..size)
                    .map(|i| {
                        c.record += 1;
                        (format!("{prefix}-{i:04}"), name_of(c.record))
                    })
                    .collect();
                Batch {
                    dataset,
                    prefix,
                    rows,
                }
            };
            let (content_type, text) = payload(&batch);
            let sent = http
                .post(format!("{address}/admin/api/import/{dataset}"))
                .header("Authorization", format!("Bearer {token}"))
                .header("Content-Type", content_type)
                .body(text)
                .send()
                .await;
            let answer = answer(sent).await;
            match answer {
                (200, Some(report)) => {
                    assert_eq!(report["counts"]["inserted"], batch.rows.len(), "{report}");
                    ledger.imports.push(batch);
                }
                (0, _) | (200, None) => {
                    ledger.unanswered.push(batch);
                    return ledger;
                }
                (status, body) => {
                    ledger.unexpected.push(format!(
                        "import {} answered {status}: {body:?}",
                        batch.prefix
                    ));
                    ledger.unanswered.push(batch);
                    return ledger;
                }
            }
        }
    }
}

/// Rows whose license number starts with `prefix`.
fn stored_rows(conn: &mut DbConnection, batch: &Batch) -> i64 {
    use legal_portal::db::schema::{offices, workers};
    let like = format!("{}-%", batch.prefix);
    if batch.dataset == "offices" {
        offices::table
            .filter(offices::license_no.like(like))
            .count()
            .get_result(conn)
            .unwrap()
    } else {
        workers::table
            .filter(workers::license_no.like(like))
            .count()
            .get_result(conn)
            .unwrap()
    }
}

/// `PRAGMA integrity_check` on SQLite. PostgreSQL has no equivalent
/// (its WAL replay on restart is its own guarantee), so it is skipped there.
fn integrity_ok(conn: &mut DbConnection) {
    if let DbConnection::Sqlite(c) = conn {
        #[derive(QueryableByName)]
        struct Check {
            #[diesel(sql_type = diesel::sql_types::Text)]
            integrity_check: String,
        }
        let check: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(c).unwrap();
        let lines: Vec<&str> = check.iter().map(|c| c.integrity_check.as_str()).collect();
        assert_eq!(lines, ["ok"], "SQLite integrity_check after a kill");
    }
}

/// Every answered batch is whole; every unanswered one is whole or absent.
fn batches_whole(conn: &mut DbConnection, answered: &[Batch], unanswered: &[Batch]) -> usize {
    for b in answered {
        let n = stored_rows(conn, b);
        assert_eq!(
            n as usize,
            b.rows.len(),
            "acknowledged import {} ({}) lost rows",
            b.prefix,
            b.dataset
        );
    }
    let mut landed = 0;
    for b in unanswered {
        let n = stored_rows(conn, b) as usize;
        assert!(
            n == 0 || n == b.rows.len(),
            "unacknowledged import {} ({}) is half there: {n} of {} rows",
            b.prefix,
            b.dataset,
            b.rows.len()
        );
        if n > 0 {
            landed += 1;
        }
    }
    landed
}

/// Through the running portal: every acknowledged complaint can be
/// followed with its code, every acknowledged record has its profile.
async fn acknowledged_are_served(
    http: &reqwest::Client,
    address: &str,
    complaints: &[(String, String)],
    imports: &[Batch],
) {
    for (tracking, code) in complaints {
        let resp = http
            .get(format!("{address}/api/v1/complaints/{tracking}"))
            .header("X-Access-Code", code)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let view: Value = resp.json().await.unwrap();
        assert_eq!(status, 200, "acknowledged complaint {tracking}: {view}");
        assert_eq!(view["tracking_no"], tracking.as_str(), "{view}");
    }
    for batch in imports {
        let kind = batch.dataset;
        for (license, name) in &batch.rows {
            let resp = http
                .get(format!("{address}/api/v1/{kind}/{license}"))
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap();
            assert_eq!(status, 200, "acknowledged {kind} {license}: {text}");
            assert!(
                text.contains(&shown_name(batch, name)),
                "{kind} {license} is not {name}: {text}"
            );
        }
    }
}

/// `legal-portal serve` on the run's database and data folder, with rate
/// limits out of the way.
fn serve(url: &str, data: &std::path::Path) -> Command {
    let mut command = ServedBinary::command(url, data);
    command
        .env("RUST_LOG", "info")
        .env_remove("LEGAL_PORTAL_COMPLAINT_KEY")
        .env("LEGAL_PORTAL_COMPLAINT_RATE", "100000/min")
        .env("LEGAL_PORTAL_COMPLAINT_LOOKUP_RATE", "100000/min")
        // The catch-up loop below asks for every imported record each
        // round: far more than any resident would.
        .env("LEGAL_PORTAL_SEARCH_RATE", "1000000000/min")
        .env("LEGAL_PORTAL_VERIFY_RATE", "100000/min");
    command
}

#[actix_web::test]
async fn kill_9_during_imports_and_complaints_loses_no_acknowledged_write() {
    let rounds = std::env::var("KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_ROUNDS);
    let seed = std::env::var("KILL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("kill harness: {rounds} rounds, KILL_SEED={seed}");
    let started = Instant::now();
    let mut rng = Rng(seed);

    let dir = tempfile::tempdir().unwrap();
    let (url, _pg) = fresh_database(dir.path());
    let mut token = String::new();
    migrated(&url, |c| {
        subjects(c);
        token = tokens::create(c, "crash-importer", TokenScope::Import).unwrap();
    });

    let counters = std::cell::RefCell::new(Counters {
        batch: 0,
        record: 0,
        phone: 0,
    });
    let http = reqwest::Client::builder()
        .timeout(PATIENCE)
        .build()
        .unwrap();
    let mut ledger = Ledger::default();
    let mut checked_upto = (0, 0);
    let mut unanswered_checked = 0;
    let mut landed_unanswered = 0;
    let mut kills = 0;
    let mut startup_kills = 0;
    while kills < rounds {
        // Now and then a kill while the portal starts (migrations, keys,
        // opening the index, the first drain of the outbox).
        if rng.chance(10) {
            let mut child = serve(&url, dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            actix_web::rt::time::sleep(Duration::from_millis(rng.range(0, 300))).await;
            let _ = child.kill();
            let _ = child.wait();
            kills += 1;
            startup_kills += 1;
            continue;
        }

        let portal = ServedBinary::start(serve(&url, dir.path())).await;
        let address = portal.address.clone();
        // After the restart, what the previous rounds acknowledged is
        // served (what was checked before is checked again at the end).
        acknowledged_are_served(
            &http,
            &address,
            &ledger.complaints[checked_upto.0..],
            &ledger.imports[checked_upto.1..],
        )
        .await;
        checked_upto = (ledger.complaints.len(), ledger.imports.len());

        let delay = Duration::from_millis(if rng.chance(25) {
            rng.range(0, 60)
        } else {
            rng.range(60, 700)
        });
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| client(address.clone(), token.clone(), Rng(rng.next()), &counters))
            .collect();
        let pid = portal.child.id();
        let killer = async {
            actix_web::rt::time::sleep(delay).await;
            // SIGKILL, while the clients are still writing.
            let sent = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()
                .unwrap();
            assert!(sent.success());
        };
        let (ledgers, ()) = tokio::join!(futures_join_all(clients), killer);
        let log = portal.finish();
        kills += 1;
        assert!(
            !log.contains("panicked"),
            "the portal panicked before the kill:\n{log}"
        );
        for l in ledgers {
            ledger.absorb(l);
        }
        assert!(
            ledger.unexpected.is_empty(),
            "unexpected answers before the kill: {:?}\n{log}",
            ledger.unexpected
        );

        let mut conn = db::establish(&url).unwrap();
        integrity_ok(&mut conn);
        landed_unanswered += batches_whole(
            &mut conn,
            &ledger.imports[checked_upto.1..],
            &ledger.unanswered[unanswered_checked..],
        );
        unanswered_checked = ledger.unanswered.len();
    }

    // The last restart: everything acknowledged in the whole run, and the
    // search index catching up with every imported record.
    {
        let mut conn = db::establish(&url).unwrap();
        integrity_ok(&mut conn);
        batches_whole(&mut conn, &ledger.imports, &ledger.unanswered);
    }
    let portal = ServedBinary::start(serve(&url, dir.path())).await;
    let address = portal.address.clone();
    acknowledged_are_served(&http, &address, &ledger.complaints, &ledger.imports).await;

    let caught_up = Instant::now();
    let mut missing: Vec<(&Batch, &String, String)> = ledger
        .imports
        .iter()
        .flat_map(|b| b.rows.iter().map(move |(l, n)| (b, l, shown_name(b, n))))
        .collect();
    let to_find = missing.len();
    loop {
        let mut still = Vec::new();
        for (batch, license, name) in missing {
            let kind = batch.dataset.trim_end_matches('s');
            let search = url::Url::parse_with_params(
                &format!("{address}/api/v1/search"),
                [("q", license.as_str()), ("type", kind)],
            )
            .unwrap();
            let resp = http.get(search).send().await.unwrap();
            if resp.status() == 429 {
                // Rate-limited: ask again next round.
                still.push((batch, license, name));
                continue;
            }
            assert_eq!(resp.status(), 200);
            let answer: Value = resp.json().await.unwrap();
            let found = answer["degraded"] == false
                && answer["hits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|h| h["license_no"] == license.as_str() && h["name"] == name.as_str());
            if !found {
                if std::env::var("KILL_DEBUG").is_ok() {
                    eprintln!("{license} {name}: {answer}");
                }
                still.push((batch, license, name));
            }
        }
        missing = still;
        if missing.is_empty() {
            break;
        }
        if caught_up.elapsed() > PATIENCE {
            let log = portal.finish();
            panic!(
                "search did not catch up within {PATIENCE:?}: {} records not found, e.g. {:?}\n{log}",
                missing.len(),
                &missing[..missing.len().min(5)]
                    .iter()
                    .map(|(_, l, n)| (l, n))
                    .collect::<Vec<_>>()
            );
        }
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    let search_wait = caught_up.elapsed();
    let log = portal.finish();
    assert!(!log.contains("panicked"), "{log}");
    {
        let mut conn = db::establish(&url).unwrap();
        integrity_ok(&mut conn);
    }

    let rows: usize = ledger.imports.iter().map(|b| b.rows.len()).sum();
    eprintln!(
        "kill harness ({}): {kills} kills ({startup_kills} during start-up), {} acknowledged \
         complaints ({} unanswered), {} acknowledged imports with {rows} rows ({} unanswered, \
         {landed_unanswered} of them stored whole), {to_find} records found by search in {:.1} s, \
         {:.1} s in all, KILL_SEED={seed}",
        if _pg.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        ledger.complaints.len(),
        ledger.complaints_unanswered,
        ledger.imports.len(),
        ledger.unanswered.len(),
        search_wait.as_secs_f64(),
        started.elapsed().as_secs_f64(),
    );
}

/// Runs the futures together on this thread and returns their outputs.
async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in pinned.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|v| v.unwrap()).collect()
}
