//! `/workers/{license_no}`: a worker's profile.

use actix_web::{HttpResponse, web};

use serde::{Deserialize, Serialize};

use super::{license_from_path, not_found_page};
use crate::db;
use crate::domain::Standing;
use crate::domain::plan_rules::{CaseAnswer, PartyPlace, can_take_case};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::lang::{tr, tr_with};
use crate::web::views;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/workers/{license_no}", web::get().to(profile));
}

/// Where the parties live, from the "can this worker take my case?" form.
#[derive(Debug, Deserialize)]
struct CaseQuery {
    party_a: Option<String>,
    party_b: Option<String>,
}

fn place(raw: Option<&str>) -> Option<PartyPlace> {
    match raw?.trim() {
        "municipality" => Some(PartyPlace::Municipality),
        "sichuan_border" => Some(PartyPlace::SichuanBorderCounty),
        "elsewhere" => Some(PartyPlace::Elsewhere),
        _ => None,
    }
}

/// The answer shown on the profile.
#[derive(Debug, Serialize)]
struct CaseCheck {
    answer: CaseAnswer,
    party_a: Option<PartyPlace>,
    party_b: Option<PartyPlace>,
    text: String,
}

/// Rule 8, in words.
fn case_check(q: &CaseQuery, standing: &str, borders_sichuan: bool) -> Option<CaseCheck> {
    let (a, b) = (place(q.party_a.as_deref()), place(q.party_b.as_deref()));
    let parties: Vec<PartyPlace> = [a, b].into_iter().flatten().collect();
    if parties.is_empty() {
        return None;
    }
    let standing = Standing::parse(standing).unwrap_or(Standing::NotReviewed);
    let answer = can_take_case(standing, borders_sichuan, &parties);
    let text = tr(match answer {
        CaseAnswer::Yes => "case-yes",
        CaseAnswer::NotPractising => "case-not-practising",
        CaseAnswer::OutsideScope if borders_sichuan => "case-outside-border",
        CaseAnswer::OutsideScope => "case-outside",
    });
    Some(CaseCheck {
        answer,
        party_a: a,
        party_b: b,
        text,
    })
}

async fn profile(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<CaseQuery>,
) -> Result<HttpResponse, AppError> {
    let license = match license_from_path(&path, "/workers")? {
        Ok(l) => l,
        Err(redirect) => return Ok(redirect),
    };
    let today = state.clock.today();
    let windows = state.windows;
    let view = {
        let license = license.clone();
        state
            .db(move |c| {
                db::profiles::worker(c, &license)?
                    .map(|r| {
                        let borders = r.district.as_ref().is_some_and(|d| d.borders_sichuan);
                        views::worker_view(&r, today, &windows).map(|v| (v, borders))
                    })
                    .transpose()
            })
            .await
            .map_err(AppError::html)?
    };
    let Some((mut view, borders_sichuan)) = view else {
        return Err(not_found_page(&tr_with(
            "nf-worker",
            &[("license_no", &license)],
        )));
    };
    view.credit.standing.localize();
    let mut ctx = super::base_context(&state);
    ctx.insert("title", &tr_with("title-worker", &[("name", &view.name)]));
    let verify_url = format!(
        "{}/verify?license_no={}",
        super::verify::base_url(&req, &state),
        view.license_no
    );
    ctx.insert("qr_svg", &super::verify::qr_svg(&verify_url));
    ctx.insert(
        "case_check",
        &case_check(&query, view.credit.standing.key, borders_sichuan),
    );
    ctx.insert("borders_sichuan", &borders_sichuan);
    ctx.insert("json_ld", &crate::web::lang::worker_json_ld(&view));
    ctx.insert("worker", &view);
    super::html(crate::web::templates::render("worker.html", &ctx)?)
}
