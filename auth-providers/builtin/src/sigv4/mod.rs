//! SigV4 verification, server side: `parse` reads and checks everything that needs no key
//! (shape, clock, scope) in DynamoDB's order; the caller then looks the key up and calls
//! `verify_signature` with the derived `SigningKey`. Both the `Authorization` header form and
//! the presigned query form are accepted; the body hash is always the SHA-256 of the body as
//! received. The provider's hot path finds the headers it reads once (`SigningHeaders`) and
//! calls `parse_found` and `verify_found`, which borrow from the request and allocate nothing.
//!
//! Hand-written, because no maintained crate verifies SigV4 on the server side with
//! DynamoDB's error texts; `aws-sigv4` (the SDK's signer) is the test oracle, and AWS's
//! published test vectors (tests/vectors) pin the canonicalization.

mod bytes;
mod canonical;
mod headers;
mod keyed;
mod parse;
mod parts;
mod query;
pub(crate) mod signing;
pub mod time;

pub use canonical::{canonical_query, canonical_request, canonical_uri, string_to_sign};
pub use headers::SigningHeaders;
pub use parse::{parse, parse_found, parse_parts, SignatureForm, SignedRequest, MAX_SKEW};
pub use parts::SignedParts;
pub use signing::{signature_matches, SigningKey};

/// DynamoDB's texts and the fixed parts of the scheme, shared with the `none` provider.
pub use extenddb_core::traits::sigv4_header::{
    ALGORITHM, INVALID_KEY, MISSING_TOKEN, SIGNATURE_MISMATCH, TERMINATOR,
};
use extenddb_core::traits::RequestHead;
use extenddb_core::ApiError;

/// The service name DynamoDB (and DynamoDB Streams) requests are signed for.
pub const SERVICE: &str = "dynamodb";
/// Longest `X-Amz-Expires` of a presigned request (7 days, as S3 and s3s allow).
pub const MAX_PRESIGN_EXPIRES: u64 = 604_800;

/// DynamoDB's answer for a missing or wrong session token (without a period, as dynalite
/// records and scratchstack uses).
pub const INVALID_TOKEN: &str = "The security token included in the request is invalid";
/// DynamoDB's answer for a session token past its expiry (scratchstack's text; no DynamoDB
/// capture was found).
pub const EXPIRED_TOKEN: &str = "The security token included in the request is expired";

/// Checks the signature of `req` (as `parse` returned it) made with `key` over the request and
/// the body whose SHA-256 is `body_sha256`. A presigned request whose session token was
/// appended after signing (`X-Amz-Security-Token` not covered) verifies too.
pub fn verify_signature(
    head: &RequestHead,
    req: &SignedRequest,
    body_sha256: &[u8; 32],
    key: &SigningKey,
) -> Result<(), ApiError> {
    verify_parts(head, &req.parts(), body_sha256, key)
}

/// `verify_signature` for the borrowed parts `parse_parts` answered. The canonical request is
/// hashed as it is written and the string to sign fed to the MAC in pieces: nothing is built.
pub fn verify_parts(
    head: &RequestHead,
    req: &SignedParts<'_>,
    body_sha256: &[u8; 32],
    key: &SigningKey,
) -> Result<(), ApiError> {
    verify_found(&SigningHeaders::new(head), req, body_sha256, key)
}

/// `verify_parts` for a request whose headers were found already (by `SigningHeaders::new`,
/// once for `parse_found` and this).
pub fn verify_found(
    found: &SigningHeaders<'_>,
    req: &SignedParts<'_>,
    body_sha256: &[u8; 32],
    key: &SigningKey,
) -> Result<(), ApiError> {
    let head = found.head;
    let mut payload = [0; 64];
    bytes::hex_into(body_sha256, &mut payload);
    // A declared payload hash must be the body's: DynamoDB signs the body, so
    // `UNSIGNED-PAYLOAD` and stale hashes are refused.
    if let Some(declared) = found.value(headers::AMZ_CONTENT_SHA256) {
        if declared.as_bytes() != payload {
            return Err(ApiError::InvalidSignature(SIGNATURE_MISMATCH.into()));
        }
    }
    let attempt = |with_token: bool| {
        let digest = canonical::canonical_request_sha256(found, req, &payload, with_token);
        let mut text = [0; canonical::STRING_TO_SIGN_MAX];
        let expected = match canonical::string_to_sign_into(req, &digest, &mut text) {
            Some(text) => key.sign(text),
            None => {
                let mut digest_hex = [0; 64];
                key.sign_pieces(&canonical::string_to_sign_pieces(
                    req,
                    &digest,
                    &mut digest_hex,
                ))
            }
        };
        signature_matches(&expected, &req.signature)
    };
    let token_in_query =
        req.form == SignatureForm::Query && head.query.contains("X-Amz-Security-Token=");
    if attempt(true) || (token_in_query && attempt(false)) {
        Ok(())
    } else {
        Err(ApiError::InvalidSignature(SIGNATURE_MISMATCH.into()))
    }
}
