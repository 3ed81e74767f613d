//! Khu dân cư — the residential areas a ward keeps itself (thôn, bản, tổ dân phố: no
//! public dataset lists them). Officers create, rename and close them, each change an
//! [`AreaEvent`] with the day it takes effect, checked here ([`AreaEvent::check`]) and
//! stored once by its id. The tree is the stored units with the events applied
//! ([`units_with`]): all of them for the tree the server works with, those in effect by a
//! day for the tree of that day.
//!
//! A closed area keeps its figures and takes no entries for months after it closed
//! ([`crate::UnitTree::area_open_on`]). An area merged into another, or split into new
//! ones, closes the same way, and its successor (the area it merged into, the first of
//! its parts) carries it on ([`Unit::succeeds`]): the figures it had stay where they were
//! entered and are read under the successor too ([`crate::UnitTree::carried`]), and an
//! entry a phone made for it afterwards, without knowing, is still taken and counts to
//! the successor. Nothing is moved, so nothing can be moved twice.

use crate::{Date, DeviceId, EventId, Unit, UnitId, UnitLevel, UnitTree};
use serde::{Deserialize, Serialize};

/// Longest name of an area, in characters.
pub const MAX_AREA_NAME: usize = 60;

/// Most open areas under one commune or ward (the largest wards have about a hundred).
pub const MAX_AREAS_PER_WARD: usize = 300;

/// The prefix of the ids of areas the wards create (the dataset's are `u-…`): a loaded
/// unit never takes the id of an area.
pub const AREA_ID_PREFIX: &str = "kdc-";

/// How far ahead an effective date may be: a decision is announced before it holds.
pub const MAX_DAYS_AHEAD: i64 = 366;

/// Thay đổi khu dân cư — one change of a residential area, as an officer made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaEvent {
    /// The change's own id, made by the phone: sending it again changes nothing.
    pub id: EventId,
    /// The area it changes; for a new area, the id the phone chose for it.
    pub area: UnitId,
    /// Ngày hiệu lực — the first day the change holds (`2026-01-01`).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub effective: Date,
    pub change: AreaChange,
}

/// What an [`AreaEvent`] changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AreaChange {
    /// Thành lập — a new area under a commune or ward.
    Create { parent: UnitId, name: String },
    /// Đổi tên.
    Rename { name: String },
    /// Giải thể — from the effective day on, the area takes no entries; its figures stay.
    Close,
    /// Sáp nhập — from the effective day on, the area is part of `into`, an open area of
    /// the same commune or ward (or of one merged with it on 1/7/2025: the same
    /// [`UnitTree::home_of`]), which carries its figures on.
    Merge { into: UnitId },
    /// Chia tách — from the effective day on, the area is `parts`, new areas of the same
    /// commune or ward; the first carries its figures on.
    Split { parts: Vec<AreaPart> },
}

/// One new area a split makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaPart {
    /// The id the phone chose for it (`kdc-…`).
    pub id: UnitId,
    pub name: String,
}

/// Most parts one area is split into.
pub const MAX_PARTS: usize = 10;

/// An event as stored: the device that filed it and when (the server's clock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaRecord {
    pub event: AreaEvent,
    pub by: DeviceId,
    pub at_ms: u64,
}

/// The answer to a change: the area as it now is (for a closed one, with its last day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaChanged {
    pub unit: Unit,
    /// The areas a split made, in the order of its parts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Unit>,
    /// The same change was filed before (a repeat): nothing changed now.
    pub repeated: bool,
}

/// Why a change of an area was refused, in Vietnamese for the officer. Nothing changes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaProblem {
    #[error("invalid area name")]
    InvalidName,
    #[error("an open area under the same parent is named `{0}`")]
    NameTaken(String),
    #[error("the new name is the current one")]
    SameName,
    #[error("unit id `{0}` is taken")]
    IdTaken(String),
    #[error("the id of a new area must start with `kdc-`")]
    InvalidAreaId,
    #[error("unknown unit `{0}`")]
    UnknownUnit(String),
    #[error("`{0}` is not a commune or ward")]
    NotAWard(String),
    #[error("`{0}` is not a residential area")]
    NotAnArea(String),
    #[error("`{name}` closed after {last_day}")]
    Closed { name: String, last_day: String },
    #[error("effective date out of range")]
    EffectiveDate { earliest: Option<String>, latest: String },
    #[error("too many areas under one ward")]
    TooManyAreas,
    #[error("event id reused for another change")]
    EventIdReused,
    #[error("an area merges into another open area of its own commune or ward, or of one merged with it")]
    MergeTarget,
    #[error("a split makes 2 to {MAX_PARTS} parts with names of their own")]
    SplitParts,
    #[error("`{name}` merges into this area from {from}, after it would close")]
    MergedInLater { name: String, from: String },
}

impl AreaProblem {
    /// Every code [`AreaProblem::code`] can return, for API documentation.
    pub const CODES: &'static [&'static str] = &[
        "invalid_area_name",
        "area_name_taken",
        "area_same_name",
        "area_id_taken",
        "invalid_area_id",
        "unknown_unit",
        "not_a_ward",
        "not_an_area",
        "area_closed",
        "invalid_effective_date",
        "too_many_areas",
        "event_id_reused",
        "invalid_merge",
        "invalid_split",
        "merged_in_later",
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidName => "invalid_area_name",
            Self::NameTaken(_) => "area_name_taken",
            Self::SameName => "area_same_name",
            Self::IdTaken(_) => "area_id_taken",
            Self::InvalidAreaId => "invalid_area_id",
            Self::UnknownUnit(_) => "unknown_unit",
            Self::NotAWard(_) => "not_a_ward",
            Self::NotAnArea(_) => "not_an_area",
            Self::Closed { .. } => "area_closed",
            Self::EffectiveDate { .. } => "invalid_effective_date",
            Self::TooManyAreas => "too_many_areas",
            Self::EventIdReused => "event_id_reused",
            Self::MergeTarget => "invalid_merge",
            Self::SplitParts => "invalid_split",
            Self::MergedInLater { .. } => "merged_in_later",
        }
    }

    /// Conflicts with what is stored (409), rather than a request wrong in itself (422).
    /// A closed area answers the domain's `area_closed`, 422 wherever it comes from.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::NameTaken(_) | Self::IdTaken(_) | Self::EventIdReused)
    }

    pub fn message_vi(&self) -> String {
        match self {
            Self::InvalidName => format!(
                "Tên khu dân cư cần có chữ hoặc số, không quá {MAX_AREA_NAME} ký tự (ví dụ \"Thôn Nà Pài\", \"Tổ 12\")."
            ),
            Self::NameTaken(name) => format!("Đã có khu dân cư \"{name}\" trong đơn vị này; hãy đặt tên khác."),
            Self::SameName => "Tên mới giống tên hiện tại.".into(),
            Self::IdTaken(_) => "Mã khu dân cư này đã có; hãy tải lại trang rồi thêm lại.".into(),
            Self::InvalidAreaId => {
                format!("Mã khu dân cư mới phải bắt đầu bằng \"{AREA_ID_PREFIX}\"; hãy tải lại trang rồi thêm lại.")
            }
            Self::UnknownUnit(id) => format!("Không tìm thấy đơn vị: {id}."),
            Self::NotAWard(name) => format!("Khu dân cư chỉ lập trong xã, phường, đặc khu; {name} không phải."),
            Self::NotAnArea(name) => format!("{name} không phải khu dân cư."),
            Self::Closed { name, last_day } => {
                format!("{name} đã ngừng hoạt động sau ngày {last_day} (giải thể, sáp nhập hoặc chia tách).")
            }
            Self::EffectiveDate { earliest: Some(earliest), latest } => {
                format!("Ngày hiệu lực phải từ {earliest} đến {latest}.")
            }
            Self::EffectiveDate { earliest: None, latest } => format!("Ngày hiệu lực không được sau {latest}."),
            Self::TooManyAreas => format!("Một xã, phường có tối đa {MAX_AREAS_PER_WARD} khu dân cư đang hoạt động."),
            Self::EventIdReused => "Thay đổi này trùng mã với một thay đổi khác; hãy tải lại trang rồi làm lại.".into(),
            Self::MergeTarget => {
                "Chỉ sáp nhập vào một khu dân cư khác đang hoạt động của cùng xã, phường (kể cả xã, phường cũ đã hợp nhất vào đó), \
                 đã có từ ngày sáp nhập."
                    .into()
            }
            Self::SplitParts => format!(
                "Chia tách thành từ 2 đến {MAX_PARTS} khu dân cư mới, mỗi khu một tên riêng (mỗi dòng một tên)."
            ),
            Self::MergedInLater { name, from } => format!(
                "{name} sáp nhập vào khu dân cư này từ ngày {from}: hãy giải thể từ sau ngày đó, hoặc sáp nhập khu \
                 này vào một khu khác (số liệu của {name} đi theo)."
            ),
        }
    }
}

/// A name as typed, made canonical: trimmed, runs of spaces as one. `None`: empty, too
/// long, not starting with a letter or digit (so no spreadsheet reads it as a formula),
/// with control characters, or not precomposed (NFC; the app and the server normalise
/// before asking).
pub fn area_name(typed: &str) -> Option<String> {
    crate::text::canonical(typed, MAX_AREA_NAME).filter(|name| name.chars().next().is_some_and(char::is_alphanumeric))
}

/// Two names the same to a reader: letters compared case-insensitively.
fn same_name(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

impl AreaEvent {
    /// The unit whose officers may make the change, which the tree must know before it:
    /// the parent of a new area, else the area.
    pub fn place(&self) -> &UnitId {
        match &self.change {
            AreaChange::Create { parent, .. } => parent,
            _ => &self.area,
        }
    }

    /// The same change with its name made canonical ([`area_name`]).
    pub fn canonical(mut self) -> Result<Self, AreaProblem> {
        match &mut self.change {
            AreaChange::Create { name, .. } | AreaChange::Rename { name } => {
                *name = area_name(name).ok_or(AreaProblem::InvalidName)?;
            }
            AreaChange::Split { parts } => {
                for part in parts {
                    part.name = area_name(&part.name).ok_or(AreaProblem::InvalidName)?;
                }
            }
            AreaChange::Close | AreaChange::Merge { .. } => {}
        }
        Ok(self)
    }

    /// May this change be made to `tree` (every stored event applied) on `today`? Names
    /// must already be canonical.
    pub fn check(&self, tree: &UnitTree, today: Date) -> Result<(), AreaProblem> {
        let latest = Date::from_days(today.days() + MAX_DAYS_AHEAD);
        let in_range = |earliest: Option<Date>| {
            let fits = self.effective <= latest && earliest.is_none_or(|e| self.effective >= e);
            fits.then_some(()).ok_or_else(|| AreaProblem::EffectiveDate {
                earliest: earliest.map(Date::to_vietnamese),
                latest: latest.to_vietnamese(),
            })
        };
        let open = |unit: &Unit| match unit.valid_to {
            Some(last) => Err(AreaProblem::Closed { name: unit.name.clone(), last_day: last.to_vietnamese() }),
            None => Ok(()),
        };
        let name_free = |parent: &UnitId, name: &str, except: &UnitId| {
            let taken = tree
                .children(parent)
                .find(|u| u.is_area() && u.valid_to.is_none() && &u.id != except && same_name(&u.name, name));
            taken.map_or(Ok(()), |u| Err(AreaProblem::NameTaken(u.name.clone())))
        };
        match &self.change {
            AreaChange::Create { parent, name } => {
                if !self.area.as_str().starts_with(AREA_ID_PREFIX) {
                    return Err(AreaProblem::InvalidAreaId);
                }
                if tree.get(&self.area).is_ok() {
                    return Err(AreaProblem::IdTaken(self.area.to_string()));
                }
                let ward = tree.get(parent).map_err(|_| AreaProblem::UnknownUnit(parent.to_string()))?;
                if !matches!(ward.level, UnitLevel::Commune | UnitLevel::Ward) {
                    return Err(AreaProblem::NotAWard(ward.name.clone()));
                }
                open(ward)?;
                if open_areas_kept_with(tree, parent) >= MAX_AREAS_PER_WARD {
                    return Err(AreaProblem::TooManyAreas);
                }
                name_free(parent, name, &self.area)?;
                in_range(ward.valid_from)
            }
            AreaChange::Rename { name } => {
                let area = self.existing_area(tree)?;
                open(area)?;
                if area.name == *name {
                    return Err(AreaProblem::SameName);
                }
                if let Some(parent) = &area.parent {
                    name_free(parent, name, &area.id)?;
                }
                in_range(area.valid_from)
            }
            AreaChange::Close => {
                let area = self.existing_area(tree)?;
                open(area)?;
                in_range(after_first_day(area))?;
                merged_in_later(tree, area, self.effective)
            }
            AreaChange::Merge { into } => {
                let area = self.existing_area(tree)?;
                open(area)?;
                let target = tree.get(into).ok().filter(|t| {
                    t.is_area()
                        && t.id != area.id
                        && t.valid_to.is_none()
                        && t.valid_from.is_none_or(|first| first <= self.effective)
                });
                let target = target.ok_or(AreaProblem::MergeTarget)?;
                let earliest = merge_from(tree, area, target).ok_or(AreaProblem::MergeTarget)?;
                in_range(after_first_day(area).max(earliest))
            }
            AreaChange::Split { parts } => {
                let area = self.existing_area(tree)?;
                open(area)?;
                let named_twice = parts
                    .iter()
                    .enumerate()
                    .any(|(i, p)| parts[..i].iter().any(|q| q.id == p.id || same_name(&q.name, &p.name)));
                if !(2..=MAX_PARTS).contains(&parts.len()) || named_twice {
                    return Err(AreaProblem::SplitParts);
                }
                let parent = area.parent.as_ref().ok_or_else(|| AreaProblem::NotAnArea(area.name.clone()))?;
                for part in parts {
                    if !part.id.as_str().starts_with(AREA_ID_PREFIX) {
                        return Err(AreaProblem::InvalidAreaId);
                    }
                    if tree.get(&part.id).is_ok() {
                        return Err(AreaProblem::IdTaken(part.id.to_string()));
                    }
                    // A part may keep the area's own name.
                    name_free(parent, &part.name, &area.id)?;
                }
                let open_areas = open_areas_kept_with(tree, parent);
                if open_areas - 1 + parts.len() > MAX_AREAS_PER_WARD {
                    return Err(AreaProblem::TooManyAreas);
                }
                in_range(after_first_day(area))
            }
        }
    }

    /// The areas this change makes: a new one, or a split's parts.
    pub fn new_areas(&self) -> Vec<UnitId> {
        match &self.change {
            AreaChange::Create { .. } => vec![self.area.clone()],
            AreaChange::Split { parts } => parts.iter().map(|p| p.id.clone()).collect(),
            _ => vec![],
        }
    }

    fn existing_area<'a>(&self, tree: &'a UnitTree) -> Result<&'a Unit, AreaProblem> {
        let unit = tree.get(&self.area).map_err(|_| AreaProblem::UnknownUnit(self.area.to_string()))?;
        if unit.is_area() { Ok(unit) } else { Err(AreaProblem::NotAnArea(unit.name.clone())) }
    }

    /// Applies the change to a list of units (parents first); an event that no longer
    /// fits (an area created twice, a change to an unknown one) changes nothing, so any
    /// set of stored events folds to one tree.
    fn apply_to(&self, units: &mut Vec<Unit>) {
        let at = units.iter().position(|u| u.id == self.area);
        match (&self.change, at) {
            (AreaChange::Create { parent, name }, None) if units.iter().any(|u| &u.id == parent) => {
                let area = Unit::new(self.area.clone(), name.clone(), UnitLevel::Area, Some(parent.clone()));
                units.push(Unit { valid_from: Some(self.effective), ..area });
            }
            (AreaChange::Rename { name }, Some(i)) => units[i].name = name.clone(),
            (AreaChange::Close, Some(i)) if units[i].valid_to.is_none() => {
                units[i].valid_to = Some(self.effective.previous());
            }
            // Never into an area carried on by this one: two merges filed at once into
            // each other (two server instances) make no cycle, the first holds.
            (AreaChange::Merge { into }, Some(i))
                if units[i].valid_to.is_none() && !leads_to(units, into, &self.area) =>
            {
                units[i].valid_to = Some(self.effective.previous());
                #[cfg(not(target_arch = "wasm32"))]
                {
                    units[i].carried_on_by = Some(into.clone());
                    if let Some(target) = units.iter_mut().find(|u| &u.id == into) {
                        target.succeeds.push(self.area.clone());
                    }
                }
            }
            (AreaChange::Split { parts }, Some(i)) if units[i].valid_to.is_none() && !parts.is_empty() => {
                units[i].valid_to = Some(self.effective.previous());
                #[cfg(not(target_arch = "wasm32"))]
                {
                    units[i].carried_on_by = Some(parts[0].id.clone());
                }
                let parent = units[i].parent.clone();
                for (n, part) in parts.iter().enumerate() {
                    if units.iter().any(|u| u.id == part.id) {
                        continue;
                    }
                    let new = Unit::new(part.id.clone(), part.name.clone(), UnitLevel::Area, parent.clone());
                    #[cfg_attr(target_arch = "wasm32", allow(unused_mut))]
                    let mut new = Unit { valid_from: Some(self.effective), ..new };
                    #[cfg(not(target_arch = "wasm32"))]
                    if n == 0 {
                        new.succeeds.push(self.area.clone());
                    }
                    #[cfg(target_arch = "wasm32")]
                    let _ = n;
                    units.push(new);
                }
            }
            _ => {}
        }
    }
}

/// The open areas kept with those of `ward`: its home's and those of every ward it
/// carries on ([`UnitTree::home_of`]), since one ward keeps them all.
fn open_areas_kept_with(tree: &UnitTree, ward: &UnitId) -> usize {
    let wards = tree.carried(tree.home_of(ward));
    wards.iter().flat_map(|w| tree.children(w)).filter(|u| u.is_area() && u.valid_to.is_none()).count()
}

/// Whether `area` may merge into `target`, and from which day: within one ward, any day;
/// across the wards one ward of today's map carries on (the same
/// [`UnitTree::home_of`]), from that ward's first day, when they became one.
#[cfg(not(target_arch = "wasm32"))]
fn merge_from(tree: &UnitTree, area: &Unit, target: &Unit) -> Option<Option<Date>> {
    let (from, to) = (area.parent.as_ref()?, target.parent.as_ref()?);
    if from == to {
        return Some(None);
    }
    let home = tree.home_of(from);
    (home == tree.home_of(to)).then(|| tree.get(home).ok().and_then(|h| h.valid_from))
}

/// The app keeps no successions: it offers only the areas of one home, and the server
/// checks.
#[cfg(target_arch = "wasm32")]
fn merge_from(_: &UnitTree, _: &Unit, _: &Unit) -> Option<Option<Date>> {
    Some(None)
}

/// Whether `from`, or the areas carrying it on in turn, is `to` (or `from` is unknown).
#[cfg(not(target_arch = "wasm32"))]
fn leads_to(units: &[Unit], from: &UnitId, to: &UnitId) -> bool {
    let mut at = from;
    for _ in 0..units.len() {
        if at == to {
            return true;
        }
        match units.iter().find(|u| &u.id == at) {
            Some(unit) => match &unit.carried_on_by {
                Some(next) => at = next,
                None => return false,
            },
            None => return true,
        }
    }
    true
}

/// The app does not keep successions: the server's fold decides.
#[cfg(target_arch = "wasm32")]
fn leads_to(_: &[Unit], _: &UnitId, _: &UnitId) -> bool {
    false
}

/// An area merged into `area` from after its new last day would have nowhere to count.
#[cfg(not(target_arch = "wasm32"))]
fn merged_in_later(tree: &UnitTree, area: &Unit, effective: Date) -> Result<(), AreaProblem> {
    let last = effective.previous();
    let merged_in = area.succeeds.iter().filter_map(|id| tree.get(id).ok());
    let later = merged_in.filter(|u| u.carried_on_by.as_ref() == Some(&area.id)).find(|u| u.valid_to >= Some(last));
    later.map_or(Ok(()), |u| {
        let from = u.valid_to.map(|d| Date::from_days(d.days() + 1).to_vietnamese()).unwrap_or_default();
        Err(AreaProblem::MergedInLater { name: u.name.clone(), from })
    })
}

/// The app does not keep successions: the server checks this.
#[cfg(target_arch = "wasm32")]
fn merged_in_later(_: &UnitTree, _: &Unit, _: Date) -> Result<(), AreaProblem> {
    Ok(())
}

/// The earliest day an area may close: it stays open at least its first day.
fn after_first_day(area: &Unit) -> Option<Date> {
    area.valid_from.map(|first| Date::from_days(first.days() + 1))
}

/// The stored units with the areas' events applied, in the order they took effect (ties:
/// the order they were filed): every event (`on: None`, the tree the server works with)
/// or those in effect by a day (the tree of that day).
pub fn units_with(mut units: Vec<Unit>, records: &[AreaRecord], on: Option<Date>) -> Vec<Unit> {
    let mut events: Vec<&AreaRecord> = records.iter().filter(|r| on.is_none_or(|d| r.event.effective <= d)).collect();
    events.sort_by(|a, b| (a.event.effective, a.at_ms, &a.event.id).cmp(&(b.event.effective, b.at_ms, &b.event.id)));
    for record in events {
        record.event.apply_to(&mut units);
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> UnitId {
        UnitId::new(s).unwrap()
    }

    fn day(y: u16, m: u8, d: u8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    fn event(n: u32, area: &str, effective: Date, change: AreaChange) -> AreaEvent {
        AreaEvent { id: EventId::new(format!("e-{n}")).unwrap(), area: id(area), effective, change }
    }

    fn create(n: u32, area: &str, parent: &str, name: &str, effective: Date) -> AreaEvent {
        event(n, area, effective, AreaChange::Create { parent: id(parent), name: name.into() })
    }

    fn record(event: AreaEvent, at_ms: u64) -> AreaRecord {
        AreaRecord { event, by: DeviceId::new("d-officer").unwrap(), at_ms }
    }

    fn tree_of(records: &[AreaRecord], on: Option<Date>) -> UnitTree {
        UnitTree::new(units_with(UnitTree::demo().units().cloned().collect(), records, on)).unwrap()
    }

    const TODAY: (u16, u8, u8) = (2026, 12, 7);

    fn today() -> Date {
        day(TODAY.0, TODAY.1, TODAY.2)
    }

    #[test]
    fn names_are_trimmed_and_must_say_something() {
        assert_eq!(area_name("  Thôn   Nà Pài "), Some("Thôn Nà Pài".into()));
        assert_eq!(area_name("Tổ 12"), Some("Tổ 12".into()));
        assert_eq!(area_name("   "), None);
        assert_eq!(area_name("---"), None);
        assert_eq!(area_name("=1+2"), None, "no formula in a spreadsheet");
        assert_eq!(area_name("-Tổ 1"), None);
        assert_eq!(area_name(&"a".repeat(MAX_AREA_NAME + 1)), None);
        assert_eq!(area_name("Tổ\u{0}1"), None);
        assert_eq!(area_name("Tô\u{309} 1"), None, "decomposed: the edges normalise to NFC first");
    }

    #[test]
    fn an_area_is_created_renamed_and_closed_and_each_day_has_its_tree() {
        let created = create(1, "kdc-na-pai", "x-xuat-hoa", "Thôn Nà Pài", day(2026, 1, 1));
        let tree = tree_of(&[], None);
        assert_eq!(created.check(&tree, today()), Ok(()));
        let renamed = event(2, "kdc-na-pai", day(2026, 7, 1), AreaChange::Rename { name: "Thôn Nà Pài Mới".into() });
        let closed = event(3, "kdc-na-pai", day(2027, 1, 1), AreaChange::Close);
        let records = [record(created, 1), record(renamed.clone(), 2), record(closed.clone(), 3)];
        let area = |on: Option<Date>| tree_of(&records, on).get(&id("kdc-na-pai")).ok().cloned();

        assert_eq!(area(Some(day(2025, 12, 31))), None, "not yet created");
        let first = area(Some(day(2026, 3, 1))).unwrap();
        assert_eq!(
            (first.name.as_str(), first.valid_from, first.valid_to),
            ("Thôn Nà Pài", Some(day(2026, 1, 1)), None)
        );
        assert_eq!(first.parent, Some(id("x-xuat-hoa")));
        assert_eq!(area(Some(day(2026, 7, 1))).unwrap().name, "Thôn Nà Pài Mới");
        let now = area(None).unwrap();
        assert_eq!((now.name.as_str(), now.valid_to), ("Thôn Nà Pài Mới", Some(day(2026, 12, 31))));

        // The order they were filed in does not matter: the effective dates order them.
        let shuffled = [records[2].clone(), records[0].clone(), records[1].clone()];
        assert_eq!(tree_of(&shuffled, None), tree_of(&records, None));

        let all = tree_of(&records, None);
        assert!(all.area_open_on(&id("kdc-na-pai"), day(2026, 12, 1)).is_ok());
        assert!(matches!(
            all.area_open_on(&id("kdc-na-pai"), day(2027, 1, 1)),
            Err(crate::DomainError::AreaClosed { .. })
        ));
        let again = event(4, "kdc-na-pai", day(2027, 2, 1), AreaChange::Close);
        assert!(matches!(again.check(&all, today()), Err(AreaProblem::Closed { .. })));
        assert!(matches!(renamed.check(&all, today()), Err(AreaProblem::Closed { .. })));
    }

    #[test]
    fn a_change_that_does_not_fit_the_tree_is_refused() {
        let tree = tree_of(&[], None);
        let d = day(2026, 1, 1);
        let taken = create(1, "ntmk-to-11", "x-xuat-hoa", "Tổ mới", d);
        assert_eq!(taken.check(&tree, today()), Err(AreaProblem::InvalidAreaId), "not an id a ward makes");
        let first = create(1, "kdc-1", "x-xuat-hoa", "Tổ mới", d);
        let with_it = tree_of(&[record(first.clone(), 1)], None);
        let again = create(2, "kdc-1", "p-duc-xuan", "Tổ khác", d);
        assert_eq!(again.check(&with_it, today()), Err(AreaProblem::IdTaken("kdc-1".into())));
        assert_eq!(
            create(1, "kdc-1", "p-nguyen-thi-minh-khai", "tổ 11", d).check(&tree, today()),
            Err(AreaProblem::NameTaken("Tổ 11".into())),
            "names compare without case"
        );
        assert_eq!(
            create(1, "kdc-1", "tp-bac-kan", "Thôn A", d).check(&tree, today()),
            Err(AreaProblem::NotAWard("Thành phố Bắc Kạn".into()))
        );
        assert_eq!(
            create(1, "kdc-1", "khong-co", "Thôn A", d).check(&tree, today()),
            Err(AreaProblem::UnknownUnit("khong-co".into()))
        );
        let far = create(1, "kdc-1", "x-xuat-hoa", "Thôn A", day(2028, 1, 1)).check(&tree, today());
        assert!(matches!(far, Err(AreaProblem::EffectiveDate { .. })), "{far:?}");
        let rename = |name: &str| event(2, "ntmk-to-11", d, AreaChange::Rename { name: name.into() });
        assert_eq!(rename("Tổ 11").check(&tree, today()), Err(AreaProblem::SameName));
        assert_eq!(rename("Tổ 13").check(&tree, today()), Err(AreaProblem::NameTaken("Tổ 13".into())));
        assert_eq!(rename("Tổ 11A").check(&tree, today()), Ok(()));
        let ward = event(3, "p-duc-xuan", d, AreaChange::Close);
        assert_eq!(ward.check(&tree, today()), Err(AreaProblem::NotAnArea("Phường Đức Xuân".into())));
        assert_eq!(AreaEvent { ..rename(" ") }.canonical(), Err(AreaProblem::InvalidName));
    }

    #[test]
    fn a_new_area_cannot_close_on_its_first_day_and_a_ward_has_room_for_so_many() {
        let created = create(1, "kdc-a", "x-xuat-hoa", "Thôn A", day(2026, 3, 1));
        let tree = tree_of(&[record(created, 1)], None);
        let close = |d| event(2, "kdc-a", d, AreaChange::Close);
        assert!(matches!(close(day(2026, 3, 1)).check(&tree, today()), Err(AreaProblem::EffectiveDate { .. })));
        assert_eq!(close(day(2026, 3, 2)).check(&tree, today()), Ok(()));

        let many: Vec<AreaRecord> = (0..MAX_AREAS_PER_WARD as u32)
            .map(|n| record(create(n, &format!("kdc-{n}"), "p-duc-xuan", &format!("Tổ số {n}"), day(2026, 1, 1)), 1))
            .collect();
        let full = tree_of(&many, None);
        let one_more = create(9_999, "kdc-more", "p-duc-xuan", "Tổ thêm", day(2026, 1, 1));
        assert_eq!(one_more.check(&full, today()), Err(AreaProblem::TooManyAreas));
    }

    #[test]
    fn a_merged_area_is_carried_on_and_still_takes_entries_under_its_successor() {
        let d = day(2026, 7, 1);
        let tree = tree_of(&[], None);
        let merge = |n, area: &str, into: &str| event(n, area, d, AreaChange::Merge { into: id(into) });
        assert_eq!(merge(1, "ntmk-to-11", "ntmk-to-11").check(&tree, today()), Err(AreaProblem::MergeTarget));
        assert_eq!(
            merge(1, "ntmk-to-11", "dx-to-8a").check(&tree, today()),
            Err(AreaProblem::MergeTarget),
            "another ward"
        );
        assert_eq!(
            merge(1, "ntmk-to-11", "p-nguyen-thi-minh-khai").check(&tree, today()),
            Err(AreaProblem::MergeTarget)
        );
        let merged = merge(1, "ntmk-to-11", "ntmk-to-13");
        assert_eq!(merged.check(&tree, today()), Ok(()));

        let after = tree_of(&[record(merged.clone(), 1)], None);
        assert_eq!(after.get(&id("ntmk-to-11")).unwrap().valid_to, Some(day(2026, 6, 30)));
        assert_eq!(after.carried(&id("ntmk-to-13")), vec![id("ntmk-to-13"), id("ntmk-to-11")]);
        assert!(after.area_open_on(&id("ntmk-to-11"), day(2026, 8, 1)).is_ok(), "counts on under Tổ 13");
        let before = tree_of(&[record(merged.clone(), 1)], Some(day(2026, 6, 30)));
        assert_eq!(before.get(&id("ntmk-to-11")).unwrap().valid_to, None, "the tree of a day before it");
        assert!(matches!(merge(2, "ntmk-to-13", "ntmk-to-11").check(&after, today()), Err(AreaProblem::MergeTarget)));
        assert!(matches!(merged.check(&after, today()), Err(AreaProblem::Closed { .. })));

        // Once the successor closes, neither takes entries, and the reason names it.
        let closed = event(3, "ntmk-to-13", day(2026, 10, 1), AreaChange::Close);
        let both = tree_of(&[record(merged.clone(), 1), record(closed, 2)], None);
        assert!(both.area_open_on(&id("ntmk-to-11"), day(2026, 9, 1)).is_ok());
        assert_eq!(
            both.area_open_on(&id("ntmk-to-11"), day(2026, 10, 1)),
            Err(crate::DomainError::AreaClosed { name: "Tổ 13".into(), last_day: "30/09/2026".into() })
        );

        // Closing Tổ 13 before Tổ 11 merges into it would leave Tổ 11 nowhere to count.
        let too_early = event(4, "ntmk-to-13", day(2026, 6, 1), AreaChange::Close);
        assert_eq!(
            too_early.check(&after, today()),
            Err(AreaProblem::MergedInLater { name: "Tổ 11".into(), from: "01/07/2026".into() })
        );
        assert_eq!(event(4, "ntmk-to-13", day(2026, 7, 2), AreaChange::Close).check(&after, today()), Ok(()));
    }

    /// Thái Nguyên from the dataset, with two areas under each of the old Phường Nguyễn
    /// Thị Minh Khai, Phường Đức Xuân (both merged into today's Phường Đức Xuân) and
    /// Phường Sông Cầu (merged into Phường Bắc Kạn): (the units, today's Phường Đức Xuân).
    fn merged_wards() -> (Vec<Unit>, UnitId) {
        let dataset = crate::dataset::Dataset::bundled().unwrap();
        let mut units: Vec<Unit> =
            dataset.province("Thái Nguyên").unwrap().into_iter().map(|u| u.unit.clone()).collect();
        let named = |units: &[Unit], name: &str, old: bool| {
            units.iter().find(|u| u.name == name && u.valid_to.is_some() == old).unwrap().id.clone()
        };
        let today = named(&units, "Phường Đức Xuân", false);
        for (ward, prefix) in
            [("Phường Nguyễn Thị Minh Khai", "ntmk"), ("Phường Đức Xuân", "dx"), ("Phường Sông Cầu", "sc")]
        {
            let parent = named(&units, ward, true);
            for n in 1..=2 {
                let name = format!("Tổ {n}");
                units.push(Unit::new(id(&format!("{prefix}-to-{n}")), name, UnitLevel::Area, Some(parent.clone())));
            }
        }
        (units, today)
    }

    #[test]
    fn areas_of_wards_merged_into_one_on_1_7_2025_are_listed_and_merge_under_it() {
        let (units, ward) = merged_wards();
        let d = day(2026, 7, 1);
        let tree = UnitTree::new(units.clone()).unwrap();
        let year: crate::ReportPeriod = "2026".parse().unwrap();
        let columns = |tree: &UnitTree| -> Vec<String> {
            crate::report_columns(tree, &ward, year).into_iter().map(|(c, _)| c.id.to_string()).collect()
        };
        assert_eq!(columns(&tree), ["dx-to-1", "dx-to-2", "ntmk-to-1", "ntmk-to-2"], "Sông Cầu's are Phường Bắc Kạn's");

        let merge = |n, area: &str, into: &str| event(n, area, d, AreaChange::Merge { into: id(into) });
        assert_eq!(merge(1, "ntmk-to-1", "dx-to-1").check(&tree, today()), Ok(()), "across the old wards");
        assert_eq!(merge(1, "ntmk-to-1", "sc-to-1").check(&tree, today()), Err(AreaProblem::MergeTarget));
        // Today's ward's officers keep the old wards' areas; Phường Bắc Kạn's do not.
        let officer = |scope: &UnitId| crate::Caller {
            device: DeviceId::new("d-officer").unwrap(),
            role: crate::Role::WardOfficer,
            scope: scope.clone(),
        };
        let keeps = |scope: &UnitId, area: &str| {
            crate::authorize(&officer(scope), crate::Action::ManageAreas, &id(area), &tree).is_ok()
        };
        let bac_kan = tree.units().find(|u| u.name == "Phường Bắc Kạn" && u.valid_to.is_none()).unwrap().id.clone();
        assert!(keeps(&ward, "ntmk-to-1") && keeps(&ward, "dx-to-2") && !keeps(&ward, "sc-to-1"));
        assert!(keeps(&bac_kan, "sc-to-1") && !keeps(&bac_kan, "dx-to-1"));
        let created = create(2, "kdc-moi", ward.as_str(), "Tổ dân phố Mới", d);
        assert_eq!(created.check(&tree, today()), Ok(()));
        let new_area = UnitTree::new(units_with(units.clone(), &[record(created.clone(), 1)], None)).unwrap();
        assert_eq!(merge(3, "dx-to-2", "kdc-moi").check(&new_area, today()), Ok(()), "into today's ward's own");

        let records = [
            record(created, 1),
            record(merge(1, "ntmk-to-1", "dx-to-1"), 2),
            record(merge(3, "dx-to-2", "kdc-moi"), 3),
        ];
        let after = UnitTree::new(units_with(units.clone(), &records, None)).unwrap();
        assert_eq!(after.carried(&id("dx-to-1")), vec![id("dx-to-1"), id("ntmk-to-1")]);
        assert_eq!(columns(&after), ["kdc-moi", "dx-to-1", "ntmk-to-2"], "each area read in one column");
        let reads: Vec<Vec<UnitId>> = crate::report_columns(&after, &ward, year).into_iter().map(|(_, r)| r).collect();
        assert_eq!(reads[0], vec![id("kdc-moi"), id("dx-to-2")]);
        let names: Vec<String> = crate::report_columns(&after, &ward, year)
            .into_iter()
            .map(|(c, _)| crate::column_name(&after, &ward, c))
            .collect();
        assert_eq!(names, ["Tổ dân phố Mới", "Tổ 1 (Phường Đức Xuân cũ)", "Tổ 2 (Phường Nguyễn Thị Minh Khai cũ)"]);

        // Not before the wards were one.
        let early = event(5, "ntmk-to-2", day(2025, 3, 1), AreaChange::Merge { into: id("dx-to-1") });
        assert!(matches!(early.check(&after, today()), Err(AreaProblem::EffectiveDate { .. })));
        assert_eq!(event(5, "ntmk-to-2", d, AreaChange::Merge { into: id("dx-to-1") }).check(&after, today()), Ok(()));

        // Tổ 1 of Nguyễn Thị Minh Khai reaches the area it merged into, not that area's old
        // ward (its models count where its entries do); reaching down agrees.
        let old_dx = after.get(&id("dx-to-1")).unwrap().parent.clone().unwrap();
        let reach = after.reach_of(&id("ntmk-to-1"));
        assert!(reach.contains(&id("dx-to-1")) && reach.contains(&ward) && !reach.contains(&old_dx), "{reach:?}");
        let reaches: Vec<(UnitId, Vec<UnitId>)> =
            after.units().map(|u| (u.id.clone(), after.reach_of(&u.id))).collect();
        for from in after.units().filter(|u| u.level != UnitLevel::Province) {
            let want: Vec<&UnitId> = reaches.iter().filter(|(_, r)| r.contains(&from.id)).map(|(u, _)| u).collect();
            let got: Vec<&UnitId> = after.reached_from(&from.id).into_iter().map(|u| &u.id).collect();
            assert_eq!(got, want, "from {}", from.name);
        }

        // One ward keeps at most so many open areas, its old wards' counted in.
        let mut crowded = units_with(units.clone(), &records, None);
        let old_ntmk = after.get(&id("ntmk-to-2")).unwrap().parent.clone().unwrap();
        let open_now = open_areas_kept_with(&after, &ward);
        for n in open_now..MAX_AREAS_PER_WARD {
            crowded.push(Unit::new(
                id(&format!("ntmk-them-{n}")),
                format!("Tổ thêm {n}"),
                UnitLevel::Area,
                Some(old_ntmk.clone()),
            ));
        }
        let crowded = UnitTree::new(crowded).unwrap();
        let one_more = create(6, "kdc-them", ward.as_str(), "Tổ dân phố Thêm", d);
        assert_eq!(one_more.check(&crowded, today()), Err(AreaProblem::TooManyAreas));
        assert_eq!(one_more.check(&after, today()), Ok(()));

        // Closing Tổ 1 of the old Đức Xuân before Tổ 1 of Nguyễn Thị Minh Khai merges into it
        // would leave that one nowhere to count, across the old wards too.
        let too_early = event(4, "dx-to-1", day(2026, 6, 1), AreaChange::Close);
        assert!(matches!(too_early.check(&after, today()), Err(AreaProblem::MergedInLater { .. })));
    }

    #[test]
    fn two_merges_into_each_other_filed_at_once_make_no_cycle() {
        // Two server instances each checked its merge before the other was filed.
        let d = day(2026, 7, 1);
        let one = event(1, "ntmk-to-11", d, AreaChange::Merge { into: id("ntmk-to-13") });
        let other = event(2, "ntmk-to-13", d, AreaChange::Merge { into: id("ntmk-to-11") });
        let tree = tree_of(&[record(one, 1), record(other, 2)], None);
        let (a, b) = (tree.get(&id("ntmk-to-11")).unwrap(), tree.get(&id("ntmk-to-13")).unwrap());
        assert_eq!((a.valid_to.is_some(), b.valid_to.is_some()), (true, false), "the first filed holds, the other not");
        assert_eq!(tree.carried(&id("ntmk-to-13")), vec![id("ntmk-to-13"), id("ntmk-to-11")]);
        assert!(tree.area_open_on(&id("ntmk-to-11"), day(2026, 12, 1)).is_ok());
    }

    #[test]
    fn a_split_area_becomes_new_ones_and_the_first_carries_it_on() {
        let d = day(2026, 7, 1);
        let part = |i: &str, name: &str| AreaPart { id: id(i), name: name.into() };
        let split = |parts: Vec<AreaPart>| event(1, "xh-na-ban", d, AreaChange::Split { parts });
        let tree = tree_of(&[], None);
        let good = split(vec![part("kdc-a", "Thôn Nà Bản"), part("kdc-b", "Thôn Nà Bản 2")]);
        assert_eq!(good.check(&tree, today()), Ok(()), "a part may keep the area's name");
        assert_eq!(split(vec![part("kdc-a", "Thôn A")]).check(&tree, today()), Err(AreaProblem::SplitParts));
        let twice = split(vec![part("kdc-a", "Thôn A"), part("kdc-b", "thôn a")]);
        assert_eq!(twice.check(&tree, today()), Err(AreaProblem::SplitParts));
        let taken = split(vec![part("kdc-a", "Thôn A"), part("kdc-b", "Thôn Tổng Nẻng")]);
        assert_eq!(taken.check(&tree, today()), Err(AreaProblem::NameTaken("Thôn Tổng Nẻng".into())));
        let bad_id = split(vec![part("kdc-a", "Thôn A"), part("xh-b", "Thôn B")]);
        assert_eq!(bad_id.check(&tree, today()), Err(AreaProblem::InvalidAreaId));
        assert_eq!(
            AreaEvent { ..split(vec![part("kdc-a", "Thôn A"), part("kdc-b", " ")]) }.canonical(),
            Err(AreaProblem::InvalidName)
        );

        let after = tree_of(&[record(good.clone(), 1)], None);
        assert_eq!(good.new_areas(), vec![id("kdc-a"), id("kdc-b")]);
        let first = after.get(&id("kdc-a")).unwrap();
        assert_eq!((first.parent.clone(), first.valid_from), (Some(id("x-xuat-hoa")), Some(d)));
        assert_eq!(after.carried(&id("kdc-a")), vec![id("kdc-a"), id("xh-na-ban")]);
        assert_eq!(after.carried(&id("kdc-b")), vec![id("kdc-b")]);
        assert!(after.area_open_on(&id("xh-na-ban"), day(2026, 8, 1)).is_ok());
        assert_eq!(tree_of(&[record(good.clone(), 1), record(good, 2)], None), after, "filed twice, folded once");
    }

    #[test]
    fn the_wire_form_names_its_kind() {
        let e = create(1, "kdc-a", "x-xuat-hoa", "Thôn A", day(2026, 3, 1));
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"id":"e-1","area":"kdc-a","effective":"2026-03-01","change":{"kind":"create","parent":"x-xuat-hoa","name":"Thôn A"}}"#
        );
        assert_eq!(serde_json::from_str::<AreaEvent>(&json).unwrap(), e);
    }
}
