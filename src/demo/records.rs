//! What happens to the offices and workers: annual reviews, disciplinary
//! actions, transfers, commendations and announcements.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Months, NaiveDate};
use rand::RngExt;
use rand::seq::SliceRandom;

use crate::db::models::{NewAction, NewAnnouncement, NewCommendation, NewReview, NewTransfer};
use crate::domain::dates::new_year;
use crate::domain::vocab::{
    AnnouncementKind, AreaKind, DisciplineKind, OfficeStatus, ReviewOutcome, SubjectKind,
    WorkerStatus,
};

use super::places::{Place, Region};
use super::subjects::{OfficePlan, ReviewPattern, Scenario, WorkerPlan, place_of, scaled};
use super::{Generator, add_years_back, pick, shift, ymd};

const WITHDRAWAL_REASONS: &[&str] = &[
    "经行政复议，原处罚决定认定事实不清，予以撤销",
    "经复查，原决定适用依据错误，予以撤销",
    "人民法院判决撤销原处罚决定",
];

struct ReviewSubject<'a> {
    kind: SubjectKind,
    license_no: &'a str,
    since: Option<NaiveDate>,
    closed: bool,
    pattern: ReviewPattern,
}

struct ActionDraft<'a> {
    subject: SubjectKind,
    license_no: &'a str,
    place: &'a Place,
    kind: DisciplineKind,
    decided_on: NaiveDate,
    suspended_until: Option<NaiveDate>,
    public_until: Option<NaiveDate>,
}

/// Who took one year's reviews in a region, and who failed.
#[derive(Default)]
struct ReviewTally<'a> {
    offices: usize,
    workers: usize,
    failures: Vec<&'a str>,
}

impl<'a> ReviewTally<'a> {
    pub(super) fn count(&mut self, r: &'a NewReview) {
        let outcome = ReviewOutcome::parse(&r.outcome);
        if !outcome.is_some_and(ReviewOutcome::took_part) {
            return;
        }
        if r.subject_kind == SubjectKind::Office.key() {
            self.offices += 1;
        } else {
            self.workers += 1;
        }
        if outcome.is_some_and(ReviewOutcome::is_failure) {
            self.failures.push(&r.subject_license_no);
        }
    }
}

/// Hands out decision numbers (文号), counted per issuer and year.
#[derive(Default)]
struct DecisionBook {
    next: HashMap<(String, i32), u32>,
}

impl DecisionBook {
    fn number(&mut self, prefix: &str, year: i32) -> String {
        let n = self.next.entry((prefix.to_owned(), year)).or_insert(0);
        *n += 1;
        format!("{prefix}〔{year}〕{n}号")
    }
}

impl Generator {
    // --- annual reviews ------------------------------------------------------

    pub(super) fn reviews(
        &mut self,
        offices: &[OfficePlan],
        workers: &[WorkerPlan],
    ) -> Vec<NewReview> {
        let mut out = Vec::new();
        for o in offices {
            let lapse = if o.shell { 0.5 } else { 0.04 };
            let pattern = if self.chance(lapse) {
                ReviewPattern::Lapsed
            } else {
                ReviewPattern::Random
            };
            let subject = ReviewSubject {
                kind: SubjectKind::Office,
                license_no: &o.row.license_no,
                since: o.row.established_on,
                closed: o.status == OfficeStatus::Deregistered,
                pattern,
            };
            self.subject_reviews(&subject, &mut out);
        }
        for w in workers {
            let pattern = match w.scenario.review_pattern() {
                ReviewPattern::Random if self.chance(0.04) => ReviewPattern::Lapsed,
                pattern => pattern,
            };
            let subject = ReviewSubject {
                kind: SubjectKind::Worker,
                license_no: &w.row.license_no,
                since: Some(w.licensed),
                closed: matches!(w.status, WorkerStatus::Deregistered | WorkerStatus::Revoked),
                pattern,
            };
            self.subject_reviews(&subject, &mut out);
        }
        out
    }

    /// Reviews for the six years before this one, from the year the subject
    /// was licensed (or established) and until it closed.
    fn subject_reviews(&mut self, s: &ReviewSubject<'_>, out: &mut Vec<NewReview>) {
        let last_year = self.last_year();
        let mut first = last_year - 5;
        if let Some(since) = s.since {
            // Licensed in the second half of a year: first reviewed the next.
            first = first.max(since.year() + i32::from(since.month() > 6));
        }
        let mut last = last_year;
        if s.closed && first <= last {
            last = self.rng.random_range(first..=last);
        }
        for year in first..=last {
            let outcome = match s.pattern {
                ReviewPattern::Lapsed if year >= last_year - 1 => {
                    if self.chance(0.5) {
                        out.push(review_row(s, year, ReviewOutcome::Absent, None));
                    }
                    continue;
                }
                ReviewPattern::Random if self.chance(0.03) => continue,
                ReviewPattern::Random => self.random_outcome(s.kind),
                ReviewPattern::FailingNow
                | ReviewPattern::FailedBefore
                | ReviewPattern::RectifiedBefore
                    if year == last_year =>
                {
                    failure_of(s.kind)
                }
                _ => self.clean_outcome(s.kind),
            };
            let rectify_by = outcome
                .is_failure()
                .then(|| self.rectification_deadline(s.pattern, year));
            let rectified_on = rectify_by.and_then(|by| self.rectified_on(s.pattern, year, by));
            let mut row = review_row(s, year, outcome, rectify_by);
            row.rectified_on = rectified_on;
            out.push(row);
        }
    }

    fn random_outcome(&mut self, kind: SubjectKind) -> ReviewOutcome {
        use ReviewOutcome::*;
        match kind {
            SubjectKind::Office => self.weighted(&[(Pass, 90), (Fail, 4), (Absent, 6)]),
            SubjectKind::Worker => self.weighted(&[
                (Excellent, 15),
                (Competent, 69),
                (BasicallyCompetent, 8),
                (NotCompetent, 3),
                (Absent, 5),
            ]),
        }
    }

    fn clean_outcome(&mut self, kind: SubjectKind) -> ReviewOutcome {
        match kind {
            SubjectKind::Office => ReviewOutcome::Pass,
            SubjectKind::Worker => self.weighted(&[
                (ReviewOutcome::Excellent, 20),
                (ReviewOutcome::Competent, 80),
            ]),
        }
    }

    /// When a failed review's rectification was recorded as done: always
    /// for the designated rectified worker, never for the overdue one, and
    /// for most other failures whose deadline has passed.
    fn rectified_on(
        &mut self,
        pattern: ReviewPattern,
        year: i32,
        deadline: NaiveDate,
    ) -> Option<NaiveDate> {
        let done = match pattern {
            ReviewPattern::RectifiedBefore => true,
            ReviewPattern::Random => deadline < self.today && self.chance(0.7),
            _ => false,
        };
        done.then(|| {
            shift(deadline, -self.rng.random_range(0..=40))
                .max(new_year(year + 1))
                .min(self.today)
        })
    }

    fn rectification_deadline(&mut self, pattern: ReviewPattern, year: i32) -> NaiveDate {
        match pattern {
            ReviewPattern::FailingNow => shift(self.today, self.rng.random_range(60..=180)),
            ReviewPattern::FailedBefore | ReviewPattern::RectifiedBefore => {
                shift(self.today, -self.rng.random_range(20..=120))
            }
            _ if year == self.last_year() => shift(self.today, self.rng.random_range(-150..=150)),
            _ => shift(new_year(year + 1), self.rng.random_range(60..=240)),
        }
    }

    // --- disciplinary actions --------------------------------------------------

    pub(super) fn actions(
        &mut self,
        places: &[Place],
        offices: &[OfficePlan],
        workers: &[WorkerPlan],
    ) -> Vec<NewAction> {
        let mut book = DecisionBook::default();
        let mut out = Vec::new();
        let today = self.today;
        let place_of = |w: &WorkerPlan| place_of(places, offices, w);

        for w in workers.iter().filter(|w| w.status == WorkerStatus::Revoked) {
            let decided_on = self.days_ago(30, 4 * 365).max(shift(w.licensed, 365));
            let draft = worker_action(w, place_of(w), DisciplineKind::RevokeLicense, decided_on);
            out.push(self.action_row(draft, &mut book));
        }
        for w in workers.iter().filter(|w| w.scenario != Scenario::Ordinary) {
            let place = place_of(w);
            let draft = match w.scenario {
                Scenario::Disclosed => {
                    worker_action(w, place, DisciplineKind::Fine, shift(today, -60))
                }
                Scenario::SuspendedByPenalty => ActionDraft {
                    suspended_until: Some(shift(today, 140)),
                    ..worker_action(w, place, DisciplineKind::SuspendPractice, shift(today, -40))
                },
                Scenario::WindowClosedYesterday => ActionDraft {
                    public_until: Some(shift(today, -1)),
                    ..worker_action(w, place, DisciplineKind::Admonition, shift(today, -251))
                },
                _ => continue,
            };
            out.push(self.action_row(draft, &mut book));
        }

        let first_random = out.len();
        for kind in self.random_action_kinds(scaled(workers.len(), 40).saturating_sub(out.len())) {
            if let Some(draft) = self.random_action(kind, places, offices, workers) {
                out.push(self.action_row(draft, &mut book));
            }
        }
        self.withdraw_some(&mut out[first_random..]);
        out
    }

    /// Every kind but revocation once, then more by weight.
    fn random_action_kinds(&mut self, count: usize) -> Vec<DisciplineKind> {
        use DisciplineKind::*;
        let mut kinds: Vec<DisciplineKind> = DisciplineKind::ALL
            .iter()
            .copied()
            .filter(|k| *k != RevokeLicense)
            .collect();
        kinds.shuffle(&mut self.rng);
        while kinds.len() < count {
            kinds.push(self.weighted(&[
                (Warning, 15),
                (Fine, 15),
                (Confiscation, 8),
                (SuspendPractice, 8),
                (Admonition, 15),
                (IndustryWarning, 10),
                (CircularCriticism, 12),
                (PublicCensure, 6),
                (SuspendMembership, 5),
                (ExpelMembership, 3),
            ]));
        }
        kinds
    }

    fn random_action<'a>(
        &mut self,
        kind: DisciplineKind,
        places: &'a [Place],
        offices: &'a [OfficePlan],
        workers: &'a [WorkerPlan],
    ) -> Option<ActionDraft<'a>> {
        let decided_on = self.days_ago(20, 5 * 365);
        let mut draft = if self.chance(0.8) {
            let licensed_by = shift(decided_on, -365);
            let i = self.find(workers, |w| {
                w.scenario == Scenario::Ordinary
                    && matches!(w.status, WorkerStatus::Practising | WorkerStatus::Suspended)
                    && w.licensed <= licensed_by
            })?;
            let w = &workers[i];
            worker_action(w, &places[offices[w.office].place], kind, decided_on)
        } else {
            let i = self.find(offices, |o| {
                matches!(o.status, OfficeStatus::Practising | OfficeStatus::Suspended)
            })?;
            let o = &offices[i];
            ActionDraft {
                subject: SubjectKind::Office,
                license_no: &o.row.license_no,
                place: &places[o.place],
                kind,
                decided_on,
                suspended_until: None,
                public_until: None,
            }
        };
        if kind == DisciplineKind::SuspendPractice {
            let months = self.rng.random_range(3..=12);
            draft.suspended_until = decided_on.checked_add_months(Months::new(months));
        }
        if self.chance(0.35) {
            let until = shift(decided_on, self.rng.random_range(180..=1500));
            draft.public_until = Some(until.max(draft.suspended_until.unwrap_or(until)));
        }
        Some(draft)
    }

    fn action_row(&mut self, d: ActionDraft<'_>, book: &mut DecisionBook) -> NewAction {
        let region = d.place.region;
        let year = d.decided_on.year();
        let (authority, decision_no) = if d.kind.is_administrative_penalty() {
            let authority = format!("{}司法局", d.place.address_prefix());
            (
                authority,
                book.number(&format!("{}司罚决", region.abbr), year),
            )
        } else {
            (
                region.association(),
                book.number(&format!("{}律服协处", region.abbr), year),
            )
        };
        NewAction {
            decision_no,
            subject_kind: d.subject.key().to_owned(),
            subject_license_no: d.license_no.to_owned(),
            kind: d.kind.key().to_owned(),
            authority,
            decided_on: d.decided_on,
            facts: self.facts(d.subject, d.kind).to_owned(),
            basis: basis(d.subject, d.kind, region),
            suspended_until: d.suspended_until,
            public_until: d.public_until,
            withdrawn_on: None,
            withdrawn_reason: None,
        }
    }

    fn facts(&mut self, subject: SubjectKind, kind: DisciplineKind) -> &'static str {
        use DisciplineKind::*;
        let choices: &[&str] = match (subject, kind) {
            (SubjectKind::Office, _) => &[
                "未按规定公示收费标准",
                "疏于管理致本所人员违规执业",
                "未按规定建立业务档案",
                "超越业务范围承接诉讼代理业务",
            ],
            (_, Warning | IndustryWarning | Admonition) => &[
                "未按规定签订委托代理合同",
                "未按规定建立执业档案",
                "无正当理由拖延办理受托事务",
            ],
            (_, Fine | Confiscation) => &[
                "违规收取代理费用",
                "私自接受委托并收取费用",
                "以不正当手段争揽业务并收取费用",
            ],
            (_, SuspendPractice) => &[
                "超越业务范围代理诉讼案件",
                "在同一案件中为双方当事人提供法律服务",
                "同时在两个基层法律服务所执业",
            ],
            (_, RevokeLicense) => &[
                "以欺诈、伪造材料等不正当手段取得执业证",
                "冒用律师名义从事法律服务且情节严重",
            ],
            (_, CircularCriticism | PublicCensure) => &[
                "无正当理由未参加年度考核",
                "泄露当事人隐私造成不良影响",
                "在执业活动中作虚假承诺",
            ],
            (_, SuspendMembership | ExpelMembership) => &[
                "拒不履行会员义务且经劝告不改",
                "严重违反行业规范造成恶劣社会影响",
            ],
        };
        pick(&mut self.rng, choices)
    }

    /// Withdraws about one action in forty, and at least one.
    fn withdraw_some(&mut self, actions: &mut [NewAction]) {
        let mut order: Vec<usize> = (0..actions.len()).collect();
        order.shuffle(&mut self.rng);
        for i in order.into_iter().take((actions.len() / 40).max(1)) {
            let a = &mut actions[i];
            let on = shift(a.decided_on, self.rng.random_range(15..=90)).min(self.today);
            a.withdrawn_on = Some(on);
            a.withdrawn_reason = Some(pick(&mut self.rng, WITHDRAWAL_REASONS).to_owned());
        }
    }

    // --- transfers -------------------------------------------------------------

    pub(super) fn transfers(
        &mut self,
        places: &[Place],
        offices: &[OfficePlan],
        workers: &[WorkerPlan],
    ) -> Vec<NewTransfer> {
        let mut by_place: Vec<Vec<usize>> = vec![Vec::new(); places.len()];
        for (i, o) in offices.iter().enumerate() {
            by_place[o.place].push(i);
        }
        let mut moved = HashSet::new();
        let mut out = Vec::new();
        self.rule_breaking_transfers(places, offices, workers, &mut moved, &mut out);

        let target = scaled(workers.len(), 40);
        let experienced = add_years_back(self.today, 3);
        let latest = shift(self.today, -30);
        let mut attempts = 0;
        while !workers.is_empty() && out.len() < target && attempts < target * 50 {
            attempts += 1;
            let w = self.rng.random_range(0..workers.len());
            let worker = &workers[w];
            if worker.licensed > experienced || !moved.insert(w) {
                continue;
            }
            let to = worker.office;
            let Some(from) = self.other_office(offices, &by_place, to) else {
                continue;
            };
            let earliest = shift(worker.licensed, 365).max(ymd(2010, 1, 1));
            let effective_on = self.date_between(earliest, latest);
            // Some had moved once before.
            if self.chance(0.2)
                && effective_on > shift(earliest, 365)
                && let Some(before) = self.other_office(offices, &by_place, from)
            {
                let on = self.date_between(earliest, shift(effective_on, -180));
                out.push(transfer_row(worker, offices, Some(before), from, on));
            }
            out.push(transfer_row(worker, offices, Some(from), to, effective_on));
        }
        out
    }

    /// Another office, in the same district more often than not.
    fn other_office(
        &mut self,
        offices: &[OfficePlan],
        by_place: &[Vec<usize>],
        of: usize,
    ) -> Option<usize> {
        let local = &by_place[offices[of].place];
        if local.len() > 1 && self.chance(0.6) {
            loop {
                let i = pick(&mut self.rng, local);
                if i != of {
                    return Some(i);
                }
            }
        }
        if offices.len() < 2 {
            return None;
        }
        loop {
            let i = self.rng.random_range(0..offices.len());
            if i != of {
                return Some(i);
            }
        }
    }

    /// Three transfers after the plan that break it: into a district at the
    /// target (rule 2), from a rural office to an urban one (rule 3), and by
    /// a worker licensed less than a year before (rule 3).
    fn rule_breaking_transfers(
        &mut self,
        places: &[Place],
        offices: &[OfficePlan],
        workers: &[WorkerPlan],
        moved: &mut HashSet<usize>,
        out: &mut Vec<NewTransfer>,
    ) {
        let after_plan = ymd(2021, 1, 1);
        let latest = shift(self.today, -30);
        let seasoned = ymd(2018, 1, 1);

        let eligible = |i: usize| {
            let w = &workers[i];
            w.scenario == Scenario::Ordinary
                && w.status == WorkerStatus::Practising
                && !moved.contains(&i)
        };
        let urban = |w: &WorkerPlan| offices[w.office].area == AreaKind::Urban;

        let into_saturated = self.find_index(workers.len(), |i| {
            eligible(i)
                && workers[i].licensed < seasoned
                && places[offices[workers[i].office].place].at_target()
        });
        let rural_to_urban = self.find_index(workers.len(), |i| {
            eligible(i)
                && workers[i].licensed < seasoned
                && urban(&workers[i])
                && Some(i) != into_saturated
        });
        let licensed_after_plan = ymd(2020, 6, 1);
        let licensed_by = shift(self.today, -400);
        let newcomer = self.find_index(workers.len(), |i| {
            let w = &workers[i];
            eligible(i)
                && w.licensed >= licensed_after_plan
                && w.licensed <= licensed_by
                && urban(w)
        });

        if let Some(w) = into_saturated {
            let to = workers[w].office;
            if let Some(from) = self.find(offices, |o| o.place != offices[to].place) {
                let on = self.date_between(after_plan, latest);
                out.push(transfer_row(&workers[w], offices, Some(from), to, on));
            }
        }
        if let Some(w) = rural_to_urban {
            let to = workers[w].office;
            if let Some(from) = self.find(offices, |o| o.area == AreaKind::Rural) {
                let on = self.date_between(after_plan, latest);
                out.push(transfer_row(&workers[w], offices, Some(from), to, on));
            }
        }
        if let Some(w) = newcomer {
            let to = workers[w].office;
            if let Some(from) = self.find_index(offices.len(), |i| i != to) {
                let on = shift(workers[w].licensed, self.rng.random_range(60..=300));
                out.push(transfer_row(&workers[w], offices, Some(from), to, on));
            }
        }
        moved.extend(
            [into_saturated, rural_to_urban, newcomer]
                .into_iter()
                .flatten(),
        );
    }

    // --- commendations and announcements ------------------------------------------

    pub(super) fn commendations(
        &mut self,
        places: &[Place],
        offices: &[OfficePlan],
        workers: &[WorkerPlan],
    ) -> Vec<NewCommendation> {
        const WORKER_TITLES: &[&str] = &[
            "优秀基层法律服务工作者",
            "人民调解工作先进个人",
            "公共法律服务工作先进个人",
            "优秀村（居）法律顾问",
        ];
        const OFFICE_TITLES: &[&str] = &[
            "先进基层法律服务所",
            "公共法律服务工作先进集体",
            "人民满意基层法律服务所",
        ];
        let target = scaled(workers.len(), 30);
        let earliest = add_years_back(self.today, 6);
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut attempts = 0;
        while out.len() < target && attempts < target * 50 {
            attempts += 1;
            let (subject, license_no, place, titles) = if self.chance(0.7) {
                let Some(i) = self.find(workers, |w| {
                    w.status == WorkerStatus::Practising && w.scenario == Scenario::Ordinary
                }) else {
                    continue;
                };
                let w = &workers[i];
                (
                    SubjectKind::Worker,
                    &w.row.license_no,
                    &places[offices[w.office].place],
                    WORKER_TITLES,
                )
            } else {
                let Some(i) = self.find(offices, |o| o.status == OfficeStatus::Practising) else {
                    continue;
                };
                let o = &offices[i];
                (
                    SubjectKind::Office,
                    &o.row.license_no,
                    &places[o.place],
                    OFFICE_TITLES,
                )
            };
            let title = format!("{}{}", place.region.scope(), pick(&mut self.rng, titles));
            let awarded_on = self.date_between(earliest, shift(self.today, -1));
            if !seen.insert((license_no.clone(), title.clone(), awarded_on)) {
                continue;
            }
            out.push(NewCommendation {
                subject_kind: subject.key().to_owned(),
                subject_license_no: license_no.clone(),
                title,
                awarded_by: place.region.justice_department(),
                awarded_on,
            });
        }
        out
    }

    pub(super) fn announcements(
        &mut self,
        places: &[Place],
        offices: &[OfficePlan],
        workers: &[WorkerPlan],
        reviews: &[NewReview],
    ) -> Vec<NewAnnouncement> {
        let region_of = |o: &OfficePlan| places[o.place].region.code;
        let mut regions: Vec<&'static Region> = Vec::new();
        for p in places {
            if !regions.iter().any(|r| r.code == p.region.code) {
                regions.push(p.region);
            }
        }
        let mut member_of: HashMap<&str, &str> = HashMap::new();
        for o in offices {
            member_of.insert(&o.row.license_no, region_of(o));
        }
        for w in workers {
            member_of.insert(&w.row.license_no, region_of(&offices[w.office]));
        }
        let mut tallies: HashMap<&str, BTreeMap<i32, ReviewTally<'_>>> = HashMap::new();
        for r in reviews {
            if let Some(region) = member_of.get(r.subject_license_no.as_str()) {
                tallies
                    .entry(region)
                    .or_default()
                    .entry(r.year)
                    .or_default()
                    .count(r);
            }
        }

        let mut out = Vec::new();
        let mut numbers = HashMap::new();
        for region in regions {
            let region_offices: Vec<&OfficePlan> = offices
                .iter()
                .filter(|o| region_of(o) == region.code)
                .collect();
            let region_workers: Vec<&WorkerPlan> = workers
                .iter()
                .filter(|w| region_of(&offices[w.office]) == region.code)
                .collect();
            let tally = tallies.remove(region.code).unwrap_or_default();
            self.review_bulletins(region, tally, &mut out);
            self.inspections(region, &region_offices, &mut out);
            self.exits(
                region,
                &region_offices,
                &region_workers,
                &mut numbers,
                &mut out,
            );
        }
        out
    }

    fn review_bulletins(
        &mut self,
        region: &Region,
        by_year: BTreeMap<i32, ReviewTally<'_>>,
        out: &mut Vec<NewAnnouncement>,
    ) {
        for (year, tally) in by_year {
            let published_on = shift(new_year(year + 1), self.rng.random_range(60..=100));
            if published_on > self.today {
                continue;
            }
            out.push(NewAnnouncement {
                kind: AnnouncementKind::ReviewBulletin.key().to_owned(),
                title: format!("{}{year}年度基层法律服务年度考核结果通报", region.name),
                body: format!(
                    "{year}年度共有基层法律服务所{}家、基层法律服务工作者{}名参加年度考核。\
                     考核不合格（不称职）的{}个机构和人员名单附后，责令限期整改。",
                    tally.offices,
                    tally.workers,
                    tally.failures.len()
                ),
                published_on,
                license_nos: tally.failures.join(";"),
            });
        }
    }

    fn inspections(
        &mut self,
        region: &Region,
        offices: &[&OfficePlan],
        out: &mut Vec<NewAnnouncement>,
    ) {
        let open: Vec<&OfficePlan> = offices
            .iter()
            .copied()
            .filter(|o| o.status != OfficeStatus::Deregistered)
            .collect();
        if open.is_empty() {
            return;
        }
        for year in self.today.year() - 2..=self.today.year() {
            for (batch, (month, day)) in [(6, 20), (12, 10)].into_iter().enumerate() {
                let published_on = shift(ymd(year, month, day), self.rng.random_range(0..=15));
                if published_on > self.today {
                    continue;
                }
                let mut sample: Vec<&str> =
                    open.iter().map(|o| o.row.license_no.as_str()).collect();
                sample.shuffle(&mut self.rng);
                sample.truncate(self.rng.random_range(5..=8));
                let flagged = self.rng.random_range(0..=sample.len().min(2));
                out.push(NewAnnouncement {
                    kind: AnnouncementKind::Inspection.key().to_owned(),
                    title: format!(
                        "{}{year}年第{}批“双随机、一公开”抽查结果公告",
                        region.name,
                        batch + 1
                    ),
                    body: format!(
                        "按照“双随机、一公开”监管要求，随机抽取{}家基层法律服务所进行检查，\
                         {flagged}家存在问题已责令整改，其余未发现问题。",
                        sample.len()
                    ),
                    published_on,
                    license_nos: sample.join(";"),
                });
            }
        }
    }

    fn exits(
        &mut self,
        region: &'static Region,
        offices: &[&OfficePlan],
        workers: &[&WorkerPlan],
        numbers: &mut HashMap<(&'static str, i32), u32>,
        out: &mut Vec<NewAnnouncement>,
    ) {
        let closed_offices: Vec<(&str, &str)> = offices
            .iter()
            .filter(|o| o.status == OfficeStatus::Deregistered)
            .map(|o| (o.row.license_no.as_str(), o.row.name.as_str()))
            .collect();
        let closed_workers: Vec<(&str, &str)> = workers
            .iter()
            .filter(|w| w.status == WorkerStatus::Deregistered)
            .map(|w| (w.row.license_no.as_str(), w.row.name.as_str()))
            .collect();
        let earliest = add_years_back(self.today, 6);
        let mut notices = Vec::new();
        for (group, per_notice, what, license) in [
            (&closed_offices, 3, "家基层法律服务所", "执业许可证"),
            (&closed_workers, 10, "名基层法律服务工作者", "执业证"),
        ] {
            for chunk in group.chunks(per_notice) {
                let published_on = self.date_between(earliest, shift(self.today, -1));
                notices.push((published_on, chunk, what, license));
            }
        }
        // Numbered in order of publication within each year.
        notices.sort_by_key(|(published_on, ..)| *published_on);
        for (published_on, chunk, what, license) in notices {
            let year = published_on.year();
            let n = numbers.entry((region.code, year)).or_insert(0);
            *n += 1;
            let names: Vec<&str> = chunk.iter().map(|(_, name)| *name).collect();
            let nos: Vec<&str> = chunk.iter().map(|(no, _)| *no).collect();
            out.push(NewAnnouncement {
                kind: AnnouncementKind::Exit.key().to_owned(),
                title: format!(
                    "{}关于注销{}{what}{license}的公告（{year}年第{n}号）",
                    region.name,
                    chunk.len()
                ),
                body: format!(
                    "经审核，下列{}{what}已依法办理{license}注销手续，现予公告：{}。",
                    chunk.len(),
                    names.join("、")
                ),
                published_on,
                license_nos: nos.join(";"),
            });
        }
    }
}

fn failure_of(kind: SubjectKind) -> ReviewOutcome {
    match kind {
        SubjectKind::Office => ReviewOutcome::Fail,
        SubjectKind::Worker => ReviewOutcome::NotCompetent,
    }
}

fn review_row(
    s: &ReviewSubject<'_>,
    year: i32,
    outcome: ReviewOutcome,
    rectify_by: Option<NaiveDate>,
) -> NewReview {
    let note = match outcome {
        ReviewOutcome::Fail | ReviewOutcome::NotCompetent => {
            Some("责令限期整改，逾期未整改的予以通报")
        }
        ReviewOutcome::Absent => Some("无正当理由未参加年度考核"),
        _ => None,
    };
    NewReview {
        subject_kind: s.kind.key().to_owned(),
        subject_license_no: s.license_no.to_owned(),
        year,
        outcome: outcome.key().to_owned(),
        rectify_by,
        note: note.map(str::to_owned),
        rectified_on: None,
    }
}

fn worker_action<'a>(
    w: &'a WorkerPlan,
    place: &'a Place,
    kind: DisciplineKind,
    decided_on: NaiveDate,
) -> ActionDraft<'a> {
    ActionDraft {
        subject: SubjectKind::Worker,
        license_no: &w.row.license_no,
        place,
        kind,
        decided_on,
        suspended_until: None,
        public_until: None,
    }
}

fn basis(subject: SubjectKind, kind: DisciplineKind, region: &Region) -> String {
    if !kind.is_administrative_penalty() {
        return format!("《{}会员违规行为处分规则》第十条", region.association());
    }
    match (subject, kind) {
        (SubjectKind::Office, _) => "《基层法律服务所管理办法》第三十五条".to_owned(),
        (_, DisciplineKind::RevokeLicense) => "《基层法律服务工作者管理办法》第四十三条".to_owned(),
        _ => "《基层法律服务工作者管理办法》第四十二条".to_owned(),
    }
}

fn transfer_row(
    worker: &WorkerPlan,
    offices: &[OfficePlan],
    from: Option<usize>,
    to: usize,
    effective_on: NaiveDate,
) -> NewTransfer {
    NewTransfer {
        worker_license_no: worker.row.license_no.clone(),
        from_office_license_no: from.map(|i| offices[i].row.license_no.clone()),
        to_office_license_no: offices[to].row.license_no.clone(),
        effective_on,
    }
}
