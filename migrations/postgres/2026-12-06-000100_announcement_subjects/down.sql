DROP TABLE announcement_subjects;
