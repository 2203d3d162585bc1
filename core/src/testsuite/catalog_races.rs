//! Versioned catalog updates on a real backend: the compare-and-swap primitives
//! (`get_table_versioned`, `replace_table_if`) and, through them, `Catalog::update_table` —
//! every read-modify-write of a table definition raced against every other, two at a time
//! and all at once, from two handles (two server processes over one PostgreSQL; one store
//! twice on the embedded backend). After each race every change is still stored.
//!
//! The racers are the real operations: UpdateTable (a new GSI where the table allows one,
//! else deletion protection), UpdateTable enabling a stream, UpdateTimeToLive (enabling TTL;
//! disabling it where the TTL backfill races too), TagResource, the lazy status transition
//! UPDATING → ACTIVE (a DescribeTable lookup), the GSI backfill (allocation over, then the
//! index ACTIVE) and the TTL backfill (the expiry index of an empty table backfilled). What is stored is read with `get_table_versioned`, past every cache and
//! without settling anything, so a lost transition cannot be redone by the check itself.

use crate::context::Ctx;
use crate::model::table::TtlIndex;
use crate::model::table::{
    IndexStatus, KeyAttribute, ProjectionType, ScalarType, SecondaryIndex, TableDefinition,
    TableStatus,
};
use crate::ops::background::{gsi_backfill, ttl_backfill};
use crate::ops::control::{describe_table, tag_resource, update_table, update_time_to_live};
use crate::streams::BuiltinStreams;
use crate::traits::{Catalog, ItemStore};
use std::sync::Arc;
use tokio::sync::Barrier;

/// One backend handle: what one server process would hold.
pub type Handle = (Arc<dyn ItemStore>, Arc<dyn Catalog>);

/// The read-modify-writes raced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Racer {
    UpdateTable,
    TimeToLive,
    Tags,
    Transition,
    Backfill,
    Stream,
    TtlBackfill,
}

const RACERS: [Racer; 7] = [
    Racer::UpdateTable,
    Racer::TimeToLive,
    Racer::Tags,
    Racer::Transition,
    Racer::Backfill,
    Racer::Stream,
    Racer::TtlBackfill,
];

/// Races per pair of racers (and for all of them at once).
const ROUNDS: usize = 8;

/// Runs the checks: the primitives on `a`, then every race between `a` and `b` (which must
/// be handles on the same catalog and store).
pub async fn catalog_race_suite(a: Handle, b: Handle) {
    let run = a.1.next_storage_id().await.unwrap();
    let account = format!("{:012}", 400_000_000_000 + run % 100_000_000_000);
    versioned_writes(a.1.as_ref(), &account).await;
    let with_streams = |store, catalog| {
        let services = super::suite_services(store, catalog);
        Arc::new(
            (*services)
                .clone()
                .with_streams(Arc::new(BuiltinStreams::new())),
        )
    };
    let ctxs = [
        super::account_ctx(with_streams(a.0, a.1.clone()), &account),
        super::account_ctx(with_streams(b.0, b.1), &account),
    ];
    let catalog = a.1;
    let mut n = 0;
    for (i, first) in RACERS.iter().enumerate() {
        for second in &RACERS[i + 1..] {
            for _ in 0..ROUNDS {
                n += 1;
                race(&ctxs, catalog.as_ref(), &account, n, &[*first, *second]).await;
            }
        }
    }
    for _ in 0..ROUNDS {
        n += 1;
        race(&ctxs, catalog.as_ref(), &account, n, &RACERS).await;
    }
}

/// The primitives' contract: versions bump on every write, a swap against a stale version
/// writes nothing, a missing table is `None` / `false`, tags survive a swap.
async fn versioned_writes(catalog: &dyn Catalog, account: &str) {
    let sid = catalog.next_storage_id().await.unwrap();
    let def = super::hash_table_definition(account, "Versioned", sid);
    assert_eq!(
        catalog
            .get_table_versioned(account, "Versioned")
            .await
            .unwrap(),
        None
    );
    assert!(!catalog.replace_table_if(&def, 0).await.unwrap());
    catalog.create_table(&def).await.unwrap();
    let (read, v0) = catalog
        .get_table_versioned(account, "Versioned")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read, def);
    let mut changed = def.clone();
    changed.deletion_protection = true;
    assert!(catalog.replace_table_if(&changed, v0).await.unwrap());
    let (read, v1) = catalog
        .get_table_versioned(account, "Versioned")
        .await
        .unwrap()
        .unwrap();
    assert!(v1 > v0 && read.deletion_protection);
    // A swap from the old version loses: nothing written.
    let mut stale = def.clone();
    stale.time_to_live_attribute = Some("exp".into());
    assert!(!catalog.replace_table_if(&stale, v0).await.unwrap());
    let (read, _) = catalog
        .get_table_versioned(account, "Versioned")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.time_to_live_attribute, None);
    assert!(read.deletion_protection);
    // Tag changes and plain puts bump the version too; a swap keeps the stored tags.
    let change = crate::model::tags::TagChange {
        table_id: def.table_id.clone(),
        set: vec![crate::model::tags::Tag {
            key: "k".into(),
            value: "v".into(),
        }],
        remove: Vec::new(),
    };
    catalog
        .update_tags(account, "Versioned", &change)
        .await
        .unwrap();
    let (read, v2) = catalog
        .get_table_versioned(account, "Versioned")
        .await
        .unwrap()
        .unwrap();
    assert!(v2 > v1);
    catalog.put_table(&read).await.unwrap();
    let (untagged, v3) = catalog
        .get_table_versioned(account, "Versioned")
        .await
        .unwrap()
        .unwrap();
    assert!(v3 > v2);
    let mut without_tags = untagged.clone();
    without_tags.tags.clear();
    assert!(catalog.replace_table_if(&without_tags, v3).await.unwrap());
    let (read, _) = catalog
        .get_table_versioned(account, "Versioned")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.tags.len(), 1, "a swap keeps the stored tags");
    catalog.delete_table(account, "Versioned").await.unwrap();
    assert!(!catalog.replace_table_if(&read, v3 + 1).await.unwrap());
}

/// A table set up so that every racer in `racers` has something to change.
fn table_for(
    account: &str,
    name: &str,
    sid: u64,
    index_sid: u64,
    racers: &[Racer],
) -> TableDefinition {
    let mut def = super::hash_table_definition(account, name, sid);
    if racers.contains(&Racer::Transition) {
        def.status = TableStatus::Updating;
        def.status_since = 1.0;
    }
    if racers.contains(&Racer::Backfill) {
        let x = KeyAttribute {
            name: "x".into(),
            attr_type: ScalarType::S,
        };
        def.attribute_definitions.push(x.clone());
        def.global_secondary_indexes.push(SecondaryIndex {
            name: "byX".into(),
            storage_id: index_sid,
            hash: vec![x],
            range: Vec::new(),
            projection: ProjectionType::KeysOnly,
            non_key_attributes: Vec::new(),
            throughput: None,
            status: IndexStatus::Creating,
            status_since: 1.0,
            backfilling: false,
            propagation_delay_ms: None,
            throughput_history: Default::default(),
        });
    }
    if racers.contains(&Racer::TtlBackfill) {
        // TTL on, its expiry index stored long ago (ready) and not yet backfilled.
        def.time_to_live_attribute = Some("exp".into());
        def.ttl.index = Some(TtlIndex {
            storage_id: index_sid + 1,
            attribute: "exp".into(),
            backfilled: false,
            backfill_after: None,
            since: 1.0,
        });
    }
    def
}

/// Whether UpdateTimeToLive disables TTL (the TTL backfill needs it enabled to begin with).
fn disables_ttl(racers: &[Racer]) -> bool {
    racers.contains(&Racer::TtlBackfill)
}

/// Whether UpdateTable also adds a GSI (only where no index is changing and the table is
/// ACTIVE, as DynamoDB requires).
fn creates_index(racers: &[Racer]) -> bool {
    !racers.contains(&Racer::Transition) && !racers.contains(&Racer::Backfill)
}

async fn act(ctx: &Ctx, racer: Racer, def: &TableDefinition, creates: bool, disables: bool) {
    let name = &def.name;
    match racer {
        Racer::UpdateTable => {
            // DeletionProtectionEnabled must come alone (DynamoDB's rule).
            let change = if creates {
                r#""AttributeDefinitions":[{"AttributeName":"u","AttributeType":"S"}],
                   "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"byU",
                   "KeySchema":[{"AttributeName":"u","KeyType":"HASH"}],
                   "Projection":{"ProjectionType":"KEYS_ONLY"}}}]"#
            } else {
                r#""DeletionProtectionEnabled":true"#
            };
            let body = format!(r#"{{"TableName":"{name}",{change}}}"#);
            update_table::handle(ctx, body.as_bytes()).await.unwrap();
        }
        Racer::TimeToLive => {
            let body = format!(
                r#"{{"TableName":"{name}","TimeToLiveSpecification":{{"Enabled":{},"AttributeName":"exp"}}}}"#,
                !disables
            );
            update_time_to_live::handle(ctx, body.as_bytes())
                .await
                .unwrap();
        }
        Racer::Tags => {
            let body = format!(
                r#"{{"ResourceArn":"{}","Tags":[{{"Key":"raced","Value":"yes"}}]}}"#,
                def.arn()
            );
            tag_resource::handle(ctx, body.as_bytes()).await.unwrap();
        }
        Racer::Transition => {
            let body = format!(r#"{{"TableName":"{name}"}}"#);
            describe_table::handle(ctx, body.as_bytes()).await.unwrap();
        }
        Racer::Backfill => {
            let mut index = def.global_secondary_indexes[0].clone();
            assert!(gsi_backfill::step_index(ctx, def, &index).await.unwrap());
            index.backfilling = true;
            // The table is empty: one page, then the index is ACTIVE.
            assert!(gsi_backfill::step_index(ctx, def, &index).await.unwrap());
        }
        Racer::Stream => {
            let body = format!(
                r#"{{"TableName":"{name}","StreamSpecification":{{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}}}}"#
            );
            update_table::handle(ctx, body.as_bytes()).await.unwrap();
        }
        Racer::TtlBackfill => {
            // The table is empty: one page, then the index is backfilled.
            ttl_backfill::step(ctx, def).await.unwrap();
        }
    }
}

/// Creates a fresh table, runs `racers` at once (alternating between the two handles) and
/// checks that every one's change is stored.
async fn race(ctxs: &[Ctx; 2], catalog: &dyn Catalog, account: &str, n: usize, racers: &[Racer]) {
    let name = format!("Race{n:03}");
    let sid = catalog.next_storage_id().await.unwrap();
    let index_sid = catalog.next_storage_id().await.unwrap();
    let def = table_for(account, &name, sid, index_sid, racers);
    catalog.create_table(&def).await.unwrap();
    let creates = creates_index(racers);
    let disables = disables_ttl(racers);
    let barrier = Arc::new(Barrier::new(racers.len()));
    let tasks: Vec<_> = racers
        .iter()
        .enumerate()
        .map(|(i, racer)| {
            let (ctx, def, barrier, racer) =
                (ctxs[i % 2].clone(), def.clone(), barrier.clone(), *racer);
            tokio::spawn(async move {
                barrier.wait().await;
                act(&ctx, racer, &def, creates, disables).await;
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let (stored, _) = catalog
        .get_table_versioned(account, &name)
        .await
        .unwrap()
        .unwrap();
    let lost = |what: &str| format!("{racers:?} lost {what}: {stored:?}");
    for racer in racers {
        match racer {
            Racer::UpdateTable => {
                if creates {
                    assert!(
                        stored
                            .global_secondary_indexes
                            .iter()
                            .any(|i| i.name == "byU"),
                        "{}",
                        lost("the new GSI")
                    );
                } else {
                    assert!(
                        stored.deletion_protection,
                        "{}",
                        lost("DeletionProtectionEnabled")
                    );
                }
            }
            Racer::TimeToLive if disables => assert!(
                stored.time_to_live_attribute.is_none() && stored.ttl.index.is_none(),
                "{}",
                lost("TTL disabled")
            ),
            Racer::TimeToLive => assert_eq!(
                stored.time_to_live_attribute.as_deref(),
                Some("exp"),
                "{}",
                lost("the TTL attribute")
            ),
            Racer::Stream => assert!(stored.stream.is_some(), "{}", lost("the stream")),
            // Disabled meanwhile: the index is gone (checked above), progress on it moot.
            Racer::TtlBackfill if racers.contains(&Racer::TimeToLive) => {}
            Racer::TtlBackfill => assert_eq!(
                stored.ttl.index.as_ref().map(|i| i.backfilled),
                Some(true),
                "{}",
                lost("the TTL backfill's progress")
            ),
            Racer::Tags => assert!(
                stored.tags.iter().any(|t| t.key == "raced"),
                "{}",
                lost("the tag")
            ),
            Racer::Transition => assert_eq!(
                stored.status,
                TableStatus::Active,
                "{}",
                lost("the UPDATING → ACTIVE transition")
            ),
            Racer::Backfill => {
                let index = stored
                    .global_secondary_indexes
                    .iter()
                    .find(|i| i.name == "byX");
                assert_eq!(
                    index.map(|i| i.status),
                    Some(IndexStatus::Active),
                    "{}",
                    lost("the backfilled index")
                );
            }
        }
    }
}
