//! The `legal-portal` command: serve the portal, load demo data, manage
//! admin tokens.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use legal_portal::complaints::ComplaintSettings;
use legal_portal::config::Settings;
use legal_portal::db;
use legal_portal::demo::{self, Scale};
use legal_portal::domain::complaint::Deadlines;
use legal_portal::domain::dates::parse_date;
use legal_portal::domain::standing::{ReviewDue, StandingPolicy};
use legal_portal::domain::vocab::{Role, TokenScope};
use legal_portal::web::Application;
use legal_portal::web::rate_limit::Rate;

/// Public directory and credit portal for grassroots legal services
/// (基层法律服务所 and 基层法律服务工作者).
#[derive(Parser)]
#[command(name = "legal-portal", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Command,
}

/// Settings every command shares.
#[derive(Args)]
struct Common {
    /// Folder for the SQLite database, the keys and the embedded search
    /// index; made private (0700, the database files 0600).
    #[arg(
        long,
        env = "LEGAL_PORTAL_DATA",
        default_value = "./data",
        global = true
    )]
    data_dir: PathBuf,
    /// Database URL: postgres://… for PostgreSQL, or a SQLite path.
    /// Default: legal-portal.db in the data folder.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    /// Meilisearch address; search uses the embedded engine when unset.
    #[arg(long, env = "MEILI_URL", global = true)]
    meili_url: Option<String>,
    /// Meilisearch key (never logged).
    #[arg(long, env = "MEILI_MASTER_KEY", global = true, hide_env_values = true)]
    meili_master_key: Option<String>,
    /// Key signing standing certificates (64 hex characters or base64);
    /// default: generated once into <data dir>/signing.key.
    #[arg(
        long,
        env = "LEGAL_PORTAL_SIGNING_KEY",
        global = true,
        hide_env_values = true
    )]
    signing_key: Option<String>,
    /// Public base address for printed links, QR codes, feeds and sitemaps,
    /// e.g. https://portal.example.gov.cn. Set it in production: unset, each
    /// request's Host header chooses them (a warning at start when the
    /// portal listens beyond loopback).
    #[arg(long, env = "LEGAL_PORTAL_PUBLIC_URL", global = true)]
    public_url: Option<String>,
    /// Prefix of the Meilisearch index names (several portals on one server).
    #[arg(long, env = "MEILI_INDEX_PREFIX", global = true, default_value = "")]
    meili_index_prefix: String,
    /// Pretend today is this date (YYYY-MM-DD), for demos and tests.
    #[arg(long, env = "LEGAL_PORTAL_TODAY", global = true, value_parser = parse_day)]
    today: Option<NaiveDate>,
    /// Key sealing complainants' names and phones (AES-256-GCM): 64 hex
    /// characters or base64 of 32 bytes. Unset: kept in complaint.key in the
    /// data folder, created on first start. Never logged.
    #[arg(
        long,
        env = "LEGAL_PORTAL_COMPLAINT_KEY",
        global = true,
        hide_env_values = true
    )]
    complaint_key: Option<String>,
    /// Days the bureau has to accept or decline a complaint.
    #[arg(
        long,
        env = "LEGAL_PORTAL_COMPLAINT_ACCEPT_DAYS",
        global = true,
        default_value_t = 7
    )]
    complaint_accept_days: u32,
    /// Days from acceptance to conclusion.
    #[arg(
        long,
        env = "LEGAL_PORTAL_COMPLAINT_CONCLUDE_DAYS",
        global = true,
        default_value_t = 60
    )]
    complaint_conclude_days: u32,
    /// Days after a complaint closes before its personal data is purged.
    #[arg(
        long,
        env = "LEGAL_PORTAL_COMPLAINT_RETENTION_DAYS",
        global = true,
        default_value_t = 730
    )]
    complaint_retention_days: u32,
    /// Complaints one address may file, e.g. 10/h, 3/min.
    #[arg(long, env = "LEGAL_PORTAL_COMPLAINT_RATE", global = true, default_value = "10/h", value_parser = parse_rate)]
    complaint_rate: Rate,
    /// Complaint status look-ups one address may make.
    #[arg(long, env = "LEGAL_PORTAL_COMPLAINT_LOOKUP_RATE", global = true, default_value = "120/h", value_parser = parse_rate)]
    complaint_lookup_rate: Rate,
    /// Searches one address may make (`/search`, `/api/v1/search`).
    #[arg(long, env = "LEGAL_PORTAL_SEARCH_RATE", global = true, default_value = "60/min", value_parser = parse_rate)]
    search_rate: Rate,
    /// Verifications one address may make (`/verify`, `/lookup`,
    /// `/certificates/…` and their API twins).
    #[arg(long, env = "LEGAL_PORTAL_VERIFY_RATE", global = true, default_value = "30/min", value_parser = parse_rate)]
    verify_rate: Rate,
    /// Seconds a rendered public page or API answer may be served again
    /// before it is rendered afresh; writes through this process and the
    /// indexer forget them at once. 0 turns the cache off.
    #[arg(
        long,
        env = "LEGAL_PORTAL_PAGE_CACHE_SECONDS",
        global = true,
        default_value_t = 10
    )]
    page_cache_seconds: u64,
    /// Memory for that cache, in MB of gzipped answers (8 MB hold about
    /// 2,000 profiles and search pages).
    #[arg(
        long,
        env = "LEGAL_PORTAL_PAGE_CACHE_MB",
        global = true,
        default_value_t = 8
    )]
    page_cache_mb: usize,
    /// Trust the load balancer's headers: the client address from
    /// X-Forwarded-For and, without a public URL, the host and scheme from
    /// Forwarded / X-Forwarded-Host / X-Forwarded-Proto (only behind a
    /// load balancer that sets them).
    #[arg(long, env = "LEGAL_PORTAL_TRUST_FORWARDED_FOR", global = true)]
    trust_forwarded_for: bool,
    /// Day (MM-DD) of year Y+1 by which the annual review of year Y is due;
    /// a subject that has not taken the latest due review is "not reviewed".
    #[arg(
        long,
        env = "LEGAL_PORTAL_REVIEW_DUE",
        global = true,
        default_value = "03-31"
    )]
    review_due: ReviewDue,
    /// Years a disciplinary action of the light kinds (训诫, 警告 and 通报批评)
    /// imported without `public_until` stays disclosed, from its decision.
    #[arg(
        long,
        env = "LEGAL_PORTAL_DISCLOSURE_YEARS_SHORT",
        global = true,
        default_value_t = 1,
        value_parser = clap::value_parser!(u32).range(1..=50)
    )]
    disclosure_years_short: u32,
    /// Years every other disciplinary action imported without
    /// `public_until` stays disclosed, from its decision.
    #[arg(
        long,
        env = "LEGAL_PORTAL_DISCLOSURE_YEARS",
        global = true,
        default_value_t = 3,
        value_parser = clap::value_parser!(u32).range(1..=50)
    )]
    disclosure_years: u32,
    /// Fewest practising workers an office may have before it is a
    /// shell-office candidate (plan rule 7).
    #[arg(
        long,
        env = "LEGAL_PORTAL_MIN_OFFICE_WORKERS",
        global = true,
        default_value_t = 3
    )]
    min_office_workers: u32,
    /// Seconds the oldest due search-outbox row may wait (changes not yet in
    /// the search index) before `/readyz` answers 503. Rows scheduled for a
    /// later standing change do not count until they fall due.
    #[arg(
        long,
        env = "LEGAL_PORTAL_READINESS_MAX_LAG_SECONDS",
        global = true,
        default_value_t = 300
    )]
    readiness_max_lag_seconds: u64,
    /// Imports (API and command line): most bytes an XLSX may decompress
    /// to, in MB (413 above it, before it is decompressed).
    #[arg(
        long,
        env = "LEGAL_PORTAL_IMPORT_MAX_EXPANDED_MB",
        global = true,
        default_value_t = 256
    )]
    import_max_expanded_mb: u64,
    /// Imports: most data rows in one batch (413 above it).
    #[arg(
        long,
        env = "LEGAL_PORTAL_IMPORT_MAX_ROWS",
        global = true,
        default_value_t = 1_000_000
    )]
    import_max_rows: usize,
    /// Imports: most columns in one batch (413 above it).
    #[arg(
        long,
        env = "LEGAL_PORTAL_IMPORT_MAX_COLUMNS",
        global = true,
        default_value_t = 64
    )]
    import_max_columns: usize,
    /// Imports: most characters in one cell (a row problem above it).
    #[arg(
        long,
        env = "LEGAL_PORTAL_IMPORT_MAX_CELL_CHARS",
        global = true,
        default_value_t = 32_767
    )]
    import_max_cell_chars: usize,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "LEGAL_PORTAL_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Load the province demo data when the database is empty.
        #[arg(long)]
        demo: bool,
        /// HTTP worker threads (0: one per core).
        #[arg(long, env = "LEGAL_PORTAL_WORKERS", default_value_t = 0)]
        workers: usize,
        /// Largest admin import body accepted, in MB (413 above it).
        #[arg(long, env = "LEGAL_PORTAL_IMPORT_LIMIT_MB", default_value_t = 50)]
        import_limit_mb: usize,
    },
    /// Import a dataset file (CSV, XLSX, JSON or NDJSON, by extension) in
    /// one transaction, as POST /admin/api/import/{dataset} does; prints
    /// the JSON report. Exit status 2 when the batch is rejected.
    Import {
        /// districts, offices, workers, transfers, reviews,
        /// disciplinary-actions, commendations or announcements.
        #[arg(value_parser = parse_dataset)]
        dataset: legal_portal::import::Dataset,
        /// The file: .csv (UTF-8 or GBK), .xlsx, .json or .ndjson.
        file: PathBuf,
        /// Check and report, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Testing only: abort the process after this many rows were
        /// written inside the open transaction, as a crash would.
        #[arg(long, hide = true)]
        abort_after_rows: Option<usize>,
    },
    /// Load deterministic demo data into an empty database.
    DemoData {
        /// province: 38 districts, ~300 offices, ~1,300 workers;
        /// nation: 15,000 offices, 70,000 workers.
        #[arg(long, default_value = "province", value_parser = parse_scale)]
        scale: Scale,
        /// Seed of the generator.
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
        /// Wipe the database first (every table, tokens included).
        #[arg(long)]
        replace: bool,
    },
    /// Rebuild the search index from the database (embedded engine: stop
    /// the portal first, or use POST /admin/api/reindex while it runs); a
    /// damaged embedded index folder is moved aside and rebuilt.
    Reindex,
    /// Check the search index against the database.
    Search {
        #[command(subcommand)]
        action: SearchCommand,
    },
    /// Manage admin API tokens.
    Token {
        #[command(subcommand)]
        action: TokenCommand,
    },
    /// Manage the accounts that sign in to the console at /admin.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
}

#[derive(Subcommand)]
enum SearchCommand {
    /// Compare the index with the database: documents by type, and for a
    /// sample of the subjects (or every document with --all) the name,
    /// standing, status, district and office the index holds. Prints the
    /// drift as JSON; exits 1 when there is any (and --repair was not
    /// given). Works while portals run on Meilisearch; on the embedded
    /// engine stop the portal first.
    Check {
        /// Compare every document, not a sample.
        #[arg(long)]
        all: bool,
        /// Subjects compared without --all.
        #[arg(long, default_value_t = 1000)]
        sample: usize,
        /// Send the differing subjects back through the outbox (a running
        /// portal's indexer redoes them); when the index holds documents
        /// the database no longer has, rebuild it instead.
        #[arg(long)]
        repair: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account and print a one-time password (or read one from
    /// standard input with --password-stdin; at least 12 characters).
    Create {
        /// The sign-in name (also what the audit log records).
        #[arg(long)]
        name: String,
        /// city (everything, every district), district (imports,
        /// compliance and exit candidates of its district) or complaints
        /// (the complaint desk).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The district (6-digit code) a district account belongs to; a
        /// complaints account may be limited to one.
        #[arg(long)]
        district: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password (printed, or read with --password-stdin) and end
    /// the account's sessions.
    ResetPassword {
        /// The account's name.
        #[arg(long)]
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account and end its sessions.
    Disable {
        /// The account's name.
        #[arg(long)]
        name: String,
    },
    /// List the accounts.
    List,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token and print it once; only its hash is stored.
    Create {
        /// A name for the token, e.g. the clerk or system using it.
        #[arg(long)]
        name: String,
        /// What the token may do: import, complaints, metrics (read
        /// /metrics only, for Prometheus) or admin (everything).
        #[arg(long, value_parser = parse_scope)]
        scope: TokenScope,
        /// Limit the token to one district (6-digit code): its imports
        /// refuse rows about other districts' subjects, and its reads show
        /// only that district.
        #[arg(long)]
        district: Option<String>,
    },
    /// Revoke a token by name.
    Revoke {
        /// The token's name.
        #[arg(long)]
        name: String,
    },
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    parse_date(s).ok_or_else(|| format!("not a date: {s:?} (use YYYY-MM-DD)"))
}

fn parse_rate(s: &str) -> Result<Rate, String> {
    Rate::parse(s).ok_or_else(|| format!("not a rate: {s:?} (use e.g. 10/h, 5/min)"))
}

fn parse_dataset(s: &str) -> Result<legal_portal::import::Dataset, String> {
    legal_portal::import::Dataset::parse(s).ok_or_else(|| {
        let all: Vec<&str> = legal_portal::import::Dataset::ALL
            .iter()
            .map(|d| d.key())
            .collect();
        format!("unknown dataset {s:?}: use one of {}", all.join(", "))
    })
}

fn parse_scale(s: &str) -> Result<Scale, String> {
    Scale::parse(s).ok_or_else(|| format!("unknown scale {s:?}: use province or nation"))
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("unknown role {s:?}: use city, district or complaints"))
}

/// The password to set: read from standard input when asked, else a new
/// random one that is printed once.
fn password_from(stdin: bool) -> anyhow::Result<(String, bool)> {
    if stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        Ok((password, false))
    } else {
        Ok((db::users::random_password(), true))
    }
}

fn parse_scope(s: &str) -> Result<TokenScope, String> {
    TokenScope::parse(s)
        .ok_or_else(|| format!("unknown scope {s:?}: use import, complaints, metrics or admin"))
}

/// mimalloc: a page allocates about a thousand times, and glibc's malloc
/// and free were 14 % of a profile's CPU (issue 15, `docs/performance.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Has mimalloc hand freed memory back to the system at once rather than
/// a second later (its default purge delay), as glibc's allocator did: with
/// the delay the nation's index build peaked at 203–204 MB private instead
/// of 131–136 MB (glibc: 177–182; issue 15, `docs/performance.md`).
/// `MIMALLOC_PURGE_DELAY`, when set, still has the last word.
#[allow(unsafe_code)]
fn return_freed_memory_at_once() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // `mi_option_purge_delay`'s place in mimalloc.h's `mi_option_e` (the
    // crate names no constant for it).
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: stores a number in mimalloc's option table; `main` calls it
    // first, before any other thread that could read the table exists.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
}

fn main() -> ExitCode {
    return_freed_memory_at_once();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,actix_server=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 / error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn settings(common: &Common) -> Settings {
    Settings {
        data_dir: common.data_dir.clone(),
        database_url: common.database_url.clone(),
        meili_url: common.meili_url.clone(),
        meili_master_key: common.meili_master_key.clone(),
        meili_index_prefix: common.meili_index_prefix.clone(),
        today: common.today,
        signing_key: common.signing_key.clone(),
        public_url: common.public_url.clone(),
        complaints: ComplaintSettings {
            key: common.complaint_key.clone(),
            deadlines: Deadlines {
                accept_days: common.complaint_accept_days,
                conclude_days: common.complaint_conclude_days,
            },
            retention_days: common.complaint_retention_days,
            submit_rate: common.complaint_rate,
            lookup_rate: common.complaint_lookup_rate,
            ..ComplaintSettings::default()
        },
        scraper_rates: legal_portal::web::rate_limit::ScraperRates {
            search: common.search_rate,
            verify: common.verify_rate,
            trust_forwarded_for: common.trust_forwarded_for,
        },
        page_cache_ttl: std::time::Duration::from_secs(common.page_cache_seconds),
        page_cache_bytes: common.page_cache_mb * 1024 * 1024,
        standing_policy: StandingPolicy {
            review_due: common.review_due,
            short_years: common.disclosure_years_short,
            long_years: common.disclosure_years,
        },
        min_office_workers: common.min_office_workers,
        readiness_max_lag: std::time::Duration::from_secs(common.readiness_max_lag_seconds),
        import_limits: legal_portal::import::Limits {
            expanded_bytes: common.import_max_expanded_mb.saturating_mul(1024 * 1024),
            rows: common.import_max_rows,
            columns: common.import_max_columns,
            cell_chars: common.import_max_cell_chars,
        },
        ..Settings::default()
    }
}

fn open(settings: &Settings) -> anyhow::Result<db::DbConnection> {
    let url = settings.database_url();
    if db::backend_of(&url) == db::Backend::Sqlite {
        legal_portal::secrets::private_dir(&settings.data_dir)?;
    }
    let mut conn = db::establish(&url)?;
    db::run_migrations(&mut conn)?;
    Ok(conn)
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = settings(&cli.common);
    match cli.command {
        Command::Serve {
            bind,
            demo,
            workers,
            import_limit_mb,
        } => {
            settings.bind = bind;
            settings.demo = demo;
            settings.http_workers = workers;
            settings.import_limit_bytes = import_limit_mb.saturating_mul(1024 * 1024);
            serve(settings)
        }
        Command::Import {
            dataset,
            file,
            dry_run,
            abort_after_rows,
        } => import_file(&settings, dataset, &file, dry_run, abort_after_rows),
        Command::DemoData {
            scale,
            seed,
            replace,
        } => {
            let mut conn = open(&settings)?;
            if replace {
                db::revert_all_migrations(&mut conn)?;
                db::run_migrations(&mut conn)?;
            } else if !db::meta::is_empty(&mut conn)? {
                anyhow::bail!(
                    "the database already holds data; use --replace to wipe it and load demo data"
                );
            }
            let started = std::time::Instant::now();
            let summary = demo::load_scale(&mut conn, scale, seed, settings.clock().today())?;
            println!(
                "{}",
                serde_json::json!({"scale": scale.key(), "seed": seed, "loaded": summary,
                    "seconds": started.elapsed().as_secs_f64()})
            );
            Ok(())
        }
        Command::Reindex => reindex(settings),
        Command::Search {
            action:
                SearchCommand::Check {
                    all,
                    sample,
                    repair,
                },
        } => search_check(
            settings,
            legal_portal::search::check::CheckOptions {
                all,
                sample,
                repair,
            },
        ),
        Command::Token { action } => {
            let mut conn = open(&settings)?;
            match action {
                TokenCommand::Create {
                    name,
                    scope,
                    district,
                } => {
                    if let Some(code) = &district
                        && db::imports::existing_districts(&mut conn, &[code.clone()].into())?
                            .is_empty()
                    {
                        anyhow::bail!("no district with code {code:?}");
                    }
                    let token =
                        db::tokens::create_limited(&mut conn, &name, scope, district.as_deref())?;
                    eprintln!(
                        "token {name:?} ({}) created; it is shown only this once:",
                        scope.key()
                    );
                    println!("{token}");
                }
                TokenCommand::Revoke { name } => {
                    db::tokens::revoke(&mut conn, &name)?;
                    eprintln!("token {name:?} revoked");
                }
            }
            Ok(())
        }
        Command::User { action } => {
            let mut conn = open(&settings)?;
            let now = chrono::Utc::now().naive_utc();
            match action {
                UserCommand::Create {
                    name,
                    role,
                    district,
                    password_stdin,
                } => {
                    let (password, generated) = password_from(password_stdin)?;
                    let user = db::users::create(
                        &mut conn,
                        &name,
                        role,
                        district.as_deref(),
                        &password,
                        now,
                    )?;
                    db::audit::record(&mut conn, "cli", "user.create", &user.name, role.key())?;
                    eprintln!(
                        "account {:?} ({}{}) created",
                        user.name,
                        role.key(),
                        user.district
                            .as_deref()
                            .map(|d| format!(", district {d}"))
                            .unwrap_or_default()
                    );
                    if generated {
                        eprintln!("its password is shown only this once:");
                        println!("{password}");
                    }
                }
                UserCommand::ResetPassword {
                    name,
                    password_stdin,
                } => {
                    let (password, generated) = password_from(password_stdin)?;
                    db::users::reset_password(&mut conn, &name, &password)?;
                    db::audit::record(&mut conn, "cli", "user.reset_password", name.trim(), "")?;
                    eprintln!("password of {name:?} reset; its sessions ended");
                    if generated {
                        eprintln!("the new password is shown only this once:");
                        println!("{password}");
                    }
                }
                UserCommand::Disable { name } => {
                    db::users::disable(&mut conn, &name, now)?;
                    db::audit::record(&mut conn, "cli", "user.disable", name.trim(), "")?;
                    eprintln!("account {name:?} disabled; its sessions ended");
                }
                UserCommand::List => {
                    for u in db::users::list(&mut conn)? {
                        println!(
                            "{}\t{}\t{}\t{}",
                            u.name,
                            u.role.key(),
                            u.district.as_deref().unwrap_or("-"),
                            if u.disabled_at.is_some() {
                                "disabled"
                            } else {
                                "active"
                            }
                        );
                    }
                }
            }
            Ok(())
        }
    }
}

fn import_file(
    settings: &Settings,
    dataset: legal_portal::import::Dataset,
    file: &std::path::Path,
    dry_run: bool,
    abort_after_rows: Option<usize>,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use legal_portal::import::{self, Format, report::BatchStatus};
    let format = Format::from_extension(file).with_context(|| {
        format!(
            "cannot tell the format of {}: use .csv, .xlsx, .json or .ndjson",
            file.display()
        )
    })?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut conn = open(settings)?;
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    let opts = import::Options {
        dry_run,
        actor: format!("cli:{user}"),
        today: settings.clock().today(),
        rules: settings.rule_settings(),
        abort_after_rows,
        limits: settings.import_limits,
        district: None,
        as_previewed: None,
    };
    let bar = Bar(indicatif::ProgressBar::new(0));
    let report = import::run(&mut conn, dataset, &format, bytes, &opts, &bar)?;
    bar.0.finish_and_clear();
    println!("{}", serde_json::to_string_pretty(&report)?);
    if report.status == BatchStatus::Rejected {
        eprintln!(
            "导入被拒绝 / rejected: {} problem(s), nothing written",
            report.problems.len()
        );
        std::process::exit(2);
    }
    Ok(())
}

/// The import's progress on stderr.
struct Bar(indicatif::ProgressBar);

impl legal_portal::import::Progress for Bar {
    fn stage(&self, name: &str, len: u64) {
        self.0.set_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {per_sec}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        self.0.set_message(name.to_owned());
        self.0.set_length(len);
        self.0.set_position(0);
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

fn reindex(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let pool = db::connect(&settings.database_url(), 2)?;
        let indexer = legal_portal::search::open(&settings, pool).await?;
        let started = std::time::Instant::now();
        let documents = indexer.reindex().await?;
        println!(
            "{}",
            serde_json::json!({"backend": indexer.index().backend(), "documents": documents,
                "seconds": started.elapsed().as_secs_f64()})
        );
        Ok(())
    })
}

fn search_check(
    settings: Settings,
    options: legal_portal::search::check::CheckOptions,
) -> anyhow::Result<()> {
    let report = actix_web::rt::System::new().block_on(async move {
        let pool = db::connect(&settings.database_url(), 2)?;
        let indexer = legal_portal::search::open(&settings, pool).await?;
        Ok::<_, anyhow::Error>(legal_portal::search::check::run(&indexer, options).await?)
    })?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    if report.clean() || options.repair {
        Ok(())
    } else {
        anyhow::bail!(
            "the search index differs from the database ({} subjects); run `legal-portal search check --repair`",
            report.drift.len()
        )
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let bind = settings.bind.clone();
        tracing::info!(settings = ?settings, "starting");
        let app = Application::build(settings).await?;
        let host = bind.rsplit_once(':').map_or(bind.as_str(), |(h, _)| h);
        tracing::info!("serving at http://{host}:{}", app.port());
        app.run_until_stopped().await?;
        Ok(())
    })
}
