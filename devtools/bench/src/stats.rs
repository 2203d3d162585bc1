//! Per-worker counters and latency histograms, merged into one report (table and JSON).

use hdrhistogram::Histogram;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Highest latency the histograms track, in microseconds (larger values are clamped).
const MAX_LATENCY_US: u64 = 60_000_000;

/// What one worker measured (only requests started after the warm-up).
pub struct WorkerStats {
    /// Latency of successful requests, in microseconds.
    pub latency: Histogram<u64>,
    /// Successful requests.
    pub ok: u64,
    /// Items written or read by successful requests (batch size for BatchWriteItem).
    pub items: u64,
    /// Failed requests by error type (`__type` short name or transport category).
    pub errors: BTreeMap<String, u64>,
}

impl WorkerStats {
    /// Empty stats with a 3-significant-digit histogram from 1 µs to 60 s.
    pub fn new() -> Self {
        // Bounds are constants that hdrhistogram accepts (low >= 1, high >= 2 * low, sigfig <= 5).
        let latency = match Histogram::new_with_bounds(1, MAX_LATENCY_US, 3) {
            Ok(h) => h,
            Err(e) => unreachable!("constant histogram bounds rejected: {e}"),
        };
        WorkerStats {
            latency,
            ok: 0,
            items: 0,
            errors: BTreeMap::new(),
        }
    }

    /// Records a success that took `us` microseconds and moved `items` items.
    pub fn record_ok(&mut self, us: u64, items: u64) {
        self.latency.saturating_record(us.clamp(1, MAX_LATENCY_US));
        self.ok += 1;
        self.items += items;
    }

    /// Counts one failure of type `kind`.
    pub fn record_error(&mut self, kind: &str) {
        match self.errors.get_mut(kind) {
            Some(n) => *n += 1,
            None => {
                self.errors.insert(kind.to_owned(), 1);
            }
        }
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &WorkerStats) {
        // Both histograms share the same bounds, so adding cannot fail.
        let _ = self.latency.add(&other.latency);
        self.ok += other.ok;
        self.items += other.items;
        for (kind, n) in &other.errors {
            *self.errors.entry(kind.clone()).or_insert(0) += n;
        }
    }
}

impl Default for WorkerStats {
    fn default() -> Self {
        Self::new()
    }
}

/// Latency percentiles of successful requests, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencySummary {
    /// Arithmetic mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p99_9: f64,
    /// Largest recorded value.
    pub max: f64,
}

impl LatencySummary {
    /// Summarises a microsecond histogram; `None` when it is empty.
    pub fn from_histogram(h: &Histogram<u64>) -> Option<Self> {
        if h.is_empty() {
            return None;
        }
        let ms = |us: u64| us as f64 / 1000.0;
        Some(LatencySummary {
            mean: h.mean() / 1000.0,
            p50: ms(h.value_at_quantile(0.50)),
            p90: ms(h.value_at_quantile(0.90)),
            p99: ms(h.value_at_quantile(0.99)),
            p99_9: ms(h.value_at_quantile(0.999)),
            max: ms(h.max()),
        })
    }
}

/// The run's settings and results; printed as a table and serialised as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Workload name.
    pub workload: String,
    /// Endpoint URL.
    pub endpoint: String,
    /// Table name.
    pub table: String,
    /// Number of workers (connections).
    pub concurrency: u32,
    /// Item size in bytes as DynamoDB measures it.
    pub item_size: usize,
    /// Size of the key space.
    pub keys: u64,
    /// Warm-up time, seconds.
    pub warmup_seconds: f64,
    /// Measured wall time, seconds (from the end of warm-up to the last worker's stop).
    pub elapsed_seconds: f64,
    /// Successful requests.
    pub ok: u64,
    /// Failed requests.
    pub errors_total: u64,
    /// Failed requests by error type.
    pub errors: BTreeMap<String, u64>,
    /// Successful requests per second.
    pub ops_per_second: f64,
    /// Items per second (differs from ops for batch-write).
    pub items_per_second: f64,
    /// Latency of successful requests; `null` when none succeeded.
    pub latency_ms: Option<LatencySummary>,
    /// Connections the workers opened, warm-up included (more than `concurrency` means the
    /// server closed connections or errors forced reconnects).
    pub connections_opened: u64,
}

impl Report {
    /// Builds the report from merged stats and the measured wall time.
    pub fn new(base: ReportBase, stats: &WorkerStats, elapsed_seconds: f64) -> Self {
        let per_sec = |n: u64| {
            if elapsed_seconds > 0.0 {
                n as f64 / elapsed_seconds
            } else {
                0.0
            }
        };
        Report {
            workload: base.workload,
            endpoint: base.endpoint,
            table: base.table,
            concurrency: base.concurrency,
            item_size: base.item_size,
            keys: base.keys,
            warmup_seconds: base.warmup_seconds,
            elapsed_seconds,
            ok: stats.ok,
            errors_total: stats.errors.values().sum(),
            errors: stats.errors.clone(),
            ops_per_second: per_sec(stats.ok),
            items_per_second: per_sec(stats.items),
            latency_ms: LatencySummary::from_histogram(&stats.latency),
            connections_opened: 0,
        }
    }

    /// The human-readable table printed on stdout.
    pub fn render_table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "workload      {}", self.workload);
        let _ = writeln!(s, "endpoint      {}", self.endpoint);
        let _ = writeln!(s, "table         {}", self.table);
        let _ = writeln!(
            s,
            "concurrency   {}   item size {} B   keys {}",
            self.concurrency, self.item_size, self.keys
        );
        let _ = writeln!(
            s,
            "measured      {:.2} s (after {:.2} s warm-up)",
            self.elapsed_seconds, self.warmup_seconds
        );
        let _ = writeln!(
            s,
            "requests      {} ok, {} errors",
            self.ok, self.errors_total
        );
        let _ = writeln!(
            s,
            "connections   {} opened (warm-up included)",
            self.connections_opened
        );
        let _ = writeln!(s, "throughput    {:.1} ops/s", self.ops_per_second);
        if (self.items_per_second - self.ops_per_second).abs() > f64::EPSILON {
            let _ = writeln!(s, "items         {:.1} items/s", self.items_per_second);
        }
        match &self.latency_ms {
            Some(l) => {
                let _ = writeln!(
                    s,
                    "latency (ms)  {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
                    "mean", "p50", "p90", "p99", "p99.9", "max"
                );
                let _ = writeln!(
                    s,
                    "              {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3}",
                    l.mean, l.p50, l.p90, l.p99, l.p99_9, l.max
                );
            }
            None => {
                let _ = writeln!(s, "latency (ms)  no successful request");
            }
        }
        if !self.errors.is_empty() {
            let _ = writeln!(s, "errors by type");
            for (kind, n) in &self.errors {
                let _ = writeln!(s, "  {kind:<40} {n}");
            }
        }
        s
    }
}

/// Settings copied into a report.
pub struct ReportBase {
    /// Workload name.
    pub workload: String,
    /// Endpoint URL.
    pub endpoint: String,
    /// Table name.
    pub table: String,
    /// Number of workers.
    pub concurrency: u32,
    /// Item size in bytes.
    pub item_size: usize,
    /// Key space size.
    pub keys: u64,
    /// Warm-up time, seconds.
    pub warmup_seconds: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ReportBase {
        ReportBase {
            workload: "put".into(),
            endpoint: "http://127.0.0.1:8000".into(),
            table: "t".into(),
            concurrency: 4,
            item_size: 100,
            keys: 10,
            warmup_seconds: 1.0,
        }
    }

    /// Within hdrhistogram's 3-significant-digit precision (0.1 %).
    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= expected * 0.001 + 1e-9
    }

    #[test]
    fn percentiles_of_uniform_latencies() {
        let mut s = WorkerStats::new();
        for us in 1..=10_000 {
            s.record_ok(us, 1);
        }
        let l = LatencySummary::from_histogram(&s.latency).unwrap();
        assert!(close(l.p50, 5.0), "p50 {}", l.p50);
        assert!(close(l.p90, 9.0), "p90 {}", l.p90);
        assert!(close(l.p99, 9.9), "p99 {}", l.p99);
        assert!(close(l.p99_9, 9.99), "p99.9 {}", l.p99_9);
        assert!(close(l.max, 10.0), "max {}", l.max);
        assert!(close(l.mean, 5.0005), "mean {}", l.mean);
    }

    #[test]
    fn merge_adds_counts_and_histograms() {
        let mut a = WorkerStats::new();
        let mut b = WorkerStats::new();
        for _ in 0..99 {
            a.record_ok(1_000, 1);
        }
        b.record_ok(50_000, 25);
        a.record_error("ValidationException");
        b.record_error("ValidationException");
        b.record_error("ConnectError");
        a.merge(&b);
        assert_eq!((a.ok, a.items), (100, 124));
        assert_eq!(a.errors["ValidationException"], 2);
        assert_eq!(a.errors["ConnectError"], 1);
        let l = LatencySummary::from_histogram(&a.latency).unwrap();
        assert!(close(l.p99, 1.0), "p99 {}", l.p99);
        assert!(close(l.max, 50.0), "max {}", l.max);
    }

    #[test]
    fn report_rates_and_rendering() {
        let mut s = WorkerStats::new();
        for _ in 0..500 {
            s.record_ok(2_000, 25);
        }
        s.record_error("UnknownOperationException");
        let r = Report::new(base(), &s, 2.0);
        assert_eq!(r.ops_per_second, 250.0);
        assert_eq!(r.items_per_second, 6250.0);
        assert_eq!(r.errors_total, 1);
        let table = r.render_table();
        assert!(table.contains("throughput    250.0 ops/s"), "{table}");
        assert!(table.contains("items         6250.0 items/s"), "{table}");
        assert!(table.contains("UnknownOperationException"), "{table}");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["ok"], 500);
        assert_eq!(json["errors"]["UnknownOperationException"], 1);
        assert!(close(json["latency_ms"]["p50"].as_f64().unwrap(), 2.0));
    }

    #[test]
    fn empty_run_reports_no_latency() {
        let mut s = WorkerStats::new();
        s.record_error("HTTP 404");
        let r = Report::new(base(), &s, 0.0);
        assert_eq!(r.ops_per_second, 0.0);
        assert!(r.latency_ms.is_none());
        assert!(r.render_table().contains("no successful request"));
        assert_eq!(
            serde_json::to_value(&r).unwrap()["latency_ms"],
            serde_json::Value::Null
        );
    }
}
