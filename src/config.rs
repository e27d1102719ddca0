//! Settings, from flags with environment fallbacks (see `main.rs`).

use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime, Utc};

use crate::domain::dates::{china_date, china_time, china_to_utc};
use crate::domain::standing::StandingPolicy;

/// Everything the portal needs to start.
#[derive(Clone)]
pub struct Settings {
    /// Address to listen on, e.g. `127.0.0.1:8080`; port 0 picks a free one.
    pub bind: String,
    /// Folder for the SQLite file and the embedded search index.
    pub data_dir: PathBuf,
    /// `postgres://…`, `sqlite://PATH` or a path; `None` for the SQLite file
    /// in the data folder.
    pub database_url: Option<String>,
    /// Meilisearch address, when search runs there.
    pub meili_url: Option<String>,
    /// Meilisearch key. Never logged.
    pub meili_master_key: Option<String>,
    /// Prefix of the Meilisearch index names, so that several portals or
    /// test runs share one server.
    pub meili_index_prefix: String,
    /// Load the province demo data when the database is empty.
    pub demo: bool,
    /// Pretend today is this date (demos and tests); `None` for the real
    /// date in China.
    pub today: Option<NaiveDate>,
    /// Default disclosure windows and the annual review calendar.
    pub standing_policy: StandingPolicy,
    /// HTTP worker threads; 0 for one per core.
    pub http_workers: usize,
    /// Database connections in the pool.
    pub pool_size: u32,
    /// Key that signs standing certificates (64 hex characters or base64);
    /// `None`: a key generated once into `<data dir>/signing.key`. Several
    /// portal processes must share one configured key.
    pub signing_key: Option<String>,
    /// Public base address (e.g. `https://portal.example.gov.cn`) for
    /// printed links and QR codes; `None`: taken from the request.
    pub public_url: Option<String>,
    /// Complaints: key, deadlines, retention, rate limits.
    pub complaints: crate::complaints::ComplaintSettings,
    /// Largest admin import body accepted, in bytes.
    pub import_limit_bytes: usize,
    /// What an import body (API or command line) may expand to:
    /// decompressed bytes, rows, columns, characters a cell.
    pub import_limits: crate::import::Limits,
    /// Per-address limits on search and verify, and whether to trust
    /// `X-Forwarded-For`.
    pub scraper_rates: crate::web::rate_limit::ScraperRates,
    /// Whether this process drains the search outbox in the background
    /// (tests of what a write puts into the outbox turn it off).
    pub run_indexer: bool,
    /// How long a rendered public answer may be served again (zero: never);
    /// see `web::page_cache`.
    pub page_cache_ttl: std::time::Duration,
    /// Memory for kept answers, in bytes.
    pub page_cache_bytes: usize,
    /// Fewest practising workers an office may have before it is a
    /// shell-office candidate (plan rule 7).
    pub min_office_workers: u32,
    /// How long the oldest due search-outbox row may wait before `/readyz`
    /// answers 503 (search would be answering from a stale index).
    pub readiness_max_lag: std::time::Duration,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(crate::db::redact_url),
            )
            .field("meili_url", &self.meili_url)
            .field(
                "meili_master_key",
                &self.meili_master_key.as_ref().map(|_| "***"),
            )
            .field("demo", &self.demo)
            .field("today", &self.today)
            .field("complaints", &self.complaints)
            .finish_non_exhaustive()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            meili_url: None,
            meili_master_key: None,
            meili_index_prefix: String::new(),
            demo: false,
            today: None,
            standing_policy: StandingPolicy::default(),
            http_workers: 0,
            pool_size: 8,
            signing_key: None,
            public_url: None,
            complaints: Default::default(),
            import_limit_bytes: 50 * 1024 * 1024,
            import_limits: crate::import::Limits::default(),
            scraper_rates: Default::default(),
            run_indexer: true,
            page_cache_ttl: std::time::Duration::from_secs(10),
            page_cache_bytes: 16 * 1024 * 1024,
            min_office_workers: 3,
            readiness_max_lag: std::time::Duration::from_secs(300),
        }
    }
}

impl Settings {
    /// Whether the portal is served over TLS: its public address starts
    /// with `https://`. Turns on HSTS and `Secure` cookies.
    pub fn served_over_tls(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"))
    }

    /// The database URL in force.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            self.data_dir
                .join("legal-portal.db")
                .to_string_lossy()
                .into_owned()
        })
    }

    /// What the plan's rules are checked under.
    pub fn rule_settings(&self) -> crate::domain::plan_rules::RuleSettings {
        crate::domain::plan_rules::RuleSettings {
            review_due: self.standing_policy.review_due,
            min_office_workers: self.min_office_workers,
        }
    }

    /// The clock the portal reads dates from.
    pub fn clock(&self) -> Clock {
        Clock { fixed: self.today }
    }
}

/// Today's date in China (UTC+8, no daylight saving), or a fixed date.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    fixed: Option<NaiveDate>,
}

impl Clock {
    /// A clock fixed on `date`.
    pub fn fixed(date: NaiveDate) -> Self {
        Self { fixed: Some(date) }
    }

    /// Today.
    pub fn today(&self) -> NaiveDate {
        self.fixed
            .unwrap_or_else(|| china_date(Utc::now().naive_utc()))
    }

    /// Now, UTC. On a fixed clock: the fixed day in China at the real time
    /// of day, so events keep their order and fall on the fixed day.
    pub fn now_utc(&self) -> NaiveDateTime {
        let real = Utc::now().naive_utc();
        match self.fixed {
            None => real,
            Some(day) => china_to_utc(day, china_time(real)),
        }
    }
}
