//! `extenddb init`: creates a PostgreSQL deployment — the `extenddb` role and both databases,
//! the schema, the data key, the default account, the `admin` user, the TLS certificate and
//! `extenddb.toml` — and prints what the operator must keep (shown once). With
//! `--storage embedded` the same deployment on the embedded store (`embedded`).

mod embedded;
mod finish;
pub mod role;
pub mod secrets;

use crate::config::{expand_home, Config, StorageProvider};
use anyhow::bail;
use clap::{Args, ValueEnum};
use extenddb_backend_postgres::{migrate_catalog, migrate_data, Admin, PgOptions, PgStore};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

/// The role init creates and the server logs in as.
pub const ROLE: &str = "extenddb";

/// Options of `extenddb init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// PostgreSQL host (or Unix-socket directory).
    #[arg(long, default_value = "localhost")]
    pub pg_host: String,
    /// PostgreSQL port.
    #[arg(long, default_value_t = 5432)]
    pub pg_port: u16,
    /// Administrative PostgreSQL user that may create roles and databases.
    #[arg(long, default_value = "postgres")]
    pub pg_user: String,
    /// That user's password; when omitted, peer/ident authentication over the local Unix
    /// socket (or trust) is used.
    #[arg(long)]
    pub pg_pass: Option<String>,
    /// Name of the catalog database.
    #[arg(long, default_value = "extenddb_catalog")]
    pub catalog_db: String,
    /// Name of the data database.
    #[arg(long, default_value = "extenddb")]
    pub data_db: String,
    /// Address the server binds to (also a SAN of the generated certificate).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind_addr: IpAddr,
    /// Port the server listens on.
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Where to write the generated configuration.
    #[arg(long, default_value = "extenddb.toml")]
    pub config: PathBuf,
    /// The storage backend: PostgreSQL (the --pg-* options), or the embedded store in
    /// --data-dir (no database server).
    #[arg(long, value_enum, default_value_t = InitStorage::Postgres)]
    pub storage: InitStorage,
    /// Directory of the embedded store (with --storage embedded).
    #[arg(long, default_value = "~/.extenddb/data")]
    pub data_dir: PathBuf,
    /// When the `extenddb` role already exists (another deployment on this cluster uses
    /// it), give it a new password. Deployments whose extenddb.toml holds the old one stop
    /// connecting until given the new one, which goes into this deployment's extenddb.toml.
    #[arg(long)]
    pub reset_role_password: bool,
    /// The password of the existing `extenddb` role, to keep it (init logs in to check it);
    /// or, for a role init creates, the password to give it instead of a generated one.
    #[arg(long, env = "EXTENDDB_ROLE_PASSWORD", hide_env_values = true)]
    pub role_password: Option<String>,
}

/// The backends `init` sets up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitStorage {
    /// PostgreSQL: role, catalog and data databases, migrations.
    Postgres,
    /// The embedded store in one directory.
    Embedded,
}

/// Runs `init`.
pub fn run(args: InitArgs) -> anyhow::Result<()> {
    match args.storage {
        InitStorage::Postgres => crate::commands::runtime()?.block_on(init(args)),
        InitStorage::Embedded => crate::commands::runtime()?.block_on(embedded::init(args)),
    }
}

/// Socket directories where distributions put the local server's socket.
const SOCKET_DIRS: [&str; 3] = ["/var/run/postgresql", "/run/postgresql", "/tmp"];

/// How init logs in as the administrator: with a password over TCP, or without one over the
/// local Unix socket when one exists for the port (peer authentication), else over TCP.
fn admin_options(args: &InitArgs) -> PgOptions {
    let mut host = args.pg_host.clone();
    if args.pg_pass.is_none() && host == "localhost" {
        let sock = format!(".s.PGSQL.{}", args.pg_port);
        if let Some(dir) = SOCKET_DIRS
            .iter()
            .find(|d| Path::new(d).join(&sock).exists())
        {
            host = (*dir).to_string();
        }
    }
    PgOptions {
        host,
        port: args.pg_port,
        user: args.pg_user.clone(),
        password: args.pg_pass.clone(),
        ..PgOptions::default()
    }
}

async fn init(args: InitArgs) -> anyhow::Result<()> {
    let admin_opts = admin_options(&args);
    let mut admin = Admin::connect(&admin_opts).await?;
    for db in [&args.catalog_db, &args.data_db] {
        if admin.database_exists(db).await? {
            bail!(
                "database '{db}' already exists; to re-initialize run `extenddb destroy --config {} --yes` first, or choose other names with --catalog-db/--data-db",
                args.config.display()
            );
        }
    }
    if args.catalog_db == args.data_db {
        bail!(
            "--catalog-db and --data-db must differ (both are '{}')",
            args.data_db
        );
    }
    let server_host = if admin_opts.host.starts_with('/') {
        "localhost".to_string()
    } else {
        args.pg_host.clone()
    };
    let role_password = role::prepare(&mut admin, &args, &server_host).await?;
    admin.create_database(&args.catalog_db, ROLE).await?;
    admin.create_database(&args.data_db, ROLE).await?;
    admin.close().await?;
    println!(
        "Created databases '{}' and '{}'.",
        args.catalog_db, args.data_db
    );

    let mut config = Config::default();
    config.server.bind_addr = args.bind_addr;
    config.server.port = args.port;
    config.storage.provider = StorageProvider::Postgres;
    let pg = &mut config.storage.postgres;
    pg.host = server_host;
    pg.port = args.pg_port;
    pg.user = ROLE.into();
    pg.password = Some(role_password);
    pg.catalog_db = args.catalog_db.clone();
    pg.data_db = args.data_db.clone();

    let store = PgStore::connect(&pg.options()).await?;
    migrate_catalog(store.catalog_pool()).await?;
    migrate_data(store.data_pool()).await?;
    println!(
        "Applied migrations (catalog {}).",
        store.catalog_version().await?
    );

    let key_path = expand_home(&config.auth.key_file);
    let (account, seeded) = secrets::key_and_seed(&store, &key_path).await?;
    store.close().await;
    config.auth.key_file = key_path;
    finish::finish(
        &mut config,
        &args,
        &account,
        seeded.admin_password.as_deref().unwrap_or_default(),
        "verify --config {0} && extenddb serve --config {0} --foreground",
    )?;
    Ok(())
}
