//! When trying again is right, and how long to wait first.

use super::StoreError;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use std::time::Duration;

/// A failure that reading and planning again may cure, or one it will not.
pub(super) enum Failure {
    Retry(StoreError),
    Fail(StoreError),
}

/// Errors after which trying again is right: a conflicting transaction, throttling, or
/// no answer at all (a write may or may not have happened; the re-read tells).
pub(super) fn worth_retrying<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    match error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => true,
        SdkError::ServiceError(e) => matches!(
            e.err().code(),
            Some(
                "TransactionConflictException"
                    | "TransactionInProgressException"
                    | "ThrottlingException"
                    | "ProvisionedThroughputExceededException"
                    | "RequestLimitExceeded"
                    | "InternalServerError"
            )
        ),
        _ => false,
    }
}

/// For a transaction, also a cancellation whose every reason is a failed condition
/// (another writer moved an item), a conflict or throttling; never a validation error.
pub(super) fn transaction_worth_retrying<R>(error: &SdkError<TransactWriteItemsError, R>) -> bool {
    if let SdkError::ServiceError(e) = error
        && let TransactWriteItemsError::TransactionCanceledException(cancelled) = e.err()
    {
        return cancelled.cancellation_reasons().iter().all(|reason| {
            matches!(
                reason.code(),
                None | Some(
                    "None"
                        | "ConditionalCheckFailed"
                        | "TransactionConflict"
                        | "ThrottlingError"
                        | "ProvisionedThroughputExceeded"
                        | "RequestLimitExceeded"
                )
            )
        });
    }
    worth_retrying(error)
}

/// Exponential backoff with full jitter: up to 20 ms · 2^attempt, capped at 1 s.
pub(super) async fn backoff(attempt: u32) {
    let cap = (20u64 << attempt.min(6)).min(1_000);
    tokio::time::sleep(Duration::from_millis(fastrand::u64(0..=cap))).await;
}
