//! moto's DynamoDB server for this test binary: started once on a free loopback port by
//! `tests/tools/moto_dynamodb.py` (it exits with this process); one fresh table per test.

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use functions::store::DynamoStore;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

pub fn endpoint() -> &'static str {
    // The server lives as long as this process (the script exits when its parent does).
    static SERVER: OnceLock<(String, Mutex<Child>)> = OnceLock::new();
    &SERVER
        .get_or_init(|| {
            let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/tools/moto_dynamodb.py");
            // A port found free can be taken by another test process before moto binds
            // it: then moto exits at once, and a new port is tried.
            let mut said = String::new();
            for _ in 0..3 {
                let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
                let mut child = Command::new("python3")
                    .arg(script)
                    .arg(port.to_string())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("python3 runs (moto is installed by `cargo xtask test`)");
                said.clear();
                BufReader::new(child.stdout.take().unwrap()).read_line(&mut said).unwrap();
                if said.contains("listening") {
                    return (format!("http://127.0.0.1:{port}"), Mutex::new(child));
                }
                let _ = child.wait();
            }
            panic!("moto did not start: {said:?} (pip install 'moto[server]')")
        })
        .0
}

/// Every item of `table` but the counts of attempts (limits count refused requests too):
/// what a refused request must leave as it was.
#[allow(dead_code)] // the API tests use it, the store tests do not
pub async fn items(table: &str) -> Vec<String> {
    let client = aws_sdk_dynamodb::Client::from_conf(config(RetryConfig::standard()));
    let mut pages = client.scan().table_name(table).into_paginator().send();
    let mut items = Vec::new();
    while let Some(page) = pages.next().await {
        for item in page.unwrap().items.unwrap_or_default() {
            let pk = item.get("pk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
            if !pk.starts_with("LIMIT#") {
                let mut fields: Vec<String> = item.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
                fields.sort();
                items.push(fields.join(";"));
            }
        }
    }
    items.sort();
    items
}

/// A client of moto's server, for writing items as an older build did.
#[allow(dead_code)] // the store tests use it
pub fn client() -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::from_conf(config(RetryConfig::standard()))
}

/// A store over a new, empty table.
pub async fn fresh_table() -> DynamoStore {
    table("sotay-test", RetryConfig::standard()).await
}

/// A store over a new, empty table whose requests meet throttling, conflicting
/// transactions and lost answers (see `tests/tools/moto_dynamodb.py`). The SDK's own
/// retries are off, so the store's handling is what is tested.
pub async fn faulty_table() -> DynamoStore {
    table("faulty-test", RetryConfig::disabled()).await
}

fn config(retry: RetryConfig) -> aws_sdk_dynamodb::Config {
    aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(Region::new("ap-southeast-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "conformance-suite"))
        .retry_config(retry)
        .build()
}

async fn table(prefix: &str, retry: RetryConfig) -> DynamoStore {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let table = format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(config(retry)), &table);
    store.create_table_if_missing().await.unwrap();
    store
}
