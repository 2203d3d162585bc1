//! extenddb storage on redb.
