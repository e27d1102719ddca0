//! The database: SQLite or PostgreSQL behind one connection type, chosen by
//! the URL scheme, with embedded migrations run before the pool is built.

pub mod announcements;
pub mod audit;
pub mod certificates;
pub mod changes;
pub mod complaints;
pub mod districts;
pub mod exit;
pub mod history;
pub mod imports;
pub mod meta;
pub mod models;
pub mod ops;
pub mod outbox;
pub mod profiles;
pub mod public_lists;
pub mod rate_limits;
mod reads;
pub mod schema;
pub mod tokens;
pub mod users;
pub mod webhooks;

use std::time::Duration;

use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// Migrations for SQLite.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
/// Migrations for PostgreSQL.
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

pub use connection::DbConnection;

mod connection {
    // The derive generates undocumented items of its own.
    #![allow(missing_docs)]

    /// One connection to either backend.
    #[derive(diesel::MultiConnection)]
    pub enum DbConnection {
        /// SQLite, the embedded default.
        Sqlite(diesel::SqliteConnection),
        /// PostgreSQL, for a province or the nation.
        Pg(diesel::PgConnection),
    }
}

/// Runs `$body` with `$c` bound to the concrete connection inside a
/// [`DbConnection`], for the few statements (upserts, batch inserts) that do
/// not compile against the multi backend.
#[macro_export]
macro_rules! with_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Pg($c) => $body,
        }
    };
}

/// Rows per statement of a multi-row insert ([`insert_batched!`]).
pub const INSERT_BATCH: usize = 128;

/// Runs the multi-row insert `$insert` over the slice `$rows`, with `$c` the
/// concrete connection (as [`with_backend!`]) and `$chunk` the rows of one
/// statement: [`INSERT_BATCH`] rows as an array, then the rest as a slice.
/// Evaluates to the number of rows written; `?` passes a failure on.
///
/// diesel keeps a batch's prepared statement only when the batch's length
/// is part of its type: a batch given as a slice or `Vec` is written out as
/// SQL and parsed by the database afresh on every call, thousands of rows
/// at a time. Full arrays of a fixed length run one kept statement, and at
/// most one shorter statement per call is parsed. 128 rows keep every
/// table's statement far under SQLite's 32,766 and PostgreSQL's 65,535
/// bound values. The rows must own their values (a batch that borrows
/// cannot name its statement by type). Measured with the models' `None`
/// written as NULL (`db::models`): 100,000 workers into a fresh SQLite
/// database 1.74 → 1.46 s end to end (issue 15, docs/performance.md).
#[macro_export]
macro_rules! insert_batched {
    ($conn:expr, $rows:expr, |$c:ident, $chunk:ident| $insert:expr) => {{
        let (full, rest) = $rows.as_chunks::<{ $crate::db::INSERT_BATCH }>();
        let mut written = 0usize;
        for $chunk in full {
            written += $crate::with_backend!(&mut *$conn, |$c| $insert)?;
        }
        if !rest.is_empty() {
            let $chunk = rest;
            written += $crate::with_backend!(&mut *$conn, |$c| $insert)?;
        }
        written
    }};
}

/// A pool of connections.
pub type Pool = r2d2::Pool<Manager>;
/// A connection taken from the pool.
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Errors of the database layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no backend this binary knows.
    #[error("unsupported database URL scheme in {0:?}: use postgres://… or a SQLite path")]
    UnsupportedUrl(String),
    /// Could not connect.
    #[error("could not connect to the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    /// A query failed.
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    /// The pool could not hand out a connection.
    #[error("database pool: {0}")]
    Pool(#[from] ::r2d2::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// A stored value is not what the schema promises.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
}

/// Which backend a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// Tells the backend from the URL: `postgres://` or `postgresql://` is
/// PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or a bare path is SQLite.
pub fn backend_of(url: &str) -> Backend {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Makes the SQLite database and its journal files private (0600): they
/// hold complaints and tokens. Created here first when missing, so that
/// SQLite, which gives its `-wal` and `-shm` files the database's mode,
/// never makes them readable by others. A failure is logged, and SQLite
/// then reports what it cannot open.
fn private_sqlite_files(path: &str) {
    if path == ":memory:" || path.is_empty() || path.starts_with("file:") {
        return;
    }
    // Never open a file SQLite may already hold in this process: closing
    // any descriptor of it drops all of the process's locks on it, and the
    // pool's other connections then fail with "disk I/O error". The file is
    // created (0600) only when missing; existing files are only chmod-ed.
    let db = std::path::Path::new(path);
    let made = if db.exists() {
        crate::secrets::tighten(db)
    } else {
        crate::secrets::private_file(db)
    };
    if let Err(e) = made {
        tracing::warn!(path, error = %e, "cannot make the database file private");
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        let extra = std::path::PathBuf::from(format!("{path}{suffix}"));
        if extra.exists()
            && let Err(e) = crate::secrets::tighten(&extra)
        {
            tracing::warn!(path = %extra.display(), error = %e, "cannot make a database file private");
        }
    }
}

/// Initialises OpenSSL, which libpq speaks TLS through, without the
/// `atexit` handler that frees its tables when the process exits: a thread
/// still in a TLS handshake, read or write at that moment (the pool opening
/// a connection, the indexer's query) would touch freed memory and the
/// process would die of SIGSEGV after its work was done (`tests/exit.rs`).
/// Takes effect only before OpenSSL's first use, so [`establish`] calls it
/// before every PostgreSQL connection; code opening a `PgConnection` of its
/// own must call it first too. Idempotent and cheap after the first call.
pub fn init_openssl() {
    openssl_sys::init();
}

/// Opens one connection, with the SQLite pragmas set.
pub fn establish(url: &str) -> Result<DbConnection, DbError> {
    match backend_of(url) {
        Backend::Postgres => {
            init_openssl();
            Ok(DbConnection::Pg(diesel::PgConnection::establish(url)?))
        }
        Backend::Sqlite => {
            let path = sqlite_path(url);
            if path.contains("://") {
                return Err(DbError::UnsupportedUrl(redact_url(url)));
            }
            private_sqlite_files(path);
            let mut c = diesel::SqliteConnection::establish(path)?;
            use diesel::connection::SimpleConnection;
            // mmap_size: the database file is read through memory the
            // kernel maps (up to 1 GiB of it), not copied page by page into
            // each connection's 2 MB cache with one `pread` a page missed:
            // 8.4 of them a profile at random at the nation's scale (issue
            // 15). Mapped pages are the kernel's file cache, shared, not the
            // process's private memory.
            c.batch_execute(&format!(
                "PRAGMA busy_timeout = {}; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON; PRAGMA mmap_size = 1073741824;",
                SQLITE_BUSY_TIMEOUT.as_millis()
            ))?;
            switch_to_wal(&mut c, SQLITE_BUSY_TIMEOUT)?;
            Ok(DbConnection::Sqlite(c))
        }
    }
}

/// How long a SQLite connection waits for another's lock (`busy_timeout`).
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Puts the database in WAL mode (a no-op once it is: the mode is kept in
/// the file). On a new file in rollback mode the switch reads the header
/// under a shared lock, then asks for the exclusive one; when another
/// connection holds a shared lock meanwhile, SQLite answers "database is
/// locked" at once without waiting (waiting could deadlock the two). Portals
/// starting together on a new file met that; the switch is tried again
/// until `patience` runs out, as `busy_timeout` would have waited.
fn switch_to_wal(c: &mut diesel::SqliteConnection, patience: Duration) -> Result<(), DbError> {
    use diesel::connection::SimpleConnection;
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match c.batch_execute("PRAGMA journal_mode = WAL") {
            Err(diesel::result::Error::DatabaseError(_, info))
                if is_busy(info.message()) && started.elapsed() < patience =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            done => return Ok(done?),
        }
    }
}

/// Whether SQLite's message says another connection holds the lock.
fn is_busy(message: &str) -> bool {
    message.starts_with("database is locked")
}

/// Makes the open transaction a writer now, waiting (`busy_timeout`) for
/// another writer to finish. On SQLite a deferred transaction that reads
/// first and writes later cannot wait when another connection writes
/// meanwhile: it fails at once with "database is locked". Call it first in
/// a transaction that reads before it writes. A no-op on PostgreSQL.
pub fn lock_for_writing(conn: &mut DbConnection) -> Result<(), DbError> {
    use diesel::connection::SimpleConnection;
    if let DbConnection::Sqlite(c) = conn {
        // A write statement takes the write lock even when it changes no row.
        c.batch_execute("UPDATE __diesel_schema_migrations SET version = version WHERE 0")?;
    }
    Ok(())
}

/// Whether `conn` still reaches the server: a connection holding a
/// session-level advisory lock holds it exactly as long as it does (a
/// server restart, a failover or an idle-session timeout ends both).
pub fn still_connected(conn: &mut DbConnection) -> bool {
    crate::with_backend!(conn, |c| diesel::sql_query("SELECT 1").execute(c)).is_ok()
}

pub use crate::config::redact_url;

/// Advisory lock key held on PostgreSQL while migrations run.
const MIGRATION_LOCK: i64 = 0x4D49_4752_4154; // "MIGRAT"

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    locked: bool,
}

/// Runs every pending migration of the URL's backend, once however many
/// processes start together on one database: the others wait, then find
/// nothing pending. PostgreSQL: under a session advisory lock on this
/// connection, released before returning. SQLite: inside one `BEGIN
/// IMMEDIATE` transaction (the write lock; another process waits for it up
/// to `busy_timeout`), taken only when a migration is pending so that a
/// start beside a long import does not wait for it.
pub fn run_migrations(conn: &mut DbConnection) -> Result<(), DbError> {
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
    match conn {
        DbConnection::Sqlite(c) => {
            if c.has_pending_migration(SQLITE_MIGRATIONS).map_err(failed)? {
                c.immediate_transaction(|c| {
                    c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ())
                })
                .map_err(failed)?;
            }
            Ok(())
        }
        DbConnection::Pg(c) => {
            let locked: Locked = diesel::sql_query(format!(
                "SELECT pg_try_advisory_lock({MIGRATION_LOCK}) AS locked"
            ))
            .get_result(c)?;
            if !locked.locked {
                tracing::info!("waiting for another portal process to finish the migrations");
                diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})::text"))
                    .execute(c)?;
            }
            let ran = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ());
            let unlocked =
                diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})::text"))
                    .execute(c);
            ran.map_err(failed)?;
            unlocked?;
            Ok(())
        }
    }
}

/// Reverts every applied migration (for the migration round-trip test and
/// for a clean rebuild).
pub fn revert_all_migrations(conn: &mut DbConnection) -> Result<(), DbError> {
    let result = match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(|_| ()),
        DbConnection::Pg(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
    };
    result.map_err(|e| DbError::Migration(e.to_string()))
}

/// The r2d2 manager: connects by URL scheme and checks connections with a
/// trivial query.
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = DbError;

    fn connect(&self) -> Result<DbConnection, DbError> {
        establish(&self.url)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), DbError> {
        diesel::sql_query("SELECT 1").execute(conn)?;
        Ok(())
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// Connects, runs migrations and builds the pool.
pub fn connect(url: &str, max_size: u32) -> Result<Pool, DbError> {
    let mut first = establish(url)?;
    run_migrations(&mut first)?;
    drop(first);
    let max_size = match backend_of(url) {
        Backend::Sqlite => max_size.max(2),
        Backend::Postgres => max_size,
    };
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        // A SQLite connection is a file handle in this process and cannot
        // go stale; asking it `SELECT 1` on every checkout was ≈ 3 % of a
        // search. A PostgreSQL connection can drop, so it is still asked.
        .test_on_check_out(backend_of(url) == Backend::Postgres)
        .build(Manager {
            url: url.to_owned(),
        })?;
    Ok(pool)
}
