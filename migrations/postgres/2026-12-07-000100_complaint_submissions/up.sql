-- A complaint or report form sent twice (a double tap on a slow phone, a
-- resend after a lost answer) files one complaint: the filing keeps a keyed
-- hash of the browser's form cookie and of the content (web::complaints::Once),
-- and a second filing with the same key answers with the first receipt.
-- API clients get the same with an `Idempotency-Key` header. The retention
-- purge deletes a purged complaint's row.
CREATE TABLE complaint_submissions (
    submission_key TEXT PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id)
);
