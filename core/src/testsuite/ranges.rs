//! Range reads of the shared `ItemStore` suite: prefixes, bounds, both directions, limits,
//! `max_bytes` and the `more` flag.

use super::item_store::{item, key, put, SID_B, SID_C};
use crate::traits::{ItemStore, KeyRange};
use std::ops::Bound;

pub(super) fn range(prefix: &[u8], lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> KeyRange {
    KeyRange {
        prefix: prefix.to_vec(),
        lower: lower.map(<[u8]>::to_vec),
        upper: upper.map(<[u8]>::to_vec),
    }
}

fn keys(page: &crate::traits::Page) -> Vec<&[u8]> {
    page.items.iter().map(|(k, _)| k.as_slice()).collect()
}

pub(super) async fn ranges(store: &dyn ItemStore) {
    use Bound::{Excluded, Included, Unbounded};
    // Partition "p1" holds five items; neighbours outside the prefix and the same keys in
    // another storage id must never show up.
    let inside: [&[u8]; 5] = [b"p1a", b"p1b", b"p1c", b"p1d", b"p1e"];
    for k in inside {
        put(store, key(SID_C, k), item("p1", "0123456789")).await;
        put(store, key(SID_B, k), item("other", "x")).await;
    }
    put(store, key(SID_C, b"p0z"), item("p0", "x")).await;
    put(store, key(SID_C, b"p2"), item("p2", "x")).await;
    let all = range(b"p1", Unbounded, Unbounded);

    let page = store
        .range(SID_C, &all, true, 100, usize::MAX)
        .await
        .unwrap();
    assert_eq!(keys(&page), inside.to_vec());
    assert!(!page.more);
    assert_eq!(page.items[0].1, item("p1", "0123456789"));

    let page = store
        .range(SID_C, &all, false, 100, usize::MAX)
        .await
        .unwrap();
    assert_eq!(
        keys(&page),
        vec![&b"p1e"[..], b"p1d", b"p1c", b"p1b", b"p1a"]
    );
    assert!(!page.more);

    let bounded = range(b"p1", Excluded(b"p1b"), Included(b"p1d"));
    let page = store
        .range(SID_C, &bounded, true, 100, usize::MAX)
        .await
        .unwrap();
    assert_eq!(keys(&page), vec![&b"p1c"[..], b"p1d"]);
    let page = store
        .range(SID_C, &bounded, false, 100, usize::MAX)
        .await
        .unwrap();
    assert_eq!(keys(&page), vec![&b"p1d"[..], b"p1c"]);
    let half_open = range(b"p1", Included(b"p1b"), Excluded(b"p1d"));
    let page = store
        .range(SID_C, &half_open, true, 100, usize::MAX)
        .await
        .unwrap();
    assert_eq!(keys(&page), vec![&b"p1b"[..], b"p1c"]);
    let empty = range(b"p1", Included(b"p1d"), Excluded(b"p1b"));
    let page = store
        .range(SID_C, &empty, true, 100, usize::MAX)
        .await
        .unwrap();
    assert!(page.items.is_empty() && !page.more);

    // Limits and paging with the last key as exclusive start.
    let page = store.range(SID_C, &all, true, 2, usize::MAX).await.unwrap();
    assert_eq!(keys(&page), vec![&b"p1a"[..], b"p1b"]);
    assert!(page.more);
    let next = range(b"p1", Excluded(b"p1b"), Unbounded);
    let page = store
        .range(SID_C, &next, true, 3, usize::MAX)
        .await
        .unwrap();
    assert_eq!(keys(&page), vec![&b"p1c"[..], b"p1d", b"p1e"]);
    assert!(!page.more, "exactly the rest: no more");
    let page = store
        .range(SID_C, &all, false, 2, usize::MAX)
        .await
        .unwrap();
    assert_eq!(keys(&page), vec![&b"p1e"[..], b"p1d"]);
    assert!(page.more);
    let prev = range(b"p1", Unbounded, Excluded(b"p1d"));
    let page = store
        .range(SID_C, &prev, false, 10, usize::MAX)
        .await
        .unwrap();
    assert_eq!(keys(&page), vec![&b"p1c"[..], b"p1b", b"p1a"]);
    assert!(!page.more);

    // max_bytes: stop once the returned items reach it (the item that crosses it is included).
    let size = item("p1", "0123456789").as_bytes().len();
    let page = store.range(SID_C, &all, true, 100, size + 1).await.unwrap();
    assert_eq!(keys(&page), vec![&b"p1a"[..], b"p1b"]);
    assert!(page.more);
    let page = store.range(SID_C, &all, true, 100, size * 5).await.unwrap();
    assert_eq!(page.items.len(), 5);
    assert!(!page.more);

    // No prefix: the whole table, in key order, nothing from other storage ids.
    let table = range(b"", Unbounded, Unbounded);
    let page = store
        .range(SID_C, &table, true, 100, usize::MAX)
        .await
        .unwrap();
    assert_eq!(
        keys(&page),
        vec![&b"p0z"[..], b"p1a", b"p1b", b"p1c", b"p1d", b"p1e", b"p2"]
    );
    let page = store
        .range(SID_C, &table, false, 1, usize::MAX)
        .await
        .unwrap();
    assert_eq!(keys(&page), vec![&b"p2"[..]]);
    assert!(page.more);
    store.drop_table(SID_B).await.unwrap();
    store.drop_table(SID_C).await.unwrap();
}
