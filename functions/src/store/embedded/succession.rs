//! Succession in the embedded store: the old device revoked, the new one enrolled, the
//! audit event and the read of the old device's cells, all in one redb write transaction.
//! A sync of the old device commits before it (and its cells are read) or finds the device
//! revoked inside its own transaction and lands nothing, so the cells returned are final.

use super::access::{file, read_device, write_device};
use super::{COUNTERS, EmbeddedStore, cells_of_device};
use crate::store::{NewDevice, StoreError, SuccessionStore};
use domain::enrol::DeviceSummary;
use domain::{AccessError, CounterCell, DeviceId, UnitTree};
use redb::ReadableDatabase;

impl SuccessionStore for EmbeddedStore {
    async fn succeed_device(
        &self,
        tree: &UnitTree,
        old: &DeviceId,
        new: &NewDevice,
    ) -> Result<Result<(DeviceSummary, Vec<CounterCell>), AccessError>, StoreError> {
        let (tree, old, new) = (tree.clone(), old.clone(), new.clone());
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            let Some(mut record) = read_device(&txn, old.as_str())? else { return Ok(Err(AccessError::UnknownDevice)) };
            if record.summary.revoked_at_ms.is_some() || record.summary.voided_at_ms.is_some() {
                return Ok(Err(AccessError::Revoked));
            }
            let successor = new.succeeding(&record.summary);
            record.summary.revoked_at_ms = Some(new.now_ms);
            record.summary.replaced_by = Some(successor.summary.device.clone());
            write_device(&txn, &record)?;
            write_device(&txn, &successor)?;
            file(&txn, &tree, &NewDevice::succession_event(&record.summary, &successor.summary))?;
            let cells = cells_of_device(&txn.open_table(COUNTERS)?, &old)?;
            txn.commit()?;
            Ok(Ok((successor.summary, cells)))
        })
        .await
    }

    async fn device_cells(&self, id: &DeviceId) -> Result<Vec<CounterCell>, StoreError> {
        let id = id.clone();
        self.blocking(move |db| {
            let txn = db.begin_read()?;
            cells_of_device(&txn.open_table(COUNTERS)?, &id)
        })
        .await
    }
}
