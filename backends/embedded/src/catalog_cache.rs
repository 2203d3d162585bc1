//! In-process cache of table definitions, in front of the redb catalog.
//!
//! Every data-plane request looks its table up; reading the definition from redb costs a read
//! transaction and a JSON decode (about a tenth of a GetItem's server time, measured in
//! docs/performance.md). The database file is opened exclusively by one process (redb refuses
//! a second opener), so every change to the catalog goes through this store's own `Catalog`
//! methods, which invalidate the cache after their write; nothing else can change it.
//!
//! Consistency: a lookup that misses reads redb, then fills the cache only if no catalog write
//! finished since the lookup began (a generation counter, bumped by every invalidation under
//! the same lock). A reader that saw the definition *before* a concurrent write can therefore
//! never put that old definition back after the write's invalidation. Writers only invalidate,
//! never insert, so two racing writes cannot leave the older definition cached either.

use extenddb_core::model::table::TableDefinition;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Cached definitions by catalog key (`account ‖ 0 ‖ name`), with the generation that detects
/// writes racing a fill.
#[derive(Debug, Default)]
pub(crate) struct CatalogCache {
    state: RwLock<State>,
}

#[derive(Debug, Default)]
struct State {
    generation: u64,
    defs: HashMap<Vec<u8>, Arc<TableDefinition>>,
}

/// What a lookup found: the definition, or the generation to hand back to `fill` after
/// reading the catalog.
#[derive(Debug)]
pub(crate) enum Lookup {
    /// The cached definition (shared).
    Hit(Arc<TableDefinition>),
    /// Not cached; read the catalog and `fill` with this generation.
    Miss(u64),
}

impl CatalogCache {
    /// The cached definition under `key`, or the generation a later `fill` must match.
    pub(crate) fn lookup(&self, key: &[u8]) -> Lookup {
        let found = match self.state.read() {
            Ok(state) => match state.defs.get(key) {
                Some(def) => Ok(def.clone()),
                None => Err(state.generation),
            },
            // A panic while holding the lock cannot leave the map half-updated in a way that
            // matters (single inserts/removes), but be conservative: act as a permanent miss
            // that never fills.
            Err(_) => Err(u64::MAX),
        };
        match found {
            Ok(def) => Lookup::Hit(def),
            Err(generation) => Lookup::Miss(generation),
        }
    }

    /// Caches `def` (read from the catalog) under `key`, unless a catalog write finished since
    /// the lookup that returned `generation`.
    pub(crate) fn fill(&self, key: Vec<u8>, def: Arc<TableDefinition>, generation: u64) {
        if let Ok(mut state) = self.state.write() {
            if state.generation == generation {
                state.defs.insert(key, def);
            }
        }
    }

    /// Forgets `key` after a write to it, and makes every fill that began before invalid.
    pub(crate) fn invalidate(&self, key: &[u8]) {
        match self.state.write() {
            Ok(mut state) => {
                state.generation = state.generation.wrapping_add(1);
                state.defs.remove(key);
            }
            Err(poisoned) => {
                // Keep the cache safe even after a panic elsewhere: drop everything.
                let mut state = poisoned.into_inner();
                state.generation = state.generation.wrapping_add(1);
                state.defs.clear();
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal definition; only `storage_id` matters to these tests.
    pub(crate) fn def(name: &str, storage_id: u64) -> TableDefinition {
        extenddb_core::testsuite::hash_table_definition("000000000000", name, storage_id)
    }

    #[test]
    fn a_fill_is_served_until_invalidated() {
        let cache = CatalogCache::default();
        let Lookup::Miss(g) = cache.lookup(b"a\0t") else {
            panic!("empty cache hit");
        };
        cache.fill(b"a\0t".to_vec(), Arc::new(def("t", 7)), g);
        match cache.lookup(b"a\0t") {
            Lookup::Hit(d) => assert_eq!(d.storage_id, 7),
            Lookup::Miss(_) => panic!("filled entry missed"),
        }
        cache.invalidate(b"a\0t");
        assert!(matches!(cache.lookup(b"a\0t"), Lookup::Miss(_)));
    }

    #[test]
    fn a_fill_that_raced_a_write_is_dropped() {
        let cache = CatalogCache::default();
        let Lookup::Miss(g) = cache.lookup(b"a\0t") else {
            panic!("empty cache hit");
        };
        // A write finishes between the reader's catalog read and its fill.
        cache.invalidate(b"a\0t");
        cache.fill(b"a\0t".to_vec(), Arc::new(def("t", 1)), g);
        assert!(matches!(cache.lookup(b"a\0t"), Lookup::Miss(_)));
        // A write to another table also invalidates the stale fill (one generation for all).
        let Lookup::Miss(g2) = cache.lookup(b"a\0t") else {
            panic!("hit after invalidation");
        };
        cache.invalidate(b"a\0other");
        cache.fill(b"a\0t".to_vec(), Arc::new(def("t", 1)), g2);
        assert!(matches!(cache.lookup(b"a\0t"), Lookup::Miss(_)));
    }
}
