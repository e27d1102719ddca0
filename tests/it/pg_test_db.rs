//! A PostgreSQL database made for one test and dropped after it; shared by
//! the integration tests (`helpers`) and `tests/exit.rs` (a test program of
//! its own, which includes this file by path).

use diesel::prelude::*;
use diesel::sql_query;
use legal_portal::db;

/// A PostgreSQL database made for one test and dropped after it.
pub struct PgTestDb {
    admin_url: String,
    name: String,
    /// URL of the test database.
    pub url: String,
}

impl PgTestDb {
    /// The server to make test databases on: `TEST_DATABASE_URL` when it
    /// names PostgreSQL, else `TEST_POSTGRES_URL` (which `.ci/run` sets in
    /// its SQLite pass for the tests that need PostgreSQL whatever the
    /// backend).
    pub fn admin_url() -> Option<String> {
        std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))
            .or_else(|| std::env::var("TEST_POSTGRES_URL").ok())
            .filter(|u| u.starts_with("postgres"))
    }

    /// Creates `test_<uuid>` on the server of `admin_url`.
    pub fn create(admin_url: &str) -> Result<Self, String> {
        // Before libpq's first TLS use, as `db::establish` does.
        db::init_openssl();
        let mut admin = diesel::PgConnection::establish(admin_url).map_err(|e| e.to_string())?;
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .map_err(|e| e.to_string())?;
        let mut url = url::Url::parse(admin_url).map_err(|e| e.to_string())?;
        url.set_path(&format!("/{name}"));
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        })
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = diesel::PgConnection::establish(&self.admin_url) {
            let _ = sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}
