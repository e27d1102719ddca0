//! `/admin/complaints`: the complaint desk in the console (roles `city` and
//! `complaints`; a `complaints` account limited to a district sees only
//! its desk's: complaints about subjects that were in that district when
//! they were filed). The same transitions as the
//! API; the complainant's contact is shown only when asked, and each such
//! view is audited with the account's name.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{ConsoleError, ConsoleResult, check_form, context, district_of, signed_in};
use crate::db::complaints::{ListFilter, Transition, TransitionRefused};
use crate::db::users::Session;
use crate::db::{self, DbConnection, DbError};
use crate::domain::complaint::{Outcome, Stage, TrackingNo, limits};
use crate::domain::report::ReportKind;
use crate::domain::vocab::Role;
use crate::i18n::Label;
use crate::web::AppState;
use crate::web::complaints::{ComplaintDesk, StaffView, staff_view};
use crate::web::errors::{AppError, ErrorCode};
use crate::web::lang::{tr, tr_with};
use crate::web::templates;

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/complaints", web::get().to(list))
        .route("/admin/complaints/{tracking_no}", web::get().to(detail))
        .service(
            web::resource("/admin/complaints/{tracking_no}/contact")
                .app_data(super::form_config())
                .route(web::post().to(reveal)),
        )
        .service(
            web::resource("/admin/complaints/{tracking_no}/transition")
                .app_data(super::form_config())
                .route(web::post().to(transition)),
        );
}

const ROLES: &[Role] = &[Role::City, Role::Complaints];
const PER_PAGE: usize = 50;

/// A complaint in a list, with the deadline of its pending stage.
#[derive(Debug, Serialize)]
pub struct ListRow {
    /// The bureau's view (no text, contact masked).
    #[serde(flatten)]
    pub view: StaffView,
    /// When the pending stage is due.
    pub due_by: Option<NaiveDate>,
}

fn row(view: StaffView) -> ListRow {
    let due_by = view
        .status
        .timeline
        .iter()
        .find(|s| s.on.is_none())
        .and_then(|s| s.due_by);
    ListRow { view, due_by }
}

/// The open complaints (not yet declined or concluded), the soonest
/// deadline first: how many, and `limit` of them from `offset`.
pub fn open_list(
    c: &mut DbConnection,
    desk: &ComplaintDesk,
    today: NaiveDate,
    district: Option<String>,
    offset: usize,
    limit: usize,
) -> Result<(usize, Vec<ListRow>), DbError> {
    let filter = ListFilter {
        kind: None,
        status: None,
        district,
        overdue: None,
        offset: 0,
        limit: usize::MAX,
    };
    let (_, listed) = db::complaints::list(c, &filter, &desk.deadlines, today)?;
    let mut rows = Vec::new();
    for l in listed {
        if l.record.stage()?.is_final() {
            continue;
        }
        let mut v = staff_view(&l.record, l.district_code, desk, today, false, false)?;
        v.status.overdue = l.overdue;
        rows.push(row(v));
    }
    rows.sort_by_key(|r| r.due_by.unwrap_or(NaiveDate::MAX));
    let total = rows.len();
    Ok((total, rows.into_iter().skip(offset).take(limit).collect()))
}

#[derive(Deserialize)]
struct ListQuery {
    kind: Option<String>,
    status: Option<String>,
    district: Option<String>,
    overdue: Option<String>,
    page: Option<usize>,
}

async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<ListQuery>,
) -> ConsoleResult {
    let session = signed_in(&req, &state, ROLES).await?;
    let status = match query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => Some(Stage::parse(s).ok_or_else(|| {
            AppError::new(ErrorCode::BadRequest).message(tr("console-unknown-stage"))
        })?),
    };
    let kind = match query
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(k) => Some(ReportKind::parse(k).ok_or_else(|| {
            AppError::new(ErrorCode::BadRequest).message(tr("console-bad-filter"))
        })?),
    };
    let overdue = match query.overdue.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("true" | "1") => Some(true),
        Some("false" | "0") => Some(false),
        Some(_) => {
            return Err(AppError::new(ErrorCode::BadRequest)
                .message(tr("console-bad-filter"))
                .into());
        }
    };
    // An account limited to a district sees only its district, whatever
    // the address asks.
    let district = district_of(&session).or_else(|| {
        query
            .district
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| d.chars().take(12).collect())
    });
    let page = query.page.unwrap_or(1).clamp(1, 100_000);
    let filter = ListFilter {
        kind,
        status,
        district: district.clone(),
        overdue,
        offset: (page - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    let desk = state.complaints.clone();
    let today = state.clock.today();
    let actor = session.user.name.clone();
    let audit = serde_json::json!({
        "kind": kind.map(|k| k.key()),
        "status": status.map(|s| s.key()), "district": district, "overdue": overdue, "page": page,
    })
    .to_string();
    let (total, rows) = state
        .db(move |c| {
            db::audit::record(c, &actor, "complaints.list", "complaints", &audit)?;
            let (total, listed) = db::complaints::list(c, &filter, &desk.deadlines, today)?;
            let rows = listed
                .into_iter()
                .map(|l| {
                    let mut v = staff_view(&l.record, l.district_code, &desk, today, false, false)?;
                    v.status.overdue = l.overdue;
                    Ok(row(v))
                })
                .collect::<Result<Vec<_>, DbError>>()?;
            Ok((total, rows))
        })
        .await
        .map_err(AppError::html)?;
    let districts = state.district_names().await.map_err(AppError::html)?;
    let mut ctx = context(&state, &session, &tr("console-complaints-title"));
    ctx.insert("rows", &rows);
    ctx.insert("total", &total);
    ctx.insert("page", &page);
    ctx.insert("pages", &total.div_ceil(PER_PAGE).max(1));
    ctx.insert(
        "stages",
        &Stage::ALL.iter().map(|s| s.key()).collect::<Vec<_>>(),
    );
    ctx.insert("districts", &districts.names);
    ctx.insert(
        "kinds",
        &ReportKind::ALL.iter().map(|k| k.key()).collect::<Vec<_>>(),
    );
    ctx.insert(
        "filter",
        &serde_json::json!({
            "kind": kind.map(|k| k.key()).unwrap_or_default(),
            "status": status.map(|s| s.key()).unwrap_or_default(),
            "district": district.unwrap_or_default(),
            "overdue": overdue.map(|o| o.to_string()).unwrap_or_default(),
            "district_fixed": session.user.district.is_some(),
        }),
    );
    super::render("admin/complaints.html", &ctx)
}

fn tracking(raw: &str) -> Result<TrackingNo, ConsoleError> {
    TrackingNo::parse(raw).map_err(|e| {
        ConsoleError::App(
            AppError::new(ErrorCode::BadRequest)
                .message(crate::i18n::say(&e.message()))
                .html(),
        )
    })
}

fn not_found() -> ConsoleError {
    ConsoleError::page(ErrorCode::NotFound, "console-complaint-not-found")
}

/// Loads one complaint for `session`: `None` when it does not exist or
/// concerns another district than the account's.
fn load(
    c: &mut DbConnection,
    no: &TrackingNo,
    session_district: Option<&str>,
    desk: &ComplaintDesk,
    today: NaiveDate,
    reveal: bool,
) -> Result<Option<StaffView>, DbError> {
    let Some(record) = db::complaints::find(c, no)? else {
        return Ok(None);
    };
    let district = crate::db::complaints::desk_district(&record);
    if session_district.is_some_and(|d| district.as_deref() != Some(d)) {
        return Ok(None);
    }
    staff_view(&record, district, desk, today, true, reveal).map(Some)
}

fn outcomes() -> Vec<serde_json::Value> {
    Outcome::ALL
        .iter()
        .map(|o| serde_json::json!({"key": o.key(), "label": o.label_here()}))
        .collect()
}

fn detail_page(
    state: &AppState,
    session: &Session,
    view: &StaffView,
    status: StatusCode,
    error: Option<String>,
    form: Option<&TransitionForm>,
) -> ConsoleResult {
    let mut ctx = context(
        state,
        session,
        &tr_with(
            "console-complaint-title",
            &[("no", &view.status.tracking_no)],
        ),
    );
    ctx.insert("c", view);
    ctx.insert("outcomes", &outcomes());
    ctx.insert("error", &error);
    ctx.insert("note_max", &limits::NOTE_MAX);
    ctx.insert(
        "form",
        &serde_json::json!({
            "to": form.map(|f| f.to.as_str()).unwrap_or_default(),
            "note": form.map(|f| f.note.as_str()).unwrap_or_default(),
            "outcome": form.map(|f| f.outcome.as_str()).unwrap_or_default(),
        }),
    );
    Ok(super::page(
        status,
        templates::render("admin/complaint.html", &ctx)?,
    ))
}

async fn detail(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> ConsoleResult {
    let session = signed_in(&req, &state, ROLES).await?;
    show(&state, &session, &path, false).await
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

async fn reveal(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<TokenForm>,
) -> ConsoleResult {
    let session = signed_in(&req, &state, ROLES).await?;
    check_form(&req, &session, &form.csrf_token)?;
    show(&state, &session, &path, true).await
}

/// One complaint's page, its contact in full when `reveal`; the read is
/// audited under the account's name, a reveal as its own action.
async fn show(state: &AppState, session: &Session, raw: &str, reveal: bool) -> ConsoleResult {
    let no = tracking(raw)?;
    let (desk, today) = (state.complaints.clone(), state.clock.today());
    let district = district_of(session);
    let actor = session.user.name.clone();
    let action = if reveal {
        "complaint.reveal_contact"
    } else {
        "complaint.read"
    };
    let view = state
        .db(move |c| {
            let view = load(c, &no, district.as_deref(), &desk, today, reveal)?;
            if view.is_some() {
                db::audit::record(c, &actor, action, no.as_str(), "{}")?;
            }
            Ok(view)
        })
        .await
        .map_err(AppError::html)?
        .ok_or_else(not_found)?;
    detail_page(state, session, &view, StatusCode::OK, None, None)
}

#[derive(Deserialize)]
struct TransitionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    outcome: String,
}

async fn transition(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<TransitionForm>,
) -> ConsoleResult {
    let session = signed_in(&req, &state, ROLES).await?;
    check_form(&req, &session, &form.csrf_token)?;
    let form = form.into_inner();
    let no = tracking(&path)?;
    let (desk, today, now) = (
        state.complaints.clone(),
        state.clock.today(),
        state.clock.now_utc(),
    );
    let district = district_of(&session);
    let to = Stage::parse(form.to.trim());
    let outcome = match form.outcome.trim() {
        "" => Ok(None),
        o => Outcome::parse(o).map(Some).ok_or(()),
    };
    let too_long = form.note.chars().count() > limits::NOTE_MAX;
    let actor = session.user.name.clone();
    let note = form.note.clone();
    let result = state
        .db(move |c| {
            let Some(before) = load(c, &no, district.as_deref(), &desk, today, false)? else {
                return Ok(None);
            };
            let refused = match (to, outcome) {
                (None, _) => Some(tr("console-choose-stage")),
                (_, Err(())) => Some(tr("console-unknown-outcome")),
                _ if too_long => Some(tr_with(
                    "console-note-too-long",
                    &[("max", &limits::NOTE_MAX)],
                )),
                _ => None,
            };
            if let Some(message) = refused {
                return Ok(Some((before, Some(message))));
            }
            let (Some(to), Ok(outcome)) = (to, outcome) else {
                return Ok(Some((before, Some(tr("console-choose-stage")))));
            };
            let t = Transition { to, note, outcome };
            match db::complaints::advance(c, &no, &t, &actor, now)? {
                // `advance` audits the move itself.
                Ok(_) => {
                    let after = load(c, &no, None, &desk, today, false)?;
                    Ok(after.map(|v| (v, None)))
                }
                Err(refused) => {
                    db::audit::record(
                        c,
                        &actor,
                        "complaint.transition_refused",
                        no.as_str(),
                        &serde_json::json!({"to": to.key()}).to_string(),
                    )?;
                    let message = match refused {
                        TransitionRefused::NotFound => tr("console-complaint-not-found"),
                        TransitionRefused::NotAllowed { from, .. } => tr_with(
                            "console-transition-not-allowed",
                            &[("from", &from.label_here())],
                        ),
                        TransitionRefused::Outcome => tr("console-transition-outcome"),
                        TransitionRefused::NoteRequired => tr("console-transition-note"),
                    };
                    Ok(Some((before, Some(message))))
                }
            }
        })
        .await
        .map_err(AppError::html)?;
    match result {
        None => Err(not_found()),
        Some((view, None)) => Ok(super::see_other(&format!(
            "/admin/complaints/{}",
            view.status.tracking_no
        ))),
        Some((view, Some(message))) => detail_page(
            &state,
            &session,
            &view,
            StatusCode::BAD_REQUEST,
            Some(message),
            Some(&form),
        ),
    }
}
