//! Compression: a client that takes gzip gets every textual answer gzipped,
//! and it is the same answer a plain client gets; tiny answers the page
//! cache does not keep, and clients that do not take gzip, get it plain.
//! Streamed exports are compressed as they go.

use std::time::Duration;

use crate::helpers::{TestApp, inflate};
use crate::page_cache::{OFFICE, WORKER, seed};

/// Pages, API answers, an error page, an image and assets, with the page
/// cache on and off: gzipped for a browser, the same bytes once inflated.
#[actix_web::test]
async fn a_browser_gets_every_textual_answer_gzipped_and_it_is_the_same_answer() {
    for ttl in [Duration::ZERO, Duration::from_secs(60)] {
        let app = TestApp::builder()
            .settings(move |s| s.page_cache_ttl = ttl)
            .seed(seed)
            .await;
        for (path, status) in [
            (format!("/workers/{WORKER}"), 200),
            (format!("/offices/{OFFICE}"), 200),
            ("/search?q=%E5%BC%A0".to_owned(), 200),
            (format!("/api/v1/workers/{WORKER}"), 200),
            ("/api/v1/openapi.json".to_owned(), 200),
            (format!("/workers/{WORKER}/qr.svg"), 200),
            ("/static/site.css".to_owned(), 200),
            ("/districts".to_owned(), 200),
            ("/workers/45009999999".to_owned(), 404),
        ] {
            let (got, encoding, plain) = app.get_encoded(&path, "identity").await;
            assert_eq!((got, encoding.as_deref()), (status, None), "{path} plain");
            let plain = String::from_utf8(plain).unwrap();
            for accept in ["gzip, deflate, br, zstd", "gzip", "br;q=1, gzip;q=0.8"] {
                let (got, encoding, body) = app.get_encoded(&path, accept).await;
                assert_eq!(got, status, "{path} {accept}");
                assert_eq!(encoding.as_deref(), Some("gzip"), "{path} {accept}");
                assert!(
                    body.len() < plain.len(),
                    "{path}: {} ≥ {}",
                    body.len(),
                    plain.len()
                );
                assert_eq!(inflate(Some("gzip"), &body), plain, "{path} {accept}");
                // HEAD announces the length GET sends.
                let head = app.encoded(reqwest::Method::HEAD, &path, accept).await;
                assert_eq!(head.status, status, "HEAD {path}");
                assert_eq!(
                    head.length,
                    Some(body.len().to_string()),
                    "HEAD {path} {accept}"
                );
            }
            // Refusing gzip, or asking only for what the portal does not
            // offer, gets the plain answer.
            for accept in ["gzip;q=0", "br", "deflate", "*;q=0, identity"] {
                let (got, encoding, body) = app.get_encoded(&path, accept).await;
                assert_eq!(
                    (got, encoding.as_deref()),
                    (status, None),
                    "{path} {accept}"
                );
                assert_eq!(String::from_utf8(body).unwrap(), plain, "{path} {accept}");
            }
        }
    }
}

#[actix_web::test]
async fn a_tiny_answer_is_sent_as_it_is() {
    let app = TestApp::builder().seed(seed).await;
    let (status, encoding, body) = app.get_encoded("/healthz", "gzip").await;
    assert_eq!((status, encoding), (200, None));
    assert!(body.len() < 256, "{} bytes", body.len());
}

#[actix_web::test]
async fn a_streamed_export_is_gzipped_as_it_goes() {
    let app = TestApp::builder().seed(seed).await;
    let (status, encoding, plain) = app.get_encoded("/api/v1/export/workers.csv", "").await;
    assert_eq!((status, encoding), (200, None));
    let plain = String::from_utf8(plain).unwrap();
    assert!(plain.contains(WORKER), "{plain}");
    let (status, encoding, body) = app
        .get_encoded("/api/v1/export/workers.csv", "gzip, deflate, br")
        .await;
    assert_eq!((status, encoding.as_deref()), (200, Some("gzip")));
    assert_eq!(inflate(Some("gzip"), &body), plain);
}
