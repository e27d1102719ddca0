//! The Nu HTML checker finds no errors in the pages residents use.

use super::a11y::pages;
use super::{file, need, program, seed};
use crate::helpers::TestApp;

#[actix_web::test]
async fn the_nu_html_checker_finds_no_errors_on_the_public_pages() {
    let test = "Nu HTML checker";
    let Some(jar) = need(test, "vnu.jar (VNU_JAR)", file("VNU_JAR")) else {
        return;
    };
    let Some(java) = need(test, "java", program("JAVA", &["java"])) else {
        return;
    };
    let app = TestApp::builder().seed(seed).await;
    app.wait_for_search().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for (i, page) in pages().iter().enumerate() {
        let html = app.text(page, 200).await;
        let path = dir.path().join(format!("page{i}.html"));
        std::fs::write(&path, html).expect("save the page");
        files.push((path, page.clone()));
    }
    let errors = vnu_errors(&java, &jar, &files);
    assert!(errors.is_empty(), "Nu HTML checker errors:\n{errors}");
}

/// Runs the Nu HTML checker on `files` (each with the name of the page it
/// holds); its errors, one line each, named by page.
pub fn vnu_errors(
    java: &std::path::Path,
    jar: &std::path::Path,
    files: &[(std::path::PathBuf, String)],
) -> String {
    let out = std::process::Command::new(java)
        .arg("-jar")
        .arg(jar)
        .args(["--errors-only", "--format", "json"])
        .args(files.iter().map(|(p, _)| p))
        .output()
        .expect("run the Nu HTML checker");
    // vnu writes its JSON report to stderr.
    let report = String::from_utf8_lossy(&out.stderr);
    let report: serde_json::Value = serde_json::from_str(&report)
        .unwrap_or_else(|e| panic!("vnu did not answer JSON ({e}): {report}"));
    let mut errors = String::new();
    for m in report["messages"].as_array().into_iter().flatten() {
        let url = m["url"].as_str().unwrap_or_default();
        let page = files
            .iter()
            .find(|(p, _)| url.ends_with(&*p.file_name().unwrap().to_string_lossy()))
            .map_or(url, |(_, page)| page.as_str());
        errors += &format!(
            "- {page} line {}: {} [{}]\n",
            m["lastLine"],
            m["message"].as_str().unwrap_or("?"),
            m["extract"].as_str().unwrap_or("").trim()
        );
    }
    errors
}
