//! Per-address allowances counted in the database (`rate_limits`), so that
//! every portal process on it shares them: the generic cell rate algorithm
//! (a token bucket kept as one time per client), each check one atomic
//! upsert. Callers pass an opaque client key (a keyed hash of the address,
//! see `web::rate_limit::SharedLimiter`), never the address itself.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::schema::rate_limits;
use super::{DbConnection, DbError};
use crate::config::Rate;

/// What a check decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Allowed, and counted.
    Allowed,
    /// Refused: the next request is allowed this many milliseconds from now.
    Refused {
        /// Milliseconds to wait, at least 1.
        wait_ms: i64,
    },
}

/// A row the upsert counted; only whether one came back matters.
#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = BigInt)]
    #[allow(dead_code)]
    tat_ms: i64,
}

/// The time one request "costs": `rate.per` spread evenly over `rate.max`,
/// rounded down so that a burst of exactly `max` fits.
fn interval_ms(rate: Rate) -> i64 {
    let per = i64::try_from(rate.per.as_millis()).unwrap_or(i64::MAX / 4);
    (per / i64::from(rate.max.max(1))).max(1)
}

/// Takes one request from `client`'s allowance in `bucket` at `now_ms`
/// (milliseconds since 1970 UTC): a burst of `rate.max`, refilled evenly
/// over `rate.per`, the same allowance as the in-process
/// `web::rate_limit::RateLimiter` (governor).
///
/// The row holds the "theoretical arrival time" (TAT): the time at which
/// the allowance would be full again. A request is allowed when, after
/// adding its cost, the TAT lies at most `rate.per` ahead of now; one
/// `INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING` decides and counts
/// at once, so concurrent requests through any number of processes are
/// counted one by one. A refusal updates nothing and returns no row.
pub fn take(
    conn: &mut DbConnection,
    bucket: &str,
    client: &str,
    rate: Rate,
    now_ms: i64,
) -> Result<Decision, DbError> {
    let per = i64::try_from(rate.per.as_millis()).unwrap_or(i64::MAX / 4);
    if rate.max == 0 {
        return Ok(Decision::Refused {
            wait_ms: per.max(1),
        });
    }
    let cost = interval_ms(rate);
    // The dialects differ in the function taking the larger of two values
    // and in how a numbered parameter is spelled.
    let sql = "INSERT INTO rate_limits (bucket, client, tat_ms) VALUES ($1, $2, $3 + $4) \
               ON CONFLICT (bucket, client) DO UPDATE \
               SET tat_ms = LARGER(rate_limits.tat_ms, $3) + $4 \
               WHERE LARGER(rate_limits.tat_ms, $3) + $4 <= $3 + $5 \
               RETURNING tat_ms";
    let sql = match conn {
        DbConnection::Pg(_) => sql.replace("LARGER", "GREATEST"),
        DbConnection::Sqlite(_) => sql.replace("LARGER", "MAX").replace('$', "?"),
    };
    let counted: Vec<Counted> = crate::with_backend!(&mut *conn, |c| diesel::sql_query(&sql)
        .bind::<Text, _>(bucket)
        .bind::<Text, _>(client)
        .bind::<BigInt, _>(now_ms)
        .bind::<BigInt, _>(cost)
        .bind::<BigInt, _>(per)
        .load(c))?;
    if !counted.is_empty() {
        return Ok(Decision::Allowed);
    }
    // Refused: the stored TAT says when a request fits again. Read apart
    // from the decision; it only sets `Retry-After`.
    let tat: Option<i64> = rate_limits::table
        .filter(rate_limits::bucket.eq(bucket))
        .filter(rate_limits::client.eq(client))
        .select(rate_limits::tat_ms)
        .first(conn)
        .optional()?;
    let wait_ms = tat.map_or(cost, |tat| tat + cost - per - now_ms);
    Ok(Decision::Refused {
        wait_ms: wait_ms.max(1),
    })
}

/// Deletes the rows whose time has passed at `now_ms`: such a row stands
/// for a full allowance, exactly as a missing row does. Returns how many.
pub fn sweep(conn: &mut DbConnection, now_ms: i64) -> Result<usize, DbError> {
    Ok(diesel::delete(rate_limits::table.filter(rate_limits::tat_ms.lt(now_ms))).execute(conn)?)
}
