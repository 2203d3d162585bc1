//! `GET /metrics`: Prometheus' text format, rendered with the `prometheus-client` crate.
//!
//! Request counters and latency histograms are kept per thread stripe (`request_stats`), by
//! `Operation::index`, so counting a request is a few adds under a lock only its thread takes,
//! with no lookup; errors go through a labelled family (the rare path). Capacity units, throttled requests and
//! background-worker lag come from core's `Metrics`, the store's connection pool from the
//! `ItemStore`, open and refused client connections and the store's readiness from the server,
//! all read at scrape time by collectors.

use crate::connections::Limits;
use crate::health::Health;
use crate::request_stats::{RequestCollector, RequestStats, UNKNOWN};
use extenddb_core::metrics::Worker;
use extenddb_core::ops::Operation;
use extenddb_core::traits::{Direction, Job};
use extenddb_core::Services;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::Duration;

/// The server's request metrics and the registry they are rendered from.
pub struct RequestMetrics {
    registry: Registry,
    stats: Arc<RequestStats>,
    errors: Family<[(&'static str, &'static str); 2], Counter>,
}

impl RequestMetrics {
    /// Counters for every operation, and collectors reading `services`, the connection
    /// `limits` and the store's `health` at scrape time.
    pub(crate) fn new(
        services: Arc<Services>,
        limits: Arc<Limits>,
        health: Arc<Health>,
    ) -> RequestMetrics {
        let mut registry = Registry::default();
        let stats = Arc::new(RequestStats::default());
        let errors = Family::default();
        registry.register_collector(Box::new(RequestCollector(stats.clone())));
        registry.register(
            "extenddb_request_errors",
            "DynamoDB API requests answered with an error, by operation and error type",
            errors.clone(),
        );
        registry.register_collector(Box::new(ServicesCollector(services)));
        registry.register_collector(Box::new(ServerCollector { limits, health }));
        RequestMetrics {
            registry,
            stats,
            errors,
        }
    }

    /// Counts one answered request of `op` (`None`: unknown) that took `elapsed`, and its
    /// error type if it failed.
    pub fn observe(&self, op: Option<Operation>, elapsed: Duration, error: Option<&'static str>) {
        self.stats.observe(op, elapsed);
        if let Some(error) = error {
            self.errors
                .get_or_create(&[
                    ("operation", op.map_or(UNKNOWN, Operation::name)),
                    ("error", error),
                ])
                .inc();
        }
    }

    /// Every metric in Prometheus' text format.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(8 * 1024);
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::warn!(error = %e, "cannot render metrics");
        }
        out
    }
}

/// Reads the open and refused connections and the store's readiness at scrape time.
struct ServerCollector {
    limits: Arc<Limits>,
    health: Arc<Health>,
}

impl std::fmt::Debug for ServerCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerCollector")
    }
}

impl Collector for ServerCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        ConstGauge::new(self.limits.open() as i64).encode(encoder.encode_descriptor(
            "extenddb_connections_open",
            "Client connections open now",
            None,
            prometheus_client::metrics::MetricType::Gauge,
        )?)?;
        ConstCounter::new(self.limits.refused()).encode(encoder.encode_descriptor(
            "extenddb_connections_refused",
            "Client connections refused because server.max_connections were open",
            None,
            prometheus_client::metrics::MetricType::Counter,
        )?)?;
        ConstGauge::new(i64::from(self.health.is_ready())).encode(encoder.encode_descriptor(
            "extenddb_ready",
            "1 when the store can serve requests (GET /health/ready answers 200), else 0",
            None,
            prometheus_client::metrics::MetricType::Gauge,
        )?)?;
        Ok(())
    }
}

/// Reads core's counters, the store's pool and the workers' lag at scrape time.
struct ServicesCollector(Arc<Services>);

impl std::fmt::Debug for ServicesCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServicesCollector")
    }
}

impl Collector for ServicesCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let services = &self.0;
        let tables = services.metrics.tables();
        for (name, help, direction) in [
            (
                "extenddb_consumed_read_capacity_units",
                "Read capacity units consumed, by table",
                Direction::Read,
            ),
            (
                "extenddb_consumed_write_capacity_units",
                "Write capacity units consumed, by table",
                Direction::Write,
            ),
        ] {
            let mut family = encoder.encode_descriptor(
                name,
                help,
                None,
                prometheus_client::metrics::MetricType::Counter,
            )?;
            for t in &tables {
                let labels = [
                    ("account", t.account_id.as_str()),
                    ("table", t.table.as_str()),
                ];
                ConstCounter::new(t.consumed(direction)).encode(family.encode_family(&labels)?)?;
            }
        }
        for (name, help, direction) in [
            (
                "extenddb_throttled_reads",
                "Reads refused by throttling, by table",
                Direction::Read,
            ),
            (
                "extenddb_throttled_writes",
                "Writes refused by throttling, by table",
                Direction::Write,
            ),
        ] {
            let mut family = encoder.encode_descriptor(
                name,
                help,
                None,
                prometheus_client::metrics::MetricType::Counter,
            )?;
            for t in &tables {
                let labels = [
                    ("account", t.account_id.as_str()),
                    ("table", t.table.as_str()),
                ];
                ConstCounter::new(t.throttled(direction)).encode(family.encode_family(&labels)?)?;
            }
        }
        if let Some(pool) = services.store.pool_status() {
            let mut family = encoder.encode_descriptor(
                "extenddb_store_pool_connections",
                "Connections of the store's pool, by state",
                None,
                prometheus_client::metrics::MetricType::Gauge,
            )?;
            for (state, value) in [
                ("in_use", pool.in_use),
                ("idle", pool.idle),
                ("max", pool.max),
            ] {
                ConstGauge::new(value as i64).encode(family.encode_family(&[("state", state)])?)?;
            }
        }
        let now_ms = services
            .clock
            .now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let mut family = encoder.encode_descriptor(
            "extenddb_worker_lag_seconds",
            "How far behind a background worker is: GSI propagation (last applied entry past its due time), TTL sweeper (since the last complete round started)",
            None,
            prometheus_client::metrics::MetricType::Gauge,
        )?;
        for (label, worker) in [
            ("gsi_propagation", Worker::GsiPropagation),
            ("ttl_sweep", Worker::TtlSweep),
        ] {
            if let Some(lag) = services.metrics.lag_seconds(worker, now_ms) {
                ConstGauge::new(lag).encode(family.encode_family(&[("worker", label)])?)?;
            }
        }
        let coordination = &services.coordination;
        let mut family = encoder.encode_descriptor(
            "extenddb_background_job_running",
            "1 for each background job this server runs (of several servers over one store, one runs each job)",
            None,
            prometheus_client::metrics::MetricType::Gauge,
        )?;
        for job in Job::ALL {
            ConstGauge::new(i64::from(coordination.runs(job)))
                .encode(family.encode_family(&[("job", job.name())])?)?;
        }
        let family = encoder.encode_descriptor(
            "extenddb_servers",
            "Server processes serving this store, this one included (throttling gives each its share)",
            None,
            prometheus_client::metrics::MetricType::Gauge,
        )?;
        ConstGauge::new(i64::from(coordination.servers())).encode(family)?;
        Ok(())
    }
}
