-- Issue 18: per-address limits that every portal process on this database
-- shares (complaint filing and status look-ups), so that N portals behind a
-- load balancer do not give an address N times the allowance. One row per
-- bucket and client: `client` is a keyed hash of the address (HMAC-SHA-256
-- under a key derived from the complaint key), never the address itself;
-- `tat_ms` is the generic cell rate algorithm's "theoretical arrival time",
-- in milliseconds since 1970 UTC. A row whose time has passed stands for a
-- full allowance, and is swept.
CREATE TABLE rate_limits (
    bucket TEXT NOT NULL,
    client TEXT NOT NULL,
    tat_ms BIGINT NOT NULL,
    PRIMARY KEY (bucket, client)
);
CREATE INDEX rate_limits_tat ON rate_limits (tat_ms);
