//! Table lifecycle and definitions: status transitions, descriptions, CreateTable validation and the parts of UpdateTable.

pub(crate) mod create_table_validation;
pub mod description_parts;
pub mod drops;
pub mod index_lifecycle;
pub mod lifecycle;
pub mod on_demand;
pub mod stream_spec;
pub mod table_description;
pub mod transition;
pub(crate) mod update_table_capacity;
pub(crate) mod update_table_indexes;
pub mod update_table_request;
