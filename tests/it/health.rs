use crate::helpers::TestApp;

#[actix_web::test]
async fn healthz_answers_ok_over_tcp() {
    let app = TestApp::builder().start().await;
    let body = app.text("/healthz", 200).await;
    assert_eq!(body, "ok");
}
