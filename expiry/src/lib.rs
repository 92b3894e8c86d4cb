//! Expiry for any evict policy (work in progress).
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
