//! Integration tests of `rill-core`'s public API. One binary, as matklad recommends.
//!
//! On wasm32, `#[test]` is `wasm_bindgen_test`, so the same tests prove the engine behaves the
//! same compiled to WebAssembly.

mod assignors;
mod cluster;
mod cluster_admin;
mod cluster_events;
mod cluster_groups;
mod cluster_persist;
mod codec;
mod compaction;
mod consumer;
mod consumer_delivery;
#[cfg(not(target_arch = "wasm32"))]
mod consumer_props;
mod coordinator;
#[cfg(not(target_arch = "wasm32"))]
mod coordinator_props;
// Replays minutes of cluster time with consumers polling every 100 ms (about 100 s natively in
// debug); the engine it drives is covered on wasm32 by the other modules.
#[cfg(not(target_arch = "wasm32"))]
mod docs_course;
mod host;
#[cfg(not(target_arch = "wasm32"))]
mod interop;
mod log;
mod one_broker;
mod partitioner;
mod placement;
mod recovery;
#[cfg(not(target_arch = "wasm32"))]
mod recovery_props;
mod replication_log;
mod scenario_apps;
mod scenario_cli;
#[cfg(not(target_arch = "wasm32"))]
mod scenario_files;
mod scenario_parse;
#[cfg(not(target_arch = "wasm32"))]
mod scenario_props;
mod sim;
mod sim_groups;
mod sticky;
#[cfg(not(target_arch = "wasm32"))]
mod sticky_props;
