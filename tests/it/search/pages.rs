//! `/search`, the home page's "near me", `/api/v1/search` errors and
//! `POST /admin/api/reindex`, as a resident or a clerk sees them.

use diesel::prelude::*;
use legal_portal::db::outbox;
use legal_portal::db::schema::{audit_log, offices};
use legal_portal::db::tokens;
use legal_portal::domain::vocab::{SubjectKind, TokenScope};

use super::conformance::{LONGSHA, ZHANG_SAN, seed};
use crate::helpers::TestApp;

#[actix_web::test]
async fn the_search_page_shows_hits_badges_facets_and_pages_without_javascript() {
    let app = TestApp::builder().seed(seed).await;
    let page = app.text("/search?q=%E5%BC%A0%E4%B8%89", 200).await;
    assert!(
        page.contains("<mark>张三</mark>"),
        "the match is marked:\n{page}"
    );
    assert!(
        page.contains(&format!("href=\"/workers/{ZHANG_SAN}\"")),
        "{page}"
    );
    assert!(
        page.contains("badge standing-good_standing"),
        "standing badge:\n{page}"
    );
    assert!(page.contains("共 1 条结果"), "{page}");
    assert!(!page.contains("<script"), "the page needs no script");

    let page = app.text("/search?type=worker&per_page=5", 200).await;
    assert!(page.contains("共 15 条结果，第 1–5 条"), "{page}");
    assert!(page.contains("第 1 / 3 页"), "{page}");
    // Tera escapes "/" and "&" in attributes; browsers read them back.
    assert!(
        page.contains("rel=\"next\" href=\"&#x2F;search?page=2&amp;per_page=5&amp;type=worker\""),
        "{page}"
    );
    // Facets are links that apply the filter.
    assert!(
        page.contains("万州区</a> <span class=\"count\">14</span>"),
        "{page}"
    );
    assert!(
        page.contains("&#x2F;search?district=500101&amp;per_page=5&amp;type=worker"),
        "{page}"
    );

    let page = app.text("/search?type=worker&per_page=5&page=3", 200).await;
    assert!(page.contains("第 11–15 条"), "{page}");
    assert!(page.contains("rel=\"prev\""), "{page}");
    assert!(!page.contains("rel=\"next\""), "{page}");
}

#[actix_web::test]
async fn the_search_page_explains_bad_input_in_chinese() {
    let app = TestApp::builder().seed(seed).await;
    let page = app.text("/search?lat=abc&lng=106.5", 400).await;
    assert!(page.contains("纬度“abc”不是数字"), "{page}");
    let body = app.json("/api/v1/search?type=lawyer", 400).await;
    assert_eq!(body["error"]["code"], "bad_request", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("类型“lawyer”无效"),
        "{body}"
    );
    assert_eq!(body["error"]["details"]["parameter"], "type");
    let body = app.json("/api/v1/search?radius_km=5", 400).await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("需要同时提供位置"),
        "{body}"
    );
    let body = app.json("/api/v1/search?page=0", 400).await;
    assert_eq!(body["error"]["details"]["parameter"], "page", "{body}");
}

#[actix_web::test]
async fn the_home_page_offers_offices_near_me_with_a_district_fallback() {
    let app = TestApp::builder().seed(seed).await;
    let page = app.text("/", 200).await;
    assert!(page.contains("附近的法律服务所"), "{page}");
    assert!(
        page.contains("<option value=\"500101\">万州区</option>"),
        "{page}"
    );
    assert!(page.contains("src=\"/static/near-me.js\""), "{page}");
    assert!(!page.contains("即将上线"), "the placeholder is gone");
    let js = app.get("/static/near-me.js").await;
    assert_eq!(js.status(), 200);
    assert!(js.text().await.unwrap_or_default().contains("geolocation"));
    // Without a position: the district choice.
    let page = app.text("/search?type=office&district=500101", 200).await;
    assert!(
        page.contains("龙沙镇法律服务所") && page.contains("高笋塘街道法律服务所"),
        "{page}"
    );
    assert!(!page.contains("荔枝街道法律服务所"), "{page}");
    // With a position: nearest first, with the distance.
    let page = app
        .text("/search?type=office&lat=30.79&lng=108.38&radius_km=10", 200)
        .await;
    assert!(page.contains("距离约 955 米"), "{page}");
    assert!(page.contains("距离约 2.9 公里"), "{page}");
}

#[actix_web::test]
async fn the_api_answers_hits_total_facets_and_backend() {
    let app = TestApp::builder().seed(seed).await;
    let body = app
        .json(
            "/api/v1/search?q=%E9%BE%99%E6%B2%99&lat=30.79&lng=108.38",
            200,
        )
        .await;
    assert_eq!(body["backend"], "embedded");
    // The office, then the two workers of the office named 龙沙.
    assert_eq!(body["total"], 3, "{body}");
    let hit = &body["hits"][0];
    assert_eq!(hit["type"], "office");
    assert_eq!(hit["license_no"], LONGSHA);
    assert_eq!(hit["name"], "龙沙镇法律服务所");
    assert_eq!(hit["district_code"], "500101");
    assert_eq!(hit["standing"], "not_reviewed");
    assert!(hit["distance_m"].as_f64().is_some(), "{hit}");
    assert_eq!(body["facets"]["type"]["office"], 1);
    assert_eq!(body["facets"]["type"]["worker"], 2);
    assert_eq!(body["page"], 1);
    assert_eq!(body["demo_data"], false);
}

#[actix_web::test]
async fn an_office_change_reaches_search_through_the_outbox() {
    let app = TestApp::builder().seed(seed).await;
    {
        let mut c = app.conn();
        c.transaction::<_, legal_portal::db::DbError, _>(|c| {
            diesel::update(offices::table.find(LONGSHA))
                .set(offices::name.eq("龙沙镇第一法律服务所"))
                .execute(c)?;
            outbox::enqueue(c, SubjectKind::Office, &[LONGSHA.to_owned()])
        })
        .expect("rename the office");
    }
    app.wait_for_search().await;
    let body = app.json("/api/v1/search?q=%E7%AC%AC%E4%B8%80", 200).await;
    assert_eq!(body["hits"][0]["license_no"], LONGSHA, "{body}");
    // Its workers carry the office's name as well.
    let body = app
        .json(&format!("/api/v1/search?q={ZHANG_SAN}"), 200)
        .await;
    assert_eq!(body["total"], 1);
    assert_eq!(app.conn_outbox_due(), 0);
}

#[actix_web::test]
async fn reindex_needs_an_admin_token_and_is_audited() {
    let app = TestApp::builder().seed(seed).await;
    let url = format!("{}/admin/api/reindex", app.address);
    let resp = app
        .client
        .post(&url)
        .send()
        .await
        .expect("reach the portal");
    assert_eq!(resp.status(), 401);
    let token = tokens::create(&mut app.conn(), "search-clerk", TokenScope::Admin).expect("token");
    let resp = app
        .client
        .post(&url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("reach the portal");
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["documents"], 19, "{body}");
    assert_eq!(body["backend"], "embedded");
    let logged: Vec<(String, String)> = audit_log::table
        .select((audit_log::actor, audit_log::action))
        .load(&mut app.conn())
        .expect("audit log");
    assert!(
        logged.contains(&("search-clerk".into(), "search.reindex".into())),
        "{logged:?}"
    );
    let body = app.json("/api/v1/search?q=zhangsan", 200).await;
    assert_eq!(body["hits"][0]["license_no"], ZHANG_SAN);
}

/// The search form's three selects, as the page shows them.
fn form_selects(page: &str) -> &str {
    let start = page.find("<select name=\"type\">").unwrap_or(0);
    let end = page[start..]
        .find("<input type=\"hidden\"")
        .or_else(|| page[start..].find("</form>"))
        .map_or(page.len(), |e| start + e);
    &page[start..end]
}

#[actix_web::test]
async fn the_form_s_selects_show_each_choice_in_the_reader_s_language_and_new_districts() {
    // No page cache: every page here is rendered.
    let app = TestApp::builder()
        .settings(|s| s.page_cache_ttl = std::time::Duration::ZERO)
        .seed(seed)
        .await;
    let plain = "/search?q=%E5%BC%A0%E4%B8%89";
    let page = app.text(plain, 200).await;
    assert_eq!(select_options(&page), ["500101", "500102"], "{page}");
    assert!(!form_selects(&page).contains(" selected"), "{page}");

    // Each choice is shown chosen.
    let page = app
        .text(
            "/search?q=%E5%BC%A0%E4%B8%89&type=worker&district=500102&standing=good_standing",
            200,
        )
        .await;
    let selects = form_selects(&page);
    for chosen in [
        "<option value=\"worker\" selected>",
        "<option value=\"500102\" selected>",
        "<option value=\"good_standing\" selected>",
    ] {
        assert!(selects.contains(chosen), "{chosen} in:\n{selects}");
    }
    assert_eq!(selects.matches(" selected").count(), 3, "{selects}");
    // One choice at a time, then none again: a search's choices are its own.
    for (path, chosen) in [
        ("&type=office", "<option value=\"office\" selected>"),
        ("&district=500101", "<option value=\"500101\" selected>"),
        (
            "&standing=good_standing",
            "<option value=\"good_standing\" selected>",
        ),
    ] {
        let page = app.text(&format!("{plain}{path}"), 200).await;
        let selects = form_selects(&page);
        assert!(selects.contains(chosen), "{chosen} in:\n{selects}");
        assert_eq!(selects.matches(" selected").count(), 1, "{selects}");
    }
    let page = app.text(plain, 200).await;
    assert!(!form_selects(&page).contains(" selected"), "{page}");
    assert!(
        form_selects(&page).contains(">法律服务所</option>"),
        "{page}"
    );

    // In English for a reader of English, and in Chinese again after.
    let english = app
        .client
        .get(format!("{}{plain}", app.address))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .expect("request reaches the portal")
        .text()
        .await
        .expect("a page");
    let selects = form_selects(&english);
    assert!(
        selects.contains("<option value=\"\">All</option>")
            && selects.contains(">Legal service office</option>")
            && !selects.contains("法律服务所"),
        "{selects}"
    );
    let page = app.text(plain, 200).await;
    assert!(
        form_selects(&page).contains(">法律服务所</option>"),
        "{page}"
    );

    // A district imported is offered by the next search.
    app.import_csv(
        "districts",
        "区县代码,区县名称,类型,常住人口,律师人数\n500103,渝中区,区,600000,100\n",
    )
    .await;
    let page = app.text(plain, 200).await;
    assert_eq!(
        select_options(&page),
        ["500101", "500102", "500103"],
        "{page}"
    );
    assert!(page.contains(">渝中区</option>"), "{page}");
}

/// The districts the search form's select offers (their codes).
fn select_options(page: &str) -> Vec<String> {
    let select = page
        .split("<select name=\"district\">")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .unwrap_or_default();
    select
        .split("<option value=\"")
        .skip(2) // the text before, and "all"
        .filter_map(|o| o.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[actix_web::test]
async fn beyond_a_hundred_districts_the_form_offers_those_of_the_results_and_the_chosen_one() {
    // A province's districts are all offered.
    let app = TestApp::builder().seed(seed).await;
    let page = app.text("/search?q=%E5%BC%A0%E4%B8%89", 200).await;
    assert_eq!(select_options(&page), ["500101", "500102"], "{page}");

    // The nation's: 150 more districts without offices.
    let app = TestApp::builder()
        .seed(|c| {
            seed(c);
            for i in 0..150 {
                crate::helpers::build::district(
                    c,
                    &format!("13{i:04}"),
                    &format!("县{i}"),
                    100_000,
                    10,
                );
            }
        })
        .await;
    let page = app.text("/search?q=%E5%BC%A0%E4%B8%89", 200).await;
    assert_eq!(
        select_options(&page),
        ["500101"],
        "only the district of the results is offered, not 152:\n{page}"
    );
    // A district chosen, even one without results, stays chosen.
    let page = app
        .text("/search?q=%E5%BC%A0%E4%B8%89&district=130007", 200)
        .await;
    assert!(
        page.contains("<option value=\"130007\" selected>县7</option>"),
        "{page}"
    );
    assert!(select_options(&page).len() <= 2, "{page}");
}

#[actix_web::test]
async fn a_rebuild_runs_alone_and_the_outbox_waits_for_it() {
    use legal_portal::db::meta;
    let app = TestApp::builder().seed(seed).await;
    app.wait_for_search().await;
    let token = tokens::create(&mut app.conn(), "search-clerk", TokenScope::Admin).expect("token");
    let reindex = || {
        app.client
            .post(format!("{}/admin/api/reindex", app.address))
            .bearer_auth(&token)
            .header("accept-language", "en")
            .send()
    };
    // Another portal on this database is rebuilding (its claim is fresh):
    // a second rebuild is refused, and nothing is drained into the index
    // that rebuild will replace.
    let now = chrono::Utc::now().naive_utc();
    assert_eq!(meta::claim_rebuild(&mut app.conn(), now).unwrap(), None);
    let resp = reindex().await.unwrap();
    assert_eq!(resp.status(), 409);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "conflict", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already being rebuilt"),
        "{body}"
    );
    {
        let mut c = app.conn();
        c.transaction::<_, legal_portal::db::DbError, _>(|c| {
            diesel::update(offices::table.find(LONGSHA))
                .set(offices::name.eq("龙沙镇第一法律服务所"))
                .execute(c)?;
            outbox::enqueue(c, SubjectKind::Office, &[LONGSHA.to_owned()])
        })
        .expect("rename the office");
    }
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(app.conn_outbox_due(), 1, "the row waits for the rebuild");
    // The rebuild ends: the row is drained into the new index.
    meta::release_rebuild(&mut app.conn()).unwrap();
    app.wait_for_search().await;
    let body = app.json("/api/v1/search?q=%E7%AC%AC%E4%B8%80", 200).await;
    assert_eq!(body["hits"][0]["license_no"], LONGSHA, "{body}");

    // A running rebuild renews its claim: renewed 10 s ago, a claim made
    // long ago still holds, and says when that rebuild started.
    let started = now - chrono::TimeDelta::minutes(30);
    assert_eq!(meta::claim_rebuild(&mut app.conn(), started).unwrap(), None);
    meta::rebuild_beat(&mut app.conn(), now - chrono::TimeDelta::seconds(10)).unwrap();
    assert_eq!(
        meta::rebuild_started(&mut app.conn(), now).unwrap(),
        Some(started)
    );
    meta::release_rebuild(&mut app.conn()).unwrap();
    // A claim left by a rebuild that died (no renewal for a minute) lapses.
    let long_ago = now - chrono::TimeDelta::minutes(1);
    assert_eq!(
        meta::claim_rebuild(&mut app.conn(), long_ago).unwrap(),
        None
    );
    let resp = reindex().await.unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    assert_eq!(
        meta::rebuild_started(&mut app.conn(), chrono::Utc::now().naive_utc()).unwrap(),
        None,
        "released after the rebuild"
    );
}
