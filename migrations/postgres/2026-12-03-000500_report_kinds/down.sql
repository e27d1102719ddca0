DROP TABLE complaint_reports;
