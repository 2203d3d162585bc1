//! Logging to stderr through tracing-subscriber: `RUST_LOG` filters, `info` by default.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Installs the stderr subscriber; `RUST_LOG` (e.g. `debug`, `extenddb_server=debug`) wins
/// over the `info` default.
pub fn init() -> anyhow::Result<()> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init()
        .map_err(|e| anyhow::anyhow!("cannot set up logging: {e}"))
}
