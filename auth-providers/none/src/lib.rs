//! `none` authentication for development: every request with a well-formed SigV4
//! `Authorization` header is accepted as the account's root, whatever key signed it, and every
//! action is allowed. Signatures are not verified, so this provider must never face a network
//! that untrusted clients can reach.

pub mod authorization;

use async_trait::async_trait;
use extenddb_core::traits::{AuthProvider, AuthzRequest, Decision, Principal, RequestHead};
use extenddb_core::ApiError;
use std::sync::Arc;

/// Accepts any well-formed SigV4 request as the root of one configured account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoneAuth {
    /// The 12-digit account every request acts in.
    pub account_id: Arc<str>,
    /// Its root ARN, made once: every request's principal shares it.
    root_arn: Arc<str>,
}

impl NoneAuth {
    /// A provider for `account_id`.
    pub fn new(account_id: impl Into<String>) -> Self {
        let account_id: String = account_id.into();
        NoneAuth {
            root_arn: Principal::root_arn(&account_id),
            account_id: account_id.into(),
        }
    }
}

#[async_trait]
impl AuthProvider for NoneAuth {
    async fn authenticate(
        &self,
        head: &RequestHead,
        _body_sha256: &[u8; 32],
    ) -> Result<Principal, ApiError> {
        let auth = authorization::parse(head)?;
        Ok(Principal::root_of(
            &self.account_id,
            &self.root_arn,
            auth.access_key_id,
            auth.region,
        ))
    }

    async fn authorize<'r>(
        &self,
        _principal: &Principal,
        _request: &AuthzRequest<'r>,
    ) -> Result<Decision, ApiError> {
        Ok(Decision::Allow)
    }

    fn allows_everything(&self) -> bool {
        true
    }

    fn reads_body_hash(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(auth: &str) -> RequestHead {
        RequestHead::from_pairs(
            "POST",
            "/",
            "",
            [
                ("host", "127.0.0.1:8000"),
                ("x-amz-date", "20240102T030405Z"),
                ("authorization", auth),
            ],
        )
    }

    #[tokio::test]
    async fn authenticates_as_account_root_with_scope_region() {
        let auth = NoneAuth::new("123456789012");
        let p = auth
            .authenticate(
                &head("AWS4-HMAC-SHA256 Credential=AKIAFAKE/20240102/ap-south-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
                &[0; 32],
            )
            .await
            .unwrap();
        assert_eq!(
            p,
            Principal::account_root("123456789012", "AKIAFAKE", "ap-south-1")
        );
        assert_eq!(&*p.arn, "arn:aws:iam::123456789012:root");
        assert_eq!(&*p.user_id, "123456789012");
    }

    #[tokio::test]
    async fn malformed_header_is_refused() {
        let auth = NoneAuth::new("123456789012");
        let e = auth
            .authenticate(&head("AWS4-HMAC-SHA256 Credential=a/b"), &[0; 32])
            .await
            .unwrap_err();
        assert_eq!(e.type_name(), "IncompleteSignatureException");
    }

    #[tokio::test]
    async fn everything_is_authorized() {
        let auth = NoneAuth::new("000000000000");
        let p = Principal::account_root("000000000000", "x", "us-east-1");
        let facts = extenddb_core::traits::RequestFacts::default();
        let context = extenddb_core::traits::AuthzContext::default();
        let d = auth
            .authorize(
                &p,
                &AuthzRequest {
                    action: "dynamodb:DeleteTable",
                    resource: "arn:aws:dynamodb:us-east-1:000000000000:table/t",
                    facts: &facts,
                    context: &context,
                },
            )
            .await
            .unwrap();
        assert_eq!(d, Decision::Allow);
        assert!(auth.allows_everything());
    }
}
