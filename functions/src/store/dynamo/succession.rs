//! Succession in DynamoDB: one transaction revokes the old device (on the condition that
//! it is not revoked yet, noting its successor), puts the new one (on the condition that
//! its id is new) and files the audit event; then the old device's cell items are read,
//! strongly consistent. A sync of the old device already past its token check when the
//! revocation lands may still write after that read (see ARCHITECTURE.md's invariants).
//! A try whose answer was lost is recognised on the next read by the successor it noted.

use super::access::DEVICES;
use super::items::{self, n, s};
use super::retry::backoff;
use super::{DynamoStore, MAX_ATTEMPTS, build};
use crate::store::{AccessStore, NewDevice, StoreError, SuccessionStore};
use aws_sdk_dynamodb::types::TransactWriteItem;
use domain::enrol::DeviceSummary;
use domain::{AccessError, CounterCell, DeviceId, UnitTree};

impl SuccessionStore for DynamoStore {
    async fn succeed_device(
        &self,
        tree: &UnitTree,
        old: &DeviceId,
        new: &NewDevice,
    ) -> Result<Result<(DeviceSummary, Vec<CounterCell>), AccessError>, StoreError> {
        let mut landed = None;
        for attempt in 0..MAX_ATTEMPTS {
            let Some(found) = self.device(old).await? else { return Ok(Err(AccessError::UnknownDevice)) };
            let successor = new.succeeding(&found.summary);
            if found.summary.revoked_at_ms.is_some() || found.summary.voided_at_ms.is_some() {
                if found.summary.replaced_by.as_ref() == Some(&new.device) {
                    landed = Some(successor.summary);
                    break;
                }
                return Ok(Err(AccessError::Revoked));
            }
            let revoke = self
                .update(DEVICES, old.as_str())
                .update_expression("SET revoked_at = :at, replaced_by = :to")
                .condition_expression("attribute_exists(pk) AND attribute_not_exists(revoked_at)")
                .expression_attribute_values(":at", n(new.now_ms))
                .expression_attribute_values(":to", s(new.device.to_string()))
                .build()
                .map_err(build)?;
            let mut writes =
                vec![TransactWriteItem::builder().update(revoke).build(), self.new_device_put(&successor)?];
            writes.extend(self.audit_puts(tree, &NewDevice::succession_event(&found.summary, &successor.summary))?);
            if self.transact(writes).await? {
                landed = Some(successor.summary);
                break;
            }
            backoff(attempt).await;
        }
        let Some(summary) = landed else {
            return Err(StoreError(format!("succession not written after {MAX_ATTEMPTS} attempts (contention)")));
        };
        Ok(Ok((summary, self.device_cells(old).await?)))
    }

    /// One strongly consistent query of the device's partition (`DEV#{device}`).
    async fn device_cells(&self, id: &DeviceId) -> Result<Vec<CounterCell>, StoreError> {
        let mut cells = Vec::new();
        for item in self.query(format!("DEV#{id}"), None, true).await? {
            cells.extend(items::counter_cells_of(id, &item)?);
        }
        cells.sort_by_key(CounterCell::key);
        Ok(cells)
    }
}
