//! `/verify`, printable standing certificates and `/certificates/{code}`.

use std::sync::{Arc, LazyLock, Mutex};

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::{base_context, license_from_path, not_found_page};
use crate::db::certificates::{self, Certificate};
use crate::domain::LicenseNo;
use crate::domain::certificate::{Attestation, normalize_code};
use crate::i18n::Label;
use crate::web::AppState;
use crate::web::errors::{AppError, ErrorCode};
use crate::web::lang::{self, tr, tr_with};
use crate::web::lru::Lru;
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

use crate::domain::text::same_name;

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
    // A name typed here, with or without a number: when it is only a
    // revoked or deregistered worker's, that is said first (issue 14).
    let typed_name = query.name.as_deref().unwrap_or("").trim();
    if !typed_name.is_empty() {
        let notice = super::search::impersonation_notice(&state, typed_name)
            .await
            .map_err(AppError::html)?;
        ctx.insert("impersonation", &notice);
        ctx.insert("name_only", &(raw.is_empty() && notice.is_none()));
    }
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
    // Choosing a QR code's mask was 35% of an uncached profile's time
    // (`perf`, issue 15), and the same address always gives the same code;
    // so the codes' modules are kept, one bit each (about 200 bytes a
    // code), the least recently used forgotten beyond QR_KEEP_BYTES. Drawing
    // the SVG from them is cheap.
    static RECENT: LazyLock<Mutex<Lru<Option<Arc<QrModules>>>>> =
        LazyLock::new(|| Mutex::new(Lru::new(QR_KEEP_BYTES)));
    let kept = RECENT.lock().ok().and_then(|mut m| m.get(text).cloned());
    let modules = match kept {
        Some(modules) => modules,
        None => {
            let modules = QrModules::encode(text).map(Arc::new);
            if let Ok(mut m) = RECENT.lock() {
                let size = modules.as_ref().map_or(0, |q| q.bits.len() * 8);
                m.insert(text, modules.clone(), size);
            }
            modules
        }
    };
    modules.map(|q| q.svg())
}

/// Memory for kept QR codes: every code of the province (1,530) or about
/// 24,000 of the nation's, in 8 MB.
const QR_KEEP_BYTES: usize = 8 * 1024 * 1024;

/// A QR code's dark modules, one bit each, row by row.
#[derive(Debug)]
struct QrModules {
    /// Modules per side.
    width: usize,
    bits: Vec<u64>,
}

impl QrModules {
    fn encode(text: &str) -> Option<Self> {
        let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
        let width = code.width();
        let mut bits = vec![0u64; (width * width).div_ceil(64)];
        for (i, c) in code.to_colors().iter().enumerate() {
            if *c != qrcode::Color::Light {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        Some(Self { width, bits })
    }

    fn dark(&self, x: usize, y: usize) -> bool {
        let i = y * self.width + x;
        self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    /// The same picture `qrcode`'s SVG renderer gives at [`QR_MIN_PX`] with
    /// a quiet zone (same size, same modules), but as one path of
    /// horizontal runs in module units (`viewBox` in modules, `width` and
    /// `height` in pixels) instead of one segment per dark module in
    /// pixels: about a third of the bytes.
    fn svg(&self) -> String {
        use std::fmt::Write;
        let n = self.width;
        let side = n + 2 * QR_QUIET_ZONE;
        let side_u32 = u32::try_from(side).unwrap_or(u32::MAX);
        let px = QR_MIN_PX.div_ceil(side_u32).saturating_mul(side_u32);
        let mut svg = String::with_capacity(2048);
        let _ = write!(
            svg,
            r##"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{px}" height="{px}" viewBox="0 0 {side} {side}" shape-rendering="crispEdges"><rect x="0" y="0" width="{side}" height="{side}" fill="#fff"/><path fill="#000" d=""##
        );
        // Numbers pushed by hand: `write!` per run was most of a profile's
        // QR time (a code has a few hundred runs).
        for y in 0..n {
            let mut x = 0;
            while x < n {
                if !self.dark(x, y) {
                    x += 1;
                    continue;
                }
                let run = (x..n).take_while(|&i| self.dark(i, y)).count();
                svg.push('M');
                push_number(&mut svg, x + QR_QUIET_ZONE);
                svg.push(' ');
                push_number(&mut svg, y + QR_QUIET_ZONE);
                svg.push('h');
                push_number(&mut svg, run);
                svg.push_str("v1h-");
                push_number(&mut svg, run);
                svg.push('z');
                x += run;
            }
        }
        svg.push_str(r#""/></svg>"#);
        svg
    }
}

/// Appends `n` in decimal.
fn push_number(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for d in &digits[i..] {
        out.push(char::from(*d));
    }
}

/// The smallest picture of a QR code at least this many pixels wide.
const QR_MIN_PX: u32 = 132;
/// Modules of light border on each side, as the standard asks (and as
/// `qrcode`'s own renderer draws).
const QR_QUIET_ZONE: usize = 4;

#[cfg(test)]
fn draw_qr_svg(text: &str) -> Option<String> {
    QrModules::encode(text).map(|q| q.svg())
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
    let license = match license_from_path(&req, raw)? {
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
            // Today's certificate again, when it still says what is true
            // now: the same standing, reason and name (a fine imported at
            // 11:00 changes the reason of a standing already "disclosed").
            if let Some(existing) =
                certificates::find_same_day(c, s.kind, &s.license_no, today, s.standing.key)?
                    .filter(|e| e.reason == s.standing.reason && e.subject_name == s.name)
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
    /// Whether anything the certificate attests changed since its date:
    /// the standing today differs, it changed and changed back meanwhile
    /// (a suspension served, say), or the register's name differs.
    pub changed_since: Option<bool>,
    /// The days after the certificate's date on which the standing changed
    /// (within the last three years), oldest first, each with the standing
    /// from that day.
    pub changes: Vec<CertificateChange>,
    /// The register names the subject otherwise than the certificate.
    pub name_changed: bool,
}

/// A day the standing changed after a certificate was issued.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CertificateChange {
    /// The first day of the new standing.
    pub on: chrono::NaiveDate,
    /// The standing from that day (key).
    pub standing: &'static str,
    /// Its label.
    pub label: &'static str,
}

/// Checks a typed certificate code.
pub async fn check(state: &AppState, raw: &str) -> Result<CertificateCheck, AppError> {
    let not_genuine = |verdict| CertificateCheck {
        genuine: false,
        verdict,
        certificate: None,
        current: None,
        changed_since: None,
        changes: Vec::new(),
        name_changed: false,
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
            let (changes, name_changed, changed_since) = match &current {
                Some(now) => {
                    let since =
                        since_certified(cert.issued_on, &cert.standing, &cert.subject_name, now);
                    (since.0, since.1, Some(since.2))
                }
                None => (Vec::new(), false, None),
            };
            Ok(CertificateCheck {
                genuine: true,
                verdict: "genuine",
                certificate: Some(cert_view(&cert)),
                current,
                changed_since,
                changes,
                name_changed,
            })
        })
        .await
}

/// What changed since a certificate of `standing` for `name` was issued on
/// `issued_on`, against the subject `now`: the days its standing changed
/// after that date, whether the register's name differs, and whether
/// anything did (the standing differs today, or changed meanwhile and
/// changed back, or the name).
fn since_certified(
    issued_on: chrono::NaiveDate,
    standing: &str,
    name: &str,
    now: &SubjectSummary,
) -> (Vec<CertificateChange>, bool, bool) {
    let changes: Vec<CertificateChange> = now
        .changes
        .iter()
        .filter(|ch| ch.on > issued_on)
        .map(|ch| CertificateChange {
            on: ch.on,
            standing: ch.to.key(),
            label: ch.to.label(),
        })
        .collect();
    let name_changed = !crate::domain::text::same_name(&now.name, name);
    let changed = now.standing.key != standing || !changes.is_empty() || name_changed;
    (changes, name_changed, changed)
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn a_standing_that_changed_and_changed_back_since_the_certificate_is_a_change() {
        use crate::domain::Standing;
        use crate::domain::standing::StandingChange;
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let standing = crate::web::views::StandingView::from(&crate::domain::standing::assess(
            &crate::domain::standing::Subject {
                status: crate::domain::standing::SubjectStatus::Practising,
                licensed_on: Some(d("2025-06-01")),
                reviews: &[],
                actions: &[],
                office: None,
            },
            d("2026-07-01"),
            &crate::domain::standing::StandingPolicy::default(),
        ));
        let key = standing.key;
        let now = |changes: Vec<StandingChange>, name: &str| SubjectSummary {
            kind: "worker",
            license_no: "45001030001".into(),
            name: name.into(),
            office_name: None,
            office_borders_sichuan: false,
            standing: standing.clone(),
            profile_url: String::new(),
            changes,
        };
        let suspended = vec![
            StandingChange {
                on: d("2026-03-01"),
                from: Standing::GoodStanding,
                to: Standing::Suspended,
            },
            StandingChange {
                on: d("2026-06-01"),
                from: Standing::Suspended,
                to: Standing::GoodStanding,
            },
        ];
        // Certified on 10 January, suspended from March to June, checked in
        // July: the same standing today, but not "unchanged".
        let (changes, renamed, changed) = since_certified(
            d("2026-01-10"),
            key,
            "张秀英",
            &now(suspended.clone(), "张秀英"),
        );
        assert!(changed && !renamed);
        let days: Vec<_> = changes.iter().map(|c| (c.on, c.standing)).collect();
        assert_eq!(
            days,
            vec![
                (d("2026-03-01"), "suspended"),
                (d("2026-06-01"), "good_standing")
            ]
        );
        // Certified after the suspension ended: nothing since.
        let (changes, _, changed) = since_certified(
            d("2026-06-01"),
            key,
            "张秀英",
            &now(suspended.clone(), "张秀英"),
        );
        assert!(changes.is_empty() && !changed);
        // A renamed holder is a change too; a dot typed otherwise is not.
        let (_, renamed, changed) = since_certified(
            d("2026-06-01"),
            key,
            "张秀英",
            &now(suspended.clone(), "张秀芳"),
        );
        assert!(renamed && changed);
        let (_, renamed, _) = since_certified(
            d("2026-06-01"),
            key,
            "阿依古丽·买买提",
            &now(suspended, "阿依古丽・买买提"),
        );
        assert!(!renamed);
    }

    /// The `width` attribute and the dark modules of an SVG drawn by
    /// `qrcode`'s renderer (`M{left} {top}h…` per module, in pixels).
    fn reference(text: &str) -> (String, BTreeSet<(u32, u32)>) {
        let svg = qrcode::QrCode::new(text.as_bytes())
            .unwrap()
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(QR_MIN_PX, QR_MIN_PX)
            .quiet_zone(true)
            .build();
        let width = attr(&svg, "width");
        let d = attr(&svg, "d");
        let mut cells = d.split('M').filter(|s| !s.is_empty());
        let first = cells.clone().next().unwrap();
        let unit: u32 = first
            .split('h')
            .nth(1)
            .unwrap()
            .split('v')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let modules = cells
            .by_ref()
            .map(|c| {
                let (x, rest) = c.split_once(' ').unwrap();
                let y = rest.split('h').next().unwrap();
                (
                    x.parse::<u32>().unwrap() / unit,
                    y.parse::<u32>().unwrap() / unit,
                )
            })
            .collect();
        (width, modules)
    }

    fn attr(svg: &str, name: &str) -> String {
        let at = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[at..at + svg[at..].find('"').unwrap()].to_owned()
    }

    #[test]
    fn the_compact_qr_code_is_the_renderers_picture() {
        for text in [
            "https://portal.example/verify?license_no=45500101000001",
            "http://127.0.0.1:8080/verify?license_no=L1",
            "x",
        ] {
            let ours = draw_qr_svg(text).unwrap();
            let (width, modules) = reference(text);
            assert_eq!(attr(&ours, "width"), width);
            assert_eq!(attr(&ours, "height"), width);
            let mut drawn = BTreeSet::new();
            for run in attr(&ours, "d").split('M').filter(|s| !s.is_empty()) {
                let (x, rest) = run.split_once(' ').unwrap();
                let (y, rest) = rest.split_once('h').unwrap();
                let len: u32 = rest.split('v').next().unwrap().parse().unwrap();
                let (x, y): (u32, u32) = (x.parse().unwrap(), y.parse().unwrap());
                for i in 0..len {
                    assert!(drawn.insert((x + i, y)), "runs overlap");
                }
            }
            assert_eq!(drawn, modules, "{text}");
            assert!(ours.len() * 2 < qr_reference_len(text), "{text}");
        }
    }

    fn qr_reference_len(text: &str) -> usize {
        qrcode::QrCode::new(text.as_bytes())
            .unwrap()
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(QR_MIN_PX, QR_MIN_PX)
            .build()
            .len()
    }
}
