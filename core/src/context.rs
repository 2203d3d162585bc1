//! `Ctx`: one request's view of the `Services` — the parts plus who is calling — and the gates
//! every operation passes in DynamoDB's order: `authorize` once the target is known,
//! `admit` (throttling) before the store is touched, `charge` with the units consumed after.
//! Background jobs run with `Ctx::background`, which passes both gates.
//!
//! A request's context made with `Ctx::for_arrival` reads the clock once, when the request
//! arrives: that time is its "now" throughout (throttling, timestamps it writes, policy
//! conditions). Other contexts — background work, tests that step a clock under one context —
//! read the services' clock each time they ask.

use crate::error::ApiError;
use crate::model::table::TableDefinition;
use crate::ops::request::capacity::Units;
use crate::services::Services;
use crate::traits::{AuthzContext, AuthzRequest, Claim, Direction, Grant, Principal, RequestFacts};
use std::ops::Deref;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Who a context runs for.
#[derive(Debug, Clone, PartialEq)]
enum Caller {
    /// A client request by this principal.
    Request(Principal),
    /// The server's own background work: every account, no gates.
    Background,
}

/// What an operation runs against.
#[derive(Clone)]
pub struct Ctx {
    services: Arc<Services>,
    caller: Caller,
    /// Facts about the request (address, TLS, arrival time) for policy conditions.
    pub facts: RequestFacts,
    /// `facts.time` in seconds since the epoch when it is this context's "now"
    /// (`for_arrival`); `None`: the clock is read each time.
    arrived: Option<f64>,
}

impl Deref for Ctx {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
    }
}

impl Ctx {
    /// The context of a request by `principal`.
    pub fn for_request(services: Arc<Services>, principal: Principal, facts: RequestFacts) -> Ctx {
        Ctx {
            services,
            caller: Caller::Request(principal),
            facts,
            arrived: None,
        }
    }

    /// The context of one request by `principal` that arrived at `facts.time` (read from the
    /// services' clock): every "now" in the request is that time, so it costs one clock read.
    pub fn for_arrival(services: Arc<Services>, principal: Principal, facts: RequestFacts) -> Ctx {
        let arrived = facts
            .time
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        Ctx {
            arrived: Some(arrived),
            ..Ctx::for_request(services, principal, facts)
        }
    }

    /// The context of background work (GSI propagation, TTL sweeps, lifecycle transitions):
    /// it acts on every account's tables and passes the authorization and throttling gates.
    pub fn background(services: Arc<Services>) -> Ctx {
        let facts = RequestFacts {
            time: services.clock.now(),
            ..RequestFacts::default()
        };
        Ctx {
            services,
            caller: Caller::Background,
            facts,
            arrived: None,
        }
    }

    /// The services behind this context.
    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// The caller, for a request; `None` for background work.
    pub fn principal(&self) -> Option<&Principal> {
        match &self.caller {
            Caller::Request(p) => Some(p),
            Caller::Background => None,
        }
    }

    /// The account the request acts in (empty for background work).
    pub fn account_id(&self) -> &str {
        match &self.caller {
            Caller::Request(p) => &p.account_id,
            Caller::Background => "",
        }
    }

    /// The region in ARNs.
    pub fn region(&self) -> &str {
        &self.services.region
    }

    /// Seconds since the epoch, by the services' clock: the arrival time for a request's
    /// context (`for_arrival`).
    pub fn now_epoch(&self) -> f64 {
        match self.arrived {
            Some(t) => t,
            None => self.services.clock.epoch_seconds(),
        }
    }

    /// The current time, by the services' clock: the arrival time for a request's context
    /// (`for_arrival`).
    pub fn now(&self) -> SystemTime {
        match self.arrived {
            Some(_) => self.facts.time,
            None => self.services.clock.now(),
        }
    }

    /// How long tables stay CREATING / UPDATING / DELETING (`control_plane_delay_seconds`).
    pub fn control_plane_delay(&self) -> Duration {
        self.services.settings.control_plane_delay()
    }

    /// Whether authorization needs a context built: false for background work and for a
    /// provider that allows everything, so callers can skip computing condition keys.
    pub fn authorizes(&self) -> bool {
        matches!(self.caller, Caller::Request(_)) && !self.services.auth.allows_everything()
    }

    /// Whether the provider reads the condition keys and tags of an `AuthzContext` for this
    /// caller: when not, callers pass an empty context instead of building one.
    pub fn reads_request_keys(&self) -> bool {
        match &self.caller {
            Caller::Request(p) => self.services.auth.reads_request_keys(p),
            Caller::Background => false,
        }
    }

    /// The authorization gate: may the caller perform `action` on `resource` with the
    /// condition keys of `context`? AccessDeniedException in AWS's words when not.
    pub async fn authorize(
        &self,
        action: &str,
        resource: &str,
        context: &AuthzContext,
    ) -> Result<(), ApiError> {
        let Caller::Request(principal) = &self.caller else {
            return Ok(());
        };
        if self.services.auth.allows_everything() {
            return Ok(());
        }
        let request = AuthzRequest {
            action,
            resource,
            facts: &self.facts,
            context,
        };
        self.services
            .auth
            .authorize(principal, &request)
            .await?
            .into_result(principal, &request)
    }

    /// Whether throttling applies to this context now (a request, with `throttling_enabled`).
    pub fn throttles(&self) -> bool {
        matches!(self.caller, Caller::Request(_)) && self.services.settings.throttling_enabled()
    }

    /// The throttling gate, before the store is touched: refuses the claim when a bucket it
    /// draws from is spent (counted in the metrics). The grant answered takes the charge to
    /// the same buckets (`charge_grant`).
    pub fn admit(&self, claim: &Claim<'_>) -> Result<Grant, ApiError> {
        if !self.throttles() {
            return Ok(Grant::default());
        }
        self.services
            .throttler
            .admit_grant(claim, self.now_epoch())
            .inspect_err(|_| {
                self.services
                    .metrics
                    .throttled(claim.table, claim.direction)
            })
    }

    /// Accounts for what a request consumed on `claim`'s table (metrics always; the buckets
    /// while throttling is on, looked up).
    pub fn charge(&self, claim: &Claim<'_>, consumed: &Units) {
        self.charge_grant(claim, Grant::default(), consumed);
    }

    /// `charge` through the buckets `grant` (from `admit` of the same claim) holds.
    pub fn charge_grant(&self, claim: &Claim<'_>, grant: Grant, consumed: &Units) {
        self.services
            .metrics
            .consumed(claim.table, claim.direction, consumed.total());
        if self.throttles() {
            self.services
                .throttler
                .charge_grant(claim, grant, consumed, self.now_epoch());
        }
    }

    /// A claim on `table` for a read (of `index`, if a GSI) or write in `partition`.
    pub fn claim<'a>(
        table: &'a TableDefinition,
        index: Option<&'a str>,
        partition: Option<&'a [u8]>,
        direction: Direction,
    ) -> Claim<'a> {
        Claim {
            table,
            index: index.filter(|i| table.global_secondary_indexes.iter().any(|g| g.name == *i)),
            partition,
            direction,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::ops::test_support::{hash_table, services};
    use crate::settings::RuntimeSettings;
    use crate::traits::catalog::MockCatalog;
    use crate::traits::item_store::MockItemStore;
    use crate::traits::Throttler;
    use std::sync::Mutex;

    /// A throttler that admits everything and records the times it is asked at.
    #[derive(Default)]
    struct Times(Mutex<Vec<f64>>);

    impl Throttler for Times {
        fn admit(&self, _: &Claim<'_>, now: f64) -> Result<(), ApiError> {
            self.0.lock().unwrap().push(now);
            Ok(())
        }

        fn charge(&self, _: &Claim<'_>, _: &Units, now: f64) {
            self.0.lock().unwrap().push(now);
        }
    }

    /// Contexts of both kinds over a clock standing at 1,000 s, throttling on, recording the
    /// throttler's times.
    fn contexts() -> (Ctx, Ctx, Arc<ManualClock>, Arc<Times>) {
        let clock = Arc::new(ManualClock::at_epoch_seconds(1_000));
        let times = Arc::new(Times::default());
        let settings = RuntimeSettings::new();
        settings.apply("throttling_enabled", "true");
        let services = Arc::new(
            services(
                Arc::new(MockCatalog::new()),
                Arc::new(MockItemStore::new()),
                Duration::ZERO,
            )
            .with_settings(Arc::new(settings))
            .with_throttler(times.clone())
            .with_clock(clock.clone()),
        );
        let principal = || Principal::account_root("123456789012", "AKIDTEST", "us-east-1");
        let facts = RequestFacts {
            time: services.clock.now(),
            ..RequestFacts::default()
        };
        let arrived = Ctx::for_arrival(services.clone(), principal(), facts);
        let session = Ctx::for_request(services, principal(), RequestFacts::default());
        (arrived, session, clock, times)
    }

    #[test]
    fn a_request_context_keeps_its_arrival_time_throughout() {
        let (arrived, session, clock, times) = contexts();
        let def = hash_table();
        let claim = Ctx::claim(&def, None, Some(b"k"), Direction::Write);
        let grant = arrived.admit(&claim).unwrap();
        clock.advance(Duration::from_millis(2_500));
        arrived.charge_grant(&claim, grant, &Units::table(1.0));
        assert_eq!(*times.0.lock().unwrap(), [1_000.0, 1_000.0]);
        assert_eq!(arrived.now_epoch(), 1_000.0);
        assert_eq!(arrived.now(), UNIX_EPOCH + Duration::from_secs(1_000));
        // A context not made for one arrival follows the clock.
        assert_eq!(session.now_epoch(), 1_002.5);
        assert_eq!(session.now(), UNIX_EPOCH + Duration::from_millis(1_002_500));
        session.charge(&claim, &Units::table(1.0));
        assert_eq!(times.0.lock().unwrap()[2], 1_002.5);
    }
}
