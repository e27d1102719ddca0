use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use diesel::dsl::count_star;

use super::places::{Tier, YUZHONG, tier_of};
use super::*;
use crate::domain::LicenseNo;
use crate::domain::plan_rules::{
    self, DistrictFacts, Facts, OfficeFacts, TransferFacts, WorkerFacts,
};
use crate::domain::plan_rules::{TARGET_RATIO, lawyer_ratio};
use crate::domain::standing::{
    ActionRecord, OfficeLink, ReviewRecord, Standing, StandingPolicy, Subject, SubjectStatus,
    assess,
};
use crate::domain::vocab::{
    AnnouncementKind, AreaKind, DisciplineKind, OfficeStatus, ReviewOutcome, SubjectKind,
    WorkerStatus,
};

fn today() -> NaiveDate {
    ymd(2026, 11, 28)
}

fn province() -> DemoData {
    generate(Scale::Province, DEFAULT_SEED, today())
}

/// The standing of every office and worker on `on`, keyed by
/// (subject kind, license number).
fn standings(data: &DemoData, on: NaiveDate) -> BTreeMap<(String, String), Standing> {
    let mut reviews: HashMap<(&str, &str), Vec<ReviewRecord>> = HashMap::new();
    for r in &data.reviews {
        reviews
            .entry((&r.subject_kind, &r.subject_license_no))
            .or_default()
            .push(ReviewRecord {
                year: r.year,
                outcome: ReviewOutcome::parse(&r.outcome).unwrap(),
                rectify_by: r.rectify_by,
                rectified_on: r.rectified_on,
            });
    }
    let mut actions: HashMap<(&str, &str), Vec<ActionRecord>> = HashMap::new();
    for a in &data.actions {
        actions
            .entry((&a.subject_kind, &a.subject_license_no))
            .or_default()
            .push(ActionRecord {
                decision_no: a.decision_no.clone(),
                kind: DisciplineKind::parse(&a.kind).unwrap(),
                decided_on: a.decided_on,
                suspended_until: a.suspended_until,
                public_until: a.public_until,
                withdrawn_on: a.withdrawn_on,
            });
    }
    let windows = StandingPolicy::default();
    let mut out = BTreeMap::new();
    let offices: HashMap<&str, OfficeLink<'_>> = data
        .offices
        .iter()
        .map(|o| {
            let link = OfficeLink {
                license_no: &o.license_no,
                name: &o.name,
                status: OfficeStatus::parse(&o.status).unwrap().into(),
                actions: actions
                    .get(&("office", o.license_no.as_str()))
                    .map_or(&[], Vec::as_slice),
            };
            (o.license_no.as_str(), link)
        })
        .collect();
    let mut assess_one =
        |kind: SubjectKind, no: &str, status: SubjectStatus, licensed_on, office| {
            let key = (kind.key(), no);
            let subject = Subject {
                status,
                licensed_on,
                reviews: reviews.get(&key).map_or(&[], Vec::as_slice),
                actions: actions.get(&key).map_or(&[], Vec::as_slice),
                office,
            };
            let standing = assess(&subject, on, &windows).standing;
            out.insert((kind.key().to_owned(), no.to_owned()), standing);
        };
    for o in &data.offices {
        let status = OfficeStatus::parse(&o.status).unwrap().into();
        assess_one(
            SubjectKind::Office,
            &o.license_no,
            status,
            o.established_on,
            None,
        );
    }
    for w in &data.workers {
        let status = WorkerStatus::parse(&w.status).unwrap().into();
        let office = w
            .office_license_no
            .as_deref()
            .and_then(|o| offices.get(o).copied());
        assess_one(
            SubjectKind::Worker,
            &w.license_no,
            status,
            w.first_licensed_on,
            office,
        );
    }
    out
}

fn plan_facts(data: &DemoData) -> Facts {
    let mut reviewed: HashMap<&str, Vec<i32>> = HashMap::new();
    for r in data
        .reviews
        .iter()
        .filter(|r| r.subject_kind == "office" && r.outcome != "absent")
    {
        reviewed
            .entry(&r.subject_license_no)
            .or_default()
            .push(r.year);
    }
    let mut practising: HashMap<&str, i64> = HashMap::new();
    for w in data.workers.iter().filter(|w| w.status == "practising") {
        *practising
            .entry(w.office_license_no.as_deref().unwrap())
            .or_default() += 1;
    }
    let licensed: HashMap<&str, Option<NaiveDate>> = data
        .workers
        .iter()
        .map(|w| (w.license_no.as_str(), w.first_licensed_on))
        .collect();
    Facts {
        districts: data
            .districts
            .iter()
            .map(|d| DistrictFacts {
                code: d.code.clone(),
                population: d.population,
                lawyers: d.lawyers,
            })
            .collect(),
        offices: data
            .offices
            .iter()
            .map(|o| OfficeFacts {
                license_no: o.license_no.clone(),
                district_code: o.district_code.clone(),
                area_kind: AreaKind::parse(&o.area_kind).unwrap(),
                status: OfficeStatus::parse(&o.status).unwrap(),
                established_on: o.established_on,
                reviewed_years: reviewed
                    .get(o.license_no.as_str())
                    .cloned()
                    .unwrap_or_default(),
                practising_workers: practising.get(o.license_no.as_str()).copied().unwrap_or(0),
            })
            .collect(),
        workers: data
            .workers
            .iter()
            .map(|w| WorkerFacts {
                license_no: w.license_no.clone(),
                office_license_no: w.office_license_no.clone(),
                licensed_at: data
                    .transfers
                    .iter()
                    .filter(|t| t.worker_license_no == w.license_no)
                    .min_by_key(|t| t.effective_on)
                    .map_or(w.office_license_no.clone(), |t| {
                        t.from_office_license_no.clone()
                    }),
                status: WorkerStatus::parse(&w.status).unwrap(),
                first_licensed_on: w.first_licensed_on,
                internship_months: w.internship_months,
            })
            .collect(),
        transfers: data
            .transfers
            .iter()
            .map(|t| TransferFacts {
                worker_license_no: t.worker_license_no.clone(),
                worker_first_licensed_on: licensed[t.worker_license_no.as_str()],
                from_office_license_no: t.from_office_license_no.clone(),
                to_office_license_no: t.to_office_license_no.clone(),
                effective_on: t.effective_on,
            })
            .collect(),
        office_moves: Vec::new(),
    }
}

fn assert_unique<T: std::hash::Hash + Eq + std::fmt::Debug>(
    what: &str,
    items: impl IntoIterator<Item = T>,
) {
    let mut seen = HashSet::new();
    for item in items {
        assert!(
            seen.insert(format!("{item:?}")),
            "duplicate {what}: {item:?}"
        );
    }
}

#[test]
fn scale_keys_round_trip() {
    for scale in [Scale::Province, Scale::Nation] {
        assert_eq!(Scale::parse(scale.key()), Some(scale));
    }
    assert_eq!(Scale::parse(" Nation "), Some(Scale::Nation));
    assert_eq!(Scale::parse("city"), None);
}

#[test]
fn generation_is_deterministic() {
    let a = province();
    let b = province();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    let other = generate(Scale::Province, DEFAULT_SEED + 1, today());
    assert_ne!(format!("{a:?}"), format!("{other:?}"));
}

#[test]
fn province_counts() {
    let data = province();
    let s = data.summary();
    assert_eq!(s.districts, 38);
    assert!((250..=350).contains(&s.offices), "{s:?}");
    assert!((1_100..=1_500).contains(&s.workers), "{s:?}");
    assert!((30..=60).contains(&s.transfers), "{s:?}");
    assert!((35..=60).contains(&s.actions), "{s:?}");
    assert!((25..=40).contains(&s.commendations), "{s:?}");
    assert!((15..=30).contains(&s.announcements), "{s:?}");
    for kind in DisciplineKind::ALL {
        assert!(
            data.actions.iter().any(|a| a.kind == kind.key()),
            "no {kind} action"
        );
    }
    for kind in AnnouncementKind::ALL {
        assert!(
            data.announcements.iter().any(|a| a.kind == kind.key()),
            "no {kind} announcement"
        );
    }
    assert!(
        data.actions
            .iter()
            .any(|a| a.withdrawn_on.is_some() && a.withdrawn_reason.is_some())
    );
    let revoked = data
        .workers
        .iter()
        .filter(|w| w.status == "revoked")
        .count();
    assert!((3..=5).contains(&revoked), "{revoked} revoked");
    let total: i64 = data.districts.iter().map(|d| d.lawyers).sum();
    assert!((16_000..=19_000).contains(&total), "{total} lawyers");
    assert!(data.offices.iter().any(|o| o.name == "龙沙镇法律服务所"));
    assert!(
        data.offices
            .iter()
            .any(|o| o.name == "解放碑街道法律服务所")
    );
    for surname in ['单', '解', '曾'] {
        assert!(
            data.workers.iter().any(|w| w.name.starts_with(surname)),
            "no {surname}"
        );
    }
}

#[test]
fn every_standing_occurs_on_any_day() {
    for (seed, on) in [
        (DEFAULT_SEED, today()),
        (7, ymd(2025, 1, 5)),
        (42, ymd(2030, 7, 1)),
    ] {
        let data = generate(Scale::Province, seed, on);
        let found: HashSet<Standing> = standings(&data, on).into_values().collect();
        for s in Standing::ALL {
            assert!(
                found.contains(s),
                "seed {seed} on {on}: no subject is {}",
                s.key()
            );
        }
    }
}

#[test]
fn a_disclosure_window_closed_yesterday() {
    let data = province();
    let yesterday = shift(today(), -1);
    let only_action = |no: &str| {
        data.actions
            .iter()
            .filter(|a| a.subject_license_no == no)
            .count()
            == 1
    };
    let a = data
        .actions
        .iter()
        .find(|a| a.public_until == Some(yesterday) && a.subject_kind == "worker")
        .expect("an action disclosed until yesterday");
    assert!(only_action(&a.subject_license_no));
    let all = standings(&data, today());
    assert_eq!(
        all[&("worker".to_owned(), a.subject_license_no.clone())],
        Standing::GoodStanding
    );
    let before = standings(&data, yesterday);
    assert_eq!(
        before[&("worker".to_owned(), a.subject_license_no.clone())],
        Standing::DisclosedRecord
    );
}

#[test]
fn central_districts_are_above_the_target_and_a_third_of_the_rest_below() {
    let data = province();
    let ratio = |d: &District| lawyer_ratio(d.lawyers, d.population).unwrap();
    let (central, others): (Vec<&District>, Vec<&District>) = data
        .districts
        .iter()
        .partition(|d| tier_of(&d.code) != Tier::Outer);
    assert_eq!(central.len(), 9);
    for d in &central {
        assert!(ratio(d) >= TARGET_RATIO, "{} at {}", d.name, ratio(d));
    }
    let yuzhong = data.districts.iter().find(|d| d.code == YUZHONG).unwrap();
    assert!(ratio(yuzhong) >= 30.0);
    let below = others.iter().filter(|d| ratio(d) < TARGET_RATIO).count() as f64;
    let share = below / others.len() as f64;
    assert!((0.25..=0.45).contains(&share), "{share}");
}

#[test]
fn keys_are_unique() {
    let data = province();
    assert_unique("district", data.districts.iter().map(|d| &d.code));
    assert_unique("township id", data.townships.iter().map(|t| t.id));
    assert_unique(
        "township",
        data.townships.iter().map(|t| (&t.district_code, &t.name)),
    );
    assert_unique("office", data.offices.iter().map(|o| &o.license_no));
    assert_unique("worker", data.workers.iter().map(|w| &w.license_no));
    assert_unique("decision", data.actions.iter().map(|a| &a.decision_no));
    assert_unique(
        "announcement",
        data.announcements
            .iter()
            .map(|a| (&a.title, a.published_on)),
    );
    assert_unique(
        "transfer",
        data.transfers
            .iter()
            .map(|t| (&t.worker_license_no, t.effective_on)),
    );
    assert_unique(
        "review",
        data.reviews
            .iter()
            .map(|r| (&r.subject_kind, &r.subject_license_no, r.year)),
    );
    assert_unique(
        "commendation",
        data.commendations
            .iter()
            .map(|c| (&c.subject_license_no, &c.title, c.awarded_on)),
    );
}

#[test]
fn license_numbers_are_normalised() {
    let data = province();
    let numbers = data
        .offices
        .iter()
        .map(|o| &o.license_no)
        .chain(data.workers.iter().map(|w| &w.license_no));
    for no in numbers {
        assert_eq!(LicenseNo::parse(no).unwrap().as_str(), no);
    }
}

#[test]
fn references_hold() {
    let data = province();
    let districts: HashSet<&str> = data.districts.iter().map(|d| d.code.as_str()).collect();
    let townships: HashMap<i64, &NewTownship> = data.townships.iter().map(|t| (t.id, t)).collect();
    let offices: HashSet<&str> = data.offices.iter().map(|o| o.license_no.as_str()).collect();
    let workers: HashSet<&str> = data.workers.iter().map(|w| w.license_no.as_str()).collect();
    for t in &data.townships {
        assert!(districts.contains(t.district_code.as_str()));
    }
    for o in &data.offices {
        let t = townships[&o.township_id.unwrap()];
        assert_eq!(t.district_code, o.district_code);
        assert_eq!(t.area_kind, o.area_kind);
        assert!(o.name.starts_with(&t.name));
    }
    for w in &data.workers {
        assert!(offices.contains(w.office_license_no.as_deref().unwrap()));
    }
    for t in &data.transfers {
        assert!(workers.contains(t.worker_license_no.as_str()));
        assert!(offices.contains(t.to_office_license_no.as_str()));
        assert!(offices.contains(t.from_office_license_no.as_deref().unwrap()));
    }
    let subject_exists = |kind: &str, no: &str| match kind {
        "office" => offices.contains(no),
        "worker" => workers.contains(no),
        _ => false,
    };
    for a in &data.actions {
        assert!(
            subject_exists(&a.subject_kind, &a.subject_license_no),
            "{a:?}"
        );
    }
    for r in &data.reviews {
        assert!(
            subject_exists(&r.subject_kind, &r.subject_license_no),
            "{r:?}"
        );
    }
    for c in &data.commendations {
        assert!(
            subject_exists(&c.subject_kind, &c.subject_license_no),
            "{c:?}"
        );
    }
    for a in &data.announcements {
        for no in crate::db::models::split_list(&a.license_nos) {
            assert!(
                offices.contains(no.as_str()) || workers.contains(no.as_str()),
                "{no}"
            );
        }
    }
}

#[test]
fn a_worker_s_office_is_where_the_latest_transfer_took_them() {
    let data = province();
    let mut latest: HashMap<&str, &NewTransfer> = HashMap::new();
    for t in &data.transfers {
        let e = latest.entry(&t.worker_license_no).or_insert(t);
        if t.effective_on > e.effective_on {
            *e = t;
        }
    }
    for w in &data.workers {
        if let Some(t) = latest.get(w.license_no.as_str()) {
            assert_eq!(
                w.office_license_no.as_deref(),
                Some(t.to_office_license_no.as_str())
            );
            assert!(w.first_licensed_on.unwrap() < t.effective_on);
            assert!(t.effective_on <= today());
        }
    }
}

#[test]
fn the_plan_s_rules_find_breaches() {
    let data = province();
    let findings = plan_rules::check_all(&plan_facts(&data), today(), &Default::default());
    let rules: HashSet<u8> = findings.iter().map(|f| f.rule).collect();
    for rule in [2, 3, 4, 6, 7] {
        assert!(
            rules.contains(&rule),
            "rule {rule} never breached: {rules:?}"
        );
    }
    let new_offices = findings.iter().filter(|f| f.rule == 4).count();
    assert!((1..=3).contains(&new_offices));
}

#[test]
fn loads_into_sqlite() -> Result<(), DbError> {
    use schema::*;
    let mut c = crate::db::establish(":memory:")?;
    crate::db::run_migrations(&mut c)?;
    let summary = load_scale(&mut c, Scale::Province, DEFAULT_SEED, today())?;
    assert_eq!(summary, province().summary());
    let offices: i64 = offices::table.select(count_star()).first(&mut c)?;
    let workers: i64 = workers::table.select(count_star()).first(&mut c)?;
    let reviews: i64 = annual_reviews::table.select(count_star()).first(&mut c)?;
    assert_eq!(offices as usize, summary.offices);
    assert_eq!(workers as usize, summary.workers);
    assert_eq!(reviews as usize, summary.reviews);
    let scale: String = portal_meta::table
        .filter(portal_meta::key.eq("demo_scale"))
        .select(portal_meta::value)
        .first(&mut c)?;
    assert_eq!(scale, "province");
    // A second load fails as a whole and leaves the first intact.
    assert!(load_scale(&mut c, Scale::Province, DEFAULT_SEED, today()).is_err());
    let again: i64 = workers::table.select(count_star()).first(&mut c)?;
    assert_eq!(again, workers);
    Ok(())
}

/// Loads into a throw-away PostgreSQL database when `TEST_DATABASE_URL`
/// names a server (as the integration tests do); passes otherwise.
#[test]
fn loads_into_postgres_when_configured() -> Result<(), DbError> {
    let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
        return Ok(());
    };
    let name = format!("test_demo_{}", uuid::Uuid::new_v4().simple());
    let mut admin = crate::db::establish(&admin_url)?;
    diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut admin)?;
    let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&name);
    let result = (|| -> Result<(), DbError> {
        use schema::*;
        let mut c = crate::db::establish(url.as_str())?;
        crate::db::run_migrations(&mut c)?;
        let summary = load_scale(&mut c, Scale::Province, DEFAULT_SEED, today())?;
        let workers: i64 = workers::table.select(count_star()).first(&mut c)?;
        assert_eq!(workers as usize, summary.workers);
        // The identity sequence has moved past the explicit ids.
        let id: i64 = diesel::insert_into(townships::table)
            .values((
                townships::district_code.eq(YUZHONG),
                townships::name.eq("新建街道"),
                townships::area_kind.eq("urban"),
            ))
            .returning(townships::id)
            .get_result(&mut c)?;
        assert_eq!(id as usize, summary.townships + 1);
        Ok(())
    })();
    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut admin)?;
    result
}

/// The nation demo generated and loaded (8.8 s in a debug build on this
/// machine, so it runs with the rest; `--nocapture` prints its figures).
#[test]
fn nation_scale() -> Result<(), DbError> {
    let started = Instant::now();
    let data = generate(Scale::Nation, DEFAULT_SEED, today());
    let generated = started.elapsed();
    let s = data.summary();
    println!("nation: {s:?}, generated in {generated:?}");
    assert_eq!(s.offices, NATION_OFFICES);
    assert!((60_000..=80_000).contains(&s.workers));
    assert_unique("district", data.districts.iter().map(|d| &d.code));
    assert_unique("decision", data.actions.iter().map(|a| &a.decision_no));
    assert_unique("worker", data.workers.iter().map(|w| &w.license_no));
    assert_unique(
        "announcement",
        data.announcements
            .iter()
            .map(|a| (&a.title, a.published_on)),
    );
    assert_unique(
        "transfer",
        data.transfers
            .iter()
            .map(|t| (&t.worker_license_no, t.effective_on)),
    );
    assert_unique(
        "township",
        data.townships.iter().map(|t| (&t.district_code, &t.name)),
    );
    assert_unique(
        "review",
        data.reviews
            .iter()
            .map(|r| (&r.subject_kind, &r.subject_license_no, r.year)),
    );
    let mut c = crate::db::establish(":memory:")?;
    crate::db::run_migrations(&mut c)?;
    let started = Instant::now();
    load(&mut c, &data)?;
    println!("nation: loaded into SQLite in {:?}", started.elapsed());
    Ok(())
}

#[test]
fn the_shape_holds_for_other_seeds_and_days() {
    for seed in 0..12u64 {
        let on = shift(ymd(2024, 1, 3), seed as i64 * 97);
        let data = generate(Scale::Province, seed, on);
        let s = data.summary();
        assert!((250..=350).contains(&s.offices), "seed {seed}: {s:?}");
        assert!((1_100..=1_500).contains(&s.workers), "seed {seed}: {s:?}");
        let found: HashSet<Standing> = standings(&data, on).into_values().collect();
        assert_eq!(
            found.len(),
            Standing::ALL.len(),
            "seed {seed} on {on}: {found:?}"
        );
        let rules: HashSet<u8> = plan_rules::check_all(&plan_facts(&data), on, &Default::default())
            .iter()
            .map(|f| f.rule)
            .collect();
        for rule in [2, 3, 4, 6, 7] {
            assert!(
                rules.contains(&rule),
                "seed {seed} on {on}: rule {rule} never breached"
            );
        }
    }
}
