//! Complaints (投诉): tracking numbers with a check digit, access codes, the
//! categories, the stages and their deadlines, and the checks on what a
//! resident types. Pure: no I/O, no clock of its own.

use std::fmt;

use chrono::{NaiveDate, TimeDelta};

use super::license::fold_width;
use super::message::{FieldProblems, Message};
use super::vocab::vocabulary;

vocabulary! {
    /// What a complaint is about.
    Category {
        /// 收费问题: overcharging, fees not agreed.
        Fees => "fees" | "收费",
        /// 执业行为: conduct, manners, conflicts of interest.
        Conduct => "conduct" | "执业行为",
        /// 无证执业: practising without a license or outside its scope.
        UnlicensedPractice => "unlicensed_practice" | "无证执业",
        /// 服务质量: delays, poor work.
        ServiceQuality => "service_quality" | "服务质量",
        /// 其他.
        Other => "other" | "其他",
    }
}

vocabulary! {
    /// Where a complaint stands. `Declined` and `Concluded` are final.
    Stage {
        /// 已提交: filed, waiting to be accepted.
        Submitted => "submitted" | "已提交",
        /// 已受理.
        Accepted => "accepted" | "已受理",
        /// 不予受理 (with a reason).
        Declined => "declined" | "不予受理",
        /// 调查中.
        Investigating => "investigating" | "调查中",
        /// 已办结 (with an outcome).
        Concluded => "concluded" | "已办结",
    }
}

vocabulary! {
    /// How a concluded complaint ended. Only these counts appear on
    /// profiles, never the content.
    Outcome {
        /// 投诉属实: upheld.
        Upheld => "upheld" | "属实",
        /// 部分属实.
        PartlyUpheld => "partly_upheld" | "部分属实",
        /// 投诉不属实.
        NotUpheld => "not_upheld" | "不属实",
        /// 调解解决: settled between the parties.
        Mediated => "mediated" | "调解",
        /// 投诉人撤回.
        Withdrawn => "withdrawn" | "撤回",
    }
}

impl Stage {
    /// Whether nothing follows this stage.
    pub fn is_final(self) -> bool {
        matches!(self, Stage::Declined | Stage::Concluded)
    }

    /// Whether a complaint at `self` may move to `to`.
    pub fn can_move_to(self, to: Stage) -> bool {
        use Stage::*;
        matches!(
            (self, to),
            (Submitted, Accepted)
                | (Submitted, Declined)
                | (Accepted, Investigating)
                | (Accepted, Concluded)
                | (Investigating, Concluded)
        )
    }

    /// The stages a complaint at `self` may move to next.
    pub fn next_stages(self) -> Vec<Stage> {
        Stage::ALL
            .iter()
            .copied()
            .filter(|t| self.can_move_to(*t))
            .collect()
    }
}

/// How long each stage may take, in calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// From filing to acceptance or refusal (default 7).
    pub accept_days: u32,
    /// From acceptance to conclusion (default 60).
    pub conclude_days: u32,
}

impl Default for Deadlines {
    fn default() -> Self {
        Self {
            accept_days: 7,
            conclude_days: 60,
        }
    }
}

/// One stage reached, on a date in China.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageEvent {
    /// The stage.
    pub stage: Stage,
    /// The day it was reached.
    pub on: NaiveDate,
}

/// One line of the timeline a complainant and the bureau see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineStep {
    /// The stage (for a pending step, the one expected next).
    pub stage: Stage,
    /// The day it was reached; `None` while pending.
    pub on: Option<NaiveDate>,
    /// The last day by which it is due, where a deadline applies.
    pub due_by: Option<NaiveDate>,
    /// Pending and past its deadline.
    pub overdue: bool,
    /// Reached, but after its deadline.
    pub late: bool,
}

/// The timeline of a complaint on `today`: every stage reached with its
/// date, then the pending stage with its deadline. `events` are in order.
pub fn timeline(
    events: &[StageEvent],
    deadlines: &Deadlines,
    today: NaiveDate,
) -> Vec<TimelineStep> {
    let submitted_on = events
        .iter()
        .find(|e| e.stage == Stage::Submitted)
        .map(|e| e.on);
    let accepted_on = events
        .iter()
        .find(|e| e.stage == Stage::Accepted)
        .map(|e| e.on);
    let accept_by = submitted_on.map(|d| d + TimeDelta::days(deadlines.accept_days.into()));
    let conclude_by = accepted_on.map(|d| d + TimeDelta::days(deadlines.conclude_days.into()));
    let due = |stage: Stage| match stage {
        Stage::Submitted => None,
        Stage::Accepted | Stage::Declined => accept_by,
        Stage::Investigating => None,
        Stage::Concluded => conclude_by,
    };
    let mut steps: Vec<TimelineStep> = events
        .iter()
        .map(|e| {
            let due_by = due(e.stage);
            TimelineStep {
                stage: e.stage,
                on: Some(e.on),
                due_by,
                overdue: false,
                late: due_by.is_some_and(|d| e.on > d),
            }
        })
        .collect();
    if let Some(current) = events.last().map(|e| e.stage)
        && !current.is_final()
    {
        let pending = match current {
            Stage::Submitted => Stage::Accepted,
            _ => Stage::Concluded,
        };
        let due_by = due(pending);
        steps.push(TimelineStep {
            stage: pending,
            on: None,
            due_by,
            overdue: due_by.is_some_and(|d| today > d),
            late: false,
        });
    }
    steps
}

/// Whether a complaint with these events is pending past a deadline.
pub fn is_overdue(events: &[StageEvent], deadlines: &Deadlines, today: NaiveDate) -> bool {
    timeline(events, deadlines, today).iter().any(|s| s.overdue)
}

/// Whether a complaint closed (declined or concluded) on `closed_on` is due
/// for its personal data to be purged on `today`, `retention_days` after.
pub fn purge_due(closed_on: NaiveDate, retention_days: u32, today: NaiveDate) -> bool {
    today >= closed_on + TimeDelta::days(retention_days.into())
}

/// A tracking number: `TS`, the filing date (`YYYYMMDD`), an eight-digit
/// random serial and an ISO 7064 MOD 11-2 check character (`0`–`9` or `X`,
/// as on a resident identity card): 19 characters in all.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct TrackingNo(String);

/// Why a string is not a tracking number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TrackingNoError {
    /// Not the shape of one.
    #[error("not a tracking number")]
    Malformed,
    /// The shape is right but the check character is wrong: a typing error.
    #[error("the check character does not match")]
    WrongCheckDigit,
}

impl TrackingNoError {
    /// What the resident is told (a Fluent message id).
    pub fn message(self) -> Message {
        Message::new(match self {
            TrackingNoError::Malformed => "complaint-tracking-malformed",
            TrackingNoError::WrongCheckDigit => "complaint-tracking-check-digit",
        })
    }
}

impl TrackingNo {
    const PREFIX: &'static str = "TS";
    const DIGITS: usize = 16;

    /// Builds the number for a complaint filed on `on` with `serial`
    /// (taken modulo 10^8).
    pub fn new(on: NaiveDate, serial: u32) -> Self {
        let digits = format!("{}{:08}", on.format("%Y%m%d"), serial % 100_000_000);
        let check = mod11_2(&digits);
        Self(format!("{}{digits}{check}", Self::PREFIX))
    }

    /// Parses what a resident typed: full-width characters, spaces, hyphens
    /// and lower case are fine; the check character must match.
    pub fn parse(raw: &str) -> Result<Self, TrackingNoError> {
        let s: String = raw
            .chars()
            .map(fold_width)
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let rest = s
            .strip_prefix(Self::PREFIX)
            .ok_or(TrackingNoError::Malformed)?;
        if rest.len() != Self::DIGITS + 1 || !rest.is_ascii() {
            return Err(TrackingNoError::Malformed);
        }
        let (digits, check) = rest.split_at(Self::DIGITS);
        if !digits.bytes().all(|b| b.is_ascii_digit())
            || !matches!(check.as_bytes()[0], b'0'..=b'9' | b'X')
        {
            return Err(TrackingNoError::Malformed);
        }
        if NaiveDate::parse_from_str(&digits[..8], "%Y%m%d").is_err() {
            return Err(TrackingNoError::Malformed);
        }
        if mod11_2(digits).to_string() != check {
            return Err(TrackingNoError::WrongCheckDigit);
        }
        Ok(Self(s))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// ISO 7064 MOD 11-2 check character of a string of ASCII digits.
pub fn mod11_2(digits: &str) -> char {
    let mut p: u32 = 0;
    for b in digits.bytes() {
        p = ((p + u32::from(b - b'0')) * 2) % 11;
    }
    match (12 - p) % 11 {
        10 => 'X',
        n => char::from(b'0' + n as u8),
    }
}

/// The alphabet of access codes: no 0/O, 1/I/L, so that a code read aloud or
/// copied by hand survives.
pub const ACCESS_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Characters in an access code (about 79 bits).
pub const ACCESS_CODE_LEN: usize = 16;

/// Builds an access code from random bytes, one character per byte.
pub fn access_code_from(random: &[u8; ACCESS_CODE_LEN]) -> String {
    let chars: Vec<char> = random
        .iter()
        .map(|b| char::from(ACCESS_CODE_ALPHABET[*b as usize % ACCESS_CODE_ALPHABET.len()]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// An access code as typed, normalised: hyphens and spaces dropped, upper
/// case, full-width folded. `None` when it cannot be one.
pub fn normalise_access_code(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .map(fold_width)
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (s.len() == ACCESS_CODE_LEN && s.bytes().all(|b| ACCESS_CODE_ALPHABET.contains(&b)))
        .then_some(s)
}

/// Masks a phone number for staff lists: `13812345678` → `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// Masks a name: `张秀英` → `张**`.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
        None => String::new(),
    }
}

/// Field limits, in characters.
pub mod limits {
    /// How many years back the day of the events may be ("not over 20
    /// years ago", on the calendar).
    pub const OCCURRED_YEARS_MAX: u32 = 20;
    /// The subject field (a license number or a name to look up).
    pub const SUBJECT: usize = 60;
    /// Shortest description.
    pub const DESCRIPTION_MIN: usize = 10;
    /// Longest description.
    pub const DESCRIPTION_MAX: usize = 2000;
    /// Longest desired outcome.
    pub const DESIRED_OUTCOME_MAX: usize = 500;
    /// Longest name.
    pub const NAME_MAX: usize = 50;
    /// Longest phone number as typed.
    pub const PHONE_MAX: usize = 20;
    /// Longest staff note.
    pub const NOTE_MAX: usize = 1000;
}

/// What a resident sends, as typed. Form and JSON share these names. Its
/// `Debug` hides the name and phone.
#[derive(Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ComplaintInput {
    /// License number (or, on the form, a name to look up).
    #[schema(example = "45001030001")]
    pub subject_license_no: String,
    /// Category key.
    #[schema(value_type = Category)]
    pub category: String,
    /// What happened.
    pub description: String,
    /// When (a date, `YYYY-MM-DD`, not in the future).
    #[schema(format = Date, example = "2026-11-01")]
    pub occurred_on: String,
    /// What the complainant wants.
    pub desired_outcome: String,
    /// Name.
    pub complainant_name: String,
    /// Phone.
    pub complainant_phone: String,
    /// Ask that the identity be withheld from the subject.
    pub withhold_identity: bool,
}

impl fmt::Debug for ComplaintInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComplaintInput")
            .field("subject_license_no", &self.subject_license_no)
            .field("category", &self.category)
            .field("complainant_name", &"***")
            .field("complainant_phone", &"***")
            .finish_non_exhaustive()
    }
}

/// The checked complaint, minus the subject (looked up in the database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidComplaint {
    /// Category.
    pub category: Category,
    /// What happened, trimmed.
    pub description: String,
    /// When.
    pub occurred_on: NaiveDate,
    /// What the complainant wants, trimmed (may be empty).
    pub desired_outcome: String,
    /// The complainant's contact.
    pub contact: Contact,
    /// Identity withheld from the subject.
    pub withhold_identity: bool,
}

/// The complainant's personal data: encrypted at rest, never public.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Contact {
    /// Name.
    pub name: String,
    /// Phone, normalised (digits, a hyphen after a landline area code).
    pub phone: String,
}

impl fmt::Debug for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Contact(***)")
    }
}

/// A refused character's field message.
fn forbidden(id: &'static str, c: char) -> Message {
    Message::new(id).arg("char", super::text::code_point(c))
}

/// Checks everything but the subject.
pub fn validate(input: &ComplaintInput, today: NaiveDate) -> Result<ValidComplaint, FieldProblems> {
    let mut errors = FieldProblems::new();
    let category = Category::parse(&input.category);
    if category.is_none() {
        errors.insert("category", Message::new("complaint-category-missing"));
    }
    let description = input.description.trim();
    let n = description.chars().count();
    if let Some(c) = super::text::first_forbidden(description) {
        errors.insert("description", forbidden("complaint-control-character", c));
    } else if n < limits::DESCRIPTION_MIN {
        errors.insert(
            "description",
            Message::new("complaint-description-too-short").arg("min", limits::DESCRIPTION_MIN),
        );
    } else if n > limits::DESCRIPTION_MAX {
        errors.insert(
            "description",
            Message::new("complaint-description-too-long")
                .arg("max", limits::DESCRIPTION_MAX)
                .arg("n", n),
        );
    }
    let occurred_on = super::dates::parse_date(&input.occurred_on);
    match occurred_on {
        None if input.occurred_on.trim().is_empty() => {
            errors.insert("occurred_on", Message::new("complaint-date-missing"));
        }
        None => {
            errors.insert("occurred_on", Message::new("report-date-format"));
        }
        Some(d) if d > today => {
            errors.insert("occurred_on", Message::new("report-date-future"));
        }
        Some(d) if d < super::dates::years_before(today, limits::OCCURRED_YEARS_MAX) => {
            errors.insert("occurred_on", Message::new("report-date-too-old"));
        }
        Some(_) => {}
    }
    let desired = input.desired_outcome.trim();
    if let Some(c) = super::text::first_forbidden(desired) {
        errors.insert(
            "desired_outcome",
            forbidden("complaint-control-character", c),
        );
    } else if desired.chars().count() > limits::DESIRED_OUTCOME_MAX {
        errors.insert(
            "desired_outcome",
            Message::new("complaint-desired-too-long").arg("max", limits::DESIRED_OUTCOME_MAX),
        );
    }
    let name = input.complainant_name.trim();
    if name.is_empty() {
        errors.insert("complainant_name", Message::new("complaint-name-missing"));
    } else if name.chars().count() > limits::NAME_MAX {
        errors.insert(
            "complainant_name",
            Message::new("complaint-name-too-long").arg("max", limits::NAME_MAX),
        );
    } else if let Some(c) = name.chars().find(|c| super::text::is_bidi_control(*c)) {
        errors.insert("complainant_name", forbidden("complaint-bidi-in-name", c));
    } else if name
        .chars()
        .any(|c| super::text::is_forbidden(c) || c.is_control() || "<>\"".contains(c))
    {
        errors.insert(
            "complainant_name",
            Message::new("complaint-name-characters"),
        );
    }
    let phone = normalise_phone(&input.complainant_phone);
    if input.complainant_phone.trim().is_empty() {
        errors.insert("complainant_phone", Message::new("complaint-phone-missing"));
    } else if input.complainant_phone.chars().count() > limits::PHONE_MAX || phone.is_none() {
        errors.insert(
            "complainant_phone",
            Message::new("report-contact-phone-format"),
        );
    }
    match (category, occurred_on, phone) {
        (Some(category), Some(occurred_on), Some(phone)) if errors.is_empty() => {
            Ok(ValidComplaint {
                category,
                // Identity card and mobile numbers typed into the text are
                // masked before anything stores it (docs/complaints.md).
                description: super::mask::mask_personal_numbers(description),
                occurred_on,
                desired_outcome: super::mask::mask_personal_numbers(desired),
                contact: Contact {
                    name: name.to_owned(),
                    phone,
                },
                withhold_identity: input.withhold_identity,
            })
        }
        _ => Err(errors),
    }
}

/// Normalises a mainland mobile (`1[3-9]` and nine digits, `+86` allowed) or
/// a landline with its area code (`0` and 2–3 digits, then 7–8 digits).
pub fn normalise_phone(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .map(fold_width)
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '(' && *c != ')')
        .collect();
    let s = s.strip_prefix("+86").unwrap_or(&s);
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let b = s.as_bytes();
    if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
        return Some(s.to_owned());
    }
    if b.first() == Some(&b'0') && (10..=12).contains(&b.len()) {
        // Area codes: 010 and 02x are three digits, the rest four.
        let area = if b[1] == b'1' || b[1] == b'2' { 3 } else { 4 };
        let local = b.len() - area;
        if (7..=8).contains(&local) {
            return Some(format!("{}-{}", &s[..area], &s[area..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn tracking_numbers_round_trip_and_catch_typing_errors() {
        let no = TrackingNo::new(d("2026-11-28"), 1234);
        assert_eq!(no.as_str().len(), 19);
        assert!(no.as_str().starts_with("TS2026112800001234"));
        assert_eq!(TrackingNo::parse(no.as_str()), Ok(no.clone()));
        let typed = format!(" ts-{} ", &no.as_str()[2..]).replace('2', "２");
        assert_eq!(TrackingNo::parse(&typed), Ok(no.clone()));
        // Every single-digit change and every adjacent swap is caught.
        let digits: Vec<u8> = no.as_str().bytes().collect();
        for i in 2..18 {
            for v in b'0'..=b'9' {
                if digits[i] == v {
                    continue;
                }
                let mut t = digits.clone();
                t[i] = v;
                let s = String::from_utf8(t).unwrap();
                assert!(TrackingNo::parse(&s).is_err(), "{s} accepted");
            }
            if digits[i] != digits[i + 1] && i + 1 < 18 {
                let mut t = digits.clone();
                t.swap(i, i + 1);
                let s = String::from_utf8(t).unwrap();
                assert!(TrackingNo::parse(&s).is_err(), "{s} accepted");
            }
        }
    }

    #[test]
    fn the_check_character_is_the_identity_card_one() {
        // A published example of GB 11643's MOD 11-2: 11010519491231002X.
        assert_eq!(mod11_2("11010519491231002"), 'X');
        let bad = TrackingNo::new(d("2026-11-28"), 7).as_str().to_owned();
        let last = bad.chars().last().unwrap();
        let wrong = if last == '0' { '1' } else { '0' };
        let typed = format!("{}{wrong}", &bad[..18]);
        assert_eq!(
            TrackingNo::parse(&typed),
            Err(TrackingNoError::WrongCheckDigit)
        );
        assert_eq!(TrackingNo::parse("TS123"), Err(TrackingNoError::Malformed));
        assert_eq!(
            TrackingNo::parse("XX20261128000012345"),
            Err(TrackingNoError::Malformed)
        );
    }

    #[test]
    fn stages_move_only_forward() {
        use Stage::*;
        assert!(Submitted.can_move_to(Accepted) && Submitted.can_move_to(Declined));
        assert!(Accepted.can_move_to(Investigating) && Investigating.can_move_to(Concluded));
        assert!(!Submitted.can_move_to(Concluded));
        assert!(!Declined.can_move_to(Accepted) && !Concluded.can_move_to(Investigating));
        assert!(Concluded.next_stages().is_empty());
    }

    #[test]
    fn deadlines_and_overdue_follow_the_clock() {
        let dl = Deadlines::default();
        let filed = vec![StageEvent {
            stage: Stage::Submitted,
            on: d("2026-11-01"),
        }];
        let t = timeline(&filed, &dl, d("2026-11-08"));
        assert_eq!(t[1].stage, Stage::Accepted);
        assert_eq!(t[1].due_by, Some(d("2026-11-08")));
        assert!(!t[1].overdue, "the last day is still in time");
        assert!(is_overdue(&filed, &dl, d("2026-11-09")));

        let mut accepted = filed.clone();
        accepted.push(StageEvent {
            stage: Stage::Accepted,
            on: d("2026-11-10"),
        });
        let t = timeline(&accepted, &dl, d("2026-11-10"));
        assert!(t[1].late, "accepted after the seventh day");
        assert_eq!(t[2].stage, Stage::Concluded);
        assert_eq!(t[2].due_by, Some(d("2027-01-09")));
        assert!(!is_overdue(&accepted, &dl, d("2027-01-09")));
        assert!(is_overdue(&accepted, &dl, d("2027-01-10")));

        let mut done = accepted.clone();
        done.push(StageEvent {
            stage: Stage::Concluded,
            on: d("2026-12-01"),
        });
        assert_eq!(timeline(&done, &dl, d("2030-01-01")).len(), 3);
        assert!(!is_overdue(&done, &dl, d("2030-01-01")));
    }

    #[test]
    fn purge_is_due_after_the_retention_period() {
        assert!(!purge_due(d("2026-01-01"), 365, d("2026-12-31")));
        assert!(purge_due(d("2026-01-01"), 365, d("2027-01-01")));
    }

    #[test]
    fn access_codes_and_masks() {
        let code = access_code_from(&[7; ACCESS_CODE_LEN]);
        assert_eq!(code.len(), 19);
        assert_eq!(
            normalise_access_code(&code.to_lowercase()).unwrap().len(),
            16
        );
        assert_eq!(normalise_access_code("ABCD"), None);
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("023-61234567"), "023****4567");
        assert_eq!(mask_name("张秀英"), "张**");
    }

    #[test]
    fn input_is_checked_field_by_field() {
        let today = d("2026-11-28");
        let good = ComplaintInput {
            subject_license_no: "45001030001".into(),
            category: "fees".into(),
            description: "代理费超出约定标准三倍，且未开具发票。".into(),
            occurred_on: "2026年11月20日".into(),
            desired_outcome: "退还多收费用".into(),
            complainant_name: " 李四 ".into(),
            complainant_phone: "１３８ 1234 5678".into(),
            withhold_identity: true,
        };
        let shown = format!("{good:?}");
        assert!(
            !shown.contains("李四") && !shown.contains("1234"),
            "{shown}"
        );
        let v = validate(&good, today).unwrap();
        assert!(
            !format!("{v:?}").contains("李四"),
            "the contact's Debug hides it"
        );
        assert_eq!(v.contact.phone, "13812345678");
        assert_eq!(v.contact.name, "李四");
        assert_eq!(v.category, Category::Fees);

        // "Not over 20 years ago" on the calendar: the same day twenty
        // years back is in, the day before is not (365 × 20 days fell five
        // leap days short).
        for (on, ok) in [
            ("2006-11-28", true),
            ("2006-12-01", true),
            ("2006-11-27", false),
        ] {
            let input = ComplaintInput {
                occurred_on: on.into(),
                ..good.clone()
            };
            assert_eq!(validate(&input, today).is_ok(), ok, "{on}");
        }

        let bad = ComplaintInput {
            category: "bribery".into(),
            description: "太短".into(),
            occurred_on: "2026-12-01".into(),
            complainant_phone: "12345".into(),
            ..Default::default()
        };
        let e = validate(&bad, today).unwrap_err();
        for f in [
            "category",
            "description",
            "occurred_on",
            "complainant_name",
            "complainant_phone",
        ] {
            assert!(e.contains_key(f), "{f} not flagged: {e:?}");
        }
        assert_eq!(
            normalise_phone("02361234567").as_deref(),
            Some("023-61234567")
        );
        assert_eq!(
            normalise_phone("+86 139-0000-1111").as_deref(),
            Some("13900001111")
        );
        assert_eq!(normalise_phone("12012345678"), None);
    }
}
