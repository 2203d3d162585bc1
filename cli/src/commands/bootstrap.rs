//! Seeding a deployment's IAM catalog for `provider = "builtin"`, shared by `extenddb init`
//! (PostgreSQL and embedded) and `extenddb dev --auth builtin`: the data-key check (proof that
//! a key file belongs to this catalog), the default account and the first admin. Everything
//! goes through the `IamStore` trait, as the management API's changes do.

use anyhow::{bail, Context};
use extenddb_auth_builtin::secrets::hash_password;
use extenddb_auth_builtin::DataKey;
use extenddb_core::model::iam::{Account, AdminUser};
use extenddb_core::traits::IamStore;

/// The name of the first admin.
pub const ADMIN: &str = "admin";

/// What seeding did.
#[derive(Debug)]
pub struct Seeded {
    /// The admin's password, when this call created the admin (shown once).
    pub admin_password: Option<String>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The 32-byte data key at `path`, or a new one written there (mode 600) when the file is
/// absent.
pub fn load_or_create_key(path: &std::path::Path) -> anyhow::Result<DataKey> {
    if path.exists() {
        return Ok(DataKey::load(path)?);
    }
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, bytes.as_mut());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    std::io::Write::write_all(&mut f, bytes.as_ref())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(DataKey::from_bytes(*bytes))
}

/// A random password of `len` letters and digits.
pub fn random_password(len: usize) -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::rngs::OsRng, len)
}

/// Stores the key check (or checks the stored one), creates `account_id` named `default` and
/// the admin `admin` unless they exist. The admin's password is `password`, else a generated
/// one.
pub async fn seed(
    iam: &dyn IamStore,
    key: &DataKey,
    account_id: &str,
    password: Option<String>,
) -> anyhow::Result<Seeded> {
    match iam.data_key_check().await? {
        Some(check) if !key.matches_check(&check) => bail!(
            "the data key file does not belong to this store (its key check does not open); restore the key file or use a fresh store"
        ),
        Some(_) => {}
        None => iam
            .put_data_key_check(&key.key_check()?)
            .await
            .context("cannot store the data-key check")?,
    }
    if iam.get_account(account_id).await?.is_none() {
        iam.create_account(&Account {
            account_id: account_id.to_string(),
            name: "default".into(),
            created: now(),
        })
        .await?;
    }
    let admin_password = if iam.list_admins().await?.is_empty() {
        let password = password.unwrap_or_else(|| random_password(20));
        iam.create_admin(&AdminUser {
            name: ADMIN.into(),
            password_hash: hash_password(&password)?,
            created: now(),
        })
        .await?;
        Some(password)
    } else {
        None
    };
    Ok(Seeded { admin_password })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn seeds_once_and_refuses_another_key() {
        let store = extenddb_backend_embedded::EmbeddedStore::in_memory().unwrap();
        let key = DataKey::generate();
        let first = seed(&store, &key, "123456789012", Some("pw".into()))
            .await
            .unwrap();
        assert_eq!(first.admin_password.as_deref(), Some("pw"));
        assert!(store.get_account("123456789012").await.unwrap().is_some());
        let again = seed(&store, &key, "123456789012", None).await.unwrap();
        assert!(again.admin_password.is_none());
        let admin = store.get_admin(ADMIN).await.unwrap().unwrap();
        assert!(extenddb_auth_builtin::secrets::verify_password(
            "pw",
            &admin.password_hash
        ));
        let e = seed(&store, &DataKey::generate(), "123456789012", None)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("does not belong"), "{e}");
    }
}
