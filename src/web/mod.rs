//! The HTTP side: the application factory shared by `main` and the tests,
//! routes, middleware and error mapping.

pub mod admin;
pub mod api;
pub mod assets;
pub mod auth;
pub mod case_check;
pub mod charts;
pub mod complaints;
pub mod console;
pub mod csrf;
pub mod errors;
pub mod gzip;
pub mod health;
pub mod history;
pub mod impersonation;
pub mod json_ld;
pub mod lang;
pub mod lru;
pub mod memo;
pub mod metrics;
pub mod page_cache;
pub mod pages;
pub mod rate_limit;
pub mod reindex;
pub mod route;
pub mod search_params;
pub mod site;
pub mod templates;
pub mod views;

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next, from_fn};
use actix_web::{App, HttpRequest, HttpServer, web};
use anyhow::Context as _;

use crate::config::{Clock, Settings};
use crate::db::{self, DbConnection, Pool};
use crate::domain::standing::StandingPolicy;
use errors::{AppError, ErrorCode};
use memo::Memo;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Database pool.
    pub pool: Pool,
    /// Where "today" comes from.
    pub clock: Clock,
    /// Disclosure windows and the review calendar.
    pub windows: StandingPolicy,
    /// What the plan's rules are checked under.
    pub rules: crate::domain::plan_rules::RuleSettings,
    /// The demo scale, when the database holds demo data.
    pub demo_scale: Option<Arc<str>>,
    /// Recent admin authentication failures, per address.
    pub auth_failures: Arc<auth::FailureTracker>,
    /// The console's sign-in allowance per address and its one password
    /// check at a time.
    pub sign_in: Arc<auth::SignInGuard>,
    /// Request and search metrics of this process.
    pub metrics: Arc<metrics::Metrics>,
    /// Signs standing certificates.
    pub signer: Arc<crate::domain::certificate::Signer>,
    /// Public base address for printed links and QR codes, if configured.
    pub public_url: Option<Arc<str>>,
    /// The complaint desk: contact key, CSRF signer, deadlines, limits.
    pub complaints: Arc<complaints::ComplaintDesk>,
    /// Largest admin import body accepted, in bytes.
    pub import_limit: usize,
    /// What an import body may expand to.
    pub import_limits: crate::import::Limits,
    /// The search engine and the indexer feeding it.
    pub search: crate::search::indexer::Indexer,
    /// Per-address limits on search and verify.
    pub scrapers: Arc<rate_limit::ScraperLimits>,
    /// Rendered public answers kept for a few seconds.
    pub pages: Arc<page_cache::PageCache>,
    /// District codes and names, read again after a write or a minute.
    pub district_names: Arc<Memo<u64, DistrictNames>>,
    /// Every district's figures, read again after a write, an indexed
    /// change or [`STATS_MAX_AGE`].
    pub district_stats: Arc<Memo<(u64, u64), Vec<db::districts::DistrictStats>>>,
    /// Names of workers who may be revoked or deregistered, read again
    /// like the district figures.
    pub barred_names: Arc<Memo<(u64, u64), std::collections::HashSet<String>>>,
    /// The impersonation warnings said so far, by barred name and
    /// language, kept like the barred names and for the day.
    pub notices: Arc<Memo<DayStamp, Notices>>,
    /// Age of the oldest due search-outbox row above which `/readyz` is 503.
    pub readiness_max_lag: std::time::Duration,
}

/// A data stamp (`AppState::data_stamp`) and the day it holds for.
pub type DayStamp = ((u64, u64), chrono::NaiveDate);

/// Impersonation warnings by name and language (`None`: the name is
/// barred-looking but nobody of it is warned about).
pub type Notices = std::sync::Mutex<
    std::collections::HashMap<
        (String, crate::i18n::Lang),
        Option<impersonation::ImpersonationNotice>,
    >,
>;

/// Longest that district figures are served without being read again. Writes
/// through this process and changes any process makes to workers or offices
/// (they reach this process through the search outbox) make them stale at
/// once; this bounds the rest (a district's population imported by another
/// process), as the page cache's default lifetime does for pages.
pub const STATS_MAX_AGE: Duration = Duration::from_secs(10);

/// Longest that district names are served without being read again.
const NAMES_MAX_AGE: Duration = Duration::from_secs(60);

impl AppState {
    /// What data kept between requests was read against: writes through
    /// this process (the page cache's generation) and changes the indexer
    /// applied (which carry other processes' writes to workers, offices
    /// and their records). Kept data whose stamp differs is read again.
    fn data_stamp(&self) -> (u64, u64) {
        (self.pages.generation(), self.search.changes())
    }

    /// Every district with its counts, in code order. Counting practising
    /// workers and offices per district reads every worker (189 ms at the
    /// nation's scale), so the figures are read once per change instead of
    /// once per `/districts`, district page, home page or API call, and
    /// by one request at a time ([`Memo`]).
    pub async fn district_stats(&self) -> Result<Arc<Vec<db::districts::DistrictStats>>, AppError> {
        self.district_stats
            .get(|| self.data_stamp(), || self.db(db::districts::list))
            .await
    }

    /// The names of workers who may be revoked or deregistered
    /// (`db::profiles::barred_names`), read again, like the district
    /// figures, after a write through this process, a change the indexer
    /// applied (another process's import of a revocation reaches this one
    /// through the search outbox) or [`STATS_MAX_AGE`]. Every search by a
    /// name asks it; a name not in it needs no trip to the database.
    pub async fn barred_names(&self) -> Result<Arc<std::collections::HashSet<String>>, AppError> {
        self.barred_names
            .get(|| self.data_stamp(), || self.db(db::profiles::barred_names))
            .await
    }

    /// The impersonation warnings kept for the data as it is and for
    /// today: an empty table after a write, an indexed change, a new day
    /// or [`STATS_MAX_AGE`]. Only names among the barred names reach it,
    /// so it holds at most one entry per such name and language.
    pub async fn notices(&self) -> Result<Arc<Notices>, AppError> {
        self.notices
            .get(
                || (self.data_stamp(), self.clock.today()),
                || async { Ok::<_, AppError>(Notices::default()) },
            )
            .await
    }

    /// District codes and names in code order. Every search page needs
    /// them; reading them once per change instead of once per page keeps
    /// 100 concurrent searches from queueing on the connection pool.
    pub async fn district_names(&self) -> Result<Arc<DistrictNames>, AppError> {
        self.district_names
            .get(
                || self.pages.generation(),
                || async { Ok(DistrictNames::new(self.db(db::districts::names).await?)) },
            )
            .await
    }

    /// Searches, falling back to the database when the engine fails, and
    /// times the answer into the metrics by the backend that gave it.
    pub async fn search_timed(
        &self,
        query: &crate::search::SearchQuery,
    ) -> Result<(crate::search::SearchResults, bool), crate::search::SearchError> {
        let started = Instant::now();
        let answer = self.search.search(query).await;
        let backend = match &answer {
            Ok((_, true)) => "database",
            _ => self.search.index().backend(),
        };
        self.metrics.observe_search(backend, started.elapsed());
        answer
    }

    /// The caller's address: the connection's, or the load balancer's last
    /// `X-Forwarded-For` entry with `--trust-forwarded-for`.
    pub fn client_addr(&self, req: &HttpRequest) -> std::net::IpAddr {
        rate_limit::client_addr(req, self.scrapers.trust_forwarded())
    }

    /// Runs `f` on a pooled connection on the blocking thread pool.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, db::DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let lang = crate::i18n::current();
        web::block(move || {
            let mut conn = pool.get()?;
            crate::i18n::with_lang(lang, || f(&mut conn))
        })
        .await?
        .map_err(AppError::from)
    }
}

/// District codes and names in code order, as [`AppState::district_names`]
/// keeps them, with what is rendered from them alone.
pub struct DistrictNames {
    /// `(code, name)`, by code.
    pub names: Vec<(String, String)>,
    /// The search form's selects with nothing chosen, by
    /// [`crate::i18n::Lang::index`], rendered by the first search that needs
    /// them (`pages::search`) and dropped with these names.
    pub unchosen_filters: [std::sync::OnceLock<String>; 2],
}

impl DistrictNames {
    fn new(names: Vec<(String, String)>) -> Self {
        Self {
            names,
            unchosen_filters: Default::default(),
        }
    }
}

/// A built, listening portal.
pub struct Application {
    port: u16,
    server: Server,
    search: crate::search::indexer::Indexer,
}

impl Application {
    /// Connects to the database (running migrations, loading demo data when
    /// asked and the database is empty), binds and prepares the server.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        templates::warm_up();
        let signer = certificate_signer(&settings)?;
        let (pool, demo_scale) = open_database(&settings).await?;
        let contact_key = complaint_key(&settings)?;
        spawn_background_jobs(&settings, &pool);
        let search = start_search(&settings, &pool).await?;
        let state = app_state(&settings, pool, demo_scale, signer, contact_key, &search);
        let listener = listen(&settings)?;
        let port = listener.local_addr()?.port();
        let server = http_server(&settings, state, listener)?;
        Ok(Self {
            port,
            server,
            search,
        })
    }

    /// The port the portal listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The search indexer of this portal.
    pub fn search(&self) -> &crate::search::indexer::Indexer {
        &self.search
    }

    /// A handle to stop the server.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (Ctrl-C, SIGTERM or the handle).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.search.stop();
        result
    }
}

/// The complaint desk's retention job, the console's expired uploads and
/// the webhook deliveries.
fn spawn_background_jobs(settings: &Settings, pool: &Pool) {
    spawn_upload_purge(pool.clone(), std::time::Duration::from_secs(60));
    crate::complaints::spawn_retention_job(
        pool.clone(),
        settings.clock(),
        settings.complaints.retention_days,
        settings.complaints.purge_every,
    );
    crate::webhooks::spawn(pool.clone(), settings.database_url());
}

/// Deletes the console's previewed files past their 30 minutes, every
/// `every`: not only when someone previews again (a previewed file may hold
/// unpublished disciplinary facts, and would stay in the database and its
/// backups for weeks).
fn spawn_upload_purge(pool: Pool, every: std::time::Duration) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(every);
        loop {
            tick.tick().await;
            let pool = pool.clone();
            let run = web::block(move || -> Result<usize, db::DbError> {
                let mut conn = pool.get()?;
                db::users::purge_uploads(&mut conn, chrono::Utc::now().naive_utc())
            })
            .await;
            match run {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::info!(deleted = n, "expired console uploads deleted"),
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "could not delete expired console uploads")
                }
                Err(e) => tracing::warn!(error = %e, "could not delete expired console uploads"),
            }
        }
    });
}

/// The listening socket; warns when the portal listens beyond this machine
/// with no public URL set.
fn listen(settings: &Settings) -> anyhow::Result<TcpListener> {
    let listener = TcpListener::bind(&settings.bind)
        .with_context(|| format!("cannot listen on {}", settings.bind))?;
    let local = listener.local_addr()?;
    if settings.public_url.is_none() && !local.ip().is_loopback() {
        tracing::warn!(
            address = %local,
            "LEGAL_PORTAL_PUBLIC_URL (--public-url) is not set and the portal listens beyond \
             this machine: certificate check addresses, QR codes, feeds and sitemaps take \
             their host from each request's Host header. Set it to the public address in \
             production"
        );
    }
    Ok(listener)
}

/// The HTTP server: middleware, outermost last, then every route.
fn http_server(
    settings: &Settings,
    state: AppState,
    listener: TcpListener,
) -> anyhow::Result<Server> {
    let tls = settings.served_over_tls();
    let workers = match settings.http_workers {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let blocking = blocking_threads(settings);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(state.clone()))
            .app_data(web::QueryConfig::default().error_handler(bad_query))
            .app_data(web::PathConfig::default().error_handler(bad_path))
            .wrap(from_fn(method_not_allowed))
            .wrap(from_fn(page_cache::serve))
            .wrap(from_fn(rate_limit::limit_scrapers))
            .wrap(from_fn(gzip::compress))
            .wrap(security_headers(tls))
            .wrap(from_fn(lang::negotiate))
            .wrap(from_fn(head_as_get))
            .wrap(from_fn(log_requests))
            .configure(health::configure)
            .configure(assets::configure)
            .configure(reindex::configure)
            .configure(api::configure)
            .configure(admin::configure)
            .configure(console::configure)
            .configure(pages::configure)
            .default_service(web::to(not_found))
    })
    .workers(workers)
    .worker_max_blocking_threads(blocking)
    .shutdown_timeout(10)
    .listen(listener)?
    .run())
}

/// Blocking threads per HTTP worker (database work and embedded search run
/// there). On SQLite that work is CPU in this process, so threads beyond
/// the core each worker has only take turns on it, starving the worker's
/// own thread and holding memory: with 16 threads a worker on one core
/// served 7,706 random-name searches a second with p99 48 ms, with 2
/// threads 9,620 with p99 26 ms, and profiles 2,912 → 3,472 req/s (issue
/// 15). On PostgreSQL the threads mostly wait for the server, so more of
/// them (twice the pool, at least 8) keep its connections busy; tokio
/// queues the rest.
fn blocking_threads(settings: &Settings) -> usize {
    match db::backend_of(&settings.database_url()) {
        db::Backend::Sqlite => 2,
        db::Backend::Postgres => (settings.pool_size as usize * 2).max(8),
    }
}

/// The data folder made private, and the key that signs certificates.
fn certificate_signer(settings: &Settings) -> anyhow::Result<crate::domain::certificate::Signer> {
    crate::secrets::private_dir(&settings.data_dir).with_context(|| {
        format!(
            "cannot create the data folder {}",
            settings.data_dir.display()
        )
    })?;
    let key = crate::secrets::load_or_create(
        settings.signing_key.as_deref(),
        &settings.data_dir,
        "signing.key",
    )
    .context("cannot load the certificate signing key")?;
    crate::domain::certificate::Signer::new(&key).context("the certificate signing key is unusable")
}

/// The pool (migrations run), the province demo loaded into an empty
/// database when asked, and the demo scale the database holds.
async fn open_database(settings: &Settings) -> anyhow::Result<(Pool, Option<String>)> {
    let url = settings.database_url();
    let (clock, demo, pool_size) = (settings.clock(), settings.demo, settings.pool_size);
    web::block(move || -> anyhow::Result<_> {
        let pool = db::connect(&url, pool_size)
            .with_context(|| format!("cannot open the database {}", db::redact_url(&url)))?;
        let mut conn = pool.get()?;
        if demo && db::meta::is_empty(&mut conn)? {
            let started = Instant::now();
            let summary = crate::demo::load_scale(
                &mut conn,
                crate::demo::Scale::Province,
                crate::demo::DEFAULT_SEED,
                clock.today(),
            )?;
            tracing::info!(
                offices = summary.offices,
                workers = summary.workers,
                ms = started.elapsed().as_millis() as u64,
                "loaded province demo data"
            );
        }
        let scale = db::meta::get(&mut conn, db::meta::DEMO_SCALE)?;
        Ok((pool, scale))
    })
    .await?
}

/// The key sealing complainants' contacts (configured, or kept in the data
/// folder, with a warning when it was just made).
fn complaint_key(settings: &Settings) -> anyhow::Result<crate::complaints::crypto::ContactKey> {
    let (key, created) = crate::complaints::crypto::ContactKey::configured_or_file(
        settings.complaints.key.as_deref(),
        &settings.data_dir,
    )?;
    if created {
        tracing::warn!(
            folder = %settings.data_dir.display(),
            "generated complaint.key in the data folder: back it up, and set \
             LEGAL_PORTAL_COMPLAINT_KEY when several processes share the database"
        );
    }
    Ok(key)
}

/// The search engine brought up to date, and its indexer started when this
/// process runs one. An unreachable engine is not fatal: searches fall back
/// to the database and the indexer retries (docs/operations.md). A damaged
/// embedded index was moved aside when opened: the portal serves at once
/// (searches from the database) while the indexer rebuilds it.
async fn start_search(
    settings: &Settings,
    pool: &Pool,
) -> anyhow::Result<crate::search::indexer::Indexer> {
    let search = crate::search::open(settings, pool.clone())
        .await
        .context("cannot open the search engine")?;
    // The embedded engine's searches run on the HTTP workers: none waits
    // for its word list on the first one.
    search.index().warm_up();
    let started = if search.rebuilding() && settings.run_indexer {
        false
    } else {
        match search.start_up().await {
            Ok(()) => true,
            Err(e @ crate::search::SearchError::Db(_)) => {
                return Err(
                    anyhow::Error::new(e).context("cannot bring the search index up to date")
                );
            }
            Err(e) => {
                tracing::warn!(error = %e, "search engine unavailable at start-up; serving without it");
                false
            }
        }
    };
    if settings.run_indexer {
        actix_web::rt::spawn(
            search
                .clone()
                .run(std::time::Duration::from_millis(250), started),
        );
    }
    Ok(search)
}

/// What every handler can reach.
fn app_state(
    settings: &Settings,
    pool: Pool,
    demo_scale: Option<String>,
    signer: crate::domain::certificate::Signer,
    contact_key: crate::complaints::crypto::ContactKey,
    search: &crate::search::indexer::Indexer,
) -> AppState {
    AppState {
        pool,
        clock: settings.clock(),
        windows: settings.standing_policy,
        rules: settings.rule_settings(),
        demo_scale: demo_scale.map(Arc::from),
        auth_failures: Arc::default(),
        sign_in: Arc::default(),
        metrics: Arc::default(),
        signer: Arc::new(signer),
        public_url: settings.public_url.as_deref().map(Arc::from),
        complaints: Arc::new(complaints::ComplaintDesk::new(
            &settings.complaints,
            contact_key,
        )),
        import_limit: settings.import_limit_bytes,
        import_limits: settings.import_limits,
        search: search.clone(),
        scrapers: Arc::new(rate_limit::ScraperLimits::new(settings.scraper_rates)),
        district_names: Arc::new(Memo::new(NAMES_MAX_AGE)),
        district_stats: Arc::new(Memo::new(STATS_MAX_AGE)),
        barred_names: Arc::new(Memo::new(STATS_MAX_AGE)),
        notices: Arc::new(Memo::new(STATS_MAX_AGE)),
        readiness_max_lag: settings.readiness_max_lag,
        pages: Arc::new(page_cache::PageCache::new(
            settings.page_cache_ttl,
            settings.page_cache_bytes,
        )),
    }
}

/// Headers on every response; HSTS only when the portal is served over TLS
/// (its public address starts with `https://`).
fn security_headers(tls: bool) -> DefaultHeaders {
    let headers = if tls {
        DefaultHeaders::new().add((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        DefaultHeaders::new()
    };
    headers
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
             frame-ancestors 'none'; form-action 'self'",
        ))
        .add((
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(self)",
        ))
}

/// `HEAD` is `GET` without the body (RFC 9110): a `HEAD` request is routed
/// and answered as the `GET` would be — same status and headers — and
/// actix's HTTP layer, which remembers the request was `HEAD`, sends no
/// body. Without this every `HEAD` was a 404, as routes name `GET` only.
async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}

/// Gives the router's bodiless 405 (an address that takes `POST` only,
/// asked with `GET`) the error body every other error has: JSON with its
/// `code` under `/api/` and `/admin/api/`, the error page elsewhere.
async fn method_not_allowed(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    if res.status() != actix_web::http::StatusCode::METHOD_NOT_ALLOWED
        || !matches!(
            res.response().body().size(),
            actix_web::body::BodySize::Sized(0) | actix_web::body::BodySize::None
        )
    {
        return Ok(res.map_into_boxed_body());
    }
    use actix_web::ResponseError;
    let (req, _) = res.into_parts();
    let err = AppError::new(ErrorCode::MethodNotAllowed);
    let resp = if is_api_path(req.path()) {
        err.error_response()
    } else {
        err.html().error_response()
    };
    Ok(ServiceResponse::new(req, resp))
}

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

/// This process's mark in request ids (random at start), so that the ids
/// of several portals, or of one before and after a restart, never meet.
static PROCESS_MARK: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use rand::Rng;
    format!("{:08x}", rand::rng().next_u32())
});

/// The request's id: the one a trusted balancer sent (`X-Request-Id`, up to
/// 64 visible ASCII characters), else this process's mark and a count.
fn request_id(req: &ServiceRequest) -> String {
    let trusted = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.scrapers.trust_forwarded());
    if trusted
        && let Some(given) = req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
    {
        return given.to_owned();
    }
    format!(
        "{}-{}",
        *PROCESS_MARK,
        REQUEST_IDS.fetch_add(1, Ordering::Relaxed)
    )
}

/// Logs method, path (never the query, which may hold names), status and
/// time, counts the request in the metrics by its route pattern, and tags
/// the response with a request id.
async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().clone();
    let path = req.path().to_owned();
    let route = route::pattern(req.request());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    // Every line logged while serving it (a 500's cause, say) carries the
    // request's id, as the answer's X-Request-Id does.
    let span = tracing::info_span!("request", request_id = %id);
    let mut res = tracing::Instrument::instrument(next.call(req), span).await?;
    if let Some(state) = state {
        let route = route.as_deref().unwrap_or("unmatched");
        state.metrics.observe_request(
            method.as_str(),
            route,
            res.status().as_u16(),
            started.elapsed(),
        );
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), v);
    }
    tracing::info!(
        request_id = %id,
        %method,
        path = %path,
        status = res.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    Ok(res)
}

/// 404 in the form the caller expects: JSON under `/api/` and
/// `/admin/api/`, a page elsewhere.
async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, AppError> {
    let err = AppError::new(ErrorCode::NotFound);
    Err(if is_api_path(req.path()) {
        err
    } else {
        err.html()
    })
}

/// A query string the handler's parameters cannot take (a repeated or
/// mistyped parameter): 400 in the site's error format, not actix's text.
fn bad_query(e: actix_web::error::QueryPayloadError, req: &HttpRequest) -> actix_web::Error {
    tracing::debug!(error = %e, "bad query string");
    in_format(
        AppError::new(ErrorCode::BadRequest)
            .message(lang::tr("error-msg-bad-query"))
            .details(serde_json::json!({ "reason": e.to_string() })),
        req,
    )
}

/// A path segment the handler cannot take.
fn bad_path(e: actix_web::error::PathError, req: &HttpRequest) -> actix_web::Error {
    tracing::debug!(error = %e, "bad path");
    in_format(AppError::new(ErrorCode::NotFound), req)
}

fn in_format(err: AppError, req: &HttpRequest) -> actix_web::Error {
    if is_api_path(req.path()) {
        err.into()
    } else {
        err.html().into()
    }
}

fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/admin/api/")
}
