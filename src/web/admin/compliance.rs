//! `GET /admin/api/compliance`: the plan-rule findings over the whole
//! database today.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::db;
use crate::domain::vocab::TokenScope;
use crate::import;
use crate::web::AppState;
use crate::web::auth::{TokenRefused, require};
use crate::web::errors::AppError;

/// Registers the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/api/compliance", web::get().to(get_compliance));
}

/// The plan-rule findings over the whole database today.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Compliance {
    /// The date assessed.
    as_of: chrono::NaiveDate,
    /// How many findings per rule number.
    counts_by_rule: std::collections::BTreeMap<String, usize>,
    /// Every finding with its figures.
    findings: Vec<crate::import::report::Warning>,
}

/// Every breach of the plan's rules today (lawyer ratio, transfers, shell
/// offices, …), with the figures behind each. Audited.
#[utoipa::path(
    get,
    path = "/admin/api/compliance",
    tag = "admin",
    security(("token" = [])),
    responses(
        (status = 200, description = "The findings", body = Compliance),
        TokenRefused,
    )
)]
pub(crate) async fn get_compliance(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let token = require(&req, &state, TokenScope::Import).await?;
    let today = state.clock.today();
    let rules = state.rules;
    let findings: Vec<crate::import::report::Warning> = state
        .db(move |c| {
            db::audit::record(c, &token.name, "read_compliance", "", "")?;
            // A token limited to a district reads that district's findings.
            import::compliance_by_district(c, today, &rules, token.district.as_deref())
        })
        .await?
        .into_iter()
        .map(|(_, w)| w)
        .collect();
    let mut by_rule = std::collections::BTreeMap::<String, usize>::new();
    for f in &findings {
        *by_rule.entry(f.rule.to_string()).or_default() += 1;
    }
    Ok(HttpResponse::Ok().json(Compliance {
        as_of: today,
        counts_by_rule: by_rule,
        findings,
    }))
}
