//! `extenddb status --config extenddb.toml`: whether the servers of that configuration run,
//! on which port and under which pid (from their pid files, `pidfile`), each with whether it is
//! ready (its `/health/ready` answer: the store reachable and writable), and a warning when
//! the configuration leaves authentication off. Exits 0 when one runs at least, 3 when none
//! does (the LSB convention for "program is not running").

use super::pidfile;
use crate::config::{self, expand_home, AuthProviderKind, Config, AUTH_OFF_WARNING};
use clap::Args;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `extenddb status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The configuration file.
    #[arg(long, default_value = "extenddb.toml")]
    pub config: PathBuf,
}

/// Exit code when the server is not running.
pub const NOT_RUNNING: u8 = 3;

/// Prints the status lines; the exit code says running (0) or not (3).
pub fn run(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let config = config::load(&args.config, &config::Overrides::default())?;
    if config.auth.provider == AuthProviderKind::None {
        eprintln!("warning: {AUTH_OFF_WARNING}");
    }
    let servers = pidfile::all_running(&expand_home(&config.server.pid_file))?;
    if servers.is_empty() {
        println!("extenddb is not running");
        return Ok(ExitCode::from(NOT_RUNNING));
    }
    for (_, r) in servers {
        println!("extenddb is running on port {} (pid {})", r.port, r.pid);
        println!("{}", readiness(&config, r.port));
    }
    Ok(ExitCode::SUCCESS)
}

/// One line saying whether the server on `port` is ready, from its `/health/ready`.
fn readiness(config: &Config, port: u16) -> String {
    let ip = match config.server.bind_addr {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let addr = SocketAddr::new(ip, port);
    let cert = config
        .server
        .tls
        .enabled
        .then(|| expand_home(&config.server.tls.cert));
    let answer = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|rt| {
            rt.block_on(extenddb_server::probe::get(
                addr,
                cert.as_deref(),
                "/health/ready",
            ))
        });
    describe(answer)
}

/// The readiness line for a probe's outcome.
fn describe(answer: Result<extenddb_server::probe::Answer, String>) -> String {
    match answer {
        Ok(a) if a.status == 200 => "ready: the store is reachable and writable".to_string(),
        Ok(a) => {
            let reason = serde_json::from_str::<serde_json::Value>(&a.body)
                .ok()
                .and_then(|v| v["reason"].as_str().map(str::to_string))
                .unwrap_or(a.body);
            format!("NOT READY (HTTP {}): {reason}", a.status)
        }
        Err(e) => format!("readiness unknown: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use extenddb_server::probe::Answer;

    #[test]
    fn readiness_lines_say_why() {
        let ok = Answer {
            status: 200,
            body: r#"{"status":"ready"}"#.into(),
        };
        assert!(describe(Ok(ok)).starts_with("ready"));
        let full = Answer {
            status: 503,
            body: r#"{"status":"not ready","reason":"disk full"}"#.into(),
        };
        assert_eq!(describe(Ok(full)), "NOT READY (HTTP 503): disk full");
        assert_eq!(
            describe(Err("refused".into())),
            "readiness unknown: refused"
        );
    }
}
