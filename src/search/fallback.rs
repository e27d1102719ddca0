//! The database answer when the search engine is unreachable: a plain
//! `LIKE` match on name or license number, the same filters applied to the
//! projected documents, no pinyin, no relevance ranking. Slower and simpler
//! than an engine, but residents still find an office or a worker.

use diesel::prelude::*;

use super::documents::{self, SearchDocument};
use super::embedded::hit_of;
use super::{Facets, ParsedText, SearchQuery, SearchResults};
use crate::db::schema::{offices, workers};
use crate::db::{DbConnection, DbError};
use crate::domain::standing::{Standing, StandingPolicy};
use crate::domain::vocab::{AreaKind, SubjectKind, WorkerStatus};

/// Subjects of each kind the fallback looks at, at most (it projects them
/// all to apply the filters).
pub const MAX_CANDIDATES: i64 = 1000;

/// The backend name the fallback answers with.
pub const BACKEND: &str = "database";

fn like_pattern(text: &str) -> String {
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

fn matches(d: &SearchDocument, q: &SearchQuery) -> bool {
    let f = &q.filters;
    let eq = |want: Option<&str>, have: &str| want.is_none_or(|w| w == have);
    f.kind.is_none_or(|k| k == d.kind)
        && eq(f.district.as_deref(), &d.district_code)
        && f.township
            .as_deref()
            .is_none_or(|t| d.township.as_deref() == Some(t))
        && eq(f.area_kind.map(AreaKind::key), &d.area_kind)
        && eq(f.standing.map(Standing::key), &d.standing)
        && eq(f.status.map(WorkerStatus::key), &d.status)
        && f.practice_area
            .as_deref()
            .is_none_or(|p| d.practice_areas.iter().any(|a| a == p))
        && match (q.near, q.radius_m) {
            (Some(p), Some(r)) => d
                .lat
                .zip(d.lng)
                .is_some_and(|(lat, lng)| p.distance_m(&super::GeoPoint { lat, lng }) <= r),
            _ => true,
        }
}

/// Answers `q` from the database.
pub fn search(
    conn: &mut DbConnection,
    q: &SearchQuery,
    today: chrono::NaiveDate,
    windows: &StandingPolicy,
) -> Result<SearchResults, DbError> {
    let text = ParsedText::parse(&q.text);
    if q.target.is_record() {
        return search_records(conn, q, &text, today, windows);
    }
    let needle = text.license.clone().unwrap_or_else(|| text.folded.clone());
    let pattern = like_pattern(&needle);
    let mut docs = Vec::new();
    for kind in [SubjectKind::Office, SubjectKind::Worker] {
        if q.filters.kind.is_some_and(|k| k != kind) {
            continue;
        }
        let keys: Vec<String> = match kind {
            SubjectKind::Office => {
                let mut query = offices::table.select(offices::license_no).into_boxed();
                if !needle.is_empty() {
                    query = query.filter(
                        offices::name
                            .like(pattern.clone())
                            .escape('\\')
                            .or(offices::license_no.like(pattern.clone()).escape('\\')),
                    );
                }
                if let Some(d) = &q.filters.district {
                    query = query.filter(offices::district_code.eq(d.clone()));
                }
                query
                    .order(offices::license_no)
                    .limit(MAX_CANDIDATES)
                    .load(conn)?
            }
            SubjectKind::Worker => {
                let mut query = workers::table.select(workers::license_no).into_boxed();
                if !needle.is_empty() {
                    query = query.filter(
                        workers::name
                            .like(pattern.clone())
                            .escape('\\')
                            .or(workers::license_no.like(pattern.clone()).escape('\\')),
                    );
                }
                // A worker's district is their office's: filtered here, not
                // after the candidate limit, so a district's workers are all
                // reachable however many the province has.
                if let Some(d) = &q.filters.district {
                    query = query.filter(
                        workers::office_license_no.eq_any(
                            offices::table
                                .filter(offices::district_code.eq(d.clone()))
                                .select(offices::license_no.nullable()),
                        ),
                    );
                }
                query
                    .order(workers::license_no)
                    .limit(MAX_CANDIDATES)
                    .load(conn)?
            }
        };
        for p in documents::project(conn, kind, &keys, today, windows)? {
            if let Some(d) = p.doc.filter(|d| matches(d, q)) {
                docs.push(d);
            }
        }
    }
    // An exact license number first, then offices before workers.
    docs.sort_by_key(|d| {
        (
            Some(&d.license_no) != text.license.as_ref(),
            d.kind != SubjectKind::Office,
            d.license_no.clone(),
        )
    });
    let total = docs.len() as u64;
    let mut facets = Facets::default();
    for d in &docs {
        *facets.kind.entry(d.kind.key().to_owned()).or_default() += 1;
        *facets.district.entry(d.district_code.clone()).or_default() += 1;
        if let Some(t) = &d.township {
            *facets.township.entry(t.clone()).or_default() += 1;
        }
        *facets.area_kind.entry(d.area_kind.clone()).or_default() += 1;
        *facets.standing.entry(d.standing.clone()).or_default() += 1;
        *facets.status.entry(d.status.clone()).or_default() += 1;
        for a in &d.practice_areas {
            *facets.practice_area.entry(a.clone()).or_default() += 1;
        }
    }
    let hits = docs
        .into_iter()
        .skip(q.offset)
        .take(q.limit)
        .map(|d| {
            let distance = q
                .near
                .zip(d.lat.zip(d.lng))
                .map(|(p, (lat, lng))| p.distance_m(&super::GeoPoint { lat, lng }));
            hit_of(d.into(), distance, &text)
        })
        .collect();
    Ok(SearchResults {
        hits,
        total,
        facets,
        backend: BACKEND,
    })
}

/// Disclosures or reviews from the database: the records of subjects whose
/// name or license number holds the text, or whose record does (decision
/// number, authority, facts, note), newest first.
fn search_records(
    conn: &mut DbConnection,
    q: &SearchQuery,
    text: &ParsedText,
    today: chrono::NaiveDate,
    windows: &StandingPolicy,
) -> Result<SearchResults, DbError> {
    use crate::db::schema::{annual_reviews, disciplinary_actions};
    let needle = text.license.clone().unwrap_or_else(|| text.folded.clone());
    let pattern = like_pattern(&needle);
    let mut docs: Vec<SearchDocument> = Vec::new();
    for kind in [SubjectKind::Office, SubjectKind::Worker] {
        if q.filters.kind.is_some_and(|k| k != kind) {
            continue;
        }
        let mut keys: Vec<String> = if q.target == super::DocType::Disclosure {
            let mut query = disciplinary_actions::table
                .filter(disciplinary_actions::subject_kind.eq(kind.key()))
                .select(disciplinary_actions::subject_license_no)
                .into_boxed();
            if !needle.is_empty() {
                query = query.filter(
                    disciplinary_actions::decision_no
                        .like(pattern.clone())
                        .escape('\\')
                        .or(disciplinary_actions::facts
                            .like(pattern.clone())
                            .escape('\\'))
                        .or(disciplinary_actions::authority
                            .like(pattern.clone())
                            .escape('\\'))
                        .or(disciplinary_actions::subject_license_no
                            .like(pattern.clone())
                            .escape('\\')),
                );
            }
            query
                .order(disciplinary_actions::decided_on.desc())
                .limit(MAX_CANDIDATES)
                .load(conn)?
        } else {
            let mut query = annual_reviews::table
                .filter(annual_reviews::subject_kind.eq(kind.key()))
                .select(annual_reviews::subject_license_no)
                .into_boxed();
            if !needle.is_empty() {
                query = query.filter(
                    annual_reviews::note.like(pattern.clone()).escape('\\').or(
                        annual_reviews::subject_license_no
                            .like(pattern.clone())
                            .escape('\\'),
                    ),
                );
            }
            query
                .order(annual_reviews::year.desc())
                .limit(MAX_CANDIDATES)
                .load(conn)?
        };
        if !needle.is_empty() {
            let named: Vec<String> = match kind {
                SubjectKind::Office => offices::table
                    .filter(offices::name.like(pattern.clone()).escape('\\'))
                    .select(offices::license_no)
                    .limit(MAX_CANDIDATES)
                    .load(conn)?,
                SubjectKind::Worker => workers::table
                    .filter(workers::name.like(pattern.clone()).escape('\\'))
                    .select(workers::license_no)
                    .limit(MAX_CANDIDATES)
                    .load(conn)?,
            };
            keys.extend(named);
        }
        keys.sort();
        keys.dedup();
        for p in documents::project(conn, kind, &keys, today, windows)? {
            docs.extend(p.records.into_iter().filter(|d| {
                d.doc_type == q.target
                    && record_matches(d, q)
                    && (needle.is_empty()
                        || (text.decision.is_some() && text.decision == d.record.decision_key)
                        || d.name.contains(&needle)
                        || d.license_no == needle
                        || d.text.to_lowercase().contains(&needle))
            }));
        }
    }
    docs.sort_by(|a, b| {
        b.record
            .record_date
            .cmp(&a.record.record_date)
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut facets = Facets::default();
    for d in &docs {
        *facets.kind.entry(d.kind.key().to_owned()).or_default() += 1;
        *facets.district.entry(d.district_code.clone()).or_default() += 1;
        if let Some(k) = &d.record.record_kind {
            *facets.record_kind.entry(k.clone()).or_default() += 1;
        }
        if let Some(y) = d.record.year {
            *facets.year.entry(y.to_string()).or_default() += 1;
        }
    }
    Ok(SearchResults {
        total: docs.len() as u64,
        hits: docs
            .into_iter()
            .skip(q.offset)
            .take(q.limit)
            .map(|d| hit_of(d.into(), None, text))
            .collect(),
        facets,
        backend: BACKEND,
    })
}

fn record_matches(d: &SearchDocument, q: &SearchQuery) -> bool {
    let f = &q.filters;
    f.district.as_deref().is_none_or(|w| w == d.district_code)
        && f.record_kind
            .is_none_or(|k| d.record.record_kind.as_deref() == Some(k.key()))
        && f.year.is_none_or(|y| d.record.year == Some(y))
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_pattern("a%b_c"), "%a\\%b\\_c%");
    }
}
