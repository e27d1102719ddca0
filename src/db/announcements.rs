//! Which license numbers each announcement names (`announcement_subjects`),
//! derived from `announcements.license_nos` so that a profile finds its
//! notices by an index (issue 15).

use diesel::prelude::*;

use super::{DbConnection, DbError};

/// `announcement_subjects` made again from every announcement's list, in
/// the caller's transaction: after announcements are written (an import, the
/// demo). Announcements number in the hundreds, so the whole table is
/// rebuilt rather than followed row by row.
pub fn sync_subjects(conn: &mut DbConnection) -> Result<(), DbError> {
    const SQLITE: &str = "WITH RECURSIVE split (id, rest, item) AS ( \
            SELECT id, license_nos || ';', NULL FROM announcements \
            UNION ALL \
            SELECT id, substr(rest, instr(rest, ';') + 1), \
                   trim(substr(rest, 1, instr(rest, ';') - 1)) \
            FROM split WHERE rest <> '') \
        INSERT OR IGNORE INTO announcement_subjects (license_no, announcement_id) \
        SELECT item, id FROM split WHERE item IS NOT NULL AND item <> ''";
    const POSTGRES: &str = "INSERT INTO announcement_subjects (license_no, announcement_id) \
        SELECT DISTINCT btrim(item), id \
        FROM announcements, unnest(string_to_array(license_nos, ';')) AS item \
        WHERE btrim(item) <> '' \
        ON CONFLICT DO NOTHING";
    diesel::delete(super::schema::announcement_subjects::table).execute(conn)?;
    match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(SQLITE).execute(c)?,
        DbConnection::Pg(c) => diesel::sql_query(POSTGRES).execute(c)?,
    };
    Ok(())
}
