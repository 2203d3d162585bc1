//! When a control-plane state (CREATING, UPDATING, DELETING of a table or an index) is over:
//! after the `control_plane_delay_seconds` setting in force.

use crate::context::Ctx;

/// Whether a state entered at `since` (seconds since the epoch) is over by `now`.
pub fn due(ctx: &Ctx, since: f64, now: f64) -> bool {
    now >= since + ctx.control_plane_delay().as_secs_f64()
}
