//! Demo data: deterministic, plausible records built on the 38 real
//! districts of Chongqing.
//!
//! [`generate`] is a pure function of the scale, the seed and the day it is
//! generated for: the same inputs give the same records, down to the last
//! coordinate. [`load`] writes them into an empty database in one
//! transaction; [`load_scale`] does both and records what was loaded in
//! `portal_meta`.
//!
//! The data is shaped to exercise the portal: every standing occurs, every
//! kind of disciplinary action occurs, the central districts sit far above
//! the plan's 2.3 lawyers per 10,000 residents while about a third of the
//! rest fall below it, and a few transfers, offices and workers break the
//! plan's rules.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

use crate::db::models::{
    District, NewAction, NewAnnouncement, NewCommendation, NewReview, NewTownship, NewTransfer,
    Office, Worker,
};
use crate::db::schema;
use crate::db::{DbConnection, DbError};
use crate::domain::dates::new_year;
use crate::domain::plan_rules::{TARGET_RATIO, lawyer_ratio, plan_effective_on};
use crate::domain::vocab::{
    AnnouncementKind, AreaKind, DisciplineKind, DistrictKind, Gender, OfficeStatus, PartyOrg,
    ReviewOutcome, SubjectKind, WorkerStatus,
};

/// Bound parameters per statement, under SQLite's limit of 32,766 (and
/// PostgreSQL's 65,535).
const MAX_BOUND_PARAMETERS: usize = 30_000;

/// Inserts `$rows` into `$table` in chunks of at most
/// [`MAX_BOUND_PARAMETERS`] bound values; `$columns` is the row's column
/// count.
macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr, $columns:expr) => {
        for chunk in $rows.chunks((MAX_BOUND_PARAMETERS / $columns).max(1)) {
            // Batch inserts do not compile against the multi-backend
            // connection, so each runs on the concrete one.
            $crate::with_backend!(&mut *$conn, |cc| diesel::insert_into($table)
                .values(chunk)
                .execute(cc))?;
        }
    };
}

/// How much demo data to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scale {
    /// Chongqing alone: 38 districts, about 300 offices and 1,300 workers.
    Province,
    /// Chongqing and invented counties of other provinces: 15,000 offices
    /// and about 70,000 workers.
    Nation,
}

impl Scale {
    /// Parses `province` or `nation`, ignoring surrounding spaces and ASCII
    /// case.
    pub fn parse(raw: &str) -> Option<Scale> {
        let s = raw.trim();
        [Scale::Province, Scale::Nation]
            .into_iter()
            .find(|scale| s.eq_ignore_ascii_case(scale.key()))
    }

    /// The stable key: `province` or `nation`.
    pub fn key(&self) -> &'static str {
        match self {
            Scale::Province => "province",
            Scale::Nation => "nation",
        }
    }
}

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 20201231;

/// Everything [`generate`] makes, in the order [`load`] inserts it.
#[derive(Debug, Clone)]
pub struct DemoData {
    /// Districts: the 38 of Chongqing, then any invented counties.
    pub districts: Vec<District>,
    /// Townships and subdistricts, ids 1 to N.
    pub townships: Vec<NewTownship>,
    /// Grassroots legal-service offices.
    pub offices: Vec<Office>,
    /// Grassroots legal-service workers.
    pub workers: Vec<Worker>,
    /// Workers' changes of office.
    pub transfers: Vec<NewTransfer>,
    /// Annual reviews of offices and workers.
    pub reviews: Vec<NewReview>,
    /// Disciplinary actions.
    pub actions: Vec<NewAction>,
    /// Commendations.
    pub commendations: Vec<NewCommendation>,
    /// Announcements.
    pub announcements: Vec<NewAnnouncement>,
}

/// How many records of each kind a [`DemoData`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DemoSummary {
    /// Districts.
    pub districts: usize,
    /// Townships.
    pub townships: usize,
    /// Offices.
    pub offices: usize,
    /// Workers.
    pub workers: usize,
    /// Transfers.
    pub transfers: usize,
    /// Annual reviews.
    pub reviews: usize,
    /// Disciplinary actions.
    pub actions: usize,
    /// Commendations.
    pub commendations: usize,
    /// Announcements.
    pub announcements: usize,
}

impl DemoData {
    /// Counts the records.
    pub fn summary(&self) -> DemoSummary {
        DemoSummary {
            districts: self.districts.len(),
            townships: self.townships.len(),
            offices: self.offices.len(),
            workers: self.workers.len(),
            transfers: self.transfers.len(),
            reviews: self.reviews.len(),
            actions: self.actions.len(),
            commendations: self.commendations.len(),
            announcements: self.announcements.len(),
        }
    }
}

/// Generates the demo data for `scale`, as of `today`. A pure function:
/// the same arguments always give the same data.
pub fn generate(scale: Scale, seed: u64, today: NaiveDate) -> DemoData {
    let mut g = Generator::new(scale, seed, today);
    let mut places = g.chongqing();
    if scale == Scale::Nation {
        let planned: usize = places.iter().map(|p| p.offices).sum();
        let invented = g.invented_counties(&places, NATION_OFFICES.saturating_sub(planned));
        places.extend(invented);
    }
    let townships = g.townships(&places);
    let offices = g.offices(&places, &townships);
    let mut workers = g.workers(&places, &offices);
    g.revoke_some(&mut workers);
    g.cast_scenarios(&mut workers, &offices);
    let reviews = g.reviews(&offices, &workers);
    let actions = g.actions(&places, &offices, &workers);
    let transfers = g.transfers(&places, &offices, &workers);
    let commendations = g.commendations(&places, &offices, &workers);
    let announcements = g.announcements(&places, &offices, &workers, &reviews);
    DemoData {
        districts: places.into_iter().map(|p| p.row).collect(),
        townships: townships.into_iter().flatten().map(|t| t.row).collect(),
        offices: offices.into_iter().map(|o| o.row).collect(),
        workers: workers.into_iter().map(WorkerPlan::into_row).collect(),
        transfers,
        reviews,
        actions,
        commendations,
        announcements,
    }
}

/// Inserts `data` into a database whose tables are empty, in one
/// transaction and in foreign-key order. Nothing is written if any insert
/// fails.
pub fn load(conn: &mut DbConnection, data: &DemoData) -> Result<DemoSummary, DbError> {
    use schema::*;
    conn.transaction(|c| {
        // The change feed's lock before any row (see db::changes).
        crate::db::changes::lock(c)?;
        insert_all!(c, districts::table, &data.districts, 9);
        insert_all!(c, townships::table, &data.townships, 4);
        insert_all!(c, offices::table, &data.offices, 16);
        insert_all!(c, workers::table, &data.workers, 10);
        insert_all!(c, transfers::table, &data.transfers, 4);
        insert_all!(c, annual_reviews::table, &data.reviews, 6);
        insert_all!(c, disciplinary_actions::table, &data.actions, 12);
        insert_all!(c, commendations::table, &data.commendations, 5);
        insert_all!(c, announcements::table, &data.announcements, 5);
        sync_township_ids(c)?;
        crate::db::changes::record_all(c, chrono::Utc::now().naive_utc())?;
        Ok(data.summary())
    })
}

/// Generates the data for `scale`, loads it with [`load`] and records the
/// scale and seed in `portal_meta` (`demo_scale`, `demo_seed`), all in one
/// transaction.
pub fn load_scale(
    conn: &mut DbConnection,
    scale: Scale,
    seed: u64,
    today: NaiveDate,
) -> Result<DemoSummary, DbError> {
    let data = generate(scale, seed, today);
    conn.transaction(|c| {
        let summary = load(c, &data)?;
        put_meta(c, "demo_scale", scale.key())?;
        put_meta(c, "demo_seed", &seed.to_string())?;
        Ok(summary)
    })
}

/// Townships were inserted with explicit ids; PostgreSQL's identity
/// sequence must learn of them or the next import would collide.
fn sync_township_ids(conn: &mut DbConnection) -> Result<(), DbError> {
    if let DbConnection::Pg(pg) = conn {
        diesel::sql_query(
            "SELECT setval(pg_get_serial_sequence('townships', 'id'), \
             (SELECT COALESCE(MAX(id), 0) + 1 FROM townships), false)",
        )
        .execute(pg)?;
    }
    Ok(())
}

fn put_meta(conn: &mut DbConnection, key: &str, value: &str) -> Result<(), DbError> {
    use schema::portal_meta::dsl as meta;
    crate::with_backend!(conn, |cc| {
        diesel::delete(meta::portal_meta.filter(meta::key.eq(key))).execute(cc)?;
        diesel::insert_into(meta::portal_meta)
            .values((meta::key.eq(key), meta::value.eq(value)))
            .execute(cc)
    })?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Fixed facts and vocabularies

const DISTRICTS_CSV: &str = include_str!("../data/chongqing_districts.csv");

/// Practising lawyers in Chongqing, the total the invented figures aim at.
const CHONGQING_LAWYERS: i64 = 17_540;

/// Offices at nation scale.
const NATION_OFFICES: usize = 15_000;

/// Workers at province scale, the base for scaling the other counts.
const PROVINCE_WORKERS: usize = 1_350;

/// 渝中区, the old city centre.
const YUZHONG: &str = "500103";
/// The main-city districts after 渝中.
const MAIN_CITY: &[&str] = &["500105", "500106", "500107", "500108", "500112"];
/// The rest of the central city.
const INNER_RING: &[&str] = &["500104", "500109", "500113"];

/// 渝中区's real subdistricts.
const YUZHONG_SUBDISTRICTS: &[&str] = &[
    "解放碑",
    "朝天门",
    "七星岗",
    "两路口",
    "上清寺",
    "菜园坝",
    "南纪门",
    "大溪沟",
    "大坪",
    "化龙桥",
    "石油路",
];

/// 忠县 carries 龙沙镇, which the search tests look for by name.
const LONGSHA_DISTRICT: &str = "500233";
const LONGSHA: &str = "龙沙";

/// A province-level region: where an invented county sits, and how its
/// authorities are named.
struct Region {
    code: &'static str,
    name: &'static str,
    abbr: &'static str,
    lat: f64,
    lng: f64,
}

impl Region {
    fn scope(&self) -> &'static str {
        if self.name.ends_with("自治区") {
            "全区"
        } else if self.name.ends_with('市') {
            "全市"
        } else {
            "全省"
        }
    }

    fn justice_department(&self) -> String {
        if self.code == CHONGQING.code {
            "重庆市司法局".to_owned()
        } else {
            format!("{}司法厅", self.name)
        }
    }

    fn association(&self) -> String {
        format!("{}基层法律服务协会", self.name)
    }
}

const CHONGQING: Region = Region {
    code: "50",
    name: "重庆市",
    abbr: "渝",
    lat: 29.56,
    lng: 106.55,
};

const fn region(
    code: &'static str,
    name: &'static str,
    abbr: &'static str,
    lat: f64,
    lng: f64,
) -> Region {
    Region {
        code,
        name,
        abbr,
        lat,
        lng,
    }
}

const OTHER_REGIONS: &[Region] = &[
    region("13", "河北省", "冀", 38.0, 114.5),
    region("14", "山西省", "晋", 37.6, 112.3),
    region("21", "辽宁省", "辽", 41.3, 122.6),
    region("22", "吉林省", "吉", 43.5, 124.5),
    region("32", "江苏省", "苏", 32.9, 119.5),
    region("33", "浙江省", "浙", 29.2, 120.2),
    region("34", "安徽省", "皖", 31.8, 117.2),
    region("35", "福建省", "闽", 26.1, 118.3),
    region("36", "江西省", "赣", 27.6, 115.7),
    region("37", "山东省", "鲁", 36.4, 118.3),
    region("41", "河南省", "豫", 33.9, 113.6),
    region("42", "湖北省", "鄂", 30.9, 112.3),
    region("43", "湖南省", "湘", 27.6, 111.7),
    region("44", "广东省", "粤", 23.4, 113.4),
    region("45", "广西壮族自治区", "桂", 23.8, 108.8),
    region("51", "四川省", "川", 30.6, 103.9),
    region("52", "贵州省", "黔", 26.8, 106.9),
    region("53", "云南省", "滇", 24.9, 101.5),
    region("61", "陕西省", "陕", 35.2, 108.9),
    region("62", "甘肃省", "甘", 36.0, 104.0),
];

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单解";

const GIVEN_NAME_CHARS: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力斌宇浩凯健俊帆鹏琳燕梅兰婷雪颖倩晨阳峰波川渝蓉亮志国民海春秋冬云飞荣德福成新利琴莉欣怡婧瑶兴永庆红梅";

const PLACE_CHARS: &str = "龙沙石桥河坝山水溪江口家湾平安新华兴隆太和清凤凰白马黄金青云高峰天星东南西北中大双三长永福宝林松柏桂花园田庙观寺铺场渡滩塘岩洞岭坪乐丰盛合同德仁义顺通茶竹梨桃柳杨槐蔡胡鹤鸣";

const STREETS: &[&str] = &[
    "人民路",
    "解放路",
    "新华路",
    "正街",
    "中山路",
    "建设路",
    "滨江路",
    "和平路",
    "文化街",
    "胜利路",
    "新街",
    "老街",
];

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

const WITHDRAWAL_REASONS: &[&str] = &[
    "经行政复议，原处罚决定认定事实不清，予以撤销",
    "经复查，原决定适用依据错误，予以撤销",
    "人民法院判决撤销原处罚决定",
];

// ---------------------------------------------------------------------------
// Plans: rows with the links and enums the later steps need

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tier {
    /// 渝中: the old city centre.
    Core,
    /// The other main-city districts.
    Main,
    /// The rest of the central city.
    Inner,
    /// Everywhere else.
    Outer,
}

fn tier_of(code: &str) -> Tier {
    if code == YUZHONG {
        Tier::Core
    } else if MAIN_CITY.contains(&code) {
        Tier::Main
    } else if INNER_RING.contains(&code) {
        Tier::Inner
    } else {
        Tier::Outer
    }
}

struct Place {
    row: District,
    region: &'static Region,
    tier: Tier,
    area_code: String,
    townships: usize,
    offices: usize,
}

impl Place {
    fn at_target(&self) -> bool {
        lawyer_ratio(self.row.lawyers, self.row.population).is_some_and(|r| r >= TARGET_RATIO)
    }

    /// Share of townships that are urban subdistricts.
    fn urban_share(&self) -> f64 {
        match self.tier {
            Tier::Core | Tier::Main | Tier::Inner => 0.85,
            Tier::Outer if self.row.kind == DistrictKind::District.key() => 0.3,
            Tier::Outer => 0.12,
        }
    }

    fn address_prefix(&self) -> String {
        format!("{}{}", self.region.name, self.row.name)
    }
}

struct TownshipPlan {
    row: NewTownship,
    area: AreaKind,
}

struct OfficePlan {
    row: Office,
    place: usize,
    area: AreaKind,
    status: OfficeStatus,
    /// Keeps no practising worker (a rule 7 candidate).
    shell: bool,
}

/// A designated worker whose records make one standing certain to occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
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

struct WorkerPlan {
    row: Worker,
    office: usize,
    status: WorkerStatus,
    licensed: NaiveDate,
    scenario: Scenario,
}

impl WorkerPlan {
    fn into_row(self) -> Worker {
        Worker {
            status: self.status.key().to_owned(),
            ..self.row
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReviewPattern {
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
    fn review_pattern(self) -> ReviewPattern {
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
    fn count(&mut self, r: &'a NewReview) {
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

// ---------------------------------------------------------------------------
// The generator

struct Generator {
    rng: StdRng,
    /// Most workers a practising office has.
    max_staff: usize,
    today: NaiveDate,
    stamp: NaiveDateTime,
    surnames: Vec<char>,
    given_chars: Vec<char>,
    place_chars: Vec<char>,
}

impl Generator {
    fn new(scale: Scale, seed: u64, today: NaiveDate) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            // About 1,300 workers for the province's 300 offices, 70,000
            // for the nation's 15,000.
            max_staff: match scale {
                Scale::Province => 7,
                Scale::Nation => 8,
            },
            today,
            stamp: today.and_time(NaiveTime::MIN),
            surnames: SURNAMES.chars().collect(),
            given_chars: GIVEN_NAME_CHARS.chars().collect(),
            place_chars: PLACE_CHARS.chars().collect(),
        }
    }

    // --- small draws -------------------------------------------------------

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.rng.random_range(0..total);
        for (item, weight) in items {
            if roll < *weight {
                return *item;
            }
            roll -= weight;
        }
        items[items.len() - 1].0
    }

    fn date_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        if to <= from {
            return from;
        }
        let span = (to - from).num_days();
        shift(from, self.rng.random_range(0..=span))
    }

    /// A day `lo..=hi` days before today.
    fn days_ago(&mut self, lo: i64, hi: i64) -> NaiveDate {
        shift(self.today, -self.rng.random_range(lo..=hi))
    }

    /// A random index whose item satisfies `pred`, scanning from a random
    /// start.
    fn find<T>(&mut self, items: &[T], pred: impl Fn(&T) -> bool) -> Option<usize> {
        self.find_index(items.len(), |i| pred(&items[i]))
    }

    /// A random index below `len` that satisfies `pred`, scanning from a
    /// random start.
    fn find_index(&mut self, len: usize, pred: impl Fn(usize) -> bool) -> Option<usize> {
        if len == 0 {
            return None;
        }
        let start = self.rng.random_range(0..len);
        (start..len).chain(0..start).find(|&i| pred(i))
    }

    fn person_name(&mut self) -> String {
        let mut name = String::from(pick(&mut self.rng, &self.surnames));
        let given = if self.chance(0.3) { 1 } else { 2 };
        for _ in 0..given {
            name.push(pick(&mut self.rng, &self.given_chars));
        }
        name
    }

    fn place_stem(&mut self) -> String {
        let a = pick(&mut self.rng, &self.place_chars);
        let b = pick(&mut self.rng, &self.place_chars);
        [a, b].iter().collect()
    }

    /// `lo..=hi` distinct items, in the list's order, joined with `;`.
    fn some_of(&mut self, items: &[&str], lo: usize, hi: usize) -> String {
        let n = self.rng.random_range(lo..=hi).min(items.len());
        let mut chosen: Vec<usize> = (0..items.len()).collect();
        chosen.shuffle(&mut self.rng);
        chosen.truncate(n);
        chosen.sort_unstable();
        chosen
            .iter()
            .map(|&i| items[i])
            .collect::<Vec<_>>()
            .join(";")
    }

    fn last_year(&self) -> i32 {
        self.today.year() - 1
    }

    // --- districts ---------------------------------------------------------

    fn chongqing(&mut self) -> Vec<Place> {
        let mut places: Vec<Place> = chongqing_facts()
            .into_iter()
            .map(|row| {
                let townships = if row.code == YUZHONG {
                    YUZHONG_SUBDISTRICTS.len()
                } else {
                    self.rng.random_range(6..=15)
                };
                Place {
                    tier: tier_of(&row.code),
                    region: &CHONGQING,
                    area_code: "023".to_owned(),
                    townships,
                    offices: (townships * 3).div_ceil(4),
                    row: District {
                        updated_at: self.stamp,
                        ..row
                    },
                }
            })
            .collect();
        self.assign_lawyers(&mut places);
        places
    }

    /// Invents lawyer counts: the central city far above the target, about
    /// a third of the rest below it, near Chongqing's real total.
    fn assign_lawyers(&mut self, places: &mut [Place]) {
        let mut others = Vec::new();
        let mut assigned = 0;
        for (i, p) in places.iter_mut().enumerate() {
            let ratio = match p.tier {
                Tier::Core => self.rng.random_range(30.0..36.0),
                Tier::Main => self.rng.random_range(8.0..15.0),
                Tier::Inner => self.rng.random_range(5.0..8.0),
                Tier::Outer => {
                    others.push(i);
                    continue;
                }
            };
            p.row.lawyers = lawyers_at(ratio, p.row.population);
            assigned += p.row.lawyers;
        }

        let (mut counties, mut districts): (Vec<usize>, Vec<usize>) = others
            .iter()
            .copied()
            .partition(|&i| places[i].row.kind != DistrictKind::District.key());
        counties.shuffle(&mut self.rng);
        districts.shuffle(&mut self.rng);
        let below_count = others.len().div_ceil(3);
        let from_counties = (below_count * 3 / 5).min(counties.len());
        let below: Vec<usize> = counties[..from_counties]
            .iter()
            .chain(districts.iter().take(below_count - from_counties))
            .copied()
            .collect();
        for &i in &below {
            let ratio = self.rng.random_range(1.2..2.2);
            places[i].row.lawyers = lawyers_at(ratio, places[i].row.population);
            assigned += places[i].row.lawyers;
        }

        let above: Vec<usize> = others.into_iter().filter(|i| !below.contains(i)).collect();
        let above_population: i64 = above.iter().map(|&i| places[i].row.population).sum();
        let needed =
            (CHONGQING_LAWYERS - assigned) as f64 * 10_000.0 / above_population.max(1) as f64;
        for i in above {
            let ratio = (needed * self.rng.random_range(0.85..1.15)).max(2.5);
            places[i].row.lawyers = lawyers_at(ratio, places[i].row.population);
        }
    }

    /// Counties of other provinces, invented until they hold
    /// `offices_needed` offices at about five each.
    fn invented_counties(&mut self, existing: &[Place], mut offices_needed: usize) -> Vec<Place> {
        let mut names: HashSet<String> = existing.iter().map(|p| p.row.name.clone()).collect();
        let mut codes: HashSet<String> = existing.iter().map(|p| p.row.code.clone()).collect();
        let mut out = Vec::new();
        while offices_needed > 0 {
            let region = &OTHER_REGIONS[self.rng.random_range(0..OTHER_REGIONS.len())];
            let code = loop {
                let city: u32 = self.rng.random_range(1..=20);
                let county: u32 = self.rng.random_range(21..=85);
                let code = format!("{}{city:02}{county:02}", region.code);
                if codes.insert(code.clone()) {
                    break code;
                }
            };
            let name = loop {
                let name = format!("{}县", self.place_stem());
                if names.insert(name.clone()) {
                    break name;
                }
            };
            let population = self.rng.random_range(200_000..=1_200_000);
            let ratio = self.rng.random_range(0.8..5.0);
            let lat = round6((region.lat + self.rng.random_range(-1.5..1.5)).clamp(20.0, 45.0));
            let lng = round6((region.lng + self.rng.random_range(-1.5..1.5)).clamp(100.0, 125.0));
            let offices = self.rng.random_range(3..=7).min(offices_needed);
            let townships = self.rng.random_range(6..=15).max(offices);
            let area_code = format!("0{}", self.rng.random_range(310..=999));
            offices_needed -= offices;
            out.push(Place {
                row: District {
                    code,
                    name,
                    kind: DistrictKind::County.key().to_owned(),
                    population,
                    lawyers: lawyers_at(ratio, population),
                    borders_sichuan: false,
                    seat_lat: Some(lat),
                    seat_lng: Some(lng),
                    updated_at: self.stamp,
                },
                region,
                tier: Tier::Outer,
                area_code,
                townships,
                offices,
            });
        }
        out
    }

    // --- townships and offices ----------------------------------------------

    fn townships(&mut self, places: &[Place]) -> Vec<Vec<TownshipPlan>> {
        let mut next_id = 1;
        let mut out = Vec::with_capacity(places.len());
        for place in places {
            let mut taken = HashSet::new();
            let mut list = Vec::with_capacity(place.townships);
            for i in 0..place.townships {
                let (name, area) = self.township_name(place, i, &mut taken);
                list.push(TownshipPlan {
                    row: NewTownship {
                        id: next_id,
                        district_code: place.row.code.clone(),
                        name,
                        area_kind: area.key().to_owned(),
                    },
                    area,
                });
                next_id += 1;
            }
            out.push(list);
        }
        out
    }

    fn township_name(
        &mut self,
        place: &Place,
        i: usize,
        taken: &mut HashSet<String>,
    ) -> (String, AreaKind) {
        if place.row.code == YUZHONG {
            return (format!("{}街道", YUZHONG_SUBDISTRICTS[i]), AreaKind::Urban);
        }
        if place.row.code == LONGSHA_DISTRICT && i == 0 {
            taken.insert(LONGSHA.to_owned());
            return (format!("{LONGSHA}镇"), AreaKind::Rural);
        }
        loop {
            let stem = self.place_stem();
            // 龙沙 stays unique so that a search for it finds one office.
            if stem == LONGSHA || !taken.insert(stem.clone()) {
                continue;
            }
            let area = if self.chance(place.urban_share()) {
                AreaKind::Urban
            } else {
                AreaKind::Rural
            };
            let suffix = match area {
                AreaKind::Urban => "街道",
                AreaKind::Rural if self.chance(0.3) => "乡",
                AreaKind::Rural => "镇",
            };
            return (format!("{stem}{suffix}"), area);
        }
    }

    fn offices(&mut self, places: &[Place], townships: &[Vec<TownshipPlan>]) -> Vec<OfficePlan> {
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

    fn workers(&mut self, places: &[Place], offices: &[OfficePlan]) -> Vec<WorkerPlan> {
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
    fn revoke_some(&mut self, workers: &mut [WorkerPlan]) {
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

    fn cast_scenarios(&mut self, workers: &mut [WorkerPlan], offices: &[OfficePlan]) {
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

    // --- annual reviews ------------------------------------------------------

    fn reviews(&mut self, offices: &[OfficePlan], workers: &[WorkerPlan]) -> Vec<NewReview> {
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

    fn actions(
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

    fn transfers(
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

    fn commendations(
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

    fn announcements(
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

// ---------------------------------------------------------------------------
// Free helpers

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn shift(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_signed(TimeDelta::days(days))
        .unwrap_or(date)
}

fn add_years_back(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_sub_months(Months::new(12 * years))
        .unwrap_or(NaiveDate::MIN)
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn lawyers_at(ratio: f64, population: i64) -> i64 {
    (ratio * population as f64 / 10_000.0).round() as i64
}

/// A count that is `per_province` at province scale and grows with the
/// number of workers.
fn scaled(workers: usize, per_province: usize) -> usize {
    (per_province * workers / PROVINCE_WORKERS).max(per_province)
}

fn chongqing_facts() -> Vec<District> {
    DISTRICTS_CSV
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(parse_district_line)
        .collect()
}

/// `code,name,kind,population_2020,population_exact,seat_lat,seat_lng,borders_sichuan`
fn parse_district_line(line: &str) -> District {
    let f: Vec<&str> = line.trim().split(',').map(str::trim).collect();
    assert_eq!(f.len(), 8, "chongqing_districts.csv: bad line {line:?}");
    let kind = DistrictKind::parse(f[2]).expect("chongqing_districts.csv: unknown district kind");
    District {
        code: f[0].to_owned(),
        name: f[1].to_owned(),
        kind: kind.key().to_owned(),
        population: f[3]
            .parse()
            .expect("chongqing_districts.csv: bad population"),
        lawyers: 0,
        borders_sichuan: f[7] == "true",
        seat_lat: f[5].parse().ok(),
        seat_lng: f[6].parse().ok(),
        updated_at: NaiveDateTime::MIN,
    }
}

fn place_of<'a>(places: &'a [Place], offices: &[OfficePlan], w: &WorkerPlan) -> &'a Place {
    &places[offices[w.office].place]
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

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use diesel::dsl::count_star;

    use super::*;
    use crate::domain::LicenseNo;
    use crate::domain::plan_rules::{
        self, DistrictFacts, Facts, OfficeFacts, TransferFacts, WorkerFacts,
    };
    use crate::domain::standing::{
        ActionRecord, OfficeLink, ReviewRecord, Standing, StandingPolicy, Subject, SubjectStatus,
        assess,
    };

    fn today() -> NaiveDate {
        ymd(2026, 11, 28)
    }

    fn province() -> DemoData {
        generate(Scale::Province, DEFAULT_SEED, today())
    }

    /// The standing of every office and worker on `on`, keyed by
    /// (subject kind, license number).
    fn standings(data: &DemoData, on: NaiveDate) -> BTreeMap<(String, String), Standing> {
        let mut reviews: HashMap<(&str, &str), Vec<ReviewRecord>> = HashMap::new();
        for r in &data.reviews {
            reviews
                .entry((&r.subject_kind, &r.subject_license_no))
                .or_default()
                .push(ReviewRecord {
                    year: r.year,
                    outcome: ReviewOutcome::parse(&r.outcome).unwrap(),
                    rectify_by: r.rectify_by,
                    rectified_on: r.rectified_on,
                });
        }
        let mut actions: HashMap<(&str, &str), Vec<ActionRecord>> = HashMap::new();
        for a in &data.actions {
            actions
                .entry((&a.subject_kind, &a.subject_license_no))
                .or_default()
                .push(ActionRecord {
                    decision_no: a.decision_no.clone(),
                    kind: DisciplineKind::parse(&a.kind).unwrap(),
                    decided_on: a.decided_on,
                    suspended_until: a.suspended_until,
                    public_until: a.public_until,
                    withdrawn_on: a.withdrawn_on,
                });
        }
        let windows = StandingPolicy::default();
        let mut out = BTreeMap::new();
        let offices: HashMap<&str, OfficeLink<'_>> = data
            .offices
            .iter()
            .map(|o| {
                let link = OfficeLink {
                    license_no: &o.license_no,
                    name: &o.name,
                    status: OfficeStatus::parse(&o.status).unwrap().into(),
                    actions: actions
                        .get(&("office", o.license_no.as_str()))
                        .map_or(&[], Vec::as_slice),
                };
                (o.license_no.as_str(), link)
            })
            .collect();
        let mut assess_one =
            |kind: SubjectKind, no: &str, status: SubjectStatus, licensed_on, office| {
                let key = (kind.key(), no);
                let subject = Subject {
                    status,
                    licensed_on,
                    reviews: reviews.get(&key).map_or(&[], Vec::as_slice),
                    actions: actions.get(&key).map_or(&[], Vec::as_slice),
                    office,
                };
                let standing = assess(&subject, on, &windows).standing;
                out.insert((kind.key().to_owned(), no.to_owned()), standing);
            };
        for o in &data.offices {
            let status = OfficeStatus::parse(&o.status).unwrap().into();
            assess_one(
                SubjectKind::Office,
                &o.license_no,
                status,
                o.established_on,
                None,
            );
        }
        for w in &data.workers {
            let status = WorkerStatus::parse(&w.status).unwrap().into();
            let office = w
                .office_license_no
                .as_deref()
                .and_then(|o| offices.get(o).copied());
            assess_one(
                SubjectKind::Worker,
                &w.license_no,
                status,
                w.first_licensed_on,
                office,
            );
        }
        out
    }

    fn plan_facts(data: &DemoData) -> Facts {
        let mut reviewed: HashMap<&str, Vec<i32>> = HashMap::new();
        for r in data
            .reviews
            .iter()
            .filter(|r| r.subject_kind == "office" && r.outcome != "absent")
        {
            reviewed
                .entry(&r.subject_license_no)
                .or_default()
                .push(r.year);
        }
        let mut practising: HashMap<&str, i64> = HashMap::new();
        for w in data.workers.iter().filter(|w| w.status == "practising") {
            *practising
                .entry(w.office_license_no.as_deref().unwrap())
                .or_default() += 1;
        }
        let licensed: HashMap<&str, Option<NaiveDate>> = data
            .workers
            .iter()
            .map(|w| (w.license_no.as_str(), w.first_licensed_on))
            .collect();
        Facts {
            districts: data
                .districts
                .iter()
                .map(|d| DistrictFacts {
                    code: d.code.clone(),
                    population: d.population,
                    lawyers: d.lawyers,
                })
                .collect(),
            offices: data
                .offices
                .iter()
                .map(|o| OfficeFacts {
                    license_no: o.license_no.clone(),
                    district_code: o.district_code.clone(),
                    area_kind: AreaKind::parse(&o.area_kind).unwrap(),
                    status: OfficeStatus::parse(&o.status).unwrap(),
                    established_on: o.established_on,
                    reviewed_years: reviewed
                        .get(o.license_no.as_str())
                        .cloned()
                        .unwrap_or_default(),
                    practising_workers: practising.get(o.license_no.as_str()).copied().unwrap_or(0),
                })
                .collect(),
            workers: data
                .workers
                .iter()
                .map(|w| WorkerFacts {
                    license_no: w.license_no.clone(),
                    office_license_no: w.office_license_no.clone(),
                    status: WorkerStatus::parse(&w.status).unwrap(),
                    first_licensed_on: w.first_licensed_on,
                    internship_months: w.internship_months,
                })
                .collect(),
            transfers: data
                .transfers
                .iter()
                .map(|t| TransferFacts {
                    worker_license_no: t.worker_license_no.clone(),
                    worker_first_licensed_on: licensed[t.worker_license_no.as_str()],
                    from_office_license_no: t.from_office_license_no.clone(),
                    to_office_license_no: t.to_office_license_no.clone(),
                    effective_on: t.effective_on,
                })
                .collect(),
            office_moves: Vec::new(),
        }
    }

    fn assert_unique<T: std::hash::Hash + Eq + std::fmt::Debug>(
        what: &str,
        items: impl IntoIterator<Item = T>,
    ) {
        let mut seen = HashSet::new();
        for item in items {
            assert!(
                seen.insert(format!("{item:?}")),
                "duplicate {what}: {item:?}"
            );
        }
    }

    #[test]
    fn scale_keys_round_trip() {
        for scale in [Scale::Province, Scale::Nation] {
            assert_eq!(Scale::parse(scale.key()), Some(scale));
        }
        assert_eq!(Scale::parse(" Nation "), Some(Scale::Nation));
        assert_eq!(Scale::parse("city"), None);
    }

    #[test]
    fn generation_is_deterministic() {
        let a = province();
        let b = province();
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        let other = generate(Scale::Province, DEFAULT_SEED + 1, today());
        assert_ne!(format!("{a:?}"), format!("{other:?}"));
    }

    #[test]
    fn province_counts() {
        let data = province();
        let s = data.summary();
        assert_eq!(s.districts, 38);
        assert!((250..=350).contains(&s.offices), "{s:?}");
        assert!((1_100..=1_500).contains(&s.workers), "{s:?}");
        assert!((30..=60).contains(&s.transfers), "{s:?}");
        assert!((35..=60).contains(&s.actions), "{s:?}");
        assert!((25..=40).contains(&s.commendations), "{s:?}");
        assert!((15..=30).contains(&s.announcements), "{s:?}");
        for kind in DisciplineKind::ALL {
            assert!(
                data.actions.iter().any(|a| a.kind == kind.key()),
                "no {kind} action"
            );
        }
        for kind in AnnouncementKind::ALL {
            assert!(
                data.announcements.iter().any(|a| a.kind == kind.key()),
                "no {kind} announcement"
            );
        }
        assert!(
            data.actions
                .iter()
                .any(|a| a.withdrawn_on.is_some() && a.withdrawn_reason.is_some())
        );
        let revoked = data
            .workers
            .iter()
            .filter(|w| w.status == "revoked")
            .count();
        assert!((3..=5).contains(&revoked), "{revoked} revoked");
        let total: i64 = data.districts.iter().map(|d| d.lawyers).sum();
        assert!((16_000..=19_000).contains(&total), "{total} lawyers");
        assert!(data.offices.iter().any(|o| o.name == "龙沙镇法律服务所"));
        assert!(
            data.offices
                .iter()
                .any(|o| o.name == "解放碑街道法律服务所")
        );
        for surname in ['单', '解', '曾'] {
            assert!(
                data.workers.iter().any(|w| w.name.starts_with(surname)),
                "no {surname}"
            );
        }
    }

    #[test]
    fn every_standing_occurs_on_any_day() {
        for (seed, on) in [
            (DEFAULT_SEED, today()),
            (7, ymd(2025, 1, 5)),
            (42, ymd(2030, 7, 1)),
        ] {
            let data = generate(Scale::Province, seed, on);
            let found: HashSet<Standing> = standings(&data, on).into_values().collect();
            for s in Standing::ALL {
                assert!(
                    found.contains(s),
                    "seed {seed} on {on}: no subject is {}",
                    s.key()
                );
            }
        }
    }

    #[test]
    fn a_disclosure_window_closed_yesterday() {
        let data = province();
        let yesterday = shift(today(), -1);
        let only_action = |no: &str| {
            data.actions
                .iter()
                .filter(|a| a.subject_license_no == no)
                .count()
                == 1
        };
        let a = data
            .actions
            .iter()
            .find(|a| a.public_until == Some(yesterday) && a.subject_kind == "worker")
            .expect("an action disclosed until yesterday");
        assert!(only_action(&a.subject_license_no));
        let all = standings(&data, today());
        assert_eq!(
            all[&("worker".to_owned(), a.subject_license_no.clone())],
            Standing::GoodStanding
        );
        let before = standings(&data, yesterday);
        assert_eq!(
            before[&("worker".to_owned(), a.subject_license_no.clone())],
            Standing::DisclosedRecord
        );
    }

    #[test]
    fn central_districts_are_above_the_target_and_a_third_of_the_rest_below() {
        let data = province();
        let ratio = |d: &District| lawyer_ratio(d.lawyers, d.population).unwrap();
        let (central, others): (Vec<&District>, Vec<&District>) = data
            .districts
            .iter()
            .partition(|d| tier_of(&d.code) != Tier::Outer);
        assert_eq!(central.len(), 9);
        for d in &central {
            assert!(ratio(d) >= TARGET_RATIO, "{} at {}", d.name, ratio(d));
        }
        let yuzhong = data.districts.iter().find(|d| d.code == YUZHONG).unwrap();
        assert!(ratio(yuzhong) >= 30.0);
        let below = others.iter().filter(|d| ratio(d) < TARGET_RATIO).count() as f64;
        let share = below / others.len() as f64;
        assert!((0.25..=0.45).contains(&share), "{share}");
    }

    #[test]
    fn keys_are_unique() {
        let data = province();
        assert_unique("district", data.districts.iter().map(|d| &d.code));
        assert_unique("township id", data.townships.iter().map(|t| t.id));
        assert_unique(
            "township",
            data.townships.iter().map(|t| (&t.district_code, &t.name)),
        );
        assert_unique("office", data.offices.iter().map(|o| &o.license_no));
        assert_unique("worker", data.workers.iter().map(|w| &w.license_no));
        assert_unique("decision", data.actions.iter().map(|a| &a.decision_no));
        assert_unique(
            "announcement",
            data.announcements
                .iter()
                .map(|a| (&a.title, a.published_on)),
        );
        assert_unique(
            "transfer",
            data.transfers
                .iter()
                .map(|t| (&t.worker_license_no, t.effective_on)),
        );
        assert_unique(
            "review",
            data.reviews
                .iter()
                .map(|r| (&r.subject_kind, &r.subject_license_no, r.year)),
        );
        assert_unique(
            "commendation",
            data.commendations
                .iter()
                .map(|c| (&c.subject_license_no, &c.title, c.awarded_on)),
        );
    }

    #[test]
    fn license_numbers_are_normalised() {
        let data = province();
        let numbers = data
            .offices
            .iter()
            .map(|o| &o.license_no)
            .chain(data.workers.iter().map(|w| &w.license_no));
        for no in numbers {
            assert_eq!(LicenseNo::parse(no).unwrap().as_str(), no);
        }
    }

    #[test]
    fn references_hold() {
        let data = province();
        let districts: HashSet<&str> = data.districts.iter().map(|d| d.code.as_str()).collect();
        let townships: HashMap<i64, &NewTownship> =
            data.townships.iter().map(|t| (t.id, t)).collect();
        let offices: HashSet<&str> = data.offices.iter().map(|o| o.license_no.as_str()).collect();
        let workers: HashSet<&str> = data.workers.iter().map(|w| w.license_no.as_str()).collect();
        for t in &data.townships {
            assert!(districts.contains(t.district_code.as_str()));
        }
        for o in &data.offices {
            let t = townships[&o.township_id.unwrap()];
            assert_eq!(t.district_code, o.district_code);
            assert_eq!(t.area_kind, o.area_kind);
            assert!(o.name.starts_with(&t.name));
        }
        for w in &data.workers {
            assert!(offices.contains(w.office_license_no.as_deref().unwrap()));
        }
        for t in &data.transfers {
            assert!(workers.contains(t.worker_license_no.as_str()));
            assert!(offices.contains(t.to_office_license_no.as_str()));
            assert!(offices.contains(t.from_office_license_no.as_deref().unwrap()));
        }
        let subject_exists = |kind: &str, no: &str| match kind {
            "office" => offices.contains(no),
            "worker" => workers.contains(no),
            _ => false,
        };
        for a in &data.actions {
            assert!(
                subject_exists(&a.subject_kind, &a.subject_license_no),
                "{a:?}"
            );
        }
        for r in &data.reviews {
            assert!(
                subject_exists(&r.subject_kind, &r.subject_license_no),
                "{r:?}"
            );
        }
        for c in &data.commendations {
            assert!(
                subject_exists(&c.subject_kind, &c.subject_license_no),
                "{c:?}"
            );
        }
        for a in &data.announcements {
            for no in crate::db::models::split_list(&a.license_nos) {
                assert!(
                    offices.contains(no.as_str()) || workers.contains(no.as_str()),
                    "{no}"
                );
            }
        }
    }

    #[test]
    fn a_worker_s_office_is_where_the_latest_transfer_took_them() {
        let data = province();
        let mut latest: HashMap<&str, &NewTransfer> = HashMap::new();
        for t in &data.transfers {
            let e = latest.entry(&t.worker_license_no).or_insert(t);
            if t.effective_on > e.effective_on {
                *e = t;
            }
        }
        for w in &data.workers {
            if let Some(t) = latest.get(w.license_no.as_str()) {
                assert_eq!(
                    w.office_license_no.as_deref(),
                    Some(t.to_office_license_no.as_str())
                );
                assert!(w.first_licensed_on.unwrap() < t.effective_on);
                assert!(t.effective_on <= today());
            }
        }
    }

    #[test]
    fn the_plan_s_rules_find_breaches() {
        let data = province();
        let findings = plan_rules::check_all(&plan_facts(&data), today(), &Default::default());
        let rules: HashSet<u8> = findings.iter().map(|f| f.rule).collect();
        for rule in [2, 3, 4, 6, 7] {
            assert!(
                rules.contains(&rule),
                "rule {rule} never breached: {rules:?}"
            );
        }
        let new_offices = findings.iter().filter(|f| f.rule == 4).count();
        assert!((1..=3).contains(&new_offices));
    }

    #[test]
    fn loads_into_sqlite() -> Result<(), DbError> {
        use schema::*;
        let mut c = crate::db::establish(":memory:")?;
        crate::db::run_migrations(&mut c)?;
        let summary = load_scale(&mut c, Scale::Province, DEFAULT_SEED, today())?;
        assert_eq!(summary, province().summary());
        let offices: i64 = offices::table.select(count_star()).first(&mut c)?;
        let workers: i64 = workers::table.select(count_star()).first(&mut c)?;
        let reviews: i64 = annual_reviews::table.select(count_star()).first(&mut c)?;
        assert_eq!(offices as usize, summary.offices);
        assert_eq!(workers as usize, summary.workers);
        assert_eq!(reviews as usize, summary.reviews);
        let scale: String = portal_meta::table
            .filter(portal_meta::key.eq("demo_scale"))
            .select(portal_meta::value)
            .first(&mut c)?;
        assert_eq!(scale, "province");
        // A second load fails as a whole and leaves the first intact.
        assert!(load_scale(&mut c, Scale::Province, DEFAULT_SEED, today()).is_err());
        let again: i64 = workers::table.select(count_star()).first(&mut c)?;
        assert_eq!(again, workers);
        Ok(())
    }

    /// Loads into a throw-away PostgreSQL database when `TEST_DATABASE_URL`
    /// names a server (as the integration tests do); passes otherwise.
    #[test]
    fn loads_into_postgres_when_configured() -> Result<(), DbError> {
        let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
            return Ok(());
        };
        let name = format!("test_demo_{}", uuid::Uuid::new_v4().simple());
        let mut admin = crate::db::establish(&admin_url)?;
        diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut admin)?;
        let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&name);
        let result = (|| -> Result<(), DbError> {
            use schema::*;
            let mut c = crate::db::establish(url.as_str())?;
            crate::db::run_migrations(&mut c)?;
            let summary = load_scale(&mut c, Scale::Province, DEFAULT_SEED, today())?;
            let workers: i64 = workers::table.select(count_star()).first(&mut c)?;
            assert_eq!(workers as usize, summary.workers);
            // The identity sequence has moved past the explicit ids.
            let id: i64 = diesel::insert_into(townships::table)
                .values((
                    townships::district_code.eq(YUZHONG),
                    townships::name.eq("新建街道"),
                    townships::area_kind.eq("urban"),
                ))
                .returning(townships::id)
                .get_result(&mut c)?;
            assert_eq!(id as usize, summary.townships + 1);
            Ok(())
        })();
        diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&mut admin)?;
        result
    }

    /// Run with `cargo test --release --lib demo -- --ignored --nocapture`.
    #[test]
    #[ignore = "nation scale: slow without --release"]
    fn nation_scale() -> Result<(), DbError> {
        let started = Instant::now();
        let data = generate(Scale::Nation, DEFAULT_SEED, today());
        let generated = started.elapsed();
        let s = data.summary();
        println!("nation: {s:?}, generated in {generated:?}");
        assert_eq!(s.offices, NATION_OFFICES);
        assert!((60_000..=80_000).contains(&s.workers));
        assert_unique("district", data.districts.iter().map(|d| &d.code));
        assert_unique("decision", data.actions.iter().map(|a| &a.decision_no));
        assert_unique("worker", data.workers.iter().map(|w| &w.license_no));
        assert_unique(
            "announcement",
            data.announcements
                .iter()
                .map(|a| (&a.title, a.published_on)),
        );
        assert_unique(
            "transfer",
            data.transfers
                .iter()
                .map(|t| (&t.worker_license_no, t.effective_on)),
        );
        assert_unique(
            "township",
            data.townships.iter().map(|t| (&t.district_code, &t.name)),
        );
        assert_unique(
            "review",
            data.reviews
                .iter()
                .map(|r| (&r.subject_kind, &r.subject_license_no, r.year)),
        );
        let mut c = crate::db::establish(":memory:")?;
        crate::db::run_migrations(&mut c)?;
        let started = Instant::now();
        load(&mut c, &data)?;
        println!("nation: loaded into SQLite in {:?}", started.elapsed());
        Ok(())
    }

    #[test]
    fn the_shape_holds_for_other_seeds_and_days() {
        for seed in 0..12u64 {
            let on = shift(ymd(2024, 1, 3), seed as i64 * 97);
            let data = generate(Scale::Province, seed, on);
            let s = data.summary();
            assert!((250..=350).contains(&s.offices), "seed {seed}: {s:?}");
            assert!((1_100..=1_500).contains(&s.workers), "seed {seed}: {s:?}");
            let found: HashSet<Standing> = standings(&data, on).into_values().collect();
            assert_eq!(
                found.len(),
                Standing::ALL.len(),
                "seed {seed} on {on}: {found:?}"
            );
            let rules: HashSet<u8> =
                plan_rules::check_all(&plan_facts(&data), on, &Default::default())
                    .iter()
                    .map(|f| f.rule)
                    .collect();
            for rule in [2, 3, 4, 6, 7] {
                assert!(
                    rules.contains(&rule),
                    "seed {seed} on {on}: rule {rule} never breached"
                );
            }
        }
    }
}
