//! One module per subcommand.

pub mod bootstrap;
pub mod completions;
pub mod daemon;
#[cfg(feature = "postgres")]
pub mod destroy;
pub mod dev;
pub mod export;
pub mod import;
pub mod index_delay;
#[cfg(feature = "postgres")]
pub mod init;
pub mod man;
pub mod manage;
#[cfg(feature = "postgres")]
pub mod migrate;
pub mod pidfile;
pub mod running;
pub mod serve;
pub mod settings;
pub mod settings_remote;
pub mod status;
pub mod stop;
pub mod transfer;
#[cfg(feature = "postgres")]
pub mod verify;
pub mod version;

/// The multi-threaded tokio runtime the commands run on (started after argument parsing, so
/// that a later daemon mode can fork before it exists).
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
