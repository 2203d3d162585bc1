//! `Ctx`: what an operation runs against — the caller's account and the plugged-in parts.

use crate::traits::{Catalog, ItemStore, Throttler};
use std::sync::Arc;

/// The parts an operation uses, and who it runs for.
#[derive(Clone)]
pub struct Ctx {
    /// Table metadata.
    pub catalog: Arc<dyn Catalog>,
    /// Items.
    pub store: Arc<dyn ItemStore>,
    /// Rate limiting.
    pub throttler: Arc<dyn Throttler>,
    /// The caller's account (12 digits).
    pub account_id: String,
    /// Region used in ARNs.
    pub region: String,
    /// Delay before CREATING → ACTIVE and DELETING → gone; zero makes transitions immediate.
    pub control_plane_delay: std::time::Duration,
}
