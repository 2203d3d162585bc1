//! `extenddb settings --config extenddb.toml set|get|list`: the runtime settings stored in the
//! deployment's catalog (see `extenddb_core::settings` for the names and accepted values), and
//! `index-delay`: one GSI's own propagation delay (`commands::index_delay`).
//! Every change is logged at WARN under the `extenddb::audit::settings` target.
//!
//! While the deployment's server runs (its pid file names a live process) with the management
//! API (`provider = "builtin"`), `set`, `get` and `list` go through it (`settings_remote`),
//! signed with the data key file, so they also work on the embedded store (whose file the
//! server locks) and the change is audited in the server's log; otherwise they read and write
//! the catalog directly.

use crate::config;
use crate::services::open_backend;
use anyhow::anyhow;
use clap::{Args, Subcommand};
use extenddb_core::settings::{self, SETTINGS};
use std::path::PathBuf;

/// Options of `extenddb settings`.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// The configuration file.
    #[arg(long, default_value = "extenddb.toml")]
    pub config: PathBuf,
    #[command(subcommand)]
    pub action: SettingsAction,
}

/// What to do with the settings.
#[derive(Debug, Subcommand)]
pub enum SettingsAction {
    /// Store a new value (the running server picks it up on its next read of the setting).
    Set {
        /// The setting's name, e.g. gsi_propagation_delay_ms.
        name: String,
        /// Its new value.
        value: String,
    },
    /// Print one setting's value in force.
    Get {
        /// The setting's name.
        name: String,
    },
    /// Print every setting with its value in force and whether it is the default.
    List,
    /// Set one GSI's own propagation delay (milliseconds, or `default` to follow
    /// gsi_propagation_delay_ms).
    IndexDelay {
        /// The table.
        #[arg(long)]
        table: String,
        /// The global secondary index.
        #[arg(long)]
        index: String,
        /// The table's account (default: auth.account_id of the configuration).
        #[arg(long)]
        account_id: Option<String>,
        /// Milliseconds, or `default`.
        value: String,
    },
}

/// Runs `settings`.
pub fn run(args: SettingsArgs) -> anyhow::Result<()> {
    let config = config::load(&args.config, &config::Overrides::default())?;
    let _log = crate::logging::init()?;
    crate::commands::runtime()?.block_on(async move {
        if super::settings_remote::run(&config, &args.action).await? {
            return Ok(());
        }
        let backend = open_backend(&config).await?;
        let catalog = backend.catalog;
        let read = |name: &'static str| {
            let catalog = catalog.clone();
            async move {
                catalog
                    .get_setting(name)
                    .await
                    .map_err(|e| anyhow!("cannot read setting {name}: {e}"))
            }
        };
        match args.action {
            SettingsAction::Set { name, value } => {
                let value = settings::validate(&name, &value).map_err(|e| anyhow!(e))?;
                catalog
                    .put_setting(&name, &value)
                    .await
                    .map_err(|e| anyhow!("cannot store setting {name}: {e}"))?;
                tracing::warn!(target: "extenddb::audit::settings", setting = %name, value = %value, "runtime setting changed");
                println!("{name} = {value}");
            }
            SettingsAction::Get { name } => {
                let setting = settings::find(&name)
                    .ok_or_else(|| anyhow!(settings::validate(&name, "").unwrap_err()))?;
                let value = read(setting.name).await?;
                println!("{}", value.as_deref().unwrap_or(setting.default));
            }
            SettingsAction::IndexDelay {
                table,
                index,
                account_id,
                value,
            } => {
                let delay = super::index_delay::parse(&value)?;
                let account = account_id.unwrap_or_else(|| config.auth.account_id.clone());
                let line =
                    super::index_delay::set(catalog.as_ref(), &account, &table, &index, delay)
                        .await?;
                tracing::warn!(target: "extenddb::audit::settings", table = %table, index = %index, value = %value, "index propagation delay changed");
                println!("{line}");
            }
            SettingsAction::List => {
                for s in SETTINGS {
                    match read(s.name).await? {
                        Some(v) => println!("{} = {v}", s.name),
                        None => println!("{} = {} (default)", s.name, s.default),
                    }
                }
            }
        }
        Ok(())
    })
}
