#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

pub mod analyze;
pub mod bound;
pub mod bytecurve;
pub mod mrc;
pub mod opt;
pub mod parser;
pub mod pipeline;
pub mod registry;
pub mod replay;
pub mod report;
pub mod shards;
pub mod size;
pub mod workload;
