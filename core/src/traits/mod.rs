//! The five seams of extenddb: storage of items (`ItemStore`) and metadata (`Catalog`),
//! authentication/authorization (`AuthProvider`), rate limiting (`Throttler`) and change records
//! (`StreamSink`). Object-safe, used as `Arc<dyn Trait>`; implementations live outside core.

pub mod auth;
pub mod catalog;
pub mod coordination;
pub mod iam;
pub mod item_store;
pub mod sigv4_header;
pub mod sigv4_text;
pub mod stream_sink;
pub mod throttler;

pub use auth::{
    AuthProvider, AuthzContext, AuthzRequest, Decision, DenyReason, Principal, RequestFacts,
    RequestHead,
};
pub use catalog::{Catalog, CatalogError};
pub use coordination::{Alone, Coordination, Job};
pub use iam::{IamEntity, IamError, IamStore};
pub use item_store::{
    reads_for, ItemKey, ItemStore, KeyRange, Page, PoolStatus, Reader, Readiness, StoredItem,
    TableStats, WriteDecider, WriteOp, WriteOutcome,
};
pub use stream_sink::{ItemChange, NoStreams, StreamSink};
pub use throttler::{Claim, Direction, Grant, Throttler, Unthrottled};
