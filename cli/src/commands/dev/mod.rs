//! `extenddb dev`: a foreground development server — embedded storage (on disk or in memory),
//! `none` authentication (or the builtin IAM provider and the management API with
//! `--auth builtin`), tables ACTIVE at once, DynamoDB's throttling (the
//! `throttling_enabled` setting). Built by the same factory as `serve` (`crate::services`)
//! from a configuration made of its flags. Ctrl-C or SIGTERM stops it.

mod banner;

use crate::commands::running;
use crate::config::{AuthProviderKind, Config, StorageProvider};
use crate::logging::LogControl;
use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use extenddb_server::{tls, Server, ServerConfig, TlsSource};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

/// Options of `extenddb dev`.
#[derive(Debug, Args)]
pub struct DevArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Keep everything in memory; nothing survives the process.
    #[arg(long, conflicts_with = "data_dir")]
    pub in_memory: bool,
    /// Directory of the embedded store (and of the generated TLS certificate).
    #[arg(long, default_value = "./extenddb-data")]
    pub data_dir: PathBuf,
    /// Serve HTTPS with a self-signed certificate (kept in <data-dir>/tls/ unless --in-memory).
    #[arg(long)]
    pub tls: bool,
    /// Region used in ARNs.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// The account every request acts in (12 digits).
    #[arg(long, default_value = "000000000000")]
    pub account_id: String,
    /// Store this system-wide GSI propagation delay (the `gsi_propagation_delay_ms` runtime
    /// setting, milliseconds; 0 = GSIs synchronous) before serving. Unset: keep the stored
    /// value (default 10).
    #[arg(long)]
    pub gsi_propagation_delay_ms: Option<u64>,
    /// Store this `ttl_deletion_target_seconds` runtime setting (at least 1) before serving:
    /// the TTL sweeper runs every half target, at most every 60 s. Unset: keep the stored
    /// value (default 300). Tests use 1 to see expired items go within about a second.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub ttl_deletion_target_seconds: Option<u64>,
    /// Authentication: `none` (any well-formed signature acts as --account-id) or `builtin`
    /// (SigV4 against IAM access keys, IAM policies, and the management API; the data key is
    /// <data-dir>/master.key, the first admin `admin` gets EXTENDDB_ADMIN_PASSWORD or a
    /// generated password printed once).
    #[arg(long, value_enum, default_value_t = DevAuth::None)]
    pub auth: DevAuth,
    /// Store a runtime setting before serving, as `name=value` (repeatable), e.g.
    /// `--setting throttling_enabled=false`; `extenddb settings list` names them all.
    #[arg(long = "setting", value_name = "NAME=VALUE", value_parser = parse_setting)]
    pub settings: Vec<(String, String)>,
}

/// The authentication of a dev server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DevAuth {
    /// Any well-formed SigV4 request acts as the account.
    None,
    /// The builtin IAM provider.
    Builtin,
}

/// `name=value` of `--setting`, checked against the runtime settings' names and values.
fn parse_setting(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got '{text}'"))?;
    let value = extenddb_core::settings::validate(name.trim(), value)?;
    Ok((name.trim().to_string(), value))
}

/// Runs the dev server until Ctrl-C or SIGTERM.
pub fn run(args: DevArgs) -> anyhow::Result<()> {
    validate(&args)?;
    let log = crate::logging::init()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(args, log))
}

fn validate(args: &DevArgs) -> anyhow::Result<()> {
    if args.account_id.len() != 12 || !args.account_id.bytes().all(|b| b.is_ascii_digit()) {
        bail!("--account-id must be 12 digits, got '{}'", args.account_id);
    }
    if args.region.is_empty()
        || !args
            .region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        bail!(
            "--region must be a region name such as us-east-1, got '{}'",
            args.region
        );
    }
    Ok(())
}

/// The configuration a dev server runs with: the embedded store (on disk or in memory),
/// `none` authentication in `--account-id`, immediate control-plane transitions.
fn config(args: &DevArgs) -> Config {
    let mut c = Config::default();
    c.server.bind_addr = args.bind;
    c.server.port = args.port;
    c.server.region = args.region.clone();
    c.server.control_plane_delay_seconds = 0;
    c.server.tls.enabled = args.tls;
    c.storage.provider = StorageProvider::Embedded;
    c.storage.embedded.path = args.data_dir.clone();
    c.storage.embedded.in_memory = args.in_memory;
    c.auth.provider = match args.auth {
        DevAuth::None => AuthProviderKind::None,
        DevAuth::Builtin => AuthProviderKind::Builtin,
    };
    c.auth.account_id = args.account_id.clone();
    c.auth.key_file = args.data_dir.join("master.key");
    c
}

/// Under `--auth builtin`: the data key (`<data-dir>/master.key`, created when absent; a fresh
/// one in memory with --in-memory) after seeding the store's key check, default account and
/// first admin; prints the admin's password when it was generated.
async fn builtin_key(
    args: &DevArgs,
    config: &Config,
    backend: &crate::services::Backend,
) -> anyhow::Result<Option<extenddb_auth_builtin::DataKey>> {
    if args.auth == DevAuth::None {
        return Ok(None);
    }
    let key = if args.in_memory {
        extenddb_auth_builtin::DataKey::generate()
    } else {
        crate::commands::bootstrap::load_or_create_key(&config.auth.key_file)?
    };
    let given = std::env::var("EXTENDDB_ADMIN_PASSWORD").ok();
    let from_env = given.is_some();
    let seeded =
        crate::commands::bootstrap::seed(backend.iam.as_ref(), &key, &args.account_id, given)
            .await?;
    match seeded.admin_password {
        Some(_) if from_env => {
            println!("Created admin 'admin' with the password in EXTENDDB_ADMIN_PASSWORD.")
        }
        Some(pw) => println!("Created admin 'admin' (password shown once; save it): {pw}"),
        None => {}
    }
    Ok(Some(key))
}

async fn serve(args: DevArgs, log: LogControl) -> anyhow::Result<()> {
    let config = config(&args);
    let bind = SocketAddr::new(args.bind, args.port);
    let backend = crate::services::open_backend(&config).await?;
    let key = builtin_key(&args, &config, &backend).await?;
    let built = crate::services::build_with(&config, backend, key).await?;
    let storage = if args.in_memory {
        banner::Storage::InMemory
    } else {
        banner::Storage::Dir(args.data_dir.clone())
    };
    let (tls, ca_bundle) = match (args.tls, args.in_memory) {
        (false, _) => (None, None),
        (true, true) => (Some(TlsSource::SelfSigned), None),
        (true, false) => {
            let dir = args.data_dir.join("tls");
            let cert = tls::ensure_self_signed_files(&dir, &tls::default_sans(&bind))?;
            let source = TlsSource::Pem {
                cert: cert.clone(),
                key: dir.join(tls::KEY_FILE),
            };
            (Some(source), Some(cert))
        }
    };
    let services = built.services;
    let mut stored: Vec<(String, String)> = [
        (
            extenddb_core::ops::index::index_maintenance::GSI_DELAY_SETTING,
            args.gsi_propagation_delay_ms.map(|v| v.to_string()),
        ),
        (
            extenddb_core::ops::background::ttl_sweep::TARGET_SETTING,
            args.ttl_deletion_target_seconds.map(|v| v.to_string()),
        ),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|v| (name.to_string(), v)))
    .collect();
    stored.extend(args.settings.iter().cloned());
    for (name, value) in stored {
        services
            .catalog
            .put_setting(&name, &value)
            .await
            .with_context(|| format!("cannot store {name}"))?;
        services.settings.apply(&name, &value);
    }
    let server_config: ServerConfig = running::server_config(&config, bind, tls);
    running::ensure_fd_limit(&config);
    let hook = running::log_hook(log, services.settings.clone());
    let mut server = Server::bind(server_config, services)
        .await?
        .with_settings_hook(hook);
    if let Some(m) = built.management {
        server = server.with_management(m);
    }
    let info = banner::Info {
        addr: server.local_addr(),
        tls: server.is_tls(),
        ca_bundle,
        storage,
        region: args.region,
        account_id: args.account_id,
        builtin_auth: args.auth == DevAuth::Builtin,
    };
    println!("{}", banner::text(&info));
    tracing::info!(addr = %info.addr, tls = info.tls, "dev: extenddb dev server ready");
    server.run(running::shutdown_signal("dev")).await?;
    tracing::info!("dev: stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        dev: DevArgs,
    }

    fn parse(args: &[&str]) -> Result<DevArgs, clap::Error> {
        T::try_parse_from(std::iter::once("dev").chain(args.iter().copied())).map(|t| t.dev)
    }

    #[test]
    fn defaults_match_the_documented_ones() {
        let a = parse(&[]).unwrap();
        assert_eq!(a.port, 8000);
        assert_eq!(a.bind, IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert!(!a.in_memory && !a.tls);
        assert_eq!(a.data_dir, PathBuf::from("./extenddb-data"));
        assert_eq!(a.region, "us-east-1");
        assert_eq!(a.account_id, "000000000000");
    }

    #[test]
    fn settings_are_name_value_pairs_checked_against_the_settings() {
        let a = parse(&[
            "--setting",
            "throttling_enabled=FALSE",
            "--setting",
            "log_level=debug",
        ])
        .unwrap();
        assert_eq!(
            a.settings,
            vec![
                ("throttling_enabled".to_string(), "false".to_string()),
                ("log_level".to_string(), "debug".to_string())
            ]
        );
        assert!(parse(&["--setting", "throttling_enabled"]).is_err());
        assert!(parse(&["--setting", "nope=1"]).is_err());
        assert!(parse(&["--setting", "throttling_enabled=maybe"]).is_err());
    }

    #[test]
    fn in_memory_conflicts_with_data_dir() {
        assert!(parse(&["--in-memory", "--data-dir", "x"]).is_err());
    }

    #[test]
    fn bad_account_and_region_are_refused() {
        let a = parse(&["--account-id", "12345"]).unwrap();
        assert_eq!(
            validate(&a).unwrap_err().to_string(),
            "--account-id must be 12 digits, got '12345'"
        );
        let a = parse(&["--region", "US East"]).unwrap();
        assert!(validate(&a).unwrap_err().to_string().contains("--region"));
        assert!(validate(&parse(&["--region", "eu-west-3"]).unwrap()).is_ok());
    }
}
