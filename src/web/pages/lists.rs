//! `/disclosures`, `/announcements`, their Atom feeds and the sitemap.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::base_context;
use super::verify::base_url;
use crate::db;
use crate::db::public_lists::DisclosedAction;
use crate::domain::vocab::{AnnouncementKind, DisciplineKind, SubjectKind};
use crate::i18n::{Label, label_of};
use crate::web::AppState;
use crate::web::errors::{AppError, ErrorCode};
use crate::web::lang::tr;
use crate::web::templates;

/// Items per page.
const PER_PAGE: usize = 20;
/// Entries in a feed.
const FEED_ENTRIES: usize = 50;
/// URLs per sitemap file (the protocol's limit).
const SITEMAP_URLS: usize = 50_000;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/disclosures", web::get().to(disclosures_page))
        .route("/announcements", web::get().to(announcements_page))
        .route("/announcements/{id}", web::get().to(announcement_page))
        .route("/feeds/disclosures.atom", web::get().to(disclosures_feed))
        .route(
            "/feeds/announcements.atom",
            web::get().to(announcements_feed),
        )
        .route(
            "/workers/{license_no}/feed.atom",
            web::get().to(worker_feed),
        )
        .route(
            "/offices/{license_no}/feed.atom",
            web::get().to(office_feed),
        )
        .route("/robots.txt", web::get().to(robots))
        .route("/sitemap.xml", web::get().to(sitemap_index))
        .route("/sitemaps/{part}.xml", web::get().to(sitemap_part));
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    district: Option<String>,
    kind: Option<String>,
    page: Option<String>,
    /// Disclosures only: text searched in the decision number, authority,
    /// facts and the subject's name or license number.
    q: Option<String>,
}

impl ListQuery {
    fn page(&self) -> Result<usize, AppError> {
        match self
            .page
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => Ok(1),
            Some(p) => p
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or_else(|| {
                    AppError::new(ErrorCode::BadRequest)
                        .message(tr("bad-page"))
                        .html()
                }),
        }
    }

    fn district(&self) -> Option<String> {
        self.district
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
    }
}

/// A disclosure as the list and the feed show it.
#[derive(Debug, Serialize)]
struct DisclosureItem {
    decision_no: String,
    kind: String,
    kind_label: String,
    authority: String,
    decided_on: NaiveDate,
    public_until: NaiveDate,
    facts: String,
    basis: String,
    subject_kind: String,
    subject_license_no: String,
    subject_name: Option<String>,
    subject_url: String,
}

impl From<DisclosedAction> for DisclosureItem {
    fn from(d: DisclosedAction) -> Self {
        let a = d.action;
        let prefix = if a.subject_kind == "office" {
            "/offices"
        } else {
            "/workers"
        };
        Self {
            kind_label: label_of(DisciplineKind::parse(&a.kind), &a.kind),
            subject_url: format!("{prefix}/{}", a.subject_license_no),
            decision_no: a.decision_no,
            kind: a.kind,
            authority: a.authority,
            decided_on: a.decided_on,
            public_until: d.public_until,
            facts: a.facts,
            basis: a.basis,
            subject_kind: a.subject_kind,
            subject_license_no: a.subject_license_no,
            subject_name: d.subject_name,
        }
    }
}

impl DisclosureItem {
    /// A disclosure found by the search engine.
    fn from_hit(h: crate::search::SearchHit) -> Option<Self> {
        let r = h.record?;
        Some(Self {
            kind_label: label_of(DisciplineKind::parse(&r.kind), &r.kind),
            subject_url: format!("/{}s/{}", h.kind.key(), h.license_no),
            decision_no: r.decision_no.unwrap_or_default(),
            kind: r.kind,
            authority: r.authority.unwrap_or_default(),
            decided_on: r.decided_on?,
            public_until: r.public_until?,
            facts: r.summary.unwrap_or_default(),
            basis: r.basis.unwrap_or_default(),
            subject_kind: h.kind.key().to_owned(),
            subject_license_no: h.license_no,
            subject_name: Some(h.name),
        })
    }
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

async fn disclosures_page(
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let page = q.page()?;
    let kind = match q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(DisciplineKind::parse(k).ok_or_else(|| {
            AppError::new(ErrorCode::BadRequest)
                .message(tr("bad-discipline-kind"))
                .html()
        })?),
    };
    let district = q.district();
    let text =
        q.q.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
    if text.as_ref().is_some_and(|t| t.chars().count() > 100) {
        return Err(AppError::new(ErrorCode::BadRequest)
            .message(crate::web::lang::tr_with("sp-q-too-long", &[("max", &100)]))
            .html());
    }
    let (today, windows) = (state.clock.today(), state.windows);
    let (total, shown) = match &text {
        // Text goes to the search engine, which holds every disclosure
        // inside its window (and the database answers when it is down).
        Some(text) => {
            let query = crate::search::SearchQuery {
                target: crate::search::DocType::Disclosure,
                text: text.clone(),
                filters: crate::search::Filters {
                    district: district.clone(),
                    record_kind: kind.map(crate::search::RecordKind::Discipline),
                    ..Default::default()
                },
                offset: (page - 1) * PER_PAGE,
                limit: PER_PAGE,
                ..Default::default()
            };
            let (found, _) = state
                .search_timed(&query)
                .await
                .map_err(|e| AppError::from(e).html())?;
            let items: Vec<DisclosureItem> = found
                .hits
                .into_iter()
                .filter_map(DisclosureItem::from_hit)
                .collect();
            (found.total as usize, items)
        }
        None => {
            let items = {
                let district = district.clone();
                state
                    .db(move |c| {
                        db::public_lists::disclosures(c, today, &windows, district.as_deref(), kind)
                    })
                    .await
                    .map_err(AppError::html)?
            };
            let total = items.len();
            let shown: Vec<DisclosureItem> = items
                .into_iter()
                .skip((page - 1) * PER_PAGE)
                .take(PER_PAGE)
                .map(DisclosureItem::from)
                .collect();
            (total, shown)
        }
    };
    let districts = state.district_names().await.map_err(AppError::html)?;
    let pages = total.div_ceil(PER_PAGE).max(1);
    let mut ctx = base_context(&state);
    ctx.insert("q", &text);
    ctx.insert("title", &tr("disclosures-title"));
    ctx.insert("items", &shown);
    ctx.insert("total", &total);
    ctx.insert("page", &page);
    ctx.insert("pages", &pages);
    ctx.insert("district", &district);
    ctx.insert("kind", &kind.map(|k| k.key()));
    ctx.insert(
        "districts",
        &districts
            .names
            .iter()
            .map(|(code, name)| Choice {
                value: code.clone(),
                label: name.clone(),
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "kinds",
        &DisciplineKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.key().into(),
                label: k.label_here().into(),
            })
            .collect::<Vec<_>>(),
    );
    super::html("disclosures.html", &ctx)
}

/// An announcement as the list and the feed show it.
#[derive(Debug, Serialize)]
struct AnnouncementItem {
    id: i64,
    kind: String,
    kind_label: String,
    title: String,
    body: String,
    published_on: NaiveDate,
    license_nos: Vec<String>,
    /// The subjects named, each with its profile's address when it is in
    /// the register.
    subjects: Vec<NamedSubject>,
}

/// A license number an announcement names.
#[derive(Debug, Serialize)]
struct NamedSubject {
    license_no: String,
    url: Option<String>,
}

impl From<db::models::Announcement> for AnnouncementItem {
    fn from(a: db::models::Announcement) -> Self {
        let license_nos = db::models::split_list(&a.license_nos);
        Self {
            kind_label: label_of(AnnouncementKind::parse(&a.kind), &a.kind),
            subjects: license_nos
                .iter()
                .map(|n| NamedSubject {
                    license_no: n.clone(),
                    url: None,
                })
                .collect(),
            license_nos,
            id: a.id,
            kind: a.kind,
            title: a.title,
            body: a.body,
            published_on: a.published_on,
        }
    }
}

/// Announcements with links to the profiles of the subjects they name.
fn announcement_items(
    c: &mut db::DbConnection,
    rows: Vec<db::models::Announcement>,
) -> Result<Vec<AnnouncementItem>, db::DbError> {
    let mut items: Vec<AnnouncementItem> = rows.into_iter().map(AnnouncementItem::from).collect();
    let nos: Vec<String> = items
        .iter()
        .flat_map(|a| a.license_nos.iter().cloned())
        .collect();
    let kinds = db::exit::kinds_of(c, &nos)?;
    for item in &mut items {
        for s in &mut item.subjects {
            s.url = kinds.get(&s.license_no).map(|k| match k {
                SubjectKind::Office => format!("/offices/{}", s.license_no),
                SubjectKind::Worker => format!("/workers/{}", s.license_no),
            });
        }
    }
    Ok(items)
}

/// `/announcements/{id}`: one notice, linking each subject it names.
async fn announcement_page(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let not_found = || super::not_found_page(&tr("nf-announcement"));
    let Some(id) = path.trim().parse::<i64>().ok().filter(|id| *id > 0) else {
        return Err(not_found());
    };
    let item = state
        .db(move |c| match db::exit::announcement(c, id)? {
            Some(a) => Ok(announcement_items(c, vec![a])?.pop()),
            None => Ok(None),
        })
        .await
        .map_err(AppError::html)?;
    let Some(item) = item else {
        return Err(not_found());
    };
    let mut ctx = base_context(&state);
    ctx.insert("title", &item.title);
    ctx.insert("a", &item);
    super::html("announcement.html", &ctx)
}

async fn announcements_page(
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let page = q.page()?;
    let kind = match q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(AnnouncementKind::parse(k).ok_or_else(|| {
            AppError::new(ErrorCode::BadRequest)
                .message(tr("bad-announcement-kind"))
                .html()
        })?),
    };
    let offset = ((page - 1) * PER_PAGE) as i64;
    let (items, total) = state
        .db(move |c| {
            let (rows, total) =
                db::public_lists::announcements(c, kind.map(|k| k.key()), offset, PER_PAGE as i64)?;
            Ok((announcement_items(c, rows)?, total))
        })
        .await
        .map_err(AppError::html)?;
    let mut ctx = base_context(&state);
    ctx.insert("title", &tr("announcements-title"));
    ctx.insert("items", &items);
    ctx.insert("total", &total);
    ctx.insert("page", &page);
    ctx.insert("pages", &(total as usize).div_ceil(PER_PAGE).max(1));
    ctx.insert("kind", &kind.map(|k| k.key()));
    ctx.insert(
        "kinds",
        &AnnouncementKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.key().into(),
                label: k.label_here().into(),
            })
            .collect::<Vec<_>>(),
    );
    super::html("announcements.html", &ctx)
}

/// One entry of an Atom feed.
#[derive(Serialize)]
struct FeedEntry {
    id: String,
    title: String,
    link: String,
    updated: String,
    summary: String,
}

fn atom(
    req: &HttpRequest,
    state: &AppState,
    title: &str,
    self_path: &str,
    alternate: &str,
    entries: Vec<FeedEntry>,
) -> Result<HttpResponse, AppError> {
    let base = base_url(req, state);
    // XML cannot hold every character a database can: whatever was stored,
    // the feed stays well-formed.
    let safe = crate::domain::text::xml_safe;
    let entries: Vec<FeedEntry> = entries
        .into_iter()
        .map(|e| FeedEntry {
            id: safe(&e.id),
            title: safe(&e.title),
            link: safe(&e.link),
            updated: safe(&e.updated),
            summary: safe(&e.summary),
        })
        .collect();
    let base = safe(&base);
    let updated = entries
        .first()
        .map(|e| e.updated.clone())
        .unwrap_or_else(|| day(state.clock.today()));
    let mut ctx = tera::Context::new();
    // A name from the database in the feed's title: kept well-formed.
    ctx.insert("title", &crate::domain::text::xml_safe(title));
    ctx.insert("base", &base);
    ctx.insert("self_path", self_path);
    ctx.insert("alternate", alternate);
    ctx.insert("updated", &updated);
    ctx.insert("entries", &entries);
    ctx.insert("demo", &state.demo_scale.is_some());
    let body = templates::render("feed.xml", &ctx)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/atom+xml; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .body(body))
}

fn day(d: NaiveDate) -> String {
    crate::domain::dates::china_day_rfc3339(d)
}

async fn disclosures_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (today, windows) = (state.clock.today(), state.windows);
    let items = state
        .db(move |c| db::public_lists::disclosures(c, today, &windows, None, None))
        .await?;
    let base = base_url(&req, &state);
    let entries = items
        .into_iter()
        .take(FEED_ENTRIES)
        .map(DisclosureItem::from)
        .map(|d| FeedEntry {
            id: format!("{base}/disclosures#{}", d.decision_no),
            title: format!(
                "{}：{}（{}）",
                d.kind_label,
                d.subject_name.as_deref().unwrap_or(&d.subject_license_no),
                d.decision_no
            ),
            link: format!("{base}{}", d.subject_url),
            updated: day(d.decided_on),
            summary: format!(
                "{} {}。事实：{} 依据：{} 公示至 {}。",
                d.authority, d.decided_on, d.facts, d.basis, d.public_until
            ),
        })
        .collect();
    atom(
        &req,
        &state,
        "基层法律服务不良信息公示",
        "/feeds/disclosures.atom",
        "/disclosures",
        entries,
    )
}

async fn worker_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    subject_feed(
        &req,
        &state,
        crate::domain::vocab::SubjectKind::Worker,
        &path,
    )
    .await
}

async fn office_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    subject_feed(
        &req,
        &state,
        crate::domain::vocab::SubjectKind::Office,
        &path,
    )
    .await
}

/// Follow one office or worker (issue 14): an entry per public change of
/// its record, per disciplinary action inside its window, and per notice
/// naming it; newest first.
async fn subject_feed(
    req: &HttpRequest,
    state: &AppState,
    kind: crate::domain::vocab::SubjectKind,
    raw: &str,
) -> Result<HttpResponse, AppError> {
    use crate::domain::vocab::SubjectKind;
    let prefix = match kind {
        SubjectKind::Office => "/offices",
        SubjectKind::Worker => "/workers",
    };
    let license = crate::domain::LicenseNo::parse(raw)
        .map_err(|_| AppError::new(ErrorCode::InvalidLicenseNo).html())?;
    let (today, windows) = (state.clock.today(), state.windows);
    let no = license.as_str().to_owned();
    let found = state
        .db(move |c| {
            use crate::web::views;
            let subject = match kind {
                SubjectKind::Worker => match db::profiles::worker(c, &license)? {
                    Some(r) => {
                        let v = views::worker_view(&r, today, &windows)?;
                        let moved = db::profiles::offices_moved_through(c, &r.transfers)?;
                        let changes = views::worker_changes(&r, &moved, today, &windows)?;
                        Some((v.name, v.credit, changes))
                    }
                    None => None,
                },
                SubjectKind::Office => match db::profiles::office(c, &license)? {
                    Some(r) => {
                        let v = views::office_view(&r, today, &windows)?;
                        Some((
                            v.name,
                            v.credit,
                            views::office_changes(&r, today, &windows)?,
                        ))
                    }
                    None => None,
                },
            };
            let Some((name, credit, changes)) = subject else {
                return Ok(None);
            };
            let history = crate::web::history::view(
                c,
                kind,
                license.as_str(),
                crate::i18n::Lang::Zh,
                0,
                FEED_ENTRIES as i64,
            )?;
            let notices = db::exit::announcements_naming(c, license.as_str())?;
            Ok(Some((name, credit, changes, history, notices)))
        })
        .await?;
    let Some((name, credit, changes, history, notices)) = found else {
        return Err(AppError::new(ErrorCode::NotFound).html());
    };
    let base = base_url(req, state);
    let profile = format!("{base}{prefix}/{no}");
    let mut entries: Vec<FeedEntry> = Vec::new();
    for line in history.map(|h| h.changes).unwrap_or_default() {
        entries.push(FeedEntry {
            id: format!("{profile}/history#{}", line.id),
            title: line.sentence.clone(),
            link: format!("{profile}/history"),
            updated: day(line.on),
            summary: line.sentence,
        });
    }
    for c in changes {
        // The feed speaks Chinese, as its other entries do.
        use crate::i18n::{Label, Lang, tr_in_with};
        let (from, to, on) = (c.from.label(), c.to.label(), c.on.to_string());
        let args: [(&str, &dyn std::fmt::Display); 3] = [("from", &from), ("to", &to), ("on", &on)];
        entries.push(FeedEntry {
            id: format!("{profile}/standing#{on}"),
            title: tr_in_with(Lang::Zh, "feed-standing-changed", &args),
            link: profile.clone(),
            updated: day(c.on),
            summary: tr_in_with(Lang::Zh, "feed-standing-changed-on", &args),
        });
    }
    for d in credit.disclosures {
        entries.push(FeedEntry {
            id: format!("{base}/disclosures#{}", d.decision_no),
            title: format!("{}（{}）", d.kind_label, d.decision_no),
            link: profile.clone(),
            updated: day(d.decided_on),
            summary: format!(
                "{} {}。事实：{} 依据：{} 公示至 {}。",
                d.authority, d.decided_on, d.facts, d.basis, d.public_until
            ),
        });
    }
    for a in notices {
        entries.push(FeedEntry {
            id: format!("{base}/announcements/{}", a.id),
            title: a.title.clone(),
            link: format!("{base}/announcements/{}", a.id),
            updated: day(a.published_on),
            summary: a.title,
        });
    }
    entries.sort_by(|a, b| b.updated.cmp(&a.updated));
    entries.truncate(FEED_ENTRIES);
    atom(
        req,
        state,
        &format!("{name}（{no}）的动态"),
        &format!("{prefix}/{no}/feed.atom"),
        &format!("{prefix}/{no}"),
        entries,
    )
}

async fn announcements_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (rows, _) = state
        .db(|c| db::public_lists::announcements(c, None, 0, FEED_ENTRIES as i64))
        .await?;
    let base = base_url(&req, &state);
    let entries = rows
        .into_iter()
        .map(AnnouncementItem::from)
        .map(|a| FeedEntry {
            id: format!("{base}/announcements#a{}", a.id),
            title: format!("{}：{}", a.kind_label, a.title),
            // Each notice's own page: a list page holds 20 of the feed's 50,
            // and the newest push the rest off it. (The entry's id stays
            // what it was, so readers do not see old notices as new.)
            link: format!("{base}/announcements/{}", a.id),
            updated: day(a.published_on),
            summary: a.body,
        })
        .collect();
    atom(
        &req,
        &state,
        "基层法律服务公告",
        "/feeds/announcements.atom",
        "/announcements",
        entries,
    )
}

fn xml(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/xml; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

/// What crawlers may fetch: the profiles, lists and notices (the
/// sitemap names them), not the console, the API, the complaint forms,
/// the certificates or the search and verify answers (endless addresses,
/// each one a query; the verify form itself stays open).
async fn robots(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let base = base_url(&req, &state);
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "public, max-age=86400",
        ))
        .body(format!(
            "User-agent: *\n\
             Disallow: /admin\n\
             Disallow: /api/\n\
             Disallow: /complaints\n\
             Disallow: /search\n\
             Disallow: /verify?\n\
             Disallow: /lookup\n\
             Disallow: /certificates/\n\
             \n\
             Sitemap: {base}/sitemap.xml\n"
        ))
}

/// `/sitemap.xml`: an index of the parts, each at most 50,000 addresses.
async fn sitemap_index(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (offices, workers) = state.db(db::public_lists::all_license_nos).await?;
    let base = base_url(&req, &state);
    let mut parts = vec!["pages".to_owned()];
    parts.extend((0..offices.len().div_ceil(SITEMAP_URLS)).map(|i| format!("offices-{}", i + 1)));
    parts.extend((0..workers.len().div_ceil(SITEMAP_URLS)).map(|i| format!("workers-{}", i + 1)));
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for p in parts {
        out.push_str(&format!(
            "  <sitemap><loc>{}/sitemaps/{p}.xml</loc></sitemap>\n",
            escape_xml(&base)
        ));
    }
    out.push_str("</sitemapindex>\n");
    Ok(xml(out))
}

async fn sitemap_part(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let part = path.into_inner();
    let base = base_url(&req, &state);
    let paths: Vec<String> = if part == "pages" {
        let mut paths: Vec<String> = [
            "/",
            "/verify",
            "/districts",
            "/disclosures",
            "/announcements",
        ]
        .iter()
        .map(|p| (*p).to_owned())
        .collect();
        // Each district's page and each notice's, within one part's bound
        // (the newest notices first).
        let names = state.district_names().await?;
        paths.extend(
            names
                .names
                .iter()
                .map(|(code, _)| format!("/districts/{code}")),
        );
        let room = SITEMAP_URLS.saturating_sub(paths.len());
        let notices = state
            .db(move |c| db::public_lists::announcement_ids(c, room as i64))
            .await?;
        paths.extend(notices.into_iter().map(|id| format!("/announcements/{id}")));
        paths.truncate(SITEMAP_URLS);
        paths
    } else {
        let (kind, n) = part
            .rsplit_once('-')
            .and_then(|(k, n)| Some((k.to_owned(), n.parse::<usize>().ok().filter(|n| *n >= 1)?)))
            .ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
        let (offices, workers) = state.db(db::public_lists::all_license_nos).await?;
        let (list, prefix) = match kind.as_str() {
            "offices" => (offices, "/offices/"),
            "workers" => (workers, "/workers/"),
            _ => return Err(AppError::new(ErrorCode::NotFound)),
        };
        // A part number past any list is not found, however large.
        let skip = (n - 1)
            .checked_mul(SITEMAP_URLS)
            .ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
        let chunk: Vec<String> = list
            .into_iter()
            .skip(skip)
            .take(SITEMAP_URLS)
            .map(|no| format!("{prefix}{no}"))
            .collect();
        if chunk.is_empty() {
            return Err(AppError::new(ErrorCode::NotFound));
        }
        chunk
    };
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for p in paths {
        out.push_str(&format!(
            "  <url><loc>{}{}</loc></url>\n",
            escape_xml(&base),
            escape_xml(&p)
        ));
    }
    out.push_str("</urlset>\n");
    Ok(xml(out))
}

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
