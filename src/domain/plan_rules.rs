//! The rules of the Chongqing plan (渝司发〔2020〕37号) as pure checks.
//!
//! Each check looks at facts and returns [`Finding`]s: the rule broken, the
//! subject, and the figures behind it. Findings are warnings; they never
//! block anything (docs/import.md, "Writing"; docs/admin.md, the
//! compliance page).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value, json};

use super::dates::whole_years_between;
use super::standing::ReviewDue;
use super::vocab::{AreaKind, OfficeStatus, WorkerStatus};

/// The lawyer ratio the plan aims at: lawyers per 10,000 residents.
pub const TARGET_RATIO: f64 = 2.3;

/// The plan's date (渝司发〔2020〕37号, 2020-07-06): rules 1 to 6 apply to
/// facts dated on or after it; transfers, new workers, new offices and
/// office moves before it are not checked.
pub fn plan_effective_on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 7, 6).unwrap_or(NaiveDate::MIN)
}

/// Settings the rules are checked under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleSettings {
    /// The annual review calendar (rule 7 counts only due years).
    pub review_due: ReviewDue,
    /// Fewest practising workers an office may have before it is a
    /// shell-office candidate (rule 7; the national rules require 3).
    pub min_office_workers: u32,
}

impl Default for RuleSettings {
    fn default() -> Self {
        Self {
            review_due: ReviewDue::default(),
            min_office_workers: 3,
        }
    }
}

/// Lawyers per 10,000 residents; `None` for a district without population.
pub fn lawyer_ratio(lawyers: i64, population: i64) -> Option<f64> {
    (population > 0).then(|| lawyers as f64 * 10_000.0 / population as f64)
}

/// A lawyer ratio as pages and reports show it: two decimals, rounded down
/// when below the target, so that a ratio under 2.3 never reads "2.3"
/// beside "below the target" (2.2996 shows as 2.29, not 2.30).
pub fn display_ratio(ratio: f64) -> f64 {
    if ratio < TARGET_RATIO {
        ((ratio * 100.0 + 1e-9).floor() / 100.0).min(TARGET_RATIO - 0.01)
    } else {
        round2(ratio)
    }
}

/// Lawyers and active grassroots workers per 10,000 residents.
pub fn service_ratio(lawyers: i64, active_workers: i64, population: i64) -> Option<f64> {
    lawyer_ratio(lawyers.saturating_add(active_workers), population)
}

/// One breach of a plan rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Rule number, 1 to 8, as in the plan.
    pub rule: u8,
    /// What the finding is about: `district`, `office`, `worker` or `transfer`.
    pub subject_kind: &'static str,
    /// Its key: a district code or a license number.
    pub subject: String,
    /// The figures behind the finding, by name.
    pub figures: BTreeMap<&'static str, Value>,
}

impl Finding {
    fn new(rule: u8, subject_kind: &'static str, subject: &str) -> Self {
        Self {
            rule,
            subject_kind,
            subject: subject.to_owned(),
            figures: BTreeMap::new(),
        }
    }

    fn with(mut self, name: &'static str, value: Value) -> Self {
        self.figures.insert(name, value);
        self
    }
}

/// A district as the rules see it.
#[derive(Debug, Clone)]
pub struct DistrictFacts {
    /// Admin code.
    pub code: String,
    /// Resident population.
    pub population: i64,
    /// Practising lawyers.
    pub lawyers: i64,
}

impl DistrictFacts {
    /// Whether the district has reached the target, so it takes no new
    /// workers and no transfers in (rules 1 and 2).
    pub fn at_target(&self) -> bool {
        lawyer_ratio(self.lawyers, self.population).is_some_and(|r| r >= TARGET_RATIO)
    }

    fn ratio(&self) -> Value {
        json!(lawyer_ratio(self.lawyers, self.population).map(display_ratio))
    }
}

/// An office as the rules see it.
#[derive(Debug, Clone)]
pub struct OfficeFacts {
    /// License number.
    pub license_no: String,
    /// District code.
    pub district_code: String,
    /// Rural township or urban subdistrict.
    pub area_kind: AreaKind,
    /// Status.
    pub status: OfficeStatus,
    /// Date established.
    pub established_on: Option<NaiveDate>,
    /// Years for which the office took a review.
    pub reviewed_years: Vec<i32>,
    /// Practising workers at the office.
    pub practising_workers: i64,
}

/// A worker as the rules see it.
#[derive(Debug, Clone)]
pub struct WorkerFacts {
    /// License number.
    pub license_no: String,
    /// Office license number.
    pub office_license_no: Option<String>,
    /// The office that took the worker on (rule 1): the one its earliest
    /// transfer left, else its office now; `None` when that transfer does
    /// not say.
    pub licensed_at: Option<String>,
    /// Status.
    pub status: WorkerStatus,
    /// First licensed.
    pub first_licensed_on: Option<NaiveDate>,
    /// Months of internship before licensing.
    pub internship_months: Option<i32>,
}

/// A transfer as the rules see it.
#[derive(Debug, Clone)]
pub struct TransferFacts {
    /// The worker.
    pub worker_license_no: String,
    /// The worker's first licensing.
    pub worker_first_licensed_on: Option<NaiveDate>,
    /// The office left, if known.
    pub from_office_license_no: Option<String>,
    /// The office joined.
    pub to_office_license_no: String,
    /// Effective date.
    pub effective_on: NaiveDate,
}

/// A change of an office's township as the rules see it (rule 5).
#[derive(Debug, Clone)]
pub struct OfficeMove {
    /// The office.
    pub license_no: String,
    /// Area kind before.
    pub from: AreaKind,
    /// Area kind after.
    pub to: AreaKind,
    /// The day the move was recorded.
    pub moved_on: NaiveDate,
}

/// Everything the rules look at.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Districts.
    pub districts: Vec<DistrictFacts>,
    /// Offices.
    pub offices: Vec<OfficeFacts>,
    /// Workers.
    pub workers: Vec<WorkerFacts>,
    /// Transfers.
    pub transfers: Vec<TransferFacts>,
    /// Moves of offices between townships.
    pub office_moves: Vec<OfficeMove>,
}

/// Checks rules 1 to 7 over `facts` on `on`, in rule order.
pub fn check_all(facts: &Facts, on: NaiveDate, settings: &RuleSettings) -> Vec<Finding> {
    let districts: HashMap<&str, &DistrictFacts> = facts
        .districts
        .iter()
        .map(|d| (d.code.as_str(), d))
        .collect();
    let offices: HashMap<&str, &OfficeFacts> = facts
        .offices
        .iter()
        .map(|o| (o.license_no.as_str(), o))
        .collect();
    let mut out = Vec::new();
    out.extend(rule1_new_workers_in_saturated_districts(
        facts, &districts, &offices, on,
    ));
    out.extend(rule2_transfers_into_saturated_districts(
        facts, &districts, &offices,
    ));
    out.extend(rule3_transfers_to_urban_offices(facts, &offices));
    out.extend(rule4_new_offices(facts));
    out.extend(rule5_rural_offices_moving_to_town(facts));
    out.extend(rule6_internship(facts));
    out.extend(rule7_shell_offices(facts, on, settings));
    out
}

/// A worker first licensed on or after the plan's date, by `on` (rule 1's
/// "new worker").
fn is_new_worker(first_licensed_on: Option<NaiveDate>, on: NaiveDate) -> bool {
    first_licensed_on.is_some_and(|d| d >= plan_effective_on() && d <= on)
}

fn rule1_new_workers_in_saturated_districts(
    facts: &Facts,
    districts: &HashMap<&str, &DistrictFacts>,
    offices: &HashMap<&str, &OfficeFacts>,
    on: NaiveDate,
) -> Vec<Finding> {
    facts
        .workers
        .iter()
        .filter(|w| is_new_worker(w.first_licensed_on, on))
        .filter_map(|w| {
            // The district that took the worker on, wherever the worker
            // is now: a later move is rule 2's, not a new worker there.
            let office = offices.get(w.licensed_at.as_deref()?)?;
            let district = districts.get(office.district_code.as_str())?;
            district.at_target().then(|| {
                Finding::new(1, "worker", &w.license_no)
                    .with("office", json!(office.license_no))
                    .with("district", json!(district.code))
                    .with("lawyer_ratio", district.ratio())
                    .with("ratio_as_of", json!(on))
                    .with("target", json!(TARGET_RATIO))
                    .with("first_licensed_on", json!(w.first_licensed_on))
            })
        })
        .collect()
}

fn rule2_transfers_into_saturated_districts(
    facts: &Facts,
    districts: &HashMap<&str, &DistrictFacts>,
    offices: &HashMap<&str, &OfficeFacts>,
) -> Vec<Finding> {
    facts
        .transfers
        .iter()
        .filter(|t| t.effective_on >= plan_effective_on())
        .filter_map(|t| {
            let to = offices.get(t.to_office_license_no.as_str())?;
            let district = districts.get(to.district_code.as_str())?;
            let from_same_district = t
                .from_office_license_no
                .as_deref()
                .and_then(|f| offices.get(f))
                .is_some_and(|f| f.district_code == to.district_code);
            (district.at_target() && !from_same_district).then(|| {
                Finding::new(2, "transfer", &t.worker_license_no)
                    .with("to_office", json!(to.license_no))
                    .with("district", json!(district.code))
                    .with("lawyer_ratio", district.ratio())
                    .with("target", json!(TARGET_RATIO))
                    .with("effective_on", json!(t.effective_on))
            })
        })
        .collect()
}

fn rule3_transfers_to_urban_offices(
    facts: &Facts,
    offices: &HashMap<&str, &OfficeFacts>,
) -> Vec<Finding> {
    facts
        .transfers
        .iter()
        .filter(|t| t.effective_on >= plan_effective_on())
        .filter_map(|t| {
            let to = offices.get(t.to_office_license_no.as_str())?;
            if to.area_kind != AreaKind::Urban {
                return None;
            }
            let from_rural = t
                .from_office_license_no
                .as_deref()
                .and_then(|f| offices.get(f))
                .is_some_and(|f| f.area_kind == AreaKind::Rural);
            let years = t
                .worker_first_licensed_on
                .map(|d| whole_years_between(d, t.effective_on));
            let licensed_under_a_year = years.is_some_and(|y| y < 1);
            (from_rural || licensed_under_a_year).then(|| {
                let mut f = Finding::new(3, "transfer", &t.worker_license_no)
                    .with("to_office", json!(to.license_no))
                    .with("effective_on", json!(t.effective_on))
                    .with("from_rural_office", json!(from_rural));
                if let Some(y) = years {
                    f = f.with("years_licensed", json!(y));
                }
                f
            })
        })
        .collect()
}

fn rule4_new_offices(facts: &Facts) -> Vec<Finding> {
    facts
        .offices
        .iter()
        .filter(|o| o.established_on.is_some_and(|d| d >= plan_effective_on()))
        .map(|o| {
            Finding::new(4, "office", &o.license_no)
                .with("established_on", json!(o.established_on))
                .with("plan_effective_on", json!(plan_effective_on()))
        })
        .collect()
}

fn rule5_rural_offices_moving_to_town(facts: &Facts) -> Vec<Finding> {
    facts
        .office_moves
        .iter()
        .filter(|m| m.from == AreaKind::Rural && m.to == AreaKind::Urban)
        .filter(|m| m.moved_on >= plan_effective_on())
        .map(|m| {
            Finding::new(5, "office", &m.license_no)
                .with("from_area_kind", json!(m.from.key()))
                .with("to_area_kind", json!(m.to.key()))
                .with("moved_on", json!(m.moved_on))
        })
        .collect()
}

fn rule6_internship(facts: &Facts) -> Vec<Finding> {
    facts
        .workers
        .iter()
        .filter(|w| {
            w.first_licensed_on
                .is_some_and(|d| d >= plan_effective_on())
        })
        .filter(|w| w.internship_months.is_none_or(|m| m < 12))
        .map(|w| {
            Finding::new(6, "worker", &w.license_no)
                .with("internship_months", json!(w.internship_months))
                .with("required_months", json!(12))
        })
        .collect()
}

fn rule7_shell_offices(facts: &Facts, on: NaiveDate, settings: &RuleSettings) -> Vec<Finding> {
    // The last two review years that are due on `on`, latest first.
    let due = settings.review_due.latest_due_year(on);
    let last_two = [due, due - 1];
    let minimum = i64::from(settings.min_office_workers);
    facts
        .offices
        .iter()
        .filter(|o| o.status != OfficeStatus::Deregistered)
        .filter_map(|o| {
            let unreviewed = last_two.iter().all(|y| !o.reviewed_years.contains(y));
            // An office established in the older of the two years or later
            // was not due for both.
            let due_for_both = !ReviewDue::exempt(o.established_on, last_two[1]);
            let no_review = unreviewed && due_for_both;
            let too_few = o.practising_workers < minimum;
            (no_review || too_few).then(|| {
                Finding::new(7, "office", &o.license_no)
                    .with("status", json!(o.status.key()))
                    .with("practising_workers", json!(o.practising_workers))
                    .with("min_workers", json!(minimum))
                    .with("last_review_year", json!(o.reviewed_years.iter().max()))
                    .with(
                        "years_without_review",
                        json!(if no_review { last_two.to_vec() } else { vec![] }),
                    )
            })
        })
        .collect()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn district(code: &str, population: i64, lawyers: i64) -> DistrictFacts {
        DistrictFacts {
            code: code.into(),
            population,
            lawyers,
        }
    }

    fn office(no: &str, district: &str, area: AreaKind) -> OfficeFacts {
        OfficeFacts {
            license_no: no.into(),
            district_code: district.into(),
            area_kind: area,
            status: OfficeStatus::Practising,
            established_on: Some(d("2005-01-01")),
            reviewed_years: vec![2024, 2025],
            practising_workers: 3,
        }
    }

    fn worker(no: &str, office: &str, licensed: &str, internship: i32) -> WorkerFacts {
        WorkerFacts {
            license_no: no.into(),
            office_license_no: Some(office.into()),
            licensed_at: Some(office.into()),
            status: WorkerStatus::Practising,
            first_licensed_on: Some(d(licensed)),
            internship_months: Some(internship),
        }
    }

    fn base() -> Facts {
        Facts {
            // 230 lawyers per 1,000,000 residents is exactly 2.3.
            districts: vec![
                district("500103", 1_000_000, 230),
                district("500229", 1_000_000, 100),
            ],
            offices: vec![
                office("O-CENTRAL", "500103", AreaKind::Urban),
                office("O-RURAL", "500229", AreaKind::Rural),
                office("O-TOWN", "500229", AreaKind::Urban),
            ],
            workers: vec![worker("W-OLD", "O-RURAL", "2010-05-01", 12)],
            ..Facts::default()
        }
    }

    fn rules(findings: &[Finding]) -> Vec<u8> {
        findings.iter().map(|f| f.rule).collect()
    }

    const ON: &str = "2026-11-28";

    #[test]
    fn a_clean_picture_has_no_findings() {
        assert_eq!(check_all(&base(), d(ON), &RuleSettings::default()), vec![]);
    }

    #[test]
    fn a_ratio_below_the_target_is_never_shown_as_the_target() {
        assert_eq!(display_ratio(2.2996), 2.29);
        assert_eq!(display_ratio(2.29999999), 2.29);
        assert_eq!(display_ratio(2.29), 2.29);
        assert_eq!(display_ratio(1.0), 1.0);
        assert_eq!(display_ratio(2.3), 2.3);
        assert_eq!(display_ratio(2.305), 2.31);
        // 2,299 lawyers for 10 million residents.
        let r = lawyer_ratio(2_299, 10_000_000).unwrap();
        assert_eq!(display_ratio(r), 2.29);
    }

    #[test]
    fn ratios_are_per_ten_thousand() {
        assert_eq!(lawyer_ratio(230, 1_000_000), Some(2.3));
        assert_eq!(service_ratio(200, 30, 1_000_000), Some(2.3));
        assert_eq!(lawyer_ratio(5, 0), None);
    }

    #[test]
    fn rule1_new_worker_in_a_district_at_the_target() {
        let mut f = base();
        f.workers
            .push(worker("W-NEW", "O-CENTRAL", "2026-03-01", 12));
        f.workers
            .push(worker("W-NEW2", "O-RURAL", "2026-03-01", 12));
        let found = check_all(&f, d(ON), &RuleSettings::default());
        assert_eq!(rules(&found), vec![1]);
        assert_eq!(found[0].subject, "W-NEW");
        assert_eq!(found[0].figures["lawyer_ratio"], json!(2.3));
        // Just under the target takes new workers.
        f.districts[0].lawyers = 229;
        assert_eq!(check_all(&f, d(ON), &RuleSettings::default()), vec![]);
    }

    #[test]
    fn rule1_names_the_district_that_took_the_worker_on_not_where_it_is_now() {
        let mut f = base();
        // Taken on in the district at the target, moved out since.
        let mut moved_out = worker("W-OUT", "O-RURAL", "2021-03-01", 12);
        moved_out.licensed_at = Some("O-CENTRAL".into());
        // Taken on below the target, moved in since (that move is rule 2's).
        let mut moved_in = worker("W-IN", "O-CENTRAL", "2021-03-01", 12);
        moved_in.licensed_at = Some("O-RURAL".into());
        f.workers.extend([moved_out, moved_in]);
        let found = check_all(&f, d(ON), &RuleSettings::default());
        assert_eq!(rules(&found), vec![1]);
        assert_eq!(found[0].subject, "W-OUT");
        assert_eq!(found[0].figures["district"], json!("500103"));
        assert_eq!(found[0].figures["office"], json!("O-CENTRAL"));
    }

    #[test]
    fn rule2_transfer_into_a_district_at_the_target() {
        let mut f = base();
        f.transfers.push(TransferFacts {
            worker_license_no: "W-OLD".into(),
            worker_first_licensed_on: Some(d("2010-05-01")),
            from_office_license_no: Some("O-RURAL".into()),
            to_office_license_no: "O-CENTRAL".into(),
            effective_on: d("2025-06-01"),
        });
        // Rule 3 fires too: rural office to an urban one.
        assert_eq!(
            rules(&check_all(&f, d(ON), &RuleSettings::default())),
            vec![2, 3]
        );
        f.transfers[0].effective_on = d("2019-06-01");
        assert_eq!(
            check_all(&f, d(ON), &RuleSettings::default()),
            vec![],
            "before the plan"
        );
    }

    #[test]
    fn rule3_new_worker_or_rural_worker_to_an_urban_office() {
        let mut f = base();
        f.workers.push(worker("W-TOWN", "O-TOWN", "2010-01-01", 12));
        f.offices.push(office("O-TOWN2", "500229", AreaKind::Urban));
        let t = TransferFacts {
            worker_license_no: "W-TOWN".into(),
            worker_first_licensed_on: Some(d("2010-01-01")),
            from_office_license_no: Some("O-TOWN".into()),
            to_office_license_no: "O-TOWN2".into(),
            effective_on: d("2025-06-01"),
        };
        f.transfers.push(t.clone());
        assert_eq!(
            check_all(&f, d(ON), &RuleSettings::default()),
            vec![],
            "urban to urban, experienced"
        );
        f.transfers[0].worker_first_licensed_on = Some(d("2024-07-01"));
        let found = check_all(&f, d(ON), &RuleSettings::default());
        assert_eq!(rules(&found), vec![3]);
        assert_eq!(found[0].figures["years_licensed"], json!(0));
        f.transfers[0] = TransferFacts {
            to_office_license_no: "O-RURAL".into(),
            ..t
        };
        f.transfers[0].worker_first_licensed_on = Some(d("2025-01-01"));
        assert_eq!(
            check_all(&f, d(ON), &RuleSettings::default()),
            vec![],
            "to a rural office is fine"
        );
    }

    #[test]
    fn rule4_offices_established_after_the_plan() {
        let mut f = base();
        f.offices[1].established_on = Some(d("2021-04-01"));
        assert_eq!(
            rules(&check_all(&f, d(ON), &RuleSettings::default())),
            vec![4]
        );
    }

    #[test]
    fn rule5_rural_office_moving_to_an_urban_subdistrict() {
        let mut f = base();
        f.office_moves.push(OfficeMove {
            license_no: "O-RURAL".into(),
            from: AreaKind::Urban,
            to: AreaKind::Rural,
            moved_on: d("2025-01-01"),
        });
        assert_eq!(check_all(&f, d(ON), &RuleSettings::default()), vec![]);
        f.office_moves.push(OfficeMove {
            license_no: "O-RURAL".into(),
            from: AreaKind::Rural,
            to: AreaKind::Urban,
            moved_on: d("2025-01-01"),
        });
        assert_eq!(
            rules(&check_all(&f, d(ON), &RuleSettings::default())),
            vec![5]
        );
        f.office_moves.truncate(1);
        f.office_moves.push(OfficeMove {
            license_no: "O-RURAL".into(),
            from: AreaKind::Rural,
            to: AreaKind::Urban,
            moved_on: d("2020-07-05"),
        });
        assert_eq!(
            check_all(&f, d(ON), &RuleSettings::default()),
            vec![],
            "the day before the plan"
        );
    }

    #[test]
    fn rule6_internship_of_at_least_a_year() {
        let mut f = base();
        f.workers
            .push(worker("W-SHORT", "O-RURAL", "2023-03-01", 11));
        f.workers
            .push(worker("W-FULL", "O-RURAL", "2023-03-01", 12));
        let found = check_all(&f, d(ON), &RuleSettings::default());
        assert_eq!(rules(&found), vec![6]);
        assert_eq!(found[0].subject, "W-SHORT");
        assert_eq!(found[0].figures["internship_months"], json!(11));
    }

    #[test]
    fn rule7_shell_office_candidates() {
        let mut f = base();
        f.offices[1].reviewed_years = vec![2023, 2025];
        assert_eq!(
            check_all(&f, d(ON), &RuleSettings::default()),
            vec![],
            "one missing year is not two"
        );
        f.offices[1].reviewed_years = vec![2023];
        assert_eq!(
            rules(&check_all(&f, d(ON), &RuleSettings::default())),
            vec![7]
        );
        f.offices[1].reviewed_years = vec![2024, 2025];
        f.offices[2].practising_workers = 0;
        let found = check_all(&f, d(ON), &RuleSettings::default());
        assert_eq!(rules(&found), vec![7]);
        assert_eq!(found[0].subject, "O-TOWN");
        f.offices[2].status = OfficeStatus::Deregistered;
        assert_eq!(
            check_all(&f, d(ON), &RuleSettings::default()),
            vec![],
            "a closed office is no shell"
        );
    }

    #[test]
    fn rules_2_to_6_start_on_the_plan_s_date() {
        let settings = RuleSettings::default();
        let mut f = base();
        f.offices[1].established_on = Some(d("2020-03-01"));
        assert_eq!(check_all(&f, d(ON), &settings), vec![], "before the plan");
        f.offices[1].established_on = Some(d("2020-07-05"));
        assert_eq!(check_all(&f, d(ON), &settings), vec![], "the day before");
        f.offices[1].established_on = Some(d("2020-07-06"));
        assert_eq!(
            rules(&check_all(&f, d(ON), &settings)),
            vec![4],
            "the plan's day"
        );
        f.offices[1].established_on = Some(d("2020-08-01"));
        assert_eq!(rules(&check_all(&f, d(ON), &settings)), vec![4]);

        let mut f = base();
        f.workers
            .push(worker("W-EARLY", "O-RURAL", "2020-07-05", 6));
        assert_eq!(
            check_all(&f, d(ON), &settings),
            vec![],
            "rule 6 before the plan"
        );
        f.workers.push(worker("W-LATE", "O-RURAL", "2020-07-06", 6));
        assert_eq!(rules(&check_all(&f, d(ON), &settings)), vec![6]);
    }

    #[test]
    fn rule1_covers_every_worker_licensed_since_the_plan_at_today_s_ratio() {
        let settings = RuleSettings::default();
        let mut f = base();
        f.workers
            .push(worker("W-2021", "O-CENTRAL", "2021-09-01", 12));
        f.workers
            .push(worker("W-2019", "O-CENTRAL", "2019-09-01", 12));
        let found = check_all(&f, d(ON), &settings);
        assert_eq!(rules(&found), vec![1]);
        assert_eq!(found[0].subject, "W-2021");
        assert_eq!(found[0].figures["ratio_as_of"], json!(ON));
    }

    #[test]
    fn rule7_counts_due_years_includes_suspended_offices_and_minimum_staff() {
        let settings = RuleSettings::default();
        let mut f = base();
        // On 2026-03-30 the 2025 review is not yet due: 2024 and 2023 are
        // the last two due years.
        f.offices[1].reviewed_years = vec![2022];
        assert_eq!(rules(&check_all(&f, d("2026-03-30"), &settings)), vec![7]);
        f.offices[1].reviewed_years = vec![2023];
        assert_eq!(
            check_all(&f, d("2026-03-30"), &settings),
            vec![],
            "2023 was due and taken"
        );
        assert_eq!(
            rules(&check_all(&f, d("2026-03-31"), &settings)),
            vec![7],
            "on the due day 2025 and 2024 are the last two due years"
        );
        // A suspended office is still a candidate.
        f.offices[1].status = OfficeStatus::Suspended;
        let found = check_all(&f, d("2026-03-31"), &settings);
        assert_eq!(rules(&found), vec![7]);
        assert_eq!(found[0].figures["status"], json!("suspended"));
        // Fewer practising workers than the minimum.
        let mut f = base();
        f.offices[0].practising_workers = 2;
        let found = check_all(&f, d(ON), &settings);
        assert_eq!(rules(&found), vec![7]);
        assert_eq!(found[0].figures["min_workers"], json!(3));
        let two = RuleSettings {
            min_office_workers: 2,
            ..settings
        };
        assert_eq!(check_all(&f, d(ON), &two), vec![]);
    }
}
