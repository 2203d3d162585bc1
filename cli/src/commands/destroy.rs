//! `extenddb destroy --yes`: drops both databases of a deployment (and, given administrator
//! credentials, the `extenddb` role). Refuses without `--yes`.

use crate::config;
use anyhow::bail;
use clap::Args;
use extenddb_backend_postgres::{Admin, PgOptions};
use std::path::PathBuf;

/// Options of `extenddb destroy`.
#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// The configuration file.
    #[arg(long, default_value = "extenddb.toml")]
    pub config: PathBuf,
    /// Confirm: every table and item of the deployment is deleted.
    #[arg(long)]
    pub yes: bool,
    /// Administrative user to drop the role with (as for `init`); without it the databases
    /// are dropped as the configured role, and the role is kept.
    #[arg(long)]
    pub pg_user: Option<String>,
    /// That user's password (peer/trust authentication when omitted).
    #[arg(long, requires = "pg_user")]
    pub pg_pass: Option<String>,
}

/// Runs `destroy`.
pub fn run(args: DestroyArgs) -> anyhow::Result<()> {
    let config = config::load(&args.config, &config::Overrides::default())?;
    let pg = config.storage.postgres.options();
    if !args.yes {
        bail!(
            "destroy deletes databases '{}' and '{}' with every table and item; re-run with --yes to confirm",
            pg.catalog_db,
            pg.data_db
        );
    }
    let admin_opts = match &args.pg_user {
        Some(user) => PgOptions {
            user: user.clone(),
            password: args.pg_pass.clone(),
            ..pg.clone()
        },
        None => pg.clone(),
    };
    crate::commands::runtime()?.block_on(async move {
        let mut admin = Admin::connect(&admin_opts).await?;
        admin.drop_database(&pg.catalog_db).await?;
        admin.drop_database(&pg.data_db).await?;
        println!(
            "Dropped databases '{}' and '{}'.",
            pg.catalog_db, pg.data_db
        );
        if args.pg_user.is_some() {
            admin.drop_role(&pg.user).await?;
            println!("Dropped role '{}'.", pg.user);
        } else {
            println!(
                "Kept role '{}' (pass --pg-user <admin> to drop it too).",
                pg.user
            );
        }
        admin.close().await?;
        Ok(())
    })
}
