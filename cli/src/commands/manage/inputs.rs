//! Reading the command line's values: policy documents (inline or `file://path`), tags (a
//! JSON list of `{"key","value"}` or a JSON object), tag keys, and the account and user a
//! command applies to (given, or those of the IAM user logged in).

use super::commands::UserOpt;
use anyhow::{anyhow, bail, Context};
use extenddb_server::management::api::Tag;

/// The login of `--user`: an admin, or `account_id/user_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The IAM user's account and name, when the login is one.
    pub iam_user: Option<(String, String)>,
}

impl Login {
    /// Parses `--user`.
    pub fn parse(user: &str) -> Login {
        Login {
            iam_user: user
                .split_once('/')
                .map(|(a, u)| (a.to_string(), u.to_string())),
        }
    }

    /// The account: `given`, else the IAM user's.
    pub fn account(&self, given: &Option<String>) -> anyhow::Result<String> {
        match (given, &self.iam_user) {
            (Some(a), _) => Ok(a.clone()),
            (None, Some((a, _))) => Ok(a.clone()),
            (None, None) => bail!("--account-id is required"),
        }
    }

    /// The account and user: given, else the IAM user's own.
    pub fn user(&self, opt: &UserOpt) -> anyhow::Result<(String, String)> {
        let account = self.account(&opt.account_id)?;
        match (&opt.user_name, &self.iam_user) {
            (Some(u), _) => Ok((account, u.clone())),
            (None, Some((_, u))) => Ok((account, u.clone())),
            (None, None) => bail!("--user-name is required"),
        }
    }

    /// The ARN the IAM user logged in as.
    pub fn arn(&self) -> Option<String> {
        self.iam_user
            .as_ref()
            .map(|(a, u)| format!("arn:aws:iam::{a}:user/{u}"))
    }
}

/// A document given inline or as `file://path`.
pub fn document(value: &str) -> anyhow::Result<String> {
    match value.strip_prefix("file://") {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("cannot read {path}")),
        None => Ok(value.to_string()),
    }
}

/// Tags from JSON: `[{"key":"k","value":"v"}]` (also `Key`/`Value`) or `{"k":"v"}`.
pub fn tags(value: &str) -> anyhow::Result<Vec<Tag>> {
    let text = document(value)?;
    let bad =
        || anyhow!("tags must be JSON: '[{{\"key\":\"K\",\"value\":\"V\"}}]' or '{{\"K\":\"V\"}}'");
    let parsed: serde_json::Value = serde_json::from_str(&text).map_err(|_| bad())?;
    let field = |o: &serde_json::Map<String, serde_json::Value>, names: [&str; 2]| {
        names
            .iter()
            .find_map(|n| o.get(*n))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    match parsed {
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| {
                let o = i.as_object().ok_or_else(bad)?;
                Ok(Tag {
                    key: field(o, ["key", "Key"]).ok_or_else(bad)?,
                    value: field(o, ["value", "Value"]).unwrap_or_default(),
                })
            })
            .collect(),
        serde_json::Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => Ok(Tag { key: k, value: s }),
                _ => Err(bad()),
            })
            .collect(),
        _ => Err(bad()),
    }
}

/// Tag keys given as separate values or comma-separated.
pub fn tag_keys(keys: &[String]) -> String {
    keys.iter()
        .flat_map(|k| k.split(','))
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse_from_both_guide_forms() {
        let t = tags(r#"[{"key":"Department","value":"Engineering"}]"#).unwrap();
        assert_eq!(
            (t[0].key.as_str(), t[0].value.as_str()),
            ("Department", "Engineering")
        );
        let t = tags(r#"{"Project":"Alpha"}"#).unwrap();
        assert_eq!(
            (t[0].key.as_str(), t[0].value.as_str()),
            ("Project", "Alpha")
        );
        let t = tags(r#"[{"Key":"K","Value":"V"}]"#).unwrap();
        assert_eq!(t[0].key, "K");
        assert!(tags("nope").is_err());
        assert!(tags(r#"{"k":1}"#).is_err());
        assert_eq!(tag_keys(&["A".into(), "B,C".into()]), "A,B,C");
    }

    #[test]
    fn an_iam_user_login_supplies_account_and_user() {
        let l = Login::parse("123456789012/alice");
        let none = UserOpt {
            account_id: None,
            user_name: None,
        };
        assert_eq!(
            l.user(&none).unwrap(),
            ("123456789012".into(), "alice".into())
        );
        assert_eq!(l.arn().unwrap(), "arn:aws:iam::123456789012:user/alice");
        let admin = Login::parse("admin");
        assert_eq!(
            admin.user(&none).unwrap_err().to_string(),
            "--account-id is required"
        );
        let some_account = UserOpt {
            account_id: Some("123456789012".into()),
            user_name: None,
        };
        assert_eq!(
            admin.user(&some_account).unwrap_err().to_string(),
            "--user-name is required"
        );
    }
}
