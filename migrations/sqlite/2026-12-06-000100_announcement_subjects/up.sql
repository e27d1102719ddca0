-- Which license numbers each announcement names, one row each, so that a
-- profile finds its notices by an index instead of a LIKE over every
-- announcement's list (31 % of a worker profile in the nation's demo,
-- issue 15). Derived from announcements.license_nos (';'-joined), which
-- stays the record; db::announcements::sync_subjects keeps it in step.
CREATE TABLE announcement_subjects (
    license_no TEXT NOT NULL,
    announcement_id INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    PRIMARY KEY (license_no, announcement_id)
);
CREATE INDEX announcement_subjects_announcement ON announcement_subjects (announcement_id);
WITH RECURSIVE split (id, rest, item) AS (
    SELECT id, license_nos || ';', NULL FROM announcements
    UNION ALL
    SELECT id, substr(rest, instr(rest, ';') + 1), trim(substr(rest, 1, instr(rest, ';') - 1))
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO announcement_subjects (license_no, announcement_id)
SELECT item, id FROM split WHERE item IS NOT NULL AND item <> '';
