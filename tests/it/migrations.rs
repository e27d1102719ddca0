use std::path::Path;

use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::Text;
use legal_portal::db::{self, DbConnection};

use crate::helpers::{PgTestDb, in_ci};

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

fn names(dir: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dir);
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| {
            for file in ["up.sql", "down.sql"] {
                assert!(
                    e.path().join(file).is_file(),
                    "{} lacks {file}",
                    e.path().display()
                );
            }
            e.file_name().to_string_lossy().into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn both_backends_carry_the_same_migrations() {
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite,
        names("postgres"),
        "migrations/sqlite and migrations/postgres differ"
    );
}

fn schema(conn: &mut DbConnection) -> Vec<String> {
    let queries: &[&str] = match conn {
        DbConnection::Sqlite(_) => &[
            "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') AS line FROM sqlite_master \
             WHERE name NOT LIKE '__diesel%' AND name NOT LIKE 'sqlite_%' ORDER BY type, name",
        ],
        DbConnection::Pg(_) => &[
            "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable \
             || ' ' || COALESCE(column_default, '') || ' ' || COALESCE(is_identity, '') AS line \
             FROM information_schema.columns WHERE table_schema = 'public' \
             AND table_name <> '__diesel_schema_migrations' ORDER BY table_name, ordinal_position",
            "SELECT indexname || ' ' || indexdef AS line FROM pg_indexes WHERE schemaname = 'public' \
             AND tablename <> '__diesel_schema_migrations' ORDER BY indexname",
            "SELECT tc.table_name || ' ' || tc.constraint_type || ' ' || \
             string_agg(kcu.column_name, ',' ORDER BY kcu.ordinal_position) AS line \
             FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage kcu \
             ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema \
             WHERE tc.table_schema = 'public' AND tc.table_name <> '__diesel_schema_migrations' \
             GROUP BY tc.table_name, tc.constraint_name, tc.constraint_type ORDER BY 1",
        ],
    };
    let mut lines = Vec::new();
    for q in queries {
        let rows: Vec<Line> = sql_query(*q).load(conn).expect("read the schema");
        lines.extend(rows.into_iter().map(|l| l.line));
    }
    lines
}

fn round_trip(url: &str) {
    let mut conn = db::establish(url).expect("connect");
    db::run_migrations(&mut conn).expect("up");
    let first = schema(&mut conn);
    assert!(
        first.iter().any(|l| l.contains("workers")),
        "the schema has the workers table"
    );
    db::revert_all_migrations(&mut conn).expect("down");
    assert_eq!(
        schema(&mut conn),
        Vec::<String>::new(),
        "down leaves no table behind"
    );
    db::run_migrations(&mut conn).expect("up again");
    assert_eq!(
        schema(&mut conn),
        first,
        "up → down → up changes the schema"
    );
}

#[test]
fn sqlite_up_down_up_leaves_the_same_schema() {
    let dir = tempfile::tempdir().unwrap();
    round_trip(&dir.path().join("m.db").to_string_lossy());
}

#[test]
fn postgres_up_down_up_leaves_the_same_schema() {
    let admin = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let pg = match PgTestDb::create(&admin) {
        Ok(pg) => pg,
        Err(e) if !in_ci() => {
            eprintln!(
                "\n*** SKIPPED postgres_up_down_up_leaves_the_same_schema: PostgreSQL unreachable ({e}) ***\n"
            );
            return;
        }
        Err(e) => panic!("CI must provide PostgreSQL: {e}"),
    };
    round_trip(&pg.url);
}

/// A new connection must not drop the locks another connection of the same
/// process holds on the SQLite file (closing any descriptor of it would:
/// the pool then failed with "disk I/O error" once it grew under load).
#[test]
fn a_new_sqlite_connection_keeps_the_others_locks() {
    use diesel::connection::SimpleConnection;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("locks.db");
    let url = path.to_string_lossy().into_owned();
    let mut a = db::establish(&url).expect("first connection");
    a.batch_execute("CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);")
        .expect("a holds the write lock");
    let mut b = db::establish(&url).expect("second connection");
    b.batch_execute("PRAGMA busy_timeout = 0;")
        .expect("no waiting");
    let err = b
        .batch_execute("INSERT INTO t VALUES (2);")
        .expect_err("the first connection's write lock still holds");
    assert!(
        err.to_string().contains("locked"),
        "expected 'database is locked', got: {err}"
    );
    a.batch_execute("COMMIT;")
        .expect("the first connection commits");
    b.batch_execute("INSERT INTO t VALUES (2);")
        .expect("and then the second may write");
}

/// Starts `processes` "portals" on the empty database at `url` at the same
/// moment (each calls `db::connect`, which migrates, as `serve` does), then
/// checks that every one got a working pool and that the migrations ran
/// once: each embedded version recorded, the schema whole.
fn starting_together(url: &str, processes: usize) {
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(processes));
    let starts: Vec<_> = (0..processes)
        .map(|_| {
            let (barrier, url) = (barrier.clone(), url.to_owned());
            std::thread::spawn(move || {
                barrier.wait();
                db::connect(&url, 2)
            })
        })
        .collect();
    for (n, start) in starts.into_iter().enumerate() {
        let pool = start
            .join()
            .expect("the starting thread does not panic")
            .unwrap_or_else(|e| panic!("portal {n} failed to start beside the others: {e}"));
        let mut conn = pool.get().expect("a pooled connection");
        let empty = db::meta::is_empty(&mut conn)
            .unwrap_or_else(|e| panic!("portal {n} cannot query its database: {e}"));
        assert!(empty, "a fresh database holds no districts");
    }
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = Text)]
        version: String,
    }
    let mut conn = db::establish(url).expect("connect");
    let recorded: Vec<String> =
        sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
            .load::<Version>(&mut conn)
            .expect("read the applied migrations")
            .into_iter()
            .map(|v| v.version)
            .collect();
    let embedded: Vec<String> = names("sqlite")
        .iter()
        .map(|n| n.split('_').next().unwrap_or_default().replace('-', ""))
        .collect();
    assert_eq!(recorded, embedded, "each migration recorded once");
    assert!(
        schema(&mut conn).iter().any(|l| l.contains("workers")),
        "the schema has the workers table"
    );
}

#[test]
fn portals_starting_together_on_an_empty_sqlite_file_migrate_once_and_all_serve() {
    let dir = tempfile::tempdir().expect("temp dir");
    starting_together(&dir.path().join("together.db").to_string_lossy(), 4);
}

/// Connections opening one new SQLite file at the same moment each switch
/// it to WAL; SQLite refuses such a switch at once ("database is locked")
/// when another holds a shared lock, without waiting. Every one must open.
#[test]
fn connections_opening_a_new_sqlite_file_together_all_open() {
    let dir = tempfile::tempdir().expect("temp dir");
    let threads = 8;
    for round in 0..25 {
        let path = dir.path().join(format!("new-{round}.db"));
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(threads));
        let opens: Vec<_> = (0..threads)
            .map(|_| {
                let (barrier, url) = (barrier.clone(), path.to_string_lossy().into_owned());
                std::thread::spawn(move || {
                    barrier.wait();
                    db::establish(&url).map(|_| ())
                })
            })
            .collect();
        for (n, open) in opens.into_iter().enumerate() {
            open.join()
                .expect("the opening thread does not panic")
                .unwrap_or_else(|e| panic!("round {round}: connection {n} failed to open: {e}"));
        }
        #[derive(QueryableByName)]
        struct Mode {
            #[diesel(sql_type = Text)]
            journal_mode: String,
        }
        let mut conn = db::establish(&path.to_string_lossy()).expect("connect");
        let mode = sql_query("PRAGMA journal_mode")
            .get_result::<Mode>(&mut conn)
            .expect("read the journal mode");
        assert_eq!(mode.journal_mode, "wal", "the file is in WAL mode");
    }
}

#[test]
fn portals_starting_together_on_an_empty_postgresql_migrate_once_and_all_serve() {
    let Some(pg) = crate::helpers::postgres_or_skip(
        "portals_starting_together_on_an_empty_postgresql_migrate_once_and_all_serve",
    ) else {
        return;
    };
    starting_together(&pg.url, 4);
}
