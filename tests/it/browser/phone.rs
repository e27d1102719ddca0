//! A 390 px phone screen: the worker page with a case answer shown and the
//! certificate pages fit its width in both languages (nothing scrolls
//! sideways).

use serde_json::json;

use super::{Browser, ZHANG_SAN, ensure, seed};
use crate::helpers::TestApp;

const PHONE_WIDTH: u64 = 390;

/// The page's width against the phone's, naming the widest elements when
/// it does not fit.
async fn fits(b: &Browser, path: &str) -> Result<(), String> {
    b.goto(path).await?;
    b.wait_path(path.split('?').next().unwrap_or(path)).await?;
    let inner = b.script("return window.innerWidth").await?;
    ensure(inner == json!(PHONE_WIDTH), || {
        format!("{path}: the viewport is {inner} px, not {PHONE_WIDTH}")
    })?;
    let width = b
        .script("return document.documentElement.scrollWidth")
        .await?
        .as_u64()
        .ok_or("no scrollWidth")?;
    if width <= PHONE_WIDTH {
        return Ok(());
    }
    let culprits = b
        .script(&format!(
            "return Array.from(document.querySelectorAll('body *'))\
               .filter(function (e) {{ return e.getBoundingClientRect().right > {PHONE_WIDTH}; }})\
               .slice(-5)\
               .map(function (e) {{ return e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right); }});"
        ))
        .await?;
    Err(format!(
        "{path} is {width} px wide on a {PHONE_WIDTH} px screen; widest: {culprits}"
    ))
}

async fn phone_pages(b: &Browser) -> Result<(), String> {
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": PHONE_WIDTH, "height": 844, "deviceScaleFactor": 3, "mobile": true}),
    )
    .await?;
    // Chinese first: `?lang=en` sets the cookie that makes later pages English.
    for lang in ["zh", "en"] {
        let q = if lang == "en" { "&lang=en" } else { "" };
        let profile = format!(
            "/workers/{ZHANG_SAN}?case_type=administrative_litigation&party_a=sichuan_border&party_b=elsewhere{q}"
        );
        fits(b, &profile).await?;
        let answer = b
            .script(
                "var a = document.querySelector('.case-answer'); return a ? a.innerText : null;",
            )
            .await?;
        let answer = answer.as_str().unwrap_or_default();
        let expected = if lang == "en" { "No. " } else { "不可以。" };
        ensure(answer.starts_with(expected), || {
            format!("{profile}: the case answer is not shown: {answer:?}")
        })?;

        let q = if lang == "en" { "?lang=en" } else { "" };
        let certificate = format!("/workers/{ZHANG_SAN}/certificate{q}");
        fits(b, &certificate).await?;
        let code = b
            .script("var d = document.querySelector('dl.facts dd.mono'); return d ? d.textContent.trim() : null;")
            .await?;
        let code = code
            .as_str()
            .ok_or_else(|| format!("{certificate} shows no code"))?
            .to_owned();
        fits(b, &format!("/certificates/{code}{q}")).await?;
    }
    Ok(())
}

#[actix_web::test]
async fn the_case_form_and_the_certificate_fit_a_390_px_phone_in_both_languages() {
    let app = TestApp::builder().seed(seed).await;
    let Some(b) = Browser::open("phone width", &app.address).await else {
        return;
    };
    let r = phone_pages(&b).await;
    b.check("phone-width", r).await;
    b.close().await;
}
