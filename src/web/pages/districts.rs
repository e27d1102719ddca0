//! `/districts` and `/districts/{code}`: ratios against the plan's 2.3,
//! drawn as SVG, with each district's offices, review outcomes and
//! disclosures.

use std::sync::{Arc, Mutex};

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::{base_context, html, not_found_page};
use crate::db;
use crate::db::districts::DistrictStats;
use crate::domain::vocab::AreaKind;
use crate::i18n::{Lang, label_of};
use crate::web::AppState;
use crate::web::charts::ratio_chart;
use crate::web::errors::AppError;
use crate::web::lang::{tr, tr_with};
use crate::web::templates;
use crate::web::views::{self, DistrictView};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/districts", web::get().to(list))
        .route("/districts/{code}", web::get().to(detail));
}

/// The chart and table of `/districts` as last rendered, with the figures
/// they were drawn from (`AppState::district_stats` hands out the same
/// `Arc` until a figure changes) and per language: drawing 38 districts'
/// bars and rows was three quarters of the page's time.
type RenderedTable = (Arc<Vec<DistrictStats>>, Lang, Arc<String>);
static TABLES: Mutex<Vec<RenderedTable>> = Mutex::new(Vec::new());

fn table(stats: &Arc<Vec<DistrictStats>>) -> Result<Arc<String>, AppError> {
    let lang = crate::i18n::current();
    if let Ok(kept) = TABLES.lock()
        && let Some((_, _, html)) = kept
            .iter()
            .find(|(s, l, _)| Arc::ptr_eq(s, stats) && *l == lang)
    {
        return Ok(html.clone());
    }
    let views: Vec<DistrictView> = stats.iter().map(DistrictView::from).collect();
    let mut ctx = tera::Context::new();
    ctx.insert("chart", &ratio_chart(&views));
    ctx.insert("districts", &views);
    let html = Arc::new(templates::render("districts_table.html", &ctx)?);
    if let Ok(mut kept) = TABLES.lock() {
        // Only the current figures are worth keeping, in both languages.
        kept.retain(|(s, l, _)| Arc::ptr_eq(s, stats) && *l != lang);
        kept.push((stats.clone(), lang, html.clone()));
    }
    Ok(html)
}

async fn list(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let stats = state.district_stats().await.map_err(AppError::html)?;
    let mut ctx = base_context(&state);
    ctx.insert("title", &tr("districts-title"));
    ctx.insert("table", table(&stats)?.as_str());
    html(templates::render("districts.html", &ctx)?)
}

/// An office row on a district's page.
#[derive(Serialize)]
struct OfficeRow {
    license_no: String,
    name: String,
    area_kind: String,
    area_kind_label: String,
    standing: &'static str,
    standing_label: &'static str,
}

/// Review outcomes of one year.
#[derive(Serialize)]
struct YearRow {
    year: i32,
    kind: String,
    outcomes: Vec<(String, i64)>,
}

async fn detail(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    if code.len() > 12 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(not_found_page(&tr("nf-district-code")));
    }
    let (today, windows) = (state.clock.today(), state.windows);
    let wanted = code.clone();
    let stats = state
        .district_stats()
        .await
        .map_err(AppError::html)?
        .iter()
        .find(|d| d.district.code == wanted)
        .cloned();
    let found = state
        .db(move |c| {
            let Some(stats) = stats else {
                return Ok(None);
            };
            let detail = db::districts::detail(c, &wanted)?;
            let disclosures =
                db::public_lists::disclosures(c, today, &windows, Some(&wanted), None)?;
            let offices = detail
                .offices
                .iter()
                .map(|(o, credit)| {
                    let v = views::credit_view(
                        db::profiles::office_status(o)?,
                        o.established_on,
                        credit,
                        None,
                        today,
                        &windows,
                    )?;
                    Ok(OfficeRow {
                        license_no: o.license_no.clone(),
                        name: o.name.clone(),
                        area_kind: o.area_kind.clone(),
                        area_kind_label: label_of(AreaKind::parse(&o.area_kind), &o.area_kind),
                        standing: v.standing.key,
                        standing_label: v.standing.label,
                    })
                })
                .collect::<Result<Vec<_>, db::DbError>>()?;
            Ok(Some((
                stats,
                offices,
                detail.review_counts,
                disclosures.len(),
            )))
        })
        .await
        .map_err(AppError::html)?;
    let Some((stats, offices, counts, disclosures)) = found else {
        return Err(not_found_page(&tr_with("nf-district", &[("code", &code)])));
    };
    let view = DistrictView::from(&stats);
    let mut years: Vec<YearRow> = Vec::new();
    for ((kind, year, outcome), n) in counts.into_iter().rev() {
        // The template labels the outcome key in the page's language.
        match years.last_mut() {
            Some(row) if row.year == year && row.kind == kind => row.outcomes.push((outcome, n)),
            _ => years.push(YearRow {
                year,
                kind,
                outcomes: vec![(outcome, n)],
            }),
        }
    }
    let mut ctx = base_context(&state);
    ctx.insert("title", &tr_with("title-district", &[("name", &view.name)]));
    ctx.insert("chart", &ratio_chart(std::slice::from_ref(&view)));
    ctx.insert("district", &view);
    ctx.insert("offices", &offices);
    ctx.insert("years", &years);
    ctx.insert("disclosures", &disclosures);
    html(templates::render("district.html", &ctx)?)
}
