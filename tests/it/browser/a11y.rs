//! axe-core in Chromium finds no accessibility violations on the pages
//! residents use.

use super::{Browser, LONGSHA, ZHANG_SAN, file, need, seed};
use crate::helpers::TestApp;

/// The pages checked here and by the markup test: each in Chinese, then
/// each in English. The Chinese ones come first because `?lang=en` also
/// sets the `lang` cookie, which would make the browser's later pages
/// English.
pub fn pages() -> Vec<String> {
    let zh: Vec<String> = vec![
        "/".into(),
        "/search?q=%E5%BC%A0%E4%B8%89".into(),
        format!("/workers/{ZHANG_SAN}"),
        format!("/workers/{ZHANG_SAN}?case_type=civil_litigation&party_a=sichuan_border"),
        format!("/offices/{LONGSHA}"),
        format!("/verify?license_no={ZHANG_SAN}"),
        "/districts".into(),
        "/complaints/new".into(),
        format!("/complaints/correction?subject={ZHANG_SAN}"),
        "/complaints/unlicensed?name=%E5%BC%A0%E4%B8%89".into(),
        "/search?type=disclosure&q=%E8%BF%9D%E8%A7%84%E6%94%B6%E8%B4%B9".into(),
        "/search?type=review".into(),
        "/disclosures?q=%E8%BF%9D%E8%A7%84%E6%94%B6%E8%B4%B9".into(),
    ];
    let en: Vec<String> = zh
        .iter()
        .map(|p| {
            let sep = if p.contains('?') { '&' } else { '?' };
            format!("{p}{sep}lang=en")
        })
        .collect();
    zh.into_iter().chain(en).collect()
}

/// axe's violations, one readable block each.
pub fn readable(violations: &serde_json::Value) -> String {
    let mut out = String::new();
    for v in violations.as_array().into_iter().flatten() {
        out += &format!(
            "- {} ({}): {}\n",
            v["id"].as_str().unwrap_or("?"),
            v["impact"].as_str().unwrap_or("?"),
            v["help"].as_str().unwrap_or("?")
        );
        for n in v["nodes"].as_array().into_iter().flatten().take(5) {
            out += &format!(
                "    {}\n      {}\n",
                n["target"],
                n["failureSummary"]
                    .as_str()
                    .unwrap_or("")
                    .replace('\n', "\n      ")
            );
        }
    }
    out
}

/// The script that runs axe-core in the page and answers its violations.
/// Pasted into the script itself: WebDriver scripts are not subject to the
/// page's Content-Security-Policy, `eval` would be.
pub fn axe_script(axe: &str) -> String {
    format!(
        "var done = arguments[arguments.length - 1];\n{axe}\n;\
         axe.run(document, {{resultTypes: ['violations']}})\
           .then(function (r) {{ done(r.violations); }})\
           .catch(function (e) {{ done({{error: String(e)}}); }});"
    )
}

#[actix_web::test]
async fn axe_finds_no_violations_on_the_public_pages() {
    let test = "axe-core";
    let Some(axe) = need(test, "axe-core (AXE_CORE_JS)", file("AXE_CORE_JS")) else {
        return;
    };
    let axe = std::fs::read_to_string(axe).expect("read axe-core");
    let app = TestApp::builder().seed(seed).await;
    app.wait_for_search().await;
    let Some(b) = Browser::open(test, &app.address).await else {
        return;
    };
    let script = axe_script(&axe);
    let mut failures = String::new();
    for page in pages() {
        let r = b.goto(&page).await;
        b.check("axe-goto", r).await;
        let found = b.async_script(&script).await;
        let found = match found {
            Ok(v) => v,
            Err(e) => {
                b.check("axe-run", Err(e)).await;
                unreachable!()
            }
        };
        assert!(
            found.get("error").is_none(),
            "axe failed on {page}: {found}"
        );
        if found.as_array().is_some_and(|v| !v.is_empty()) {
            failures += &format!("{page}:\n{}", readable(&found));
            let name = format!("axe{}", page.replace(['/', '?', '=', '&', '%'], "_"));
            if let Some(p) = b.screenshot(&name).await {
                eprintln!("screenshot: {}", p.display());
            }
        }
    }
    b.close().await;
    assert!(failures.is_empty(), "axe-core violations:\n{failures}");
}
