//! `legal-portal search check [--all] [--repair]`: compares what the index
//! holds with what the database says it should hold, and with `--repair`
//! sends the differing subjects back through the outbox.
//!
//! The database is projected as a reindex would (`documents::project_all`);
//! the index is asked for counts by document type and, for a sample of the
//! subjects (or all of them), for the documents themselves: a missing
//! document, or one whose name, standing, status, district or office
//! differs, is drift. Record documents (disclosures, reviews) are compared
//! by count, and one by one with `--all`.

use std::collections::{BTreeMap, BTreeSet};

use diesel::Connection;
use serde::Serialize;

use super::SearchError;
use super::documents::{DocType, SearchDocument};
use super::indexer::Indexer;
use crate::db::outbox;
use crate::domain::vocab::SubjectKind;

/// Documents by type: `office`, `worker`, `disclosure`, `review`.
pub type Census = BTreeMap<String, u64>;

/// The census key of a document.
pub fn census_key(d: &SearchDocument) -> &'static str {
    match d.doc_type {
        DocType::Subject => d.kind.key(),
        other => other.key(),
    }
}

/// One subject whose documents differ from the database's.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Drift {
    /// `office` or `worker`.
    pub kind: String,
    /// License number.
    pub license_no: String,
    /// What differs, in words.
    pub problem: String,
}

/// What a check found.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Engine checked.
    pub backend: &'static str,
    /// Documents the database projects, by type.
    pub database: Census,
    /// Documents the index holds, by type.
    pub index: Census,
    /// Documents compared one by one.
    pub compared: usize,
    /// Subjects whose documents differ.
    pub drift: Vec<Drift>,
    /// Subjects sent back through the outbox (`--repair`).
    pub enqueued: usize,
    /// Whether a full reindex ran (`--repair` with documents the database
    /// no longer has).
    pub reindexed: bool,
}

impl CheckReport {
    /// Whether the index agrees with the database.
    pub fn clean(&self) -> bool {
        self.drift.is_empty() && self.database == self.index
    }
}

/// What to compare.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    /// Compare every document, not a sample.
    pub all: bool,
    /// Subjects compared without `all`.
    pub sample: usize,
    /// Send drift back through the outbox (and reindex when the index holds
    /// documents the database does not).
    pub repair: bool,
}

fn differs(want: &SearchDocument, have: &SearchDocument) -> Option<String> {
    let pairs: [(&str, String, String); 7] = [
        ("name", want.name.clone(), have.name.clone()),
        ("standing", want.standing.clone(), have.standing.clone()),
        ("status", want.status.clone(), have.status.clone()),
        (
            "district",
            want.district_code.clone(),
            have.district_code.clone(),
        ),
        (
            "office",
            want.office_license_no.clone().unwrap_or_default(),
            have.office_license_no.clone().unwrap_or_default(),
        ),
        (
            "record kind",
            want.record.record_kind.clone().unwrap_or_default(),
            have.record.record_kind.clone().unwrap_or_default(),
        ),
        (
            "public until",
            want.record
                .public_until
                .map(|d| d.to_string())
                .unwrap_or_default(),
            have.record
                .public_until
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
    ];
    pairs
        .iter()
        .find(|(_, a, b)| a != b)
        .map(|(field, a, b)| format!("{} {field}: index has {b:?}, database {a:?}", have.id))
}

/// Runs a check with the indexer's engine and clock.
pub async fn run(indexer: &Indexer, options: CheckOptions) -> Result<CheckReport, SearchError> {
    let want = indexer.project_all().await?;
    let mut database = Census::new();
    for d in &want {
        *database.entry(census_key(d).to_owned()).or_default() += 1;
    }
    let index = indexer.index().census().await?;
    // Which documents to compare: every one, or a sample of the subjects
    // spread evenly over the whole list (offices and workers alike).
    let chosen: Vec<&SearchDocument> = if options.all {
        want.iter().collect()
    } else {
        let subjects: Vec<&SearchDocument> =
            want.iter().filter(|d| !d.doc_type.is_record()).collect();
        let step = (subjects.len() / options.sample.max(1)).max(1);
        subjects.into_iter().step_by(step).collect()
    };
    let mut drift: Vec<Drift> = Vec::new();
    let mut seen: BTreeSet<(SubjectKind, String)> = BTreeSet::new();
    for chunk in chosen.chunks(500) {
        let ids: Vec<String> = chunk.iter().map(|d| d.id.clone()).collect();
        let held = indexer.index().fetch(ids).await?;
        for (w, h) in chunk.iter().zip(held) {
            let problem = match h {
                None => Some(format!("{} is missing from the index", w.id)),
                Some(h) => differs(w, &h),
            };
            if let Some(problem) = problem
                && seen.insert((w.kind, w.license_no.clone()))
            {
                drift.push(Drift {
                    kind: w.kind.key().to_owned(),
                    license_no: w.license_no.clone(),
                    problem,
                });
            }
        }
    }
    let extra = index
        .iter()
        .any(|(k, n)| *n > database.get(k).copied().unwrap_or(0));
    let mut report = CheckReport {
        backend: indexer.index().backend(),
        database,
        index,
        compared: chosen.len(),
        drift,
        enqueued: 0,
        reindexed: false,
    };
    if options.repair {
        if extra {
            // The index holds documents of subjects or records the database
            // no longer has: only a rebuild finds them all.
            indexer.reindex().await?;
            report.reindexed = true;
        } else if !report.drift.is_empty() {
            let mut by_kind: BTreeMap<SubjectKind, Vec<String>> = BTreeMap::new();
            for d in &report.drift {
                if let Some(k) = SubjectKind::parse(&d.kind) {
                    by_kind.entry(k).or_default().push(d.license_no.clone());
                }
            }
            indexer
                .with_db(move |conn| {
                    conn.transaction::<_, crate::db::DbError, _>(|conn| {
                        for (kind, keys) in &by_kind {
                            outbox::enqueue(conn, *kind, keys)?;
                        }
                        Ok(())
                    })
                })
                .await?;
            report.enqueued = report.drift.len();
            // Drain them now when this process may (the only one on SQLite,
            // or the drain lock's holder on PostgreSQL); else the portal
            // that holds the lock does, within its next tick.
            indexer.catch_up().await?;
        }
    }
    Ok(report)
}
