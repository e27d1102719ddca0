//! `/admin/compliance` (the plan's rules 1–8 with their figures, by
//! district, and the exit candidates; both as CSV) for the `city` and
//! `district` roles, a district account seeing its own district; and
//! `/admin/audit` (the audit log, filtered by account, action and date)
//! for the `city` role.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{ConsoleResult, context, district_of, signed_in};
use crate::db;
use crate::domain::vocab::Role;
use crate::import::report::{Warning, rule_text};
use crate::web::AppState;
use crate::web::api::export::csv_chunk;
use crate::web::errors::{AppError, ErrorCode};
use crate::web::lang::{self, tr};

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/compliance", web::get().to(compliance))
        .route("/admin/compliance.csv", web::get().to(compliance_csv))
        .route("/admin/exit-candidates.csv", web::get().to(exit_csv))
        .route("/admin/audit", web::get().to(audit));
}

const ROLES: &[Role] = &[Role::City, Role::District];

#[derive(Deserialize)]
struct DistrictQuery {
    district: Option<String>,
}

/// A finding as the page and the CSV show it.
#[derive(Serialize)]
struct FindingRow {
    district: String,
    rule: u8,
    rule_text: String,
    subject_kind: String,
    subject: String,
    figures: String,
}

/// An exit candidate as the page and the CSV show it.
#[derive(Serialize)]
struct ExitRow {
    district: String,
    subject_kind: &'static str,
    license_no: String,
    name: String,
    reason: &'static str,
    sentence: String,
    since: NaiveDate,
}

fn figures_text(w: &Warning) -> String {
    w.figures
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The district a page shows: the account's own, or the one asked for.
fn chosen(session: &db::users::Session, query: &DistrictQuery) -> Option<String> {
    district_of(session).or_else(|| {
        query
            .district
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| d.chars().take(12).collect())
    })
}

async fn rows(
    state: &AppState,
    actor: String,
    district: Option<String>,
) -> Result<(Vec<FindingRow>, Vec<ExitRow>), AppError> {
    let (today, rules, policy) = (state.clock.today(), state.rules, state.windows);
    let (findings, exits) = state
        .db(move |c| {
            db::audit::record(
                c,
                &actor,
                "read_compliance",
                district.as_deref().unwrap_or(""),
                "",
            )?;
            let findings =
                crate::import::compliance_by_district(c, today, &rules, district.as_deref())?;
            let mut exits = db::exit::candidates(c, today, &policy, &rules)?;
            if let Some(d) = &district {
                exits.retain(|e| &e.district_code == d);
            }
            Ok((findings, exits))
        })
        .await?;
    let lang = lang::current();
    let mut findings: Vec<FindingRow> = findings
        .into_iter()
        .map(|(d, w)| FindingRow {
            district: d.unwrap_or_default(),
            rule: w.rule,
            rule_text: rule_text(w.rule).to_owned(),
            subject_kind: w.subject_kind.clone(),
            subject: w.subject.clone(),
            figures: figures_text(&w),
        })
        .collect();
    findings
        .sort_by(|a, b| (&a.district, a.rule, &a.subject).cmp(&(&b.district, b.rule, &b.subject)));
    let exits = exits
        .iter()
        .map(|e| ExitRow {
            district: e.district_code.clone(),
            subject_kind: e.kind.key(),
            license_no: e.license_no.clone(),
            name: e.name.clone(),
            reason: e.finding.reason.key(),
            sentence: crate::web::admin::exit::sentence(lang, e),
            since: e.finding.since,
        })
        .collect();
    Ok((findings, exits))
}

async fn compliance(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<DistrictQuery>,
) -> ConsoleResult {
    let session = signed_in(&req, &state, ROLES).await?;
    let district = chosen(&session, &query);
    let (findings, exits) = rows(&state, session.user.name.clone(), district.clone())
        .await
        .map_err(AppError::html)?;
    let by_rule: Vec<serde_json::Value> = (1..=8u8)
        .map(|r| {
            serde_json::json!({
                "rule": r,
                "text": rule_text(r),
                "count": findings.iter().filter(|f| f.rule == r).count(),
            })
        })
        .collect();
    let districts = state.district_names().await.map_err(AppError::html)?;
    let mut ctx = context(&state, &session, &tr("console-compliance-title"));
    ctx.insert("by_rule", &by_rule);
    ctx.insert("findings", &findings);
    ctx.insert("exits", &exits);
    ctx.insert("districts", &districts.names);
    ctx.insert("district", &district.unwrap_or_default());
    ctx.insert("district_fixed", &session.user.district.is_some());
    super::render("admin/compliance.html", &ctx)
}

fn csv_file(name: &str, header: &[&str], rows: &[Vec<String>]) -> Result<HttpResponse, AppError> {
    let body = csv_chunk(Some(header), rows)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body))
}

async fn compliance_csv(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<DistrictQuery>,
) -> ConsoleResult {
    let session = signed_in(&req, &state, ROLES).await?;
    let district = chosen(&session, &query);
    let (findings, _) = rows(&state, session.user.name.clone(), district)
        .await
        .map_err(AppError::html)?;
    let rows: Vec<Vec<String>> = findings
        .into_iter()
        .map(|f| {
            vec![
                f.district,
                f.rule.to_string(),
                f.rule_text,
                f.subject_kind,
                f.subject,
                f.figures,
            ]
        })
        .collect();
    Ok(csv_file(
        "compliance.csv",
        &[
            "district",
            "rule",
            "rule_text",
            "subject_kind",
            "subject",
            "figures",
        ],
        &rows,
    )?)
}

async fn exit_csv(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<DistrictQuery>,
) -> ConsoleResult {
    let session = signed_in(&req, &state, ROLES).await?;
    let district = chosen(&session, &query);
    let (_, exits) = rows(&state, session.user.name.clone(), district)
        .await
        .map_err(AppError::html)?;
    let rows: Vec<Vec<String>> = exits
        .into_iter()
        .map(|e| {
            vec![
                e.district,
                e.subject_kind.to_owned(),
                e.license_no,
                e.name,
                e.reason.to_owned(),
                e.sentence,
                e.since.to_string(),
            ]
        })
        .collect();
    Ok(csv_file(
        "exit-candidates.csv",
        &[
            "district_code",
            "subject_kind",
            "license_no",
            "name",
            "reason",
            "sentence",
            "since",
        ],
        &rows,
    )?)
}

#[derive(Deserialize)]
struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<i64>,
}

const AUDIT_PER_PAGE: i64 = 100;

async fn audit(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<AuditQuery>,
) -> ConsoleResult {
    let session = signed_in(&req, &state, &[Role::City]).await?;
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.chars().take(64).collect::<String>())
    };
    let date = |v: &Option<String>| -> Result<Option<NaiveDate>, AppError> {
        match text(v) {
            None => Ok(None),
            Some(s) => crate::domain::dates::parse_date(&s)
                .map(Some)
                .ok_or_else(|| {
                    AppError::new(ErrorCode::BadRequest)
                        .message(tr("console-bad-date"))
                        .html()
                }),
        }
    };
    let (from, until) = (date(&query.from)?, date(&query.until)?);
    // Dates are days in China; the log is kept in UTC.
    let filter = db::audit::Filter {
        actor: text(&query.actor),
        action: text(&query.action),
        from: from.map(crate::domain::dates::china_midnight_utc),
        until: until
            .and_then(|d| d.succ_opt())
            .map(crate::domain::dates::china_midnight_utc),
    };
    let page = query.page.unwrap_or(1).clamp(1, 100_000);
    let f = filter.clone();
    let (total, entries) = state
        .db(move |c| db::audit::list(c, &f, (page - 1) * AUDIT_PER_PAGE, AUDIT_PER_PAGE))
        .await
        .map_err(AppError::html)?;
    let mut ctx = context(&state, &session, &tr("console-audit-title"));
    ctx.insert("entries", &super::with_time(entries, |e| e.at));
    ctx.insert("total", &total);
    ctx.insert("page", &page);
    ctx.insert(
        "pages",
        &((total + AUDIT_PER_PAGE - 1) / AUDIT_PER_PAGE).max(1),
    );
    ctx.insert(
        "filter",
        &serde_json::json!({
            "actor": filter.actor.unwrap_or_default(),
            "action": filter.action.unwrap_or_default(),
            "from": from.map(|d| d.to_string()).unwrap_or_default(),
            "until": until.map(|d| d.to_string()).unwrap_or_default(),
        }),
    );
    super::render("admin/audit.html", &ctx)
}
