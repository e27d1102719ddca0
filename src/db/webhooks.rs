//! Webhooks (issue 14): the receivers integrators register, and the
//! durable queue of events they are sent (`webhook_events`), written in the
//! transaction of the import that made the change, like the search outbox.
//! `crate::webhooks` delivers them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::Rng;

use super::schema::{offices, record_history, webhook_events, webhooks, workers};
use super::{DbConnection, DbError};
use crate::domain::vocab::SubjectKind;

/// Advisory lock (PostgreSQL) taken by every writer of `webhook_events`
/// until its transaction ends, so event ids are committed in id order and a
/// receiver's cursor never passes an event still being written.
const EVENTS_LOCK: i64 = 0x5745_4248_4F4F; // "WEBHOO"
/// Advisory lock (PostgreSQL, per session) of the one process delivering.
pub const DELIVERY_LOCK: i64 = 0x5745_4244_4C56; // "WEBDLV"

/// A registered receiver and how far its delivery has come.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = webhooks)]
pub struct Webhook {
    /// Id.
    pub id: i64,
    /// Where events are POSTed.
    pub url: String,
    /// HMAC-SHA-256 key of the `X-Signature` header.
    #[serde(skip)]
    pub secret: String,
    /// Only events about this district, when set.
    pub district_code: Option<String>,
    /// Only events about `office` or `worker` subjects, when set.
    pub subject_kind: Option<String>,
    /// The token that registered it.
    pub created_by: String,
    /// When.
    pub created_at: NaiveDateTime,
    /// Whether it is delivered to.
    pub active: bool,
    /// The last event id handled (delivered, or given up on).
    pub delivered_through: i64,
    /// Failed attempts at the next event.
    pub attempts: i32,
    /// Since when the next event has failed.
    pub failing_since: Option<NaiveDateTime>,
    /// When the next attempt is due (after a failure).
    pub next_attempt_at: Option<NaiveDateTime>,
    /// The last failure, without the address.
    pub last_error: Option<String>,
    /// Events delivered.
    pub delivered: i64,
    /// Events given up on after 24 hours of failures.
    pub given_up: i64,
}

/// One queued event.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_events)]
pub struct Event {
    /// Id: the order of delivery.
    pub id: i64,
    /// `office` or `worker`.
    pub subject_kind: String,
    /// License number.
    pub subject_key: String,
    /// The subject's district when the event was written.
    pub district_code: Option<String>,
    /// The event's JSON, without its id.
    pub payload: String,
    /// When it was written.
    pub created_at: NaiveDateTime,
}

/// Registers a receiver; it is sent the events written from now on.
/// Returns it with its secret.
pub fn register(
    conn: &mut DbConnection,
    url: &str,
    district: Option<&str>,
    kind: Option<SubjectKind>,
    by: &str,
    now: NaiveDateTime,
) -> Result<Webhook, DbError> {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    let secret: String = key.iter().map(|b| format!("{b:02x}")).collect();
    conn.transaction(|c| {
        lock_events(c)?;
        let latest: Option<i64> = webhook_events::table
            .select(diesel::dsl::max(webhook_events::id))
            .first(c)?;
        diesel::insert_into(webhooks::table)
            .values((
                webhooks::url.eq(url),
                webhooks::secret.eq(&secret),
                webhooks::district_code.eq(district),
                webhooks::subject_kind.eq(kind.map(|k| k.key())),
                webhooks::created_by.eq(by),
                webhooks::created_at.eq(now),
                webhooks::active.eq(true),
                webhooks::delivered_through.eq(latest.unwrap_or(0)),
            ))
            .execute(c)?;
        Ok(webhooks::table
            .order(webhooks::id.desc())
            .select(Webhook::as_select())
            .first(c)?)
    })
}

/// Every receiver, oldest first.
pub fn list(conn: &mut DbConnection) -> Result<Vec<Webhook>, DbError> {
    Ok(webhooks::table
        .order(webhooks::id)
        .select(Webhook::as_select())
        .load(conn)?)
}

/// Removes a receiver; false when there was none.
pub fn remove(conn: &mut DbConnection, id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(webhooks::table.find(id)).execute(conn)? > 0)
}

/// Queues one event per subject the applied import `batch` changed: the
/// subjects of its history entries (with the entries) and `also` (changed
/// through their records: reviews, actions, transfers…). Called in the
/// import's transaction, after its history is linked to the batch. Reads
/// and writes in chunks: an import of 40,000 workers queues 40,000 events.
pub fn record_batch(
    conn: &mut DbConnection,
    batch: i64,
    also: &[(SubjectKind, String)],
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    use std::collections::HashMap;
    // Events are only ever delivered to receivers that existed when they
    // were queued (a new receiver starts after the latest event), so with
    // no active receiver there is nothing to queue: a 100,000-row import
    // skips building and writing 100,000 events nobody will read. On
    // PostgreSQL the check holds the events lock, which `register` takes
    // too.
    lock_events(conn)?;
    if !any_active(conn)? {
        return Ok(0);
    }
    let entries: Vec<(String, String, String, String, String)> = record_history::table
        .filter(record_history::batch_id.eq(batch))
        .order(record_history::id)
        .select((
            record_history::subject_kind,
            record_history::subject_key,
            record_history::field,
            record_history::old_value,
            record_history::new_value,
        ))
        .load(conn)?;
    // Subjects in the order the batch first touched them.
    let mut subjects: Vec<(String, String, Vec<serde_json::Value>)> = Vec::new();
    let mut at: HashMap<(String, String), usize> = HashMap::new();
    // Where a subject was before the batch moved it: an office's former
    // district, a worker's former office.
    let mut left: HashMap<(String, String), String> = HashMap::new();
    for (kind, key, field, before, after) in entries {
        if !before.is_empty() && (field == "district_code" || field == "office_license_no") {
            left.entry((kind.clone(), key.clone()))
                .or_insert_with(|| before.clone());
        }
        let change = if field.is_empty() {
            serde_json::json!({ "field": "", "before": "", "after": "registered" })
        } else {
            serde_json::json!({ "field": field, "before": before, "after": after })
        };
        let i = *at.entry((kind.clone(), key.clone())).or_insert_with(|| {
            subjects.push((kind, key, Vec::new()));
            subjects.len() - 1
        });
        subjects[i].2.push(change);
    }
    for (kind, key) in also {
        at.entry((kind.key().to_owned(), key.clone()))
            .or_insert_with(|| {
                subjects.push((kind.key().to_owned(), key.clone(), Vec::new()));
                subjects.len() - 1
            });
    }
    if subjects.is_empty() {
        return Ok(0);
    }
    let office = SubjectKind::Office.key();
    let worker_keys: Vec<&str> = subjects
        .iter()
        .filter(|s| s.0 != office)
        .map(|s| s.1.as_str())
        .collect();
    let mut people: HashMap<String, (String, Option<String>)> = HashMap::new();
    for chunk in worker_keys.chunks(CHUNK) {
        let rows: Vec<(String, String, Option<String>)> = workers::table
            .filter(workers::license_no.eq_any(chunk))
            .select((
                workers::license_no,
                workers::name,
                workers::office_license_no,
            ))
            .load(conn)?;
        people.extend(rows.into_iter().map(|(k, n, o)| (k, (n, o))));
    }
    let mut office_keys: Vec<&str> = subjects
        .iter()
        .filter(|s| s.0 == office)
        .map(|s| s.1.as_str())
        .chain(people.values().filter_map(|(_, o)| o.as_deref()))
        .chain(
            left.iter()
                .filter(|((kind, _), _)| kind != office)
                .map(|(_, o)| o.as_str()),
        )
        .collect();
    office_keys.sort_unstable();
    office_keys.dedup();
    let mut places: HashMap<String, (String, String)> = HashMap::new();
    for chunk in office_keys.chunks(CHUNK) {
        let rows: Vec<(String, String, String)> = offices::table
            .filter(offices::license_no.eq_any(chunk))
            .select((offices::license_no, offices::name, offices::district_code))
            .load(conn)?;
        places.extend(rows.into_iter().map(|(k, n, d)| (k, (n, d))));
    }
    let stamp = format!("{}Z", now.format("%Y-%m-%dT%H:%M:%S"));
    let mut rows = Vec::with_capacity(subjects.len());
    for (kind, key, changes) in &subjects {
        let (name, district, path) = if kind == office {
            let p = places.get(key);
            (
                p.map(|p| p.0.clone()),
                p.map(|p| p.1.clone()),
                format!("/offices/{key}"),
            )
        } else {
            let p = people.get(key);
            let district = p
                .and_then(|(_, o)| o.as_ref())
                .and_then(|o| places.get(o))
                .map(|p| p.1.clone());
            (p.map(|p| p.0.clone()), district, format!("/workers/{key}"))
        };
        let left_district = left
            .get(&(kind.clone(), key.clone()))
            .and_then(|before| {
                if kind == office {
                    Some(before.clone())
                } else {
                    places.get(before).map(|p| p.1.clone())
                }
            })
            .filter(|d| Some(d) != district.as_ref());
        let payload = serde_json::json!({
            "type": "record.changed",
            "batch_id": batch,
            "subject": {
                "kind": kind,
                "license_no": key,
                "name": name,
                "district_code": district,
                "profile": path,
            },
            "changes": changes,
            "occurred_at": stamp,
        });
        rows.push((
            webhook_events::subject_kind.eq(kind.clone()),
            webhook_events::subject_key.eq(key.clone()),
            webhook_events::district_code.eq(district),
            webhook_events::left_district_code.eq(left_district),
            webhook_events::payload.eq(payload.to_string()),
            webhook_events::created_at.eq(now),
        ));
    }
    crate::insert_batched!(conn, &rows, |cc, chunk| diesel::insert_into(
        webhook_events::table
    )
    .values(chunk)
    .execute(cc));
    Ok(subjects.len())
}

/// On PostgreSQL, the events lock until the transaction ends: queuing an
/// import's events and registering a receiver (which starts after the
/// latest event) do not interleave. SQLite serialises writers itself.
fn lock_events(conn: &mut DbConnection) -> Result<(), DbError> {
    if let DbConnection::Pg(c) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({EVENTS_LOCK})")).execute(c)?;
    }
    Ok(())
}

/// Whether any receiver is active.
fn any_active(conn: &mut DbConnection) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        webhooks::table.filter(webhooks::active.eq(true)),
    ))
    .get_result(conn)?)
}

/// Keys per `IN (…)` and bound values per insert, well inside both
/// backends' limits.
const CHUNK: usize = 1000;

/// Active receivers whose next attempt is due.
pub fn due(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Vec<Webhook>, DbError> {
    Ok(webhooks::table
        .filter(webhooks::active.eq(true))
        .filter(
            webhooks::next_attempt_at
                .is_null()
                .or(webhooks::next_attempt_at.le(now)),
        )
        .order(webhooks::id)
        .select(Webhook::as_select())
        .load(conn)?)
}

/// The next events for `hook`, in order, within its filters.
pub fn pending(conn: &mut DbConnection, hook: &Webhook, limit: i64) -> Result<Vec<Event>, DbError> {
    let mut q = webhook_events::table
        .filter(webhook_events::id.gt(hook.delivered_through))
        .into_boxed();
    if let Some(d) = &hook.district_code {
        // The district it is in, or the one it left in this change.
        q = q.filter(
            webhook_events::district_code
                .eq(d.clone())
                .or(webhook_events::left_district_code.eq(d.clone())),
        );
    }
    if let Some(k) = &hook.subject_kind {
        q = q.filter(webhook_events::subject_kind.eq(k.clone()));
    }
    Ok(q.order(webhook_events::id)
        .limit(limit)
        .select(Event::as_select())
        .load(conn)?)
}

/// `event` was delivered to `hook` (or given up on, when `gave_up`).
pub fn advance(
    conn: &mut DbConnection,
    hook: i64,
    event: i64,
    gave_up: bool,
) -> Result<(), DbError> {
    diesel::update(webhooks::table.find(hook))
        .set((
            webhooks::delivered_through.eq(event),
            webhooks::attempts.eq(0),
            webhooks::failing_since.eq(None::<NaiveDateTime>),
            webhooks::next_attempt_at.eq(None::<NaiveDateTime>),
            webhooks::last_error.eq(None::<String>),
            webhooks::delivered.eq(webhooks::delivered + i64::from(!gave_up)),
            webhooks::given_up.eq(webhooks::given_up + i64::from(gave_up)),
        ))
        .execute(conn)?;
    Ok(())
}

/// An attempt at the next event failed: the next one is due at `retry_at`.
pub fn failed(
    conn: &mut DbConnection,
    hook: &Webhook,
    now: NaiveDateTime,
    retry_at: NaiveDateTime,
    error: &str,
) -> Result<(), DbError> {
    diesel::update(webhooks::table.find(hook.id))
        .set((
            webhooks::attempts.eq(hook.attempts + 1),
            webhooks::failing_since.eq(Some(hook.failing_since.unwrap_or(now))),
            webhooks::next_attempt_at.eq(Some(retry_at)),
            webhooks::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Tries to become the one process that delivers (PostgreSQL: a session
/// advisory lock held by `conn` for its life; SQLite: always).
pub fn try_lead(conn: &mut DbConnection) -> Result<bool, DbError> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    match conn {
        DbConnection::Pg(c) => {
            let row: Locked = diesel::sql_query(format!(
                "SELECT pg_try_advisory_lock({DELIVERY_LOCK}) AS locked"
            ))
            .get_result(c)?;
            Ok(row.locked)
        }
        _ => Ok(true),
    }
}
