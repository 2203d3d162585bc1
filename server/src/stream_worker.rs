//! Stream upkeep (`extenddb_core::ops::background::stream_trim`): every second the store orders
//! the stream records that committed (PostgreSQL's sequencer; nothing to do on the embedded
//! store), and every hour records older than 24 hours are trimmed and streams disabled more
//! than 24 hours ago are retired. Readers sequence on their own before reading, so this only
//! keeps pending records few when nobody reads.
//!
//! Of several servers over one store only the one the coordination names runs each part
//! (`Job::StreamSequencer`, `Job::StreamTrimmer`). Sequencing would stay correct with several
//! runners (PostgreSQL's sequencer serializes on each log's lock and numbers records after
//! reading the head under it) but they would contend for those locks every second; trimming
//! and retiring must not run twice at once. A server that takes the trimmer over trims at once
//! if its own hourly round is due (the store says what is left to trim).

use crate::services::AppState;
use extenddb_core::ops::background::stream_trim;
use extenddb_core::traits::Job;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// Pause between sequencing rounds.
const SEQUENCE_EVERY: Duration = Duration::from_secs(1);
/// Pause between trim rounds.
const TRIM_EVERY: Duration = Duration::from_secs(3600);

/// Starts the worker; abort the handle to stop it.
pub(crate) fn spawn(state: Arc<AppState>) -> JoinHandle<()> {
    let ctx = state.background_ctx();
    tokio::spawn(async move {
        // The first trim round runs soon after start, then hourly.
        let mut next_trim = Instant::now() + Duration::from_secs(10);
        loop {
            if ctx.coordination.runs(Job::StreamSequencer) {
                if let Err(e) = stream_trim::sequence_all(&ctx).await {
                    tracing::warn!(error = %e, "stream sequencing round failed");
                }
            }
            if Instant::now() >= next_trim && ctx.coordination.runs(Job::StreamTrimmer) {
                match stream_trim::trim_all(&ctx).await {
                    Ok(n) if n > 0 => tracing::info!(removed = n, "stream records trimmed"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "stream trim round failed"),
                }
                next_trim = Instant::now() + TRIM_EVERY;
            }
            tokio::time::sleep(SEQUENCE_EVERY).await;
        }
    })
}
