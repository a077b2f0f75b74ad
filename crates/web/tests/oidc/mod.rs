//! Shared helpers of the OpenID Connect provider tests.
pub mod helpers;
