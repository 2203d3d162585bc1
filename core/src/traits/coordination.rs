//! `Coordination`: what the server processes over one store agree on — which process runs
//! each background job, and how many processes serve (throttling divides the capacity by it).
//!
//! A backend that several processes share (PostgreSQL) implements it with locks that the
//! database releases when a process dies; a store only one process can open (the embedded
//! one) has nothing to agree on and uses `Alone`. The answers are read on the request path
//! and by every worker loop, so they are plain reads of state the implementation keeps
//! current in the background.
//!
//! Exclusivity is for efficiency, not correctness: every background step is already safe
//! when two processes run it at once (each re-checks what it changes inside its own store
//! transaction or through `Catalog::update_table`), so the short overlap a lost connection can
//! cause — the old holder learns of the loss a little after the database released its lock —
//! costs duplicate work at most.

/// The background jobs of which one process at a time runs each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    /// Applying queued GSI writes once due (`background::gsi_propagation`).
    GsiPropagation,
    /// Filling new GSIs (`background::gsi_backfill`).
    GsiBackfill,
    /// Deleting expired items (`background::ttl_sweep`).
    TtlSweeper,
    /// Deleting expired ClientRequestToken records (`background::idempotency_sweep`).
    TokenSweeper,
    /// Retiring deleted tables and indexes and dropping their storage
    /// (`background::table_reaper`).
    TableReaper,
    /// Trimming stream records past their retention and retiring streams disabled more than
    /// 24 hours ago (`background::stream_trim::trim_all`).
    StreamTrimmer,
    /// Ordering committed stream records into their logs in the background
    /// (`background::stream_trim::sequence_all`). Not needed for correctness on one process:
    /// PostgreSQL's sequencer serializes on a per-log lock and readers sequence before reading;
    /// one runner keeps several servers from contending for those locks every second.
    StreamSequencer,
}

impl Job {
    /// Every job.
    pub const ALL: [Job; 7] = [
        Job::GsiPropagation,
        Job::GsiBackfill,
        Job::TtlSweeper,
        Job::TokenSweeper,
        Job::TableReaper,
        Job::StreamTrimmer,
        Job::StreamSequencer,
    ];

    /// The job's name in logs and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Job::GsiPropagation => "gsi_propagation",
            Job::GsiBackfill => "gsi_backfill",
            Job::TtlSweeper => "ttl_sweeper",
            Job::TokenSweeper => "token_sweeper",
            Job::TableReaper => "table_reaper",
            Job::StreamTrimmer => "stream_trimmer",
            Job::StreamSequencer => "stream_sequencer",
        }
    }

    /// A small number unique to the job (its place in `ALL`), for backends' lock keys.
    pub fn id(self) -> u8 {
        match self {
            Job::GsiPropagation => 0,
            Job::GsiBackfill => 1,
            Job::TtlSweeper => 2,
            Job::TokenSweeper => 3,
            Job::TableReaper => 4,
            Job::StreamTrimmer => 5,
            Job::StreamSequencer => 6,
        }
    }
}

/// Agreement between the processes serving one store.
pub trait Coordination: Send + Sync {
    /// Whether this process runs `job` now. A worker asks before every step; the answer
    /// turns true within seconds of the job's previous runner dying, and false as soon as
    /// this process can no longer be sure it holds the job.
    fn runs(&self, job: Job) -> bool;

    /// How many server processes serve this store now, this one included (at least 1).
    fn servers(&self) -> u32;
}

/// The only process over its store: runs every job, alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct Alone;

impl Coordination for Alone {
    fn runs(&self, _: Job) -> bool {
        true
    }

    fn servers(&self) -> u32 {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_places_and_names_unique() {
        for (i, job) in Job::ALL.iter().enumerate() {
            assert_eq!(usize::from(job.id()), i);
            assert!(Alone.runs(*job));
        }
        let mut names: Vec<_> = Job::ALL.iter().map(|j| j.name()).collect();
        names.dedup();
        assert_eq!(names.len(), Job::ALL.len());
        assert_eq!(Alone.servers(), 1);
    }
}
