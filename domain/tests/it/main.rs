//! Integration tests of the domain crate: merge laws and exactly-once totals as
//! properties against a reference model, typed numbers as properties, and golden vectors
//! of the wire format.

mod backup;
mod copies;
mod golden;
mod ledger_format;
mod merge_laws;
mod models;
mod numbers;
mod reorganised;
mod restores;
mod totals;
mod voids;
