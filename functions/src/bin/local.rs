//! The local default: one process serving the built app and the API.
//!
//! `sotay-local [--addr 127.0.0.1:8080] [--data data/sotay.redb] [--dist dist]
//!              [--store embedded|dynamodb] [--table sotay] [--endpoint http://127.0.0.1:8000]
//!              [--public-url https://sotay.example.gov.vn] [--behind-proxy 1] [--demo 1]`
//! (or `SOTAY_ADDR`, `SOTAY_DATA`, `SOTAY_DIST`, `SOTAY_STORE`, `SOTAY_TABLE`,
//! `SOTAY_DYNAMODB_ENDPOINT`, `SOTAY_PUBLIC_URL`, `SOTAY_BEHIND_PROXY`, `SOTAY_DEMO`).
//! `--demo 1` gives a store with no units the demo tree from the seed articles (what
//! `cargo xtask serve` does, to try the app); without it a new store stays empty until a
//! province is loaded. Behind the
//! province's TLS reverse proxy, `--behind-proxy 1` takes the client's address (for the
//! limits on join attempts and wrong tokens) from the last `X-Forwarded-For` entry. The embedded store in one local file is
//! the default; with `--store dynamodb` the same app runs against DynamoDB or a
//! DynamoDB-compatible server.
//!
//! `sotay-local create-admin [--unit U] [--days 7] [store options as above]` issues the
//! one-time join link of a province administrator and prints it (provincial IT, on a new
//! deployment; with the embedded store, while the server is stopped: the file has one
//! user at a time). A server whose store has no device yet prints such a link at start.
//!
//! `sotay-local load-units --province "Thái Nguyên" [store options as above]` loads a
//! province of today's map and its communes and wards, with the provinces merged into it
//! on 1/7/2025 and their districts and communes, from the bundled dataset
//! (`domain/data/units/`) into a new store; again, it adds only what the store lacks. A
//! store given a province is never given the demo tree. Then `create-admin --unit` with
//! the id it prints, and serve.
//!
//! `sotay-local load-demo [store options as above]` loads the demo the seed articles tell
//! (`functions::demo`: Thành phố Bắc Kạn 2017–2019 under the tree of those years, Thị xã
//! Bắc Kạn's commendations of 2013, Quận Thanh Xuân's models of 2020) into a new store,
//! and prints the `create-admin` commands of its two provinces.

use anyhow::{Context, bail};
use domain::enrol::IssueCode;
use domain::{Role, UnitId};
use functions::api::AppState;
use functions::site::site_router;
use functions::store::{DynamoStore, EmbeddedStore, Store};
use std::path::PathBuf;
use std::sync::Arc;

fn setting(flag: &str, env: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2)
        .find(|w| w[0] == flag)
        .map(|w| w[1].clone())
        .or_else(|| std::env::var(env).ok())
        .unwrap_or_else(|| default.to_string())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let command = std::env::args().nth(1).filter(|a| !a.starts_with("--"));
    match setting("--store", "SOTAY_STORE", "embedded").as_str() {
        "embedded" => {
            let data = PathBuf::from(setting("--data", "SOTAY_DATA", "data/sotay.redb"));
            if let Some(dir) = data.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            let store = EmbeddedStore::open(&data).with_context(|| format!("opening {}", data.display()))?;
            run(command, store, &data.display().to_string()).await
        }
        "dynamodb" => {
            let table = setting("--table", "SOTAY_TABLE", "sotay");
            let endpoint = setting("--endpoint", "SOTAY_DYNAMODB_ENDPOINT", "");
            let store = DynamoStore::connect(&table, Some(endpoint.as_str()).filter(|e| !e.is_empty())).await;
            store.create_table_if_missing().await?;
            let moved = store.move_to_trees().await?;
            if moved > 0 {
                println!(
                    "Đã chuyển {moved} mục (đơn vị, thay đổi khu dân cư) sang cách lưu mới: mỗi tỉnh một phân vùng."
                );
            }
            run(command, store, &format!("DynamoDB, bảng {table}")).await
        }
        other => bail!("unknown store `{other}`: use `embedded` or `dynamodb`"),
    }
}

async fn run<S: Store>(command: Option<String>, store: S, data: &str) -> anyhow::Result<()> {
    if command.as_deref() == Some("load-units") {
        return load_units(&store).await;
    }
    if command.as_deref() == Some("load-demo") {
        return load_demo(store).await;
    }
    let demo = functions::demo_asked(Some(setting("--demo", "SOTAY_DEMO", "").as_str()));
    let mut state = Arc::into_inner(functions::app_state(store, demo).await?).expect("just made");
    let addr = setting("--addr", "SOTAY_ADDR", "127.0.0.1:8080");
    let public_url = setting("--public-url", "SOTAY_PUBLIC_URL", "");
    state.public_url = Some(public_url).filter(|u| !u.is_empty());
    state.trust_proxy = matches!(setting("--behind-proxy", "SOTAY_BEHIND_PROXY", "").as_str(), "1" | "true" | "yes");
    match command.as_deref() {
        None => serve(state, &addr, data).await,
        Some("create-admin") => {
            let base = state.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
            let days = setting("--days", "SOTAY_CODE_DAYS", "7").parse().context("--days takes a number")?;
            print_admin_link(&state, &base, days).await
        }
        Some(other) => {
            bail!("unknown command `{other}`: use `load-units`, `load-demo`, `create-admin` or no command to serve")
        }
    }
}

/// Loads the province `--province` names from the bundled dataset; prints what it added
/// and changed, and the id of today's province, for `create-admin --unit`.
async fn load_units<S: Store>(store: &S) -> anyhow::Result<()> {
    let province = setting("--province", "SOTAY_PROVINCE", "");
    if province.is_empty() {
        bail!("Hãy nêu tỉnh, thành phố cần nạp: load-units --province \"Thái Nguyên\" (hoặc mã của nó: 19).");
    }
    let dataset = domain::dataset::Dataset::bundled()?;
    let loaded = functions::store::load_province(store, &dataset, &province).await?;
    let added = &loaded.added;
    let before = added.iter().filter(|u| u.valid_to.is_some()).count();
    println!(
        "Đã thêm {} đơn vị từ bộ dữ liệu {}: {} của bản đồ hiện nay, {before} trước 1/7/2025 (có sẵn trước đó thì bỏ qua).",
        added.len(),
        dataset.version,
        added.len() - before
    );
    if !loaded.changed.is_empty() {
        println!(
            "Đã cập nhật {} đơn vị đã có theo bộ dữ liệu (tên, ngày hết hiệu lực, đơn vị kế thừa).",
            loaded.changed.len()
        );
    }
    if let Some(province) = dataset.province_today(&province)?.first() {
        println!("{} (mã {}): sotay-local create-admin --unit {}", province.unit.name, province.code, province.unit.id);
    }
    Ok(())
}

/// Loads the seeds' demo into a new store; prints what it holds and how to open it.
async fn load_demo<S: Store>(store: S) -> anyhow::Result<()> {
    let (_, loaded) = functions::demo::load(store).await?;
    println!(
        "Đã nạp dữ liệu mẫu từ các bài báo: {} khu dân cư của Thành phố Bắc Kạn (2017–2019) với {} lần đồng bộ, \
         {} danh hiệu và khen thưởng, {} mô hình của Quận Thanh Xuân (2020).",
        loaded.areas, loaded.syncs, loaded.honours, loaded.models
    );
    for (name, id) in loaded.provinces {
        println!("{name}: sotay-local create-admin --unit {id}");
    }
    Ok(())
}

/// Issues a province administrator's one-time join code and prints its link.
async fn print_admin_link<S: Store>(state: &AppState<S>, base: &str, days: u16) -> anyhow::Result<()> {
    let unit = match setting("--unit", "SOTAY_ADMIN_UNIT", "").as_str() {
        "" => {
            let roots = state.store.roots().await?;
            match roots.as_slice() {
                [root] => root.clone(),
                [] => bail!(
                    "Chưa có đơn vị nào: hãy nạp tỉnh trước (sotay-local load-units --province \"Thái Nguyên\"), \
                     hoặc chạy thử với dữ liệu mẫu (--demo 1)."
                ),
                _ => bail!("the tree has several top units: name one with --unit"),
            }
        }
        unit => UnitId::new(unit)?,
    };
    let tree = state.tree_knowing([&unit]).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let request = IssueCode { role: Role::ProvinceAdmin, unit, valid_days: Some(days), uses: Some(1) };
    let issued = functions::enrolment::issue_code(&state.store, &tree, None, &request, state.now_ms(), base)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.body().message))?;
    println!("Mã tham gia của quản trị cấp tỉnh (dùng một lần, hết hạn sau {days} ngày): {}", issued.code);
    println!("Mở liên kết này trên điện thoại hoặc máy tính của người quản trị: {}", issued.link);
    Ok(())
}

async fn serve<S: Store>(state: AppState<S>, addr: &str, data: &str) -> anyhow::Result<()> {
    let dist = PathBuf::from(setting("--dist", "SOTAY_DIST", "dist"));
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr()?;
    let no_units = state.store.roots().await?.is_empty();
    if no_units {
        println!(
            "Chưa có đơn vị nào: hãy nạp tỉnh (sotay-local load-units --province \"Thái Nguyên\"), \
             hoặc chạy thử với dữ liệu mẫu (--demo 1)."
        );
    } else if state.store.devices().await?.is_empty() {
        let base = state.public_url.clone().unwrap_or_else(|| format!("http://{local}"));
        println!("Chưa có thiết bị nào được ghi danh.");
        print_admin_link(&state, &base, 1).await?;
    }
    let app =
        site_router(Arc::new(state), &dist).with_context(|| format!("reading the pages of {}", dist.display()))?;
    println!("Sổ tay Mặt trận đang chạy: http://{local}/  (dữ liệu: {data})");
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
