//! `extenddb migrate`: applies the schema migrations this build carries to both databases
//! (already applied ones are skipped), then prints the catalog version.

use crate::config;
use clap::Args;
use extenddb_backend_postgres::{migrate_catalog, migrate_data, PgStore};
use std::path::PathBuf;

/// Options of `extenddb migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The configuration file.
    #[arg(long, default_value = "extenddb.toml")]
    pub config: PathBuf,
}

/// Runs `migrate`.
pub fn run(args: MigrateArgs) -> anyhow::Result<()> {
    let config = config::load(&args.config, &config::Overrides::default())?;
    let opts = config.storage.postgres.options();
    crate::commands::runtime()?.block_on(async move {
        let store = PgStore::connect(&opts).await?;
        migrate_catalog(store.catalog_pool()).await?;
        migrate_data(store.data_pool()).await?;
        let version = store.catalog_version().await?;
        store.close().await;
        println!(
            "Migrations applied to '{}' and '{}' (catalog {version}).",
            opts.catalog_db, opts.data_db
        );
        Ok(())
    })
}
