//! `GET /admin/api/compliance`: the plan-rule findings over the whole
//! database today.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::db;
use crate::domain::vocab::TokenScope;
use crate::import;
use crate::web::AppState;
use crate::web::auth::require;
use crate::web::errors::AppError;

/// Registers the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/api/compliance", web::get().to(get_compliance));
}

async fn get_compliance(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let token = require(&req, &state, TokenScope::Import).await?;
    let today = state.clock.today();
    let findings = state
        .db(move |c| {
            db::audit::record(c, &token.name, "read_compliance", "", "")?;
            import::compliance(c, today)
        })
        .await?;
    let mut by_rule = std::collections::BTreeMap::<u8, usize>::new();
    for f in &findings {
        *by_rule.entry(f.rule).or_default() += 1;
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "as_of": today,
        "counts_by_rule": by_rule,
        "findings": findings,
    })))
}
