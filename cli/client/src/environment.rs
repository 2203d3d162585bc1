//! The standard AWS settings a DynamoDB client reads from the environment and the shared
//! files, resolved the way the AWS CLI and SDKs resolve them:
//!
//! - credentials: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`), else
//!   the profile (`AWS_PROFILE`, default `default`) in the credentials file
//!   (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`), else in the config file
//!   (`AWS_CONFIG_FILE`, default `~/.aws/config`);
//! - region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`;
//! - CA bundle: `AWS_CA_BUNDLE`, the profile's `ca_bundle`;
//! - endpoint: `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL`, the profile's `services`
//!   section (`dynamodb = endpoint_url = …`), the profile's `endpoint_url`.
//!
//! Not supported: SSO, `credential_process`, web identity, assume-role profiles and instance
//! metadata; use them through `aws configure export-credentials --format env`.

use crate::profile::IniFile;
use crate::sigv4::Credentials;
use std::path::{Path, PathBuf};

/// Credentials and where they came from (for messages; never the secret).
#[derive(Clone, Debug)]
pub struct FoundCredentials {
    /// Access key and secret key.
    pub credentials: Credentials,
    /// `AWS_SESSION_TOKEN` or the profile's `aws_session_token`, for temporary credentials.
    pub session_token: Option<String>,
    /// E.g. `environment` or `profile default in /root/.aws/credentials`.
    pub source: String,
}

/// What the environment and the shared files say.
#[derive(Clone, Debug, Default)]
pub struct AwsEnvironment {
    /// The profile in force.
    pub profile: String,
    /// Credentials, when any source has them.
    pub credentials: Option<FoundCredentials>,
    /// Region, when set anywhere.
    pub region: Option<String>,
    /// A PEM file of certificates to trust instead of the built-in roots.
    pub ca_bundle: Option<PathBuf>,
    /// The DynamoDB endpoint URL, when set anywhere.
    pub endpoint_url: Option<String>,
}

impl AwsEnvironment {
    /// Reads the process environment and the shared files under `$HOME`.
    pub fn load() -> AwsEnvironment {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        AwsEnvironment::resolve(|k| std::env::var(k).ok(), home.as_deref())
    }

    /// Resolves from `var` (an environment lookup) and `home` (for `~/.aws/…`).
    pub fn resolve(var: impl Fn(&str) -> Option<String>, home: Option<&Path>) -> AwsEnvironment {
        let var = |k: &str| var(k).filter(|v| !v.trim().is_empty());
        let expand = |p: String| -> PathBuf {
            match (p.strip_prefix("~/"), home) {
                (Some(rest), Some(h)) => h.join(rest),
                _ => PathBuf::from(p),
            }
        };
        let profile = var("AWS_PROFILE").unwrap_or_else(|| "default".into());
        let file = |env: &str, default: &str| -> Option<(PathBuf, IniFile)> {
            let path = var(env)
                .map(expand)
                .or_else(|| home.map(|h| h.join(default)))?;
            IniFile::read(&path).map(|ini| (path, ini))
        };
        let config = file("AWS_CONFIG_FILE", ".aws/config");
        let shared = file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
        let section = IniFile::config_profile_section(&profile);
        let from_config =
            |key: &str| -> Option<String> { config.as_ref()?.1.get(&section, key).map(Into::into) };

        let credentials = credentials_from_env(&var).or_else(|| {
            let sources = [
                shared.as_ref().map(|(p, ini)| (p, ini, profile.clone())),
                config.as_ref().map(|(p, ini)| (p, ini, section.clone())),
            ];
            sources.into_iter().flatten().find_map(|(path, ini, sec)| {
                let access_key = ini.get(&sec, "aws_access_key_id")?.to_string();
                let secret_key = ini.get(&sec, "aws_secret_access_key")?.to_string();
                Some(FoundCredentials {
                    credentials: Credentials {
                        access_key,
                        secret_key,
                    },
                    session_token: ini.get(&sec, "aws_session_token").map(Into::into),
                    source: format!("profile {profile} in {}", path.display()),
                })
            })
        });
        let services_endpoint = || {
            let services = from_config("services")?;
            config
                .as_ref()?
                .1
                .get(&format!("services {services}"), "dynamodb.endpoint_url")
                .map(Into::into)
        };
        AwsEnvironment {
            credentials,
            region: var("AWS_REGION")
                .or_else(|| var("AWS_DEFAULT_REGION"))
                .or_else(|| from_config("region")),
            ca_bundle: var("AWS_CA_BUNDLE")
                .or_else(|| from_config("ca_bundle"))
                .map(expand),
            endpoint_url: var("AWS_ENDPOINT_URL_DYNAMODB")
                .or_else(|| var("AWS_ENDPOINT_URL"))
                .or_else(services_endpoint)
                .or_else(|| from_config("endpoint_url")),
            profile,
        }
    }
}

fn credentials_from_env(var: &impl Fn(&str) -> Option<String>) -> Option<FoundCredentials> {
    Some(FoundCredentials {
        credentials: Credentials {
            access_key: var("AWS_ACCESS_KEY_ID")?,
            secret_key: var("AWS_SECRET_ACCESS_KEY")?,
        },
        session_token: var("AWS_SESSION_TOKEN"),
        source: "environment (AWS_ACCESS_KEY_ID)".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve(vars: &[(&str, &str)], home: &Path) -> AwsEnvironment {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        AwsEnvironment::resolve(|k| vars.get(k).cloned(), Some(home))
    }

    #[test]
    fn environment_variables_win() {
        let home = tempfile::tempdir().unwrap();
        let env = resolve(
            &[
                ("AWS_ACCESS_KEY_ID", "AKIDENV"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
                ("AWS_SESSION_TOKEN", "tok"),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
                ("AWS_CA_BUNDLE", "~/ca.pem"),
                ("AWS_ENDPOINT_URL", "http://generic:1"),
                ("AWS_ENDPOINT_URL_DYNAMODB", "http://ddb:2"),
            ],
            home.path(),
        );
        let creds = env.credentials.unwrap();
        assert_eq!(creds.credentials.access_key, "AKIDENV");
        assert_eq!(creds.session_token.as_deref(), Some("tok"));
        assert_eq!(env.region.as_deref(), Some("eu-west-1"));
        assert_eq!(env.ca_bundle, Some(home.path().join("ca.pem")));
        assert_eq!(env.endpoint_url.as_deref(), Some("http://ddb:2"));
    }

    #[test]
    fn the_guides_profile_files_are_read() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".aws")).unwrap();
        std::fs::write(
            home.path().join(".aws/config"),
            "[profile extenddb]\nregion = us-east-1\nca_bundle = ~/.extenddb/tls/cert.pem\n\
             services = extenddb-services\n\n[services extenddb-services]\ndynamodb =\n  \
             endpoint_url = https://127.0.0.1:8000\n",
        )
        .unwrap();
        std::fs::write(
            home.path().join(".aws/credentials"),
            "[extenddb]\naws_access_key_id = AKIAEXTENDDB00000000\n\
             aws_secret_access_key = extenddbsecret\n",
        )
        .unwrap();
        let env = resolve(&[("AWS_PROFILE", "extenddb")], home.path());
        let creds = env.credentials.unwrap();
        assert_eq!(creds.credentials.access_key, "AKIAEXTENDDB00000000");
        assert_eq!(creds.credentials.secret_key, "extenddbsecret");
        assert!(creds.source.starts_with("profile extenddb in "));
        assert_eq!(env.region.as_deref(), Some("us-east-1"));
        assert_eq!(
            env.ca_bundle,
            Some(home.path().join(".extenddb/tls/cert.pem"))
        );
        assert_eq!(env.endpoint_url.as_deref(), Some("https://127.0.0.1:8000"));
    }

    #[test]
    fn nothing_set_means_nothing_found() {
        let home = tempfile::tempdir().unwrap();
        let env = resolve(&[("AWS_ACCESS_KEY_ID", "only-half")], home.path());
        assert!(env.credentials.is_none());
        assert_eq!(env.profile, "default");
        assert!(env.region.is_none() && env.ca_bundle.is_none() && env.endpoint_url.is_none());
    }
}
