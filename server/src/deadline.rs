//! The timers of a connection's request deadlines (the body read's and the work's), kept with
//! the connection and lent to each of its requests instead of made per request.
//!
//! A fresh `tokio::time::Sleep` per request cloned the runtime handle (a reference count that
//! every worker thread writes), and when polled added an entry to the timer wheel that the
//! request then removed: shared state touched on every request. A lent timer is reset to the
//! request's deadline; as each request's deadline is later than its connection's previous
//! one, tokio only moves the entry's expiry forward (one compare-and-swap) and the wheel is
//! touched when a timer fires (a connection idle past its deadline) — about once per
//! connection per timeout. HTTP/2 runs a connection's requests concurrently: a request that
//! finds the timer lent out makes its own, as before.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use tokio::time::{Instant, Sleep};

/// One connection's two timers.
#[derive(Debug, Default)]
pub(crate) struct Deadlines {
    /// Lent for reading a request's body.
    pub(crate) body: Slot,
    /// Lent for a request's work once its body arrived.
    pub(crate) work: Slot,
}

/// A timer kept between requests (`None` while lent out or before the first request).
#[derive(Debug, Default)]
pub(crate) struct Slot(Mutex<Option<Pin<Box<Sleep>>>>);

impl Slot {
    /// The slot's timer set to fire at `deadline` (a new one when it is lent out already),
    /// given back when the loan drops.
    pub(crate) fn lend(&self, deadline: Instant) -> Lent<'_> {
        let kept = self.0.lock().ok().and_then(|mut kept| kept.take());
        let sleep = match kept {
            Some(mut sleep) => {
                sleep.as_mut().reset(deadline);
                sleep
            }
            None => Box::pin(tokio::time::sleep_until(deadline)),
        };
        Lent {
            slot: self,
            sleep: Some(sleep),
        }
    }
}

/// A timer lent to one request: completes at its deadline.
#[derive(Debug)]
pub(crate) struct Lent<'a> {
    slot: &'a Slot,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl Future for Lent<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.sleep.as_mut() {
            Some(sleep) => sleep.as_mut().poll(cx),
            // Only after drop began; never polled then.
            None => Poll::Pending,
        }
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let (Some(sleep), Ok(mut kept)) = (self.sleep.take(), self.slot.0.lock()) {
            if kept.is_none() {
                *kept = Some(sleep);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const MS: Duration = Duration::from_millis(1);

    #[tokio::test]
    async fn a_lent_timer_fires_at_each_loans_deadline_earlier_or_later() {
        let slot = Slot::default();
        let start = Instant::now();
        slot.lend(start + 40 * MS).await;
        assert!(Instant::now() >= start + 40 * MS);
        assert!(slot.0.lock().unwrap().is_some(), "given back");
        // The kept timer fired; a new deadline (earlier than the first one's 40 ms) still
        // fires on time.
        let at = Instant::now() + 20 * MS;
        slot.lend(at).await;
        assert!(Instant::now() >= at);
    }

    #[tokio::test]
    async fn a_later_deadline_moves_an_armed_timer_and_a_second_loan_gets_its_own() {
        let slot = Slot::default();
        let start = Instant::now();
        let first = slot.lend(start + 30 * MS);
        // A concurrent request (HTTP/2) gets a timer of its own.
        let second = slot.lend(start + 60 * MS);
        assert!(slot.0.lock().unwrap().is_none(), "both lent");
        // Work that finishes in time leaves the timer armed: polled once, then given back.
        let mut first = first;
        let quick = tokio::time::timeout(MS, &mut first).await;
        assert!(quick.is_err(), "not due yet");
        drop(first);
        drop(second);
        // The next loan moves the armed timer to a later deadline: it must not fire at the
        // old one.
        let later = start + 80 * MS;
        slot.lend(later).await;
        assert!(Instant::now() >= later);
    }
}
