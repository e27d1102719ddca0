//! Admin tokens: created once, stored only as a SHA-256 hash, revocable.

use chrono::Utc;
use diesel::prelude::*;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::schema::admin_tokens;
use super::{DbConnection, DbError};
use crate::domain::vocab::TokenScope;

/// Prefix of every token, so a leaked one is recognisable in a scan.
pub const TOKEN_PREFIX: &str = "lpt_";

/// Why a token could not be created or revoked.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The name is taken by another token (revoked or not).
    #[error("a token named {0:?} already exists")]
    NameTaken(String),
    /// The name is empty or too long.
    #[error("a token name must be 1 to 64 characters")]
    BadName,
    /// No live token has that name.
    #[error("no active token named {0:?}")]
    NotFound(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The hex SHA-256 of a token, as stored.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates a token and returns it; only its hash is kept.
pub fn create(
    conn: &mut DbConnection,
    name: &str,
    scope: TokenScope,
) -> Result<String, TokenError> {
    create_limited(conn, name, scope, None)
}

/// Creates a token limited to one district when `district` is given: its
/// imports refuse rows about other districts, and its reads show only its
/// district.
pub fn create_limited(
    conn: &mut DbConnection,
    name: &str,
    scope: TokenScope,
    district: Option<&str>,
) -> Result<String, TokenError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(TokenError::BadName);
    }
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let token = format!(
        "{TOKEN_PREFIX}{}",
        secret
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let inserted = diesel::insert_into(admin_tokens::table)
        .values((
            admin_tokens::name.eq(name),
            admin_tokens::scope.eq(scope.key()),
            admin_tokens::token_hash.eq(hash_token(&token)),
            admin_tokens::district_code.eq(district),
            admin_tokens::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(token),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(TokenError::NameTaken(name.to_owned())),
        Err(e) => Err(TokenError::Db(e.into())),
    }
}

/// Revokes the live token called `name`.
pub fn revoke(conn: &mut DbConnection, name: &str) -> Result<(), TokenError> {
    let n = diesel::update(
        admin_tokens::table
            .filter(admin_tokens::name.eq(name.trim()))
            .filter(admin_tokens::revoked_at.is_null()),
    )
    .set(admin_tokens::revoked_at.eq(Some(Utc::now().naive_utc())))
    .execute(conn)
    .map_err(DbError::from)?;
    if n == 0 {
        return Err(TokenError::NotFound(name.trim().to_owned()));
    }
    Ok(())
}

/// A live token, as found by [`find_live`].
#[derive(Debug, Clone)]
pub struct TokenInfo {
    /// The token's name (what the audit log records).
    pub name: String,
    /// Its scope.
    pub scope: TokenScope,
    /// The one district it may import and read, when limited.
    pub district: Option<String>,
}

/// Finds the live (not revoked) token whose hash matches `token`.
///
/// The lookup is by the SHA-256 of the presented token, so the secret is
/// never compared byte by byte against stored secrets; the stored hash is
/// still compared in constant time before it is trusted.
pub fn find_live(conn: &mut DbConnection, token: &str) -> Result<Option<TokenInfo>, DbError> {
    use subtle::ConstantTimeEq;
    let presented = hash_token(token);
    let row: Option<(i64, String, String, String, Option<String>)> = admin_tokens::table
        .filter(admin_tokens::token_hash.eq(&presented))
        .filter(admin_tokens::revoked_at.is_null())
        .select((
            admin_tokens::id,
            admin_tokens::name,
            admin_tokens::scope,
            admin_tokens::token_hash,
            admin_tokens::district_code,
        ))
        .first(conn)
        .optional()?;
    let Some((id, name, scope, stored, district)) = row else {
        return Ok(None);
    };
    if !bool::from(stored.as_bytes().ct_eq(presented.as_bytes())) {
        return Ok(None);
    }
    let scope = TokenScope::parse(&scope)
        .ok_or_else(|| DbError::Corrupt(format!("token scope {scope:?}")))?;
    diesel::update(admin_tokens::table.find(id))
        .set(admin_tokens::last_used_at.eq(Some(Utc::now().naive_utc())))
        .execute(conn)?;
    Ok(Some(TokenInfo {
        name,
        scope,
        district,
    }))
}
