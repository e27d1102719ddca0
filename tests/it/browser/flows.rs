//! What a resident does in a browser: find a worker and check their
//! certificate, find the nearest offices, start a complaint.

use serde_json::json;

use super::{Browser, GAOSUNTANG, LONGSHA, XINTIAN, ZHANG_SAN, ensure, seed};
use crate::helpers::TestApp;

/// Search by name → profile → /verify → certificate → /certificates/{code}.
async fn search_to_certificate(b: &Browser) -> Result<(), String> {
    b.goto("/").await?;
    b.type_into("#q", "张三").await?;
    b.click("form[action='/search'][role=search] button[type=submit]")
        .await?;
    b.wait_path("/search?").await?;
    b.click(&format!("a[href='/workers/{ZHANG_SAN}']")).await?;
    b.wait_path(&format!("/workers/{ZHANG_SAN}")).await?;
    let text = b.text().await?;
    ensure(
        text.contains("张三") && text.contains("龙沙镇法律服务所"),
        || format!("the profile does not show the worker:\n{text}"),
    )?;

    b.click("a[href^='/verify?license_no=']").await?;
    b.wait_path("/verify?").await?;
    let text = b.text().await?;
    ensure(
        text.contains("截至 2026-11-28，张三") && text.contains("执业状态良好"),
        || format!("/verify does not give the standing:\n{text}"),
    )?;

    b.click("a[href^='/workers/']").await?;
    b.wait_path(&format!("/workers/{ZHANG_SAN}")).await?;
    b.click("a[href$='/certificate']").await?;
    b.wait_path(&format!("/workers/{ZHANG_SAN}/certificate"))
        .await?;
    let code = b
        .script(
            "var dt = Array.from(document.querySelectorAll('dt'))\
               .find(function (d) { return d.textContent.trim() === '证明编号'; });\
             return dt ? dt.nextElementSibling.textContent.trim() : null;",
        )
        .await?;
    let code = code
        .as_str()
        .ok_or_else(|| "the certificate shows no code".to_owned())?
        .to_owned();
    b.goto(&format!("/certificates/{code}")).await?;
    let text = b.text().await?;
    ensure(
        text.contains("这是本平台出具的真实证明") && text.contains("未发生变化"),
        || format!("/certificates/{code} does not say the certificate is genuine:\n{text}"),
    )
}

/// "Nearby" on `/` with a faked position lists the nearest offices first.
async fn nearby(b: &Browser) -> Result<(), String> {
    b.cdp(
        "Browser.grantPermissions",
        json!({"origin": b.base, "permissions": ["geolocation"]}),
    )
    .await?;
    b.cdp(
        "Emulation.setGeolocationOverride",
        json!({"latitude": 30.79, "longitude": 108.38, "accuracy": 10}),
    )
    .await?;
    b.goto("/").await?;
    b.click("#near-me-geo button[type=submit]").await?;
    let path = b.wait_path("/search?").await?;
    ensure(
        path.contains("lat=30.79000") && path.contains("lng=108.38000"),
        || format!("the position did not reach the search: {path}"),
    )?;
    let hits = b
        .script(
            "return Array.from(document.querySelectorAll('.hit-name a'))\
               .map(function (a) { return a.getAttribute('href'); });",
        )
        .await?;
    let want = json!([
        format!("/offices/{LONGSHA}"),
        format!("/offices/{GAOSUNTANG}"),
        format!("/offices/{XINTIAN}"),
    ]);
    ensure(hits == want, || {
        format!("nearest offices: expected {want}, got {hits}")
    })?;
    let text = b.text().await?;
    ensure(text.contains("距离约 955 米"), || {
        format!("no distance shown:\n{text}")
    })
}

/// The complaint link on a profile opens the form about that worker.
async fn complaint_link(b: &Browser) -> Result<(), String> {
    b.goto(&format!("/workers/{ZHANG_SAN}")).await?;
    b.click("main a[href^='/complaints/new?subject=']").await?;
    b.wait_path(&format!("/complaints/new?subject={ZHANG_SAN}"))
        .await?;
    let value = b
        .script("return document.getElementById('subject_license_no').value")
        .await?;
    ensure(value == ZHANG_SAN, || {
        format!("the subject is not prefilled: {value}")
    })?;
    let text = b.text().await?;
    ensure(text.contains("被投诉对象：张三"), || {
        format!("the form does not name the subject:\n{text}")
    })
}

/// "报告信息有误" on a profile: the form about that worker, filed, and the
/// receipt's number and code show the report on the status page.
async fn report_an_error(b: &Browser) -> Result<(), String> {
    b.goto(&format!("/workers/{ZHANG_SAN}")).await?;
    b.click("main a[href^='/complaints/correction?subject=']")
        .await?;
    b.wait_path(&format!("/complaints/correction?subject={ZHANG_SAN}"))
        .await?;
    let text = b.text().await?;
    ensure(text.contains("信息有误的对象：张三"), || {
        format!("the form does not name the worker:\n{text}")
    })?;
    b.type_into(
        "#description",
        "执业机构已变更，页面仍显示龙沙镇法律服务所。",
    )
    .await?;
    b.type_into("#contact_phone", "13711112222").await?;
    b.click("form.complaint button[type=submit]").await?;
    b.find("#tracking_no").await?;
    let codes = b
        .script(
            "return [document.getElementById('tracking_no').textContent.trim(),\
                     document.getElementById('access_code').textContent.trim()];",
        )
        .await?;
    let (Some(tracking), Some(code)) = (codes[0].as_str(), codes[1].as_str()) else {
        return Err(format!("no receipt: {codes}"));
    };
    let text = b.text().await?;
    ensure(
        text.contains("报告信息有误已提交") && !text.contains("13711112222"),
        || format!("the receipt:\n{text}"),
    )?;
    b.goto("/complaints/status").await?;
    b.type_into("#tracking_no", tracking).await?;
    b.type_into("#access_code", code).await?;
    b.click("form.complaint button[type=submit]").await?;
    b.find("#status-h").await?;
    let text = b.text().await?;
    ensure(
        text.contains(&format!("报告信息有误 {tracking}")) && text.contains("已提交"),
        || format!("the status page:\n{text}"),
    )
}

#[actix_web::test]
async fn a_resident_finds_checks_locates_and_complains_in_a_real_browser() {
    let app = TestApp::builder().seed(seed).await;
    app.wait_for_search().await;
    let Some(b) = Browser::open("browser flows", &app.address).await else {
        return;
    };
    let r = search_to_certificate(&b).await;
    b.check("search-to-certificate", r).await;
    let r = complaint_link(&b).await;
    b.check("complaint-link", r).await;
    let r = report_an_error(&b).await;
    b.check("report-an-error", r).await;
    let r = nearby(&b).await;
    b.check("nearby", r).await;
    b.close().await;
}
