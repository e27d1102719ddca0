//! Standing: the one-glance credit summary of an office or a worker.
//!
//! A pure function of the subject's records and a date (DESIGN.md,
//! "Standing"). Pages, the API, certificates and the search projection all
//! call [`assess`]; nothing else decides standing.

use chrono::{Datelike, NaiveDate};

use super::dates::{add_years, new_year};
use super::vocab::{DisciplineKind, OfficeStatus, ReviewOutcome, WorkerStatus};

/// The standing of a subject on a date, from worst to best.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standing {
    /// License revoked (吊销).
    Revoked,
    /// Deregistered (注销).
    Deregistered,
    /// Suspended by status or by a 停止执业 penalty in force.
    Suspended,
    /// Latest review failed and its rectification deadline has not passed.
    UnderRectification,
    /// A disciplinary action inside its disclosure window.
    DisclosedRecord,
    /// Nothing against the subject, and reviewed recently or newly licensed.
    GoodStanding,
    /// Nothing against the subject, but no review in the last two years.
    NotReviewed,
}

impl Standing {
    /// Every standing, worst first.
    pub const ALL: &'static [Standing] = &[
        Standing::Revoked,
        Standing::Deregistered,
        Standing::Suspended,
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
            Standing::Suspended => "suspended",
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

/// Default disclosure windows, in years from the decision, for actions
/// imported without `public_until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct DisclosureWindows {
    /// 训诫, 警告 and 通报批评.
    pub short_years: u32,
    /// Every other kind.
    pub long_years: u32,
}

impl Default for DisclosureWindows {
    fn default() -> Self {
        Self {
            short_years: 1,
            long_years: 3,
        }
    }
}

impl ActionRecord {
    /// Last day the action is disclosed: `public_until`, or the default
    /// window counted from the decision (the window's last day is the day
    /// before the anniversary).
    pub fn window_end(&self, windows: &DisclosureWindows) -> NaiveDate {
        self.public_until.unwrap_or_else(|| {
            let years = if self.kind.has_short_window() {
                windows.short_years
            } else {
                windows.long_years
            };
            add_years(self.decided_on, years)
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
    pub fn is_disclosed(&self, on: NaiveDate, windows: &DisclosureWindows) -> bool {
        !self.is_withdrawn(on) && self.decided_on <= on && on <= self.window_end(windows)
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
    /// A 停止执业 penalty in force.
    SuspendedUntil {
        /// Its decision number.
        decision_no: String,
        /// Last day of the suspension, if set.
        until: Option<NaiveDate>,
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
    /// Reviewed recently and nothing against the subject.
    Reviewed {
        /// Year of the latest review taken.
        year: i32,
        /// Its outcome.
        outcome: ReviewOutcomeKey,
    },
    /// Licensed less than a year ago.
    NewlyLicensed {
        /// The date of licensing.
        on: NaiveDate,
    },
    /// No review taken in the last two years.
    NoRecentReview {
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
pub fn assess(subject: &Subject<'_>, on: NaiveDate, windows: &DisclosureWindows) -> StandingReport {
    let (standing, reason) = standing_on(subject, on, windows);
    let next_change = change_dates(subject, windows)
        .into_iter()
        .filter(|d| *d > on)
        .find(|d| {
            let (s, r) = standing_on(subject, *d, windows);
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
    windows: &DisclosureWindows,
) -> (Standing, Reason) {
    match subject.status {
        SubjectStatus::Revoked => {
            return (Standing::Revoked, Reason::Status { status: "revoked" });
        }
        SubjectStatus::Deregistered => {
            return (
                Standing::Deregistered,
                Reason::Status {
                    status: "deregistered",
                },
            );
        }
        _ => {}
    }
    if let Some(a) = latest(subject.actions.iter().filter(|a| a.revokes(on))) {
        return (
            Standing::Revoked,
            Reason::LicenseRevoked {
                decision_no: a.decision_no.clone(),
            },
        );
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
    let taken = || {
        subject
            .reviews
            .iter()
            .filter(|r| r.outcome.took_part() && r.year <= on.year())
    };
    if let Some(last) = taken().max_by_key(|r| r.year)
        && last.outcome.is_failure()
        && last.rectify_by.is_none_or(|deadline| on <= deadline)
    {
        return (
            Standing::UnderRectification,
            Reason::Rectifying {
                year: last.year,
                deadline: last.rectify_by,
            },
        );
    }
    let disclosed: Vec<&ActionRecord> = subject
        .actions
        .iter()
        .filter(|a| a.is_disclosed(on, windows))
        .collect();
    if let Some(a) = latest(disclosed.iter().copied()) {
        return (
            Standing::DisclosedRecord,
            Reason::Disclosed {
                decision_no: a.decision_no.clone(),
                action: a.kind,
                until: a.window_end(windows),
                count: disclosed.len(),
            },
        );
    }
    let last_taken = taken().max_by_key(|r| r.year);
    if let Some(r) = last_taken
        && r.year >= on.year() - 2
    {
        return (
            Standing::GoodStanding,
            Reason::Reviewed {
                year: r.year,
                outcome: r.outcome,
            },
        );
    }
    if let Some(licensed) = subject.licensed_on
        && licensed <= on
        && on < add_years(licensed, 1)
    {
        return (
            Standing::GoodStanding,
            Reason::NewlyLicensed { on: licensed },
        );
    }
    (
        Standing::NotReviewed,
        Reason::NoRecentReview {
            last_year: last_taken.map(|r| r.year),
        },
    )
}

/// The latest action by decision date, then decision number.
fn latest<'a>(actions: impl Iterator<Item = &'a ActionRecord>) -> Option<&'a ActionRecord> {
    actions.max_by(|a, b| (a.decided_on, &a.decision_no).cmp(&(b.decided_on, &b.decision_no)))
}

/// Every date on which some input of [`standing_on`] may flip, sorted.
fn change_dates(subject: &Subject<'_>, windows: &DisclosureWindows) -> Vec<NaiveDate> {
    let mut dates = Vec::new();
    for a in subject.actions {
        dates.push(a.decided_on);
        dates.extend(a.window_end(windows).succ_opt());
        dates.extend(a.suspended_until.and_then(|d| d.succ_opt()));
        dates.extend(a.withdrawn_on);
    }
    for r in subject.reviews {
        dates.extend(r.rectify_by.and_then(|d| d.succ_opt()));
        dates.push(new_year(r.year.saturating_add(3)));
        dates.push(new_year(r.year));
    }
    if let Some(l) = subject.licensed_on {
        dates.push(l);
        dates.push(add_years(l, 1));
    }
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
            Standing::Revoked | Standing::Deregistered | Standing::Suspended => false,
            Standing::UnderRectification
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

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn review(year: i32, outcome: ReviewOutcome, rectify_by: Option<&str>) -> ReviewRecord {
        ReviewRecord {
            year,
            outcome,
            rectify_by: rectify_by.map(d),
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
        let subject = Subject {
            status,
            licensed_on: Some(d(licensed)),
            reviews,
            actions,
        };
        assess(&subject, d(on), &DisclosureWindows::default())
    }

    fn reviewed() -> Vec<ReviewRecord> {
        vec![
            review(2024, ReviewOutcome::Competent, None),
            review(2025, ReviewOutcome::Excellent, None),
        ]
    }

    use SubjectStatus::*;

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

    #[test]
    fn a_failed_review_is_under_rectification_until_the_deadline_passes() {
        let reviews = [
            review(2024, ReviewOutcome::Competent, None),
            review(2025, ReviewOutcome::NotCompetent, Some("2026-12-31")),
        ];
        let on_deadline = assess_on(Practising, "2010-01-01", &reviews, &[], "2026-12-31");
        assert_eq!(on_deadline.standing, Standing::UnderRectification);
        assert_eq!(
            on_deadline.reason,
            Reason::Rectifying {
                year: 2025,
                deadline: Some(d("2026-12-31"))
            }
        );
        assert_eq!(on_deadline.next_change, Some(d("2027-01-01")));
        let passed = assess_on(Practising, "2010-01-01", &reviews, &[], "2027-01-01");
        assert_eq!(passed.standing, Standing::GoodStanding);
    }

    #[test]
    fn a_failed_review_without_deadline_stays_under_rectification() {
        let reviews = [review(2025, ReviewOutcome::Fail, None)];
        let r = assess_on(Practising, "2010-01-01", &reviews, &[], "2026-11-28");
        assert_eq!(r.standing, Standing::UnderRectification);
    }

    #[test]
    fn a_later_passed_review_ends_rectification() {
        let reviews = [
            review(2024, ReviewOutcome::NotCompetent, Some("2027-06-30")),
            review(2025, ReviewOutcome::Competent, None),
        ];
        let r = assess_on(Practising, "2010-01-01", &reviews, &[], "2026-11-28");
        assert_eq!(r.standing, Standing::GoodStanding);
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
        // Three years for 公开谴责: the window's last day is 2029-02-28.
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
    fn a_window_that_closed_yesterday_leaves_good_standing_today() {
        let mut a = action("渝司罚〔2025〕9号", Fine, "2025-06-01");
        a.public_until = Some(d("2026-11-27"));
        let actions = [a];
        let yesterday = assess_on(
            Practising,
            "2010-01-01",
            &reviewed(),
            &actions,
            "2026-11-27",
        );
        assert_eq!(yesterday.standing, Standing::DisclosedRecord);
        let today = assess_on(
            Practising,
            "2010-01-01",
            &reviewed(),
            &actions,
            "2026-11-28",
        );
        assert_eq!(today.standing, Standing::GoodStanding);
        assert_eq!(
            today.reason,
            Reason::Reviewed {
                year: 2025,
                outcome: ReviewOutcome::Excellent
            }
        );
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
    fn good_standing_needs_a_review_in_the_last_two_years_or_a_new_license() {
        let reviews = [review(2024, ReviewOutcome::Competent, None)];
        let r = assess_on(Practising, "2010-01-01", &reviews, &[], "2026-12-31");
        assert_eq!(r.standing, Standing::GoodStanding);
        assert_eq!(r.next_change, Some(d("2027-01-01")));
        let r = assess_on(Practising, "2010-01-01", &reviews, &[], "2027-01-01");
        assert_eq!(r.standing, Standing::NotReviewed);
        assert_eq!(
            r.reason,
            Reason::NoRecentReview {
                last_year: Some(2024)
            }
        );

        let absent = [review(2025, ReviewOutcome::Absent, None)];
        let r = assess_on(Practising, "2010-01-01", &absent, &[], "2026-11-28");
        assert_eq!(r.standing, Standing::NotReviewed, "did not take part");

        let r = assess_on(Practising, "2026-03-01", &[], &[], "2026-11-28");
        assert_eq!(r.standing, Standing::GoodStanding);
        assert_eq!(
            r.reason,
            Reason::NewlyLicensed {
                on: d("2026-03-01")
            }
        );
        assert_eq!(r.next_change, Some(d("2027-03-01")));
        let r = assess_on(Practising, "2026-03-01", &[], &[], "2027-03-01");
        assert_eq!(r.standing, Standing::NotReviewed);
    }

    #[test]
    fn the_worst_condition_wins() {
        let reviews = [review(2025, ReviewOutcome::Fail, Some("2027-03-31"))];
        let actions = [action("a", Fine, "2026-05-01")];
        let r = assess_on(Practising, "2010-01-01", &reviews, &actions, "2026-11-28");
        assert_eq!(r.standing, Standing::UnderRectification);
        assert_eq!(r.next_change, Some(d("2027-04-01")));
        let after = assess_on(Practising, "2010-01-01", &reviews, &actions, "2027-04-01");
        assert_eq!(after.standing, Standing::DisclosedRecord);
    }

    #[test]
    fn next_change_skips_dates_that_change_nothing() {
        // Two overlapping windows: the first closing changes the reason's
        // count, so it is a change; a suspended worker's windows are not.
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
    fn keys_round_trip() {
        for s in Standing::ALL {
            assert_eq!(Standing::parse(s.key()), Some(*s));
        }
    }
}
