//! The HTTP API of Sổ tay Mặt trận, built once and served by two hosts: the local
//! server (`sotay-local`, with the embedded store) and the Lambda function
//! (`sotay-lambda`). Handlers take the narrowest store trait they need and never see
//! storage types; domain rules come from the `domain` crate.

pub mod api;
pub mod error;
pub mod store;

pub use api::{AppState, api_router};
pub use error::ApiError;
