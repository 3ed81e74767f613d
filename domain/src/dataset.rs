//! Bộ dữ liệu đơn vị hành chính — Vietnam's administrative units as published, before and
//! after the merger of 1/7/2025 (`data/units/`, generated from the MIT-licensed
//! `vietnamadminunits` by `data/units/generate.py`): each unit with an id of its own, its
//! official code, name and level, and the dates it is valid; and which units after the
//! merger succeed which before it, whole or as a part of a split commune.

use crate::search::fold;
use crate::{Date, Unit, UnitId, UnitLevel};
use std::collections::BTreeMap;

/// The dataset's files, as generated.
pub const UNITS_TSV: &str = include_str!("../data/units/vietnam.tsv");
pub const SUCCESSORS_TSV: &str = include_str!("../data/units/successors.tsv");

/// One unit as the dataset publishes it. The code is an attribute, never an identity:
/// codes are reused (the Phường Đức Xuân of 2025 has the code of the one before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetUnit {
    pub unit: Unit,
    pub code: String,
}

/// How much of a unit before the merger went to a unit after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    Whole,
    /// A part of a commune split across several; `default` is the one its figures go to
    /// when nothing says where an area went.
    Part {
        default: bool,
    },
}

/// A unit before the merger and one of its successors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Succession {
    pub from: UnitId,
    pub to: UnitId,
    pub share: Share,
}

/// The dataset: its version, its units (parents before children) and the successions.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub version: String,
    pub units: Vec<DatasetUnit>,
    pub successions: Vec<Succession>,
    index: BTreeMap<UnitId, usize>,
}

/// What is wrong with a dataset file, or with a province asked of it, in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DatasetProblem(pub String);

fn malformed(line: usize, what: impl std::fmt::Display) -> DatasetProblem {
    DatasetProblem(format!("Bộ dữ liệu đơn vị, dòng {line}: {what}."))
}

/// The data lines of a file after its comment and header, with their line numbers.
fn rows<'a>(text: &'a str, header: &str) -> Result<impl Iterator<Item = (usize, Vec<&'a str>)>, DatasetProblem> {
    let mut lines = text.lines().enumerate().map(|(n, l)| (n + 1, l)).filter(|(_, l)| !l.starts_with('#'));
    match lines.next() {
        Some((_, first)) if first == header => Ok(lines.map(|(n, l)| (n, l.split('\t').collect()))),
        other => Err(malformed(other.map_or(1, |(n, _)| n), format!("thiếu dòng tiêu đề \"{header}\""))),
    }
}

/// How far down the tree a level sits: a parent sits higher than its children.
fn depth(level: UnitLevel) -> u8 {
    match level {
        UnitLevel::Province => 0,
        UnitLevel::District => 1,
        UnitLevel::Commune | UnitLevel::Ward => 2,
        UnitLevel::Area => 3,
    }
}

fn level(text: &str) -> Option<UnitLevel> {
    Some(match text {
        "province" => UnitLevel::Province,
        "district" => UnitLevel::District,
        "commune" => UnitLevel::Commune,
        "ward" => UnitLevel::Ward,
        _ => return None,
    })
}

impl Dataset {
    /// The dataset this build carries.
    pub fn bundled() -> Result<Self, DatasetProblem> {
        Self::parse(UNITS_TSV, SUCCESSORS_TSV)
    }

    /// Reads the two files, checking every line: ids of the slug form and each once,
    /// parents listed first, known levels, dates, names precomposed (NFC: no combining
    /// marks), and successions from units that ended on 30/6/2025 to units since 1/7/2025.
    pub fn parse(units: &str, successors: &str) -> Result<Self, DatasetProblem> {
        let version = units.lines().next().and_then(|l| l.split(" from ").nth(1)).and_then(|l| l.split(" (").next());
        let mut dataset = Dataset {
            version: version.unwrap_or_default().to_string(),
            units: vec![],
            successions: vec![],
            index: BTreeMap::new(),
        };
        let date =
            |n, text: &str| (!text.is_empty()).then(|| text.parse::<Date>().map_err(|e| malformed(n, e))).transpose();
        for (n, fields) in rows(units, "id\tlevel\tcode\tname\tparent\tvalid_from\tvalid_to")? {
            let [id, lvl, code, name, parent, from, to] = fields[..] else {
                return Err(malformed(n, "cần 7 cột"));
            };
            let id = UnitId::new(id).map_err(|e| malformed(n, e))?;
            let level = level(lvl).ok_or_else(|| malformed(n, format!("cấp không rõ \"{lvl}\"")))?;
            if name.is_empty() || name.chars().any(|c| ('\u{300}'..='\u{36f}').contains(&c)) {
                return Err(malformed(n, "tên trống hoặc chưa dựng sẵn (NFC)"));
            }
            let (valid_from, valid_to) = (date(n, from)?, date(n, to)?);
            let parent = match parent {
                "" => None,
                p => {
                    let above = UnitId::new(p).ok().and_then(|p| dataset.get(&p).map(|u| (p.clone(), u)));
                    let (p, above) =
                        above.ok_or_else(|| malformed(n, format!("đơn vị cha {p} chưa có ở dòng trên")))?;
                    if depth(above.unit.level) >= depth(level) || above.unit.valid_to != valid_to {
                        return Err(malformed(n, format!("đơn vị cha {p} không ở cấp trên cùng thời kỳ")));
                    }
                    Some(p)
                }
            };
            let unit = Unit { valid_from, valid_to, ..Unit::new(id.clone(), name, level, parent) };
            if dataset.index.insert(id.clone(), dataset.units.len()).is_some() {
                return Err(malformed(n, format!("mã {id} lặp lại")));
            }
            dataset.units.push(DatasetUnit { unit, code: code.to_string() });
        }
        let day = |m, d| Date::new(2025, m, d).map_err(|e| DatasetProblem(e.to_string()));
        let (last_before, first_after) = (day(6, 30)?, day(7, 1)?);
        for (n, fields) in rows(successors, "from\tto\tshare")? {
            let [from, to, share] = fields[..] else { return Err(malformed(n, "cần 3 cột")) };
            let share = match share {
                "whole" => Share::Whole,
                "part" => Share::Part { default: false },
                "part-default" => Share::Part { default: true },
                other => return Err(malformed(n, format!("phần không rõ \"{other}\""))),
            };
            let known = |id: &str, valid: &dyn Fn(&DatasetUnit) -> bool| {
                UnitId::new(id).ok().filter(|id| dataset.get(id).is_some_and(valid)).ok_or_else(|| malformed(n, id))
            };
            let from = known(from, &|u| u.unit.valid_to == Some(last_before))?;
            let to = known(to, &|u| u.unit.valid_from == Some(first_after))?;
            dataset.successions.push(Succession { from, to, share });
        }
        // A unit went whole to one successor, or in parts with exactly one default.
        let mut shares: BTreeMap<&UnitId, (usize, usize, usize)> = BTreeMap::new();
        for s in &dataset.successions {
            let (whole, parts, defaults) = shares.entry(&s.from).or_default();
            match s.share {
                Share::Whole => *whole += 1,
                Share::Part { default } => (*parts, *defaults) = (*parts + 1, *defaults + usize::from(default)),
            }
        }
        let wrong = |&(whole, parts, defaults): &(usize, usize, usize)| {
            !((whole == 1 && parts == 0) || (whole == 0 && parts > 1 && defaults == 1))
        };
        if let Some((from, _)) = shares.iter().find(|(_, counts)| wrong(counts)) {
            return Err(DatasetProblem(format!(
                "Bộ dữ liệu đơn vị: {from} cần một đơn vị kế tiếp trọn vẹn, hoặc vài phần với đúng một phần mặc định."
            )));
        }
        // Each unit carries on what went to it whole, and the split communes it is the
        // default part of (on the server: the app never reads it).
        #[cfg(not(target_arch = "wasm32"))]
        for s in &dataset.successions {
            if matches!(s.share, Share::Whole | Share::Part { default: true }) {
                let to = dataset.index[&s.to];
                dataset.units[to].unit.succeeds.push(s.from.clone());
            }
        }
        Ok(dataset)
    }

    pub fn get(&self, id: &UnitId) -> Option<&DatasetUnit> {
        self.index.get(id).map(|&i| &self.units[i])
    }

    /// A province of today's map, found by its code ("19") or its name without diacritics
    /// or case, with or without "Tỉnh" / "Thành phố" ("thai nguyen"); with its communes
    /// and wards, and the provinces before 1/7/2025 that merged into it with their
    /// districts and communes: its whole history, parents before children.
    pub fn province(&self, asked: &str) -> Result<Vec<&DatasetUnit>, DatasetProblem> {
        let typed = asked.trim();
        let bare = |name: &str| {
            let name = fold(name);
            ["tinh ", "thanh pho "].iter().find_map(|p| name.strip_prefix(p).map(str::to_string)).unwrap_or(name)
        };
        let named = |u: &&DatasetUnit| {
            u.unit.level == UnitLevel::Province && (u.code == typed || bare(&u.unit.name) == bare(typed))
        };
        let Some(province) = self.units.iter().filter(|u| u.unit.valid_to.is_none()).find(named) else {
            // A province of the old map: say which one it is part of now.
            let now = (self.units.iter().filter(|u| u.unit.valid_to.is_some()).find(named))
                .and_then(|old| self.successions.iter().find(|s| s.from == old.unit.id))
                .and_then(|s| self.get(&s.to))
                .map(|new| format!(" (từ 1/7/2025 thuộc {})", new.unit.name));
            return Err(DatasetProblem(format!(
                "Không có tỉnh, thành phố \"{typed}\" trên bản đồ từ 1/7/2025{}.",
                now.unwrap_or_default()
            )));
        };
        let merged: Vec<&UnitId> =
            self.successions.iter().filter(|s| s.to == province.unit.id).map(|s| &s.from).collect();
        // Every unit whose root is the province or one of those merged into it.
        let mut roots: BTreeMap<&UnitId, bool> = BTreeMap::new();
        let mut chosen = vec![];
        for u in &self.units {
            let keep = match &u.unit.parent {
                None => u.unit.id == province.unit.id || merged.contains(&&u.unit.id),
                Some(parent) => roots.get(parent).copied().unwrap_or(false),
            };
            roots.insert(&u.unit.id, keep);
            if keep {
                chosen.push(u);
            }
        }
        Ok(chosen)
    }

    /// The province of today's map `asked` names ([`Dataset::province`]) and its communes
    /// and wards, the province first: what a store holds of it while a stored unit has no
    /// dates (one that ended would read as current).
    pub fn province_today(&self, asked: &str) -> Result<Vec<&DatasetUnit>, DatasetProblem> {
        Ok(self.province(asked)?.into_iter().filter(|u| u.unit.valid_to.is_none()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset() -> Dataset {
        Dataset::bundled().expect("the bundled dataset reads")
    }

    fn count(d: &Dataset, level: UnitLevel, current: bool) -> usize {
        d.units.iter().filter(|u| u.unit.level == level && u.unit.valid_to.is_none() == current).count()
    }

    #[test]
    fn the_bundled_dataset_has_the_map_before_and_after_the_merger() {
        let d = dataset();
        assert_eq!(d.version, "vietnamadminunits 1.0.4");
        assert_eq!(count(&d, UnitLevel::Province, true), 34);
        assert_eq!(count(&d, UnitLevel::Commune, true) + count(&d, UnitLevel::Ward, true), 3321);
        assert_eq!(count(&d, UnitLevel::Ward, true), 687);
        assert_eq!(count(&d, UnitLevel::District, true), 0, "no districts since 1/7/2025");
        assert_eq!(count(&d, UnitLevel::Province, false), 63);
        assert_eq!(count(&d, UnitLevel::District, false), 696);
        assert_eq!(count(&d, UnitLevel::Commune, false) + count(&d, UnitLevel::Ward, false), 10035);
        // Every commune before the merger has a successor; about 470 were split.
        let communes = |u: &&DatasetUnit| matches!(u.unit.level, UnitLevel::Commune | UnitLevel::Ward);
        let before = d.units.iter().filter(|u| u.unit.valid_to.is_some()).filter(communes);
        for u in before {
            assert!(d.successions.iter().any(|s| s.from == u.unit.id), "{} has a successor", u.unit.name);
        }
        let split: std::collections::BTreeSet<_> =
            d.successions.iter().filter(|s| s.share != Share::Whole).map(|s| &s.from).collect();
        assert_eq!(split.len(), 471);
        for from in split {
            let defaults = d.successions.iter().filter(|s| &s.from == from && s.share == Share::Part { default: true });
            assert_eq!(defaults.count(), 1, "a split commune has one default successor");
        }
    }

    #[test]
    fn codes_are_reused_between_the_maps_and_ids_are_not() {
        let d = dataset();
        let xuan: Vec<_> = d.units.iter().filter(|u| u.unit.name == "Phường Đức Xuân").collect();
        assert_eq!(xuan.len(), 2);
        assert_eq!(xuan[0].code, xuan[1].code, "the same official code, 01840");
        assert_ne!(xuan[0].unit.id, xuan[1].unit.id);
        assert_eq!(d.successions.iter().find(|s| s.from == xuan[0].unit.id).map(|s| &s.to), Some(&xuan[1].unit.id));
    }

    #[test]
    fn a_province_comes_with_the_provinces_merged_into_it_by_name_or_code() {
        let d = dataset();
        let thai_nguyen = d.province("thai nguyen").unwrap();
        let today = thai_nguyen.iter().find(|u| u.unit.parent.is_none() && u.unit.valid_to.is_none());
        assert_eq!(today.map(|u| u.unit.name.as_str()), Some("Tỉnh Thái Nguyên"));
        for asked in ["Tỉnh Thái Nguyên", "THÁI NGUYÊN", "19"] {
            assert_eq!(d.province(asked).unwrap(), thai_nguyen, "{asked}");
        }
        let roots: Vec<_> = thai_nguyen.iter().filter(|u| u.unit.parent.is_none()).map(|u| &u.unit.name).collect();
        assert_eq!(roots.len(), 3, "today's province and the two before it: {roots:?}");
        assert!(roots.contains(&&"Tỉnh Bắc Kạn".to_string()));
        assert!(thai_nguyen.iter().any(|u| u.unit.name == "Xã Nông Thượng" && u.unit.valid_to.is_some()));
        let tree = crate::UnitTree::new(thai_nguyen.iter().map(|u| u.unit.clone()).collect());
        assert!(tree.is_ok(), "parents come before children");
        let now = d.province_today("19").unwrap();
        assert_eq!((now[0].unit.name.as_str(), now[0].unit.parent.as_ref()), ("Tỉnh Thái Nguyên", None));
        assert_eq!(now.len(), 93, "the province and its 92 communes and wards");
        assert!(now[1..].iter().all(|u| u.unit.parent.as_ref() == Some(&now[0].unit.id)));
        let gone = d.province("Tỉnh Bắc Kạn").unwrap_err().to_string();
        assert_eq!(
            gone,
            "Không có tỉnh, thành phố \"Tỉnh Bắc Kạn\" trên bản đồ từ 1/7/2025 (từ 1/7/2025 thuộc Tỉnh Thái Nguyên)."
        );
        assert!(d.province("Tỉnh Atlantis").unwrap_err().to_string().ends_with("trên bản đồ từ 1/7/2025."));
    }

    #[test]
    fn a_malformed_line_is_refused_with_its_number() {
        let head = "# x from test (y)\nid\tlevel\tcode\tname\tparent\tvalid_from\tvalid_to\n";
        let succ = "from\tto\tshare\n";
        let refused = |units: &str| Dataset::parse(&format!("{head}{units}"), succ).unwrap_err().to_string();
        assert!(refused("u-a\tprovince\t01\tTỉnh A\tu-b\t\t\n").contains("dòng 3"));
        assert!(refused("u-a\tcity\t01\tTỉnh A\t\t\t\n").contains("cấp không rõ"));
        assert!(refused("u-a\tprovince\t01\tTi\u{301}nh A\t\t\t\n").contains("NFC"));
        assert!(refused("u-a\tprovince\t01\tTỉnh A\t\t\t\nu-a\tprovince\t02\tTỉnh B\t\t\t\n").contains("lặp lại"));
        assert!(refused("U A\tprovince\t01\tTỉnh A\t\t\t\n").contains("dòng 3"));
        assert!(refused("u-a\tward\t01\tPhường A\t\t\t\nu-b\tprovince\t02\tTỉnh B\tu-a\t\t\n").contains("cấp trên"));
        let eras = "u-a\tprovince\t01\tTỉnh A\t\t\t2025-06-30\nu-b\tward\t02\tPhường B\tu-a\t2025-07-01\t\n";
        assert!(refused(eras).contains("cùng thời kỳ"));
        assert!(Dataset::parse("# x\nid\tlevel\n", succ).unwrap_err().to_string().contains("dòng 2"));
        let ok = Dataset::parse(&format!("{head}u-a\tprovince\t01\tTỉnh A\t\t2025-07-01\t\n"), succ).unwrap();
        assert_eq!(ok.version, "test");
        // Successions: whole to one, or in parts with one default.
        let old = "u-o\tprovince\t01\tTỉnh O\t\t\t2025-06-30\n";
        let new = "u-n\tprovince\t01\tTỉnh N\t\t2025-07-01\t\nu-m\tprovince\t02\tTỉnh M\t\t2025-07-01\t\n";
        let with = |lines: &str| Dataset::parse(&format!("{head}{old}{new}"), &format!("{succ}{lines}"));
        assert!(with("u-o\tu-n\twhole\n").is_ok());
        assert!(with("u-o\tu-n\tpart-default\nu-o\tu-m\tpart\n").is_ok());
        assert!(with("u-o\tu-n\twhole\nu-o\tu-m\twhole\n").is_err(), "whole to two");
        assert!(with("u-o\tu-n\tpart\nu-o\tu-m\tpart\n").is_err(), "no default");
        assert!(with("u-n\tu-o\twhole\n").is_err(), "from a unit of today");
    }
}
