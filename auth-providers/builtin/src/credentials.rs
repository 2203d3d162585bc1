//! Access keys for the management API: `create_access_key` generates an `AKIAEXTENDDB…` key
//! and its secret (shown once), `import_access_key` stores a given `AKIA…` pair (the "same
//! credentials as AWS" workflow). Secrets are sealed under the data key with the key id as
//! associated data — the form `BuiltinAuth` opens.

use crate::ids::{new_access_key_id, new_secret_access_key};
use crate::secrets::{DataKey, Secret, SecretError};
use extenddb_core::clock::Clock;
use extenddb_core::model::iam::{validate_access_key_id, AccessKey, AccessKeyStatus, SealedSecret};
use extenddb_core::traits::{IamError, IamStore};
use std::time::UNIX_EPOCH;

/// Why a key could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// The key id or secret is malformed.
    #[error("{0}")]
    Validation(String),
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] IamError),
    /// Sealing failed.
    #[error(transparent)]
    Secret(#[from] SecretError),
}

/// Seals a secret access key for storage under `access_key_id`.
pub fn seal_secret(
    key: &DataKey,
    access_key_id: &str,
    secret: &[u8],
) -> Result<SealedSecret, SecretError> {
    key.seal(secret, access_key_id.as_bytes())
}

fn now_secs(clock: &dyn Clock) -> i64 {
    clock
        .now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Generates and stores a new active key for the user; answers it and its secret.
pub async fn create_access_key(
    store: &dyn IamStore,
    key: &DataKey,
    clock: &dyn Clock,
    account_id: &str,
    user_name: &str,
) -> Result<(AccessKey, Secret), CredentialError> {
    let id = new_access_key_id();
    let secret = new_secret_access_key();
    let ak = AccessKey {
        access_key_id: id.clone(),
        account_id: account_id.to_string(),
        user_name: user_name.to_string(),
        secret: seal_secret(key, &id, secret.expose())?,
        status: AccessKeyStatus::Active,
        created: now_secs(clock),
    };
    store.create_access_key(&ak).await?;
    Ok((ak, secret))
}

/// Stores a given `AKIA…` key and secret for the user.
pub async fn import_access_key(
    store: &dyn IamStore,
    key: &DataKey,
    clock: &dyn Clock,
    account_id: &str,
    user_name: &str,
    access_key_id: &str,
    secret_access_key: &str,
) -> Result<AccessKey, CredentialError> {
    validate_access_key_id(access_key_id).map_err(|e| CredentialError::Validation(e.0))?;
    if !access_key_id.starts_with("AKIA") {
        return Err(CredentialError::Validation(
            "Imported access key ids must start with AKIA".into(),
        ));
    }
    if secret_access_key.len() < 16 || secret_access_key.len() > 128 {
        return Err(CredentialError::Validation(
            "A secret access key must be 16 to 128 characters".into(),
        ));
    }
    let ak = AccessKey {
        access_key_id: access_key_id.to_string(),
        account_id: account_id.to_string(),
        user_name: user_name.to_string(),
        secret: seal_secret(key, access_key_id, secret_access_key.as_bytes())?,
        status: AccessKeyStatus::Active,
        created: now_secs(clock),
    };
    store.create_access_key(&ak).await?;
    Ok(ak)
}
