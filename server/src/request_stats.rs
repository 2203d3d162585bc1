//! Request counts and latency histograms by operation, the request path's share of
//! `GET /metrics`. Every answered request adds to them, so they are kept per thread stripe
//! (`extenddb_core::striped`): a request touches only its own thread's lock and counts — no
//! atomic counter or histogram lock moving between cores per request — and a scrape sums the
//! stripes and renders `extenddb_requests` and `extenddb_request_duration_seconds` exactly as
//! `prometheus_client`'s `Counter` and `Histogram` families would.

use extenddb_core::ops::Operation;
use extenddb_core::striped::Striped;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::MetricType;
use std::sync::Arc;
use std::time::Duration;

/// Latency buckets in seconds: 250 µs to 10 s (and +Inf after them).
pub(crate) const LATENCY_BUCKETS: [f64; 14] = [
    0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Label of requests whose operation is unknown (or not an API call).
pub(crate) const UNKNOWN: &str = "unknown";

/// One operation's counts in one stripe.
#[derive(Debug, Clone, Copy, Default)]
struct OpStats {
    /// Requests answered.
    count: u64,
    /// Seconds they took, summed.
    sum: f64,
    /// Requests per latency bucket (not cumulative); the last is +Inf.
    buckets: [u64; LATENCY_BUCKETS.len() + 1],
}

impl OpStats {
    fn add(&mut self, other: &OpStats) {
        self.count += other.count;
        self.sum += other.sum;
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
    }
}

/// The slot of `op` in a stripe's stats; unknown requests count in the last one.
fn slot(op: Option<Operation>) -> usize {
    op.map_or(Operation::ALL.len(), Operation::index)
}

/// The latency bucket of `seconds`: the first whose upper bound holds it, else +Inf (NaN
/// included), as `prometheus_client`'s histogram files it.
fn bucket_of(seconds: f64) -> usize {
    LATENCY_BUCKETS
        .iter()
        .position(|upper| *upper >= seconds)
        .unwrap_or(LATENCY_BUCKETS.len())
}

/// Requests and latencies by operation, per thread stripe.
#[derive(Debug, Default)]
pub(crate) struct RequestStats {
    stripes: Striped<Vec<OpStats>>,
}

impl RequestStats {
    /// Counts one answered request of `op` (`None`: unknown, counted but not timed) that
    /// took `elapsed`.
    pub(crate) fn observe(&self, op: Option<Operation>, elapsed: Duration) {
        self.stripes.with(|stats| {
            if stats.is_empty() {
                stats.resize(Operation::ALL.len() + 1, OpStats::default());
            }
            let s = &mut stats[slot(op)];
            s.count += 1;
            if op.is_some() {
                let seconds = elapsed.as_secs_f64();
                s.sum += seconds;
                s.buckets[bucket_of(seconds)] += 1;
            }
        });
    }

    /// Every operation's stats, the stripes summed (unknown last).
    fn totals(&self) -> Vec<OpStats> {
        let mut totals = vec![OpStats::default(); Operation::ALL.len() + 1];
        self.stripes.each(|stats| {
            for (t, s) in totals.iter_mut().zip(stats.iter()) {
                t.add(s);
            }
        });
        totals
    }
}

/// Renders `RequestStats` at scrape time.
#[derive(Debug)]
pub(crate) struct RequestCollector(pub(crate) Arc<RequestStats>);

impl Collector for RequestCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let totals = self.0.totals();
        let labelled = Operation::ALL
            .iter()
            .map(|op| op.name())
            .chain([UNKNOWN])
            .zip(&totals);
        // The help texts end in the period `Registry::register` adds to a registered metric's.
        let mut family = encoder.encode_descriptor(
            "extenddb_requests",
            "DynamoDB API requests answered, by operation.",
            None,
            MetricType::Counter,
        )?;
        for (name, t) in labelled.clone() {
            ConstCounter::new(t.count).encode(family.encode_family(&[("operation", name)])?)?;
        }
        let mut family = encoder.encode_descriptor(
            "extenddb_request_duration_seconds",
            "Time from a request's arrival to its answer, by operation.",
            None,
            MetricType::Histogram,
        )?;
        // Unknown requests are not timed: no histogram for them.
        for (name, t) in labelled.take(Operation::ALL.len()) {
            let buckets: Vec<(f64, u64)> = LATENCY_BUCKETS
                .iter()
                .copied()
                .chain([f64::INFINITY])
                .zip(t.buckets)
                .collect();
            family
                .encode_family(&[("operation", name)])?
                .encode_histogram::<NoLabelSet>(t.sum, t.count, &buckets, None)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus_client::metrics::family::Family;
    use prometheus_client::metrics::histogram::Histogram;
    use prometheus_client::registry::Registry;

    fn render(registry: &Registry) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, registry).unwrap();
        out
    }

    /// The lines of a rendering, sorted (families render label sets in no fixed order).
    fn lines(text: &str) -> Vec<&str> {
        let mut l: Vec<&str> = text.lines().collect();
        l.sort_unstable();
        l
    }

    #[test]
    fn renders_as_the_prometheus_client_families_did() {
        // The same observations through prometheus_client's own metrics …
        let requests = Family::<
            [(&'static str, &'static str); 1],
            prometheus_client::metrics::counter::Counter,
        >::default();
        let latency =
            Family::<[(&'static str, &'static str); 1], Histogram>::new_with_constructor(|| {
                Histogram::new(LATENCY_BUCKETS)
            });
        for op in Operation::ALL {
            drop(requests.get_or_create(&[("operation", op.name())]));
            drop(latency.get_or_create(&[("operation", op.name())]));
        }
        drop(requests.get_or_create(&[("operation", UNKNOWN)]));
        // … and through the stripes, from several threads.
        let stats = Arc::new(RequestStats::default());
        // At most two per operation: their sum is the same in either order.
        let observed = [
            (Some(Operation::GetItem), 0.000_25),
            (Some(Operation::GetItem), 0.003),
            (Some(Operation::Query), 0.000_1),
            (Some(Operation::PutItem), 42.0),
            (None, 0.5),
        ];
        std::thread::scope(|scope| {
            for (op, secs) in observed {
                let stats = stats.clone();
                scope.spawn(move || stats.observe(op, Duration::from_secs_f64(secs)));
                match op {
                    Some(op) => {
                        requests.get_or_create(&[("operation", op.name())]).inc();
                        latency
                            .get_or_create(&[("operation", op.name())])
                            .observe(Duration::from_secs_f64(secs).as_secs_f64());
                    }
                    None => {
                        requests.get_or_create(&[("operation", UNKNOWN)]).inc();
                    }
                }
            }
        });
        let mut old = Registry::default();
        old.register(
            "extenddb_requests",
            "DynamoDB API requests answered, by operation",
            requests,
        );
        old.register(
            "extenddb_request_duration_seconds",
            "Time from a request's arrival to its answer, by operation",
            latency,
        );
        let mut new = Registry::default();
        new.register_collector(Box::new(RequestCollector(stats)));
        let (old, new) = (render(&old), render(&new));
        let (new_lines, old_lines) = (lines(&new), lines(&old));
        let only_new: Vec<&&str> = new_lines
            .iter()
            .filter(|l| !old_lines.contains(l))
            .collect();
        let only_old: Vec<&&str> = old_lines
            .iter()
            .filter(|l| !new_lines.contains(l))
            .collect();
        assert!(
            only_new.is_empty() && only_old.is_empty(),
            "only in the new rendering: {only_new:?}\nonly in the old: {only_old:?}"
        );
        assert_eq!(new_lines.len(), old_lines.len());
        assert!(
            new.contains(r#"extenddb_requests_total{operation="GetItem"} 2"#),
            "{new}"
        );
        assert!(new.contains(
            r#"extenddb_request_duration_seconds_bucket{le="0.00025",operation="GetItem"} 1"#
        ));
        assert!(new.contains(r#"extenddb_requests_total{operation="unknown"} 1"#));
    }
}
