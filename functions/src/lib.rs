//! The HTTP API of Sổ tay Mặt trận, built once and served by two hosts: the local
//! server (`sotay-local`, with the embedded store or DynamoDB) and the Lambda function
//! (`sotay-lambda`). Handlers take the narrowest store trait they need and never see
//! storage types; domain rules come from the `domain` crate.

pub mod api;
pub mod demo;
pub mod enrolment;
pub mod error;
pub mod export;
pub mod secrets;
pub mod site;
pub mod store;

pub use api::{AppState, api_router};
pub use error::ApiError;

use domain::Catalogue;
use std::sync::Arc;
use store::{Store, StoreError, load_tree, stored_tree};

/// Whether a store with no units is given the demo tree from the seed articles: only when
/// asked (`SOTAY_DEMO=1`, or `--demo 1` on the local server; `cargo xtask serve` asks). A
/// province's deployment starts empty and loads its units (`load-units`).
pub fn demo_asked(setting: Option<&str>) -> bool {
    matches!(setting, Some("1" | "true" | "yes"))
}

/// The handlers' state over a store (given the demo tree on a first start if `demo`; else
/// none until a province is loaded) and the catalogue. Over the embedded file the whole
/// tree is read now; over DynamoDB nothing is: each request reads the trees it needs
/// (`api::known`), so a Lambda instance starts without reading the country.
pub async fn app_state<S: Store>(store: S, demo: bool) -> Result<Arc<AppState<S>>, StoreError> {
    if demo && store.roots().await?.is_empty() {
        load_tree(&store).await?;
    }
    let tree = if S::SHARED { None } else { stored_tree(&store).await? };
    let tree = tree.unwrap_or_default();
    Ok(Arc::new(AppState::new(store, tree, Catalogue::standard())))
}
