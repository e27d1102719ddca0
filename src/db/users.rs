//! Console accounts (issue 13): the people of the bureaus, each with a role
//! and an optional district; their sessions, the sign-in lockout and the
//! files waiting between preview and apply.
//!
//! Passwords are stored as Argon2id PHC strings; a session id or an upload
//! is found by the SHA-256 of its secret, so the table never holds a
//! usable session id.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use rand::{Rng, RngExt};

use super::schema::{
    admin_lockouts, admin_login_failures, admin_sessions, admin_uploads, admin_users,
};
use super::tokens::hash_token;
use super::{DbConnection, DbError};
use crate::domain::vocab::Role;

/// Failed sign-ins for one name within [`FAILURE_WINDOW`] that lock it.
pub const MAX_FAILURES: i64 = 10;
/// The window failures are counted in, and how long a lock lasts.
pub const FAILURE_WINDOW: TimeDelta = TimeDelta::minutes(15);
/// A session ends after this long without a request.
pub const IDLE_EXPIRY: TimeDelta = TimeDelta::hours(8);
/// How long a previewed file waits to be applied.
pub const UPLOAD_LIFETIME: TimeDelta = TimeDelta::minutes(30);
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Why an account could not be created or changed.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// The name is taken.
    #[error("an account named {0:?} already exists")]
    NameTaken(String),
    /// The name is empty, too long or has control characters.
    #[error("an account name must be 1 to 64 characters, without spaces at either end")]
    BadName,
    /// The password is too short.
    #[error("a password must be at least {MIN_PASSWORD_CHARS} characters")]
    WeakPassword,
    /// A district account without a district, or a city account with one.
    #[error("{0}")]
    BadDistrict(String),
    /// No such account.
    #[error("no account named {0:?}")]
    NotFound(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for UserError {
    fn from(e: diesel::result::Error) -> Self {
        UserError::Db(e.into())
    }
}

/// An account as the console sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// The sign-in name (also the name the audit log records).
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// The one district it is limited to, if any.
    pub district: Option<String>,
    /// When it was disabled.
    pub disabled_at: Option<NaiveDateTime>,
    /// When it was created.
    pub created_at: NaiveDateTime,
}

type UserRow = (
    i64,
    String,
    String,
    Option<String>,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

fn user_columns() -> (
    admin_users::id,
    admin_users::name,
    admin_users::role,
    admin_users::district_code,
    admin_users::created_at,
    admin_users::disabled_at,
) {
    (
        admin_users::id,
        admin_users::name,
        admin_users::role,
        admin_users::district_code,
        admin_users::created_at,
        admin_users::disabled_at,
    )
}

fn to_user(row: UserRow) -> Result<User, DbError> {
    let (id, name, role, district, created_at, disabled_at) = row;
    let role = Role::parse(&role).ok_or_else(|| DbError::Corrupt(format!("role {role:?}")))?;
    Ok(User {
        id,
        name,
        role,
        district,
        disabled_at,
        created_at,
    })
}

/// Hashes a password with Argon2id and a random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, DbError> {
    use argon2::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| DbError::Corrupt(format!("argon2: {e}")))
}

/// Whether `password` matches the stored PHC string.
pub fn password_matches(stored: &str, password: &str) -> bool {
    use argon2::{PasswordHash, PasswordVerifier};
    PasswordHash::new(stored).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A random password to print once: 20 characters of an alphabet without
/// look-alikes.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn check_name(name: &str) -> Result<&str, UserError> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 64 || trimmed.chars().any(char::is_control) {
        return Err(UserError::BadName);
    }
    Ok(trimmed)
}

fn check_password(password: &str) -> Result<(), UserError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(UserError::WeakPassword);
    }
    Ok(())
}

/// Creates an account. A `district` account needs a district that exists;
/// a `complaints` account may have one; a `city` account has none.
pub fn create(
    conn: &mut DbConnection,
    name: &str,
    role: Role,
    district: Option<&str>,
    password: &str,
    now: NaiveDateTime,
) -> Result<User, UserError> {
    let name = check_name(name)?;
    check_password(password)?;
    match (role, district) {
        (Role::District, None) => {
            return Err(UserError::BadDistrict(
                "a district account needs --district CODE".into(),
            ));
        }
        (Role::City, Some(_)) => {
            return Err(UserError::BadDistrict(
                "a city account covers every district: leave out --district".into(),
            ));
        }
        _ => {}
    }
    if let Some(code) = district {
        use super::schema::districts;
        let known: i64 = districts::table
            .filter(districts::code.eq(code))
            .count()
            .get_result(conn)?;
        if known == 0 {
            return Err(UserError::BadDistrict(format!(
                "no district with code {code:?}"
            )));
        }
    }
    let hash = hash_password(password)?;
    let inserted = diesel::insert_into(admin_users::table)
        .values((
            admin_users::name.eq(name),
            admin_users::role.eq(role.key()),
            admin_users::district_code.eq(district),
            admin_users::password_hash.eq(&hash),
            admin_users::created_at.eq(now),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => {}
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => return Err(UserError::NameTaken(name.to_owned())),
        Err(e) => return Err(e.into()),
    }
    find(conn, name)?.ok_or_else(|| UserError::NotFound(name.to_owned()))
}

/// The account called `name`, disabled or not.
pub fn find(conn: &mut DbConnection, name: &str) -> Result<Option<User>, DbError> {
    admin_users::table
        .filter(admin_users::name.eq(name.trim()))
        .select(user_columns())
        .first::<UserRow>(conn)
        .optional()?
        .map(to_user)
        .transpose()
}

/// Every account, by name.
pub fn list(conn: &mut DbConnection) -> Result<Vec<User>, DbError> {
    admin_users::table
        .order(admin_users::name)
        .select(user_columns())
        .load::<UserRow>(conn)?
        .into_iter()
        .map(to_user)
        .collect()
}

/// Sets a new password and ends the account's sessions.
pub fn reset_password(
    conn: &mut DbConnection,
    name: &str,
    password: &str,
) -> Result<(), UserError> {
    check_password(password)?;
    let user = find(conn, name)?.ok_or_else(|| UserError::NotFound(name.trim().to_owned()))?;
    let hash = hash_password(password)?;
    diesel::update(admin_users::table.find(user.id))
        .set(admin_users::password_hash.eq(hash))
        .execute(conn)?;
    end_sessions(conn, user.id)?;
    diesel::delete(admin_lockouts::table.find(&user.name)).execute(conn)?;
    Ok(())
}

/// Disables an account and ends its sessions.
pub fn disable(conn: &mut DbConnection, name: &str, now: NaiveDateTime) -> Result<(), UserError> {
    let user = find(conn, name)?.ok_or_else(|| UserError::NotFound(name.trim().to_owned()))?;
    diesel::update(admin_users::table.find(user.id))
        .set(admin_users::disabled_at.eq(Some(now)))
        .execute(conn)?;
    end_sessions(conn, user.id)?;
    Ok(())
}

fn end_sessions(conn: &mut DbConnection, user_id: i64) -> Result<(), DbError> {
    diesel::delete(admin_sessions::table.filter(admin_sessions::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(admin_uploads::table.filter(admin_uploads::user_id.eq(user_id)))
        .execute(conn)?;
    Ok(())
}

/// What a sign-in attempt came to.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in: the session id to put in the cookie (shown only here).
    Ok {
        /// The account.
        user: User,
        /// The session's secret id.
        session_id: String,
    },
    /// Wrong name or password, or a disabled account (not told apart).
    Refused,
    /// Too many failures for this name: try again after the lock ends.
    Locked,
}

fn random_hex() -> String {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks a name and password, with the lockout: after [`MAX_FAILURES`]
/// failures within [`FAILURE_WINDOW`] the name is locked for that long,
/// whether or not an account has it (the answer never tells).
///
/// An attempt is counted as a failure before its password is checked (and
/// forgiven when it succeeds), under a lock per name, so that attempts sent
/// at the same moment cannot check more than [`MAX_FAILURES`] passwords.
pub fn sign_in(
    conn: &mut DbConnection,
    name: &str,
    password: &str,
    now: NaiveDateTime,
) -> Result<SignIn, DbError> {
    use diesel::Connection;
    let name = name.trim().chars().take(64).collect::<String>();
    let since = now - FAILURE_WINDOW;
    let admitted = conn.transaction::<bool, DbError, _>(|c| {
        lock_name(c, &name)?;
        let locked: Option<NaiveDateTime> = admin_lockouts::table
            .find(&name)
            .select(admin_lockouts::until)
            .first(c)
            .optional()?;
        if locked.is_some_and(|until| until > now) {
            return Ok(false);
        }
        let recent = failures_since(c, &name, since)?;
        if recent >= MAX_FAILURES {
            lock(c, &name, now)?;
            return Ok(false);
        }
        diesel::insert_into(admin_login_failures::table)
            .values((
                admin_login_failures::name.eq(&name),
                admin_login_failures::at.eq(now),
            ))
            .execute(c)?;
        Ok(true)
    })?;
    if !admitted {
        return Ok(SignIn::Locked);
    }
    let found: Option<(UserRow, String)> = admin_users::table
        .filter(admin_users::name.eq(&name))
        .select((user_columns(), admin_users::password_hash))
        .first::<(UserRow, String)>(conn)
        .optional()?;
    // A missing account costs the same hash as a wrong password, so the
    // time taken does not tell whether the name exists.
    let matches = match &found {
        Some((_, stored)) => password_matches(stored, password),
        None => {
            let _ = hash_password(password);
            false
        }
    };
    let user = match found {
        Some((row, _)) if matches => Some(to_user(row)?),
        _ => None,
    };
    let Some(user) = user.filter(|u| u.disabled_at.is_none()) else {
        // Under the name's lock again: attempts refused at the same moment
        // must not both write the lock.
        let locked = conn.transaction::<bool, DbError, _>(|c| {
            lock_name(c, &name)?;
            diesel::delete(admin_login_failures::table.filter(admin_login_failures::at.le(since)))
                .execute(c)?;
            if failures_since(c, &name, since)? >= MAX_FAILURES {
                lock(c, &name, now)?;
                return Ok(true);
            }
            Ok(false)
        })?;
        return Ok(if locked {
            SignIn::Locked
        } else {
            SignIn::Refused
        });
    };
    diesel::delete(admin_login_failures::table.filter(admin_login_failures::name.eq(&name)))
        .execute(conn)?;
    diesel::delete(admin_lockouts::table.find(&name)).execute(conn)?;
    let session_id = random_hex();
    diesel::insert_into(admin_sessions::table)
        .values((
            admin_sessions::id_hash.eq(hash_token(&session_id)),
            admin_sessions::user_id.eq(user.id),
            admin_sessions::csrf_token.eq(random_hex()),
            admin_sessions::created_at.eq(now),
            admin_sessions::last_seen_at.eq(now),
        ))
        .execute(conn)?;
    diesel::delete(
        admin_sessions::table.filter(admin_sessions::last_seen_at.lt(now - IDLE_EXPIRY)),
    )
    .execute(conn)?;
    Ok(SignIn::Ok { user, session_id })
}

/// Serialises the sign-in attempts of one name (PostgreSQL: an advisory
/// lock on the name's hash for the transaction; SQLite: the database's
/// write lock).
fn lock_name(conn: &mut DbConnection, name: &str) -> Result<(), DbError> {
    match conn {
        DbConnection::Pg(pg) => {
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))::text")
                .bind::<diesel::sql_types::Text, _>(name)
                .execute(pg)?;
            Ok(())
        }
        DbConnection::Sqlite(_) => super::lock_for_writing(conn),
    }
}

fn failures_since(
    conn: &mut DbConnection,
    name: &str,
    since: NaiveDateTime,
) -> Result<i64, DbError> {
    Ok(admin_login_failures::table
        .filter(admin_login_failures::name.eq(name))
        .filter(admin_login_failures::at.gt(since))
        .count()
        .get_result(conn)?)
}

/// Locks `name` for [`FAILURE_WINDOW`] from `now`; its failures are
/// forgotten (the lock counts instead).
fn lock(conn: &mut DbConnection, name: &str, now: NaiveDateTime) -> Result<(), DbError> {
    use diesel::upsert::excluded;
    let until = now + FAILURE_WINDOW;
    crate::with_backend!(&mut *conn, |c| diesel::insert_into(admin_lockouts::table)
        .values((
            admin_lockouts::name.eq(name),
            admin_lockouts::until.eq(until)
        ))
        .on_conflict(admin_lockouts::name)
        .do_update()
        .set(admin_lockouts::until.eq(excluded(admin_lockouts::until)))
        .execute(c))?;
    diesel::delete(admin_login_failures::table.filter(admin_login_failures::name.eq(name)))
        .execute(conn)?;
    Ok(())
}

/// A live session: its account and the CSRF token of its forms.
#[derive(Debug, Clone)]
pub struct Session {
    /// The account.
    pub user: User,
    /// The token every form of this session carries.
    pub csrf_token: String,
}

/// The live session with this id, its idle clock restarted; `None` when
/// unknown, idle for [`IDLE_EXPIRY`], or its account is disabled.
pub fn session(
    conn: &mut DbConnection,
    session_id: &str,
    now: NaiveDateTime,
) -> Result<Option<Session>, DbError> {
    let hash = hash_token(session_id);
    let row: Option<(UserRow, String, NaiveDateTime)> = admin_sessions::table
        .inner_join(admin_users::table)
        .filter(admin_sessions::id_hash.eq(&hash))
        .select((
            user_columns(),
            admin_sessions::csrf_token,
            admin_sessions::last_seen_at,
        ))
        .first::<(UserRow, String, NaiveDateTime)>(conn)
        .optional()?;
    let Some((user, csrf_token, last_seen)) = row else {
        return Ok(None);
    };
    let user = to_user(user)?;
    if last_seen < now - IDLE_EXPIRY || user.disabled_at.is_some() {
        diesel::delete(admin_sessions::table.find(&hash)).execute(conn)?;
        return Ok(None);
    }
    // Written at most once a minute: a page of the console does not need a
    // write per request.
    if now - last_seen > TimeDelta::minutes(1) {
        diesel::update(admin_sessions::table.find(&hash))
            .set(admin_sessions::last_seen_at.eq(now))
            .execute(conn)?;
    }
    Ok(Some(Session { user, csrf_token }))
}

/// Ends a session on the server.
pub fn sign_out(conn: &mut DbConnection, session_id: &str) -> Result<(), DbError> {
    diesel::delete(admin_sessions::table.find(hash_token(session_id))).execute(conn)?;
    Ok(())
}

/// A file previewed and waiting to be applied.
#[derive(Debug, Clone)]
pub struct Upload {
    /// SHA-256 of the body, hex: its name.
    pub hash: String,
    /// Dataset key.
    pub dataset: String,
    /// Format name (`csv`, `xlsx`, `json`, `ndjson`).
    pub format: String,
    /// The name the file had.
    pub file_name: String,
    /// The bytes.
    pub body: Vec<u8>,
}

/// Keeps `upload` with its bytes `body` for [`UPLOAD_LIFETIME`] (replacing
/// an earlier copy of the same file), and deletes every expired one.
pub fn keep_upload(
    conn: &mut DbConnection,
    user_id: i64,
    upload: &Upload,
    body: &[u8],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    purge_uploads(conn, now)?;
    diesel::delete(admin_uploads::table.find((&upload.hash, user_id))).execute(conn)?;
    diesel::insert_into(admin_uploads::table)
        .values((
            admin_uploads::hash.eq(&upload.hash),
            admin_uploads::user_id.eq(user_id),
            admin_uploads::dataset.eq(&upload.dataset),
            admin_uploads::format.eq(&upload.format),
            admin_uploads::file_name.eq(&upload.file_name),
            admin_uploads::body.eq(body),
            admin_uploads::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Deletes the uploads older than [`UPLOAD_LIFETIME`].
pub fn purge_uploads(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, DbError> {
    Ok(diesel::delete(
        admin_uploads::table.filter(admin_uploads::created_at.lt(now - UPLOAD_LIFETIME)),
    )
    .execute(conn)?)
}

/// The account's unexpired upload with this hash.
pub fn upload(
    conn: &mut DbConnection,
    user_id: i64,
    hash: &str,
    now: NaiveDateTime,
) -> Result<Option<Upload>, DbError> {
    purge_uploads(conn, now)?;
    let row: Option<(String, String, String, String, Vec<u8>)> = admin_uploads::table
        .filter(admin_uploads::hash.eq(hash))
        .filter(admin_uploads::user_id.eq(user_id))
        .select((
            admin_uploads::hash,
            admin_uploads::dataset,
            admin_uploads::format,
            admin_uploads::file_name,
            admin_uploads::body,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(hash, dataset, format, file_name, body)| Upload {
        hash,
        dataset,
        format,
        file_name,
        body,
    }))
}

/// Takes the account's unexpired upload with this hash out of the store,
/// to apply it: of two requests applying it at once (a double click), one
/// gets it and the other `None`, as after it was applied.
pub fn take_upload(
    conn: &mut DbConnection,
    user_id: i64,
    hash: &str,
    now: NaiveDateTime,
) -> Result<Option<Upload>, DbError> {
    conn.transaction(|c| {
        super::lock_for_writing(c)?;
        let Some(found) = upload(c, user_id, hash, now)? else {
            return Ok(None);
        };
        let taken = diesel::delete(admin_uploads::table.find((hash, user_id))).execute(c)?;
        Ok((taken == 1).then_some(found))
    })
}
