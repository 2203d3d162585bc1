//! Building blocks of TransactWriteItems and TransactGetItems: the actions' shapes and checks
//! (`actions`) and the all-or-nothing decision run inside the store's write transaction
//! (`decide`), and running them as one store transaction (`run`).

pub mod actions;
pub mod decide;
pub mod run;

#[cfg(test)]
mod tests;
