use diesel::prelude::*;
use legal_portal::config::Clock;
use legal_portal::db::complaints::{Transition, advance};
use legal_portal::db::schema::{audit_log, complaints};
use legal_portal::domain::complaint::{Outcome, Stage, TrackingNo};

use super::{KEY, noon, seed_complaint, subjects};
use crate::helpers::{TestApp, d};

fn conclude(c: &mut legal_portal::db::DbConnection, no: &TrackingNo, on: &str) {
    for (to, outcome) in [
        (Stage::Accepted, None),
        (Stage::Concluded, Some(Outcome::NotUpheld)),
    ] {
        advance(
            c,
            no,
            &Transition {
                to,
                note: "经调查不属实".into(),
                outcome,
            },
            "clerk",
            noon(d(on)),
        )
        .unwrap()
        .unwrap();
    }
}

type Row = (
    Option<Vec<u8>>,
    String,
    Option<chrono::NaiveDateTime>,
    String,
);

fn rows(c: &mut legal_portal::db::DbConnection) -> Vec<Row> {
    complaints::table
        .order(complaints::id)
        .select((
            complaints::contact_ciphertext,
            complaints::description,
            complaints::purged_at,
            complaints::status,
        ))
        .load(c)
        .unwrap()
}

#[actix_web::test]
async fn personal_data_is_purged_after_the_retention_period_on_a_fixed_clock() {
    let app = TestApp::builder()
        .settings(|s| {
            s.complaints.key = Some(KEY.into());
            // The scheduled job must leave this test's clock alone.
            s.complaints.retention_days = 100_000;
        })
        .seed(|c| {
            subjects(c);
            let old = seed_complaint(c, noon(d("2024-01-02")), "13900001111");
            conclude(c, &old.tracking_no, "2024-02-01");
            seed_complaint(c, noon(d("2024-01-03")), "13900002222");
        })
        .await;
    let mut c = app.conn();
    let purge = |c: &mut _, day: &str| {
        legal_portal::complaints::purge_once(c, &Clock::fixed(d(day)), 365).unwrap()
    };
    assert_eq!(
        purge(&mut c, "2025-01-30"),
        0,
        "364 days after closing (2024 is a leap year)"
    );
    assert!(rows(&mut c)[0].0.is_some());
    assert_eq!(purge(&mut c, "2025-01-31"), 1, "365 days after closing");
    let after = rows(&mut c);
    assert_eq!(after[0].0, None, "the contact is gone");
    assert_eq!(after[0].1, "", "so is the text");
    assert!(after[0].2.is_some());
    assert_eq!(after[0].3, "concluded", "the record and outcome remain");
    assert!(after[1].0.is_some(), "an open complaint keeps its contact");
    assert_eq!(
        purge(&mut c, "2030-01-01"),
        0,
        "nothing twice, nothing open"
    );
    let audited: i64 = audit_log::table
        .filter(audit_log::action.eq("complaint.purge"))
        .count()
        .get_result(&mut c)
        .unwrap();
    assert_eq!(audited, 1);

    // The profile still counts the purged complaint's outcome.
    let page = app.text(&format!("/workers/{}", super::WORKER), 200).await;
    assert!(page.contains("投诉不属实 1 件"), "{page}");
}

#[actix_web::test]
async fn the_scheduled_job_purges_at_start() {
    let app = TestApp::builder()
        .settings(|s| {
            s.complaints.key = Some(KEY.into());
            s.complaints.retention_days = 30;
        })
        .today(d("2026-11-28"))
        .seed(|c| {
            subjects(c);
            let old = seed_complaint(c, noon(d("2026-09-01")), "13900001111");
            conclude(c, &old.tracking_no, "2026-10-01");
            let recent = seed_complaint(c, noon(d("2026-11-01")), "13900002222");
            conclude(c, &recent.tracking_no, "2026-11-20");
        })
        .await;
    let mut c = app.conn();
    let mut purged = Vec::new();
    for _ in 0..100 {
        purged = rows(&mut c).iter().map(|r| r.2.is_some()).collect();
        if purged[0] {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        purged,
        vec![true, false],
        "closed 58 days ago: purged; 8 days ago: kept"
    );
}

#[actix_web::test]
async fn a_purge_empties_the_working_notes_and_keeps_the_findings() {
    use legal_portal::db::schema::complaint_events;
    let app = TestApp::builder()
        .settings(|s| {
            s.complaints.key = Some(KEY.into());
            s.complaints.retention_days = 100_000;
        })
        .seed(subjects)
        .await;
    let mut c = app.conn();
    let filed = seed_complaint(&mut c, noon(d("2024-01-02")), "13900001111");
    for (to, note, outcome) in [
        (
            Stage::Accepted,
            "已电话联系投诉人王五 13900001111，身份证 500101198001011234",
            None,
        ),
        (Stage::Investigating, "约谈张秀英，调取收费凭证", None),
        (
            Stage::Concluded,
            "收费超标属实，责令退还",
            Some(Outcome::Upheld),
        ),
    ] {
        let t = Transition {
            to,
            note: note.into(),
            outcome,
        };
        advance(
            &mut c,
            &filed.tracking_no,
            &t,
            "clerk",
            noon(d("2024-02-01")),
        )
        .unwrap()
        .unwrap();
    }
    let notes = |c: &mut legal_portal::db::DbConnection| -> Vec<String> {
        complaint_events::table
            .order(complaint_events::id)
            .select(complaint_events::note)
            .load(c)
            .unwrap()
    };
    let stored = notes(&mut c);
    assert_eq!(
        stored[1], "已电话联系投诉人王五 139****1111，身份证 500***********1234",
        "numbers a clerk types are masked before they are stored"
    );
    legal_portal::complaints::purge_once(&mut c, &Clock::fixed(d("2026-01-01")), 365).unwrap();
    assert_eq!(
        notes(&mut c),
        vec!["", "", "", "收费超标属实，责令退还"],
        "submitted, accepted and investigating emptied; the findings kept"
    );
}
