//! Webhooks for integrators (issue 14), admin token:
//!
//! - `POST /admin/api/webhooks` `{url, district_code?, subject_kind?}`
//!   registers a receiver and answers its secret, once;
//! - `GET /admin/api/webhooks` lists them with their delivery state
//!   (never the secrets);
//! - `DELETE /admin/api/webhooks/{id}` removes one.
//!
//! A token limited to a district registers receivers of that district's
//! events only, and sees and removes only those. `crate::webhooks` says how
//! events are sent.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::db;
use crate::db::webhooks::Webhook;
use crate::domain::vocab::{SubjectKind, TokenScope};
use crate::web::AppState;
use crate::web::auth::{TokenRefused, require};
use crate::web::complaints::{no_store, read_body};
use crate::web::errors::{AppError, ErrorBody, ErrorCode};
use crate::web::lang::tr;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/api/webhooks", web::get().to(list))
        .route("/admin/api/webhooks", web::post().to(register))
        .route("/admin/api/webhooks/{id}", web::delete().to(remove));
}

/// What a receiver is sent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct RegisterBody {
    /// `http://` address the events are POSTed to (at most 2,000
    /// characters).
    #[schema(example = "http://integrator.internal:8080/legal-portal/events")]
    url: String,
    /// Only events about subjects of this district (6 digits).
    #[schema(example = "500103")]
    district_code: Option<String>,
    /// Only events about `office` or `worker` subjects.
    subject_kind: Option<String>,
}

/// A receiver as listed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct WebhookView {
    /// Id.
    id: i64,
    /// Where events go.
    url: String,
    /// District filter.
    district_code: Option<String>,
    /// Subject kind filter.
    subject_kind: Option<String>,
    /// The token that registered it.
    created_by: String,
    /// When (UTC).
    created_at: DateTime<Utc>,
    /// The last event id delivered (or given up on).
    delivered_through: i64,
    /// Events delivered.
    delivered: i64,
    /// Events given up on after 24 hours of failures.
    given_up: i64,
    /// Failed attempts at the next event.
    attempts: i32,
    /// Since when the next event fails (UTC).
    failing_since: Option<DateTime<Utc>>,
    /// When it is tried again (UTC).
    next_attempt_at: Option<DateTime<Utc>>,
    /// What the last failure was.
    last_error: Option<String>,
}

impl From<Webhook> for WebhookView {
    fn from(w: Webhook) -> Self {
        Self {
            id: w.id,
            url: w.url,
            district_code: w.district_code,
            subject_kind: w.subject_kind,
            created_by: w.created_by,
            created_at: w.created_at.and_utc(),
            delivered_through: w.delivered_through,
            delivered: w.delivered,
            given_up: w.given_up,
            attempts: w.attempts,
            failing_since: w.failing_since.map(|t| t.and_utc()),
            next_attempt_at: w.next_attempt_at.map(|t| t.and_utc()),
            last_error: w.last_error,
        }
    }
}

/// A receiver just registered, with its secret (shown this once).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Registered {
    /// The receiver.
    #[serde(flatten)]
    webhook: WebhookView,
    /// The HMAC-SHA-256 key of each delivery's `X-Signature:
    /// sha256=<hex>` header. Keep it: it is not shown again.
    secret: String,
}

fn bad(id: &str, details: serde_json::Value) -> AppError {
    AppError::new(ErrorCode::BadRequest)
        .message(tr(id))
        .details(details)
}

/// Checks the address: absolute `http://`, a host, no credentials, no
/// fragment, at most 2,000 characters.
fn checked_url(raw: &str) -> Result<String, AppError> {
    let raw = raw.trim();
    let parsed = url::Url::parse(raw)
        .ok()
        .filter(|_| raw.chars().count() <= 2000);
    let Some(u) = parsed else {
        return Err(bad("api-webhook-bad-url", json!({"field": "url"})));
    };
    if u.scheme() == "https" {
        return Err(bad("api-webhook-https", json!({"field": "url"})));
    }
    if u.scheme() != "http"
        || u.host_str().is_none_or(str::is_empty)
        || !u.username().is_empty()
        || u.password().is_some()
        || u.fragment().is_some()
    {
        return Err(bad("api-webhook-bad-url", json!({"field": "url"})));
    }
    // Signed events never go to a cloud's metadata service or other
    // link-local address (169.254.0.0/16, fe80::/10), nor to "any address".
    let forbidden = match u.host() {
        Some(url::Host::Ipv4(a)) => a.is_link_local() || a.is_unspecified() || a.is_broadcast(),
        Some(url::Host::Ipv6(a)) => {
            a.is_unspecified()
                || (a.segments()[0] & 0xffc0) == 0xfe80
                || a.to_ipv4_mapped().is_some_and(|v4| v4.is_link_local())
        }
        _ => false,
    };
    if forbidden {
        return Err(bad("api-webhook-link-local", json!({"field": "url"})));
    }
    Ok(u.to_string())
}

/// Registers a receiver of change events. Audited.
#[utoipa::path(
    post,
    path = "/admin/api/webhooks",
    tag = "admin",
    security(("token" = [])),
    request_body = RegisterBody,
    responses(
        (status = 201, description = "Registered; the secret is in this answer only", body = Registered),
        (status = 400, description = "A bad address, district or kind (`bad_request`)", body = ErrorBody),
        (status = 413, description = "A body over 16 KB (`payload_too_large`)", body = ErrorBody),
        TokenRefused,
    )
)]
pub(crate) async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let token = require(&req, &state, TokenScope::Admin).await?;
    let body = read_body(payload, 16 * 1024).await?;
    let body: RegisterBody = serde_json::from_slice(&body)
        .map_err(|e| bad("api-webhook-body", json!({"reason": e.to_string()})))?;
    let url = checked_url(&body.url)?;
    let kind = match body.subject_kind.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) => Some(SubjectKind::parse(k).ok_or_else(|| {
            bad(
                "api-webhook-bad-kind",
                json!({"field": "subject_kind", "allowed": ["office", "worker"]}),
            )
        })?),
    };
    let asked = body
        .district_code
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned);
    // A district's token registers for its district only.
    let district = match (&token.district, asked) {
        (Some(own), Some(d)) if *own != d => {
            return Err(AppError::new(ErrorCode::Forbidden)
                .message(tr("api-webhook-other-district"))
                .details(json!({"field": "district_code"})));
        }
        (Some(own), _) => Some(own.clone()),
        (None, d) => d,
    };
    let actor = token.name.clone();
    let registered = state
        .db(move |c| {
            if let Some(d) = &district
                && db::districts::find(c, d)?.is_none()
            {
                return Ok(None);
            }
            let hook = db::webhooks::register(
                c,
                &url,
                district.as_deref(),
                kind,
                &actor,
                chrono::Utc::now().naive_utc(),
            )?;
            let detail =
                json!({"id": hook.id, "district": hook.district_code, "kind": hook.subject_kind})
                    .to_string();
            db::audit::record(c, &actor, "webhook.register", "webhooks", &detail)?;
            Ok(Some(hook))
        })
        .await?;
    let Some(hook) = registered else {
        return Err(bad(
            "api-webhook-bad-district",
            json!({"field": "district_code"}),
        ));
    };
    let secret = hook.secret.clone();
    Ok(no_store(HttpResponse::Created().json(Registered {
        webhook: hook.into(),
        secret,
    })))
}

/// The receivers and how their delivery fares (no secrets).
#[utoipa::path(
    get,
    path = "/admin/api/webhooks",
    tag = "admin",
    security(("token" = [])),
    responses(
        (status = 200, description = "Every receiver the token may see", body = [WebhookView]),
        TokenRefused,
    )
)]
pub(crate) async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let token = require(&req, &state, TokenScope::Admin).await?;
    let hooks = state.db(db::webhooks::list).await?;
    let views: Vec<WebhookView> = hooks
        .into_iter()
        .filter(|h| token.district.is_none() || h.district_code == token.district)
        .map(WebhookView::from)
        .collect();
    Ok(no_store(HttpResponse::Ok().json(views)))
}

/// Removes a receiver; its undelivered events are not sent. Audited.
#[utoipa::path(
    delete,
    path = "/admin/api/webhooks/{id}",
    tag = "admin",
    security(("token" = [])),
    params(("id" = i64, Path, description = "The receiver's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "Not a number (`bad_request`)", body = ErrorBody),
        (status = 404, description = "No such receiver the token may see (`not_found`)", body = ErrorBody),
        TokenRefused,
    )
)]
pub(crate) async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = require(&req, &state, TokenScope::Admin).await?;
    let id: i64 = path
        .trim()
        .parse()
        .map_err(|_| bad("api-webhook-bad-id", json!({"field": "id"})))?;
    let (actor, district) = (token.name.clone(), token.district.clone());
    let removed = state
        .db(move |c| {
            let hooks = db::webhooks::list(c)?;
            let visible = hooks
                .iter()
                .any(|h| h.id == id && (district.is_none() || h.district_code == district));
            if !visible {
                return Ok(false);
            }
            db::webhooks::remove(c, id)?;
            db::audit::record(
                c,
                &actor,
                "webhook.remove",
                "webhooks",
                &json!({"id": id}).to_string(),
            )?;
            Ok(true)
        })
        .await?;
    if !removed {
        return Err(AppError::new(ErrorCode::NotFound).message(tr("api-webhook-not-found")));
    }
    Ok(HttpResponse::NoContent().finish())
}
