//! The settings poller: re-reads the runtime settings from the catalog every
//! `ServerConfig::settings_poll` into the services' live `RuntimeSettings`, so a change made
//! with `extenddb settings set` reaches every request and worker within one interval, and
//! hands what changed to the settings hook (the CLI applies log levels with it). The first
//! read happens at once, before requests are served.

use crate::services::AppState;
use extenddb_core::settings::SETTINGS;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// Reads the settings once now (every setting is reported to the hook), then every poll
/// interval. Returns the polling task; abort it to stop.
pub(crate) fn spawn(state: Arc<AppState>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut first = true;
        loop {
            match state
                .services
                .settings
                .refresh(state.services.catalog.as_ref())
                .await
            {
                Ok(changed) => {
                    let changed = if first {
                        first = false;
                        SETTINGS
                            .iter()
                            .filter_map(|s| {
                                state.services.settings.get(s.name).map(|v| (s.name, v))
                            })
                            .collect()
                    } else {
                        changed
                    };
                    if !changed.is_empty() {
                        for (name, value) in &changed {
                            tracing::debug!(setting = name, value = %value, "runtime setting in force");
                        }
                        if let Some(hook) = &state.settings_hook {
                            hook(&changed);
                        }
                    }
                }
                Err(e) => {
                    crate::health::step_failed(&state.health, "reading the runtime settings", &e)
                }
            }
            tokio::time::sleep(state.settings_poll).await;
        }
    })
}
