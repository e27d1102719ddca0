//! "Can this worker take my case?" in words: the query both the worker
//! page's form and `GET /api/v1/workers/{license_no}/case-check` take, and
//! the answer they both show (the same sentence in the request's language).

use serde::{Deserialize, Serialize};

use crate::domain::Standing;
use crate::domain::case_check::{
    Answer, CaseGround, CaseQuestion, CaseType, CaseWorker, PartyPlace, check,
};
use crate::i18n::Label;
use crate::web::errors::{AppError, ErrorCode};
use crate::web::lang::{self, Lang, tr_in, tr_in_with, tr_with};

/// The question, as the form and the API take it.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// The kind of work.
    #[param(value_type = CaseType, required = true, example = "civil_litigation")]
    pub case_type: Option<String>,
    /// Where one party lives.
    #[param(value_type = PartyPlace, required = true, example = "municipality")]
    pub party_a: Option<String>,
    /// Where the other party lives; optional (empty is the same as absent).
    #[param(value_type = Option<PartyPlace>)]
    pub party_b: Option<String>,
}

/// A value given, or `None` for an absent or blank one.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A 400 naming the parameter, its allowed values, and (shortened) what was
/// given, in the request's language.
fn bad_value(param: &str, value: Option<&str>, allowed: &[&str]) -> AppError {
    let list = allowed.join(", ");
    let message = match value {
        None => tr_with(
            "case-error-missing",
            &[("parameter", &param), ("allowed", &list)],
        ),
        Some(v) => {
            let shown: String = v.chars().take(40).collect();
            tr_with(
                "case-error-unknown",
                &[("parameter", &param), ("value", &shown), ("allowed", &list)],
            )
        }
    };
    AppError::new(ErrorCode::BadRequest)
        .message(message)
        .details(serde_json::json!({ "parameter": param, "allowed": allowed }))
}

fn case_type_keys() -> Vec<&'static str> {
    CaseType::ALL.iter().map(|c| c.key()).collect()
}

fn place_keys() -> Vec<&'static str> {
    PartyPlace::ALL.iter().map(|p| p.key()).collect()
}

impl CaseQuery {
    /// Whether any of the three was given (the page shows an answer only
    /// once the form is sent).
    pub fn is_asked(&self) -> bool {
        [&self.case_type, &self.party_a, &self.party_b]
            .into_iter()
            .any(|v| given(v).is_some())
    }

    /// The checked question, or a 400 (`bad_request`, `details.parameter`
    /// naming the parameter at fault) for a missing or unknown `case_type`
    /// or `party_a` or an unknown `party_b`.
    pub fn question(&self) -> Result<CaseQuestion, AppError> {
        let case_type = match given(&self.case_type) {
            None => return Err(bad_value("case_type", None, &case_type_keys())),
            Some(v) => CaseType::parse(v)
                .ok_or_else(|| bad_value("case_type", Some(v), &case_type_keys()))?,
        };
        let party_a = match given(&self.party_a) {
            None => return Err(bad_value("party_a", None, &place_keys())),
            Some(v) => {
                PartyPlace::parse(v).ok_or_else(|| bad_value("party_a", Some(v), &place_keys()))?
            }
        };
        let party_b = given(&self.party_b)
            .map(|v| {
                PartyPlace::parse(v).ok_or_else(|| bad_value("party_b", Some(v), &place_keys()))
            })
            .transpose()?;
        Ok(CaseQuestion {
            case_type,
            party_a,
            party_b,
        })
    }
}

/// The answer, as the API serves it and the page shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseCheck {
    /// `yes` or `no`.
    pub answer: Answer,
    /// One sentence saying why, in the request's language.
    pub reason: String,
    /// The rule the answer rests on, in the request's language.
    pub basis: String,
}

fn reason_id(ground: CaseGround) -> &'static str {
    match ground {
        CaseGround::CriminalDefence => "case-reason-criminal-defence",
        CaseGround::NotPractising => "case-reason-not-practising",
        CaseGround::LitigationInMunicipality => "case-reason-litigation-municipality",
        CaseGround::LitigationBorderPilot => "case-reason-litigation-border-pilot",
        CaseGround::LitigationBorderNotPilot => "case-reason-litigation-border-not-pilot",
        CaseGround::LitigationOutside {
            border_district: false,
        } => "case-reason-litigation-outside",
        CaseGround::LitigationOutside {
            border_district: true,
        } => "case-reason-litigation-outside-border",
        CaseGround::AnyPlace => "case-reason-any-place",
    }
}

fn basis_id(ground: CaseGround) -> &'static str {
    match ground {
        CaseGround::CriminalDefence => "case-basis-criminal-defence",
        CaseGround::NotPractising => "case-basis-not-practising",
        CaseGround::LitigationInMunicipality | CaseGround::LitigationOutside { .. } => {
            "case-basis-litigation"
        }
        CaseGround::LitigationBorderPilot | CaseGround::LitigationBorderNotPilot => {
            "case-basis-border-pilot"
        }
        CaseGround::AnyPlace => "case-basis-any-place",
    }
}

/// The label of a case type in `lang`.
pub fn case_type_label(lang: Lang, c: CaseType) -> String {
    tr_in(
        lang,
        &format!("case-type-{}", c.key().replace('_', "-")),
        None,
    )
}

/// The label of a place in `lang`.
pub fn place_label(lang: Lang, p: PartyPlace) -> String {
    tr_in(
        lang,
        &format!("case-place-{}", p.key().replace('_', "-")),
        None,
    )
}

/// Answers `question` for a worker of `standing` whose office is (or is
/// not) in a district bordering Sichuan, in the request's language.
pub fn answer(
    standing: Standing,
    office_borders_sichuan: bool,
    question: CaseQuestion,
) -> CaseCheck {
    answer_in(lang::current(), standing, office_borders_sichuan, question)
}

/// [`answer`] in `lang`.
pub fn answer_in(
    lang: Lang,
    standing: Standing,
    office_borders_sichuan: bool,
    question: CaseQuestion,
) -> CaseCheck {
    let worker = CaseWorker {
        can_practise: standing.can_practise(),
        office_borders_sichuan,
    };
    let ground = check(worker, question);
    let case_type = case_type_label(lang, question.case_type);
    let standing_label = standing.label_in(lang);
    CaseCheck {
        answer: ground.answer(),
        reason: tr_in_with(
            lang,
            reason_id(ground),
            &[("case_type", &case_type), ("standing", &standing_label)],
        ),
        basis: tr_in(lang, basis_id(ground), None),
    }
}

/// One choice of a select on the page's form.
#[derive(Debug, Serialize)]
pub struct FormOption {
    /// The value sent.
    pub value: &'static str,
    /// The label shown.
    pub label: String,
    /// Whether it is chosen.
    pub selected: bool,
}

/// The page's form: its three selects with what the query chose (as HTML,
/// from `case_fields.html`), and the answer or the problem with the query.
#[derive(Debug, Serialize)]
pub struct CaseForm {
    /// The selects and the button, rendered.
    pub fields: String,
    /// The answer, once asked with good values.
    pub check: Option<CaseCheck>,
    /// What is wrong with the values asked, if anything.
    pub problem: Option<String>,
}

/// The form's fields as rendered with nothing chosen, by [`Lang::index`]: what
/// almost every profile shows. Rendering its fourteen options on each
/// profile cost 12 % of the profile's instructions (issue 15, callgrind).
static UNCHOSEN_FIELDS: [std::sync::OnceLock<String>; 2] =
    [std::sync::OnceLock::new(), std::sync::OnceLock::new()];

impl CaseForm {
    /// The form for `query`, answered with `answer` when the question is
    /// whole and good.
    pub fn new(
        query: &CaseQuery,
        answer: impl FnOnce(CaseQuestion) -> CaseCheck,
    ) -> Result<Self, tera::Error> {
        let chosen_type = given(&query.case_type).and_then(CaseType::parse);
        let chosen_a = given(&query.party_a).and_then(PartyPlace::parse);
        let chosen_b = given(&query.party_b).and_then(PartyPlace::parse);
        let fields = if (chosen_type, chosen_a, chosen_b) == (None, None, None) {
            let memo = &UNCHOSEN_FIELDS[lang::current().index()];
            match memo.get() {
                Some(fields) => fields.clone(),
                None => {
                    let fields = render_fields(None, None, None)?;
                    memo.get_or_init(|| fields).clone()
                }
            }
        } else {
            render_fields(chosen_type, chosen_a, chosen_b)?
        };
        let (check, problem) = if query.is_asked() {
            match query.question() {
                Ok(q) => (Some(answer(q)), None),
                // A half-filled form (or an old link without a case type):
                // ask in words, not in parameter names.
                Err(_) if given(&query.case_type).is_none() || given(&query.party_a).is_none() => {
                    (None, Some(lang::tr("case-choose")))
                }
                Err(e) => (None, Some(e.message)),
            }
        } else {
            (None, None)
        };
        Ok(CaseForm {
            fields,
            check,
            problem,
        })
    }
}

/// The form's selects, each with its choice if any, and its button, in the
/// request's language.
fn render_fields(
    chosen_type: Option<CaseType>,
    chosen_a: Option<PartyPlace>,
    chosen_b: Option<PartyPlace>,
) -> Result<String, tera::Error> {
    let lang = lang::current();
    let places = |chosen: Option<PartyPlace>| -> Vec<FormOption> {
        PartyPlace::ALL
            .iter()
            .map(|p| FormOption {
                value: p.key(),
                label: place_label(lang, *p),
                selected: chosen == Some(*p),
            })
            .collect()
    };
    let case_types: Vec<FormOption> = CaseType::ALL
        .iter()
        .map(|c| FormOption {
            value: c.key(),
            label: case_type_label(lang, *c),
            selected: chosen_type == Some(*c),
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("case_types", &case_types);
    ctx.insert("party_a", &places(chosen_a));
    ctx.insert("party_b", &places(chosen_b));
    crate::web::templates::render("case_fields.html", &ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_han(s: &str) -> bool {
        s.chars().any(|c| {
            ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c)
        })
    }

    fn all_grounds() -> Vec<CaseGround> {
        vec![
            CaseGround::CriminalDefence,
            CaseGround::NotPractising,
            CaseGround::LitigationInMunicipality,
            CaseGround::LitigationBorderPilot,
            CaseGround::LitigationBorderNotPilot,
            CaseGround::LitigationOutside {
                border_district: false,
            },
            CaseGround::LitigationOutside {
                border_district: true,
            },
            CaseGround::AnyPlace,
        ]
    }

    #[test]
    fn every_sentence_and_label_is_in_both_languages() {
        for lang in [Lang::Zh, Lang::En] {
            let ids = all_grounds()
                .into_iter()
                .flat_map(|g| [reason_id(g), basis_id(g)])
                .chain(["case-error-missing", "case-error-unknown"]);
            for id in ids {
                let text = tr_in(lang, id, None);
                assert_ne!(text, id, "{id} missing in {}", lang.tag());
                assert_eq!(
                    has_han(&text),
                    lang == Lang::Zh,
                    "{id} in {}: {text}",
                    lang.tag()
                );
            }
            for c in CaseType::ALL {
                let label = case_type_label(lang, *c);
                assert!(!label.starts_with("case-type-"), "{label}");
                assert_eq!(has_han(&label), lang == Lang::Zh, "{label}");
            }
            for p in PartyPlace::ALL {
                let label = place_label(lang, *p);
                assert!(!label.starts_with("case-place-"), "{label}");
                assert_eq!(has_han(&label), lang == Lang::Zh, "{label}");
            }
        }
    }

    #[test]
    fn the_pilot_is_called_a_pilot_and_criminal_defence_is_named() {
        let q = |case_type, party_a| CaseQuestion {
            case_type,
            party_a,
            party_b: None,
        };
        let pilot = q(CaseType::CivilLitigation, PartyPlace::SichuanBorder);
        let zh = answer_in(Lang::Zh, Standing::GoodStanding, true, pilot);
        assert_eq!(zh.answer, Answer::Yes);
        assert!(
            zh.reason.contains("探索") && zh.reason.contains("并非已确定的法律规定"),
            "{}",
            zh.reason
        );
        assert!(zh.basis.contains("探索"), "{}", zh.basis);
        let en = answer_in(Lang::En, Standing::GoodStanding, true, pilot);
        assert!(
            en.reason.contains("pilot") && en.reason.contains("not settled law"),
            "{}",
            en.reason
        );
        let criminal = q(CaseType::CriminalDefence, PartyPlace::Municipality);
        let zh = answer_in(Lang::Zh, Standing::GoodStanding, false, criminal);
        assert_eq!(zh.answer, Answer::No);
        assert!(
            zh.reason.contains("不能在刑事案件中担任辩护人"),
            "{}",
            zh.reason
        );
        let en = answer_in(Lang::En, Standing::Suspended, false, criminal);
        assert!(
            en.reason
                .contains("do not act as defenders in criminal cases"),
            "{}",
            en.reason
        );
        let suspended = answer_in(
            Lang::En,
            Standing::Suspended,
            false,
            q(CaseType::Mediation, PartyPlace::Municipality),
        );
        assert_eq!(suspended.answer, Answer::No);
        assert!(
            suspended.reason.contains("Suspended") || suspended.reason.contains("suspended"),
            "{}",
            suspended.reason
        );
    }

    #[test]
    fn the_query_is_checked_parameter_by_parameter() {
        let query = |t: Option<&str>, a: Option<&str>, b: Option<&str>| CaseQuery {
            case_type: t.map(str::to_owned),
            party_a: a.map(str::to_owned),
            party_b: b.map(str::to_owned),
        };
        let ok = query(Some("mediation"), Some(" elsewhere "), Some(""))
            .question()
            .unwrap();
        assert_eq!(ok.case_type, CaseType::Mediation);
        assert_eq!(ok.party_a, PartyPlace::Elsewhere);
        assert_eq!(ok.party_b, None, "an empty party_b is not given");
        for (q, param) in [
            (query(None, Some("municipality"), None), "case_type"),
            (query(Some(" "), Some("municipality"), None), "case_type"),
            (
                query(Some("murder"), Some("municipality"), None),
                "case_type",
            ),
            (query(Some("mediation"), None, None), "party_a"),
            (query(Some("mediation"), Some("mars"), None), "party_a"),
            (
                query(Some("mediation"), Some("municipality"), Some("mars")),
                "party_b",
            ),
        ] {
            let e = q.question().unwrap_err();
            assert_eq!(e.code, ErrorCode::BadRequest);
            assert_eq!(e.details["parameter"], param, "{q:?}");
            assert!(e.message.contains(param), "{}", e.message);
        }
        assert!(!query(None, None, Some(" ")).is_asked());
        assert!(query(None, None, Some("elsewhere")).is_asked());
    }
}
