//! `/verify`, printable standing certificates and `/certificates/{code}`.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::{base_context, license_from_path, not_found_page};
use crate::db::certificates::{self, Certificate};
use crate::domain::LicenseNo;
use crate::domain::certificate::{Attestation, normalize_code};
use crate::web::AppState;
use crate::web::errors::{AppError, ErrorCode};
use crate::web::lang::{self, tr, tr_with};
use crate::web::templates;
use crate::web::views::{self, SubjectSummary};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/verify", web::get().to(verify_page))
        .route(
            "/workers/{license_no}/certificate",
            web::get().to(worker_certificate),
        )
        .route(
            "/offices/{license_no}/certificate",
            web::get().to(office_certificate),
        )
        .route("/certificates/{code}", web::get().to(check_page));
}

/// The query of `/verify` and `/api/v1/verify`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// The number to check (required by the API; the page shows a form
    /// without it).
    #[param(example = "45001030001")]
    pub license_no: Option<String>,
    /// The name the holder gave, optional.
    pub name: Option<String>,
}

/// The outcome of a verification.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Verification {
    /// The number is held by the subject; standing attached.
    Found {
        /// The subject.
        subject: SubjectSummary,
        /// Whether a name was given and matched.
        name_checked: bool,
    },
    /// A name was given that is not the holder's; nothing else is said.
    NameMismatch {
        /// The number checked.
        license_no: String,
    },
    /// No worker or office has that number.
    NotFound {
        /// The number checked.
        license_no: String,
    },
}

/// Names compare after dropping spaces and folding full-width forms.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .map(crate::domain::license::fold_width)
            .filter(|c| !c.is_whitespace() && *c != '·' && *c != '•')
            .collect()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

/// Verifies a number (and optionally a name) on today's date.
pub async fn verify(
    state: &AppState,
    license: LicenseNo,
    name: Option<String>,
) -> Result<Verification, AppError> {
    let (today, windows) = (state.clock.today(), state.windows);
    let shown = license.to_string();
    let summary = state
        .db(move |c| views::subject_summary(c, &license, today, &windows))
        .await?;
    let name = name.filter(|n| !n.trim().is_empty());
    Ok(match summary {
        None => Verification::NotFound { license_no: shown },
        Some(s) => match name {
            Some(n) if !same_name(&n, &s.name) => Verification::NameMismatch { license_no: shown },
            Some(_) => Verification::Found {
                subject: s,
                name_checked: true,
            },
            None => Verification::Found {
                subject: s,
                name_checked: false,
            },
        },
    })
}

async fn verify_page(
    state: web::Data<AppState>,
    query: web::Query<VerifyQuery>,
) -> Result<HttpResponse, AppError> {
    let mut ctx = base_context(&state);
    ctx.insert("title", &tr("verify-title"));
    ctx.insert("license_no", &query.license_no.as_deref().unwrap_or(""));
    ctx.insert("name", &query.name.as_deref().unwrap_or(""));
    let raw = query.license_no.as_deref().unwrap_or("").trim();
    let mut status = actix_web::http::StatusCode::OK;
    if !raw.is_empty() {
        match LicenseNo::parse(raw) {
            Ok(license) => {
                let mut outcome = verify(&state, license, query.name.clone())
                    .await
                    .map_err(AppError::html)?;
                if let Verification::Found { subject, .. } = &mut outcome {
                    subject.standing.localize();
                }
                if matches!(outcome, Verification::NotFound { .. }) {
                    status = actix_web::http::StatusCode::NOT_FOUND;
                }
                ctx.insert("outcome", &outcome);
            }
            Err(_) => {
                status = actix_web::http::StatusCode::BAD_REQUEST;
                ctx.insert("error", &ErrorCode::InvalidLicenseNo.message_here());
            }
        }
    }
    let body = templates::render("verify.html", &ctx)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// The public base address for links printed or encoded in QR codes (see
/// [`crate::web::site`]).
pub fn base_url(req: &HttpRequest, state: &AppState) -> String {
    crate::web::site::base_url(req, state)
}

/// An SVG QR code of `text`, or `None` if it is too long to encode.
pub fn qr_svg(text: &str) -> Option<String> {
    // Drawing a QR code was a third of a profile's time; the same address
    // always gives the same picture, so the recent ones are kept (a few MB
    // at most: the map is emptied when it is full).
    const KEEP: usize = 256;
    static RECENT: LazyLock<Mutex<HashMap<String, Option<Arc<str>>>>> =
        LazyLock::new(Mutex::default);
    if let Some(svg) = RECENT.lock().ok().and_then(|m| m.get(text).cloned()) {
        return svg.map(|s| s.to_string());
    }
    let svg = draw_qr_svg(text).map(Arc::<str>::from);
    if let Ok(mut m) = RECENT.lock() {
        if m.len() >= KEEP {
            m.clear();
        }
        m.insert(text.to_owned(), svg.clone());
    }
    svg.map(|s| s.to_string())
}

fn draw_qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(132, 132)
        .quiet_zone(true)
        .build();
    svg.find("<svg").map(|i| svg[i..].to_owned())
}

async fn worker_certificate(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    certificate_page(req, state, &path, "/workers").await
}

async fn office_certificate(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    certificate_page(req, state, &path, "/offices").await
}

/// Issues (or reuses today's) certificate for a subject and renders it
/// for printing.
async fn certificate_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    raw: &str,
    prefix: &str,
) -> Result<HttpResponse, AppError> {
    let license = match license_from_path(raw, prefix)? {
        Ok(l) => l,
        Err(redirect) => return Ok(redirect),
    };
    let (today, windows) = (state.clock.today(), state.windows);
    let signer = state.signer.clone();
    let mut random = [0u8; 8];
    rand::Rng::fill_bytes(&mut rand::rng(), &mut random);
    let want_kind = if prefix == "/workers" {
        "worker"
    } else {
        "office"
    };
    let issued = state
        .db(move |c| {
            let Some(s) = views::subject_summary(c, &license, today, &windows)? else {
                return Ok(None);
            };
            if s.kind != want_kind {
                return Ok(None);
            }
            if let Some(existing) =
                certificates::find_same_day(c, s.kind, &s.license_no, today, s.standing.key)?
            {
                return Ok(Some((existing, s)));
            }
            let code = signer.new_code(random);
            let issued_on = today.to_string();
            let signature = signer.sign(&Attestation {
                code: &code,
                subject_kind: s.kind,
                license_no: &s.license_no,
                name: &s.name,
                issued_on: &issued_on,
                standing: s.standing.key,
            });
            let cert = Certificate {
                code,
                subject_kind: s.kind.to_owned(),
                subject_license_no: s.license_no.clone(),
                subject_name: s.name.clone(),
                issued_on: today,
                standing: s.standing.key.to_owned(),
                reason: s.standing.reason.clone(),
                signature,
                created_at: certificates::now(),
            };
            certificates::insert(c, &cert)?;
            Ok(Some((cert, s)))
        })
        .await
        .map_err(AppError::html)?;
    let Some((cert, mut subject)) = issued else {
        return Err(not_found_page(&tr("nf-certificate")));
    };
    subject.standing.localize();
    let mut view = cert_view(&cert);
    if lang::current() != lang::Lang::Zh {
        // The stored reason is the Chinese one; the certificate is issued
        // (or reused) on the day and for the standing assessed just now, so
        // today's reason is the same sentence in the page's language.
        view.reason = subject.standing.reason.clone();
    }
    let check_url = format!("{}/certificates/{}", base_url(&req, &state), cert.code);
    let mut ctx = base_context(&state);
    ctx.insert(
        "title",
        &tr_with("title-certificate", &[("name", &subject.name)]),
    );
    ctx.insert("certificate", &view);
    ctx.insert("subject", &subject);
    ctx.insert("check_url", &check_url);
    ctx.insert("qr_svg", &qr_svg(&check_url));
    let body = templates::render("certificate.html", &ctx)?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// A certificate as shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CertificateView {
    /// Code.
    pub code: String,
    /// `office` or `worker`.
    pub subject_kind: String,
    /// License number.
    pub license_no: String,
    /// Name on the day.
    pub name: String,
    /// Date certified.
    pub issued_on: chrono::NaiveDate,
    /// Standing key on the day.
    pub standing: String,
    /// Standing label on the day.
    pub standing_label: &'static str,
    /// Reason on the day.
    pub reason: String,
}

fn cert_view(c: &Certificate) -> CertificateView {
    use crate::i18n::Label;
    CertificateView {
        code: c.code.clone(),
        subject_kind: c.subject_kind.clone(),
        license_no: c.subject_license_no.clone(),
        name: c.subject_name.clone(),
        issued_on: c.issued_on,
        standing: c.standing.clone(),
        standing_label: crate::domain::Standing::parse(&c.standing).map_or("", |s| s.label()),
        reason: c.reason.clone(),
    }
}

/// What a certificate check found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CertificateCheck {
    /// Whether the certificate was issued by this portal and is unaltered.
    pub genuine: bool,
    /// `genuine`, `malformed`, `unknown` (forged or mistyped) or `altered`.
    pub verdict: &'static str,
    /// What it certified, when genuine.
    pub certificate: Option<CertificateView>,
    /// The subject's standing today, when genuine.
    pub current: Option<SubjectSummary>,
    /// Whether the standing differs today from the certified one.
    pub changed_since: Option<bool>,
}

/// Checks a typed certificate code.
pub async fn check(state: &AppState, raw: &str) -> Result<CertificateCheck, AppError> {
    let not_genuine = |verdict| CertificateCheck {
        genuine: false,
        verdict,
        certificate: None,
        current: None,
        changed_since: None,
    };
    let Some(code) = normalize_code(raw) else {
        return Ok(not_genuine("malformed"));
    };
    if !state.signer.code_is_authentic(&code) {
        return Ok(not_genuine("unknown"));
    }
    let (today, windows) = (state.clock.today(), state.windows);
    let signer = state.signer.clone();
    state
        .db(move |c| {
            let Some(cert) = certificates::find(c, &code)? else {
                return Ok(not_genuine("unknown"));
            };
            let issued_on = cert.issued_on.to_string();
            let attested = Attestation {
                code: &cert.code,
                subject_kind: &cert.subject_kind,
                license_no: &cert.subject_license_no,
                name: &cert.subject_name,
                issued_on: &issued_on,
                standing: &cert.standing,
            };
            if !signer.verify(&attested, &cert.signature) {
                tracing::warn!(code = %cert.code, "certificate record fails its signature");
                return Ok(not_genuine("altered"));
            }
            let current = match LicenseNo::parse(&cert.subject_license_no) {
                Ok(l) => views::subject_summary(c, &l, today, &windows)?,
                Err(_) => None,
            };
            let changed_since = current.as_ref().map(|s| s.standing.key != cert.standing);
            Ok(CertificateCheck {
                genuine: true,
                verdict: "genuine",
                certificate: Some(cert_view(&cert)),
                current,
                changed_since,
            })
        })
        .await
}

async fn check_page(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let mut result = check(&state, &path).await.map_err(AppError::html)?;
    if let Some(current) = &mut result.current {
        current.standing.localize();
    }
    let status = match result.verdict {
        "genuine" => actix_web::http::StatusCode::OK,
        "malformed" => actix_web::http::StatusCode::BAD_REQUEST,
        _ => actix_web::http::StatusCode::NOT_FOUND,
    };
    let mut ctx = base_context(&state);
    ctx.insert("title", &tr("certificate-check-title"));
    ctx.insert("check", &result);
    let body = templates::render("certificate_check.html", &ctx)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}
