//! Capacity units, computed from item sizes by DynamoDB's documented rules (moto, the
//! test stand-in, reports none for transactions, so the store counts them itself):
//! an item's size is the UTF-8 length of its attribute names plus their values (a
//! number takes about one byte per two significant digits, plus one); a write costs one
//! unit per started KB, twice that inside a transaction; a strongly consistent read
//! costs one unit per started 4 KB (a missing item still costs one); a query one unit
//! per started 4 KB of all the items it read; an eventually consistent read half that.
//!
//! Beside its own count the meter sums what the service reports (`ReturnConsumedCapacity`):
//! on AWS that is the bill, to check the count against; moto reports nothing for
//! transactions and flat figures for queries and updates, and agrees for `BatchGetItem`.

use super::items::Item;
use aws_sdk_dynamodb::types::{AttributeValue, ConsumedCapacity};
use std::sync::atomic::{AtomicU64, Ordering};

/// The size DynamoDB bills for an item.
pub fn item_size(item: &Item) -> u64 {
    item.iter().map(|(name, value)| name.len() as u64 + value_size(value)).sum()
}

fn value_size(value: &AttributeValue) -> u64 {
    match value {
        AttributeValue::S(s) => s.len() as u64,
        AttributeValue::N(n) => {
            let digits = n.trim_start_matches('-').replace('.', "");
            let significant = digits.trim_start_matches('0').trim_end_matches('0').len().max(1) as u64;
            significant.div_ceil(2) + 1
        }
        AttributeValue::B(b) => b.as_ref().len() as u64,
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::M(m) => 3 + m.iter().map(|(k, v)| k.len() as u64 + 1 + value_size(v)).sum::<u64>(),
        AttributeValue::L(l) => 3 + l.iter().map(|v| 1 + value_size(v)).sum::<u64>(),
        _ => 0,
    }
}

/// Units consumed so far by one store.
#[derive(Debug, Default)]
pub struct Meter {
    /// Read units × 2, so that eventually consistent half units stay whole.
    half_reads: AtomicU64,
    writes: AtomicU64,
    /// What the service reported, in thousandths of a unit.
    reported_milli_reads: AtomicU64,
    reported_milli_writes: AtomicU64,
}

/// A reading of the meter.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Consumed {
    /// Read capacity units.
    pub reads: f64,
    /// Write capacity units (transactional writes count double).
    pub writes: u64,
    /// Read units the service reported consumed.
    pub reported_reads: f64,
    /// Write units the service reported consumed.
    pub reported_writes: f64,
}

impl std::ops::Sub for Consumed {
    type Output = Consumed;
    /// What was consumed between two readings.
    fn sub(self, before: Consumed) -> Consumed {
        Consumed {
            reads: self.reads - before.reads,
            writes: self.writes - before.writes,
            reported_reads: self.reported_reads - before.reported_reads,
            reported_writes: self.reported_writes - before.reported_writes,
        }
    }
}

impl Meter {
    pub fn transactional_write(&self, item_sizes: impl IntoIterator<Item = u64>) {
        let units: u64 = item_sizes.into_iter().map(|size| 2 * size.div_ceil(1024).max(1)).sum();
        self.writes.fetch_add(units, Ordering::Relaxed);
    }

    pub fn write(&self, item_size: u64) {
        self.writes.fetch_add(item_size.div_ceil(1024).max(1), Ordering::Relaxed);
    }

    /// One item asked for by key; `None` when it does not exist.
    pub fn point_read(&self, item_size: Option<u64>) {
        self.half_reads.fetch_add(2 * item_size.map_or(1, |s| s.div_ceil(4096).max(1)), Ordering::Relaxed);
    }

    /// One query page of items totalling `bytes`, strongly or eventually consistent.
    pub fn query_page(&self, bytes: u64, consistent: bool) {
        let units = bytes.div_ceil(4096).max(1);
        self.half_reads.fetch_add(if consistent { 2 * units } else { units }, Ordering::Relaxed);
    }

    /// What the service reported for one read request.
    pub fn reported_read<'a>(&self, reported: impl IntoIterator<Item = &'a ConsumedCapacity>) {
        self.reported_milli_reads.fetch_add(milli_units(reported), Ordering::Relaxed);
    }

    /// What the service reported for one write request.
    pub fn reported_write<'a>(&self, reported: impl IntoIterator<Item = &'a ConsumedCapacity>) {
        self.reported_milli_writes.fetch_add(milli_units(reported), Ordering::Relaxed);
    }

    pub fn reading(&self) -> Consumed {
        let half_reads = self.half_reads.load(Ordering::Relaxed);
        let units = |milli: &AtomicU64| milli.load(Ordering::Relaxed) as f64 / 1000.0;
        Consumed {
            reads: half_reads as f64 / 2.0,
            writes: self.writes.load(Ordering::Relaxed),
            reported_reads: units(&self.reported_milli_reads),
            reported_writes: units(&self.reported_milli_writes),
        }
    }
}

fn milli_units<'a>(reported: impl IntoIterator<Item = &'a ConsumedCapacity>) -> u64 {
    let units: f64 = reported.into_iter().filter_map(|c| c.capacity_units()).sum();
    (units * 1000.0).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn sizes_follow_the_documented_rules() {
        let item: Item = HashMap::from([
            ("pk".to_string(), AttributeValue::S("TOT#p-duc-xuan".into())),
            ("total".to_string(), AttributeValue::N("8111".into())),
        ]);
        assert_eq!(item_size(&item), 2 + 14 + 5 + 3);
        let meter = Meter::default();
        meter.transactional_write([item_size(&item), 1500]);
        meter.point_read(None);
        meter.point_read(Some(5000));
        meter.query_page(100, false);
        meter.reported_read([&ConsumedCapacity::builder().capacity_units(1.5).build()]);
        let reading = meter.reading();
        assert_eq!((reading.reads, reading.writes, reading.reported_reads), (3.5, 2 + 4, 1.5));
    }
}
