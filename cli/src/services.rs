//! The one factory of the server's `Services` from the configuration — `serve`, `dev` and the
//! CLI's tests all build them here: the storage backend `[storage]` names (PostgreSQL, or the
//! embedded store on disk or in memory), the `[auth]` provider (`none`, or `builtin` over the
//! backend's IAM store), the coordination of several servers over one PostgreSQL, DynamoDB's
//! throttling (each server's share of every limit), the
//! live runtime settings (read from the catalog, with this process's defaults where none is
//! stored), the system clock and the built-in stream sink (records kept in the store for the
//! DynamoDB Streams API).

use crate::config::{expand_home, AuthProviderKind, Config, StorageProvider};
use anyhow::{bail, Context};
use extenddb_auth_builtin::{BuiltinAuth, DataKey};
use extenddb_auth_none::NoneAuth;
use extenddb_core::clock::{Clock, SystemClock};
use extenddb_core::settings::RuntimeSettings;
use extenddb_core::streams::BuiltinStreams;
use extenddb_core::throttle::BucketThrottler;
use extenddb_core::traits::{Alone, AuthProvider, Catalog, Coordination, IamStore, ItemStore};
use extenddb_core::Services;
use std::sync::Arc;

/// The backend as the traits, plus the catalog version to announce.
pub(crate) struct Backend {
    pub(crate) catalog: Arc<dyn Catalog>,
    pub(crate) store: Arc<dyn ItemStore>,
    pub(crate) iam: Arc<dyn IamStore>,
    pub(crate) catalog_version: String,
}

/// Built services and what the banner says of them.
pub(crate) struct Built {
    pub(crate) services: Services,
    pub(crate) catalog_version: String,
    /// The management API's IAM store and data key, under `provider = "builtin"`.
    pub(crate) management: Option<extenddb_server::Management>,
}

/// Opens the storage backend `config` names.
pub(crate) async fn open_backend(config: &Config) -> anyhow::Result<Backend> {
    match config.storage.provider {
        #[cfg(feature = "postgres")]
        StorageProvider::Postgres => {
            let options = config.storage.postgres.options();
            let (replicas, max_lag) = config.storage.postgres.replica_targets();
            let store = extenddb_backend_postgres::PgStore::connect(&options)
                .await?
                .with_replicas(&options, &replicas, max_lag);
            let catalog_version = store.catalog_version().await?;
            if catalog_version != extenddb_backend_postgres::CATALOG_VERSION {
                bail!(
                    "catalog version {catalog_version} does not match this build's {}; run `extenddb migrate --config <file>`",
                    extenddb_backend_postgres::CATALOG_VERSION
                );
            }
            let pending = extenddb_backend_postgres::pending_migrations(&store).await?;
            if !pending.is_empty() {
                bail!(
                    "schema migrations pending ({}); run `extenddb migrate --config <file>`",
                    pending.join(", ")
                );
            }
            check_data_key(&store, config).await;
            Ok(Backend {
                catalog: Arc::new(store.clone()),
                iam: Arc::new(store.clone()),
                store: Arc::new(store),
                catalog_version,
            })
        }
        #[cfg(not(feature = "postgres"))]
        StorageProvider::Postgres => {
            bail!("this build has no PostgreSQL support; set [storage] provider = \"embedded\"")
        }
        StorageProvider::Embedded => {
            let store = if config.storage.embedded.in_memory {
                extenddb_backend_embedded::EmbeddedStore::in_memory()
                    .context("cannot create the in-memory store")?
            } else {
                let path = expand_home(&config.storage.embedded.path);
                extenddb_backend_embedded::EmbeddedStore::open(&path)
                    .with_context(|| format!("cannot open the store in {}", path.display()))?
            };
            Ok(Backend {
                catalog: Arc::new(store.clone()),
                iam: Arc::new(store.clone()),
                store: Arc::new(store),
                catalog_version: "embedded".into(),
            })
        }
    }
}

/// Warns when the key file is missing or is not the key `init` sealed the catalog's check
/// value with. Nothing is encrypted with it yet (access keys arrive with builtin auth), so a
/// mismatch is a warning, not a refusal to start.
#[cfg(feature = "postgres")]
async fn check_data_key(store: &extenddb_backend_postgres::PgStore, config: &Config) {
    let path = expand_home(&config.auth.key_file);
    let check = match store.key_check().await {
        Ok(Some(c)) => c,
        Ok(None) => return,
        Err(e) => return tracing::warn!(error = %e, "cannot read the data-key check"),
    };
    let key = std::fs::read(&path)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok());
    match key {
        Some(k) if crate::commands::init::secrets::key_matches(&k, &check.0, &check.1) => {}
        Some(_) => {
            tracing::warn!(path = %path.display(), "data key file does not match this catalog")
        }
        None => tracing::warn!(path = %path.display(), "data key file missing or not 32 bytes"),
    }
}

/// The authentication provider `[auth] provider` names: `none`, or `builtin` over the
/// backend's IAM store with the data key of `auth.key_file` (checked against the catalog).
/// Under `builtin`, also the management API's part: the same IAM store handle (so its changes
/// reach the provider's credential cache at once) and the data key.
async fn auth_provider(
    config: &Config,
    iam: Arc<dyn IamStore>,
    clock: Arc<dyn Clock>,
    data_key: Option<DataKey>,
) -> anyhow::Result<(Arc<dyn AuthProvider>, Option<extenddb_server::Management>)> {
    match config.auth.provider {
        AuthProviderKind::None => Ok((
            Arc::new(NoneAuth::new(config.auth.account_id.clone())),
            None,
        )),
        AuthProviderKind::Builtin => {
            let path = expand_home(&config.auth.key_file);
            let key = match data_key {
                Some(k) => k,
                None => DataKey::load(&path).with_context(|| {
                    format!(
                        "key 'auth.key_file': cannot load the data key {} (written by `extenddb init`)",
                        path.display()
                    )
                })?,
            };
            let auth = BuiltinAuth::new(iam.clone(), key.clone(), clock);
            auth.check_data_key()
                .await
                .with_context(|| format!("key 'auth.key_file' ({})", path.display()))?;
            let management = extenddb_server::Management { iam, data_key: key };
            Ok((Arc::new(auth), Some(management)))
        }
    }
}

/// How this server agrees with the others over the same store: PostgreSQL's advisory locks
/// (one process per background job, the number of servers for throttling shares); the
/// embedded store has one process by construction.
fn coordination(config: &Config) -> Arc<dyn Coordination> {
    match config.storage.provider {
        #[cfg(feature = "postgres")]
        StorageProvider::Postgres => {
            extenddb_backend_postgres::PgCoordination::start(&config.storage.postgres.options())
        }
        _ => Arc::new(Alone),
    }
}

/// Builds the services `config` describes. The runtime settings are read from the catalog
/// before this returns (so the first request sees them); `[server]
/// control_plane_delay_seconds` is this process's default for that setting.
pub(crate) async fn build(config: &Config) -> anyhow::Result<Built> {
    build_with(config, open_backend(config).await?, None).await
}

/// `build` over a backend already open, with the data key given instead of read from
/// `auth.key_file` when `data_key` is set (`dev --auth builtin --in-memory` has no key file).
pub(crate) async fn build_with(
    config: &Config,
    backend: Backend,
    data_key: Option<DataKey>,
) -> anyhow::Result<Built> {
    let settings = RuntimeSettings::new();
    settings.set_default(
        "control_plane_delay_seconds",
        &config.server.control_plane_delay_seconds.to_string(),
    );
    settings
        .refresh(backend.catalog.as_ref())
        .await
        .map_err(|e| anyhow::anyhow!("cannot read the runtime settings: {e}"))?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (auth, management) =
        auth_provider(config, backend.iam.clone(), clock.clone(), data_key).await?;
    let coordination = coordination(config);
    let services = Services::new(
        backend.store,
        backend.catalog,
        auth,
        config.server.region.clone(),
    )
    .with_throttler(Arc::new(BucketThrottler::shared(coordination.clone())))
    .with_coordination(coordination)
    .with_settings(Arc::new(settings))
    .with_clock(clock)
    .with_streams(Arc::new(BuiltinStreams::new()));
    Ok(Built {
        services,
        catalog_version: backend.catalog_version,
        management,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_memory() -> Config {
        let mut c = Config::default();
        c.storage.provider = StorageProvider::Embedded;
        c.storage.embedded.in_memory = true;
        c
    }

    #[tokio::test]
    async fn builds_from_config_with_the_process_defaults() {
        let mut c = in_memory();
        c.server.control_plane_delay_seconds = 0;
        c.server.region = "eu-west-1".into();
        let built = build(&c).await.unwrap();
        assert_eq!(built.catalog_version, "embedded");
        assert_eq!(built.services.region, "eu-west-1");
        assert!(built.services.settings.control_plane_delay().is_zero());
        assert!(built.services.settings.throttling_enabled());
        assert!(built.services.auth.allows_everything());
        assert!(built.services.streams.supports_streams());
        assert!(built.services.streams.log_policy().is_some());
    }

    #[tokio::test]
    async fn a_stored_setting_wins_over_the_process_default() {
        let c = in_memory();
        let built = build(&c).await.unwrap();
        let services = built.services;
        services
            .catalog
            .put_setting("control_plane_delay_seconds", "7")
            .await
            .unwrap();
        services
            .settings
            .refresh(services.catalog.as_ref())
            .await
            .unwrap();
        assert_eq!(services.settings.control_plane_delay().as_secs(), 7);
    }
}
