//! A search by the name of a revoked or deregistered worker, when nobody of
//! that name may practise, says so first with the date (issue 14).

use diesel::prelude::*;
use legal_portal::db::DbConnection;
use legal_portal::db::models::NewAnnouncement;
use legal_portal::db::schema::announcements;
use legal_portal::with_backend;

use crate::helpers::{TestApp, build, d};

const OFFICE: &str = "31500103001";

fn seed(c: &mut DbConnection) {
    build::district(c, "500103", "渝中区", 588_717, 2000);
    build::office(c, OFFICE, "解放碑街道法律服务所", "500103");
    build::review(c, "office", OFFICE, 2025, "pass", None);
    // 王建国: licence revoked by a decision of 2025-06-10.
    build::worker(c, "45001030001", "王建国", OFFICE);
    build::action(
        c,
        "渝中司罚〔2025〕7号",
        "45001030001",
        "revoke_license",
        "2025-06-10",
        |_| {},
    );
    // 李秀兰: deregistered, named by an exit notice of 2025-09-01.
    build::worker_with(c, "45001030002", "李秀兰", OFFICE, |w| {
        w.status = "deregistered".into();
    });
    let notice = NewAnnouncement {
        kind: "exit".into(),
        title: "注销公告".into(),
        body: "依法注销。".into(),
        published_on: d("2025-09-01"),
        license_nos: "45001030002".into(),
    };
    with_backend!(c, |cc| diesel::insert_into(announcements::table)
        .values(&notice)
        .execute(cc))
    .unwrap();
    // As the portal's writers do: who each notice names, indexed.
    legal_portal::db::announcements::sync_subjects(c).unwrap();
    // 赵国强: one revoked, one practising of the same name.
    build::worker_with(c, "45001030003", "赵国强", OFFICE, |w| {
        w.status = "revoked".into();
    });
    build::worker(c, "45001030004", "赵国强", OFFICE);
    build::review(c, "worker", "45001030004", 2025, "competent", None);
}

/// The warning's markup, as a browser reads its attributes.
fn notice_of(page: &str) -> Option<String> {
    let start = page.find("class=\"impersonation\"")?;
    let rest = &page[start..];
    Some(rest[..rest.find("</section>").unwrap_or(rest.len())].replace("&#x2F;", "/"))
}

#[actix_web::test]
async fn a_search_for_a_revoked_or_deregistered_worker_s_name_warns_first_with_the_date() {
    let app = TestApp::builder().seed(seed).await;
    app.wait_for_search().await;

    let page = app.text("/search?q=%E7%8E%8B%E5%BB%BA%E5%9B%BD", 200).await;
    let notice = notice_of(&page).expect("a warning on the page");
    assert!(
        notice.contains("名为 王建国 的人员执业证已被吊销（2025-06-10），目前不能提供基层法律服务"),
        "{notice}"
    );
    assert!(
        notice.contains("/complaints/unlicensed?name=%E7%8E%8B%E5%BB%BA%E5%9B%BD"),
        "a way to report someone practising under the name: {notice}"
    );
    assert!(
        page.find("class=\"impersonation\"").unwrap()
            < page.find("class=\"hits\"").unwrap_or(usize::MAX),
        "the warning comes before the results"
    );

    let page = app.text("/search?q=%E6%9D%8E%E7%A7%80%E5%85%B0", 200).await;
    let notice = notice_of(&page).expect("a warning for the deregistered one");
    assert!(notice.contains("已被注销（2025-09-01）"), "{notice}");

    // Somebody of the name may practise: the resident may have met that one.
    let page = app.text("/search?q=%E8%B5%B5%E5%9B%BD%E5%BC%BA", 200).await;
    assert!(
        notice_of(&page).is_none(),
        "no warning when one of the name practises"
    );
    // Not a name: no warning, no lookup.
    let page = app.text("/search?q=45001030001", 200).await;
    assert!(notice_of(&page).is_none());

    // The API says the same, in the asker's language.
    let api = app
        .json("/api/v1/search?q=%E7%8E%8B%E5%BB%BA%E5%9B%BD", 200)
        .await;
    let data = if api.get("data").is_some() {
        &api["data"]
    } else {
        &api
    };
    let w = &data["impersonation"]["workers"][0];
    assert_eq!(w["license_no"], "45001030001");
    assert_eq!(w["standing"], "revoked");
    assert_eq!(w["since"], "2025-06-10");
    let api = app
        .json("/api/v1/search?q=%E8%B5%B5%E5%9B%BD%E5%BC%BA", 200)
        .await;
    let data = if api.get("data").is_some() {
        &api["data"]
    } else {
        &api
    };
    assert!(data.get("impersonation").is_none(), "{data}");
    let en = app
        .text("/search?q=%E7%8E%8B%E5%BB%BA%E5%9B%BD&lang=en", 200)
        .await;
    assert!(
        notice_of(&en)
            .unwrap()
            .contains("The licence of the worker named 王建国 is revoked (since 2025-06-10)"),
        "{en}"
    );
}

/// Whether a search page for `name` (percent-encoded) warns.
async fn warns(app: &TestApp, name: &str) -> Option<String> {
    notice_of(&app.text(&format!("/search?q={name}"), 200).await)
}

/// The portal keeps who may be barred between writes; a revocation or a
/// deregistration shows at the next search once written, whether through
/// the portal's own import or by another process that marks the worker for
/// reindexing (as the `import` command and other portal processes do).
#[actix_web::test]
async fn a_worker_barred_while_the_portal_runs_is_warned_about_at_the_next_search() {
    const SUN: &str = "%E5%AD%99%E5%BF%97%E5%8D%8E"; // 孙志华
    const QIAN: &str = "%E9%92%B1%E4%B8%BD%E5%A8%9F"; // 钱丽娟
    const ZHOU: &str = "%E5%91%A8%E6%99%93%E6%A2%85"; // 周晓梅
    let app = TestApp::builder()
        .settings(|s| s.page_cache_ttl = std::time::Duration::ZERO)
        .seed(|c| {
            seed(c);
            build::worker(c, "45001030005", "孙志华", OFFICE);
            build::worker(c, "45001030006", "钱丽娟", OFFICE);
            build::worker(c, "45001030007", "周晓梅", OFFICE);
        })
        .await;
    app.wait_for_search().await;
    // Both practise: no warning, and the portal has read who is barred.
    assert!(warns(&app, SUN).await.is_none());
    assert!(warns(&app, QIAN).await.is_none());
    assert!(warns(&app, ZHOU).await.is_none());

    // Through the portal: the import itself makes the kept names stale.
    app.import_csv(
        "workers",
        &format!("执业证号,姓名,执业机构许可证号,状态,首次执业日期\n45001030005,孙志华,{OFFICE},注销,2015-03-01\n"),
    )
    .await;
    let notice = warns(&app, SUN)
        .await
        .expect("a warning right after the import");
    assert!(notice.contains("已被注销"), "{notice}");
    // A revoking decision imported while the portal runs, too.
    app.import_csv(
        "disciplinary-actions",
        "决定文号,执业证号,处理种类,决定机关,决定日期,事实,依据\n渝中司罚〔2025〕9号,45001030007,吊销执业证,渝中区司法局,2025-07-01,事实,依据\n",
    )
    .await;
    let notice = warns(&app, ZHOU)
        .await
        .expect("a warning right after the decision");
    assert!(notice.contains("已被吊销（2025-07-01）"), "{notice}");

    // Behind the portal's back, with the worker marked for reindexing: the
    // indexer's change makes the kept names stale.
    {
        let mut c = app.conn();
        diesel::update(legal_portal::db::schema::workers::table.find("45001030006"))
            .set(legal_portal::db::schema::workers::status.eq("revoked"))
            .execute(&mut c)
            .unwrap();
        legal_portal::db::outbox::enqueue(
            &mut c,
            legal_portal::domain::vocab::SubjectKind::Worker,
            &["45001030006".to_owned()],
        )
        .unwrap();
    }
    let started = std::time::Instant::now();
    let notice = loop {
        if let Some(notice) = warns(&app, QIAN).await {
            break notice;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "no warning once the indexer applied the change"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    assert!(notice.contains("已被吊销"), "{notice}");

    // A warning is said in the reader's language, whichever was asked first.
    let english = notice_of(&app.text(&format!("/search?q={SUN}&lang=en"), 200).await)
        .expect("the warning in English too");
    assert!(english.contains("deregistered"), "{english}");
    let chinese = warns(&app, SUN).await.expect("and again in Chinese");
    assert!(chinese.contains("已被注销"), "{chinese}");

    // A warning shown goes with the write that ends it: the revoking
    // decision withdrawn, the name is no longer warned about.
    assert!(warns(&app, ZHOU).await.is_some());
    app.import_csv(
        "disciplinary-actions",
        "决定文号,执业证号,处理种类,决定机关,决定日期,事实,依据,撤销日期,撤销原因\n渝中司罚〔2025〕9号,45001030007,吊销执业证,渝中区司法局,2025-07-01,事实,依据,2026-11-01,复议撤销\n",
    )
    .await;
    assert_eq!(
        warns(&app, ZHOU).await,
        None,
        "no warning once the revocation is withdrawn"
    );
}

#[actix_web::test]
async fn verify_by_a_barred_name_warns_first_with_or_without_a_number() {
    let app = TestApp::builder().seed(seed).await;
    // The name alone.
    let page = app
        .text("/verify?name=%E7%8E%8B%E5%BB%BA%E5%9B%BD", 200)
        .await;
    let notice = notice_of(&page).expect("a warning on /verify");
    assert!(
        notice.contains("名为 王建国 的人员执业证已被吊销（2025-06-10），目前不能提供基层法律服务"),
        "{notice}"
    );
    // A practising worker's number with the barred name: the number is
    // not the name's, and the name's warning is shown as well.
    let page = app
        .text(
            "/verify?license_no=45001030004&name=%E7%8E%8B%E5%BB%BA%E5%9B%BD",
            200,
        )
        .await;
    assert!(notice_of(&page).is_some(), "{page}");
    assert!(page.contains("不符"), "the mismatch is still said: {page}");
    // A name someone may practise under warns of nothing; the name alone
    // points to search.
    let page = app
        .text("/verify?name=%E8%B5%B5%E5%9B%BD%E5%BC%BA", 200)
        .await;
    assert!(notice_of(&page).is_none(), "{page}");
    assert!(page.contains("id=\"verify-name-only\""), "{page}");
    assert!(
        page.replace("&#x2F;", "/")
            .contains("/search?q=%E8%B5%B5%E5%9B%BD%E5%BC%BA&amp;type=worker"),
        "{page}"
    );
}

#[actix_web::test]
async fn a_status_set_by_an_import_dates_the_warning() {
    use legal_portal::domain::vocab::TokenScope;
    let app = TestApp::builder().seed(seed).await;
    let token =
        legal_portal::db::tokens::create(&mut app.conn(), "clerk", TokenScope::Import).unwrap();
    let import = |status: &'static str| {
        let body =
            format!("执业证号,姓名,执业机构许可证号,状态\n45001030009,钱德明,{OFFICE},{status}\n");
        app.client
            .post(format!("{}/admin/api/import/workers", app.address))
            .bearer_auth(&token)
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    assert_eq!(import("执业").await.unwrap().status(), 200);
    assert_eq!(import("注销").await.unwrap().status(), 200);
    let on = legal_portal::domain::dates::china_date(chrono::Utc::now().naive_utc());
    let page = app
        .text("/verify?name=%E9%92%B1%E5%BE%B7%E6%98%8E", 200)
        .await;
    let notice = notice_of(&page).expect("a warning");
    assert!(
        notice.contains(&format!("名为 钱德明 的人员执业证已被注销（{on}）")),
        "{notice}"
    );
}

#[actix_web::test]
async fn search_engines_are_not_told_a_barred_worker_works_for_an_office() {
    let app = TestApp::builder().seed(seed).await;
    let ld = |page: &str| -> serde_json::Value {
        let start = page
            .find("<script type=\"application/ld+json\">")
            .expect("JSON-LD")
            + 35;
        let end = page[start..].find("</script>").unwrap() + start;
        serde_json::from_str(&page[start..end]).expect("valid JSON-LD")
    };
    for barred in ["45001030001", "45001030002"] {
        let json = ld(&app.text(&format!("/workers/{barred}"), 200).await);
        assert!(
            json.get("worksFor").is_none() && json.get("jobTitle").is_none(),
            "{json}"
        );
        assert_eq!(json["identifier"], barred);
    }
    let json = ld(&app.text("/workers/45001030004", 200).await);
    assert_eq!(json["worksFor"]["identifier"], OFFICE, "{json}");
}

#[actix_web::test]
async fn a_worker_revoked_by_status_is_dated_by_the_revoking_decision() {
    let app = TestApp::builder()
        .seed(|c| {
            seed(c);
            // 钟红军: status revoked, and a revoking decision on record.
            build::worker_with(c, "45001030007", "钟红军", OFFICE, |w| {
                w.status = "revoked".into();
            });
            build::action(
                c,
                "渝中司罚〔2025〕3号",
                "45001030007",
                "revoke_license",
                "2025-03-13",
                |_| {},
            );
        })
        .await;
    let body = app
        .json("/api/v1/search?q=%E9%92%9F%E7%BA%A2%E5%86%9B", 200)
        .await;
    assert_eq!(
        body["impersonation"]["workers"][0]["since"], "2025-03-13",
        "{body}"
    );
}
