//! What the PostgreSQL test files share: the server from the environment and fresh,
//! migrated databases per test.

// Each test file uses its own part of this module.
#![allow(dead_code)]

use extenddb_backend_postgres::{migrate_catalog, migrate_data, Admin, PgOptions, PgStore};
use std::sync::atomic::{AtomicU32, Ordering};

/// Admin options from the environment, or `None` (and a printed reason) when unset.
pub fn admin_options() -> Option<PgOptions> {
    let (Ok(host), Ok(port), Ok(user)) = (
        std::env::var("EXTENDDB_TEST_PG_HOST"),
        std::env::var("EXTENDDB_TEST_PG_PORT"),
        std::env::var("EXTENDDB_TEST_PG_USER"),
    ) else {
        eprintln!("SKIPPED: EXTENDDB_TEST_PG_HOST/PORT/USER unset (see scripts/pg-cluster.sh)");
        return None;
    };
    Some(PgOptions {
        host,
        port: port.parse().expect("EXTENDDB_TEST_PG_PORT"),
        user,
        password: std::env::var("EXTENDDB_TEST_PG_PASSWORD").ok(),
        ..PgOptions::default()
    })
}

static SEQ: AtomicU32 = AtomicU32::new(0);

/// Fresh catalog and data databases, migrated; dropped again by `Fresh::drop_all`.
pub struct Fresh {
    /// Options naming the fresh databases.
    pub admin: PgOptions,
    /// A store over them.
    pub store: PgStore,
}

impl Fresh {
    /// Creates and migrates the databases; `None` when no server is configured.
    pub async fn new(pool_size: u32) -> Option<Fresh> {
        let admin = admin_options()?;
        let tag = format!(
            "t{}_{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        );
        let opts = PgOptions {
            catalog_db: format!("xdb_{tag}_catalog"),
            data_db: format!("xdb_{tag}_data"),
            pool_size,
            ..admin.clone()
        };
        let mut a = Admin::connect(&admin).await.unwrap();
        a.create_database(&opts.catalog_db, &admin.user)
            .await
            .unwrap();
        a.create_database(&opts.data_db, &admin.user).await.unwrap();
        a.close().await.unwrap();
        let store = PgStore::connect(&opts).await.unwrap();
        migrate_catalog(store.catalog_pool()).await.unwrap();
        migrate_data(store.data_pool()).await.unwrap();
        Some(Fresh { admin: opts, store })
    }

    /// Closes the store and drops both databases.
    pub async fn drop_all(self) {
        self.store.close().await;
        let mut a = Admin::connect(&self.admin).await.unwrap();
        a.drop_database(&self.admin.catalog_db).await.unwrap();
        a.drop_database(&self.admin.data_db).await.unwrap();
    }
}
