//! Languages: Chinese by default, English by `?lang=en`, the `lang` cookie
//! or `Accept-Language`; every string from the Fluent files.

use std::collections::BTreeSet;

use legal_portal::db::DbConnection;
use legal_portal::web::lang::{EN_SOURCES, ZH_SOURCES, message_ids};

use crate::helpers::{TestApp, build};

const WORKER: &str = "45001030001";
const OFFICE: &str = "31500103001";

fn base(c: &mut DbConnection) {
    build::district(c, "500103", "渝中区", 588_717, 2000);
    build::office(c, OFFICE, "解放碑街道法律服务所", "500103");
    build::worker(c, WORKER, "张秀英", OFFICE);
    build::review(c, "worker", WORKER, 2025, "competent", None);
}

fn ids(sources: &[&str]) -> BTreeSet<String> {
    sources.iter().flat_map(|s| message_ids(s)).collect()
}

/// As a browser reads attributes.
fn unescape(page: &str) -> String {
    page.replace("&#x2F;", "/").replace("&amp;", "&")
}

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The text between the first `open` and the next `close`.
fn between<'a>(page: &'a str, open: &str, close: &str) -> &'a str {
    let start = page
        .find(open)
        .unwrap_or_else(|| panic!("no {open} in:\n{page}"));
    let rest = &page[start..];
    &rest[..rest.find(close).unwrap_or(rest.len())]
}

#[test]
fn both_locales_have_the_same_ids_and_templates_use_only_known_ones() {
    let zh = ids(&ZH_SOURCES);
    let en = ids(&EN_SOURCES);
    assert!(zh.len() > 20, "too few messages: {zh:?}");
    let only_zh: Vec<_> = zh.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&zh).collect();
    assert!(
        only_zh.is_empty() && only_en.is_empty(),
        "only in zh-CN: {only_zh:?}; only in en: {only_en:?}"
    );
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
    let mut used = 0;
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(
        files.iter().any(|p| p.ends_with("admin/layout.html")),
        "the console's templates are read too"
    );
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for (quote, rest) in text.match_indices("t(key=").map(|(i, m)| {
            (
                text.as_bytes()[i + m.len()] as char,
                &text[i + m.len() + 1..],
            )
        }) {
            let id = &rest[..rest.find(quote).unwrap()];
            // `t(key="dataset-" ~ key)`: some message starts so.
            let known = if id.ends_with('-') {
                zh.iter().any(|m| m.starts_with(id))
            } else {
                zh.contains(id)
            };
            assert!(known, "{}: unknown message id {id}", path.display());
            used += 1;
        }
    }
    assert!(used > 20, "templates use only {used} messages");
}

#[actix_web::test]
async fn chinese_by_default_english_on_request_and_the_choice_is_kept() {
    let app = TestApp::builder().seed(base).await;

    let zh = app.text("/", 200).await;
    assert!(zh.contains(r#"<html lang="zh-CN">"#), "{zh}");
    assert!(zh.contains("查找基层法律服务所"));

    let resp = app.get("/?lang=en").await;
    let cookie = resp
        .headers()
        .get("set-cookie")
        .expect("?lang= sets a cookie")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(cookie, "lang=en; Path=/; HttpOnly; SameSite=Lax");
    let en = resp.text().await.unwrap();
    assert!(en.contains(r#"<html lang="en">"#), "{en}");
    assert!(en.contains("Find a grassroots legal service office"));
    assert!(en.contains("no exact English counterpart"), "glossary note");

    // The cookie keeps English on the next page, without ?lang.
    let next = app
        .client
        .get(format!("{}/verify", app.address))
        .header("cookie", "lang=en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(next.contains(r#"<html lang="en">"#));
    assert!(next.contains("<h1>Verify practising status</h1>"), "{next}");

    // Accept-Language: English preferred over Chinese, and the reverse.
    for (header, tag) in [
        ("en-GB,en;q=0.9,zh-CN;q=0.5", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("fr-FR", "zh-CN"),
        ("fr;q=0.9, en;q=0.5", "en"),
    ] {
        let page = app
            .client
            .get(format!("{}/", app.address))
            .header("accept-language", header)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&format!(r#"<html lang="{tag}">"#)),
            "Accept-Language {header} should give {tag}"
        );
    }
}

#[actix_web::test]
async fn the_switch_links_to_the_same_address_in_the_other_language() {
    let app = TestApp::builder().seed(base).await;
    let zh = unescape(
        &app.text(&format!("/verify?license_no={WORKER}&name=x"), 200)
            .await,
    );
    let switch = between(&zh, r#"<a class="lang-switch""#, "</a>");
    assert!(
        switch.contains(&format!(
            r#"href="/verify?license_no={WORKER}&name=x&lang=en""#
        )),
        "{switch}"
    );
    assert!(switch.ends_with(">English"), "{switch}");

    let en = unescape(
        &app.text(&format!("/verify?lang=en&license_no={WORKER}"), 200)
            .await,
    );
    let switch = between(&en, r#"<a class="lang-switch""#, "</a>");
    assert!(
        switch.contains(&format!(r#"href="/verify?license_no={WORKER}&lang=zh""#)),
        "{switch}"
    );
    assert!(switch.ends_with(">中文"), "{switch}");
}

#[actix_web::test]
async fn the_verify_sentence_in_both_languages() {
    let app = TestApp::builder().seed(base).await;
    let zh = app.text(&format!("/verify?license_no={WORKER}"), 200).await;
    let line = between(&zh, r#"<p class="verdict-line">"#, "<span");
    assert!(
        line.contains("截至 ") && line.contains("，张秀英"),
        "{line}"
    );
    let en = app
        .text(&format!("/verify?license_no={WORKER}&lang=en"), 200)
        .await;
    let line = between(&en, r#"<p class="verdict-line">"#, "<span");
    assert!(
        line.contains("As of ") && line.contains(": 张秀英"),
        "{line}"
    );
    let miss = app
        .text("/verify?license_no=45009999999&lang=en", 404)
        .await;
    assert!(
        miss.contains(
            "No grassroots legal service worker or office holds licence number 45009999999"
        ),
        "{miss}"
    );
}

#[actix_web::test]
async fn every_page_renders_in_both_languages_without_leaking_ids() {
    let app = TestApp::builder().seed(base).await;
    let pages = [
        ("/", 200),
        ("/search?q=%E5%BC%A0", 200),
        (&*format!("/offices/{OFFICE}"), 200),
        (&*format!("/workers/{WORKER}"), 200),
        (&*format!("/verify?license_no={WORKER}"), 200),
        ("/verify?license_no=45009999999", 404),
        ("/districts", 200),
        ("/districts/500103", 200),
        ("/disclosures", 200),
        ("/announcements", 200),
        ("/complaints/new", 200),
        ("/complaints/status", 200),
        (&*format!("/complaints/correction?subject={WORKER}"), 200),
        ("/complaints/unlicensed", 200),
        ("/no-such-page", 404),
    ];
    let all_ids = ids(&ZH_SOURCES);
    for (path, status) in pages {
        for lang in ["zh", "en"] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = format!("{path}{sep}lang={lang}");
            let page = app.text(&url, status).await;
            let tag = if lang == "en" { "en" } else { "zh-CN" };
            assert!(page.contains(&format!(r#"<html lang="{tag}">"#)), "{url}");
            assert!(page.contains(r#"class="lang-switch""#), "{url}: no switch");
            assert!(!page.contains("{ $"), "{url}: a Fluent placeholder leaked");
            for id in &all_ids {
                assert!(!page.contains(&format!(">{id}<")), "{url}: id {id} leaked");
            }
            if lang == "en" {
                // The switch itself is rightly in Chinese.
                let nav = between(&page, "<nav", "<a class=\"lang-switch\"");
                assert!(!has_chinese(nav), "{url}: Chinese in the navigation: {nav}");
            }
        }
    }
    // The pages translated whole so far: no Chinese UI in their headings.
    for path in ["/", "/verify", "/no-such-page"] {
        let url = format!("{path}?lang=en");
        let page = app.get(&url).await.text().await.unwrap();
        let h1 = between(&page, "<h1", "</h1>");
        assert!(!has_chinese(h1), "{url}: {h1}");
    }
}

#[actix_web::test]
async fn profiles_carry_json_ld_with_only_public_facts() {
    let app = TestApp::builder()
        .seed(|c| {
            base(c);
            build::worker(c, "45001030002", "李四</script><b>", OFFICE);
        })
        .await;
    let office = app.text(&format!("/offices/{OFFICE}?lang=en"), 200).await;
    let block = between(
        &office,
        r#"<script type="application/ld+json">"#,
        "</script>",
    );
    let json: serde_json::Value =
        serde_json::from_str(block.split_once('>').unwrap().1).expect("valid JSON-LD");
    assert_eq!(json["@type"], "LegalService");
    assert_eq!(json["name"], "解放碑街道法律服务所");
    assert_eq!(json["identifier"], OFFICE);
    assert_eq!(json["url"], format!("/offices/{OFFICE}"));

    let worker = app.text("/workers/45001030002?lang=en", 200).await;
    let block = between(
        &worker,
        r#"<script type="application/ld+json">"#,
        "</script>",
    );
    let body = block.split_once('>').unwrap().1;
    assert!(
        body.contains(r"李四\u003c/script\u003e\u003cb\u003e"),
        "{body}"
    );
    let json: serde_json::Value = serde_json::from_str(body).expect("valid JSON-LD");
    assert_eq!(json["@type"], "Person");
    assert_eq!(json["name"], "李四</script><b>");
    assert_eq!(json["jobTitle"], "grassroots legal service worker");
    assert_eq!(json["worksFor"]["identifier"], OFFICE);
    let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "@context",
            "@type",
            "identifier",
            "jobTitle",
            "name",
            "url",
            "worksFor"
        ],
        "nothing beyond the public profile"
    );
}

#[actix_web::test]
async fn the_api_speaks_the_asker_s_language_in_its_messages() {
    let app = TestApp::builder().seed(base).await;
    let ask = |path: &str, lang: &str| {
        app.client
            .get(format!("{}{path}", app.address))
            .header("accept-language", lang)
            .send()
    };
    let en: serde_json::Value = ask("/api/v1/search?lat=abc&lng=1", "en")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        en["error"]["message"], "Latitude \"abc\" is not a number.",
        "{en}"
    );
    let zh: serde_json::Value = ask("/api/v1/search?lat=abc&lng=1", "zh-CN")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(zh["error"]["message"], "纬度“abc”不是数字。");
    let en: serde_json::Value = ask("/api/v1/verify", "en")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        en["error"]["message"],
        "Give a license number (license_no)."
    );
}
