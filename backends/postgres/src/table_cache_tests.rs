//! The table cache's rules without a database: listening, generations, version checks.

use super::*;

fn cache(listening: bool) -> TableCache {
    let c = TableCache::default();
    c.reset(listening);
    c.checked(Instant::now(), Some("1".into()));
    c
}

fn def(name: &str) -> TableDefinition {
    extenddb_core::testsuite::hash_table_definition("000000000000", name, 7)
}

#[test]
fn serves_only_while_listening() {
    let c = cache(false);
    let Lookup::Miss(g) = c.lookup("a", "t") else {
        panic!("hit while not listening")
    };
    c.store(g, "a", "t", Some(Arc::new(def("t"))));
    assert!(matches!(c.lookup("a", "t"), Lookup::Miss(_)));
    c.reset(true);
    let Lookup::Miss(g) = c.lookup("a", "t") else {
        panic!("hit on an empty cache")
    };
    c.store(g, "a", "t", Some(Arc::new(def("t"))));
    match c.lookup("a", "t") {
        Lookup::Hit(Some(d)) => assert_eq!(d.name, "t"),
        _ => panic!("expected a hit"),
    }
}

#[test]
fn a_read_older_than_an_invalidation_is_not_stored() {
    let c = cache(true);
    let Lookup::Miss(g) = c.lookup("a", "t") else {
        panic!()
    };
    c.notified(&payload("a", "t"));
    c.store(g, "a", "t", Some(Arc::new(def("t"))));
    assert!(matches!(c.lookup("a", "t"), Lookup::Miss(_)));
}

#[test]
fn notifications_remove_entries_and_garbage_clears_all() {
    let c = cache(true);
    for name in ["t", "u"] {
        let Lookup::Miss(g) = c.lookup("a", name) else {
            panic!()
        };
        c.store(g, "a", name, None);
    }
    assert!(matches!(c.lookup("a", "t"), Lookup::Hit(None)));
    c.notified(&payload("a", "t"));
    assert!(matches!(c.lookup("a", "t"), Lookup::Miss(_)));
    assert!(matches!(c.lookup("a", "u"), Lookup::Hit(None)));
    c.notified("not json");
    assert!(matches!(c.lookup("a", "u"), Lookup::Miss(_)));
    assert!(c.is_serving());
}

fn fill(c: &TableCache, name: &str) {
    let Lookup::Miss(g) = c.lookup("a", name) else {
        panic!("hit on an empty entry")
    };
    c.store(g, "a", name, Some(Arc::new(def(name))));
    assert!(matches!(c.lookup("a", name), Lookup::Hit(Some(_))));
}

#[test]
fn a_moved_tables_version_empties_the_cache() {
    let c = cache(true);
    fill(&c, "t");
    // The same version again: entries stay.
    c.checked(Instant::now(), Some("1".into()));
    assert!(matches!(c.lookup("a", "t"), Lookup::Hit(Some(_))));
    // A change whose notification was missed moved it.
    c.checked(Instant::now(), Some("2".into()));
    assert!(matches!(c.lookup("a", "t"), Lookup::Miss(_)));
}

#[test]
fn entries_are_served_only_within_the_validity_of_the_last_check() {
    let long_ago = Instant::now()
        .checked_sub(VALIDITY + Duration::from_millis(1))
        .unwrap();
    let stale = TableCache::default();
    stale.reset(true);
    stale.checked(long_ago, Some("1".into()));
    assert!(matches!(stale.lookup("a", "t"), Lookup::Miss(_)));
    let Lookup::Miss(g) = stale.lookup("a", "t") else {
        panic!()
    };
    stale.store(g, "a", "t", Some(Arc::new(def("t"))));
    assert!(
        matches!(stale.lookup("a", "t"), Lookup::Miss(_)),
        "no check within VALIDITY: nothing is served"
    );
    // A later check makes it servable again; an older one never moves it back.
    stale.checked(Instant::now(), Some("1".into()));
    assert!(matches!(stale.lookup("a", "t"), Lookup::Hit(Some(_))));
    stale.checked(long_ago, Some("1".into()));
    assert!(matches!(stale.lookup("a", "t"), Lookup::Hit(Some(_))));
}
