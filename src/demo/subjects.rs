//! Offices and workers, and the designated workers whose scenarios make
//! every standing occur.

use chrono::{Datelike, NaiveDate};
use rand::RngExt;

use crate::db::models::{Office, Worker};
use crate::domain::plan_rules::plan_effective_on;
use crate::domain::vocab::{AreaKind, Gender, OfficeStatus, PartyOrg, WorkerStatus};

use super::names::STREETS;
use super::places::{CHONGQING, LONGSHA, Place, TownshipPlan};
use super::{Generator, add_years_back, pick, round6, shift, ymd};

/// Offices at nation scale.
pub(super) const NATION_OFFICES: usize = 15_000;

/// Workers at province scale, the base for scaling the other counts.
const PROVINCE_WORKERS: usize = 1_350;

const PRACTICE_AREAS: &[&str] = &[
    "民事代理",
    "法律咨询",
    "人民调解",
    "合同审查",
    "非诉讼法律事务",
    "公证协助",
    "劳动争议调解",
    "行政复议代理",
    "法律援助",
    "代写法律文书",
];

const HOURS: &str = "周一至周五 9:00-17:30";

pub(super) struct OfficePlan {
    pub(super) row: Office,
    pub(super) place: usize,
    pub(super) area: AreaKind,
    pub(super) status: OfficeStatus,
    /// Keeps no practising worker (a rule 7 candidate).
    pub(super) shell: bool,
}

/// A designated worker whose records make one standing certain to occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scenario {
    Ordinary,
    /// Latest review failed, deadline ahead: under rectification.
    Rectifying,
    /// Latest review failed, deadline passed, rectification recorded.
    Rectified,
    /// Latest review failed, deadline passed, nothing recorded since.
    Overdue,
    /// Practising at an office that has been deregistered.
    OfficeClosed,
    /// No review in the last two years.
    Unreviewed,
    /// A fine inside its disclosure window.
    Disclosed,
    /// A 停止执业 penalty in force.
    SuspendedByPenalty,
    /// Its only action's window closed yesterday.
    WindowClosedYesterday,
}

const DESIGNATED: &[Scenario] = &[
    Scenario::Rectifying,
    Scenario::Rectified,
    Scenario::Overdue,
    Scenario::Unreviewed,
    Scenario::Disclosed,
    Scenario::SuspendedByPenalty,
    Scenario::WindowClosedYesterday,
];

pub(super) struct WorkerPlan {
    pub(super) row: Worker,
    pub(super) office: usize,
    pub(super) status: WorkerStatus,
    pub(super) licensed: NaiveDate,
    pub(super) scenario: Scenario,
}

impl WorkerPlan {
    pub(super) fn into_row(self) -> Worker {
        Worker {
            status: self.status.key().to_owned(),
            ..self.row
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReviewPattern {
    Random,
    /// No failure anywhere.
    Clean,
    /// Failed last year, deadline ahead.
    FailingNow,
    /// Failed last year, deadline passed, rectified before it.
    RectifiedBefore,
    /// Failed last year, deadline passed, nothing recorded.
    FailedBefore,
    /// Nothing taken in the last two years.
    Lapsed,
}

impl Scenario {
    pub(super) fn review_pattern(self) -> ReviewPattern {
        match self {
            Scenario::Ordinary => ReviewPattern::Random,
            Scenario::Rectifying => ReviewPattern::FailingNow,
            Scenario::Rectified => ReviewPattern::RectifiedBefore,
            Scenario::Overdue => ReviewPattern::FailedBefore,
            Scenario::Unreviewed => ReviewPattern::Lapsed,
            Scenario::Disclosed
            | Scenario::SuspendedByPenalty
            | Scenario::WindowClosedYesterday
            | Scenario::OfficeClosed => ReviewPattern::Clean,
        }
    }
}

impl Generator {
    pub(super) fn offices(
        &mut self,
        places: &[Place],
        townships: &[Vec<TownshipPlan>],
    ) -> Vec<OfficePlan> {
        let mut out = Vec::new();
        for (i, place) in places.iter().enumerate() {
            for (serial, township) in townships[i].iter().take(place.offices).enumerate() {
                out.push(self.office(i, place, township, serial + 1));
            }
        }
        // Rule 4: a few offices established after the plan abolished new ones.
        let plan = plan_effective_on();
        let (first, latest) = (ymd(2020, 3, 1), ymd(2023, 12, 31).min(self.today));
        if latest < first {
            return out;
        }
        for _ in 0..(out.len() / 150).max(1) {
            let found = self.find(&out, |o| {
                o.status == OfficeStatus::Practising
                    && o.row.established_on.is_some_and(|d| d < plan)
            });
            if let Some(i) = found {
                out[i].row.established_on = Some(self.date_between(first, latest));
            }
        }
        out
    }

    fn office(
        &mut self,
        place_idx: usize,
        place: &Place,
        township: &TownshipPlan,
        serial: usize,
    ) -> OfficePlan {
        let status = if township.row.name.starts_with(LONGSHA) {
            OfficeStatus::Practising
        } else {
            self.weighted(&[
                (OfficeStatus::Practising, 92),
                (OfficeStatus::Suspended, 3),
                (OfficeStatus::Deregistered, 5),
            ])
        };
        let shell = status == OfficeStatus::Practising && self.chance(0.03);
        let street = pick(&mut self.rng, STREETS);
        let number = self.rng.random_range(1..=300);
        let lat = place
            .row
            .seat_lat
            .map(|s| round6(s + self.rng.random_range(-0.1..0.1)));
        let lng = place
            .row
            .seat_lng
            .map(|s| round6(s + self.rng.random_range(-0.1..0.1)));
        let party_org = self.weighted(&[
            (PartyOrg::OwnBranch, 30),
            (PartyOrg::JointBranch, 35),
            (PartyOrg::Instructor, 25),
            (PartyOrg::NoOrganisation, 10),
        ]);
        let established_on = self.date_between(ymd(1985, 1, 1), ymd(2019, 12, 31));
        OfficePlan {
            row: Office {
                license_no: format!("31{}{serial:04}", place.row.code),
                name: format!("{}法律服务所", township.row.name),
                district_code: place.row.code.clone(),
                township_id: Some(township.row.id),
                area_kind: township.area.key().to_owned(),
                address: format!(
                    "{}{}{street}{number}号",
                    place.address_prefix(),
                    township.row.name
                ),
                lat,
                lng,
                phone: self.phone(place),
                hours: HOURS.to_owned(),
                director: self.person_name(),
                party_org: party_org.key().to_owned(),
                practice_areas: self.some_of(PRACTICE_AREAS, 2, 4),
                status: status.key().to_owned(),
                established_on: Some(established_on),
                updated_at: self.stamp,
            },
            place: place_idx,
            area: township.area,
            status,
            shell,
        }
    }

    fn phone(&mut self, place: &Place) -> String {
        let lead = if place.region.code == CHONGQING.code {
            6
        } else {
            self.rng.random_range(2..=8)
        };
        let rest: u32 = self.rng.random_range(0..10_000_000);
        format!("{}-{lead}{rest:07}", place.area_code)
    }

    // --- workers -------------------------------------------------------------

    pub(super) fn workers(&mut self, places: &[Place], offices: &[OfficePlan]) -> Vec<WorkerPlan> {
        let mut serials = vec![0u32; places.len()];
        let mut out = Vec::new();
        for (i, office) in offices.iter().enumerate() {
            for status in self.staff_statuses(office) {
                serials[office.place] += 1;
                let license_no = format!(
                    "45{}{:05}",
                    places[office.place].row.code, serials[office.place]
                );
                out.push(self.worker(license_no, i, office, status));
            }
        }
        out
    }

    /// Statuses of an office's staff: 2 to 7 (8 at nation scale) mostly
    /// practising workers at a practising office, a few idle ones elsewhere.
    fn staff_statuses(&mut self, office: &OfficePlan) -> Vec<WorkerStatus> {
        let (count, status) = match office.status {
            OfficeStatus::Practising if office.shell => {
                (self.rng.random_range(0..=1), WorkerStatus::Deregistered)
            }
            OfficeStatus::Practising => {
                let count = self.rng.random_range(2..=self.max_staff);
                return (0..count)
                    .map(|_| {
                        self.weighted(&[
                            (WorkerStatus::Practising, 95),
                            (WorkerStatus::Suspended, 2),
                            (WorkerStatus::Deregistered, 3),
                        ])
                    })
                    .collect();
            }
            OfficeStatus::Suspended => (self.rng.random_range(1..=3), WorkerStatus::Suspended),
            OfficeStatus::Deregistered => {
                (self.rng.random_range(1..=2), WorkerStatus::Deregistered)
            }
        };
        vec![status; count]
    }

    fn worker(
        &mut self,
        license_no: String,
        office_idx: usize,
        office: &OfficePlan,
        status: WorkerStatus,
    ) -> WorkerPlan {
        let licensed = if status == WorkerStatus::Practising && self.chance(0.02) {
            self.days_ago(10, 350)
        } else {
            self.date_between(ymd(1990, 1, 1), shift(self.today, -366))
        };
        let internship_months = if licensed.year() < 1995 {
            // Older files did not record the internship.
            None
        } else if licensed >= plan_effective_on() && self.chance(0.05) {
            Some(self.rng.random_range(6..=11))
        } else {
            Some(self.rng.random_range(12..=24))
        };
        let gender = self.weighted(&[(Gender::Male, 58), (Gender::Female, 42)]);
        let adviser_posts = if self.chance(0.5) {
            self.adviser_posts(office.area)
        } else {
            String::new()
        };
        WorkerPlan {
            row: Worker {
                license_no,
                name: self.person_name(),
                gender: Some(gender.key().to_owned()),
                office_license_no: Some(office.row.license_no.clone()),
                status: status.key().to_owned(),
                first_licensed_on: Some(licensed),
                internship_months,
                practice_areas: self.some_of(PRACTICE_AREAS, 1, 3),
                adviser_posts,
                updated_at: self.stamp,
            },
            office: office_idx,
            status,
            licensed,
            scenario: Scenario::Ordinary,
        }
    }

    fn adviser_posts(&mut self, area: AreaKind) -> String {
        let unit = match area {
            AreaKind::Rural => "村",
            AreaKind::Urban => "社区",
        };
        let count = self.rng.random_range(1..=2);
        let mut posts: Vec<String> = Vec::with_capacity(count);
        while posts.len() < count {
            let post = format!("{}{unit}法律顾问", self.place_stem());
            if !posts.contains(&post) {
                posts.push(post);
            }
        }
        posts.join(";")
    }

    /// Revokes the licenses of a few long-practising workers: 3 to 5 at
    /// province scale.
    pub(super) fn revoke_some(&mut self, workers: &mut [WorkerPlan]) {
        let seasoned = add_years_back(self.today, 3);
        for _ in 0..(workers.len() / 300).max(3) {
            let found = self.find(workers, |w| {
                w.status == WorkerStatus::Practising && w.licensed < seasoned
            });
            if let Some(i) = found {
                workers[i].status = WorkerStatus::Revoked;
            }
        }
    }

    pub(super) fn cast_scenarios(&mut self, workers: &mut [WorkerPlan], offices: &[OfficePlan]) {
        let seasoned = add_years_back(self.today, 5);
        for &scenario in DESIGNATED {
            let found = self.find(workers, |w| {
                w.scenario == Scenario::Ordinary
                    && w.status == WorkerStatus::Practising
                    && offices[w.office].status == OfficeStatus::Practising
                    && w.licensed < seasoned
            });
            if let Some(i) = found {
                workers[i].scenario = scenario;
            }
        }
        // The bureau deregistered an office but has not yet moved or
        // deregistered one of its workers.
        let found = self.find(workers, |w| {
            w.scenario == Scenario::Ordinary
                && offices[w.office].status == OfficeStatus::Deregistered
                && w.licensed < seasoned
        });
        if let Some(i) = found {
            workers[i].scenario = Scenario::OfficeClosed;
            workers[i].status = WorkerStatus::Practising;
        }
    }
}

/// A count that is `per_province` at province scale and grows with the
/// number of workers.
pub(super) fn scaled(workers: usize, per_province: usize) -> usize {
    (per_province * workers / PROVINCE_WORKERS).max(per_province)
}

pub(super) fn place_of<'a>(
    places: &'a [Place],
    offices: &[OfficePlan],
    w: &WorkerPlan,
) -> &'a Place {
    &places[offices[w.office].place]
}
