//! `/api/v1/openapi.json`: an OpenAPI 3.1 document naming every route the
//! code registers under `/api/v1/` and `/admin/api/`, each with its error
//! answers. (That real answers match it is checked by schemathesis against
//! a running portal: `scripts/schemathesis.sh`, run by `.ci/run`.)

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::helpers::TestApp;

/// `(method, path)` of every route registered in the API's source files:
/// the literals of `.route("…", web::get()…)` and `web::resource("…")…
/// .route(web::post()…)`, with `/api/v1` prefixed inside its scope.
fn registered_routes() -> BTreeSet<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web");
    let mut files = vec![root.join("reindex.rs")];
    for dir in ["api", "admin"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    let mut routes = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let in_api_scope = file.parent().unwrap().ends_with("api");
        for call in ["route(\"", "resource(\""] {
            for (at, _) in text.match_indices(call) {
                let rest = &text[at + call.len()..];
                let path = &rest[..rest.find('"').unwrap()];
                let after = &rest[..rest.len().min(200)];
                let method = ["get", "post", "put", "delete", "patch"]
                    .into_iter()
                    .filter_map(|m| after.find(&format!("web::{m}()")).map(|i| (i, m)))
                    .min()
                    .unwrap_or_else(|| panic!("no method after {path} in {}", file.display()))
                    .1;
                let full = if in_api_scope && !path.starts_with("/admin") {
                    format!("/api/v1{path}")
                } else {
                    path.to_owned()
                };
                routes.insert((method.to_owned(), full));
            }
        }
    }
    routes
}

fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "post", "put", "delete", "patch"].contains(&k.as_str()))
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect()
}

#[actix_web::test]
async fn the_document_is_openapi_3_1_and_names_every_api_route() {
    let app = TestApp::builder().start().await;
    let res = app.get("/api/v1/openapi.json").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let registered = registered_routes();
    assert!(
        registered.len() >= 16,
        "the source scan found only {registered:?}"
    );
    let documented = documented(&doc);
    let missing: Vec<_> = registered.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&registered).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "registered but not documented: {missing:?}; documented but not registered: {extra:?}"
    );
}

fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[actix_web::test]
async fn every_reference_in_the_document_resolves() {
    let app = TestApp::builder().start().await;
    let doc = app.json("/api/v1/openapi.json", 200).await;
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 20, "only {} references", found.len());
    for r in found {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("external ref {r}"));
        assert!(doc.pointer(pointer).is_some(), "unresolved {r}");
    }
}

#[actix_web::test]
async fn every_operation_documents_its_errors_and_admin_ones_their_token() {
    let app = TestApp::builder().start().await;
    let doc = app.json("/api/v1/openapi.json", 200).await;
    let error_body = &doc["components"]["schemas"]["ErrorBody"];
    assert_eq!(error_body["required"], serde_json::json!(["error"]));
    let codes: Vec<&str> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for code in [
        "not_found",
        "invalid_license_no",
        "bad_request",
        "unauthorized",
        "forbidden",
        "rate_limited",
        "import_rejected",
        "unavailable",
    ] {
        assert!(codes.contains(&code), "{code} not in {codes:?}");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["token"]["scheme"],
        "bearer"
    );
    // Answers that take no parameters and fail only with a 500.
    let no_errors = [
        "/api/v1/openapi.json",
        "/api/v1/districts",
        "/api/v1/export/hsds.json",
    ];
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path}: no success answer"
            );
            let errors: Vec<&String> = responses.keys().filter(|s| s.starts_with('4')).collect();
            if !no_errors.contains(&path.as_str()) {
                assert!(!errors.is_empty(), "{method} {path}: no error answers");
            }
            for status in errors {
                let schema = &responses[status]["content"]["application/json"]["schema"];
                assert_eq!(
                    schema["$ref"], "#/components/schemas/ErrorBody",
                    "{method} {path} {status}"
                );
            }
            if path.starts_with("/admin/api/") {
                assert_eq!(
                    op["security"],
                    serde_json::json!([{"token": []}]),
                    "{method} {path}"
                );
                for status in ["401", "403"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path}: no {status}"
                    );
                }
            }
        }
    }
}

#[actix_web::test]
async fn a_real_error_answer_has_the_documented_shape() {
    let app = TestApp::builder().start().await;
    let doc = app.json("/api/v1/openapi.json", 200).await;
    let detail = &doc["components"]["schemas"]["ErrorDetail"];
    let required: BTreeSet<&str> = detail["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for (path, status) in [
        ("/api/v1/workers/45009999999", 404),
        ("/api/v1/workers/%E5%BC%A0!", 400),
        ("/admin/api/compliance", 401),
        ("/api/v1/search?type=office&type=worker", 400),
    ] {
        let body = app.json(path, status).await;
        let error = body["error"].as_object().unwrap();
        let keys: BTreeSet<&str> = error.keys().map(String::as_str).collect();
        assert_eq!(keys, required, "{path}: {body}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{path}: {body}"
        );
    }
}

#[actix_web::test]
async fn a_query_the_handler_cannot_take_is_a_400_in_the_page_format() {
    let app = TestApp::builder().start().await;
    let body = app
        .json("/api/v1/search?type=office&type=worker", 400)
        .await;
    assert_eq!(body["error"]["code"], "bad_request", "{body}");
    assert!(
        body["error"]["details"]["reason"]
            .as_str()
            .unwrap()
            .contains("type")
    );
    let res = app.get("/search?page=1&page=2&lang=en").await;
    assert_eq!(res.status(), 400);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = res.text().await.unwrap();
    assert!(page.contains("The query parameters are wrong"), "{page}");
}

/// The case check's `answer` is documented as the yes/no enum: two
/// schemas of one name (the search answer was also `Answer`) would
/// silently replace each other in the document.
#[actix_web::test]
async fn the_case_check_answer_is_documented_as_yes_or_no() {
    let app = TestApp::builder().start().await;
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let schemas = &doc["components"]["schemas"];
    // Follows `$ref`s, also inside `allOf`, to the first schema with an enum.
    fn enum_of(schemas: &Value, s: &Value) -> Option<Value> {
        if let Some(e) = s.get("enum") {
            return Some(e.clone());
        }
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let name = r.rsplit('/').next()?;
            return enum_of(schemas, &schemas[name]);
        }
        s.get("allOf")?
            .as_array()?
            .iter()
            .find_map(|part| enum_of(schemas, part))
    }
    let answer = &schemas["CaseCheck"]["properties"]["answer"];
    assert_eq!(
        enum_of(schemas, answer),
        Some(serde_json::json!(["yes", "no"])),
        "{answer:#}"
    );
}
