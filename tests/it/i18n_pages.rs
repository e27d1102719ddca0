//! Every public page in English: no Chinese left in the interface (only in
//! names, places and other data), the Chinese pages unchanged, and
//! snapshots of key fragments in both languages.

use legal_portal::db::DbConnection;

use crate::helpers::{TestApp, assert_snapshot, build};

const WORKER: &str = "45001030001";
const OTHER_WORKER: &str = "45001030002";
const OFFICE: &str = "31500103001";
const OLD_OFFICE: &str = "31500103002";
const DECISION: &str = "渝中司罚〔2026〕7号";

/// The data values seeded below (and the builders' defaults): the only
/// Chinese an English page may show, besides the glossary and the switch.
const DATA: &[&str] = &[
    "解放碑街道法律服务所",
    "石油路街道法律服务所",
    "张秀英",
    "李建国",
    "渝中区",
    "重庆市某区某镇1号",
    "周一至周五",
    "周立",
    "民事代理",
    "法律咨询",
    "人民调解",
    "石桥村法律顾问",
    "重庆市渝中区司法局",
    "重庆市司法局",
    "事实",
    DECISION,
    "《基层法律服务工作者管理办法》第四十二条",
    "优秀法律服务工作者",
];

fn seed(c: &mut DbConnection) {
    build::district(c, "500103", "渝中区", 588_717, 2000);
    build::office(c, OFFICE, "解放碑街道法律服务所", "500103");
    build::office(c, OLD_OFFICE, "石油路街道法律服务所", "500103");
    build::worker(c, WORKER, "张秀英", OFFICE);
    build::worker(c, OTHER_WORKER, "李建国", OFFICE);
    build::review(c, "worker", WORKER, 2025, "competent", None);
    build::review(c, "office", OFFICE, 2025, "pass", None);
    build::review(
        c,
        "worker",
        OTHER_WORKER,
        2025,
        "not_competent",
        Some("2027-03-31"),
    );
    build::action(c, DECISION, WORKER, "warning", "2026-06-01", |_| {});
    build::commendation(c, WORKER, "优秀法律服务工作者", "2024-12-01");
    build::transfer(c, WORKER, OLD_OFFICE, OFFICE, "2020-01-01");
}

/// Han characters, and the CJK and full-width punctuation that has no place
/// in English text either (（）、，。： — but not “”, which English uses).
fn is_han(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{ff00}'..='\u{ffef}')
}

/// Cuts every `open…close` block out of `page`.
fn cut(page: &str, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut rest = page;
    while let Some(i) = rest.find(open) {
        out.push_str(&rest[..i]);
        match rest[i..].find(close) {
            Some(j) => rest = &rest[i + j + close.len()..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a reader meets on the page: the text between tags plus the
/// `title` and `aria-label` attributes; scripts (JSON-LD is data), the
/// glossary note (it names the Chinese terms on purpose) and the language
/// switch (its label is in Chinese on purpose) left out.
fn reader_text(page: &str) -> String {
    let page = cut(page, "<script", "</script>");
    let page = cut(&page, "<p class=\"glossary\">", "</p>");
    let page = cut(&page, "<a class=\"lang-switch\"", "</a>");
    let mut text = String::new();
    let mut rest = page.as_str();
    while let Some(i) = rest.find('<') {
        text.push_str(&rest[..i]);
        let end = rest[i..].find('>').map_or(rest.len(), |j| i + j + 1);
        let tag = &rest[i..end];
        // A highlight is inside a word: `<mark>张</mark>秀英` reads 张秀英.
        if tag != "<mark>" && tag != "</mark>" {
            text.push(' ');
        }
        for attr in ["title=\"", "aria-label=\""] {
            if let Some(a) = tag.find(attr) {
                let v = &tag[a + attr.len()..];
                text.push_str(&v[..v.find('"').unwrap_or(v.len())]);
                text.push(' ');
            }
        }
        rest = &rest[end..];
    }
    text.push_str(rest);
    text.replace("&#x2F;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The Chinese left in an English page once the data values are taken out:
/// each run of Han characters with a little context.
fn chinese_left(page: &str, data: &[&str]) -> Vec<String> {
    let mut text = reader_text(page);
    let mut data = data.to_vec();
    data.sort_by_key(|d| std::cmp::Reverse(d.len()));
    for d in data {
        text = text.replace(d, " ");
    }
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_han(chars[i]) {
            let start = i.saturating_sub(20);
            let mut end = i;
            while end < chars.len() && (is_han(chars[end]) || !chars[end].is_ascii()) {
                end += 1;
            }
            found.push(chars[start..(end + 20).min(chars.len())].iter().collect());
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

/// The text between the first `open` and the next `close`, both included.
fn fragment<'a>(page: &'a str, open: &str, close: &str) -> &'a str {
    let start = page
        .find(open)
        .unwrap_or_else(|| panic!("no {open} in:\n{page}"));
    let rest = &page[start..];
    &rest[..rest.find(close).map_or(rest.len(), |e| e + close.len())]
}

/// The certificate code printed on a certificate page.
fn certificate_code(page: &str) -> String {
    let dd = fragment(page, "<dd class=\"mono\">", "</dd>");
    dd.trim_start_matches("<dd class=\"mono\">")
        .trim_end_matches("</dd>")
        .to_owned()
}

#[test]
fn the_han_check_sees_interface_text_and_attributes_but_not_data() {
    let page = r#"<title>张三 · Profile</title><p class="glossary">基层</p><a class="lang-switch" href="/">中文</a><nav aria-label="主导航"></nav><p>Name: 张三</p>"#;
    assert_eq!(chinese_left(page, &["张三"]).len(), 1, "the aria-label");
    assert!(chinese_left(&page.replace("主导航", "Main"), &["张三"]).is_empty());
    assert!(!chinese_left(&page.replace("主导航", "Main"), &[]).is_empty());
}

#[actix_web::test]
async fn every_public_page_is_english_on_request_except_its_data() {
    let app = TestApp::builder().seed(seed).await;
    let cert = app
        .text(&format!("/offices/{OFFICE}/certificate?lang=en"), 200)
        .await;
    let code = certificate_code(&cert);
    let pages: Vec<(String, u16, &str)> = vec![
        ("/".into(), 200, "Find a grassroots legal service office"),
        (
            "/search?q=%E5%BC%A0".into(),
            200,
            "Find legal service offices and workers",
        ),
        ("/search?type=office".into(), 200, " results, 1–"),
        ("/search?q=zzzzzz".into(), 200, "No results"),
        (format!("/offices/{OFFICE}"), 200, "Practitioners (2)"),
        (
            format!("/workers/{WORKER}"),
            200,
            "Can this worker take my case?",
        ),
        (
            format!("/workers/{OTHER_WORKER}?case_type=civil_litigation&party_a=elsewhere"),
            200,
            "No. ",
        ),
        (
            format!(
                "/workers/{WORKER}?case_type=civil_litigation&party_a=municipality&party_b=elsewhere"
            ),
            200,
            "Yes. ",
        ),
        (
            format!("/verify?license_no={WORKER}"),
            200,
            "Verify practising status",
        ),
        (
            "/verify?license_no=45009999999".into(),
            404,
            "No grassroots legal service worker",
        ),
        (
            "/verify?license_no=%21%21".into(),
            400,
            "The licence number is malformed",
        ),
        (
            "/districts".into(),
            200,
            "Lawyers and legal services by district",
        ),
        ("/districts/500103".into(), 200, "Annual review results"),
        (
            "/districts/999999".into(),
            404,
            "No district has the code 999999.",
        ),
        ("/disclosures".into(), 200, "Disciplinary disclosures"),
        ("/announcements".into(), 200, "Announcements"),
        (
            "/announcements/999999".into(),
            404,
            "There is no such announcement.",
        ),
        (
            "/complaints/new".into(),
            200,
            "Complain about a grassroots legal service office or worker",
        ),
        (
            format!("/complaints/new?subject={WORKER}"),
            200,
            "Complaint about:",
        ),
        ("/complaints/status".into(), 200, "Complaint progress"),
        (
            format!("/complaints/correction?subject={WORKER}"),
            200,
            "Profile with wrong information:",
        ),
        (
            "/complaints/unlicensed".into(),
            200,
            "Report unlicensed practice",
        ),
        (
            format!("/workers/{WORKER}/certificate"),
            200,
            "Certificate of practising status",
        ),
        (
            format!("/certificates/{code}"),
            200,
            "This is a genuine certificate",
        ),
        (
            "/certificates/nonsense".into(),
            400,
            "The certificate code is malformed",
        ),
        (
            "/certificates/ABCD-EFGH-JKMN-PQRS".into(),
            404,
            "This register has issued no certificate",
        ),
        (
            "/lookup?license_no=45009999999".into(),
            404,
            "Please check the number",
        ),
        (
            "/no-such-page".into(),
            404,
            "The page or record you asked for was not found.",
        ),
    ];
    let mut failures = Vec::new();
    for (path, status, heading) in &pages {
        let sep = if path.contains('?') { '&' } else { '?' };
        let en = app.text(&format!("{path}{sep}lang=en"), *status).await;
        assert!(en.contains(r#"<html lang="en">"#), "{path}");
        assert!(
            en.contains(heading) || en.contains(&heading.replace('\'', "&#x27;")),
            "{path}: no “{heading}” in:\n{en}"
        );
        // The typed query is data too (shown in the title and the hits).
        let mut data = DATA.to_vec();
        if path.contains("q=%E5%BC%A0") {
            data.push("张");
        }
        let left = chinese_left(&en, &data);
        if !left.is_empty() {
            failures.push(format!("{path}: {left:?}"));
        }
        let zh = app.text(&format!("{path}{sep}lang=zh"), *status).await;
        assert!(zh.contains(r#"<html lang="zh-CN">"#), "{path}");
        assert!(
            !zh.contains(heading),
            "{path}: the Chinese page shows the English “{heading}”"
        );
    }
    assert!(
        failures.is_empty(),
        "Chinese interface text on English pages:\n{}",
        failures.join("\n")
    );
}

#[actix_web::test]
async fn labels_and_standing_reasons_follow_the_page_but_the_api_stays_chinese() {
    let app = TestApp::builder().seed(seed).await;
    let en = app.text(&format!("/workers/{WORKER}?lang=en"), 200).await;
    assert!(
        en.contains(">Disciplinary record on disclosure</span>"),
        "{en}"
    );
    assert!(
        en.contains(&format!("Warning ({DECISION}), disclosed until ")),
        "{en}"
    );
    assert!(en.contains("<td>Competent</td>"), "{en}");
    let zh = app.text(&format!("/workers/{WORKER}"), 200).await;
    assert!(zh.contains(">有公示中的不良信息</span>"), "{zh}");
    assert!(
        zh.contains(&format!("受到警告（{DECISION}），公示至")),
        "{zh}"
    );

    // The API serves data: Chinese labels whatever the language asked.
    for path in [
        format!("/api/v1/verify?license_no={WORKER}&lang=en"),
        format!("/api/v1/verify?license_no={WORKER}"),
    ] {
        let json = app.json(&path, 200).await;
        let text = json.to_string();
        assert!(text.contains("有公示中的不良信息"), "{path}: {text}");
        assert!(!text.contains("Disciplinary record"), "{path}: {text}");
    }
}

#[actix_web::test]
async fn error_messages_follow_the_request_language_json_defaults_to_chinese() {
    let app = TestApp::builder().seed(seed).await;
    let zh = app.json("/api/v1/no-such-thing", 404).await;
    assert_eq!(zh["error"]["message"], "未找到您要的页面或记录。");
    let en = app.json("/api/v1/no-such-thing?lang=en", 404).await;
    assert_eq!(
        en["error"]["message"],
        "The page or record you asked for was not found."
    );
    let by_header = app
        .client
        .get(format!("{}/api/v1/no-such-thing", app.address))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(by_header["error"]["message"], en["error"]["message"]);
    assert_eq!(by_header["error"]["code"], "not_found");

    let page = app.text("/offices/31599999999?lang=en", 404).await;
    assert!(
        page.contains("No legal service office holds practice permit number 31599999999."),
        "{page}"
    );
    let page = app.text("/offices/31599999999", 404).await;
    assert!(
        page.contains("没有执业许可证号为 31599999999 的法律服务所。"),
        "{page}"
    );
}

#[actix_web::test]
async fn key_fragments_match_their_snapshots_in_both_languages() {
    let app = TestApp::builder().seed(seed).await;
    for lang in ["zh", "en"] {
        let office = app
            .text(&format!("/offices/{OFFICE}?lang={lang}"), 200)
            .await;
        assert_snapshot(
            &format!("office-header.{lang}"),
            fragment(&office, "<article class=\"profile\">", "</header>"),
        );
        let verify = app
            .text(&format!("/verify?license_no={WORKER}&lang={lang}"), 200)
            .await;
        assert_snapshot(
            &format!("verify-verdict.{lang}"),
            fragment(&verify, "<section class=\"verdict\"", "</section>"),
        );
        let worker = app
            .text(
                &format!("/workers/{OTHER_WORKER}?case_type=civil_litigation&party_a=elsewhere&lang={lang}"),
                200,
            )
            .await;
        assert_snapshot(
            &format!("worker-credit-and-case.{lang}"),
            fragment(
                &worker,
                "<section aria-labelledby=\"standing-h\">",
                "<section aria-labelledby=\"commendations-h\">",
            ),
        );
        let districts = app.text(&format!("/districts?lang={lang}"), 200).await;
        assert_snapshot(
            &format!("districts-table.{lang}"),
            fragment(&districts, "<table class=\"districts\">", "</table>"),
        );
        let form = app
            .text(
                &format!("/complaints/new?subject={WORKER}&lang={lang}"),
                200,
            )
            .await;
        let form = fragment(&form, "<form class=\"complaint\"", "</form>");
        let token = fragment(form, "name=\"csrf_token\" value=\"", "\">");
        assert_snapshot(
            &format!("complaint-form.{lang}"),
            &form.replace(token, "name=\"csrf_token\" value=\"[token]\">"),
        );
    }
}
