use std::io::{Read, Write};

use legal_portal::domain::vocab::TokenScope;

use super::*;

#[actix_web::test]
async fn a_wrong_content_type_is_415() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let (status, body) = post(&app, &token, "workers", "text/plain", "a,b\n", false).await;
    assert_eq!(status, 415, "{body:#}");
    assert_eq!(body["error"]["code"], "unsupported_media_type");
}

#[actix_web::test]
async fn a_body_over_the_limit_is_413_before_it_is_sent() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let addr = app.address.trim_start_matches("http://").to_owned();
    let answer = actix_web::rt::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        write!(
            s,
            "POST /admin/api/import/workers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: text/csv\r\nContent-Length: 60000000\r\n\r\n"
        )
        .unwrap();
        let mut buf = [0u8; 4096];
        let n = s.read(&mut buf).unwrap_or(0);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    })
    .await
    .unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "a declared 60 MB body is refused without waiting for it: {answer}"
    );
    assert!(answer.contains("payload_too_large"), "{answer}");
}

#[actix_web::test]
async fn bytes_that_are_not_the_declared_type_are_refused() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let (status, body) = post(&app, &token, "workers", XLSX, "执业证号\nW-1\n", false).await;
    assert_eq!(status, 400, "CSV declared as XLSX: {body:#}");
    let (status, body) = post(&app, &token, "workers", JSON, "执业证号\nW-1\n", false).await;
    assert_eq!(status, 400, "CSV declared as JSON: {body:#}");
    let zip = b"PK\x03\x04rest of a zip".to_vec();
    let (status, body) = post(&app, &token, "workers", CSV, zip, false).await;
    assert_eq!(status, 400, "a ZIP declared as CSV: {body:#}");
    let (status, _) = post(
        &app,
        &token,
        "workers",
        "text/csv; charset=klingon",
        "a\n",
        false,
    )
    .await;
    assert_eq!(status, 415, "an unknown charset");
    assert_eq!(worker_count(&mut app.conn()), 3);
}

#[actix_web::test]
async fn an_unknown_dataset_is_404() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    let (status, body) = post(&app, &token, "lawyers", CSV, "a\n", false).await;
    assert_eq!(status, 404, "{body:#}");
}
