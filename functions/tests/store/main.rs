//! One store conformance suite, run against every store: the embedded one (a redb file)
//! and the DynamoDB one (against moto's DynamoDB server on 127.0.0.1, started here).

mod moto;
mod scenarios;

use functions::store::{DynamoStore, EmbeddedStore};

/// Runs each scenario against a fresh store made by `$make`.
macro_rules! conformance {
    ($store:ident, $make:expr) => {
        mod $store {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn the_tree_is_seeded_once() {
                let (store, _keep) = $make.await;
                scenarios::the_tree_is_seeded_once(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn random_deliveries_give_the_reference_totals() {
                let (store, _keep) = $make.await;
                scenarios::random_deliveries_give_the_reference_totals(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn a_sync_larger_than_one_transaction_lands_exactly_once() {
                let (store, _keep) = $make.await;
                scenarios::a_sync_larger_than_one_transaction_lands_exactly_once(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn a_register_sync_larger_than_one_transaction_lands_exactly_once() {
                let (store, _keep) = $make.await;
                scenarios::a_register_sync_larger_than_one_transaction_lands_exactly_once(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn devices_stating_levels_in_parallel_end_with_exact_rollups() {
                let (store, _keep) = $make.await;
                scenarios::devices_stating_levels_in_parallel_end_with_exact_rollups(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn devices_syncing_in_parallel_end_with_exact_totals() {
                let (store, _keep) = $make.await;
                scenarios::devices_syncing_in_parallel_end_with_exact_totals(store).await;
            }
        }
    };
}

async fn embedded() -> (EmbeddedStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (EmbeddedStore::open(&dir.path().join("conformance.redb")).unwrap(), dir)
}

async fn dynamodb() -> (DynamoStore, ()) {
    (moto::fresh_table().await, ())
}

conformance!(embedded_store, embedded());
conformance!(dynamodb_store, dynamodb());

/// What a sync costs on DynamoDB, in capacity units computed from item sizes (the cost
/// model of BENCHMARKS.md rests on these figures).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capacity_units_per_sync_on_dynamodb() {
    let store = moto::fresh_table().await;
    let figures = scenarios::capacity_units_per_sync(&store, || store.consumed()).await;
    eprintln!("capacity per sync of 10 cells: {figures:?}");
}
