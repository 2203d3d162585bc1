//! The AWS shared configuration files (`~/.aws/config`, `~/.aws/credentials`): a reader for
//! their INI dialect, written by hand because the format is small and the crates that parse
//! it come with the whole AWS SDK runtime.
//!
//! What is understood: `[section]` headers, `key = value` lines, `#`/`;` comment lines, and
//! the nested sub-properties the AWS CLI uses for `[services …]` sections:
//!
//! ```ini
//! [services extenddb-services]
//! dynamodb =
//!   endpoint_url = https://127.0.0.1:8000
//! ```
//!
//! which is stored as the key `dynamodb.endpoint_url`.

use std::collections::HashMap;
use std::path::Path;

/// One parsed file: section name → key → value. Section names are kept as written
/// (`default`, `profile dev`, `services x`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IniFile {
    sections: HashMap<String, HashMap<String, String>>,
}

impl IniFile {
    /// Parses `text`. Malformed lines are skipped, as the AWS CLI skips them.
    pub fn parse(text: &str) -> IniFile {
        let mut file = IniFile::default();
        let mut section: Option<String> = None;
        // The key whose value was empty: indented lines below it are its sub-properties.
        let mut parent: Option<String> = None;
        for raw in text.lines() {
            let indented = raw.starts_with([' ', '\t']);
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                let name = name.trim().to_string();
                file.sections.entry(name.clone()).or_default();
                section = Some(name);
                parent = None;
                continue;
            }
            let (Some(current), Some((key, value))) = (&section, line.split_once('=')) else {
                continue;
            };
            let (key, value) = (key.trim().to_string(), value.trim().to_string());
            let entries = file.sections.entry(current.clone()).or_default();
            match (&parent, indented) {
                (Some(p), true) => {
                    entries.insert(format!("{p}.{key}"), value);
                }
                _ => {
                    parent = value.is_empty().then(|| key.clone());
                    entries.insert(key, value);
                }
            }
        }
        file
    }

    /// Reads and parses `path`; `None` when it does not exist or cannot be read.
    pub fn read(path: &Path) -> Option<IniFile> {
        std::fs::read_to_string(path)
            .ok()
            .map(|t| IniFile::parse(&t))
    }

    /// The value of `key` in `section`, when present and not empty.
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        self.sections
            .get(section)
            .and_then(|s| s.get(key))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The section of profile `name` in the *config* file: `[default]` or `[profile name]`.
    pub fn config_profile_section(name: &str) -> String {
        if name == "default" {
            "default".into()
        } else {
            format!("profile {name}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUIDE_CONFIG: &str = "\
[profile extenddb]
region = us-east-1
ca_bundle = ~/.extenddb/tls/cert.pem
services = extenddb-services

[services extenddb-services]
dynamodb =
  endpoint_url = https://127.0.0.1:8000
";

    #[test]
    fn reads_the_guides_profile_with_a_services_section() {
        let ini = IniFile::parse(GUIDE_CONFIG);
        let section = IniFile::config_profile_section("extenddb");
        assert_eq!(ini.get(&section, "region"), Some("us-east-1"));
        assert_eq!(
            ini.get(&section, "ca_bundle"),
            Some("~/.extenddb/tls/cert.pem")
        );
        assert_eq!(
            ini.get("services extenddb-services", "dynamodb.endpoint_url"),
            Some("https://127.0.0.1:8000")
        );
        assert_eq!(ini.get("services extenddb-services", "dynamodb"), None);
    }

    #[test]
    fn comments_blank_and_malformed_lines_are_skipped() {
        let ini = IniFile::parse(
            "# top\nstray = 1\n[default]\n; c\naws_access_key_id=AKID\nnot a pair\n\
             aws_secret_access_key = s=e=c\n",
        );
        assert_eq!(ini.get("default", "aws_access_key_id"), Some("AKID"));
        assert_eq!(ini.get("default", "aws_secret_access_key"), Some("s=e=c"));
        assert_eq!(ini.get("default", "stray"), None);
        assert_eq!(IniFile::config_profile_section("default"), "default");
    }
}
