//! Command-line flags of `extenddb-bench` and their validation.

use clap::{Parser, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// The largest item DynamoDB accepts (400 KB).
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// What the workers send.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// PutItem of a random key with an `--item-size` payload.
    Put,
    /// GetItem of a random key.
    Get,
    /// Query of a random partition (`pk = :p`); the table gets a sort key.
    Query,
    /// UpdateItem of a random key: SET the payload, ADD 1 to a counter.
    Update,
    /// GetItem or PutItem, chosen per request by `--read-ratio`.
    Mixed,
    /// BatchWriteItem of `--batch-size` PutRequests on consecutive keys.
    BatchWrite,
}

/// Load generator for DynamoDB-compatible endpoints (SigV4-signed JSON protocol).
#[derive(Parser, Debug, Clone)]
#[command(name = "extenddb-bench", version, about)]
pub struct Args {
    /// Endpoint URL: http://host:port or https://host:port; several separated by commas
    /// (servers of one deployment): worker i connects to the (i mod n)-th.
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    pub endpoint: String,
    /// Table to use; created (pk S, plus sk S for `query`) when missing.
    #[arg(long, default_value = "extenddb-bench")]
    pub table: String,
    /// Create the table with a stream of this view type (KEYS_ONLY, NEW_IMAGE, OLD_IMAGE,
    /// NEW_AND_OLD_IMAGES); an existing table is used as it is.
    #[arg(long, value_name = "VIEW")]
    pub stream_view_type: Option<String>,
    /// Do not create the table; fail when it does not exist.
    #[arg(long)]
    pub no_create: bool,
    /// Turn point-in-time recovery on for the table before the run (UpdateContinuousBackups),
    /// to measure what it costs writes.
    #[arg(long)]
    pub pitr: bool,
    /// Workload to run.
    #[arg(long, value_enum, default_value_t = Workload::Put)]
    pub workload: Workload,
    /// Number of workers, each with its own keep-alive connection.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub concurrency: u32,
    /// Measured run time (e.g. 10s, 1m, 500ms).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Unmeasured run time before the measurement starts.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub warmup: Duration,
    /// Approximate item size in bytes (attribute names + values, DynamoDB's measure).
    #[arg(long, default_value_t = 100, value_parser = parse_item_size)]
    pub item_size: usize,
    /// Number of distinct keys the workload draws from.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub keys: u64,
    /// Items per partition key when the table has a sort key (key i → pk i/N, sk i%N).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub sort_keys: u64,
    /// Write this many items (keys 0..N, modulo --keys) with PutItem before the run.
    #[arg(long, default_value_t = 0)]
    pub preload: u64,
    /// Fraction of reads in the `mixed` workload (0.0 to 1.0).
    #[arg(long, default_value_t = 0.5, value_parser = parse_ratio)]
    pub read_ratio: f64,
    /// PutRequests per BatchWriteItem call (1 to 25).
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u64).range(1..=25))]
    pub batch_size: u64,
    /// Use strongly consistent reads for GetItem and Query.
    #[arg(long)]
    pub consistent_read: bool,
    /// Per-request timeout.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Region used in the SigV4 credential scope.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// Access key id used for signing.
    #[arg(long, default_value = "benchaccesskey")]
    pub access_key: String,
    /// Secret access key used for signing.
    #[arg(long, default_value = "benchsecretkey", hide_default_value = true)]
    pub secret_key: String,
    /// PEM file of CA certificates to trust for an https endpoint.
    #[arg(long, value_name = "PEM")]
    pub ca_bundle: Option<PathBuf>,
    /// Also write the report as JSON to this file (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Seed for key selection (default: time-based).
    #[arg(long)]
    pub seed: Option<u64>,
}

impl Args {
    /// Checks constraints between flags that clap cannot express.
    pub fn validate(&self) -> Result<(), String> {
        if self.duration.is_zero() {
            return Err("--duration must be greater than zero".into());
        }
        if self.timeout.is_zero() {
            return Err("--timeout must be greater than zero".into());
        }
        if self.workload == Workload::BatchWrite && self.keys < self.batch_size {
            return Err(format!(
                "--keys ({}) must be at least --batch-size ({}): a batch may not repeat a key",
                self.keys, self.batch_size
            ));
        }
        if let Some(v) = &self.stream_view_type {
            if !STREAM_VIEW_TYPES.contains(&v.as_str()) {
                return Err(format!(
                    "--stream-view-type {v:?} is not one of {}",
                    STREAM_VIEW_TYPES.join(", ")
                ));
            }
        }
        if self.endpoints().iter().any(|e| e.is_empty()) {
            return Err("--endpoint has an empty entry".into());
        }
        if self.table.len() < 3 || self.table.len() > 255 {
            return Err("--table must be 3 to 255 characters".into());
        }
        Ok(())
    }

    /// The endpoints of `--endpoint`, in order.
    pub fn endpoints(&self) -> Vec<&str> {
        self.endpoint.split(',').map(str::trim).collect()
    }

    /// True when a table created by the bench needs a sort key.
    pub fn wants_sort_key(&self) -> bool {
        self.workload == Workload::Query
    }
}

/// The stream view types DynamoDB accepts.
pub const STREAM_VIEW_TYPES: [&str; 4] =
    ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"];

/// Parses `10s`, `1m30s`, `250ms`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    if let Ok(secs) = s.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).map_err(|e| e.to_string());
    }
    humantime::parse_duration(s).map_err(|e| e.to_string())
}

fn parse_ratio(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("{s:?} is not a number from 0.0 to 1.0")),
    }
}

fn parse_item_size(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=MAX_ITEM_SIZE).contains(&n) => Ok(n),
        _ => Err(format!(
            "{s:?} is not a size from 1 to {MAX_ITEM_SIZE} bytes"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("extenddb-bench").chain(args.iter().copied()))
    }

    #[test]
    fn defaults() {
        let a = parse(&[]).unwrap();
        assert_eq!(a.endpoint, "http://127.0.0.1:8000");
        assert_eq!(a.workload, Workload::Put);
        assert_eq!(a.concurrency, 8);
        assert_eq!(a.duration, Duration::from_secs(10));
        assert_eq!(a.warmup, Duration::from_secs(2));
        assert_eq!((a.item_size, a.keys, a.preload), (100, 10_000, 0));
        assert_eq!(a.region, "us-east-1");
        assert!(!a.no_create && a.json.is_none() && a.ca_bundle.is_none());
        assert!(a.validate().is_ok());
    }

    #[test]
    fn all_flags() {
        let a = parse(&[
            "--endpoint=https://localhost:8443",
            "--table=t1x",
            "--no-create",
            "--workload=batch-write",
            "--concurrency=16",
            "--duration=1m30s",
            "--warmup=500ms",
            "--item-size=1024",
            "--keys=50",
            "--preload=200",
            "--read-ratio=0.9",
            "--batch-size=10",
            "--region=eu-west-1",
            "--access-key=AK",
            "--secret-key=SK",
            "--ca-bundle=/tmp/ca.pem",
            "--json=out.json",
            "--seed=7",
        ])
        .unwrap();
        assert_eq!(a.workload, Workload::BatchWrite);
        assert_eq!(a.duration, Duration::from_secs(90));
        assert_eq!(a.warmup, Duration::from_millis(500));
        assert_eq!((a.concurrency, a.item_size, a.keys), (16, 1024, 50));
        assert_eq!((a.preload, a.batch_size, a.seed), (200, 10, Some(7)));
        assert_eq!(a.read_ratio, 0.9);
        assert_eq!(
            a.ca_bundle.as_deref(),
            Some(std::path::Path::new("/tmp/ca.pem"))
        );
        assert!(a.no_create);
        assert!(a.validate().is_ok());
    }

    #[test]
    fn workload_names() {
        for (name, w) in [
            ("put", Workload::Put),
            ("get", Workload::Get),
            ("query", Workload::Query),
            ("update", Workload::Update),
            ("mixed", Workload::Mixed),
            ("batch-write", Workload::BatchWrite),
        ] {
            assert_eq!(parse(&["--workload", name]).unwrap().workload, w);
        }
        assert!(parse(&["--workload", "scan"]).is_err());
        assert!(parse(&["--workload", "query"]).unwrap().wants_sort_key());
        assert!(!parse(&["--workload", "get"]).unwrap().wants_sort_key());
    }

    #[test]
    fn rejects_bad_values() {
        assert!(parse(&["--concurrency=0"]).is_err());
        assert!(parse(&["--read-ratio=1.5"]).is_err());
        assert!(parse(&["--item-size=0"]).is_err());
        assert!(parse(&["--item-size=409601"]).is_err());
        assert!(parse(&["--batch-size=26"]).is_err());
        assert!(parse(&["--keys=0"]).is_err());
        assert!(parse(&["--duration=soon"]).is_err());
        let a = parse(&["--duration=0s"]).unwrap();
        assert_eq!(
            a.validate().unwrap_err(),
            "--duration must be greater than zero"
        );
        let a = parse(&["--workload=batch-write", "--keys=5"]).unwrap();
        assert!(a.validate().unwrap_err().contains("--keys (5)"));
        let a = parse(&["--stream-view-type=ALL"]).unwrap();
        assert!(a.validate().unwrap_err().contains("is not one of"));
        let a = parse(&["--endpoint=http://a:1,,http://b:2"]).unwrap();
        assert!(a.validate().unwrap_err().contains("empty entry"));
    }

    #[test]
    fn several_endpoints_and_a_stream() {
        let a = parse(&[
            "--endpoint=http://127.0.0.1:1, http://127.0.0.1:2",
            "--stream-view-type=NEW_AND_OLD_IMAGES",
        ])
        .unwrap();
        assert!(a.validate().is_ok());
        assert_eq!(a.endpoints(), ["http://127.0.0.1:1", "http://127.0.0.1:2"]);
        assert_eq!(a.stream_view_type.as_deref(), Some("NEW_AND_OLD_IMAGES"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
        assert_eq!(parse_duration("0.25").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert!(parse_duration("-1").is_err());
    }
}
