use diesel::prelude::*;
use legal_portal::db::DbConnection;
use legal_portal::db::schema::certificates;

use crate::helpers::{TestApp, build};

const WORKER: &str = "45001030001";
const OFFICE: &str = "31500103001";

fn base(c: &mut DbConnection) {
    build::district(c, "500103", "渝中区", 588_717, 2000);
    build::office(c, OFFICE, "解放碑街道法律服务所", "500103");
    build::worker(c, WORKER, "张秀英", OFFICE);
    build::review(c, "worker", WORKER, 2025, "competent", None);
}

/// The first `XXXX-XXXX-XXXX-XXXX` code in a page.
pub(crate) fn code_in(page: &str) -> String {
    let bytes = page.as_bytes();
    (0..bytes.len().saturating_sub(19))
        .map(|i| &bytes[i..i + 19])
        .find(|s| {
            s.iter().enumerate().all(|(i, c)| {
                if i % 5 == 4 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit() || c.is_ascii_uppercase()
                }
            })
        })
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .unwrap_or_else(|| panic!("no certificate code in the page:\n{page}"))
}

/// The page as a browser reads its attributes.
fn unescape(page: &str) -> String {
    page.replace("&#x2F;", "/").replace("&amp;", "&")
}

#[actix_web::test]
async fn verify_answers_in_one_dated_sentence_and_hides_the_holder_on_a_wrong_name() {
    let app = TestApp::builder().seed(base).await;
    let page = app
        .text(&format!("/verify?license_no={WORKER}&name=张秀英"), 200)
        .await;
    assert!(page.contains("截至 2026-11-28，张秀英"), "{page}");
    assert!(page.contains("执业状态良好") && page.contains("执业证号与所填名称一致"));
    // The page gives the reason beside the label, green or not, as the
    // profile does: what a good standing rests on (a review, or too new
    // for one) is part of the answer.
    let reason = app
        .json(&format!("/api/v1/verify?license_no={WORKER}"), 200)
        .await["subject"]["standing"]["reason"]
        .as_str()
        .map(str::to_owned)
        .expect("a reason");
    assert!(reason.contains("2025"), "{reason}");
    assert!(unescape(&page).contains(&reason), "{reason} in {page}");

    // Full-width digits and a space in the number still match.
    let typed = url::form_urlencoded::byte_serialize("４５００１０３ ０００１".as_bytes())
        .collect::<String>();
    let page = app
        .text(&format!("/verify?license_no={typed}&name=张 秀英"), 200)
        .await;
    assert!(page.contains("执业状态良好"), "{page}");

    let page = app
        .text(&format!("/verify?license_no={WORKER}&name=李四"), 200)
        .await;
    assert!(page.contains("与所填名称不符"), "{page}");
    assert!(
        !page.contains("张秀英"),
        "a wrong name must not reveal who holds the number"
    );

    let page = app.text("/verify?license_no=45009999999", 404).await;
    assert!(page.contains("未找到执业证号为 45009999999"), "{page}");
    let page = app.text("/verify?license_no=%3Cb%3E", 400).await;
    assert!(page.contains("执业证号格式不正确"), "{page}");

    let json = app
        .json(&format!("/api/v1/verify?license_no={WORKER}"), 200)
        .await;
    assert_eq!(json["result"], "found");
    assert_eq!(json["subject"]["name"], "张秀英");
    assert_eq!(json["subject"]["standing"]["key"], "good_standing");
    let json = app
        .json(
            &format!("/api/v1/verify?license_no={WORKER}&name=李四"),
            200,
        )
        .await;
    assert_eq!(json["result"], "name_mismatch");
    assert!(json.get("subject").is_none());
    let json = app.json("/api/v1/verify", 400).await;
    assert_eq!(json["error"]["code"], "bad_request");
}

#[actix_web::test]
async fn a_worker_profile_carries_a_qr_code_to_verify_and_an_office_a_map_link() {
    let app = TestApp::builder().seed(base).await;
    let page = app.text(&format!("/workers/{WORKER}"), 200).await;
    assert!(
        page.contains(&format!("<img src=\"/workers/{WORKER}/qr.svg\"")),
        "the profile shows its QR code: {page}"
    );
    assert!(unescape(&page).contains(&format!("/verify?license_no={WORKER}")));
    // The QR code is an image browsers keep, pointing to /verify.
    let resp = app
        .client
        .get(format!("{}/workers/{WORKER}/qr.svg", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "image/svg+xml; charset=utf-8"
    );
    assert_eq!(resp.headers()["cache-control"], "public, max-age=86400");
    let svg = resp.text().await.unwrap();
    assert_eq!(
        Some(svg),
        legal_portal::web::pages::verify::qr_svg(&format!(
            "{}/verify?license_no={WORKER}",
            app.address
        )),
        "the image encodes the verify address of this host"
    );
    for unknown in [
        format!("/workers/{OFFICE}/qr.svg"),
        "/workers/45009999999/qr.svg".into(),
    ] {
        let resp = app
            .client
            .get(format!("{}{unknown}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404, "{unknown}");
    }
    let page = unescape(&app.text(&format!("/offices/{OFFICE}"), 200).await);
    // The builder puts the office at WGS-84 29.5, 106.5; GCJ-02 shifts it.
    assert!(
        page.contains("https://uri.amap.com/marker?position="),
        "{page}"
    );
    assert!(
        !page.contains("position=106.500000,29.500000"),
        "the position is converted to GCJ-02"
    );
    assert!(
        page.contains("重庆市某区某镇1号"),
        "the plain address line is there too"
    );
}

#[actix_web::test]
async fn a_printed_certificate_is_genuine_and_says_when_standing_changed() {
    let app = TestApp::builder().seed(base).await;
    let page = app
        .text(&format!("/workers/{WORKER}/certificate"), 200)
        .await;
    assert!(
        page.contains("执业状态证明")
            && page.contains("2026-11-28")
            && page.contains("执业状态良好")
    );
    let code = code_in(&page);
    let again = app
        .text(&format!("/workers/{WORKER}/certificate"), 200)
        .await;
    assert_eq!(
        code_in(&again),
        code,
        "printing twice on one day gives one code"
    );

    let check = app.text(&format!("/certificates/{code}"), 200).await;
    assert!(
        check.contains("这是本平台出具的真实证明") && check.contains("未发生变化"),
        "{check}"
    );
    let typed = code.to_lowercase().replace('-', " ");
    let json = app
        .json(
            &format!("/api/v1/certificates/{}", typed.replace(' ', "%20")),
            200,
        )
        .await;
    assert_eq!(
        json["genuine"], true,
        "a code typed in lower case with spaces: {json}"
    );

    // The worker is suspended after the certificate was printed.
    let mut conn = app.conn();
    build::action(
        &mut conn,
        "渝中司罚〔2026〕30号",
        WORKER,
        "suspend_practice",
        "2026-11-28",
        |a| {
            a.suspended_until = Some(crate::helpers::d("2027-05-27"));
        },
    );
    let check = app.text(&format!("/certificates/{code}"), 200).await;
    assert!(
        check.contains("出具后执业状态已发生变化") && check.contains("停止执业"),
        "{check}"
    );
    let json = app.json(&format!("/api/v1/certificates/{code}"), 200).await;
    assert_eq!(json["changed_since"], true);
    assert_eq!(json["certificate"]["standing"], "good_standing");
    assert_eq!(json["current"]["standing"]["key"], "suspended");
}

#[actix_web::test]
async fn forged_tampered_and_altered_certificates_are_refused() {
    let app = TestApp::builder().seed(base).await;
    let code = code_in(
        &app.text(&format!("/workers/{WORKER}/certificate"), 200)
            .await,
    );

    let forged = app.text("/certificates/ABCD-EFGH-JKMN-PQRS", 404).await;
    assert!(forged.contains("没有出具过这个编号的证明"), "{forged}");
    let mut tampered = code.clone().into_bytes();
    tampered[0] = if tampered[0] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let page = app.text(&format!("/certificates/{tampered}"), 404).await;
    assert!(page.contains("没有出具过这个编号的证明"), "{page}");
    let page = app.text("/certificates/not-a-code", 400).await;
    assert!(page.contains("证明编号格式不正确"));

    // Someone edits the stored record to certify a better standing.
    let mut conn = app.conn();
    diesel::update(certificates::table.find(&code))
        .set(certificates::subject_name.eq("李四"))
        .execute(&mut conn)
        .unwrap();
    let page = app.text(&format!("/certificates/{code}"), 404).await;
    assert!(page.contains("可能已被篡改"), "{page}");
    let json = app.json(&format!("/api/v1/certificates/{code}"), 200).await;
    assert_eq!(json["genuine"], false);
    assert_eq!(json["verdict"], "altered");
}

#[actix_web::test]
async fn a_certificate_whose_holder_was_renamed_is_no_longer_unchanged() {
    use legal_portal::db::schema::workers;
    let app = TestApp::builder().seed(base).await;
    let page = app
        .text(&format!("/workers/{WORKER}/certificate"), 200)
        .await;
    let code = code_in(&page);
    diesel::update(workers::table.find(WORKER))
        .set(workers::name.eq("张秀芳"))
        .execute(&mut app.conn())
        .unwrap();
    let check = app.text(&format!("/certificates/{code}"), 200).await;
    assert!(check.contains("登记的名称现为“张秀芳”"), "{check}");
    let json = app.json(&format!("/api/v1/certificates/{code}"), 200).await;
    assert_eq!(json["changed_since"], true, "{json}");
    assert_eq!(json["name_changed"], true, "{json}");
    assert_eq!(json["changes"], serde_json::json!([]), "{json}");
}

#[actix_web::test]
async fn a_certificate_printed_again_after_a_new_record_is_a_new_one() {
    let app = TestApp::builder().seed(base).await;
    let mut conn = app.conn();
    build::action(
        &mut conn,
        "渝中司罚〔2026〕31号",
        WORKER,
        "warning",
        "2026-11-20",
        |_| {},
    );
    let first = app
        .text(&format!("/workers/{WORKER}/certificate"), 200)
        .await;
    let again = app
        .text(&format!("/workers/{WORKER}/certificate"), 200)
        .await;
    assert_eq!(
        code_in(&again),
        code_in(&first),
        "nothing changed: the same"
    );
    // A fine the same day: still "disclosed", but another reason.
    build::action(
        &mut conn,
        "渝中司罚〔2026〕32号",
        WORKER,
        "fine",
        "2026-11-27",
        |_| {},
    );
    let after = app
        .text(&format!("/workers/{WORKER}/certificate"), 200)
        .await;
    assert_ne!(
        code_in(&after),
        code_in(&first),
        "a new certificate: {after}"
    );
    let profile = app.text(&format!("/workers/{WORKER}"), 200).await;
    let reason = |page: &str| -> bool { page.contains("32号") };
    assert_eq!(
        reason(&after),
        reason(&profile),
        "the certificate says what the profile says"
    );
}
