//! `extenddb settings set|get|list` through the running server's management API
//! (`/management/settings`), authenticated by an operator signature made with the data key
//! file (`extenddb_auth_builtin::operator`): the holder of the key file is the operator, as the
//! holder of the database password is for direct catalog access.

use super::manage::client::{self, ApiFailure, Auth, Client};
use super::pidfile;
use super::settings::SettingsAction;
use crate::config::{expand_home, AuthProviderKind, Config};
use extenddb_auth_builtin::DataKey;
use extenddb_server::management::api::{Page, SetSetting, Setting};
use http::Method;

/// Runs `action` through the server when one runs with the management API; `false` when the
/// caller should use the catalog directly (no server, another auth provider, or an action the
/// API does not serve).
pub async fn run(config: &Config, action: &SettingsAction) -> anyhow::Result<bool> {
    if config.auth.provider != AuthProviderKind::Builtin
        || matches!(action, SettingsAction::IndexDelay { .. })
    {
        return Ok(false);
    }
    let Some(_running) = pidfile::running(&expand_home(&config.server.pid_file))? else {
        return Ok(false);
    };
    let Ok(key) = DataKey::load(&expand_home(&config.auth.key_file)) else {
        return Ok(false);
    };
    let endpoint = client::endpoint(Some(config), None, None)?;
    let c = Client::new(endpoint, Auth::Operator(key));
    let answer = match action {
        SettingsAction::Set { name, value } => {
            let path = format!("/management/settings/{}", client::seg(name));
            let body = SetSetting {
                value: value.clone(),
            };
            c.json::<Setting>(Method::PUT, &path, Some(&body))
                .await
                .map(|s| println!("{} = {}", s.name, s.value))
        }
        SettingsAction::Get { name } => {
            let path = format!("/management/settings/{}", client::seg(name));
            c.json::<Setting>(Method::GET, &path, None::<&()>)
                .await
                .map(|s| println!("{}", s.value))
        }
        SettingsAction::List => c
            .json::<Page<Setting>>(Method::GET, "/management/settings", None::<&()>)
            .await
            .map(|page| {
                for s in page.items {
                    if s.is_default {
                        println!("{} = {} (default)", s.name, s.value);
                    } else {
                        println!("{} = {}", s.name, s.value);
                    }
                }
            }),
        SettingsAction::IndexDelay { .. } => return Ok(false),
    };
    match answer {
        Ok(()) => Ok(true),
        Err(e) => match e.downcast_ref::<ApiFailure>() {
            Some(f) if f.code == "ManagementDisabled" => Ok(false),
            // The API's own refusals keep the catalog's wording for a setting.
            Some(f) if f.code == "ValidationError" || f.code == "NoSuchEntity" => {
                Err(anyhow::anyhow!("{}", f.message))
            }
            Some(_) => Err(e),
            // Not reachable although its pid file says it runs: use the catalog.
            None => Ok(false),
        },
    }
}
