-- Issue 14: webhooks for integrators. `webhooks` holds each registered
-- receiver (its secret signs every delivery, HMAC-SHA-256) and how far its
-- delivery has come: `delivered_through` is the last event id it has been
-- given (or given up on after 24 hours of failures), so delivery is in event
-- order, at least once. `webhook_events` is the durable queue: one event
-- per subject an applied import changed, written in the import's
-- transaction (under a lock on PostgreSQL, so ids are committed in order).
CREATE TABLE webhooks (
    id BIGSERIAL PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    district_code TEXT,
    subject_kind TEXT,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    delivered_through BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    failing_since TIMESTAMP,
    next_attempt_at TIMESTAMP,
    last_error TEXT,
    delivered BIGINT NOT NULL DEFAULT 0,
    given_up BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE webhook_events (
    id BIGSERIAL PRIMARY KEY,
    subject_kind TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    district_code TEXT,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
