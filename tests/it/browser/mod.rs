//! Browser tests: the real portal in headless Chromium driven through
//! chromedriver (the `fantoccini` WebDriver client), axe-core for
//! accessibility and the Nu HTML checker for markup.
//!
//! Outside programs come from the environment: `chromium` and `chromedriver`
//! on `PATH` (or `CHROMIUM` / `CHROMEDRIVER`), `AXE_CORE_JS` (axe.min.js),
//! `VNU_JAR` (vnu.jar) and `java`. `.ci/run` installs them. When one is
//! missing a test prints a loud `SKIP:` line and passes, except in CI.

mod a11y;
mod console;
mod flows;
mod markup;
mod phone;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::error::NewSessionError;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{ClientBuilder, Locator, elements::Element};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::helpers::{build, in_ci};
use legal_portal::db::DbConnection;

pub const ZHANG_SAN: &str = "45001010001";
pub const LONGSHA: &str = "31500101001";
pub const GAOSUNTANG: &str = "31500101002";
pub const XINTIAN: &str = "31500101003";
pub const LIZHI: &str = "31500102001";

/// Test data: three offices around 龙沙镇 at known distances, one far away.
pub fn seed(c: &mut DbConnection) {
    build::district(c, "500101", "万州区", 1_560_000, 900);
    build::district(c, "500102", "涪陵区", 1_110_000, 600);
    for (no, name, district, lat, lng) in [
        (LONGSHA, "龙沙镇法律服务所", "500101", 30.7900, 108.3700),
        (
            GAOSUNTANG,
            "高笋塘街道法律服务所",
            "500101",
            30.8100,
            108.4000,
        ),
        (XINTIAN, "新田镇法律服务所", "500101", 30.8500, 108.4500),
        (LIZHI, "荔枝街道法律服务所", "500102", 29.7030, 107.3890),
    ] {
        build::office_with(c, no, name, district, |o| {
            o.lat = Some(lat);
            o.lng = Some(lng);
        });
    }
    build::worker(c, ZHANG_SAN, "张三", LONGSHA);
    build::review(c, "worker", ZHANG_SAN, 2025, "competent", None);
    // A disclosure for the record search pages (another worker, so that
    // 张三 stays in good standing).
    build::worker(c, "45001010077", "李四", LONGSHA);
    build::action(
        c,
        "渝司罚决〔2026〕1号",
        "45001010077",
        "fine",
        "2026-03-01",
        |a| {
            a.facts = "违规收费".into();
        },
    );
}

/// A program on `PATH` (or named by `env`).
fn program(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env).map(PathBuf::from) {
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// A file named by `env`.
fn file(env: &str) -> Option<PathBuf> {
    std::env::var_os(env)
        .map(PathBuf::from)
        .filter(|p| p.is_file())
}

/// `Some(value)`, or a loud skip (a failure in CI) naming what is missing.
pub fn need<T>(test: &str, what: &str, found: Option<T>) -> Option<T> {
    if found.is_none() {
        assert!(!in_ci(), "{test}: {what} is missing, and CI=true");
        eprintln!("SKIP: {test}: {what} is missing (see docs/testing.md)");
    }
    found
}

/// Where screenshots of failed browser tests go.
pub fn artifacts_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("browser-artifacts")
}

/// A chromedriver on a free port, stopped on drop.
pub struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(chromedriver: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One headless Chromium session, driven with `fantoccini`.
pub struct Browser {
    client: fantoccini::Client,
    /// The portal's address, for relative paths.
    pub base: String,
    _profile: tempfile::TempDir,
    _driver: Driver,
}

/// Chromium's DevTools Protocol through chromedriver's vendor endpoint,
/// which WebDriver itself does not name.
#[derive(Debug)]
struct Cdp(Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

fn failed(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what}: {e}")
}

impl Browser {
    /// A browser for `test` against the portal at `base`, or `None` after a
    /// loud skip when Chromium or chromedriver is missing.
    pub async fn open(test: &str, base: &str) -> Option<Browser> {
        let chromium = need(
            test,
            "Chromium",
            program(
                "CHROMIUM",
                &["chromium", "chromium-browser", "google-chrome"],
            ),
        )?;
        let chromedriver = need(
            test,
            "chromedriver",
            program("CHROMEDRIVER", &["chromedriver"]),
        )?;
        let driver = Driver::start(&chromedriver);
        let profile = tempfile::tempdir().expect("profile dir");
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-quic",
                    "--no-first-run", "--disable-component-update", "--disable-sync",
                    "--window-size=1024,900", "--lang=zh-CN",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                // A resident's browser in China asks for Chinese; headless
                // Chromium would otherwise send `en-US` and get English pages.
                "prefs": {"intl.accept_languages": "zh-CN,zh"},
            },
        });
        let Value::Object(caps) = caps else {
            unreachable!("capabilities are an object")
        };
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps);
        // chromedriver takes a moment to listen.
        let started = Instant::now();
        let client = loop {
            match builder.connect(&driver.url).await {
                Ok(client) => break client,
                Err(
                    NewSessionError::Failed(_)
                    | NewSessionError::FailedC(_)
                    | NewSessionError::Lost(_),
                ) if started.elapsed() < Duration::from_secs(10) => {
                    actix_web::rt::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("no browser session: {e}"),
            }
        };
        Some(Browser {
            client,
            base: base.to_owned(),
            _profile: profile,
            _driver: driver,
        })
    }

    /// Opens a path of the portal.
    pub async fn goto(&self, path: &str) -> Result<(), String> {
        self.client
            .goto(&format!("{}{}", self.base, path))
            .await
            .map_err(|e| failed(path, e))
    }

    /// The current path and query.
    pub async fn path(&self) -> Result<String, String> {
        let url = self
            .client
            .current_url()
            .await
            .map_err(|e| failed("the current address", e))?;
        let url = url.as_str();
        Ok(url.strip_prefix(&self.base).unwrap_or(url).to_owned())
    }

    /// The first element matching `css`, waiting up to 5 s for it.
    async fn element(&self, css: &str) -> Result<Element, String> {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(5))
            .every(Duration::from_millis(50))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => Ok(e),
            Err(e) => Err(format!("no element `{css}` on {}: {e}", self.path().await?)),
        }
    }

    /// Whether an element matches `css`, waiting up to 5 s for one.
    pub async fn find(&self, css: &str) -> Result<(), String> {
        self.element(css).await.map(drop)
    }

    /// Clicks the first element matching `css`.
    pub async fn click(&self, css: &str) -> Result<(), String> {
        self.element(css)
            .await?
            .click()
            .await
            .map_err(|e| failed(css, e))
    }

    /// Types `text` into the first element matching `css`.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<(), String> {
        self.element(css)
            .await?
            .send_keys(text)
            .await
            .map_err(|e| failed(css, e))
    }

    /// Runs `script` in the page and returns its value.
    pub async fn script(&self, script: &str) -> Result<Value, String> {
        self.client
            .execute(script, vec![])
            .await
            .map_err(|e| failed("script", e))
    }

    /// Runs an asynchronous `script` (it calls `arguments[0]` when done).
    pub async fn async_script(&self, script: &str) -> Result<Value, String> {
        self.client
            .execute_async(script, vec![])
            .await
            .map_err(|e| failed("async script", e))
    }

    /// Waits up to 10 s until the page's path starts with `prefix`.
    pub async fn wait_path(&self, prefix: &str) -> Result<String, String> {
        let started = Instant::now();
        loop {
            let path = self.path().await?;
            let ready = self.script("return document.readyState").await?;
            if path.starts_with(prefix) && ready == "complete" {
                return Ok(path);
            }
            if started.elapsed() > Duration::from_secs(10) {
                return Err(format!("expected to reach {prefix}, still on {path}"));
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The visible text of the page.
    pub async fn text(&self) -> Result<String, String> {
        Ok(self
            .script("return document.body.innerText")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// A Chrome DevTools Protocol command.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value, String> {
        self.client
            .issue_cmd(Cdp(json!({"cmd": cmd, "params": params})))
            .await
            .map_err(|e| failed(cmd, e))
    }

    /// Saves a PNG of the page under the artifacts folder; returns its path.
    pub async fn screenshot(&self, name: &str) -> Option<PathBuf> {
        let png = self.client.screenshot().await.ok()?;
        let dir = artifacts_dir();
        std::fs::create_dir_all(&dir).ok()?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).ok()?;
        Some(path)
    }

    /// Panics with `result`'s error after saving a screenshot.
    pub async fn check(&self, name: &str, result: Result<(), String>) {
        if let Err(e) = result {
            let shot = self.screenshot(name).await;
            match shot {
                Some(p) => eprintln!("screenshot of the failure: {}", p.display()),
                None => eprintln!("could not save a screenshot"),
            }
            panic!("{name}: {e}");
        }
    }

    /// Ends the session (the driver stops on drop).
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// `Err(msg)` unless `cond`.
pub fn ensure(cond: bool, msg: impl FnOnce() -> String) -> Result<(), String> {
    if cond { Ok(()) } else { Err(msg()) }
}
