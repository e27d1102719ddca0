//! Incremental open data: `GET /api/v1/offices`, `/workers`, `/reviews` and
//! `/disclosures` list the public records in change order (the feed of
//! `db::changes`), with an opaque cursor, so an integrator can keep a copy
//! in step without missing or repeating a change. An entity that is no
//! longer public (deleted, or a disclosure whose window closed or that was
//! withdrawn) comes as a tombstone, `{"key", "changed_at", "deleted": true}`.

use std::collections::{HashMap, HashSet};

use actix_web::http::header::{CACHE_CONTROL, LINK};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::Envelope;
use crate::db::changes::{self, ChangeRow, FeedKind};
use crate::db::models::{Action, Office, Review, Worker, split_list};
use crate::db::schema::{annual_reviews, disciplinary_actions, offices, workers};
use crate::db::{DbConnection, DbError};
use crate::domain::standing::StandingPolicy;
use crate::web::AppState;
use crate::web::errors::{AppError, ErrorBody, ErrorCode};
use crate::web::lang::{tr, tr_with};

/// Entries a page holds unless `limit` says otherwise.
pub const DEFAULT_LIMIT: i64 = 100;
/// Most entries a page holds.
pub const MAX_LIMIT: i64 = 1000;

/// Routes (inside the `/api/v1` scope).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/offices", web::get().to(offices_feed))
        .route("/workers", web::get().to(workers_feed))
        .route("/reviews", web::get().to(reviews_feed))
        .route("/disclosures", web::get().to(disclosures_feed));
}

/// Where to start and how much to take.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FeedQuery {
    /// `next_cursor` of the previous page: the entries changed after it.
    /// Opaque; a cursor of one list is refused by another.
    cursor: Option<String>,
    /// Without a cursor: only the entries changed after this moment
    /// (RFC 3339, such as `2026-12-01T00:00:00Z` or
    /// `2026-12-01T08:00:00+08:00`). Ignored when a cursor is given.
    #[param(format = DateTime)]
    modified_after: Option<String>,
    /// Entries per page, 1 to 1,000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// One entry: the record as it is now, or a tombstone.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct FeedEntry<T: Serialize> {
    /// The record's key (license number; decision number; for a review
    /// `subject_kind:license_no:year`).
    key: String,
    /// When the portal recorded the change (RFC 3339, UTC, microseconds).
    changed_at: String,
    /// `true`: the record is no longer public; drop your copy.
    deleted: bool,
    /// The record (absent in a tombstone).
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<T>,
}

/// A page of changes.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct FeedPage<T: Serialize> {
    /// Changed records, oldest change first.
    items: Vec<FeedEntry<T>>,
    /// Ask again with `cursor=` this for the changes after this page (also
    /// when the page is empty: poll with it later).
    next_cursor: String,
    /// Whether more changes are waiting now.
    has_more: bool,
}

/// An office's public record.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct OfficeRecord {
    license_no: String,
    name: String,
    district_code: String,
    /// `rural` or `urban`.
    area_kind: String,
    address: String,
    /// The office's public phone.
    phone: String,
    /// Opening hours as given.
    hours: String,
    director: String,
    practice_areas: Vec<String>,
    /// `practising`, `suspended` or `deregistered`.
    status: String,
    established_on: Option<NaiveDate>,
    /// WGS-84.
    lat: Option<f64>,
    /// WGS-84.
    lng: Option<f64>,
}

impl From<Office> for OfficeRecord {
    fn from(o: Office) -> Self {
        Self {
            practice_areas: split_list(&o.practice_areas),
            license_no: o.license_no,
            name: o.name,
            district_code: o.district_code,
            area_kind: o.area_kind,
            address: o.address,
            phone: o.phone,
            hours: o.hours,
            director: o.director,
            status: o.status,
            established_on: o.established_on,
            lat: o.lat,
            lng: o.lng,
        }
    }
}

/// A worker's public record (no gender, no internship).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct WorkerRecord {
    license_no: String,
    name: String,
    office_license_no: Option<String>,
    /// `practising`, `suspended`, `deregistered` or `revoked`.
    status: String,
    first_licensed_on: Option<NaiveDate>,
    practice_areas: Vec<String>,
    adviser_posts: Vec<String>,
}

impl From<Worker> for WorkerRecord {
    fn from(w: Worker) -> Self {
        Self {
            practice_areas: split_list(&w.practice_areas),
            adviser_posts: split_list(&w.adviser_posts),
            license_no: w.license_no,
            name: w.name,
            office_license_no: w.office_license_no,
            status: w.status,
            first_licensed_on: w.first_licensed_on,
        }
    }
}

/// An annual review.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ReviewRecord {
    /// `office` or `worker`.
    subject_kind: String,
    subject_license_no: String,
    year: i32,
    /// Outcome key (`pass`, `fail`, `absent`, `excellent`, `competent`, …).
    outcome: String,
    rectify_by: Option<NaiveDate>,
    rectified_on: Option<NaiveDate>,
    note: Option<String>,
}

impl From<Review> for ReviewRecord {
    fn from(r: Review) -> Self {
        Self {
            subject_kind: r.subject_kind,
            subject_license_no: r.subject_license_no,
            year: r.year,
            outcome: r.outcome,
            rectify_by: r.rectify_by,
            rectified_on: r.rectified_on,
            note: r.note,
        }
    }
}

/// A disciplinary action inside its disclosure window.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DisclosureRecord {
    decision_no: String,
    /// Discipline kind key.
    kind: String,
    authority: String,
    decided_on: NaiveDate,
    /// Last day of disclosure (given, or the default window's).
    public_until: NaiveDate,
    suspended_until: Option<NaiveDate>,
    /// `office` or `worker`.
    subject_kind: String,
    subject_license_no: String,
    facts: String,
    basis: String,
}

/// The record of `a` if it is disclosed on `today`.
fn disclosed(a: Action, today: NaiveDate, windows: &StandingPolicy) -> Option<DisclosureRecord> {
    let rec = a.record()?;
    rec.is_disclosed(today, windows).then(|| DisclosureRecord {
        public_until: rec.window_end(windows),
        decision_no: a.decision_no,
        kind: a.kind,
        authority: a.authority,
        decided_on: a.decided_on,
        suspended_until: a.suspended_until,
        subject_kind: a.subject_kind,
        subject_license_no: a.subject_license_no,
        facts: a.facts,
        basis: a.basis,
    })
}

/// The feed's name in cursors and messages.
fn feed_name(kind: FeedKind) -> &'static str {
    match kind {
        FeedKind::Office => "offices",
        FeedKind::Worker => "workers",
        FeedKind::Review => "reviews",
        FeedKind::Disclosure => "disclosures",
    }
}

/// An opaque cursor: the feed and the position, base64url.
fn encode_cursor(kind: FeedKind, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{}:{id}", feed_name(kind)))
}

/// The position in a cursor of `kind`'s feed, or `None` for anything else.
fn decode_cursor(kind: FeedKind, raw: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(raw.trim().as_bytes()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let rest = text.strip_prefix("v1:")?;
    let (feed, id) = rest.split_once(':')?;
    if feed != feed_name(kind) || id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok()
}

fn bad(parameter: &str, message: String) -> AppError {
    AppError::new(ErrorCode::BadRequest)
        .message(message)
        .details(serde_json::json!({ "parameter": parameter }))
}

/// The checked query: (cursor position, modified after, limit).
fn checked(
    kind: FeedKind,
    q: &FeedQuery,
) -> Result<(Option<i64>, Option<NaiveDateTime>, i64), AppError> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(bad(
            "limit",
            tr_with("api-feed-bad-limit", &[("max", &MAX_LIMIT)]),
        ));
    }
    let after = match q.cursor.as_deref() {
        None => None,
        Some(raw) => Some(decode_cursor(kind, raw).ok_or_else(|| {
            bad(
                "cursor",
                tr_with("api-feed-bad-cursor", &[("feed", &feed_name(kind))]),
            )
        })?),
    };
    let modified_after = match q.modified_after.as_deref() {
        None => None,
        // Years 1 to 9999 in UTC, as both databases compare them: SQLite
        // compares stored times as text, and "+10000-…" sorts before
        // "2026-…" (every row would come back where PostgreSQL gives none).
        Some(raw) => Some(
            DateTime::parse_from_rfc3339(raw.trim())
                .ok()
                // A `+` of the offset sent unencoded arrives as a space
                // (`…T08:00:00 08:00`): read it as the `+` it was.
                .or_else(|| {
                    let t = raw.trim();
                    let at = t.rfind(' ')?;
                    DateTime::parse_from_rfc3339(&format!("{}+{}", &t[..at], &t[at + 1..])).ok()
                })
                .map(|t| t.naive_utc())
                .filter(|t| (1..=9999).contains(&t.year()))
                .ok_or_else(|| bad("modified_after", tr("api-feed-bad-modified-after")))?,
        ),
    };
    Ok((after, modified_after, limit))
}

/// Loads the current public records of `keys`; a key missing from the
/// answer is no longer public.
type Loader<T> = fn(&mut DbConnection, &[String], NaiveDate, &StandingPolicy) -> LoadResult<T>;
type LoadResult<T> = Result<HashMap<String, T>, DbError>;

fn load_offices(
    c: &mut DbConnection,
    keys: &[String],
    _: NaiveDate,
    _: &StandingPolicy,
) -> LoadResult<OfficeRecord> {
    Ok(offices::table
        .filter(offices::license_no.eq_any(keys))
        .select(Office::as_select())
        .load(c)?
        .into_iter()
        .map(|o| (o.license_no.clone(), o.into()))
        .collect())
}

fn load_workers(
    c: &mut DbConnection,
    keys: &[String],
    _: NaiveDate,
    _: &StandingPolicy,
) -> LoadResult<WorkerRecord> {
    Ok(workers::table
        .filter(workers::license_no.eq_any(keys))
        .select(Worker::as_select())
        .load(c)?
        .into_iter()
        .map(|w| (w.license_no.clone(), w.into()))
        .collect())
}

fn load_reviews(
    c: &mut DbConnection,
    keys: &[String],
    _: NaiveDate,
    _: &StandingPolicy,
) -> LoadResult<ReviewRecord> {
    let wanted: HashSet<&str> = keys.iter().map(String::as_str).collect();
    let subjects: Vec<&str> = keys.iter().filter_map(|k| k.split(':').nth(1)).collect();
    Ok(annual_reviews::table
        .filter(annual_reviews::subject_license_no.eq_any(subjects))
        .select(Review::as_select())
        .load(c)?
        .into_iter()
        .map(|r| {
            (
                changes::review_key(&r.subject_kind, &r.subject_license_no, r.year),
                r.into(),
            )
        })
        .filter(|(k, _)| wanted.contains(k.as_str()))
        .collect())
}

fn load_disclosures(
    c: &mut DbConnection,
    keys: &[String],
    today: NaiveDate,
    windows: &StandingPolicy,
) -> LoadResult<DisclosureRecord> {
    Ok(disciplinary_actions::table
        .filter(disciplinary_actions::decision_no.eq_any(keys))
        .select(Action::as_select())
        .load(c)?
        .into_iter()
        .filter_map(|a| {
            let key = a.decision_no.clone();
            disclosed(a, today, windows).map(|r| (key, r))
        })
        .collect())
}

/// One page of `kind`'s feed as JSON.
async fn feed<T: Serialize + Send + 'static>(
    state: &AppState,
    req: &HttpRequest,
    kind: FeedKind,
    query: &FeedQuery,
    load: Loader<T>,
) -> Result<HttpResponse, AppError> {
    let (after, modified_after, limit) = checked(kind, query)?;
    let (today, windows, now) = (state.clock.today(), state.windows, state.clock.now_utc());
    let (rows, records, last): (Vec<ChangeRow>, HashMap<String, T>, i64) = state
        .db(move |c| {
            // A sweep that cannot have the write lock now (a long import
            // on SQLite) delays the rows it would write, never loses them:
            // the next read sweeps again, and their positions come later.
            if kind == FeedKind::Disclosure
                && let Err(e) = changes::sweep_disclosures(c, today, &windows, now)
            {
                tracing::warn!(error = %e, "cannot sweep the disclosures into the change feed now");
            }
            // An empty first page resumes at the feed's end, not its start.
            // The end is read before the page, each in its own snapshot:
            // a change committed between the two then lies after the end
            // handed out, so the next page brings it. (Read after the
            // page, the end could already include it, and the reader
            // would never see it.)
            let last = match after {
                None => changes::last_id(c, kind)?,
                Some(_) => 0,
            };
            let rows = changes::page(c, kind, after, modified_after, limit + 1)?;
            let keys: Vec<String> = rows
                .iter()
                .take(limit as usize)
                .map(|r| r.key.clone())
                .collect();
            let records = load(c, &keys, today, &windows)?;
            Ok((rows, records, last))
        })
        .await?;
    let has_more = rows.len() as i64 > limit;
    let mut records = records;
    let items: Vec<FeedEntry<T>> = rows
        .iter()
        .take(limit as usize)
        .map(|r| {
            let record = records.remove(&r.key);
            FeedEntry {
                key: r.key.clone(),
                changed_at: r
                    .changed_at
                    .and_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                deleted: record.is_none(),
                record,
            }
        })
        .collect();
    let position = match items.len() {
        0 => after.unwrap_or(last),
        n => rows[n - 1].id,
    };
    let next_cursor = encode_cursor(kind, position);
    let mut answer = HttpResponse::Ok();
    answer.insert_header((CACHE_CONTROL, "no-cache"));
    if has_more {
        answer.insert_header((
            LINK,
            format!(
                "<{}?cursor={next_cursor}&limit={limit}>; rel=\"next\"",
                req.path()
            ),
        ));
    }
    Ok(answer.json(Envelope {
        data: FeedPage {
            items,
            next_cursor,
            has_more,
        },
        demo_data: state.demo_scale.is_some(),
    }))
}

/// Offices in change order: every office whose public record changed after
/// the cursor (or `modified_after`), once, as it is now; without either,
/// every office from the start.
#[utoipa::path(
    get,
    path = "/api/v1/offices",
    tag = "sync",
    params(FeedQuery),
    responses(
        (status = 200, description = "A page of changed offices", body = Envelope<FeedPage<OfficeRecord>>),
        (status = 400, description = "A malformed or foreign `cursor`, a `modified_after` that is not RFC 3339, or a `limit` out of 1–1,000 (`bad_request`; `details.parameter` names it)", body = ErrorBody),
    )
)]
pub(crate) async fn offices_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, AppError> {
    feed(&state, &req, FeedKind::Office, &query, load_offices).await
}

/// Workers in change order (public fields only), as for offices.
#[utoipa::path(
    get,
    path = "/api/v1/workers",
    tag = "sync",
    params(FeedQuery),
    responses(
        (status = 200, description = "A page of changed workers", body = Envelope<FeedPage<WorkerRecord>>),
        (status = 400, description = "A malformed or foreign `cursor`, a `modified_after` that is not RFC 3339, or a `limit` out of 1–1,000 (`bad_request`)", body = ErrorBody),
    )
)]
pub(crate) async fn workers_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, AppError> {
    feed(&state, &req, FeedKind::Worker, &query, load_workers).await
}

/// Annual reviews in change order, keyed `subject_kind:license_no:year`.
#[utoipa::path(
    get,
    path = "/api/v1/reviews",
    tag = "sync",
    params(FeedQuery),
    responses(
        (status = 200, description = "A page of changed reviews", body = Envelope<FeedPage<ReviewRecord>>),
        (status = 400, description = "A malformed or foreign `cursor`, a `modified_after` that is not RFC 3339, or a `limit` out of 1–1,000 (`bad_request`)", body = ErrorBody),
    )
)]
pub(crate) async fn reviews_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, AppError> {
    feed(&state, &req, FeedKind::Review, &query, load_reviews).await
}

/// Disciplinary actions inside their disclosure window, in change order;
/// one that left the window (closed, withdrawn) since comes as a tombstone.
#[utoipa::path(
    get,
    path = "/api/v1/disclosures",
    tag = "sync",
    params(FeedQuery),
    responses(
        (status = 200, description = "A page of changed disclosures", body = Envelope<FeedPage<DisclosureRecord>>),
        (status = 400, description = "A malformed or foreign `cursor`, a `modified_after` that is not RFC 3339, or a `limit` out of 1–1,000 (`bad_request`)", body = ErrorBody),
    )
)]
pub(crate) async fn disclosures_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, AppError> {
    feed(&state, &req, FeedKind::Disclosure, &query, load_disclosures).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_belong_to_one_feed() {
        let c = encode_cursor(FeedKind::Worker, 42);
        assert_eq!(decode_cursor(FeedKind::Worker, &c), Some(42));
        assert_eq!(decode_cursor(FeedKind::Office, &c), None);
        for raw in ["", "42", "!!", "djE6d29ya2Vyczo", "djE6d29ya2VyczotMQ"] {
            assert_eq!(decode_cursor(FeedKind::Worker, raw), None, "{raw:?}");
        }
    }
}
