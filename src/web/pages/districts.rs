//! `/districts` and `/districts/{code}`: ratios against the plan's 2.3,
//! drawn as SVG, with each district's offices, review outcomes and
//! disclosures.

use std::sync::{Arc, Mutex};

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::{base_context, html, not_found_page};
use crate::db;
use crate::db::districts::DistrictStats;
use crate::domain::province::{self, Province};
use crate::domain::vocab::AreaKind;
use crate::i18n::{Lang, label_of};
use crate::web::AppState;
use crate::web::charts::ratio_chart;
use crate::web::errors::AppError;
use crate::web::lang::{tr, tr_with};
use crate::web::templates;
use crate::web::views::{self, DistrictView, ProvinceView};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/districts", web::get().to(list))
        .route("/districts/{code}", web::get().to(detail));
}

/// Which table `/districts` shows: every district (one province), the
/// provinces (several), or one province's districts (`?province=50`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Districts,
    Provinces,
    Province(&'static Province),
}

/// The charts and tables of `/districts` as last rendered, with the figures
/// they were drawn from (`AppState::district_stats` hands out the same
/// `Arc` until a figure changes), per language and table: drawing the
/// bars and rows was three quarters of the page's time (the nation's
/// 3,010 districts took 182 ms).
type RenderedTable = (Arc<Vec<DistrictStats>>, Lang, Table, Arc<String>);
static TABLES: Mutex<Vec<RenderedTable>> = Mutex::new(Vec::new());

fn table(stats: &Arc<Vec<DistrictStats>>, which: Table) -> Result<Arc<String>, AppError> {
    let lang = crate::i18n::current();
    if let Ok(kept) = TABLES.lock()
        && let Some((_, _, _, html)) = kept
            .iter()
            .find(|(s, l, t, _)| Arc::ptr_eq(s, stats) && *l == lang && *t == which)
    {
        return Ok(html.clone());
    }
    let views: Vec<DistrictView> = stats
        .iter()
        .filter(|s| match which {
            Table::Province(p) => s.district.code.starts_with(p.code),
            _ => true,
        })
        .map(DistrictView::from)
        .collect();
    let mut ctx = tera::Context::new();
    let html = if which == Table::Provinces {
        let rows: Vec<ProvinceView> = provinces_in(stats)
            .into_iter()
            .map(|p| {
                let members: Vec<DistrictView> = views
                    .iter()
                    .filter(|d| d.code.starts_with(p.code))
                    .cloned()
                    .collect();
                ProvinceView::of(p, &members, lang)
            })
            .collect();
        let figures: Vec<DistrictView> = rows.iter().map(|r| r.figures.clone()).collect();
        ctx.insert("chart", &ratio_chart(&figures));
        ctx.insert("provinces", &rows);
        templates::render("districts_provinces.html", &ctx)?
    } else {
        ctx.insert("chart", &ratio_chart(&views));
        ctx.insert("districts", &views);
        templates::render("districts_table.html", &ctx)?
    };
    let html = Arc::new(html);
    if let Ok(mut kept) = TABLES.lock() {
        // Only the current figures are worth keeping.
        kept.retain(|(s, l, t, _)| Arc::ptr_eq(s, stats) && !(*l == lang && *t == which));
        kept.push((stats.clone(), lang, which, html.clone()));
    }
    Ok(html)
}

/// The provinces the districts are in, by code (districts whose code names
/// no province are left out of the grouping).
fn provinces_in(stats: &[DistrictStats]) -> Vec<&'static Province> {
    let mut out: Vec<&'static Province> = stats
        .iter()
        .filter_map(|s| province::of(&s.district.code))
        .collect();
    out.sort_by_key(|p| p.code);
    out.dedup();
    out
}

/// `?province=` of `/districts`.
#[derive(Debug, Deserialize)]
struct ListQuery {
    province: Option<String>,
}

async fn list(
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let stats = state.district_stats().await.map_err(AppError::html)?;
    let provinces = provinces_in(&stats);
    let (which, title) = match query.province.as_deref().map(str::trim) {
        Some(code) => {
            let Some(p) = province::of(code).filter(|p| code.len() == 2 && provinces.contains(p))
            else {
                let shown: String = code.chars().take(12).collect();
                return Err(not_found_page(&tr_with("nf-province", &[("code", &shown)])));
            };
            let name = match crate::i18n::current() {
                Lang::Zh => p.name,
                Lang::En => p.name_en,
            };
            (
                Table::Province(p),
                tr_with("districts-province-title", &[("province", &name)]),
            )
        }
        // Every district of a province, or of districts no province
        // names, on one page; several provinces' districts by province.
        None if provinces.len() > 1 => (Table::Provinces, tr("districts-title")),
        None => (Table::Districts, tr("districts-title")),
    };
    let mut ctx = base_context(&state);
    ctx.insert("title", &title);
    ctx.insert("by_province", &(which == Table::Provinces));
    ctx.insert("in_province", &matches!(which, Table::Province(_)));
    ctx.insert("table", table(&stats, which)?.as_str());
    html("districts.html", &ctx)
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
    html("district.html", &ctx)
}
