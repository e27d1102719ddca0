-- The complaint desk's queue also takes two other kinds of report from
-- residents (docs/complaints.md): `correction` (报告信息有误: a profile
-- shows something wrong) and `unlicensed` (举报无证执业: someone practises
-- without a license, or an office works at an unregistered place). They
-- share the complaints row (tracking number, access code, stages, sealed
-- contact); this table says which kind each row is and holds what only an
-- unlicensed report has: where (`place`) and under what name
-- (`name_used`, may be empty). An unlicensed report names no one in the
-- register: its complaints.subject_kind and subject_license_no are ''.
-- (A table of its own, not three more columns: complaints has the 16
-- columns diesel takes without its slower 32-column-tables feature.)
-- Every filing writes one row here in its transaction; the complaints
-- filed before this migration are complaints.
CREATE TABLE complaint_reports (
    complaint_id BIGINT PRIMARY KEY REFERENCES complaints (id),
    kind TEXT NOT NULL,
    place TEXT NOT NULL,
    name_used TEXT NOT NULL
);
INSERT INTO complaint_reports (complaint_id, kind, place, name_used)
    SELECT id, 'complaint', '', '' FROM complaints;
CREATE INDEX complaint_reports_kind ON complaint_reports (kind);
