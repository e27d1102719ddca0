//! Browser tests: the real portal in headless Chromium driven through
//! chromedriver (a small WebDriver client over `reqwest`), axe-core for
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

/// One headless Chromium session.
pub struct Browser {
    http: reqwest::Client,
    session: String,
    /// The portal's address, for relative paths.
    pub base: String,
    _profile: tempfile::TempDir,
    _driver: Driver,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

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
        let http = reqwest::Client::new();
        let caps = json!({"capabilities": {"alwaysMatch": {
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
        }}});
        // chromedriver takes a moment to listen.
        let started = Instant::now();
        let value = loop {
            match http
                .post(format!("{}/session", driver.url))
                .json(&caps)
                .send()
                .await
            {
                Ok(resp) => {
                    let body: Value = resp.json().await.expect("chromedriver answers JSON");
                    break body["value"].clone();
                }
                Err(e) if started.elapsed() < Duration::from_secs(10) => {
                    let _ = e;
                    actix_web::rt::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("chromedriver did not start: {e}"),
            }
        };
        let session = value["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {value}"))
            .to_owned();
        Some(Browser {
            http,
            session,
            base: base.to_owned(),
            _profile: profile,
            _driver: driver,
        })
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Value) -> Result<Value, String> {
        let url = format!("{}/session/{}{}", self._driver.url, self.session, path);
        let mut req = self.http.request(method.clone(), url);
        if method != reqwest::Method::GET {
            req = req.json(&body);
        }
        let resp = req.send().await.map_err(|e| format!("{path}: {e}"))?;
        let ok = resp.status().is_success();
        let body: Value = resp.json().await.map_err(|e| format!("{path}: {e}"))?;
        if ok {
            Ok(body["value"].clone())
        } else {
            Err(format!("{path}: {}", body["value"]))
        }
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        self.cmd(reqwest::Method::POST, path, body).await
    }

    /// Opens a path of the portal.
    pub async fn goto(&self, path: &str) -> Result<(), String> {
        self.post("/url", json!({"url": format!("{}{}", self.base, path)}))
            .await
            .map(drop)
    }

    /// The current path and query.
    pub async fn path(&self) -> Result<String, String> {
        let url = self.cmd(reqwest::Method::GET, "/url", json!({})).await?;
        let url = url.as_str().unwrap_or_default();
        Ok(url.strip_prefix(&self.base).unwrap_or(url).to_owned())
    }

    /// The first element matching `css`, waiting up to 5 s for it.
    pub async fn find(&self, css: &str) -> Result<String, String> {
        let started = Instant::now();
        loop {
            match self
                .post("/element", json!({"using": "css selector", "value": css}))
                .await
            {
                Ok(v) => {
                    return v[ELEMENT]
                        .as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("`{css}`: not an element: {v}"));
                }
                Err(e) if started.elapsed() > Duration::from_secs(5) => {
                    return Err(format!("no element `{css}` on {}: {e}", self.path().await?));
                }
                Err(_) => actix_web::rt::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Clicks the first element matching `css`.
    pub async fn click(&self, css: &str) -> Result<(), String> {
        let id = self.find(css).await?;
        self.post(&format!("/element/{id}/click"), json!({}))
            .await
            .map(drop)
    }

    /// Types `text` into the first element matching `css`.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<(), String> {
        let id = self.find(css).await?;
        self.post(&format!("/element/{id}/value"), json!({"text": text}))
            .await
            .map(drop)
    }

    /// Runs `script` in the page and returns its value.
    pub async fn script(&self, script: &str) -> Result<Value, String> {
        self.post("/execute/sync", json!({"script": script, "args": []}))
            .await
    }

    /// Runs an asynchronous `script` (it calls `arguments[0]` when done).
    pub async fn async_script(&self, script: &str) -> Result<Value, String> {
        self.post("/execute/async", json!({"script": script, "args": []}))
            .await
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
        self.post("/goog/cdp/execute", json!({"cmd": cmd, "params": params}))
            .await
    }

    /// Saves a PNG of the page under the artifacts folder; returns its path.
    pub async fn screenshot(&self, name: &str) -> Option<PathBuf> {
        let shot = self
            .cmd(reqwest::Method::GET, "/screenshot", json!({}))
            .await
            .ok()?;
        let png = data_encoding::BASE64
            .decode(shot.as_str()?.as_bytes())
            .ok()?;
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
        let _ = self.cmd(reqwest::Method::DELETE, "", json!({})).await;
    }
}

/// `Err(msg)` unless `cond`.
pub fn ensure(cond: bool, msg: impl FnOnce() -> String) -> Result<(), String> {
    if cond { Ok(()) } else { Err(msg()) }
}
