//! Dữ liệu mẫu — the demo the seed articles tell (`../shared/seeds/`), loaded into a new
//! store by `sotay-local load-demo`: Thái Nguyên and Hà Nội with their history from the
//! dataset; Thành phố Bắc Kạn's 127 residential areas under the tree of 2017–2019, their
//! figures entered by one phone each and sent through the same sync as real ones
//! (8.111 m² of land donated, roads, 178/190 alleys lit, 640 triệu đồng, 5.379 ngày công,
//! 40 sessions at 25 thôn with 1.750 households, 127/127 cultural conventions); its 713
//! "Khu dân cư văn hóa" titles, Xã Nông Thượng meeting the new-rural standard in 2017,
//! and Thị xã Bắc Kạn's 24 areas and 32 committee heads
//! commended in 2013; Quận Thanh Xuân's 122 models of 2020, 78 registered again after
//! the inspection. Today's Tỉnh Thái Nguyên carries Bắc Kạn on: the same figures read
//! under today's map.
//!
//! What the seeds leave open is chosen and said here: "gần 2 km" of rural road is entered
//! as 1.900 m; the decisions' numbers read "Mẫu/…" (the seeds give none); the amounts
//! are spread over areas and months by a fixed rule, so every load gives the same store.
//! The dataset starts from the map of 30/6/2025, so Thanh Xuân's models are registered by
//! its wards of that map (9), not the 11 of 2020.

use crate::api::AppState;
use crate::store::{Store, StoreError, load_province};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::dataset::Dataset;
use domain::{
    CounterCell, DeviceId, Hlc, IndicatorId, Month, PROTOCOL, RegisterCell, RegisterValue, Role, Stamp, SyncRequest,
    Unit, UnitId, UnitLevel, UnitTree,
};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

/// Bắc Kạn city's wards and communes as the seeds knew them, with how many residential
/// areas each had and the names the seeds give (the others numbered).
const CITY: [(&str, usize, &[&str]); 8] = [
    ("Phường Đức Xuân", 20, &["Tổ 8A"]),
    ("Phường Nguyễn Thị Minh Khai", 20, &["Tổ 11", "Tổ 13", "Tổ 15"]),
    ("Phường Sông Cầu", 18, &["Tổ 12"]),
    ("Phường Phùng Chí Kiên", 16, &[]),
    ("Phường Huyền Tụng", 14, &[]),
    ("Phường Xuất Hóa", 14, &["Thôn Tổng Nẻng", "Thôn Nà Bản"]),
    ("Xã Nông Thượng", 13, &["Thôn Khuổi Chang"]),
    ("Xã Dương Quang", 12, &[]),
];

/// The two communes building the new countryside (2019): their 25 thôn held the 40
/// sessions.
const NEW_RURAL: [&str; 2] = ["Xã Nông Thượng", "Xã Dương Quang"];

/// What the demo put in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// Today's provinces loaded, with their ids (for `create-admin --unit`).
    pub provinces: Vec<(String, UnitId)>,
    pub areas: usize,
    pub syncs: usize,
    pub models: usize,
    pub honours: usize,
}

/// Why the demo was not loaded.
fn refused(what: impl std::fmt::Display) -> StoreError {
    StoreError(format!("Không nạp được dữ liệu mẫu: {what}"))
}

/// `total` split into `parts` amounts of uneven sizes (a fixed rule), summing to it; each
/// at least 1 when there is enough for all.
pub fn spread(total: u64, parts: usize) -> Vec<u64> {
    let floor = u64::from(total >= parts as u64);
    let rest = total - floor * parts as u64;
    let weights: Vec<u64> = (0..parts as u64).map(|i| 3 + (i * 7 + 5) % 11).collect();
    let sum: u64 = weights.iter().sum();
    let mut out: Vec<u64> = weights.iter().map(|w| floor + rest * w / sum).collect();
    let short = total - out.iter().sum::<u64>();
    for i in 0..short as usize {
        out[i % parts] += 1;
    }
    out
}

/// Loads the demo into `store`, which must hold no units yet; returns the state serving
/// it and what was loaded.
pub async fn load<S: Store>(store: S) -> Result<(Arc<AppState<S>>, Loaded), StoreError> {
    if !store.roots().await?.is_empty() {
        return Err(refused("tệp dữ liệu này đã có đơn vị; hãy nạp vào một tệp dữ liệu mới."));
    }
    let dataset = Dataset::bundled().map_err(refused)?;
    let mut provinces = vec![];
    for name in ["Thái Nguyên", "Hà Nội"] {
        load_province(&store, &dataset, name).await?;
        let today = dataset.province_today(name).map_err(refused)?[0];
        provinces.push((today.unit.name.clone(), today.unit.id.clone()));
    }
    let tree = crate::store::stored_tree(&store).await?.unwrap_or_default();
    let areas = city_areas(&tree)?;
    store.add_units(&areas).await?;
    let state = crate::app_state(store, false).await?;
    let demo = Demo { router: crate::api_router(state.clone()), state: state.clone() };
    let today = provinces.iter().map(|(_, id)| id);
    let tree = demo.state.tree_knowing(today).await.map_err(|e| refused(e.to_string()))?;
    let syncs = demo.figures(&tree, &areas).await?;
    let honours = demo.honours(&tree, &areas).await?;
    let models = demo.models(&tree).await?;
    Ok((state, Loaded { provinces, areas: areas.len(), syncs, models, honours }))
}

/// The unit of the map before 1/7/2025 called `name`, under `parent` if given.
fn old_unit<'a>(tree: &'a UnitTree, name: &str, parent: Option<&UnitId>) -> Result<&'a Unit, StoreError> {
    tree.units()
        .find(|u| u.name == name && u.valid_to.is_some() && parent.is_none_or(|p| u.parent.as_ref() == Some(p)))
        .ok_or_else(|| refused(format!("bộ dữ liệu không có {name}")))
}

/// Bắc Kạn city's 127 residential areas, under its wards and communes of that time. The
/// thôn and tổ dân phố outlived the reorganisation of 1/7/2025: they go on, kept by the
/// wards of today's map those wards merged into (`UnitTree::home_of`).
fn city_areas(tree: &UnitTree) -> Result<Vec<Unit>, StoreError> {
    let province = old_unit(tree, "Tỉnh Bắc Kạn", None)?.id.clone();
    let city = old_unit(tree, "Thành phố Bắc Kạn", Some(&province))?.id.clone();
    let mut areas = vec![];
    for (n, (ward, count, named)) in CITY.iter().enumerate() {
        let ward = old_unit(tree, ward, Some(&city))?;
        let kind = if ward.level == UnitLevel::Ward && !ward.name.contains("Xuất Hóa") { "Tổ" } else { "Thôn" };
        let mut names: Vec<String> = named.iter().map(|s| s.to_string()).collect();
        let mut number = 1;
        while names.len() < *count {
            let name = format!("{kind} {number}");
            if !names.contains(&name) {
                names.push(name);
            }
            number += 1;
        }
        for (i, name) in names.into_iter().enumerate() {
            let id = UnitId::new(format!("kdc-bk-{n}-{i:02}")).map_err(refused)?;
            areas.push(Unit::new(id, name, UnitLevel::Area, Some(ward.id.clone())));
        }
    }
    Ok(areas)
}

/// An area's counter cells and register values (indicator, bucket, value), to send.
type AreaCells = (UnitId, Vec<CounterCell>, Vec<(IndicatorId, String, RegisterValue)>);

struct Demo<S> {
    router: axum::Router,
    state: Arc<AppState<S>>,
}

impl<S: Store> Demo<S> {
    /// A device of `role` at `unit`, enrolled as provincial IT would: its token.
    async fn device(
        &self,
        tree: &UnitTree,
        role: Role,
        unit: &UnitId,
        label: &str,
    ) -> Result<(DeviceId, String), StoreError> {
        let now = self.state.now_ms();
        let enrolled = crate::enrolment::enrol(&self.state.store, tree, role, unit.as_str(), label, now)
            .await
            .map_err(|e| refused(e.body().message))?;
        Ok((enrolled.device, enrolled.token))
    }

    /// `POST path` with `body` as `token`'s device, through the router; the answer.
    async fn post(&self, path: &str, token: &str, body: &impl serde::Serialize) -> Result<Value, StoreError> {
        let body = serde_json::to_string(body).map_err(refused)?;
        let request = Request::post(path)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(body))
            .map_err(refused)?;
        let response = self.router.clone().oneshot(request).await.map_err(refused)?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.map_err(refused)?;
        let answer: Value = serde_json::from_slice(&bytes).map_err(refused)?;
        if status != StatusCode::OK {
            return Err(refused(format!("{path}: {answer}")));
        }
        Ok(answer)
    }

    /// Each area's phone enters its figures of 2017–2019 and syncs: the seeds' totals.
    async fn figures(&self, tree: &UnitTree, areas: &[Unit]) -> Result<usize, StoreError> {
        let ward_of = |area: &Unit| tree.get(area.parent.as_ref().expect("areas have a ward")).map(|w| w.name.as_str());
        let rural: Vec<&Unit> = areas.iter().filter(|a| ward_of(a).is_ok_and(|w| NEW_RURAL.contains(&w))).collect();
        let urban: Vec<&Unit> = areas.iter().filter(|a| ward_of(a).is_ok_and(|w| w.starts_with("Phường"))).collect();
        let mut cells: Vec<AreaCells> = areas.iter().map(|a| (a.id.clone(), vec![], vec![])).collect();
        let mut count = |to: &[&Unit], indicator: &str, total: u64, years: &[u16]| -> Result<(), StoreError> {
            let indicator = IndicatorId::new(indicator).map_err(refused)?;
            for (i, (area, amount)) in to.iter().zip(spread(total, to.len())).enumerate() {
                let year = years[i % years.len()];
                let month = Month::new(year, 1 + (i * 5 % 12) as u8).map_err(refused)?;
                let cell =
                    CounterCell { area: area.id.clone(), indicator: indicator.clone(), month, inc: amount, dec: 0 };
                let slot = cells.iter_mut().find(|c| c.0 == area.id).expect("every area has a slot");
                slot.1.push(cell);
            }
            Ok(())
        };
        let all: Vec<&Unit> = areas.iter().collect();
        let years = [2017, 2018, 2019];
        count(&rural[..20], "dat_hien", 8_111, &years)?;
        count(&rural[..16], "duong_lam_moi", 1_900, &years)?; // "gần 2 km" of rural road
        count(&urban[..30], "duong_lam_moi", 2_500, &years)?; // 2,5 km of dân sinh road
        count(&urban, "tien_dan_gop", 640_000_000, &[2018, 2019])?;
        count(&all, "ngay_cong", 5_379, &[2019])?;
        count(&rural, "buoi_tuyen_truyen", 40, &[2019])?;
        count(&rural, "luot_ho_tham_gia", 1_750, &[2019])?;
        count(&rural[..5], "nha_ddk_xay_moi", 5, &[2019])?;
        // Levels as of October 2019: 190 alleys, 178 lit; flags of 2019 for every area.
        let alleys = spread(190, urban.len());
        // 12 alleys unlit, one each in the areas with the most.
        let mut lit = alleys.clone();
        let mut most: Vec<usize> = (0..urban.len()).collect();
        most.sort_by_key(|&i| std::cmp::Reverse(alleys[i]));
        for &i in most.iter().take(12) {
            lit[i] -= 1;
        }
        for (i, area) in urban.iter().enumerate() {
            let slot = cells.iter_mut().find(|c| c.0 == area.id).expect("every area has a slot");
            let (alleys, lit) = (alleys[i], lit[i]);
            slot.2.push((
                IndicatorId::new("tong_so_ngo").map_err(refused)?,
                "2019-10".into(),
                RegisterValue::Level(alleys),
            ));
            slot.2.push((
                IndicatorId::new("ngo_co_den").map_err(refused)?,
                "2019-10".into(),
                RegisterValue::Level(lit),
            ));
        }
        for slot in &mut cells {
            for flag in ["kdc_quy_uoc", "khong_tre_bo_hoc"] {
                slot.2.push((IndicatorId::new(flag).map_err(refused)?, "2019".into(), RegisterValue::Flag(true)));
            }
        }
        let mut syncs = 0;
        for (area, counters, registers) in cells {
            let name = tree.get(&area).map(|a| a.name.clone()).unwrap_or_default();
            let (device, token) = self.device(tree, Role::Volunteer, &area, &format!("Trưởng ban {name}")).await?;
            let wall = self.state.now_ms();
            let registers = (registers.into_iter().enumerate())
                .map(|(n, (indicator, bucket, value))| {
                    let stamp = Stamp { hlc: Hlc { wall, n: n as u32 }, device: device.clone() };
                    let bucket = bucket.parse().map_err(refused)?;
                    Ok(RegisterCell { area: area.clone(), indicator, bucket, value, stamp })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let entries = (counters.len() + registers.len()) as u64;
            let request = SyncRequest { protocol: PROTOCOL, device, entries, counters, registers };
            let answer = self.post("/api/v1/sync", &token, &request).await?;
            if answer["refused"].as_array().is_some_and(|r| !r.is_empty()) {
                return Err(refused(format!("đồng bộ bị từ chối: {answer}")));
            }
            syncs += 1;
        }
        Ok(syncs)
    }

    /// The city's titles of 2014–2019 (713 lượt), and the areas and committee heads of
    /// Thị xã Bắc Kạn commended in 2013.
    async fn honours(&self, tree: &UnitTree, areas: &[Unit]) -> Result<usize, StoreError> {
        let city = areas[0].parent.as_ref().and_then(|w| tree.get(w).ok()?.parent.clone()).expect("the city");
        let (_, token) = self.device(tree, Role::Inspector, &city, "Ban Thường trực thành phố").await?;
        let mut filed = 0;
        let mut record = async |id: String, unit: &UnitId, kind: Value, day: &str, issuer: &str| {
            let honour = json!({ "id": id, "unit": unit, "kind": kind,
                "decision": { "number": "Mẫu/QĐ-UBND", "day": day, "issuer": issuer } });
            self.post("/api/v1/honours", &token, &honour).await.map(|_| filed += 1)
        };
        // 127 areas × 6 years = 762; every fifteenth left out until 713 remain.
        let mut left_out = 0;
        for year in 2014u16..=2019 {
            for (i, area) in areas.iter().enumerate() {
                let n = (usize::from(year - 2014)) * areas.len() + i;
                if n.is_multiple_of(15) && left_out < 49 {
                    left_out += 1;
                    continue;
                }
                let kind = json!({ "kind": "cultural_area", "year": year });
                record(format!("h-vh-{year}-{i}"), &area.id, kind, &format!("{year}-12-15"), "UBND thành phố Bắc Kạn")
                    .await?;
            }
        }
        // The conference of 2013: 24 areas and 32 committee heads, giấy khen of the town.
        let reason = "Tiêu biểu trong Cuộc vận động giai đoạn 2009–2013";
        for (i, area) in areas.iter().step_by(5).take(24).enumerate() {
            let kind = json!({ "kind": "commendation", "form": "giay_khen", "level": "district", "recipient": "", "reason": reason });
            record(format!("h-kdc-2013-{i}"), &area.id, kind, "2013-11-15", "UBND thị xã Bắc Kạn").await?;
        }
        for (i, area) in areas.iter().skip(2).step_by(4).take(32).enumerate() {
            let recipient = format!("Trưởng ban công tác Mặt trận {}", area.name);
            let kind = json!({ "kind": "commendation", "form": "giay_khen", "level": "district", "recipient": recipient, "reason": reason });
            record(format!("h-tb-2013-{i}"), &area.id, kind, "2013-11-15", "UBND thị xã Bắc Kạn").await?;
        }
        // Xã Nông Thượng, the city's first commune to meet the new-rural standard (2017).
        let nong_thuong = areas
            .iter()
            .find_map(|a| a.parent.clone().filter(|w| tree.get(w).is_ok_and(|w| w.name == "Xã Nông Thượng")));
        let nong_thuong = nong_thuong.ok_or_else(|| refused("không thấy Xã Nông Thượng"))?;
        let kind = json!({ "kind": "new_rural", "year": 2017 });
        record("h-ntm-2017".into(), &nong_thuong, kind, "2017-12-29", "UBND tỉnh Bắc Kạn").await?;
        // Tổ 8A: a bằng khen of the Front's Central Committee.
        let kind = json!({ "kind": "commendation", "form": "bang_khen", "level": "central", "recipient": "",
            "reason": "Nhiều năm liên tục giữ vững khu dân cư văn hóa" });
        record("h-8a-2013".into(), &areas[0].id, kind, "2013-11-15", "Ủy ban Trung ương MTTQ Việt Nam").await?;
        Ok(filed)
    }

    /// Quận Thanh Xuân, 2020: its wards register 122 models in February; the district's
    /// team inspects them in May; 78 are registered again, the others withdrawn.
    async fn models(&self, tree: &UnitTree) -> Result<usize, StoreError> {
        let hanoi = old_unit(tree, "Thành phố Hà Nội", None)?.id.clone();
        let district = old_unit(tree, "Quận Thanh Xuân", Some(&hanoi))?.id.clone();
        let wards: Vec<UnitId> = tree.children(&district).map(|w| w.id.clone()).collect();
        let (_, team) = self.device(tree, Role::Inspector, &district, "Đoàn kiểm tra quận").await?;
        let mut officers = vec![];
        for ward in &wards {
            let name = tree.get(ward).map(|w| w.name.clone()).unwrap_or_default();
            officers.push(self.device(tree, Role::WardOfficer, ward, &format!("Cán bộ {name}")).await?.1);
        }
        const NAMES: [&str; 5] = [
            "Khu dân cư tự quản",
            "Gia đình văn hóa",
            "Ngõ phố xanh – sạch – đẹp",
            "Khu dân cư an toàn",
            "Giám sát cộng đồng",
        ];
        let per_ward = spread(122, wards.len());
        let mut n = 0;
        for (w, (ward, count)) in wards.iter().zip(per_ward).enumerate() {
            for _ in 0..count {
                let content = (n % 5) as u8 + 1;
                let model = format!("mh-tx-{n:03}");
                let name = format!("{} số {}", NAMES[n % 5], n + 1);
                let step = |id: &str, day: &str, step: Value| json!({ "id": format!("e-{model}-{id}"), "model": model, "day": day, "step": step });
                let register = json!({ "kind": "register", "unit": ward, "content": content, "name": name });
                self.post("/api/v1/models", &officers[w], &step("dk", "2020-02-20", register)).await?;
                self.post("/api/v1/models", &team, &step("kt", "2020-05-20", json!({ "kind": "inspect" }))).await?;
                let kept = n % 61 < 39; // 78 of 122
                let next = if kept { "reregister" } else { "withdraw" };
                self.post("/api/v1/models", &officers[w], &step("sau", "2020-06-01", json!({ "kind": next }))).await?;
                n += 1;
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::spread;

    #[test]
    fn amounts_spread_sum_to_the_total() {
        for (total, parts) in [(8_111, 20), (40, 25), (5, 5), (640_000_000, 102), (190, 102)] {
            let spread = spread(total, parts);
            assert_eq!((spread.len(), spread.iter().sum::<u64>()), (parts, total));
        }
        assert_ne!(spread(100, 4)[0], spread(100, 4)[1], "uneven, as real areas");
        assert!(spread(40, 25).iter().all(|&n| n >= 1), "40 sessions at each of the 25 thôn");
    }
}
