-- Which license numbers each announcement names, one row each, so that a
-- profile finds its notices by an index instead of a LIKE over every
-- announcement's list (31 % of a worker profile in the nation's demo,
-- issue 15). Derived from announcements.license_nos (';'-joined), which
-- stays the record; db::announcements::sync_subjects keeps it in step.
CREATE TABLE announcement_subjects (
    license_no TEXT NOT NULL,
    announcement_id BIGINT NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    PRIMARY KEY (license_no, announcement_id)
);
CREATE INDEX announcement_subjects_announcement ON announcement_subjects (announcement_id);
INSERT INTO announcement_subjects (license_no, announcement_id)
SELECT DISTINCT btrim(item), id
FROM announcements, unnest(string_to_array(license_nos, ';')) AS item
WHERE btrim(item) <> ''
ON CONFLICT DO NOTHING;
