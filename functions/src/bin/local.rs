//! The local default: one process serving the built app and the API over the embedded store.
//!
//! `sotay-local [--addr 127.0.0.1:8080] [--data data/sotay.redb] [--dist dist]`
//! (or `SOTAY_ADDR`, `SOTAY_DATA`, `SOTAY_DIST`).

use anyhow::Context;
use domain::Catalogue;
use functions::store::{EmbeddedStore, load_tree};
use functions::{AppState, api_router};
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};

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
    let addr = setting("--addr", "SOTAY_ADDR", "127.0.0.1:8080");
    let data = PathBuf::from(setting("--data", "SOTAY_DATA", "data/sotay.redb"));
    let dist = PathBuf::from(setting("--dist", "SOTAY_DIST", "dist"));
    if let Some(dir) = data.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let store =
        EmbeddedStore::open(&data).with_context(|| format!("opening {}", data.display()))?;
    let tree = load_tree(&store).await?;
    let state = Arc::new(AppState {
        store,
        tree,
        catalogue: Catalogue::standard(),
    });
    let app = api_router(state)
        .fallback_service(ServeDir::new(&dist).fallback(ServeFile::new(dist.join("index.html"))));
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    println!(
        "Sổ tay Mặt trận đang chạy: http://{}/  (dữ liệu: {})",
        listener.local_addr()?,
        data.display()
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
