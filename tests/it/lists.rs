use legal_portal::db::DbConnection;

use crate::helpers::{TestApp, build, d};

fn seed(c: &mut DbConnection) {
    build::district(c, "500103", "渝中区", 588_717, 2000);
    build::district(c, "500229", "城口县", 197_497, 30);
    build::office(c, "31500103001", "解放碑街道法律服务所", "500103");
    build::office(c, "31500229001", "葛城街道法律服务所", "500229");
    build::worker(c, "45001030001", "张秀英", "31500103001");
    build::worker(c, "45002290001", "王建", "31500229001");
    build::action(
        c,
        "渝中司罚〔2026〕1号",
        "45001030001",
        "fine",
        "2026-03-01",
        |a| a.facts = "在公示期内".into(),
    );
    build::action(
        c,
        "城口司罚〔2026〕2号",
        "45002290001",
        "admonition",
        "2026-06-01",
        |_| {},
    );
    build::action(
        c,
        "渝中司罚〔2020〕3号",
        "45001030001",
        "fine",
        "2020-03-01",
        |a| a.facts = "早已过期".into(),
    );
    build::action(
        c,
        "渝中司罚〔2026〕4号",
        "45001030001",
        "public_censure",
        "2026-02-01",
        |a| {
            a.facts = "撤回事实甲乙".into();
            a.withdrawn_on = Some(d("2026-04-01"));
        },
    );
    for i in 0..25 {
        build::action(
            c,
            &format!("城口司罚〔2025〕{}号", 100 + i),
            "45002290001",
            "warning",
            "2025-12-31",
            |_| {},
        );
    }
}

#[actix_web::test]
async fn disclosures_list_only_in_window_actions_newest_first_with_filters_and_pages() {
    let app = TestApp::builder().seed(seed).await;
    let page = app.text("/disclosures", 200).await;
    assert!(
        page.contains("共 27 条"),
        "2 in 2026 + 25 short-window warnings from 2025-12-31:\n{page}"
    );
    assert!(!page.contains("早已过期") && !page.contains("撤回事实甲乙"));
    let first = page.find("城口司罚〔2026〕2号").unwrap();
    let second = page.find("渝中司罚〔2026〕1号").unwrap();
    assert!(first < second, "newest first");
    assert!(page.contains("第 1 / 2 页") && page.contains("page=2"));
    let page2 = app.text("/disclosures?page=2", 200).await;
    assert!(page2.contains("第 2 / 2 页"));

    let yuzhong = app.text("/disclosures?district=500103", 200).await;
    assert!(
        yuzhong.contains("共 1 条") && yuzhong.contains("张秀英"),
        "{yuzhong}"
    );
    let censures = app.text("/disclosures?kind=admonition", 200).await;
    assert!(censures.contains("共 1 条") && censures.contains("王建"));
    app.text("/disclosures?kind=nonsense", 400).await;
    app.text("/disclosures?page=0", 400).await;

    let feed = app.text("/feeds/disclosures.atom", 200).await;
    assert!(
        feed.starts_with("<?xml") && feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"")
    );
    assert!(feed.contains("渝中司罚〔2026〕1号") && !feed.contains("早已过期"));
}

#[actix_web::test]
async fn the_sitemap_lists_every_profile() {
    let app = TestApp::builder().seed(seed).await;
    let index = app.text("/sitemap.xml", 200).await;
    for part in [
        "/sitemaps/pages.xml",
        "/sitemaps/offices-1.xml",
        "/sitemaps/workers-1.xml",
    ] {
        assert!(index.contains(part), "{index}");
    }
    let workers = app.text("/sitemaps/workers-1.xml", 200).await;
    assert!(
        workers.contains("/workers/45001030001</loc>")
            && workers.contains("/workers/45002290001</loc>")
    );
    app.text("/sitemaps/workers-2.xml", 404).await;
    app.text("/sitemaps/secrets-1.xml", 404).await;
}

/// Crawlers are pointed at the sitemap and kept off the console, the API,
/// the forms and the query answers; nothing the sitemap lists is kept off.
#[actix_web::test]
async fn robots_txt_names_the_sitemap_and_blocks_none_of_its_pages() {
    let app = TestApp::builder().seed(seed).await;
    let resp = app.get("/robots.txt").await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let robots = resp.text().await.unwrap();
    assert!(robots.starts_with("User-agent: *\n"), "{robots}");
    assert!(
        robots.contains(&format!("Sitemap: {}/sitemap.xml\n", app.address)),
        "{robots}"
    );
    let blocked: Vec<&str> = robots
        .lines()
        .filter_map(|l| l.strip_prefix("Disallow: "))
        .collect();
    for path in ["/admin", "/api/", "/complaints", "/search"] {
        assert!(blocked.contains(&path), "{path}: {robots}");
    }
    let index = app.text("/sitemap.xml", 200).await;
    let locs = |xml: &str| -> Vec<String> {
        xml.split("<loc>")
            .skip(1)
            .map(|s| s.split("</loc>").next().unwrap().to_owned())
            .collect()
    };
    let mut pages = Vec::new();
    for part in locs(&index) {
        let path = part.strip_prefix(&app.address).unwrap().to_owned();
        pages.extend(locs(&app.text(&path, 200).await));
    }
    assert!(pages.len() > 3, "{pages:?}");
    for page in &pages {
        let path = page.strip_prefix(&app.address).unwrap();
        assert!(
            !blocked.iter().any(|b| path.starts_with(b)),
            "{path} is in the sitemap and blocked"
        );
    }
}

#[actix_web::test]
async fn announcements_are_listed_with_a_feed() {
    let app = TestApp::builder().demo().start().await;
    let page = app.text("/announcements", 200).await;
    assert!(
        page.contains("演示数据") && page.contains("注销公告"),
        "{page}"
    );
    let exits = app.text("/announcements?kind=exit", 200).await;
    assert!(!exits.contains("考核结果通报</h2>"), "only exit notices");
    let feed = app.text("/feeds/announcements.atom", 200).await;
    assert!(feed.contains("<entry>") && feed.contains("（演示数据）"));
}

/// Whether XML 1.0 allows `c` (written out here, not taken from the code
/// under test).
fn xml_char(c: char) -> bool {
    let n = c as u32;
    n == 0x9
        || n == 0xA
        || n == 0xD
        || (0x20..=0xD7FF).contains(&n)
        || (0xE000..=0xFFFD).contains(&n)
        || (0x10000..=0x10FFFF).contains(&n)
}

#[actix_web::test]
async fn feeds_stay_well_formed_xml_whatever_the_database_holds() {
    use diesel::prelude::*;
    // What an import before the checks, or a write behind the portal's
    // back, could have stored (PostgreSQL itself refuses NUL in text).
    let app = TestApp::builder()
        .seed(|c| {
            seed(c);
            build::action(
                c,
                "渝中司罚〔2026〕9号",
                "45001030001",
                "fine",
                "2026-09-01",
                |a| {
                    a.facts = "控制\u{1}字符\u{b}与\u{fffe}非字符\u{ffff}".into();
                    a.basis = "依据\u{1f}".into();
                },
            );
            let row = legal_portal::db::models::NewAnnouncement {
                kind: "exit".into(),
                title: "注销\u{8}公告".into(),
                body: "正文\u{1}\u{b}\u{c}\u{fffe}".into(),
                published_on: d("2026-09-02"),
                license_nos: String::new(),
            };
            legal_portal::with_backend!(c, |c| diesel::insert_into(
                legal_portal::db::schema::announcements::table
            )
            .values(&row)
            .execute(c))
            .expect("insert announcement");
            // As the portal's writers do: who each notice names, indexed.
            legal_portal::db::announcements::sync_subjects(c).unwrap();
        })
        .await;
    for path in ["/feeds/disclosures.atom", "/feeds/announcements.atom"] {
        let feed = app.text(path, 200).await;
        let bad: Vec<String> = feed
            .chars()
            .filter(|c| !xml_char(*c))
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        assert!(bad.is_empty(), "{path} holds {bad:?}");
        assert!(
            feed.contains("<entry>") && feed.trim_end().ends_with("</feed>"),
            "{feed}"
        );
    }
    let feed = app.text("/feeds/disclosures.atom", 200).await;
    assert!(feed.contains("控制\u{fffd}字符"), "{feed}");
    let feed = app.text("/feeds/announcements.atom", 200).await;
    assert!(feed.contains("注销\u{fffd}公告"), "{feed}");
}

#[actix_web::test]
async fn a_profile_shows_the_notices_that_name_it_now() {
    use crate::import::{CSV, import_ok, token};
    use legal_portal::domain::vocab::TokenScope;
    let app = TestApp::builder().seed(seed).await;
    let token = token(&app, "测试导入", TokenScope::Import);
    let notice = |nos: &str| {
        format!(
            "类型,标题,正文,发布日期,subject_license_nos\n注销公告,关于注销的公告,正文,2026-11-27,\"{nos}\"\n"
        )
    };
    let names = |page: &str| page.contains("关于注销的公告");
    import_ok(
        &app,
        &token,
        "announcements",
        CSV,
        &notice("45001030001；45002290001"),
    )
    .await;
    for no in ["45001030001", "45002290001"] {
        assert!(
            names(&app.text(&format!("/workers/{no}"), 200).await),
            "{no} is named by the notice"
        );
    }
    // The same notice, corrected to name one worker only.
    import_ok(&app, &token, "announcements", CSV, &notice("45002290001")).await;
    assert!(
        !names(&app.text("/workers/45001030001", 200).await),
        "a worker the notice no longer names does not show it"
    );
    assert!(names(&app.text("/workers/45002290001", 200).await));
    let api = app.json("/api/v1/workers/45002290001", 200).await;
    assert_eq!(api["announcements"][0]["title"], "关于注销的公告");
    // A number that only contains the other as a part is not named.
    assert!(!names(&app.text("/offices/31500229001", 200).await));
}

#[actix_web::test]
async fn the_sitemap_lists_each_district_and_each_notice_and_feeds_link_the_notice() {
    let app = TestApp::builder().demo().start().await;
    let pages = app.text("/sitemaps/pages.xml", 200).await;
    assert!(pages.contains("/districts/500103</loc>"), "{pages}");
    let first: i64 = {
        use diesel::prelude::*;
        use legal_portal::db::schema::announcements;
        announcements::table
            .order((announcements::published_on.desc(), announcements::id.desc()))
            .select(announcements::id)
            .first(&mut app.conn())
            .expect("the demo has notices")
    };
    assert!(
        pages.contains(&format!("/announcements/{first}</loc>")),
        "{pages}"
    );
    // Each feed entry leads to the notice's own page.
    let feed = app
        .text("/feeds/announcements.atom", 200)
        .await
        .replace("&#x2F;", "/");
    assert!(
        feed.contains(&format!("/announcements/{first}\"/>")),
        "{feed}"
    );
    // (Each entry's id stays what it was, so readers see no old notice as new.)
    assert!(
        feed.contains(&format!("/announcements#a{first}</id>")),
        "{feed}"
    );
}
