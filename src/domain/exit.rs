//! Exit work for the bureau (issue 12): the subjects the plan says should
//! leave the register or be named in an exit notice, each with the reason
//! and the day it became a candidate.
//!
//! Pure: the facts come from `db::exit`, the sentences from the Fluent
//! files (`exit-*` messages).

use chrono::NaiveDate;
use serde::Serialize;

use super::plan_rules::RuleSettings;
use super::standing::{Reason, ReviewDue, Standing, StandingReport, SubjectStatus};
use super::vocab::SubjectKind;

/// Why a subject is an exit candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    /// The latest review failed and its rectification deadline passed.
    RectificationOverdue,
    /// An office with no review for the last two due years.
    NoReviewTwoYears,
    /// An office with fewer practising workers than the minimum.
    TooFewWorkers,
    /// A worker whose office is deregistered.
    OfficeClosed,
    /// A deregistered or revoked subject that no exit notice names.
    NoExitAnnouncement,
}

impl ExitReason {
    /// Every reason, in the order the list shows them.
    pub const ALL: &'static [ExitReason] = &[
        ExitReason::RectificationOverdue,
        ExitReason::NoReviewTwoYears,
        ExitReason::TooFewWorkers,
        ExitReason::OfficeClosed,
        ExitReason::NoExitAnnouncement,
    ];

    /// The stable key.
    pub fn key(self) -> &'static str {
        match self {
            ExitReason::RectificationOverdue => "rectification_overdue",
            ExitReason::NoReviewTwoYears => "no_review_two_years",
            ExitReason::TooFewWorkers => "too_few_workers",
            ExitReason::OfficeClosed => "office_closed",
            ExitReason::NoExitAnnouncement => "no_exit_announcement",
        }
    }
}

/// What the exit rules look at for one subject.
#[derive(Debug, Clone)]
pub struct ExitFacts<'a> {
    /// Office or worker.
    pub kind: SubjectKind,
    /// Registration status.
    pub status: SubjectStatus,
    /// Its standing today (the worker's with its office).
    pub standing: &'a StandingReport,
    /// Established (offices).
    pub established_on: Option<NaiveDate>,
    /// Years the office took a review (offices).
    pub reviewed_years: &'a [i32],
    /// Practising workers at the office (offices).
    pub practising_workers: i64,
    /// The day the record last changed (the best date the register has for
    /// a change of status or staff).
    pub changed_on: NaiveDate,
    /// The day the worker's office closed, when known (its last change).
    pub office_changed_on: Option<NaiveDate>,
    /// Whether an exit notice (注销公告) names the subject.
    pub named_in_exit_notice: bool,
}

/// One reason a subject is a candidate, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitFinding {
    /// Why.
    pub reason: ExitReason,
    /// The day it became a candidate for this reason.
    pub since: NaiveDate,
    /// The years without review (`NoReviewTwoYears`), the deadline missed
    /// (`RectificationOverdue`), the head count (`TooFewWorkers`).
    pub figures: ExitFigures,
}

/// The figures behind a finding, for its sentence.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ExitFigures {
    /// The failed review's year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// The rectification deadline that passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<NaiveDate>,
    /// The two due years without a review.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub years: Vec<i32>,
    /// Practising workers, and the minimum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub practising_workers: Option<i64>,
    /// The minimum number of practising workers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_workers: Option<i64>,
    /// The closed office (workers of closed offices).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub office_license_no: Option<String>,
    /// Its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub office_name: Option<String>,
}

/// The reasons `subject` is an exit candidate on `on`.
pub fn findings(
    subject: &ExitFacts<'_>,
    on: NaiveDate,
    settings: &RuleSettings,
) -> Vec<ExitFinding> {
    let mut out = Vec::new();
    let closed = matches!(
        subject.status,
        SubjectStatus::Deregistered | SubjectStatus::Revoked
    ) || matches!(
        subject.standing.standing,
        Standing::Revoked | Standing::Deregistered
    );
    if closed {
        if !subject.named_in_exit_notice {
            out.push(ExitFinding {
                reason: ExitReason::NoExitAnnouncement,
                since: subject.changed_on,
                figures: ExitFigures::default(),
            });
        }
        return out;
    }
    match &subject.standing.reason {
        Reason::RectificationOverdue { year, deadline } => out.push(ExitFinding {
            reason: ExitReason::RectificationOverdue,
            since: deadline.succ_opt().unwrap_or(*deadline),
            figures: ExitFigures {
                year: Some(*year),
                deadline: Some(*deadline),
                ..ExitFigures::default()
            },
        }),
        Reason::OfficeClosed(o) => out.push(ExitFinding {
            reason: ExitReason::OfficeClosed,
            since: subject.office_changed_on.unwrap_or(subject.changed_on),
            figures: ExitFigures {
                office_license_no: Some(o.office_license_no.clone()),
                office_name: Some(o.office_name.clone()),
                ..ExitFigures::default()
            },
        }),
        _ => {}
    }
    if subject.kind == SubjectKind::Office {
        let due = settings.review_due.latest_due_year(on);
        let last_two = [due, due - 1];
        let unreviewed = last_two.iter().all(|y| !subject.reviewed_years.contains(y));
        if unreviewed && !ReviewDue::exempt(subject.established_on, last_two[1]) {
            out.push(ExitFinding {
                reason: ExitReason::NoReviewTwoYears,
                // The second year in a row without a review fell due then.
                since: settings.review_due.due_on(due),
                figures: ExitFigures {
                    years: vec![last_two[1], last_two[0]],
                    ..ExitFigures::default()
                },
            });
        }
        let minimum = i64::from(settings.min_office_workers);
        if subject.practising_workers < minimum {
            out.push(ExitFinding {
                reason: ExitReason::TooFewWorkers,
                since: subject.changed_on,
                figures: ExitFigures {
                    practising_workers: Some(subject.practising_workers),
                    min_workers: Some(minimum),
                    ..ExitFigures::default()
                },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::standing::{OfficeNamed, Reason};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn report(standing: Standing, reason: Reason) -> StandingReport {
        StandingReport {
            standing,
            reason,
            as_of: d("2026-11-28"),
            next_change: None,
        }
    }

    fn facts<'a>(kind: SubjectKind, status: SubjectStatus, r: &'a StandingReport) -> ExitFacts<'a> {
        ExitFacts {
            kind,
            status,
            standing: r,
            established_on: Some(d("2005-01-01")),
            reviewed_years: &[2024, 2025],
            practising_workers: 5,
            changed_on: d("2026-05-01"),
            office_changed_on: None,
            named_in_exit_notice: false,
        }
    }

    fn reasons(f: &[ExitFinding]) -> Vec<ExitReason> {
        f.iter().map(|f| f.reason).collect()
    }

    const ON: &str = "2026-11-28";

    #[test]
    fn a_good_office_is_no_candidate() {
        let r = report(
            Standing::GoodStanding,
            Reason::NewlyLicensed {
                on: d("2005-01-01"),
            },
        );
        let f = facts(SubjectKind::Office, SubjectStatus::Practising, &r);
        assert_eq!(findings(&f, d(ON), &RuleSettings::default()), vec![]);
    }

    #[test]
    fn overdue_rectification_counts_from_the_day_after_the_deadline() {
        let r = report(
            Standing::RectificationOverdue,
            Reason::RectificationOverdue {
                year: 2025,
                deadline: d("2026-11-18"),
            },
        );
        let f = facts(SubjectKind::Worker, SubjectStatus::Practising, &r);
        let found = findings(&f, d(ON), &RuleSettings::default());
        assert_eq!(reasons(&found), vec![ExitReason::RectificationOverdue]);
        assert_eq!(found[0].since, d("2026-11-19"));
    }

    #[test]
    fn offices_without_two_due_reviews_or_enough_workers() {
        let r = report(
            Standing::NotReviewed,
            Reason::NoRecentReview {
                due_year: 2025,
                last_year: Some(2023),
            },
        );
        let mut f = facts(SubjectKind::Office, SubjectStatus::Suspended, &r);
        f.reviewed_years = &[2023];
        f.practising_workers = 2;
        let found = findings(&f, d(ON), &RuleSettings::default());
        assert_eq!(
            reasons(&found),
            vec![ExitReason::NoReviewTwoYears, ExitReason::TooFewWorkers]
        );
        assert_eq!(found[0].since, d("2026-03-31"));
        assert_eq!(found[0].figures.years, vec![2024, 2025]);
        // Established in 2024: not due for both years.
        f.established_on = Some(d("2024-02-01"));
        f.practising_workers = 3;
        assert_eq!(findings(&f, d(ON), &RuleSettings::default()), vec![]);
    }

    #[test]
    fn workers_of_closed_offices_and_closed_subjects_without_a_notice() {
        let r = report(
            Standing::OfficeClosed,
            Reason::OfficeClosed(OfficeNamed {
                office_license_no: "O-1".into(),
                office_name: "某所".into(),
            }),
        );
        let mut f = facts(SubjectKind::Worker, SubjectStatus::Practising, &r);
        f.office_changed_on = Some(d("2026-02-01"));
        let found = findings(&f, d(ON), &RuleSettings::default());
        assert_eq!(reasons(&found), vec![ExitReason::OfficeClosed]);
        assert_eq!(found[0].since, d("2026-02-01"));

        let r = report(
            Standing::Deregistered,
            Reason::Status {
                status: "deregistered",
            },
        );
        let mut f = facts(SubjectKind::Office, SubjectStatus::Deregistered, &r);
        f.practising_workers = 0;
        let found = findings(&f, d(ON), &RuleSettings::default());
        assert_eq!(reasons(&found), vec![ExitReason::NoExitAnnouncement]);
        assert_eq!(found[0].since, d("2026-05-01"));
        f.named_in_exit_notice = true;
        assert_eq!(findings(&f, d(ON), &RuleSettings::default()), vec![]);
    }
}
