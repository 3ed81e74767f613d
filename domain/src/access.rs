//! Quyền — who may do what, where: roles, their scopes, and the one decision
//! [`authorize`]. The role → permission table is data ([`PERMISSIONS`]); every handler
//! names the [`Action`] it needs and asks this module, never decides by itself.

use crate::{DeviceId, Unit, UnitId, UnitLevel, UnitTree};
use serde::{Deserialize, Serialize};

/// Vai trò — what an enrolled device is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Trưởng ban công tác Mặt trận khu dân cư — records its area's figures.
    Volunteer,
    /// Cán bộ MTTQ xã, phường — enrols the ward's volunteers, reads the ward.
    WardOfficer,
    /// Ban Thường trực, đoàn kiểm tra — reads its subtree.
    Inspector,
    /// Quản trị cấp tỉnh — officers, devices, voids.
    ProvinceAdmin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Volunteer, Role::WardOfficer, Role::Inspector, Role::ProvinceAdmin];

    pub fn name_vi(self) -> &'static str {
        match self {
            Role::Volunteer => "Trưởng ban công tác Mặt trận",
            Role::WardOfficer => "Cán bộ MTTQ xã, phường",
            Role::Inspector => "Ban Thường trực, đoàn kiểm tra",
            Role::ProvinceAdmin => "Quản trị cấp tỉnh",
        }
    }

    /// Whether `unit` can be the scope of this role: a volunteer's is a residential area,
    /// an officer's a commune or ward, an inspector's any unit above the areas, an
    /// administrator's the top of the tree.
    pub fn fits(self, unit: &Unit) -> bool {
        match self {
            Role::Volunteer => unit.is_area(),
            Role::WardOfficer => matches!(unit.level, UnitLevel::Commune | UnitLevel::Ward),
            Role::Inspector => !unit.is_area(),
            Role::ProvinceAdmin => unit.parent.is_none(),
        }
    }
}

/// What a request does; every endpoint names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Send the device's own cells of an area (a sync).
    WriteCells,
    /// Read a unit's figures and its part of the tree.
    ReadFigures,
    /// Issue a join code for a role (see [`Action::issue_code`]).
    IssueVolunteerCode,
    IssueOfficerCode,
    IssueInspectorCode,
    IssueAdminCode,
    /// List and withdraw join codes.
    ManageCodes,
    /// List and revoke devices.
    ManageDevices,
    /// Read the audit trail.
    ReadAudit,
    /// Take back everything a device ever counted.
    VoidDevice,
    /// Continue as a new device of the same role and scope (a phone that went backwards,
    /// or restores a backup): the caller's own device is revoked.
    Succeed,
    /// Create, rename and close residential areas (at the commune or ward they sit in).
    ManageAreas,
    /// Register, withdraw and register again the models of areas and wards.
    ManageModels,
    /// Inspect models and record their acceptance, commendation and replication.
    JudgeModels,
    /// Record titles, commendations and exemplars as decided, and withdraw a wrong one.
    RecordHonours,
    /// Set the scoring sheets the models of a subtree are scored on (a province's or a
    /// district's Front).
    SetScoringSheets,
    /// Add, rename and retire the indicators of the province's catalogue.
    EditCatalogue,
}

impl Action {
    pub const ALL: [Action; 17] = [
        Action::WriteCells,
        Action::ReadFigures,
        Action::IssueVolunteerCode,
        Action::IssueOfficerCode,
        Action::IssueInspectorCode,
        Action::IssueAdminCode,
        Action::ManageCodes,
        Action::ManageDevices,
        Action::ReadAudit,
        Action::VoidDevice,
        Action::Succeed,
        Action::ManageAreas,
        Action::ManageModels,
        Action::JudgeModels,
        Action::RecordHonours,
        Action::SetScoringSheets,
        Action::EditCatalogue,
    ];

    /// Whether it only reads: the figures and the trail of units before a reorganisation
    /// are read through the units that carry them on; nothing is written there.
    pub fn reads(self) -> bool {
        matches!(self, Action::ReadFigures | Action::ReadAudit)
    }

    /// The action of issuing a code that enrols a device as `role`.
    pub fn issue_code(role: Role) -> Action {
        match role {
            Role::Volunteer => Action::IssueVolunteerCode,
            Role::WardOfficer => Action::IssueOfficerCode,
            Role::Inspector => Action::IssueInspectorCode,
            Role::ProvinceAdmin => Action::IssueAdminCode,
        }
    }
}

/// Where, seen from the caller's scope, a permission holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The scope unit only.
    Scope,
    /// The scope and every unit below it.
    Subtree,
    /// The subtree of the scope's parent (a volunteer reads its ward).
    ParentSubtree,
}

/// One row of the permission table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    pub role: Role,
    pub action: Action,
    pub reach: Reach,
}

const fn allow(role: Role, action: Action, reach: Reach) -> Permission {
    Permission { role, action, reach }
}

/// Bảng quyền — what each role may do; anything not listed is refused.
pub const PERMISSIONS: &[Permission] = {
    use Action::*;
    use Reach::*;
    use Role::*;
    &[
        allow(Volunteer, WriteCells, Scope),
        allow(Volunteer, ReadFigures, ParentSubtree),
        allow(Volunteer, Succeed, Scope),
        allow(WardOfficer, ReadFigures, Subtree),
        allow(WardOfficer, IssueVolunteerCode, Subtree),
        allow(WardOfficer, IssueOfficerCode, Scope),
        allow(WardOfficer, ManageCodes, Subtree),
        allow(WardOfficer, ManageDevices, Subtree),
        allow(WardOfficer, ReadAudit, Subtree),
        allow(WardOfficer, ManageAreas, Subtree),
        allow(WardOfficer, ManageModels, Subtree),
        allow(WardOfficer, JudgeModels, Subtree),
        allow(WardOfficer, RecordHonours, Subtree),
        allow(WardOfficer, Succeed, Scope),
        allow(Inspector, ReadFigures, Subtree),
        allow(Inspector, ReadAudit, Subtree),
        allow(Inspector, JudgeModels, Subtree),
        allow(Inspector, RecordHonours, Subtree),
        allow(Inspector, SetScoringSheets, Subtree),
        allow(Inspector, Succeed, Scope),
        allow(ProvinceAdmin, ReadFigures, Subtree),
        allow(ProvinceAdmin, IssueVolunteerCode, Subtree),
        allow(ProvinceAdmin, IssueOfficerCode, Subtree),
        allow(ProvinceAdmin, IssueInspectorCode, Subtree),
        allow(ProvinceAdmin, IssueAdminCode, Scope),
        allow(ProvinceAdmin, ManageCodes, Subtree),
        allow(ProvinceAdmin, ManageDevices, Subtree),
        allow(ProvinceAdmin, ReadAudit, Subtree),
        allow(ProvinceAdmin, VoidDevice, Subtree),
        allow(ProvinceAdmin, ManageAreas, Subtree),
        allow(ProvinceAdmin, ManageModels, Subtree),
        allow(ProvinceAdmin, JudgeModels, Subtree),
        allow(ProvinceAdmin, RecordHonours, Subtree),
        allow(ProvinceAdmin, SetScoringSheets, Subtree),
        allow(ProvinceAdmin, EditCatalogue, Scope),
        allow(ProvinceAdmin, Succeed, Scope),
    ]
};

/// Người gọi — the enrolled device a request comes from, as the server knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub device: DeviceId,
    pub role: Role,
    pub scope: UnitId,
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{role:?} of `{scope}` may not {action:?} at `{unit}`")]
pub struct Forbidden {
    pub role: Role,
    pub scope: UnitId,
    pub action: Action,
    pub unit: UnitId,
}

impl Action {
    /// What the action does, in Vietnamese, for refusals.
    pub fn name_vi(self) -> &'static str {
        match self {
            Action::WriteCells => "gửi số liệu",
            Action::ReadFigures => "xem số liệu",
            Action::IssueVolunteerCode => "cấp mã tham gia cho Trưởng ban công tác Mặt trận",
            Action::IssueOfficerCode => "cấp mã tham gia cho cán bộ xã, phường",
            Action::IssueInspectorCode => "cấp mã tham gia cho Ban Thường trực, đoàn kiểm tra",
            Action::IssueAdminCode => "cấp mã tham gia cho quản trị cấp tỉnh",
            Action::ManageCodes => "quản lý mã tham gia",
            Action::ManageDevices => "quản lý thiết bị",
            Action::ReadAudit => "xem nhật ký",
            Action::VoidDevice => "hủy số liệu của một thiết bị",
            Action::Succeed => "chuyển sang một thiết bị mới",
            Action::ManageAreas => "quản lý khu dân cư",
            Action::ManageModels => "đăng ký mô hình",
            Action::JudgeModels => "kiểm tra, nghiệm thu mô hình",
            Action::RecordHonours => "ghi danh hiệu, khen thưởng",
            Action::SetScoringSheets => "lập phiếu chấm điểm mô hình",
            Action::EditCatalogue => "sửa danh mục chỉ tiêu",
        }
    }
}

impl Forbidden {
    pub fn message_vi(&self) -> String {
        format!("{} không được {} ở đơn vị này.", self.role.name_vi(), self.action.name_vi())
    }
}

/// May `caller` do `action` at `unit`? The one decision, for every endpoint.
pub fn authorize(caller: &Caller, action: Action, unit: &UnitId, tree: &UnitTree) -> Result<(), Forbidden> {
    // Reading reaches the units before a reorganisation that the caller's units carry on;
    // keeping areas, also the areas of the wards merged into the caller's on 1/7/2025
    // (their home, `UnitTree::home_of`); every other action, only the tree the unit is in.
    let chain = match action {
        _ if action.reads() => tree.reach_of(unit),
        Action::ManageAreas => {
            let ward = tree.get(unit).ok().filter(|u| u.is_area()).and_then(|u| u.parent.as_ref()).unwrap_or(unit);
            let mut chain = tree.self_and_ancestors(unit);
            chain.extend(tree.self_and_ancestors(tree.home_of(ward)));
            chain
        }
        _ => tree.self_and_ancestors(unit),
    };
    let within = |top: &UnitId| chain.contains(top);
    let allowed = PERMISSIONS.iter().filter(|p| p.role == caller.role && p.action == action).any(|p| match p.reach {
        Reach::Scope => *unit == caller.scope && tree.get(unit).is_ok(),
        Reach::Subtree => within(&caller.scope),
        Reach::ParentSubtree => tree.get(&caller.scope).ok().and_then(|s| s.parent.as_ref()).is_some_and(within),
    });
    if allowed {
        Ok(())
    } else {
        Err(Forbidden { role: caller.role, scope: caller.scope.clone(), action, unit: unit.clone() })
    }
}

/// The units a caller may read, parents first: its subtree (with the units before a
/// reorganisation it carries on), or for a volunteer its ward's.
#[cfg(not(target_arch = "wasm32"))]
pub fn visible_units(caller: &Caller, tree: &UnitTree) -> Vec<Unit> {
    units_in_reach(caller, tree).into_iter().cloned().collect()
}

/// [`visible_units`] without copying them. Walked from the caller's scope (or its ward,
/// for a volunteer), every unit found asked of [`authorize`]: a national tree is never
/// scanned for one caller.
#[cfg(not(target_arch = "wasm32"))]
pub fn units_in_reach<'t>(caller: &Caller, tree: &'t UnitTree) -> Vec<&'t Unit> {
    // From the scope's parent only for a role that reads its parent's subtree.
    let reads_parent = (PERMISSIONS.iter())
        .any(|p| p.role == caller.role && p.action == Action::ReadFigures && p.reach == Reach::ParentSubtree);
    let parent = tree.get(&caller.scope).ok().and_then(|s| s.parent.as_ref()).filter(|_| reads_parent);
    readable_from(caller, tree, parent.unwrap_or(&caller.scope))
}

/// The units of [`UnitTree::reached_from`] `from` that the caller may read, parents first.
#[cfg(not(target_arch = "wasm32"))]
pub fn readable_from<'t>(caller: &Caller, tree: &'t UnitTree, from: &UnitId) -> Vec<&'t Unit> {
    let found = tree.reached_from(from).into_iter();
    found.filter(|u| authorize(caller, Action::ReadFigures, &u.id, tree).is_ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> UnitId {
        UnitId::new(s).unwrap()
    }

    fn caller(role: Role, scope: &str) -> Caller {
        Caller { device: DeviceId::new("d-test").unwrap(), role, scope: id(scope) }
    }

    /// The reference: the permission table read by hand, row by row.
    fn expected(role: Role, action: Action, scope: &str, unit: &str, tree: &UnitTree) -> bool {
        let under = |top: &str| tree.self_and_ancestors(&id(unit)).contains(&id(top));
        let ward_of_scope = tree.get(&id(scope)).unwrap().parent.clone();
        use Action::*;
        match (role, action) {
            (_, Succeed) => unit == scope,
            (Role::Volunteer, WriteCells) => unit == scope,
            (Role::Volunteer, ReadFigures) => ward_of_scope.is_some_and(|w| under(w.as_str())),
            (Role::WardOfficer, IssueOfficerCode) | (Role::ProvinceAdmin, IssueAdminCode | EditCatalogue) => {
                unit == scope
            }
            (
                Role::WardOfficer,
                ReadFigures | IssueVolunteerCode | ManageCodes | ManageDevices | ReadAudit | ManageAreas | ManageModels
                | JudgeModels | RecordHonours,
            ) => under(scope),
            (Role::Inspector, ReadFigures | ReadAudit | JudgeModels | RecordHonours | SetScoringSheets) => under(scope),
            (Role::ProvinceAdmin, WriteCells) => false,
            (Role::ProvinceAdmin, _) => under(scope),
            _ => false,
        }
    }

    #[test]
    fn every_role_action_scope_and_unit_is_decided_as_the_table_says() {
        let tree = UnitTree::demo();
        let mut checked = 0;
        for role in Role::ALL {
            for scope in tree.units().filter(|u| role.fits(u)) {
                for action in Action::ALL {
                    for unit in tree.units() {
                        let got = authorize(&caller(role, scope.id.as_str()), action, &unit.id, &tree).is_ok();
                        let want = expected(role, action, scope.id.as_str(), unit.id.as_str(), &tree);
                        assert_eq!(got, want, "{role:?} of {} doing {action:?} at {}", scope.id, unit.id);
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1_000, "{checked}");
    }

    #[test]
    fn a_volunteer_writes_only_its_area_and_reads_only_its_ward() {
        let tree = UnitTree::demo();
        let v = caller(Role::Volunteer, "ntmk-to-11");
        assert!(authorize(&v, Action::WriteCells, &id("ntmk-to-11"), &tree).is_ok());
        assert!(authorize(&v, Action::WriteCells, &id("ntmk-to-13"), &tree).is_err());
        assert!(authorize(&v, Action::ReadFigures, &id("ntmk-to-13"), &tree).is_ok());
        assert!(authorize(&v, Action::ReadFigures, &id("p-nguyen-thi-minh-khai"), &tree).is_ok());
        assert!(authorize(&v, Action::ReadFigures, &id("dx-to-8a"), &tree).is_err());
        assert!(authorize(&v, Action::ReadFigures, &id("tp-bac-kan"), &tree).is_err());
        let seen: Vec<_> = visible_units(&v, &tree).into_iter().map(|u| u.id.to_string()).collect();
        assert_eq!(seen, ["p-nguyen-thi-minh-khai", "ntmk-to-11", "ntmk-to-13", "ntmk-to-15"]);
    }

    #[test]
    fn the_units_in_reach_are_those_it_may_read_whatever_the_tree() {
        let dataset = crate::dataset::Dataset::bundled().unwrap();
        let province = dataset.province("Thái Nguyên").unwrap().into_iter().map(|u| u.unit.clone()).collect();
        for tree in [UnitTree::demo(), UnitTree::new(province).unwrap()] {
            for role in Role::ALL {
                for scope in tree.units().filter(|u| role.fits(u)).step_by(5) {
                    let c = caller(role, scope.id.as_str());
                    let want: Vec<&UnitId> = (tree.units())
                        .filter(|u| authorize(&c, Action::ReadFigures, &u.id, &tree).is_ok())
                        .map(|u| &u.id)
                        .collect();
                    let got: Vec<&UnitId> = units_in_reach(&c, &tree).into_iter().map(|u| &u.id).collect();
                    assert_eq!(got, want, "{role:?} of {}", scope.name);
                }
            }
        }
    }

    #[test]
    fn a_scope_that_left_the_tree_allows_nothing() {
        let tree = UnitTree::demo();
        for role in Role::ALL {
            for action in Action::ALL {
                let c = caller(role, "khong-con");
                assert!(authorize(&c, action, &id("khong-con"), &tree).is_err());
                assert!(authorize(&c, action, &id("ntmk-to-11"), &tree).is_err());
            }
        }
    }

    #[test]
    fn roles_fit_the_levels_of_their_scopes() {
        let tree = UnitTree::demo();
        let fits = |role: Role, unit: &str| role.fits(tree.get(&id(unit)).unwrap());
        assert!(fits(Role::Volunteer, "dx-to-8a") && !fits(Role::Volunteer, "p-duc-xuan"));
        assert!(fits(Role::WardOfficer, "p-duc-xuan") && fits(Role::WardOfficer, "x-xuat-hoa"));
        assert!(!fits(Role::WardOfficer, "tp-bac-kan") && !fits(Role::WardOfficer, "dx-to-8a"));
        assert!(fits(Role::Inspector, "tp-bac-kan") && !fits(Role::Inspector, "dx-to-8a"));
        assert!(fits(Role::ProvinceAdmin, "tp-bac-kan") && !fits(Role::ProvinceAdmin, "p-duc-xuan"));
    }
}
