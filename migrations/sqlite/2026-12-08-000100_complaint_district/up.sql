-- A complaint stays with the district bureau whose subject it was when it
-- was filed: a worker who moves to another district's office takes none of
-- the complaints about them (nor the complainants' contacts) to the new
-- district's desk, and the desk handling one does not lose it half way.
-- Kept beside the report's kind (one row per filing). Complaints filed
-- before this migration take the district their subject is in now, as
-- they were shown until then.
ALTER TABLE complaint_reports ADD COLUMN district_code TEXT;
UPDATE complaint_reports SET district_code = (
    SELECT o.district_code FROM complaints c
    JOIN offices o ON o.license_no = c.subject_license_no
    WHERE c.id = complaint_reports.complaint_id AND c.subject_kind = 'office'
) WHERE district_code IS NULL;
UPDATE complaint_reports SET district_code = (
    SELECT o.district_code FROM complaints c
    JOIN workers w ON w.license_no = c.subject_license_no
    JOIN offices o ON o.license_no = w.office_license_no
    WHERE c.id = complaint_reports.complaint_id AND c.subject_kind = 'worker'
) WHERE district_code IS NULL;
CREATE INDEX complaint_reports_by_district ON complaint_reports (district_code);
