//! The SigV4 signing key (HMAC-SHA256 chain over date, region, service and `aws4_request`),
//! signatures, and their constant-time comparison. Keys are zeroized on drop.
//!
//! A key is derived once per (secret, date, region) and then signs every request of that day
//! (the credential cache keeps it), so it carries its HMAC states ready (`keyed`): a signature
//! costs the string to sign's SHA-256 blocks plus one, not plus three.

use super::keyed::KeyedMac;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

type HmacSha256 = Hmac<Sha256>;

pub(crate) fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// A derived signing key for one (secret, date, region, service), with its HMAC states.
/// Zeroized on drop; `Debug` prints `***`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SigningKey {
    key: [u8; 32],
    mac: KeyedMac,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(***)")
    }
}

impl SigningKey {
    /// Derives the key from the secret access key.
    pub fn derive(secret: &[u8], date: &str, region: &str, service: &str) -> SigningKey {
        let mut k_secret = Zeroizing::new(Vec::with_capacity(4 + secret.len()));
        k_secret.extend_from_slice(b"AWS4");
        k_secret.extend_from_slice(secret);
        let mut k_date = hmac(&k_secret, date.as_bytes());
        let mut k_region = hmac(&k_date, region.as_bytes());
        let mut k_service = hmac(&k_region, service.as_bytes());
        let key = hmac(&k_service, super::TERMINATOR.as_bytes());
        k_date.zeroize();
        k_region.zeroize();
        k_service.zeroize();
        SigningKey {
            mac: KeyedMac::new(&key),
            key,
        }
    }

    /// The signature of `string_to_sign`.
    pub fn sign(&self, string_to_sign: &[u8]) -> [u8; 32] {
        self.mac.mac([string_to_sign])
    }

    /// The signature of the concatenation of `pieces`, fed to the MAC one by one (no string to
    /// sign is built).
    pub fn sign_pieces(&self, pieces: &[&str]) -> [u8; 32] {
        self.mac.mac(pieces.iter().map(|p| p.as_bytes()))
    }
}

/// Whether `provided` (lower-case hex, as `parse` requires it) is the hex of `expected`,
/// compared in constant time: `expected` is hex-encoded (a table lookup per byte) rather than
/// `provided` decoded and validated, and the two are compared eight bytes at a time (`subtle`'s
/// byte-slice comparison costs a barrier per byte).
pub fn signature_matches(expected: &[u8; 32], provided: &str) -> bool {
    let mut buf = [0u8; 64];
    super::bytes::hex_into(expected, &mut buf);
    // The length is public (every signature is 64 digits); only the digits are secret.
    let Ok(provided) = <&[u8; 64]>::try_from(provided.as_bytes()) else {
        return false;
    };
    let words = |b: &[u8; 64]| -> [u64; 8] {
        std::array::from_fn(|i| {
            let mut w = [0; 8];
            w.copy_from_slice(&b[8 * i..8 * i + 8]);
            u64::from_ne_bytes(w)
        })
    };
    words(&buf)[..].ct_eq(&words(provided)[..]).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's documented example: secret `wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY`, 20150830,
    /// us-east-1, iam (from the SigV4 "derive a signing key" page).
    #[test]
    fn derives_aws_documented_key() {
        let k = SigningKey::derive(
            b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20150830",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex::encode(k.key),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
        assert_eq!(format!("{k:?}"), "SigningKey(***)");
    }

    #[test]
    fn signatures_are_the_hmac_of_the_key() {
        let k = SigningKey::derive(b"secret", "20260101", "eu-west-1", "dynamodb");
        let text = "AWS4-HMAC-SHA256\n20260101T000000Z\n20260101/eu-west-1/dynamodb/aws4_request\n";
        assert_eq!(k.sign(text.as_bytes()), hmac(&k.key, text.as_bytes()));
        let many: Vec<String> = (0..40).map(|i| i.to_string().repeat(i)).collect();
        let pieces: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            k.sign_pieces(&pieces),
            hmac(&k.key, pieces.concat().as_bytes())
        );
    }

    #[test]
    fn comparison_needs_every_byte() {
        let sig = [0xabu8; 32];
        let hexed = hex::encode(sig);
        assert!(signature_matches(&sig, &hexed));
        let mut other = hexed.clone().into_bytes();
        other[63] = b'c';
        assert!(!signature_matches(
            &sig,
            std::str::from_utf8(&other).unwrap()
        ));
        assert!(!signature_matches(&sig, &hexed[..62]));
        assert!(!signature_matches(&sig, "zz"));
        assert!(!signature_matches(&sig, &hexed.to_uppercase()));
        assert!(!signature_matches(&sig, &format!("{hexed}0")));
    }

    #[test]
    fn a_change_at_any_position_is_a_mismatch() {
        let sig: [u8; 32] = std::array::from_fn(|i| (i * 29 + 7) as u8);
        let hexed = hex::encode(sig);
        assert!(signature_matches(&sig, &hexed));
        for at in 0..64 {
            let mut other = hexed.clone().into_bytes();
            other[at] = if other[at] == b'0' { b'1' } else { b'0' };
            let other = String::from_utf8(other).unwrap();
            assert!(!signature_matches(&sig, &other), "digit {at}");
        }
    }
}
