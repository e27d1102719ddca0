//! The bureau's console at `/admin` (issue 13): accounts, sessions, the
//! lockout, CSRF, roles and districts, the import preview and apply, the
//! complaint desk and the audit log, through HTTP as a browser sends it.

mod access;
mod imports;
mod work;

use legal_portal::db::DbConnection;
use legal_portal::db::users;
use legal_portal::domain::vocab::Role;

use crate::helpers::{TestApp, build};

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery";

/// Two districts, an office and a worker in each.
pub fn two_districts(c: &mut DbConnection) {
    build::district(c, "500103", "渝中区", 588_717, 2000);
    build::district(c, "500118", "永川区", 1_149_000, 300);
    build::office(c, "31500103001", "解放碑街道法律服务所", "500103");
    build::office(c, "31500118001", "胜利路街道法律服务所", "500118");
    build::worker(c, "45001030001", "张秀英", "31500103001");
    build::worker(c, "45001180001", "韦波亮", "31500118001");
}

/// Creates an account.
pub fn account(app: &TestApp, name: &str, role: Role, district: Option<&str>) {
    users::create(
        &mut app.conn(),
        name,
        role,
        district,
        PASSWORD,
        chrono::Utc::now().naive_utc(),
    )
    .expect("create the account");
}

/// The text between `start` and `end`.
pub fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

/// A browser's view of the console: its cookies and the page's CSRF token.
pub struct Clerk<'a> {
    pub app: &'a TestApp,
    pub cookies: Vec<(String, String)>,
    pub token: String,
}

/// A response as the tests read it.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    /// Where a redirect goes.
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl<'a> Clerk<'a> {
    /// A browser with no cookies yet.
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: Vec::new(),
            token: String::new(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, headers: &reqwest::header::HeaderMap) {
        for v in headers.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            let (k, val) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.contains("Max-Age=0") {
                self.cookies.push((k.to_owned(), val.to_owned()));
            }
        }
    }

    async fn answer(&mut self, resp: reqwest::Response) -> Answer {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        self.remember(&headers);
        let body = resp.text().await.unwrap();
        if let Some(t) = between(&body, "name=\"csrf_token\" value=\"", "\"") {
            self.token = t.to_owned();
        }
        Answer {
            status,
            headers,
            body,
        }
    }

    /// GETs a page with the cookies.
    pub async fn get(&mut self, path: &str) -> Answer {
        let resp = self
            .app
            .client
            .get(format!("{}{path}", self.app.address))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.answer(resp).await
    }

    /// POSTs a form with the cookies and the page's token (unless the
    /// fields give their own).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut body = url::form_urlencoded::Serializer::new(String::new());
        if !fields.iter().any(|(k, _)| *k == "csrf_token") {
            body.append_pair("csrf_token", &self.token);
        }
        for (k, v) in fields {
            body.append_pair(k, v);
        }
        let resp = self
            .app
            .client
            .post(format!("{}{path}", self.app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", self.cookie_header())
            .body(body.finish())
            .send()
            .await
            .unwrap();
        self.answer(resp).await
    }

    /// Signs in through the form.
    pub async fn sign_in(&mut self, name: &str, password: &str) -> Answer {
        let page = self.get("/admin/login").await;
        assert_eq!(page.status, 200, "{}", page.body);
        self.post("/admin/login", &[("name", name), ("password", password)])
            .await
    }

    /// Signs in and expects to be let in.
    pub async fn signed_in(app: &'a TestApp, name: &str) -> Self {
        let mut clerk = Self::new(app);
        let a = clerk.sign_in(name, PASSWORD).await;
        assert_eq!(a.status, 303, "sign-in of {name}: {}", a.body);
        let home = clerk.get("/admin").await;
        assert_eq!(home.status, 200, "{}", home.body);
        clerk
    }

    /// Uploads a file to the preview as the form does (multipart).
    pub async fn preview(&mut self, dataset: &str, file_name: &str, bytes: &[u8]) -> Answer {
        self.preview_typed(dataset, file_name, "application/octet-stream", bytes)
            .await
    }

    /// Uploads a file whose part declares `content_type`.
    pub async fn preview_typed(
        &mut self,
        dataset: &str,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Answer {
        let boundary = "----console-test-boundary";
        let mut body = Vec::new();
        for (name, value) in [("csrf_token", self.token.as_str()), ("dataset", dataset)] {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let resp = self
            .app
            .client
            .post(format!("{}/admin/imports/preview", self.app.address))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("cookie", self.cookie_header())
            .body(body)
            .send()
            .await
            .unwrap();
        self.answer(resp).await
    }

    /// The session cookie's value.
    pub fn session_id(&self) -> Option<String> {
        self.cookies
            .iter()
            .find(|(k, _)| k == "lp_admin")
            .map(|(_, v)| v.clone())
    }
}
