//! A value read from the database once per change instead of once per
//! request, by one caller at a time (issue 15).
//!
//! The value is kept with what it was read against (a key: the page
//! cache's generation, the indexer's change count) and when. A caller that
//! sees another key waits for one read of the new value: a hundred
//! requests arriving after a change cause one read, not a hundred (at the
//! nation's scale the district figures take ≈ 190 ms to read, and a
//! hundred concurrent reads queued for over a second). A caller that sees
//! the same key but an aged value reads again only if no other caller is
//! reading; the others are answered with the aged value meanwhile, which
//! was the right answer a moment ago (age bounds only what no key shows,
//! such as another process's import of a district's population).
//!
//! The key is read before the value, so a value kept under a key is at
//! least as new as that key.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One kept value; see the module's comment.
pub struct Memo<K, V> {
    kept: Mutex<Option<(K, Instant, Arc<V>)>>,
    reading: tokio::sync::Mutex<()>,
    /// Told when a read ends (or its caller went away), to every caller
    /// waiting for one at once: were they queued on `reading` instead, each
    /// would hand it to the next only when polled again, one per turn of
    /// the worker, behind every other request of that turn (the first
    /// search pages after a start waited up to 580 ms in that chain at the
    /// nation's scale; issue 15).
    read_ended: tokio::sync::Notify,
    max_age: Duration,
}

/// The right to read, held by one caller; giving it up tells the callers
/// waiting, whether the read ended or its caller went away.
struct Reading<'a> {
    guard: Option<tokio::sync::MutexGuard<'a, ()>>,
    ended: &'a tokio::sync::Notify,
}

impl Drop for Reading<'_> {
    fn drop(&mut self) {
        // Free first, then tell: a caller told must find it free.
        drop(self.guard.take());
        self.ended.notify_waiters();
    }
}

impl<K: PartialEq, V> Memo<K, V> {
    /// Nothing kept yet; values older than `max_age` are read again.
    pub fn new(max_age: Duration) -> Self {
        Self {
            kept: Mutex::new(None),
            reading: tokio::sync::Mutex::new(()),
            read_ended: tokio::sync::Notify::new(),
            max_age,
        }
    }

    /// The value kept under `key`, and whether it is younger than the
    /// maximum age.
    fn kept(&self, key: &K) -> Option<(Arc<V>, bool)> {
        let kept = self.kept.lock().ok()?;
        let (k, at, v) = kept.as_ref()?;
        (k == key).then(|| (v.clone(), at.elapsed() < self.max_age))
    }

    /// The value for the current `key()`, read by `read` when none is kept
    /// for it or the kept one aged (see the module's comment).
    pub async fn get<E, Fut>(
        &self,
        key: impl Fn() -> K,
        read: impl FnOnce() -> Fut,
    ) -> Result<Arc<V>, E>
    where
        Fut: Future<Output = Result<V, E>>,
    {
        let guard = loop {
            match self.kept(&key()) {
                Some((v, true)) => return Ok(v),
                // Aged: one caller reads again, the others keep the aged value.
                Some((v, false)) => match self.reading.try_lock() {
                    Ok(guard) => break guard,
                    Err(_) => return Ok(v),
                },
                None => {
                    // Listening before trying, so that no ending is missed.
                    let mut ended = std::pin::pin!(self.read_ended.notified());
                    ended.as_mut().enable();
                    match self.reading.try_lock() {
                        Ok(guard) => break guard,
                        Err(_) => ended.await,
                    }
                }
            }
        };
        let _reading = Reading {
            guard: Some(guard),
            ended: &self.read_ended,
        };
        // Whoever held the lock before may have read it already.
        let key = key();
        if let Some((v, true)) = self.kept(&key) {
            return Ok(v);
        }
        let value = Arc::new(read().await?);
        if let Ok(mut kept) = self.kept.lock() {
            *kept = Some((key, Instant::now(), value.clone()));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    /// A read that takes a while and counts itself; its value is the count.
    async fn slow_read(reads: &AtomicU64) -> Result<u64, ()> {
        let n = reads.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(Duration::from_millis(30)).await;
        Ok(n)
    }

    #[tokio::test]
    async fn callers_after_a_change_share_one_read_of_the_new_value() {
        let memo = Arc::new(Memo::<u64, u64>::new(Duration::from_secs(60)));
        let reads = Arc::new(AtomicU64::new(0));
        let key = Arc::new(AtomicU64::new(1));
        let many = |memo: Arc<Memo<u64, u64>>, reads: Arc<AtomicU64>, key: Arc<AtomicU64>| {
            (0..50).map(move |_| {
                let (memo, reads, key) = (memo.clone(), reads.clone(), key.clone());
                tokio::spawn(async move {
                    memo.get(|| key.load(Ordering::SeqCst), || slow_read(&reads))
                        .await
                        .map(|v| *v)
                })
            })
        };
        for task in many(memo.clone(), reads.clone(), key.clone()).collect::<Vec<_>>() {
            assert_eq!(task.await.unwrap(), Ok(1));
        }
        assert_eq!(reads.load(Ordering::SeqCst), 1);

        // A change: every caller sees the new value, read once.
        key.store(2, Ordering::SeqCst);
        for task in many(memo.clone(), reads.clone(), key.clone()).collect::<Vec<_>>() {
            assert_eq!(task.await.unwrap(), Ok(2));
        }
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn an_aged_value_is_read_again_by_one_caller_while_the_others_keep_it() {
        let memo = Arc::new(Memo::<u64, u64>::new(Duration::from_millis(5)));
        let reads = Arc::new(AtomicU64::new(0));
        assert_eq!(*memo.get(|| 7, || slow_read(&reads)).await.unwrap(), 1);
        tokio::time::sleep(Duration::from_millis(10)).await;

        let first = {
            let (memo, reads) = (memo.clone(), reads.clone());
            tokio::spawn(async move { *memo.get(|| 7, || slow_read(&reads)).await.unwrap() })
        };
        tokio::time::sleep(Duration::from_millis(5)).await;
        // While the first caller reads, the aged value answers at once.
        let meanwhile = *memo.get(|| 7, || slow_read(&reads)).await.unwrap();
        assert_eq!(meanwhile, 1);
        assert_eq!(first.await.unwrap(), 2);
        assert_eq!(*memo.get(|| 7, || slow_read(&reads)).await.unwrap(), 2);
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }

    /// The callers waiting for a read go on together when it ends, on a
    /// worker busy with other requests (tasks that yield forever here): not
    /// one per turn of the worker, each handing on to the next.
    #[tokio::test]
    async fn callers_waiting_for_a_read_all_go_on_when_it_ends() {
        let memo = Arc::new(Memo::<u64, u64>::new(Duration::from_secs(60)));
        let (end_read, read_ends) = tokio::sync::oneshot::channel::<()>();
        let done = Arc::new(AtomicU64::new(0));
        let busy: Vec<_> = (0..100)
            .map(|_| {
                tokio::spawn(async {
                    loop {
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        let reader = {
            let (memo, done) = (memo.clone(), done.clone());
            tokio::spawn(async move {
                let v: Result<_, tokio::sync::oneshot::error::RecvError> = memo
                    .get(|| 1, || async { read_ends.await.map(|()| 7) })
                    .await;
                done.fetch_add(1, Ordering::SeqCst);
                v.map(|v| *v)
            })
        };
        let waiters: Vec<_> = (0..50)
            .map(|_| {
                let (memo, done) = (memo.clone(), done.clone());
                tokio::spawn(async move {
                    let v: Result<_, tokio::sync::oneshot::error::RecvError> =
                        memo.get(|| 1, || async { Ok(0) }).await;
                    done.fetch_add(1, Ordering::SeqCst);
                    v.map(|v| *v)
                })
            })
            .collect();
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            done.load(Ordering::SeqCst),
            0,
            "nobody has a value before the read ends"
        );
        end_read.send(()).unwrap();
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            done.load(Ordering::SeqCst),
            51,
            "every caller has the value a few turns after the read ended"
        );
        assert_eq!(reader.await.unwrap(), Ok(7));
        for w in waiters {
            assert_eq!(w.await.unwrap(), Ok(7));
        }
        busy.iter().for_each(tokio::task::JoinHandle::abort);
    }

    #[tokio::test]
    async fn a_failed_read_keeps_nothing_and_the_next_caller_reads_again() {
        let memo = Memo::<u64, u64>::new(Duration::from_secs(60));
        let failed: Result<_, &str> = memo.get(|| 1, || async { Err("down") }).await;
        assert_eq!(failed.err(), Some("down"));
        let value: Result<_, &str> = memo.get(|| 1, || async { Ok(5) }).await;
        assert_eq!(*value.unwrap(), 5);
    }
}
