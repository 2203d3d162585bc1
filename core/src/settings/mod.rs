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

/// Every runtime setting, in the order `extenddb settings list` prints them.
pub const SETTINGS: &[Setting] = &[
    Setting {
        name: "log_level",
        default: "info",
        kind: SettingKind::LogLevel,
        help: "level of extenddb's own log messages",
    },
    Setting {
        name: "sqlx_log_level",
        default: "warn",
        kind: SettingKind::LogLevel,
        help: "level of sqlx (PostgreSQL driver) log messages",
    },
    Setting {
        name: "control_plane_delay_seconds",
        default: "5",
        kind: SettingKind::Whole(0),
        help: "seconds a table spends CREATING / DELETING / UPDATING",
    },
    Setting {
        name: "allow_credential_import",
        default: "true",
        kind: SettingKind::Bool,
        help: "whether `extenddb manage import-access-key` is allowed",
    },
    Setting {
        name: "gsi_propagation_delay_ms",
        default: "10",
        kind: SettingKind::Whole(0),
        help: "delay before GSI entries follow a write; 0 = synchronous",
    },
    Setting {
        name: "throttling_enabled",
        default: "true",
        kind: SettingKind::Bool,
        help: "whether provisioned throughput is enforced",
    },
    Setting {
        name: "ttl_deletion_target_seconds",
        default: "300",
        kind: SettingKind::Whole(1),
        help: "target time between a TTL expiry and the item's deletion",
    },
    Setting {
        name: "ttl_change_interval_seconds",
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
