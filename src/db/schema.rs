//! Diesel table definitions, one per migration table, kept by hand in step
//! with `migrations/sqlite` and `migrations/postgres`.
#![allow(missing_docs)]

diesel::table! {
    portal_meta (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    districts (code) {
        code -> Text,
        name -> Text,
        kind -> Text,
        population -> BigInt,
        lawyers -> BigInt,
        borders_sichuan -> Bool,
        seat_lat -> Nullable<Double>,
        seat_lng -> Nullable<Double>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    townships (id) {
        id -> BigInt,
        district_code -> Text,
        name -> Text,
        area_kind -> Text,
    }
}

diesel::table! {
    offices (license_no) {
        license_no -> Text,
        name -> Text,
        district_code -> Text,
        township_id -> Nullable<BigInt>,
        area_kind -> Text,
        address -> Text,
        lat -> Nullable<Double>,
        lng -> Nullable<Double>,
        phone -> Text,
        hours -> Text,
        director -> Text,
        party_org -> Text,
        practice_areas -> Text,
        status -> Text,
        established_on -> Nullable<Date>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    workers (license_no) {
        license_no -> Text,
        name -> Text,
        gender -> Nullable<Text>,
        office_license_no -> Nullable<Text>,
        status -> Text,
        first_licensed_on -> Nullable<Date>,
        internship_months -> Nullable<Integer>,
        practice_areas -> Text,
        adviser_posts -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    office_moves (id) {
        id -> BigInt,
        office_license_no -> Text,
        moved_on -> Date,
        from_area_kind -> Text,
        to_area_kind -> Text,
        from_township -> Nullable<Text>,
        to_township -> Nullable<Text>,
    }
}

diesel::table! {
    transfers (id) {
        id -> BigInt,
        worker_license_no -> Text,
        from_office_license_no -> Nullable<Text>,
        to_office_license_no -> Text,
        effective_on -> Date,
    }
}

diesel::table! {
    annual_reviews (id) {
        id -> BigInt,
        subject_kind -> Text,
        subject_license_no -> Text,
        year -> Integer,
        outcome -> Text,
        rectify_by -> Nullable<Date>,
        note -> Nullable<Text>,
        rectified_on -> Nullable<Date>,
    }
}

diesel::table! {
    disciplinary_actions (id) {
        id -> BigInt,
        decision_no -> Text,
        subject_kind -> Text,
        subject_license_no -> Text,
        kind -> Text,
        authority -> Text,
        decided_on -> Date,
        facts -> Text,
        basis -> Text,
        suspended_until -> Nullable<Date>,
        public_until -> Nullable<Date>,
        withdrawn_on -> Nullable<Date>,
        withdrawn_reason -> Nullable<Text>,
    }
}

diesel::table! {
    commendations (id) {
        id -> BigInt,
        subject_kind -> Text,
        subject_license_no -> Text,
        title -> Text,
        awarded_by -> Text,
        awarded_on -> Date,
    }
}

diesel::table! {
    announcements (id) {
        id -> BigInt,
        kind -> Text,
        title -> Text,
        body -> Text,
        published_on -> Date,
        license_nos -> Text,
    }
}

diesel::table! {
    announcement_subjects (license_no, announcement_id) {
        license_no -> Text,
        announcement_id -> BigInt,
    }
}

diesel::table! {
    complaints (id) {
        id -> BigInt,
        tracking_no -> Text,
        access_code_hash -> Text,
        subject_kind -> Text,
        subject_license_no -> Text,
        category -> Text,
        description -> Text,
        occurred_on -> Nullable<Date>,
        desired_outcome -> Text,
        contact_ciphertext -> Nullable<Binary>,
        withhold_identity -> Bool,
        status -> Text,
        outcome -> Nullable<Text>,
        submitted_at -> Timestamp,
        updated_at -> Timestamp,
        purged_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    complaint_submissions (submission_key) {
        submission_key -> Text,
        complaint_id -> BigInt,
    }
}

diesel::table! {
    complaint_reports (complaint_id) {
        complaint_id -> BigInt,
        kind -> Text,
        place -> Text,
        name_used -> Text,
        district_code -> Nullable<Text>,
    }
}

diesel::table! {
    complaint_events (id) {
        id -> BigInt,
        complaint_id -> BigInt,
        stage -> Text,
        note -> Text,
        actor -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    import_batches (id) {
        id -> BigInt,
        dataset -> Text,
        dry_run -> Bool,
        status -> Text,
        token_name -> Text,
        report -> Text,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        district_code -> Nullable<Text>,
    }
}

diesel::table! {
    admin_tokens (id) {
        id -> BigInt,
        name -> Text,
        scope -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        district_code -> Nullable<Text>,
    }
}

diesel::table! {
    record_history (id) {
        id -> BigInt,
        subject_kind -> Text,
        subject_key -> Text,
        field -> Text,
        old_value -> Text,
        new_value -> Text,
        batch_id -> Nullable<BigInt>,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    record_confirmations (subject_kind, subject_key) {
        subject_kind -> Text,
        subject_key -> Text,
        confirmed_at -> Timestamp,
    }
}

diesel::table! {
    admin_users (id) {
        id -> BigInt,
        name -> Text,
        role -> Text,
        district_code -> Nullable<Text>,
        password_hash -> Text,
        created_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    admin_sessions (id_hash) {
        id_hash -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    admin_login_failures (id) {
        id -> BigInt,
        name -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    admin_lockouts (name) {
        name -> Text,
        until -> Timestamp,
    }
}

diesel::table! {
    rate_limits (bucket, client) {
        bucket -> Text,
        client -> Text,
        tat_ms -> BigInt,
    }
}

diesel::table! {
    admin_uploads (hash, user_id) {
        hash -> Text,
        user_id -> BigInt,
        dataset -> Text,
        format -> Text,
        file_name -> Text,
        body -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        target -> Text,
        detail -> Text,
    }
}

diesel::table! {
    search_outbox (id) {
        id -> BigInt,
        entity_kind -> Text,
        entity_key -> Text,
        due_at -> Timestamp,
        enqueued_at -> Timestamp,
    }
}

diesel::table! {
    public_changes (id) {
        id -> BigInt,
        entity_kind -> Text,
        entity_key -> Text,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    certificates (code) {
        code -> Text,
        subject_kind -> Text,
        subject_license_no -> Text,
        subject_name -> Text,
        issued_on -> Date,
        standing -> Text,
        reason -> Text,
        signature -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        url -> Text,
        secret -> Text,
        district_code -> Nullable<Text>,
        subject_kind -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        active -> Bool,
        delivered_through -> BigInt,
        attempts -> Integer,
        failing_since -> Nullable<Timestamp>,
        next_attempt_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        delivered -> BigInt,
        given_up -> BigInt,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> BigInt,
        subject_kind -> Text,
        subject_key -> Text,
        district_code -> Nullable<Text>,
        payload -> Text,
        created_at -> Timestamp,
        left_district_code -> Nullable<Text>,
    }
}

diesel::joinable!(announcement_subjects -> announcements (announcement_id));
diesel::joinable!(townships -> districts (district_code));
diesel::joinable!(offices -> districts (district_code));
diesel::joinable!(offices -> townships (township_id));
diesel::joinable!(workers -> offices (office_license_no));
diesel::joinable!(complaint_events -> complaints (complaint_id));
diesel::joinable!(complaint_reports -> complaints (complaint_id));
diesel::joinable!(complaint_submissions -> complaints (complaint_id));
diesel::joinable!(admin_sessions -> admin_users (user_id));
diesel::joinable!(admin_uploads -> admin_users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    portal_meta,
    districts,
    townships,
    offices,
    workers,
    transfers,
    office_moves,
    annual_reviews,
    disciplinary_actions,
    commendations,
    announcements,
    announcement_subjects,
    complaints,
    complaint_events,
    complaint_reports,
    complaint_submissions,
    import_batches,
    admin_tokens,
    record_history,
    record_confirmations,
    admin_users,
    admin_sessions,
    admin_login_failures,
    admin_lockouts,
    admin_uploads,
    audit_log,
    search_outbox,
    public_changes,
    certificates,
    rate_limits,
    webhooks,
    webhook_events,
);
