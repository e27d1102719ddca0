//! From a [`Sheet`] of text to checked records: headers matched to columns,
//! every cell parsed, keys unique within the batch, referenced license
//! numbers known. Every problem is collected, not only the first.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::Dataset;
use super::columns::{self, Column};
use super::parse::{Header, Limits, Row, Sheet};
use super::report::{MAX_PROBLEMS, Problem, keep_first};
use crate::domain::LicenseNo;
use crate::domain::dates::parse_date;
use crate::domain::vocab::{
    AnnouncementKind, AreaKind, DisciplineKind, DistrictKind, Gender, OfficeStatus, PartyOrg,
    ReviewOutcome, SubjectKind, WorkerStatus,
};

/// A district row.
#[derive(Debug, Clone)]
pub struct DistrictIn {
    /// Row number.
    pub row: usize,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: DistrictKind,
    /// Population.
    pub population: i64,
    /// Lawyers.
    pub lawyers: i64,
    /// Borders Sichuan.
    pub borders_sichuan: bool,
}

/// An office row.
#[derive(Debug, Clone)]
pub struct OfficeIn {
    /// Row number.
    pub row: usize,
    /// License number.
    pub license_no: String,
    /// Name.
    pub name: String,
    /// District code.
    pub district_code: String,
    /// Township name.
    pub township: Option<String>,
    /// Area kind.
    pub area_kind: AreaKind,
    /// Address.
    pub address: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lng: Option<f64>,
    /// Phone.
    pub phone: String,
    /// Hours.
    pub hours: String,
    /// Director.
    pub director: String,
    /// Party organisation.
    pub party_org: PartyOrg,
    /// Practice areas joined with `;`.
    pub practice_areas: String,
    /// Status.
    pub status: OfficeStatus,
    /// Established.
    pub established_on: Option<NaiveDate>,
}

/// A worker row.
#[derive(Debug, Clone)]
pub struct WorkerIn {
    /// Row number.
    pub row: usize,
    /// License number.
    pub license_no: String,
    /// Name.
    pub name: String,
    /// Gender.
    pub gender: Option<Gender>,
    /// Office.
    pub office_license_no: Option<String>,
    /// Status.
    pub status: WorkerStatus,
    /// First licensed.
    pub first_licensed_on: Option<NaiveDate>,
    /// Internship months.
    pub internship_months: Option<i32>,
    /// Practice areas joined with `;`.
    pub practice_areas: String,
    /// Adviser posts joined with `;`.
    pub adviser_posts: String,
    /// When a change of office takes effect (default: the import day).
    pub transferred_on: Option<NaiveDate>,
}

/// A transfer row.
#[derive(Debug, Clone)]
pub struct TransferIn {
    /// Row number.
    pub row: usize,
    /// Worker.
    pub worker_license_no: String,
    /// Office left, when given.
    pub from_office_license_no: Option<String>,
    /// Office joined.
    pub to_office_license_no: String,
    /// Effective date.
    pub effective_on: NaiveDate,
}

/// An annual review row.
#[derive(Debug, Clone)]
pub struct ReviewIn {
    /// Row number.
    pub row: usize,
    /// Subject kind (given or inferred).
    pub subject_kind: SubjectKind,
    /// Subject.
    pub subject_license_no: String,
    /// Year.
    pub year: i32,
    /// Outcome.
    pub outcome: ReviewOutcome,
    /// Rectification deadline.
    pub rectify_by: Option<NaiveDate>,
    /// The day rectification was completed.
    pub rectified_on: Option<NaiveDate>,
    /// Note.
    pub note: Option<String>,
}

/// A disciplinary action row.
#[derive(Debug, Clone)]
pub struct ActionIn {
    /// Row number.
    pub row: usize,
    /// Decision number.
    pub decision_no: String,
    /// Subject kind.
    pub subject_kind: SubjectKind,
    /// Subject.
    pub subject_license_no: String,
    /// Kind.
    pub kind: DisciplineKind,
    /// Authority.
    pub authority: String,
    /// Decided on.
    pub decided_on: NaiveDate,
    /// Facts.
    pub facts: String,
    /// Basis.
    pub basis: String,
    /// Suspended until.
    pub suspended_until: Option<NaiveDate>,
    /// Public until.
    pub public_until: Option<NaiveDate>,
    /// Withdrawn on.
    pub withdrawn_on: Option<NaiveDate>,
    /// Withdrawal reason.
    pub withdrawn_reason: Option<String>,
}

/// A commendation row.
#[derive(Debug, Clone)]
pub struct CommendationIn {
    /// Row number.
    pub row: usize,
    /// Subject kind.
    pub subject_kind: SubjectKind,
    /// Subject.
    pub subject_license_no: String,
    /// Title.
    pub title: String,
    /// Awarding body.
    pub awarded_by: String,
    /// Date.
    pub awarded_on: NaiveDate,
}

/// An announcement row.
#[derive(Debug, Clone)]
pub struct AnnouncementIn {
    /// Row number.
    pub row: usize,
    /// Kind.
    pub kind: AnnouncementKind,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Published.
    pub published_on: NaiveDate,
    /// License numbers concerned.
    pub license_nos: Vec<String>,
}

/// The checked rows of one batch.
#[derive(Debug, Clone)]
pub enum Records {
    /// Districts.
    Districts(Vec<DistrictIn>),
    /// Offices.
    Offices(Vec<OfficeIn>),
    /// Workers.
    Workers(Vec<WorkerIn>),
    /// Transfers.
    Transfers(Vec<TransferIn>),
    /// Annual reviews.
    Reviews(Vec<ReviewIn>),
    /// Disciplinary actions.
    Actions(Vec<ActionIn>),
    /// Commendations.
    Commendations(Vec<CommendationIn>),
    /// Announcements.
    Announcements(Vec<AnnouncementIn>),
}

impl Records {
    /// Rows in the batch.
    pub fn len(&self) -> usize {
        match self {
            Records::Districts(v) => v.len(),
            Records::Offices(v) => v.len(),
            Records::Workers(v) => v.len(),
            Records::Transfers(v) => v.len(),
            Records::Reviews(v) => v.len(),
            Records::Actions(v) => v.len(),
            Records::Commendations(v) => v.len(),
            Records::Announcements(v) => v.len(),
        }
    }

    /// Whether the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where each known column sits in the sheet, with its header as written.
struct Layout {
    at: HashMap<&'static str, (usize, String)>,
}

/// Matches headers to the dataset's columns; unknown, repeated and missing
/// required columns are problems (data under no header is found as the
/// rows come, by [`RowReader`]).
fn layout(dataset: Dataset, headers: &[Header], problems: &mut Vec<Problem>) -> Layout {
    let mut at = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if h.text.is_empty() {
            continue;
        }
        match columns::resolve(dataset, &h.text) {
            None => problems.push(Problem::new(
                h.row,
                &h.text,
                "unknown_column",
                format!(
                    "未知的列“{}”：{} 数据集不接受此列。可用的列：{}。",
                    h.text,
                    dataset.key(),
                    known_columns(dataset)
                ),
            )),
            Some(c) => {
                if at.insert(c.key, (i, h.text.clone())).is_some() {
                    problems.push(Problem::new(
                        h.row,
                        &h.text,
                        "duplicate_column",
                        format!("列“{}”（{}）出现了不止一次。", h.text, c.key),
                    ));
                }
            }
        }
    }
    let header_row = headers.first().map_or(1, |h| h.row);
    for c in columns::columns(dataset).iter().filter(|c| c.required) {
        if !at.contains_key(c.key) {
            problems.push(Problem::new(
                header_row,
                c.key,
                "missing_column",
                format!("缺少必填列“{}”（{}）。", c.headers[0], c.key),
            ));
        }
    }
    Layout { at }
}

fn known_columns(dataset: Dataset) -> String {
    columns::columns(dataset)
        .iter()
        .map(|c: &Column| format!("{} {}", c.key, c.headers[0]))
        .collect::<Vec<_>>()
        .join("、")
}

/// The largest whole number a cell may hold (a trillion: no population,
/// head count or month count comes near it).
const MAX_NUMBER: i64 = 1_000_000_000_000;

/// One row being read, collecting its problems.
struct Cells<'a> {
    row: &'a Row,
    layout: &'a Layout,
    problems: &'a mut Vec<Problem>,
}

impl Cells<'_> {
    fn raw(&self, key: &str) -> Option<&str> {
        let (i, _) = self.layout.at.get(key)?;
        self.row.cells.get(*i)?.as_deref()
    }

    fn header(&self, key: &str) -> String {
        self.layout
            .at
            .get(key)
            .map_or_else(|| key.to_owned(), |(_, h)| h.clone())
    }

    fn problem(&mut self, key: &str, code: &str, message: String) {
        let column = self.header(key);
        self.problems
            .push(Problem::new(self.row.number, &column, code, message));
    }

    fn text(&self, key: &str) -> Option<String> {
        self.raw(key).map(str::to_owned)
    }

    fn text_or_empty(&self, key: &str) -> String {
        self.text(key).unwrap_or_default()
    }

    fn required(&mut self, key: &str) -> Option<String> {
        let v = self.text(key);
        if v.is_none() && self.layout.at.contains_key(key) {
            let h = self.header(key);
            self.problem(key, "missing_value", format!("“{h}”不能为空。"));
        }
        v
    }

    /// A district's GB/T 2260 code: six digits (full-width digits and
    /// surrounding spaces taken), else a row problem.
    fn required_district_code(&mut self, key: &str) -> Option<String> {
        let raw = self.required(key)?;
        let code: String = raw
            .chars()
            .map(crate::domain::license::fold_width)
            .filter(|c| !c.is_whitespace())
            .collect();
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            return Some(code);
        }
        let h = self.header(key);
        self.problem(
            key,
            "invalid_value",
            format!("“{h}”应为 6 位数字的行政区划代码（如 500103），而不是“{raw}”。"),
        );
        None
    }

    fn license(&mut self, key: &str) -> Option<String> {
        let raw = self.raw(key)?.to_owned();
        match LicenseNo::parse(&raw) {
            Ok(l) => Some(l.into_string()),
            Err(_) => {
                self.problem(
                    key,
                    "bad_license_no",
                    format!("“{raw}”不是有效的执业证号：只能包含数字、字母和连字符。"),
                );
                None
            }
        }
    }

    fn required_license(&mut self, key: &str) -> Option<String> {
        self.required(key)?;
        self.license(key)
    }

    fn date(&mut self, key: &str) -> Option<NaiveDate> {
        let raw = self.raw(key)?.to_owned();
        let d = parse_date(&raw);
        if d.is_none() {
            self.problem(
                key,
                "bad_date",
                format!("“{raw}”不是有效日期：请写作 2024-03-01、2024/3/1 或 2024年3月1日。"),
            );
        }
        d
    }

    fn required_date(&mut self, key: &str) -> Option<NaiveDate> {
        self.required(key)?;
        self.date(key)
    }

    fn vocab<T>(&mut self, key: &str, parse: fn(&str) -> Option<T>, all: &[&str]) -> Option<T> {
        let raw = self.raw(key)?.to_owned();
        let v = parse(&raw);
        if v.is_none() {
            self.problem(
                key,
                "unknown_vocabulary",
                format!("“{raw}”不是可接受的取值；可用：{}。", all.join("、")),
            );
        }
        v
    }

    fn required_vocab<T>(
        &mut self,
        key: &str,
        parse: fn(&str) -> Option<T>,
        all: &[&str],
    ) -> Option<T> {
        self.required(key)?;
        self.vocab(key, parse, all)
    }

    fn int(&mut self, key: &str) -> Option<i64> {
        let raw = self.raw(key)?.to_owned();
        let folded: String = raw
            .chars()
            .map(crate::domain::license::fold_width)
            .filter(|c| *c != ',' && !c.is_whitespace())
            .collect();
        let v = folded
            .parse::<i64>()
            .ok()
            .or_else(|| {
                folded
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                    .map(|f| f as i64)
            })
            .filter(|v| *v >= 0);
        match v {
            None => self.problem(key, "bad_number", format!("“{raw}”不是有效的非负整数。")),
            // Figures are summed over a province's or the nation's
            // districts: a bound keeps every sum far from overflowing.
            Some(n) if n > MAX_NUMBER => {
                self.problem(
                    key,
                    "bad_number",
                    format!("“{raw}”过大：最大为 {MAX_NUMBER}。"),
                );
                return None;
            }
            Some(_) => {}
        }
        v
    }

    fn required_int(&mut self, key: &str) -> Option<i64> {
        self.required(key)?;
        self.int(key)
    }

    fn coordinate(&mut self, key: &str, limit: f64) -> Option<f64> {
        let raw = self.raw(key)?.to_owned();
        let v = raw.parse::<f64>().ok().filter(|v| v.abs() <= limit);
        if v.is_none() {
            self.problem(
                key,
                "bad_number",
                format!("“{raw}”不是有效的坐标（WGS-84 度数）。"),
            );
        }
        v
    }

    fn boolean(&mut self, key: &str) -> Option<bool> {
        let raw = self.raw(key)?.to_owned();
        match raw.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" | "是" | "毗邻" => Some(true),
            "false" | "0" | "no" | "n" | "否" | "不毗邻" => Some(false),
            _ => {
                self.problem(
                    key,
                    "unknown_vocabulary",
                    format!("“{raw}”不是可接受的取值；可用：是、否、true、false。"),
                );
                None
            }
        }
    }

    fn list(&self, key: &str) -> String {
        split_list(self.raw(key).unwrap_or_default()).join(";")
    }
}

/// Splits a list written with `;`, `；`, `、` or `,`.
pub fn split_list(raw: &str) -> Vec<String> {
    raw.split([';', '；', '、', ',', '，'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn keys<T: Copy>(all: &[T], key: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| key(*v)).collect()
}

/// Reads every row of `sheet` as `dataset`, with the header and cell
/// problems found (reference checks come later, with the database).
pub fn read(dataset: Dataset, sheet: &Sheet) -> (Records, Vec<Problem>) {
    let mut reader = RowReader::new(dataset, &sheet.headers, Limits::default().cell_chars);
    for p in &sheet.problems {
        reader.problem(p.clone());
    }
    for row in &sheet.rows {
        reader.push(row);
    }
    let (records, mut problems, _, _) = reader.finish();
    keep_first(&mut problems, MAX_PROBLEMS);
    (records, problems)
}

/// Reads rows of one dataset as they come, so that a body never has to be
/// held as a whole sheet: each row becomes a record at once. Problems are
/// kept to the first [`MAX_PROBLEMS`] by row (and counted beyond).
pub struct RowReader {
    dataset: Dataset,
    layout: Layout,
    records: Records,
    problems: Vec<Problem>,
    omitted: usize,
    /// Per column: the header as written, whether it is a name, whether
    /// data under no header was already reported there, and its longest
    /// cell in characters.
    columns: Vec<(String, bool, bool, usize)>,
    kind_at: Option<usize>,
    given: HashSet<usize>,
    headers: HashMap<&'static str, String>,
}

/// Text columns that are part of a record's key or held in an index
/// (unique keys, and `workers.name` for search by name): PostgreSQL's
/// index takes at most 2,704 bytes an entry, so a long cell there would
/// fail the whole batch with a server error, not a row problem.
/// [`KEY_CHARS`] Chinese characters fit with room to spare.
const KEY_COLUMNS: &[&str] = &["code", "decision_no", "township", "title", "name"];

/// The longest cell of a [`KEY_COLUMNS`] column, in characters.
const KEY_CHARS: usize = 200;

/// Columns holding a name or a title: bidirectional controls are refused
/// there.
const NAME_COLUMNS: &[&str] = &[
    "name",
    "director",
    "township",
    "authority",
    "awarded_by",
    "title",
];

impl RowReader {
    /// Starts on the header row; cells longer than `cell_chars` characters
    /// are row problems.
    pub fn new(dataset: Dataset, headers: &[Header], cell_chars: usize) -> Self {
        let mut problems = Vec::new();
        let layout = layout(dataset, headers, &mut problems);
        let mut info = HashMap::new();
        let mut kind_at = None;
        let columns = headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let column = columns::resolve(dataset, &h.text);
                if let Some(c) = column {
                    info.entry(c.key).or_insert_with(|| h.text.clone());
                    if c.key == "subject_kind" {
                        kind_at = Some(i);
                    }
                }
                let name = column.is_some_and(|c| NAME_COLUMNS.contains(&c.key));
                let max = if column.is_some_and(|c| KEY_COLUMNS.contains(&c.key)) {
                    cell_chars.min(KEY_CHARS)
                } else {
                    cell_chars
                };
                (h.text.clone(), name, false, max)
            })
            .collect();
        let records = match dataset {
            Dataset::Districts => Records::Districts(Vec::new()),
            Dataset::Offices => Records::Offices(Vec::new()),
            Dataset::Workers => Records::Workers(Vec::new()),
            Dataset::Transfers => Records::Transfers(Vec::new()),
            Dataset::Reviews => Records::Reviews(Vec::new()),
            Dataset::DisciplinaryActions => Records::Actions(Vec::new()),
            Dataset::Commendations => Records::Commendations(Vec::new()),
            Dataset::Announcements => Records::Announcements(Vec::new()),
        };
        Self {
            dataset,
            layout,
            records,
            problems,
            omitted: 0,
            columns,
            kind_at,
            given: HashSet::new(),
            headers: info,
        }
    }

    /// A row that could not be read.
    pub fn problem(&mut self, p: Problem) {
        self.problems.push(p);
        self.compact();
    }

    /// Reads one row.
    pub fn push(&mut self, row: &Row) {
        let first_new = self.problems.len();
        self.push_checked(row);
        // Each new problem quotes the cell it is about, as the file gave it.
        for p in self.problems.iter_mut().skip(first_new) {
            if !p.cell.is_empty() || p.row != row.number || p.column.is_empty() {
                continue;
            }
            let at = self.columns.iter().position(|(h, _, _, _)| *h == p.column);
            if let Some(Some(text)) = at.and_then(|i| row.cells.get(i)) {
                p.cell = text.chars().take(super::report::CELL_QUOTE_CHARS).collect();
            }
        }
    }

    fn push_checked(&mut self, row: &Row) {
        self.check_cells(row);
        if self
            .kind_at
            .is_some_and(|i| row.cells.get(i).is_some_and(Option::is_some))
        {
            self.given.insert(row.number);
        }
        let mut c = Cells {
            row,
            layout: &self.layout,
            problems: &mut self.problems,
        };
        macro_rules! one {
            ($variant:ident, $f:ident) => {
                if let (Records::$variant(v), Some(r)) = (&mut self.records, $f(&mut c)) {
                    v.push(r);
                }
            };
        }
        match self.dataset {
            Dataset::Districts => one!(Districts, district),
            Dataset::Offices => one!(Offices, office),
            Dataset::Workers => one!(Workers, worker),
            Dataset::Transfers => one!(Transfers, transfer),
            Dataset::Reviews => one!(Reviews, review),
            Dataset::DisciplinaryActions => one!(Actions, action),
            Dataset::Commendations => one!(Commendations, commendation),
            Dataset::Announcements => one!(Announcements, announcement),
        }
        self.compact();
    }

    /// What no column parser looks at: data under no header, cells over
    /// the length limit, control characters and noncharacters anywhere,
    /// bidirectional controls in names.
    fn check_cells(&mut self, row: &Row) {
        for (i, cell) in row.cells.iter().enumerate() {
            let Some(text) = cell else { continue };
            let (header, name, max) = match self.columns.get_mut(i) {
                Some((h, _, reported, _)) if h.is_empty() || *reported => {
                    if !*reported {
                        *reported = true;
                        self.problems.push(unnamed(row.number, i));
                    }
                    continue;
                }
                Some((h, name, _, max)) => (h.as_str(), *name, *max),
                None => {
                    self.columns.resize(i + 1, (String::new(), false, false, 0));
                    self.columns[i].2 = true;
                    self.problems.push(unnamed(row.number, i));
                    continue;
                }
            };
            if let Some(p) = super::cells::check(row.number, header, text, name, max) {
                self.problems.push(p);
            }
        }
    }

    /// Keeps the problems to the first [`MAX_PROBLEMS`] by row once twice
    /// as many were collected.
    fn compact(&mut self) {
        if self.problems.len() >= 2 * MAX_PROBLEMS {
            self.omitted += keep_first(&mut self.problems, MAX_PROBLEMS);
        }
    }

    /// The records, the problems kept (not sorted), how many more there
    /// were, and what the reference check needs to know of the sheet.
    pub fn finish(mut self) -> (Records, Vec<Problem>, usize, SheetInfo) {
        duplicates(&self.records, &self.layout, &mut self.problems);
        self.compact();
        let info = SheetInfo {
            given: self.given,
            headers: self.headers,
        };
        (self.records, self.problems, self.omitted, info)
    }
}

fn unnamed(row: usize, i: usize) -> Problem {
    Problem::new(
        row,
        "",
        "unknown_column",
        format!("第 {} 列有数据但没有表头。", i + 1),
    )
}

fn district(c: &mut Cells<'_>) -> Option<DistrictIn> {
    let code = c.required_district_code("code");
    let name = c.required("name");
    let kind = c.required_vocab(
        "kind",
        DistrictKind::parse,
        &keys(DistrictKind::ALL, DistrictKind::key),
    );
    let population = c.required_int("population");
    if let Some(p) = population.filter(|p| *p <= 0) {
        c.problem(
            "population",
            "invalid_value",
            format!("常住人口必须大于 0，而不是 {p}。"),
        );
    }
    let lawyers = c.required_int("lawyers");
    let borders_sichuan = c.boolean("borders_sichuan").unwrap_or(false);
    Some(DistrictIn {
        row: c.row.number,
        code: code?,
        name: name?,
        kind: kind?,
        population: population?,
        lawyers: lawyers?,
        borders_sichuan,
    })
}

fn office(c: &mut Cells<'_>) -> Option<OfficeIn> {
    let license_no = c.required_license("license_no");
    let name = c.required("name");
    let district_code = c.required_district_code("district_code");
    let area_kind = c.required_vocab(
        "area_kind",
        AreaKind::parse,
        &keys(AreaKind::ALL, AreaKind::key),
    );
    let lat = c.coordinate("lat", 90.0);
    let lng = c.coordinate("lng", 180.0);
    let party_org = c
        .vocab(
            "party_org",
            PartyOrg::parse,
            &keys(PartyOrg::ALL, PartyOrg::key),
        )
        .unwrap_or(PartyOrg::NoOrganisation);
    let status = c.required_vocab(
        "status",
        OfficeStatus::parse,
        &keys(OfficeStatus::ALL, OfficeStatus::key),
    );
    let established_on = c.date("established_on");
    Some(OfficeIn {
        row: c.row.number,
        license_no: license_no?,
        name: name?,
        district_code: district_code?,
        township: c.text("township"),
        area_kind: area_kind?,
        address: c.text_or_empty("address"),
        lat,
        lng,
        phone: c.text_or_empty("phone"),
        hours: c.text_or_empty("hours"),
        director: c.text_or_empty("director"),
        party_org,
        practice_areas: c.list("practice_areas"),
        status: status?,
        established_on,
    })
}

fn worker(c: &mut Cells<'_>) -> Option<WorkerIn> {
    let license_no = c.required_license("license_no");
    let name = c.required("name");
    let gender = c.vocab("gender", Gender::parse, &keys(Gender::ALL, Gender::key));
    let office = c.license("office_license_no");
    let status = c.required_vocab(
        "status",
        WorkerStatus::parse,
        &keys(WorkerStatus::ALL, WorkerStatus::key),
    );
    let first = c.date("first_licensed_on");
    let months = c.int("internship_months");
    let months = match months.map(i32::try_from) {
        Some(Ok(m)) => Some(m),
        Some(Err(_)) => {
            c.problem("internship_months", "bad_number", "实习月数过大。".into());
            None
        }
        None => None,
    };
    Some(WorkerIn {
        row: c.row.number,
        license_no: license_no?,
        name: name?,
        gender,
        office_license_no: office,
        status: status?,
        first_licensed_on: first,
        internship_months: months,
        practice_areas: c.list("practice_areas"),
        adviser_posts: c.list("adviser_posts"),
        transferred_on: c.date("transferred_on"),
    })
}

fn transfer(c: &mut Cells<'_>) -> Option<TransferIn> {
    let worker = c.required_license("worker_license_no");
    let from = c.license("from_office_license_no");
    let to = c.required_license("to_office_license_no");
    let on = c.required_date("effective_on");
    Some(TransferIn {
        row: c.row.number,
        worker_license_no: worker?,
        from_office_license_no: from,
        to_office_license_no: to?,
        effective_on: on?,
    })
}

/// The subject kind as given; `None` when the column is absent or empty
/// (it is then inferred from the license number).
fn subject_kind(c: &mut Cells<'_>) -> Result<Option<SubjectKind>, ()> {
    if c.raw("subject_kind").is_none() {
        return Ok(None);
    }
    c.vocab(
        "subject_kind",
        SubjectKind::parse,
        &keys(SubjectKind::ALL, SubjectKind::key),
    )
    .map(Some)
    .ok_or(())
}

fn review(c: &mut Cells<'_>) -> Option<ReviewIn> {
    let kind = subject_kind(c);
    let subject = c.required_license("subject_license_no");
    let year = c.required_int("year");
    let year = match year {
        Some(y) if (1990..=2100).contains(&y) => Some(y as i32),
        Some(y) => {
            c.problem(
                "year",
                "bad_number",
                format!("年度 {y} 不在 1990 至 2100 之间。"),
            );
            None
        }
        None => None,
    };
    let outcome = c.required_vocab(
        "outcome",
        ReviewOutcome::parse,
        &keys(ReviewOutcome::ALL, ReviewOutcome::key),
    );
    let rectify_by = c.date("rectify_by");
    let rectified_on = c.date("rectified_on");
    if let (Some(done), Some(y)) = (rectified_on, year)
        && done < crate::domain::dates::new_year(y)
    {
        c.problem(
            "rectified_on",
            "invalid_value",
            format!("整改完成日期 {done} 早于考核年度 {y} 年。"),
        );
    }
    let kind = kind.ok()?;
    if let (Some(k), Some(o)) = (kind, outcome)
        && !o.applies_to(k)
    {
        c.problem(
            "outcome",
            "invalid_value",
            format!(
                "考核结果“{}”不适用于{}。",
                o.key(),
                if k == SubjectKind::Office {
                    "机构"
                } else {
                    "人员"
                }
            ),
        );
    }
    Some(ReviewIn {
        row: c.row.number,
        subject_kind: kind.unwrap_or(INFER),
        subject_license_no: subject?,
        year: year?,
        outcome: outcome?,
        rectify_by,
        rectified_on,
        note: c.text("note"),
    })
}

/// Placeholder until the subject kind is inferred from the database in
/// [`check_references`].
const INFER: SubjectKind = SubjectKind::Worker;

fn action(c: &mut Cells<'_>) -> Option<ActionIn> {
    let decision_no = c.required("decision_no");
    let kind_of_subject = subject_kind(c);
    let subject = c.required_license("subject_license_no");
    let kind = c.required_vocab(
        "kind",
        DisciplineKind::parse,
        &keys(DisciplineKind::ALL, DisciplineKind::key),
    );
    let authority = c.required("authority");
    let decided_on = c.required_date("decided_on");
    let suspended_until = c.date("suspended_until");
    let public_until = c.date("public_until");
    let withdrawn_on = c.date("withdrawn_on");
    let withdrawn_reason = c.text("withdrawn_reason");
    // A 停止执业 penalty has a term; without its end the worker would show
    // as suspended for ever.
    if kind == Some(DisciplineKind::SuspendPractice) && suspended_until.is_none() {
        let h = c.header("suspended_until");
        c.problem(
            "suspended_until",
            "missing_value",
            format!("处理种类为停止执业时，“{h}”不能为空。"),
        );
    }
    if let Some(decided) = decided_on {
        for (key, date) in [
            ("suspended_until", suspended_until),
            ("public_until", public_until),
            ("withdrawn_on", withdrawn_on),
        ] {
            if let Some(d) = date.filter(|d| *d < decided) {
                let h = c.header(key);
                c.problem(
                    key,
                    "invalid_value",
                    format!("“{h}” {d} 早于决定日期 {decided}。"),
                );
            }
        }
    }
    // A reason without a date would read as withdrawn to the bureau and
    // stay a mark on the public page.
    if withdrawn_reason.is_some() && withdrawn_on.is_none() {
        let h = c.header("withdrawn_on");
        c.problem(
            "withdrawn_on",
            "missing_value",
            format!("填写了撤销原因时，“{h}”不能为空。"),
        );
    }
    Some(ActionIn {
        row: c.row.number,
        decision_no: decision_no?,
        subject_kind: kind_of_subject.ok()?.unwrap_or(INFER),
        subject_license_no: subject?,
        kind: kind?,
        authority: authority?,
        decided_on: decided_on?,
        facts: c.text_or_empty("facts"),
        basis: c.text_or_empty("basis"),
        suspended_until,
        public_until,
        withdrawn_on,
        withdrawn_reason,
    })
}

fn commendation(c: &mut Cells<'_>) -> Option<CommendationIn> {
    let kind = subject_kind(c);
    let subject = c.required_license("subject_license_no");
    let title = c.required("title");
    let by = c.required("awarded_by");
    let on = c.required_date("awarded_on");
    Some(CommendationIn {
        row: c.row.number,
        subject_kind: kind.ok()?.unwrap_or(INFER),
        subject_license_no: subject?,
        title: title?,
        awarded_by: by?,
        awarded_on: on?,
    })
}

fn announcement(c: &mut Cells<'_>) -> Option<AnnouncementIn> {
    let kind = c.required_vocab(
        "kind",
        AnnouncementKind::parse,
        &keys(AnnouncementKind::ALL, AnnouncementKind::key),
    );
    let title = c.required("title");
    let on = c.required_date("published_on");
    let mut license_nos = Vec::new();
    for raw in split_list(c.raw("license_nos").unwrap_or_default()) {
        match LicenseNo::parse(&raw) {
            Ok(l) => license_nos.push(l.into_string()),
            Err(_) => c.problem(
                "license_nos",
                "bad_license_no",
                format!("“{raw}”不是有效的执业证号。"),
            ),
        }
    }
    Some(AnnouncementIn {
        row: c.row.number,
        kind: kind?,
        title: title?,
        body: c.text_or_empty("body"),
        published_on: on?,
        license_nos,
    })
}

/// The batch key of each record, with the column to blame.
fn key_of(records: &Records) -> (Vec<(usize, Cow<'_, str>)>, &'static str) {
    match records {
        Records::Districts(v) => (
            v.iter().map(|r| (r.row, r.code.as_str().into())).collect(),
            "code",
        ),
        Records::Offices(v) => (
            v.iter()
                .map(|r| (r.row, r.license_no.as_str().into()))
                .collect(),
            "license_no",
        ),
        Records::Workers(v) => (
            v.iter()
                .map(|r| (r.row, r.license_no.as_str().into()))
                .collect(),
            "license_no",
        ),
        Records::Transfers(v) => (
            v.iter()
                .map(|r| {
                    (
                        r.row,
                        format!("{} {}", r.worker_license_no, r.effective_on).into(),
                    )
                })
                .collect(),
            "effective_on",
        ),
        Records::Reviews(v) => (
            v.iter()
                .map(|r| (r.row, format!("{} {}", r.subject_license_no, r.year).into()))
                .collect(),
            "year",
        ),
        Records::Actions(v) => (
            v.iter()
                .map(|r| (r.row, r.decision_no.as_str().into()))
                .collect(),
            "decision_no",
        ),
        Records::Commendations(v) => (
            v.iter()
                .map(|r| {
                    (
                        r.row,
                        format!("{} {} {}", r.subject_license_no, r.title, r.awarded_on).into(),
                    )
                })
                .collect(),
            "title",
        ),
        Records::Announcements(v) => (
            v.iter()
                .map(|r| (r.row, format!("{} {}", r.title, r.published_on).into()))
                .collect(),
            "title",
        ),
    }
}

fn duplicates(records: &Records, layout: &Layout, problems: &mut Vec<Problem>) {
    let (keys, column) = key_of(records);
    let header = layout
        .at
        .get(column)
        .map_or(column.to_owned(), |(_, h)| h.clone());
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(keys.len());
    for (row, key) in &keys {
        if let Some(earlier) = first.get(key.as_ref()) {
            problems.push(Problem::new(
                *row,
                &header,
                "duplicate_key",
                format!("与第 {earlier} 行重复：同一批次中“{key}”只能出现一次。"),
            ));
        } else {
            first.insert(key.as_ref(), *row);
        }
    }
}

/// The license numbers the database knows, by table.
#[derive(Debug, Default)]
pub struct Known {
    /// District codes.
    pub districts: HashSet<String>,
    /// Office license numbers.
    pub offices: HashSet<String>,
    /// Worker license numbers.
    pub workers: HashSet<String>,
}

/// What a batch refers to, to be looked up in the database.
#[derive(Debug, Default)]
pub struct Wanted {
    /// District codes.
    pub districts: HashSet<String>,
    /// Office license numbers.
    pub offices: HashSet<String>,
    /// Worker license numbers.
    pub workers: HashSet<String>,
}

/// Everything `records` refers to. Subjects whose kind is not given are
/// looked up in both tables.
pub fn wanted(records: &Records, given_kind: &dyn Fn(usize) -> bool) -> Wanted {
    let mut w = Wanted::default();
    let subject = |w: &mut Wanted, row: usize, kind: SubjectKind, no: &str| {
        if !given_kind(row) || kind == SubjectKind::Office {
            w.offices.insert(no.to_owned());
        }
        if !given_kind(row) || kind == SubjectKind::Worker {
            w.workers.insert(no.to_owned());
        }
    };
    match records {
        Records::Districts(_) => {}
        Records::Offices(v) => w
            .districts
            .extend(v.iter().map(|r| r.district_code.clone())),
        Records::Workers(v) => w
            .offices
            .extend(v.iter().filter_map(|r| r.office_license_no.clone())),
        Records::Transfers(v) => {
            for r in v {
                w.workers.insert(r.worker_license_no.clone());
                w.offices.insert(r.to_office_license_no.clone());
                w.offices.extend(r.from_office_license_no.clone());
            }
        }
        Records::Reviews(v) => v
            .iter()
            .for_each(|r| subject(&mut w, r.row, r.subject_kind, &r.subject_license_no)),
        Records::Actions(v) => v
            .iter()
            .for_each(|r| subject(&mut w, r.row, r.subject_kind, &r.subject_license_no)),
        Records::Commendations(v) => v
            .iter()
            .for_each(|r| subject(&mut w, r.row, r.subject_kind, &r.subject_license_no)),
        Records::Announcements(v) => {
            for r in v {
                w.offices.extend(r.license_nos.iter().cloned());
                w.workers.extend(r.license_nos.iter().cloned());
            }
        }
    }
    w
}

/// Checks the dates that must not lie in the future on `today`: a fact is
/// imported once it has happened. A rectification cannot be recorded as
/// completed, a withdrawal as made, before it happened; and a change of
/// office, a first licence or an office's founding dated later would count
/// today (the office a worker is at is what standing reads: a transfer
/// dated next month out of a suspended office would show the worker in
/// good standing now). Problems beyond the report's cap are counted in
/// `omitted`, as the reader does, so a million such rows cost no more than
/// a thousand.
pub fn check_dates(
    records: &Records,
    today: NaiveDate,
    header_of: &dyn Fn(&str) -> String,
    problems: &mut Vec<Problem>,
    omitted: &mut usize,
) {
    let mut later = |row: usize, key: &str, what: &str, date: Option<NaiveDate>| {
        let Some(date) = date.filter(|d| *d > today) else {
            return;
        };
        problems.push(Problem::new(
            row,
            &header_of(key),
            "invalid_value",
            format!("{what} {date} 晚于今天（{today}）：请在它发生后再导入。"),
        ));
        if problems.len() >= 2 * MAX_PROBLEMS {
            *omitted += keep_first(problems, MAX_PROBLEMS);
        }
    };
    match records {
        Records::Offices(rows) => rows
            .iter()
            .for_each(|r| later(r.row, "established_on", "成立日期", r.established_on)),
        Records::Workers(rows) => {
            for r in rows {
                later(
                    r.row,
                    "first_licensed_on",
                    "首次执业日期",
                    r.first_licensed_on,
                );
                later(r.row, "transferred_on", "变更日期", r.transferred_on);
            }
        }
        Records::Transfers(rows) => rows
            .iter()
            .for_each(|r| later(r.row, "effective_on", "变更日期", Some(r.effective_on))),
        Records::Reviews(rows) => rows
            .iter()
            .for_each(|r| later(r.row, "rectified_on", "整改完成日期", r.rectified_on)),
        Records::Actions(rows) => rows
            .iter()
            .for_each(|r| later(r.row, "withdrawn_on", "撤销日期", r.withdrawn_on)),
        _ => {}
    }
}

/// Checks that every referenced record exists, and settles the subject
/// kind of rows that did not give one. `given_kind(row)` says whether the
/// row gave its subject kind.
pub fn check_references(
    records: &mut Records,
    known: &Known,
    header_of: &dyn Fn(&str) -> String,
    given_kind: &dyn Fn(usize) -> bool,
    problems: &mut Vec<Problem>,
) {
    let mut invalid = Vec::new();
    let mut missing = |row: usize, key: &str, what: &str, no: &str| {
        problems.push(
            Problem::new(
                row,
                &header_of(key),
                "unknown_reference",
                format!("{what}“{no}”不存在：请先导入该{what}。"),
            )
            .with_cell(no),
        );
    };
    let settle = |row: usize, kind: &mut SubjectKind, no: &str| -> bool {
        if given_kind(row) {
            return match kind {
                SubjectKind::Office => known.offices.contains(no),
                SubjectKind::Worker => known.workers.contains(no),
            };
        }
        if known.workers.contains(no) {
            *kind = SubjectKind::Worker;
            true
        } else if known.offices.contains(no) {
            *kind = SubjectKind::Office;
            true
        } else {
            false
        }
    };
    let what = |k: SubjectKind| {
        if k == SubjectKind::Office {
            "机构"
        } else {
            "人员"
        }
    };
    match records {
        Records::Districts(_) => {}
        Records::Offices(v) => {
            for r in v
                .iter()
                .filter(|r| !known.districts.contains(&r.district_code))
            {
                missing(r.row, "district_code", "区县", &r.district_code);
            }
        }
        Records::Workers(v) => {
            for r in v {
                if let Some(o) = &r.office_license_no
                    && !known.offices.contains(o)
                {
                    missing(r.row, "office_license_no", "机构", o);
                }
            }
        }
        Records::Transfers(v) => {
            for r in v {
                if !known.workers.contains(&r.worker_license_no) {
                    missing(r.row, "worker_license_no", "人员", &r.worker_license_no);
                }
                if !known.offices.contains(&r.to_office_license_no) {
                    missing(
                        r.row,
                        "to_office_license_no",
                        "机构",
                        &r.to_office_license_no,
                    );
                }
                if let Some(f) = &r.from_office_license_no
                    && !known.offices.contains(f)
                {
                    missing(r.row, "from_office_license_no", "机构", f);
                }
            }
        }
        Records::Reviews(v) => {
            for r in v {
                if !settle(r.row, &mut r.subject_kind, &r.subject_license_no) {
                    missing(
                        r.row,
                        "subject_license_no",
                        what(r.subject_kind),
                        &r.subject_license_no,
                    );
                } else if !r.outcome.applies_to(r.subject_kind) && !given_kind(r.row) {
                    invalid.push(Problem::new(
                        r.row,
                        &header_of("outcome"),
                        "invalid_value",
                        format!(
                            "考核结果“{}”不适用于{}。",
                            r.outcome.key(),
                            what(r.subject_kind)
                        ),
                    ));
                }
            }
        }
        Records::Actions(v) => {
            for r in v {
                if !settle(r.row, &mut r.subject_kind, &r.subject_license_no) {
                    missing(
                        r.row,
                        "subject_license_no",
                        what(r.subject_kind),
                        &r.subject_license_no,
                    );
                }
            }
        }
        Records::Commendations(v) => {
            for r in v {
                if !settle(r.row, &mut r.subject_kind, &r.subject_license_no) {
                    missing(
                        r.row,
                        "subject_license_no",
                        what(r.subject_kind),
                        &r.subject_license_no,
                    );
                }
            }
        }
        Records::Announcements(v) => {
            for r in v {
                for no in &r.license_nos {
                    if !known.offices.contains(no) && !known.workers.contains(no) {
                        missing(r.row, "license_nos", "执业证号", no);
                    }
                }
            }
        }
    }
    problems.extend(invalid);
}

/// Whether each row gave a subject kind, and the header of each column, as
/// the reference check needs them.
pub struct SheetInfo {
    given: HashSet<usize>,
    headers: HashMap<&'static str, String>,
}

impl SheetInfo {
    /// Collects the information from `sheet`.
    pub fn new(dataset: Dataset, sheet: &Sheet) -> Self {
        let mut headers = HashMap::new();
        let mut kind_at = None;
        for (i, h) in sheet.headers.iter().enumerate() {
            if let Some(c) = columns::resolve(dataset, &h.text) {
                headers.entry(c.key).or_insert_with(|| h.text.clone());
                if c.key == "subject_kind" {
                    kind_at = Some(i);
                }
            }
        }
        let given = match kind_at {
            Some(i) => sheet
                .rows
                .iter()
                .filter(|r| r.cells.get(i).is_some_and(Option::is_some))
                .map(|r| r.number)
                .collect(),
            None => HashSet::new(),
        };
        Self { given, headers }
    }

    /// Whether row `row` gave its subject kind.
    pub fn gave_kind(&self, row: usize) -> bool {
        self.given.contains(&row)
    }

    /// Whether the sheet has a column for `key`.
    pub fn has(&self, key: &str) -> bool {
        self.headers.contains_key(key)
    }

    /// The header the user wrote for `key`.
    pub fn header(&self, key: &str) -> String {
        self.headers
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }
}

/// What a district-limited account or token may not import: rows about a
/// subject of another district (issue 13). `office_district` and
/// `worker_district` map the subjects the database knows to their
/// district; a row is in scope when every district it touches (an office's
/// district before and after, a worker's office before and after, a
/// transfer's both ends, a record's subject) is `scope`. A notice naming no
/// subject is the city's.
pub struct Scope<'a> {
    /// The district the batch is limited to.
    pub district: &'a str,
    /// Known offices' districts.
    pub office_district: &'a HashMap<String, String>,
    /// Known workers' districts (through their office).
    pub worker_district: &'a HashMap<String, String>,
    /// The stored records the batch would overwrite.
    pub overwritten: &'a crate::db::imports::Overwritten,
}

/// Adds the subjects of the stored records a batch would overwrite to the
/// offices and workers whose districts [`check_scope`] needs.
pub fn add_overwritten_subjects(
    o: &crate::db::imports::Overwritten,
    offices: &mut HashSet<String>,
    workers: &mut HashSet<String>,
) {
    for (kind, no) in o.actions.values() {
        if kind == SubjectKind::Office.key() {
            offices.insert(no.clone());
        } else {
            workers.insert(no.clone());
        }
    }
    for nos in o.announcements.values() {
        offices.extend(nos.iter().cloned());
        workers.extend(nos.iter().cloned());
    }
    for nos in o.transfers.values() {
        offices.extend(nos.iter().cloned());
    }
}

/// The offices and workers whose districts [`check_scope`] needs.
pub fn scope_subjects(records: &Records) -> (HashSet<String>, HashSet<String>) {
    let mut offices = HashSet::new();
    let mut workers = HashSet::new();
    let mut subject = |kind: SubjectKind, no: &str| match kind {
        SubjectKind::Office => offices.insert(no.to_owned()),
        SubjectKind::Worker => workers.insert(no.to_owned()),
    };
    match records {
        Records::Districts(_) => {}
        Records::Offices(v) => v.iter().for_each(|r| {
            subject(SubjectKind::Office, &r.license_no);
        }),
        Records::Workers(v) => v.iter().for_each(|r| {
            subject(SubjectKind::Worker, &r.license_no);
            if let Some(o) = &r.office_license_no {
                subject(SubjectKind::Office, o);
            }
        }),
        Records::Transfers(v) => v.iter().for_each(|r| {
            subject(SubjectKind::Worker, &r.worker_license_no);
            subject(SubjectKind::Office, &r.to_office_license_no);
            if let Some(o) = &r.from_office_license_no {
                subject(SubjectKind::Office, o);
            }
        }),
        Records::Reviews(v) => v.iter().for_each(|r| {
            subject(r.subject_kind, &r.subject_license_no);
        }),
        Records::Actions(v) => v.iter().for_each(|r| {
            subject(r.subject_kind, &r.subject_license_no);
        }),
        Records::Commendations(v) => v.iter().for_each(|r| {
            subject(r.subject_kind, &r.subject_license_no);
        }),
        Records::Announcements(v) => v.iter().for_each(|r| {
            for no in &r.license_nos {
                subject(SubjectKind::Office, no);
                subject(SubjectKind::Worker, no);
            }
        }),
    }
    (offices, workers)
}

/// Adds a problem for every row about a subject outside `scope` (see
/// [`Scope`]).
pub fn check_scope(
    records: &Records,
    scope: &Scope<'_>,
    header_of: &dyn Fn(&str) -> String,
    problems: &mut Vec<Problem>,
) {
    let mut out = |row: usize, column: &str, cell: &str, what: &str, found: Option<&str>| {
        let message = match found {
            Some(d) => format!("{what}属于区县 {d}，不属于本区县（{}）。", scope.district),
            None => format!("{what}不属于本区县（{}）。", scope.district),
        };
        problems.push(
            Problem::new(row, &header_of(column), "out_of_district", message).with_cell(cell),
        );
    };
    let office = |no: &str| scope.office_district.get(no).map(String::as_str);
    let worker = |no: &str| scope.worker_district.get(no).map(String::as_str);
    fn foreign<'s>(d: Option<&'s str>, scope: &str) -> Option<&'s str> {
        d.filter(|d| *d != scope)
    }
    let foreign = |d| foreign(d, scope.district);
    let subject_district = |kind: SubjectKind, no: &str| match kind {
        SubjectKind::Office => office(no),
        SubjectKind::Worker => worker(no),
    };
    // A review or commendation is about its subject only.
    macro_rules! subject_rows {
        ($rows:expr) => {
            for r in $rows {
                let found = foreign(subject_district(r.subject_kind, &r.subject_license_no));
                if let Some(d) = found {
                    let what = format!("执业证号 {} ", r.subject_license_no);
                    out(
                        r.row,
                        "subject_license_no",
                        &r.subject_license_no,
                        &what,
                        Some(d),
                    );
                }
            }
        };
    }
    match records {
        Records::Districts(v) => {
            for r in v.iter().filter(|r| r.code != scope.district) {
                out(r.row, "code", &r.code, &format!("区县 {} ", r.code), None);
            }
        }
        Records::Offices(v) => {
            for r in v {
                if r.district_code != scope.district {
                    let what = format!("基层法律服务所 {} ", r.license_no);
                    out(
                        r.row,
                        "district_code",
                        &r.district_code,
                        &what,
                        Some(&r.district_code),
                    );
                } else if let Some(d) = foreign(office(&r.license_no)) {
                    let what = format!("基层法律服务所 {} 现", r.license_no);
                    out(r.row, "license_no", &r.license_no, &what, Some(d));
                }
            }
        }
        Records::Workers(v) => {
            for r in v {
                if let Some(d) = foreign(worker(&r.license_no)) {
                    let what = format!("执业证号 {} 的工作者现", r.license_no);
                    out(r.row, "license_no", &r.license_no, &what, Some(d));
                } else if let Some(o) = &r.office_license_no
                    && let Some(d) = foreign(office(o))
                {
                    let what = format!("执业机构 {o} ");
                    out(r.row, "office_license_no", o, &what, Some(d));
                } else if r.office_license_no.is_none() && worker(&r.license_no).is_none() {
                    let what = format!("执业证号 {} 的工作者没有执业机构，", r.license_no);
                    out(r.row, "office_license_no", "", &what, None);
                }
            }
        }
        Records::Transfers(v) => {
            for r in v {
                if let Some(d) = foreign(worker(&r.worker_license_no)) {
                    let what = format!("执业证号 {} 的工作者现", r.worker_license_no);
                    out(
                        r.row,
                        "worker_license_no",
                        &r.worker_license_no,
                        &what,
                        Some(d),
                    );
                } else if let Some(d) = foreign(office(&r.to_office_license_no)) {
                    let what = format!("新执业机构 {} ", r.to_office_license_no);
                    out(
                        r.row,
                        "to_office_license_no",
                        &r.to_office_license_no,
                        &what,
                        Some(d),
                    );
                } else if let Some(from) = &r.from_office_license_no
                    && let Some(d) = foreign(office(from))
                {
                    let what = format!("原执业机构 {from} ");
                    out(r.row, "from_office_license_no", from, &what, Some(d));
                } else if let Some((no, d)) = scope
                    .overwritten
                    .transfers
                    .get(&(r.worker_license_no.clone(), r.effective_on))
                    .and_then(|nos| {
                        nos.iter()
                            .find_map(|no| foreign(office(no)).map(|d| (no, d)))
                    })
                {
                    let what = format!("已登记的这次变更涉及执业机构 {no}，");
                    out(r.row, "effective_on", "", &what, Some(d));
                }
            }
        }
        Records::Reviews(v) => subject_rows!(v),
        Records::Actions(v) => {
            for r in v {
                if let Some(d) = foreign(subject_district(r.subject_kind, &r.subject_license_no)) {
                    let what = format!("执业证号 {} ", r.subject_license_no);
                    out(
                        r.row,
                        "subject_license_no",
                        &r.subject_license_no,
                        &what,
                        Some(d),
                    );
                } else if let Some((kind, no)) = scope.overwritten.actions.get(&r.decision_no) {
                    // The decision number is stored already: the row would
                    // rewrite that decision, which must be of this district.
                    let stored_kind = SubjectKind::parse(kind).unwrap_or(SubjectKind::Worker);
                    if let Some(d) = foreign(subject_district(stored_kind, no)) {
                        let what = format!("决定文号 {} 已登记给执业证号 {no}，", r.decision_no);
                        out(r.row, "decision_no", &r.decision_no, &what, Some(d));
                    }
                }
            }
        }
        Records::Commendations(v) => subject_rows!(v),
        Records::Announcements(v) => {
            for r in v {
                if r.license_nos.is_empty() {
                    out(
                        r.row,
                        "license_nos",
                        "",
                        "不涉及具体对象的公告由市局发布，",
                        None,
                    );
                    continue;
                }
                // A notice stored under this title and date is rewritten by
                // the row: it must name only this district's subjects too.
                let stored = scope
                    .overwritten
                    .announcements
                    .get(&(r.title.clone(), r.published_on));
                if stored.is_some_and(|nos| nos.is_empty()) {
                    out(
                        r.row,
                        "title",
                        &r.title,
                        "已发布的同名公告不涉及具体对象，由市局发布，",
                        None,
                    );
                    continue;
                }
                let outside = r
                    .license_nos
                    .iter()
                    .chain(stored.into_iter().flatten())
                    .find_map(|no| foreign(office(no).or_else(|| worker(no))).map(|d| (no, d)));
                if let Some((no, d)) = outside {
                    out(
                        r.row,
                        "license_nos",
                        no,
                        &format!("执业证号 {no} "),
                        Some(d),
                    );
                }
            }
        }
    }
}
