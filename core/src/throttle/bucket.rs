//! One token bucket: a balance of capacity units that refills at a rate up to a capacity.
//! Admission asks only that the balance be positive; charging may take it below zero, so a
//! large item is admitted on a small positive balance and then pays it back — DynamoDB's
//! behaviour ("capacity is consumed after the operation").

/// A token bucket's state. Times are seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Units available (may be negative after a charge).
    pub balance: f64,
    /// When `balance` was last brought up to date.
    pub updated: f64,
}

impl Bucket {
    /// A bucket holding `balance` at `now`.
    pub fn new(balance: f64, now: f64) -> Bucket {
        Bucket {
            balance,
            updated: now,
        }
    }

    /// Brings the balance up to `now`: adds `rate` units per second elapsed, never above
    /// `capacity`. A balance above a (lowered) capacity is cut to it. Time never runs
    /// backwards for a bucket: an earlier `now` changes nothing.
    pub fn refill(&mut self, now: f64, rate: f64, capacity: f64) {
        if now > self.updated {
            self.balance += (now - self.updated) * rate;
            self.updated = now;
        }
        if self.balance > capacity {
            self.balance = capacity;
        }
    }

    /// Whether a request may start: some capacity is left.
    pub fn admits(&self) -> bool {
        self.balance > 0.0
    }

    /// Whether the bucket is full (so forgetting it loses nothing: a new one starts full).
    pub fn is_full(&self, capacity: f64) -> bool {
        self.balance >= capacity
    }

    /// Takes `units` (after the operation).
    pub fn charge(&mut self, units: f64) {
        self.balance -= units;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refills_at_the_rate_up_to_the_capacity() {
        let mut b = Bucket::new(0.0, 100.0);
        b.refill(101.5, 2.0, 10.0);
        assert_eq!(b.balance, 3.0);
        b.refill(200.0, 2.0, 10.0);
        assert_eq!(b.balance, 10.0);
        // A lowered capacity cuts the balance.
        b.refill(200.0, 2.0, 4.0);
        assert_eq!(b.balance, 4.0);
    }

    #[test]
    fn admits_while_positive_and_may_go_negative() {
        let mut b = Bucket::new(0.5, 0.0);
        assert!(b.admits());
        b.charge(3.0);
        assert_eq!(b.balance, -2.5);
        assert!(!b.admits());
        b.refill(1.0, 2.0, 10.0);
        assert!(!b.admits(), "-0.5 still refuses");
        b.refill(1.5, 2.0, 10.0);
        assert!(b.admits());
    }

    #[test]
    fn time_never_runs_backwards() {
        let mut b = Bucket::new(1.0, 10.0);
        b.refill(5.0, 100.0, 1000.0);
        assert_eq!(b, Bucket::new(1.0, 10.0));
    }
}
