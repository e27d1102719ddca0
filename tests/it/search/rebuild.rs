//! A full rebuild is streamed to the engine a chunk at a time (issue 15):
//! the chunks together are the whole projection, a rebuild from many small
//! chunks answers as the database does, and a feed cut before its end
//! leaves the live index as it was; on both engines.

use legal_portal::db;
use legal_portal::domain::standing::StandingPolicy;
use legal_portal::search::embedded::EmbeddedIndex;
use legal_portal::search::meili::MeiliIndex;
use legal_portal::search::{SearchDocument, SearchIndex, SearchQuery, documents};

use super::Meili;
use super::conformance::{ZHANG_SAN, seed};
use crate::helpers::{fresh_database, today};

/// The seeded database's projection, whole and in chunks of one subject.
fn projections(url: &str) -> (Vec<SearchDocument>, Vec<Vec<SearchDocument>>) {
    let mut conn = db::establish(url).expect("connect");
    let windows = StandingPolicy::default();
    let whole = documents::project_all(&mut conn, today(), &windows).expect("projection");
    let mut chunks = Vec::new();
    documents::project_chunks(&mut conn, today(), &windows, 1, |chunk| {
        chunks.push(chunk);
        Ok(())
    })
    .expect("chunks");
    (whole, chunks)
}

async fn every_id(index: &dyn SearchIndex) -> Vec<String> {
    let found = index
        .search(&SearchQuery {
            limit: 1000,
            ..SearchQuery::default()
        })
        .await
        .expect("search");
    let mut ids: Vec<String> = found.hits.into_iter().map(|h| h.license_no).collect();
    ids.sort();
    ids
}

async fn feed(chunks: Vec<Vec<SearchDocument>>, end: bool) -> legal_portal::search::RebuildFeed {
    let (tx, rx) = tokio::sync::mpsc::channel(chunks.len() + 1);
    for c in chunks {
        tx.send(Some(c)).await.expect("room");
    }
    if end {
        tx.send(None).await.expect("room");
    }
    rx
}

async fn streams_and_keeps_the_live_index_when_cut(index: &dyn SearchIndex, url: &str) {
    let (whole, chunks) = projections(url);
    let subjects = whole.iter().filter(|d| !d.doc_type.is_record()).count();
    assert!(
        chunks.len() >= subjects,
        "one subject per chunk gives at least {subjects} chunks, got {}",
        chunks.len()
    );
    let ids = |docs: &[SearchDocument]| docs.iter().map(|d| d.id.clone()).collect::<Vec<_>>();
    let joined: Vec<SearchDocument> = chunks.iter().flatten().cloned().collect();
    assert_eq!(
        ids(&joined),
        ids(&whole),
        "the chunks are the projection, in order"
    );

    index
        .rebuild_from(feed(chunks.clone(), true).await)
        .await
        .expect("streamed rebuild");
    let mut want: Vec<String> = whole
        .iter()
        .filter(|d| !d.doc_type.is_record())
        .map(|d| d.license_no.clone())
        .collect();
    want.sort();
    assert_eq!(
        every_id(index).await,
        want,
        "the rebuilt index holds every subject"
    );
    assert_eq!(index.count().await.expect("count") as usize, subjects);

    // A projection that fails halfway: the feed closes without its end.
    let half: Vec<Vec<SearchDocument>> = chunks
        .into_iter()
        .filter(|c| c.iter().all(|d| d.license_no != ZHANG_SAN))
        .take(1)
        .collect();
    let err = index.rebuild_from(feed(half, false).await).await;
    assert!(err.is_err(), "a cut feed is an error, not a smaller index");
    assert_eq!(
        every_id(index).await,
        want,
        "after a cut rebuild searches still find every subject"
    );
}

#[actix_web::test]
async fn a_streamed_rebuild_is_whole_and_a_cut_one_changes_nothing_embedded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _pg) = fresh_database(dir.path());
    {
        let mut conn = db::establish(&url).expect("connect");
        db::run_migrations(&mut conn).expect("migrations");
        seed(&mut conn);
    }
    let index = EmbeddedIndex::open(&dir.path().join("index")).expect("index");
    streams_and_keeps_the_live_index_when_cut(&index, &url).await;
}

#[actix_web::test]
async fn a_streamed_rebuild_is_whole_and_a_cut_one_changes_nothing_meilisearch() {
    let Some(meili) = Meili::from_env("a_streamed_rebuild_is_whole_and_a_cut_one_changes_nothing")
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, _pg) = fresh_database(dir.path());
    {
        let mut conn = db::establish(&url).expect("connect");
        db::run_migrations(&mut conn).expect("migrations");
        seed(&mut conn);
    }
    let index = MeiliIndex::open(&meili.url, meili.key.as_deref(), &meili.prefix)
        .await
        .expect("meilisearch");
    streams_and_keeps_the_live_index_when_cut(&index, &url).await;
    meili.clean_up().await;
}
