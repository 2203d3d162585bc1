//! `BuiltinAuth`, the `AuthProvider` of `[auth] provider = "builtin"`: SigV4 against the IAM
//! store's access keys and role sessions (through the credential cache), and AWS's policy
//! evaluation of the caller's policies for every authorization question. A caller acts in its
//! own account only: a resource of another account is denied.

use crate::cache::{Credential, CredentialCache, TokenRule};
use crate::identity::ResolvedIdentity;
use crate::policy::compiled::ArnParts;
use crate::policy::{evaluate_split, RequestContext};
use crate::resolve::{resolve, Resolved};
use crate::secrets::DataKey;
use crate::sigv4::{self, SigningKey};
use async_trait::async_trait;
use extenddb_core::clock::Clock;
use extenddb_core::traits::{
    AuthProvider, AuthzRequest, Decision, DenyReason, IamError, IamStore, Principal, RequestHead,
};
use extenddb_core::ApiError;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;

/// Why the provider cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The catalog's data-key check does not open under the configured key file.
    #[error("the data key file does not belong to this catalog (its key check does not open); restore the key file `init` wrote")]
    WrongKey,
    /// The catalog holds no data-key check (not initialized by `init`).
    #[error("the catalog holds no data-key check; run `extenddb init` (or store one) first")]
    NoKeyCheck,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] IamError),
}

/// The builtin provider. Cheap to share behind an `Arc`; holds the caches.
pub struct BuiltinAuth {
    store: Arc<dyn IamStore>,
    key: DataKey,
    clock: Arc<dyn Clock>,
    cache: CredentialCache,
}

impl std::fmt::Debug for BuiltinAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltinAuth")
            .field("cached_keys", &self.cache.len())
            .finish_non_exhaustive()
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "authentication failed inside the server");
    ApiError::Internal("Internal server error".into())
}

impl BuiltinAuth {
    /// A provider over `store`, opening secrets with `data_key` and reading time from `clock`.
    pub fn new(store: Arc<dyn IamStore>, data_key: DataKey, clock: Arc<dyn Clock>) -> BuiltinAuth {
        BuiltinAuth {
            store,
            key: data_key,
            clock,
            cache: CredentialCache::default(),
        }
    }

    /// Checks at startup that the data key belongs to the catalog.
    pub async fn check_data_key(&self) -> Result<(), SetupError> {
        match self.store.data_key_check().await? {
            None => Err(SetupError::NoKeyCheck),
            Some(check) if self.key.matches_check(&check) => Ok(()),
            Some(_) => Err(SetupError::WrongKey),
        }
    }

    /// How many access key ids are cached (diagnostics, tests).
    pub fn cached_keys(&self) -> usize {
        self.cache.len()
    }

    /// The credential of `id` (cached), or `None` when unknown; `now` is the request's time
    /// (one clock read per request, not two).
    async fn credential(
        &self,
        id: &str,
        now: SystemTime,
    ) -> Result<Option<Arc<Credential>>, ApiError> {
        self.cache.check_local(self.store.local_changes());
        if self.cache.version_due(now) {
            let v = self.store.iam_version().await.map_err(internal)?;
            self.cache.note_version(v, now);
        }
        if let Some(entry) = self.cache.get(id) {
            return Ok(entry);
        }
        let entry = match resolve(&*self.store, id).await.map_err(internal)? {
            None => None,
            Some(Resolved::Key(key, identity)) => Some(Arc::new(Credential::new(
                id,
                identity,
                key.secret,
                TokenRule::None,
            ))),
            Some(Resolved::Session(s, identity)) => Some(Arc::new(Credential::new(
                id,
                identity,
                s.secret,
                TokenRule::Session {
                    token_sha256: s.token_sha256,
                    expires: s.expires,
                },
            ))),
        };
        self.cache.put(id, entry.clone());
        Ok(entry)
    }
}

#[async_trait]
impl AuthProvider for BuiltinAuth {
    async fn authenticate(
        &self,
        head: &RequestHead,
        body_sha256: &[u8; 32],
    ) -> Result<Principal, ApiError> {
        let now = self.clock.now();
        // Borrowed from the request: the header form allocates nothing.
        // Found once for parsing and verifying.
        let found = sigv4::SigningHeaders::new(head);
        let req = sigv4::parse_found(&found, now, sigv4::SERVICE)?;
        let Some(cred) = self.credential(&req.access_key_id, now).await? else {
            return Err(ApiError::UnrecognizedClient(sigv4::INVALID_KEY.into()));
        };
        let (key, region) = cred.signing_key(&req.scope_date, &req.region, || {
            let secret = self
                .key
                .open(&cred.sealed, req.access_key_id.as_bytes())
                .map_err(internal)?;
            Ok::<SigningKey, ApiError>(SigningKey::derive(
                secret.expose(),
                &req.scope_date,
                &req.region,
                sigv4::SERVICE,
            ))
        })?;
        sigv4::verify_found(&found, &req, body_sha256, &key)?;
        match (&cred.token, &req.security_token) {
            (TokenRule::None, None) => {}
            (TokenRule::None, Some(_)) | (TokenRule::Session { .. }, None) => {
                return Err(ApiError::UnrecognizedClient(sigv4::INVALID_TOKEN.into()))
            }
            (
                TokenRule::Session {
                    token_sha256,
                    expires,
                },
                Some(token),
            ) => {
                let sent = Sha256::digest(token.as_bytes());
                if !bool::from(sent.as_slice().ct_eq(token_sha256)) {
                    return Err(ApiError::UnrecognizedClient(sigv4::INVALID_TOKEN.into()));
                }
                let secs = now
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0);
                if secs >= *expires {
                    return Err(ApiError::ExpiredToken(sigv4::EXPIRED_TOKEN.into()));
                }
            }
        }
        let texts = &cred.texts;
        Ok(Principal {
            account_id: texts.account_id.clone(),
            arn: texts.arn.clone(),
            user_id: texts.user_id.clone(),
            access_key_id: texts.access_key_id.clone(),
            region,
            identity: Some(cred.identity.clone()),
        })
    }

    async fn authorize<'r>(
        &self,
        principal: &Principal,
        request: &AuthzRequest<'r>,
    ) -> Result<Decision, ApiError> {
        let Some(identity) = principal
            .identity
            .as_deref()
            .and_then(|i| i.downcast_ref::<ResolvedIdentity>())
        else {
            // Not authenticated by this provider: nothing allows it.
            return Ok(Decision::Deny(DenyReason::NoIdentityPolicy));
        };
        let resource = ArnParts::split(request.resource);
        if !in_account(&resource, &identity.account_id) {
            return Ok(Decision::Deny(DenyReason::NoIdentityPolicy));
        }
        let ctx = RequestContext {
            identity,
            request,
            region: &principal.region,
        };
        Ok(evaluate_split(
            &identity.policies,
            request.action,
            &resource,
            &ctx,
        ))
    }

    fn reads_request_keys(&self, principal: &Principal) -> bool {
        principal
            .identity
            .as_deref()
            .and_then(|i| i.downcast_ref::<ResolvedIdentity>())
            .is_none_or(|identity| identity.policies.reads_request_keys())
    }
}

/// Whether `resource` (an ARN, or `*`) belongs to `account`.
fn in_account(resource: &ArnParts<'_>, account: &str) -> bool {
    resource.text == "*" || resource.account() == Some(account)
}

#[cfg(test)]
#[path = "provider_tests.rs"]
mod tests;
