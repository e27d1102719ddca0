DROP INDEX complaint_reports_by_district;
ALTER TABLE complaint_reports DROP COLUMN district_code;
