ALTER TABLE webhook_events DROP COLUMN left_district_code;
