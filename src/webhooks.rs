//! Delivering webhook events (issue 14). One process delivers (on a shared
//! PostgreSQL, the holder of an advisory lock; the others take over when it
//! stops): every second it sends each due receiver its next events in
//! order, as JSON `POST`s signed with the receiver's secret:
//!
//! - `X-Signature: sha256=<hex HMAC-SHA-256 of the body>`
//! - `X-Event-Id: <id>` (also `event_id` in the body; ids only grow)
//!
//! A 2xx answer moves the receiver's cursor past the event. Anything else
//! (a refused connection, a timeout, another status) stops that receiver's
//! delivery until the next attempt, 1 s later, then 2, 4, … at most an hour
//! apart; after 24 hours of failures at one event that event is given up
//! (counted and logged by id) and delivery goes on with the next. So each
//! receiver gets the events at least once, in order (and so in order per
//! subject). Imports only write rows: a slow or down receiver never slows
//! an import.

use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::db::webhooks::{self as store, Event, Webhook};
use crate::db::{self, DbConnection, DbError, Pool};

/// How often due receivers are looked for.
const TICK: Duration = Duration::from_secs(1);
/// Events sent to one receiver per round.
const ROUND: i64 = 100;
/// How long one delivery may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Failures at one event after which it is given up.
const GIVE_UP_AFTER: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// The longest pause between attempts.
const MAX_PAUSE_SECONDS: i64 = 3600;

/// The signature header's value for `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// The body sent for `event`: its payload with its id first.
pub fn body(event: &Event) -> Vec<u8> {
    let mut value: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&event.payload).unwrap_or_default();
    let mut out = serde_json::Map::new();
    out.insert("event_id".into(), event.id.into());
    out.append(&mut value);
    serde_json::Value::Object(out).to_string().into_bytes()
}

/// The pause before attempt `attempts + 1`.
fn pause(attempts: i32) -> chrono::TimeDelta {
    let seconds = 1i64
        .checked_shl(attempts.clamp(0, 30) as u32)
        .unwrap_or(MAX_PAUSE_SECONDS)
        .min(MAX_PAUSE_SECONDS);
    chrono::TimeDelta::seconds(seconds)
}

/// Starts the delivery loop on the actix runtime.
pub fn spawn(pool: Pool, url: String) {
    actix_web::rt::spawn(async move {
        let client = match reqwest012::Client::builder()
            .timeout(TIMEOUT)
            // A signed event goes to the registered address only: a
            // redirect is answered like any other non-2xx (retried later),
            // never followed to wherever it points.
            .redirect(reqwest012::redirect::Policy::none())
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "webhooks: cannot build the HTTP client; no delivery");
                return;
            }
        };
        // The connection holding the delivery lock, kept for the process's
        // life on PostgreSQL.
        let mut lead: Option<DbConnection> = None;
        let mut leading = false;
        let mut tick = actix_web::rt::time::interval(TICK);
        loop {
            tick.tick().await;
            if leading {
                // Still leading only while the lock's connection lives.
                let held = lead.take();
                let alive = actix_web::web::block(move || {
                    held.and_then(|mut c| db::still_connected(&mut c).then_some(c))
                })
                .await
                .ok()
                .flatten();
                if alive.is_none() {
                    tracing::warn!(
                        "webhooks: lost the connection holding the delivery lock; taking it again or standing down"
                    );
                    leading = false;
                }
                lead = alive;
            }
            if !leading {
                let (url, held) = (url.clone(), lead.take());
                let tried = actix_web::web::block(move || -> Result<_, DbError> {
                    let mut conn = match held {
                        Some(c) => c,
                        None => db::establish(&url)?,
                    };
                    let won = store::try_lead(&mut conn)?;
                    Ok((conn, won))
                })
                .await;
                match tried {
                    Ok(Ok((conn, won))) => {
                        lead = Some(conn);
                        leading = won;
                    }
                    Ok(Err(e)) => tracing::warn!(error = %e, "webhooks: cannot reach the database"),
                    Err(e) => tracing::warn!(error = %e, "webhooks: cannot reach the database"),
                }
                if !leading {
                    continue;
                }
            }
            if let Err(e) = round(&pool, &client).await {
                tracing::warn!(error = %e, "webhooks: delivery round failed");
            }
        }
    });
}

async fn db<T: Send + 'static>(
    pool: &Pool,
    f: impl FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
) -> anyhow::Result<T> {
    let pool = pool.clone();
    Ok(actix_web::web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await??)
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// Sends every due receiver its next events.
async fn round(pool: &Pool, client: &reqwest012::Client) -> anyhow::Result<()> {
    let hooks = db(pool, |c| store::due(c, now())).await?;
    for hook in hooks {
        deliver(pool, client, hook).await?;
    }
    Ok(())
}

/// One receiver's round: its next events in order, until one fails.
async fn deliver(pool: &Pool, client: &reqwest012::Client, hook: Webhook) -> anyhow::Result<()> {
    let events = {
        let hook = hook.clone();
        db(pool, move |c| store::pending(c, &hook, ROUND)).await?
    };
    let mut hook = hook;
    for event in events {
        let body = body(&event);
        let sent = client
            .post(&hook.url)
            .header("Content-Type", "application/json")
            .header("X-Signature", signature(&hook.secret, &body))
            .header("X-Event-Id", event.id.to_string())
            .header("X-Webhook-Id", hook.id.to_string())
            .body(body)
            .send()
            .await;
        let error = match sent {
            Ok(r) if r.status().is_success() => None,
            Ok(r) => Some(format!("answered {}", r.status().as_u16())),
            // The error's text names the address; the log and the row keep
            // only what kind of failure it was.
            Err(e) if e.is_timeout() => Some("timed out".to_owned()),
            Err(e) if e.is_connect() => Some("could not connect".to_owned()),
            Err(_) => Some("request failed".to_owned()),
        };
        let (id, at) = (hook.id, now());
        match error {
            None => {
                db(pool, move |c| store::advance(c, id, event.id, false)).await?;
                hook.attempts = 0;
                hook.failing_since = None;
            }
            Some(error) => {
                let since = hook.failing_since.unwrap_or(at);
                if at - since >= GIVE_UP_AFTER {
                    tracing::warn!(webhook = id, event = event.id, %error, "webhook: event given up after 24 hours of failures");
                    db(pool, move |c| store::advance(c, id, event.id, true)).await?;
                    return Ok(());
                }
                tracing::info!(webhook = id, event = event.id, %error, attempts = hook.attempts + 1, "webhook delivery failed; will retry");
                let retry_at = at + pause(hook.attempts);
                let failing = hook.clone();
                db(pool, move |c| {
                    store::failed(c, &failing, at, retry_at, &error)
                })
                .await?;
                return Ok(());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_doubles_up_to_an_hour() {
        let s: Vec<i64> = (0..14).map(|a| pause(a).num_seconds()).collect();
        assert_eq!(&s[..5], &[1, 2, 4, 8, 16]);
        assert_eq!(s[12], 3600);
        assert_eq!(pause(1000).num_seconds(), 3600);
    }

    #[test]
    fn the_signature_is_the_hex_hmac_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
