//! The HTTP API of Sổ tay Mặt trận, built once and served by two hosts: the local
//! server (`sotay-local`, with the embedded store or DynamoDB) and the Lambda function
//! (`sotay-lambda`). Handlers take the narrowest store trait they need and never see
//! storage types; domain rules come from the `domain` crate.

pub mod api;
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
use store::{Store, StoreError, load_tree};

/// The handlers' state over a store: its tree (the demo tree on first start) and the catalogue.
pub async fn app_state<S: Store>(store: S) -> Result<Arc<AppState<S>>, StoreError> {
    let tree = load_tree(&store).await?;
    Ok(Arc::new(AppState::new(store, tree, Catalogue::standard())))
}
