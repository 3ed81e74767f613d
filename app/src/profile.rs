//! What an enrolled phone may see: the tree of the units in its profile, and the join
//! code a link (`/#join=ABCD-EFGH-JKMN`) carries.

use domain::enrol::Profile;
use domain::{Caller, Unit, UnitTree};

/// The units of the profile as a tree. The server lists them parents first, but the top
/// one's parent (a volunteer's city above its ward, say) is out of reach and not listed:
/// that unit becomes a root here.
pub fn visible_tree(profile: &Profile) -> UnitTree {
    let mut units: Vec<Unit> = Vec::with_capacity(profile.units.len());
    for unit in &profile.units {
        let mut unit = unit.clone();
        if unit.parent.as_ref().is_some_and(|p| !units.iter().any(|u| &u.id == p)) {
            unit.parent = None;
        }
        units.push(unit);
    }
    match UnitTree::new(units) {
        Ok(tree) => tree,
        Err(_) => panic!("every listed parent comes first"),
    }
}

/// The caller the server sees in this profile.
pub fn caller(profile: &Profile) -> Caller {
    Caller { device: profile.device.clone(), role: profile.role, scope: profile.scope.clone() }
}

/// The name of a unit of the profile, or its id if it is out of reach.
pub fn unit_name(profile: &Profile, id: &domain::UnitId) -> String {
    profile.units.iter().find(|u| &u.id == id).map_or_else(|| id.to_string(), |u| u.name.clone())
}

/// The join code in a URL fragment: `#join=ABCD-EFGH-JKMN` gives the code, `#join` an
/// empty one (enrol again, nothing filled in); any other fragment, none.
pub fn code_in_fragment(fragment: &str) -> Option<String> {
    let rest = fragment.strip_prefix('#').unwrap_or(fragment).strip_prefix("join")?;
    match rest.strip_prefix('=') {
        Some(code) => Some(code.trim().to_string()),
        None if rest.is_empty() => Some(String::new()),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{DeviceId, Role, UnitId};

    fn volunteer_of_to_11() -> Profile {
        let caller = Caller {
            device: DeviceId::new("d-test").unwrap(),
            role: Role::Volunteer,
            scope: UnitId::new("ntmk-to-11").unwrap(),
        };
        let units = domain::visible_units(&caller, &UnitTree::demo());
        Profile {
            device: caller.device,
            label: "Trưởng ban Tổ 11".into(),
            role: caller.role,
            scope: caller.scope,
            units,
        }
    }

    #[test]
    fn a_volunteers_tree_is_its_ward_with_the_ward_as_root() {
        let profile = volunteer_of_to_11();
        let tree = visible_tree(&profile);
        let ward = UnitId::new("p-nguyen-thi-minh-khai").unwrap();
        assert_eq!(tree.get(&ward).unwrap().parent, None, "the city above is out of reach");
        assert_eq!(tree.areas_under(&ward).len(), 3);
        assert_eq!(tree.get(&profile.scope).unwrap().parent.as_ref(), Some(&ward));
        assert_eq!(unit_name(&profile, &profile.scope), "Tổ 11");
    }

    #[test]
    fn a_join_link_carries_its_code() {
        assert_eq!(code_in_fragment("#join=ABCD-EFGH-JKMN").as_deref(), Some("ABCD-EFGH-JKMN"));
        assert_eq!(code_in_fragment("#join").as_deref(), Some(""));
        assert_eq!(code_in_fragment(""), None);
        assert_eq!(code_in_fragment("#joined"), None);
        assert_eq!(code_in_fragment("#top"), None);
    }
}
