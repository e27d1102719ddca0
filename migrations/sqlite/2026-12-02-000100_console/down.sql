DROP INDEX audit_log_at;
DROP INDEX import_batches_started;
ALTER TABLE import_batches DROP COLUMN district_code;
ALTER TABLE admin_tokens DROP COLUMN district_code;
DROP TABLE admin_uploads;
DROP TABLE admin_lockouts;
DROP TABLE admin_login_failures;
DROP TABLE admin_sessions;
DROP TABLE admin_users;
