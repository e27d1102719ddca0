//! The complaint workflow for the bureau (token scope `complaints`):
//!
//! - `GET /admin/api/complaints?kind=&status=&district=&overdue=&page=&per_page=`
//!   (every kind the desk takes: complaints, corrections, unlicensed
//!   practice)
//! - `GET /admin/api/corrections?status=&district=&overdue=&page=&per_page=`
//!   (the reports of wrong information only)
//! - `GET /admin/api/complaints/{tracking_no}[?reveal_contact=true]`
//! - `POST /admin/api/complaints/{tracking_no}/transitions`
//!   `{"to", "note", "outcome"}`
//!
//! Every call is audited by token name, never with personal data. Lists
//! show the contact masked; one complaint shows it in full only when asked,
//! and that is audited as its own action.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::db::{self, complaints::ListFilter, complaints::TransitionRefused};
use crate::domain::complaint::{Outcome, Stage, TrackingNo, limits};
use crate::domain::report::ReportKind;
use crate::domain::vocab::TokenScope;
use crate::web::AppState;
use crate::web::auth::{TokenRefused, require};
use crate::web::complaints::{StaffView, no_store, read_body, staff_view};
use crate::web::errors::{AppError, ErrorBody, ErrorCode};
use crate::web::lang::{tr, tr_with};

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/api/complaints", web::get().to(list))
        .route("/admin/api/corrections", web::get().to(corrections))
        .route("/admin/api/complaints/{tracking_no}", web::get().to(read))
        .service(
            web::resource("/admin/api/complaints/{tracking_no}/transitions")
                .route(web::post().to(transition)),
        );
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Only this kind: `complaint`, `correction` or `unlicensed` (all when
    /// absent).
    #[param(value_type = Option<ReportKind>)]
    kind: Option<String>,
    /// Only complaints at this stage.
    #[param(value_type = Option<Stage>)]
    status: Option<String>,
    /// Only complaints of this district's desk: their subject's district
    /// when they were filed (6-digit code).
    district: Option<String>,
    /// Only (or never) those past a deadline.
    overdue: Option<bool>,
    /// Page number from 1 (at most 100,000).
    #[param(minimum = 1, maximum = 100_000)]
    page: Option<usize>,
    /// Complaints per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<usize>,
}

/// One page of complaints for the bureau.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ComplaintPage {
    /// How many match in all.
    total: usize,
    /// Page number from 1.
    page: usize,
    /// Complaints per page.
    per_page: usize,
    /// The complaints, without the complainant's contact details.
    complaints: Vec<StaffView>,
}

/// The filters of the corrections list.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CorrectionsQuery {
    /// Only corrections at this stage.
    #[param(value_type = Option<Stage>)]
    status: Option<String>,
    /// Only corrections of this district's desk: their subject's district
    /// when they were filed (6-digit code).
    district: Option<String>,
    /// Only (or never) those past a deadline.
    overdue: Option<bool>,
    /// Page number from 1 (at most 100,000).
    #[param(minimum = 1, maximum = 100_000)]
    page: Option<usize>,
    /// Corrections per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<usize>,
}

/// One page of reports of wrong information for the bureau.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct CorrectionPage {
    /// How many match in all.
    total: usize,
    /// Page number from 1.
    page: usize,
    /// Corrections per page.
    per_page: usize,
    /// The corrections (`kind` = `correction`), without the reporter's
    /// contact details.
    corrections: Vec<StaffView>,
}

/// The deepest page of the list; deeper is a 400, not an overflow.
const MAX_PAGE: usize = 100_000;

fn bad(message: impl Into<String>, details: serde_json::Value) -> AppError {
    AppError::new(ErrorCode::BadRequest)
        .message(message)
        .details(details)
}

/// The bureau's complaint list, newest first: complaints, corrections
/// and reports of unlicensed practice, or one kind of them. Every call is
/// audited.
#[utoipa::path(
    get,
    path = "/admin/api/complaints",
    tag = "admin",
    security(("token" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "One page", body = ComplaintPage),
        (status = 400, description = "An unknown kind or stage, or a page past the last possible one (`bad_request`)", body = ErrorBody),
        TokenRefused,
    )
)]
pub(crate) async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let token = require(&req, &state, TokenScope::Complaints).await?;
    let query = query.into_inner();
    let kind = match query.kind.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(k) => Some(ReportKind::parse(k).ok_or_else(|| {
            bad(
                tr("api-unknown-kind"),
                json!({"kind": k, "allowed": ReportKind::ALL.iter().map(|k| k.key()).collect::<Vec<_>>()}),
            )
        })?),
    };
    let (total, page, per_page, views) =
        list_of(&state, token, kind, query, "complaints.list").await?;
    Ok(no_store(HttpResponse::Ok().json(ComplaintPage {
        total,
        page,
        per_page,
        complaints: views,
    })))
}

/// The reports of wrong information (报告信息有误), newest first; a token
/// limited to a district sees only its district's. Every call is audited.
#[utoipa::path(
    get,
    path = "/admin/api/corrections",
    tag = "admin",
    security(("token" = [])),
    params(CorrectionsQuery),
    responses(
        (status = 200, description = "One page", body = CorrectionPage),
        (status = 400, description = "An unknown stage, or a page past the last possible one (`bad_request`)", body = ErrorBody),
        TokenRefused,
    )
)]
pub(crate) async fn corrections(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<CorrectionsQuery>,
) -> Result<HttpResponse, AppError> {
    let token = require(&req, &state, TokenScope::Complaints).await?;
    let q = query.into_inner();
    let query = ListQuery {
        kind: None,
        status: q.status,
        district: q.district,
        overdue: q.overdue,
        page: q.page,
        per_page: q.per_page,
    };
    let (total, page, per_page, views) = list_of(
        &state,
        token,
        Some(ReportKind::Correction),
        query,
        "corrections.list",
    )
    .await?;
    Ok(no_store(HttpResponse::Ok().json(CorrectionPage {
        total,
        page,
        per_page,
        corrections: views,
    })))
}

/// One page of the desk's queue of `kind` (all kinds when `None`), for
/// `token`, audited as `action`: `(total, page, per_page, views)`.
async fn list_of(
    state: &AppState,
    token: db::tokens::TokenInfo,
    kind: Option<ReportKind>,
    query: ListQuery,
    action: &'static str,
) -> Result<(usize, usize, usize, Vec<StaffView>), AppError> {
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Stage::parse(s).ok_or_else(|| {
            bad(
                tr("api-unknown-stage"),
                json!({"status": s, "allowed": Stage::ALL.iter().map(|s| s.key()).collect::<Vec<_>>()}),
            )
        })?),
    };
    let per_page = query.per_page.unwrap_or(50);
    if !(1..=200).contains(&per_page) {
        return Err(bad(
            tr_with(
                "sp-not-whole",
                &[("label", &tr("sp-label-per-page")), ("max", &200)],
            ),
            json!({"parameter": "per_page", "max": 200}),
        ));
    }
    let page = query.page.unwrap_or(1);
    if page == 0 {
        return Err(bad(
            tr_with(
                "sp-not-whole",
                &[("label", &tr("sp-label-page")), ("max", &MAX_PAGE)],
            ),
            json!({"parameter": "page", "max": MAX_PAGE}),
        ));
    }
    if page > MAX_PAGE {
        return Err(bad(
            tr_with("api-page-max", &[("max", &MAX_PAGE)]),
            json!({"parameter": "page", "max": MAX_PAGE}),
        ));
    }
    let filter = ListFilter {
        kind,
        status,
        // A token limited to a district lists only that district.
        district: token
            .district
            .clone()
            .or_else(|| query.district.clone().filter(|d| !d.is_empty())),
        overdue: query.overdue,
        offset: (page - 1) * per_page,
        limit: per_page,
    };
    let desk = state.complaints.clone();
    let today = state.clock.today();
    let audit = json!({
        "kind": kind.map(|k| k.key()),
        "status": status.map(|s| s.key()), "district": filter.district,
        "overdue": filter.overdue, "page": page,
    })
    .to_string();
    let actor = token.name.clone();
    let (total, views) = state
        .db(move |c| {
            db::audit::record(c, &actor, action, "complaints", &audit)?;
            let (total, rows) = db::complaints::list(c, &filter, &desk.deadlines, today)?;
            let views = rows
                .into_iter()
                .map(|l| {
                    let mut v = staff_view(&l.record, l.district_code, &desk, today, false, false)?;
                    v.status.overdue = l.overdue;
                    Ok(v)
                })
                .collect::<Result<Vec<_>, db::DbError>>()?;
            Ok((total, views))
        })
        .await?;
    Ok((total, page, per_page, views))
}

fn tracking(raw: &str) -> Result<TrackingNo, AppError> {
    TrackingNo::parse(raw).map_err(|e| {
        bad(
            crate::i18n::say(&e.message()),
            json!({"field": "tracking_no"}),
        )
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReadQuery {
    /// Also show the complainant's name and phone (audited as such).
    reveal_contact: Option<bool>,
}

/// One complaint with its history; contact details only when asked.
#[utoipa::path(
    get,
    path = "/admin/api/complaints/{tracking_no}",
    tag = "admin",
    security(("token" = [])),
    params(("tracking_no" = String, Path, description = "The tracking number"), ReadQuery),
    responses(
        (status = 200, description = "The complaint", body = StaffView),
        (status = 400, description = "Not a tracking number (`bad_request`)", body = ErrorBody),
        TokenRefused,
        (status = 404, description = "No such complaint (`not_found`)", body = ErrorBody),
    )
)]
pub(crate) async fn read(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<ReadQuery>,
) -> Result<HttpResponse, AppError> {
    let token = require(&req, &state, TokenScope::Complaints).await?;
    let no = tracking(&path)?;
    let reveal = query.reveal_contact.unwrap_or(false);
    let desk = state.complaints.clone();
    let today = state.clock.today();
    let view = state
        .db(move |c| {
            let Some(record) = db::complaints::find(c, &no)? else {
                return Ok(None);
            };
            let action = if reveal {
                "complaint.reveal_contact"
            } else {
                "complaint.read"
            };
            let district = db::complaints::desk_district(&record);
            if token
                .district
                .as_ref()
                .is_some_and(|d| district.as_ref() != Some(d))
            {
                return Ok(None);
            }
            db::audit::record(c, &token.name, action, no.as_str(), "{}")?;
            staff_view(&record, district, &desk, today, true, reveal).map(Some)
        })
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound).message(tr("api-no-such-complaint")))?;
    Ok(no_store(HttpResponse::Ok().json(view)))
}

/// A move of a complaint to its next stage.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct TransitionBody {
    /// The stage to move to.
    #[schema(value_type = Stage)]
    to: String,
    /// The bureau's note (required when declining or concluding).
    #[serde(default)]
    note: String,
    /// The outcome, when concluding.
    #[serde(default)]
    #[schema(value_type = Option<Outcome>)]
    outcome: Option<String>,
}

/// Moves a complaint to its next stage (accept, decline, investigate,
/// conclude). Every move is audited.
#[utoipa::path(
    post,
    path = "/admin/api/complaints/{tracking_no}/transitions",
    tag = "admin",
    security(("token" = [])),
    params(("tracking_no" = String, Path, description = "The tracking number")),
    request_body(content = TransitionBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The complaint after the move", body = StaffView),
        (status = 400, description = "A move not allowed from this stage, or a missing note or outcome (`bad_request`)", body = ErrorBody),
        TokenRefused,
        (status = 404, description = "No such complaint (`not_found`)", body = ErrorBody),
        (status = 413, description = "Body too large (`payload_too_large`)", body = ErrorBody),
    )
)]
pub(crate) async fn transition(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let token = require(&req, &state, TokenScope::Complaints).await?;
    let no = tracking(&path)?;
    let body = read_body(payload, 16 * 1024).await?;
    let body: TransitionBody = serde_json::from_slice(&body)
        .map_err(|e| bad(tr("api-transition-body"), json!({"reason": e.to_string()})))?;
    let to = Stage::parse(&body.to).ok_or_else(|| {
        bad(
            tr("api-unknown-target-stage"),
            json!({"to": body.to, "allowed": Stage::ALL.iter().map(|s| s.key()).collect::<Vec<_>>()}),
        )
    })?;
    let outcome = match body.outcome.as_deref().filter(|o| !o.is_empty()) {
        None => None,
        Some(o) => Some(Outcome::parse(o).ok_or_else(|| {
            bad(
                tr("api-unknown-outcome"),
                json!({"outcome": o, "allowed": Outcome::ALL.iter().map(|o| o.key()).collect::<Vec<_>>()}),
            )
        })?),
    };
    if body.note.chars().count() > limits::NOTE_MAX {
        return Err(bad(
            tr_with("console-note-too-long", &[("max", &limits::NOTE_MAX)]),
            json!({"field": "note"}),
        ));
    }
    let t = db::complaints::Transition {
        to,
        note: body.note,
        outcome,
    };
    let desk = state.complaints.clone();
    let (today, now) = (state.clock.today(), state.clock.now_utc());
    let result = state
        .db(move |c| {
            // A token limited to a district moves only that district's
            // complaints; another district's is "not found".
            if let Some(d) = &token.district
                && let Some(record) = db::complaints::find(c, &no)?
                && db::complaints::desk_district(&record).as_ref() != Some(d)
            {
                return Ok(Err(TransitionRefused::NotFound));
            }
            match db::complaints::advance(c, &no, &t, &token.name, now)? {
                Ok(record) => {
                    let district = db::complaints::desk_district(&record);
                    staff_view(&record, district, &desk, today, true, false).map(Ok)
                }
                Err(refused) => {
                    if refused != TransitionRefused::NotFound {
                        db::audit::record(
                            c,
                            &token.name,
                            "complaint.transition_refused",
                            no.as_str(),
                            &json!({"to": t.to.key()}).to_string(),
                        )?;
                    }
                    Ok(Err(refused))
                }
            }
        })
        .await?;
    match result {
        Ok(view) => Ok(no_store(HttpResponse::Ok().json(view))),
        Err(TransitionRefused::NotFound) => {
            Err(AppError::new(ErrorCode::NotFound).message(tr("api-no-such-complaint")))
        }
        Err(TransitionRefused::NotAllowed { from, allowed }) => Err(bad(
            tr_with(
                "console-transition-not-allowed",
                &[("from", &stage_label(from))],
            ),
            json!({"from": from.key(), "allowed": allowed.iter().map(|s| s.key()).collect::<Vec<_>>()}),
        )),
        Err(TransitionRefused::Outcome) => Err(bad(
            tr("api-transition-outcome"),
            json!({"field": "outcome"}),
        )),
        Err(TransitionRefused::NoteRequired) => {
            Err(bad(tr("console-transition-note"), json!({"field": "note"})))
        }
    }
}

fn stage_label(s: Stage) -> &'static str {
    crate::i18n::Label::label(&s)
}
