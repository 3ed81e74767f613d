//! The units a process knows. Over the embedded file (one process) the whole tree, read
//! at start and kept up to date by the changes this process files. Over DynamoDB (many
//! Lambda instances), a tree at a time, each read when a request first names a unit of it
//! ([`UnitStore::root_of`], [`UnitStore::units_of`]) with the trees its units carry on
//! (a province of today's map, those merged into it on 1/7/2025): a cold start reads its
//! caller's province, never the country; and read again when older than
//! [`TREE_MAX_AGE_MS`], since another instance may have changed an area meanwhile.

use super::AppState;
use crate::ApiError;
use crate::store::{StoreError, UnitStore};
use domain::{AreaChange, AreaRecord, Unit, UnitId, UnitTree};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// How long a process works with a tree it read from a shared store
/// ([`UnitStore::SHARED`]) before reading it again. A request naming a unit this process
/// does not know reads its tree at once ([`AppState::tree_knowing`]).
pub const TREE_MAX_AGE_MS: u64 = 60_000;

/// How old a tree must be before a request naming a unit it lacks reads it again.
pub const MISS_RELOAD_MS: u64 = 1_000;

/// How many unknown ids of one request are looked up: more are taken as unknown, so a
/// request naming many made-up ids costs a few reads, not one per id.
const MAX_LOOKUPS: usize = 8;

/// What a process knows, and the tree it makes.
pub(super) struct Known {
    tree: Arc<UnitTree>,
    /// The tree the state was given (the embedded store's whole tree, or a test's).
    given: Vec<Unit>,
    /// The trees read from a shared store, by root.
    read: BTreeMap<UnitId, Read>,
}

/// One tree as read, and when its reading began (by the state's clock).
#[derive(Clone)]
struct Read {
    units: Vec<Unit>,
    events: Vec<AreaRecord>,
    at_ms: u64,
}

impl Known {
    pub(super) fn given(tree: UnitTree) -> Self {
        let given = tree.units().cloned().collect();
        Known { tree: Arc::new(tree), given, read: BTreeMap::new() }
    }

    /// The tree of the given units and those read, the areas' changes applied.
    fn build(&self) -> Result<UnitTree, StoreError> {
        let read: BTreeSet<&UnitId> = self.read.values().flat_map(|r| r.units.iter().map(|u| &u.id)).collect();
        let given = self.given.iter().filter(|u| !read.contains(&u.id)).cloned();
        let units: Vec<Unit> = given.chain(self.read.values().flat_map(|r| r.units.iter().cloned())).collect();
        let events: Vec<AreaRecord> = self.read.values().flat_map(|r| r.events.iter().cloned()).collect();
        UnitTree::new(domain::area::units_with(units, &events, None))
            .map_err(|e| StoreError(format!("stored tree is inconsistent: {e}")))
    }
}

impl<S: UnitStore> AppState<S> {
    fn known(&self) -> std::sync::RwLockReadGuard<'_, Known> {
        self.known.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The tree as known; over a shared store, the trees older than [`TREE_MAX_AGE_MS`]
    /// read again.
    pub async fn tree(&self) -> Result<Arc<UnitTree>, ApiError> {
        self.tree_knowing([]).await
    }

    /// The tree, knowing `units` if they exist: over a shared store, the tree of each one
    /// it lacks is read (again, if older than [`MISS_RELOAD_MS`]: an area another instance
    /// created), and the trees older than [`TREE_MAX_AGE_MS`] again.
    pub async fn tree_knowing<'a>(
        &self,
        units: impl IntoIterator<Item = &'a UnitId>,
    ) -> Result<Arc<UnitTree>, ApiError> {
        if !S::SHARED {
            return Ok(Arc::clone(&self.known().tree));
        }
        let now = self.now_ms();
        let (tree, mut wanted, lacking, ages) = {
            let known = self.known();
            let stale = known.read.iter().filter(|(_, r)| now.saturating_sub(r.at_ms) >= TREE_MAX_AGE_MS);
            let lacking: BTreeSet<&UnitId> = units.into_iter().filter(|u| known.tree.get(u).is_err()).collect();
            let lacking: Vec<UnitId> = lacking.into_iter().take(MAX_LOOKUPS).cloned().collect();
            let ages: BTreeMap<UnitId, u64> =
                known.read.iter().map(|(root, r)| (root.clone(), now.saturating_sub(r.at_ms))).collect();
            (Arc::clone(&known.tree), stale.map(|(root, _)| root.clone()).collect::<BTreeSet<_>>(), lacking, ages)
        };
        for unit in &lacking {
            if let Some(root) = self.store.root_of(unit).await?
                && ages.get(&root).is_none_or(|age| *age >= MISS_RELOAD_MS)
            {
                wanted.insert(root);
            }
        }
        if wanted.is_empty() {
            return Ok(tree);
        }
        self.read_trees(wanted).await
    }

    /// The tree with the trees of `units` read again from the store, and the trees they
    /// carry on (where a change merging into one of their areas may be filed), before or
    /// after this process files a change of an area in one.
    pub async fn reload_knowing<'a>(
        &self,
        units: impl IntoIterator<Item = &'a UnitId>,
    ) -> Result<Arc<UnitTree>, ApiError> {
        if !S::SHARED {
            return self.reload().await;
        }
        let tree = Arc::clone(&self.known().tree);
        let mut roots = BTreeSet::new();
        for unit in units {
            let root = match tree.self_and_ancestors(unit).pop() {
                Some(root) if tree.get(unit).is_ok() => Some(root),
                _ => self.store.root_of(unit).await?,
            };
            roots.extend(root);
        }
        let carried: BTreeSet<UnitId> = {
            let known = self.known();
            let units = roots.iter().filter_map(|root| known.read.get(root)).flat_map(|read| &read.units);
            let before = units.flat_map(|u| &u.succeeds).filter_map(|id| tree.self_and_ancestors(id).pop());
            before.collect()
        };
        roots.extend(carried);
        self.read_trees(roots).await
    }

    /// The tree read again: over the embedded file, whole (a store holding no units keeps
    /// the tree the state was given); over a shared store, every tree this process knows.
    pub async fn reload(&self) -> Result<Arc<UnitTree>, ApiError> {
        if S::SHARED {
            let roots = self.known().read.keys().cloned().collect();
            return self.read_trees(roots).await;
        }
        let Some(tree) = crate::store::stored_tree(&self.store).await? else {
            return Ok(Arc::clone(&self.known().tree));
        };
        let mut known = self.known.write().unwrap_or_else(|e| e.into_inner());
        *known = Known::given(tree);
        Ok(Arc::clone(&known.tree))
    }

    /// Reads the trees under `roots`, and those their units carry on that this process
    /// does not know (the provinces merged into a province of today's map: named by it, so
    /// found by one lookup each), and makes the tree anew with them.
    async fn read_trees(&self, roots: BTreeSet<UnitId>) -> Result<Arc<UnitTree>, ApiError> {
        let tree = Arc::clone(&self.known().tree);
        let mut read: BTreeMap<UnitId, Read> = BTreeMap::new();
        let (mut queue, mut looked_up) = (roots, BTreeSet::new());
        while let Some(root) = queue.pop_first() {
            // Its age counts from before the reads: a change filed meanwhile may be missing.
            let at_ms = self.now_ms();
            let units = self.store.units_of(&root).await?;
            let events = self.store.area_events_of(&root).await?;
            read.insert(root, Read { units, events, at_ms });
            let lacking: Vec<UnitId> = {
                let held: BTreeSet<&UnitId> = read.values().flat_map(|r| r.units.iter().map(|u| &u.id)).collect();
                let carried = read.values().flat_map(|r| r.units.iter().flat_map(|u| u.succeeds.iter()));
                // An area merged into one of another tree (across the wards of one home).
                let merged_into = read.values().flat_map(|r| r.events.iter()).filter_map(|r| match &r.event.change {
                    AreaChange::Merge { into } => Some(into),
                    _ => None,
                });
                carried
                    .chain(merged_into)
                    .filter(|id| !held.contains(id) && tree.get(id).is_err() && !looked_up.contains(*id))
                    .cloned()
                    .collect()
            };
            // One at a time: the first tree found holds most of the others.
            for before in lacking {
                if !queue.is_empty() {
                    break;
                }
                if looked_up.insert(before.clone())
                    && let Some(root) = self.store.root_of(&before).await?
                    && !read.contains_key(&root)
                {
                    queue.insert(root);
                }
            }
        }
        // Kept only if the tree builds; a tree read since by another request is not
        // replaced by an older reading.
        let mut known = self.known.write().unwrap_or_else(|e| e.into_inner());
        let mut next = Known { tree: Arc::clone(&known.tree), given: known.given.clone(), read: known.read.clone() };
        for (root, tree) in read {
            if next.read.get(&root).is_none_or(|kept| kept.at_ms <= tree.at_ms) {
                next.read.insert(root, tree);
            }
        }
        next.tree = Arc::new(next.build()?);
        *known = next;
        Ok(Arc::clone(&known.tree))
    }
}
