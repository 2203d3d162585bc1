//! Secrets `init` makes: random passwords and ids, the
//! AES-256-GCM data key (a key file, mode 600) and the check value stored in the catalog that
//! proves a key file belongs to this catalog. Files with secrets are written mode 600.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use anyhow::{bail, Context};
use rand::distributions::{Alphanumeric, DistString};
use rand::{Rng, RngCore};
use std::path::Path;

/// The plaintext sealed under the data key in the catalog's check row.
const KEY_CHECK_PLAINTEXT: &[u8] = b"extenddb data key check v1";

/// A random password of `len` letters and digits.
pub fn password(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rngs::OsRng, len)
}

/// A random 12-digit account id (no leading zero).
pub fn account_id() -> String {
    let n: u64 = rand::rngs::OsRng.gen_range(100_000_000_000..1_000_000_000_000);
    n.to_string()
}

/// Writes `data` to `path` readable and writable by the owner only (replacing the file).
pub fn write_private(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600);
        let mut f = opts
            .open(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        // An existing file keeps its old mode on open; set it explicitly.
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        f.write_all(data)
            .with_context(|| format!("cannot write {}", path.display()))
    }
    #[cfg(not(unix))]
    {
        let mut f = opts
            .open(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        f.write_all(data)
            .with_context(|| format!("cannot write {}", path.display()))
    }
}

/// The data key at `key_path` (created when missing, and said so), then the key check, a new
/// default account and the `admin` user seeded through the IAM store, as the management API's
/// changes are: what `init` does on either backend. Returns the account id and what was seeded.
pub async fn key_and_seed(
    store: &dyn extenddb_core::traits::IamStore,
    key_path: &Path,
) -> anyhow::Result<(String, crate::commands::bootstrap::Seeded)> {
    let (key, created) = load_or_create_key(key_path)?;
    println!(
        "{} AES-256-GCM data key {}.",
        if created {
            "Generated"
        } else {
            "Using existing"
        },
        key_path.display()
    );
    let account = account_id();
    let seeded = crate::commands::bootstrap::seed(
        store,
        &extenddb_auth_builtin::DataKey::from_bytes(key),
        &account,
        None,
    )
    .await?;
    Ok((account, seeded))
}

/// Loads the 32-byte data key from `path`, or creates one there when the file is absent.
/// Returns the key and whether it was created.
pub fn load_or_create_key(path: &Path) -> anyhow::Result<([u8; 32], bool)> {
    if path.exists() {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice()) else {
            bail!(
                "{} is not a 32-byte AES-256 key ({} bytes); move it away to generate a new one",
                path.display(),
                bytes.len()
            );
        };
        return Ok((key, false));
    }
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    write_private(path, &key)?;
    Ok((key, true))
}

/// Seals the check plaintext under `key`: `(nonce, ciphertext)` (init stores the same check
/// through `DataKey::key_check`).
#[cfg(test)]
pub fn key_check(key: &[u8; 32]) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(Nonce::from_slice(&nonce), KEY_CHECK_PLAINTEXT)
        .map_err(|_| anyhow::anyhow!("AES-256-GCM encryption failed"))?;
    Ok((nonce.to_vec(), ct))
}

/// Whether `(nonce, ciphertext)` was sealed under `key`.
pub fn key_matches(key: &[u8; 32], nonce: &[u8], ciphertext: &[u8]) -> bool {
    if nonce.len() != 12 {
        return false;
    }
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    cipher
        .decrypt(Nonce::from_slice(nonce), ciphertext)
        .is_ok_and(|p| p == KEY_CHECK_PLAINTEXT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_passwords() {
        let id = account_id();
        assert_eq!(id.len(), 12);
        assert!(id.bytes().all(|b| b.is_ascii_digit()) && !id.starts_with('0'));
        let p = password(24);
        assert_eq!(p.len(), 24);
        assert!(p.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(p, password(24));
    }

    #[test]
    fn the_builtin_key_check_opens_here() {
        let (key, _) = load_or_create_key(&tempfile::tempdir().unwrap().path().join("k")).unwrap();
        let check = extenddb_auth_builtin::DataKey::from_bytes(key)
            .key_check()
            .unwrap();
        assert!(key_matches(&key, &check.nonce, &check.ciphertext));
    }

    #[test]
    fn key_file_is_private_and_reused_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("master.key");
        let (k1, created) = load_or_create_key(&path).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (k2, created) = load_or_create_key(&path).unwrap();
        assert!(!created);
        assert_eq!(k1, k2);
        let (nonce, ct) = key_check(&k1).unwrap();
        assert!(key_matches(&k1, &nonce, &ct));
        let mut other = k1;
        other[0] ^= 1;
        assert!(!key_matches(&other, &nonce, &ct));
        std::fs::write(&path, b"short").unwrap();
        assert!(load_or_create_key(&path)
            .unwrap_err()
            .to_string()
            .contains("5 bytes"));
    }
}
