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
//! runs without the test harness: it starts itself again as a child that
//! keeps connections busy on several threads and returns from `main` in the
//! middle of them, a number of times, and fails if any child dies of a
//! signal. It needs a PostgreSQL server (`TEST_DATABASE_URL` or
//! `TEST_POSTGRES_URL`); without one it prints a loud skip line, and under
//! `CI=true` it fails instead.

use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use legal_portal::db;

/// The environment variable that makes this program the busy child.
const CHILD: &str = "LEGAL_PORTAL_EXIT_TEST_CHILD_URL";

/// How many children end mid-work. Without the fix about one child in
/// eight died (2 to 6 of 40 in each of ten runs), so 40 all clean is no
/// accident.
const RUNS: usize = 40;

/// The check's name, as `cargo test` filters and prints it.
const NAME: &str = "exit::a_process_ending_while_postgresql_connections_are_busy_exits_cleanly";

fn main() -> ExitCode {
    // `cargo test FILTER` hands its filter to every test program.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if !filters.is_empty() && !filters.iter().any(|f| NAME.contains(f.as_str())) {
        return ExitCode::SUCCESS;
    }
    if let Ok(url) = std::env::var(CHILD) {
        busy_child(&url);
        // Returning from `main` runs the `atexit` handlers while the
        // threads above are still talking to the server.
        return ExitCode::SUCCESS;
    }
    let url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
        .or_else(|| std::env::var("TEST_POSTGRES_URL").ok())
        .filter(|u| u.starts_with("postgres"));
    let Some(url) = url else {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        if ci {
            eprintln!("exit: needs PostgreSQL in CI: set TEST_DATABASE_URL or TEST_POSTGRES_URL");
            return ExitCode::FAILURE;
        }
        eprintln!("\n*** SKIPPED {NAME}: needs PostgreSQL (set TEST_POSTGRES_URL) ***\n");
        return ExitCode::SUCCESS;
    };
    let me = std::env::current_exe().expect("the test's own path");
    let mut failures = Vec::new();
    for run in 1..=RUNS {
        let out = Command::new(&me)
            .env(CHILD, &url)
            .output()
            .expect("start the child");
        if !out.status.success() {
            failures.push(format!(
                "run {run}: {} — {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    let verdict = if failures.is_empty() { "ok" } else { "FAILED" };
    println!("test {NAME} ... {verdict}");
    if failures.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "{} of {RUNS} processes ended by a signal or an error instead of exiting cleanly:\n{}",
        failures.len(),
        failures.join("\n")
    );
    ExitCode::FAILURE
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
