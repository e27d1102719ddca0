//! The admin import (docs/import.md): parse a body, check every
//! row, and write the batch in one transaction — all rows or none — with
//! the search outbox rows, the plan-rule warnings and a stored report.
//! The HTTP endpoint and the `import` command share [`run`].

pub mod apply;
pub mod cells;
pub mod columns;
pub mod parse;
pub mod report;
pub mod template;
pub mod validate;

use std::collections::HashSet;
use std::time::Instant;

use chrono::{NaiveDate, Utc};
use diesel::Connection;

use crate::db::{self, DbConnection, DbError};
use crate::domain::plan_rules::{self, Finding, RuleSettings, TransferFacts};
use crate::domain::vocab::SubjectKind;
pub use parse::{Format, Limit, Limits, ParseError};
use report::{BatchStatus, Counts, MAX_PROBLEMS, Report, Warning, keep_first};
use validate::{Known, Records, RowReader};

/// The eight datasets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dataset {
    /// 区县.
    Districts,
    /// 基层法律服务所.
    Offices,
    /// 基层法律服务工作者.
    Workers,
    /// 变更执业机构.
    Transfers,
    /// 年度考核.
    Reviews,
    /// 不良信息.
    DisciplinaryActions,
    /// 表彰.
    Commendations,
    /// 公告.
    Announcements,
}

impl Dataset {
    /// Every dataset.
    pub const ALL: &'static [Dataset] = &[
        Dataset::Districts,
        Dataset::Offices,
        Dataset::Workers,
        Dataset::Transfers,
        Dataset::Reviews,
        Dataset::DisciplinaryActions,
        Dataset::Commendations,
        Dataset::Announcements,
    ];

    /// The key used in the URL and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Dataset::Districts => "districts",
            Dataset::Offices => "offices",
            Dataset::Workers => "workers",
            Dataset::Transfers => "transfers",
            Dataset::Reviews => "reviews",
            Dataset::DisciplinaryActions => "disciplinary-actions",
            Dataset::Commendations => "commendations",
            Dataset::Announcements => "announcements",
        }
    }

    /// Parses a key.
    pub fn parse(key: &str) -> Option<Dataset> {
        Dataset::ALL.iter().copied().find(|d| d.key() == key.trim())
    }
}

/// Progress of a long import, for the command line's progress bar.
pub trait Progress {
    /// A new stage with `len` steps.
    fn stage(&self, name: &str, len: u64);
    /// `n` more steps done.
    fn advance(&self, n: u64);
}

/// No progress display.
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// How to run one import.
#[derive(Debug, Clone)]
pub struct Options {
    /// Check and report, then roll back.
    pub dry_run: bool,
    /// Who imports: the token's name, or `cli:…` (stored and audited).
    pub actor: String,
    /// Today in China, for the rules.
    pub today: NaiveDate,
    /// What the plan's rules are checked under.
    pub rules: RuleSettings,
    /// Test hook: abort the process after this many rows were written.
    pub abort_after_rows: Option<usize>,
    /// What the body may expand to.
    pub limits: Limits,
    /// The one district the importing account or token is limited to: rows
    /// about another district's subjects are row problems.
    pub district: Option<String>,
    /// Write only if the batch changes what the preview with this
    /// [`Report::preview_mark`] showed; otherwise roll back and report it
    /// as a new dry run (`dry_run` true in the report). Checked under the
    /// write lock, so nothing can change in between.
    pub as_previewed: Option<String>,
}

/// Validates rows as the parser hands them on, so that the body is never
/// held as a whole sheet next to the records made of it.
struct Reading {
    dataset: Dataset,
    cell_chars: usize,
    reader: Option<RowReader>,
    rows: usize,
}

impl parse::Sink for Reading {
    fn headers(&mut self, headers: Vec<parse::Header>) {
        self.reader = Some(RowReader::new(self.dataset, &headers, self.cell_chars));
    }

    fn row(&mut self, row: parse::Row) {
        self.rows += 1;
        if let Some(r) = &mut self.reader {
            r.push(&row);
        }
    }

    fn problem(&mut self, problem: report::Problem) {
        if let Some(r) = &mut self.reader {
            r.problem(problem);
        }
    }
}

/// Why an import could not even be checked.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The body is not the declared format.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ImportError {
    fn from(e: diesel::result::Error) -> Self {
        ImportError::Db(e.into())
    }
}

/// Parses, checks and (unless rejected or a dry run) writes one batch; the
/// report is stored and its id set. Rejected batches write nothing but the
/// report and the audit entry. The body is read row by row and dropped once
/// read, before the batch is written.
pub fn run<B: AsRef<[u8]>>(
    conn: &mut DbConnection,
    dataset: Dataset,
    format: &Format,
    body: B,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Report, ImportError> {
    let clock = Instant::now();
    let started_at = Utc::now().naive_utc();
    progress.stage("解析", 1);
    let mut reading = Reading {
        dataset,
        cell_chars: opts.limits.cell_chars,
        reader: None,
        rows: 0,
    };
    parse::parse_into(format, body.as_ref(), &opts.limits, &mut reading)?;
    drop(body);
    let reader = reading.reader.ok_or(ParseError::Empty)?;
    progress.advance(1);
    let (mut records, mut problems, mut omitted, info) = reader.finish();
    validate::check_dates(
        &records,
        opts.today,
        &|k| info.header(k),
        &mut problems,
        &mut omitted,
    );
    let mut report = Report {
        id: None,
        dataset: dataset.key().to_owned(),
        format: format.name().to_owned(),
        dry_run: opts.dry_run,
        status: BatchStatus::Rejected,
        rows: reading.rows,
        counts: Counts::default(),
        problems: Vec::new(),
        problems_omitted: 0,
        warnings: Vec::new(),
        changes: Vec::new(),
        changes_digest: None,
        elapsed_ms: 0,
    };
    let outcome = with_large_cache(conn, |conn| {
        conn.transaction::<Report, Rollback, _>(|c| {
            // The batch reads what exists, then writes: take the write lock
            // first, so that concurrent imports wait instead of failing.
            db::lock_for_writing(c)?;
            // The change feed's lock too (PostgreSQL imports run one after
            // another): taken before anything is written, see db::changes.
            db::changes::lock(c)?;
            let wanted = validate::wanted(&records, &|row| info.gave_kind(row));
            let known = Known {
                districts: db::imports::existing_districts(c, &wanted.districts)?,
                offices: db::imports::existing_offices(c, &wanted.offices)?,
                workers: db::imports::existing_workers(c, &wanted.workers)?,
            };
            validate::check_references(
                &mut records,
                &known,
                &|k| info.header(k),
                &|row| info.gave_kind(row),
                &mut problems,
            );
            if let Some(district) = &opts.district {
                let (mut offices, mut workers) = validate::scope_subjects(&records);
                let overwritten = db::imports::overwritten(c, &records)?;
                validate::add_overwritten_subjects(&overwritten, &mut offices, &mut workers);
                let (office_district, worker_district) =
                    db::imports::districts_of(c, &offices, &workers)?;
                let scope = validate::Scope {
                    district,
                    office_district: &office_district,
                    worker_district: &worker_district,
                    overwritten: &overwritten,
                };
                validate::check_scope(&records, &scope, &|k| info.header(k), &mut problems);
            }
            if !problems.is_empty() {
                omitted += keep_first(&mut problems, MAX_PROBLEMS);
                let mut r = report.clone();
                r.problems = std::mem::take(&mut problems);
                r.problems_omitted = omitted;
                return Err(Rollback::Report(Box::new(r)));
            }
            progress.stage("写入", records.len() as u64);
            // The time the batch's changes carry (records' `updated_at`, the
            // history, the change feed's `changed_at`): taken now that the
            // locks are held, so that batches' times follow the order they
            // commit in. Taken at the start, a long parse let a later,
            // quicker batch commit with a later time first, and an
            // integrator syncing by `modified_after` skipped this one.
            let written_at = Utc::now().naive_utc().max(started_at);
            let mut ctx = apply::Ctx::new(written_at, opts.today, progress, opts.abort_after_rows);
            ctx.kept = columns::columns(dataset)
                .iter()
                .filter(|c| !c.required && !info.has(c.key))
                .map(|c| c.key)
                .collect();
            ctx.digest_changes = opts.dry_run || opts.as_previewed.is_some();
            let applied = apply::apply(c, &records, &mut ctx)?;
            progress.stage("检查规则", 1);
            let warnings = warnings(c, &records, &applied, opts.today, &opts.rules)?;
            let mut r = report.clone();
            r.counts = applied.counts;
            r.warnings = warnings;
            r.changes = applied.changes;
            r.changes_digest = applied.digest.map(|d| {
                use sha2::Digest;
                d.finalize().iter().map(|b| format!("{b:02x}")).collect()
            });
            let moved = (opts.as_previewed.as_ref()).is_some_and(|mark| *mark != r.preview_mark());
            if opts.dry_run || moved {
                r.status = BatchStatus::DryRun;
                r.dry_run = true;
                return Err(Rollback::Report(Box::new(r)));
            }
            r.status = BatchStatus::Applied;
            r.elapsed_ms = clock.elapsed().as_millis() as u64;
            let id = store(c, &r, &opts.actor, opts.district.as_deref(), started_at)?;
            db::history::link_batch(c, id)?;
            // Integrators' webhooks: one event per changed subject, queued
            // in this transaction (crate::webhooks delivers them).
            db::webhooks::record_batch(c, id, &applied.changed, written_at)?;
            r.id = Some(id);
            Ok(r)
        })
    })?;
    report = match outcome {
        Ok(r) => r,
        Err(Rollback::Db(e)) => return Err(ImportError::Db(e)),
        Err(Rollback::Report(r)) => {
            let mut r = *r;
            r.elapsed_ms = clock.elapsed().as_millis() as u64;
            r.id = Some(store(
                conn,
                &r,
                &opts.actor,
                opts.district.as_deref(),
                started_at,
            )?);
            r
        }
    };
    let detail = serde_json::json!({
        "batch": report.id, "status": report.status, "dry_run": report.dry_run,
        "rows": report.rows, "counts": report.counts,
        "problems": report.problems.len() + report.problems_omitted,
        "warnings": report.warnings.len(),
    });
    db::audit::record(
        conn,
        &opts.actor,
        "import",
        dataset.key(),
        &detail.to_string(),
    )?;
    progress.advance(1);
    Ok(report)
}

/// Runs `f` with a larger SQLite page cache (32 MB instead of 2 MB): a
/// big batch touches many index pages, and re-reading them dominated the
/// import's time. (It was 64 MB; 32 MB keeps a 49 MB batch under 256 MB
/// resident with no loss of speed measured, see docs/import.md.) The
/// connection's default is restored afterwards.
fn with_large_cache<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> T,
) -> Result<T, DbError> {
    use diesel::connection::SimpleConnection;
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    if sqlite {
        conn.batch_execute("PRAGMA cache_size = -32768")?;
    }
    let out = f(conn);
    if sqlite {
        conn.batch_execute("PRAGMA cache_size = -2000")?;
    }
    Ok(out)
}

/// Ends the transaction without committing: a rejected or dry-run report,
/// or a database failure.
enum Rollback {
    Report(Box<Report>),
    Db(DbError),
}

impl From<DbError> for Rollback {
    fn from(e: DbError) -> Self {
        Rollback::Db(e)
    }
}

impl From<diesel::result::Error> for Rollback {
    fn from(e: diesel::result::Error) -> Self {
        Rollback::Db(e.into())
    }
}

fn store(
    conn: &mut DbConnection,
    r: &Report,
    actor: &str,
    district: Option<&str>,
    started_at: chrono::NaiveDateTime,
) -> Result<i64, DbError> {
    let json = serde_json::to_string(r).map_err(|e| DbError::Corrupt(e.to_string()))?;
    db::imports::store_batch(
        conn,
        db::imports::NewBatch {
            dataset: &r.dataset,
            dry_run: r.dry_run,
            status: r.status.key(),
            actor,
            report_json: &json,
            started_at,
            finished_at: Utc::now().naive_utc(),
            district,
        },
    )
}

/// The plan-rule findings about this batch, on the database as the batch
/// leaves it.
fn warnings(
    conn: &mut DbConnection,
    records: &Records,
    applied: &apply::Applied,
    today: NaiveDate,
    rules: &RuleSettings,
) -> Result<Vec<Warning>, DbError> {
    let mut districts: HashSet<&str> = HashSet::new();
    let mut facts_transfers = Vec::new();
    match records {
        Records::Districts(v) => districts.extend(v.iter().map(|r| r.code.as_str())),
        // A change of office in a workers row is a transfer (rules 2 and
        // 3), and it leaves an office behind (rule 7).
        Records::Workers(_) => facts_transfers.extend(applied.implied_transfers.iter().cloned()),
        Records::Offices(_) | Records::Reviews(_) => {}
        Records::Transfers(v) => {
            let workers: HashSet<String> = v.iter().map(|r| r.worker_license_no.clone()).collect();
            let first = db::imports::first_licensed(conn, &workers)?;
            for r in v {
                facts_transfers.push(TransferFacts {
                    worker_license_no: r.worker_license_no.clone(),
                    worker_first_licensed_on: first.get(&r.worker_license_no).copied().flatten(),
                    from_office_license_no: applied
                        .transfer_from
                        .get(&(r.worker_license_no.clone(), r.effective_on))
                        .cloned()
                        .flatten(),
                    to_office_license_no: r.to_office_license_no.clone(),
                    effective_on: r.effective_on,
                });
            }
        }
        _ => return Ok(Vec::new()),
    }
    // New district figures judge every transfer already into them (rule
    // 2), as the compliance page does; other batches judge their own.
    let whole = matches!(records, Records::Districts(_));
    let mut facts = db::imports::facts(conn, whole)?;
    if !whole {
        facts.transfers = facts_transfers;
        facts.office_moves = applied.moves.clone();
    }
    let findings = plan_rules::check_all(&facts, today, rules);
    // Findings are few and a batch may be large: the records the batch
    // touched are matched against the findings' subjects, not gathered.
    let subjects: HashSet<(&str, &str)> = findings
        .iter()
        .map(|f| (f.subject_kind, f.subject.as_str()))
        .collect();
    let implied = applied.implied_transfers.iter().flat_map(|t| {
        std::iter::once(("transfer", t.worker_license_no.as_str()))
            .chain(t.from_office_license_no.as_deref().map(|o| ("office", o)))
    });
    // A transfer leaves an office behind too (rule 7), as a change of
    // office in a workers row does.
    let left_behind = applied
        .transfer_from
        .values()
        .flatten()
        .map(|o| ("office", o.as_str()));
    let relevant: HashSet<(&str, &str)> = touched(records)
        .chain(implied)
        .chain(left_behind)
        .filter(|k| subjects.contains(k))
        .collect();
    drop(subjects);
    Ok(findings
        .into_iter()
        .filter(|f: &Finding| {
            relevant.contains(&(f.subject_kind, f.subject.as_str()))
                || f.figures
                    .get("district")
                    .and_then(|d| d.as_str())
                    .is_some_and(|d| districts.contains(d))
        })
        .map(Warning::from)
        .collect())
}

/// The subjects a batch touched, as `(kind, key)` of the plan's findings:
/// offices imported, workers imported and their offices, workers
/// transferred, offices reviewed.
fn touched(records: &Records) -> Box<dyn Iterator<Item = (&'static str, &str)> + '_> {
    match records {
        Records::Offices(v) => Box::new(v.iter().map(|r| ("office", r.license_no.as_str()))),
        Records::Workers(v) => Box::new(v.iter().flat_map(|r| {
            std::iter::once(("worker", r.license_no.as_str()))
                .chain(r.office_license_no.as_deref().map(|o| ("office", o)))
        })),
        Records::Transfers(v) => {
            Box::new(v.iter().map(|r| ("transfer", r.worker_license_no.as_str())))
        }
        Records::Reviews(v) => Box::new(
            v.iter()
                .filter(|r| r.subject_kind == SubjectKind::Office)
                .map(|r| ("office", r.subject_license_no.as_str())),
        ),
        _ => Box::new(std::iter::empty()),
    }
}

/// The plan-rule findings over the whole database on `today`.
pub fn compliance(
    conn: &mut DbConnection,
    today: NaiveDate,
    rules: &RuleSettings,
) -> Result<Vec<Warning>, DbError> {
    let facts = db::imports::facts(conn, true)?;
    Ok(plan_rules::check_all(&facts, today, rules)
        .into_iter()
        .map(Warning::from)
        .collect())
}

/// The plan-rule findings on `today` with the district each belongs to (a
/// district's own code; an office's district; a worker's office's), only
/// those of `only` when given.
pub fn compliance_by_district(
    conn: &mut DbConnection,
    today: NaiveDate,
    rules: &RuleSettings,
    only: Option<&str>,
) -> Result<Vec<(Option<String>, Warning)>, DbError> {
    let findings = compliance(conn, today, rules)?;
    let mut offices = HashSet::new();
    let mut workers = HashSet::new();
    for w in &findings {
        match w.subject_kind.as_str() {
            "office" => offices.insert(w.subject.clone()),
            "worker" | "transfer" => workers.insert(w.subject.clone()),
            _ => false,
        };
    }
    let (by_office, by_worker) = db::imports::districts_of(conn, &offices, &workers)?;
    Ok(findings
        .into_iter()
        .map(|w| {
            // The district a finding names is where the breach happened
            // (the district that took a worker on, the one a transfer went
            // into), wherever the worker is now; else the subject's own.
            let named = w
                .figures
                .get("district")
                .and_then(|d| d.as_str())
                .map(str::to_owned);
            let district = named.or_else(|| match w.subject_kind.as_str() {
                "district" => Some(w.subject.clone()),
                "office" => by_office.get(&w.subject).cloned(),
                "worker" | "transfer" => by_worker.get(&w.subject).cloned(),
                _ => None,
            });
            (district, w)
        })
        .filter(|(d, _)| only.is_none_or(|o| d.as_deref() == Some(o)))
        .collect())
}
