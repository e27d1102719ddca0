//! Complaints: the resident's form and status page, the API, the bureau's
//! workflow, the protections and the retention purge.

mod admin;
mod api;
mod binary;
pub(crate) mod form;
mod limits;
mod privacy;
mod retention;

use std::io::Write;
use std::sync::{Mutex, Once};

use chrono::{NaiveDate, NaiveDateTime};
use legal_portal::complaints::crypto::ContactKey;
use legal_portal::db::DbConnection;
use legal_portal::db::complaints::Filed;
use legal_portal::domain::LicenseNo;
use legal_portal::domain::complaint::{ComplaintInput, validate};
use legal_portal::domain::vocab::SubjectKind;

use crate::helpers::{TestApp, build};

pub const WORKER: &str = "45001030001";
pub const OFFICE: &str = "31500103001";
/// The key the tests configure, so they can seed sealed complaints.
pub const KEY: &str = "8f1e2d3c4b5a69788796a5b4c3d2e1f00011223344556677889aabbccddeeff0";

/// A district, an office and a worker to complain about.
pub fn subjects(c: &mut DbConnection) {
    build::district(c, "500103", "渝中区", 588_717, 2000);
    build::office(c, OFFICE, "解放碑街道法律服务所", "500103");
    build::worker(c, WORKER, "张秀英", OFFICE);
}

/// A complaint's JSON body as the API and the form take it.
pub fn body(name: &str, phone: &str) -> serde_json::Value {
    serde_json::json!({
        "subject_license_no": WORKER,
        "category": "fees",
        "description": "代理一起借款纠纷，收费超出约定标准三倍，且拒绝开具发票。",
        "occurred_on": "2026-11-20",
        "desired_outcome": "退还多收的费用",
        "complainant_name": name,
        "complainant_phone": phone,
        "withhold_identity": true,
    })
}

/// Files a complaint straight into the database at `now`, sealed with
/// [`KEY`].
pub fn seed_complaint(c: &mut DbConnection, now: NaiveDateTime, phone: &str) -> Filed {
    let mut json = body("王五", phone);
    json["occurred_on"] = (now.date() - chrono::TimeDelta::days(1)).to_string().into();
    let input: ComplaintInput = serde_json::from_value(json).unwrap();
    let valid = validate(&input, now.date()).expect("valid complaint");
    legal_portal::db::complaints::file(
        c,
        SubjectKind::Worker,
        &LicenseNo::parse(WORKER).unwrap(),
        &valid,
        &ContactKey::parse(KEY).unwrap(),
        now,
    )
    .expect("file")
}

/// Noon in China on `day`, as UTC.
pub fn noon(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(4, 0, 0).unwrap()
}

/// Files through the API, expecting 201.
pub async fn file_by_api(app: &TestApp, body: &serde_json::Value) -> (String, String) {
    let resp = app
        .client
        .post(format!("{}/api/v1/complaints", app.address))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    assert_eq!(status, 201, "filing by API: {text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    (
        v["tracking_no"].as_str().unwrap().to_owned(),
        v["access_code"].as_str().unwrap().to_owned(),
    )
}

/// The text between `start` and the next `end` after it.
pub fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

/// Every maximal run of exactly 11 ASCII digits shaped like a mainland
/// mobile number (`1[3-9]\d{9}`) and not inside a latin word, as a person
/// reading the page would see one.
pub fn mobile_numbers(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let run = &text[start..i];
            // Digits inside a word (a hex database name, a request id) are
            // not a number a reader would dial.
            let in_word = |j: Option<&u8>| j.is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_');
            if run.len() == 11
                && !in_word(start.checked_sub(1).and_then(|j| b.get(j)))
                && !in_word(b.get(i))
                && run.as_bytes()[0] == b'1'
                && (b'3'..=b'9').contains(&run.as_bytes()[1])
            {
                found.push(run.to_owned());
            }
        } else {
            i += 1;
        }
    }
    found
}

static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static INSTALL: Once = Once::new();

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut logs) = LOGS.lock() {
            logs.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends the log of every portal in this test binary, at debug level, to a
/// buffer that [`captured_logs`] reads.
pub fn capture_logs() {
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_writer(|| Capture)
            .with_ansi(false)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// What has been logged since [`capture_logs`].
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}
