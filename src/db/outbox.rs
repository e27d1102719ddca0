//! The one writer of the `search_outbox` table (issue 17): imports, the
//! complaint desk and the indexer's own scheduling all add rows here, in
//! the caller's transaction; `search::outbox` reads and drains them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::search_outbox;
use super::{DbConnection, DbError};

/// Rows per multi-row insert (four bound values each, well under SQLite's
/// 32,766).
const CHUNK: usize = 7_500;

/// Adds `(kind key, license number, due at)` rows, all enqueued at
/// `enqueued_at`, a chunk at a time; returns how many.
pub fn write<'a>(
    conn: &mut DbConnection,
    rows: impl IntoIterator<Item = (&'a str, &'a str, NaiveDateTime)>,
    enqueued_at: NaiveDateTime,
) -> Result<usize, DbError> {
    let mut written = 0;
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        chunk.clear();
        chunk.extend(rows.by_ref().take(CHUNK).map(|(kind, key, due)| {
            (
                search_outbox::entity_kind.eq(kind),
                search_outbox::entity_key.eq(key),
                search_outbox::due_at.eq(due),
                search_outbox::enqueued_at.eq(enqueued_at),
            )
        }));
        written += crate::with_backend!(&mut *conn, |c| diesel::insert_into(search_outbox::table)
            .values(&chunk)
            .execute(c))?;
    }
    Ok(written)
}
