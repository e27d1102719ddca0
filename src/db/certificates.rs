//! Issued standing certificates.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;

use super::schema::certificates;
use super::{DbConnection, DbError};

/// A stored certificate.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = certificates)]
pub struct Certificate {
    /// The code printed on it.
    pub code: String,
    /// `office` or `worker`.
    pub subject_kind: String,
    /// License number.
    pub subject_license_no: String,
    /// Name on the day.
    pub subject_name: String,
    /// Date certified.
    pub issued_on: NaiveDate,
    /// Standing key on that date.
    pub standing: String,
    /// The reason sentence on that date.
    pub reason: String,
    /// HMAC signature of what is attested.
    pub signature: String,
    /// When it was issued.
    pub created_at: chrono::NaiveDateTime,
}

/// Finds a certificate by code.
pub fn find(conn: &mut DbConnection, code: &str) -> Result<Option<Certificate>, DbError> {
    Ok(certificates::table
        .find(code)
        .select(Certificate::as_select())
        .first(conn)
        .optional()?)
}

/// The certificate already issued for this subject, date and standing, so
/// that printing twice on one day gives one code.
pub fn find_same_day(
    conn: &mut DbConnection,
    kind: &str,
    license_no: &str,
    on: NaiveDate,
    standing: &str,
) -> Result<Option<Certificate>, DbError> {
    Ok(certificates::table
        .filter(certificates::subject_kind.eq(kind))
        .filter(certificates::subject_license_no.eq(license_no))
        .filter(certificates::issued_on.eq(on))
        .filter(certificates::standing.eq(standing))
        .select(Certificate::as_select())
        .first(conn)
        .optional()?)
}

/// Stores a new certificate.
pub fn insert(conn: &mut DbConnection, cert: &Certificate) -> Result<(), DbError> {
    diesel::insert_into(certificates::table)
        .values(cert)
        .execute(conn)?;
    Ok(())
}

/// Now, for `created_at`.
pub fn now() -> chrono::NaiveDateTime {
    Utc::now().naive_utc()
}
