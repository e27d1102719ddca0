-- Issue 14: the change feed of the open data. One row per public entity
-- (office, worker, review, disclosure) at the position of its latest
-- change: a change deletes the entity's row and inserts a new one, so the
-- feed reads in commit order without repeating an unchanged entity.
-- AUTOINCREMENT: without it SQLite may hand out again the id of a deleted
-- newest row, and a reader whose cursor passed that id would miss it.
CREATE TABLE public_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX public_changes_entity ON public_changes (entity_kind, entity_key);
CREATE INDEX public_changes_kind_id ON public_changes (entity_kind, id);
CREATE INDEX public_changes_kind_at ON public_changes (entity_kind, changed_at, id);
-- What exists now is the feed's start.
INSERT INTO public_changes (entity_kind, entity_key, changed_at)
    SELECT 'office', license_no, updated_at FROM offices ORDER BY license_no;
INSERT INTO public_changes (entity_kind, entity_key, changed_at)
    SELECT 'worker', license_no, updated_at FROM workers ORDER BY license_no;
INSERT INTO public_changes (entity_kind, entity_key, changed_at)
    SELECT 'review', subject_kind || ':' || subject_license_no || ':' || CAST(year AS TEXT), CURRENT_TIMESTAMP
    FROM annual_reviews ORDER BY id;
INSERT INTO public_changes (entity_kind, entity_key, changed_at)
    SELECT 'disclosure', decision_no, CURRENT_TIMESTAMP FROM disciplinary_actions ORDER BY id;
