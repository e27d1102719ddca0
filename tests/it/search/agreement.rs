//! Both engines asked the same questions over the province demo (issue 18).
//!
//! The list is drawn from the data itself, spread over the whole of it:
//! Chinese names, parts of office names, full pinyin, initials, one-letter
//! typos, license numbers typed plainly, in full-width digits and in
//! groups, filters without text, nearby searches sorted by distance, and
//! decision numbers and names among disclosures and reviews. Each query
//! goes to the embedded engine and, when `MEILI_URL` is set, to a real
//! Meilisearch loaded with the same demo: the first hit must be the same
//! record and the first five the same set. Where the data says who must come
//! first (a unique name, a license number, a decision number) both engines
//! are held to it as well.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use legal_portal::config::Rate;
use legal_portal::db::DbConnection;
use legal_portal::db::schema::{offices, workers};
use legal_portal::domain::standing::StandingPolicy;
use legal_portal::search::names;
use serde_json::Value;

use super::Meili;
use super::conformance::typed_forms;
use crate::helpers::{TestApp, today};

/// One question.
struct Case {
    /// What it tries, for the failure message.
    what: &'static str,
    /// The query string after `/api/v1/search?`.
    query: String,
    /// The record that must come first, where the data decides it.
    first: Option<String>,
    /// The record that must be among the first five, where the data
    /// decides that much only (a typo may also reach a neighbour).
    among: Option<String>,
}

impl Case {
    fn new(what: &'static str, query: String) -> Self {
        Self {
            what,
            query,
            first: None,
            among: None,
        }
    }

    fn first(mut self, key: &str) -> Self {
        self.first = Some(key.to_owned());
        self
    }

    /// The disclosure of decision `no` must come first.
    fn decision(mut self, no: &str) -> Self {
        self.first = Some(format!("decision:{no}"));
        self
    }

    fn among(mut self, key: &str) -> Self {
        self.among = Some(key.to_owned());
        self
    }
}

fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Every `step`-th item, starting half a step in: spread over the list.
fn spread<T: Clone>(items: &[T], n: usize) -> Vec<T> {
    if items.is_empty() {
        return Vec::new();
    }
    let step = (items.len() / n).max(1);
    items
        .iter()
        .skip(step / 2)
        .step_by(step)
        .take(n)
        .cloned()
        .collect()
}

/// A one-letter typo in the middle of `word` that is nobody's pinyin.
fn typo(word: &str, taken: &BTreeSet<String>) -> Option<String> {
    let chars: Vec<char> = word.chars().collect();
    let at = chars.len() / 2;
    ['x', 'q', 'k', 'v']
        .into_iter()
        .filter(|&c| c != chars[at])
        .map(|c| {
            let mut t = chars.clone();
            t[at] = c;
            t.into_iter().collect::<String>()
        })
        .find(|t| !taken.contains(t))
}

/// An office: license, name, district, position.
type Place = (String, String, String, Option<f64>, Option<f64>);

/// The questions, drawn from the database the portals serve.
fn cases(conn: &mut DbConnection) -> Vec<Case> {
    let staff: Vec<(String, String)> = workers::table
        .select((workers::license_no, workers::name))
        .order(workers::license_no)
        .load(conn)
        .expect("workers");
    let places: Vec<Place> = offices::table
        .select((
            offices::license_no,
            offices::name,
            offices::district_code,
            offices::lat,
            offices::lng,
        ))
        .order(offices::license_no)
        .load(conn)
        .expect("offices");
    // The decisions on public disclosure today, as the database says.
    let mut decisions: Vec<String> = legal_portal::db::public_lists::disclosures(
        conn,
        today(),
        &StandingPolicy::default(),
        None,
        None,
    )
    .expect("disclosures")
    .into_iter()
    .map(|d| d.action.decision_no)
    .collect();
    decisions.sort();

    let mut by_name: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_full: BTreeMap<String, usize> = BTreeMap::new();
    for (_, name) in &staff {
        *by_name.entry(name).or_default() += 1;
        *by_full.entry(names::read(name, true).full).or_default() += 1;
    }
    let office_names: Vec<&str> = places.iter().map(|p| p.1.as_str()).collect();
    let taken: BTreeSet<String> = by_full.keys().cloned().collect();
    // A worker whose name and whose pinyin nobody else has.
    let unique: Vec<(String, String)> = staff
        .iter()
        .filter(|(_, name)| {
            by_name[name.as_str()] == 1
                && by_full[&names::read(name, true).full] == 1
                && !office_names.iter().any(|o| o.contains(name.as_str()))
        })
        .cloned()
        .collect();

    let mut out = Vec::new();
    for (no, name) in spread(&unique, 10) {
        out.push(Case::new("a Chinese name", format!("q={}", enc(&name))).first(&no));
    }
    for (no, name) in spread(&unique[1..], 8) {
        let full = names::read(&name, true).full;
        out.push(Case::new("full pinyin", format!("q={full}")).first(&no));
    }
    for (no, name) in spread(&unique[2..], 5)
        .into_iter()
        .filter(|(_, n)| names::read(n, true).full.len() >= 8)
    {
        if let Some(t) = typo(&names::read(&name, true).full, &taken) {
            out.push(Case::new("pinyin with a one-letter typo", format!("q={t}")).among(&no));
        }
    }
    for (_, name) in spread(&unique[3..], 5) {
        let initials = names::read(&name, true).initials;
        out.push(Case::new("initials", format!("q={initials}")));
    }
    // An office by the part of its name before 法律服务所, when only it has it.
    let parts: Vec<(String, String)> = places
        .iter()
        .filter_map(|(no, name, ..)| {
            let part = name.trim_end_matches("法律服务所");
            (part.chars().count() >= 3
                && part != name.as_str()
                && office_names.iter().filter(|o| o.contains(part)).count() == 1
                && !staff.iter().any(|(_, w)| w.contains(part)))
            .then(|| (no.clone(), part.to_owned()))
        })
        .collect();
    for (no, part) in spread(&parts, 6) {
        out.push(Case::new("part of an office's name", format!("q={}", enc(&part))).first(&no));
    }
    for (i, (no, _)) in spread(&staff, 8).into_iter().enumerate() {
        // Plainly, then each way a resident types one (groups, full-width…).
        let typed = match i {
            0 => no.clone(),
            i => typed_forms(&no)[(i - 1) % 6].clone(),
        };
        out.push(Case::new("a license number", format!("q={}", enc(&typed))).first(&no));
    }
    let districts: BTreeSet<&str> = places.iter().map(|p| p.2.as_str()).collect();
    let districts: Vec<&str> = districts.into_iter().collect();
    for (i, district) in spread(&districts, 5).into_iter().enumerate() {
        let extra = [
            "",
            "&type=worker",
            "&type=office",
            "&standing=good_standing",
            "&type=worker&status=practising",
        ][i];
        out.push(Case::new(
            "filters without text",
            format!("district={district}{extra}"),
        ));
    }
    let placed: Vec<(f64, f64)> = places.iter().filter_map(|p| p.3.zip(p.4)).collect();
    for (lat, lng) in spread(&placed, 4) {
        // A little off the office, so distances differ.
        out.push(Case::new(
            "nearby, by distance",
            format!(
                "lat={:.5}&lng={:.5}&radius_km=20&sort=distance&type=office",
                lat + 0.003,
                lng - 0.002
            ),
        ));
    }
    for (i, no) in spread(&decisions, 5).into_iter().enumerate() {
        let typed = match i % 3 {
            0 => no.clone(),
            1 => no.replace('〔', "[").replace('〕', "]"),
            _ => no.replace('〔', "（").replace('〕', "） "),
        };
        let case = Case::new(
            "a decision number among disclosures",
            format!("type=disclosure&q={}", enc(&typed)),
        );
        out.push(case.decision(&no));
    }
    for (_, name) in spread(&unique[4..], 3) {
        out.push(Case::new(
            "a name among reviews",
            format!("type=review&q={}", enc(&name)),
        ));
    }
    out
}

/// The key of a hit: the license number; a disclosure's decision number;
/// a review's subject and year.
fn key(hit: &Value) -> String {
    let license = hit["license_no"].as_str().unwrap_or_default();
    match hit.get("record") {
        Some(r) if r["type"] == "disclosure" => {
            format!("decision:{}", r["decision_no"].as_str().unwrap_or_default())
        }
        Some(r) if !r.is_null() => format!("review:{license}:{}", r["year"]),
        _ => license.to_owned(),
    }
}

fn keys(body: &Value) -> Vec<String> {
    body["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("no hits array: {body}"))
        .iter()
        .map(key)
        .collect()
}

async fn ask(app: &TestApp, query: &str) -> Vec<String> {
    keys(
        &app.json(&format!("/api/v1/search?{query}&per_page=5"), 200)
            .await,
    )
}

fn portal(meili: Option<Meili>) -> crate::helpers::Spawn {
    TestApp::builder()
        .demo()
        .meili(meili)
        .settings(|s| s.scraper_rates.search = Rate::parse("100000/min").expect("rate"))
}

#[actix_web::test]
async fn both_engines_answer_fifty_demo_questions_alike() {
    let embedded = portal(None).start().await;
    embedded.wait_for_search().await;
    let cases = cases(&mut embedded.conn());
    assert!(
        cases.len() >= 50,
        "only {} questions drawn from the demo",
        cases.len()
    );
    let meili = Meili::from_env("both_engines_answer_fifty_demo_questions_alike");
    let other = match meili.clone() {
        Some(m) => {
            let app = portal(Some(m)).start().await;
            app.wait_for_search().await;
            Some(app)
        }
        None => None,
    };
    let mut wrong = Vec::new();
    for case in &cases {
        let a = ask(&embedded, &case.query).await;
        let mut answers = vec![("embedded", a.clone())];
        if let Some(app) = &other {
            answers.push(("meilisearch", ask(app, &case.query).await));
        }
        for (engine, hits) in &answers {
            if hits.is_empty() {
                wrong.push(format!(
                    "{engine}: {} `{}` found nothing",
                    case.what, case.query
                ));
            }
            if let Some(f) = &case.first
                && hits.first() != Some(f)
            {
                wrong.push(format!(
                    "{engine}: {} `{}` put {:?} first, not {f}",
                    case.what,
                    case.query,
                    hits.first()
                ));
            }
            if let Some(m) = &case.among
                && !hits.contains(m)
            {
                wrong.push(format!(
                    "{engine}: {} `{}` left {m} out of the first five {hits:?}",
                    case.what, case.query
                ));
            }
        }
        if let [(_, e), (_, m)] = &answers[..] {
            let (se, sm): (BTreeSet<_>, BTreeSet<_>) = (e.iter().collect(), m.iter().collect());
            if e.first() != m.first() || se != sm {
                wrong.push(format!(
                    "engines differ on {} `{}`: embedded {e:?}, meilisearch {m:?}",
                    case.what, case.query
                ));
            }
        }
    }
    eprintln!(
        "{} questions, {} engine(s), {} disagreement(s)",
        cases.len(),
        1 + other.is_some() as usize,
        wrong.len()
    );
    if let Some(m) = meili {
        m.clean_up().await;
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
