//! The units in DynamoDB, a tree to a partition: each province (of today's map, or before
//! 1/7/2025) with everything under it, and the changes of its areas beside it. A process
//! reads only the trees its requests touch: a Lambda instance's cold start reads its
//! caller's province, never the country.

use super::items::{self, Item};
use super::{DynamoStore, MAX_BATCH_WRITE, backoff, build, capacity, sdk};
use crate::store::{StoreError, UnitStore};
use aws_sdk_dynamodb::types::{DeleteRequest, PutRequest, WriteRequest};
use domain::enrol::AuditEvent;
use domain::{AreaRecord, EventId, Unit, UnitId, UnitTree};
use std::collections::BTreeMap;

/// The partitions of the layout before the trees were kept apart.
const OLD_UNITS: &str = "UNITS";
const OLD_AREAS: &str = "AREAS";

impl DynamoStore {
    /// Puts items in batches (not atomic: loading units is an operator's command, run again
    /// until it says it is done).
    async fn put_all(&self, puts: Vec<Item>) -> Result<(), StoreError> {
        // One put a key (a batch may not hold a key twice): the last one.
        let by_key: BTreeMap<(String, String), Item> = (puts.into_iter())
            .map(|item| {
                let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
                ((text("pk"), text("sk")), item)
            })
            .collect();
        let requests: Vec<WriteRequest> = by_key
            .into_values()
            .map(|item| {
                self.meter.write(capacity::item_size(&item));
                let put = PutRequest::builder().set_item(Some(item)).build().map_err(build)?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<Result<_, StoreError>>()?;
        self.write_batches(requests).await
    }

    /// Sends writes in batches, again for those DynamoDB left unprocessed.
    async fn write_batches(&self, requests: Vec<WriteRequest>) -> Result<(), StoreError> {
        for batch in requests.chunks(MAX_BATCH_WRITE) {
            let mut pending = batch.to_vec();
            let mut attempt = 0;
            while !pending.is_empty() {
                let output =
                    self.client.batch_write_item().request_items(&self.table, pending).send().await.map_err(sdk)?;
                pending = output.unprocessed_items().and_then(|u| u.get(&self.table)).cloned().unwrap_or_default();
                if !pending.is_empty() {
                    backoff(attempt).await;
                    attempt += 1;
                }
            }
        }
        Ok(())
    }

    /// The tree each of `units` is kept in: its own for a unit without a parent, else its
    /// parent's (listed before it, or stored).
    async fn trees_of(&self, units: &[Unit]) -> Result<Vec<UnitId>, StoreError> {
        let mut roots: BTreeMap<UnitId, UnitId> = BTreeMap::new();
        let mut placed = Vec::with_capacity(units.len());
        for unit in units {
            let root = match &unit.parent {
                None => unit.id.clone(),
                Some(parent) => match roots.get(parent) {
                    Some(root) => root.clone(),
                    None => self
                        .root_of(parent)
                        .await?
                        .ok_or_else(|| StoreError(format!("unit {}: its parent {parent} is not stored", unit.id)))?,
                },
            };
            roots.insert(unit.id.clone(), root.clone());
            placed.push(root);
        }
        Ok(placed)
    }

    /// Moves a table written by a build before the trees were kept apart (every unit in
    /// one `UNITS` partition, every change of an area in one `AREAS` partition) to the
    /// layout of [`items`]: the units not moved yet added tree by tree in their order,
    /// each change put in its tree's partition and by its id, then the old items deleted,
    /// the changes first. A move cut short is taken up again by the next run (roots are
    /// found from both layouts). Run by `sotay-local` before any command over DynamoDB; a
    /// table already moved (or new) costs two empty queries. Returns how many old items
    /// it moved.
    pub async fn move_to_trees(&self) -> Result<usize, StoreError> {
        let old = self.query(OLD_UNITS.into(), None, true).await?;
        let changes = self.query(OLD_AREAS.into(), None, true).await?;
        if old.is_empty() && changes.is_empty() {
            return Ok(0);
        }
        let corrupt = || StoreError("corrupt unit of the old layout".into());
        let units: Vec<Unit> = (old.iter())
            .map(|item| serde_json::from_str(items::text(item, "unit")?).map_err(|_| corrupt()))
            .collect::<Result<_, _>>()?;
        let records: Vec<AreaRecord> = changes.iter().map(items::area_of).collect::<Result<_, _>>()?;
        let mut known = self.units().await?;
        let moved: std::collections::BTreeSet<UnitId> = known.iter().map(|u| u.id.clone()).collect();
        let missing: Vec<Unit> = units.iter().filter(|u| !moved.contains(&u.id)).cloned().collect();
        if !missing.is_empty() {
            self.add_units(&missing).await?;
        }
        known.extend(missing);
        let mut filed = self.area_events().await?;
        filed.retain(|f| records.iter().all(|r| r.event.id != f.event.id));
        filed.extend(records.iter().cloned());
        let roots = crate::store::roots_of(&known, &filed);
        let mut puts = Vec::new();
        for record in &records {
            let place = record.event.place();
            let root = roots.get(place).ok_or_else(|| StoreError(format!("unknown unit `{place}`")))?;
            puts.extend(items::area_items(root, record));
            puts.extend(record.event.new_areas().iter().map(|area| items::unit_root_item(area, root)));
        }
        self.put_all(puts).await?;
        let keys = |items: &[Item]| -> Result<Vec<Item>, StoreError> {
            (items.iter())
                .map(|item| Ok(items::key(items::text(item, "pk")?.into(), items::text(item, "sk")?.into())))
                .collect()
        };
        self.delete_all(keys(&changes)?).await?;
        self.delete_all(keys(&old)?).await?;
        Ok(old.len() + changes.len())
    }

    /// Deletes items by their keys, in batches.
    async fn delete_all(&self, keys: Vec<Item>) -> Result<(), StoreError> {
        let requests = (keys.into_iter())
            .map(|key| {
                let delete = DeleteRequest::builder().set_key(Some(key)).build().map_err(build)?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<_, StoreError>>()?;
        self.write_batches(requests).await
    }

    /// The items of one tree's units, in order.
    async fn unit_items(&self, root: &UnitId) -> Result<Vec<(u32, Vec<Unit>)>, StoreError> {
        self.query(items::units_pk(root), None, true).await?.iter().map(items::units_of).collect()
    }
}

impl UnitStore for DynamoStore {
    const SHARED: bool = true;

    async fn units(&self) -> Result<Vec<Unit>, StoreError> {
        let mut units = Vec::new();
        for root in self.roots().await? {
            units.extend(self.units_of(&root).await?);
        }
        Ok(units)
    }

    /// Appends each tree's new units to its last item, then in new items; each unit's
    /// tree is noted beside it.
    async fn add_units(&self, units: &[Unit]) -> Result<(), StoreError> {
        let roots = self.trees_of(units).await?;
        let mut by_tree: BTreeMap<&UnitId, Vec<Unit>> = BTreeMap::new();
        let mut puts = Vec::with_capacity(units.len() + 1);
        for (unit, root) in units.iter().zip(&roots) {
            by_tree.entry(root).or_default().push(unit.clone());
            puts.push(items::unit_root_item(&unit.id, root));
        }
        for (root, new) in by_tree {
            puts.push(items::root_item(root));
            let stored = self.unit_items(root).await?;
            let (mut number, mut last) = match stored.into_iter().last() {
                Some((number, units)) if units.len() < items::UNITS_PER_ITEM => (number, units),
                Some((number, _)) => (number + 1, vec![]),
                None => (0, vec![]),
            };
            for unit in new {
                if last.len() == items::UNITS_PER_ITEM {
                    puts.push(items::units_item(root, number, &std::mem::take(&mut last)));
                    number += 1;
                }
                last.push(unit);
            }
            puts.push(items::units_item(root, number, &last));
        }
        self.put_all(puts).await
    }

    /// Each in its place: the items holding them written anew.
    async fn replace_units(&self, units: &[Unit]) -> Result<(), StoreError> {
        let mut by_id: BTreeMap<&UnitId, &Unit> = units.iter().map(|u| (&u.id, u)).collect();
        let mut puts = Vec::new();
        let roots: std::collections::BTreeSet<UnitId> = self.trees_of(units).await?.into_iter().collect();
        for root in &roots {
            for (number, mut held) in self.unit_items(root).await? {
                let mut changed = false;
                for stored in &mut held {
                    if let Some(unit) = by_id.remove(&stored.id) {
                        *stored = unit.clone();
                        changed = true;
                    }
                }
                if changed {
                    puts.push(items::units_item(root, number, &held));
                }
            }
        }
        if let Some(id) = by_id.keys().next() {
            return Err(StoreError(format!("unit {id} is not stored: nothing replaced")));
        }
        self.put_all(puts).await
    }

    async fn area_events(&self) -> Result<Vec<AreaRecord>, StoreError> {
        let mut events = Vec::new();
        for root in self.roots().await? {
            events.extend(self.area_events_of(&root).await?);
        }
        Ok(events)
    }

    async fn area_event(&self, id: &EventId) -> Result<Option<AreaRecord>, StoreError> {
        let (pk, sk) = items::area_key(id);
        self.get(&pk, &sk).await?.as_ref().map(items::area_of).transpose()
    }

    async fn file_area_event(
        &self,
        tree: &UnitTree,
        record: &AreaRecord,
        audit: &AuditEvent,
    ) -> Result<AreaRecord, StoreError> {
        let place = record.event.place();
        let root = match tree.get(place) {
            Ok(_) => tree.self_and_ancestors(place).pop(),
            Err(_) => self.root_of(place).await?,
        };
        let root = root.ok_or_else(|| StoreError(format!("unknown unit `{place}`")))?;
        let mut writes = Vec::new();
        for item in items::area_items(&root, record) {
            writes.push(self.put_if_new(item)?);
        }
        // Each area it makes is found in its tree from now on; an id taken in another
        // tree fails the whole change.
        for area in record.event.new_areas() {
            writes.push(self.put_if_new(items::unit_root_item(&area, &root))?);
        }
        writes.extend(self.audit_puts(tree, audit)?);
        if self.transact(writes).await? {
            return Ok(record.clone());
        }
        // Its id was taken (a repeat whose answer was lost, say): answer what is stored.
        match self.area_event(&record.event.id).await? {
            Some(earlier) => Ok(earlier),
            None => Err(StoreError("a change of an area could not be filed; try again".into())),
        }
    }

    async fn roots(&self) -> Result<Vec<UnitId>, StoreError> {
        let corrupt = |_| StoreError("corrupt root".into());
        (self.query(items::ROOTS.into(), None, true).await?.iter())
            .map(|item| UnitId::new(items::text(item, "sk")?).map_err(corrupt))
            .collect()
    }

    async fn root_of(&self, id: &UnitId) -> Result<Option<UnitId>, StoreError> {
        let (pk, sk) = items::unit_root_key(id);
        let Some(item) = self.get(&pk, &sk).await? else { return Ok(None) };
        UnitId::new(items::text(&item, "root")?).map(Some).map_err(|_| StoreError("corrupt root".into()))
    }

    async fn units_of(&self, root: &UnitId) -> Result<Vec<Unit>, StoreError> {
        Ok(self.unit_items(root).await?.into_iter().flat_map(|(_, units)| units).collect())
    }

    async fn area_events_of(&self, root: &UnitId) -> Result<Vec<AreaRecord>, StoreError> {
        self.query(items::areas_pk(root), None, true).await?.iter().map(items::area_of).collect()
    }
}
