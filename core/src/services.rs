//! `Services`: the parts every request and background job runs with — the five trait
//! implementations, the live runtime settings, the clock, the metrics and the region — built
//! once at startup (the CLI builds them from the configuration for `dev` and `serve`; tests
//! and embedders with `Services::new` and the `with_*` setters). A request sees them through
//! its `Ctx`.

use crate::clock::{Clock, SystemClock};
use crate::metrics::Metrics;
use crate::ops::background::gsi_queue::GsiQueue;
use crate::settings::RuntimeSettings;
use crate::throttle::BucketThrottler;
use crate::traits::{
    Alone, AuthProvider, Catalog, Coordination, ItemStore, NoStreams, StreamSink, Throttler,
};
use std::sync::Arc;

/// The plugged-in parts of one server process.
#[derive(Clone)]
pub struct Services {
    /// Items.
    pub store: Arc<dyn ItemStore>,
    /// Table metadata and runtime settings.
    pub catalog: Arc<dyn Catalog>,
    /// Authentication and authorization.
    pub auth: Arc<dyn AuthProvider>,
    /// Capacity admission and accounting.
    pub throttler: Arc<dyn Throttler>,
    /// Where stream records of item changes go.
    pub streams: Arc<dyn StreamSink>,
    /// Which process runs each background job, and how many serve the store.
    pub coordination: Arc<dyn Coordination>,
    /// The runtime settings in force (refreshed from the catalog by the server's poller).
    pub settings: Arc<RuntimeSettings>,
    /// The source of "now".
    pub clock: Arc<dyn Clock>,
    /// Counters for `GET /metrics`.
    pub metrics: Arc<Metrics>,
    /// The GSI propagation queue's in-process state (due times, sequence, the worker's
    /// wake-up): one per services, read through their clock.
    pub gsi_queue: Arc<GsiQueue>,
    /// The region in ARNs.
    pub region: String,
}

impl Services {
    /// Services over `store` and `catalog` with `auth`, in `region`: DynamoDB's throttling
    /// (token buckets), no streams, one process alone, the default runtime settings, the
    /// system clock.
    pub fn new(
        store: Arc<dyn ItemStore>,
        catalog: Arc<dyn Catalog>,
        auth: Arc<dyn AuthProvider>,
        region: impl Into<String>,
    ) -> Services {
        Services {
            store,
            catalog,
            auth,
            throttler: Arc::new(BucketThrottler::new()),
            streams: Arc::new(NoStreams),
            coordination: Arc::new(Alone),
            settings: Arc::new(RuntimeSettings::new()),
            clock: Arc::new(SystemClock),
            metrics: Arc::new(Metrics::new()),
            gsi_queue: Arc::new(GsiQueue::new()),
            region: region.into(),
        }
    }

    /// With another throttler.
    pub fn with_throttler(mut self, throttler: Arc<dyn Throttler>) -> Services {
        self.throttler = throttler;
        self
    }

    /// With a stream sink.
    pub fn with_streams(mut self, streams: Arc<dyn StreamSink>) -> Services {
        self.streams = streams;
        self
    }

    /// With the coordination of several processes over one store (default: `Alone`).
    pub fn with_coordination(mut self, coordination: Arc<dyn Coordination>) -> Services {
        self.coordination = coordination;
        self
    }

    /// With a settings handle (e.g. one already refreshed from the catalog).
    pub fn with_settings(mut self, settings: Arc<RuntimeSettings>) -> Services {
        self.settings = settings;
        self
    }

    /// With another clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Services {
        self.clock = clock;
        self
    }
}
