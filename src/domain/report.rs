//! The two other reports the complaint desk takes besides complaints
//! (docs/complaints.md): 报告信息有误 (a profile shows something wrong) and
//! 举报无证执业 (someone practises without a license, or an office works
//! at a place it is not registered at). They share the complaint's
//! tracking number, access code, stages and sealed contact; the contact is
//! optional. Pure: no I/O, no clock of its own. Every message is Fluent's,
//! in the request's language.

use std::fmt;

use chrono::NaiveDate;

use super::complaint::{self, Category, Contact, normalise_phone};
use super::message::{FieldProblems, Message};
use super::vocab::vocabulary;

vocabulary! {
    /// What a resident hands the complaint desk.
    ReportKind {
        /// 投诉: about a registered office or worker.
        Complaint => "complaint" | "投诉",
        /// 报告信息有误: a profile shows something wrong.
        Correction => "correction" | "信息有误",
        /// 举报无证执业: practice without a license, or at an unregistered
        /// place; names no one in the register.
        Unlicensed => "unlicensed" | "无证执业",
    }
}

/// Field limits, in characters.
pub mod limits {
    /// Shortest description of what is wrong on a profile.
    pub const CORRECTION_MIN: usize = 5;
    /// Longest description of what is wrong on a profile.
    pub const CORRECTION_MAX: usize = 1000;
    /// Shortest place.
    pub const PLACE_MIN: usize = 2;
    /// Longest place.
    pub const PLACE_MAX: usize = 200;
    /// Longest name used.
    pub const NAME_USED_MAX: usize = 50;
}

/// A report that a profile is wrong, as typed. Form and JSON share these
/// names. Its `Debug` hides the contact.
#[derive(Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CorrectionInput {
    /// License number of the office or worker whose profile is wrong.
    #[schema(example = "45001030001")]
    pub subject_license_no: String,
    /// What is wrong (5–1000 characters).
    #[schema(example = "所在机构已变更，页面仍显示原来的法律服务所。")]
    pub description: String,
    /// Name (optional).
    pub contact_name: String,
    /// Phone (optional; required when a name is given).
    pub contact_phone: String,
}

impl fmt::Debug for CorrectionInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorrectionInput")
            .field("subject_license_no", &self.subject_license_no)
            .field("contact_name", &"***")
            .field("contact_phone", &"***")
            .finish_non_exhaustive()
    }
}

/// A report of unlicensed practice, as typed. Form and JSON share these
/// names. Its `Debug` hides the contact.
#[derive(Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct UnlicensedInput {
    /// Where (an address, a market, a shop name; 2–200 characters).
    #[schema(example = "渝中区解放碑八一路 12 号二楼")]
    pub place: String,
    /// The name the person or office goes by (optional, up to 50).
    pub name_used: String,
    /// What happened (10–2000 characters).
    pub description: String,
    /// When (optional; a date, `YYYY-MM-DD`, not in the future).
    #[schema(format = Date, example = "2026-11-01")]
    pub occurred_on: String,
    /// Name (optional).
    pub contact_name: String,
    /// Phone (optional; required when a name is given).
    pub contact_phone: String,
}

impl fmt::Debug for UnlicensedInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnlicensedInput")
            .field("contact_name", &"***")
            .field("contact_phone", &"***")
            .finish_non_exhaustive()
    }
}

/// A checked correction or unlicensed-practice report, minus the subject
/// (a correction's is looked up in the database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReport {
    /// `Correction` or `Unlicensed`.
    pub kind: ReportKind,
    /// The complaint category it is filed under (`other` for a
    /// correction, `unlicensed_practice` for unlicensed practice).
    pub category: Category,
    /// What is wrong or what happened, trimmed, personal numbers masked.
    pub description: String,
    /// When (unlicensed practice only, optional).
    pub occurred_on: Option<NaiveDate>,
    /// Where (unlicensed practice only), trimmed, personal numbers masked.
    pub place: String,
    /// The name used (unlicensed practice only, may be empty), personal
    /// numbers masked.
    pub name_used: String,
    /// The reporter's contact, when given.
    pub contact: Option<Contact>,
}

/// Checks a free text: no forbidden character, `min..=max` characters.
fn text(
    errors: &mut FieldProblems,
    field: &'static str,
    raw: &str,
    min: usize,
    max: usize,
    missing: &'static str,
) -> String {
    let s = raw.trim();
    let n = s.chars().count();
    if let Some(c) = super::text::first_forbidden(s) {
        errors.insert(
            field,
            Message::new("complaint-control-character").arg("char", super::text::code_point(c)),
        );
    } else if n == 0 {
        errors.insert(field, Message::new(missing));
    } else if n < min {
        errors.insert(field, Message::new("report-text-too-short").arg("min", min));
    } else if n > max {
        errors.insert(
            field,
            Message::new("report-text-too-long")
                .arg("max", max)
                .arg("n", n),
        );
    }
    super::mask::mask_personal_numbers(s)
}

/// Checks a name (the reporter's, or the one used): no forbidden or
/// bidirectional control character, no markup, at most `max` characters.
fn name(errors: &mut FieldProblems, field: &'static str, raw: &str, max: usize) -> String {
    let s = raw.trim();
    if s.chars().count() > max {
        errors.insert(field, Message::new("report-name-too-long").arg("max", max));
    } else if let Some(c) = s.chars().find(|c| super::text::is_bidi_control(*c)) {
        errors.insert(
            field,
            Message::new("complaint-bidi-in-name").arg("char", super::text::code_point(c)),
        );
    } else if s
        .chars()
        .any(|c| super::text::is_forbidden(c) || c.is_control() || "<>\"".contains(c))
    {
        errors.insert(field, Message::new("report-name-characters"));
    }
    s.to_owned()
}

/// The optional contact: nothing, a phone, or a name and a phone.
fn contact(errors: &mut FieldProblems, raw_name: &str, raw_phone: &str) -> Option<Contact> {
    let name = name(
        errors,
        "contact_name",
        raw_name,
        complaint::limits::NAME_MAX,
    );
    let typed = raw_phone.trim();
    if typed.is_empty() {
        if !name.is_empty() {
            errors.insert(
                "contact_phone",
                Message::new("report-contact-phone-missing"),
            );
        }
        return None;
    }
    let phone = (typed.chars().count() <= complaint::limits::PHONE_MAX)
        .then(|| normalise_phone(typed))
        .flatten();
    match phone {
        Some(phone) => Some(Contact { name, phone }),
        None => {
            errors.insert("contact_phone", Message::new("report-contact-phone-format"));
            None
        }
    }
}

/// Checks a correction, all but its subject.
pub fn validate_correction(input: &CorrectionInput) -> Result<ValidReport, FieldProblems> {
    let mut errors = FieldProblems::new();
    let description = text(
        &mut errors,
        "description",
        &input.description,
        limits::CORRECTION_MIN,
        limits::CORRECTION_MAX,
        "report-correction-missing",
    );
    let contact = contact(&mut errors, &input.contact_name, &input.contact_phone);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidReport {
        kind: ReportKind::Correction,
        category: Category::Other,
        description,
        occurred_on: None,
        place: String::new(),
        name_used: String::new(),
        contact,
    })
}

/// Checks a report of unlicensed practice on `today`.
pub fn validate_unlicensed(
    input: &UnlicensedInput,
    today: NaiveDate,
) -> Result<ValidReport, FieldProblems> {
    let mut errors = FieldProblems::new();
    let place = text(
        &mut errors,
        "place",
        &input.place,
        limits::PLACE_MIN,
        limits::PLACE_MAX,
        "report-place-missing",
    );
    // A number typed beside the name is masked as in the place and the
    // story: staff read it, and it is not the reporter's to give.
    let name_used = super::mask::mask_personal_numbers(&name(
        &mut errors,
        "name_used",
        &input.name_used,
        limits::NAME_USED_MAX,
    ));
    let description = text(
        &mut errors,
        "description",
        &input.description,
        complaint::limits::DESCRIPTION_MIN,
        complaint::limits::DESCRIPTION_MAX,
        "report-unlicensed-missing",
    );
    let occurred_on = if input.occurred_on.trim().is_empty() {
        None
    } else {
        match super::dates::parse_date(&input.occurred_on) {
            None => {
                errors.insert("occurred_on", Message::new("report-date-format"));
                None
            }
            Some(d) if d > today => {
                errors.insert("occurred_on", Message::new("report-date-future"));
                None
            }
            Some(d)
                if d < super::dates::years_before(today, complaint::limits::OCCURRED_YEARS_MAX) =>
            {
                errors.insert("occurred_on", Message::new("report-date-too-old"));
                None
            }
            Some(d) => Some(d),
        }
    };
    let contact = contact(&mut errors, &input.contact_name, &input.contact_phone);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidReport {
        kind: ReportKind::Unlicensed,
        category: Category::UnlicensedPractice,
        description,
        occurred_on,
        place,
        name_used,
        contact,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_correction_needs_its_text_and_only_a_usable_contact() {
        let good = CorrectionInput {
            subject_license_no: "45001030001".into(),
            description: " 电话号码已停用，请更新。 ".into(),
            ..Default::default()
        };
        let v = validate_correction(&good).unwrap();
        assert_eq!(v.kind, ReportKind::Correction);
        assert_eq!(v.description, "电话号码已停用，请更新。");
        assert_eq!(v.contact, None);

        let with_contact = CorrectionInput {
            contact_name: "李四".into(),
            contact_phone: "138 1234 5678".into(),
            ..good.clone()
        };
        let v = validate_correction(&with_contact).unwrap();
        assert_eq!(v.contact.as_ref().unwrap().phone, "13812345678");
        assert!(!format!("{with_contact:?}{v:?}").contains("李四"));

        let long = "长".repeat(limits::CORRECTION_MAX + 1);
        let cases: [(&str, &str, &str, &[&str]); 7] = [
            ("", "", "", &["description"]),
            ("太短", "", "", &["description"]),
            (&long, "", "", &["description"]),
            ("电话号码\u{1}已停用", "", "", &["description"]),
            ("电话号码已停用。", "李四", "", &["contact_phone"]),
            ("电话号码已停用。", "", "12345", &["contact_phone"]),
            (
                "电话号码已停用。",
                "李\u{202E}四",
                "13812345678",
                &["contact_name"],
            ),
        ];
        for (description, name, phone, fields) in cases {
            let input = CorrectionInput {
                description: description.into(),
                contact_name: name.into(),
                contact_phone: phone.into(),
                ..Default::default()
            };
            let e = validate_correction(&input).unwrap_err();
            let keys: Vec<&str> = e.keys().copied().collect();
            assert_eq!(keys, fields, "{description:?} {name:?} {phone:?}");
        }
    }

    #[test]
    fn an_unlicensed_report_needs_a_place_and_a_story_and_masks_numbers() {
        let today = d("2026-11-28");
        let good = UnlicensedInput {
            place: "解放碑八一路 12 号二楼".into(),
            name_used: "王律师".into(),
            description: "自称律师代写诉状，收费五千元，电话 13987654321。".into(),
            occurred_on: "2026年11月20日".into(),
            ..Default::default()
        };
        let v = validate_unlicensed(&good, today).unwrap();
        assert_eq!(v.kind, ReportKind::Unlicensed);
        assert_eq!(v.category, Category::UnlicensedPractice);
        assert_eq!(v.occurred_on, Some(d("2026-11-20")));
        assert!(!v.description.contains("13987654321"), "{}", v.description);
        let numbered = UnlicensedInput {
            name_used: "王律师 13987654321".into(),
            ..good.clone()
        };
        let v = validate_unlicensed(&numbered, today).unwrap();
        assert!(v.name_used.starts_with("王律师"), "{}", v.name_used);
        assert!(!v.name_used.contains("13987654321"), "{}", v.name_used);
        let bare = UnlicensedInput {
            name_used: String::new(),
            occurred_on: String::new(),
            ..good.clone()
        };
        assert_eq!(validate_unlicensed(&bare, today).unwrap().occurred_on, None);

        let bad = UnlicensedInput {
            place: " ".into(),
            name_used: "<b>".into(),
            description: "短".into(),
            occurred_on: "2026-12-01".into(),
            ..Default::default()
        };
        let e = validate_unlicensed(&bad, today).unwrap_err();
        let keys: Vec<&str> = e.keys().copied().collect();
        assert_eq!(keys, ["description", "name_used", "occurred_on", "place"]);
    }
}
