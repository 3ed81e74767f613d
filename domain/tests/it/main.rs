//! Integration tests of the domain crate: merge laws and exactly-once totals as
//! properties against a reference model, and golden vectors of the wire format.

mod golden;
mod merge_laws;
mod totals;
mod voids;
