//! "Can this worker take my case?": `GET /api/v1/workers/{license_no}/case-check`
//! and the worker page's form, on both backends.

use diesel::prelude::*;
use legal_portal::db::DbConnection;
use legal_portal::db::schema::districts;
use legal_portal::with_backend;
use serde_json::Value;

use crate::helpers::{TestApp, build};

/// Practising, in good standing, at an office in 渝中区 (not on the border).
const GOOD: &str = "45001030001";
/// Suspended.
const SUSPENDED: &str = "45001030002";
/// Revoked.
const REVOKED: &str = "45001030003";
/// Deregistered.
const DEREGISTERED: &str = "45001030004";
/// Practising, at an office in 荣昌区, which borders Sichuan.
const BORDER: &str = "45001530001";
/// Practising, under rectification (may still practise).
const RECTIFYING: &str = "45001030005";

const OFFICE: &str = "31500103001";
const BORDER_OFFICE: &str = "31500153001";

fn seed(c: &mut DbConnection) {
    build::district(c, "500103", "渝中区", 588_717, 2000);
    build::district(c, "500153", "荣昌区", 669_000, 150);
    with_backend!(c, |conn| diesel::update(
        districts::table.filter(districts::code.eq("500153"))
    )
    .set(districts::borders_sichuan.eq(true))
    .execute(conn))
    .expect("mark 荣昌区 as bordering Sichuan");
    build::office(c, OFFICE, "解放碑街道法律服务所", "500103");
    build::office(c, BORDER_OFFICE, "昌元街道法律服务所", "500153");
    build::worker(c, GOOD, "张秀英", OFFICE);
    build::review(c, "worker", GOOD, 2025, "competent", None);
    for (no, name, status) in [
        (SUSPENDED, "刘停", "suspended"),
        (REVOKED, "王销", "revoked"),
        (DEREGISTERED, "赵注", "deregistered"),
    ] {
        build::worker_with(c, no, name, OFFICE, |w| w.status = status.into());
    }
    build::worker(c, BORDER, "陈川", BORDER_OFFICE);
    build::review(c, "worker", BORDER, 2025, "excellent", None);
    build::worker(c, RECTIFYING, "孙改", OFFICE);
    build::review(
        c,
        "worker",
        RECTIFYING,
        2025,
        "not_competent",
        Some("2027-03-31"),
    );
}

fn url(worker: &str, query: &str) -> String {
    format!("/api/v1/workers/{worker}/case-check?{query}")
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

/// Tera escapes `'`, `"`, `&`, `<`, `>` and `/` in what it prints.
fn unescape(page: &str) -> String {
    page.replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn has_han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[actix_web::test]
async fn the_api_answers_yes_and_no_by_case_type_place_and_standing() {
    let app = TestApp::builder().seed(seed).await;
    // (worker, query, answer, a piece of the reason, a piece of the basis)
    let cases = [
        (
            GOOD,
            "case_type=civil_litigation&party_a=municipality",
            "yes",
            "可以。民事诉讼代理要求至少一方当事人住在重庆市",
            "规则 8",
        ),
        (
            GOOD,
            "case_type=administrative_litigation&party_a=elsewhere&party_b=municipality",
            "yes",
            "可以。行政诉讼代理",
            "至少一方当事人须住在重庆市",
        ),
        (
            GOOD,
            "case_type=civil_litigation&party_a=elsewhere&party_b=elsewhere",
            "no",
            "不可以。民事诉讼代理要求至少一方当事人住在重庆市，您的案件没有",
            "至少一方当事人须住在重庆市",
        ),
        (
            GOOD,
            "case_type=civil_litigation&party_a=sichuan_border",
            "no",
            "这位工作者所在区县不与四川毗邻",
            "试点探索",
        ),
        (
            BORDER,
            "case_type=civil_litigation&party_a=sichuan_border&party_b=elsewhere",
            "yes",
            "试点探索",
            "不是已确定的法律规定",
        ),
        (
            BORDER,
            "case_type=administrative_litigation&party_a=elsewhere",
            "no",
            "试点探索中也可以是住在毗邻四川县（区）的当事人",
            "至少一方当事人须住在重庆市",
        ),
        (
            GOOD,
            "case_type=criminal_defence&party_a=municipality",
            "no",
            "基层法律服务工作者不能在刑事案件中担任辩护人",
            "不包括刑事辩护",
        ),
        (
            BORDER,
            "case_type=criminal_defence&party_a=municipality&party_b=municipality",
            "no",
            "不能在刑事案件中担任辩护人",
            "刑事诉讼法",
        ),
        (
            GOOD,
            "case_type=mediation&party_a=elsewhere",
            "yes",
            "可以。参与调解不受当事人住所地限制",
            "不受当事人住所地限制",
        ),
        (
            GOOD,
            "case_type=document_drafting&party_a=sichuan_border&party_b=elsewhere",
            "yes",
            "代写法律事务文书不受当事人住所地限制",
            "规则 8",
        ),
        (
            RECTIFYING,
            "case_type=arbitration&party_a=elsewhere",
            "yes",
            "仲裁代理不受当事人住所地限制",
            "规则 8",
        ),
        (
            SUSPENDED,
            "case_type=legal_advice&party_a=municipality",
            "no",
            "不可以。这位工作者目前不能执业（停止执业）",
            "停止执业期间",
        ),
        (
            REVOKED,
            "case_type=non_litigation&party_a=municipality",
            "no",
            "目前不能执业（已吊销）",
            "吊销",
        ),
        (
            DEREGISTERED,
            "case_type=civil_litigation&party_a=municipality",
            "no",
            "目前不能执业（已注销）",
            "注销",
        ),
    ];
    for (worker, query, answer, reason, basis) in cases {
        let json = app.json(&url(worker, query), 200).await;
        assert_eq!(json["answer"], answer, "{worker} {query}: {json}");
        assert!(
            text(&json, "reason").contains(reason),
            "{worker} {query}: {json}"
        );
        assert!(
            text(&json, "basis").contains(basis),
            "{worker} {query}: {json}"
        );
        assert_eq!(json["demo_data"], false);
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 4, "answer, reason, basis, demo_data: {json}");
    }
}

#[actix_web::test]
async fn the_api_answers_in_english_when_asked() {
    let app = TestApp::builder().seed(seed).await;
    let json = app
        .json(
            &url(
                BORDER,
                "case_type=civil_litigation&party_a=sichuan_border&lang=en",
            ),
            200,
        )
        .await;
    assert_eq!(json["answer"], "yes");
    let reason = text(&json, "reason");
    assert!(
        reason.starts_with("Yes, but only within a pilot.") && reason.contains("not settled law"),
        "{json}"
    );
    assert!(
        !has_han(&reason) && !has_han(&text(&json, "basis")),
        "{json}"
    );

    let res = app
        .client
        .get(format!(
            "{}{}",
            app.address,
            url(GOOD, "case_type=criminal_defence&party_a=municipality")
        ))
        .header("Accept-Language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let json: Value = res.json().await.unwrap();
    assert_eq!(json["answer"], "no");
    assert!(
        text(&json, "reason").contains("do not act as defenders in criminal cases"),
        "{json}"
    );
    assert!(
        text(&json, "basis").contains("Criminal Procedure Law"),
        "{json}"
    );

    let json = app
        .json(
            &url(
                SUSPENDED,
                "case_type=mediation&party_a=municipality&lang=en",
            ),
            200,
        )
        .await;
    assert!(
        text(&json, "reason").starts_with("No. This worker may not practise at present"),
        "{json}"
    );
    assert!(!has_han(&text(&json, "reason")), "{json}");
}

#[actix_web::test]
async fn bad_values_are_a_400_naming_the_parameter_in_the_request_language() {
    let app = TestApp::builder().seed(seed).await;
    for (query, param) in [
        ("party_a=municipality", "case_type"),
        ("case_type=&party_a=municipality", "case_type"),
        ("case_type=criminal&party_a=municipality", "case_type"),
        ("case_type=mediation", "party_a"),
        ("case_type=mediation&party_a=mars", "party_a"),
        (
            "case_type=mediation&party_a=municipality&party_b=mars",
            "party_b",
        ),
    ] {
        let json = app.json(&url(GOOD, query), 400).await;
        assert_eq!(json["error"]["code"], "bad_request", "{query}: {json}");
        assert_eq!(json["error"]["details"]["parameter"], param, "{query}");
        let message = json["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(param) && has_han(message),
            "{query}: {json}"
        );
        let json = app.json(&url(GOOD, &format!("{query}&lang=en")), 400).await;
        let message = json["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(param) && !has_han(message),
            "{query}: {json}"
        );
    }
    let json = app
        .json(
            &url(GOOD, "case_type=criminal&party_a=municipality&lang=en"),
            400,
        )
        .await;
    assert_eq!(
        json["error"]["message"],
        "“criminal” is not a valid case_type; use one of: civil_litigation, \
         administrative_litigation, non_litigation, mediation, arbitration, legal_advice, \
         document_drafting, criminal_defence."
    );
    // An empty party_b is "not given", as the page's form sends it.
    let json = app
        .json(
            &url(GOOD, "case_type=mediation&party_a=municipality&party_b="),
            200,
        )
        .await;
    assert_eq!(json["answer"], "yes");
    // A repeated parameter is the usual bad query.
    let json = app
        .json(
            &url(
                GOOD,
                "case_type=mediation&case_type=arbitration&party_a=municipality",
            ),
            400,
        )
        .await;
    assert_eq!(json["error"]["code"], "bad_request");
    // A malformed license number, as for the profile.
    let json = app
        .json(
            "/api/v1/workers/a!b/case-check?case_type=mediation&party_a=municipality",
            400,
        )
        .await;
    assert_eq!(json["error"]["code"], "invalid_license_no");
}

#[actix_web::test]
async fn an_unknown_worker_is_a_404_like_the_profile() {
    let app = TestApp::builder().seed(seed).await;
    let query = "case_type=mediation&party_a=municipality";
    let json = app.json(&url("45009999999", query), 404).await;
    let profile = app.json("/api/v1/workers/45009999999", 404).await;
    assert_eq!(json["error"]["code"], "not_found");
    assert_eq!(json["error"]["message"], profile["error"]["message"]);
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("没有执业证号为 45009999999 的法律服务工作者"),
        "{json}"
    );
    let json = app
        .json(&url("45009999999", &format!("{query}&lang=en")), 404)
        .await;
    let message = json["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("45009999999") && !has_han(message),
        "{json}"
    );
    // An office's number is not a worker's.
    app.json(&url(OFFICE, query), 404).await;
}

#[actix_web::test]
async fn the_page_form_shows_the_same_sentence_as_the_api() {
    let app = TestApp::builder().seed(seed).await;
    let page = app.text(&format!("/workers/{GOOD}"), 200).await;
    assert!(
        page.contains("<select id=\"case_type\" name=\"case_type\">"),
        "{page}"
    );
    for key in [
        "civil_litigation",
        "administrative_litigation",
        "non_litigation",
        "mediation",
        "arbitration",
        "legal_advice",
        "document_drafting",
        "criminal_defence",
    ] {
        assert!(page.contains(&format!("<option value=\"{key}\">")), "{key}");
    }
    assert!(
        !page.contains("class=\"case-answer\""),
        "no answer before asking"
    );

    for (worker, query) in [
        (BORDER, "case_type=civil_litigation&party_a=sichuan_border"),
        (GOOD, "case_type=civil_litigation&party_a=sichuan_border"),
        (GOOD, "case_type=criminal_defence&party_a=municipality"),
        (SUSPENDED, "case_type=mediation&party_a=elsewhere"),
        (
            GOOD,
            "case_type=legal_advice&party_a=elsewhere&party_b=municipality",
        ),
    ] {
        for lang in ["zh", "en"] {
            let query = format!("{query}&lang={lang}");
            let json = app.json(&url(worker, &query), 200).await;
            let page = unescape(&app.text(&format!("/workers/{worker}?{query}"), 200).await);
            let reason = text(&json, "reason");
            let basis = text(&json, "basis");
            assert!(page.contains(&reason), "{worker} {query}: {reason}\n{page}");
            assert!(page.contains(&basis), "{worker} {query}: {basis}");
            assert!(
                page.contains("class=\"case-answer\" role=\"status\""),
                "{query}"
            );
        }
    }
    // The choices stay chosen.
    let page = app
        .text(
            &format!(
                "/workers/{GOOD}?case_type=arbitration&party_a=elsewhere&party_b=municipality"
            ),
            200,
        )
        .await;
    assert!(page.contains("<option value=\"arbitration\" selected>"));
    assert!(page.contains("<option value=\"elsewhere\" selected>"));
    assert!(page.contains("<option value=\"municipality\" selected>"));

    // A bad value on the page says what is wrong, in the page's language.
    let page = app
        .text(
            &format!("/workers/{GOOD}?case_type=murder&party_a=municipality&lang=en"),
            200,
        )
        .await;
    assert!(
        unescape(&page).contains("“murder” is not a valid case_type"),
        "{page}"
    );
    assert!(!page.contains("class=\"case-answer\""));
    let page = app
        .text(&format!("/workers/{GOOD}?party_a=municipality"), 200)
        .await;
    assert!(
        page.contains("请先选择案件类型"),
        "a missing case type is asked for in words: {page}"
    );
}

/// The form's options, as the page lists them: value, whether chosen, label.
fn options(page: &str) -> Vec<(String, bool, String)> {
    page.split("<option value=\"")
        .skip(1)
        .map(|rest| {
            let (value, rest) = rest.split_once('"').expect("a quoted value");
            let (attrs, rest) = rest.split_once('>').expect("the option's tag ends");
            let (label, _) = rest.split_once("</option>").expect("the option ends");
            (
                value.to_owned(),
                attrs.contains("selected"),
                label.to_owned(),
            )
        })
        .collect()
}

/// The form with nothing chosen is the same for every worker, so the portal
/// keeps it rendered per language: each language keeps its own labels, and
/// a page with choices neither shows another page's choices nor leaves its
/// own in the form the next worker gets. Each language is first asked with
/// choices, so a form kept from the first render whatever it chose shows.
#[actix_web::test]
async fn the_unchosen_form_is_in_the_pages_language_and_chooses_nothing() {
    let app = TestApp::builder().seed(seed).await;
    for (worker, query, lang) in [
        (
            GOOD,
            "case_type=arbitration&party_a=elsewhere&lang=en",
            "en",
        ),
        (BORDER, "lang=en", "en"),
        (
            GOOD,
            "case_type=mediation&party_a=municipality&party_b=elsewhere",
            "zh",
        ),
        (BORDER, "lang=zh", "zh"),
        (RECTIFYING, "lang=en", "en"),
        (GOOD, "party_b=sichuan_border&lang=en", "en"),
        (SUSPENDED, "", "zh"),
        (GOOD, "lang=en", "en"),
    ] {
        let page = unescape(&app.text(&format!("/workers/{worker}?{query}"), 200).await);
        let options = options(&page);
        // Eight case types, then party A's three places, then party B's
        // "not given" and three places.
        assert_eq!(options.len(), 8 + 3 + 4, "{worker}?{query}: {options:?}");
        let label = |value: &str| {
            options
                .iter()
                .find(|(v, _, _)| v == value)
                .map(|(_, _, l)| l.as_str())
                .unwrap_or_default()
        };
        let (civil, municipality, check) = match lang {
            "en" => ("Civil litigation", "Chongqing Municipality", "Check"),
            _ => ("民事诉讼代理", "重庆市", "查看"),
        };
        assert_eq!(label("civil_litigation"), civil, "{worker}?{query}");
        assert_eq!(label("municipality"), municipality, "{worker}?{query}");
        assert!(
            page.contains(&format!("<button type=\"submit\">{check}</button>")),
            "{worker}?{query}"
        );
        let chosen: Vec<&str> = options
            .iter()
            .filter(|(_, selected, _)| *selected)
            .map(|(v, _, _)| v.as_str())
            .collect();
        let asked: Vec<&str> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .filter(|(k, _)| *k != "lang")
            .map(|(_, v)| v)
            .collect();
        assert_eq!(chosen, asked, "{worker}?{query}");
    }
}

#[actix_web::test]
async fn the_case_check_is_in_the_api_document() {
    let app = TestApp::builder().start().await;
    let doc = app.json("/api/v1/openapi.json", 200).await;
    let op = &doc["paths"]["/api/v1/workers/{license_no}/case-check"]["get"];
    assert!(op.is_object(), "{}", doc["paths"]);
    let params = op["parameters"].as_array().unwrap();
    let param = |name: &str| {
        params
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {params:?}"))
            .clone()
    };
    assert_eq!(param("case_type")["required"], true);
    assert_eq!(param("party_a")["required"], true);
    assert_eq!(param("party_b")["required"], false);
    assert_eq!(
        doc["components"]["schemas"]["CaseType"]["enum"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
    assert_eq!(
        doc["components"]["schemas"]["PartyPlace"]["enum"],
        serde_json::json!(["municipality", "sichuan_border", "elsewhere"])
    );
    for status in ["200", "400", "404"] {
        assert!(op["responses"][status].is_object(), "{status}");
    }
}

/// An old link or a half-filled form asks for the missing choice in words,
/// never by a parameter's name.
#[actix_web::test]
async fn a_half_filled_form_asks_in_words() {
    let app = TestApp::builder().seed(seed).await;
    let page = app
        .text(&format!("/workers/{GOOD}?party_a=municipality"), 200)
        .await;
    assert!(page.contains("请先选择案件类型"), "{page}");
    assert!(
        !page.contains("请提供"),
        "no parameter names in the message"
    );
    let en = app
        .text(
            &format!("/workers/{GOOD}?party_a=municipality&lang=en"),
            200,
        )
        .await;
    assert!(en.contains("Choose the type of case"));
}
