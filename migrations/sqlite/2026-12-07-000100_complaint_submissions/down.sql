DROP TABLE complaint_submissions;
