//! Test doubles shared by the operation tests: tables, a mocked catalog that knows them, a
//! mocked item store that runs the decider against a given current item, and an auth provider
//! that records what it is asked.

use crate::context::Ctx;
use crate::model::table::{
    BillingMode, IndexStatus, KeyAttribute, KeySchema, ProjectionType, ScalarType, SecondaryIndex,
    TableDefinition, TableStatus, Throughput,
};
use crate::services::Services;
use crate::settings::RuntimeSettings;
use crate::traits::catalog::MockCatalog;
use crate::traits::item_store::MockItemStore;
use crate::traits::{
    AuthProvider, Catalog, ItemKey, ItemStore, Principal, RequestFacts, StoredItem, Unthrottled,
    WriteOp, WriteOutcome,
};
use std::sync::{Arc, Mutex};

/// An ACTIVE on-demand table with the given key schema.
pub fn table(name: &str, key_schema: KeySchema) -> TableDefinition {
    TableDefinition {
        account_id: "123456789012".into(),
        region: "us-east-1".into(),
        name: name.into(),
        table_id: "00000000-0000-0000-0000-000000000000".into(),
        storage_id: 7,
        attribute_definitions: key_schema.attributes().cloned().collect(),
        key_schema,
        billing_mode: BillingMode::PayPerRequest,
        throughput: Throughput { read: 0, write: 0 },
        status: TableStatus::Active,
        created_at: 0.0,
        status_since: 0.0,
        deletion_protection: false,
        local_secondary_indexes: Vec::new(),
        global_secondary_indexes: Vec::new(),
        throughput_history: Default::default(),
        pay_per_request_since: None,
        time_to_live_attribute: None,
        tags: Vec::new(),
        on_demand_throughput: None,
        stream: None,
        past_streams: Vec::new(),
        ttl: Default::default(),
        restore: None,
        pitr: None,
    }
}

/// A table `tbl` keyed by the string `pk` alone.
pub fn hash_table() -> TableDefinition {
    table(
        "tbl",
        KeySchema {
            hash: KeyAttribute {
                name: "pk".into(),
                attr_type: ScalarType::S,
            },
            range: None,
        },
    )
}

/// A catalog holding exactly `tables`.
pub fn catalog_with(tables: Vec<TableDefinition>) -> MockCatalog {
    let mut catalog = MockCatalog::new();
    catalog.expect_get_table().returning(move |account, name| {
        Ok(tables
            .iter()
            .find(|t| t.account_id == account && t.name == name)
            .cloned()
            .map(Arc::new))
    });
    catalog
}

/// Makes `catalog` serve `Catalog::update_table` over `def`: a versioned read answers the
/// latest definition stored (version = definitions stored so far), and every
/// compare-and-swap succeeds and is recorded in the answer, in order.
pub fn serve_updates(
    catalog: &mut MockCatalog,
    def: TableDefinition,
) -> Arc<Mutex<Vec<TableDefinition>>> {
    let stored = Arc::new(Mutex::new(Vec::<TableDefinition>::new()));
    let read = stored.clone();
    catalog.expect_get_table_versioned().returning(move |_, _| {
        let stored = read.lock().unwrap();
        let latest = stored.last().cloned().unwrap_or_else(|| def.clone());
        Ok(Some((latest, stored.len() as u64)))
    });
    let write = stored.clone();
    catalog
        .expect_replace_table_if()
        .returning(move |def, version| {
            let mut stored = write.lock().unwrap();
            assert_eq!(
                version,
                stored.len() as u64,
                "swap against the version read"
            );
            stored.push(def.clone());
            Ok(true)
        });
    stored
}

/// A store that must not be touched.
pub fn untouched_store() -> MockItemStore {
    let mut store = MockItemStore::new();
    store.expect_eventual_reads().returning(|| None);
    store.expect_write().never();
    store.expect_write_unconditional().never();
    store.expect_get().never();
    store
}

/// What a mocked write saw: the keys it was asked to read and the writes the decider chose.
#[derive(Default)]
pub struct Recorded {
    /// Keys read (locked).
    pub reads: Vec<ItemKey>,
    /// Writes applied.
    pub writes: Vec<WriteOp>,
    /// True when they went through `write_unconditional` (nothing read).
    pub unconditional: bool,
}

/// A store whose one write transaction finds `current` and records what happens; a write
/// through `write_unconditional` instead is recorded with `unconditional` set. One or the
/// other, at most once.
pub fn writing_store(current: Option<StoredItem>, seen: Arc<Mutex<Recorded>>) -> MockItemStore {
    let mut store = MockItemStore::new();
    store.expect_eventual_reads().returning(|| None);
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (seen2, calls2) = (seen.clone(), calls.clone());
    store
        .expect_write_unconditional()
        .times(0..=1)
        .returning(move |writes| {
            assert_eq!(calls2.fetch_add(1, std::sync::atomic::Ordering::SeqCst), 0);
            let mut s = seen2.lock().unwrap();
            s.writes = writes;
            s.unconditional = true;
            Ok(())
        });
    store
        .expect_write()
        .times(0..=1)
        .returning(move |reads, decide| {
            assert_eq!(calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst), 0);
            let before = vec![current.clone(); reads.len()];
            let writes = decide(&before)?;
            let mut s = seen.lock().unwrap();
            s.reads = reads;
            s.writes = writes.clone();
            Ok(WriteOutcome { before, writes })
        });
    store
}

/// A store whose reads find `current` at the expected key.
pub fn reading_store(expected: ItemKey, current: Option<StoredItem>) -> MockItemStore {
    let mut store = MockItemStore::new();
    store.expect_eventual_reads().returning(|| None);
    store
        .expect_get()
        .withf(move |k| *k == expected)
        .times(1)
        .returning(move |_| Ok(current.clone()));
    store
}

/// An auth provider that allows everything (as the `none` provider does).
#[derive(Debug, Default)]
pub struct AllowAll;

#[async_trait::async_trait]
impl AuthProvider for AllowAll {
    async fn authenticate(
        &self,
        _: &crate::traits::RequestHead,
        _: &[u8; 32],
    ) -> Result<Principal, crate::error::ApiError> {
        Ok(Principal::account_root(ACCOUNT, "AKIDTEST", "us-east-1"))
    }

    async fn authorize<'r>(
        &self,
        _: &Principal,
        _: &crate::traits::AuthzRequest<'r>,
    ) -> Result<crate::traits::Decision, crate::error::ApiError> {
        Ok(crate::traits::Decision::Allow)
    }

    fn allows_everything(&self) -> bool {
        true
    }
}

/// Seconds since the epoch by the system clock (the clock test contexts use).
pub fn now_epoch() -> f64 {
    crate::clock::Clock::epoch_seconds(&crate::clock::SystemClock)
}

/// The account test contexts act in.
pub const ACCOUNT: &str = "123456789012";

/// Services over the given store and catalog: everything allowed, throttling off, transitions
/// after `delay` seconds.
pub fn services(
    catalog: Arc<dyn Catalog>,
    store: Arc<dyn ItemStore>,
    delay: std::time::Duration,
) -> Services {
    let settings = RuntimeSettings::new();
    settings.apply("throttling_enabled", "false");
    settings.apply("control_plane_delay_seconds", &delay.as_secs().to_string());
    Services::new(store, catalog, Arc::new(AllowAll), "us-east-1")
        .with_settings(Arc::new(settings))
        .with_throttler(Arc::new(Unthrottled))
}

/// A request context over `services` for the account root.
pub fn request_ctx(services: Services) -> Ctx {
    Ctx::for_request(
        Arc::new(services),
        Principal::account_root(ACCOUNT, "AKIDTEST", "us-east-1"),
        RequestFacts::default(),
    )
}

/// A context over the given doubles, running for account 123456789012.
pub fn ctx(catalog: MockCatalog, store: MockItemStore) -> Ctx {
    request_ctx(services(
        Arc::new(catalog),
        Arc::new(store),
        std::time::Duration::ZERO,
    ))
}

/// Parses DynamoDB JSON of an item.
pub fn item(json: &str) -> crate::model::Item {
    serde_json::from_str(json).unwrap()
}

/// An ACTIVE KEYS_ONLY global secondary index on the string attribute `hash`.
pub fn keys_only_gsi(name: &str, storage_id: u64, hash: &str) -> SecondaryIndex {
    SecondaryIndex {
        name: name.into(),
        storage_id,
        hash: vec![KeyAttribute {
            name: hash.into(),
            attr_type: ScalarType::S,
        }],
        range: vec![],
        projection: ProjectionType::KeysOnly,
        non_key_attributes: vec![],
        throughput: None,
        status: IndexStatus::Active,
        status_since: 0.0,
        backfilling: false,
        propagation_delay_ms: None,
        throughput_history: Default::default(),
    }
}

/// The ValidationException message `op` answers for the JSON request `body`, run as the server
/// runs it (decoding, the model's constraints, then the operation). Panics on any other answer.
pub async fn refused(c: &Ctx, op: crate::ops::Operation, body: serde_json::Value) -> String {
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    match crate::ops::dispatch(c, op, &bytes).await {
        Err(crate::error::ApiError::Validation(m)) => m,
        other => panic!("{op:?} {body}: not a ValidationException: {other:?}"),
    }
}

/// One authorization question a `RecordingAuth` was asked.
#[derive(Debug, Clone)]
pub struct Asked {
    /// The IAM action, e.g. `dynamodb:PutItem`.
    pub action: String,
    /// The resource ARN.
    pub resource: String,
    /// The condition context the operation built.
    pub context: crate::traits::AuthzContext,
}

/// A provider that allows everything and records each question; `reads` is its answer to
/// `reads_request_keys` (true by default, as the trait's).
#[derive(Debug)]
pub struct RecordingAuth {
    /// What `reads_request_keys` answers.
    pub reads: bool,
    asked: Mutex<Vec<Asked>>,
}

impl Default for RecordingAuth {
    fn default() -> Self {
        RecordingAuth::reading(true)
    }
}

impl RecordingAuth {
    /// A recorder whose `reads_request_keys` answers `reads`.
    pub fn reading(reads: bool) -> RecordingAuth {
        RecordingAuth {
            reads,
            asked: Mutex::default(),
        }
    }

    /// The questions asked so far, in order.
    pub fn asked(&self) -> Vec<Asked> {
        self.asked.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

#[async_trait::async_trait]
impl AuthProvider for RecordingAuth {
    async fn authenticate(
        &self,
        _: &crate::traits::RequestHead,
        _: &[u8; 32],
    ) -> Result<Principal, crate::error::ApiError> {
        Err(crate::error::ApiError::Internal("unused".into()))
    }

    async fn authorize<'r>(
        &self,
        _: &Principal,
        request: &crate::traits::AuthzRequest<'r>,
    ) -> Result<crate::traits::Decision, crate::error::ApiError> {
        if let Ok(mut asked) = self.asked.lock() {
            asked.push(Asked {
                action: request.action.to_string(),
                resource: request.resource.to_string(),
                context: request.context.clone(),
            });
        }
        Ok(crate::traits::Decision::Allow)
    }

    fn reads_request_keys(&self, _: &Principal) -> bool {
        self.reads
    }
}
