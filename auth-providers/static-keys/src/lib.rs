//! Example provider (filled in below).
