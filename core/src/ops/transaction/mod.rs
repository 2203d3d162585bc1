//! Building blocks of TransactWriteItems and TransactGetItems: the actions' shapes and checks
//! (`actions`) and the all-or-nothing decision run inside the store's write transaction
//! (`decide`).

pub mod actions;
pub mod decide;

#[cfg(test)]
mod tests;
