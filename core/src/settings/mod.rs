//! The runtime settings an operator changes with `extenddb settings set`, stored in the
//! Catalog: their names, defaults and the values each accepts.

/// What values a setting accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    /// `true` or `false`.
    Bool,
    /// A whole number ≥ the given minimum.
    Whole(u64),
    /// A tracing level: trace, debug, info, warn, error.
    LogLevel,
}

/// One runtime setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// Its name, as stored and as typed on the command line.
    pub name: &'static str,
    /// The value in force while none is stored.
    pub default: &'static str,
    /// The values it accepts.
    pub kind: SettingKind,
    /// One line on what it controls.
    pub help: &'static str,
}

mod live;

pub use live::{Change, RuntimeSettings};

/// `log_level`.
pub const LOG_LEVEL: &str = "log_level";
/// `sqlx_log_level`.
pub const SQLX_LOG_LEVEL: &str = "sqlx_log_level";
/// `control_plane_delay_seconds`.
pub const CONTROL_PLANE_DELAY_SECONDS: &str = "control_plane_delay_seconds";
/// `allow_credential_import`.
pub const ALLOW_CREDENTIAL_IMPORT: &str = "allow_credential_import";
/// `gsi_propagation_delay_ms`.
pub const GSI_PROPAGATION_DELAY_MS: &str = "gsi_propagation_delay_ms";
/// `throttling_enabled`.
pub const THROTTLING_ENABLED: &str = "throttling_enabled";
/// `ttl_deletion_target_seconds`.
pub const TTL_DELETION_TARGET_SECONDS: &str = "ttl_deletion_target_seconds";
/// `ttl_change_interval_seconds`.
pub const TTL_CHANGE_INTERVAL_SECONDS: &str = "ttl_change_interval_seconds";

/// Every runtime setting, in the order `extenddb settings list` prints them.
pub const SETTINGS: &[Setting] = &[
    Setting {
        name: LOG_LEVEL,
        default: "info",
        kind: SettingKind::LogLevel,
        help: "level of extenddb's own log messages",
    },
    Setting {
        name: SQLX_LOG_LEVEL,
        default: "warn",
        kind: SettingKind::LogLevel,
        help: "level of sqlx (PostgreSQL driver) log messages",
    },
    Setting {
        name: CONTROL_PLANE_DELAY_SECONDS,
        default: "5",
        kind: SettingKind::Whole(0),
        help: "seconds a table spends CREATING / DELETING / UPDATING",
    },
    Setting {
        name: ALLOW_CREDENTIAL_IMPORT,
        default: "true",
        kind: SettingKind::Bool,
        help: "whether `extenddb manage import-access-key` is allowed",
    },
    Setting {
        name: GSI_PROPAGATION_DELAY_MS,
        default: "10",
        kind: SettingKind::Whole(0),
        help: "delay before GSI entries follow a write; 0 = synchronous",
    },
    Setting {
        name: THROTTLING_ENABLED,
        default: "true",
        kind: SettingKind::Bool,
        help: "whether provisioned throughput is enforced",
    },
    Setting {
        name: TTL_DELETION_TARGET_SECONDS,
        default: "300",
        kind: SettingKind::Whole(1),
        help: "target time between a TTL expiry and the item's deletion",
    },
    Setting {
        name: TTL_CHANGE_INTERVAL_SECONDS,
        default: "3600",
        kind: SettingKind::Whole(0),
        help: "seconds after a TTL change during which UpdateTimeToLive refuses another",
    },
];

/// The setting called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// Checks `value` for the setting `name` and returns it normalized (trimmed, lower-case
/// levels and booleans); the error says what is accepted.
pub fn validate(name: &str, value: &str) -> Result<String, String> {
    let setting = find(name).ok_or_else(|| {
        let names: Vec<&str> = SETTINGS.iter().map(|s| s.name).collect();
        format!(
            "unknown setting '{name}'; known settings: {}",
            names.join(", ")
        )
    })?;
    let v = value.trim().to_ascii_lowercase();
    let ok = match setting.kind {
        SettingKind::Bool => matches!(v.as_str(), "true" | "false"),
        SettingKind::Whole(min) => v.parse::<u64>().is_ok_and(|n| n >= min),
        SettingKind::LogLevel => {
            matches!(v.as_str(), "trace" | "debug" | "info" | "warn" | "error")
        }
    };
    if ok {
        return Ok(v);
    }
    let accepted = match setting.kind {
        SettingKind::Bool => "true or false".to_string(),
        SettingKind::Whole(min) => format!("a whole number, at least {min}"),
        SettingKind::LogLevel => "trace, debug, info, warn or error".to_string(),
    };
    Err(format!(
        "invalid value '{value}' for {name}: expected {accepted}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalizes() {
        assert_eq!(validate("gsi_propagation_delay_ms", " 0 ").unwrap(), "0");
        assert_eq!(validate("throttling_enabled", "FALSE").unwrap(), "false");
        assert_eq!(validate("log_level", "Debug").unwrap(), "debug");
    }

    #[test]
    fn rejects_with_what_is_accepted() {
        assert_eq!(
            validate("ttl_deletion_target_seconds", "0").unwrap_err(),
            "invalid value '0' for ttl_deletion_target_seconds: expected a whole number, at least 1"
        );
        assert_eq!(
            validate("throttling_enabled", "yes").unwrap_err(),
            "invalid value 'yes' for throttling_enabled: expected true or false"
        );
        assert!(validate("nope", "1")
            .unwrap_err()
            .starts_with("unknown setting 'nope'; known settings: log_level, "));
    }

    #[test]
    fn every_default_is_valid() {
        for s in SETTINGS {
            assert_eq!(
                validate(s.name, s.default).as_deref(),
                Ok(s.default),
                "{}",
                s.name
            );
        }
    }
}
