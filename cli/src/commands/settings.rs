//! `extenddb settings --config extenddb.toml set|get|list`: the runtime settings stored in the
//! deployment's catalog (see `extenddb_core::settings` for the names and accepted values).
//! Every change is logged at WARN under the `extenddb::audit::settings` target.

use crate::commands::serve::open_backend;
use crate::config;
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
}

/// Runs `settings`.
pub fn run(args: SettingsArgs) -> anyhow::Result<()> {
    let config = config::load(&args.config, &config::Overrides::default())?;
    let _log = crate::logging::init()?;
    crate::commands::runtime()?.block_on(async move {
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
