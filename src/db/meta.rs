//! Small facts about the database itself (`portal_meta`), such as whether it
//! holds demo data.

use diesel::prelude::*;

use super::schema::{districts, portal_meta};
use super::{DbConnection, DbError};

/// Key under which the demo scale is recorded when demo data is loaded.
pub const DEMO_SCALE: &str = "demo_scale";

/// Key under which the standing settings the search index was last built
/// under are recorded (JSON): a start under other settings rebuilds it.
pub const SEARCH_POLICY: &str = "search_standing_policy";

/// Reads a value.
pub fn get(conn: &mut DbConnection, key: &str) -> Result<Option<String>, DbError> {
    Ok(portal_meta::table
        .filter(portal_meta::key.eq(key))
        .select(portal_meta::value)
        .first::<String>(conn)
        .optional()?)
}

/// Writes a value, replacing any earlier one.
pub fn set(conn: &mut DbConnection, key: &str, value: &str) -> Result<(), DbError> {
    // One statement: two portals setting the key at once (both starting
    // on an empty database) both succeed, where a delete then an insert
    // made the second fail on the key on PostgreSQL.
    crate::with_backend!(conn, |c| diesel::insert_into(portal_meta::table)
        .values((portal_meta::key.eq(key), portal_meta::value.eq(value)))
        .on_conflict(portal_meta::key)
        .do_update()
        .set(portal_meta::value.eq(value))
        .execute(c))?;
    Ok(())
}

/// Whether the database holds no districts yet (a fresh database).
pub fn is_empty(conn: &mut DbConnection) -> Result<bool, DbError> {
    let n: i64 = districts::table.count().get_result(conn)?;
    Ok(n == 0)
}
