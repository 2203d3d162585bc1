//! What an item change adds to its write transaction: the table's index entries
//! (`index::index_maintenance`), its expiry-index entry while TTL is enabled
//! (`index::ttl_index`) and, while the table has a stream, the record the `StreamSink`
//! answers for it — computed inside the transaction's decider, once the old item is locked
//! and read and the new one decided, so both commit or abort with the change itself.
//!
//! Every write path (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems, the
//! TTL sweeper) builds a `ChangeWriter` per table before its transaction and calls `writes`
//! for each item it changes.

use crate::clock::Clock;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::TableDefinition;
use crate::model::table::TtlIndex;
use crate::model::Item;
use crate::ops::background::gsi_queue::GsiQueue;
use crate::ops::index::index_maintenance::{self, Delays};
use crate::ops::index::ttl_index;
use crate::traits::{ItemChange, ItemKey, StreamSink, WriteOp};
use std::sync::Arc;

/// One table's change hooks, carried into a write decider (cheap to clone).
#[derive(Clone, Default)]
pub struct ChangeWriter(Option<Arc<Hooks>>);

impl std::fmt::Debug for ChangeWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeWriter")
            .field("table", &self.table().map(|d| d.name.as_str()))
            .finish()
    }
}

struct Hooks {
    /// The definition the catalog handed out, shared (not copied per write).
    def: Arc<TableDefinition>,
    indexed: bool,
    gsi_delay_ms: u64,
    /// The services' GSI queue and clock (delayed index writes are queued records).
    gsi: (Arc<GsiQueue>, Arc<dyn Clock>),
    streams: Option<Arc<dyn StreamSink>>,
    ttl: Option<TtlIndex>,
    at: f64,
    by_service: bool,
    /// While point-in-time recovery is on: the history's storage id and the clock that
    /// stamps entries inside the transaction (`ops::pitr::history`).
    pitr: Option<(u64, Arc<dyn Clock>)>,
}

impl ChangeWriter {
    /// The hooks of `def` for a write made now: none when it has neither secondary indexes,
    /// nor an expiry index, nor a stream.
    pub fn for_table(ctx: &Ctx, def: &Arc<TableDefinition>) -> ChangeWriter {
        let indexed = def.indexes().next().is_some();
        let streams = def.stream.is_some().then(|| ctx.streams.clone());
        let ttl = def.ttl.index.clone();
        let pitr = def.pitr.as_ref().map(|p| (p.history_id, ctx.clock.clone()));
        if !indexed && streams.is_none() && ttl.is_none() && pitr.is_none() {
            return ChangeWriter(None);
        }
        ChangeWriter(Some(Arc::new(Hooks {
            def: Arc::clone(def),
            indexed,
            gsi_delay_ms: ctx.settings.gsi_propagation_delay_ms(),
            gsi: (ctx.gsi_queue.clone(), ctx.clock.clone()),
            streams,
            ttl,
            at: ctx.now_epoch(),
            by_service: false,
            pitr,
        })))
    }

    /// The same hooks for a change DynamoDB itself makes (a TTL deletion).
    pub fn by_service(self) -> ChangeWriter {
        ChangeWriter(self.0.map(|h| {
            Arc::new(Hooks {
                def: h.def.clone(),
                indexed: h.indexed,
                gsi_delay_ms: h.gsi_delay_ms,
                gsi: h.gsi.clone(),
                streams: h.streams.clone(),
                ttl: h.ttl.clone(),
                at: h.at,
                by_service: true,
                pitr: h.pitr.clone(),
            })
        }))
    }

    /// Whether changes add writes, so the old item must be locked and read.
    pub fn is_active(&self) -> bool {
        self.0.is_some()
    }

    /// The table the hooks belong to, when active.
    pub fn table(&self) -> Option<&TableDefinition> {
        self.0.as_ref().map(|h| &*h.def)
    }

    /// The writes the change of the item at `key` from `old` to `new` (`None` = absent) adds:
    /// index entries, the expiry-index entry, the stream record, then the point-in-time
    /// history entry (stamped now: the decider runs while the item is locked, so one item's
    /// entries follow its commit order). Fails, writing nothing, when `new` has an index
    /// key of the wrong type or the sink refuses.
    pub fn writes(
        &self,
        key: &ItemKey,
        old: Option<&Item>,
        new: Option<&Item>,
    ) -> Result<Vec<WriteOp>, ApiError> {
        let Some(h) = &self.0 else {
            return Ok(Vec::new());
        };
        let mut writes = if h.indexed {
            let delays = Delays {
                default_ms: h.gsi_delay_ms,
                queue: &h.gsi.0,
                clock: h.gsi.1.as_ref(),
            };
            index_maintenance::writes_for_change(&h.def, &delays, key, old, new)?
        } else {
            Vec::new()
        };
        if let Some(ttl) = &h.ttl {
            writes.extend(ttl_index::writes_for_change(ttl, key, old, new));
        }
        if let Some(sink) = &h.streams {
            if old != new {
                writes.extend(sink.record(&ItemChange {
                    table: &h.def,
                    key,
                    old,
                    new,
                    at: h.at,
                    by_service: h.by_service,
                })?);
            }
        }
        if let Some((history_id, clock)) = &h.pitr {
            if old != new {
                let at_ms = (clock.epoch_seconds() * 1000.0) as u64;
                writes.push(crate::ops::pitr::history::entry(
                    *history_id,
                    key,
                    new,
                    at_ms,
                ));
            }
        }
        Ok(writes)
    }
}

#[cfg(test)]
#[path = "change_tests.rs"]
mod tests;
