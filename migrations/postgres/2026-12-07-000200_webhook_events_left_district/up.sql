-- A receiver that follows one district hears of a subject leaving it: an
-- event keeps the district the subject left (an office's district_code
-- changed, a worker moved to an office of another district) beside the one
-- it is in, and a district filter matches either (db::webhooks::pending).
ALTER TABLE webhook_events ADD COLUMN left_district_code TEXT;
