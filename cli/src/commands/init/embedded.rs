//! `extenddb init --storage embedded [--data-dir DIR]`: a deployment on the embedded store —
//! the store directory, the data key and its check, the default account, the `admin` user, the
//! TLS certificate and extenddb.toml with `[storage] provider = "embedded"` and
//! `[auth] provider = "builtin"`. The `--pg-*` options do not apply. A directory that already
//! holds a store is refused (remove it to start over).

use super::{finish, secrets, InitArgs};
use crate::config::{expand_home, Config, StorageProvider};
use anyhow::{bail, Context};
use extenddb_backend_embedded::EmbeddedStore;

/// The store's file inside the data directory.
const STORE_FILE: &str = "extenddb.redb";

/// Runs `init --storage embedded`.
pub async fn init(args: InitArgs) -> anyhow::Result<()> {
    let dir = expand_home(&args.data_dir);
    if dir.join(STORE_FILE).exists() {
        bail!(
            "{} already holds an extenddb store; to re-initialize, stop its server and remove the directory first, or choose another --data-dir",
            dir.display()
        );
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let dir = dir
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", dir.display()))?;
    let store = EmbeddedStore::open(&dir)
        .with_context(|| format!("cannot create the store in {}", dir.display()))?;
    println!("Created the embedded store in {}.", dir.display());

    let mut config = Config::default();
    config.server.bind_addr = args.bind_addr;
    config.server.port = args.port;
    config.storage.provider = StorageProvider::Embedded;
    config.storage.embedded.path = dir.clone();

    let key_path = expand_home(&config.auth.key_file);
    let (account, seeded) = secrets::key_and_seed(&store, &key_path).await?;
    drop(store);
    config.auth.key_file = key_path;
    finish::finish(
        &mut config,
        &args,
        &account,
        seeded.admin_password.as_deref().unwrap_or_default(),
        "serve --config {0} --foreground",
    )
}
