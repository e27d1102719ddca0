-- Issue 12: the day a failed review's rectification was completed, and the
-- moves of offices between rural townships and urban subdistricts (rule 5).
ALTER TABLE annual_reviews ADD COLUMN rectified_on DATE;

CREATE TABLE office_moves (
    id INTEGER PRIMARY KEY NOT NULL,
    office_license_no TEXT NOT NULL REFERENCES offices (license_no),
    moved_on DATE NOT NULL,
    from_area_kind TEXT NOT NULL,
    to_area_kind TEXT NOT NULL,
    from_township TEXT,
    to_township TEXT,
    UNIQUE (office_license_no, moved_on, from_area_kind, to_area_kind)
);
