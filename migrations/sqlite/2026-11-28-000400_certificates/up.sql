CREATE TABLE certificates (
    code TEXT PRIMARY KEY NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_license_no TEXT NOT NULL,
    subject_name TEXT NOT NULL,
    issued_on DATE NOT NULL,
    standing TEXT NOT NULL,
    reason TEXT NOT NULL,
    signature TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX certificates_subject ON certificates (subject_kind, subject_license_no, issued_on);
