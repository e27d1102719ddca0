//! Issue 16, "Uploads": no upload takes the portal down. Tiny workbooks
//! naming far cells, archives that expand to gigabytes, a million columns,
//! a million problems, chunked bodies over the limit and control
//! characters are all answered with a clear error, and nothing changes.

use std::io::{Read, Write};

use legal_portal::domain::vocab::TokenScope;
use legal_portal::import::Limits;

use super::*;

/// A started portal on the seed with `limits` for imports.
async fn app_with_limits(adjust: impl FnOnce(&mut Limits) + 'static) -> (TestApp, String) {
    let app = TestApp::builder()
        .settings(move |s| {
            s.run_indexer = false;
            adjust(&mut s.import_limits);
        })
        .seed(seed)
        .await;
    let token = token(&app, "测试导入", TokenScope::Import);
    (app, token)
}

/// POSTs with `Accept-Language: en`.
async fn post_en(app: &TestApp, token: &str, ct: &str, body: Vec<u8>) -> (u16, Value) {
    let resp = app
        .client
        .post(format!("{}/admin/api/import/workers", app.address))
        .bearer_auth(token)
        .header("Content-Type", ct)
        .header("Accept-Language", "en")
        .body(body)
        .send()
        .await
        .expect("request reaches the portal");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("JSON"))
}

/// A workbook with the workers' headers and `cells` (row, column, text).
fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, c, t) in cells {
        sheet.write_string(*r, *c, *t).expect("cell");
    }
    book.save_to_buffer().expect("workbook")
}

/// `xlsx` with `xl/sharedStrings.xml` replaced by one string of `len`
/// letters, written through a deflate stream (a few hundred KB on the
/// wire).
fn with_long_shared_string(xlsx: &[u8], len: usize) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(len > u32::MAX as usize / 2);
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().expect("entry name").into_owned();
        out.start_file(name.as_str(), opts).unwrap();
        if name == "xl/sharedStrings.xml" {
            out.write_all(br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>"#).unwrap();
            let chunk = vec![b'a'; 1 << 20];
            let mut left = len;
            while left > 0 {
                let n = left.min(chunk.len());
                out.write_all(&chunk[..n]).unwrap();
                left -= n;
            }
            out.write_all(b"</t></si><si><t>x</t></si></sst>").unwrap();
        } else {
            let mut buf = Vec::new();
            f.read_to_end(&mut buf).unwrap();
            out.write_all(&buf).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

#[actix_web::test]
async fn a_tiny_workbook_naming_xfd1048576_is_refused_while_the_portal_keeps_serving() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let bomb = workbook(&[(0, 0, "执业证号"), (1_048_575, 16_383, "x")]);
    assert!(bomb.len() < 8 * 1024, "a tiny file: {} bytes", bomb.len());
    let (status, body) = post(&app, &token, "workers", XLSX, bomb.clone(), false).await;
    assert_eq!(status, 413, "{body:#}");
    assert_eq!(body["error"]["code"], "payload_too_large");
    assert_eq!(body["error"]["details"]["limit"], "columns");
    assert_eq!(body["error"]["details"]["found"], 16_384);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("16384") && message.contains("列"),
        "{message}"
    );

    let (status, body) = post_en(&app, &token, XLSX, bomb).await;
    assert_eq!(status, 413, "{body:#}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("16384 columns"), "{message}");

    // Far rows alone are no harm: only the rows that are there count.
    let far = workbook(&[
        (0, 0, "执业证号"),
        (0, 1, "姓名"),
        (0, 2, "状态"),
        (1_048_575, 0, "W-FAR"),
        (1_048_575, 1, "远"),
        (1_048_575, 2, "执业"),
    ]);
    let (status, body) = post(&app, &token, "workers", XLSX, far, true).await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["rows"], 1);

    app.text("/healthz", 200).await;
    assert_eq!(worker_count(&mut app.conn()), 3, "nothing written");
}

#[actix_web::test]
async fn an_xlsx_expanding_past_the_limit_is_refused_before_it_is_decompressed() {
    let (app, token) = app_with_limits(|l| l.expanded_bytes = 4 * 1024 * 1024).await;
    let book = workbook(&[(0, 0, "执业证号"), (1, 0, "W-1")]);
    let bomb = with_long_shared_string(&book, 16 * 1024 * 1024);
    assert!(bomb.len() < 1024 * 1024, "{} bytes on the wire", bomb.len());
    let (status, body) = post(&app, &token, "workers", XLSX, bomb.clone(), false).await;
    assert_eq!(status, 413, "{body:#}");
    assert_eq!(body["error"]["details"]["limit"], "expanded_bytes");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("4 MB"),
        "{body:#}"
    );
    let (_, body) = post_en(&app, &token, XLSX, bomb).await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("decompressed"),
        "{body:#}"
    );
    app.text("/healthz", 200).await;
    assert_eq!(worker_count(&mut app.conn()), 3);
}

#[actix_web::test]
async fn an_archive_lying_about_its_sizes_is_refused_not_expanded() {
    let (app, token) = app_with_limits(|l| l.expanded_bytes = 4 * 1024 * 1024).await;
    let book = workbook(&[(0, 0, "执业证号"), (1, 0, "W-1")]);
    let mut bomb = with_long_shared_string(&book, 64 * 1024 * 1024);
    // Claim 100 bytes for sharedStrings.xml in the local and central headers.
    let name = b"xl/sharedStrings.xml";
    for (sig, size_at, name_len_at, name_at) in [
        (&b"PK\x03\x04"[..], 22usize, 26usize, 30usize),
        (&b"PK\x01\x02"[..], 24, 28, 46),
    ] {
        let mut i = 0;
        while i + name_at + name.len() <= bomb.len() {
            if &bomb[i..i + 4] == sig
                && u16::from_le_bytes([bomb[i + name_len_at], bomb[i + name_len_at + 1]]) as usize
                    == name.len()
                && &bomb[i + name_at..i + name_at + name.len()] == name
            {
                bomb[i + size_at..i + size_at + 4].copy_from_slice(&100u32.to_le_bytes());
            }
            i += 1;
        }
    }
    let (status, body) = post(&app, &token, "workers", XLSX, bomb, false).await;
    assert!(status == 400 || status == 413, "{status}: {body:#}");
    app.text("/healthz", 200).await;
    assert_eq!(worker_count(&mut app.conn()), 3);
}

#[actix_web::test]
async fn the_default_limit_refuses_a_workbook_holding_a_300_mb_string() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let book = workbook(&[(0, 0, "执业证号"), (1, 0, "W-1")]);
    let bomb = with_long_shared_string(&book, 300 * 1024 * 1024);
    assert!(bomb.len() < 3 * 1024 * 1024, "{} bytes", bomb.len());
    let (status, body) = post(&app, &token, "workers", XLSX, bomb, false).await;
    assert_eq!(status, 413, "{body:#}");
    assert_eq!(body["error"]["details"]["limit"], "expanded_bytes");
    assert_eq!(body["error"]["details"]["max"], 256 * 1024 * 1024);
}

#[actix_web::test]
async fn a_cell_over_the_length_limit_is_a_row_problem_naming_its_column() {
    let (app, token) = app_with_limits(|l| l.cell_chars = 50).await;
    let long = "张".repeat(51);
    let csv = format!("执业证号,姓名,状态\nW-L1,{long},执业\nW-L2,李四,执业\n");
    let (status, body) = post(&app, &token, "workers", CSV, csv, false).await;
    assert_eq!(status, 422, "{body:#}");
    let problems = body["error"]["details"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{body:#}");
    assert_eq!(problems[0]["row"], 2);
    assert_eq!(problems[0]["column"], "姓名");
    assert_eq!(problems[0]["code"], "cell_too_long");
    assert!(problems[0]["message"].as_str().unwrap().contains("50"));

    let book = workbook(&[
        (0, 0, "执业证号"),
        (0, 1, "姓名"),
        (0, 2, "状态"),
        (1, 0, "W-L1"),
        (1, 1, &long),
        (1, 2, "执业"),
    ]);
    let (status, body) = post(&app, &token, "workers", XLSX, book, false).await;
    assert_eq!(status, 422, "{body:#}");
    assert_eq!(
        body["error"]["details"]["problems"][0]["code"],
        "cell_too_long"
    );
    assert_eq!(worker_count(&mut app.conn()), 3);
}

#[actix_web::test]
async fn rows_beyond_the_limit_are_413_in_every_format() {
    let (app, token) = app_with_limits(|l| l.rows = 3).await;
    let rows = |n: usize| {
        let mut csv = "执业证号,姓名,状态\n".to_owned();
        for i in 0..n {
            csv.push_str(&format!("W-R{i},某{i},执业\n"));
        }
        csv
    };
    let (status, body) = post(&app, &token, "workers", CSV, rows(3), true).await;
    assert_eq!(status, 200, "three rows are within the limit: {body:#}");
    let (status, body) = post(&app, &token, "workers", CSV, rows(4), true).await;
    assert_eq!(status, 413, "{body:#}");
    assert_eq!(body["error"]["details"]["limit"], "rows");
    assert!(body["error"]["message"].as_str().unwrap().contains('3'));
    let json: Vec<Value> = (0..4)
        .map(|i| serde_json::json!({"license_no": format!("W-J{i}"), "name": "某", "status": "执业"}))
        .collect();
    let (status, _) = post(
        &app,
        &token,
        "workers",
        JSON,
        serde_json::to_vec(&json).unwrap(),
        true,
    )
    .await;
    assert_eq!(status, 413);
    let nd: String = json.iter().map(|v| format!("{v}\n")).collect();
    let (status, _) = post(&app, &token, "workers", NDJSON, nd, true).await;
    assert_eq!(status, 413);
    let mut cells = vec![(0, 0, "执业证号")];
    for r in 1..=4 {
        cells.push((r, 0, "W-X"));
    }
    let (status, _) = post(&app, &token, "workers", XLSX, workbook(&cells), true).await;
    assert_eq!(status, 413);
    assert_eq!(worker_count(&mut app.conn()), 3);
}

#[actix_web::test]
async fn a_csv_with_a_million_columns_gets_one_short_error() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let mut csv = vec![b'a'; 1_000_000 * 2 - 1];
    for i in (1..csv.len()).step_by(2) {
        csv[i] = b',';
    }
    csv.extend_from_slice(b"\n");
    let resp = app
        .client
        .post(format!("{}/admin/api/import/workers", app.address))
        .bearer_auth(&token)
        .header("Content-Type", CSV)
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    let text = resp.text().await.unwrap();
    assert!(text.len() < 2_000, "a short answer: {} bytes", text.len());
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["error"]["details"]["limit"], "columns");
    assert_eq!(body["error"]["details"]["found"], 1_000_000);
    assert_eq!(body["error"]["details"]["max"], 64);

    let wide: serde_json::Map<String, Value> = (0..100)
        .map(|i| (format!("k{i}"), Value::from(1)))
        .collect();
    let json = serde_json::to_vec(&serde_json::json!([wide])).unwrap();
    let (status, body) = post(&app, &token, "workers", JSON, json, false).await;
    assert_eq!(status, 413, "{body:#}");
    assert_eq!(body["error"]["details"]["limit"], "columns");
}

#[actix_web::test]
async fn a_report_keeps_the_first_thousand_problems_and_counts_the_rest() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let mut csv = "执业证号,姓名,状态\n".to_owned();
    for i in 0..3000 {
        csv.push_str(&format!("W-P{i},某,bogus\n"));
    }
    let (status, body) = post(&app, &token, "workers", CSV, csv, false).await;
    assert_eq!(status, 422);
    let report = &body["error"]["details"];
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1000);
    assert_eq!(report["problems_omitted"], 2000);
    assert_eq!(problems[0]["row"], 2);
    assert_eq!(problems[999]["row"], 1001);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("3000") && message.contains("1000"),
        "{message}"
    );

    let stored = app
        .client
        .get(format!(
            "{}/admin/api/imports/{}",
            app.address, report["id"]
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let stored: Value = stored.json().await.unwrap();
    assert_eq!(stored["problems"].as_array().unwrap().len(), 1000);
    assert_eq!(stored["problems_omitted"], 2000);
}

/// Sends `head` and then `body` in chunks of `chunk` bytes with chunked
/// transfer encoding; the answer as text.
async fn chunked(
    app: &TestApp,
    token: &str,
    body: Vec<u8>,
    chunk: usize,
    tail: &'static [u8],
) -> String {
    let addr = app.address.trim_start_matches("http://").to_owned();
    let token = token.to_owned();
    actix_web::rt::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        write!(
            s,
            "POST /admin/api/import/workers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        for part in body.chunks(chunk) {
            if write!(s, "{:x}\r\n", part.len()).is_err()
                || s.write_all(part).is_err()
                || s.write_all(b"\r\n").is_err()
            {
                break;
            }
        }
        let _ = s.write_all(tail);
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap()
}

#[actix_web::test]
async fn a_chunked_body_over_the_limit_is_413_and_a_broken_one_shows_no_internal_cause() {
    let app = TestApp::builder()
        .settings(|s| {
            s.run_indexer = false;
            s.import_limit_bytes = 64 * 1024;
        })
        .seed(seed)
        .await;
    let token = token(&app, "测试导入", TokenScope::Import);
    let mut csv = "执业证号,姓名,状态\n".to_owned();
    while csv.len() < 200 * 1024 {
        csv.push_str("W-C1,某,执业\n");
    }
    let answer = chunked(&app, &token, csv.into_bytes(), 8 * 1024, b"0\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");

    // A body that cannot be read (here: a chunk size that is not
    // hexadecimal) is refused, never a 500; actix-web closes such a
    // connection itself, and the handler's own answer for a body that
    // breaks off is a 400 whose `details.cause` is a key
    // (`body_unreadable`), not the transport's message.
    let answer = chunked(&app, &token, b"a,b\n".to_vec(), 4, b"zz\r\nxx\r\n0\r\n\r\n").await;
    assert!(!answer.starts_with("HTTP/1.1 5"), "{answer}");
    app.text("/healthz", 200).await;
    assert_eq!(worker_count(&mut app.conn()), 3);
}

#[actix_web::test]
async fn control_characters_are_row_problems_naming_the_column() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let json = serde_json::json!([
        {"license_no": "W-Z1", "name": "张\u{0}三", "status": "执业"},
        {"license_no": "W-Z2", "name": "李四", "status": "执业", "practice_areas": "民事\u{1}代理"},
        {"license_no": "W-Z3", "name": "王五", "status": "执业", "adviser_posts": "村\u{b}顾问"},
        {"license_no": "W-Z4", "name": "赵六\u{fffe}", "status": "执业"},
        {"license_no": "W-Z5", "name": "\u{202e}七钱", "status": "执业"},
        {"license_no": "W-Z6", "name": "孙\u{2066}八", "status": "执业"},
        {"license_no": "W-Z7", "name": "周九", "status": "执业", "practice_areas": "民事代理\n法律咨询"},
    ]);
    let (status, body) = post(
        &app,
        &token,
        "workers",
        JSON,
        serde_json::to_vec(&json).unwrap(),
        false,
    )
    .await;
    assert_eq!(status, 422, "{body:#}");
    let problems: Vec<(u64, String, String, String)> = body["error"]["details"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap(),
                p["column"].as_str().unwrap().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
                p["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expect = [
        (1, "name", "U+0000"),
        (2, "practice_areas", "U+0001"),
        (3, "adviser_posts", "U+000B"),
        (4, "name", "U+FFFE"),
        (5, "name", "U+202E"),
        (6, "name", "U+2066"),
    ];
    assert_eq!(problems.len(), expect.len(), "{problems:#?}");
    for ((row, column, code, message), (r, c, ch)) in problems.iter().zip(expect) {
        assert_eq!(
            (*row, column.as_str(), code.as_str()),
            (r, c, "forbidden_character")
        );
        assert!(message.contains(ch), "{message}");
    }

    let csv = "执业证号,姓名,状态,业务范围\nW-Z8,郑十,执业,民事\u{1}代理\n";
    let (status, body) = post(&app, &token, "workers", CSV, csv, false).await;
    assert_eq!(status, 422, "{body:#}");
    assert_eq!(
        body["error"]["details"]["problems"][0]["column"],
        "业务范围"
    );
    assert_eq!(worker_count(&mut app.conn()), 3, "nothing written");
}

#[actix_web::test]
async fn a_long_cell_in_a_key_column_is_a_row_problem_on_either_backend() {
    // A decision number of 3,000 characters is under the cell limit but
    // over what PostgreSQL's unique index holds: a row problem, not a 500.
    let (app, token) = app_with_token(TokenScope::Import).await;
    // Varied characters, as a real text is: PostgreSQL compresses a
    // repeated one below its limit.
    let varied = |n: usize| -> String {
        (0..n)
            .map(|i| char::from_u32(0x4e00 + (i as u32 * 7_919) % 20_000).unwrap())
            .collect()
    };
    let long = varied(3_000);
    let csv = format!(
        "决定文号,执业证号,处理种类,决定机关,决定日期\n{long},W-OLD1,罚款,渝中区司法局,2026-10-01\n"
    );
    let (status, body) = post(&app, &token, "disciplinary-actions", CSV, csv, false).await;
    assert_eq!(status, 422, "{body:#}");
    let problem = &body["error"]["details"]["problems"][0];
    assert_eq!(problem["column"], "决定文号", "{body:#}");
    assert_eq!(problem["code"], "cell_too_long", "{body:#}");
    assert!(
        problem["message"].as_str().unwrap().contains("200"),
        "{body:#}"
    );
    // At 200 characters it is taken.
    let csv = format!(
        "决定文号,执业证号,处理种类,决定机关,决定日期\n{},W-OLD1,罚款,渝中区司法局,2026-10-01\n",
        varied(200)
    );
    let (status, body) = post(&app, &token, "disciplinary-actions", CSV, csv, false).await;
    assert_eq!(status, 200, "{body:#}");
}
