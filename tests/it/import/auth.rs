use diesel::prelude::*;
use legal_portal::db::schema::audit_log;
use legal_portal::db::tokens;
use legal_portal::domain::vocab::TokenScope;

use super::*;

const BODY: &str = "执业证号,姓名,状态\nW-1,甲,执业\n";

async fn status_with(app: &TestApp, auth: Option<&str>) -> u16 {
    let mut req = app
        .client
        .post(format!("{}/admin/api/import/workers", app.address))
        .header("Content-Type", CSV)
        .body(BODY);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    req.send().await.unwrap().status().as_u16()
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
