CREATE TABLE portal_meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE districts (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    population BIGINT NOT NULL,
    lawyers BIGINT NOT NULL,
    borders_sichuan BOOLEAN NOT NULL,
    seat_lat REAL,
    seat_lng REAL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE townships (
    id INTEGER PRIMARY KEY NOT NULL,
    district_code TEXT NOT NULL REFERENCES districts (code),
    name TEXT NOT NULL,
    area_kind TEXT NOT NULL,
    UNIQUE (district_code, name)
);

CREATE TABLE offices (
    license_no TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    district_code TEXT NOT NULL REFERENCES districts (code),
    township_id BIGINT REFERENCES townships (id),
    area_kind TEXT NOT NULL,
    address TEXT NOT NULL,
    lat REAL,
    lng REAL,
    phone TEXT NOT NULL,
    hours TEXT NOT NULL,
    director TEXT NOT NULL,
    party_org TEXT NOT NULL,
    practice_areas TEXT NOT NULL,
    status TEXT NOT NULL,
    established_on DATE,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX offices_district ON offices (district_code);
CREATE INDEX offices_township ON offices (township_id);

CREATE TABLE workers (
    license_no TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    gender TEXT,
    office_license_no TEXT REFERENCES offices (license_no),
    status TEXT NOT NULL,
    first_licensed_on DATE,
    internship_months INTEGER,
    practice_areas TEXT NOT NULL,
    adviser_posts TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX workers_office ON workers (office_license_no);

CREATE TABLE transfers (
    id INTEGER PRIMARY KEY NOT NULL,
    worker_license_no TEXT NOT NULL REFERENCES workers (license_no),
    from_office_license_no TEXT REFERENCES offices (license_no),
    to_office_license_no TEXT NOT NULL REFERENCES offices (license_no),
    effective_on DATE NOT NULL,
    UNIQUE (worker_license_no, effective_on)
);

CREATE TABLE annual_reviews (
    id INTEGER PRIMARY KEY NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_license_no TEXT NOT NULL,
    year INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    rectify_by DATE,
    note TEXT,
    UNIQUE (subject_kind, subject_license_no, year)
);

CREATE TABLE disciplinary_actions (
    id INTEGER PRIMARY KEY NOT NULL,
    decision_no TEXT NOT NULL UNIQUE,
    subject_kind TEXT NOT NULL,
    subject_license_no TEXT NOT NULL,
    kind TEXT NOT NULL,
    authority TEXT NOT NULL,
    decided_on DATE NOT NULL,
    facts TEXT NOT NULL,
    basis TEXT NOT NULL,
    suspended_until DATE,
    public_until DATE,
    withdrawn_on DATE,
    withdrawn_reason TEXT
);
CREATE INDEX disciplinary_actions_subject ON disciplinary_actions (subject_kind, subject_license_no);
CREATE INDEX disciplinary_actions_decided ON disciplinary_actions (decided_on);

CREATE TABLE commendations (
    id INTEGER PRIMARY KEY NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_license_no TEXT NOT NULL,
    title TEXT NOT NULL,
    awarded_by TEXT NOT NULL,
    awarded_on DATE NOT NULL,
    UNIQUE (subject_license_no, title, awarded_on)
);
CREATE INDEX commendations_subject ON commendations (subject_kind, subject_license_no);

CREATE TABLE announcements (
    id INTEGER PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    published_on DATE NOT NULL,
    license_nos TEXT NOT NULL,
    UNIQUE (title, published_on)
);

CREATE TABLE complaints (
    id INTEGER PRIMARY KEY NOT NULL,
    tracking_no TEXT NOT NULL UNIQUE,
    access_code_hash TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_license_no TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    occurred_on DATE,
    desired_outcome TEXT NOT NULL,
    contact_ciphertext BLOB,
    withhold_identity BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    submitted_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    purged_at TIMESTAMP
);
CREATE INDEX complaints_subject ON complaints (subject_kind, subject_license_no);

CREATE TABLE complaint_events (
    id INTEGER PRIMARY KEY NOT NULL,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    stage TEXT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id);

CREATE TABLE import_batches (
    id INTEGER PRIMARY KEY NOT NULL,
    dataset TEXT NOT NULL,
    dry_run BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    token_name TEXT NOT NULL,
    report TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);

CREATE TABLE admin_tokens (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    last_used_at TIMESTAMP
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE TABLE search_outbox (
    id INTEGER PRIMARY KEY NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    due_at TIMESTAMP NOT NULL,
    enqueued_at TIMESTAMP NOT NULL
);
CREATE INDEX search_outbox_due ON search_outbox (due_at);
