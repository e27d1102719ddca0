//! The indexer: drains the outbox in batches into the engine, deleting rows
//! only once the engine has confirmed them; rebuilds everything on demand.
//!
//! With PostgreSQL several portal processes may share one database: only the
//! process holding an advisory lock drains the outbox; the others wait their
//! turn (the lock is freed when its holder's connection closes).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::Bool;
use tokio::sync::{Mutex, Notify};

use super::documents::{self, SearchDocument};
use super::{IndexBatch, SearchError, SharedIndex};
use crate::config::Clock;
use crate::db::outbox;
use crate::db::{self, DbConnection, DbError, Pool};
use crate::domain::standing::StandingPolicy;
use crate::domain::vocab::SubjectKind;

/// Advisory lock key of the one process that drains the outbox.
const DRAIN_LOCK: i64 = 0x5345_4152_4348; // "SEARCH"
/// Advisory lock key of the one process allowed to use an embedded index on
/// a shared PostgreSQL database.
const EMBEDDED_LOCK: i64 = 0x454D_4245_4444; // "EMBEDD"

/// The least pause of the drain loop after a failure.
const RETRY_AFTER: Duration = Duration::from_secs(2);

/// Rows taken from the outbox at a time.
pub const BATCH: i64 = 500;

#[derive(diesel::QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

fn try_advisory_lock(conn: &mut DbConnection, key: i64) -> Result<bool, DbError> {
    let row: Locked = diesel::sql_query(format!("SELECT pg_try_advisory_lock({key}) AS locked"))
        .get_result(conn)?;
    Ok(row.locked)
}

/// Takes the PostgreSQL lock that says "this process uses an embedded
/// index on this database"; a second such process is refused with a clear
/// message. The returned connection holds the lock for the process's life.
pub fn claim_embedded(url: &str) -> Result<Option<DbConnection>, SearchError> {
    if db::backend_of(url) != db::Backend::Postgres {
        return Ok(None);
    }
    let mut conn = db::establish(url)?;
    if try_advisory_lock(&mut conn, EMBEDDED_LOCK)? {
        Ok(Some(conn))
    } else {
        Err(SearchError::Unavailable(
            "another portal process already uses this PostgreSQL database with the embedded \
             search engine; several processes must share Meilisearch (set MEILI_URL)"
                .into(),
        ))
    }
}

/// Drains the outbox into one engine.
#[derive(Clone)]
pub struct Indexer {
    pool: Pool,
    url: String,
    index: SharedIndex,
    clock: Clock,
    windows: StandingPolicy,
    wake: Arc<Notify>,
    /// The connection kept for advisory locks (the embedded-engine claim
    /// and the drain lock share it), and whether it holds the drain lock.
    locks: Arc<Mutex<(Option<DbConnection>, bool)>>,
    stopped: Arc<AtomicBool>,
    drained: Arc<AtomicU64>,
    health: Arc<Health>,
    /// The shared search generation (PostgreSQL) last seen, and how many
    /// times another process's drain changed it: a portal that does not
    /// drain forgets its cached answers when the drainer changed the index.
    shared: Arc<(AtomicU64, AtomicU64)>,
}

/// Failures in a row at which the indexer counts as failing (about 6 s of
/// retries): `/readyz` says so and `/metrics` shows it.
pub const FAILING_AFTER: u64 = 3;

/// How the drain loop fares, for `/readyz` and `/metrics`.
#[derive(Debug, Default)]
struct Health {
    /// Failed attempts since the last success.
    in_a_row: AtomicU64,
    /// Failed attempts since start.
    total: AtomicU64,
    /// Full rebuilds done since start.
    rebuilds: AtomicU64,
    /// The index is being rebuilt from scratch (it was damaged or lost):
    /// searches answer from the database meanwhile.
    rebuilding: AtomicBool,
    /// This process drains the outbox (on PostgreSQL: it holds the drain
    /// lock; on SQLite the one process always does).
    draining: AtomicBool,
}

/// The indexer's state as `/readyz` and `/metrics` report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexerHealth {
    /// Failed attempts since the last success.
    pub failures_in_a_row: u64,
    /// Failed attempts since start.
    pub failures_total: u64,
    /// The index is being rebuilt after damage or loss.
    pub rebuilding: bool,
    /// This process drains the outbox (the others on one PostgreSQL wait).
    pub draining: bool,
    /// Outbox rows this process has drained since it started.
    pub rows_drained: u64,
}

impl IndexerHealth {
    /// Whether the indexer keeps failing ([`FAILING_AFTER`] in a row).
    pub fn failing(&self) -> bool {
        self.failures_in_a_row >= FAILING_AFTER
    }
}

/// What one drain did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drained {
    /// Outbox rows confirmed and deleted.
    pub rows: usize,
    /// Documents written.
    pub upserted: usize,
    /// Documents removed.
    pub deleted: usize,
}

struct Batch {
    ids: Vec<i64>,
    write: IndexBatch,
}

impl Indexer {
    /// An indexer for `index` fed from the database of `pool` (at `url`).
    pub fn new(
        pool: Pool,
        url: String,
        index: SharedIndex,
        clock: Clock,
        windows: StandingPolicy,
    ) -> Self {
        Self {
            pool,
            url,
            index,
            clock,
            windows,
            wake: Arc::new(Notify::new()),
            locks: Arc::new(Mutex::new((None, false))),
            stopped: Arc::default(),
            drained: Arc::default(),
            shared: Arc::default(),
            health: Arc::default(),
        }
    }

    /// Says the index must be rebuilt from scratch (it was found damaged):
    /// searches answer from the database until [`Indexer::start_up`] has
    /// rebuilt it.
    pub fn mark_rebuilding(&self) {
        self.health.rebuilding.store(true, Ordering::SeqCst);
    }

    /// Whether the index is being rebuilt after damage or loss.
    pub fn rebuilding(&self) -> bool {
        self.health.rebuilding.load(Ordering::SeqCst)
    }

    /// How the drain loop fares.
    pub fn health(&self) -> IndexerHealth {
        IndexerHealth {
            failures_in_a_row: self.health.in_a_row.load(Ordering::Relaxed),
            failures_total: self.health.total.load(Ordering::Relaxed),
            rebuilding: self.rebuilding(),
            draining: self.health.draining.load(Ordering::Relaxed),
            rows_drained: self.rows_drained(),
        }
    }

    fn failed(&self) {
        self.health.in_a_row.fetch_add(1, Ordering::Relaxed);
        self.health.total.fetch_add(1, Ordering::Relaxed);
    }

    fn succeeded(&self) {
        self.health.in_a_row.store(0, Ordering::Relaxed);
    }

    /// Records in the database that this process's drains keep failing
    /// (each failed attempt while they do), or that they recovered, so
    /// that every portal's readiness says so (`db::meta::fleet_indexer`).
    /// Only the draining process writes; a database that cannot take the
    /// write is the failure itself, and is logged by the drain already.
    async fn tell_the_fleet(&self, was_failing: bool, failing: bool) {
        if !self.health.draining.load(Ordering::Relaxed) || (!failing && !was_failing) {
            return;
        }
        let now = outbox::now();
        let _ = self
            .db(move |c| {
                if failing {
                    crate::db::meta::drain_failed(c, now)
                } else {
                    crate::db::meta::drain_recovered(c)
                }
            })
            .await;
    }

    /// Keeps `claim` (the connection holding the embedded-engine lock) open
    /// as long as the indexer lives.
    pub fn holding(self, claim: Option<DbConnection>) -> Self {
        if let Ok(mut slot) = self.locks.try_lock() {
            slot.0 = claim;
        }
        self
    }

    /// The engine fed.
    pub fn index(&self) -> &SharedIndex {
        &self.index
    }

    /// Asks the background task to drain now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, SearchError> {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            f(&mut conn)
        })
        .await
        .map_err(|e| SearchError::Engine(format!("database task failed: {e}")))?
        .map_err(SearchError::from)
    }

    /// Whether this process may drain (always on SQLite; on PostgreSQL when
    /// it holds the drain lock).
    async fn is_leader(&self) -> Result<bool, SearchError> {
        if db::backend_of(&self.url) != db::Backend::Postgres {
            self.health.draining.store(true, Ordering::Relaxed);
            return Ok(true);
        }
        let mut locks = self.locks.lock().await;
        if locks.1 {
            // Still ours only while the connection holding it lives: lost
            // (a restart, a failover, an idle timeout), another process
            // takes it, and this one must stand down, not drain beside it.
            let held = locks.0.take();
            let alive = tokio::task::spawn_blocking(move || {
                held.and_then(|mut c| db::still_connected(&mut c).then_some(c))
            })
            .await
            .ok()
            .flatten();
            if let Some(conn) = alive {
                locks.0 = Some(conn);
                return Ok(true);
            }
            tracing::warn!(
                "lost the connection holding the drain lock; taking it again or standing down"
            );
            *locks = (None, false);
            self.health.draining.store(false, Ordering::Relaxed);
        }
        let url = self.url.clone();
        let held = locks.0.take();
        let (conn, won) = tokio::task::spawn_blocking(move || -> Result<_, DbError> {
            let mut conn = match held {
                Some(c) => c,
                None => db::establish(&url)?,
            };
            let won = try_advisory_lock(&mut conn, DRAIN_LOCK)?;
            Ok((conn, won))
        })
        .await
        .map_err(|e| SearchError::Engine(format!("database task failed: {e}")))??;
        *locks = (Some(conn), won);
        self.health.draining.store(won, Ordering::Relaxed);
        Ok(won)
    }

    /// Drains one batch of due rows; `rows` is 0 when nothing was due (or
    /// another process drains).
    pub async fn drain_once(&self) -> Result<Drained, SearchError> {
        if !self.is_leader().await? {
            self.share_generation(false).await?;
            return Ok(Drained::default());
        }
        let (clock, windows) = (self.clock, self.windows);
        let batch = self
            .db(move |conn| {
                // One reading of the clock for the rows due and the day they
                // are projected on: read apart, a drain straddling China's
                // midnight took the rows due at midnight and projected them
                // on the day before (and dropped their next refresh as past).
                let now = outbox::now();
                let today = clock.today_at(now);
                let rows = outbox::due(conn, now, BATCH)?;
                // Nothing due, or a rebuild running (here or on another
                // portal: the rows wait for the new index). The claim is
                // read only when there is something to drain, not on every
                // idle tick.
                if rows.is_empty() || crate::db::meta::rebuild_started(conn, now)?.is_some() {
                    return Ok(Batch {
                        ids: Vec::new(),
                        write: IndexBatch::default(),
                    });
                }
                let mut offices = BTreeSet::new();
                let mut workers = BTreeSet::new();
                for r in &rows {
                    match SubjectKind::parse(&r.entity_kind) {
                        Some(SubjectKind::Office) => offices.insert(r.entity_key.clone()),
                        Some(SubjectKind::Worker) => workers.insert(r.entity_key.clone()),
                        None => {
                            tracing::warn!(kind = %r.entity_kind, "outbox row of unknown kind");
                            false
                        }
                    };
                }
                let offices: Vec<String> = offices.into_iter().collect();
                workers.extend(documents::workers_of(conn, &offices)?);
                let workers: Vec<String> = workers.into_iter().collect();
                let mut upserts = Vec::new();
                let mut deletes = Vec::new();
                let mut record_subjects = Vec::new();
                let mut records = Vec::new();
                for (kind, keys) in [
                    (SubjectKind::Office, offices),
                    (SubjectKind::Worker, workers),
                ] {
                    let mut gone = Vec::new();
                    for p in documents::project(conn, kind, &keys, today, &windows)? {
                        record_subjects.push(SearchDocument::id_of(kind, &p.key));
                        records.extend(p.records);
                        match p.doc {
                            Some(d) => upserts.push(d),
                            None => gone.push(p.key),
                        }
                    }
                    if !gone.is_empty() {
                        deletes.push((kind, gone));
                    }
                }
                Ok(Batch {
                    ids: rows.iter().map(|r| r.id).collect(),
                    write: IndexBatch {
                        upserts,
                        deletes,
                        record_subjects,
                        records,
                    },
                })
            })
            .await?;
        if batch.ids.is_empty() {
            return Ok(Drained::default());
        }
        let done = Drained {
            rows: batch.ids.len(),
            upserted: batch.write.upserts.len(),
            deleted: batch.write.deletes.iter().map(|(_, k)| k.len()).sum(),
        };
        let mut due = refreshes(&batch.write.upserts);
        due.extend(refreshes(&batch.write.records));
        let refreshes = due;
        self.index.write_batch(batch.write).await?;
        let ids = batch.ids;
        self.db(move |conn| {
            conn.transaction(|conn| {
                outbox::remove(conn, &ids)?;
                schedule(conn, &refreshes)
            })
        })
        .await?;
        self.drained.fetch_add(done.rows as u64, Ordering::Relaxed);
        self.share_generation(true).await?;
        Ok(done)
    }

    /// Every document the database projects today (what a reindex would
    /// write).
    pub async fn project_all(&self) -> Result<Vec<SearchDocument>, SearchError> {
        let (today, windows) = (self.clock.today(), self.windows);
        self.db(move |conn| documents::project_all(conn, today, &windows))
            .await
    }

    /// Runs `f` on a pooled connection off the async threads.
    pub async fn with_db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, SearchError> {
        self.db(f).await
    }

    /// Outbox rows this process has drained since it started.
    pub fn rows_drained(&self) -> u64 {
        self.drained.load(Ordering::Relaxed)
    }

    /// A number that grows whenever this process changed what the index
    /// answers (rows drained, full rebuilds), for the page cache.
    pub fn changes(&self) -> u64 {
        self.rows_drained()
            + self.health.rebuilds.load(Ordering::Relaxed)
            + self.shared.1.load(Ordering::Relaxed)
    }

    /// On PostgreSQL, the drainer counts each change it made to the index
    /// in `portal_meta` (`search_generation`); the other processes read it
    /// on each tick (every 250 ms) and count a change when it moved, so
    /// their page caches forget answers the index no longer gives, instead
    /// of serving them for up to the cache's lifetime.
    async fn share_generation(&self, bump: bool) -> Result<(), SearchError> {
        if db::backend_of(&self.url) != db::Backend::Postgres {
            return Ok(());
        }
        let now = self
            .db(move |conn| {
                if let (true, DbConnection::Pg(pg)) = (bump, &mut *conn) {
                    diesel::sql_query(
                        "INSERT INTO portal_meta (key, value) VALUES ('search_generation', '1') \
                         ON CONFLICT (key) DO UPDATE SET value = \
                         (CAST(portal_meta.value AS BIGINT) + 1)::TEXT",
                    )
                    .execute(pg)?;
                }
                Ok(db::meta::get(conn, "search_generation")?
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0))
            })
            .await?;
        let before = self.shared.0.swap(now, Ordering::Relaxed);
        if before != now && !bump {
            self.shared.1.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Drains until nothing is due; returns the rows drained.
    pub async fn catch_up(&self) -> Result<usize, SearchError> {
        let mut total = 0;
        loop {
            let d = self.drain_once().await?;
            if d.rows == 0 {
                return Ok(total);
            }
            total += d.rows;
        }
    }

    /// Rebuilds the whole index from the database; returns the profile
    /// documents indexed (offices and workers; their records come with
    /// them). Time-driven refreshes are scheduled afresh.
    pub async fn reindex(&self) -> Result<usize, SearchError> {
        // One rebuild at a time across every portal on the database, and no
        // drain meanwhile: a change drained into the live index while the
        // new one is built would be thrown away with the old index at the
        // swap; left in the outbox, it is drained into the new one after.
        let now = outbox::now();
        if let Some(started) = self
            .db(move |c| crate::db::meta::claim_rebuild(c, now))
            .await?
        {
            return Err(SearchError::Rebuilding(started));
        }
        // The claim is renewed while the rebuild runs, so one whose process
        // died lapses within a minute instead of pausing every portal's
        // drains for as long as a rebuild may take.
        let beat = async {
            loop {
                tokio::time::sleep(crate::db::meta::REBUILD_BEAT_EVERY).await;
                let now = outbox::now();
                if let Err(e) = self
                    .db(move |c| crate::db::meta::rebuild_beat(c, now))
                    .await
                {
                    tracing::warn!(error = %e, "could not renew the rebuild's claim");
                }
            }
        };
        let rebuilt = tokio::select! {
            rebuilt = self.rebuild() => rebuilt,
            () = beat => unreachable!("the beat never ends"),
        };
        if let Err(e) = self.db(crate::db::meta::release_rebuild).await {
            tracing::warn!(error = %e, "could not release the rebuild's claim; drains resume when it lapses");
        }
        rebuilt
    }

    async fn rebuild(&self) -> Result<usize, SearchError> {
        let (today, windows) = (self.clock.today(), self.windows);
        let policy = self.policy_json();
        // The projection is streamed to the engine a chunk at a time (two
        // chunks in flight at most), so a rebuild of the nation holds a few
        // thousand documents, not all of them (issue 15).
        let (feed, chunks) = tokio::sync::mpsc::channel(2);
        let engine_stopped = Arc::new(AtomicBool::new(false));
        let stopped = engine_stopped.clone();
        let project = self.db(move |conn| {
            let (mut n, mut due) = (0, Vec::new());
            let send = |item| {
                feed.blocking_send(item).map_err(|_| {
                    stopped.store(true, Ordering::Relaxed);
                    DbError::Corrupt("the search engine stopped the rebuild".into())
                })
            };
            documents::project_chunks(conn, today, &windows, documents::CHUNK_SUBJECTS, |chunk| {
                n += chunk.iter().filter(|d| !d.doc_type.is_record()).count();
                due.extend(refreshes(&chunk));
                send(Some(chunk))
            })?;
            send(None)?;
            Ok((n, due))
        });
        let (projected, rebuilt) = tokio::join!(project, self.index.rebuild_from(chunks));
        // Whichever side stopped first says why.
        let (n, refreshes) = match (projected, rebuilt) {
            (Ok(p), Ok(())) => p,
            (Ok(_), Err(e)) => return Err(e),
            (Err(e), Ok(())) => return Err(e),
            (Err(p), Err(e)) => {
                return Err(if engine_stopped.load(Ordering::Relaxed) {
                    e
                } else {
                    p
                });
            }
        };
        self.health.rebuilds.fetch_add(1, Ordering::Relaxed);
        self.share_generation(true).await?;
        self.db(move |conn| {
            conn.transaction(|conn| {
                let now = outbox::now();
                outbox::clear_future(conn, now)?;
                let mut by_day: BTreeMap<_, Vec<String>> = BTreeMap::new();
                for (kind, key, on) in refreshes {
                    let due = crate::domain::dates::china_midnight_utc(on);
                    if due > now {
                        by_day.entry((kind.key(), due)).or_default().push(key);
                    }
                }
                for ((kind, due), keys) in by_day {
                    let kind = SubjectKind::parse(kind).unwrap_or(SubjectKind::Worker);
                    outbox::enqueue_at(conn, kind, &keys, due)?;
                }
                crate::db::meta::set(conn, crate::db::meta::SEARCH_POLICY, &policy)
            })
        })
        .await?;
        self.health.rebuilding.store(false, Ordering::SeqCst);
        Ok(n)
    }

    /// The standing settings as the index records them (JSON).
    fn policy_json(&self) -> String {
        serde_json::to_string(&self.windows).unwrap_or_default()
    }

    /// At start-up: a full reindex when the index is empty but the
    /// database is not, or when it was built under other standing settings
    /// (disclosure windows, review due day: every subject's standing may
    /// differ), else a catch-up of the outbox.
    pub async fn start_up(&self) -> Result<(), SearchError> {
        let indexed = self.index.count().await?;
        let subjects = self.db(subject_count).await?;
        let policy = self.policy_json();
        let built_under = self
            .db(|c| crate::db::meta::get(c, crate::db::meta::SEARCH_POLICY))
            .await?;
        let other_policy = indexed > 0 && built_under.as_deref() != Some(policy.as_str());
        if (indexed == 0 && subjects > 0) || other_policy || self.rebuilding() {
            // Any portal that finds it so rebuilds (in a fleet the drain
            // lock is always someone's, so waiting to lead would leave it
            // undone); the claim in the database lets one rebuild at a time.
            if other_policy {
                tracing::info!(
                    "the search index was built under other standing settings (or before they were recorded): rebuilding it"
                );
            }
            let started = std::time::Instant::now();
            match self.reindex().await {
                Ok(n) => tracing::info!(
                    documents = n,
                    ms = started.elapsed().as_millis() as u64,
                    backend = self.index.backend(),
                    "search index built"
                ),
                Err(SearchError::Rebuilding(since)) => {
                    tracing::info!(%since, "another portal is rebuilding the search index");
                    self.health.rebuilding.store(false, Ordering::SeqCst);
                }
                Err(e) => return Err(e),
            }
        } else {
            if built_under.is_none() {
                // An empty index on an empty database: what it will hold
                // is projected under today's settings.
                self.db(move |c| crate::db::meta::set(c, crate::db::meta::SEARCH_POLICY, &policy))
                    .await?;
            }
            let n = self.catch_up().await?;
            tracing::info!(
                rows = n,
                backend = self.index.backend(),
                "search outbox caught up"
            );
        }
        self.health.rebuilding.store(false, Ordering::SeqCst);
        Ok(())
    }

    /// Answers `q` with the engine or, when the engine fails (Meilisearch
    /// unreachable), from the database; the flag says the answer is the
    /// simpler database one.
    pub async fn search(
        &self,
        q: &super::SearchQuery,
    ) -> Result<(super::SearchResults, bool), SearchError> {
        let answer = if self.rebuilding() {
            Err(SearchError::Unavailable(
                "the index is being rebuilt".into(),
            ))
        } else {
            self.index.search(q).await
        };
        match answer {
            Ok(r) => Ok((r, false)),
            Err(e) => {
                tracing::warn!(error = %e, "search engine failed; answering from the database");
                let (q, today, windows) = (q.clone(), self.clock.today(), self.windows);
                let r = self
                    .db(move |conn| super::fallback::search(conn, &q, today, &windows))
                    .await?;
                Ok((r, true))
            }
        }
    }

    /// Whether the engine answers now (for `/readyz`).
    pub async fn engine_reachable(&self) -> bool {
        self.index.count().await.is_ok()
    }

    /// Ends the drain loop (the portal is stopping).
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Runs the drain loop until [`Indexer::stop`]: on a wake-up or every
    /// `every`.
    /// When `started` is false (start-up failed: the engine was down, or
    /// the index must be rebuilt), the loop retries the start-up first.
    /// After a failed drain it asks the engine to [`SearchIndex::recover`]
    /// (an embedded index folder deleted under the portal is recreated) and
    /// then rebuilds the index from the database.
    ///
    /// [`SearchIndex::recover`]: super::SearchIndex::recover
    pub async fn run(self, every: Duration, mut started: bool) {
        let mut failed = false;
        while !self.stopped.load(Ordering::SeqCst) {
            if !started {
                match self.start_up().await {
                    Ok(()) => started = true,
                    Err(e) => {
                        tracing::warn!(error = %e, "search engine still unavailable; will retry");
                        failed = true;
                    }
                }
            } else if let Err(e) = self.catch_up().await {
                tracing::error!(error = %e, "search indexer: drain failed; will retry");
                failed = true;
                match self.index.recover().await {
                    Ok(true) => {
                        self.mark_rebuilding();
                        started = false;
                    }
                    Ok(false) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "search indexer: cannot recreate the index")
                    }
                }
            }
            let was_failing = self.health().failing();
            if failed {
                self.failed();
            } else {
                self.succeeded();
            }
            self.tell_the_fleet(was_failing, self.health().failing())
                .await;
            // After a failure, wait at least RETRY_AFTER (a wake-up still
            // comes through) so a down engine is not hammered.
            let pause = if failed {
                every.max(RETRY_AFTER)
            } else {
                every
            };
            failed = false;
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }
}

/// Offices and workers in the database (records are not counted: an index
/// holding profiles is not empty).
fn subject_count(conn: &mut DbConnection) -> Result<i64, DbError> {
    use crate::db::schema::{offices, workers};
    let o: i64 = offices::table.count().get_result(conn)?;
    let w: i64 = workers::table.count().get_result(conn)?;
    Ok(o + w)
}

type Refresh = (SubjectKind, String, chrono::NaiveDate);

fn refreshes(docs: &[SearchDocument]) -> Vec<Refresh> {
    docs.iter()
        .filter_map(|d| {
            d.standing_next_change
                .map(|on| (d.kind, d.license_no.clone(), on))
        })
        .collect()
}

fn schedule(conn: &mut DbConnection, refreshes: &[Refresh]) -> Result<(), DbError> {
    let now = outbox::now();
    for (kind, key, on) in refreshes {
        // A clock pinned in the past (demos, tests) must not loop forever.
        if crate::domain::dates::china_midnight_utc(*on) > now {
            outbox::schedule_refresh(conn, *kind, key, *on)?;
        }
    }
    Ok(())
}
