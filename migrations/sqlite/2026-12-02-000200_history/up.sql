-- Issue 14: what imports changed, field by field, for the public history
-- of offices and workers; and when an import last confirmed each of them
-- (changed or unchanged).
CREATE TABLE record_history (
    id INTEGER PRIMARY KEY NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    batch_id BIGINT,
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX record_history_subject ON record_history (subject_kind, subject_key, id);
CREATE INDEX record_history_batch ON record_history (batch_id);
CREATE TABLE record_confirmations (
    subject_kind TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    confirmed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (subject_kind, subject_key)
);
