//! AWS Signature Version 4 request signing, written by hand on `hmac` + `sha2`.
//!
//! Why not the `aws-sigv4` crate: it pulls in the aws-smithy runtime (aws-smithy-runtime-api,
//! aws-smithy-http, aws-credential-types, …), which more than doubles this tool's build time on
//! a 2-core machine, and its API allocates a fresh request description for every call. A load
//! generator signs one fixed shape of request (`POST /` with four signed headers) millions of
//! times; the algorithm is short, fully specified by AWS and checked here against AWS's
//! published test vectors. The signer caches the derived signing key per UTC day and reuses
//! its scratch buffer, so signing allocates only the `Authorization` value it returns.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use time::OffsetDateTime;

type HmacSha256 = Hmac<Sha256>;

/// The algorithm name that opens the string to sign and the `Authorization` header.
const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Access key id and secret access key used to sign requests.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The access key id, sent in clear in the credential scope.
    pub access_key: String,
    /// The secret access key; it never leaves this process.
    pub secret_key: String,
}

/// What is signed: method, path, query and headers in canonical form, plus the payload.
///
/// Invariant: `headers` names are lowercase and sorted, values already trimmed, and the list
/// includes `host` and `x-amz-date` (the latter equal to the `amz_date` passed to `sign`).
pub struct SignInput<'a> {
    /// HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// URI-encoded absolute path, e.g. `/`.
    pub path: &'a str,
    /// Canonical (sorted, encoded) query string, empty when there is none.
    pub query: &'a str,
    /// Headers to sign, lowercase names in sorted order.
    pub headers: &'a [(&'a str, &'a str)],
    /// The request body.
    pub payload: &'a [u8],
}

/// Signs requests for one credential, region and service; caches the day's signing key.
pub struct Signer {
    credentials: Credentials,
    region: String,
    service: String,
    cached_day: String,
    cached_key: [u8; 32],
    scratch: String,
}

impl Signer {
    /// Creates a signer for `service` (e.g. `dynamodb`) in `region`.
    pub fn new(credentials: Credentials, region: &str, service: &str) -> Self {
        Signer {
            credentials,
            region: region.to_owned(),
            service: service.to_owned(),
            cached_day: String::new(),
            cached_key: [0; 32],
            scratch: String::with_capacity(512),
        }
    }

    /// Signs `input` at `amz_date` (`YYYYMMDDTHHMMSSZ`) and returns the `Authorization` value.
    pub fn authorization(&mut self, amz_date: &str, input: &SignInput<'_>) -> String {
        let day = amz_date.get(..8).unwrap_or(amz_date);
        if self.cached_day != day {
            self.cached_key = signing_key(
                &self.credentials.secret_key,
                day,
                &self.region,
                &self.service,
            );
            self.cached_day.clear();
            self.cached_day.push_str(day);
        }
        let scope_len = self.write_string_to_sign(amz_date, day, input);
        let signature = hmac(&self.cached_key, self.scratch.as_bytes());
        let mut out = String::with_capacity(256);
        let _ = write!(
            out,
            "{ALGORITHM} Credential={}/{}, SignedHeaders=",
            self.credentials.access_key,
            &self.scratch[self.scratch.len() - 65 - scope_len..self.scratch.len() - 65]
        );
        push_signed_headers(&mut out, input.headers);
        out.push_str(", Signature=");
        push_hex(&mut out, &signature);
        out
    }

    /// Fills `scratch` with the string to sign; returns the length of the credential scope.
    fn write_string_to_sign(&mut self, amz_date: &str, day: &str, input: &SignInput<'_>) -> usize {
        let canonical_hash = {
            let s = &mut self.scratch;
            s.clear();
            push_canonical_request(s, input);
            Sha256::digest(s.as_bytes())
        };
        let s = &mut self.scratch;
        s.clear();
        s.push_str(ALGORITHM);
        s.push('\n');
        s.push_str(amz_date);
        s.push('\n');
        let scope_start = s.len();
        let _ = write!(s, "{day}/{}/{}/aws4_request", self.region, self.service);
        let scope_len = s.len() - scope_start;
        s.push('\n');
        push_hex(s, &canonical_hash);
        scope_len
    }
}

/// Appends the canonical request of `input` to `out` (AWS's step 1).
pub fn push_canonical_request(out: &mut String, input: &SignInput<'_>) {
    debug_assert!(input.headers.windows(2).all(|w| w[0].0 < w[1].0));
    out.push_str(input.method);
    out.push('\n');
    out.push_str(input.path);
    out.push('\n');
    out.push_str(input.query);
    out.push('\n');
    for (name, value) in input.headers {
        out.push_str(name);
        out.push(':');
        out.push_str(value);
        out.push('\n');
    }
    out.push('\n');
    push_signed_headers(out, input.headers);
    out.push('\n');
    push_hex(out, &Sha256::digest(input.payload));
}

/// Derives the SigV4 signing key for a day (`YYYYMMDD`), region and service.
pub fn signing_key(secret: &str, day: &str, region: &str, service: &str) -> [u8; 32] {
    let mut seed = String::with_capacity(4 + secret.len());
    seed.push_str("AWS4");
    seed.push_str(secret);
    let k_date = hmac(seed.as_bytes(), day.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// Formats `t` as SigV4's `X-Amz-Date` (`YYYYMMDDTHHMMSSZ`, UTC).
pub fn amz_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let mut s = String::with_capacity(16);
    let _ = write!(
        s,
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    s
}

fn push_signed_headers(out: &mut String, headers: &[(&str, &str)]) {
    for (i, (name, _)) in headers.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(name);
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this constructor cannot fail.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA256 takes keys of any length"),
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Appends the lowercase hex form of `bytes` to `out`.
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // AWS General Reference, "Signature Version 4 signing process" worked example:
    // IAM ListUsers on 2015-08-30 with the documentation's example secret key.
    const DOC_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn hex(bytes: &[u8]) -> String {
        let mut s = String::new();
        push_hex(&mut s, bytes);
        s
    }

    fn doc_request() -> (Vec<(&'static str, &'static str)>, &'static str) {
        (
            vec![
                (
                    "content-type",
                    "application/x-www-form-urlencoded; charset=utf-8",
                ),
                ("host", "iam.amazonaws.com"),
                ("x-amz-date", "20150830T123600Z"),
            ],
            "Action=ListUsers&Version=2010-05-08",
        )
    }

    #[test]
    fn signing_key_matches_aws_documentation() {
        let key = signing_key(DOC_SECRET, "20150830", "us-east-1", "iam");
        assert_eq!(
            hex(&key),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
    }

    #[test]
    fn canonical_request_hash_matches_aws_documentation() {
        let (headers, query) = doc_request();
        let input = SignInput {
            method: "GET",
            path: "/",
            query,
            headers: &headers,
            payload: b"",
        };
        let mut s = String::new();
        push_canonical_request(&mut s, &input);
        assert!(s.ends_with("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        assert_eq!(
            hex(&Sha256::digest(s.as_bytes())),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
        );
    }

    #[test]
    fn signed_request_matches_aws_documentation() {
        let (headers, query) = doc_request();
        let input = SignInput {
            method: "GET",
            path: "/",
            query,
            headers: &headers,
            payload: b"",
        };
        let creds = Credentials {
            access_key: "AKIDEXAMPLE".into(),
            secret_key: DOC_SECRET.into(),
        };
        let mut signer = Signer::new(creds, "us-east-1", "iam");
        let auth = signer.authorization("20150830T123600Z", &input);
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
        // A second signature the same day reuses the cached key and must not change.
        assert_eq!(signer.authorization("20150830T123600Z", &input), auth);
    }

    /// Cross-check of the DynamoDB request shape the bench sends, against botocore 1.43's
    /// `SigV4Auth` (signature computed once with botocore and recorded here).
    #[test]
    fn dynamodb_request_matches_botocore() {
        let body = br#"{"TableName":"bench","Key":{"pk":{"S":"k000000000007"}}}"#;
        let headers = [
            ("content-type", "application/x-amz-json-1.0"),
            ("host", "127.0.0.1:8000"),
            ("x-amz-date", "20261127T085407Z"),
            ("x-amz-target", "DynamoDB_20120810.GetItem"),
        ];
        let input = SignInput {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            payload: body,
        };
        let creds = Credentials {
            access_key: "benchaccesskey".into(),
            secret_key: "benchsecretkey".into(),
        };
        let auth =
            Signer::new(creds, "us-east-1", "dynamodb").authorization("20261127T085407Z", &input);
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=benchaccesskey/20261127/us-east-1/dynamodb/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-target, \
             Signature=80742187e84b2bb3f2241303a6014a0eaa8a8265a20f95781366ec6e76a3539e"
        );
    }

    #[test]
    fn signing_key_cache_follows_the_day() {
        let (headers, query) = doc_request();
        let input = SignInput {
            method: "GET",
            path: "/",
            query,
            headers: &headers,
            payload: b"",
        };
        let creds = Credentials {
            access_key: "AKIDEXAMPLE".into(),
            secret_key: DOC_SECRET.into(),
        };
        let mut signer = Signer::new(creds, "us-east-1", "iam");
        let day1 = signer.authorization("20150830T123600Z", &input);
        let day2 = signer.authorization("20150831T123600Z", &input);
        assert_ne!(day1, day2);
        assert!(day2.contains("Credential=AKIDEXAMPLE/20150831/us-east-1/iam/aws4_request"));
    }

    #[test]
    fn amz_date_is_basic_iso8601_utc() {
        let t = time::macros::datetime!(2015-08-30 12:36:00 UTC);
        assert_eq!(amz_date(t), "20150830T123600Z");
        let t = time::macros::datetime!(2015-08-30 14:06:09 +01:30);
        assert_eq!(amz_date(t), "20150830T123609Z");
    }
}
