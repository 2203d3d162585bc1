//! Runtime settings through the running server (what `extenddb settings` uses while the server
//! runs — the embedded store's file is locked by it): list, get, set. A change is stored in
//! the catalog, applied in this process at once (log levels through the settings poller, which
//! applies them within one poll), reaches other processes by their poll, and is logged at WARN
//! under `extenddb::audit::settings`.

use super::api::{SetSetting, Setting};
use super::caller::Caller;
use super::error::MgmtError;
use super::extract::{Body, P};
use super::views::{self, Answer};
use extenddb_core::settings::{self, SETTINGS};

/// What every runtime setting's resource ARN starts with: settings belong to no account.
pub(super) const SETTING_ARN_PREFIX: &str = "arn:extenddb:management:::setting/";

fn setting_arn(name: &str) -> String {
    format!("{SETTING_ARN_PREFIX}{name}")
}

async fn view(c: &Caller, s: &settings::Setting) -> Result<Setting, MgmtError> {
    let stored = c.state.services.catalog.get_setting(s.name).await?;
    Ok(Setting {
        name: s.name.to_string(),
        is_default: stored.is_none(),
        value: stored.unwrap_or_else(|| s.default.to_string()),
        default: s.default.to_string(),
        help: s.help.to_string(),
    })
}

fn find(name: &str) -> Result<&'static settings::Setting, MgmtError> {
    settings::find(name)
        .ok_or_else(|| MgmtError::not_found(settings::validate(name, "").err().unwrap_or_default()))
}

/// `GET /management/settings`.
pub async fn list(c: Caller) -> Answer {
    c.authorize(&setting_arn("*"))?;
    let mut items = Vec::with_capacity(SETTINGS.len());
    for s in SETTINGS {
        items.push(view(&c, s).await?);
    }
    views::ok(super::api::Page {
        items,
        next_marker: None,
    })
}

/// `GET /management/settings/{name}`.
pub async fn get(c: Caller, P(name): P<String>) -> Answer {
    c.authorize(&setting_arn(&name))?;
    let s = find(&name)?;
    views::ok(view(&c, s).await?)
}

/// `PUT /management/settings/{name}`.
pub async fn put(c: Caller, P(name): P<String>, Body(req): Body<SetSetting>) -> Answer {
    c.authorize(&setting_arn(&name))?;
    let s = find(&name)?;
    let value = settings::validate(s.name, &req.value).map_err(MgmtError::validation)?;
    let services = &c.state.services;
    services.catalog.put_setting(s.name, &value).await?;
    if !matches!(s.name, settings::LOG_LEVEL | settings::SQLX_LOG_LEVEL) {
        // Log levels are applied by the settings hook when the poller sees the change.
        services.settings.apply(s.name, &value);
    }
    tracing::warn!(
        target: "extenddb::audit::settings",
        actor = %c.who.actor(),
        setting = s.name,
        value = %value,
        "runtime setting changed"
    );
    views::ok(view(&c, s).await?)
}
