//! The API as an AWS Lambda function behind API Gateway (HTTP API).
//!
//! Store: the embedded store at `SOTAY_DATA` (default `/tmp/sotay.redb`). The DynamoDB
//! store that a real deployment needs arrives with the serverless issue; the handlers
//! are the same `Router` the local server runs.

use domain::Catalogue;
use functions::store::{EmbeddedStore, load_tree};
use functions::{AppState, api_router};
use std::path::PathBuf;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let data =
        PathBuf::from(std::env::var("SOTAY_DATA").unwrap_or_else(|_| "/tmp/sotay.redb".into()));
    let store = EmbeddedStore::open(&data)?;
    let tree = load_tree(&store).await?;
    let state = Arc::new(AppState {
        store,
        tree,
        catalogue: Catalogue::standard(),
    });
    lambda_http::run(api_router(state)).await
}
