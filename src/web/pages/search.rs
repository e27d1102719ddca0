//! `/search`: results with facets, standing badges and pages; works without
//! JavaScript.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::{base_context, html};
use crate::domain::Standing;
use crate::domain::vocab::{AreaKind, DisciplineKind, ReviewOutcome, SubjectKind, WorkerStatus};
use crate::i18n::Label;
use crate::search::{DocType, Facets, SearchHit};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::lang::{tr, tr_with};

/// The label of a key in the request's language, or the key itself.
fn here<T: Label>(parsed: Option<T>, key: &str) -> String {
    parsed.map_or_else(|| key.to_owned(), |v| v.label_here().to_owned())
}
use crate::web::search_params::SearchParams;
use crate::web::templates;

/// Most districts the search form's select lists.
const DISTRICT_SELECT_MAX: usize = 100;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/search", web::get().to(search));
}

/// One facet value with its count and the address that applies it.
#[derive(Serialize)]
struct FacetLink {
    value: String,
    label: String,
    count: u64,
    href: String,
    active: bool,
}

/// A hit with its distance written for people.
#[derive(Serialize)]
struct HitView<'a> {
    #[serde(flatten)]
    hit: &'a SearchHit,
    distance_text: Option<String>,
}

fn distance_text(m: f64) -> String {
    if m >= 1000.0 {
        tr_with("search-km", &[("n", &format_args!("{:.1}", m / 1000.0))])
    } else {
        tr_with("search-m", &[("n", &(m.round() as i64))])
    }
}

#[derive(Serialize)]
struct FacetGroup {
    param: &'static str,
    title: String,
    values: Vec<FacetLink>,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

/// The address of this search with `param` set to `value` (or removed when
/// `None`), back on page 1 unless `page` is given.
fn link(params: &SearchParams, param: &str, value: Option<&str>, page: Option<usize>) -> String {
    let map = param_map(params);
    link_from(&given(&map), param, value, page)
}

/// The search's parameters as a map, serialized once for all its links.
fn param_map(params: &SearchParams) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(params) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

/// The parameters a link carries, in the map's (alphabetical) order: those
/// given with a value that is not blank.
fn given(map: &serde_json::Map<String, serde_json::Value>) -> Vec<(&str, &str)> {
    map.iter()
        .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
}

/// [`link`] from the parameters [`given`], computed once for all of a
/// page's facet links (each link cloned the whole map: 13 % of a
/// one-character search page's instructions; issue 15).
fn link_from(
    given: &[(&str, &str)],
    param: &str,
    value: Option<&str>,
    page: Option<usize>,
) -> String {
    let page = page.map(|n| n.to_string());
    let mut pairs: Vec<(&str, &str)> = given
        .iter()
        .copied()
        .filter(|(k, _)| *k != "page" && *k != param)
        .chain(value.map(|v| (param, v)))
        .chain(page.as_deref().map(|n| ("page", n)))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    // The page number and the value are put back where the map had them.
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = url::form_urlencoded::Serializer::for_suffix(String::from("/search?"), 8);
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}

fn groups(
    facets: &Facets,
    params: &SearchParams,
    target: DocType,
    district_name: &dyn Fn(&str) -> String,
) -> Vec<FacetGroup> {
    let map = param_map(params);
    let given = given(&map);
    let current = |param: &str| -> Option<String> { map.get(param)?.as_str().map(str::to_owned) };
    let group = |param: &'static str,
                 title: &'static str,
                 counts: &std::collections::BTreeMap<String, u64>,
                 label: &dyn Fn(&str) -> String| {
        let active = current(param);
        // The thirty most frequent values first, then their labels and
        // links: a broad search has hundreds of townships.
        let mut top: Vec<(&String, u64)> = counts.iter().map(|(v, n)| (v, *n)).collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        top.truncate(30);
        let values: Vec<FacetLink> = top
            .into_iter()
            .map(|(value, count)| {
                let is_active = active.as_deref() == Some(value.as_str());
                FacetLink {
                    value: value.clone(),
                    label: label(value),
                    count,
                    href: link_from(&given, param, (!is_active).then_some(value.as_str()), None),
                    active: is_active,
                }
            })
            .collect();
        FacetGroup {
            param,
            title: tr(title),
            values,
        }
    };
    if target.is_record() {
        let kind_label = |k: &str| match target {
            DocType::Disclosure => here(DisciplineKind::parse(k), k),
            _ => here(ReviewOutcome::parse(k), k),
        };
        let mut years = vec![group("year", "search-facet-year", &facets.year, &|k| {
            k.to_owned()
        })];
        // Newest year first, not the most frequent.
        for g in &mut years {
            g.values.sort_by(|a, b| b.value.cmp(&a.value));
        }
        return [
            group(
                "kind",
                "search-facet-record-kind",
                &facets.record_kind,
                &kind_label,
            ),
            group(
                "district",
                "search-facet-district",
                &facets.district,
                district_name,
            ),
        ]
        .into_iter()
        .chain(years)
        .filter(|g| !g.values.is_empty())
        .collect();
    }
    vec![
        group("type", "search-facet-type", &facets.kind, &|k| {
            here(SubjectKind::parse(k), k)
        }),
        group(
            "standing",
            "search-facet-standing",
            &facets.standing,
            &|k| here(Standing::parse(k), k),
        ),
        group(
            "district",
            "search-facet-district",
            &facets.district,
            district_name,
        ),
        group(
            "township",
            "search-facet-township",
            &facets.township,
            &|k| k.to_owned(),
        ),
        group("area_kind", "search-facet-area", &facets.area_kind, &|k| {
            here(AreaKind::parse(k), k)
        }),
        group("status", "search-facet-status", &facets.status, &|k| {
            here(WorkerStatus::parse(k), k)
        }),
        group(
            "practice_area",
            "search-facet-practice",
            &facets.practice_area,
            &|k| k.to_owned(),
        ),
    ]
    .into_iter()
    .filter(|g| !g.values.is_empty())
    .collect()
}

/// The impersonation warning for a search text (`web::impersonation`).
pub(crate) async fn impersonation_notice(
    state: &AppState,
    text: &str,
) -> Result<Option<crate::web::impersonation::ImpersonationNotice>, AppError> {
    if !crate::domain::impersonation::looks_like_a_name(text)
        || !state.barred_names().await?.contains(text.trim())
    {
        return Ok(None);
    }
    // Each barred name's warning is read once per language until the data
    // or the day changes: a warning reads every namesake's records.
    let lang = crate::i18n::current();
    let kept = state.notices().await?;
    let key = (text.trim().to_owned(), lang);
    if let Some(notice) = kept.lock().ok().and_then(|k| k.get(&key).cloned()) {
        return Ok(notice);
    }
    let (text, today, policy) = (text.to_owned(), state.clock.today(), state.windows);
    let notice = state
        .db(move |c| crate::web::impersonation::notice(c, &text, lang, today, &policy))
        .await?;
    if let Ok(mut k) = kept.lock() {
        k.insert(key, notice.clone());
    }
    Ok(notice)
}

async fn search(
    state: web::Data<AppState>,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let mut params = params.into_inner();
    // The form keeps a record search's kind and year as hidden fields; once
    // the resident picks offices or workers instead they no longer apply
    // (the API refuses them; a page just lets them go).
    let record_type = params.kind.as_deref().is_some_and(|k| {
        let k = k.trim();
        k.eq_ignore_ascii_case("disclosure") || k.eq_ignore_ascii_case("review")
    });
    if !record_type {
        params.record_kind = None;
        params.year = None;
    }
    let (query, page, per_page) = params.to_query().map_err(AppError::html)?;
    let districts = state.district_names().await.map_err(AppError::html)?;
    let (results, degraded) = state
        .search_timed(&query)
        .await
        .map_err(|e| AppError::from(e).html())?;
    // The names come ordered by code.
    let find = |code: &str| {
        districts
            .names
            .binary_search_by(|(c, _)| c.as_str().cmp(code))
            .ok()
            .map(|i| &districts.names[i])
    };
    let name_of = |code: &str| find(code).map_or_else(|| code.to_owned(), |(_, n)| n.clone());
    let pages = (results.total as usize).div_ceil(per_page).max(1);
    // The selects' options, when they are rendered (not kept).
    let options = || {
        let option = |(code, name): &(String, String)| Choice {
            value: code.clone(),
            label: name.clone(),
        };
        // A province's few dozen districts are all offered; the nation's three
        // thousand would make every page a 130 KB list (issue 15), so beyond
        // DISTRICT_SELECT_MAX the select offers the districts the results are
        // in (the facet's) and the one chosen.
        let district_options: Vec<Choice> = if districts.names.len() <= DISTRICT_SELECT_MAX {
            districts.names.iter().map(option).collect()
        } else {
            let chosen = query.filters.district.as_deref();
            let mut by_count: Vec<(&String, &u64)> = results.facets.district.iter().collect();
            by_count.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            let mut codes: Vec<&str> = by_count
                .into_iter()
                .take(DISTRICT_SELECT_MAX)
                .map(|(code, _)| code.as_str())
                .chain(chosen)
                .collect();
            codes.sort_unstable();
            codes.dedup();
            codes.into_iter().filter_map(find).map(option).collect()
        };
        let standing_options: Vec<Choice> = Standing::ALL
            .iter()
            .map(|s| Choice {
                value: s.key().to_owned(),
                label: s.label_here().to_owned(),
            })
            .collect();
        (district_options, standing_options)
    };
    let hits: Vec<HitView> = results
        .hits
        .iter()
        .map(|hit| HitView {
            hit,
            distance_text: hit.distance_m.map(distance_text),
        })
        .collect();
    let notice = impersonation_notice(&state, &query.text).await?;
    let mut ctx = base_context(&state);
    ctx.insert("impersonation", &notice);
    ctx.insert(
        "title",
        &if query.text.is_empty() {
            tr("search-page-title")
        } else {
            tr_with("search-page-title-q", &[("q", &query.text)])
        },
    );
    ctx.insert("params", &params);
    ctx.insert("hits", &hits);
    ctx.insert("total", &results.total);
    ctx.insert("backend", &results.backend);
    ctx.insert("degraded", &degraded);
    ctx.insert(
        "facets",
        &groups(&results.facets, &params, query.target, &name_of),
    );
    ctx.insert("page", &page);
    ctx.insert("pages", &pages);
    ctx.insert("first", &(query.offset + 1));
    ctx.insert("last", &(query.offset + hits.len()));
    ctx.insert("near", &query.near.is_some());
    ctx.insert(
        "prev_href",
        &(page > 1).then(|| link(&params, "page", None, Some(page - 1))),
    );
    ctx.insert(
        "next_href",
        &(page < pages).then(|| link(&params, "page", None, Some(page + 1))),
    );
    let chooses = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
    let render = || {
        let (district_options, standing_options) = options();
        render_filters(&params, &district_options, &standing_options)
    };
    let filters = if districts.names.len() <= DISTRICT_SELECT_MAX
        && !chooses(&params.kind)
        && !chooses(&params.district)
        && !chooses(&params.standing)
    {
        // Nothing chosen: the selects are the same for every such search,
        // so rendered once per language and set of names, as the case
        // form's are (a province's few dozen district options were 30 % of
        // the search page's instructions; issue 15, callgrind).
        let kept = &districts.unchosen_filters[crate::i18n::current().index()];
        match kept.get() {
            Some(filters) => filters.clone(),
            None => {
                let filters = render()?;
                kept.get_or_init(|| filters).clone()
            }
        }
    } else {
        render()?
    };
    ctx.insert("filters", &filters);
    html("search.html", &ctx)
}

/// The form's type, district and standing selects (`search_filters.html`),
/// each with the choice `params` makes, if any.
fn render_filters(
    params: &SearchParams,
    district_options: &[Choice],
    standing_options: &[Choice],
) -> Result<String, tera::Error> {
    let mut ctx = tera::Context::new();
    ctx.insert("params", params);
    ctx.insert("district_options", district_options);
    ctx.insert("standing_options", standing_options);
    templates::render("search_filters.html", &ctx)
}
