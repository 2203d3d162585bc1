//! How `take_group` picks a group from the queue (no database: nothing is run).

use super::*;

fn groups() -> WriteGroups {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .connect_lazy("postgres://nobody@127.0.0.1:1/none")
        .unwrap();
    WriteGroups::new(&pool)
}

fn key(k: &str) -> ItemKey {
    ItemKey {
        storage_id: 1,
        key: k.as_bytes().to_vec(),
    }
}

/// Queues a request reading `keys`, named `id`; the receiver keeps it wanted.
fn queue(g: &WriteGroups, id: u64, keys: &[&str]) -> oneshot::Receiver<Answer> {
    let (tx, rx) = oneshot::channel();
    let member = Member::new(
        keys.iter().map(|k| key(k)).collect(),
        Box::new(|_| Ok(Vec::new())),
    );
    g.inner.lock().queue.push_back(Queued { id, member, tx });
    rx
}

fn ids(group: &[Queued]) -> Vec<u64> {
    group.iter().map(|q| q.id).collect()
}

fn done(g: &WriteGroups, group: Vec<Queued>) {
    let locks: Vec<i64> = group.iter().flat_map(|q| q.member.locks.clone()).collect();
    free(&mut g.inner.lock().busy, &locks);
}

#[tokio::test]
async fn a_key_is_in_one_group_at_a_time_and_keeps_its_queue_order() {
    let g = groups();
    let _rx: Vec<_> = [
        (1, &["a"][..]),
        (2, &["a"]),
        (3, &["b"]),
        (4, &["a", "c"]),
        (5, &["c"]),
        (6, &["d"]),
    ]
    .into_iter()
    .map(|(id, keys)| queue(&g, id, keys))
    .collect();
    // 2 reads `a` like 1; 4 too; 5 reads `c` after 4, which waits.
    let first = g.inner.take_group();
    assert_eq!(ids(&first), vec![1, 3, 6]);
    // While the first group is in flight its keys are busy: 2 waits, so 4 and 5 do.
    assert!(g.inner.take_group().is_empty());
    assert!(!g.inner.runnable());
    let newcomer = queue(&g, 7, &["e"]);
    assert!(g.inner.runnable());
    assert_eq!(ids(&g.inner.take_group()), vec![7]);
    drop(newcomer);
    done(&g, first);
    let second = g.inner.take_group();
    assert_eq!(ids(&second), vec![2]);
    done(&g, second);
    let third = g.inner.take_group();
    assert_eq!(ids(&third), vec![4]);
    done(&g, third);
    assert_eq!(ids(&g.inner.take_group()), vec![5]);
}

#[tokio::test]
async fn groups_are_bounded_and_abandoned_requests_are_dropped() {
    let g = groups();
    let mut rxs: Vec<_> = (0..100)
        .map(|i| queue(&g, i, &[&format!("k{i}")]))
        .collect();
    // The submitter of request 0 gave up: it is never run.
    rxs.remove(0);
    let first = g.inner.take_group();
    assert_eq!(first.len(), MAX_MEMBERS);
    assert_eq!(first[0].id, 1);
    assert_eq!(g.inner.take_group().len(), 99 - MAX_MEMBERS);
    // A request reading more keys than a group may hold still runs, alone.
    let _big = queue(
        &g,
        500,
        &(0..MAX_KEYS + 1)
            .map(|i| format!("x{i}"))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let _small = queue(&g, 501, &["y"]);
    assert_eq!(ids(&g.inner.take_group()), vec![500]);
    assert_eq!(ids(&g.inner.take_group()), vec![501]);
}
