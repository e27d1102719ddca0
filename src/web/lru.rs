//! A map that keeps what was used most recently within a budget of bytes:
//! when an insertion does not fit, the least recently used entries are
//! dropped until it does. Used by the page cache and the QR codes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Bytes counted per entry on top of its key and value: the map's and the
/// order's bookkeeping, roughly.
const OVERHEAD: usize = 96;

/// Entries by key, least recently used first out.
#[derive(Debug)]
pub struct Lru<V> {
    entries: HashMap<Arc<str>, Slot<V>>,
    /// Tick of last use → key; the first is the least recently used.
    order: BTreeMap<u64, Arc<str>>,
    tick: u64,
    bytes: usize,
    budget: usize,
}

#[derive(Debug)]
struct Slot<V> {
    value: V,
    used: u64,
    size: usize,
}

impl<V> Lru<V> {
    /// An empty map holding at most `budget` bytes (as counted by
    /// [`Lru::insert`]).
    pub fn new(budget: usize) -> Self {
        Self {
            entries: HashMap::new(),
            order: BTreeMap::new(),
            tick: 0,
            bytes: 0,
            budget,
        }
    }

    /// The entry under `key`, marked as used now.
    pub fn get(&mut self, key: &str) -> Option<&V> {
        self.tick += 1;
        let tick = self.tick;
        let slot = self.entries.get_mut(key)?;
        if let Some(k) = self.order.remove(&slot.used) {
            self.order.insert(tick, k);
        }
        slot.used = tick;
        Some(&slot.value)
    }

    /// The entry under `key`, without marking it used.
    pub fn peek(&self, key: &str) -> Option<&V> {
        self.entries.get(key).map(|s| &s.value)
    }

    /// Keeps `value` under `key`, counting `size` bytes for the value (the
    /// key and some bookkeeping are added), and drops the least recently
    /// used entries until everything fits. A value that alone would not
    /// fit is not kept, and nothing is dropped for it; false then.
    pub fn insert(&mut self, key: &str, value: V, size: usize) -> bool {
        let size = size + key.len() + OVERHEAD;
        self.remove(key);
        if size > self.budget {
            return false;
        }
        while self.bytes + size > self.budget {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            if let Some(slot) = self.entries.remove(&oldest) {
                self.bytes -= slot.size;
            }
        }
        self.tick += 1;
        let key: Arc<str> = key.into();
        self.order.insert(self.tick, key.clone());
        self.entries.insert(
            key,
            Slot {
                value,
                used: self.tick,
                size,
            },
        );
        self.bytes += size;
        true
    }

    /// Drops the entry under `key`, if any.
    pub fn remove(&mut self, key: &str) {
        if let Some(slot) = self.entries.remove(key) {
            self.order.remove(&slot.used);
            self.bytes -= slot.size;
        }
    }

    /// Bytes held, as counted.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Room for three entries of 100 bytes under one-letter keys.
    fn three() -> Lru<u32> {
        Lru::new(3 * (100 + 1 + OVERHEAD) + 50)
    }

    #[test]
    fn the_least_recently_used_entry_goes_first() {
        let mut lru = three();
        for (i, key) in ["a", "b", "c"].into_iter().enumerate() {
            assert!(lru.insert(key, i as u32, 100));
        }
        assert_eq!(lru.get("a"), Some(&0)); // a is now the most recent
        assert!(lru.insert("d", 3, 100));
        assert_eq!(lru.peek("b"), None);
        assert_eq!(
            (lru.peek("a"), lru.peek("c"), lru.peek("d")),
            (Some(&0), Some(&2), Some(&3))
        );
        assert_eq!(lru.len(), 3);
        assert_eq!(lru.bytes(), 3 * (100 + 1 + OVERHEAD));
    }

    #[test]
    fn replacing_and_removing_keep_the_count_right() {
        let mut lru = three();
        lru.insert("a", 1, 100);
        lru.insert("a", 2, 100);
        assert_eq!((lru.len(), lru.peek("a")), (1, Some(&2)));
        assert_eq!(lru.bytes(), 100 + 1 + OVERHEAD);
        lru.remove("a");
        assert!(lru.is_empty());
        assert_eq!(lru.bytes(), 0);
    }

    #[test]
    fn a_value_larger_than_the_budget_is_not_kept_and_drops_nothing() {
        let mut lru = three();
        lru.insert("a", 1, 100);
        assert!(!lru.insert("big", 2, 10_000));
        assert_eq!((lru.len(), lru.peek("a")), (1, Some(&1)));
    }

    #[test]
    fn peeking_does_not_refresh_an_entry() {
        let mut lru = three();
        for key in ["a", "b", "c"] {
            lru.insert(key, 0, 100);
        }
        assert!(lru.peek("a").is_some());
        lru.insert("d", 0, 100);
        assert!(lru.peek("a").is_none());
    }
}
