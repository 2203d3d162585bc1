//! `RuntimeSettings`: the values of the runtime settings in force in this process, shared by
//! every request and worker. The catalog holds what operators set (`extenddb settings set`);
//! `refresh` reads it and updates this handle, and the server calls it every poll interval,
//! so a change reaches every request and worker within that interval. Reads are lock-free
//! atomic loads (the log levels, read only by the poller, sit behind a mutex).

use super::{find, SETTINGS};
use crate::traits::{Catalog, CatalogError};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The runtime settings in force.
#[derive(Debug)]
pub struct RuntimeSettings {
    control_plane_delay_seconds: AtomicU64,
    gsi_propagation_delay_ms: AtomicU64,
    throttling_enabled: AtomicBool,
    ttl_deletion_target_seconds: AtomicU64,
    ttl_change_interval_seconds: AtomicU64,
    allow_credential_import: AtomicBool,
    log_levels: Mutex<(String, String)>,
    /// This process's defaults where they differ from the table's (e.g. `dev` makes
    /// transitions immediate): used while the catalog stores no value.
    defaults: Mutex<Vec<(&'static str, String)>>,
}

/// One setting whose value `refresh` changed: `(name, new value)`.
pub type Change = (&'static str, String);

impl Default for RuntimeSettings {
    fn default() -> Self {
        let settings = RuntimeSettings {
            control_plane_delay_seconds: AtomicU64::new(0),
            gsi_propagation_delay_ms: AtomicU64::new(0),
            throttling_enabled: AtomicBool::new(false),
            ttl_deletion_target_seconds: AtomicU64::new(0),
            ttl_change_interval_seconds: AtomicU64::new(0),
            allow_credential_import: AtomicBool::new(false),
            log_levels: Mutex::new((String::new(), String::new())),
            defaults: Mutex::new(Vec::new()),
        };
        for s in SETTINGS {
            settings.apply(s.name, s.default);
        }
        settings
    }
}

impl RuntimeSettings {
    /// Every setting at its default.
    pub fn new() -> RuntimeSettings {
        RuntimeSettings::default()
    }

    /// Sets `name` to `value` in this process (not in the catalog). `value` must be valid for
    /// the setting (see `settings::validate`); an invalid value or unknown name is ignored
    /// and reported as `false`.
    pub fn apply(&self, name: &str, value: &str) -> bool {
        let Ok(value) = super::validate(name, value) else {
            return false;
        };
        let number = || value.parse::<u64>().unwrap_or(0);
        match name {
            super::CONTROL_PLANE_DELAY_SECONDS => self
                .control_plane_delay_seconds
                .store(number(), Ordering::Relaxed),
            super::GSI_PROPAGATION_DELAY_MS => self
                .gsi_propagation_delay_ms
                .store(number(), Ordering::Relaxed),
            super::THROTTLING_ENABLED => self
                .throttling_enabled
                .store(value == "true", Ordering::Relaxed),
            super::TTL_DELETION_TARGET_SECONDS => self
                .ttl_deletion_target_seconds
                .store(number(), Ordering::Relaxed),
            super::TTL_CHANGE_INTERVAL_SECONDS => self
                .ttl_change_interval_seconds
                .store(number(), Ordering::Relaxed),
            super::ALLOW_CREDENTIAL_IMPORT => self
                .allow_credential_import
                .store(value == "true", Ordering::Relaxed),
            super::LOG_LEVEL | super::SQLX_LOG_LEVEL => {
                if let Ok(mut levels) = self.log_levels.lock() {
                    if name == super::LOG_LEVEL {
                        levels.0 = value;
                    } else {
                        levels.1 = value;
                    }
                }
            }
            _ => return false,
        }
        true
    }

    /// Makes `value` this process's default for `name` (used while the catalog stores none)
    /// and applies it. `false` (nothing changed) for an unknown name or an invalid value.
    pub fn set_default(&self, name: &str, value: &str) -> bool {
        let (Some(setting), Ok(value)) = (find(name), super::validate(name, value)) else {
            return false;
        };
        if let Ok(mut d) = self.defaults.lock() {
            d.retain(|(n, _)| *n != setting.name);
            d.push((setting.name, value.clone()));
        }
        self.apply(setting.name, &value)
    }

    /// The default of `name` in this process: its own default if one was set, else the
    /// table's.
    fn default_of(&self, name: &'static str, table_default: &'static str) -> String {
        self.defaults
            .lock()
            .ok()
            .and_then(|d| d.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()))
            .unwrap_or_else(|| table_default.to_string())
    }

    /// The value in force of `name`, as text.
    pub fn get(&self, name: &str) -> Option<String> {
        Some(match name {
            super::CONTROL_PLANE_DELAY_SECONDS => self.control_plane_delay().as_secs().to_string(),
            super::GSI_PROPAGATION_DELAY_MS => self.gsi_propagation_delay_ms().to_string(),
            super::THROTTLING_ENABLED => self.throttling_enabled().to_string(),
            super::TTL_DELETION_TARGET_SECONDS => self.ttl_deletion_target_seconds().to_string(),
            super::TTL_CHANGE_INTERVAL_SECONDS => self.ttl_change_interval().as_secs().to_string(),
            super::ALLOW_CREDENTIAL_IMPORT => self.allow_credential_import().to_string(),
            super::LOG_LEVEL => self.log_levels().0,
            super::SQLX_LOG_LEVEL => self.log_levels().1,
            _ => return None,
        })
    }

    /// Reads every setting from the catalog (its default where none is stored) and applies
    /// it; answers the settings whose value changed. A stored value that is not valid keeps
    /// the value in force and is reported in the log.
    pub async fn refresh(&self, catalog: &dyn Catalog) -> Result<Vec<Change>, CatalogError> {
        let mut changed = Vec::new();
        for s in SETTINGS {
            let value = match catalog.get_setting(s.name).await? {
                Some(stored) => stored,
                None => self.default_of(s.name, s.default),
            };
            let Ok(value) = super::validate(s.name, &value) else {
                tracing::warn!(
                    setting = s.name,
                    value,
                    "stored runtime setting is not valid; keeping the value in force"
                );
                continue;
            };
            if self.get(s.name).as_deref() != Some(value.as_str()) {
                self.apply(s.name, &value);
                changed.push((s.name, value));
            }
        }
        Ok(changed)
    }

    /// `control_plane_delay_seconds`: how long tables stay CREATING / UPDATING / DELETING.
    pub fn control_plane_delay(&self) -> Duration {
        Duration::from_secs(self.control_plane_delay_seconds.load(Ordering::Relaxed))
    }

    /// `gsi_propagation_delay_ms`: the system-wide GSI propagation delay (0 = synchronous).
    pub fn gsi_propagation_delay_ms(&self) -> u64 {
        self.gsi_propagation_delay_ms.load(Ordering::Relaxed)
    }

    /// `throttling_enabled`: whether capacity limits are enforced.
    pub fn throttling_enabled(&self) -> bool {
        self.throttling_enabled.load(Ordering::Relaxed)
    }

    /// `ttl_change_interval_seconds`: how long after a TTL change UpdateTimeToLive refuses
    /// another (DynamoDB's documented hour by default).
    pub fn ttl_change_interval(&self) -> Duration {
        Duration::from_secs(self.ttl_change_interval_seconds.load(Ordering::Relaxed))
    }

    /// `ttl_deletion_target_seconds`: the target time between a TTL expiry and the deletion.
    pub fn ttl_deletion_target_seconds(&self) -> u64 {
        self.ttl_deletion_target_seconds.load(Ordering::Relaxed)
    }

    /// `allow_credential_import`: whether access keys may be imported.
    pub fn allow_credential_import(&self) -> bool {
        self.allow_credential_import.load(Ordering::Relaxed)
    }

    /// `(log_level, sqlx_log_level)`.
    pub fn log_levels(&self) -> (String, String) {
        self.log_levels
            .lock()
            .map(|l| l.clone())
            .unwrap_or_else(|_| ("info".into(), "warn".into()))
    }

    /// Whether `name` is a runtime setting this handle follows.
    pub fn knows(name: &str) -> bool {
        find(name).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_at_the_defaults() {
        let s = RuntimeSettings::new();
        assert_eq!(s.control_plane_delay(), Duration::from_secs(5));
        assert_eq!(s.gsi_propagation_delay_ms(), 10);
        assert!(s.throttling_enabled());
        assert_eq!(s.ttl_deletion_target_seconds(), 300);
        assert!(s.allow_credential_import());
        assert_eq!(s.log_levels(), ("info".to_string(), "warn".to_string()));
        for setting in SETTINGS {
            assert_eq!(s.get(setting.name).as_deref(), Some(setting.default));
        }
    }

    #[test]
    fn apply_takes_valid_values_only() {
        let s = RuntimeSettings::new();
        assert!(s.apply("throttling_enabled", "FALSE"));
        assert!(!s.throttling_enabled());
        assert!(!s.apply("throttling_enabled", "maybe"));
        assert!(!s.throttling_enabled());
        assert!(s.apply("control_plane_delay_seconds", "0"));
        assert_eq!(s.control_plane_delay(), Duration::ZERO);
        assert!(!s.apply("ttl_deletion_target_seconds", "0"));
        assert!(s.apply("log_level", "Debug"));
        assert_eq!(s.log_levels().0, "debug");
        assert!(!s.apply("nope", "1"));
    }

    #[test]
    fn a_process_default_applies_and_survives_refresh_until_a_value_is_stored() {
        let s = RuntimeSettings::new();
        assert!(s.set_default("control_plane_delay_seconds", "0"));
        assert_eq!(s.control_plane_delay(), Duration::ZERO);
        assert_eq!(s.default_of("control_plane_delay_seconds", "5"), "0");
        assert_eq!(s.default_of("gsi_propagation_delay_ms", "10"), "10");
        assert!(!s.set_default("control_plane_delay_seconds", "soon"));
    }
}
