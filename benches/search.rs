//! Search figures: loads the province and the nation demo scale, indexes
//! them, and reports p50/p99 and queries per second per query kind on the
//! embedded engine and, when `MEILI_URL` is set, on Meilisearch with the raw
//! Meilisearch time beside the portal's: the same multi-search request the
//! portal sends, read as plain JSON, so the difference is the portal's own
//! cost (parsing, merging the indexes, building hits).
//!
//!   cargo bench --bench search [-- province|nation] [-- --queries N]
//!
//! Times are of one query at a time on one thread (no HTTP): the portal's
//! search call from parsed query to built hits.
//!
//! It also drains the outbox with every subject enqueued (an import that
//! touches everything), through the embedded engine's one-commit batch
//! write and, in the same run, through one write per part (the trait's
//! default), and prints both rates.

use std::sync::Arc;
use std::time::{Duration, Instant};

use legal_portal::db;
use legal_portal::db::outbox;
use legal_portal::demo::{self, Scale};
use legal_portal::domain::standing::StandingPolicy;
use legal_portal::domain::vocab::SubjectKind;
use legal_portal::search::check::Census;
use legal_portal::search::embedded::EmbeddedIndex;
use legal_portal::search::indexer::Indexer;
use legal_portal::search::meili::MeiliIndex;
use legal_portal::search::{
    Filters, GeoPoint, SearchDocument, SearchError, SearchIndex, SearchQuery, SearchResults,
    SharedIndex, SortOrder, documents,
};

/// The embedded engine writing a batch one part at a time (the trait's
/// default `write_batch`), to compare with its one-commit batch.
struct PartByPart(EmbeddedIndex);

#[async_trait::async_trait]
impl SearchIndex for PartByPart {
    fn backend(&self) -> &'static str {
        "embedded (part by part)"
    }
    async fn upsert(&self, docs: Vec<SearchDocument>) -> Result<(), SearchError> {
        self.0.upsert(docs).await
    }
    async fn delete(&self, kind: SubjectKind, keys: Vec<String>) -> Result<(), SearchError> {
        self.0.delete(kind, keys).await
    }
    async fn rebuild(&self, docs: Vec<SearchDocument>) -> Result<(), SearchError> {
        self.0.rebuild(docs).await
    }
    async fn replace_records(
        &self,
        subjects: Vec<String>,
        docs: Vec<SearchDocument>,
    ) -> Result<(), SearchError> {
        self.0.replace_records(subjects, docs).await
    }
    async fn count(&self) -> Result<u64, SearchError> {
        self.0.count().await
    }
    async fn census(&self) -> Result<Census, SearchError> {
        self.0.census().await
    }
    async fn fetch(&self, ids: Vec<String>) -> Result<Vec<Option<SearchDocument>>, SearchError> {
        self.0.fetch(ids).await
    }
    async fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        self.0.search(q).await
    }
}

/// Enqueues every office and worker, then times the drain.
fn drain(
    rt: &tokio::runtime::Runtime,
    url: &str,
    index: SharedIndex,
    today: chrono::NaiveDate,
) -> anyhow::Result<(usize, Duration)> {
    use diesel::prelude::*;
    use legal_portal::db::schema::{offices, workers};
    let pool = db::connect(url, 2)?;
    let indexer = Indexer::new(
        pool.clone(),
        url.to_owned(),
        index,
        legal_portal::config::Clock::fixed(today),
        StandingPolicy::default(),
    );
    rt.block_on(indexer.reindex())?;
    let mut conn = pool.get()?;
    let o: Vec<String> = offices::table.select(offices::license_no).load(&mut conn)?;
    let w: Vec<String> = workers::table.select(workers::license_no).load(&mut conn)?;
    outbox::enqueue(&mut conn, SubjectKind::Office, &o)?;
    outbox::enqueue(&mut conn, SubjectKind::Worker, &w)?;
    drop(conn);
    let started = Instant::now();
    let rows = rt.block_on(indexer.catch_up())?;
    Ok((rows, started.elapsed()))
}

type Kind = (&'static str, Vec<SearchQuery>);

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' | 'A'..='Z' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn typo(s: &str) -> String {
    let mut b: Vec<char> = s.chars().collect();
    if b.len() > 3 {
        let i = b.len() / 2;
        b[i] = if b[i] == 'a' { 'e' } else { 'a' };
    }
    b.into_iter().collect()
}

fn text(t: String) -> SearchQuery {
    SearchQuery {
        text: t,
        ..SearchQuery::default()
    }
}

fn kinds(docs: &[SearchDocument], n: usize) -> Vec<Kind> {
    let workers: Vec<&SearchDocument> = docs
        .iter()
        .filter(|d| d.kind == SubjectKind::Worker)
        .collect();
    let offices: Vec<&SearchDocument> = docs
        .iter()
        .filter(|d| d.kind == SubjectKind::Office)
        .collect();
    let pick = |v: &Vec<&SearchDocument>, i: usize| v[(i * 7919) % v.len()].clone();
    let many = |f: &dyn Fn(usize) -> SearchQuery| (0..n).map(f).collect::<Vec<_>>();
    vec![
        ("chinese name", many(&|i| text(pick(&workers, i).name))),
        (
            "part of office name",
            many(&|i| text(pick(&offices, i).name.chars().take(2).collect())),
        ),
        (
            "full pinyin",
            many(&|i| text(pick(&workers, i).name_pinyin)),
        ),
        ("initials", many(&|i| text(pick(&workers, i).name_initials))),
        (
            "license full-width",
            many(&|i| text(full_width(&pick(&workers, i).license_no))),
        ),
        (
            "pinyin typo",
            many(&|i| text(typo(&pick(&workers, i).name_pinyin))),
        ),
        (
            "filters + facets",
            many(&|i| SearchQuery {
                filters: Filters {
                    kind: Some(SubjectKind::Worker),
                    district: Some(pick(&offices, i).district_code),
                    ..Filters::default()
                },
                ..SearchQuery::default()
            }),
        ),
        ("everything, facets", many(&|_| SearchQuery::default())),
        (
            "near me 10 km",
            many(&|i| {
                let o = pick(&offices, i);
                SearchQuery {
                    filters: Filters {
                        kind: Some(SubjectKind::Office),
                        ..Filters::default()
                    },
                    near: o.lat.zip(o.lng).map(|(lat, lng)| GeoPoint {
                        lat: lat + 0.01,
                        lng,
                    }),
                    radius_m: Some(10_000.0),
                    sort: SortOrder::Distance,
                    ..SearchQuery::default()
                }
            }),
        ),
    ]
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(engine: &str, scale: &str, kind: &str, mut t: Vec<Duration>, raw: Option<Vec<Duration>>) {
    t.sort();
    let total: Duration = t.iter().sum();
    let qps = t.len() as f64 / total.as_secs_f64();
    let raw = raw.map(|mut r| {
        r.sort();
        format!(
            "  raw p50 {:7.2} ms  p99 {:7.2} ms  overhead p50 {:+.2} ms",
            pct(&r, 0.5),
            pct(&r, 0.99),
            pct(&t, 0.5) - pct(&r, 0.5)
        )
    });
    println!(
        "{engine:<11} {scale:<8} {kind:<22} p50 {:7.2} ms  p99 {:7.2} ms  {qps:8.0} q/s{}",
        pct(&t, 0.5),
        pct(&t, 0.99),
        raw.unwrap_or_default()
    );
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let n = args
        .iter()
        .position(|a| a == "--queries")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let scales: Vec<Scale> = match args.iter().find_map(|a| Scale::parse(a)) {
        Some(s) => vec![s],
        None => vec![Scale::Province, Scale::Nation],
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
    for scale in scales {
        let dir = tempfile::tempdir()?;
        let url = dir.path().join("bench.db").to_string_lossy().into_owned();
        let mut conn = db::establish(&url)?;
        db::run_migrations(&mut conn)?;
        let started = Instant::now();
        demo::load_scale(&mut conn, scale, demo::DEFAULT_SEED, today)?;
        let loaded = started.elapsed();
        let started = Instant::now();
        let docs = documents::project_all(&mut conn, today, &StandingPolicy::default())?;
        let projected = started.elapsed();
        let index = EmbeddedIndex::open(&dir.path().join("index"))?;
        let started = Instant::now();
        rt.block_on(index.rebuild(docs.clone()))?;
        println!(
            "# {}: {} documents; demo load {:.1} s, projection {:.1} s, embedded index {:.1} s",
            scale.key(),
            docs.len(),
            loaded.as_secs_f64(),
            projected.as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
        let mut by_type = std::collections::BTreeMap::<&str, usize>::new();
        for d in &docs {
            *by_type
                .entry(legal_portal::search::check::census_key(d))
                .or_default() += 1;
        }
        println!("# documents by type: {by_type:?}");
        for (name, engine) in [
            (
                "one commit per batch",
                Arc::new(EmbeddedIndex::open(&dir.path().join("drain-batch"))?) as SharedIndex,
            ),
            (
                "part by part",
                Arc::new(PartByPart(EmbeddedIndex::open(
                    &dir.path().join("drain-parts"),
                )?)) as SharedIndex,
            ),
        ] {
            let (rows, took) = drain(&rt, &url, engine, today)?;
            println!(
                "# drain, embedded, {name}: {rows} outbox rows in {:.2} s ({:.0} rows/s)",
                took.as_secs_f64(),
                rows as f64 / took.as_secs_f64()
            );
        }
        // Queries are drawn from the profiles (records repeat their names).
        let profiles: Vec<SearchDocument> = docs
            .iter()
            .filter(|d| !d.doc_type.is_record())
            .cloned()
            .collect();
        let kinds = kinds(&profiles, n);
        // The same queries on an index of the profiles alone, interleaved
        // with the full index's in one run: what the record documents
        // sharing the name fields cost a profile search.
        let alone = EmbeddedIndex::open(&dir.path().join("profiles-only"))?;
        rt.block_on(alone.rebuild(profiles.clone()))?;
        for (kind, queries) in &kinds {
            for q in queries.iter().take(20) {
                index.search_blocking(q)?;
                alone.search_blocking(q)?;
            }
            let mut times = Vec::new();
            let mut without = Vec::new();
            for q in queries {
                let t = Instant::now();
                index.search_blocking(q)?;
                times.push(t.elapsed());
                let t = Instant::now();
                alone.search_blocking(q)?;
                without.push(t.elapsed());
            }
            let sum = |v: &[Duration]| v.iter().sum::<Duration>().as_secs_f64();
            println!(
                "# {kind}: with records / profiles alone, total time ratio {:.2}",
                sum(&times) / sum(&without)
            );
            report("embedded", scale.key(), kind, times, None);
        }
        if let Ok(meili_url) = std::env::var("MEILI_URL") {
            let key = std::env::var("MEILI_MASTER_KEY").ok();
            let prefix = format!("bench_{}_", std::process::id());
            rt.block_on(async {
                let meili = MeiliIndex::open(&meili_url, key.as_deref(), &prefix).await?;
                let started = Instant::now();
                meili.rebuild(docs.clone()).await?;
                println!(
                    "# meilisearch index {:.1} s",
                    started.elapsed().as_secs_f64()
                );
                for (kind, queries) in &kinds {
                    let mut times = Vec::new();
                    let mut raw = Vec::new();
                    // Interleaved: the portal's answer, then the same
                    // request sent as is and read as plain JSON.
                    for q in queries {
                        let t = Instant::now();
                        meili.search(q).await?;
                        times.push(t.elapsed());
                        let t = Instant::now();
                        meili.raw_search(q).await?;
                        raw.push(t.elapsed());
                    }
                    report("meilisearch", scale.key(), kind, times, Some(raw));
                }
                meili.drop_indexes().await?;
                anyhow::Ok(())
            })?;
        } else {
            println!("# MEILI_URL not set: Meilisearch figures skipped");
        }
    }
    Ok(())
}
