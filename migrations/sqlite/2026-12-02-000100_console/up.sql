-- Issue 13: the bureau's console. Accounts with a role and an optional
-- district, their sessions (only a hash of the session id is kept), failed
-- sign-ins per name for the lockout, files previewed and waiting to be
-- applied (kept 30 minutes under their hash, in the database so that every
-- portal behind a load balancer finds them), and a district limit for API
-- tokens.
CREATE TABLE admin_users (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    district_code TEXT,
    password_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP
);

CREATE TABLE admin_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES admin_users (id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX admin_sessions_user ON admin_sessions (user_id);

CREATE TABLE admin_login_failures (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX admin_login_failures_name ON admin_login_failures (name, at);

CREATE TABLE admin_lockouts (
    name TEXT PRIMARY KEY NOT NULL,
    until TIMESTAMP NOT NULL
);

CREATE TABLE admin_uploads (
    hash TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES admin_users (id),
    dataset TEXT NOT NULL,
    format TEXT NOT NULL,
    file_name TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (hash, user_id)
);

ALTER TABLE admin_tokens ADD COLUMN district_code TEXT;
ALTER TABLE import_batches ADD COLUMN district_code TEXT;
CREATE INDEX import_batches_started ON import_batches (started_at);
CREATE INDEX audit_log_at ON audit_log (at);
