//! Settings, from flags with environment fallbacks (see `main.rs`).

use std::path::PathBuf;
use std::time::Duration;

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
    pub complaints: ComplaintSettings,
    /// Largest admin import body accepted, in bytes.
    pub import_limit_bytes: usize,
    /// What an import body (API or command line) may expand to:
    /// decompressed bytes, rows, columns, characters a cell.
    pub import_limits: Limits,
    /// Per-address limits on search and verify, and whether to trust
    /// `X-Forwarded-For`.
    pub scraper_rates: ScraperRates,
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
                &self.database_url.as_deref().map(redact_url),
            )
            .field("meili_url", &self.meili_url.as_deref().map(redact_url))
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
            import_limits: Limits::default(),
            scraper_rates: Default::default(),
            run_indexer: true,
            page_cache_ttl: std::time::Duration::from_secs(10),
            page_cache_bytes: 8 * 1024 * 1024,
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

    /// The day in China at `utc` (or the fixed date): one reading of the
    /// clock gives both the time and the day, so work done around
    /// midnight does not pair one day's date with the next day's time.
    pub fn today_at(&self, utc: NaiveDateTime) -> NaiveDate {
        self.fixed.unwrap_or_else(|| china_date(utc))
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

/// How many requests an address may make over a period: a burst of `max`,
/// refilled evenly over `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests allowed in a burst (and per period).
    pub max: u32,
    /// The period.
    pub per: Duration,
}

impl Rate {
    /// `max` per hour.
    pub fn per_hour(max: u32) -> Self {
        Self {
            max,
            per: Duration::from_secs(3600),
        }
    }

    /// Parses `10/h`, `5/min`, `2/s` or `100/d` (also `/hour`, `/minute`,
    /// `/second`, `/day`).
    pub fn parse(raw: &str) -> Option<Self> {
        let (n, unit) = raw.trim().split_once('/')?;
        let max: u32 = n.trim().parse().ok()?;
        let secs = match unit.trim() {
            "s" | "sec" | "second" => 1,
            "m" | "min" | "minute" => 60,
            "h" | "hour" => 3600,
            "d" | "day" => 86_400,
            _ => return None,
        };
        (max > 0).then_some(Self {
            max,
            per: Duration::from_secs(secs),
        })
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}s", self.max, self.per.as_secs())
    }
}

/// The limits on the routes scrapers like: search and verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScraperRates {
    /// `/search` and `/api/v1/search`, per address.
    pub search: Rate,
    /// `/verify`, `/lookup`, `/certificates/…` and their API twins, per
    /// address.
    pub verify: Rate,
    /// Take the client address from the last `X-Forwarded-For` entry (the
    /// one the load balancer in front of the portal added) instead of the
    /// connection's. Only behind a trusted proxy: otherwise anyone could
    /// pick their own address.
    pub trust_forwarded_for: bool,
}

impl Default for ScraperRates {
    fn default() -> Self {
        Self {
            search: Rate {
                max: 60,
                per: Duration::from_secs(60),
            },
            verify: Rate {
                max: 30,
                per: Duration::from_secs(60),
            },
            trust_forwarded_for: false,
        }
    }
}

/// What the complaint desk is configured with.
#[derive(Clone)]
pub struct ComplaintSettings {
    /// `LEGAL_PORTAL_COMPLAINT_KEY`: 64 hex characters or base64 of 32
    /// bytes. Unset: a key is kept in `<data dir>/complaint.key`. Never
    /// logged.
    pub key: Option<String>,
    /// Days to accept and to conclude.
    pub deadlines: crate::domain::complaint::Deadlines,
    /// Days after a complaint is declined or concluded before its personal
    /// data is purged.
    pub retention_days: u32,
    /// Filings allowed per address (form and API together).
    pub submit_rate: Rate,
    /// Status look-ups allowed per address (page and API together).
    pub lookup_rate: Rate,
    /// How often the retention job runs.
    pub purge_every: Duration,
}

impl Default for ComplaintSettings {
    fn default() -> Self {
        Self {
            key: None,
            deadlines: crate::domain::complaint::Deadlines::default(),
            retention_days: 730,
            submit_rate: Rate::per_hour(10),
            lookup_rate: Rate::per_hour(120),
            purge_every: Duration::from_secs(3600),
        }
    }
}

impl std::fmt::Debug for ComplaintSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComplaintSettings")
            .field("key", &self.key.as_ref().map(|_| "***"))
            .field("deadlines", &self.deadlines)
            .field("retention_days", &self.retention_days)
            .field("submit_rate", &self.submit_rate)
            .field("lookup_rate", &self.lookup_rate)
            .finish_non_exhaustive()
    }
}

/// The import limits (`import::Limits`): the limits an upload is held to, beyond its size in bytes: what it may
/// expand to once decompressed and parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Decompressed bytes of an XLSX (the sum of its ZIP entries).
    pub expanded_bytes: u64,
    /// Data rows.
    pub rows: usize,
    /// Columns of the header row (and cells of any row).
    pub columns: usize,
    /// Characters of one cell.
    pub cell_chars: usize,
}

impl Default for Limits {
    /// 256 MB decompressed, 1,000,000 rows, 64 columns, 32,767 characters
    /// a cell (Excel's own limit): a nation's worker list (about 600,000
    /// rows in the 50 MB body limit) fits.
    fn default() -> Self {
        Self {
            expanded_bytes: 256 * 1024 * 1024,
            rows: 1_000_000,
            columns: 64,
            cell_chars: 32_767,
        }
    }
}

/// The URL with any password replaced, fit for logs and errors: the one
/// in the user part, and the value of every query parameter that names a
/// secret (`?password=…`, `sslpassword=…`, a token or key), which libpq
/// reads as well.
pub fn redact_url(url: &str) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return url.to_owned();
    };
    let secret = |name: &str| {
        let name = name.to_ascii_lowercase();
        ["password", "secret", "token", "key"]
            .iter()
            .any(|s| name.contains(s))
    };
    let mut changed = false;
    if u.password().is_some() {
        let _ = u.set_password(Some("***"));
        changed = true;
    }
    if u.query_pairs().any(|(k, _)| secret(&k)) {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let v = if secret(&k) {
                    "***".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        changed = true;
    }
    if changed {
        u.to_string()
    } else {
        url.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn secrets_in_a_url_are_hidden_wherever_they_stand() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db/portal"),
            "postgres://app:***@db/portal"
        );
        let r = redact_url(
            "postgres://app@db/portal?sslmode=require&password=hunter2&sslpassword=x%20y",
        );
        assert!(
            !r.contains("hunter2") && !r.contains("x+y") && !r.contains("x%20y"),
            "{r}"
        );
        assert!(
            r.contains("sslmode=require") && r.contains("password=***"),
            "{r}"
        );
        let r = redact_url("http://meili:7700/?apiKey=abc");
        assert!(!r.contains("abc"), "{r}");
        for plain in [
            "postgres://app@db/portal?sslmode=require",
            "data/legal-portal.db",
        ] {
            assert_eq!(redact_url(plain), plain);
        }
    }
}
