//! The end of every `extenddb init`: `provider = "builtin"` in the default account, the TLS
//! certificate (kept when one exists), extenddb.toml (mode 600) and what the operator must
//! keep, printed once.

use super::secrets;
use super::InitArgs;
use crate::config::{expand_home, AuthProviderKind, Config};
use anyhow::Context;
use std::net::SocketAddr;
use std::path::Path;

/// Completes `config` (auth, TLS), writes it, and prints the summary. `next` is the command
/// line suggested last, with `{0}` for the configuration file.
pub fn finish(
    config: &mut Config,
    args: &InitArgs,
    account: &str,
    admin_password: &str,
    next: &str,
) -> anyhow::Result<()> {
    config.auth.provider = AuthProviderKind::Builtin;
    config.auth.account_id = account.to_string();

    let tls_dir = expand_home(Path::new("~/.extenddb/tls"));
    let sans = extenddb_server::tls::default_sans(&SocketAddr::new(args.bind_addr, args.port));
    let had_cert = tls_dir.join("cert.pem").exists() || tls_dir.join("key.pem").exists();
    let cert = extenddb_server::tls::ensure_self_signed_files(&tls_dir, &sans)
        .context("cannot create the TLS certificate")?;
    config.server.tls.cert = cert.clone();
    config.server.tls.key = tls_dir.join("key.pem");

    let text = toml::to_string(&config).context("cannot render the configuration")?;
    let header = "# extenddb configuration written by `extenddb init`; every key is described in\n\
                  # docs/configuration.md. May hold the database password: keep it mode 600.\n\n";
    secrets::write_private(&args.config, format!("{header}{text}").as_bytes())?;

    println!("Default account: {account}");
    println!("Admin credentials (shown once; save them now):");
    println!("  user:     admin");
    println!("  password: {admin_password}");
    let tls_note = if had_cert {
        "kept the existing one".to_string()
    } else {
        format!("generated, SANs {}", sans.join(", "))
    };
    println!("TLS certificate: {} ({tls_note})", cert.display());
    println!("Wrote {} (mode 600).", args.config.display());
    println!(
        "Next: extenddb {}",
        next.replace("{0}", &args.config.display().to_string())
    );
    Ok(())
}
