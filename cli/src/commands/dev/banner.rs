//! The text `extenddb dev` prints once it listens: where it is, what it runs on, and commands
//! to paste.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;

/// Where the dev server keeps its data.
pub enum Storage {
    /// Nothing is kept after exit.
    InMemory,
    /// The embedded store's directory.
    Dir(PathBuf),
}

/// What the banner describes.
pub struct Info {
    /// The bound address.
    pub addr: SocketAddr,
    /// HTTPS or HTTP.
    pub tls: bool,
    /// The certificate file clients should trust, when it was written to disk.
    pub ca_bundle: Option<PathBuf>,
    /// Where data lives.
    pub storage: Storage,
    /// Region requests are served in.
    pub region: String,
    /// Account every request acts in (`none`), or the default account (`builtin`).
    pub account_id: String,
    /// Whether requests are checked by the builtin IAM provider.
    pub builtin_auth: bool,
}

/// The URL clients connect to; an unspecified bind address is reached through loopback.
pub fn endpoint(addr: SocketAddr, tls: bool) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let scheme = if tls { "https" } else { "http" };
    format!("{scheme}://{}", SocketAddr::new(ip, addr.port()))
}

/// The banner.
pub fn text(info: &Info) -> String {
    let url = endpoint(info.addr, info.tls);
    let storage = match &info.storage {
        Storage::InMemory => "in memory (nothing is kept after exit)".to_string(),
        Storage::Dir(d) => d.display().to_string(),
    };
    let (auth, keys) = if info.builtin_auth {
        (
            format!(
                "builtin (SigV4 against IAM access keys; default account {}; management API at {url}/management)",
                info.account_id
            ),
            "<key from `extenddb manage ... create-access-key`>",
        )
    } else {
        (
            format!(
                "none (any SigV4-signed request acts as account {})",
                info.account_id
            ),
            "dummy",
        )
    };
    let mut env = format!(
        "  export AWS_ACCESS_KEY_ID={keys} AWS_SECRET_ACCESS_KEY={keys} AWS_DEFAULT_REGION={}\n",
        info.region
    );
    let mut flags = String::new();
    match (&info.ca_bundle, info.tls) {
        (Some(cert), _) => env.push_str(&format!("  export AWS_CA_BUNDLE={}\n", cert.display())),
        // An in-memory certificate cannot be trusted by file; skip verification instead.
        (None, true) => flags.push_str(" --no-verify-ssl"),
        (None, false) => {}
    }
    format!(
        "extenddb {version} dev server listening on {url}\n\
         \x20 storage: {storage}\n\
         \x20 auth:    {auth}\n\
         \x20 region:  {region}\n\
         \n\
         Try it:\n\
         {env}\
         \x20 aws dynamodb list-tables --endpoint-url {url}{flags}\n\
         \n\
         Press Ctrl-C to stop.",
        version = env!("CARGO_PKG_VERSION"),
        region = info.region,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(addr: &str, tls: bool, ca: Option<&str>, storage: Storage) -> Info {
        Info {
            addr: addr.parse().unwrap(),
            tls,
            ca_bundle: ca.map(PathBuf::from),
            storage,
            region: "us-east-1".into(),
            account_id: "000000000000".into(),
            builtin_auth: false,
        }
    }

    #[test]
    fn plain_banner_is_ready_to_paste() {
        let t = text(&info(
            "127.0.0.1:8000",
            false,
            None,
            Storage::Dir("./extenddb-data".into()),
        ));
        assert_eq!(
            t,
            "extenddb 0.0.2 dev server listening on http://127.0.0.1:8000\n  \
             storage: ./extenddb-data\n  \
             auth:    none (any SigV4-signed request acts as account 000000000000)\n  \
             region:  us-east-1\n\
             \n\
             Try it:\n  \
             export AWS_ACCESS_KEY_ID=dummy AWS_SECRET_ACCESS_KEY=dummy AWS_DEFAULT_REGION=us-east-1\n  \
             aws dynamodb list-tables --endpoint-url http://127.0.0.1:8000\n\
             \n\
             Press Ctrl-C to stop."
        );
    }

    #[test]
    fn tls_banner_names_the_ca_bundle_or_skips_verification() {
        let t = text(&info(
            "127.0.0.1:8443",
            true,
            Some("./extenddb-data/tls/cert.pem"),
            Storage::Dir("./extenddb-data".into()),
        ));
        assert!(t.contains("  export AWS_CA_BUNDLE=./extenddb-data/tls/cert.pem\n"));
        assert!(t.contains("list-tables --endpoint-url https://127.0.0.1:8443\n"));
        let t = text(&info("127.0.0.1:8443", true, None, Storage::InMemory));
        assert!(t.contains("--endpoint-url https://127.0.0.1:8443 --no-verify-ssl\n"));
        assert!(t.contains("storage: in memory (nothing is kept after exit)"));
    }

    #[test]
    fn builtin_banner_points_at_the_management_api() {
        let mut i = info("127.0.0.1:8000", false, None, Storage::InMemory);
        i.builtin_auth = true;
        let t = text(&i);
        assert!(
            t.contains("auth:    builtin (SigV4 against IAM access keys; default account 000000000000; management API at http://127.0.0.1:8000/management)"),
            "{t}"
        );
        assert!(!t.contains("=dummy"));
    }

    #[test]
    fn unspecified_bind_is_reached_through_loopback() {
        assert_eq!(
            endpoint("0.0.0.0:8000".parse().unwrap(), false),
            "http://127.0.0.1:8000"
        );
        assert_eq!(
            endpoint("[::]:8000".parse().unwrap(), true),
            "https://[::1]:8000"
        );
        assert_eq!(
            endpoint("10.0.1.5:9000".parse().unwrap(), false),
            "http://10.0.1.5:9000"
        );
    }
}
