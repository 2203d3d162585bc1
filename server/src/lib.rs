//! extenddb HTTP(S) server.
