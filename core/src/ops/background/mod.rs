//! Background jobs the server runs beside requests: GSI propagation and backfill, the TTL sweeper, the idempotency-token sweep, the table reaper (which also keeps point-in-time recovery inside its window, `pitr_trim`, and carries out restores and cleans up backups a crash cut short, `restores`). Each step resumes from what the store says.

pub mod claim;
pub mod gsi_backfill;
pub mod gsi_propagation;
pub mod gsi_queue;
pub mod idempotency_sweep;
pub mod pitr_trim;
pub mod restores;
pub mod stream_trim;
pub mod table_reaper;
pub mod ttl_backfill;
pub mod ttl_sweep;
