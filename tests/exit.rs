//! A process that ends while its PostgreSQL connections are busy ends
//! cleanly.
//!
//! libpq talks TLS through OpenSSL, and OpenSSL, unless told otherwise,
//! frees its tables in an `atexit` handler: a thread still inside a TLS
//! read, write or handshake when `main` returns then touches freed memory
//! and the whole process dies of SIGSEGV — a successful `legal-portal
//! import` answering 139, a test run whose tests all passed failing at its
//! end. `legal_portal::db` initialises OpenSSL without that handler before
//! its first connection.
//!
//! The check needs a process of its own that ends mid-work, so this file
//! runs without the test harness: on a throw-away database (the
//! integration tests' `PgTestDb`) it starts itself again as a child that
//! keeps TLS connections busy on several threads and returns from `main`
//! in the middle of them, a number of times, and fails if any child dies
//! of a signal or hangs. It needs a PostgreSQL server that speaks TLS
//! (`TEST_DATABASE_URL` or `TEST_POSTGRES_URL`); without one it prints a
//! loud skip line, and under `CI=true` it fails instead.

use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use diesel::{Connection, QueryableByName, RunQueryDsl};
use legal_portal::db;

#[path = "it/pg_test_db.rs"]
mod pg_test_db;
use pg_test_db::PgTestDb;

/// The environment variable that makes this program the busy child.
const CHILD: &str = "LEGAL_PORTAL_EXIT_TEST_CHILD_URL";

/// How many children end mid-work. Without the fix 2 to 6 of 40 died in
/// each of seven runs, so 40 all clean is no accident.
const RUNS: usize = 40;

/// How long a child may take before it counts as hung.
const CHILD_LIMIT: Duration = Duration::from_secs(60);

/// The check's name, as `cargo test` filters, lists and prints it.
const NAME: &str = "exit::a_process_ending_while_postgresql_connections_are_busy_exits_cleanly";

fn main() -> ExitCode {
    if let Ok(url) = std::env::var(CHILD) {
        busy_child(&url);
        // Returning from `main` runs the `atexit` handlers while the
        // threads above are still talking to the server.
        return ExitCode::SUCCESS;
    }
    match Args::read() {
        Args::List => {
            println!("{NAME}: test");
            return ExitCode::SUCCESS;
        }
        Args::Skip => return ExitCode::SUCCESS,
        Args::Run => {}
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let skip = |why: &str| {
        if ci {
            eprintln!("{NAME}: {why}, which CI must have");
            return ExitCode::FAILURE;
        }
        eprintln!("\n*** SKIPPED {NAME}: {why} ***\n");
        ExitCode::SUCCESS
    };
    let admin = PgTestDb::admin_url();
    let Some(admin) = admin else {
        return skip("needs PostgreSQL (set TEST_POSTGRES_URL)");
    };
    let scratch =
        PgTestDb::create(&admin).unwrap_or_else(|e| panic!("{NAME}: PostgreSQL at {admin}: {e}"));
    if !speaks_tls(&scratch.url) {
        return skip("the PostgreSQL server does not speak TLS, where the crash was");
    }
    let me = std::env::current_exe().expect("the test's own path");
    let mut failures = Vec::new();
    for run in 1..=RUNS {
        if let Err(e) = one_child(&me, &scratch.url) {
            failures.push(format!("run {run}: {e}"));
        }
    }
    let verdict = if failures.is_empty() { "ok" } else { "FAILED" };
    println!("test {NAME} ... {verdict}");
    if failures.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "{} of {RUNS} processes ended by a signal, an error or a hang instead of exiting cleanly:\n{}",
        failures.len(),
        failures.join("\n")
    );
    ExitCode::FAILURE
}

/// What the arguments `cargo test` passes on ask of this program.
enum Args {
    Run,
    List,
    Skip,
}

impl Args {
    /// Reads the test harness's arguments this program can meet: filters
    /// (`--exact` makes them whole names), `--skip NAME`, `--list`,
    /// `--ignored` (this check is not ignored), and flags whose value
    /// follows them, which are not filters.
    fn read() -> Args {
        let mut filters = Vec::new();
        let mut skips = Vec::new();
        let (mut exact, mut list, mut ignored_only) = (false, false, false);
        let mut args = std::env::args().skip(1);
        while let Some(a) = args.next() {
            match a.as_str() {
                "--list" => list = true,
                "--exact" => exact = true,
                "--ignored" => ignored_only = true,
                "--skip" => skips.extend(args.next()),
                "--test-threads" | "--color" | "--format" | "--logfile" | "-Z" => {
                    args.next();
                }
                s if s.starts_with('-') => {}
                _ => filters.push(a),
            }
        }
        let matches = |f: &String| {
            if exact {
                f == NAME
            } else {
                NAME.contains(f.as_str())
            }
        };
        let chosen = (filters.is_empty() || filters.iter().any(matches))
            && !skips.iter().any(matches)
            && !ignored_only;
        match (chosen, list) {
            (false, _) => Args::Skip,
            (true, true) => Args::List,
            (true, false) => Args::Run,
        }
    }
}

/// Whether a connection to `url` is encrypted, as the children's are.
fn speaks_tls(url: &str) -> bool {
    #[derive(QueryableByName)]
    struct Ssl {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ssl: bool,
    }
    let mut conn = diesel::PgConnection::establish(url).expect("connect to the test's database");
    diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .get_result::<Ssl>(&mut conn)
        .is_ok_and(|s| s.ssl)
}

/// Runs one busy child to its end: an error unless it exits 0 in time.
fn one_child(me: &std::path::Path, url: &str) -> Result<(), String> {
    let mut child = Command::new(me)
        .env(CHILD, url)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    let started = Instant::now();
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) if status.success() => return Ok(()),
            Some(status) => {
                let mut err = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut pipe, &mut err);
                }
                return Err(format!("{status} — {}", err.trim()));
            }
            None if started.elapsed() > CHILD_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("still running after {CHILD_LIMIT:?}"));
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Starts eight threads that open, use and close connections (TLS
/// handshakes and teardowns, where the crash was) and three that query
/// through the pool, lets them run a moment and comes back while they are
/// still at it.
fn busy_child(url: &str) {
    let pool = db::connect(url, 4).expect("connect the pool");
    let started = Instant::now();
    for _ in 0..8 {
        let url = url.to_owned();
        std::thread::spawn(move || {
            loop {
                if let Ok(mut conn) = db::establish(&url) {
                    let _ = diesel::sql_query("SELECT 1").execute(&mut conn);
                }
            }
        });
    }
    for _ in 0..3 {
        let pool = pool.clone();
        std::thread::spawn(move || {
            loop {
                if let Ok(mut conn) = pool.get() {
                    let _ = diesel::sql_query("SELECT pg_sleep(0.001)").execute(&mut *conn);
                }
            }
        });
    }
    std::thread::sleep(Duration::from_millis(150).saturating_sub(started.elapsed()));
}
