//! Secondary-index upkeep: index keys of an item, the index writes of a change, index reads, index capacity, index definitions and descriptions.

pub mod index_capacity;
pub mod index_definitions;
pub mod index_description;
pub mod index_keys;
pub mod index_maintenance;
pub mod index_read;
pub mod ttl_index;
