//! Labels for the domain's keys and the sentences that explain a standing,
//! in Chinese and English side by side (the rest of the site's text is in
//! `locales/*/main.ftl`).
//!
//! `label()` is the Chinese label: it is data in the JSON API, the CSV
//! exports, certificates and the search documents, and never changes with
//! the request. Pages show `label_in(lang)` / `label_here()` (the request's
//! language), usually through the Tera function `label(of=…, key=…)`.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::domain::standing::{Reason, Standing};
use crate::domain::vocab::*;

/// A language of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Simplified Chinese, the default.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 tag, for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Its place in a table kept per language (`[zh, en]`), such as the
    /// parsed templates.
    pub fn index(self) -> usize {
        match self {
            Lang::Zh => 0,
            Lang::En => 1,
        }
    }

    /// The value of `?lang=`.
    pub fn param(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The other language.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// Parses `zh`, `zh-CN`, `en`, `en-GB`…
    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The preferred of our languages in an `Accept-Language` header, by
    /// q-value (first wins on a tie); Chinese when none matches.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(Lang, f32)> = None;
        for part in header.split(',') {
            let mut bits = part.split(';');
            let Some(lang) = bits.next().and_then(Lang::parse) else {
                continue;
            };
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(_, bq)| q > bq) {
                best = Some((lang, q));
            }
        }
        best.map_or(Lang::Zh, |(l, _)| l)
    }
}

tokio::task_local! {
    static LANG: Lang;
}

/// Runs `fut` with `lang` as the language of [`current`], [`tr`] and
/// [`Label::label_here`] (the web layer serves each request so).
pub async fn in_lang<F: std::future::Future>(lang: Lang, fut: F) -> F::Output {
    LANG.scope(lang, fut).await
}

thread_local! {
    /// The language of the request a blocking-pool thread is working for
    /// (`with_lang`): the task-local above does not reach that thread.
    static THREAD_LANG: std::cell::Cell<Option<Lang>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` on this thread with `lang` as the language of [`current`]: for
/// work a request hands to the blocking pool (`web::AppState::db`), so the
/// messages and labels it makes there are in the request's language.
pub fn with_lang<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Lang>);
    impl Drop for Restore {
        fn drop(&mut self) {
            THREAD_LANG.with(|l| l.set(self.0));
        }
    }
    let _restore = Restore(THREAD_LANG.with(|l| l.replace(Some(lang))));
    f()
}

/// The language of the request being served (Chinese outside a request).
pub fn current() -> Lang {
    LANG.try_with(|l| *l)
        .ok()
        .or_else(|| THREAD_LANG.with(std::cell::Cell::get))
        .unwrap_or(Lang::Zh)
}

macro_rules! ftl {
    ($lang:literal: $($file:literal),+) => {
        [$(include_str!(concat!("../locales/", $lang, "/", $file))),+]
    };
}

/// The Fluent sources, per language, compiled in.
pub const ZH_SOURCES: [&str; 3] = ftl!("zh-CN": "main.ftl", "admin.ftl", "api.ftl");
/// English sources.
pub const EN_SOURCES: [&str; 3] = ftl!("en": "main.ftl", "admin.ftl", "api.ftl");

fn bundle(tag: &str, sources: &[&str]) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = tag.parse().expect("valid language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(false);
    for src in sources {
        let res = FluentResource::try_new((*src).to_owned()).unwrap_or_else(|(res, errs)| {
            tracing::error!("{tag}: Fluent syntax errors: {errs:?}");
            res
        });
        if let Err(errs) = bundle.add_resource(res) {
            tracing::error!("{tag}: Fluent duplicate ids: {errs:?}");
        }
    }
    bundle
}

static ZH: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("zh-CN", &ZH_SOURCES));
static EN: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("en", &EN_SOURCES));

/// The message `id` in `lang` with `args`; the id itself if missing (a test
/// makes sure none is).
pub fn tr_in(lang: Lang, id: &str, args: Option<&FluentArgs>) -> String {
    let bundle = match lang {
        Lang::Zh => &*ZH,
        Lang::En => &*EN,
    };
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        tracing::warn!("missing message {id} for {}", lang.tag());
        return id.to_owned();
    };
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned()
}

/// The message `id` in the current request's language.
pub fn tr(id: &str) -> String {
    tr_in(current(), id, None)
}

/// The message `id` with arguments, in the current request's language.
pub fn tr_with(id: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    tr_in_with(current(), id, args)
}

/// The message `id` with arguments, in `lang` (for code that runs outside
/// the request's task, e.g. in a database closure).
pub fn tr_in_with(lang: Lang, id: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, fluent_value(v.to_string()));
    }
    tr_in(lang, id, Some(&fargs))
}

/// An argument as Fluent takes it: a count (a plain integer, no leading
/// zero, up to nine digits) as a number, so that a message can choose its
/// plural (`1 second`, `2 seconds`); anything else, license and tracking
/// numbers among them, as the text given.
pub(crate) fn fluent_value(v: String) -> FluentValue<'static> {
    let count = !v.is_empty()
        && v.len() <= 9
        && v.bytes().all(|b| b.is_ascii_digit())
        && (v == "0" || !v.starts_with('0'));
    match v.parse::<u32>() {
        Ok(n) if count => FluentValue::from(n),
        _ => FluentValue::from(v),
    }
}

/// A domain message in the current request's language.
pub fn say(m: &crate::domain::message::Message) -> String {
    let mut args = FluentArgs::new();
    for (k, v) in &m.args {
        args.set(*k, fluent_value(v.clone()));
    }
    tr_in(current(), m.id, Some(&args))
}

/// Problems with a form's input, said in the request's language, by field.
pub type FieldErrors = std::collections::BTreeMap<&'static str, String>;

/// Every field's problem in the current request's language.
pub fn say_fields(problems: &crate::domain::message::FieldProblems) -> FieldErrors {
    problems.iter().map(|(k, m)| (*k, say(m))).collect()
}

/// Every message id in a Fluent source (lines `id = …` at column 0).
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|l| {
            let (id, _) = l.split_once('=')?;
            let id = id.trim_end();
            let ok = id.starts_with(|c: char| c.is_ascii_alphabetic())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            ok.then(|| id.to_owned())
        })
        .collect()
}

/// A display label.
pub trait Label {
    /// The Chinese label (the one stored, exported and served by the API).
    fn label(&self) -> &'static str;

    /// The English label.
    fn label_en(&self) -> &'static str;

    /// The label in `lang`.
    fn label_in(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.label(),
            Lang::En => self.label_en(),
        }
    }

    /// The label in the language of the request being served (Chinese
    /// outside a request).
    fn label_here(&self) -> &'static str {
        self.label_in(current())
    }
}

macro_rules! labels {
    ($ty:ty { $($variant:ident => $label:literal, $en:literal),+ $(,)? }) => {
        impl Label for $ty {
            fn label(&self) -> &'static str {
                match self { $(<$ty>::$variant => $label),+ }
            }
            fn label_en(&self) -> &'static str {
                match self { $(<$ty>::$variant => $en),+ }
            }
        }
    };
}

labels!(Standing {
    Revoked => "已吊销", "Licence revoked",
    Deregistered => "已注销", "Deregistered",
    OfficeClosed => "所在机构已注销", "Office deregistered",
    Suspended => "停止执业", "Suspended from practice",
    RectificationOverdue => "逾期未整改", "Rectification overdue",
    UnderRectification => "限期整改中", "Under rectification",
    DisclosedRecord => "有公示中的不良信息", "Disciplinary record on disclosure",
    GoodStanding => "执业状态良好", "In good standing",
    NotReviewed => "未参加年度考核", "Annual review not taken",
});

labels!(DistrictKind {
    District => "区", "district",
    County => "县", "county",
    AutonomousCounty => "自治县", "autonomous county",
    FunctionalZone => "功能区", "functional zone",
});

labels!(AreaKind {
    Rural => "农村乡镇", "rural township",
    Urban => "城区街道", "urban street",
});

labels!(OfficeStatus {
    Practising => "执业", "Practising",
    Suspended => "停业", "Suspended",
    Deregistered => "注销", "Deregistered",
});

labels!(WorkerStatus {
    Practising => "执业", "Practising",
    Suspended => "停业", "Suspended",
    Deregistered => "注销", "Deregistered",
    Revoked => "吊销", "Revoked",
});

labels!(PartyOrg {
    OwnBranch => "单独建立党支部", "Own Party branch",
    JointBranch => "联合党支部", "Joint Party branch",
    Instructor => "选派党建指导员", "Party-building instructor assigned",
    NoOrganisation => "无", "None",
});

labels!(Gender {
    Male => "男", "Male",
    Female => "女", "Female",
});

labels!(SubjectKind {
    Office => "法律服务所", "legal service office",
    Worker => "法律服务工作者", "legal service worker",
});

labels!(ReviewOutcome {
    Pass => "合格", "Pass",
    Fail => "不合格", "Fail",
    Excellent => "优秀", "Excellent",
    Competent => "称职", "Competent",
    BasicallyCompetent => "基本称职", "Basically competent",
    NotCompetent => "不称职", "Not competent",
    Absent => "未参加", "Did not take part",
});

labels!(DisciplineKind {
    Warning => "警告", "Warning",
    Fine => "罚款", "Fine",
    Confiscation => "没收违法所得", "Confiscation of illegal gains",
    SuspendPractice => "停止执业", "Suspension from practice",
    RevokeLicense => "吊销执业证", "Revocation of licence",
    Admonition => "训诫", "Admonition",
    IndustryWarning => "警告（行业处分）", "Warning (industry sanction)",
    CircularCriticism => "通报批评", "Circulated criticism",
    PublicCensure => "公开谴责", "Public censure",
    SuspendMembership => "中止会员权利", "Suspension of membership rights",
    ExpelMembership => "取消会员资格", "Expulsion from membership",
});

labels!(AnnouncementKind {
    Exit => "注销公告", "Deregistration notice",
    ReviewBulletin => "考核通报", "Annual review bulletin",
    Inspection => "“双随机、一公开”抽查结果", "Random inspection results (\"double random, one public\")",
});

/// The label of a stored vocabulary key, or the key itself when it is not
/// one (so a page never fails over a label).
pub fn label_of<T: Label>(parsed: Option<T>, key: &str) -> String {
    parsed.map_or_else(|| key.to_owned(), |v| v.label().to_owned())
}

/// The label of `key` in the vocabulary `of`, in `lang`: what the Tera
/// function `label(of=…, key=…)` shows. `None` for an unknown vocabulary or
/// key.
pub fn label_by_key(of: &str, key: &str, lang: Lang) -> Option<&'static str> {
    use crate::domain::complaint::{Category, Outcome, Stage};
    use crate::domain::report::ReportKind;
    fn l<T: Label>(v: Option<T>, lang: Lang) -> Option<&'static str> {
        v.map(|v| v.label_in(lang))
    }
    match of {
        "standing" => l(Standing::parse(key), lang),
        "district_kind" => l(DistrictKind::parse(key), lang),
        "area_kind" => l(AreaKind::parse(key), lang),
        "office_status" => l(OfficeStatus::parse(key), lang),
        "worker_status" => l(WorkerStatus::parse(key), lang),
        "party_org" => l(PartyOrg::parse(key), lang),
        "gender" => l(Gender::parse(key), lang),
        "subject_kind" => l(SubjectKind::parse(key), lang),
        "review_outcome" => l(ReviewOutcome::parse(key), lang),
        "discipline" => l(DisciplineKind::parse(key), lang),
        "announcement" => l(AnnouncementKind::parse(key), lang),
        "complaint_category" => l(Category::parse(key), lang),
        "complaint_stage" => l(Stage::parse(key), lang),
        "complaint_outcome" => l(Outcome::parse(key), lang),
        "report_kind" => l(ReportKind::parse(key), lang),
        _ => None,
    }
}

/// The sentence saying why the subject has its standing, in `lang`; the
/// sentences are the `reason-*` messages of `locales/*/main.ftl`.
pub fn reason_text_in(lang: Lang, reason: &Reason) -> String {
    let tr = |id: &str, args: &[(&str, &dyn std::fmt::Display)]| tr_in_with(lang, id, args);
    match reason {
        Reason::Status { status } => tr(
            match *status {
                "revoked" => "reason-status-revoked",
                "deregistered" => "reason-status-deregistered",
                _ => "reason-status-suspended",
            },
            &[],
        ),
        Reason::LicenseRevoked { decision_no } => {
            tr("reason-license-revoked", &[("decision", decision_no)])
        }
        Reason::OfficeClosed(o) => tr(
            "reason-office-closed",
            &[
                ("office", &o.office_name),
                ("license_no", &o.office_license_no),
            ],
        ),
        Reason::OfficeSuspended(o) => tr(
            "reason-office-suspended",
            &[
                ("office", &o.office_name),
                ("license_no", &o.office_license_no),
            ],
        ),
        Reason::RectificationOverdue { year, deadline } => tr(
            "reason-rectification-overdue",
            &[("year", year), ("deadline", deadline)],
        ),
        Reason::Rectified { year, on } => tr("reason-rectified", &[("year", year), ("on", on)]),
        Reason::SuspendedUntil { decision_no, until } => match until {
            Some(d) => tr(
                "reason-suspended-until",
                &[("decision", decision_no), ("until", d)],
            ),
            None => tr("reason-suspended", &[("decision", decision_no)]),
        },
        Reason::Rectifying { year, deadline } => match deadline {
            Some(d) => tr("reason-rectifying-by", &[("year", year), ("deadline", d)]),
            None => tr("reason-rectifying", &[("year", year)]),
        },
        Reason::Disclosed {
            decision_no,
            action,
            until,
            count,
        } => {
            let more = if *count > 1 {
                tr("reason-disclosed-more", &[("count", count)])
            } else {
                String::new()
            };
            tr(
                "reason-disclosed",
                &[
                    ("action", &action.label_in(lang)),
                    ("decision", decision_no),
                    ("until", until),
                    ("more", &more),
                ],
            )
        }
        Reason::Reviewed { year, outcome } => tr(
            "reason-reviewed",
            &[("year", year), ("outcome", &outcome.label_in(lang))],
        ),
        Reason::NewlyLicensed { on } => tr("reason-newly-licensed", &[("on", on)]),
        Reason::NoRecentReview {
            due_year,
            last_year,
        } => match last_year {
            Some(y) => tr("reason-last-reviewed", &[("due", due_year), ("year", y)]),
            None => tr("reason-never-reviewed", &[("due", due_year)]),
        },
    }
}

/// One sentence saying why the subject has its standing, in Chinese (the
/// text stored on certificates and served by the API).
pub fn reason_text(reason: &Reason) -> String {
    reason_text_in(Lang::Zh, reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::complaint::{Category, Outcome, Stage};

    #[test]
    fn counts_choose_their_plural_and_numbers_stay_as_written() {
        let wait = |n: u32| tr_in_with(Lang::En, "rate-limited-wait", &[("seconds", &n)]);
        assert!(wait(1).ends_with("in 1 second."), "{}", wait(1));
        assert!(wait(30).ends_with("in 30 seconds."), "{}", wait(30));
        assert!(wait(0).ends_with("in 0 seconds."), "{}", wait(0));
        let rejected = |n: u32| tr_in_with(Lang::En, "import-rejected-summary", &[("n", &n)]);
        assert!(rejected(1).contains(" 1 problem found"), "{}", rejected(1));
        assert!(rejected(4).contains(" 4 problems found"), "{}", rejected(4));
        let listed = |n: u32| tr_in_with(Lang::En, "console-complaints-caption", &[("n", &n)]);
        assert_eq!(
            (listed(1).as_str(), listed(3).as_str()),
            ("1 complaint", "3 complaints")
        );
        // Codes made of digits are not counts: leading zeros and length kept.
        for no in ["0500101001", "31500103001", "007"] {
            let said = tr_in_with(Lang::En, "verify-miss", &[("license_no", &no)]);
            assert!(said.contains(no), "{said}");
        }
        // Chinese has no plural: the same sentence for one and many.
        let zh = tr_in_with(Lang::Zh, "rate-limited-wait", &[("seconds", &1)]);
        assert!(zh.contains('1') && !zh.contains("second"), "{zh}");
    }

    fn check<T: Label + Copy>(of: &str, all: &[T], key: impl Fn(T) -> &'static str) {
        for v in all {
            let k = key(*v);
            assert_eq!(label_by_key(of, k, Lang::Zh), Some(v.label()), "{of} {k}");
            let en = label_by_key(of, k, Lang::En).expect("an English label");
            assert!(
                !en.is_empty() && en.chars().all(|c| c.is_ascii() || "–“”".contains(c)),
                "{of} {k}: {en}"
            );
        }
    }

    #[test]
    fn every_key_of_every_vocabulary_has_its_chinese_and_an_english_label() {
        check("standing", Standing::ALL, Standing::key);
        check("district_kind", DistrictKind::ALL, DistrictKind::key);
        check("area_kind", AreaKind::ALL, AreaKind::key);
        check("office_status", OfficeStatus::ALL, OfficeStatus::key);
        check("worker_status", WorkerStatus::ALL, WorkerStatus::key);
        check("party_org", PartyOrg::ALL, PartyOrg::key);
        check("gender", Gender::ALL, Gender::key);
        check("subject_kind", SubjectKind::ALL, SubjectKind::key);
        check("review_outcome", ReviewOutcome::ALL, ReviewOutcome::key);
        check("discipline", DisciplineKind::ALL, DisciplineKind::key);
        check("announcement", AnnouncementKind::ALL, AnnouncementKind::key);
        check("complaint_category", Category::ALL, Category::key);
        check("complaint_stage", Stage::ALL, Stage::key);
        check("complaint_outcome", Outcome::ALL, Outcome::key);
        check(
            "report_kind",
            crate::domain::report::ReportKind::ALL,
            crate::domain::report::ReportKind::key,
        );
        assert_eq!(label_by_key("standing", "no_such_key", Lang::En), None);
        assert_eq!(
            label_by_key("no_such_vocabulary", "good_standing", Lang::En),
            None
        );
    }

    #[test]
    fn the_english_reason_names_the_action_and_keeps_the_decision_number() {
        let r = Reason::Disclosed {
            decision_no: "渝司罚〔2026〕1号".into(),
            action: DisciplineKind::Fine,
            until: chrono::NaiveDate::from_ymd_opt(2027, 1, 2).unwrap(),
            count: 2,
        };
        assert_eq!(
            reason_text_in(Lang::En, &r),
            "Fine (渝司罚〔2026〕1号), disclosed until 2027-01-02 (2 records on disclosure)."
        );
        assert_eq!(
            reason_text_in(Lang::Zh, &r),
            "受到罚款（渝司罚〔2026〕1号），公示至2027-01-02（共2条公示中）。"
        );
    }
}
