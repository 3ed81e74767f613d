//! The local default: one process serving the built app and the API.
//!
//! `sotay-local [--addr 127.0.0.1:8080] [--data data/sotay.redb] [--dist dist]
//!              [--store embedded|dynamodb] [--table sotay] [--endpoint http://127.0.0.1:8000]`
//! (or `SOTAY_ADDR`, `SOTAY_DATA`, `SOTAY_DIST`, `SOTAY_STORE`, `SOTAY_TABLE`,
//! `SOTAY_DYNAMODB_ENDPOINT`). The embedded store in one local file is the default; with
//! `--store dynamodb` the same app runs against DynamoDB or a DynamoDB-compatible server.

use anyhow::{Context, bail};
use functions::api_router;
use functions::store::{DynamoStore, EmbeddedStore, Store};
use std::path::{Path, PathBuf};
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
    let dist = PathBuf::from(setting("--dist", "SOTAY_DIST", "dist"));
    match setting("--store", "SOTAY_STORE", "embedded").as_str() {
        "embedded" => {
            let data = PathBuf::from(setting("--data", "SOTAY_DATA", "data/sotay.redb"));
            if let Some(dir) = data.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            let store = EmbeddedStore::open(&data).with_context(|| format!("opening {}", data.display()))?;
            serve(store, &addr, &dist, &data.display().to_string()).await
        }
        "dynamodb" => {
            let table = setting("--table", "SOTAY_TABLE", "sotay");
            let endpoint = setting("--endpoint", "SOTAY_DYNAMODB_ENDPOINT", "");
            let store = DynamoStore::connect(&table, Some(endpoint.as_str()).filter(|e| !e.is_empty())).await;
            store.create_table_if_missing().await?;
            serve(store, &addr, &dist, &format!("DynamoDB, bảng {table}")).await
        }
        other => bail!("unknown store `{other}`: use `embedded` or `dynamodb`"),
    }
}

async fn serve<S: Store>(store: S, addr: &str, dist: &Path, data: &str) -> anyhow::Result<()> {
    let state = functions::app_state(store).await?;
    let app = api_router(state).fallback_service(ServeDir::new(dist).fallback(ServeFile::new(dist.join("index.html"))));
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    println!("Sổ tay Mặt trận đang chạy: http://{}/  (dữ liệu: {data})", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
