//! Stream upkeep (`extenddb_core::ops::background::stream_trim`): every second the store orders
//! the stream records that committed (PostgreSQL's sequencer; nothing to do on the embedded
//! store), and every hour records older than 24 hours are trimmed and streams disabled more
//! than 24 hours ago are retired. Readers sequence on their own before reading, so this only
//! keeps pending records few when nobody reads.

use crate::services::AppState;
use extenddb_core::ops::background::stream_trim;
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
            if let Err(e) = stream_trim::sequence_all(&ctx).await {
                tracing::warn!(error = %e, "stream sequencing round failed");
            }
            if Instant::now() >= next_trim {
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
