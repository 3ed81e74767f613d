//! Đơn vị — the administrative tree: province, (old) district, commune/ward, residential area.

use crate::{Date, DomainError, UnitId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Tier of a unit. The tree is data and may have any depth; only residential areas take entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    /// Tỉnh / thành phố trực thuộc trung ương.
    Province,
    /// Quận, huyện, thị xã, thành phố thuộc tỉnh (before 1/7/2025).
    District,
    /// Xã, đặc khu.
    Commune,
    /// Phường.
    Ward,
    /// Khu dân cư — thôn, bản, tổ dân phố.
    Area,
}

/// Đơn vị — one node of the administrative tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unit {
    pub id: UnitId,
    /// Full Vietnamese name, e.g. "Phường Đức Xuân", "Tổ 8A".
    pub name: String,
    pub level: UnitLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<UnitId>,
    /// The first day it exists (`None`: since before the app's history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub valid_from: Option<Date>,
    /// The last day it exists (`None`: it still does): a closed area takes no entries
    /// for the months after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub valid_to: Option<Date>,
    /// Kế thừa — the units before a reorganisation (1/7/2025) whose figures, models and
    /// honours this one carries on: merged into it whole, or split with it as the default
    /// successor. Their data stays where it was entered and is read under this unit too.
    /// Server-side only: the app never reads it (the server decides what a caller
    /// reaches), and leaving it out keeps its code out of the volunteer's download.
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub succeeds: Vec<UnitId>,
    /// The area that carries this one on after its last day: the one it merged into, or
    /// the first part of its split. An entry for it after that day still counts, under
    /// that area, as long as that area takes entries. Server-side only, as `succeeds`.
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried_on_by: Option<UnitId>,
}

impl Unit {
    /// A unit with no dates: it has always existed and still does.
    pub fn new(id: UnitId, name: impl Into<String>, level: UnitLevel, parent: Option<UnitId>) -> Self {
        Unit {
            id,
            name: name.into(),
            level,
            parent,
            valid_from: None,
            valid_to: None,
            #[cfg(not(target_arch = "wasm32"))]
            succeeds: vec![],
            #[cfg(not(target_arch = "wasm32"))]
            carried_on_by: None,
        }
    }

    pub fn is_area(&self) -> bool {
        self.level == UnitLevel::Area
    }

    /// Whether it still exists on `day`.
    pub fn is_open_on(&self, day: Date) -> bool {
        self.valid_to.is_none_or(|last| day <= last)
    }
}

/// Most areas one area's entries pass through to the one that takes them.
#[cfg(not(target_arch = "wasm32"))]
const MAX_CHAIN: usize = 32;

/// The whole tree, indexed for walking up (ancestors) and down (children, areas).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitTree {
    units: BTreeMap<UnitId, Unit>,
    children: BTreeMap<UnitId, Vec<UnitId>>,
    /// Unit → the units that carry it on ([`Unit::succeeds`] read backwards).
    #[cfg(not(target_arch = "wasm32"))]
    successors: BTreeMap<UnitId, Vec<UnitId>>,
    order: Vec<UnitId>,
    /// Unit → its place in `order`.
    #[cfg(not(target_arch = "wasm32"))]
    rank: BTreeMap<UnitId, usize>,
}

impl UnitTree {
    /// Builds the tree; every parent must be listed before its children.
    pub fn new(units: Vec<Unit>) -> Result<Self, DomainError> {
        let mut tree = UnitTree::default();
        for unit in units {
            if let Some(parent) = &unit.parent {
                if !tree.units.contains_key(parent) {
                    return Err(DomainError::UnknownUnit(parent.to_string()));
                }
                tree.children.entry(parent.clone()).or_default().push(unit.id.clone());
            }
            #[cfg(not(target_arch = "wasm32"))]
            for before in &unit.succeeds {
                tree.successors.entry(before.clone()).or_default().push(unit.id.clone());
            }
            #[cfg(not(target_arch = "wasm32"))]
            tree.rank.insert(unit.id.clone(), tree.order.len());
            tree.order.push(unit.id.clone());
            tree.units.insert(unit.id.clone(), unit);
        }
        Ok(tree)
    }

    /// The demo tree from the seed articles: Thành phố Bắc Kạn and some of its wards,
    /// communes and residential areas.
    pub fn demo() -> Self {
        let units: Vec<Unit> =
            serde_json::from_str(include_str!("../data/demo-units.json")).expect("demo-units.json is valid");
        UnitTree::new(units).expect("demo tree lists parents first")
    }

    /// A province of the real shape, for load tests and benchmarks: `communes` communes
    /// (`xa-001`, …) of `areas` residential areas each (`xa-001-thon-01`, …). A province
    /// has about 100 communes and 1.500 areas.
    pub fn sample_province(communes: usize, areas: usize) -> Self {
        let unit = |id: String, name: String, level, parent: Option<&UnitId>| {
            Unit::new(UnitId::new(id).expect("sample ids are slugs"), name, level, parent.cloned())
        };
        let province = unit("tinh-mau".into(), "Tỉnh Mẫu".into(), UnitLevel::Province, None);
        let mut units = vec![];
        for c in 1..=communes {
            let commune = unit(format!("xa-{c:03}"), format!("Xã số {c}"), UnitLevel::Commune, Some(&province.id));
            for a in 1..=areas {
                let id = format!("{}-thon-{a:02}", commune.id);
                units.push(unit(id, format!("Thôn {a}"), UnitLevel::Area, Some(&commune.id)));
            }
            units.insert(units.len() - areas, commune);
        }
        units.insert(0, province);
        UnitTree::new(units).expect("the sample lists parents first")
    }

    pub fn get(&self, id: &UnitId) -> Result<&Unit, DomainError> {
        self.units.get(id).ok_or_else(|| DomainError::UnknownUnit(id.to_string()))
    }

    /// Checks that `id` is a residential area, the only units that take entries.
    pub fn area(&self, id: &UnitId) -> Result<&Unit, DomainError> {
        let unit = self.get(id)?;
        if unit.is_area() { Ok(unit) } else { Err(DomainError::NotAnArea(id.to_string())) }
    }

    /// Checks that `id` is a residential area that still existed on `day` (the first day
    /// of an entry's month or year), or one carried on by an area that did (merged into
    /// it, split with it as the first part, [`Unit::carried_on_by`]): a closed area takes
    /// nothing after it closed, a merged one counts on under its successor. Refused, the
    /// reason names the last area of the chain. The phone asks only that it is an area:
    /// whether one still takes entries after a reorganisation is the server's to say, and
    /// it answers each cell it refuses with the reason.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn area_open_on(&self, id: &UnitId, day: Date) -> Result<&Unit, DomainError> {
        let unit = self.area(id)?;
        let mut at = unit;
        // A chain is short; the bound keeps a fold that went wrong from looping.
        for _ in 0..MAX_CHAIN {
            match (at.valid_to, &at.carried_on_by) {
                (Some(last), next) if day > last => match next.as_ref().and_then(|n| self.area(n).ok()) {
                    Some(next) => at = next,
                    None => {
                        return Err(DomainError::AreaClosed { name: at.name.clone(), last_day: last.to_vietnamese() });
                    }
                },
                _ => return Ok(unit),
            }
        }
        Err(DomainError::AreaClosed { name: unit.name.clone(), last_day: unit.valid_to.unwrap_or(day).to_vietnamese() })
    }

    /// See the server's: the phone checks only that `id` is an area.
    #[cfg(target_arch = "wasm32")]
    pub fn area_open_on(&self, id: &UnitId, _: Date) -> Result<&Unit, DomainError> {
        self.area(id)
    }

    /// Units in the order they were listed (parents first).
    pub fn units(&self) -> impl Iterator<Item = &Unit> {
        self.order.iter().map(|id| &self.units[id])
    }

    pub fn children(&self, id: &UnitId) -> impl Iterator<Item = &Unit> {
        self.children.get(id).into_iter().flatten().map(|c| &self.units[c])
    }

    /// The unit itself, then its parent, up to the root.
    pub fn self_and_ancestors(&self, id: &UnitId) -> Vec<UnitId> {
        let mut chain = Vec::new();
        let mut next = self.units.get(id);
        while let Some(unit) = next {
            chain.push(unit.id.clone());
            next = unit.parent.as_ref().and_then(|p| self.units.get(p));
        }
        chain
    }

    /// The units whose data a report of `id` reads: the unit itself, then those it carries
    /// on ([`Unit::succeeds`]) and theirs, each once.
    pub fn carried(&self, id: &UnitId) -> Vec<UnitId> {
        self.carried_but(id, &[])
    }

    /// [`UnitTree::carried`], leaving out the units in `own` and those they carry on: the
    /// siblings a report shows in columns of their own.
    #[cfg_attr(target_arch = "wasm32", allow(unused_variables))]
    pub fn carried_but(&self, id: &UnitId, own: &[UnitId]) -> Vec<UnitId> {
        #[cfg_attr(target_arch = "wasm32", allow(unused_mut))]
        let mut out = vec![id.clone()];
        #[cfg(not(target_arch = "wasm32"))]
        {
            let mut next = 0;
            while let Some(at) = out.get(next).cloned() {
                for before in self.units.get(&at).into_iter().flat_map(|u| &u.succeeds) {
                    if !out.contains(before) && !own.contains(before) {
                        out.push(before.clone());
                    }
                }
                next += 1;
            }
        }
        out
    }

    /// What a report of `id` lists in its columns: its children, then the residential
    /// areas of the units it carries on. A commune of today's map lists the areas of the
    /// communes merged into it on 1/7/2025, which stay where they were made.
    pub fn listed_under(&self, id: &UnitId) -> Vec<&Unit> {
        let mut out: Vec<&Unit> = self.children(id).collect();
        for before in self.carried(id).iter().skip(1) {
            out.extend(self.children(before).filter(|u| u.is_area()));
        }
        out
    }

    /// The commune or ward whose report lists the areas of `ward`: the ward while it is
    /// open, else the unit that carries it on (today's commune, for one merged into it on
    /// 1/7/2025). Areas with the same home may merge into each other.
    pub fn home_of<'a>(&'a self, ward: &'a UnitId) -> &'a UnitId {
        #[cfg_attr(target_arch = "wasm32", allow(unused_mut))]
        let mut at = ward;
        #[cfg(not(target_arch = "wasm32"))]
        for _ in 0..MAX_CHAIN {
            let closed = self.units.get(at).is_some_and(|u| u.valid_to.is_some());
            match self.successors.get(at).and_then(|after| after.first()) {
                Some(next) if closed => at = next,
                _ => break,
            }
        }
        at
    }

    /// Every unit whose reach holds `id`: the unit, its ancestors, and — for a unit
    /// before a reorganisation — the units that carry it on and their ancestors. A
    /// province's officers read the communes of the provinces merged into it. An area
    /// merged into another reaches that area but not its ward: one merged across the
    /// wards of one home counts in its own ward's reports, as its entries do.
    pub fn reach_of(&self, id: &UnitId) -> Vec<UnitId> {
        #[cfg_attr(target_arch = "wasm32", allow(unused_mut))]
        let mut out = self.self_and_ancestors(id);
        #[cfg(not(target_arch = "wasm32"))]
        {
            let is_area = |id: &UnitId| self.units.get(id).is_some_and(Unit::is_area);
            let mut next = 0;
            while let Some(unit) = out.get(next).cloned() {
                for after in self.successors.get(&unit).into_iter().flatten() {
                    let reached = if is_area(&unit) { vec![after.clone()] } else { self.self_and_ancestors(after) };
                    for above in reached {
                        if !out.contains(&above) {
                            out.push(above);
                        }
                    }
                }
                next += 1;
            }
        }
        out
    }

    /// The province whose catalogue counts at `id`: its province of today's map (for a
    /// unit before 1/7/2025, the one that carries it on), else the topmost unit above it.
    pub fn province_of(&self, id: &UnitId) -> Option<&UnitId> {
        let reach = self.reach_of(id);
        let province = |u: &&UnitId| self.units.get(*u).is_some_and(|u| u.level == UnitLevel::Province);
        let open = |u: &&UnitId| self.units.get(*u).is_some_and(|u| u.valid_to.is_none());
        let root = || self.self_and_ancestors(id).pop();
        let found = reach.iter().filter(province).find(open).cloned().or_else(root);
        found.and_then(|u| self.units.get(&u)).map(|u| &u.id)
    }

    /// The units `ids` and their ancestors as a tree of their own: what a write walks up
    /// (rollups, the audit trail's units), without copying a national tree.
    pub fn around<'a>(&self, ids: impl IntoIterator<Item = &'a UnitId>) -> UnitTree {
        let mut kept: Vec<Unit> = Vec::new();
        for id in ids {
            for unit in self.self_and_ancestors(id).into_iter().rev() {
                if !kept.iter().any(|k| k.id == unit) {
                    kept.push(self.units[&unit].clone());
                }
            }
        }
        UnitTree::new(kept).expect("each chain lists its parents first")
    }

    /// Every unit whose reach holds `from` ([`UnitTree::reach_of`] read backwards): its
    /// subtree, and the units before a reorganisation that it or a unit below it carries
    /// on, with theirs — walked from `from`, never over the whole tree. In the tree's
    /// order (parents first).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn reached_from(&self, from: &UnitId) -> Vec<&Unit> {
        let mut seen = std::collections::BTreeSet::new();
        // With each unit, whether it is `from` or an area `from` carries on: only those
        // reach the areas they carry on (an area's reach holds the area it merged into,
        // not that area's ward).
        let mut next = vec![(from, true)];
        while let Some((id, chain)) = next.pop() {
            let Some(unit) = self.units.get(id) else { continue };
            if seen.insert(id) {
                next.extend(self.children.get(id).into_iter().flatten().map(|c| (c, false)));
                if chain || !unit.is_area() {
                    next.extend(unit.succeeds.iter().map(|s| (s, unit.is_area())));
                }
            }
        }
        let mut out: Vec<&Unit> = seen.into_iter().map(|id| &self.units[id]).collect();
        out.sort_by_key(|u| self.rank[&u.id]);
        out
    }

    /// Residential areas at or below `id`.
    pub fn areas_under(&self, id: &UnitId) -> Vec<UnitId> {
        let mut out = Vec::new();
        let mut stack = vec![id.clone()];
        while let Some(next) = stack.pop() {
            match self.units.get(&next) {
                Some(u) if u.is_area() => out.push(next),
                Some(_) => stack.extend(self.children.get(&next).into_iter().flatten().rev().cloned()),
                None => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> UnitId {
        UnitId::new(s).unwrap()
    }

    #[test]
    fn demo_tree_walks_up_and_down() {
        let tree = UnitTree::demo();
        assert_eq!(tree.self_and_ancestors(&id("dx-to-8a")), vec![id("dx-to-8a"), id("p-duc-xuan"), id("tp-bac-kan")]);
        assert_eq!(tree.areas_under(&id("p-nguyen-thi-minh-khai")).len(), 3);
        assert_eq!(tree.areas_under(&id("tp-bac-kan")).len(), 7);
        assert_eq!(tree.area(&id("p-duc-xuan")), Err(DomainError::NotAnArea("p-duc-xuan".into())));
    }

    #[test]
    fn todays_units_carry_on_those_merged_into_them_and_reach_them() {
        let dataset = crate::dataset::Dataset::bundled().unwrap();
        let units = dataset.province("Thái Nguyên").unwrap().into_iter().map(|u| u.unit.clone()).collect();
        let tree = UnitTree::new(units).unwrap();
        let named = |name: &str, old: bool| {
            tree.units().find(|u| u.name == name && u.valid_to.is_some() == old).unwrap().id.clone()
        };
        let (ward, old_ward) = (named("Phường Đức Xuân", false), named("Phường Nguyễn Thị Minh Khai", true));
        let carried = tree.carried(&ward);
        assert_eq!(carried[0], ward);
        assert!(carried.contains(&old_ward) && carried.contains(&named("Phường Đức Xuân", true)), "{carried:?}");
        assert!(!carried.contains(&named("Phường Sông Cầu", true)), "Sông Cầu went to Phường Bắc Kạn");
        let reach = tree.reach_of(&old_ward);
        let province = named("Tỉnh Thái Nguyên", false);
        assert!(
            reach.contains(&named("Thành phố Bắc Kạn", true)) && reach.contains(&ward) && reach.contains(&province)
        );
        assert!(!reach.contains(&named("Phường Bắc Kạn", false)));
        assert_eq!(tree.carried(&province).len(), 3, "today's province and the two merged into it");
    }

    #[test]
    fn a_units_catalogue_is_its_province_of_todays_map() {
        let dataset = crate::dataset::Dataset::bundled().unwrap();
        let units = dataset.province("Thái Nguyên").unwrap().into_iter().map(|u| u.unit.clone()).collect();
        let tree = UnitTree::new(units).unwrap();
        let named = |name: &str, old: bool| {
            tree.units().find(|u| u.name == name && u.valid_to.is_some() == old).unwrap().id.clone()
        };
        let province = named("Tỉnh Thái Nguyên", false);
        for unit in [&province, &named("Phường Đức Xuân", false), &named("Phường Nguyễn Thị Minh Khai", true)]
        {
            assert_eq!(tree.province_of(unit), Some(&province), "{unit}");
        }
        assert_eq!(tree.province_of(&named("Tỉnh Bắc Kạn", true)), Some(&province));
        let demo = UnitTree::demo();
        assert_eq!(demo.province_of(&id("dx-to-8a")), Some(&id("tp-bac-kan")), "a tree with no province: its top");
        assert_eq!(demo.province_of(&id("nowhere")), None);
    }

    #[test]
    fn reaching_down_finds_every_unit_whose_reach_holds_the_start() {
        let dataset = crate::dataset::Dataset::bundled().unwrap();
        let units = dataset.province("Thái Nguyên").unwrap().into_iter().map(|u| u.unit.clone()).collect();
        let tree = UnitTree::new(units).unwrap();
        for from in tree.units().step_by(7) {
            let want: Vec<&UnitId> =
                tree.units().filter(|u| tree.reach_of(&u.id).contains(&from.id)).map(|u| &u.id).collect();
            let got: Vec<&UnitId> = tree.reached_from(&from.id).into_iter().map(|u| &u.id).collect();
            assert_eq!(got, want, "from {}", from.name);
        }
    }

    #[test]
    fn a_tree_around_some_units_holds_their_chains() {
        let tree = UnitTree::demo();
        let around = tree.around([&id("ntmk-to-11"), &id("dx-to-8a"), &id("ntmk-to-13")]);
        assert_eq!(around.units().count(), 6);
        for area in ["ntmk-to-11", "dx-to-8a", "ntmk-to-13"] {
            assert_eq!(around.self_and_ancestors(&id(area)), tree.self_and_ancestors(&id(area)));
        }
        assert!(around.get(&id("xh-na-ban")).is_err());
    }

    #[test]
    fn the_sample_province_has_the_asked_shape() {
        let tree = UnitTree::sample_province(4, 3);
        assert_eq!(tree.units().count(), 1 + 4 + 12);
        assert_eq!(tree.children(&id("tinh-mau")).count(), 4);
        assert_eq!(
            tree.areas_under(&id("xa-002")),
            vec![id("xa-002-thon-01"), id("xa-002-thon-02"), id("xa-002-thon-03")]
        );
    }
}
