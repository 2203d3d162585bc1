//! `Grant`: what `BucketThrottler::admit_grant` found for a claim — the bucket groups it drew
//! from and the partition bucket's slot — handed to `charge_grant` so a request finds each
//! bucket once. Up to `INLINE` groups (a table and two GSIs) are held without allocating.

use super::group::{Group, Slot};
use smallvec::SmallVec;
use std::sync::Arc;

/// Groups a grant holds without allocating.
const INLINE: usize = 3;

/// One group a claim drew from, and where its partition bucket sits (if it had one).
#[derive(Debug)]
pub(crate) struct Mark {
    pub(crate) group: Arc<Group>,
    pub(crate) slot: Option<Slot>,
}

/// The buckets a claim was admitted on, for charging it after the operation. Opaque: only
/// core's `BucketThrottler` fills one; an empty grant (`Grant::default()`) makes a charge
/// look its buckets up, as a grant of another claim's would.
#[derive(Default)]
pub struct Grant {
    marks: SmallVec<[Mark; INLINE]>,
}

impl std::fmt::Debug for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grant")
            .field("groups", &self.marks.len())
            .finish()
    }
}

impl Grant {
    /// The mark of the group of `resource_id` in direction `write`, added with `find` (a
    /// look-up) when the grant does not hold it yet.
    pub(crate) fn mark(
        &mut self,
        resource_id: u64,
        write: bool,
        find: impl FnOnce() -> Arc<Group>,
    ) -> &mut Mark {
        let held = self
            .marks
            .iter()
            .position(|m| m.group.resource_id == resource_id && m.group.write == write);
        let i = match held {
            Some(i) => i,
            None => {
                self.marks.push(Mark {
                    group: find(),
                    slot: None,
                });
                self.marks.len() - 1
            }
        };
        &mut self.marks[i]
    }

    /// Whether the grant allocated (more than `INLINE` groups), for tests.
    #[cfg(test)]
    pub(crate) fn spilled(&self) -> bool {
        self.marks.spilled()
    }
}
