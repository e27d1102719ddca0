//! Disclosures and annual-review outcomes are searchable (issue 18): by
//! decision number in any brackets, by the facts of a case, by subject; with
//! `type=disclosure|review`, facets by kind, year and district; `/disclosures`
//! takes `q`; a disclosure leaves the index the day its window closes. Every
//! test runs on the embedded engine and, when `MEILI_URL` is set, on
//! Meilisearch.

use std::sync::Arc;

use chrono::NaiveDate;
use diesel::prelude::*;
use legal_portal::db::{self, DbConnection};
use legal_portal::domain::standing::StandingPolicy;
use legal_portal::search::{self, DocType, SearchQuery, SharedIndex};
use serde_json::Value;

use super::Engine;
use super::conformance::{LI_SI, LONGSHA, SHAN_XIONG, WANG_WU, ZENG_JING, ZHANG_SAN, seed};
use crate::helpers::{TestApp, build, d, fresh_database};

const FINE_2025_1: &str = "渝司罚决〔2025〕1号";
const WARNING_2026_11: &str = "渝司罚决〔2026〕11号";
const OLD_2015_3: &str = "渝司罚决〔2015〕3号";
const WITHDRAWN_2025_5: &str = "渝司罚决〔2025〕5号";
const OFFICE_2025_2: &str = "渝司罚决〔2025〕2号";

fn records(c: &mut DbConnection) {
    seed(c);
    build::action(c, FINE_2025_1, ZHANG_SAN, "fine", "2025-09-01", |a| {
        a.facts = "违规收费，向当事人多收代理费三千元".into();
    });
    build::action(
        c,
        WARNING_2026_11,
        SHAN_XIONG,
        "warning",
        "2026-03-01",
        |a| {
            a.facts = "冒用律师名义承揽诉讼业务".into();
            a.authority = "重庆市万州区司法局".into();
        },
    );
    build::action(c, OLD_2015_3, ZENG_JING, "warning", "2015-01-05", |a| {
        a.facts = "违规收费（早已期满）".into();
    });
    build::action(c, WITHDRAWN_2025_5, ZENG_JING, "fine", "2025-05-01", |a| {
        a.facts = "违规收费（已撤销）".into();
        a.withdrawn_on = Some(d("2025-06-01"));
        a.withdrawn_reason = Some("复议撤销".into());
    });
    build::action(c, OFFICE_2025_2, LONGSHA, "fine", "2025-08-01", |a| {
        a.subject_kind = "office".into();
        a.facts = "在住所外另设办公场所".into();
    });
    build::review(c, "worker", ZHANG_SAN, 2024, "basically_competent", None);
    build::review(c, "worker", SHAN_XIONG, 2025, "not_competent", None);
    build::review(c, "worker", LI_SI, 2025, "competent", None);
    build::review(c, "office", LONGSHA, 2025, "pass", None);
}

async fn start(engine: &Engine) -> TestApp {
    TestApp::builder().meili(engine.meili()).seed(records).await
}

fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn api(app: &TestApp, engine: &Engine, query: &str) -> Value {
    let body = app.json(&format!("/api/v1/search?{query}"), 200).await;
    assert_eq!(body["backend"], engine.backend(), "{body}");
    assert_eq!(body["degraded"], false, "{body}");
    body
}

fn decisions(body: &Value) -> Vec<String> {
    body["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("no hits: {body}"))
        .iter()
        .map(|h| h["record"]["decision_no"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn finds_a_disclosure_by_its_decision_number_in_any_brackets(e: Engine) {
    let app = start(&e).await;
    for typed in [
        FINE_2025_1,
        "渝司罚决[2025]1号",
        "渝司罚决［２０２５］１号",
        "渝司罚决 (2025) 1号",
    ] {
        let body = api(&app, &e, &format!("type=disclosure&q={}", enc(typed))).await;
        let hit = &body["hits"][0];
        assert_eq!(hit["record"]["decision_no"], FINE_2025_1, "{typed}: {body}");
        assert_eq!(hit["record"]["type"], "disclosure", "{body}");
        assert_eq!(hit["record"]["kind"], "fine", "{body}");
        assert_eq!(hit["license_no"], ZHANG_SAN, "{body}");
        assert_eq!(hit["name"], "张三", "{body}");
        assert_eq!(hit["record"]["decided_on"], "2025-09-01", "{body}");
        assert_eq!(hit["record"]["public_until"], "2028-08-31", "{body}");
    }
    e.clean_up().await;
}

async fn finds_disclosures_by_the_facts_of_the_case(e: Engine) {
    let app = start(&e).await;
    let body = api(
        &app,
        &e,
        &format!("type=disclosure&q={}", enc("冒用律师名义")),
    )
    .await;
    assert_eq!(decisions(&body), vec![WARNING_2026_11], "{body}");
    assert_eq!(body["hits"][0]["license_no"], SHAN_XIONG);
    // Only disclosures inside their window: not the expired or withdrawn
    // decisions whose facts also say 违规收费.
    let body = api(&app, &e, &format!("type=disclosure&q={}", enc("违规收费"))).await;
    assert_eq!(decisions(&body), vec![FINE_2025_1], "{body}");
    let body = api(&app, &e, &format!("type=disclosure&q={}", enc(OLD_2015_3))).await;
    assert_eq!(
        body["total"], 0,
        "an expired disclosure is not public: {body}"
    );
    let body = api(
        &app,
        &e,
        &format!("type=disclosure&q={}", enc(WITHDRAWN_2025_5)),
    )
    .await;
    assert_eq!(
        body["total"], 0,
        "a withdrawn decision is not public: {body}"
    );
    // An office's disclosure, by the rule it broke.
    let body = api(
        &app,
        &e,
        &format!("type=disclosure&q={}", enc("另设办公场所")),
    )
    .await;
    assert_eq!(decisions(&body), vec![OFFICE_2025_2], "{body}");
    assert_eq!(body["hits"][0]["type"], "office", "{body}");
    // By the subject's name and pinyin.
    let body = api(&app, &e, "type=disclosure&q=shanxiong").await;
    assert_eq!(decisions(&body), vec![WARNING_2026_11], "{body}");
    e.clean_up().await;
}

async fn profile_searches_stay_profiles(e: Engine) {
    let app = start(&e).await;
    let body = api(&app, &e, &format!("q={}", enc("张三"))).await;
    for h in body["hits"].as_array().expect("hits") {
        assert!(h.get("record").is_none(), "a record among profiles: {body}");
    }
    assert_eq!(body["hits"][0]["license_no"], ZHANG_SAN, "{body}");
    // A decision number is no profile's name.
    let body = api(&app, &e, &format!("q={}", enc(FINE_2025_1))).await;
    for h in body["hits"].as_array().expect("hits") {
        assert!(h.get("record").is_none(), "{body}");
    }
    e.clean_up().await;
}

async fn lists_disclosures_newest_first_with_facets(e: Engine) {
    let app = start(&e).await;
    let body = api(&app, &e, "type=disclosure").await;
    assert_eq!(
        decisions(&body),
        vec![
            "涪司罚〔2026〕1号",
            WARNING_2026_11,
            FINE_2025_1,
            OFFICE_2025_2
        ],
        "every disclosure in its window, newest first: {body}"
    );
    let got = decisions(&body);
    let mut dates: Vec<String> = body["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["record"]["decided_on"].as_str().unwrap_or("").to_owned())
        .collect();
    let shown = dates.clone();
    dates.sort_by(|a, b| b.cmp(a));
    assert_eq!(shown, dates, "newest first: {got:?}");
    assert_eq!(body["total"], 4, "four disclosures in their window: {body}");
    assert_eq!(body["facets"]["record_kind"]["fine"], 2, "{body}");
    assert_eq!(body["facets"]["record_kind"]["warning"], 2, "{body}");
    assert_eq!(body["facets"]["year"]["2025"], 2, "{body}");
    assert_eq!(body["facets"]["year"]["2026"], 2, "{body}");
    assert_eq!(body["facets"]["district"]["500101"], 3, "{body}");
    assert_eq!(body["facets"]["district"]["500102"], 1, "{body}");
    // Each filter narrows.
    let body = api(&app, &e, "type=disclosure&kind=fine&year=2025").await;
    let mut got = decisions(&body);
    got.sort();
    assert_eq!(got, vec![FINE_2025_1, OFFICE_2025_2], "{body}");
    let body = api(&app, &e, "type=disclosure&district=500102").await;
    assert_eq!(decisions(&body), vec!["涪司罚〔2026〕1号"], "{body}");
    // Profile filters and a position do not apply to records: both engines
    // answer as without them.
    let body = api(
        &app,
        &e,
        "type=disclosure&standing=good_standing&lat=29.70&lng=107.39&radius_km=1&sort=distance",
    )
    .await;
    assert_eq!(body["total"], 4, "{body}");
    e.clean_up().await;
}

async fn finds_review_outcomes_by_subject_year_and_outcome(e: Engine) {
    let app = start(&e).await;
    let body = api(&app, &e, "type=review&kind=not_competent").await;
    assert_eq!(body["total"], 1, "{body}");
    assert_eq!(body["hits"][0]["license_no"], SHAN_XIONG, "{body}");
    assert_eq!(body["hits"][0]["record"]["year"], 2025, "{body}");
    let body = api(&app, &e, &format!("type=review&q={}", enc("张三"))).await;
    let years: Vec<i64> = body["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["record"]["year"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(years, vec![2025, 2024], "newest review first: {body}");
    let body = api(&app, &e, "type=review&year=2025").await;
    assert_eq!(body["facets"]["year"]["2025"], body["total"], "{body}");
    let body = api(&app, &e, &format!("type=review&kind={}", enc("合格"))).await;
    assert_eq!(body["total"], 1, "{body}");
    assert_eq!(body["hits"][0]["type"], "office", "{body}");
    e.clean_up().await;
}

async fn the_pages_show_records(e: Engine) {
    let app = start(&e).await;
    let page = app
        .text(
            &format!("/search?type=disclosure&q={}", enc("渝司罚决[2025]1号")),
            200,
        )
        .await;
    assert!(page.contains(FINE_2025_1), "{page}");
    assert!(page.contains("罚款"), "the kind's label: {page}");
    assert!(
        page.contains("违规收费，向当事人多收代理费三千元"),
        "{page}"
    );
    assert!(page.contains(&format!("/workers/{ZHANG_SAN}")), "{page}");
    // /disclosures takes text, with the district and kind filters.
    let page = app
        .text(&format!("/disclosures?q={}", enc("冒用律师名义")), 200)
        .await;
    // (The placeholder shows a decision number too: look at the list.)
    let listed = |page: &str, no: &str| page.contains(&format!(" · {no} · "));
    assert!(listed(&page, WARNING_2026_11), "{page}");
    assert!(!listed(&page, FINE_2025_1), "{page}");
    let page = app
        .text(
            &format!("/disclosures?q={}&kind=fine", enc("冒用律师名义")),
            200,
        )
        .await;
    assert!(
        !listed(&page, WARNING_2026_11),
        "a warning is no fine: {page}"
    );
    let page = app
        .text(&format!("/disclosures?q={}&lang=en", enc("违规收费")), 200)
        .await;
    assert!(listed(&page, FINE_2025_1), "{page}");
    assert!(page.contains("Fine"), "the English label: {page}");
    // The form's hidden kind and year stay behind when the resident picks
    // workers instead: the page lets them go.
    let page = app
        .text(
            &format!("/search?type=worker&kind=fine&year=2025&q={}", enc("张三")),
            200,
        )
        .await;
    assert!(page.contains(&format!("/workers/{ZHANG_SAN}")), "{page}");
    // Bad values are refused in words.
    let body = app.json("/api/v1/search?type=review&kind=fine", 400).await;
    assert_eq!(body["error"]["details"]["parameter"], "kind", "{body}");
    let body = app.json("/api/v1/search?year=2025", 400).await;
    assert_eq!(body["error"]["details"]["parameter"], "year", "{body}");
    e.clean_up().await;
}

on_both_engines!(
    finds_a_disclosure_by_its_decision_number_in_any_brackets,
    finds_disclosures_by_the_facts_of_the_case,
    profile_searches_stay_profiles,
    lists_disclosures_newest_first_with_facets,
    finds_review_outcomes_by_subject_year_and_outcome,
    the_pages_show_records,
    a_disclosure_leaves_the_index_the_day_its_window_closes,
    hostile_record_queries_get_an_answer_not_a_failure,
);

/// The held test: a disclosure whose window ends on `last` is found on
/// `last`; the indexer schedules its subject for the next morning; when
/// that morning comes (the row falls due) the drain drops it, while a
/// disclosure with a longer window stays.
async fn a_disclosure_leaves_the_index_the_day_its_window_closes(e: Engine) {
    // Dates ahead of the real clock, so that the refresh is scheduled (the
    // outbox runs on real time).
    let last = chrono::Utc::now().date_naive() + chrono::Days::new(30);
    let next = last + chrono::Days::new(1);
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _pg) = fresh_database(dir.path());
    let pool = db::connect(&url, 4).expect("database");
    {
        let mut c = pool.get().expect("connection");
        records(&mut c);
        build::action(
            &mut c,
            "渝司罚决〔2026〕99号",
            WANG_WU,
            "fine",
            "2025-01-01",
            |a| {
                a.facts = "到期前一日仍公示".into();
                a.public_until = Some(last);
            },
        );
        build::action(
            &mut c,
            "渝司罚决〔2026〕98号",
            WANG_WU,
            "fine",
            "2025-01-02",
            |a| {
                a.facts = "公示期更长".into();
                a.public_until = Some(last + chrono::Days::new(365));
            },
        );
    }
    let index: SharedIndex = match e.meili() {
        Some(m) => Arc::new(
            search::meili::MeiliIndex::open(&m.url, m.key.as_deref(), &m.prefix)
                .await
                .expect("Meilisearch"),
        ),
        None => Arc::new(
            search::embedded::EmbeddedIndex::open(&dir.path().join("index")).expect("index"),
        ),
    };
    let indexer = |day: NaiveDate| {
        search::indexer::Indexer::new(
            pool.clone(),
            url.clone(),
            index.clone(),
            legal_portal::config::Clock::fixed(day),
            StandingPolicy::default(),
        )
    };
    let found = |results: &search::SearchResults| -> Vec<String> {
        results
            .hits
            .iter()
            .filter_map(|h| h.record.as_ref()?.decision_no.clone())
            .collect()
    };
    let query = SearchQuery {
        target: DocType::Disclosure,
        text: "渝司罚决".into(),
        limit: 50,
        ..SearchQuery::default()
    };
    let on_last = indexer(last);
    on_last.reindex().await.expect("reindex");
    let (r, degraded) = on_last.search(&query).await.expect("search");
    assert!(!degraded);
    assert!(
        found(&r).contains(&"渝司罚决〔2026〕99号".to_owned()),
        "{r:?}"
    );
    // The subject's refresh is due at 00:00 China time the next morning.
    let due: Vec<chrono::NaiveDateTime> = {
        use legal_portal::db::schema::search_outbox as o;
        o::table
            .filter(o::entity_kind.eq("worker"))
            .filter(o::entity_key.eq(WANG_WU))
            .select(o::due_at)
            .load(&mut pool.get().expect("connection"))
            .expect("outbox")
    };
    let morning = legal_portal::domain::dates::china_midnight_utc(next);
    assert!(due.contains(&morning), "refresh due {morning}: {due:?}");
    // The morning comes.
    {
        use legal_portal::db::schema::search_outbox as o;
        diesel::update(o::table.filter(o::due_at.eq(morning)))
            .set(o::due_at.eq(legal_portal::db::outbox::now()))
            .execute(&mut pool.get().expect("connection"))
            .expect("the morning comes");
    }
    let on_next = indexer(next);
    on_next.catch_up().await.expect("drain");
    let (r, _) = on_next.search(&query).await.expect("search");
    let after = found(&r);
    assert!(
        !after.contains(&"渝司罚决〔2026〕99号".to_owned()),
        "{after:?}"
    );
    // The same subject's disclosure with a longer window stays.
    assert!(
        after.contains(&"渝司罚决〔2026〕98号".to_owned()),
        "{after:?}"
    );
    e.clean_up().await;
}

/// What an attacker may type into the record searches: control characters,
/// a NUL, a long run of brackets, another spelling of the type.
async fn hostile_record_queries_get_an_answer_not_a_failure(e: Engine) {
    let app = start(&e).await;
    for q in [
        "%00",
        "%E6%B8%9D%00%5B2025%5D",
        "%01%02%1B%7F",
        "%E3%80%94%E3%80%95%E3%80%94%E3%80%95%E3%80%94%E3%80%95",
        "%22%5C%27%20OR%201%3D1",
    ] {
        for path in [
            format!("/api/v1/search?type=disclosure&q={q}"),
            format!("/api/v1/search?type=review&q={q}"),
            format!("/search?type=disclosure&q={q}"),
            format!("/disclosures?q={q}"),
        ] {
            let status = app.get(&path).await.status().as_u16();
            assert!(status == 200 || status == 400, "{path}: {status}");
        }
    }
    let body = app
        .json("/api/v1/search?type=DISCLOSURE&per_page=1", 200)
        .await;
    assert_eq!(body["hits"][0]["record"]["type"], "disclosure", "{body}");
    let long = "%E5%8F%B7".repeat(101);
    app.text(&format!("/disclosures?q={long}"), 400).await;
    e.clean_up().await;
}
