//! `extenddb verify`: checks a deployment — catalog reachable, catalog version current, data
//! database reachable and migrated — and enumerates its tables, in the guide's report format.

use crate::config::{self, Config};
use clap::Args;
use extenddb_backend_postgres::{pending_migrations, PgStore, CATALOG_VERSION};
use std::path::{Path, PathBuf};

/// Options of `extenddb verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The configuration file.
    #[arg(long, default_value = "extenddb.toml")]
    pub config: PathBuf,
}

/// Runs `verify`; fails (non-zero exit) when any check fails.
pub fn run(args: VerifyArgs) -> anyhow::Result<()> {
    let config = config::load(&args.config, &config::Overrides::default())?;
    let failed = crate::commands::runtime()?.block_on(verify(&config, &args.config));
    if failed > 0 {
        anyhow::bail!("{failed} check(s) failed");
    }
    Ok(())
}

/// Prints the report; returns the number of failed checks.
async fn verify(config: &Config, path: &Path) -> usize {
    let opts = config.storage.postgres.options();
    println!("=== extenddb verify ===");
    println!("--- Checking catalog connection...");
    let catalog_only = extenddb_backend_postgres::PgOptions {
        data_db: opts.catalog_db.clone(),
        pool_size: 1,
        catalog_pool_size: Some(1),
        ..opts.clone()
    };
    let catalog = match PgStore::connect(&catalog_only).await {
        Ok(s) => {
            println!("OK: Connected to catalog.");
            s
        }
        Err(e) => return fail(&e.to_string()),
    };
    println!("--- Checking catalog version...");
    let mut failed = 0;
    match catalog.catalog_version().await {
        Ok(v) if v == CATALOG_VERSION => println!("OK: Catalog version {v}"),
        Ok(v) => {
            println!("FAIL: Catalog version {v}, this build expects {CATALOG_VERSION} (run `extenddb migrate`)");
            failed += 1;
        }
        Err(e) => {
            println!("FAIL: {e}");
            failed += 1;
        }
    }
    println!("--- Checking data database...");
    let small = extenddb_backend_postgres::PgOptions {
        pool_size: 1,
        catalog_pool_size: Some(1),
        ..opts.clone()
    };
    match PgStore::connect(&small).await {
        Ok(s) => match s.data_schema_present().await {
            Ok(true) => match pending_migrations(&s).await {
                Ok(pending) if pending.is_empty() => {
                    println!("OK: Connected to data database '{}'.", opts.data_db)
                }
                Ok(pending) => {
                    println!(
                        "FAIL: schema migrations pending ({}); run `extenddb migrate --config {}`",
                        pending.join(", "),
                        path.display()
                    );
                    failed += 1;
                }
                Err(e) => {
                    println!("FAIL: {e}");
                    failed += 1;
                }
            },
            Ok(false) => {
                println!(
                    "FAIL: data database '{}' has no extenddb schema (run `extenddb migrate`)",
                    opts.data_db
                );
                failed += 1;
            }
            Err(e) => {
                println!("FAIL: {e}");
                failed += 1;
            }
        },
        Err(e) => {
            println!("FAIL: {e}");
            failed += 1;
        }
    }
    println!("--- Enumerating tables...");
    match catalog.summary().await {
        Ok(s) => {
            println!("Tables: {}", s.tables);
            println!("Indexes: {}", s.indexes);
        }
        Err(e) => {
            println!("FAIL: {e}");
            failed += 1;
        }
    }
    if failed == 0 {
        println!("=== HEALTHY: All checks passed ===");
    } else {
        println!("=== UNHEALTHY: {failed} check(s) failed ===");
    }
    failed
}

fn fail(message: &str) -> usize {
    println!("FAIL: {message}");
    println!("=== UNHEALTHY: 1 check(s) failed ===");
    1
}
