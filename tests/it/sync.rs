//! Incremental open data (issue 14): `/api/v1/{offices,workers,reviews,
//! disclosures}` in change order with a cursor, tombstones, and the offices
//! as HSDS 3 JSON.

use std::collections::{BTreeMap, HashSet};

use diesel::prelude::*;
use legal_portal::db::DbConnection;
use legal_portal::db::changes::{self, FeedKind};
use legal_portal::db::schema::{annual_reviews, workers};
use legal_portal::domain::vocab::TokenScope;
use serde_json::Value;

use crate::helpers::{TestApp, build, d};
use crate::import::{CSV, import_ok, token};

const FEEDS: [&str; 4] = ["offices", "workers", "reviews", "disclosures"];

const OFFICES: &str = "执业许可证号,名称,区县代码,区域类型,地址,纬度,经度,电话,办公时间,负责人,业务范围,状态,成立日期\n";
const WORKERS: &str = "执业证号,姓名,性别,执业机构许可证号,状态,首次执业日期,实习月数\n";
const REVIEWS: &str = "对象类型,执业证号,年度,考核结果,整改期限\n";
const ACTIONS: &str =
    "决定文号,对象类型,执业证号,处理种类,决定机关,决定日期,事实,依据,公示截止,撤销日期,撤销原因\n";

/// Meilisearch where nothing listens: two portals on one PostgreSQL
/// database must not both open the embedded index, and these lists never
/// search.
fn no_search() -> crate::search::Meili {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    crate::search::Meili {
        url: format!("http://127.0.0.1:{port}"),
        key: Some("a-key-for-a-dead-server".into()),
        prefix: "sync_".into(),
    }
}

fn districts(c: &mut DbConnection) {
    build::district(c, "500103", "渝中区", 588_717, 2000);
    build::district(c, "500229", "城口县", 190_000, 20);
}

/// A portal (indexer off) whose district has one office, imported, and
/// an import token.
async fn app_with_an_office() -> (TestApp, String) {
    let app = TestApp::builder()
        .settings(|s| s.run_indexer = false)
        .seed(districts)
        .await;
    let token = token(&app, "同步测试", TokenScope::Import);
    one_office(&app, &token).await;
    (app, token)
}

/// Imports the office 31500103001.
async fn one_office(app: &TestApp, token: &str) {
    import_ok(
        app,
        token,
        "offices",
        CSV,
        &format!("{OFFICES}31500103001,解放碑街道法律服务所,500103,城区街道,民族路1号,,,,,王一,,执业,2003-05-01\n"),
    )
    .await;
}

/// What an integrator keeps: per list, each key's record, and every
/// `(key, changed_at)` it was handed (to catch a change handed twice).
#[derive(Default)]
struct Mirror {
    records: BTreeMap<&'static str, BTreeMap<String, Value>>,
    cursors: BTreeMap<&'static str, String>,
    handed: HashSet<(String, String, String)>,
    tombstones: Vec<(String, String)>,
}

impl Mirror {
    /// Reads one page of `feed` from where the mirror stopped; returns
    /// whether more are waiting.
    async fn page(&mut self, app: &TestApp, feed: &'static str, limit: u32) -> bool {
        let path = match self.cursors.get(feed) {
            Some(c) => format!("/api/v1/{feed}?cursor={c}&limit={limit}"),
            None => format!("/api/v1/{feed}?limit={limit}"),
        };
        let page = app.json(&path, 200).await;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= limit as usize, "{path}: {page:#}");
        let mine = self.records.entry(feed).or_default();
        for item in items {
            let key = item["key"].as_str().expect("key").to_owned();
            let at = item["changed_at"].as_str().expect("changed_at").to_owned();
            assert!(
                self.handed
                    .insert((feed.to_owned(), key.clone(), at.clone())),
                "{feed}: the change of {key} at {at} was handed out twice"
            );
            if item["deleted"] == true {
                assert!(item.get("record").is_none(), "a tombstone holds nothing");
                mine.remove(&key);
                self.tombstones.push((feed.to_owned(), key));
            } else {
                mine.insert(key, item["record"].clone());
            }
        }
        let next = page["next_cursor"]
            .as_str()
            .expect("next_cursor")
            .to_owned();
        self.cursors.insert(feed, next);
        page["has_more"] == true
    }

    /// Reads `feed` to its end.
    async fn drain(&mut self, app: &TestApp, feed: &'static str, limit: u32) {
        let mut guard = 0;
        while self.page(app, feed, limit).await {
            guard += 1;
            assert!(guard < 1000, "{feed}: the feed never ends");
        }
    }
}

/// The whole public state of `feed`, read from the start in one go.
async fn full(app: &TestApp, feed: &'static str) -> BTreeMap<String, Value> {
    let mut fresh = Mirror::default();
    fresh.drain(app, feed, 1000).await;
    fresh.records.remove(feed).unwrap_or_default()
}

async fn csv_keys(app: &TestApp, dataset: &str) -> BTreeMap<String, Vec<String>> {
    let body = app
        .get(&format!("/api/v1/export/{dataset}.csv"))
        .await
        .bytes()
        .await
        .unwrap();
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| {
            let r: Vec<String> = r.unwrap().iter().map(str::to_owned).collect();
            (r[0].clone(), r)
        })
        .collect()
}

#[actix_web::test]
async fn a_sync_interleaved_with_imports_ends_with_the_public_state_without_repeats_or_gaps() {
    let app = TestApp::builder()
        .settings(|s| s.run_indexer = false)
        .seed(districts)
        .await;
    let token = token(&app, "同步测试", TokenScope::Import);
    let mut m = Mirror::default();
    let imp = |dataset: &'static str, head: &'static str, rows: &str| {
        let body = format!("{head}{rows}");
        let (app, token) = (&app, &token);
        async move {
            import_ok(app, token, dataset, CSV, &body).await;
        }
    };

    imp(
        "offices",
        OFFICES,
        "31500103001,解放碑街道法律服务所,500103,城区街道,民族路1号,29.55,106.57,023-1,周一至周五 9:00-17:00,王一,民事代理,执业,2003-05-01\n\
         31500103002,七星岗街道法律服务所,500103,城区街道,中山一路2号,,,023-2,,王二,,执业,2004-01-01\n\
         31500229001,高观镇法律服务所,500229,农村乡镇,高观镇3号,,,,,王三,,执业,2005-01-01\n",
    )
    .await;
    m.page(&app, "offices", 2).await;

    imp(
        "workers",
        WORKERS,
        "45001030001,张秀英,女,31500103001,执业,2010-01-01,12\n\
         45001030002,李明,男,31500103001,执业,2011-01-01,12\n\
         45001030003,王芳,女,31500103002,执业,2012-01-01,12\n\
         45002290001,赵四,男,31500229001,执业,2013-01-01,12\n",
    )
    .await;
    m.page(&app, "workers", 2).await;
    m.page(&app, "offices", 2).await;

    imp(
        "offices",
        OFFICES,
        "31500103002,七星岗法律服务所,500103,城区街道,中山一路2号,,,023-2,,王二,,停业,2004-01-01\n\
         31500103003,朝天门街道法律服务所,500103,城区街道,朝天门4号,,,,,王四,,执业,2006-01-01\n",
    )
    .await;
    imp(
        "reviews",
        REVIEWS,
        "机构,31500103001,2025,合格,\n人员,45001030001,2025,称职,\n人员,45001030002,2025,称职,\n",
    )
    .await;
    m.page(&app, "reviews", 2).await;
    imp(
        "disciplinary-actions",
        ACTIONS,
        "渝中司罚〔2026〕1号,人员,45001030002,警告,渝中区司法局,2026-10-01,事实一,依据一,,,\n\
         渝中司罚〔2026〕2号,机构,31500103002,罚款,渝中区司法局,2026-09-01,事实二,依据二,2027-09-01,,\n\
         渝中司罚〔2020〕3号,人员,45001030003,警告,渝中区司法局,2020-01-01,早已过期,依据三,,,\n",
    )
    .await;
    m.page(&app, "disclosures", 2).await;
    m.page(&app, "workers", 2).await;

    // A move, a new worker, a withdrawal (the disclosure leaves the public
    // record), a review changed, a worker's office moved by a transfer.
    imp(
        "workers",
        WORKERS,
        "45001030003,王芳,女,31500103003,执业,2012-01-01,12\n45001030004,钱五,男,31500103003,执业,2014-01-01,12\n",
    )
    .await;
    m.page(&app, "workers", 2).await;
    imp(
        "disciplinary-actions",
        ACTIONS,
        "渝中司罚〔2026〕1号,人员,45001030002,警告,渝中区司法局,2026-10-01,事实一,依据一,,2026-11-20,决定撤销\n",
    )
    .await;
    imp(
        "reviews",
        REVIEWS,
        "机构,31500103001,2025,不合格,2027-01-31\n",
    )
    .await;
    m.page(&app, "disclosures", 2).await;
    import_ok(
        &app,
        &token,
        "transfers",
        CSV,
        "执业证号,新执业机构,变更日期\n45001030001,31500103002,2026-11-01\n",
    )
    .await;

    // Nothing is written any more: every list read to its end hands each
    // record at most once.
    for feed in FEEDS {
        let count = |m: &Mirror| m.handed.iter().filter(|(f, _, _)| f == feed).count();
        let mut in_this_read = Mirror {
            cursors: m.cursors.clone(),
            ..Mirror::default()
        };
        in_this_read.drain(&app, feed, 2).await;
        let keys: Vec<&String> = in_this_read.handed.iter().map(|(_, k, _)| k).collect();
        let distinct: HashSet<&String> = keys.iter().copied().collect();
        assert_eq!(
            keys.len(),
            distinct.len(),
            "{feed}: a record twice in one read"
        );
        m.drain(&app, feed, 2).await;
        let n_after = count(&m);
        // Reading again from the end hands nothing.
        assert!(!m.page(&app, feed, 2).await, "{feed}: nothing more");
        assert_eq!(
            count(&m),
            n_after,
            "{feed}: a page read at the end is empty"
        );
    }

    // The mirror is the public state: the same as a sync from scratch, as
    // the CSV exports, and as the database's reviews.
    for feed in FEEDS {
        let fresh = full(&app, feed).await;
        assert_eq!(
            m.records.get(feed).cloned().unwrap_or_default(),
            fresh,
            "{feed}: the incremental copy differs from a full read"
        );
    }
    let offices = csv_keys(&app, "offices").await;
    let mine = &m.records["offices"];
    assert_eq!(
        mine.keys().collect::<Vec<_>>(),
        offices.keys().collect::<Vec<_>>()
    );
    for (no, row) in &offices {
        let r = &mine[no];
        assert_eq!(r["name"], row[1].as_str(), "{no}");
        assert_eq!(r["address"], row[4].as_str(), "{no}");
        assert_eq!(r["status"], row[9].as_str(), "{no}");
    }
    assert_eq!(mine["31500103002"]["name"], "七星岗法律服务所");
    assert_eq!(mine["31500103002"]["status"], "suspended");

    let workers_csv = csv_keys(&app, "workers").await;
    let mine = &m.records["workers"];
    assert_eq!(
        mine.keys().collect::<Vec<_>>(),
        workers_csv.keys().collect::<Vec<_>>()
    );
    for (no, row) in &workers_csv {
        assert_eq!(mine[no]["name"], row[1].as_str());
        assert_eq!(mine[no]["office_license_no"], row[2].as_str());
        assert_eq!(mine[no]["status"], row[3].as_str());
        assert!(mine[no].get("gender").is_none(), "no gender in open data");
    }
    assert_eq!(
        mine["45001030001"]["office_license_no"], "31500103002",
        "the transfer moved the worker"
    );
    assert_eq!(mine["45001030003"]["office_license_no"], "31500103003");

    let disclosures = csv_keys(&app, "disclosures").await;
    assert_eq!(
        m.records["disclosures"].keys().collect::<Vec<_>>(),
        disclosures.keys().collect::<Vec<_>>(),
        "only actions inside their window and not withdrawn"
    );
    assert_eq!(
        disclosures.keys().collect::<Vec<_>>(),
        vec!["渝中司罚〔2026〕2号"]
    );
    assert!(
        m.tombstones
            .iter()
            .any(|(f, k)| f == "disclosures" && k == "渝中司罚〔2026〕1号"),
        "the withdrawn decision came as a tombstone: {:?}",
        m.tombstones
    );

    let stored: BTreeMap<String, String> = annual_reviews::table
        .select((
            annual_reviews::subject_kind,
            annual_reviews::subject_license_no,
            annual_reviews::year,
            annual_reviews::outcome,
        ))
        .load::<(String, String, i32, String)>(&mut app.conn())
        .unwrap()
        .into_iter()
        .map(|(k, no, y, o)| (changes::review_key(&k, &no, y), o))
        .collect();
    let mine: BTreeMap<String, String> = m.records["reviews"]
        .iter()
        .map(|(k, r)| (k.clone(), r["outcome"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(mine, stored);
    assert_eq!(mine["office:31500103001:2025"], "fail");
}

#[actix_web::test]
async fn a_reader_paging_while_imports_run_side_by_side_is_handed_each_new_worker_once() {
    let (app, token) = app_with_an_office().await;
    let (writers, rounds) = (4, 5);
    let write = |w: usize| {
        let (app, token) = (&app, &token);
        async move {
            for r in 0..rounds {
                let rows: String = (0..2)
                    .map(|i| format!("4500103{w}{r}{i:02},工作者{w}{r}{i},男,31500103001,执业,2010-01-01,12\n"))
                    .collect();
                import_ok(app, token, "workers", CSV, &format!("{WORKERS}{rows}")).await;
            }
        }
    };
    let read = async {
        let mut m = Mirror::default();
        for _ in 0..30 {
            m.page(&app, "workers", 3).await;
        }
        m
    };
    let (_, mut m) = futures_util::join!(
        futures_util::future::join_all((0..writers).map(write)),
        read
    );
    m.drain(&app, "workers", 3).await;
    assert_eq!(
        m.handed.len(),
        writers * rounds * 2,
        "each new worker handed exactly once"
    );
    assert_eq!(m.records["workers"], full(&app, "workers").await);
}

/// A first page with nothing in it hands back the feed's end as the cursor.
/// Readers keep asking for the workers changed after the last change they
/// know while imports run, so that one asks while an import commits: every
/// worker changed after that moment must come on the pages that follow.
/// (CI once saw a reader miss the first import's two workers: the end was
/// read in a statement after the empty page, and the import committed in
/// between.)
#[actix_web::test]
async fn an_empty_first_page_while_an_import_commits_loses_no_worker() {
    let (app, token) = app_with_an_office().await;
    let rounds = 40;
    let done = std::cell::Cell::new(false);
    let write = async {
        for r in 0..rounds {
            let rows: String = (0..2)
                .map(|i| {
                    format!("4500103{r:02}{i:02},新人{r}{i},女,31500103001,执业,2012-01-01,12\n")
                })
                .collect();
            import_ok(&app, &token, "workers", CSV, &format!("{WORKERS}{rows}")).await;
        }
        done.set(true);
    };
    // Each reader: the moment it asked after, and the cursor of every
    // empty answer it was given.
    let follow = |_| {
        let (app, done) = (&app, &done);
        async move {
            let mut since: Option<String> = None;
            let mut empty: HashSet<(Option<String>, String)> = HashSet::new();
            while !done.get() {
                let path = match &since {
                    None => "/api/v1/workers?limit=1000".to_owned(),
                    Some(m) => format!("/api/v1/workers?modified_after={m}&limit=1000"),
                };
                let page = app.json(&path, 200).await;
                let items = page["items"].as_array().expect("items");
                match items.iter().filter_map(|i| i["changed_at"].as_str()).max() {
                    Some(latest) => since = Some(latest.to_owned()),
                    None => {
                        let cursor = page["next_cursor"].as_str().expect("next_cursor");
                        empty.insert((since.clone(), cursor.to_owned()));
                    }
                }
            }
            empty
        }
    };
    let (_, answers) =
        futures_util::join!(write, futures_util::future::join_all((0..3).map(follow)));
    let everyone = full(&app, "workers").await;
    assert_eq!(everyone.len(), rounds * 2);
    let mut changed_at: BTreeMap<String, String> = BTreeMap::new();
    let mut whole = Mirror::default();
    whole.drain(&app, "workers", 1000).await;
    for (_, key, at) in whole.handed {
        changed_at.insert(key, at);
    }
    let answers: HashSet<_> = answers.into_iter().flatten().collect();
    assert!(
        answers.len() > 2,
        "readers were given empty pages: {answers:?}"
    );
    for (since, cursor) in answers {
        let mut m = Mirror::default();
        m.cursors.insert("workers", cursor.clone());
        m.drain(&app, "workers", 1000).await;
        let handed: HashSet<&String> = m.handed.iter().map(|(_, k, _)| k).collect();
        for (key, at) in &changed_at {
            // RFC 3339 UTC with microseconds: text order is time order.
            if since.as_ref().is_none_or(|m| at > m) {
                assert!(
                    handed.contains(key),
                    "{key} (changed at {at}) never came after an empty page \
                     for changes after {since:?} (cursor {cursor})"
                );
            }
        }
    }
}

#[actix_web::test]
async fn a_deleted_worker_and_a_closed_disclosure_window_come_as_tombstones() {
    let app = TestApp::builder()
        .today(d("2026-11-28"))
        .meili(Some(no_search()))
        .settings(|s| s.run_indexer = false)
        .seed(districts)
        .await;
    let token = token(&app, "同步测试", TokenScope::Import);
    one_office(&app, &token).await;
    import_ok(
        &app,
        &token,
        "workers",
        CSV,
        &format!("{WORKERS}45001030001,张秀英,女,31500103001,执业,2010-01-01,12\n45001030002,李明,男,31500103001,执业,2011-01-01,12\n"),
    )
    .await;
    import_ok(
        &app,
        &token,
        "disciplinary-actions",
        CSV,
        &format!("{ACTIONS}渝中司罚〔2026〕9号,人员,45001030001,警告,渝中区司法局,2026-06-01,事实,依据,2026-11-29,,\n"),
    )
    .await;
    let mut m = Mirror::default();
    for feed in FEEDS {
        m.drain(&app, feed, 1).await;
    }
    assert!(m.records["disclosures"].contains_key("渝中司罚〔2026〕9号"));
    assert_eq!(m.records["workers"].len(), 2);

    // No import deletes a worker; a deletion elsewhere (by hand in the
    // database, as here) that records its change is a tombstone too.
    {
        let mut c = app.conn();
        c.transaction::<_, legal_portal::db::DbError, _>(|c| {
            changes::lock(c)?;
            diesel::delete(workers::table.find("45001030002")).execute(c)?;
            changes::record(
                c,
                FeedKind::Worker,
                ["45001030002"],
                chrono::Utc::now().naive_utc(),
            )?;
            Ok(())
        })
        .unwrap();
    }
    m.drain(&app, "workers", 1).await;
    assert!(
        m.tombstones
            .contains(&("workers".into(), "45001030002".into())),
        "{:?}",
        m.tombstones
    );
    assert_eq!(
        m.records["workers"].keys().collect::<Vec<_>>(),
        vec!["45001030001"]
    );

    // The window's last day is 2026-11-29: a portal on the same database
    // two days later hands the mirror a tombstone, with nobody writing.
    let later = TestApp::builder()
        .today(d("2026-11-30"))
        .meili(Some(no_search()))
        .settings(|s| s.run_indexer = false)
        .database(&app.db_url)
        .start()
        .await;
    m.drain(&later, "disclosures", 1).await;
    assert!(
        m.tombstones
            .contains(&("disclosures".into(), "渝中司罚〔2026〕9号".into())),
        "the closed window is a tombstone: {:?}",
        m.tombstones
    );
    assert!(m.records["disclosures"].is_empty());
    // And once only: reading again hands nothing.
    assert!(!m.page(&later, "disclosures", 1).await);
    let again = later
        .json(
            &format!("/api/v1/disclosures?cursor={}", m.cursors["disclosures"]),
            200,
        )
        .await;
    assert_eq!(again["items"], serde_json::json!([]), "{again:#}");
}

#[actix_web::test]
async fn modified_after_picks_up_from_a_moment_and_bad_parameters_are_a_400() {
    let (app, token) = app_with_an_office().await;
    let first = app.json("/api/v1/offices", 200).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 1, "{first:#}");
    let moment = first["items"][0]["changed_at"].as_str().unwrap().to_owned();
    assert_eq!(first["demo_data"], false);

    // Nothing changed after the moment: an empty page whose cursor resumes
    // at the end.
    let empty = app
        .json(&format!("/api/v1/offices?modified_after={moment}"), 200)
        .await;
    assert_eq!(empty["items"], serde_json::json!([]), "{empty:#}");
    actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
    import_ok(
        &app,
        &token,
        "offices",
        CSV,
        &format!("{OFFICES}31500103002,七星岗街道法律服务所,500103,城区街道,中山一路2号,,,,,王二,,执业,2004-01-01\n"),
    )
    .await;
    let after = app
        .json(&format!("/api/v1/offices?modified_after={moment}"), 200)
        .await;
    let keys: Vec<&str> = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["31500103002"], "{after:#}");
    let resumed = app
        .json(
            &format!(
                "/api/v1/offices?cursor={}",
                empty["next_cursor"].as_str().unwrap()
            ),
            200,
        )
        .await;
    assert_eq!(resumed["items"], after["items"]);
    let a_day_before = app
        .json(
            "/api/v1/offices?modified_after=2000-01-01T08:00:00%2B08:00",
            200,
        )
        .await;
    assert_eq!(a_day_before["items"].as_array().unwrap().len(), 2);

    let workers_cursor = app.json("/api/v1/workers", 200).await["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    for (query, parameter) in [
        ("cursor=nonsense", "cursor"),
        ("cursor=", "cursor"),
        (&*format!("cursor={workers_cursor}"), "cursor"),
        ("cursor=djE6b2ZmaWNlczotMQ", "cursor"),
        ("modified_after=yesterday", "modified_after"),
        ("modified_after=2026-12-01", "modified_after"),
        ("modified_after=2026-12-01T00:00:00", "modified_after"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=-5", "limit"),
    ] {
        for (lang, word) in [("zh", "应为"), ("en", "must")] {
            let resp = app
                .get(&format!("/api/v1/offices?{query}&lang={lang}"))
                .await;
            assert_eq!(resp.status(), 400, "{query}");
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["error"]["code"], "bad_request", "{query}: {body:#}");
            assert_eq!(body["error"]["details"]["parameter"], parameter, "{query}");
            let message = body["error"]["message"].as_str().unwrap();
            if parameter != "cursor" {
                assert!(message.contains(word), "{query} {lang}: {message}");
            } else if lang == "en" {
                assert!(message.contains("cursor is not valid"), "{message}");
            } else {
                assert!(message.contains("cursor 无效"), "{message}");
            }
        }
    }
    for query in ["limit=abc", "limit=1&limit=2"] {
        let body = app.json(&format!("/api/v1/offices?{query}"), 400).await;
        assert_eq!(body["error"]["code"], "bad_request", "{query}");
    }
}

#[actix_web::test]
async fn the_hsds_export_holds_each_office_once_with_its_public_fields() {
    let app = TestApp::builder()
        .settings(|s| s.run_indexer = false)
        .seed(|c| {
            districts(c);
            build::office_with(
                c,
                "31500103001",
                "解放碑街道法律服务所",
                "500103",
                |o| {
                    o.address = "民族路1号".into();
                    o.lat = Some(29.557);
                    o.lng = Some(106.577);
                    o.phone = "023-63800000".into();
                    o.hours = "周一至周五 9:00-17:00".into();
                    o.practice_areas = "民事代理;调解".into();
                },
            );
            build::office_with(
                c,
                "31500229001",
                "高观镇法律服务所",
                "500229",
                |o| {
                    o.phone = String::new();
                    o.hours = String::new();
                    o.lat = None;
                    o.lng = None;
                    o.status = "deregistered".into();
                },
            );
            build::worker(c, "45001030001", "张秀英", "31500103001");
        })
        .await;
    let resp = app.get("/api/v1/export/hsds.json").await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let text = resp.text().await.unwrap();
    assert!(!text.contains("张秀英"), "no worker in the HSDS export");
    let orgs: Vec<Value> = serde_json::from_str(&text).expect("a JSON array");
    assert_eq!(orgs.len(), 2, "each office once: {text}");
    let mut ids = HashSet::new();
    let is_uuid = |v: &Value| {
        let s = v.as_str().unwrap_or("");
        s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
    };
    for o in &orgs {
        // HSDS 3 required fields.
        for f in ["id", "name", "description"] {
            assert!(
                o[f].as_str().is_some_and(|s| !s.is_empty()),
                "organization.{f}: {o:#}"
            );
        }
        assert!(is_uuid(&o["id"]), "{o:#}");
        assert!(ids.insert(o["id"].as_str().unwrap().to_owned()));
        for s in o["services"].as_array().unwrap() {
            for f in ["id", "name", "status"] {
                assert!(
                    s[f].as_str().is_some_and(|v| !v.is_empty()),
                    "service.{f}: {s:#}"
                );
            }
            assert_eq!(s["organization_id"], o["id"]);
        }
        for l in o["locations"].as_array().unwrap() {
            assert!(is_uuid(&l["id"]));
            assert_eq!(l["location_type"], "physical");
            let addresses = l["addresses"].as_array().unwrap();
            assert_eq!(addresses.len(), 1);
            for f in [
                "id",
                "address_1",
                "city",
                "state_province",
                "postal_code",
                "country",
                "address_type",
            ] {
                assert!(addresses[0][f].is_string(), "address.{f}: {l:#}");
            }
        }
        for p in o["phones"].as_array().unwrap() {
            assert!(is_uuid(&p["id"]) && p["number"].is_string());
        }
        assert_eq!(
            o["organization_identifiers"][0]["identifier_type"],
            "执业许可证号"
        );
    }
    let by_no = |no: &str| {
        orgs.iter()
            .find(|o| o["organization_identifiers"][0]["identifier"] == no)
            .unwrap_or_else(|| panic!("{no} in {orgs:#?}"))
    };
    let o = by_no("31500103001");
    assert_eq!(o["name"], "解放碑街道法律服务所");
    assert!(o["description"].as_str().unwrap().contains("渝中区"));
    assert_eq!(o["phones"][0]["number"], "023-63800000");
    let l = &o["locations"][0];
    assert_eq!(l["latitude"], 29.557);
    assert_eq!(l["longitude"], 106.577);
    assert_eq!(l["addresses"][0]["address_1"], "民族路1号");
    assert_eq!(l["addresses"][0]["city"], "渝中区");
    assert_eq!(l["addresses"][0]["state_province"], "重庆市");
    assert_eq!(l["addresses"][0]["country"], "CN");
    assert_eq!(l["schedules"][0]["notes"], "周一至周五 9:00-17:00");
    assert_eq!(o["services"][0]["status"], "active");
    assert!(
        o["services"][0]["description"]
            .as_str()
            .unwrap()
            .contains("民事代理")
    );
    let closed = by_no("31500229001");
    assert_eq!(closed["services"][0]["status"], "defunct");
    assert_eq!(closed["phones"], serde_json::json!([]), "no phone held");
    assert!(closed["locations"][0].get("latitude").is_none());
    assert_eq!(closed["locations"][0]["schedules"], serde_json::json!([]));

    let en: Vec<Value> = app
        .json("/api/v1/export/hsds.json?lang=en", 200)
        .await
        .as_array()
        .unwrap()
        .clone();
    assert!(
        en.iter()
            .any(|o| o["services"][0]["name"] == "Grassroots legal services"),
        "{en:#?}"
    );
    // The same ids on every export.
    assert!(en.iter().all(|o| ids.contains(o["id"].as_str().unwrap())));
}

/// A referral app reading the HSDS export must not send a resident to an
/// office a decision suspended or closed, though its registration still
/// reads 执业: the service's status follows standing.
#[actix_web::test]
async fn the_hsds_service_status_follows_decisions_not_the_register_alone() {
    let today = crate::helpers::today();
    let day = |days: i64| today + chrono::Duration::days(days);
    let app = TestApp::builder()
        .settings(|s| s.run_indexer = false)
        .seed(|c| {
            districts(c);
            build::office(c, "31500103001", "解放碑街道法律服务所", "500103");
            build::office(c, "31500103002", "朝天门街道法律服务所", "500103");
            build::office(c, "31500103003", "七星岗街道法律服务所", "500103");
            build::office(c, "31500103004", "大溪沟街道法律服务所", "500103");
            let office_action = |c: &mut DbConnection,
                                 no: &str,
                                 office: &str,
                                 kind: &str,
                                 on: chrono::NaiveDate,
                                 until: Option<chrono::NaiveDate>| {
                build::action(c, no, office, kind, &on.to_string(), |a| {
                    a.subject_kind = "office".into();
                    a.suspended_until = until;
                });
            };
            office_action(
                c,
                "渝中司罚〔2026〕1号",
                "31500103002",
                "suspend_practice",
                day(-3),
                Some(day(60)),
            );
            office_action(
                c,
                "渝中司罚〔2026〕2号",
                "31500103003",
                "revoke_license",
                day(-3),
                None,
            );
            // A suspension already served.
            office_action(
                c,
                "渝中司罚〔2025〕3号",
                "31500103004",
                "suspend_practice",
                day(-200),
                Some(day(-100)),
            );
        })
        .await;
    let orgs: Vec<Value> = app
        .json("/api/v1/export/hsds.json", 200)
        .await
        .as_array()
        .unwrap()
        .clone();
    let status = |no: &str| {
        orgs.iter()
            .find(|o| o["organization_identifiers"][0]["identifier"] == no)
            .map(|o| o["services"][0]["status"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{no} in {orgs:#?}"))
    };
    assert_eq!(status("31500103001"), "active");
    assert_eq!(status("31500103002"), "temporarily closed");
    assert_eq!(status("31500103003"), "defunct");
    assert_eq!(status("31500103004"), "active", "the suspension is over");
}

#[actix_web::test]
async fn modified_after_with_its_plus_sent_unencoded_is_read_as_the_offset() {
    let (app, _) = app_with_an_office().await;
    let encoded = app
        .json(
            "/api/v1/offices?modified_after=2026-01-01T08:00:00%2B08:00",
            200,
        )
        .await;
    let plain = app
        .json(
            "/api/v1/offices?modified_after=2026-01-01T08:00:00+08:00",
            200,
        )
        .await;
    assert_eq!(encoded["items"], plain["items"], "{plain}");
    assert_eq!(plain["items"].as_array().map(Vec::len), Some(1), "{plain}");
}
