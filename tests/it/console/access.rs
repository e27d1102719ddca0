//! Signing in and out, the lockout, session expiry, CSRF, disabled
//! accounts and what each role may reach.

use diesel::prelude::*;
use legal_portal::db::schema::{admin_lockouts, admin_sessions};
use legal_portal::db::users;
use legal_portal::domain::vocab::Role;

use super::{Clerk, PASSWORD, account, two_districts};
use crate::helpers::TestApp;

#[actix_web::test]
async fn a_clerk_signs_in_with_a_strict_cookie_and_signing_out_ends_the_session_on_the_server() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "市局王", Role::City, None);

    let mut clerk = Clerk::new(&app);
    let first = clerk.get("/admin/imports").await;
    assert_eq!(first.status, 303, "not signed in: to the sign-in page");
    assert_eq!(first.location(), "/admin/login?next=%2Fadmin%2Fimports");

    let signed = clerk.sign_in("市局王", PASSWORD).await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let cookie = signed
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("lp_admin="))
        .expect("a session cookie");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/admin"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain http on loopback: {cookie}"
    );
    let home = clerk.get("/admin").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("市局王"), "the page names the account");
    assert_eq!(home.headers["cache-control"], "no-store");

    let session = clerk.session_id().unwrap();
    let out = clerk.post("/admin/logout", &[]).await;
    assert_eq!(out.status, 303, "{}", out.body);
    assert_eq!(out.location(), "/admin/login");
    let left: i64 = admin_sessions::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(left, 0, "the session is gone from the server");

    // The old cookie, replayed, no longer opens anything.
    let mut replay = Clerk::new(&app);
    replay.cookies.push(("lp_admin".into(), session));
    assert_eq!(replay.get("/admin").await.status, 303);
}

#[actix_web::test]
async fn ten_failures_lock_a_name_for_fifteen_minutes_and_the_page_does_not_tell_whether_it_exists()
{
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "clerk", Role::City, None);

    let mut clerk = Clerk::new(&app);
    for i in 1..=9 {
        let a = clerk.sign_in("clerk", "wrong password!").await;
        assert_eq!(a.status, 401, "attempt {i}");
        assert!(a.body.contains("账号或密码不正确"), "{}", a.body);
    }
    let tenth = clerk.sign_in("clerk", "wrong password!").await;
    assert_eq!(tenth.status, 429);
    assert!(tenth.body.contains("已锁定"), "{}", tenth.body);
    // Locked: even the right password is refused.
    let right = clerk.sign_in("clerk", PASSWORD).await;
    assert_eq!(right.status, 429, "{}", right.body);
    assert!(clerk.session_id().is_none());

    // A name nobody has is locked the same way, with the same words.
    let mut stranger = Clerk::new(&app);
    let mut last = None;
    for _ in 0..10 {
        last = Some(stranger.sign_in("nobody", "wrong password!").await);
    }
    let last = last.unwrap();
    assert_eq!(last.status, 429);
    let words = |body: &str| {
        super::between(body, "role=\"alert\">", "<")
            .unwrap()
            .to_owned()
    };
    assert_eq!(words(&last.body), words(&tenth.body));

    // Fifteen minutes later (the lock's end moved into the past), the right
    // password opens the console again.
    diesel::update(admin_lockouts::table.filter(admin_lockouts::name.eq("clerk")))
        .set(
            admin_lockouts::until
                .eq(chrono::Utc::now().naive_utc() - chrono::TimeDelta::seconds(1)),
        )
        .execute(&mut app.conn())
        .unwrap();
    let back = clerk.sign_in("clerk", PASSWORD).await;
    assert_eq!(back.status, 303, "{}", back.body);
}

#[actix_web::test]
async fn a_session_idle_for_eight_hours_has_ended() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "clerk", Role::City, None);
    let mut clerk = Clerk::signed_in(&app, "clerk").await;

    let idle = |hours: i64| {
        diesel::update(admin_sessions::table)
            .set(
                admin_sessions::last_seen_at
                    .eq(chrono::Utc::now().naive_utc() - chrono::TimeDelta::hours(hours)),
            )
            .execute(&mut app.conn())
            .unwrap();
    };
    idle(7);
    assert_eq!(
        clerk.get("/admin").await.status,
        200,
        "7 hours idle: still in"
    );
    idle(9);
    let out = clerk.get("/admin").await;
    assert_eq!(out.status, 303, "9 hours idle: signed out");
    assert!(out.location().starts_with("/admin/login"));
}

#[actix_web::test]
async fn a_form_without_the_session_s_token_or_from_another_site_is_refused_and_changes_nothing() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "clerk", Role::City, None);
    let mut clerk = Clerk::signed_in(&app, "clerk").await;

    let forged = clerk
        .post("/admin/logout", &[("csrf_token", "not-the-token")])
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert!(forged.body.contains("表单已过期或来源不明"));
    assert_eq!(clerk.get("/admin").await.status, 200, "still signed in");

    // The right token, sent from another site.
    let resp = app
        .client
        .post(format!("{}/admin/logout", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "cookie",
            format!("lp_admin={}", clerk.session_id().unwrap()),
        )
        .header("origin", "https://evil.example")
        .body(format!("csrf_token={}", clerk.token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(clerk.get("/admin").await.status, 200, "still signed in");

    // The sign-in form itself carries a token: a post without one is
    // refused before the password is looked at.
    let mut other = Clerk::new(&app);
    let a = other
        .post(
            "/admin/login",
            &[
                ("csrf_token", ""),
                ("name", "clerk"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(a.status, 403);
    assert!(other.session_id().is_none());
}

#[actix_web::test]
async fn a_disabled_account_is_signed_out_and_cannot_sign_in() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "clerk", Role::City, None);
    let mut clerk = Clerk::signed_in(&app, "clerk").await;

    users::disable(&mut app.conn(), "clerk", chrono::Utc::now().naive_utc()).unwrap();
    assert_eq!(clerk.get("/admin").await.status, 303);
    let again = Clerk::new(&app).sign_in("clerk", PASSWORD).await;
    assert_eq!(again.status, 401, "refused like a wrong password");

    // A new password ends nothing for a disabled account; it stays out.
    users::reset_password(&mut app.conn(), "clerk", "another long password").unwrap();
    let again = Clerk::new(&app)
        .sign_in("clerk", "another long password")
        .await;
    assert_eq!(again.status, 401);
}

#[actix_web::test]
async fn each_role_reaches_its_pages_and_is_refused_the_others() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "city", Role::City, None);
    account(&app, "yongchuan", Role::District, Some("500118"));
    account(&app, "desk", Role::Complaints, None);

    let pages = [
        "/admin",
        "/admin/imports/new",
        "/admin/imports",
        "/admin/complaints",
        "/admin/compliance",
        "/admin/compliance.csv",
        "/admin/exit-candidates.csv",
        "/admin/audit",
        "/admin/imports/templates/workers.xlsx",
    ];
    let expect = |role: &str, page: &str| -> u16 {
        let allowed = match role {
            "city" => true,
            "yongchuan" => !page.starts_with("/admin/complaints") && page != "/admin/audit",
            _ => page == "/admin" || page.starts_with("/admin/complaints"),
        };
        if allowed { 200 } else { 403 }
    };
    for name in ["city", "yongchuan", "desk"] {
        let mut clerk = Clerk::signed_in(&app, name).await;
        for page in pages {
            let a = clerk.get(page).await;
            assert_eq!(
                a.status,
                expect(name, page),
                "{name} GET {page}: {}",
                a.body
            );
            if a.status == 403 {
                assert!(a.body.contains("无权查看"), "{}", a.body);
            }
        }
        // The navigation offers only what the role reaches.
        let home = clerk.get("/admin").await;
        assert_eq!(
            home.body.contains("href=\"/admin/audit\""),
            name == "city",
            "{name}"
        );
    }
}

#[actix_web::test]
async fn the_console_speaks_english_when_asked() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "clerk", Role::District, Some("500118"));
    let mut clerk = Clerk::new(&app);
    let login = clerk.get("/admin/login?lang=en").await;
    assert!(login.body.contains("Sign in"), "{}", login.body);
    assert!(login.body.contains("<html lang=\"en\""));
    let a = clerk
        .post(
            "/admin/login",
            &[("name", "clerk"), ("password", "nope nope nope")],
        )
        .await;
    assert_eq!(a.status, 401);
    assert!(
        a.body
            .contains("The account name or the password is wrong."),
        "{}",
        a.body
    );
    let a = clerk.sign_in("clerk", PASSWORD).await;
    assert_eq!(a.status, 303);
    let home = clerk.get("/admin").await;
    assert!(home.body.contains("Signed in as clerk"), "{}", home.body);
    assert!(home.body.contains("District bureau"));
}

#[actix_web::test]
async fn attempts_sent_at_once_check_no_more_passwords_than_the_lockout_allows() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "clerk", Role::City, None);
    // Thirty browsers, each with its sign-in form, post at the same moment.
    let mut posts = Vec::new();
    for _ in 0..30 {
        let mut c = Clerk::new(&app);
        c.get("/admin/login").await;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("csrf_token", &c.token)
            .append_pair("name", "clerk")
            .append_pair("password", "wrong password!")
            .finish();
        let cookie = c
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = app
            .client
            .post(format!("{}/admin/login", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie)
            .body(body);
        posts.push(actix_web::rt::spawn(async move {
            req.send().await.unwrap().status().as_u16()
        }));
    }
    let mut refused = 0;
    let mut locked = 0;
    for p in posts {
        match p.await.unwrap() {
            401 => refused += 1,
            429 => locked += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    // Ten passwords are the allowance, however the attempts are timed.
    assert!(
        refused <= 10,
        "{refused} wrong passwords were checked and refused"
    );
    assert!(locked >= 20);
    assert_eq!(refused + locked, 30);
    assert_eq!(
        Clerk::new(&app).sign_in("clerk", PASSWORD).await.status,
        429,
        "the name is locked"
    );
}

#[actix_web::test]
async fn one_address_trying_name_after_name_is_stopped_before_its_passwords_are_checked() {
    let app = TestApp::builder().seed(two_districts).await;
    account(&app, "clerk", Role::City, None);
    let allowance = legal_portal::web::auth::SIGN_IN_ATTEMPTS;
    // Each attempt under another name: no account's lockout stops them.
    let mut clerk = Clerk::new(&app);
    clerk.get("/admin/login").await;
    for i in 0..allowance {
        let a = clerk
            .post(
                "/admin/login",
                &[
                    ("name", &format!("guess{i}")),
                    ("password", "wrong password!"),
                ],
            )
            .await;
        assert_eq!(a.status, 401, "attempt {i}: {}", a.body);
    }
    let refused_at = audited_refusals(&app);
    let over = clerk
        .post("/admin/login", &[("name", "clerk"), ("password", PASSWORD)])
        .await;
    assert_eq!(over.status, 429, "{}", over.body);
    let wait: u64 = over.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    assert!(over.body.contains("请求过于频繁"), "{}", over.body);
    assert!(
        clerk.session_id().is_none(),
        "not let in, right password or not"
    );
    assert_eq!(
        audited_refusals(&app),
        refused_at,
        "the password was not even checked"
    );
}

fn audited_refusals(app: &TestApp) -> i64 {
    use legal_portal::db::schema::audit_log;
    audit_log::table
        .filter(audit_log::action.like("console.sign_in%"))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}
