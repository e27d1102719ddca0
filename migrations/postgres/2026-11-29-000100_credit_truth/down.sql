DROP TABLE office_moves;
ALTER TABLE annual_reviews DROP COLUMN rectified_on;
