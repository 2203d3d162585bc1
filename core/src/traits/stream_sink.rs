//! `StreamSink`: where change records go (DynamoDB Streams arrives with its issue).

use crate::error::StoreError;
use crate::model::Item;
use async_trait::async_trait;

/// One change to one item.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamRecord {
    /// ARN of the table's stream.
    pub stream_arn: String,
    /// `INSERT`, `MODIFY` or `REMOVE`.
    pub event_name: String,
    /// The item's key attributes.
    pub keys: Item,
    /// The item before the change.
    pub old_image: Option<Item>,
    /// The item after the change.
    pub new_image: Option<Item>,
    /// Approximate creation time, seconds since the epoch.
    pub created_at: f64,
}

/// Receives change records after their write committed.
#[async_trait]
pub trait StreamSink: Send + Sync {
    /// Accepts records in commit order.
    async fn publish(&self, records: Vec<StreamRecord>) -> Result<(), StoreError>;
}
