//! The bureau's console under `/admin` (issue 13): server-rendered pages in
//! the public site's layout, for clerks who sign in with a name and a
//! password. Every account has a role (`city`, `district`, `complaints`)
//! and maybe one district; each page checks both. Every form carries the
//! session's CSRF token; every answer is `no-store`.
//!
//! The admin API under `/admin/api/` stays for integrations; the console's
//! import runs the same `import::run` as the API.

pub mod complaints;
pub mod imports;
pub mod reports;

use actix_web::http::StatusCode;
use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, COOKIE, HeaderValue, LOCATION, SET_COOKIE,
};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::Deserialize;
use tera::Context;

use crate::db;
use crate::db::users::{Session, SignIn};
use crate::domain::vocab::Role;
use crate::web::AppState;
use crate::web::csrf::check_origin;
use crate::web::errors::{AppError, ErrorCode};
use crate::web::lang::{tr, tr_in, tr_with};
use crate::web::templates;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "lp_admin";

/// Registers the console's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(dashboard))
        .route("/admin/", web::get().to(dashboard))
        .service(
            web::resource("/admin/login")
                .app_data(form_config())
                .route(web::get().to(login_form))
                .route(web::post().to(login)),
        )
        .service(
            web::resource("/admin/logout")
                .app_data(form_config())
                .route(web::post().to(logout)),
        )
        .configure(imports::configure)
        .configure(complaints::configure)
        .configure(reports::configure);
}

/// What a console handler can answer besides its page: a redirect to the
/// sign-in page, or an error page.
#[derive(Debug)]
pub enum ConsoleError {
    /// Not signed in (or the session ended): go to the sign-in page.
    SignIn(String),
    /// An error page.
    App(AppError),
}

impl std::fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConsoleError::SignIn(_) => f.write_str("not signed in"),
            ConsoleError::App(e) => e.fmt(f),
        }
    }
}

impl From<AppError> for ConsoleError {
    fn from(e: AppError) -> Self {
        ConsoleError::App(e.html())
    }
}

impl From<db::DbError> for ConsoleError {
    fn from(e: db::DbError) -> Self {
        ConsoleError::App(AppError::from(e).html())
    }
}

impl From<tera::Error> for ConsoleError {
    fn from(e: tera::Error) -> Self {
        ConsoleError::App(AppError::from(e).html())
    }
}

impl ResponseError for ConsoleError {
    fn status_code(&self) -> StatusCode {
        match self {
            ConsoleError::SignIn(_) => StatusCode::SEE_OTHER,
            ConsoleError::App(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ConsoleError::SignIn(next) => {
                let location = format!("/admin/login?next={}", url_encode(next));
                HttpResponse::SeeOther()
                    .insert_header((LOCATION, location))
                    .insert_header((CACHE_CONTROL, "no-store"))
                    .finish()
            }
            ConsoleError::App(e) if e.format == crate::web::errors::Format::Html => {
                let status = e.status_code();
                let mut resp = e.error_response();
                // The console's own layout, with a way back to it.
                let message = if status.is_server_error() {
                    e.code.message_here()
                } else {
                    e.message.clone()
                };
                let mut ctx = Context::new();
                let now = chrono::Utc::now().naive_utc();
                ctx.insert("today", &crate::domain::dates::china_date(now));
                ctx.insert(
                    "title",
                    &format!("{} {}", status.as_u16(), tr("error-title")),
                );
                ctx.insert("status", &status.as_u16());
                ctx.insert("code", e.code.key());
                ctx.insert("message", &message);
                match templates::render("admin/error.html", &ctx) {
                    Ok(body) => {
                        let mut page = page(status, body);
                        if let Some(v) = resp.headers().get(actix_web::http::header::RETRY_AFTER) {
                            page.headers_mut()
                                .insert(actix_web::http::header::RETRY_AFTER, v.clone());
                        }
                        page
                    }
                    Err(_) => {
                        resp.headers_mut()
                            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
                        resp
                    }
                }
            }
            ConsoleError::App(e) => e.error_response(),
        }
    }
}

/// Answers a form the console cannot read (wrong content type, too large)
/// with a console page instead of the framework's plain text.
pub fn form_config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(64 * 1024)
        .error_handler(|_, _| {
            ConsoleError::page(ErrorCode::BadRequest, "console-form-unreadable").into()
        })
}

/// Where to return after signing in when the session ended: the page
/// itself for a GET; for a form, the page the form was on.
fn return_to(req: &HttpRequest) -> String {
    let path = req.path();
    if matches!(
        *req.method(),
        actix_web::http::Method::GET | actix_web::http::Method::HEAD
    ) {
        return match req.query_string() {
            "" => path.to_owned(),
            q => format!("{path}?{q}"),
        };
    }
    if path.starts_with("/admin/imports/") {
        return "/admin/imports/new".to_owned();
    }
    if let Some(rest) = path.strip_prefix("/admin/complaints/")
        && let Some((no, _)) = rest.split_once('/')
    {
        return format!("/admin/complaints/{no}");
    }
    "/admin".to_owned()
}

/// Rows as JSON with a `time` field: `at(row)` as the clerk reads it.
pub fn with_time<T: serde::Serialize>(
    rows: Vec<T>,
    at: impl Fn(&T) -> chrono::NaiveDateTime,
) -> Vec<serde_json::Value> {
    rows.into_iter()
        .map(|r| {
            let time = china_stamp(at(&r));
            let mut v = serde_json::to_value(r).unwrap_or_default();
            v["time"] = time.into();
            v
        })
        .collect()
}

/// A UTC time as the clerk reads it: the date and time in China.
pub fn china_stamp(utc: chrono::NaiveDateTime) -> String {
    format!(
        "{} {}",
        crate::domain::dates::china_date(utc),
        crate::domain::dates::china_time(utc).format("%H:%M:%S")
    )
}

impl ConsoleError {
    /// An error page with `code`'s status and the message `id`.
    pub fn page(code: ErrorCode, id: &str) -> Self {
        ConsoleError::App(AppError::new(code).message(tr(id)).html())
    }
}

/// A console handler's result.
pub type ConsoleResult = Result<HttpResponse, ConsoleError>;

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn session_cookie(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether the account's role is one of `roles`.
fn allowed(session: &Session, roles: &[Role]) -> bool {
    roles.contains(&session.user.role)
}

/// The signed-in session, if its role is one of `roles`: otherwise a
/// redirect to the sign-in page, or 403.
pub async fn signed_in(
    req: &HttpRequest,
    state: &AppState,
    roles: &[Role],
) -> Result<Session, ConsoleError> {
    let next = return_to(req);
    let Some(id) = session_cookie(req) else {
        return Err(ConsoleError::SignIn(next));
    };
    let now = chrono::Utc::now().naive_utc();
    let found = state
        .db(move |c| db::users::session(c, &id, now))
        .await
        .map_err(AppError::html)?;
    let Some(session) = found else {
        return Err(ConsoleError::SignIn(next));
    };
    if !allowed(&session, roles) {
        return Err(ConsoleError::page(
            ErrorCode::Forbidden,
            "console-forbidden",
        ));
    }
    Ok(session)
}

/// Checks a form post of `session`: same site, and its CSRF token.
pub fn check_form(req: &HttpRequest, session: &Session, token: &str) -> Result<(), ConsoleError> {
    use subtle::ConstantTimeEq;
    let same = check_origin(req).is_ok()
        && bool::from(session.csrf_token.as_bytes().ct_eq(token.as_bytes()));
    if same {
        Ok(())
    } else {
        Err(ConsoleError::page(
            ErrorCode::Forbidden,
            "console-csrf-refused",
        ))
    }
}

/// The context every console page starts from: the account, its CSRF
/// token, and which sections its role reaches.
pub fn context(state: &AppState, session: &Session, title: &str) -> Context {
    let mut ctx = Context::new();
    ctx.insert("demo_scale", &state.demo_scale.as_deref());
    ctx.insert("today", &state.clock.today());
    ctx.insert("title", title);
    ctx.insert("user", &session.user);
    ctx.insert("role", session.user.role.key());
    ctx.insert("csrf_token", &session.csrf_token);
    let role = session.user.role;
    ctx.insert(
        "can",
        &serde_json::json!({
            "imports": matches!(role, Role::City | Role::District),
            "complaints": matches!(role, Role::City | Role::Complaints),
            "compliance": matches!(role, Role::City | Role::District),
            "audit": role == Role::City,
        }),
    );
    ctx
}

/// A page of the console: HTML, never stored by a cache, not indexed.
pub fn page(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header(("X-Robots-Tag", "noindex"))
        .body(body)
}

/// Renders a console template.
pub fn render(name: &str, ctx: &Context) -> ConsoleResult {
    Ok(page(StatusCode::OK, templates::render(name, ctx)?))
}

/// A 303 to `location` after a form.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location.to_owned()))
        .insert_header((CACHE_CONTROL, "no-store"))
        .finish()
}

/// The district a session is limited to.
pub fn district_of(session: &Session) -> Option<String> {
    session.user.district.clone()
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Where to go after signing in: a console address, never another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with("/admin")
                && !n.starts_with("/admin/login")
                && !n.contains("//")
                && !n.contains('\\')
                && n.chars().all(|c| !c.is_control()) =>
        {
            n.to_owned()
        }
        _ => "/admin".to_owned(),
    }
}

fn login_page(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    name: &str,
    next: &str,
    error: Option<String>,
) -> ConsoleResult {
    let issued = state.complaints.csrf.issue_at(req, "/admin");
    let mut ctx = Context::new();
    ctx.insert("demo_scale", &state.demo_scale.as_deref());
    ctx.insert("today", &state.clock.today());
    ctx.insert("title", &tr("console-login-title"));
    ctx.insert("csrf_token", &issued.token);
    ctx.insert("name", name);
    ctx.insert("next", next);
    ctx.insert("error", &error);
    let mut resp = page(status, templates::render("admin/login.html", &ctx)?);
    if let Some(cookie) = issued.set_cookie {
        resp.headers_mut().append(SET_COOKIE, cookie);
    }
    Ok(resp)
}

async fn login_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<NextQuery>,
) -> ConsoleResult {
    let next = safe_next(query.next.as_deref());
    if let Some(id) = session_cookie(&req) {
        let now = chrono::Utc::now().naive_utc();
        if state
            .db(move |c| db::users::session(c, &id, now))
            .await
            .map_err(AppError::html)?
            .is_some()
        {
            return Ok(see_other(&next));
        }
    }
    login_page(&state, &req, StatusCode::OK, "", &next, None)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    next: String,
}

async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> ConsoleResult {
    let form = form.into_inner();
    let next = safe_next(Some(&form.next));
    let name: String = form.name.trim().chars().take(64).collect();
    if state
        .complaints
        .csrf
        .verify(&req, Some(&form.csrf_token))
        .is_err()
    {
        return login_page(
            &state,
            &req,
            StatusCode::FORBIDDEN,
            &name,
            &next,
            Some(tr("console-csrf-refused")),
        );
    }
    if name.is_empty() || form.password.is_empty() {
        return login_page(
            &state,
            &req,
            StatusCode::BAD_REQUEST,
            &name,
            &next,
            Some(tr("console-login-missing")),
        );
    }
    let addr = state.client_addr(&req);
    if let Err(wait) = state.sign_in.attempts.check(addr) {
        let refused = crate::web::rate_limit::Refused::after(wait);
        let page = login_page(
            &state,
            &req,
            StatusCode::TOO_MANY_REQUESTS,
            &name,
            &next,
            Some(tr_with(
                "rate-limited-wait",
                &[("seconds", &refused.retry_after)],
            )),
        )?;
        return Ok(refused.with_header(page));
    }
    // One password check at a time in this process; the others wait here,
    // on the HTTP worker, holding no thread or connection.
    let Ok(_hashing) = state.sign_in.hashing.acquire().await else {
        return Err(AppError::new(ErrorCode::Unavailable).html().into());
    };
    let now = chrono::Utc::now().naive_utc();
    let who = name.clone();
    let password = form.password;
    let lang = crate::i18n::current();
    let outcome = state
        .db(move |c| {
            let outcome = db::users::sign_in(c, &who, &password, now)?;
            match &outcome {
                SignIn::Ok { user, .. } => {
                    db::audit::record(c, &user.name, "console.sign_in", "console", "{}")?;
                }
                refused => {
                    // A failed attempt is filed under the account it tried,
                    // when there is one; a name no account has (perhaps a
                    // password typed in the wrong field) is not written.
                    let action = if matches!(refused, SignIn::Locked) {
                        "console.sign_in_locked"
                    } else {
                        "console.sign_in_refused"
                    };
                    let target = match db::users::find(c, &who)? {
                        Some(u) => u.name,
                        None => tr_in(lang, "console-failed-unknown", None),
                    };
                    db::audit::record(c, "console", action, &target, "{}")?;
                }
            }
            Ok(outcome)
        })
        .await
        .map_err(AppError::html)?;
    match outcome {
        SignIn::Ok { session_id, .. } => {
            let secure = if crate::web::site::is_https(&req, &state) {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{SESSION_COOKIE}={session_id}; Path=/admin; HttpOnly; SameSite=Strict{secure}"
            );
            let mut resp = see_other(&next);
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                resp.headers_mut().append(SET_COOKIE, v);
            }
            Ok(resp)
        }
        SignIn::Refused => login_page(
            &state,
            &req,
            StatusCode::UNAUTHORIZED,
            &name,
            &next,
            Some(tr("console-login-refused")),
        ),
        SignIn::Locked => login_page(
            &state,
            &req,
            StatusCode::TOO_MANY_REQUESTS,
            &name,
            &next,
            Some(tr_with(
                "console-login-locked",
                &[("minutes", &db::users::FAILURE_WINDOW.num_minutes())],
            )),
        ),
    }
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<TokenForm>,
) -> ConsoleResult {
    let session = signed_in(
        &req,
        &state,
        &[Role::City, Role::District, Role::Complaints],
    )
    .await?;
    check_form(&req, &session, &form.csrf_token)?;
    if let Some(id) = session_cookie(&req) {
        let name = session.user.name.clone();
        state
            .db(move |c| {
                db::users::sign_out(c, &id)?;
                db::audit::record(c, &name, "console.sign_out", "console", "{}")
            })
            .await
            .map_err(AppError::html)?;
    }
    let mut resp = see_other("/admin/login");
    resp.headers_mut().append(
        SET_COOKIE,
        HeaderValue::from_static("lp_admin=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(resp)
}

/// How many open complaints the dashboard lists.
const DASHBOARD_COMPLAINTS: usize = 10;

async fn dashboard(state: web::Data<AppState>, req: HttpRequest) -> ConsoleResult {
    let session = signed_in(
        &req,
        &state,
        &[Role::City, Role::District, Role::Complaints],
    )
    .await?;
    let mut ctx = context(&state, &session, &tr("console-dashboard-title"));
    let role = session.user.role;
    let district = district_of(&session);
    let today = state.clock.today();
    let (rules, policy) = (state.rules, state.windows);
    let desk = state.complaints.clone();
    let now = chrono::Utc::now().naive_utc();
    let dash = state
        .db(move |c| {
            let mut out = serde_json::Map::new();
            if matches!(role, Role::City | Role::Complaints) {
                let open = complaints::open_list(c, &desk, today, district.clone(), 0, 200)?;
                let overdue = open.1.iter().filter(|v| v.view.status.overdue).count();
                let soon = open
                    .1
                    .iter()
                    .filter(|v| !v.view.status.overdue)
                    .filter(|v| v.due_by.is_some_and(|d| (d - today).num_days() <= 3))
                    .count();
                let shown: Vec<_> = open.1.into_iter().take(DASHBOARD_COMPLAINTS).collect();
                out.insert(
                    "complaints".into(),
                    serde_json::json!({"open": open.0, "overdue": overdue, "soon": soon, "list": shown}),
                );
            }
            if matches!(role, Role::City | Role::District) {
                let (_, batches) = db::imports::recent_batches(c, district.as_deref(), false, 0, 5)?;
                out.insert(
                    "imports".into(),
                    with_time(batches, |b| b.started_at).into(),
                );
                let findings =
                    crate::import::compliance_by_district(c, today, &rules, district.as_deref())?;
                let mut by_rule = std::collections::BTreeMap::<u8, usize>::new();
                for (_, w) in &findings {
                    *by_rule.entry(w.rule).or_default() += 1;
                }
                out.insert(
                    "findings".into(),
                    serde_json::json!({"total": findings.len(), "by_rule": by_rule.into_iter().map(|(r, n)| serde_json::json!({"rule": r, "count": n})).collect::<Vec<_>>()}),
                );
                let exit = db::exit::candidates(c, today, &policy, &rules)?;
                let exit = exit
                    .iter()
                    .filter(|e| district.as_deref().is_none_or(|d| e.district_code == d))
                    .count();
                out.insert("exit".into(), exit.into());
            }
            let lag = db::outbox::lag(c, now)?;
            out.insert(
                "outbox".into(),
                serde_json::json!({"due": lag.due, "oldest_seconds": lag.oldest_due_age_seconds}),
            );
            Ok(serde_json::Value::Object(out))
        })
        .await
        .map_err(AppError::html)?;
    ctx.insert("dash", &dash);
    render("admin/dashboard.html", &ctx)
}
