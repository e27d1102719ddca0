//! The Meilisearch engine (when `MEILI_URL` is set): one index for offices,
//! one for workers and one for their records (disclosures and reviews),
//! named `<prefix>offices`, `<prefix>workers` and `<prefix>records`, with
//! the settings of `search-config/*.json` applied at start-up. Every write
//! waits for its task and reports a failed one. A full reindex fills fresh
//! indexes and swaps them in.

use std::collections::BTreeMap;
use std::time::Duration;

use meilisearch_sdk::client::{Client, SwapIndexes};
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::request::HttpClient;
use meilisearch_sdk::search::{SearchQuery as MeiliQuery, Selectors};
use meilisearch_sdk::settings::Settings;
use meilisearch_sdk::task_info::TaskInfo;
use serde::{Deserialize, Serialize};

use super::embedded::hit_of;
use super::{
    DocType, Facets, GeoPoint, ParsedText, RecordKind, SearchDocument, SearchError, SearchHit,
    SearchIndex, SearchQuery, SearchResults, SortOrder, is_cjk,
};
use crate::domain::standing::Standing;
use crate::domain::vocab::{AreaKind, SubjectKind, WorkerStatus};

const OFFICE_SETTINGS: &str = include_str!("../../search-config/offices.json");
const WORKER_SETTINGS: &str = include_str!("../../search-config/workers.json");
const RECORD_SETTINGS: &str = include_str!("../../search-config/records.json");
const RECORD_FACETS: [&str; 4] = ["type", "district_code", "record_kind", "year"];
const TASK_TIMEOUT: Duration = Duration::from_secs(300);
const FACET_NAMES: [&str; 7] = [
    "type",
    "district_code",
    "township",
    "area_kind",
    "standing",
    "status",
    "practice_areas",
];

/// A document as Meilisearch stores it: the projection, its position as
/// `_geo`, and the name's Chinese 2-grams (so part of a name matches).
#[derive(Debug, Serialize, Deserialize)]
struct MeiliDoc {
    #[serde(flatten)]
    doc: SearchDocument,
    #[serde(rename = "_geo", skip_serializing_if = "Option::is_none", default)]
    geo: Option<GeoPoint>,
    #[serde(default)]
    name_grams: String,
}

#[derive(Debug, Deserialize)]
struct MeiliHit {
    #[serde(flatten)]
    stored: MeiliDoc,
    #[serde(rename = "_geoDistance", default)]
    geo_distance: Option<f64>,
}

/// A hit as one index returns it: ranking score, distance, document.
type Scored = (f64, Option<f64>, SearchDocument);

fn grams(name: &str) -> String {
    let chars: Vec<char> = name.chars().filter(|c| is_cjk(*c)).collect();
    chars
        .windows(2)
        .map(|w| w.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

fn failed(e: impl std::fmt::Display) -> SearchError {
    SearchError::Engine(format!("Meilisearch: {e}"))
}

/// The Meilisearch engine.
pub struct MeiliIndex {
    client: Client,
    prefix: String,
    url: String,
    /// Set once the server answered and both indexes are prepared; until
    /// then every operation tries again (the server may come up later).
    ready: tokio::sync::OnceCell<()>,
}

impl MeiliIndex {
    /// Connects, creates the two indexes if missing and applies their
    /// settings, waiting for every task.
    ///
    /// A server that does not answer is not fatal: the engine is returned
    /// anyway and connects on its first use that finds the server up
    /// (searches fall back to the database meanwhile, and the outbox keeps
    /// every change).
    pub async fn open(url: &str, key: Option<&str>, prefix: &str) -> Result<Self, SearchError> {
        let client = Client::new(url, key)
            .map_err(|e| SearchError::Unavailable(format!("Meilisearch client at {url}: {e}")))?;
        let me = Self {
            client,
            prefix: prefix.to_owned(),
            url: url.to_owned(),
            ready: tokio::sync::OnceCell::new(),
        };
        if let Err(e) = me.ensure().await {
            tracing::warn!(error = %e, "Meilisearch is unreachable; starting without it");
        }
        Ok(me)
    }

    /// Checks the server answers and prepares both indexes, once.
    async fn ensure(&self) -> Result<(), SearchError> {
        self.ready
            .get_or_try_init(|| async {
                self.client.health().await.map_err(|e| {
                    SearchError::Unavailable(format!(
                        "Meilisearch at {} does not answer: {e}",
                        self.url
                    ))
                })?;
                for uid in self.uids() {
                    self.prepare(&uid).await?;
                }
                Ok(())
            })
            .await
            .map(|_| ())
    }

    fn uid(&self, kind: SubjectKind) -> String {
        match kind {
            SubjectKind::Office => format!("{}offices", self.prefix),
            SubjectKind::Worker => format!("{}workers", self.prefix),
        }
    }

    /// How many documents one kind's index holds.
    async fn subjects_in(&self, kind: SubjectKind) -> Result<u64, SearchError> {
        let stats = self
            .client
            .index(self.uid(kind))
            .get_stats()
            .await
            .map_err(failed)?;
        Ok(stats.number_of_documents as u64)
    }

    fn records_uid(&self) -> String {
        format!("{}records", self.prefix)
    }

    /// The three live indexes.
    fn uids(&self) -> [String; 3] {
        [
            self.uid(SubjectKind::Office),
            self.uid(SubjectKind::Worker),
            self.records_uid(),
        ]
    }

    /// The index a document lives in.
    fn uid_of(&self, d: &SearchDocument) -> String {
        if d.doc_type.is_record() {
            self.records_uid()
        } else {
            self.uid(d.kind)
        }
    }

    /// An index's settings from `search-config/`, and its `facetSearch`
    /// switch (a setting of its own route, which the SDK's `Settings` does
    /// not carry; the portal never searches facet values, and building
    /// their search structures costs indexing time).
    fn settings(uid: &str) -> Result<(Settings, bool), SearchError> {
        let raw = if uid.contains("records") {
            RECORD_SETTINGS
        } else if uid.contains("offices") {
            OFFICE_SETTINGS
        } else {
            WORKER_SETTINGS
        };
        let bad = |e: serde_json::Error| failed(format!("search-config settings: {e}"));
        let mut value: serde_json::Value = serde_json::from_str(raw).map_err(bad)?;
        let facet_search = value
            .as_object_mut()
            .and_then(|o| o.remove("facetSearch"))
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        Ok((serde_json::from_value(value).map_err(bad)?, facet_search))
    }

    async fn prepare(&self, uid: &str) -> Result<Index, SearchError> {
        if self.client.get_index(uid).await.is_err() {
            let task = self
                .client
                .create_index(uid, Some("id"))
                .await
                .map_err(failed)?;
            self.wait(task).await?;
        }
        let index = self.client.index(uid);
        let (settings, facet_search) = Self::settings(uid)?;
        self.wait(index.set_settings(&settings).await.map_err(failed)?)
            .await?;
        self.wait(index.set_facet_search(facet_search).await.map_err(failed)?)
            .await?;
        Ok(index)
    }

    async fn wait(&self, task: TaskInfo) -> Result<(), SearchError> {
        let task = task
            .wait_for_completion(
                &self.client,
                Some(Duration::from_millis(20)),
                Some(TASK_TIMEOUT),
            )
            .await
            .map_err(failed)?;
        if task.is_failure() {
            return Err(failed(format!("task failed: {}", task.unwrap_failure())));
        }
        Ok(())
    }

    async fn add(&self, uid: &str, docs: Vec<SearchDocument>) -> Result<(), SearchError> {
        let tasks = self.send(uid, docs).await?;
        self.wait_all(tasks).await
    }

    /// Sends `docs` to `uid` in chunks without waiting between them, so
    /// Meilisearch indexes consecutive chunks as one batch (waiting for
    /// each chunk before sending the next made every chunk its own batch).
    async fn send(
        &self,
        uid: &str,
        docs: Vec<SearchDocument>,
    ) -> Result<Vec<TaskInfo>, SearchError> {
        let docs: Vec<MeiliDoc> = docs
            .into_iter()
            .map(|doc| MeiliDoc {
                geo: doc.lat.zip(doc.lng).map(|(lat, lng)| GeoPoint { lat, lng }),
                name_grams: grams(&doc.name),
                doc,
            })
            .collect();
        let mut tasks = Vec::new();
        for chunk in docs.chunks(5000) {
            tasks.push(
                self.client
                    .index(uid)
                    .add_or_replace(chunk, Some("id"))
                    .await
                    .map_err(failed)?,
            );
        }
        Ok(tasks)
    }

    /// Waits for `tasks` in the order they were sent; the first failure
    /// fails the whole.
    async fn wait_all(&self, tasks: Vec<TaskInfo>) -> Result<(), SearchError> {
        for task in tasks {
            self.wait(task).await?;
        }
        Ok(())
    }

    /// Deletes the indexes (tests clean up their prefix with this).
    pub async fn drop_indexes(&self) -> Result<(), SearchError> {
        for uid in self.uids() {
            let task = self.client.index(uid).delete().await.map_err(failed)?;
            self.wait(task).await?;
        }
        Ok(())
    }

    /// Groups documents by the index they live in.
    fn by_index(&self, docs: Vec<SearchDocument>) -> BTreeMap<String, Vec<SearchDocument>> {
        let mut out: BTreeMap<String, Vec<SearchDocument>> = BTreeMap::new();
        for d in docs {
            out.entry(self.uid_of(&d)).or_default().push(d);
        }
        out
    }

    fn record_filter(q: &SearchQuery) -> String {
        let f = &q.filters;
        let mut parts = vec![format!("doc_type = {}", quote(q.target.key()))];
        if let Some(k) = f.kind {
            parts.push(format!("type = {}", quote(k.key())));
        }
        for (name, value) in [
            ("district_code", f.district.as_deref()),
            ("record_kind", f.record_kind.map(RecordKind::key)),
        ] {
            if let Some(v) = value {
                parts.push(format!("{name} = {}", quote(v)));
            }
        }
        if let Some(y) = f.year {
            parts.push(format!("year = {y}"));
        }
        parts.join(" AND ")
    }

    /// Disclosures or reviews: one index, newest first when the text does
    /// not decide.
    async fn search_records(
        &self,
        q: &SearchQuery,
        text: &ParsedText,
    ) -> Result<SearchResults, SearchError> {
        let index = self.client.index(self.records_uid());
        let filter = Self::record_filter(q);
        let sort = ["record_date:desc", "id:asc"];
        let sent = text.decision.as_deref().unwrap_or(&text.query);
        let mut search = index.search();
        search
            .with_query(sent)
            .with_filter(&filter)
            .with_page(1)
            .with_hits_per_page((q.offset + q.limit).max(1))
            // Every word must match, as on the embedded engine: a decision
            // number that is not disclosed must not bring up its neighbours
            // (Meilisearch's default drops words until something matches).
            .with_matching_strategy(meilisearch_sdk::search::MatchingStrategies::ALL)
            .with_facets(Selectors::Some(&RECORD_FACETS));
        if text.folded.is_empty() {
            search.with_sort(&sort);
        }
        let found = search.execute::<MeiliHit>().await.map_err(failed)?;
        let facets = facets_of(found.facet_distribution.unwrap_or_default());
        let total = found.total_hits.unwrap_or(found.hits.len()) as u64;
        let mut docs: Vec<SearchDocument> = found
            .hits
            .into_iter()
            .map(|h| h.result.stored.doc)
            .collect();
        // An exact decision number or license first, as the embedded engine.
        let exact = |d: &SearchDocument| {
            text.decision.is_some() && text.decision == d.record.decision_key
                || text.license.as_deref() == Some(d.license_no.as_str())
        };
        docs.sort_by_key(|d| !exact(d));
        Ok(SearchResults {
            hits: docs
                .into_iter()
                .skip(q.offset)
                .take(q.limit)
                .map(|d| hit_of(d.into(), None, text))
                .collect(),
            total,
            facets,
            backend: "meilisearch",
        })
    }

    fn filter(q: &SearchQuery, kind: SubjectKind) -> String {
        let f = &q.filters;
        let mut parts = vec![format!("type = {}", quote(kind.key()))];
        for (name, value) in [
            ("district_code", f.district.as_deref()),
            ("township", f.township.as_deref()),
            ("area_kind", f.area_kind.map(AreaKind::key)),
            ("standing", f.standing.map(Standing::key)),
            ("status", f.status.map(WorkerStatus::key)),
            ("practice_areas", f.practice_area.as_deref()),
        ] {
            if let Some(v) = value {
                parts.push(format!("{name} = {}", quote(v)));
            }
        }
        if let (Some(p), Some(r)) = (q.near, q.radius_m) {
            parts.push(format!("_geoRadius({}, {}, {})", p.lat, p.lng, r.round()));
        }
        parts.join(" AND ")
    }

    /// The parts of one index's search request for `kind`: the index, the
    /// filter and the sort (owned, so several requests can be sent in one).
    fn kind_request(&self, q: &SearchQuery, kind: SubjectKind, text: &ParsedText) -> KindRequest {
        let mut sort = Vec::new();
        if let Some(p) = q.near
            && q.sort == SortOrder::Distance
        {
            sort.push(format!("_geoPoint({}, {}):asc", p.lat, p.lng));
        }
        if text.folded.is_empty() || q.sort == SortOrder::Distance {
            sort.push("license_no:asc".to_owned());
        }
        KindRequest {
            kind,
            index: self.client.index(self.uid(kind)),
            filter: Self::filter(q, kind),
            sort,
        }
    }

    /// Asks every index of `kinds` in one multi-search request (one round
    /// trip instead of one per index).
    async fn multi_search<T: serde::de::DeserializeOwned + Send + Sync + 'static>(
        &self,
        q: &SearchQuery,
        kinds: &[SubjectKind],
        text: &ParsedText,
    ) -> Result<Vec<(SubjectKind, meilisearch_sdk::search::SearchResults<T>)>, SearchError> {
        let requests: Vec<KindRequest> = kinds
            .iter()
            .map(|&kind| self.kind_request(q, kind, text))
            .collect();
        let sorts: Vec<Vec<&str>> = requests
            .iter()
            .map(|r| r.sort.iter().map(String::as_str).collect())
            .collect();
        let mut multi = self.client.multi_search();
        for (r, sort) in requests.iter().zip(&sorts) {
            multi.with_search_query(request(&r.index, q, text, &r.filter, sort));
        }
        let found = multi.execute::<T>().await.map_err(failed)?;
        Ok(requests.iter().map(|r| r.kind).zip(found.results).collect())
    }

    /// What the portal's profile search sends to Meilisearch, sent as is
    /// and read as plain JSON: the benchmark's "raw Meilisearch" time for
    /// the same question, to set the portal's own cost against.
    #[doc(hidden)]
    pub async fn raw_search(&self, q: &SearchQuery) -> Result<usize, SearchError> {
        let text = ParsedText::parse(&q.text);
        let kinds = match q.filters.kind {
            Some(k) => vec![k],
            None => vec![SubjectKind::Office, SubjectKind::Worker],
        };
        let found = self
            .multi_search::<serde_json::Value>(q, &kinds, &text)
            .await?;
        Ok(found.iter().map(|(_, r)| r.hits.len()).sum())
    }

    /// A kind's hits scored, its total and facets.
    fn scored(
        q: &SearchQuery,
        found: meilisearch_sdk::search::SearchResults<MeiliHit>,
    ) -> (Vec<Scored>, u64, Facets) {
        let facets = facets_of(found.facet_distribution.unwrap_or_default());
        let total = found.total_hits.unwrap_or(found.hits.len()) as u64;
        let hits = found
            .hits
            .into_iter()
            .map(|h| {
                let distance = h.result.geo_distance.or_else(|| {
                    let d = &h.result.stored.doc;
                    q.near
                        .zip(d.lat.zip(d.lng))
                        .map(|(p, (lat, lng))| p.distance_m(&GeoPoint { lat, lng }))
                });
                (
                    h.ranking_score.unwrap_or(0.0),
                    distance,
                    h.result.stored.doc,
                )
            })
            .collect();
        (hits, total, facets)
    }
}

/// One index's part of a multi-search.
struct KindRequest {
    kind: SubjectKind,
    index: Index,
    filter: String,
    sort: Vec<String>,
}

/// Meilisearch's facet distribution in our facet names (profiles and
/// records alike; an index simply lacks the other's facets).
fn facets_of(
    distribution: std::collections::HashMap<String, std::collections::HashMap<String, usize>>,
) -> Facets {
    let mut facets = Facets::default();
    for (name, counts) in distribution {
        let into = match name.as_str() {
            "type" => &mut facets.kind,
            "district_code" => &mut facets.district,
            "township" => &mut facets.township,
            "area_kind" => &mut facets.area_kind,
            "standing" => &mut facets.standing,
            "status" => &mut facets.status,
            "practice_areas" => &mut facets.practice_area,
            "record_kind" => &mut facets.record_kind,
            "year" => &mut facets.year,
            _ => continue,
        };
        for (k, v) in counts {
            into.insert(k, v as u64);
        }
    }
    facets
}

/// A filter value in Meilisearch's quotes.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The search request to one index. The text sent is
/// [`ParsedText::query`], never what was typed: a license number typed
/// with spaces or full-width digits reaches Meilisearch as the normalised
/// number, as it reaches the embedded engine.
fn request<'a, Http: HttpClient>(
    index: &'a Index<Http>,
    q: &SearchQuery,
    text: &'a ParsedText,
    filter: &'a str,
    sort: &'a [&'a str],
) -> MeiliQuery<'a, Http> {
    let mut search = index.search();
    search
        .with_query(&text.query)
        .with_filter(filter)
        .with_page(1)
        .with_hits_per_page((q.offset + q.limit).max(1))
        // Every word must match, as on the embedded engine (Meilisearch's
        // default drops words until something matches: a three-character
        // name brought up everyone sharing one of its characters).
        .with_matching_strategy(meilisearch_sdk::search::MatchingStrategies::ALL)
        .with_show_ranking_score(true)
        .with_facets(Selectors::Some(&FACET_NAMES));
    if !sort.is_empty() {
        search.with_sort(sort);
    }
    search
}

fn merge(into: &mut BTreeMap<String, u64>, from: BTreeMap<String, u64>) {
    for (k, v) in from {
        *into.entry(k).or_default() += v;
    }
}

#[async_trait::async_trait]
impl SearchIndex for MeiliIndex {
    fn backend(&self) -> &'static str {
        "meilisearch"
    }

    async fn upsert(&self, docs: Vec<SearchDocument>) -> Result<(), SearchError> {
        self.ensure().await?;
        for (uid, docs) in self.by_index(docs) {
            self.add(&uid, docs).await?;
        }
        Ok(())
    }

    async fn replace_records(
        &self,
        subjects: Vec<String>,
        docs: Vec<SearchDocument>,
    ) -> Result<(), SearchError> {
        self.ensure().await?;
        let index = self.client.index(self.records_uid());
        for chunk in subjects.chunks(200) {
            let filter = format!(
                "subject IN [{}]",
                chunk
                    .iter()
                    .map(|s| quote(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let mut query = meilisearch_sdk::documents::DocumentDeletionQuery::new(&index);
            query.with_filter(&filter);
            let task = index.delete_documents_with(&query).await.map_err(failed)?;
            self.wait(task).await?;
        }
        if !docs.is_empty() {
            self.add(&self.records_uid(), docs).await?;
        }
        Ok(())
    }

    async fn delete(&self, kind: SubjectKind, license_nos: Vec<String>) -> Result<(), SearchError> {
        self.ensure().await?;
        let ids: Vec<String> = license_nos
            .iter()
            .map(|k| SearchDocument::id_of(kind, k))
            .collect();
        let task = self
            .client
            .index(self.uid(kind))
            .delete_documents(&ids)
            .await
            .map_err(failed)?;
        self.wait(task).await
    }

    async fn rebuild(&self, docs: Vec<SearchDocument>) -> Result<(), SearchError> {
        let (feed, rx) = tokio::sync::mpsc::channel(2);
        // Both sends fit the channel's room before anything reads it.
        let _ = feed.send(Some(docs)).await;
        let _ = feed.send(None).await;
        self.rebuild_from(rx).await
    }

    /// Fresh indexes beside the live ones, which keep answering; each
    /// chunk sent to them as it comes, all awaited at the end, then the
    /// three swapped in one task.
    async fn rebuild_from(&self, mut feed: super::RebuildFeed) -> Result<(), SearchError> {
        self.ensure().await?;
        let lives = self.uids();
        let fresh = |live: &str| format!("{live}_rebuild");
        for live in &lives {
            let fresh = fresh(live);
            if self.client.get_index(&fresh).await.is_ok() {
                let task = self.client.index(&fresh).delete().await.map_err(failed)?;
                self.wait(task).await?;
            }
            self.prepare(&fresh).await?;
        }
        // Every document sent before any is awaited.
        let mut tasks = Vec::new();
        loop {
            match feed.recv().await {
                Some(Some(chunk)) => {
                    for (live, docs) in self.by_index(chunk) {
                        tasks.extend(self.send(&fresh(&live), docs).await?);
                    }
                }
                Some(None) => break,
                None => return Err(super::feed_cut()),
            }
        }
        self.wait_all(tasks).await?;
        // All three swapped in one task: searches never see a new office
        // index beside an old worker index.
        let swaps: Vec<SwapIndexes> = lives
            .iter()
            .map(|live| SwapIndexes {
                indexes: (live.clone(), fresh(live)),
                rename: None,
            })
            .collect();
        let task = self
            .client
            .swap_indexes(swaps.iter())
            .await
            .map_err(failed)?;
        self.wait(task).await?;
        let mut tasks = Vec::new();
        for live in &lives {
            tasks.push(
                self.client
                    .index(fresh(live))
                    .delete()
                    .await
                    .map_err(failed)?,
            );
        }
        self.wait_all(tasks).await
    }

    async fn count(&self) -> Result<u64, SearchError> {
        self.ensure().await?;
        let mut n = 0;
        for kind in [SubjectKind::Office, SubjectKind::Worker] {
            n += self.subjects_in(kind).await?;
        }
        Ok(n)
    }

    async fn census(&self) -> Result<super::check::Census, SearchError> {
        self.ensure().await?;
        let mut out = super::check::Census::new();
        for kind in [SubjectKind::Office, SubjectKind::Worker] {
            let n = self.subjects_in(kind).await?;
            if n > 0 {
                out.insert(kind.key().to_owned(), n);
            }
        }
        let records = self.client.index(self.records_uid());
        for t in [DocType::Disclosure, DocType::Review] {
            let filter = format!("doc_type = {}", quote(t.key()));
            let found = records
                .search()
                .with_filter(&filter)
                .with_page(1)
                .with_hits_per_page(1)
                .execute::<serde_json::Value>()
                .await
                .map_err(failed)?;
            let n = found.total_hits.unwrap_or(0) as u64;
            if n > 0 {
                out.insert(t.key().to_owned(), n);
            }
        }
        Ok(out)
    }

    async fn fetch(&self, ids: Vec<String>) -> Result<Vec<Option<SearchDocument>>, SearchError> {
        self.ensure().await?;
        let uid_of_id = |id: &str| {
            if id.starts_with("office-") {
                self.uid(SubjectKind::Office)
            } else if id.starts_with("worker-") {
                self.uid(SubjectKind::Worker)
            } else {
                self.records_uid()
            }
        };
        let mut by_uid: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for id in &ids {
            by_uid.entry(uid_of_id(id)).or_default().push(id);
        }
        let mut found: std::collections::HashMap<String, SearchDocument> =
            std::collections::HashMap::new();
        for (uid, wanted) in by_uid {
            let index = self.client.index(uid);
            for chunk in wanted.chunks(1000) {
                let mut query = meilisearch_sdk::documents::DocumentsQuery::new(&index);
                query
                    .with_ids(chunk.iter().copied())
                    .with_limit(chunk.len());
                let got = index
                    .get_documents_with::<MeiliDoc>(&query)
                    .await
                    .map_err(failed)?;
                for d in got.results {
                    found.insert(d.doc.id.clone(), d.doc);
                }
            }
        }
        Ok(ids.iter().map(|id| found.remove(id)).collect())
    }

    async fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        self.ensure().await?;
        let text = ParsedText::parse(&q.text);
        if q.target != DocType::Subject {
            return self.search_records(q, &text).await;
        }
        let kinds: Vec<SubjectKind> = match q.filters.kind {
            Some(k) => vec![k],
            None => vec![SubjectKind::Office, SubjectKind::Worker],
        };
        let mut all: Vec<Scored> = Vec::new();
        let mut total = 0;
        let mut facets = Facets::default();
        for (_, found) in self.multi_search::<MeiliHit>(q, &kinds, &text).await? {
            let (hits, n, f) = Self::scored(q, found);
            all.extend(hits);
            total += n;
            merge(&mut facets.kind, f.kind);
            merge(&mut facets.district, f.district);
            merge(&mut facets.township, f.township);
            merge(&mut facets.area_kind, f.area_kind);
            merge(&mut facets.standing, f.standing);
            merge(&mut facets.status, f.status);
            merge(&mut facets.practice_area, f.practice_area);
        }
        let exact = |d: &SearchDocument| text.license.as_deref() == Some(d.license_no.as_str());
        let by_distance = q.sort == SortOrder::Distance && q.near.is_some();
        all.sort_by(|a, b| {
            exact(&b.2).cmp(&exact(&a.2)).then_with(|| {
                let primary = if by_distance {
                    a.1.unwrap_or(f64::INFINITY)
                        .total_cmp(&b.1.unwrap_or(f64::INFINITY))
                } else if text.folded.is_empty() {
                    std::cmp::Ordering::Equal
                } else {
                    b.0.total_cmp(&a.0)
                };
                primary
                    .then_with(|| {
                        (a.2.kind != SubjectKind::Office).cmp(&(b.2.kind != SubjectKind::Office))
                    })
                    .then_with(|| a.2.license_no.cmp(&b.2.license_no))
            })
        });
        let hits: Vec<SearchHit> = all
            .into_iter()
            .skip(q.offset)
            .take(q.limit)
            .map(|(_, distance, d)| hit_of(d.into(), distance.filter(|_| q.near.is_some()), &text))
            .collect();
        Ok(SearchResults {
            hits,
            total,
            facets,
            backend: "meilisearch",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_license_typed_in_groups_reaches_meilisearch_normalised() {
        // No server is needed to build a request.
        let client = Client::new("http://127.0.0.1:9", None::<String>).expect("client");
        let index = client.index("workers");
        for typed in ["4550 0101 0000 1", "４５５０　０１０１　００００　１"] {
            let q = SearchQuery {
                text: typed.to_owned(),
                ..SearchQuery::default()
            };
            let text = ParsedText::parse(&q.text);
            let req = request(&index, &q, &text, "type = worker", &[]);
            assert_eq!(req.query, Some("4550010100001"), "{typed:?}");
        }
        let q = SearchQuery {
            text: " 张三 ".to_owned(),
            ..SearchQuery::default()
        };
        let text = ParsedText::parse(&q.text);
        assert_eq!(request(&index, &q, &text, "", &[]).query, Some("张三"));
    }
}
