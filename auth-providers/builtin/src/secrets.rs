//! Secrets at rest and in memory: the AES-256-GCM data key (`auth.key_file`, 32 raw bytes that
//! `extenddb init` writes), sealing and opening access-key secrets under it with a random nonce
//! each and the key id as associated data (a ciphertext moved to another key's row does not
//! open), a `Secret` type whose `Debug` prints `***` and whose bytes are zeroized on drop, and
//! argon2 password hashing.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use extenddb_core::model::iam::SealedSecret;
use rand::RngCore;
use std::path::{Path, PathBuf};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The plaintext sealed under the data key in the catalog's check row (the same bytes
/// `extenddb init` has always written).
pub const KEY_CHECK_PLAINTEXT: &[u8] = b"extenddb data key check v1";

/// Failures around the data key and sealed secrets. Never carries secret bytes.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The key file could not be read.
    #[error("cannot read the data key file {path}: {source}")]
    Read {
        /// The key file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The key file is not 32 bytes.
    #[error("{path} is not a 32-byte AES-256 key ({len} bytes)")]
    BadLength {
        /// The key file.
        path: PathBuf,
        /// Its length.
        len: usize,
    },
    /// A sealed secret did not open: another key sealed it, or it was altered.
    #[error("a stored secret does not open under the data key (wrong key file or altered data)")]
    Open,
    /// Encryption failed (not expected with a valid key).
    #[error("AES-256-GCM encryption failed")]
    Seal,
    /// Password hashing failed.
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// The deployment's AES-256-GCM data key. Zeroized on drop; `Debug` never shows it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey {
    bytes: [u8; 32],
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(***)")
    }
}

impl DataKey {
    /// Reads the 32-byte key file at `path` (the configuration's `auth.key_file`, with `~/`
    /// already expanded).
    pub fn load(path: &Path) -> Result<DataKey, SecretError> {
        let bytes = Zeroizing::new(std::fs::read(path).map_err(|source| SecretError::Read {
            path: path.to_path_buf(),
            source,
        })?);
        let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice()) else {
            return Err(SecretError::BadLength {
                path: path.to_path_buf(),
                len: bytes.len(),
            });
        };
        Ok(DataKey { bytes: key })
    }

    /// A key from raw bytes (tests, embedders with their own key management).
    pub fn from_bytes(bytes: [u8; 32]) -> DataKey {
        DataKey { bytes }
    }

    /// A fresh random key.
    pub fn generate() -> DataKey {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        DataKey { bytes }
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&self.bytes))
    }

    /// Seals `plaintext` with a random nonce; `aad` (the access key id) must be given again to
    /// open it.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<SealedSecret, SecretError> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher()
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| SecretError::Seal)?;
        Ok(SealedSecret {
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }

    /// Opens a sealed secret; the plaintext is zeroized when the returned `Secret` drops.
    pub fn open(&self, sealed: &SealedSecret, aad: &[u8]) -> Result<Secret, SecretError> {
        if sealed.nonce.len() != 12 {
            return Err(SecretError::Open);
        }
        self.cipher()
            .decrypt(
                Nonce::from_slice(&sealed.nonce),
                Payload {
                    msg: &sealed.ciphertext,
                    aad,
                },
            )
            .map(Secret)
            .map_err(|_| SecretError::Open)
    }

    /// The check value stored in the catalog: `KEY_CHECK_PLAINTEXT` sealed under this key.
    pub fn key_check(&self) -> Result<SealedSecret, SecretError> {
        self.seal(KEY_CHECK_PLAINTEXT, b"")
    }

    /// Whether `check` was sealed under this key (startup refuses a wrong key file).
    pub fn matches_check(&self, check: &SealedSecret) -> bool {
        self.open(check, b"")
            .is_ok_and(|p| p.expose() == KEY_CHECK_PLAINTEXT)
    }

    /// A key for another purpose derived from this one: HMAC-SHA256 of `label` under the data
    /// key (so the data key itself never signs anything but its own purpose's inputs).
    pub fn derive(&self, label: &[u8]) -> Secret {
        Secret(crate::sigv4::signing::hmac(&self.bytes, label).to_vec())
    }
}

/// Secret bytes in memory (a secret access key, a session token): zeroized on drop, `Debug`
/// prints `***`, no `Display`.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps secret bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Secret {
        Secret(bytes.into())
    }

    /// The bytes, for the one place that needs them (signing, showing once to the owner).
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as text when they are UTF-8 (generated secrets always are).
    pub fn expose_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// The argon2id PHC string of `password` (console and admin passwords).
pub fn hash_password(password: &str) -> Result<String, SecretError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| SecretError::Hash(e.to_string()))
}

/// Whether `password` matches the PHC string `hash` (false for a malformed hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_aad() {
        let key = DataKey::generate();
        let s1 = key.seal(b"wJalrXUtnFEMI", b"AKIA1").unwrap();
        let s2 = key.seal(b"wJalrXUtnFEMI", b"AKIA1").unwrap();
        assert_ne!(s1.nonce, s2.nonce, "a fresh nonce per secret");
        assert_ne!(s1.ciphertext, s2.ciphertext);
        assert_eq!(key.open(&s1, b"AKIA1").unwrap().expose(), b"wJalrXUtnFEMI");
        assert!(key.open(&s1, b"AKIA2").is_err(), "bound to its key id");
        assert!(DataKey::generate().open(&s1, b"AKIA1").is_err());
        let mut altered = s1.clone();
        altered.ciphertext[0] ^= 1;
        assert!(key.open(&altered, b"AKIA1").is_err());
        let short = SealedSecret {
            nonce: vec![0; 3],
            ciphertext: s1.ciphertext.clone(),
        };
        assert!(matches!(key.open(&short, b"AKIA1"), Err(SecretError::Open)));
    }

    #[test]
    fn key_check_detects_another_key() {
        let key = DataKey::generate();
        let check = key.key_check().unwrap();
        assert!(key.matches_check(&check));
        assert!(!DataKey::generate().matches_check(&check));
    }

    #[test]
    fn key_file_must_be_32_bytes() {
        let dir = std::env::temp_dir().join(format!("xdb-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("k");
        std::fs::write(&path, [7u8; 32]).unwrap();
        let key = DataKey::load(&path).unwrap();
        assert_eq!(key.bytes, [7u8; 32]);
        std::fs::write(&path, b"short").unwrap();
        let e = DataKey::load(&path).unwrap_err().to_string();
        assert!(e.contains("5 bytes"), "{e}");
        assert!(DataKey::load(&dir.join("absent")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn debug_hides_secrets() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "***");
        assert_eq!(
            format!("{:?}", DataKey::from_bytes([1; 32])),
            "DataKey(***)"
        );
    }

    #[test]
    fn passwords_verify() {
        let h = hash_password("s3cret").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("s3cret", &h));
        assert!(!verify_password("s3cret!", &h));
        assert!(!verify_password("s3cret", "not a hash"));
    }
}
