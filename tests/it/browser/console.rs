//! The bureau's console in Chromium: a district clerk signs in, uploads a
//! GBK CSV with a row of another district, sees that row, uploads the
//! fixed file, applies it and finds the worker on the public site; the city
//! clerk moves a complaint through its stages. axe-core runs on every
//! console page on the way, and the Nu HTML checker on every console page.

use legal_portal::domain::vocab::Role;

use super::a11y::{axe_script, readable};
use super::{Browser, ensure, file, need, program};
use crate::complaints::{body, file_by_api};
use crate::console::{Clerk, PASSWORD, account, two_districts};
use crate::helpers::TestApp;

const HEADER: &str = "执业证号,姓名,执业机构许可证号,状态,首次执业日期,实习月数\n";

fn gbk_file(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, encoding_rs::GBK.encode(text).0).expect("write the upload");
    path.display().to_string()
}

/// Runs axe-core on the current page; adds its violations to `failures`.
async fn axe_here(b: &Browser, script: &str, failures: &mut String) {
    let page = b.path().await.unwrap_or_default();
    let found = b.async_script(script).await.expect("axe runs");
    assert!(
        found.get("error").is_none(),
        "axe failed on {page}: {found}"
    );
    if found.as_array().is_some_and(|v| !v.is_empty()) {
        *failures += &format!("{page}:\n{}", readable(&found));
    }
}

/// Waits up to 10 s until the page (loaded) shows `needle`: after a form
/// that comes back to the same address, the path alone cannot tell.
async fn wait_text(b: &Browser, needle: &str) -> Result<String, String> {
    let started = std::time::Instant::now();
    loop {
        let ready = b.script("return document.readyState").await?;
        let text = b.text().await.unwrap_or_default();
        if ready == "complete" && text.contains(needle) {
            return Ok(text);
        }
        if started.elapsed() > std::time::Duration::from_secs(10) {
            return Err(format!("waited for {needle:?}; the page shows: {text}"));
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn sign_in(b: &Browser, name: &str) -> Result<(), String> {
    b.goto("/admin").await?;
    b.wait_path("/admin/login").await?;
    b.type_into("#name", name).await?;
    b.type_into("#password", PASSWORD).await?;
    b.click("form.console-form button[type=submit]").await?;
    // The sign-in page's own path starts with /admin too: wait for the
    // account's name instead.
    wait_text(b, &format!("当前账号：{name}")).await.map(drop)
}

#[actix_web::test]
async fn a_clerk_previews_fixes_and_applies_an_upload_and_a_complaint_moves_through_its_stages() {
    let test = "console in the browser";
    let Some(axe) = need(test, "axe-core (AXE_CORE_JS)", file("AXE_CORE_JS")) else {
        return;
    };
    let script = axe_script(&std::fs::read_to_string(axe).expect("read axe-core"));
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "yongchuan", Role::District, Some("500118"));
    account(&app, "city", Role::City, None);
    let (tracking, _) = file_by_api(&app, &{
        let mut b = body("李四", "13812345678");
        b["subject_license_no"] = "45001180001".into();
        b
    })
    .await;
    let Some(b) = Browser::open(test, &app.address).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut failures = String::new();

    b.goto("/admin/login").await.unwrap();
    axe_here(&b, &script, &mut failures).await;
    let r = sign_in(&b, "yongchuan").await;
    b.check("console-sign-in", r).await;
    axe_here(&b, &script, &mut failures).await;

    // Row 3 is a worker of another district's office.
    let bad = gbk_file(
        dir.path(),
        "bad.csv",
        &format!(
            "{HEADER}45001180009,欧阳明,31500118001,执业,2019-01-01,12\n45001180010,李雷,31500103001,执业,2019-01-01,12\n"
        ),
    );
    let r = async {
        b.goto("/admin/imports/new").await?;
        b.script("document.querySelector('#dataset').value = 'workers'")
            .await?;
        b.type_into("#file", &bad).await?;
        b.click("form.console-form button[type=submit]").await?;
        let text = wait_text(&b, "整批未导入").await?;
        ensure(text.contains("不属于本区县"), || {
            format!("the bad row is shown: {text}")
        })
    }
    .await;
    b.check("console-bad-upload", r).await;
    axe_here(&b, &script, &mut failures).await;

    let good = gbk_file(
        dir.path(),
        "good.csv",
        &format!("{HEADER}45001180009,欧阳明,31500118001,执业,2019-01-01,12\n"),
    );
    let r = async {
        b.goto("/admin/imports/new").await?;
        axe_here(&b, &script, &mut String::new()).await;
        b.script("document.querySelector('#dataset').value = 'workers'")
            .await?;
        b.type_into("#file", &good).await?;
        b.click("form.console-form button[type=submit]").await?;
        wait_text(&b, "新增 1 行").await.map(drop)
    }
    .await;
    b.check("console-good-upload", r).await;
    axe_here(&b, &script, &mut failures).await;
    let r = async {
        b.click("form[action='/admin/imports/apply'] button")
            .await?;
        wait_text(&b, "已导入").await.map(drop)
    }
    .await;
    b.check("console-apply", r).await;
    axe_here(&b, &script, &mut failures).await;
    for page in ["/admin/imports", "/admin/compliance", "/admin/imports/new"] {
        b.goto(page).await.unwrap();
        axe_here(&b, &script, &mut failures).await;
    }
    let r = async {
        b.goto("/workers/45001180009").await?;
        let text = b.text().await?;
        ensure(text.contains("欧阳明"), || {
            format!("the public profile: {text}")
        })
    }
    .await;
    b.check("console-public-profile", r).await;

    // The city clerk: the complaint desk and the audit log.
    let r = async {
        b.goto("/admin").await?;
        b.click(".account-bar button").await?;
        b.wait_path("/admin/login").await?;
        sign_in(&b, "city").await
    }
    .await;
    b.check("console-city-sign-in", r).await;
    for page in ["/admin/complaints", "/admin/audit"] {
        b.goto(page).await.unwrap();
        axe_here(&b, &script, &mut failures).await;
    }
    let path = format!("/admin/complaints/{tracking}");
    let r = async {
        b.goto(&path).await?;
        b.click("input[name=to][value=accepted]").await?;
        b.click("form.console-form button[type=submit]").await?;
        b.wait_path(&path).await?;
        b.click("input[name=to][value=concluded]").await?;
        b.script("document.querySelector('#outcome').value = 'mediated'")
            .await?;
        b.type_into("#note", "双方达成和解").await?;
        b.click("form.console-form button[type=submit]").await?;
        // Concluded: the timeline carries the note and no form is left.
        let started = std::time::Instant::now();
        loop {
            let done = b
                .script(
                    "return document.readyState === 'complete' \
                     && document.querySelector('input[name=to]') === null \
                     && document.body.innerText.includes('双方达成和解')",
                )
                .await?;
            if done == true {
                break;
            }
            if started.elapsed() > std::time::Duration::from_secs(10) {
                return Err(format!("not concluded: {}", b.text().await?));
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        Ok(())
    }
    .await;
    b.check("console-complaint", r).await;
    axe_here(&b, &script, &mut failures).await;
    b.click("form[action$='/contact'] button").await.unwrap();
    let r = wait_text(&b, "13812345678").await.map(drop);
    b.check("console-contact", r).await;
    axe_here(&b, &script, &mut failures).await;
    b.close().await;
    assert!(failures.is_empty(), "axe-core violations:\n{failures}");
}

#[actix_web::test]
async fn the_nu_html_checker_finds_no_errors_on_the_console_pages() {
    let test = "Nu HTML checker (console)";
    let Some(jar) = need(test, "vnu.jar (VNU_JAR)", file("VNU_JAR")) else {
        return;
    };
    let Some(java) = need(test, "java", program("JAVA", &["java"])) else {
        return;
    };
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "city", Role::City, None);
    let (tracking, _) = file_by_api(&app, &body("李四", "13812345678")).await;
    let mut pages: Vec<(String, String)> = Vec::new();
    let mut clerk = Clerk::new(&app);
    for lang in ["zh", "en"] {
        let a = clerk.get(&format!("/admin/login?lang={lang}")).await;
        assert_eq!(a.status, 200);
        pages.push((format!("login {lang}"), a.body));
    }
    assert_eq!(clerk.sign_in("city", PASSWORD).await.status, 303);
    for lang in ["zh", "en"] {
        // The choice is kept in the `lang` cookie for the pages after.
        assert_eq!(clerk.get(&format!("/admin?lang={lang}")).await.status, 200);
        for page in [
            "/admin".to_owned(),
            "/admin/imports/new".to_owned(),
            "/admin/imports".to_owned(),
            "/admin/complaints".to_owned(),
            format!("/admin/complaints/{tracking}"),
            "/admin/compliance".to_owned(),
            "/admin/audit".to_owned(),
        ] {
            let a = clerk.get(&page).await;
            assert_eq!(a.status, 200, "{page}");
            pages.push((format!("{page} {lang}"), a.body));
        }
        let bad = format!("{HEADER}45001030009,欧阳明,31599999999,执业,2019-01-01,12\n");
        let a = clerk.preview("workers", "bad.csv", bad.as_bytes()).await;
        pages.push((format!("rejected preview {lang}"), a.body));
        let good = format!("{HEADER}45001030001,张秀英,31500103001,执业,2010-01-01,12\n");
        let a = clerk.preview("workers", "good.csv", good.as_bytes()).await;
        assert_eq!(a.status, 200, "{}", a.body);
        pages.push((format!("preview {lang}"), a.body));
        let a = clerk
            .post(&format!("/admin/complaints/{tracking}/contact"), &[])
            .await;
        pages.push((format!("contact {lang}"), a.body));
        let a = clerk.get("/admin/imports/1").await;
        pages.push((format!("report {lang}"), a.body));
        let a = clerk.get("/admin/audit?from=nope").await;
        pages.push((format!("error page {lang}"), a.body));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for (i, (name, html)) in pages.iter().enumerate() {
        let path = dir.path().join(format!("console{i}.html"));
        std::fs::write(&path, html).expect("save the page");
        files.push((path, name.clone()));
    }
    let errors = super::markup::vnu_errors(&java, &jar, &files);
    assert!(errors.is_empty(), "Nu HTML checker errors:\n{errors}");
}
