//! An example `AuthProvider` for embedders: static access keys and secrets read from a TOML
//! file, each mapped to an account and to one of three access levels. It shows the whole
//! extension point in a small space — `authenticate` verifies SigV4 with the builtin crate's
//! verifier (`extenddb_auth_builtin::sigv4`), `authorize` answers from the key's access level —
//! and is a reasonable choice for a single-tenant deployment that wants no IAM catalog.
//! See docs/embedding.md.
//!
//! ```toml
//! [[key]]
//! access_key_id = "AKIASTATICEXAMPLE001"
//! secret_access_key = "a-long-random-secret"
//! account_id = "123456789012"
//! access = "read-only"     # "all", "read-only" or "none"
//! name = "reporting"       # optional: the principal is user/<name>, else the account root
//! ```

use async_trait::async_trait;
use extenddb_auth_builtin::sigv4::{self, SigningKey};
use extenddb_core::clock::Clock;
use extenddb_core::traits::{
    AuthProvider, AuthzRequest, Decision, DenyReason, Principal, RequestHead,
};
use extenddb_core::ApiError;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// Every action.
    All,
    /// Reads only (`READ_ACTIONS`).
    ReadOnly,
    /// Nothing (a key kept for identification, or disabled).
    None,
}

/// The IAM actions `read-only` allows.
pub const READ_ACTIONS: &[&str] = &[
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeBackup",
    "dynamodb:DescribeContinuousBackups",
    "dynamodb:DescribeContributorInsights",
    "dynamodb:DescribeExport",
    "dynamodb:DescribeGlobalTable",
    "dynamodb:DescribeGlobalTableSettings",
    "dynamodb:DescribeImport",
    "dynamodb:DescribeKinesisStreamingDestination",
    "dynamodb:DescribeLimits",
    "dynamodb:DescribeStream",
    "dynamodb:DescribeTable",
    "dynamodb:DescribeTableReplicaAutoScaling",
    "dynamodb:DescribeTimeToLive",
    "dynamodb:GetItem",
    "dynamodb:GetRecords",
    "dynamodb:GetResourcePolicy",
    "dynamodb:GetShardIterator",
    "dynamodb:ListBackups",
    "dynamodb:ListContributorInsights",
    "dynamodb:ListExports",
    "dynamodb:ListGlobalTables",
    "dynamodb:ListImports",
    "dynamodb:ListStreams",
    "dynamodb:ListTables",
    "dynamodb:ListTagsOfResource",
    "dynamodb:PartiQLSelect",
    "dynamodb:Query",
    "dynamodb:Scan",
];

/// One `[[key]]` entry.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticKey {
    /// The access key id clients sign with.
    pub access_key_id: String,
    /// Its secret.
    pub secret_access_key: String,
    /// The account the key acts in (12 digits).
    pub account_id: String,
    /// What it may do.
    pub access: Access,
    /// Optional user name for the principal's ARN.
    #[serde(default)]
    pub name: Option<String>,
}

impl std::fmt::Debug for StaticKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticKey")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"***")
            .field("account_id", &self.account_id)
            .field("access", &self.access)
            .field("name", &self.name)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    #[serde(default)]
    key: Vec<StaticKey>,
}

/// Why the key file was refused.
#[derive(Debug, thiserror::Error)]
pub enum StaticKeysError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The parser's message.
        message: String,
    },
    /// An entry is invalid.
    #[error("{path}: key '{key}': {message}")]
    Invalid {
        /// The file.
        path: String,
        /// The access key id of the entry.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// The provider: a map of access key id → entry.
pub struct StaticKeysAuth {
    keys: HashMap<String, StaticKey>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for StaticKeysAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticKeysAuth")
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl StaticKeysAuth {
    /// Reads the TOML key file at `path`.
    pub fn from_file(
        path: &Path,
        clock: Arc<dyn Clock>,
    ) -> Result<StaticKeysAuth, StaticKeysError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| StaticKeysError::Read {
            path: p.clone(),
            source,
        })?;
        Self::from_toml(&text, &p, clock)
    }

    /// Parses key-file text (`origin` names it in errors).
    pub fn from_toml(
        text: &str,
        origin: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<StaticKeysAuth, StaticKeysError> {
        let file: KeyFile = toml::from_str(text).map_err(|e| StaticKeysError::Parse {
            path: origin.to_string(),
            message: e.message().to_string(),
        })?;
        let mut keys = HashMap::new();
        for k in file.key {
            let invalid = |message: &str| StaticKeysError::Invalid {
                path: origin.to_string(),
                key: k.access_key_id.clone(),
                message: message.to_string(),
            };
            if k.account_id.len() != 12 || !k.account_id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid("account_id must be 12 digits"));
            }
            if k.access_key_id.is_empty() || k.access_key_id.contains('/') {
                return Err(invalid("access_key_id must be non-empty and hold no '/'"));
            }
            if k.secret_access_key.len() < 16 {
                return Err(invalid("secret_access_key must be at least 16 characters"));
            }
            if keys.contains_key(&k.access_key_id) {
                return Err(invalid("listed twice"));
            }
            keys.insert(k.access_key_id.clone(), k);
        }
        Ok(StaticKeysAuth { keys, clock })
    }
}

#[async_trait]
impl AuthProvider for StaticKeysAuth {
    async fn authenticate(
        &self,
        head: &RequestHead,
        body_sha256: &[u8; 32],
    ) -> Result<Principal, ApiError> {
        let req = sigv4::parse(head, self.clock.now(), sigv4::SERVICE)?;
        let Some(key) = self.keys.get(&req.access_key_id) else {
            return Err(ApiError::UnrecognizedClient(sigv4::INVALID_KEY.into()));
        };
        // Static keys have no sessions: a security token means a credential we never issued.
        if req.security_token.is_some() {
            return Err(ApiError::UnrecognizedClient(sigv4::INVALID_TOKEN.into()));
        }
        let signing = SigningKey::derive(
            key.secret_access_key.as_bytes(),
            &req.scope_date,
            &req.region,
            sigv4::SERVICE,
        );
        sigv4::verify_signature(head, &req, body_sha256, &signing)?;
        let mut p = Principal::account_root(&key.account_id, &req.access_key_id, &req.region);
        if let Some(name) = &key.name {
            p.arn = format!("arn:aws:iam::{}:user/{name}", key.account_id).into();
            p.user_id = req.access_key_id.as_str().into();
        }
        Ok(p)
    }

    async fn authorize<'r>(
        &self,
        principal: &Principal,
        request: &AuthzRequest<'r>,
    ) -> Result<Decision, ApiError> {
        let access = self
            .keys
            .get(&*principal.access_key_id)
            .filter(|k| *k.account_id == *principal.account_id)
            .map_or(Access::None, |k| k.access);
        let own_account = request.resource == "*"
            || request.resource.split(':').nth(4) == Some(&*principal.account_id);
        let allowed = own_account
            && match access {
                Access::All => true,
                Access::ReadOnly => READ_ACTIONS.contains(&request.action),
                Access::None => false,
            };
        Ok(if allowed {
            Decision::Allow
        } else {
            Decision::Deny(DenyReason::NoIdentityPolicy)
        })
    }
}

#[cfg(test)]
mod tests;
