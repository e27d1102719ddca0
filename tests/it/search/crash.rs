//! A crash while indexing: the engine stores part of a batch and the
//! process dies before the outbox rows are deleted. Started again, the
//! portal catches up and search answers as the database does.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use diesel::prelude::*;
use legal_portal::config::Clock;
use legal_portal::db::outbox;
use legal_portal::db::schema::{transfers, workers};
use legal_portal::db::{self, DbError};
use legal_portal::domain::standing::StandingPolicy;
use legal_portal::domain::vocab::SubjectKind;
use legal_portal::search::embedded::EmbeddedIndex;
use legal_portal::search::indexer::Indexer;
use legal_portal::search::{
    SearchDocument, SearchError, SearchIndex, SearchQuery, SearchResults, documents,
};

use super::conformance::{LIZHI, ZENG_JING, ZHANG_SAN, seed};
use crate::helpers::{d, fresh_database, today};

/// The engine of a process that dies after storing `cut` documents.
struct DiesAfter {
    inner: EmbeddedIndex,
    cut: usize,
}

#[async_trait::async_trait]
impl SearchIndex for DiesAfter {
    fn backend(&self) -> &'static str {
        "embedded"
    }
    async fn upsert(&self, mut docs: Vec<SearchDocument>) -> Result<(), SearchError> {
        docs.truncate(self.cut);
        self.inner.upsert(docs).await?;
        Err(SearchError::Engine("killed".into()))
    }
    async fn delete(&self, _: SubjectKind, _: Vec<String>) -> Result<(), SearchError> {
        Err(SearchError::Engine("killed".into()))
    }
    async fn rebuild(&self, docs: Vec<SearchDocument>) -> Result<(), SearchError> {
        self.inner.rebuild(docs).await
    }
    async fn replace_records(
        &self,
        _: Vec<String>,
        _: Vec<SearchDocument>,
    ) -> Result<(), SearchError> {
        Err(SearchError::Engine("killed".into()))
    }
    async fn count(&self) -> Result<u64, SearchError> {
        self.inner.count().await
    }
    async fn census(&self) -> Result<legal_portal::search::check::Census, SearchError> {
        self.inner.census().await
    }
    async fn fetch(&self, ids: Vec<String>) -> Result<Vec<Option<SearchDocument>>, SearchError> {
        self.inner.fetch(ids).await
    }
    async fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        self.inner.search(q).await
    }
}

/// Changes 14 workers: renames, a transfer, a deregistration, a deletion.
fn change_everything(url: &str) -> usize {
    let mut conn = db::establish(url).expect("connect");
    conn.transaction::<_, DbError, _>(|c| {
        let chens: Vec<(String, String)> = workers::table
            .filter(workers::name.like("陈%"))
            .select((workers::license_no, workers::name))
            .load(c)?;
        for (no, name) in &chens {
            diesel::update(workers::table.find(no))
                .set(workers::name.eq(format!("{name}新")))
                .execute(c)?;
        }
        diesel::update(workers::table.find(ZENG_JING))
            .set(workers::office_license_no.eq(LIZHI))
            .execute(c)?;
        diesel::insert_into(transfers::table)
            .values((
                transfers::worker_license_no.eq(ZENG_JING),
                transfers::to_office_license_no.eq(LIZHI),
                transfers::effective_on.eq(d("2026-11-20")),
            ))
            .execute(c)?;
        diesel::update(workers::table.find(ZHANG_SAN))
            .set(workers::status.eq("deregistered"))
            .execute(c)?;
        let gone = &chens[0].0;
        diesel::delete(workers::table.find(gone)).execute(c)?;
        let mut keys: Vec<String> = chens.iter().map(|(no, _)| no.clone()).collect();
        keys.extend([ZENG_JING.to_owned(), ZHANG_SAN.to_owned()]);
        outbox::enqueue(c, SubjectKind::Worker, &keys)?;
        Ok(keys.len())
    })
    .expect("changes")
}

async fn crash_and_restart(cut: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _pg) = fresh_database(dir.path());
    {
        let mut conn = db::establish(&url).expect("connect");
        db::run_migrations(&mut conn).expect("migrations");
        seed(&mut conn);
    }
    let windows = StandingPolicy::default();
    // The first process: indexes everything, then dies mid-batch.
    {
        let pool = db::connect(&url, 2).expect("pool");
        let inner = EmbeddedIndex::open(&dir.path().join("index")).expect("index");
        let engine = Arc::new(DiesAfter { inner, cut });
        let indexer = Indexer::new(pool, url.clone(), engine, Clock::fixed(today()), windows);
        indexer.reindex().await.expect("first full index");
        let changed = change_everything(&url);
        let err = indexer.drain_once().await;
        assert!(err.is_err(), "the process dies while indexing");
        let left =
            outbox::due_count(&mut db::establish(&url).expect("c"), outbox::now()).expect("outbox");
        assert_eq!(
            left as usize, changed,
            "no outbox row is deleted before the engine confirms"
        );
    }
    // Started again.
    let app = super::heal::started(dir.path(), &url)
        .await
        .expect("restart");
    let index = app.search().index().clone();
    let want: Vec<_> =
        documents::project_all(&mut db::establish(&url).expect("c"), today(), &windows)
            .expect("projection")
            .into_iter()
            .filter(|d| !d.doc_type.is_record())
            .collect();
    let all = index
        .search(&SearchQuery {
            limit: 1000,
            ..SearchQuery::default()
        })
        .await
        .expect("search");
    assert_eq!(
        all.total as usize,
        want.len(),
        "cut {cut}: the index holds what the database holds"
    );
    for doc in &want {
        let found = index
            .search(&SearchQuery {
                text: doc.license_no.clone(),
                limit: 1,
                ..SearchQuery::default()
            })
            .await
            .expect("search");
        let hit = found
            .hits
            .first()
            .unwrap_or_else(|| panic!("cut {cut}: {} not found", doc.license_no));
        assert_eq!(
            (
                &hit.license_no,
                &hit.name,
                &hit.district_code,
                &hit.standing
            ),
            (
                &doc.license_no,
                &doc.name,
                &doc.district_code,
                &doc.standing
            ),
            "cut {cut}: search answers as the database does"
        );
    }
}

#[actix_web::test]
async fn indexing_interrupted_at_a_random_point_recovers_on_restart() {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(7, |t| t.subsec_nanos() as usize);
    // 14 documents change; cut anywhere from none stored to all stored but
    // unconfirmed, plus the two ends every time.
    for cut in [0, nanos % 15, 14] {
        eprintln!("crash test: the engine dies after storing {cut} documents");
        crash_and_restart(cut).await;
    }
}
