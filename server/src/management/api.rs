//! The management API's wire types: every request and response body of `/management/*`, as
//! JSON with snake_case fields. `extenddb manage` and the web console use these same types
//! (docs/management.md is the reference). Request bodies refuse unknown fields. Types that
//! carry a password or a secret print `***` for it in `Debug`.

use serde::{Deserialize, Deserializer, Serialize};

/// The path every management route starts with.
pub const PREFIX: &str = "/management";

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable error code (`NoSuchEntity`, `EntityAlreadyExists`, `AccessDenied`, ...).
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// The HTTP status, repeated.
    pub status: u16,
}

/// One page of a list. `next_marker` is present when more items follow: pass it as `marker`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page, in name order.
    pub items: Vec<T>,
    /// Where the next page starts, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
}

/// The query of a list route: `?max_items=N&marker=M`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Items per page: 1 to 1000, default 100.
    #[serde(default)]
    pub max_items: Option<usize>,
    /// The `next_marker` of the previous page.
    #[serde(default)]
    pub marker: Option<String>,
}

/// Who the caller is (`GET /management/whoami`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoAmI {
    /// `admin`, `user` or `operator`.
    pub kind: String,
    /// The admin or user name (`operator` for the data-key holder).
    pub name: String,
    /// The user's account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The user's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
}

/// An admin user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admin {
    /// Login name.
    pub admin_name: String,
    /// Creation time (RFC 3339, UTC).
    pub created: String,
}

/// `POST /management/admins`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAdmin {
    /// Login name (IAM name characters, 1–64).
    pub admin_name: String,
    /// Password (1–128 characters).
    pub password: String,
}

/// A new password (admins' and users').
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    /// The new password (1–128 characters).
    pub new_password: String,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// 12 digits.
    pub account_id: String,
    /// Display name.
    pub account_name: String,
    /// Creation time (RFC 3339, UTC).
    pub created: String,
}

/// `POST /management/accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    /// 12 digits; a random id when absent.
    #[serde(default)]
    pub account_id: Option<String>,
    /// Display name (1–64 characters).
    pub account_name: String,
}

/// A tag of a user or role (`aws:PrincipalTag/<key>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    /// 1–128 characters.
    pub key: String,
    /// 0–256 characters.
    pub value: String,
}

/// An IAM user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Its account.
    pub account_id: String,
    /// Its name.
    pub user_name: String,
    /// IAM's unique id (`AIDA…`).
    pub user_id: String,
    /// `arn:aws:iam::<account>:user/<name>`.
    pub arn: String,
    /// Creation time (RFC 3339, UTC).
    pub created: String,
    /// Whether it has a console password (and so may use the management API).
    pub has_password: bool,
    /// Its tags.
    pub tags: Vec<Tag>,
    /// Whether a permissions boundary is set.
    pub has_boundary: bool,
}

/// `POST /management/accounts/{account_id}/users`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// The name (IAM name characters, 1–64; unique per account, case-insensitively).
    pub user_name: String,
    /// A console password for the management API (1–128 characters).
    #[serde(default)]
    pub password: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// An access key (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    /// `AKIA…`.
    pub access_key_id: String,
    /// The owner's account.
    pub account_id: String,
    /// The owner.
    pub user_name: String,
    /// `Active` or `Inactive`.
    pub status: String,
    /// Creation time (RFC 3339, UTC).
    pub created: String,
}

/// A key just created: the one answer that carries its secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccessKey {
    /// The key.
    #[serde(flatten)]
    pub key: AccessKey,
    /// The secret access key, shown this once.
    pub secret_access_key: String,
}

/// `POST .../access-keys/import`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportAccessKey {
    /// `AKIA…`, 16–128 upper-case letters and digits.
    pub access_key_id: String,
    /// The secret (16–128 characters).
    pub secret_access_key: String,
}

/// `PUT .../access-keys/{id}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessKeyStatus {
    /// `Active` or `Inactive`.
    pub status: String,
}

/// A group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// Its account.
    pub account_id: String,
    /// Its name.
    pub group_name: String,
    /// IAM's unique id (`AGPA…`).
    pub group_id: String,
    /// `arn:aws:iam::<account>:group/<name>`.
    pub arn: String,
    /// Creation time (RFC 3339, UTC).
    pub created: String,
}

/// A group with its members (`GET .../groups/{group_name}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDetail {
    /// The group.
    #[serde(flatten)]
    pub group: Group,
    /// Member user names.
    pub members: Vec<String>,
}

/// `POST /management/accounts/{account_id}/groups`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateGroup {
    /// The name (IAM name characters, 1–64).
    pub group_name: String,
}

/// A named inline policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Its name.
    pub policy_name: String,
    /// The JSON document, as stored.
    pub policy_document: String,
}

/// A policy document to store (inline policies and boundaries): JSON text, or a JSON object
/// (stored as its compact text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    /// The document: valid JSON with `Version` and `Statement`.
    #[serde(deserialize_with = "document")]
    pub policy_document: String,
}

/// A permissions boundary (`GET .../boundary`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Boundary {
    /// The document, or `null` when none is set.
    pub permissions_boundary: Option<String>,
}

/// Tags to set (`POST .../tags`) or as stored (`GET .../tags`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tags {
    /// The tags.
    pub tags: Vec<Tag>,
}

/// The query of `DELETE .../tags`: `?keys=Department,Team`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagKeys {
    /// Comma-separated tag keys (IAM tag keys cannot contain commas).
    pub keys: String,
}

/// A role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// Its account.
    pub account_id: String,
    /// Its name.
    pub role_name: String,
    /// IAM's unique id (`AROA…`).
    pub role_id: String,
    /// `arn:aws:iam::<account>:role/<name>`.
    pub arn: String,
    /// Who may assume it.
    pub trust_policy: String,
    /// Its tags.
    pub tags: Vec<Tag>,
    /// Whether a permissions boundary is set.
    pub has_boundary: bool,
    /// Creation time (RFC 3339, UTC).
    pub created: String,
}

/// `POST /management/accounts/{account_id}/roles`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRole {
    /// The name (IAM name characters, 1–64).
    pub role_name: String,
    /// The trust policy (JSON text or object) naming who may assume it.
    #[serde(deserialize_with = "document")]
    pub trust_policy: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `PUT .../roles/{role_name}/trust-policy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustPolicy {
    /// The new trust policy (JSON text or object).
    #[serde(deserialize_with = "document")]
    pub trust_policy: String,
}

/// `POST .../roles/{role_name}/sessions`: AssumeRole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssumeRole {
    /// Who assumes the role (`arn:aws:iam::<account>:user/<name>` or `...:root`); the trust
    /// policy must allow it. An IAM user may only name itself.
    pub caller_arn: String,
    /// `RoleSessionName` (2–64 IAM name characters).
    pub session_name: String,
    /// Session tags.
    #[serde(default)]
    pub session_tags: Vec<Tag>,
    /// A session policy (JSON text or object) that further limits the session.
    #[serde(default, deserialize_with = "optional_document")]
    pub session_policy: Option<String>,
    /// 900–43,200 seconds; 3,600 when absent.
    #[serde(default)]
    pub duration_seconds: Option<u32>,
}

/// Temporary credentials from AssumeRole: the one answer that carries their secret and token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// `ASIAEXTENDDB…`.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token (`X-Amz-Security-Token`, `aws_session_token`).
    pub session_token: String,
    /// When they expire (RFC 3339, UTC).
    pub expiration: String,
    /// `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
    pub assumed_role_arn: String,
    /// `AROA…:<session>`.
    pub assumed_role_id: String,
}

/// A runtime setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    /// Its name.
    pub name: String,
    /// The value stored in the catalog, or the default.
    pub value: String,
    /// The default.
    pub default: String,
    /// Whether no value is stored.
    pub is_default: bool,
    /// What it controls.
    pub help: String,
}

/// `PUT /management/settings/{name}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetSetting {
    /// The new value.
    pub value: String,
}

/// A document given as JSON text, or as a JSON value (kept as its compact text).
fn document<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    })
}

fn optional_document<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

macro_rules! redacted_debug {
    ($ty:ident { $($shown:ident),* ; $($hidden:ident),* }) => {
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    $(.field(stringify!($shown), &self.$shown))*
                    $(.field(stringify!($hidden), &"***"))*
                    .finish()
            }
        }
    };
}

redacted_debug!(CreateAdmin { admin_name; password });
redacted_debug!(NewPassword { ; new_password });
redacted_debug!(CreateUser { user_name, tags; password });
redacted_debug!(NewAccessKey { key; secret_access_key });
redacted_debug!(ImportAccessKey { access_key_id; secret_access_key });
redacted_debug!(Credentials { access_key_id, expiration, assumed_role_arn, assumed_role_id; secret_access_key, session_token });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_may_be_text_or_objects() {
        let a: PolicyDocument =
            serde_json::from_str(r#"{"policy_document":"{\"Version\":\"2012-10-17\"}"}"#).unwrap();
        let b: PolicyDocument =
            serde_json::from_str(r#"{"policy_document":{"Version":"2012-10-17"}}"#).unwrap();
        assert_eq!(a, b);
        let r: AssumeRole =
            serde_json::from_str(r#"{"caller_arn":"a","session_name":"s"}"#).unwrap();
        assert_eq!(r.session_policy, None);
        assert!(serde_json::from_str::<CreateGroup>(r#"{"group_name":"g","x":1}"#).is_err());
    }

    #[test]
    fn debug_never_shows_secrets() {
        let k = NewAccessKey {
            key: AccessKey {
                access_key_id: "AKIAEXTENDDB12345678".into(),
                account_id: "123456789012".into(),
                user_name: "alice".into(),
                status: "Active".into(),
                created: "2026-01-01T00:00:00Z".into(),
            },
            secret_access_key: "extenddbSECRET".into(),
        };
        let shown = format!("{k:?}");
        assert!(shown.contains("AKIAEXTENDDB12345678") && !shown.contains("SECRET"));
        let p = CreateUser {
            user_name: "alice".into(),
            password: Some("hunter2".into()),
            tags: vec![],
        };
        assert!(!format!("{p:?}").contains("hunter2"));
        let json = serde_json::to_value(&k).unwrap();
        assert_eq!(json["access_key_id"], "AKIAEXTENDDB12345678");
        assert_eq!(json["secret_access_key"], "extenddbSECRET");
    }
}
