//! DynamoDB Streams on a real backend: records of concurrent writes get sequence numbers in
//! commit order (each key's records chain: a record's OldImage is the previous record's
//! NewImage), none is lost or repeated, shards roll over with contiguous ranges and parents,
//! unchanged writes record nothing, and the trimmer removes records past retention.

use crate::clock::ManualClock;
use crate::context::Ctx;
use crate::model::stream::ShardPolicy;
use crate::ops::background::stream_trim;
use crate::ops::control::create_table;
use crate::ops::data::{put_item, update_item};
use crate::ops::streams::created_ms;
use crate::streams::reader;
use crate::streams::record::StoredRecord;
use crate::streams::BuiltinStreams;
use crate::testsuite::fixtures::{account_ctx, suite_services};
use crate::traits::{Catalog, ItemStore};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const POLICY: ShardPolicy = ShardPolicy {
    max_records: 25,
    max_age_ms: 3_600_000,
};

/// Every record of the table's current stream, rendered, with its sequence number.
async fn records(ctx: &Ctx, name: &str) -> Vec<(u64, Value)> {
    let def = ctx
        .catalog
        .get_table(ctx.account_id(), name)
        .await
        .unwrap()
        .unwrap();
    let stream = def.stream.clone().unwrap();
    let store = ctx.store.as_ref();
    let view = reader::view(
        store,
        stream.log_id,
        created_ms(&stream),
        Some(POLICY),
        false,
    )
    .await
    .unwrap();
    let shards = view.shards(store, stream.log_id).await.unwrap();
    // Contiguous ranges, each child naming its parent.
    for pair in shards.windows(2) {
        assert_eq!(pair[0].end.map(|e| e + 1), Some(pair[1].start));
        assert_eq!(pair[1].parent_ms, Some(pair[0].created_ms));
        assert!(pair[1].created_ms > pair[0].created_ms);
    }
    let mut out = Vec::new();
    for shard in &shards {
        let page = reader::read(
            store,
            stream.log_id,
            view.horizon(shard),
            view.last_of(shard),
            usize::MAX,
            usize::MAX,
        )
        .await
        .unwrap();
        for (seq, stored) in page.records {
            assert!(seq >= shard.start && shard.end.is_none_or(|e| seq <= e));
            let mut buf = Vec::new();
            StoredRecord::parse(stored.as_bytes()).unwrap().render(
                &mut buf,
                seq,
                "id",
                "us-east-1",
            );
            out.push((seq, serde_json::from_slice(&buf).unwrap()));
        }
    }
    out
}

/// Runs the stream checks. Each of `processes` is one backend's halves as one server process
/// would hold them (several over one database: one consistent stream); writers take turns.
pub async fn stream_suite(processes: Vec<(Arc<dyn ItemStore>, Arc<dyn Catalog>)>) {
    let first = &processes[0].1;
    let account = format!(
        "{:012}",
        first.next_storage_id().await.unwrap() % 1_000_000_000_000
    );
    let clock = Arc::new(ManualClock::at_epoch_seconds(1_800_000_000));
    let ctxs: Vec<Ctx> = processes
        .into_iter()
        .map(|(store, catalog)| {
            let services = suite_services(store, catalog);
            let services = Arc::new(
                (*services)
                    .clone()
                    .with_streams(Arc::new(BuiltinStreams::with_policy(POLICY)))
                    .with_clock(clock.clone()),
            );
            account_ctx(services, &account)
        })
        .collect();
    let ctx = ctxs[0].clone();
    let name = "suite-stream";
    create_table::handle(
        &ctx,
        json!({
            "TableName": name,
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
            "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        })
        .to_string()
        .as_bytes(),
    )
    .await
    .unwrap();

    // Eight writers: each counts up its own key and two shared ones, concurrently.
    let mut tasks = Vec::new();
    for w in 0..8 {
        let ctx = ctxs[w % ctxs.len()].clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..12 {
                let own = format!("own-{w}");
                let shared = format!("shared-{}", i % 2);
                for key in [own.as_str(), shared.as_str()] {
                    let body = json!({
                        "TableName": name,
                        "Key": {"pk": {"S": key}},
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}
                    });
                    update_item::handle(&ctx, body.to_string().as_bytes())
                        .await
                        .unwrap();
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // An unchanged item records nothing.
    let same = json!({"TableName": name, "Item": {"pk": {"S": "own-0"}, "n": {"N": "12"}}});
    put_item::handle(&ctx, same.to_string().as_bytes())
        .await
        .unwrap();

    let all = records(&ctx, name).await;
    assert_eq!(all.len(), 8 * 12 * 2, "every change recorded once");
    let seqs: Vec<u64> = all.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "numbers count up without gaps"
    );
    let mut last: HashMap<String, Value> = HashMap::new();
    for (_, r) in &all {
        let d = &r["dynamodb"];
        let key = d["Keys"]["pk"]["S"].as_str().unwrap().to_string();
        let n: u64 = d["NewImage"]["n"]["N"].as_str().unwrap().parse().unwrap();
        match last.get(&key) {
            None => {
                assert_eq!(r["eventName"], "INSERT");
                assert_eq!(n, 1);
            }
            Some(prev) => {
                assert_eq!(r["eventName"], "MODIFY");
                assert_eq!(&d["OldImage"], prev, "{key}: records chain in commit order");
            }
        }
        last.insert(key, d["NewImage"].clone());
    }
    assert_eq!(last["shared-0"]["n"]["N"], "48");
    assert_eq!(last["own-3"]["n"]["N"], "12");

    // Trimming: nothing is old yet; a day later, everything recorded so far goes.
    let def = ctx
        .catalog
        .get_table(&account, name)
        .await
        .unwrap()
        .unwrap();
    let stream = def.stream.clone().unwrap();
    let now_ms = |c: &ManualClock| (crate::clock::Clock::epoch_seconds(c) * 1000.0) as u64;
    let cutoff = now_ms(&clock) - stream_trim::RETENTION_MS;
    assert_eq!(
        stream_trim::trim_log(&ctx, &stream, false, cutoff)
            .await
            .unwrap(),
        0
    );
    clock.advance(Duration::from_secs(25 * 3600));
    let body = json!({"TableName": name, "Item": {"pk": {"S": "late"}}});
    put_item::handle(&ctx, body.to_string().as_bytes())
        .await
        .unwrap();
    let cutoff = now_ms(&clock) - stream_trim::RETENTION_MS;
    assert_eq!(
        stream_trim::trim_log(&ctx, &stream, false, cutoff)
            .await
            .unwrap(),
        192
    );
    let left = records(&ctx, name).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0, 193);
    let store = ctx.store.as_ref();
    let view = reader::view(
        store,
        stream.log_id,
        created_ms(&stream),
        Some(POLICY),
        false,
    )
    .await
    .unwrap();
    assert_eq!(view.trim.below, 193);
    let shards = view.shards(store, stream.log_id).await.unwrap();
    assert_eq!(
        shards.len(),
        1,
        "shards wholly trimmed are gone: {shards:?}"
    );
    // The day-old shard (176..=192) rolled over by age before "late" and is trimmed whole.
    assert_eq!(shards[0].start, 193);
}
