//! The API as an AWS Lambda function behind API Gateway (HTTP API): the same `Router`
//! as the local server, over the DynamoDB store.
//!
//! Environment: `SOTAY_TABLE` (the table), optionally `SOTAY_DYNAMODB_ENDPOINT` (a
//! DynamoDB-compatible server, in tests) and `SOTAY_DEMO=1` (an empty table given the demo
//! tree); AWS credentials and region as Lambda sets them.

use functions::api_router;
use functions::store::DynamoStore;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let table = std::env::var("SOTAY_TABLE").map_err(|_| "SOTAY_TABLE is not set")?;
    let endpoint = std::env::var("SOTAY_DYNAMODB_ENDPOINT").ok().filter(|e| !e.is_empty());
    let store = DynamoStore::connect(&table, endpoint.as_deref()).await;
    let demo = functions::demo_asked(std::env::var("SOTAY_DEMO").ok().as_deref());
    let state = functions::app_state(store, demo).await?;
    lambda_http::run(api_router(state)).await
}
