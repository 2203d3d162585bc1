//! Definitions the backends' own tests share (feature `testsuite`).

use crate::clock::SystemClock;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{
    BillingMode, KeyAttribute, KeySchema, ScalarType, TableDefinition, TableStatus, Throughput,
};
use crate::model::Item;
use crate::ops::background::gsi_queue::GsiQueue;
use crate::ops::index::index_maintenance::{self, Delays};
use crate::services::Services;
use crate::settings::RuntimeSettings;
use crate::traits::{
    AuthProvider, AuthzRequest, Catalog, Decision, ItemKey, ItemStore, Principal, RequestFacts,
    RequestHead, WriteOp,
};
use std::sync::Arc;

/// An ACTIVE on-demand table of `account_id` with a string partition key `pk` and no sort key
/// or indexes; its table id is derived from `storage_id`.
pub fn hash_table_definition(account_id: &str, name: &str, storage_id: u64) -> TableDefinition {
    let hash = KeyAttribute {
        name: "pk".into(),
        attr_type: ScalarType::S,
    };
    TableDefinition {
        account_id: account_id.into(),
        region: "us-east-1".into(),
        name: name.into(),
        table_id: format!("00000000-0000-4000-8000-{storage_id:012}"),
        storage_id,
        key_schema: KeySchema {
            hash: hash.clone(),
            range: None,
        },
        attribute_definitions: vec![hash],
        billing_mode: BillingMode::PayPerRequest,
        throughput: Throughput { read: 0, write: 0 },
        status: TableStatus::Active,
        created_at: 1_700_000_000.0,
        status_since: 1_700_000_000.0,
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

/// An auth provider that allows everything, for contexts the suites run operations with.
#[derive(Debug, Default)]
pub struct AllowAll;

#[async_trait::async_trait]
impl AuthProvider for AllowAll {
    async fn authenticate(&self, _: &RequestHead, _: &[u8; 32]) -> Result<Principal, ApiError> {
        Ok(Principal::account_root(
            "000000000000",
            "AKIDSUITE",
            "us-east-1",
        ))
    }

    async fn authorize<'r>(
        &self,
        _: &Principal,
        _: &AuthzRequest<'r>,
    ) -> Result<Decision, ApiError> {
        Ok(Decision::Allow)
    }

    fn allows_everything(&self) -> bool {
        true
    }
}

/// Services over one backend's halves: everything allowed, throttling off, immediate
/// control-plane transitions, synchronous GSIs.
pub fn suite_services(store: Arc<dyn ItemStore>, catalog: Arc<dyn Catalog>) -> Arc<Services> {
    let settings = RuntimeSettings::new();
    settings.apply("throttling_enabled", "false");
    settings.apply("control_plane_delay_seconds", "0");
    settings.apply("gsi_propagation_delay_ms", "0");
    Arc::new(
        Services::new(store, catalog, Arc::new(AllowAll), "us-east-1")
            .with_settings(Arc::new(settings)),
    )
}

/// A request context of `account`'s root over `services`.
pub fn account_ctx(services: Arc<Services>, account: &str) -> Ctx {
    Ctx::for_request(
        services,
        Principal::account_root(account, "AKIDSUITE", "us-east-1"),
        RequestFacts::default(),
    )
}

/// The index writes of an item changing from `old` to `new` as the data plane makes them, for
/// the suite's tables (which have no delayed GSI, so nothing is queued).
pub(crate) fn index_writes(
    def: &TableDefinition,
    key: &ItemKey,
    old: Option<&Item>,
    new: Option<&Item>,
) -> Result<Vec<WriteOp>, ApiError> {
    let queue = GsiQueue::new();
    let delays = Delays {
        default_ms: 0,
        queue: &queue,
        clock: &SystemClock,
    };
    index_maintenance::writes_for_change(def, &delays, key, old, new)
}
