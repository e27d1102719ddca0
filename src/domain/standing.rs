//! Standing: the one-glance credit summary of an office or a worker.
//!
//! A pure function of the subject's records and a date (docs/api.md,
//! "Standing"). Pages, the API, certificates and the search projection all
//! call [`assess`]; nothing else decides standing.
//!
//! The table, worst first (issue 12): revoked, deregistered, office closed
//! (a worker's office deregistered), suspended (own status or decision, or
//! the worker's office suspended), rectification overdue, under
//! rectification, disclosed record, good standing, not reviewed.

use chrono::{Datelike, NaiveDate};

use super::dates::{anniversary, new_year};
use super::vocab::{DisciplineKind, OfficeStatus, ReviewOutcome, WorkerStatus};

/// The standing of a subject on a date, from worst to best.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standing {
    /// License revoked (吊销), by status or by a decision in force.
    Revoked,
    /// Deregistered (注销).
    Deregistered,
    /// A worker whose office is deregistered (所在机构已注销).
    OfficeClosed,
    /// Suspended by status or by a 停止执业 penalty in force, or a worker
    /// whose office is suspended.
    Suspended,
    /// The latest review taken failed and its rectification deadline has
    /// passed with nothing recorded since (逾期未整改).
    RectificationOverdue,
    /// The latest review taken failed and its deadline has not passed.
    UnderRectification,
    /// A disciplinary action inside its disclosure window.
    DisclosedRecord,
    /// Nothing against the subject, and the latest due review taken (or the
    /// subject is too new for it).
    GoodStanding,
    /// Nothing against the subject, but the latest due review not taken.
    NotReviewed,
}

impl Standing {
    /// Every standing, worst first.
    pub const ALL: &'static [Standing] = &[
        Standing::Revoked,
        Standing::Deregistered,
        Standing::OfficeClosed,
        Standing::Suspended,
        Standing::RectificationOverdue,
        Standing::UnderRectification,
        Standing::DisclosedRecord,
        Standing::GoodStanding,
        Standing::NotReviewed,
    ];

    /// The stable key used in the API, search filters and CSS classes.
    pub fn key(self) -> &'static str {
        match self {
            Standing::Revoked => "revoked",
            Standing::Deregistered => "deregistered",
            Standing::OfficeClosed => "office_closed",
            Standing::Suspended => "suspended",
            Standing::RectificationOverdue => "rectification_overdue",
            Standing::UnderRectification => "under_rectification",
            Standing::DisclosedRecord => "disclosed_record",
            Standing::GoodStanding => "good_standing",
            Standing::NotReviewed => "not_reviewed",
        }
    }

    /// Parses a key.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.key() == key.trim())
    }
}

/// Written as its key.
impl serde::Serialize for Standing {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

/// Read from its key.
impl<'de> serde::Deserialize<'de> for Standing {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Standing::parse(&raw)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown Standing: {raw}")))
    }
}

/// The annual review calendar: the review of year Y is held early in Y+1
/// and is due by this day of Y+1 (`--review-due`, default `03-31`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct ReviewDue {
    /// Month, 1 to 12.
    pub month: u32,
    /// Day of the month; past the month's end (29 February in a common
    /// year) it is the month's last day.
    pub day: u32,
}

impl Default for ReviewDue {
    fn default() -> Self {
        Self { month: 3, day: 31 }
    }
}

impl std::fmt::Display for ReviewDue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

impl std::str::FromStr for ReviewDue {
    type Err = String;

    /// Parses `MM-DD` (`03-31`, `3-31`); any day that exists in a leap
    /// year is accepted.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("expected a day of the year as MM-DD, e.g. 03-31, not {s:?}");
        let (m, d) = s.trim().split_once(['-', '/']).ok_or_else(bad)?;
        let month: u32 = m.trim().parse().map_err(|_| bad())?;
        let day: u32 = d.trim().parse().map_err(|_| bad())?;
        NaiveDate::from_ymd_opt(2024, month, day).ok_or_else(bad)?;
        Ok(Self { month, day })
    }
}

impl ReviewDue {
    /// The day by which the review of `year` is due (in `year + 1`).
    pub fn due_on(&self, year: i32) -> NaiveDate {
        let y = year.saturating_add(1);
        (0..4)
            .find_map(|back| NaiveDate::from_ymd_opt(y, self.month, self.day.saturating_sub(back)))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The latest review year due on `on`: the largest Y whose due day is
    /// on or before `on`.
    pub fn latest_due_year(&self, on: NaiveDate) -> i32 {
        let last = on.year() - 1;
        if self.due_on(last) <= on {
            last
        } else {
            last - 1
        }
    }

    /// Whether a subject licensed (established) on `licensed_on` is exempt
    /// from the review of `year`: licensed on or after 1 January of it.
    pub fn exempt(licensed_on: Option<NaiveDate>, year: i32) -> bool {
        licensed_on.is_some_and(|l| l >= new_year(year))
    }
}

/// What standing is computed under: disclosure windows and the review
/// calendar (settings, the same for every subject).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct StandingPolicy {
    /// Window, in years from the decision, of 训诫, 警告 and 通报批评
    /// imported without `public_until`.
    pub short_years: u32,
    /// Window of every other kind.
    pub long_years: u32,
    /// When each year's annual review is due.
    pub review_due: ReviewDue,
}

impl Default for StandingPolicy {
    fn default() -> Self {
        Self {
            short_years: 1,
            long_years: 3,
            review_due: ReviewDue::default(),
        }
    }
}

/// The registration status of a subject, office or worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectStatus {
    /// 执业.
    Practising,
    /// 停业.
    Suspended,
    /// 注销.
    Deregistered,
    /// 吊销.
    Revoked,
}

impl From<OfficeStatus> for SubjectStatus {
    fn from(s: OfficeStatus) -> Self {
        match s {
            OfficeStatus::Practising => SubjectStatus::Practising,
            OfficeStatus::Suspended => SubjectStatus::Suspended,
            OfficeStatus::Deregistered => SubjectStatus::Deregistered,
        }
    }
}

impl From<WorkerStatus> for SubjectStatus {
    fn from(s: WorkerStatus) -> Self {
        match s {
            WorkerStatus::Practising => SubjectStatus::Practising,
            WorkerStatus::Suspended => SubjectStatus::Suspended,
            WorkerStatus::Deregistered => SubjectStatus::Deregistered,
            WorkerStatus::Revoked => SubjectStatus::Revoked,
        }
    }
}

/// An annual review as standing needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRecord {
    /// The year reviewed.
    pub year: i32,
    /// The outcome.
    pub outcome: ReviewOutcome,
    /// Rectification deadline (限期整改) of a failed review.
    pub rectify_by: Option<NaiveDate>,
    /// The day rectification was completed (整改完成日期), if recorded.
    pub rectified_on: Option<NaiveDate>,
}
/// A disciplinary action as standing needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRecord {
    /// Decision number (文号).
    pub decision_no: String,
    /// Kind of action.
    pub kind: DisciplineKind,
    /// Date of the decision; the disclosure window opens that day.
    pub decided_on: NaiveDate,
    /// Last day of a 停止执业 penalty.
    pub suspended_until: Option<NaiveDate>,
    /// Last day of the disclosure window, when the decision sets one.
    pub public_until: Option<NaiveDate>,
    /// The day the action was withdrawn (撤销), if it was.
    pub withdrawn_on: Option<NaiveDate>,
}

impl ActionRecord {
    /// Last day the action is disclosed: `public_until`, or the default
    /// window counted from the decision (the window's last day is the day
    /// before the anniversary).
    pub fn window_end(&self, policy: &StandingPolicy) -> NaiveDate {
        self.public_until.unwrap_or_else(|| {
            let years = if self.kind.has_short_window() {
                policy.short_years
            } else {
                policy.long_years
            };
            anniversary(self.decided_on, years)
                .pred_opt()
                .unwrap_or(self.decided_on)
        })
    }

    /// Whether the action has been withdrawn by `on`.
    pub fn is_withdrawn(&self, on: NaiveDate) -> bool {
        self.withdrawn_on.is_some_and(|w| w <= on)
    }

    /// Whether the action counts against the subject on `on`: decided,
    /// not withdrawn, inside its disclosure window.
    pub fn is_disclosed(&self, on: NaiveDate, policy: &StandingPolicy) -> bool {
        !self.is_withdrawn(on) && self.decided_on <= on && on <= self.window_end(policy)
    }

    /// Whether a 停止执业 penalty is in force on `on`.
    pub fn suspends(&self, on: NaiveDate) -> bool {
        self.kind == DisciplineKind::SuspendPractice
            && !self.is_withdrawn(on)
            && self.decided_on <= on
            && self.suspended_until.is_none_or(|until| on <= until)
    }

    /// Whether a 吊销执业证 penalty has taken effect by `on`.
    pub fn revokes(&self, on: NaiveDate) -> bool {
        self.kind == DisciplineKind::RevokeLicense
            && !self.is_withdrawn(on)
            && self.decided_on <= on
    }
}

/// A worker's office, as the worker's standing needs it.
#[derive(Debug, Clone, Copy)]
pub struct OfficeLink<'a> {
    /// The office's license number.
    pub license_no: &'a str,
    /// Its name, for the reason sentence.
    pub name: &'a str,
    /// Its registration status.
    pub status: SubjectStatus,
    /// Its own disciplinary actions (a 停止执业 or 吊销 decision against
    /// the office stops its workers too); may be empty when unknown.
    pub actions: &'a [ActionRecord],
}

impl OfficeLink<'_> {
    /// Whether the office is closed on `on`: deregistered, or its license
    /// revoked.
    fn closed(&self, on: NaiveDate) -> bool {
        matches!(
            self.status,
            SubjectStatus::Deregistered | SubjectStatus::Revoked
        ) || self.actions.iter().any(|a| a.revokes(on))
    }

    /// Whether the office is suspended on `on`, by status or a decision.
    fn suspended(&self, on: NaiveDate) -> bool {
        self.status == SubjectStatus::Suspended || self.actions.iter().any(|a| a.suspends(on))
    }

    fn named(&self) -> OfficeNamed {
        OfficeNamed {
            office_license_no: self.license_no.to_owned(),
            office_name: self.name.to_owned(),
        }
    }
}

/// Everything standing is computed from.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// Registration status.
    pub status: SubjectStatus,
    /// First licensed (workers) or established (offices).
    pub licensed_on: Option<NaiveDate>,
    /// Annual reviews, any order.
    pub reviews: &'a [ReviewRecord],
    /// Disciplinary actions, any order, withdrawn ones included.
    pub actions: &'a [ActionRecord],
    /// A worker's office; `None` for offices (and workers without one).
    pub office: Option<OfficeLink<'a>>,
}

/// The office a reason names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OfficeNamed {
    /// License number.
    pub office_license_no: String,
    /// Name.
    pub office_name: String,
}

/// Why the subject has its standing; rendered by `crate::i18n`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The registration status says so.
    Status {
        /// `revoked`, `deregistered` or `suspended`.
        status: &'static str,
    },
    /// A 吊销执业证 decision.
    LicenseRevoked {
        /// Its decision number.
        decision_no: String,
    },
    /// The worker's office is deregistered (or its license revoked).
    OfficeClosed(OfficeNamed),
    /// The worker's office is suspended.
    OfficeSuspended(OfficeNamed),
    /// A 停止执业 penalty in force.
    SuspendedUntil {
        /// Its decision number.
        decision_no: String,
        /// Last day of the suspension, if set.
        until: Option<NaiveDate>,
    },
    /// The latest review failed and its deadline passed with no
    /// rectification recorded.
    RectificationOverdue {
        /// The year that failed.
        year: i32,
        /// The deadline that passed.
        deadline: NaiveDate,
    },
    /// The latest review failed.
    Rectifying {
        /// The year that failed.
        year: i32,
        /// The rectification deadline, if one was set.
        deadline: Option<NaiveDate>,
    },
    /// Disciplinary actions inside their windows; the latest is named.
    Disclosed {
        /// Decision number of the latest one.
        decision_no: String,
        /// Its kind.
        action: DisciplineKindKey,
        /// Its last day of disclosure.
        until: NaiveDate,
        /// How many are disclosed.
        count: usize,
    },
    /// The latest review taken passed, and it covers the latest due year.
    Reviewed {
        /// Year of the latest review taken.
        year: i32,
        /// Its outcome (never a failing one).
        outcome: ReviewOutcomeKey,
    },
    /// The latest review taken failed and rectification was completed.
    Rectified {
        /// The year that failed.
        year: i32,
        /// The day rectification was completed.
        on: NaiveDate,
    },
    /// Licensed (established) on or after 1 January of the latest due
    /// review year: no review is due yet.
    NewlyLicensed {
        /// The date of licensing.
        on: NaiveDate,
    },
    /// No review taken for the latest due year nor any later one.
    NoRecentReview {
        /// The latest due review year.
        due_year: i32,
        /// Year of the latest review taken, if any.
        last_year: Option<i32>,
    },
}

/// A [`DisciplineKind`] serialised by its key inside [`Reason`].
pub type DisciplineKindKey = DisciplineKind;
/// A [`ReviewOutcome`] serialised by its key inside [`Reason`].
pub type ReviewOutcomeKey = ReviewOutcome;

/// The standing of a subject on a date, why, and when it next changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandingReport {
    /// The standing.
    pub standing: Standing,
    /// Why.
    pub reason: Reason,
    /// The date assessed.
    pub as_of: NaiveDate,
    /// The first later date on which the standing or its reason changes
    /// with time alone, if there is one.
    pub next_change: Option<NaiveDate>,
}

/// Assesses `subject` on `on`.
pub fn assess(subject: &Subject<'_>, on: NaiveDate, policy: &StandingPolicy) -> StandingReport {
    let (standing, reason) = standing_on(subject, on, policy);
    let next_change = change_dates(subject, on, policy)
        .into_iter()
        .filter(|d| *d > on)
        .find(|d| {
            let (s, r) = standing_on(subject, *d, policy);
            s != standing || r != reason
        });
    StandingReport {
        standing,
        reason,
        as_of: on,
        next_change,
    }
}

fn standing_on(
    subject: &Subject<'_>,
    on: NaiveDate,
    policy: &StandingPolicy,
) -> (Standing, Reason) {
    if subject.status == SubjectStatus::Revoked {
        return (Standing::Revoked, Reason::Status { status: "revoked" });
    }
    if let Some(a) = latest(subject.actions.iter().filter(|a| a.revokes(on))) {
        return (
            Standing::Revoked,
            Reason::LicenseRevoked {
                decision_no: a.decision_no.clone(),
            },
        );
    }
    if subject.status == SubjectStatus::Deregistered {
        return (
            Standing::Deregistered,
            Reason::Status {
                status: "deregistered",
            },
        );
    }
    if let Some(office) = subject.office.filter(|o| o.closed(on)) {
        return (Standing::OfficeClosed, Reason::OfficeClosed(office.named()));
    }
    if subject.status == SubjectStatus::Suspended {
        return (
            Standing::Suspended,
            Reason::Status {
                status: "suspended",
            },
        );
    }
    if let Some(a) = latest(subject.actions.iter().filter(|a| a.suspends(on))) {
        return (
            Standing::Suspended,
            Reason::SuspendedUntil {
                decision_no: a.decision_no.clone(),
                until: a.suspended_until,
            },
        );
    }
    if let Some(office) = subject.office.filter(|o| o.suspended(on)) {
        return (Standing::Suspended, Reason::OfficeSuspended(office.named()));
    }
    let last_taken = subject
        .reviews
        .iter()
        .filter(|r| r.outcome.took_part() && r.year <= on.year())
        .max_by_key(|r| r.year);
    let rectified = last_taken.and_then(|r| {
        if !r.outcome.is_failure() {
            return None;
        }
        match r.rectified_on.filter(|d| *d <= on) {
            Some(done) => Some(Reason::Rectified {
                year: r.year,
                on: done,
            }),
            None => match r.rectify_by {
                Some(deadline) if on > deadline => Some(Reason::RectificationOverdue {
                    year: r.year,
                    deadline,
                }),
                deadline => Some(Reason::Rectifying {
                    year: r.year,
                    deadline,
                }),
            },
        }
    });
    match rectified {
        Some(reason @ Reason::RectificationOverdue { .. }) => {
            return (Standing::RectificationOverdue, reason);
        }
        Some(reason @ Reason::Rectifying { .. }) => {
            return (Standing::UnderRectification, reason);
        }
        _ => {}
    }
    let disclosed: Vec<&ActionRecord> = subject
        .actions
        .iter()
        .filter(|a| a.is_disclosed(on, policy))
        .collect();
    if let Some(a) = latest(disclosed.iter().copied()) {
        return (
            Standing::DisclosedRecord,
            Reason::Disclosed {
                decision_no: a.decision_no.clone(),
                action: a.kind,
                until: a.window_end(policy),
                count: disclosed.len(),
            },
        );
    }
    let due_year = policy.review_due.latest_due_year(on);
    if let Some(r) = last_taken.filter(|r| r.year >= due_year) {
        return (
            Standing::GoodStanding,
            rectified.unwrap_or(Reason::Reviewed {
                year: r.year,
                outcome: r.outcome,
            }),
        );
    }
    if let Some(licensed) = subject
        .licensed_on
        .filter(|l| ReviewDue::exempt(Some(*l), due_year))
    {
        return (
            Standing::GoodStanding,
            Reason::NewlyLicensed { on: licensed },
        );
    }
    (
        Standing::NotReviewed,
        Reason::NoRecentReview {
            due_year,
            last_year: last_taken.map(|r| r.year),
        },
    )
}

/// The latest action by decision date, then decision number.
fn latest<'a>(actions: impl Iterator<Item = &'a ActionRecord>) -> Option<&'a ActionRecord> {
    actions.max_by(|a, b| (a.decided_on, &a.decision_no).cmp(&(b.decided_on, &b.decision_no)))
}

fn action_dates(actions: &[ActionRecord], policy: &StandingPolicy, dates: &mut Vec<NaiveDate>) {
    for a in actions {
        dates.push(a.decided_on);
        dates.extend(a.window_end(policy).succ_opt());
        dates.extend(a.suspended_until.and_then(|d| d.succ_opt()));
        dates.extend(a.withdrawn_on);
    }
}

/// A day on which a subject's standing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandingChange {
    /// The first day of the new standing.
    pub on: NaiveDate,
    /// The standing of the day before.
    pub from: Standing,
    /// The standing from `on`.
    pub to: Standing,
}

/// An office a worker left: their office for the days before `until`, the
/// first day of the transfer that took them away.
#[derive(Debug, Clone, Copy)]
pub struct EarlierOffice<'a> {
    /// The transfer's effective date: the first day at the next office.
    pub until: NaiveDate,
    /// The office left; `None` when the transfer did not name it. Its
    /// registration status is not dated, so only its decisions (a
    /// 停止执业 or 吊销 against it) count for those days: pass it as
    /// practising.
    pub office: Option<OfficeLink<'a>>,
}

/// Every change of standing after `since` up to `until`, oldest first,
/// whether a record made it (a decision) or time alone did (a disclosure
/// window closing, a suspension ending, a review or rectification
/// deadline passing), or a transfer (a worker leaving a suspended office).
/// A worker's days before a transfer are weighed with the office they were
/// at then (`earlier`, any order), the later days with `subject.office`. A
/// change of registration status is not dated by the records and is not
/// among them: the record history says when it came.
pub fn changes(
    subject: &Subject<'_>,
    earlier: &[EarlierOffice<'_>],
    since: NaiveDate,
    until: NaiveDate,
    policy: &StandingPolicy,
) -> Vec<StandingChange> {
    // An action withdrawn by `until` is never shown as a mark against the
    // subject, not even for the days before its withdrawal: the history
    // (a feed, a certificate's check) is read as of `until`.
    let kept = |actions: &[ActionRecord]| -> Vec<ActionRecord> {
        actions
            .iter()
            .filter(|a| !a.is_withdrawn(until))
            .cloned()
            .collect()
    };
    let standing_actions = kept(subject.actions);
    let office_actions = subject.office.map(|o| kept(o.actions)).unwrap_or_default();
    let earlier_actions: Vec<Vec<ActionRecord>> = earlier
        .iter()
        .map(|e| e.office.map(|o| kept(o.actions)).unwrap_or_default())
        .collect();
    let now = Subject {
        actions: &standing_actions,
        office: subject.office.map(|o| OfficeLink {
            actions: &office_actions,
            ..o
        }),
        ..*subject
    };
    // The subject as it stood before each transfer, by the transfer's date.
    let mut spells: Vec<(NaiveDate, Subject<'_>)> = earlier
        .iter()
        .zip(&earlier_actions)
        .map(|(e, actions)| {
            let office = e.office.map(|o| OfficeLink { actions, ..o });
            (e.until, Subject { office, ..now })
        })
        .collect();
    spells.sort_by_key(|(d, _)| *d);
    let at = |day: NaiveDate| {
        spells
            .iter()
            .find(|(first_day_after, _)| day < *first_day_after)
            .map_or(&now, |(_, s)| s)
    };
    let mut out = Vec::new();
    let mut current = standing_on(at(since), since, policy).0;
    let mut on = since;
    loop {
        // The next day anything may flip, in any of the spells: a record's
        // date at any office the worker was at, or a transfer.
        let next = spells
            .iter()
            .map(|(d, s)| (Some(*d), s))
            .chain([(None, &now)])
            .flat_map(|(d, s)| {
                d.into_iter()
                    .chain(change_dates(s, on, policy).first().copied())
            })
            .filter(|d| *d > on)
            .min();
        let Some(next) = next.filter(|d| *d <= until) else {
            break;
        };
        let to = standing_on(at(next), next, policy).0;
        if to != current {
            out.push(StandingChange {
                on: next,
                from: current,
                to,
            });
            current = to;
        }
        on = next;
    }
    out
}

/// Every date after `on` on which some input of [`standing_on`] may flip,
/// sorted: decisions, windows, deadlines, rectifications, and the review
/// calendar's due days for the years ahead.
fn change_dates(subject: &Subject<'_>, on: NaiveDate, policy: &StandingPolicy) -> Vec<NaiveDate> {
    let mut dates = Vec::new();
    action_dates(subject.actions, policy, &mut dates);
    if let Some(office) = subject.office {
        action_dates(office.actions, policy, &mut dates);
    }
    for r in subject.reviews {
        dates.extend(r.rectify_by.and_then(|d| d.succ_opt()));
        dates.extend(r.rectified_on);
        dates.push(new_year(r.year));
    }
    // The latest due year moves once a year; only the next few due days
    // can change anything that the records above do not already date.
    let due_now = policy.review_due.latest_due_year(on);
    dates.extend((due_now + 1..=due_now + 3).map(|y| policy.review_due.due_on(y)));
    // Exemption turns on the due days above; licensing itself is a date
    // only for an assessment made before it.
    dates.extend(subject.licensed_on);
    dates.retain(|d| *d > on);
    dates.sort();
    dates.dedup();
    dates
}

impl Standing {
    /// Whether a subject of this standing may practise, so a worker may
    /// take a case (rule 8). Every standing is named, so a new one must be
    /// placed here.
    pub fn can_practise(self) -> bool {
        match self {
            Standing::Revoked
            | Standing::Deregistered
            | Standing::OfficeClosed
            | Standing::Suspended => false,
            Standing::RectificationOverdue
            | Standing::UnderRectification
            | Standing::DisclosedRecord
            | Standing::GoodStanding
            | Standing::NotReviewed => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DisciplineKind::*;
    use SubjectStatus::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn review(year: i32, outcome: ReviewOutcome, rectify_by: Option<&str>) -> ReviewRecord {
        ReviewRecord {
            year,
            outcome,
            rectify_by: rectify_by.map(d),
            rectified_on: None,
        }
    }

    fn action(no: &str, kind: DisciplineKind, decided: &str) -> ActionRecord {
        ActionRecord {
            decision_no: no.into(),
            kind,
            decided_on: d(decided),
            suspended_until: None,
            public_until: None,
            withdrawn_on: None,
        }
    }

    fn assess_on(
        status: SubjectStatus,
        licensed: &str,
        reviews: &[ReviewRecord],
        actions: &[ActionRecord],
        on: &str,
    ) -> StandingReport {
        assess_with_office(status, licensed, reviews, actions, None, on)
    }

    fn assess_with_office(
        status: SubjectStatus,
        licensed: &str,
        reviews: &[ReviewRecord],
        actions: &[ActionRecord],
        office: Option<OfficeLink<'_>>,
        on: &str,
    ) -> StandingReport {
        let subject = Subject {
            status,
            licensed_on: Some(d(licensed)),
            reviews,
            actions,
            office,
        };
        assess(&subject, d(on), &StandingPolicy::default())
    }

    fn office(status: SubjectStatus, actions: &[ActionRecord]) -> OfficeLink<'_> {
        OfficeLink {
            license_no: "O-1",
            name: "石桥铺法律服务所",
            status,
            actions,
        }
    }

    /// Reviewed for 2024 and 2025: covers the latest due year until the
    /// 2026 review falls due on 2027-03-31.
    fn reviewed() -> Vec<ReviewRecord> {
        vec![
            review(2024, ReviewOutcome::Competent, None),
            review(2025, ReviewOutcome::Excellent, None),
        ]
    }

    #[test]
    fn changes_list_the_days_records_and_time_changed_the_standing() {
        let mut warning = action("渝司罚〔2025〕3号", Warning, "2025-06-01");
        warning.public_until = Some(d("2026-05-31"));
        let mut suspension = action("渝司罚〔2026〕9号", SuspendPractice, "2026-07-01");
        suspension.suspended_until = Some(d("2026-09-30"));
        let actions = [warning, suspension];
        let reviews = reviewed();
        let subject = Subject {
            status: Practising,
            licensed_on: Some(d("2010-01-01")),
            reviews: &reviews,
            actions: &actions,
            office: None,
        };
        let policy = StandingPolicy::default();
        let got: Vec<(NaiveDate, Standing, Standing)> =
            changes(&subject, &[], d("2025-01-01"), d("2026-11-28"), &policy)
                .into_iter()
                .map(|c| (c.on, c.from, c.to))
                .collect();
        assert_eq!(
            got.first(),
            Some(&(
                d("2025-06-01"),
                Standing::GoodStanding,
                Standing::DisclosedRecord
            ))
        );
        // The suspension starts on its decision and ends the day after its
        // last day; the standing each day is what assess says.
        for (on, from, to) in &got {
            assert_eq!(assess(&subject, *on, &policy).standing, *to);
            let before = on.pred_opt().unwrap();
            assert_eq!(assess(&subject, before, &policy).standing, *from);
        }
        assert!(
            got.iter()
                .any(|c| c.0 == d("2026-07-01") && c.2 == Standing::Suspended)
        );
        assert!(
            got.iter()
                .any(|c| c.0 == d("2026-10-01") && c.1 == Standing::Suspended)
        );
        // Nothing after `until`, nothing before `since`.
        assert!(changes(&subject, &[], d("2026-10-02"), d("2026-11-28"), &policy).is_empty());
        assert!(changes(&subject, &[], d("2025-01-01"), d("2025-05-31"), &policy).is_empty());
    }

    #[test]
    fn a_transferred_worker_s_history_weighs_each_day_with_the_office_of_that_day() {
        // A suspended the worker's old office in spring 2025; B, where they
        // went on 1 June 2025, had served its own suspension in 2024, before
        // they came.
        let mut a_suspended = action("渝司罚〔2025〕1号", SuspendPractice, "2025-03-01");
        a_suspended.suspended_until = Some(d("2025-12-31"));
        let mut b_suspended = action("渝司罚〔2024〕2号", SuspendPractice, "2024-01-01");
        b_suspended.suspended_until = Some(d("2024-12-31"));
        let (a_actions, b_actions) = ([a_suspended], [b_suspended]);
        let reviews = reviewed();
        let subject = Subject {
            status: Practising,
            licensed_on: Some(d("2010-01-01")),
            reviews: &reviews,
            actions: &[],
            office: Some(office(Practising, &b_actions)),
        };
        let earlier = [EarlierOffice {
            until: d("2025-06-01"),
            office: Some(office(Practising, &a_actions)),
        }];
        let policy = StandingPolicy::default();
        let got: Vec<(NaiveDate, Standing, Standing)> = changes(
            &subject,
            &earlier,
            d("2024-06-01"),
            d("2026-11-28"),
            &policy,
        )
        .into_iter()
        .map(|c| (c.on, c.from, c.to))
        .collect();
        assert_eq!(
            got,
            vec![
                (d("2025-03-01"), Standing::GoodStanding, Standing::Suspended),
                (d("2025-06-01"), Standing::Suspended, Standing::GoodStanding),
            ],
            "A's suspension while they were there, B's not at all"
        );
        // A transfer to an office suspended at the time is a change too.
        let mut b_now = action("渝司罚〔2025〕3号", SuspendPractice, "2025-05-01");
        b_now.suspended_until = Some(d("2025-08-31"));
        let b_actions = [b_now];
        let subject = Subject {
            office: Some(office(Practising, &b_actions)),
            ..subject
        };
        let earlier = [EarlierOffice {
            until: d("2025-06-01"),
            office: None,
        }];
        let got: Vec<(NaiveDate, Standing)> = changes(
            &subject,
            &earlier,
            d("2024-06-01"),
            d("2026-11-28"),
            &policy,
        )
        .into_iter()
        .map(|c| (c.on, c.to))
        .collect();
        assert_eq!(
            got,
            vec![
                (d("2025-06-01"), Standing::Suspended),
                (d("2025-09-01"), Standing::GoodStanding),
            ]
        );
    }

    #[test]
    fn a_withdrawn_action_is_no_mark_in_the_history_read_after_its_withdrawal() {
        let mut warning = action("渝司罚〔2026〕2号", Warning, "2026-02-01");
        warning.withdrawn_on = Some(d("2026-03-10"));
        let actions = [warning];
        let reviews = reviewed();
        let subject = Subject {
            status: Practising,
            licensed_on: Some(d("2010-01-01")),
            reviews: &reviews,
            actions: &actions,
            office: None,
        };
        let policy = StandingPolicy::default();
        // Read in April: nothing to show, as the profile shows nothing.
        assert_eq!(
            changes(&subject, &[], d("2026-01-01"), d("2026-04-15"), &policy),
            vec![]
        );
        // Read before the withdrawal, the mark was there.
        assert_eq!(
            changes(&subject, &[], d("2026-01-01"), d("2026-03-01"), &policy).len(),
            1
        );
    }

    #[test]
    fn revoked_and_deregistered_come_from_the_status() {
        let r = assess_on(Revoked, "2010-01-01", &reviewed(), &[], "2026-11-28");
        assert_eq!(r.standing, Standing::Revoked);
        assert_eq!(r.next_change, None);
        let r = assess_on(Deregistered, "2010-01-01", &reviewed(), &[], "2026-11-28");
        assert_eq!(r.standing, Standing::Deregistered);
    }

    #[test]
    fn a_revocation_decision_revokes_even_before_the_status_is_updated() {
        let a = [action("渝司罚〔2026〕1号", RevokeLicense, "2026-06-01")];
        let r = assess_on(Practising, "2010-01-01", &reviewed(), &a, "2026-11-28");
        assert_eq!(r.standing, Standing::Revoked);
        let r = assess_on(Deregistered, "2010-01-01", &reviewed(), &a, "2026-11-28");
        assert_eq!(
            r.standing,
            Standing::Revoked,
            "revocation outranks deregistration"
        );
    }

    #[test]
    fn a_worker_of_a_deregistered_office_is_office_closed() {
        let o = office(Deregistered, &[]);
        let r = assess_with_office(
            Practising,
            "2010-01-01",
            &reviewed(),
            &[],
            Some(o),
            "2026-11-28",
        );
        assert_eq!(r.standing, Standing::OfficeClosed);
        assert_eq!(
            r.reason,
            Reason::OfficeClosed(OfficeNamed {
                office_license_no: "O-1".into(),
                office_name: "石桥铺法律服务所".into()
            })
        );
        // The worker's own suspension does not hide the closed office; the
        // worker's own deregistration does.
        let r = assess_with_office(
            Suspended,
            "2010-01-01",
            &reviewed(),
            &[],
            Some(o),
            "2026-11-28",
        );
        assert_eq!(r.standing, Standing::OfficeClosed);
        let r = assess_with_office(
            Deregistered,
            "2010-01-01",
            &reviewed(),
            &[],
            Some(o),
            "2026-11-28",
        );
        assert_eq!(r.standing, Standing::Deregistered);
        // An office whose license a decision revoked is closed too.
        let revoked = [action("渝司罚〔2026〕7号", RevokeLicense, "2026-10-01")];
        let r = assess_with_office(
            Practising,
            "2010-01-01",
            &reviewed(),
            &[],
            Some(office(Practising, &revoked)),
            "2026-11-28",
        );
        assert_eq!(r.standing, Standing::OfficeClosed);
    }

    #[test]
    fn a_worker_of_a_suspended_office_is_suspended_and_the_reason_names_the_office() {
        let r = assess_with_office(
            Practising,
            "2010-01-01",
            &reviewed(),
            &[],
            Some(office(Suspended, &[])),
            "2026-11-28",
        );
        assert_eq!(r.standing, Standing::Suspended);
        assert!(
            matches!(&r.reason, Reason::OfficeSuspended(o) if o.office_name == "石桥铺法律服务所")
        );

        let mut s = action("渝司罚〔2026〕8号", SuspendPractice, "2026-10-01");
        s.suspended_until = Some(d("2026-12-31"));
        let office_actions = [s];
        let r = assess_with_office(
            Practising,
            "2010-01-01",
            &reviewed(),
            &[],
            Some(office(Practising, &office_actions)),
            "2026-11-28",
        );
        assert_eq!(r.standing, Standing::Suspended);
        assert_eq!(
            r.next_change,
            Some(d("2027-01-01")),
            "the office's suspension ends"
        );
        let r = assess_with_office(
            Practising,
            "2010-01-01",
            &reviewed(),
            &[],
            Some(office(Practising, &office_actions)),
            "2027-01-01",
        );
        assert_eq!(
            r.standing,
            Standing::GoodStanding,
            "the office's record is not the worker's"
        );
        let r = assess_with_office(
            Practising,
            "2010-01-01",
            &reviewed(),
            &[],
            Some(office(Practising, &[])),
            "2026-11-28",
        );
        assert_eq!(r.standing, Standing::GoodStanding);
    }

    #[test]
    fn suspended_by_status_or_by_a_penalty_in_force() {
        let r = assess_on(Suspended, "2010-01-01", &reviewed(), &[], "2026-11-28");
        assert_eq!(r.standing, Standing::Suspended);

        let mut a = action("渝司罚〔2026〕2号", SuspendPractice, "2026-09-01");
        a.suspended_until = Some(d("2026-12-31"));
        let actions = [a];
        let r = assess_on(
            Practising,
            "2010-01-01",
            &reviewed(),
            &actions,
            "2026-12-31",
        );
        assert_eq!(
            r.standing,
            Standing::Suspended,
            "last day of the suspension"
        );
        assert_eq!(r.next_change, Some(d("2027-01-01")));
        let after = assess_on(
            Practising,
            "2010-01-01",
            &reviewed(),
            &actions,
            "2027-01-01",
        );
        assert_eq!(
            after.standing,
            Standing::DisclosedRecord,
            "suspension over, the penalty stays disclosed"
        );
    }

    fn failed_2025(deadline: Option<&str>) -> Vec<ReviewRecord> {
        vec![
            review(2024, ReviewOutcome::Competent, None),
            review(2025, ReviewOutcome::NotCompetent, deadline),
        ]
    }

    #[test]
    fn a_failed_review_is_under_rectification_to_its_deadline_then_overdue() {
        let reviews = failed_2025(Some("2026-11-18"));
        let on_deadline = assess_on(Practising, "2010-01-01", &reviews, &[], "2026-11-18");
        assert_eq!(on_deadline.standing, Standing::UnderRectification);
        assert_eq!(
            on_deadline.reason,
            Reason::Rectifying {
                year: 2025,
                deadline: Some(d("2026-11-18"))
            }
        );
        assert_eq!(on_deadline.next_change, Some(d("2026-11-19")));
        let day_after = assess_on(Practising, "2010-01-01", &reviews, &[], "2026-11-19");
        assert_eq!(day_after.standing, Standing::RectificationOverdue);
        let ten_days = assess_on(Practising, "2010-01-01", &reviews, &[], "2026-11-28");
        assert_eq!(ten_days.standing, Standing::RectificationOverdue);
        assert_eq!(
            ten_days.reason,
            Reason::RectificationOverdue {
                year: 2025,
                deadline: d("2026-11-18")
            }
        );
        // Overdue stays overdue: nothing but a record changes it.
        assert_eq!(ten_days.next_change, None);
        // Overdue outranks a disclosed record.
        let actions = [action("a", Fine, "2026-05-01")];
        let r = assess_on(Practising, "2010-01-01", &reviews, &actions, "2026-11-28");
        assert_eq!(r.standing, Standing::RectificationOverdue);
    }

    #[test]
    fn a_failed_review_without_deadline_stays_under_rectification() {
        let reviews = [review(2025, ReviewOutcome::Fail, None)];
        let r = assess_on(Practising, "2010-01-01", &reviews, &[], "2026-11-28");
        assert_eq!(r.standing, Standing::UnderRectification);
        let r = assess_on(Practising, "2010-01-01", &reviews, &[], "2030-11-28");
        assert_eq!(r.standing, Standing::UnderRectification);
    }

    #[test]
    fn a_recorded_rectification_ends_it_without_a_failing_outcome_in_a_good_reason() {
        let mut reviews = failed_2025(Some("2026-11-18"));
        reviews[1].rectified_on = Some(d("2026-12-01"));
        let before = assess_on(Practising, "2010-01-01", &reviews, &[], "2026-11-28");
        assert_eq!(before.standing, Standing::RectificationOverdue);
        assert_eq!(before.next_change, Some(d("2026-12-01")));
        let done = assess_on(Practising, "2010-01-01", &reviews, &[], "2026-12-01");
        assert_eq!(done.standing, Standing::GoodStanding);
        assert_eq!(
            done.reason,
            Reason::Rectified {
                year: 2025,
                on: d("2026-12-01")
            }
        );
        // Rectified before the deadline: never overdue.
        reviews[1].rectified_on = Some(d("2026-06-01"));
        let r = assess_on(Practising, "2010-01-01", &reviews, &[], "2026-11-28");
        assert_eq!(r.standing, Standing::GoodStanding);
    }

    #[test]
    fn a_later_passed_review_ends_rectification() {
        let reviews = [
            review(2024, ReviewOutcome::NotCompetent, Some("2025-06-30")),
            review(2025, ReviewOutcome::Competent, None),
        ];
        let r = assess_on(Practising, "2010-01-01", &reviews, &[], "2026-11-28");
        assert_eq!(r.standing, Standing::GoodStanding);
        // A later review that the subject did not take changes nothing.
        let reviews = [
            review(2024, ReviewOutcome::NotCompetent, Some("2025-06-30")),
            review(2025, ReviewOutcome::Absent, None),
        ];
        let r = assess_on(Practising, "2010-01-01", &reviews, &[], "2026-11-28");
        assert_eq!(r.standing, Standing::RectificationOverdue);
    }

    #[test]
    fn the_review_calendar_moves_on_the_due_day() {
        let due = ReviewDue::default();
        assert_eq!(due.latest_due_year(d("2026-01-15")), 2024);
        assert_eq!(due.latest_due_year(d("2026-03-30")), 2024);
        assert_eq!(due.latest_due_year(d("2026-03-31")), 2025);
        assert_eq!(due.latest_due_year(d("2026-12-31")), 2025);
        let feb29: ReviewDue = "02-29".parse().unwrap();
        assert_eq!(feb29.due_on(2024), d("2025-02-28"));
        assert_eq!(feb29.due_on(2023), d("2024-02-29"));
        assert!("13-01".parse::<ReviewDue>().is_err());
        assert!("02-30".parse::<ReviewDue>().is_err());
        assert!("0331".parse::<ReviewDue>().is_err());
        assert_eq!("3-31".parse::<ReviewDue>().unwrap().to_string(), "03-31");

        // Reviewed for 2024 only: good until the 2025 review falls due.
        let reviews = [review(2024, ReviewOutcome::Competent, None)];
        let r = assess_on(Practising, "2010-01-01", &reviews, &[], "2026-03-30");
        assert_eq!(
            r.standing,
            Standing::GoodStanding,
            "the day before the due day"
        );
        assert_eq!(r.next_change, Some(d("2026-03-31")));
        let r = assess_on(Practising, "2010-01-01", &reviews, &[], "2026-03-31");
        assert_eq!(r.standing, Standing::NotReviewed, "the due day");
        assert_eq!(
            r.reason,
            Reason::NoRecentReview {
                due_year: 2025,
                last_year: Some(2024)
            }
        );
        let absent = [review(2025, ReviewOutcome::Absent, None)];
        let r = assess_on(Practising, "2010-01-01", &absent, &[], "2026-11-28");
        assert_eq!(r.standing, Standing::NotReviewed, "did not take part");
    }

    #[test]
    fn the_due_day_is_a_setting() {
        let reviews = [review(2024, ReviewOutcome::Competent, None)];
        let policy = StandingPolicy {
            review_due: "06-30".parse().unwrap(),
            ..StandingPolicy::default()
        };
        let subject = Subject {
            status: Practising,
            licensed_on: Some(d("2010-01-01")),
            reviews: &reviews,
            actions: &[],
            office: None,
        };
        let r = assess(&subject, d("2026-04-01"), &policy);
        assert_eq!(r.standing, Standing::GoodStanding);
        assert_eq!(r.next_change, Some(d("2026-06-30")));
    }

    #[test]
    fn a_subject_licensed_in_the_due_year_or_later_is_exempt() {
        // On 2026-01-15 the latest due year is 2024.
        let r = assess_on(Practising, "2025-10-01", &[], &[], "2026-01-15");
        assert_eq!(r.standing, Standing::GoodStanding);
        assert_eq!(
            r.reason,
            Reason::NewlyLicensed {
                on: d("2025-10-01")
            }
        );
        // Exempt from the 2025 review too, which falls due on 2026-03-31…
        let r = assess_on(Practising, "2025-10-01", &[], &[], "2026-11-28");
        assert_eq!(r.standing, Standing::GoodStanding);
        assert_eq!(r.next_change, Some(d("2027-03-31")));
        // …but not from the 2026 review.
        let r = assess_on(Practising, "2025-10-01", &[], &[], "2027-03-30");
        assert_eq!(r.standing, Standing::GoodStanding);
        let r = assess_on(Practising, "2025-10-01", &[], &[], "2027-03-31");
        assert_eq!(r.standing, Standing::NotReviewed);
        // 1 January of the due year is exempt; the day before is not.
        let r = assess_on(Practising, "2025-01-01", &[], &[], "2026-11-28");
        assert_eq!(r.standing, Standing::GoodStanding);
        let r = assess_on(Practising, "2024-12-31", &[], &[], "2026-11-28");
        assert_eq!(r.standing, Standing::NotReviewed);
    }

    #[test]
    fn a_disclosed_action_counts_from_its_decision_to_the_window_end() {
        let actions = [action("渝律协〔2026〕3号", PublicCensure, "2026-03-01")];
        let before = assess_on(
            Practising,
            "2010-01-01",
            &reviewed(),
            &actions,
            "2026-02-28",
        );
        assert_eq!(before.standing, Standing::GoodStanding);
        assert_eq!(before.next_change, Some(d("2026-03-01")));
        let r = assess_on(
            Practising,
            "2010-01-01",
            &reviewed(),
            &actions,
            "2026-11-28",
        );
        assert_eq!(r.standing, Standing::DisclosedRecord);
        // Three years for 公开谴责: the window's last day is 2029-02-28,
        // but the 2026 review falls due first, and the standing only
        // changes when the window closes.
        assert_eq!(r.next_change, Some(d("2029-03-01")));
    }

    #[test]
    fn short_window_kinds_close_after_one_year() {
        for kind in [Admonition, Warning, IndustryWarning, CircularCriticism] {
            let actions = [action("x", kind, "2025-11-28")];
            let last_day = assess_on(
                Practising,
                "2010-01-01",
                &reviewed(),
                &actions,
                "2026-11-27",
            );
            assert_eq!(last_day.standing, Standing::DisclosedRecord, "{kind:?}");
            assert_eq!(last_day.next_change, Some(d("2026-11-28")));
            let closed = assess_on(
                Practising,
                "2010-01-01",
                &reviewed(),
                &actions,
                "2026-11-28",
            );
            assert_eq!(closed.standing, Standing::GoodStanding, "{kind:?}");
        }
    }

    #[test]
    fn a_window_from_29_february_lasts_its_whole_year() {
        // A year from 2024-02-28 ends on 2025-02-27; a year from the day
        // after ends a day later, not on the same day.
        for (decided, last_day) in [("2024-02-28", "2025-02-27"), ("2024-02-29", "2025-02-28")] {
            let actions = [action("x", Warning, decided)];
            let on = |day: &str| assess_on(Practising, "2010-01-01", &reviewed(), &actions, day);
            let last = on(last_day);
            assert_eq!(last.standing, Standing::DisclosedRecord, "{decided}");
            let after = d(last_day).succ_opt().unwrap();
            assert_eq!(last.next_change, Some(after), "{decided}");
            let closed = on(&after.to_string());
            assert_eq!(closed.standing, Standing::GoodStanding, "{decided}");
        }
    }

    #[test]
    fn a_withdrawn_action_is_never_a_mark() {
        let mut a = action("渝司罚〔2026〕4号", Fine, "2026-01-10");
        a.withdrawn_on = Some(d("2026-04-01"));
        let actions = [a];
        let before = assess_on(
            Practising,
            "2010-01-01",
            &reviewed(),
            &actions,
            "2026-03-31",
        );
        assert_eq!(before.standing, Standing::DisclosedRecord);
        assert_eq!(before.next_change, Some(d("2026-04-01")));
        let after = assess_on(
            Practising,
            "2010-01-01",
            &reviewed(),
            &actions,
            "2026-04-01",
        );
        assert_eq!(after.standing, Standing::GoodStanding);

        let mut s = action("渝司罚〔2026〕5号", SuspendPractice, "2026-01-10");
        s.suspended_until = Some(d("2027-01-09"));
        s.withdrawn_on = Some(d("2026-02-01"));
        let actions = [s];
        let r = assess_on(
            Practising,
            "2010-01-01",
            &reviewed(),
            &actions,
            "2026-11-28",
        );
        assert_eq!(r.standing, Standing::GoodStanding, "a withdrawn suspension");
    }

    #[test]
    fn the_worst_condition_wins() {
        let reviews = [review(2025, ReviewOutcome::Fail, Some("2027-03-30"))];
        let actions = [action("a", Fine, "2026-05-01")];
        let r = assess_on(Practising, "2010-01-01", &reviews, &actions, "2026-11-28");
        assert_eq!(r.standing, Standing::UnderRectification);
        assert_eq!(r.next_change, Some(d("2027-03-31")));
        let after = assess_on(Practising, "2010-01-01", &reviews, &actions, "2027-03-31");
        assert_eq!(after.standing, Standing::RectificationOverdue);
    }

    #[test]
    fn next_change_skips_dates_that_change_nothing() {
        let actions = [
            action("a", Fine, "2025-01-01"),
            action("b", Fine, "2026-01-01"),
        ];
        let r = assess_on(Suspended, "2010-01-01", &reviewed(), &actions, "2026-11-28");
        assert_eq!(r.standing, Standing::Suspended);
        assert_eq!(r.next_change, None);
        let r = assess_on(
            Practising,
            "2010-01-01",
            &reviewed(),
            &actions,
            "2026-11-28",
        );
        assert_eq!(r.next_change, Some(d("2028-01-01")));
        assert!(matches!(r.reason, Reason::Disclosed { count: 2, .. }));
    }

    #[test]
    fn a_good_reason_never_names_a_failing_outcome() {
        // Every combination of a failed latest review, deadline and
        // rectification, on days around them: a good standing's reason is
        // never a failing outcome.
        let days = [
            "2026-03-30",
            "2026-03-31",
            "2026-06-30",
            "2026-07-01",
            "2027-04-01",
        ];
        for outcome in [ReviewOutcome::Fail, ReviewOutcome::NotCompetent] {
            for deadline in [None, Some("2026-06-30")] {
                for rectified in [None, Some("2026-05-01"), Some("2026-08-01")] {
                    let mut r = review(2025, outcome, deadline);
                    r.rectified_on = rectified.map(d);
                    let reviews = [r];
                    for day in days {
                        let rep = assess_on(Practising, "2010-01-01", &reviews, &[], day);
                        if rep.standing == Standing::GoodStanding {
                            assert!(
                                !matches!(rep.reason, Reason::Reviewed { outcome, .. } if outcome.is_failure()),
                                "{rep:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn keys_round_trip() {
        for s in Standing::ALL {
            assert_eq!(Standing::parse(s.key()), Some(*s));
        }
    }
}
