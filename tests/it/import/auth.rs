use diesel::prelude::*;
use legal_portal::db::schema::audit_log;
use legal_portal::db::tokens;
use legal_portal::domain::vocab::TokenScope;

use super::*;

const BODY: &str = "执业证号,姓名,状态\nW-1,甲,执业\n";

async fn import_with(app: &TestApp, auth: Option<&str>) -> reqwest::Response {
    let mut req = app
        .client
        .post(format!("{}/admin/api/import/workers", app.address))
        .header("Content-Type", CSV)
        .body(BODY);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    req.send().await.unwrap()
}

async fn status_with(app: &TestApp, auth: Option<&str>) -> u16 {
    import_with(app, auth).await.status().as_u16()
}

/// A 401 says how to authenticate (RFC 9110, RFC 6750), so an HTTP
/// client library knows to send its bearer token.
#[actix_web::test]
async fn a_refused_token_is_answered_with_a_bearer_challenge() {
    let (app, _token) = app_with_token(TokenScope::Import).await;
    let challenge = |auth: Option<&'static str>| {
        let app = &app;
        async move {
            let resp = import_with(app, auth).await;
            assert_eq!(resp.status(), 401);
            resp.headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap().to_owned())
        }
    };
    assert_eq!(
        challenge(None).await.as_deref(),
        Some("Bearer realm=\"legal-portal-admin\"")
    );
    assert_eq!(
        challenge(Some("Bearer lpt_wrong")).await.as_deref(),
        Some("Bearer realm=\"legal-portal-admin\", error=\"invalid_token\"")
    );
}

#[actix_web::test]
async fn missing_wrong_revoked_and_other_scope_tokens_are_refused() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    assert_eq!(status_with(&app, None).await, 401, "no token");
    assert_eq!(
        status_with(&app, Some("Bearer lpt_wrong")).await,
        401,
        "wrong token"
    );
    let complaints = super::token(&app, "投诉处理", TokenScope::Complaints);
    assert_eq!(
        status_with(&app, Some(&format!("Bearer {complaints}"))).await,
        403,
        "a complaints token may not import"
    );
    let admin = super::token(&app, "管理员", TokenScope::Admin);
    assert_eq!(
        status_with(&app, Some(&format!("Bearer {admin}"))).await,
        200,
        "admin may import"
    );
    tokens::revoke(&mut app.conn(), "测试导入").unwrap();
    assert_eq!(
        status_with(&app, Some(&format!("Bearer {token}"))).await,
        401,
        "a revoked token"
    );
    assert_eq!(
        worker_count(&mut app.conn()),
        4,
        "only the admin's import wrote"
    );
}

#[actix_web::test]
async fn each_import_is_audited_by_token_name_never_the_token() {
    let (app, token) = app_with_token(TokenScope::Import).await;
    import_ok(&app, &token, "workers", CSV, BODY).await;
    let rows: Vec<(String, String, String, String)> = audit_log::table
        .select((
            audit_log::actor,
            audit_log::action,
            audit_log::target,
            audit_log::detail,
        ))
        .load(&mut app.conn())
        .unwrap();
    assert!(
        rows.iter()
            .any(|(actor, action, target, _)| actor == "测试导入"
                && action == "import"
                && target == "workers"),
        "{rows:?}"
    );
    assert!(
        rows.iter().all(|r| !format!("{r:?}").contains(&token)),
        "the token itself never appears"
    );
    assert!(
        rows.iter().all(|r| !r.3.contains('甲')),
        "no personal data in the audit detail"
    );
}
