//! `SignedParts`, the borrowed form of a request's signature parameters that the server's hot
//! path uses: for the `Authorization` header form every field is a slice of the header, so
//! parsing a signed request allocates nothing. `SignedRequest` is its owned twin (the public
//! API of `parse`, and what tests build by hand); each converts into the other.

use super::parse::{SignatureForm, SignedRequest};
use std::borrow::Cow;

/// A request's signature parameters, all checks that need no key passed; borrowed from the
/// request where it can be (the header form), owned where it had to be decoded (the query
/// form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedParts<'a> {
    /// Header or query form.
    pub form: SignatureForm,
    /// The access key id (first element of the credential scope).
    pub access_key_id: Cow<'a, str>,
    /// `yyyymmdd` of the credential scope.
    pub scope_date: Cow<'a, str>,
    /// Region of the credential scope.
    pub region: Cow<'a, str>,
    /// Service of the credential scope (checked to be the expected one).
    pub service: Cow<'a, str>,
    /// The signed header names, lower-case, joined with `;` in the order given: exactly the
    /// canonical request's signed-headers line.
    pub signed_headers: Cow<'a, str>,
    /// The signature: 64 lower-case hex digits.
    pub signature: Cow<'a, str>,
    /// The request time as sent (`X-Amz-Date`, else `Date`), ISO-8601 basic format.
    pub timestamp: Cow<'a, str>,
    /// `X-Amz-Security-Token` (header or query), if any.
    pub security_token: Option<Cow<'a, str>>,
}

fn owned(c: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(c.into_owned())
}

impl SignedParts<'_> {
    /// The signed header names, in order.
    pub fn header_names(&self) -> impl Iterator<Item = &str> {
        extenddb_core::traits::sigv4_text::split_ascii(&self.signed_headers, b';')
    }

    /// The same parts, owning every field (no borrow of the request left).
    pub fn into_static(self) -> SignedParts<'static> {
        SignedParts {
            form: self.form,
            access_key_id: owned(self.access_key_id),
            scope_date: owned(self.scope_date),
            region: owned(self.region),
            service: owned(self.service),
            signed_headers: owned(self.signed_headers),
            signature: owned(self.signature),
            timestamp: owned(self.timestamp),
            security_token: self.security_token.map(owned),
        }
    }

    /// The owned `SignedRequest` of these parts.
    pub fn to_request(&self) -> SignedRequest {
        SignedRequest {
            form: self.form,
            access_key_id: self.access_key_id.to_string(),
            scope_date: self.scope_date.to_string(),
            region: self.region.to_string(),
            service: self.service.to_string(),
            signed_headers: self.header_names().map(str::to_string).collect(),
            signature: self.signature.to_string(),
            timestamp: self.timestamp.to_string(),
            security_token: self.security_token.as_deref().map(str::to_string),
        }
    }
}

impl SignedRequest {
    /// The borrowed parts of this request (the signed-header list joined).
    pub fn parts(&self) -> SignedParts<'_> {
        SignedParts {
            form: self.form,
            access_key_id: Cow::Borrowed(&self.access_key_id),
            scope_date: Cow::Borrowed(&self.scope_date),
            region: Cow::Borrowed(&self.region),
            service: Cow::Borrowed(&self.service),
            signed_headers: Cow::Owned(self.signed_headers.join(";")),
            signature: Cow::Borrowed(&self.signature),
            timestamp: Cow::Borrowed(&self.timestamp),
            security_token: self.security_token.as_deref().map(Cow::Borrowed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_and_request_round_trip() {
        let req = SignedRequest {
            form: SignatureForm::Header,
            access_key_id: "AKID".into(),
            scope_date: "20260101".into(),
            region: "us-east-1".into(),
            service: "dynamodb".into(),
            signed_headers: vec!["host".into(), "x-amz-date".into()],
            signature: "ab".into(),
            timestamp: "20260101T000000Z".into(),
            security_token: Some("t".into()),
        };
        let parts = req.parts();
        assert_eq!(parts.signed_headers, "host;x-amz-date");
        assert_eq!(
            parts.header_names().collect::<Vec<_>>(),
            ["host", "x-amz-date"]
        );
        assert_eq!(parts.to_request(), req);
        assert_eq!(parts.clone().into_static(), parts);
    }
}
