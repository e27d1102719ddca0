//! The conformance suite: the same test functions run on every engine.

use diesel::prelude::*;
use legal_portal::db::DbConnection;
use legal_portal::db::models::NewTownship;
use legal_portal::db::outbox;
use legal_portal::db::schema::{townships, transfers, workers};
use legal_portal::domain::vocab::SubjectKind;
use legal_portal::with_backend;
use serde_json::Value;

use super::Engine;
use crate::helpers::{TestApp, build, d};

pub const LONGSHA: &str = "31500101001";
pub const GAOSUNTANG: &str = "31500101002";
pub const LIZHI: &str = "31500102001";
pub const JIANGDONG: &str = "31500102002";
pub const ZHANG_SAN: &str = "45001010001";
pub const SHAN_XIONG: &str = "45001010002";
pub const LI_SI: &str = "45001010003";
pub const WANG_WU: &str = "45001020001";
pub const ZENG_JING: &str = "45001010004";

fn township(c: &mut DbConnection, id: i64, district: &str, name: &str, area: &str) {
    let row = NewTownship {
        id,
        district_code: district.into(),
        name: name.into(),
        area_kind: area.into(),
    };
    with_backend!(c, |c| diesel::insert_into(townships::table)
        .values(&row)
        .execute(c))
    .expect("insert township");
}

fn office(
    c: &mut DbConnection,
    no: &str,
    name: &str,
    district: &str,
    place: (i64, &str, f64, f64),
) {
    let (township, area, lat, lng) = place;
    build::office_with(c, no, name, district, |o| {
        o.township_id = Some(township);
        o.area_kind = area.into();
        o.lat = Some(lat);
        o.lng = Some(lng);
    });
}

/// Two districts, four offices, fifteen workers.
pub fn seed(c: &mut DbConnection) {
    build::district(c, "500101", "万州区", 1_560_000, 900);
    build::district(c, "500102", "涪陵区", 1_110_000, 600);
    township(c, 1, "500101", "龙沙镇", "rural");
    township(c, 2, "500101", "高笋塘街道", "urban");
    township(c, 3, "500102", "荔枝街道", "urban");
    township(c, 4, "500102", "江东街道", "urban");
    office(
        c,
        LONGSHA,
        "龙沙镇法律服务所",
        "500101",
        (1, "rural", 30.7900, 108.3700),
    );
    office(
        c,
        GAOSUNTANG,
        "高笋塘街道法律服务所",
        "500101",
        (2, "urban", 30.8100, 108.4000),
    );
    office(
        c,
        LIZHI,
        "荔枝街道法律服务所",
        "500102",
        (3, "urban", 29.7030, 107.3890),
    );
    office(
        c,
        JIANGDONG,
        "江东法律服务所",
        "500102",
        (4, "urban", 29.7200, 107.4200),
    );
    diesel::update(legal_portal::db::schema::offices::table.find(JIANGDONG))
        .set(legal_portal::db::schema::offices::status.eq("suspended"))
        .execute(c)
        .expect("suspend office");
    build::worker(c, ZHANG_SAN, "张三", LONGSHA);
    build::review(c, "worker", ZHANG_SAN, 2025, "competent", None);
    build::worker_with(c, SHAN_XIONG, "单雄", LONGSHA, |w| {
        w.practice_areas = "法律咨询".into();
    });
    build::worker_with(c, LI_SI, "李四", GAOSUNTANG, |w| {
        w.status = "deregistered".into();
    });
    build::worker(c, WANG_WU, "王五", LIZHI);
    build::action(
        c,
        "涪司罚〔2026〕1号",
        WANG_WU,
        "warning",
        "2026-06-01",
        |_| {},
    );
    build::worker(c, ZENG_JING, "曾静", GAOSUNTANG);
    for (i, name) in [
        "陈一", "陈二", "陈三", "陈四", "陈五", "陈六", "陈七", "陈八", "陈九", "陈十",
    ]
    .iter()
    .enumerate()
    {
        build::worker(c, &format!("450010109{i:02}"), name, GAOSUNTANG);
    }
}

async fn start(engine: &Engine) -> TestApp {
    TestApp::builder().meili(engine.meili()).seed(seed).await
}

async fn search(app: &TestApp, engine: &Engine, query: &str) -> Value {
    let body = app.json(&format!("/api/v1/search?{query}"), 200).await;
    assert_eq!(body["backend"], engine.backend(), "{body}");
    body
}

fn q(text: &str) -> String {
    format!(
        "q={}",
        url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
    )
}

fn licenses(body: &Value) -> Vec<String> {
    body["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("no hits array: {body}"))
        .iter()
        .map(|h| h["license_no"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn first(body: &Value) -> &Value {
    &body["hits"][0]
}

async fn finds_a_worker_by_chinese_name(e: Engine) {
    let app = start(&e).await;
    let body = search(&app, &e, &q("张三")).await;
    let hit = first(&body);
    assert_eq!(
        hit["license_no"], ZHANG_SAN,
        "张三 should come first: {body}"
    );
    assert_eq!(hit["type"], "worker");
    assert_eq!(hit["name"], "张三");
    assert_eq!(hit["district_code"], "500101");
    assert_eq!(hit["standing"], "good_standing");
    assert!(
        hit.get("distance_m").is_none(),
        "no point, no distance: {hit}"
    );
    assert_eq!(hit["highlight"][0]["text"], "张三");
    assert_eq!(hit["highlight"][0]["matched"], true);
    e.clean_up().await;
}

async fn finds_an_office_by_part_of_its_name(e: Engine) {
    let app = start(&e).await;
    let body = search(&app, &e, &q("龙沙")).await;
    assert_eq!(first(&body)["license_no"], LONGSHA, "{body}");
    assert_eq!(first(&body)["type"], "office");
    assert!(!licenses(&body).contains(&LIZHI.to_owned()), "{body}");
    e.clean_up().await;
}

async fn finds_by_full_pinyin_and_polyphonic_surname(e: Engine) {
    let app = start(&e).await;
    let body = search(&app, &e, "q=zhangsan").await;
    assert_eq!(first(&body)["license_no"], ZHANG_SAN, "{body}");
    // With the tone marks a pinyin keyboard may leave in.
    let body = search(&app, &e, &q("zhāngsān")).await;
    assert_eq!(first(&body)["license_no"], ZHANG_SAN, "{body}");
    let body = search(&app, &e, "q=shanxiong").await;
    assert_eq!(
        first(&body)["license_no"],
        SHAN_XIONG,
        "单 as a surname reads shàn: {body}"
    );
    let body = search(&app, &e, "q=ZengJing").await;
    assert_eq!(
        first(&body)["license_no"],
        ZENG_JING,
        "曾 as a surname reads zēng: {body}"
    );
    e.clean_up().await;
}

async fn finds_by_initials(e: Engine) {
    let app = start(&e).await;
    let body = search(&app, &e, "q=zs").await;
    assert!(licenses(&body).contains(&ZHANG_SAN.to_owned()), "{body}");
    e.clean_up().await;
}

async fn finds_a_license_typed_full_width_with_spaces(e: Engine) {
    let app = start(&e).await;
    let body = search(&app, &e, &q("４５００ １０１０　００１")).await;
    assert_eq!(
        first(&body)["license_no"],
        ZHANG_SAN,
        "exact license first: {body}"
    );
    let body = search(&app, &e, &q("３１５００１０２００１")).await;
    assert_eq!(first(&body)["license_no"], LIZHI, "{body}");
    e.clean_up().await;
}

/// How residents type a license number: in groups, full-width (from a
/// Chinese input method), with the ideographic space, mixed, padded.
pub(super) fn typed_forms(license: &str) -> Vec<String> {
    let full = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
                } else {
                    c
                }
            })
            .collect()
    };
    let groups: Vec<String> = license
        .as_bytes()
        .chunks(4)
        .map(|g| String::from_utf8_lossy(g).into_owned())
        .collect();
    let spaced = groups.join(" ");
    vec![
        spaced.clone(),
        full(&spaced),
        full(&groups.join("\u{3000}")),
        full(license),
        format!("  {}  ", groups.join("  ")),
        format!("{} {}", full(&groups[0]), groups[1..].join("")),
    ]
}

async fn answers_a_license_typed_in_groups_like_the_plain_number(e: Engine) {
    let app = start(&e).await;
    for license in [ZHANG_SAN, LIZHI] {
        let plain = search(&app, &e, &q(license)).await;
        assert_eq!(first(&plain)["license_no"], license, "{plain}");
        for typed in typed_forms(license) {
            let body = search(&app, &e, &q(&typed)).await;
            assert_eq!(
                first(&body)["license_no"],
                license,
                "{typed:?} should find {license} first: {body}"
            );
            assert_eq!(
                licenses(&body),
                licenses(&plain),
                "{typed:?} should answer like {license}"
            );
            assert_eq!(body["total"], plain["total"], "{typed:?}");
        }
    }
    e.clean_up().await;
}

async fn finds_the_demo_worker_by_a_license_typed_with_spaces(e: Engine) {
    // Issue 18: on the province demo, `4550 0101 0000 1` found the worker
    // on the embedded engine and nothing on Meilisearch.
    let app = TestApp::builder().meili(e.meili()).demo().start().await;
    app.wait_for_search().await;
    for typed in [
        "4550 0101 0000 1",
        "４５５０ ０１０１ ００００ １",
        "４５５０　０１０１　００００　１",
        "4550010100001",
    ] {
        let body = search(&app, &e, &q(typed)).await;
        assert_eq!(
            first(&body)["license_no"],
            "4550010100001",
            "{typed:?}: {body}"
        );
        assert_eq!(first(&body)["type"], "worker", "{body}");
    }
    e.clean_up().await;
}

async fn forgives_a_one_letter_typo_in_pinyin(e: Engine) {
    let app = start(&e).await;
    let body = search(&app, &e, "q=zhamgsan").await;
    assert_eq!(first(&body)["license_no"], ZHANG_SAN, "{body}");
    e.clean_up().await;
}

async fn every_filter_narrows_the_hits(e: Engine) {
    let app = start(&e).await;
    let body = search(&app, &e, "type=office").await;
    assert_eq!(body["total"], 4, "{body}");
    assert!(
        body["hits"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|h| h["type"] == "office")
    );
    let body = search(&app, &e, "district=500102").await;
    let mut got = licenses(&body);
    got.sort();
    let mut want = vec![LIZHI, JIANGDONG, WANG_WU];
    want.sort();
    assert_eq!(got, want, "涪陵区: two offices and one worker: {body}");
    let body = search(
        &app,
        &e,
        &format!(
            "township={}",
            url::form_urlencoded::byte_serialize("龙沙镇".as_bytes()).collect::<String>()
        ),
    )
    .await;
    assert_eq!(
        body["total"], 3,
        "龙沙镇: the office and its two workers: {body}"
    );
    let body = search(&app, &e, "area_kind=rural").await;
    assert_eq!(body["total"], 3, "{body}");
    let body = search(&app, &e, "standing=deregistered").await;
    assert_eq!(licenses(&body), [LI_SI], "{body}");
    let body = search(&app, &e, "status=suspended").await;
    assert_eq!(licenses(&body), [JIANGDONG], "{body}");
    let body = search(&app, &e, "standing=disclosed_record&type=worker").await;
    assert_eq!(licenses(&body), [WANG_WU], "{body}");
    let area = url::form_urlencoded::byte_serialize("法律咨询".as_bytes()).collect::<String>();
    let body = search(&app, &e, &format!("practice_area={area}&type=worker")).await;
    assert_eq!(licenses(&body), [SHAN_XIONG], "{body}");
    // A filter alone ranks nothing: offices before workers, then license
    // number, whatever how many areas each lists (单雄 lists one, the
    // offices two).
    let body = search(&app, &e, &format!("practice_area={area}")).await;
    assert_eq!(
        licenses(&body),
        [LONGSHA, GAOSUNTANG, LIZHI, JIANGDONG, SHAN_XIONG],
        "{body}"
    );
    e.clean_up().await;
}

async fn counts_facets(e: Engine) {
    let app = start(&e).await;
    let body = search(&app, &e, "").await;
    assert_eq!(body["total"], 19, "{body}");
    let f = &body["facets"];
    assert_eq!(f["type"]["office"], 4, "{f}");
    assert_eq!(f["type"]["worker"], 15, "{f}");
    assert_eq!(f["district"]["500101"], 16, "{f}");
    assert_eq!(f["district"]["500102"], 3, "{f}");
    assert_eq!(f["standing"]["deregistered"], 1, "{f}");
    assert_eq!(f["standing"]["suspended"], 1, "{f}");
    assert_eq!(f["area_kind"]["rural"], 3, "{f}");
    let body = search(&app, &e, "type=worker&district=500101").await;
    assert_eq!(body["facets"]["type"]["worker"], 14, "{body}");
    assert!(body["facets"]["type"].get("office").is_none(), "{body}");
    e.clean_up().await;
}

/// Townships beyond Meilisearch's default of 100 values a facet (and the
/// 500 the portal once set), as a nation's search lists: every value is
/// counted, on both engines.
async fn counts_every_value_of_a_facet_however_many(e: Engine) {
    const MANY: usize = 620;
    let app = TestApp::builder()
        .meili(e.meili())
        .seed(|c| {
            seed(c);
            for i in 0..MANY {
                let id = 100 + i as i64;
                township(c, id, "500102", &format!("第{i}镇"), "rural");
                office(
                    c,
                    &format!("3150019{i:04}"),
                    &format!("第{i}镇法律服务所"),
                    "500102",
                    (id, "rural", 29.7, 107.4),
                );
            }
        })
        .await;
    let body = search(&app, &e, "type=office&per_page=1").await;
    assert_eq!(body["total"], MANY + 4, "{}", body["total"]);
    let townships = body["facets"]["township"]
        .as_object()
        .unwrap_or_else(|| panic!("no township facet: {}", body["facets"]));
    assert_eq!(townships.len(), MANY + 4, "townships counted");
    for i in [0, 99, 100, 499, 500, MANY - 1] {
        assert_eq!(townships[&format!("第{i}镇")], 1, "第{i}镇");
    }
    assert_eq!(body["facets"]["district"]["500102"], MANY + 2);
    e.clean_up().await;
}

async fn sorts_by_distance_within_a_radius(e: Engine) {
    let app = start(&e).await;
    // Standing in 龙沙镇, a little east of the office.
    let body = search(
        &app,
        &e,
        "type=office&lat=30.7900&lng=108.3800&radius_km=10",
    )
    .await;
    assert_eq!(
        licenses(&body),
        [LONGSHA, GAOSUNTANG],
        "nearest first, 涪陵 outside: {body}"
    );
    let d0 = body["hits"][0]["distance_m"].as_f64().unwrap_or(-1.0);
    let d1 = body["hits"][1]["distance_m"].as_f64().unwrap_or(-1.0);
    assert!((900.0..1050.0).contains(&d0), "about 960 m to 龙沙镇: {d0}");
    assert!(d0 < d1, "{d0} < {d1}");
    assert_eq!(body["total"], 2);
    let body = search(
        &app,
        &e,
        "type=office&lat=30.7900&lng=108.3800&radius_km=0.5",
    )
    .await;
    assert_eq!(body["total"], 0, "nothing within 500 m: {body}");
    let body = search(&app, &e, "type=office&lat=30.7900&lng=108.3800").await;
    assert_eq!(
        licenses(&body).len(),
        4,
        "no radius: every office, by distance: {body}"
    );
    assert_eq!(licenses(&body)[..2], [LONGSHA, GAOSUNTANG]);
    e.clean_up().await;
}

async fn pages_in_a_stable_order(e: Engine) {
    let app = start(&e).await;
    let mut seen = Vec::new();
    for page in 1..=4 {
        let body = search(&app, &e, &format!("type=worker&per_page=4&page={page}")).await;
        assert_eq!(body["total"], 15);
        seen.extend(licenses(&body));
    }
    assert_eq!(seen.len(), 15, "{seen:?}");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 15, "no worker twice across pages: {seen:?}");
    // No words: every match ties, and the tie is broken by license number
    // on every page, not only within the first.
    assert_eq!(seen, unique, "by license number across pages");
    let again = licenses(&search(&app, &e, "type=worker&per_page=4&page=2").await);
    assert_eq!(again, seen[4..8], "page 2 is the same the second time");
    // The first worker indexed again lands after the others in the index:
    // the order still comes from the license numbers, not the index's.
    {
        let mut c = app.conn();
        outbox::enqueue(&mut c, SubjectKind::Worker, &[seen[0].clone()]).expect("enqueue");
    }
    app.wait_for_search().await;
    let mut after = Vec::new();
    for page in 1..=4 {
        let body = search(&app, &e, &format!("type=worker&per_page=4&page={page}")).await;
        after.extend(licenses(&body));
    }
    assert_eq!(after, seen, "the same pages after reindexing one worker");
    e.clean_up().await;
}

async fn still_finds_a_deregistered_worker(e: Engine) {
    let app = start(&e).await;
    let body = search(&app, &e, &q("李四")).await;
    assert_eq!(first(&body)["license_no"], LI_SI, "{body}");
    assert_eq!(first(&body)["standing"], "deregistered");
    e.clean_up().await;
}

async fn finds_a_name_written_with_a_middle_dot_by_the_characters_across_it(e: Engine) {
    // Names such as 阿依古丽·买买提 carry a middle dot; a resident types the
    // characters without it.
    let app = TestApp::builder()
        .meili(e.meili())
        .seed(|c| {
            seed(c);
            build::worker(c, "45001010999", "阿依古丽·买买提", LONGSHA);
        })
        .await;
    for typed in ["古丽买买", "阿依古丽买买提", "阿依古丽·买买提"] {
        let body = search(&app, &e, &q(typed)).await;
        assert_eq!(first(&body)["license_no"], "45001010999", "{typed}: {body}");
    }
    e.clean_up().await;
}

async fn follows_a_worker_who_transfers(e: Engine) {
    let app = start(&e).await;
    let name = q("曾静");
    assert_eq!(
        search(&app, &e, &format!("{name}&district=500101")).await["total"],
        1
    );
    assert_eq!(
        search(&app, &e, &format!("{name}&district=500102")).await["total"],
        0
    );
    {
        let mut c = app.conn();
        c.transaction::<_, diesel::result::Error, _>(|c| {
            diesel::update(workers::table.find(ZENG_JING))
                .set(workers::office_license_no.eq(LIZHI))
                .execute(c)?;
            diesel::insert_into(transfers::table)
                .values((
                    transfers::worker_license_no.eq(ZENG_JING),
                    transfers::from_office_license_no.eq(GAOSUNTANG),
                    transfers::to_office_license_no.eq(LIZHI),
                    transfers::effective_on.eq(d("2026-11-20")),
                ))
                .execute(c)?;
            outbox::enqueue(c, SubjectKind::Worker, &[ZENG_JING.to_owned()])
                .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?;
            Ok(())
        })
        .expect("transfer");
    }
    app.wait_for_search().await;
    assert_eq!(
        search(&app, &e, &format!("{name}&district=500101")).await["total"],
        0,
        "the old district no longer finds 曾静"
    );
    let body = search(&app, &e, &format!("{name}&district=500102")).await;
    assert_eq!(
        licenses(&body),
        [ZENG_JING],
        "the new district does: {body}"
    );
    e.clean_up().await;
}

/// Four-character names over a 20-character alphabet: many share three of
/// their four characters, in other places or orders.
fn look_alike(n: usize) -> String {
    const CHARS: [char; 20] = [
        '安', '柏', '岑', '戴', '樊', '葛', '韩', '蒋', '柯', '穆', '聂', '欧', '潘', '秦', '冉',
        '邵', '滕', '闻', '奚', '尤',
    ];
    (0..4).map(|i| CHARS[(n / 20usize.pow(i)) % 20]).collect()
}

async fn ranks_an_exact_full_name_first_among_look_alikes(e: Engine) {
    let app = TestApp::builder()
        .meili(e.meili())
        .seed(|c| {
            seed(c);
            for n in 0..600 {
                build::worker(c, &format!("4500109{n:04}"), &look_alike(n * 7), GAOSUNTANG);
            }
        })
        .await;
    for n in [0, 1, 123, 599] {
        let name = look_alike(n * 7);
        let body = search(&app, &e, &q(&name)).await;
        let hit = first(&body);
        assert_eq!(
            hit["name"],
            name.as_str(),
            "{name} should come first: {body}"
        );
        assert_eq!(hit["license_no"], format!("4500109{n:04}"));
    }
    e.clean_up().await;
}

async fn lists_exact_pinyin_before_a_one_letter_variant(e: Engine) {
    let app = TestApp::builder()
        .meili(e.meili())
        .seed(|c| {
            seed(c);
            build::office(c, "31500101099", "长安法律服务所", "500101");
            build::office(c, "31500101098", "尚义法律服务所", "500101");
            build::worker(c, "45001010999", "张明", GAOSUNTANG);
        })
        .await;
    let body = search(&app, &e, &q("zhang")).await;
    let names: Vec<&str> = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    let first_variant = names
        .iter()
        .position(|n| n.starts_with('长') || n.starts_with('尚'));
    let last_zhang = names.iter().rposition(|n| n.starts_with('张'));
    assert!(last_zhang.is_some(), "no 张 for zhang: {names:?}");
    if let (Some(v), Some(z)) = (first_variant, last_zhang) {
        assert!(z < v, "every 张 should come before 长/尚: {names:?}");
    }
    e.clean_up().await;
}

/// A resident typing traditional characters finds the register's
/// simplified names.
async fn finds_a_name_typed_in_traditional_characters(e: Engine) {
    let app = start(&e).await;
    let body = search(&app, &e, &q("張三")).await;
    assert_eq!(first(&body)["license_no"], ZHANG_SAN, "{body}");
    let body = search(&app, &e, &q("陳")).await;
    assert_eq!(body["total"], 10, "the ten 陈: {body}");
    let body = search(&app, &e, &q("龍沙")).await;
    assert_eq!(first(&body)["license_no"], LONGSHA, "{body}");
    e.clean_up().await;
}

/// A resident types the surname's syllable, or its first letters, and
/// expects every holder of it; 吕 (lü) is found however the ü is typed.
async fn finds_a_surname_by_its_syllable_and_lü_typed_any_way(e: Engine) {
    const LÜ_MEI: &str = "45001010099";
    let app = TestApp::builder()
        .meili(e.meili())
        .seed(|c| {
            seed(c);
            build::worker(c, LÜ_MEI, "吕梅", LONGSHA);
        })
        .await;
    for (query, wanted) in [
        ("li", LI_SI),
        ("zha", ZHANG_SAN),
        ("wan", WANG_WU),
        ("zen", ZENG_JING),
        ("lv", LÜ_MEI),
        ("lü", LÜ_MEI),
        ("lu", LÜ_MEI),
        ("lvmei", LÜ_MEI),
        ("lümei", LÜ_MEI),
        ("lumei", LÜ_MEI),
        ("LV MEI", LÜ_MEI),
    ] {
        let body = search(&app, &e, &q(query)).await;
        assert!(
            licenses(&body).contains(&wanted.to_owned()),
            "{query} should find {wanted}: {body}"
        );
    }
    // Initials still come first for what they spell.
    let body = search(&app, &e, "q=zs").await;
    assert_eq!(first(&body)["license_no"], ZHANG_SAN, "{body}");
    e.clean_up().await;
}

on_both_engines!(
    finds_a_worker_by_chinese_name,
    finds_an_office_by_part_of_its_name,
    finds_by_full_pinyin_and_polyphonic_surname,
    finds_by_initials,
    finds_a_license_typed_full_width_with_spaces,
    answers_a_license_typed_in_groups_like_the_plain_number,
    finds_the_demo_worker_by_a_license_typed_with_spaces,
    forgives_a_one_letter_typo_in_pinyin,
    every_filter_narrows_the_hits,
    counts_facets,
    counts_every_value_of_a_facet_however_many,
    sorts_by_distance_within_a_radius,
    pages_in_a_stable_order,
    still_finds_a_deregistered_worker,
    finds_a_name_written_with_a_middle_dot_by_the_characters_across_it,
    follows_a_worker_who_transfers,
    ranks_an_exact_full_name_first_among_look_alikes,
    lists_exact_pinyin_before_a_one_letter_variant,
    finds_a_surname_by_its_syllable_and_lü_typed_any_way,
    finds_a_name_typed_in_traditional_characters,
);
